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
    auto settings = distance.resolve(&store, note);
    settings.device = config.runtime.device; // the ranking computes where the search will
    auto choice = transfer::chooseSource(how, config, store, settings, control, observer);
    config.warmStart = transfer::warmStartFrom(choice.chosen, keepHead);
    return choice;
}

darts::WarmStart localWarmStart(store::RunStore& db, const store::ZooEntry& entry, bool keepHead)
{
    auto warm = transfer::warmStartFrom(entry, keepHead);
    // The source's checkpoint may have been written on another machine (a server workspace).
    warm.checkpoint = db.localRunFile(entry.runId, entry.checkpoint);
    if (warm.checkpoint.empty())
        throw Error("zoo entry " + std::to_string(entry.id) + " '" + entry.name +
                    "': its checkpoint " + entry.checkpoint + " is not on this machine");
    return warm;
}

} // namespace wb::jobs
