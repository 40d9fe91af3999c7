// `supernet bench queue`: what the job queue costs on a workspace - claim + finish per job with
// several workers claiming at once, and step-metric writes per second.

#include "commands.h"
#include "store_flags.h"

#include "wb/common/sha256.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>

namespace wb::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

double quantile(std::vector<double> v, double q)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(q * double(v.size())))];
}

} // namespace

void addQueueBench(CLI::App& bench, int& exitCode)
{
    struct Options {
        StoreFlags store;
        int workers = 2;
        int jobs = 200;
        int steps = 10000;
        double checkpointMb = 6.8; // the default search's (C=8, 5 cells, 4 nodes) checkpoint
    };
    auto o = std::make_shared<Options>();
    auto* cmd = bench.add_subcommand(
        "queue",
        "Claim + finish time per job with several workers claiming at once, and step "
        "metrics written per second (use a scratch workspace: it gains the jobs and a run)");
    o->store.add(*cmd, false);
    cmd->add_option("--workers", o->workers, "Claiming threads, one connection each")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    cmd->add_option("--jobs", o->jobs, "Jobs queued and claimed")->capture_default_str();
    cmd->add_option("--steps", o->steps, "Step metrics written")->capture_default_str();
    cmd->add_option("--checkpoint-mb", o->checkpointMb,
                    "Size of the checkpoint stored and fetched (PostgreSQL keeps them in the "
                    "database)")
        ->capture_default_str();
    cmd->callback([o, &exitCode] {
        const auto db = o->store.path();
        {
            auto store = store::RunStore::open(db);
            store::NewJob job{"bench", "{}", "cpu", {}, 1, std::nullopt};
            for (int i = 0; i < o->jobs; ++i)
                store.enqueueJob(job);
        }
        std::mutex mutex;
        std::vector<double> latencies;
        const auto start = Clock::now();
        std::vector<std::thread> threads;
        for (int w = 0; w < o->workers; ++w)
            threads.emplace_back([&, w] {
                auto store = store::RunStore::open(db);
                std::vector<double> mine;
                for (;;) {
                    const auto t0 = Clock::now();
                    const auto job = store.claimJob("bench-" + std::to_string(w), {"cpu"}, 60);
                    if (!job) break;
                    store.finishJob({job->id, job->attempt}, true);
                    mine.push_back(ms(Clock::now() - t0));
                }
                std::lock_guard lock(mutex);
                latencies.insert(latencies.end(), mine.begin(), mine.end());
            });
        for (auto& t : threads)
            t.join();
        const double wall = ms(Clock::now() - start);

        auto store = store::RunStore::open(db);
        const auto run = store.createRun({"bench", "{}", 0, "-", WB_VERSION, "", "", ""});
        std::vector<darts::StepMetrics> batch;
        const auto t0 = Clock::now();
        for (int s = 0; s < o->steps; ++s) {
            batch.push_back({1, s + 1, o->steps, 0.5, 0.5, 0.5, 0.01, 0.1});
            if (batch.size() == 50) { // StoreWriter's batch
                store.recordSteps(run, batch);
                batch.clear();
            }
        }
        store.recordSteps(run, batch);
        const double stepSeconds = ms(Clock::now() - t0) / 1000;

        // A checkpoint of the given size: stored with its run (in the database on PostgreSQL),
        // then fetched back as a machine without the file would.
        const auto file = (std::filesystem::path(store.runDirectory(run)) / "bench.pt").string();
        std::filesystem::create_directories(std::filesystem::path(file).parent_path());
        {
            std::ofstream out(file, std::ios::binary);
            std::string block(1 << 20, '\0');
            for (std::size_t i = 0; i < block.size(); ++i)
                block[i] = char(i * 131 + 7);
            for (double left = o->checkpointMb * (1 << 20); left > 0; left -= double(block.size()))
                out.write(block.data(), std::streamsize(std::min(left, double(block.size()))));
        }
        const auto t1 = Clock::now();
        store.recordCheckpoint(run, {1, file, fileSha256(file), 0.5, true});
        const double storeMs = ms(Clock::now() - t1);
        std::filesystem::remove(file);
        const auto t2 = Clock::now();
        const auto fetched = store.localRunFile(run, file);
        const double fetchMs = ms(Clock::now() - t2);

        std::printf("bench queue on %s (%s)\n", store::redactedWorkspace(db).c_str(),
                    store.onServer() ? "PostgreSQL" : "SQLite");
        std::printf("  claim + finish: %zu jobs, %d workers: mean %.2f ms, median %.2f ms, "
                    "p95 %.2f ms per job; %.0f jobs/s overall\n",
                    latencies.size(), o->workers,
                    latencies.empty() ? 0.0
                                      : std::accumulate(latencies.begin(), latencies.end(), 0.0) /
                                            double(latencies.size()),
                    quantile(latencies, 0.5), quantile(latencies, 0.95),
                    1000.0 * double(latencies.size()) / wall);
        std::printf("  step metrics: %d in %.2f s: %.0f steps/s (batches of 50)\n", o->steps,
                    stepSeconds, o->steps / std::max(stepSeconds, 1e-9));
        if (store.onServer())
            std::printf("  checkpoint of %.1f MB: recorded with its copy in %.0f ms, fetched by a "
                        "machine without the file in %.0f ms\n",
                        o->checkpointMb, storeMs, fetchMs);
        else
            std::printf("  checkpoint of %.1f MB: recorded in %.1f ms (the file stays a file)\n",
                        o->checkpointMb, storeMs);
        exitCode =
            latencies.size() == std::size_t(o->jobs) && (!store.onServer() || !fetched.empty()) ? 0
                                                                                                : 1;
    });
}

} // namespace wb::cli
