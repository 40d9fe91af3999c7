#include "darts/rank_group.h"

#include "wb/common/error.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wb::darts {

void RankGroup::set(const std::string& key, const std::string& value)
{
    (void)key;
    (void)value;
}

std::string RankGroup::get(const std::string& key)
{
    throw Error("internal: '" + key + "' read from the store of a search without a process group");
}

RankGroup& RankGroup::solo()
{
    static RankGroup group;
    return group;
}

void requireSameOnEveryRank(RankGroup& group, const std::string& what, const std::string& value)
{
    if (group.size() == 1) return;
    const std::string prefix = "same/" + what + "/";
    group.set(prefix + std::to_string(group.rank()), value);
    const auto reference = group.get(prefix + "0");
    for (int r = 1; r < group.size(); ++r)
        if (group.get(prefix + std::to_string(r)) != reference)
            throw Error("data-parallel search: rank " + std::to_string(r) + "'s " + what +
                        " differs from rank 0's; every rank must be started the same way");
}

std::unique_ptr<RankGroup> connectRankGroup(const ProcessGroupSpec& spec,
                                            const std::string& device)
{
#ifdef WB_HAVE_NCCL
    if (device != "cpu") return connectNcclGroup(spec, torch::Device(device));
#else
    (void)device; // Gloo all-reduces CUDA tensors through host memory
#endif
    return connectGlooGroup(spec);
}

std::string rankDevice(const std::string& device, const ProcessGroupSpec& spec)
{
    if (device != "cuda" || !torch::cuda::is_available()) return device;
    return "cuda:" + std::to_string(spec.localRank % int(torch::cuda::device_count()));
}

int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw Error("cannot open a socket to find a free port");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    if (!ok) throw Error("cannot bind a loopback socket to find a free port");
    return ntohs(address.sin_port);
}

} // namespace wb::darts
