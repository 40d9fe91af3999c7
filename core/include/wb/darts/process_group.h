#pragma once

#include <string>

namespace wb::darts {

// Where one process of a data-parallel search sits (torchrun's conventions). It says how the
// processes meet, not what they compute: the shard count (SearchConfig::shards) does that, so a
// run searched by 2 processes resumes in one process with the same numbers.
struct ProcessGroupSpec {
    int rank = 0;      // 0 records the run and writes checkpoints
    int worldSize = 1; // 1 = no process group
    int localRank = 0; // the place among the ranks of this machine (its GPU with --device cuda)
    std::string masterHost = "127.0.0.1";
    int masterPort = 29500; // rank 0 listens here (c10d's TCPStore)
    // How long a rank waits for the others, at rendezvous and in every all-reduce, before it
    // declares them dead (c10d's own default is 30 minutes).
    int timeoutSeconds = 60;
    // What started this rank, compared at rendezvous: ranks started differently are refused.
    std::string launchDigest;

    bool active() const { return worldSize > 1; }
};

// Whether this build can run a process group (its LibTorch was found with Gloo's headers).
bool dataParallelAvailable();

// A free TCP port on the loopback interface (for a local launch's rendezvous).
int freeLoopbackPort();

} // namespace wb::darts
