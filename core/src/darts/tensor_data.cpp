#include "darts/tensor_data.h"

#include "common/torch_device.h"
#include "wb/common/error.h"
#include "wb/common/seeded_rng.h"
#include "wb/data/dataset.h"
#include "wb/darts/checkpoint_meta.h"
#include "wb/data/split.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace wb::darts {
namespace {

TensorSplit toTensors(const data::Dataset& ds, const std::vector<int>& indices,
                      const data::ChannelStats& stats)
{
    const auto n = std::int64_t(indices.size());
    auto x = torch::empty({n, ds.channels, ds.height, ds.width}, torch::kUInt8);
    auto y = torch::empty({n}, torch::kInt64);
    auto* xp = x.data_ptr<std::uint8_t>();
    auto* yp = y.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) {
        std::memcpy(xp + i * ds.imageBytes(), ds.image(indices[i]), ds.imageBytes());
        yp[i] = ds.labels[indices[i]];
    }
    auto mean = torch::tensor(stats.mean).view({1, -1, 1, 1});
    auto sd = torch::tensor(stats.std).clamp_min(1e-6).view({1, -1, 1, 1});
    return {(x.to(torch::kFloat32).div_(255.0f) - mean) / sd, y};
}

} // namespace

PreparedData prepareData(const DataConfig& config, std::uint64_t seed)
{
    data::LoadOptions load;
    load.format = config.format;
    load.imageSize = config.imageSize;
    load.channels = config.imageChannels;
    const auto ds = data::loadDataset(config.path, load);
    if (ds.classNames.size() < 2)
        throw Error(config.path + ": a search needs at least 2 classes, found " +
                    std::to_string(ds.classNames.size()));
    const auto split = data::stratifiedSplit(ds, {config.trainFraction, config.valFraction},
                                             config.maxPerClass, config.splitSeed.value_or(seed));
    const auto stats = data::channelStats(ds, split.train);

    PreparedData out;
    out.train = toTensors(ds, split.train, stats);
    out.val = toTensors(ds, split.val, stats);
    out.test = toTensors(ds, split.test, stats);
    out.stats = stats;
    out.classes = int(ds.classNames.size());
    out.warnings = ds.warnings;
    auto& s = out.summary;
    s.path = ds.path;
    s.format = data::formatName(ds.format);
    s.fingerprint = ds.fingerprint;
    s.classNames = ds.classNames;
    s.classCounts = ds.classCounts();
    s.channels = ds.channels;
    s.imageSize = ds.height;
    s.trainImages = int(split.train.size());
    s.valImages = int(split.val.size());
    s.testImages = int(split.test.size());
    return out;
}

BatchSampler::BatchSampler(std::int64_t size, int batch, std::uint64_t seed)
    : m_size(size), m_batch(std::min<std::int64_t>(batch, size)), m_rng(seed), m_order(size)
{
    if (size < 1) throw Error("sampler: empty split");
    reshuffle();
}

void BatchSampler::reshuffle()
{
    for (std::int64_t i = 0; i < m_size; ++i)
        m_order[i] = i;
    shuffle(m_order, m_rng);
    m_pos = 0;
}

torch::Tensor BatchSampler::next()
{
    if (m_pos + m_batch > m_size) reshuffle();
    auto idx = torch::from_blob(m_order.data() + m_pos, {m_batch}, torch::kInt64).clone();
    m_pos += m_batch;
    return idx;
}

Placement makePlacement(const RuntimeConfig& runtime, int smallestConvChannels)
{
    Placement p;
    p.channelsLast = runtime.channelsLast;
    p.device = checkedDevice(runtime.device);
    p.amp = ampDtype(runtime.amp);
    p.metricsEvery = runtime.metricsEvery > 0 ? runtime.metricsEvery : p.device.is_cuda() ? 10 : 1;
    if (p.channelsLast && p.device.is_cpu() && smallestConvChannels < kMinChannelsLastChannels) {
        p.channelsLast = false;
        const bool unsafe = smallestConvChannels < kSafeChannelsLastChannels;
        p.layoutNote =
            "channels_last is not used with " + std::to_string(smallestConvChannels) +
            "-channel convolutions on the CPU (" +
            (unsafe ? "fewer than " + std::to_string(kSafeChannelsLastChannels) +
                          " corrupt memory in LibTorch's oneDNN backward"
                    : "NCHW is faster below " + std::to_string(kMinChannelsLastChannels)) +
            "); the run uses NCHW";
    }
    return p;
}

MixedPrecision precisionOf(const Placement& placement, LossScaler& scaler)
{
    return {placement.amp, placement.device.type(),
            placement.amp == torch::kFloat16 ? &scaler : nullptr};
}

