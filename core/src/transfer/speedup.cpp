#include "wb/transfer/speedup.h"

#include "wb/common/error.h"

#include <algorithm>

namespace wb::transfer {

std::optional<int> epochsToReach(const std::vector<double>& curve, double target)
{
    for (std::size_t i = 0; i < curve.size(); ++i)
        if (curve[i] >= target) return int(i) + 1;
    return std::nullopt;
}

SpeedUp speedUp(const std::vector<double>& scratch, const std::vector<double>& warm)
{
    if (scratch.empty()) throw Error("speed-up: the scratch arm has no epochs");
    SpeedUp s;
    s.scratchBest = *std::max_element(scratch.begin(), scratch.end());
    s.scratchEpochs = *epochsToReach(scratch, s.scratchBest);
    s.warmEpochs = epochsToReach(warm, s.scratchBest);
    if (s.warmEpochs) s.factor = double(s.scratchEpochs) / double(*s.warmEpochs);
    return s;
}

} // namespace wb::transfer
