#include "interrupt.h"

#include <csignal>

namespace wb::cli {
namespace {

RunControl* g_control = nullptr;

extern "C" void onInterrupt(int)
{
    if (g_control) g_control->requestStopFromSignal();
    std::signal(SIGINT, SIG_DFL);
}

} // namespace

InterruptGuard::InterruptGuard(RunControl& control)
{
    g_control = &control;
    std::signal(SIGINT, onInterrupt);
}

InterruptGuard::~InterruptGuard()
{
    std::signal(SIGINT, SIG_DFL);
    g_control = nullptr;
}

} // namespace wb::cli
