#pragma once

// The job queue of a workspace (schema 5): commands recorded with --queue run later in any
// `supernet worker` that shares the workspace. Claims take the workspace's write lock (SQLite:
// BEGIN IMMEDIATE; PostgreSQL: the advisory write lock), so two workers can never both win a
// job. A claim bumps the job's attempt; the pair (job id, attempt) is the fence every write of
// the claiming worker carries, so a worker whose lease was taken over changes nothing more.

#include "wb/common/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wb::store {

enum class JobState { Queued, Running, Done, Failed, Cancelled };
std::string jobStateName(JobState state);
JobState parseJobState(const std::string& name); // throws wb::Error for an unknown name

struct NewJob {
    std::string kind; // search | train | pretrain | transfer | experiment-cell
    std::string spec; // the kind's JSON
    std::string device = "cpu";
    std::vector<std::int64_t> waitFor; // jobs that must be done first
    int maxAttempts = 3;
    std::optional<std::int64_t> experimentId;
};

struct JobRecord {
    std::int64_t id = 0;
    std::string kind;
    std::string spec;
    std::string device;
    JobState state = JobState::Queued;
    std::vector<std::int64_t> waitFor;
    std::int64_t attempt = 0; // claims so far
    int failures = 0;
    int maxAttempts = 3;
    std::string worker; // who holds it, or ran it last (finished); empty while queued
    std::optional<double> leaseUntil;
    std::optional<std::int64_t> runId; // the run a previous attempt created (resumed by the next)
    std::optional<std::int64_t> experimentId;
    std::optional<double> progress;  // 0..1, as the worker last reported
    std::vector<std::string> errors; // one per failed attempt, oldest first
    double createdAt = 0;
    std::optional<double> startedAt;
    std::optional<double> finishedAt;
};

// The token of one claimed attempt.
struct JobFence {
    std::int64_t jobId = 0;
    std::int64_t attempt = 0;
};

// Thrown by a write whose fence is no longer the job's running attempt (taken over after a lease
// expiry, cancelled).
class FencedOut : public Error {
public:
    using Error::Error;
};

// Stores opened in this process while a fence is set check it at the start of every write
// transaction (a worker runs one job at a time). Empty: no check.
void setProcessJobFence(std::optional<JobFence> fence);
std::optional<JobFence> processJobFence();

struct WorkerRecord {
    std::string name;
    std::string host;
    std::int64_t pid = 0;
    std::string device;
    std::string state; // idle | running | stopped
    std::optional<std::int64_t> jobId;
    double startedAt = 0;
    double heartbeatAt = 0;
};

} // namespace wb::store
