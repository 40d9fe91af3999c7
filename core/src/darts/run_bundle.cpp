#include "wb/darts/run_bundle.h"

#include "wb/common/atomic_file.h"
#include "wb/darts/model_export.h"
#include "wb/darts/search_config.h"
#include "wb/darts/weights_export.h"
#include "wb/store/run_store.h"

#include <filesystem>
#include <optional>

namespace wb::darts {
namespace {

// The network model.py describes: a training's own, or the derived cell of a search at the
// sizes `supernet train` uses by default. None without a genotype or a recorded dataset.
std::optional<ModelSpec> modelSpec(const store::RunDetails& run, const std::string& workspace)
{
    if (!run.genotype || !run.dataset || run.dataset->classNames.size() < 2) return std::nullopt;
    ModelSpec spec;
    spec.genotype = *run.genotype;
    spec.inChannels = run.dataset->channels;
    spec.classes = int(run.dataset->classNames.size());
    spec.imageSize = run.dataset->imageSize;
    TrainConfig sizes;
    if (run.kind == "train") sizes = TrainConfig::fromJson(run.configJson);
    spec.channels = sizes.channels;
    spec.layers = sizes.layers;
    spec.origin = "run " + std::to_string(run.id) + ", " + run.role + ", in " + workspace;
    return spec;
}

} // namespace

store::ExportResult exportRunBundle(store::RunStore& store, std::int64_t runId,
                                    const std::string& directory, bool force)
{
    const auto run = store.run(runId);
    store::ExportOptions options;
    options.force = force;
    // The newest checkpoint: a search's supernet, or a training's final weights.
    std::optional<CheckpointInfo> newest;
    for (const auto& c : store.checkpoints(runId))
        if (!newest || c.info.epoch > newest->epoch) newest = c.info;
    if (newest) newest->path = store.localRunFile(runId, newest->path);
    auto spec = modelSpec(run, store.path());
    const bool trained = spec && run.kind == "train" && newest && !newest->path.empty();
    if (spec) {
        spec->trained = trained;
        options.extraFiles.push_back("model.py");
    }
    const bool supernet = run.kind == "search" && newest && !newest->path.empty();
    if (supernet || trained) options.extraFiles.push_back("weights.pt");
    if (trained)
        options.extraFiles.insert(options.extraFiles.end(),
                                  {"example_input.pt", "example_logits.pt"});

    auto result = store::exportRun(store, runId, directory, options);
    const std::filesystem::path dir(directory);
    if (supernet) exportSearchWeights(newest->path, (dir / "weights.pt").string());
    if (trained) {
        const auto config = TrainConfig::fromJson(run.configJson);
        exportTrainedModel(newest->path, *spec, config.auxiliaryWeight > 0, directory);
    }
    if (spec) writeFileAtomically((dir / "model.py").string(), modelPythonFile(*spec));
    for (const auto& name : options.extraFiles)
        result.written.push_back((dir / name).string());
    if (newest && newest->path.empty())
        result.notes.push_back("no weights.pt: the newest checkpoint's file is neither here nor "
                               "in the workspace");
    if (!spec)
        result.notes.push_back("no model.py: the run has no genotype or recorded dataset yet");
    else if (run.kind == "train" && !trained)
        result.notes.push_back("no weights.pt: the training has no checkpoint (stopped in its "
                               "first epoch, or recorded before trainings kept checkpoints)");
    return result;
}

} // namespace wb::darts
