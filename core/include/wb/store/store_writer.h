#pragma once

#include "wb/darts/observer.h"
#include "wb/store/run_store.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

namespace wb::store {

// Persists one run's observer callbacks without making the run wait on the disk.
// Thread contract: the callbacks, finish(), flush() and close() are called from the job's
// thread (one thread at a time); each copies its value into a mutex-guarded queue and returns.
// A writer thread owned by this object, with its own RunStore connection, drains the queue in
// batches (one transaction each: steps are batched, everything else is written promptly) and
// beats the run's heartbeat. A write error (disk full, locked database) is never thrown into the
// job's thread: the first one is kept for error() (any thread), and later metrics are dropped.
// The destructor closes (flushes and joins).
class StoreWriter : public darts::RunObserver {
public:
    struct Options {
        double stepFlushSeconds = 1.0; // queued steps are written at least this often (s)
        std::size_t stepBatch = 512;   // ...or as soon as this many are queued
        double heartbeatSeconds = 5;   // heartbeat period (s); well under the stale limit (120 s)
        bool removeStaleCheckpoints = true; // delete checkpoint files no row references any more
    };

    // Opens its own connection to `databasePath`; throws wb::Error here, on the caller's
    // thread, if the database cannot be opened or the run does not exist.
    StoreWriter(const std::string& databasePath, std::int64_t runId, const Options& options);
    StoreWriter(const std::string& databasePath, std::int64_t runId)
        : StoreWriter(databasePath, runId, Options{})
    {
    }
    // Takes over an open connection (which only the writer thread uses from now on).
    StoreWriter(RunStore store, std::int64_t runId, const Options& options);
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;
    ~StoreWriter() override;

    void onDataset(const DatasetSummary& dataset) override;
    void onStep(const darts::StepMetrics& step) override;
    void onEpoch(const darts::EpochMetrics& epoch) override;
    void onAlphas(const darts::AlphaSnapshot& alphas) override;
    void onIssue(const Issue& issue) override;
    void onCheckpoint(const darts::CheckpointInfo& checkpoint) override;
    void onTest(const darts::TestMetrics& test) override;

    // Queues the run's final status behind everything queued so far, then close()s. After a
    // write error the status is still written (best effort) with the error appended.
    void finish(RunStatus status, const std::string& error = {});
    // Blocks until everything queued so far is written (or failed).
    void flush();
    // Flushes, stops the writer thread and joins it; idempotent. Later callbacks are dropped.
    void close();

    std::optional<std::string> error() const;
    std::int64_t runId() const { return m_runId; }

private:
    struct Finish {
        RunStatus status;
        std::string error;
    };
    using Item = std::variant<DatasetSummary, darts::StepMetrics, darts::EpochMetrics,
                              darts::AlphaSnapshot, Issue, darts::CheckpointInfo, darts::TestMetrics,
                              Finish>;

    void push(Item item);
    void threadMain();
    void run();
    void write(std::deque<Item>& batch, bool beat);
    void fail(std::deque<Item>& batch, const std::string& message);

    const std::int64_t m_runId;
    const Options m_options;
    RunStore m_store; // writer thread only, once it has started

    mutable std::mutex m_mutex;        // guards everything below
    std::condition_variable m_wake;    // writer thread: work or stop
    std::condition_variable m_written; // flush(): a batch is done
    std::deque<Item> m_queue;
    std::size_t m_queuedSteps = 0;
    std::chrono::steady_clock::time_point m_firstStepAt;
    bool m_urgent = false; // something other than steps is queued, or a flush is waiting
    bool m_stop = false;
    std::uint64_t m_enqueued = 0; // items queued so far
    std::uint64_t m_done = 0;     // items written (or dropped after an error) so far
    std::optional<std::string> m_error;
    std::thread m_thread; // started last, after every member above exists
};

} // namespace wb::store
