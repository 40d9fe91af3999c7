#include "wb/transfer/experiment_report.h"

#include "wb/common/csv.h"
#include "wb/transfer/speedup.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace wb::transfer {
namespace {

std::string fmt(double v, const char* format)
{
    char text[48];
    std::snprintf(text, sizeof text, format, v);
    return text;
}

// "0.812 ± 0.010", "-" when there is no value.
std::string cell(const Stat& s, const char* format)
{
    if (s.n == 0) return "-";
    auto text = fmt(s.mean, format);
    if (s.n > 1) text += " ± " + fmt(s.std, format);
    return text;
}

nlohmann::json statJson(const Stat& s)
{
    if (s.n == 0) return nullptr;
    return {{"n", s.n}, {"mean", s.mean}, {"std", s.std}};
}

} // namespace

Stat stat(const std::vector<double>& values)
{
    Stat s;
    s.n = int(values.size());
    if (s.n == 0) return s;
    for (double v : values)
        s.mean += v / s.n;
    if (s.n > 1) {
        double sq = 0;
        for (double v : values)
            sq += (v - s.mean) * (v - s.mean);
        s.std = std::sqrt(sq / (s.n - 1));
    }
    return s;
}

std::vector<ArmSummary> summarise(const std::vector<ArmOutcome>& outcomes)
{
    // Scratch curves by (target, seed): the reference of every arm's speed-up.
    std::map<std::pair<std::string, std::uint64_t>, const ArmOutcome*> scratch;
    for (const auto& o : outcomes)
        if (o.arm == "scratch" && o.error.empty() && !o.valCurve.empty())
            scratch[{o.target, o.seed}] = &o;

    std::vector<ArmSummary> rows;
    std::vector<std::pair<std::string, std::string>> order;
    for (const auto& o : outcomes)
        if (std::find(order.begin(), order.end(), std::pair{o.target, o.arm}) == order.end())
            order.push_back({o.target, o.arm});
    for (const auto& [target, arm] : order) {
        ArmSummary row;
        row.target = target;
        row.arm = arm;
        std::vector<double> dist, best, epochs, speed, within, auc, test, secs;
        std::set<std::string> sources;
        for (const auto& o : outcomes) {
            if (o.target != target || o.arm != arm) continue;
            ++row.seeds;
            if (!o.error.empty() || o.valCurve.empty()) {
                ++row.failed;
                continue;
            }
            if (!o.source.empty()) sources.insert(o.source);
            if (o.distance) dist.push_back(*o.distance);
            best.push_back(*std::max_element(o.valCurve.begin(), o.valCurve.end()));
            if (o.testAcc) test.push_back(*o.testAcc);
            secs.push_back(o.seconds);
            row.undecided += o.undecided;
            const auto ref = scratch.find({o.target, o.seed});
            if (ref == scratch.end()) continue;
            const auto& scratchCurve = ref->second->valCurve;
            const auto s = speedUp(scratchCurve, o.valCurve);
            if (s.factor) {
                ++row.reached;
                epochs.push_back(*s.warmEpochs);
                speed.push_back(*s.factor);
            }
            const auto tolerance = binomialStandardError(s.scratchBest, ref->second->valImages);
            if (const auto w = speedUp(scratchCurve, o.valCurve, tolerance); w.factor) {
                ++row.reachedWithin;
                within.push_back(*w.factor);
            }
            auc.push_back(aucGain(scratchCurve, o.valCurve));
        }
        for (const auto& s : sources)
            row.sources += (row.sources.empty() ? "" : ",") + s;
        row.distance = stat(dist);
        row.bestVal = stat(best);
        row.epochsToScratchBest = stat(epochs);
        row.speedUp = stat(speed);
        row.speedUpWithin = stat(within);
        row.aucGain = stat(auc);
        row.testAcc = stat(test);
        row.seconds = stat(secs);
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string markdownTable(const std::vector<ArmSummary>& rows)
{
    std::string out = "| target | arm | source | distance | best val acc | speed-up within 1 SE "
                      "| reached within 1 SE | AUC gain | epochs to scratch best | reached | "
                      "speed-up | test acc | seconds | undecided |\n"
                      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : rows) {
        const int ran = r.seeds - r.failed;
        out += "| " + r.target + " | " + r.arm + " | " + (r.sources.empty() ? "-" : r.sources) +
               " | " + cell(r.distance, "%.4g") + " | " + cell(r.bestVal, "%.3f") + " | " +
               cell(r.speedUpWithin, "%.2f") + " | " + std::to_string(r.reachedWithin) + "/" +
               std::to_string(ran) + " | " + cell(r.aucGain, "%+.3f") + " | " +
               cell(r.epochsToScratchBest, "%.1f") + " | " + std::to_string(r.reached) + "/" +
               std::to_string(ran) +
               (r.reached < ran ? " (not reached: " + std::to_string(ran - r.reached) + ")" : "") +
               " | " + cell(r.speedUp, "%.2f") + " | " + cell(r.testAcc, "%.3f") + " | " +
               cell(r.seconds, "%.0f") + " | " + std::to_string(r.undecided) + "/" +
               std::to_string(ran) +
               (r.failed ? " | " + std::to_string(r.failed) + " failed" : "") + " |\n";
    }
    return out;
}

std::string csvTable(const std::vector<ArmSummary>& rows)
{
    std::string out = "target,arm,seeds,failed,sources,distance_mean,distance_std,best_val_mean,"
                      "best_val_std,epochs_to_scratch_best_mean,epochs_to_scratch_best_std,"
                      "reached,speedup_mean,speedup_std,test_acc_mean,test_acc_std,"
                      "seconds_mean,seconds_std,undecided,reached_within_se,"
                      "speedup_within_se_mean,speedup_within_se_std,auc_gain_mean,auc_gain_std\n";
    const auto add = [](std::vector<std::string>& fields, const Stat& s) {
        fields.push_back(s.n == 0 ? "" : fmt(s.mean, "%.6g"));
        fields.push_back(s.n == 0 ? "" : fmt(s.std, "%.6g"));
    };
    for (const auto& r : rows) {
        std::vector<std::string> f = {r.target, r.arm, std::to_string(r.seeds),
                                      std::to_string(r.failed), r.sources};
        add(f, r.distance);
        add(f, r.bestVal);
        add(f, r.epochsToScratchBest);
        f.push_back(std::to_string(r.reached));
        add(f, r.speedUp);
        add(f, r.testAcc);
        add(f, r.seconds);
        f.push_back(std::to_string(r.undecided));
        f.push_back(std::to_string(r.reachedWithin));
        add(f, r.speedUpWithin);
        add(f, r.aucGain);
        out += csvRow(f);
    }
    return out;
}

std::string jsonTable(const std::vector<ArmSummary>& rows)
{
    auto out = nlohmann::json::array();
    for (const auto& r : rows)
        out.push_back({{"target", r.target},
                       {"arm", r.arm},
                       {"seeds", r.seeds},
                       {"failed", r.failed},
                       {"sources", r.sources},
                       {"distance", statJson(r.distance)},
                       {"best_val_acc", statJson(r.bestVal)},
                       {"epochs_to_scratch_best", statJson(r.epochsToScratchBest)},
                       {"reached", r.reached},
                       {"speedup", statJson(r.speedUp)},
                       {"test_acc", statJson(r.testAcc)},
                       {"seconds", statJson(r.seconds)},
                       {"undecided", r.undecided},
                       {"reached_within_se", r.reachedWithin},
                       {"speedup_within_se", statJson(r.speedUpWithin)},
                       {"auc_gain", statJson(r.aucGain)}});
    return out.dump(2);
}

} // namespace wb::transfer
