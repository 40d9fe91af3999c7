#include "wb/darts/run_bundle.h"

#include "wb/darts/weights_export.h"
#include "wb/store/run_store.h"

#include <filesystem>
#include <optional>

namespace wb::darts {

store::ExportResult exportRunBundle(store::RunStore& store, std::int64_t runId,
                                    const std::string& directory, bool force)
{
    store::ExportOptions options;
    options.force = force;
    // weights.pt comes from the newest checkpoint (search runs only).
    std::optional<CheckpointInfo> newest;
    for (const auto& c : store.checkpoints(runId))
        if (!newest || c.info.epoch > newest->epoch) newest = c.info;
    if (newest) options.extraFiles = {"weights.pt"};
    auto result = store::exportRun(store, runId, directory, options);
    if (newest) {
        const auto target = (std::filesystem::path(directory) / "weights.pt").string();
        exportSearchWeights(newest->path, target);
        result.written.push_back(target);
    }
    return result;
}

} // namespace wb::darts
