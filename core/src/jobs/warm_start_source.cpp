#include "wb/jobs/warm_start_source.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"

namespace wb::jobs {

transfer::SourceChoice chooseWarmStart(const std::string& db, const std::string& how,
                                       darts::SearchConfig& config,
                                       const transfer::DistanceSettings& distance, bool keepHead,
                                       RunControl& control, ot::OtObserver& observer,
                                       std::string* note)
{
    auto store = store::RunStore::open(db);
    auto choice = transfer::chooseSource(how, config, store, distance.resolve(&store, note),
                                         control, observer);
    config.warmStart = transfer::warmStartFrom(choice.chosen, keepHead);
    // The source's checkpoint may have been written on another machine (a server workspace).
    const auto local = store.localRunFile(choice.chosen.runId, choice.chosen.checkpoint);
    if (local.empty())
        throw Error("zoo entry " + std::to_string(choice.chosen.id) + " '" + choice.chosen.name +
                    "': its checkpoint " + choice.chosen.checkpoint + " is not on this machine");
    config.warmStart.checkpoint = local;
    return choice;
}

} // namespace wb::jobs
