#pragma once

// The source of a warm-started search (transfer, the experiment's ot/random/multi arms): the zoo
// ranked against the target with the user's distance settings.

#include "wb/common/run_control.h"
#include "wb/darts/search_config.h"
#include "wb/ot/distance.h"
#include "wb/store/run_store.h"
#include "wb/transfer/distance_settings.h"
#include "wb/transfer/source_selection.h"

#include <string>

namespace wb::jobs {

// The warm start from zoo entry `entry` with its checkpoint as a file on this machine: the
// recorded path, or on a server workspace the database's copy (written on another machine).
// Throws wb::Error when neither is there. recordedSearch calls it for every transfer.
darts::WarmStart localWarmStart(store::RunStore& db, const store::ZooEntry& entry, bool keepHead);

// Chooses the source (`how`: auto | random | a zoo id) in workspace `db` and sets
// config.warmStart from it (its checkpoint as recorded: recordedSearch makes it local). `note` receives what an `auto` embedder chose. Throws wb::Error
// when nothing can be chosen or a distance fails.
transfer::SourceChoice chooseWarmStart(const std::string& db, const std::string& how,
                                       darts::SearchConfig& config,
                                       const transfer::DistanceSettings& distance, bool keepHead,
                                       RunControl& control, ot::OtObserver& observer,
                                       std::string* note = nullptr);

} // namespace wb::jobs
