#pragma once

// Where the LibTorch APIs we use differ between Debian's 1.13 and the 2.x releases, in one place.
// Everything else in core/src compiles unchanged against both, by sticking to what both have:
// e.g. ATen's torch::linalg_eigh/linalg_qr rather than the torch::linalg namespace, which
// LibTorch 2.11 no longer ships.

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace wb::compat {

// The key of `param` in an optimizer's per-parameter state: its TensorImpl's address, formatted
// as a string in 1.13 and the plain pointer in 2.x.
template <class Optimizer>
auto optimizerStateKey(const Optimizer& optimizer, const torch::Tensor& param)
{
    using Key = typename std::decay_t<decltype(optimizer.state())>::key_type;
    void* impl = param.unsafeGetTensorImpl();
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream text;
        text << impl;
        return text.str();
    } else {
        return static_cast<Key>(impl);
    }
}

// Whether autocast is on for `device`'s ops (1.13: one switch per device kind).
inline bool autocastEnabled(c10::DeviceType device)
{
#if TORCH_VERSION_MAJOR >= 2
    return at::autocast::is_autocast_enabled(device);
#else
    return device == c10::DeviceType::CUDA ? at::autocast::is_enabled()
                                           : at::autocast::is_cpu_enabled();
#endif
}

// Autocast of `device`'s ops to `dtype` while alive; the previous state comes back after. 1.13
// has one switch per device kind, 2.x one function taking the device type.
class AutocastScope {
public:
    AutocastScope(c10::DeviceType device, at::ScalarType dtype) : m_device(device)
    {
        m_wasEnabled = autocastEnabled(device);
        m_oldDtype = lowPrecision();
        set(true, dtype);
        at::autocast::increment_nesting();
    }
    ~AutocastScope()
    {
        // Casts of the weights are cached for the outermost scope only (as torch.autocast does).
        if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
        set(m_wasEnabled, m_oldDtype);
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
#if TORCH_VERSION_MAJOR >= 2
    at::ScalarType lowPrecision() const
    {
        return at::autocast::get_autocast_dtype(m_device);
    }
    void set(bool on, at::ScalarType dtype) const
    {
        at::autocast::set_autocast_enabled(m_device, on);
        at::autocast::set_autocast_dtype(m_device, dtype);
    }
#else
    bool isCuda() const
    {
        return m_device == c10::DeviceType::CUDA;
    }
    at::ScalarType lowPrecision() const
    {
        return isCuda() ? at::autocast::get_autocast_gpu_dtype()
                        : at::autocast::get_autocast_cpu_dtype();
    }
    void set(bool on, at::ScalarType dtype) const
    {
        if (isCuda()) {
            at::autocast::set_enabled(on);
            at::autocast::set_autocast_gpu_dtype(dtype);
        } else {
            at::autocast::set_cpu_enabled(on);
            at::autocast::set_autocast_cpu_dtype(dtype);
        }
    }
#endif
    c10::DeviceType m_device;
    bool m_wasEnabled = false;
    at::ScalarType m_oldDtype = at::kFloat;
};

} // namespace wb::compat
