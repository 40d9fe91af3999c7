#include "darts/mixed_precision.h"

#include "torch_compat.h"

#include "wb/common/error.h"

namespace wb::darts {

std::optional<torch::Dtype> ampDtype(const std::string& amp)
{
    if (amp == "off") return std::nullopt;
    if (amp == "bf16") return torch::kBFloat16;
    if (amp == "fp16") return torch::kFloat16;
    throw Error("amp: must be off, bf16 or fp16 (got '" + amp + "')");
}

LossScaler::LossScaler(double initial, int interval) : m_scale(initial), m_interval(interval) {}

bool LossScaler::unscale(const std::vector<torch::Tensor>& grads)
{
    std::vector<torch::Tensor> finite;
    {
        torch::NoGradGuard noGrad;
        for (const auto& g : grads) {
            if (!g.defined()) continue;
            g.mul_(1.0 / m_scale);
            finite.push_back(torch::isfinite(g).all());
        }
    }
    const bool ok = finite.empty() || torch::stack(finite).all().item<bool>();
    if (!ok) {
        m_scale *= 0.5;
        m_good = 0;
    } else if (++m_good == m_interval) {
        m_scale *= 2;
        m_good = 0;
    }
    return ok;
}

Autocast::Autocast(const MixedPrecision& precision)
{
    if (precision.autocast)
        m_scope = std::make_unique<compat::AutocastScope>(precision.device, *precision.autocast);
}

Autocast::~Autocast() = default;

torch::Tensor
MixedPrecision::logits(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                       const torch::Tensor& x) const
{
    torch::Tensor out;
    {
        Autocast scope(*this);
        out = forward(x);
    }
    return out.to(torch::kFloat32);
}

bool MixedPrecision::unscaleGradsOf(const std::vector<torch::Tensor>& params) const
{
    if (!scaler) return true;
    std::vector<torch::Tensor> grads;
    for (const auto& p : params)
        grads.push_back(p.grad());
    return scaler->unscale(grads);
}

} // namespace wb::darts
