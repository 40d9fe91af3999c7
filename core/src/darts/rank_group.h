#pragma once

// The processes of a data-parallel search: the ranks average their gradients, agree on when to
// stop, and the others take their starting state from rank 0. One process is the solo group,
// whose operations are no-ops, so the search code has one path.

#include "wb/darts/process_group.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace wb::darts {

class RankGroup {
public:
    virtual ~RankGroup() = default;
    virtual int rank() const { return 0; }
    virtual int size() const { return 1; }
    // Replaces every tensor, in place, by its mean over the ranks: one collective for the list,
    // whose tensors share one dtype and device.
    virtual void average(std::vector<torch::Tensor>& tensors) { (void)tensors; }
    // The same with the sum over the ranks.
    virtual void sum(std::vector<torch::Tensor>& tensors) { (void)tensors; }
    // True on every rank when `flag` is true on any of them.
    virtual bool any(bool flag) { return flag; }
    // A value in the rendezvous store, visible to every rank; get waits for it (up to the
    // group's timeout).
    virtual void set(const std::string& key, const std::string& value);
    virtual std::string get(const std::string& key);

    static RankGroup& solo();
};

// Joins the group `spec` describes: rank 0 listens on masterHost:masterPort (c10d's TCPStore),
// every rank connects, and the collectives go through NCCL when this rank computes on a GPU and
// the build has NCCL, else through Gloo. Throws wb::Error with the reason (a busy port, a rank
// that never came, a build without Gloo).
std::unique_ptr<RankGroup> connectRankGroup(const ProcessGroupSpec& spec,
                                            const std::string& device);
// The backends (gloo_group.cpp or gloo_missing.cpp; nccl_group.cpp in CUDA builds with NCCL).
std::unique_ptr<RankGroup> connectGlooGroup(const ProcessGroupSpec& spec);
std::unique_ptr<RankGroup> connectNcclGroup(const ProcessGroupSpec& spec, torch::Device device);

// The device rank `spec` computes on for a run configured with `device`: "cuda" gives each rank
// of a machine its own GPU (local rank modulo the GPUs), "cpu" and "cuda:N" stay as they are.
std::string rankDevice(const std::string& device, const ProcessGroupSpec& spec);

// Every rank states `value` for `what`; all of them throw the same wb::Error when any rank's
// value differs from rank 0's, so no rank is left waiting.
void requireSameOnEveryRank(RankGroup& group, const std::string& what, const std::string& value);

} // namespace wb::darts
