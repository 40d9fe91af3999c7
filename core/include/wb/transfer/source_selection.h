#pragma once

// Which zoo supernet a target search starts from: `auto` ranks the compatible single-dataset
// entries by OTDD to the target and takes the nearest, `random` draws one with the seed (the
// ablation), an id takes that entry.

#include "wb/common/run_control.h"
#include "wb/darts/search_config.h"
#include "wb/ot/distance.h"
#include "wb/store/run_store.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wb::transfer {

struct RankedSource {
    store::ZooEntry entry;
    std::optional<double> distance; // computed for candidates under `auto`
    bool converged = true;
    bool cached = false;
    std::string excluded; // why the entry cannot be chosen; empty = a candidate
};

struct SourceChoice {
    std::string mode; // auto | random | id
    store::ZooEntry chosen;
    std::optional<double> distance;
    std::vector<RankedSource> ranking; // candidates nearest first, then the excluded ones
    std::string rankingJson() const;
    // How the store links a run warm-started from this choice (its runId left 0).
    store::TransferRecord record() const;
};

// The target dataset as each zoo source was loaded (its size and channels), loaded once per
// geometry, to recognise a source that is the target itself.
class TargetViews {
public:
    explicit TargetViews(darts::DataConfig target) : m_target(std::move(target)) {}
    // The target's fingerprint as source `s` was loaded (s's own when they are one folder).
    const std::string& fingerprintAs(const store::ZooSource& s);
    // Whether one of the entry's sources is the target dataset.
    bool isSourceOf(const store::ZooEntry& entry);

private:
    darts::DataConfig m_target;
    std::map<std::pair<int, int>, std::string> m_fingerprints;
};

// Why `entry` cannot warm-start `target` (whose images have targetChannels after conversion),
// or empty: the search space must match, and no source may be the target itself. targetAs(s)
// gives the target's fingerprint when loaded as source s was (its size and channels).
std::string exclusionReason(const store::ZooEntry& entry, const darts::SearchConfig& target,
                            int targetChannels,
                            const std::function<std::string(const store::ZooSource&)>& targetAs);

// `how` is "auto", "random", a zoo id, or "measured:ID": zoo entry ID with its distance to the
// target computed too (an id alone skips it). Distances come from the store's cache when present
// and are cached there when computed. Throws wb::Error when nothing can be chosen (empty zoo, every
// entry excluded, an unknown or excluded id) and when a distance fails; a stop request ends
// with wb::Error("cancelled").
SourceChoice chooseSource(const std::string& how, const darts::SearchConfig& target,
                          store::RunStore& db, const ot::DistanceConfig& distance,
                          RunControl& control, ot::OtObserver& observer);

// The WarmStart of a search config for a zoo entry.
darts::WarmStart warmStartFrom(const store::ZooEntry& entry, bool keepHead);

} // namespace wb::transfer
