#pragma once

// Where the LibTorch APIs we use differ between Debian's 1.13 and the 2.x releases, in one place.
// Everything else in core/src compiles unchanged against both, by sticking to what both have:
// e.g. ATen's torch::linalg_eigh/linalg_qr rather than the torch::linalg namespace, which
// LibTorch 2.11 no longer ships.

#include <torch/torch.h>

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

} // namespace wb::compat
