#pragma once

#include "wb/darts/observer.h"

#include <chrono>
#include <cstdio>

namespace wb::cli {

// Progress on stderr: a redrawn bar with ETA on a terminal, one line per epoch otherwise.
// Runs on the job's thread (the CLI has only one).
class ProgressPrinter : public darts::RunObserver {
public:
    ProgressPrinter(int epochs, bool quietSteps = false);
    void onStep(const darts::StepMetrics& m) override;
    void onEpoch(const darts::EpochMetrics& m) override;
    void onIssue(const Issue& issue) override;
    void onCheckpoint(const darts::CheckpointInfo& c) override;

private:
    void endBarLine();
    int m_epochs;
    bool m_tty;
    bool m_barShown = false;
    long m_stepsDone = 0;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace wb::cli
