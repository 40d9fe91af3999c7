#include "parallel_flags.h"

#include "interrupt.h"

#include "wb/common/error.h"
#include "wb/common/sha256.h"
#include "wb/darts/search.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string_view>
#include <thread>

namespace wb::cli {
namespace {

// Set only in the ranks a launch starts: the local rank, and the rendezvous port it chose.
constexpr const char* kLocalRankEnv = "SUPERNET_LOCAL_RANK";
constexpr const char* kMasterPortEnv = "SUPERNET_MASTER_PORT";

std::vector<std::string> ownCommandLine()
{
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all(std::istreambuf_iterator<char>(in), {});
    std::vector<std::string> args;
    for (std::size_t at = 0; at < all.size();) {
        const auto end = all.find('\0', at);
        args.push_back(all.substr(at, end - at));
        at = end == std::string::npos ? all.size() : end + 1;
    }
    return args;
}

// The command line without what may differ between ranks: the program's path, the node's rank
// and its thread count.
std::string launchDigest(const std::vector<std::string>& args)
{
    Sha256 hash;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == "--node-rank" || a == "--threads") {
            ++i;
            continue;
        }
        if (a.rfind("--node-rank=", 0) == 0 || a.rfind("--threads=", 0) == 0) continue;
        hash.update(a);
        hash.update(std::string_view("\0", 1));
    }
    return hash.hexDigest();
}

int envInt(const char* name, int fallback)
{
    const char* value = std::getenv(name);
    return value && *value ? std::atoi(value) : fallback;
}

std::string describeExit(int status)
{
    if (WIFSIGNALED(status))
        return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    return "exited with code " + std::to_string(WEXITSTATUS(status));
}

} // namespace

void ParallelFlags::add(CLI::App& cmd, bool recordedShards)
{
    m_recordedShards = recordedShards;
    cmd.add_option("--nproc", m_nproc,
                   "Data-parallel search: processes on this machine, each computing batch/N of "
                   "every batch (gradients all-reduced through c10d/Gloo)")
        ->capture_default_str();
    cmd.add_option("--nnodes", m_nnodes, "Machines of a data-parallel search (each runs this "
                                         "same command with its own --node-rank)")
        ->capture_default_str();
    cmd.add_option("--node-rank", m_nodeRank, "This machine's place among --nnodes (0 records "
                                              "the run)")
        ->capture_default_str();
    cmd.add_option("--master", m_master,
                   "HOST:PORT where node 0 listens for the ranks (needed with --nnodes; default "
                   "a free loopback port)");
    cmd.add_option("--rank-timeout", m_timeout,
                   "Seconds a rank waits for the others before it declares them dead")
        ->capture_default_str();
    if (recordedShards) return;
    cmd.add_option("--shards", m_shards,
                   "Shards of every batch, each with its own BatchNorm statistics, gradients "
                   "averaged (default: the process count; more = gradient accumulation)");
    cmd.add_flag("--sync-bn", m_syncBatchNorm,
                 "BatchNorm statistics over the whole batch, all-reduced across the processes, "
                 "instead of per shard (PyTorch's SyncBatchNorm)");
}

void ParallelFlags::refuseFor(const std::string& job) const
{
    if (requested())
        throw Error("--nproc/--nnodes: " + job + " runs in one process (--shards N computes the "
                    "same shards there)");
}

