// phi = a user's TorchScript feature extractor (e.g. an ImageNet ResNet-18 without its last
// layer, the paper authors' setting), run in eval mode without gradients.

#include "ot/embedder.h"

#include "wb/common/error.h"

#include <torch/script.h>

#include <sstream>

namespace wb::ot {
namespace {

std::string shapeText(const torch::Tensor& t)
{
    std::ostringstream out;
    out << t.sizes();
    return out.str();
}

class TorchScriptEmbedder : public Embedder {
public:
    TorchScriptEmbedder(EmbedderConfig config, torch::Device device)
        : m_config(std::move(config)), m_device(device)
    {
        try {
            m_module = torch::jit::load(m_config.modelPath, m_device);
        } catch (const c10::Error& e) {
            throw Error(m_config.modelPath + ": not a TorchScript model (torch::jit::load: " +
                        firstLine(e.what_without_backtrace()) + ")");
        }
        m_module.eval();
    }
    std::string key() const override { return m_config.key(); }
    torch::Tensor embed(const data::Dataset& ds, const std::vector<std::int64_t>& indices,
                        const std::function<bool(double)>& progress) override
    {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> parts;
        const auto batch = std::size_t(std::max(1, m_config.batchSize));
        for (std::size_t i = 0; i < indices.size(); i += batch) {
            const auto end = std::min(indices.size(), i + batch);
            const auto x = imageBatch(ds, indices, i, end, m_config).to(m_device);
            torch::IValue out;
            try {
                out = m_module.forward({x});
            } catch (const c10::Error& e) {
                throw Error(m_config.modelPath + ": the model failed on a " + shapeText(x) +
                            " input batch (" + firstLine(e.what_without_backtrace()) +
                            "); check --embed-size, --embed-channels and --embed-range");
            } catch (const std::exception& e) {
                throw Error(m_config.modelPath + ": the model failed on a " + shapeText(x) +
                            " input batch (" + firstLine(e.what()) + ")");
            }
            if (!out.isTensor())
                throw Error(m_config.modelPath + ": the model returns a " + out.tagKind() +
                            ", not one feature tensor");
            auto f = out.toTensor();
            // N x D, or N x D x 1 x 1 (a CNN cut before its classifier's flatten).
            if (f.dim() == 4 && f.size(2) == 1 && f.size(3) == 1) f = f.flatten(1);
            if (f.dim() != 2 || f.size(0) != x.size(0))
                throw Error(m_config.modelPath + ": the model outputs shape " + shapeText(f) +
                            " for " + std::to_string(x.size(0)) +
                            " images; a feature extractor must output N x D (or N x D x 1 x 1)");
            parts.push_back(f.to(torch::kCPU, torch::kFloat32).contiguous());
            if (progress && !progress(double(end) / double(indices.size()))) return {};
        }
        return parts.empty() ? torch::empty({0, 0}) : torch::cat(parts, 0);
    }

private:
    static std::string firstLine(const std::string& text)
    {
        return text.substr(0, text.find('\n'));
    }
    EmbedderConfig m_config;
    torch::Device m_device;
    torch::jit::script::Module m_module;
};

} // namespace

std::unique_ptr<Embedder> makeTorchScriptEmbedder(const EmbedderConfig& config,
                                                  torch::Device device)
{
    return std::make_unique<TorchScriptEmbedder>(config, device);
}

} // namespace wb::ot
