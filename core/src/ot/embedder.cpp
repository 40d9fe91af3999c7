#include "ot/embedder.h"

#include "wb/common/error.h"

#include <cstring>

namespace wb::ot {

torch::Tensor imageBatch(const data::Dataset& ds, const std::vector<std::int64_t>& indices,
                         std::size_t begin, std::size_t end, const EmbedderConfig& config)
{
    const auto n = std::int64_t(end - begin);
    auto raw = torch::empty({n, ds.channels, ds.height, ds.width}, torch::kUInt8);
    auto* p = raw.data_ptr<std::uint8_t>();
    for (std::int64_t i = 0; i < n; ++i)
        std::memcpy(p + i * std::int64_t(ds.imageBytes()),
                    ds.image(std::size_t(indices[begin + i])), ds.imageBytes());
    auto x = raw.to(torch::kFloat32).mul_(float(config.range / 255.0));
    if (config.channels == 1 && ds.channels != 1) x = x.mean(1, true);
    if (config.channels == 3 && ds.channels == 1) x = x.expand({n, 3, ds.height, ds.width});
    if (config.size > 0 && (config.size != ds.height || config.size != ds.width)) {
        namespace F = torch::nn::functional;
        x = F::interpolate(x, F::InterpolateFuncOptions()
                                  .size(std::vector<std::int64_t>{config.size, config.size})
                                  .mode(torch::kBilinear)
                                  .align_corners(false)
                                  .antialias(true));
    }
    if (!config.mean.empty()) {
        const auto c = x.size(1);
        const auto mean = torch::tensor(config.mean, torch::kFloat32);
        const auto sd = torch::tensor(config.std, torch::kFloat32);
        if (mean.size(0) != c || sd.size(0) != c)
            throw Error("--embed-mean/--embed-std give " + std::to_string(mean.size(0)) +
                        " values, the model input has " + std::to_string(c) + " channels");
        x = (x - mean.view({1, c, 1, 1})) / sd.view({1, c, 1, 1});
    }
    return x.contiguous();
}

namespace {

class PixelEmbedder : public Embedder {
public:
    explicit PixelEmbedder(EmbedderConfig config) : m_config(std::move(config))
    {
        m_config.range = 1.0; // raw values in [0, 1], no per-channel normalisation
        m_config.mean.clear();
        m_config.std.clear();
    }
    std::string key() const override { return m_config.key(); }
    bool worthCaching() const override { return false; }
    torch::Tensor embed(const data::Dataset& ds, const std::vector<std::int64_t>& indices,
                        const std::function<bool(double)>& progress) override
    {
        constexpr std::size_t kChunk = 4096; // images converted at a time
        std::vector<torch::Tensor> parts;
        for (std::size_t i = 0; i < indices.size(); i += kChunk) {
            const auto end = std::min(indices.size(), i + kChunk);
            parts.push_back(imageBatch(ds, indices, i, end, m_config).flatten(1));
            if (progress && !progress(double(end) / double(indices.size()))) return {};
        }
        return parts.empty() ? torch::empty({0, 0}) : torch::cat(parts, 0);
    }

private:
    EmbedderConfig m_config;
};

} // namespace

std::unique_ptr<Embedder> makePixelEmbedder(const EmbedderConfig& config)
{
    return std::make_unique<PixelEmbedder>(config);
}

std::unique_ptr<Embedder> makeEmbedder(EmbedderConfig config, torch::Device device)
{
    config.validate();
    switch (config.kind) {
    case EmbedderConfig::Kind::Pixels:
        return makePixelEmbedder(config);
    case EmbedderConfig::Kind::TorchScript:
        config.identify();
        return makeTorchScriptEmbedder(config, device);
    case EmbedderConfig::Kind::Supernet:
        config.identify();
        return makeSupernetEmbedder(config, device);
    }
    throw Error("unknown embedder");
}

} // namespace wb::ot
