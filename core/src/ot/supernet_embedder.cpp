// phi = the globally pooled features of a trained supernet from our own runs (works offline).

#include "ot/embedder.h"

#include "darts/checkpoint.h"
#include "darts/supernet.h"
#include "wb/common/error.h"
#include "wb/darts/search_config.h"

#include <cmath>

namespace wb::ot {
namespace {

class SupernetEmbedder : public Embedder {
public:
    SupernetEmbedder(EmbedderConfig config, torch::Device device)
        : m_config(std::move(config)), m_device(device)
    {
        const auto search = darts::SearchConfig::fromJson(m_config.supernetConfigJson);
        m_net = darts::Supernet(
            darts::SupernetSpec::of(search, m_config.supernetInChannels, m_config.supernetClasses));
        darts::loadSupernetWeights(m_config.modelPath, m_net);
        m_net->to(m_device);
        m_net->eval();
        m_config.channels = m_config.supernetInChannels;
        m_config.range = 1.0;
    }
    std::string key() const override { return m_config.key(); }
    torch::Tensor embed(const data::Dataset& ds, const std::vector<std::int64_t>& indices,
                        const std::function<bool(double)>& progress) override
    {
        torch::NoGradGuard noGrad;
        // The search normalised inputs with its own data's statistics; a new dataset gets its
        // own, over all its images, so the features do not depend on which rows are embedded.
        auto config = m_config;
        standardisation(ds, config);
        std::vector<torch::Tensor> parts;
        const auto batch = std::size_t(std::max(1, config.batchSize));
        for (std::size_t i = 0; i < indices.size(); i += batch) {
            const auto end = std::min(indices.size(), i + batch);
            parts.push_back(m_net->features(imageBatch(ds, indices, i, end, config).to(m_device))
                                .flatten(1)
                                .to(torch::kCPU, torch::kFloat32));
            if (progress && !progress(double(end) / double(indices.size()))) return {};
        }
        return parts.empty() ? torch::empty({0, 0}) : torch::cat(parts, 0);
    }

private:
    static void standardisation(const data::Dataset& ds, EmbedderConfig& config)
    {
        std::vector<double> sum(std::size_t(ds.channels), 0.0), sq(sum);
        const auto plane = std::size_t(ds.height) * std::size_t(ds.width);
        for (std::size_t i = 0; i < ds.count(); ++i) {
            const auto* p = ds.image(i);
            for (int c = 0; c < ds.channels; ++c)
                for (std::size_t k = 0; k < plane; ++k) {
                    const double v = p[std::size_t(c) * plane + k] / 255.0;
                    sum[std::size_t(c)] += v;
                    sq[std::size_t(c)] += v * v;
                }
        }
        const double n = double(ds.count()) * double(plane);
        std::vector<double> mean, sd;
        for (int c = 0; c < ds.channels; ++c) {
            const double m = sum[std::size_t(c)] / n;
            mean.push_back(m);
            sd.push_back(std::sqrt(std::max(1e-12, sq[std::size_t(c)] / n - m * m)));
        }
        const int out = config.channels > 0 ? config.channels : ds.channels;
        if (out != ds.channels) { // grey <-> RGB: pooled statistics, replicated
            double m = 0, v = 0;
            for (std::size_t c = 0; c < mean.size(); ++c) {
                m += mean[c] / double(mean.size());
                v += sd[c] * sd[c] / double(sd.size());
            }
            mean.assign(std::size_t(out), m);
            sd.assign(std::size_t(out), std::sqrt(v));
        }
        config.mean = mean;
        config.std = sd;
    }

    EmbedderConfig m_config;
    torch::Device m_device;
    darts::Supernet m_net{nullptr};
};

} // namespace

std::unique_ptr<Embedder> makeSupernetEmbedder(const EmbedderConfig& config, torch::Device device)
{
    if (config.supernetConfigJson.empty() || config.supernetInChannels < 1 ||
        config.supernetClasses < 2)
        throw Error("supernet:" + config.source +
                    ": the run's network is unknown (no search config, input channels or classes "
                    "recorded); use a search run of the workspace database");
    return std::make_unique<SupernetEmbedder>(config, device);
}

} // namespace wb::ot
