#include "interrupt.h"

#include <csignal>

namespace wb::cli {
namespace {

RunControl* g_control = nullptr;
volatile std::sig_atomic_t g_signal = 0;

extern "C" void onInterrupt(int signal)
{
    g_signal = signal;
    if (g_control) g_control->requestStopFromSignal();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

} // namespace

InterruptGuard::InterruptGuard(RunControl& control)
{
    g_control = &control;
    g_signal = 0;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

InterruptGuard::~InterruptGuard()
{
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    g_control = nullptr;
}

int InterruptGuard::cancelledExitCode() const
{
    return 128 + (g_signal ? int(g_signal) : SIGINT);
}

} // namespace wb::cli
