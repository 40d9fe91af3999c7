#pragma once

// A RankGroup over one of c10d's backends (Gloo for CPU tensors, NCCL for CUDA ones), meeting at
// rank 0's TCPStore. Only the backend files include this: c10d's headers need their backend's
// macro (USE_C10D_GLOO, USE_C10D_NCCL).

#include "darts/rank_group.h"

#include "wb/common/error.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>

#include <chrono>

namespace wb::darts {

// Runs fn(); c10d's exceptions (whose text names its own source files) become a wb::Error that
// says which rank was doing what, and the likely cause.
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

inline std::chrono::milliseconds timeoutOf(const ProcessGroupSpec& spec)
{
    return std::chrono::milliseconds(std::int64_t(spec.timeoutSeconds) * 1000);
}

// Rank 0 listens at masterHost:masterPort, the others connect.
inline c10::intrusive_ptr<c10d::Store> rendezvous(const ProcessGroupSpec& spec)
{
    c10d::TCPStoreOptions options;
    options.port = std::uint16_t(spec.masterPort);
    options.isServer = spec.rank == 0;
    options.numWorkers = std::size_t(spec.worldSize);
    options.waitWorkers = true;
    options.timeout = timeoutOf(spec);
    const auto seconds = std::to_string(spec.timeoutSeconds);
    return reported(
        spec, "the rendezvous at " + spec.masterHost + ":" + std::to_string(spec.masterPort),
        [&]() -> c10::intrusive_ptr<c10d::Store> {
            return c10::make_intrusive<c10d::TCPStore>(spec.masterHost, options);
        },
        spec.rank == 0 ? "the port may be in use (choose another with --master HOST:PORT), or "
                         "not every rank arrived within " + seconds + " s"
                       : "no rank 0 listened there within " + seconds + " s");
}

template <class Backend> class C10dGroup final : public RankGroup {
public:
    // `device`: where the collectives' buffers live (the CPU for Gloo, the rank's GPU for NCCL).
    C10dGroup(const ProcessGroupSpec& spec, c10::intrusive_ptr<c10d::Store> store,
              c10::intrusive_ptr<Backend> backend, torch::Device device)
        : m_spec(spec), m_store(std::move(store)), m_backend(std::move(backend)), m_device(device)
    {
    }

    int rank() const override { return m_spec.rank; }
    int size() const override { return m_spec.worldSize; }

    void average(std::vector<torch::Tensor>& tensors) override { reduce(tensors, true); }
    void sum(std::vector<torch::Tensor>& tensors) override { reduce(tensors, false); }

    bool any(bool flag) override
    {
        std::vector<torch::Tensor> value{
            torch::full({1}, flag ? 1 : 0, torch::TensorOptions(torch::kInt32).device(m_device))};
        c10d::AllreduceOptions max;
        max.reduceOp = c10d::ReduceOp::MAX;
        reported(m_spec, "agreeing on a stop",
                 [&] { return m_backend->allreduce(value, max)->wait(); });
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
        const auto bytes = reported(m_spec, "waiting for '" + key + "' from another rank",
                                    [&] { return m_store->get(key); });
        return {bytes.begin(), bytes.end()};
    }

private:
    // Sums `tensors` over the ranks in place (and divides by the rank count when `mean`): one
    // collective for the list, whose tensors share one dtype and device.
    void reduce(std::vector<torch::Tensor>& tensors, bool mean)
    {
        if (tensors.empty()) return;
        std::vector<torch::Tensor> flat;
        for (const auto& t : tensors)
            flat.push_back(t.detach().reshape({-1}));
        std::vector<torch::Tensor> buffer{torch::cat(flat).to(m_device)};
        reported(m_spec, "an all-reduce", [&] { return m_backend->allreduce(buffer)->wait(); });
        if (mean) buffer[0].div_(m_spec.worldSize);
        std::int64_t at = 0;
        torch::NoGradGuard noGrad;
        for (auto& t : tensors) {
            t.copy_(buffer[0].narrow(0, at, t.numel()).view(t.sizes()));
            at += t.numel();
        }
    }

    ProcessGroupSpec m_spec;
    c10::intrusive_ptr<c10d::Store> m_store;
    c10::intrusive_ptr<Backend> m_backend;
    torch::Device m_device;
};

} // namespace wb::darts
