// The process group of a data-parallel search on c10d: rendezvous through rank 0's TCPStore,
// collectives through Gloo (CPU tensors).

#include "darts/rank_group.h"

#include "wb/common/error.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>

namespace wb::darts {
namespace {

// c10d reports through exceptions whose text names its own source files; say what was going on.
template <typename Fn>
auto reported(const ProcessGroupSpec& spec, const std::string& during, Fn&& fn,
              const std::string& likely = "")
{
    const auto fail = [&](const char* what) {
        const auto seconds = std::to_string(spec.timeoutSeconds);
        return Error("data-parallel search, rank " + std::to_string(spec.rank) + " of " +
                     std::to_string(spec.worldSize) + ": " + during + " failed (" +
                     (likely.empty() ? "another rank died, or did not answer within " + seconds +
                                           " s"
                                     : likely) +
                     "): " + what);
    };
    try {
        return fn();
    } catch (const c10::Error& e) {
        throw fail(e.what_without_backtrace());
    } catch (const std::exception& e) {
        throw fail(e.what());
    }
}

bool loopback(const std::string& host)
{
    return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

class GlooGroup final : public RankGroup {
public:
    explicit GlooGroup(const ProcessGroupSpec& spec) : m_spec(spec)
    {
        const std::chrono::milliseconds timeout(std::int64_t(spec.timeoutSeconds) * 1000);
        c10d::TCPStoreOptions options;
        options.port = std::uint16_t(spec.masterPort);
        options.isServer = spec.rank == 0;
        options.numWorkers = std::size_t(spec.worldSize);
        options.waitWorkers = true;
        options.timeout = timeout;
        const std::string where = spec.masterHost + ":" + std::to_string(spec.masterPort);
        m_store = reported(
            spec, "the rendezvous at " + where,
            [&] { return c10::make_intrusive<c10d::TCPStore>(spec.masterHost, options); },
            spec.rank == 0 ? "the port may be in use (choose another with --master HOST:PORT), or "
                             "not every rank arrived within " +
                                 std::to_string(spec.timeoutSeconds) + " s"
                           : "no rank 0 listened there within " +
                                 std::to_string(spec.timeoutSeconds) + " s");
        auto glooOptions = c10d::ProcessGroupGloo::Options::create(timeout);
        // GLOO_SOCKET_IFNAME picks the interface as in PyTorch; a local group stays on loopback.
        const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
        glooOptions->devices.push_back(
            interface && *interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
            : loopback(spec.masterHost)
                ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                : c10d::ProcessGroupGloo::createDefaultDevice());
        m_group = reported(
            spec, "connecting the ranks",
            [&] {
                return c10::make_intrusive<c10d::ProcessGroupGloo>(m_store, spec.rank,
                                                                   spec.worldSize, glooOptions);
            },
            "not every rank arrived within " + std::to_string(spec.timeoutSeconds) + " s");
    }

    int rank() const override { return m_spec.rank; }
    int size() const override { return m_spec.worldSize; }

    void average(std::vector<torch::Tensor>& tensors) override
    {
        if (tensors.empty()) return;
        std::vector<torch::Tensor> flat;
        for (const auto& t : tensors)
            flat.push_back(t.detach().reshape({-1}));
        std::vector<torch::Tensor> buffer{torch::cat(flat)};
        reported(m_spec, "an all-reduce", [&] { return m_group->allreduce(buffer)->wait(); });
        buffer[0].div_(m_spec.worldSize);
        std::int64_t at = 0;
        for (auto& t : tensors) {
            torch::NoGradGuard noGrad;
            t.copy_(buffer[0].narrow(0, at, t.numel()).view(t.sizes()));
            at += t.numel();
        }
    }

    bool any(bool flag) override
    {
        std::vector<torch::Tensor> value{torch::full({1}, flag ? 1 : 0, torch::kInt32)};
        c10d::AllreduceOptions max;
        max.reduceOp = c10d::ReduceOp::MAX;
        reported(m_spec, "agreeing on a stop", [&] { return m_group->allreduce(value, max)->wait(); });
        return value[0].item<int>() != 0;
    }

    void set(const std::string& key, const std::string& value) override
    {
        reported(m_spec, "writing '" + key + "' to the rendezvous store", [&] {
            m_store->set(key, std::vector<std::uint8_t>(value.begin(), value.end()));
            return 0;
        });
    }

    std::string get(const std::string& key) override
    {
        const auto bytes = reported(m_spec, "waiting for '" + key + "' from rank 0",
                                    [&] { return m_store->get(key); });
        return {bytes.begin(), bytes.end()};
    }

private:
    ProcessGroupSpec m_spec;
    c10::intrusive_ptr<c10d::Store> m_store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_group;
};

} // namespace

bool dataParallelAvailable()
{
    return true;
}

std::unique_ptr<RankGroup> connectRankGroup(const ProcessGroupSpec& spec)
{
    return std::make_unique<GlooGroup>(spec);
}

} // namespace wb::darts
