// The job queue on both backends: claims in order and by device, waits, one winner per job,
// lease expiry counted as a failed attempt (then failed with every error kept), cancel, retry,
// give-back, and the fence: once a job is taken over, the old attempt writes nothing.

#include "store_fixtures.h"

#include "wb/store/run_store.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <set>
#include <thread>

using namespace wb::store;

namespace {

NewJob job(const std::string& device = "cpu", std::vector<std::int64_t> after = {})
{
    NewJob j;
    j.kind = "search";
    j.spec = R"({"config": {}})";
    j.device = device;
    j.waitFor = std::move(after);
    j.maxAttempts = 2;
    return j;
}

// Clears the process fence whatever the test does.
struct FenceGuard {
    explicit FenceGuard(JobFence f) { setProcessJobFence(f); }
    ~FenceGuard() { setProcessJobFence(std::nullopt); }
};

} // namespace

class TestJobQueue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { WB_REQUIRE_TEST_BACKEND(); }

    void claimsInOrderByDeviceAfterWaits()
    {
        QTemporaryDir dir;
        auto db = RunStore::open(fixtures::dbPath(dir));
        const auto a = db.enqueueJob(job());
        const auto gpu = db.enqueueJob(job("cuda"));
        const auto b = db.enqueueJob(job("cpu", {a}));
        QVERIFY_THROWS_EXCEPTION(wb::Error, db.enqueueJob(job("cpu", {999})));

        auto first = db.claimJob("w1", {"cpu"}, 60);
        QVERIFY(first);
        QCOMPARE(first->id, a);
        QCOMPARE(first->attempt, std::int64_t(1));
        QVERIFY(first->state == JobState::Running);
        // b waits for a; the GPU job is not for a CPU worker.
        QVERIFY(!db.claimJob("w2", {"cpu"}, 60));
        QCOMPARE(db.claimJob("w3", {"cuda"}, 60)->id, gpu);
        QVERIFY(db.finishJob({a, 1}, true) == JobState::Done);
        QCOMPARE(db.claimJob("w2", {"cpu"}, 60)->id, b);
        QCOMPARE(db.job(a).progress.value_or(0), 1.0);
        QCOMPARE(db.job(b).worker, std::string("w2"));
    }

    // A claim reads the queue a page (64 jobs) at a time: a claimable job behind two pages of
    // jobs for another device, or waiting on an unfinished one, is still found.
    void claimsBeyondTheFirstPages()
    {
        QTemporaryDir dir;
        auto db = RunStore::open(fixtures::dbPath(dir));
        const auto blocker = db.enqueueJob(job("cuda"));
        for (int i = 0; i < 70; ++i)
            db.enqueueJob(job("cuda"));
        for (int i = 0; i < 70; ++i)
            db.enqueueJob(job("cpu", {blocker}));
        const auto ready = db.enqueueJob(job());
        QCOMPARE(db.claimJob("w", {"cpu"}, 60)->id, ready);
        QVERIFY(!db.claimJob("w", {"cpu"}, 60));
        QCOMPARE(db.claimJob("g", {"cuda"}, 60)->id, blocker);
    }

    void concurrentClaimsHaveOneWinnerEach()
    {
        QTemporaryDir dir;
        const auto path = fixtures::dbPath(dir);
        {
            auto db = RunStore::open(path);
            for (int i = 0; i < 12; ++i)
                db.enqueueJob(job());
        }
        std::vector<std::vector<std::int64_t>> won(3);
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t)
            threads.emplace_back([&, t] {
                auto db = RunStore::open(path);
                while (auto j = db.claimJob("w" + std::to_string(t), {"cpu"}, 60))
                    won[std::size_t(t)].push_back(j->id);
            });
        for (auto& t : threads)
            t.join();
        std::multiset<std::int64_t> all;
        for (const auto& w : won)
            all.insert(w.begin(), w.end());
        QCOMPARE(int(all.size()), 12);
        QCOMPARE(int(std::set<std::int64_t>(all.begin(), all.end()).size()), 12);
    }

    void expiredLeasesCountAsFailuresAndKeepEveryError()
    {
        QTemporaryDir dir;
        auto db = RunStore::open(fixtures::dbPath(dir));
        const auto id = db.enqueueJob(job()); // max 2 attempts
        QVERIFY(db.claimJob("dead-1", {"cpu"}, 0.05));
        QTest::qWait(120);
        auto again = db.claimJob("w2", {"cpu"}, 0.05); // the lease ran out: back, then claimed
        QVERIFY(again);
        QCOMPARE(again->attempt, std::int64_t(2));
        QCOMPARE(again->failures, 1);
        QCOMPARE(int(again->errors.size()), 1);
        QVERIFY(again->errors[0].find("dead-1 stopped heartbeating") != std::string::npos);
        QTest::qWait(120);
        QVERIFY(!db.claimJob("w3", {"cpu"}, 60)); // second expiry: out of attempts
        const auto failed = db.job(id);
        QVERIFY(failed.state == JobState::Failed);
        QCOMPARE(failed.failures, 2);
        QCOMPARE(int(failed.errors.size()), 2);
        QVERIFY(failed.finishedAt);

        // Retry: a fresh budget, the errors kept; a failing attempt queues it again.
        db.retryJob(id);
        auto retried = db.claimJob("w4", {"cpu"}, 60);
        QCOMPARE(retried->failures, 0);
        QCOMPARE(int(retried->errors.size()), 2);
        QVERIFY(db.finishJob({id, retried->attempt}, false, "boom") == JobState::Queued);
        auto last = db.claimJob("w4", {"cpu"}, 60);
        QVERIFY(db.finishJob({id, last->attempt}, false, "boom again") == JobState::Failed);
        QCOMPARE(int(db.job(id).errors.size()), 4);
        QVERIFY_THROWS_EXCEPTION(wb::Error, db.cancelJob(id)); // failed: nothing to cancel
    }

    // Workers run a queued experiment's cells, not the experiment: its status follows its jobs.
    void queuedExperimentSettlesWithItsLastCell()
    {
        QTemporaryDir dir;
        auto db = RunStore::open(fixtures::dbPath(dir));
        const auto status = [&](std::int64_t e) {
            for (const auto& x : db.experiments())
                if (x.id == e) return x.status;
            return std::string("?");
        };
        const auto cell = [&](std::int64_t e) {
            auto j = job();
            j.kind = "experiment-cell";
            j.experimentId = e;
            j.maxAttempts = 1;
            return db.enqueueJob(j);
        };
        const auto e = db.createExperiment("{}", "/out");
        const auto a = cell(e);
        const auto b = cell(e);
        const auto other = db.enqueueJob(job()); // not a cell: never settles anything
        QVERIFY(db.finishJob({a, db.claimJob("w", {"cpu"}, 60)->attempt}, true) == JobState::Done);
        QCOMPARE(status(e), std::string("running")); // b is still queued
        db.cancelJob(b);
        QCOMPARE(status(e), std::string("done"));
        db.retryJob(b);
        QCOMPARE(status(e), std::string("running"));
        QVERIFY(db.finishJob({b, db.claimJob("w", {"cpu"}, 60)->attempt}, false, "x") ==
                JobState::Failed);
        QCOMPARE(status(e), std::string("done")); // one cell done, one failed
        db.cancelJob(other);

        // Every cell failed, or every cell cancelled.
        const auto f = db.createExperiment("{}", "/out");
        const auto c = cell(f);
        QVERIFY(db.finishJob({c, db.claimJob("w", {"cpu"}, 60)->attempt}, false, "y") ==
                JobState::Failed);
        QCOMPARE(status(f), std::string("failed"));
        const auto g = db.createExperiment("{}", "/out");
        db.cancelJob(cell(g));
        QCOMPARE(status(g), std::string("cancelled"));
    }

    void cancelReleaseAndTheFence()
    {
        QTemporaryDir dir;
        const auto path = fixtures::dbPath(dir);
        auto db = RunStore::open(path);
        const auto id = db.enqueueJob(job());
        const auto run = db.createRun(fixtures::sampleRun());

        auto mine = db.claimJob("w1", {"cpu"}, 60);
        const JobFence fence{id, mine->attempt};
        QVERIFY(db.renewJobLease(fence, 60, 0.5));
        db.setJobRun(fence, run);
        QCOMPARE(*db.job(id).runId, run);
        db.releaseJob(fence, "stopped by SIGTERM"); // back to the queue, no failure counted
        auto again = db.claimJob("w2", {"cpu"}, 60);
        QCOMPARE(again->failures, 0);
        QCOMPARE(again->attempt, std::int64_t(2));
        QCOMPARE(*again->runId, run); // the next attempt resumes the same run

        // The first attempt is fenced out: its lease, its finish and any write it tries.
        QVERIFY(!db.renewJobLease(fence, 60));
        QVERIFY_THROWS_EXCEPTION(FencedOut, db.finishJob(fence, true));
        {
            FenceGuard stale(fence);
            auto writer = RunStore::open(path);
            QVERIFY_THROWS_EXCEPTION(FencedOut, writer.recordEpoch(run, fixtures::sampleEpoch(1)));
        }
        QVERIFY(db.epochs(run).empty());
        {
            FenceGuard current({id, again->attempt});
            auto writer = RunStore::open(path);
            writer.recordEpoch(run, fixtures::sampleEpoch(1));
        }
        QCOMPARE(int(db.epochs(run).size()), 1);

        // Cancelling a running job fences its worker out at the next renewal.
        db.cancelJob(id);
        QVERIFY(db.job(id).state == JobState::Cancelled);
        QVERIFY(!db.renewJobLease({id, again->attempt}, 60));
        db.retryJob(id);
        QVERIFY(db.job(id).state == JobState::Queued);

        db.recordWorker({"w1", "host", 42, "cpu", "running", id, 1.0, 2.0});
        db.recordWorker({"w1", "host", 42, "cpu", "idle", std::nullopt, 1.0, 3.0});
        const auto workers = db.workers();
        QCOMPARE(int(workers.size()), 1);
        QCOMPARE(workers[0].state, std::string("idle"));
        QCOMPARE(workers[0].heartbeatAt, 3.0);
    }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#include "test_job_queue.moc"
