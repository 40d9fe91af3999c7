#include "darts/kernel_choice.h"

#include "torch_compat.h"

#include <atomic>

namespace wb::darts {
namespace {

std::atomic<KernelChoice> g_choice{KernelChoice::Fastest};

} // namespace

KernelChoiceScope::KernelChoiceScope(KernelChoice choice) : m_previous(g_choice.exchange(choice))
{
}

KernelChoiceScope::~KernelChoiceScope()
{
    g_choice = m_previous;
}

bool oursTake(const torch::Tensor& t)
{
    return t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_contiguous() &&
           !compat::autocastEnabled(c10::DeviceType::CPU);
}

bool useOurs(bool oursFaster)
{
    switch (g_choice.load()) {
    case KernelChoice::Ours:
        return true;
    case KernelChoice::Aten:
        return false;
    case KernelChoice::Fastest:
        break;
    }
    return oursFaster;
}

} // namespace wb::darts