namespace {

torch::Tensor place(torch::Tensor x, const Placement& p)
{
    // To a GPU from pinned memory, without waiting for the copy: the stream orders it before
    // the kernels that read it.
    x = p.device.is_cuda() ? x.pin_memory().to(p.device, /*non_blocking=*/true) : x.to(p.device);
    return p.channelsLast ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
}

} // namespace

std::string BatchSampler::state() const
{
    return formatSamplerState({m_size, m_batch, m_pos, m_rng, m_order});
}

void BatchSampler::restore(const std::string& state)
{
    auto s = parseSamplerState(state, m_size, m_batch);
    m_rng = s.rng;
    m_order = std::move(s.order);
    m_pos = s.pos;
}

Batch gather(const TensorSplit& split, const torch::Tensor& indices, const Placement& placement)
{
    Placement labels;
    labels.device = placement.device;
    labels.channelsLast = false;
    return {place(split.x.index_select(0, indices), placement),
            place(split.y.index_select(0, indices), labels)};
}

Shards gatherShards(const TensorSplit& split, const torch::Tensor& indices,
                    const Placement& placement, int shards, int rank, int ranks)
{
    const auto rows = indices.size(0);
    const int perRank = shards / ranks;
    Shards out;
    for (int s = rank * perRank; s < (rank + 1) * perRank; ++s) {
        const auto begin = rows * s / shards;
        const auto end = rows * (s + 1) / shards;
        out.push_back(gather(split, indices.narrow(0, begin, end - begin), placement));
    }
    return out;
}

Shards stepShards(const SearchConfig& config, const TensorSplit& split,
                  const torch::Tensor& indices, const Placement& placement,
                  const RankGroup& group)
{
    const int passes = config.syncBatchNorm ? group.size() : config.shards;
    return gatherShards(split, indices, placement, passes, group.rank(), group.size());
}

EvalMetrics evaluate(torch::nn::Module& net,
                     const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                     const TensorSplit& split, const Placement& placement, BatchNormMode bn,
                     int batch, const torch::Tensor& order)
{
    torch::NoGradGuard noGrad;
    const bool wasTraining = net.is_training();
    net.train(bn == BatchNormMode::Batch);
    // Train-mode BN would also update the running statistics: keep them as they were.
    std::vector<torch::Tensor> savedBuffers;
    if (bn == BatchNormMode::Batch)
        for (const auto& b : net.buffers())
            savedBuffers.push_back(b.clone());
    // Sums stay on the device until the last batch: one read for the whole split.
    const auto onDevice = torch::TensorOptions(torch::kFloat64).device(placement.device);
    auto lossSum = torch::zeros({}, onDevice);
    auto correct = torch::zeros({}, onDevice);
    const auto n = split.size();
    for (std::int64_t start = 0; start < n; start += batch) {
        const auto len = std::min<std::int64_t>(batch, n - start);
        const auto rows = order.defined() ? order.narrow(0, start, len) : torch::Tensor();
        const auto x = place(rows.defined() ? split.x.index_select(0, rows)
                                            : split.x.narrow(0, start, len),
                             placement);
        const auto y = (rows.defined() ? split.y.index_select(0, rows)
                                       : split.y.narrow(0, start, len))
                           .to(placement.device);
        auto logits = forward(x);
        lossSum += torch::nn::functional::cross_entropy(
                       logits, y,
                       torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .to(torch::kFloat64);
        correct += logits.argmax(1).eq(y).sum().to(torch::kFloat64);
    }
    if (bn == BatchNormMode::Batch) {
        auto buffers = net.buffers();
        for (std::size_t i = 0; i < buffers.size(); ++i)
            buffers[i].copy_(savedBuffers[i]);
    }
    net.train(wasTraining);
    return {lossSum.item<double>() / double(n), correct.item<double>() / double(n)};
}

torch::Tensor mixedOrder(std::int64_t rows, std::uint64_t seed)
{
    std::vector<std::int64_t> order(std::size_t(std::max<std::int64_t>(rows, 0)));
    std::iota(order.begin(), order.end(), std::int64_t(0));
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
    std::shuffle(order.begin(), order.end(), rng);
    return torch::tensor(order, torch::kInt64);
}

double cosineLr(double lr, double lrMin, int epoch, int epochs)
{
    return lrMin + 0.5 * (lr - lrMin) * (1 + std::cos(M_PI * epoch / epochs));
}

void setLearningRate(torch::optim::SGD& opt, double lr)
{
    for (auto& group : opt.param_groups())
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
}

} // namespace wb::darts
