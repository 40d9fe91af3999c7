#include "darts/op_profile.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <map>

namespace wb::darts {
namespace {

namespace prof = torch::autograd::profiler;

struct OpenRange {
    const prof::LegacyEvent* push;
    double childUs = 0;
};

// "name [3, 4, 28, 28] [4, 1, 5, 5]": the shapes of the tensor inputs (others are left out).
std::string withShapes(const prof::LegacyEvent& e)
{
    std::string out = e.name();
    for (const auto& shape : e.shapes()) {
        if (shape.empty()) continue;
        out += " [";
        for (std::size_t i = 0; i < shape.size(); ++i)
            out += (i ? ", " : "") + std::to_string(shape[i]);
        out += "]";
    }
    return out;
}

} // namespace

OpProfile::OpProfile(bool shapes) : m_shapes(shapes)
{
    prof::enableProfilerLegacy(
        torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU, shapes));
}

OpProfile::~OpProfile()
{
    if (m_open) prof::disableProfilerLegacy();
}

std::vector<OpTime> OpProfile::finish(int iterations)
{
    m_open = false;
    const auto lists = prof::disableProfilerLegacy();
    std::map<std::string, OpTime> byName;
    for (const auto& events : lists) {
        // The ranges of one thread nest: a stack pairs each pop with its push.
        std::vector<OpenRange> open;
        for (const auto& e : events) {
            if (e.kind() == prof::EventKind::PushRange) {
                open.push_back({&e});
            } else if (e.kind() == prof::EventKind::PopRange) {
                if (open.empty() || open.back().push->handle() != e.handle()) continue;
                const auto range = open.back();
                open.pop_back();
                const double us = range.push->cpuElapsedUs(e);
                const auto key = m_shapes ? withShapes(*range.push) : range.push->name();
                auto& op = byName[key];
                op.name = key;
                op.selfSeconds += (us - range.childUs) * 1e-6;
                op.calls += 1;
                if (!open.empty()) open.back().childUs += us;
            }
        }
    }
    std::vector<OpTime> ops;
    for (auto& [name, op] : byName) {
        op.selfSeconds /= iterations;
        op.calls /= iterations;
        ops.push_back(op);
    }
    std::sort(ops.begin(), ops.end(),
              [](const OpTime& a, const OpTime& b) { return a.selfSeconds > b.selfSeconds; });
    return ops;
}

} // namespace wb::darts
