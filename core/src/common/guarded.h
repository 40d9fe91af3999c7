#pragma once

#include "wb/common/error.h"

#include <torch/torch.h>

#include <optional>
#include <string>

namespace wb {

// Runs a job body at a core entry point and turns any exception into its message, so expected
// failures (wb::Error) and library errors (c10::Error) end as a failed result, never a crash.
template <typename Body> std::optional<std::string> runGuarded(Body&& body)
{
    try {
        body();
        return std::nullopt;
    } catch (const c10::Error& e) {
        return std::string("LibTorch: ") + e.what_without_backtrace();
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
}

} // namespace wb
