#include "wb/darts/model_export.h"

#include "darts/checkpoint.h"
#include "darts/eval_network.h"
#include "darts/pickle_file.h"

#include <torch/torch.h>

#include <filesystem>

namespace wb::darts {
namespace {

constexpr int kExampleImages = 2;
constexpr std::uint64_t kExampleSeed = 20240501;

} // namespace

void exportTrainedModel(const std::string& checkpointPath, ModelSpec& spec, bool auxiliary,
                        const std::string& directory)
{
    torch::NoGradGuard noGrad;
    EvalNetwork net(spec.genotype, spec.inChannels, spec.classes, spec.channels, spec.layers,
                    auxiliary);
    const auto input = loadTrainedWeights(checkpointPath, net);
    spec.mean = input.mean;
    spec.sd = input.std;
    net->eval();

    c10::Dict<std::string, torch::Tensor> state;
    for (const auto& [name, tensor] : net->exportedTensors())
        state.insert(name, tensor.detach().contiguous());
    const int side = spec.imageSize > 0 ? spec.imageSize : 32;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(kExampleSeed);
    const auto x =
        at::randn({kExampleImages, spec.inChannels, side, side}, generator, torch::kFloat32);
    const auto logits = net->forward(x).contiguous();

    const std::filesystem::path dir(directory);
    writePickle(state, (dir / "weights.pt").string());
    writePickle(x, (dir / "example_input.pt").string());
    writePickle(logits, (dir / "example_logits.pt").string());
}

} // namespace wb::darts
