#pragma once

// Mixed precision (--amp): forward passes run under autocast in bfloat16 or float16 while the
// weights, optimiser states and gradients stay float32. float16's narrow exponent range needs
// the loss scaled so that small gradients do not flush to zero (Micikevicius et al. 2018);
// bfloat16 has float32's range and needs no scaling.

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wb::compat {
class AutocastScope;
}

namespace wb::darts {

// The autocast dtype of "bf16" or "fp16"; none for "off". Throws wb::Error otherwise.
std::optional<torch::Dtype> ampDtype(const std::string& amp);

// Dynamic loss scaling, as torch.amp.GradScaler does it: the loss is multiplied by the scale
// before the backward pass and the gradients divided by it after; a step whose gradients
// overflowed is skipped and the scale halved, and `interval` good steps in a row double it.
class LossScaler {
public:
    explicit LossScaler(double initial = 65536.0, int interval = 2000);
    torch::Tensor scale(const torch::Tensor& loss) const { return loss * m_scale; }
    // Divides the defined tensors of `grads` by the scale in place and updates the scale; true
    // when every one is finite (the step may be applied). Reads one flag from the device: the
    // decision to skip is the host's, as in GradScaler.
    bool unscale(const std::vector<torch::Tensor>& grads);
    double value() const { return m_scale; }

private:
    double m_scale;
    int m_interval;
    int m_good = 0;
};

struct MixedPrecision;

// Autocast as `precision` asks, while alive (nothing for float32).
class Autocast {
public:
    explicit Autocast(const MixedPrecision& precision);
    ~Autocast();
    Autocast(const Autocast&) = delete;
    Autocast& operator=(const Autocast&) = delete;

private:
    std::unique_ptr<compat::AutocastScope> m_scope;
};

// How a step's forward passes compute.
struct MixedPrecision {
    std::optional<torch::Dtype> autocast; // none: float32
    c10::DeviceType device = c10::DeviceType::CPU;
    LossScaler* scaler = nullptr; // float16 only

    // forward(x) under autocast; the logits come back in float32, where the loss is computed.
    torch::Tensor logits(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                         const torch::Tensor& x) const;
    // The loss to differentiate: scaled when there is a scaler.
    torch::Tensor scaled(const torch::Tensor& loss) const
    {
        return scaler ? scaler->scale(loss) : loss;
    }
    // Unscales the gradients of a scaled loss; true when the step may be applied.
    bool unscale(const std::vector<torch::Tensor>& grads) const
    {
        return scaler ? scaler->unscale(grads) : true;
    }
    // The same for the gradients of `params`.
    bool unscaleGradsOf(const std::vector<torch::Tensor>& params) const;
};

} // namespace wb::darts
