#include "wb/transfer/speedup.h"

#include "wb/common/error.h"

#include <algorithm>
#include <cmath>

namespace wb::transfer {

std::optional<int> epochsToReach(const std::vector<double>& curve, double target)
{
    for (std::size_t i = 0; i < curve.size(); ++i)
        if (curve[i] >= target) return int(i) + 1;
    return std::nullopt;
}

SpeedUp speedUp(const std::vector<double>& scratch, const std::vector<double>& warm,
                double tolerance)
{
    if (scratch.empty()) throw Error("speed-up: the scratch arm has no epochs");
    SpeedUp s;
    s.scratchBest = *std::max_element(scratch.begin(), scratch.end());
    s.target = s.scratchBest - std::max(0.0, tolerance);
    s.scratchEpochs = *epochsToReach(scratch, s.target);
    s.warmEpochs = epochsToReach(warm, s.target);
    if (s.warmEpochs) s.factor = double(s.scratchEpochs) / double(*s.warmEpochs);
    return s;
}

double binomialStandardError(double accuracy, int n)
{
    if (n <= 0) return 0;
    const double p = std::clamp(accuracy, 0.0, 1.0);
    return std::sqrt(p * (1 - p) / n);
}

double aucGain(const std::vector<double>& scratch, const std::vector<double>& warm)
{
    const auto epochs = std::min(scratch.size(), warm.size());
    double gain = 0;
    for (std::size_t i = 0; i < epochs; ++i)
        gain += (warm[i] - scratch[i]) / double(epochs);
    return gain;
}

} // namespace wb::transfer