void ParallelFlags::finish(darts::SearchConfig& config)
{
    m_localRank = envInt(kLocalRankEnv, 0);
    if (m_nproc < 1 || m_nnodes < 1) throw Error("--nproc and --nnodes must be >= 1");
    if (m_nodeRank < 0 || m_nodeRank >= m_nnodes)
        throw Error("--node-rank must be in [0, --nnodes) (got " + std::to_string(m_nodeRank) +
                    ")");
    if (m_timeout < 1) throw Error("--rank-timeout must be >= 1 second");
    const int world = m_nproc * m_nnodes;
    if (m_localRank == 0 && m_nproc > int(std::thread::hardware_concurrency()))
        std::cerr << "supernet: warning: --nproc " << m_nproc << " exceeds the "
                  << std::thread::hardware_concurrency()
                  << " cores of this machine; the ranks will compete for them" << std::endl;
    if (m_recordedShards && config.shards % world != 0)
        throw Error("the run was searched in " + std::to_string(config.shards) +
                    " shards per batch: --nproc x --nnodes must divide that");
    if (m_shards == 0) m_shards = std::max(config.shards, world);
    if (m_shards % world != 0)
        throw Error("--shards " + std::to_string(m_shards) + " cannot be split among " +
                    std::to_string(world) + " processes (use a multiple)");
    config.shards = m_shards;
    if (!m_recordedShards) config.syncBatchNorm = m_syncBatchNorm;
    if (world == 1) return;
    if (!darts::dataParallelAvailable())
        throw Error("--nproc/--nnodes: this build has no Gloo (install libgloo-dev and rebuild)");
    m_spec.worldSize = world;
    m_spec.rank = m_nodeRank * m_nproc + m_localRank;
    m_spec.localRank = m_localRank;
    m_spec.timeoutSeconds = m_timeout;
    if (!m_master.empty()) {
        const auto colon = m_master.rfind(':');
        const int port = colon == std::string::npos ? 0 : std::atoi(m_master.c_str() + colon + 1);
        if (colon == 0 || port < 1 || port > 65535)
            throw Error("--master: expected HOST:PORT (got '" + m_master + "')");
        m_spec.masterHost = m_master.substr(0, colon);
        m_spec.masterPort = port;
    } else if (m_nnodes > 1) {
        throw Error("--nnodes " + std::to_string(m_nnodes) + " needs --master HOST:PORT (node "
                    "0's address, the same on every node)");
    } else {
        m_spec.masterPort = envInt(kMasterPortEnv, 0);
        if (m_spec.masterPort == 0) m_spec.masterPort = darts::freeLoopbackPort();
    }
    m_spec.launchDigest = launchDigest(ownCommandLine());
    // The machine's cores are shared among its ranks unless --threads says otherwise.
    if (config.runtime.threads == 0)
        config.runtime.threads = std::max(1, int(std::thread::hardware_concurrency()) / m_nproc);
    config.runtime.group = m_spec;
}

void ParallelFlags::startLocalRanks()
{
    if (m_localRank != 0 || m_nproc == 1) return;
    const auto args = ownCommandLine();
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::cout.flush();
    std::cerr.flush();
    for (int local = 1; local < m_nproc; ++local) {
        // Everything the child needs is prepared before fork: between fork and exec only
        // async-signal-safe calls.
        std::vector<std::string> env;
        for (char** e = environ; *e; ++e)
            if (std::string_view(*e).rfind("SUPERNET_", 0) != 0) env.emplace_back(*e);
        env.push_back(std::string(kLocalRankEnv) + "=" + std::to_string(local));
        env.push_back(std::string(kMasterPortEnv) + "=" + std::to_string(m_spec.masterPort));
        std::vector<char*> envp;
        for (auto& e : env)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        const pid_t pid = ::fork();
        if (pid < 0) throw Error("--nproc: cannot start rank " + std::to_string(local));
        if (pid == 0) {
            // A rank never outlives the process that started it.
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            // Only rank 0 prints results; every rank's errors reach stderr.
            const int null = ::open("/dev/null", O_WRONLY);
            if (null >= 0) ::dup2(null, STDOUT_FILENO);
            ::execve("/proc/self/exe", argv.data(), envp.data());
            ::_exit(127);
        }
        m_children.push_back(pid);
    }
}

int ParallelFlags::waitLocalRanks()
{
    int failed = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(m_timeout);
    for (std::size_t i = 0; i < m_children.size(); ++i) {
        const pid_t pid = m_children[i];
        int status = 0;
        while (::waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
        // A cancelled rank (130, 143) stopped with the run; anything else is a failure.
        if (WIFEXITED(status) && (WEXITSTATUS(status) == 130 || WEXITSTATUS(status) == 143))
            continue;
        std::cerr << "supernet: rank " << m_spec.rank + int(i) + 1 << " (pid " << pid << ") "
                  << describeExit(status) << std::endl;
        failed = 1;
    }
    m_children.clear();
    return failed;
}

std::optional<int> ParallelFlags::runAsHelper(const darts::RuntimeConfig& local)
{
    if (!helperRank()) return std::nullopt;
    startLocalRanks();
    int code = 0;
    {
        RunControl control;
        InterruptGuard guard(control);
        darts::RunObserver silent;
        const auto result = darts::runSearchRank(m_spec, local, control, silent);
        if (result.status == RunStatus::Cancelled) code = guard.cancelledExitCode();
        if (result.status == RunStatus::Failed) {
            std::cerr << "supernet: rank " << m_spec.rank << ": " << result.error << std::endl;
            code = 1;
        }
    }
    return std::max(code, waitLocalRanks());
}

} // namespace wb::cli
