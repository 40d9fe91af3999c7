#include "progress_printer.h"

#include <unistd.h>

#include <string>

namespace wb::cli {
namespace {

std::string duration(double seconds)
{
    const long s = long(seconds + 0.5);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
    return text;
}

} // namespace

ProgressPrinter::ProgressPrinter(int epochs, bool quietSteps)
    : m_epochs(epochs), m_tty(!quietSteps && isatty(STDERR_FILENO)),
      m_start(std::chrono::steady_clock::now())
{
}

void ProgressPrinter::onStep(const darts::StepMetrics& m)
{
    ++m_stepsDone;
    if (!m_tty) return;
    const long total = long(m_epochs) * m.stepsPerEpoch;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    const double eta = elapsed / double(m_stepsDone) * double(total - m_stepsDone);
    const int width = 24;
    const int filled = int(width * double(m_stepsDone) / double(total));
    std::fprintf(stderr, "\r[%s%s] epoch %d/%d step %d/%d loss %.3f acc %.3f ETA %s   ",
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 m.epoch, m_epochs, m.step, m.stepsPerEpoch, m.trainLoss, m.trainAcc,
                 duration(eta).c_str());
    std::fflush(stderr);
    m_barShown = true;
}

void ProgressPrinter::onEpoch(const darts::EpochMetrics& m)
{
    endBarLine();
    std::fprintf(stderr,
                 "epoch %d/%d  train loss %.4f acc %.4f  val loss %.4f acc %.4f  lr %.5f  %.1fs\n",
                 m.epoch, m_epochs, m.trainLoss, m.trainAcc, m.valLoss, m.valAcc, m.lr, m.seconds);
}

void ProgressPrinter::onIssue(const Issue& issue)
{
    endBarLine();
    const char* level = issue.severity == Severity::Error     ? "error"
                        : issue.severity == Severity::Warning ? "warning"
                                                              : "info";
    std::fprintf(stderr, "%s: %s [%s]\n", level, issue.message.c_str(), issue.code.c_str());
}

void ProgressPrinter::onCheckpoint(const darts::CheckpointInfo& c)
{
    endBarLine();
    std::fprintf(stderr, "checkpoint %s (%.1f MB, written in %.2f s)%s\n", c.path.c_str(),
                 double(c.bytes) / 1e6, c.seconds, c.best ? ", best so far" : "");
}

void ProgressPrinter::endBarLine()
{
    if (m_barShown) std::fputc('\n', stderr);
    m_barShown = false;
}

} // namespace wb::cli
