#pragma once

// The table of a paired experiment: per target x arm, means and standard deviations over seeds.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wb::transfer {

// One finished (or failed) search of one arm, with its retraining.
struct ArmOutcome {
    std::string target;
    std::string arm; // scratch | ot | random | multi
    std::uint64_t seed = 0;
    std::string source;             // zoo entry name of the warm start
    std::optional<double> distance; // OTDD target -> source, when computed
    std::vector<double> valCurve;   // supernet val accuracy per epoch
    std::optional<double> testAcc;  // retrained derived cell, held-out test split
    double seconds = 0;             // search + retraining wall time
    std::string error;              // non-empty: the arm failed
    bool undecided = false;         // the search ended with its architecture undecided
    int valImages = 0;              // the validation split's size (0: unknown)
};

struct Stat {
    int n = 0;
    double mean = 0;
    double std = 0; // sample standard deviation (0 for n = 1)
};
Stat stat(const std::vector<double>& values);

struct ArmSummary {
    std::string target, arm;
    int seeds = 0;
    int failed = 0;
    std::string sources; // distinct sources chosen over the seeds, comma-separated
    Stat distance;
    Stat bestVal;             // best supernet val accuracy
    Stat epochsToScratchBest; // over the seeds that reached it
    int reached = 0;          // seeds that reached the scratch arm's best (same seed)
    Stat speedUp;             // over the seeds that reached it
    // The same within one binomial standard error of scratch's best on the scratch arm's
    // validation split (speedUp's tolerance): what the tables lead with.
    int reachedWithin = 0;
    Stat speedUpWithin;
    Stat aucGain; // mean val accuracy gain over scratch across the budget (same seed)
    Stat testAcc;
    Stat seconds;
    int undecided = 0; // seeds whose search ended undecided (its cell follows noise)
};

// Speed-ups and AUC gains are taken against the scratch arm of the same target and seed; without
// one (the scratch arm failed or was not run) they are left empty. The tables lead with the
// speed-up within one standard error: the exact one counts an arm that ends a fraction of a
// validation image short of scratch's best as "not reached", which says nothing near the ceiling.
std::vector<ArmSummary> summarise(const std::vector<ArmOutcome>& outcomes);

std::string markdownTable(const std::vector<ArmSummary>& rows);
std::string csvTable(const std::vector<ArmSummary>& rows);
std::string jsonTable(const std::vector<ArmSummary>& rows); // an array of objects

} // namespace wb::transfer
