#include "wb/store/store_writer.h"

#include "wb/common/error.h"

#include <chrono>
#include <filesystem>

namespace wb::store {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s)
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

} // namespace

StoreWriter::StoreWriter(const std::string& databasePath, std::int64_t runId,
                         const Options& options)
    : StoreWriter(RunStore::open(databasePath), runId, options)
{
}

StoreWriter::StoreWriter(RunStore store, std::int64_t runId, const Options& options)
    : m_runId(runId), m_options(options), m_store(std::move(store))
{
    if (!m_store.hasRun(runId))
        throw Error("run " + std::to_string(runId) + " not found in " + m_store.path());
    m_thread = std::thread([this] { threadMain(); });
}

StoreWriter::~StoreWriter()
{
    close();
}

void StoreWriter::onDataset(const DatasetSummary& dataset)
{
    push(dataset);
}

void StoreWriter::onStep(const darts::StepMetrics& step)
{
    push(step);
}

void StoreWriter::onEpoch(const darts::EpochMetrics& epoch)
{
    push(epoch);
}

void StoreWriter::onAlphas(const darts::AlphaSnapshot& alphas)
{
    push(alphas);
}

void StoreWriter::onIssue(const Issue& issue)
{
    push(issue);
}

void StoreWriter::onCheckpoint(const darts::CheckpointInfo& checkpoint)
{
    push(checkpoint);
}

void StoreWriter::onTest(const darts::TestMetrics& test)
{
    push(test);
}

void StoreWriter::finish(RunStatus status, const std::string& error)
{
    push(Finish{status, error});
    close();
}

void StoreWriter::push(Item item)
{
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        if (m_stop) return;
        const bool isStep = std::holds_alternative<darts::StepMetrics>(item);
        m_queue.push_back(std::move(item));
        ++m_enqueued;
        if (isStep) {
            if (m_queuedSteps++ == 0) m_firstStepAt = Clock::now();
            wake = m_queuedSteps == m_options.stepBatch;
        } else {
            wake = !m_urgent;
            m_urgent = true;
        }
    }
    // Only a state change wakes the writer: a step per notify would cost a syscall each.
    if (wake) m_wake.notify_one();
}

void StoreWriter::flush()
{
    std::unique_lock lock(m_mutex);
    const auto target = m_enqueued;
    if (m_done >= target || !m_thread.joinable()) return;
    m_urgent = true;
    m_wake.notify_one();
    m_written.wait(lock, [&] { return m_done >= target; });
}

void StoreWriter::close()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable()) m_thread.join();
}

std::optional<std::string> StoreWriter::error() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

void StoreWriter::threadMain()
{
    // Nothing may escape the thread: an unexpected failure ends the writing, keeps the message
    // and releases any flush() waiting for it.
    std::string failure;
    try {
        run();
        return;
    } catch (const std::exception& e) {
        failure = e.what();
    } catch (...) {
        failure = "unknown error in the store writer";
    }
    {
        std::lock_guard lock(m_mutex);
        if (!m_error) m_error = failure;
        m_stop = true;
        m_queue.clear();
        m_queuedSteps = 0;
        m_done = m_enqueued;
    }
    m_written.notify_all();
}

void StoreWriter::run()
{
    auto nextBeat = Clock::now(); // beat at once: the run is alive from the writer's start
    for (;;) {
        std::deque<Item> batch;
        std::uint64_t upTo = 0;
        bool stopping = false;
        bool beat = false;
        {
            std::unique_lock lock(m_mutex);
            for (;;) {
                const auto now = Clock::now();
                const auto stepsDue = m_queuedSteps > 0 &&
                                      (m_queuedSteps >= m_options.stepBatch ||
                                       now >= m_firstStepAt + seconds(m_options.stepFlushSeconds));
                beat = now >= nextBeat;
                if (m_stop || m_urgent || stepsDue || beat) break;
                auto deadline = nextBeat;
                if (m_queuedSteps > 0)
                    deadline =
                        std::min(deadline, m_firstStepAt + seconds(m_options.stepFlushSeconds));
                m_wake.wait_until(lock, deadline);
            }
            batch.swap(m_queue);
            upTo = m_enqueued;
            m_queuedSteps = 0;
            m_urgent = false;
            stopping = m_stop;
        }
        if (beat) nextBeat = Clock::now() + seconds(m_options.heartbeatSeconds);
        write(batch, beat || stopping);
        {
            std::lock_guard lock(m_mutex);
            m_done = upTo;
        }
        m_written.notify_all();
        // m_stop was seen with the lock held and pushes after it are dropped: nothing is left.
        if (stopping) return;
    }
}

void StoreWriter::fail(std::deque<Item>& batch, const std::string& message)
{
    // A failed heartbeat alone loses nothing; the next one will try again.
    if (batch.empty()) return;
    {
        std::lock_guard lock(m_mutex);
        if (!m_error) m_error = message;
    }
    write(batch, false); // records a queued final status, if any
}

void StoreWriter::write(std::deque<Item>& batch, bool beat)
{
    const bool failedBefore = error().has_value();
    if (failedBefore) {
        // After a failure the metrics are dropped (the run's caller decides what to do), but a
        // final status is still worth recording so the run does not look interrupted.
        for (auto& item : batch)
            if (auto* f = std::get_if<Finish>(&item)) {
                const auto why = *error();
                try {
                    m_store.finishRun(m_runId, f->status,
                                      f->error + (f->error.empty() ? "" : "; ") +
                                          "metrics incomplete: " + why);
                } catch (...) { // the first error is the one reported
                }
            }
        return;
    }
    if (batch.empty() && !beat) return;
    std::vector<std::string> stale;
    try {
        m_store.transaction([&] {
            std::vector<darts::StepMetrics> steps;
            auto writeSteps = [&] {
                m_store.recordSteps(m_runId, steps);
                steps.clear();
            };
            for (auto& item : batch) {
                if (auto* s = std::get_if<darts::StepMetrics>(&item)) {
                    steps.push_back(*s);
                    continue;
                }
                writeSteps(); // keeps the rows in callback order
                if (auto* d = std::get_if<DatasetSummary>(&item))
                    m_store.recordDataset(m_runId, *d);
                else if (auto* e = std::get_if<darts::EpochMetrics>(&item))
                    m_store.recordEpoch(m_runId, *e);
                else if (auto* a = std::get_if<darts::AlphaSnapshot>(&item))
                    m_store.recordAlphas(m_runId, *a);
                else if (auto* i = std::get_if<Issue>(&item))
                    m_store.recordIssue(m_runId, *i);
                else if (auto* c = std::get_if<darts::CheckpointInfo>(&item)) {
                    auto old = m_store.recordCheckpoint(m_runId, *c);
                    stale.insert(stale.end(), old.begin(), old.end());
                } else if (auto* t = std::get_if<darts::TestMetrics>(&item))
                    m_store.recordTest(m_runId, *t);
                else if (auto* f = std::get_if<Finish>(&item))
                    m_store.finishRun(m_runId, f->status, f->error);
            }
            writeSteps();
            // After finishRun this matches no row (status is no longer running): harmless.
            if (beat) m_store.heartbeat(m_runId);
        });
    } catch (const std::exception& e) {
        fail(batch, e.what());
        return;
    } catch (...) {
        fail(batch, "unknown error while writing to " + m_store.path());
        return;
    }
    if (m_options.removeStaleCheckpoints) {
        // Only after the commit: a crash before it still references the old files.
        std::error_code ec;
        for (const auto& path : stale)
            std::filesystem::remove(path, ec);
    }
}

} // namespace wb::store
