#include "wb/jobs/warm_start_source.h"

#include "wb/store/run_store.h"

namespace wb::jobs {

transfer::SourceChoice chooseWarmStart(const std::string& db, const std::string& how,
                                       darts::SearchConfig& config,
                                       const transfer::DistanceSettings& distance, bool keepHead,
                                       RunControl& control, ot::OtObserver& observer,
                                       std::string* note)
{
    auto store = store::RunStore::open(db);
    auto choice = transfer::chooseSource(how, config, store, distance.resolve(store, note),
                                         control, observer);
    config.warmStart = transfer::warmStartFrom(choice.chosen, keepHead);
    return choice;
}

} // namespace wb::jobs
