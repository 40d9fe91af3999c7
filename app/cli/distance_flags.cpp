#include "distance_flags.h"

#include "wb/jobs/warm_start_source.h"

#include <cstdio>

namespace wb::cli {

void QuietOtProgress::onIssue(const Issue& issue)
{
    std::fprintf(stderr, "warning: %s\n", issue.message.c_str());
}

void DistanceFlags::add(CLI::App& cmd)
{
    auto& config = settings.config;
    cmd.add_option("--embed", settings.embed,
                   "Embedder of the source ranking: pixels | torchscript:FILE | "
                   "supernet:RUN_OR_CHECKPOINT | auto (the newest multi-dataset zoo supernet, "
                   "else pixels)")
        ->capture_default_str();
    cmd.add_option("--embed-size", config.embedder.size,
                   "Resize images to S x S for the distance (0 = the target's size)")
        ->capture_default_str();
    cmd.add_option("--embed-dim", config.embedDim,
                   "PCA to D dims (0 = off), one basis for the target and every candidate")
        ->capture_default_str();
    cmd.add_option("--inner", settings.inner, "Label-to-label distance: exact|gaussian")
        ->capture_default_str();
    cmd.add_option("--maxsamples", config.maxSamples, "Samples per dataset (0 = all)")
        ->capture_default_str();
    cmd.add_option("--entreg", config.entreg, "Entropic regularisation eps")->capture_default_str();
}

void printRanking(const transfer::SourceChoice& choice, const std::string& note)
{
    if (!note.empty()) std::fprintf(stderr, "%s\n", note.c_str());
    std::fprintf(stderr, "source (%s):\n", choice.mode.c_str());
    int rank = 0;
    for (const auto& r : choice.ranking) {
        const bool chosen = r.entry.id == choice.chosen.id;
        if (!r.excluded.empty()) {
            std::fprintf(stderr, "   -  zoo %lld %-20s excluded: %s\n",
                         static_cast<long long>(r.entry.id), r.entry.name.c_str(),
                         r.excluded.c_str());
            continue;
        }
        char dist[32] = "";
        if (r.distance)
            std::snprintf(dist, sizeof dist, "%10.4g%s", *r.distance, r.converged ? "" : "*");
        std::fprintf(stderr, "  %2d. zoo %lld %-20s %s%s%s\n", ++rank,
                     static_cast<long long>(r.entry.id), r.entry.name.c_str(), dist,
                     r.cached ? " (cached)" : "", chosen ? "  <- chosen" : "");
    }
}

transfer::SourceChoice chooseSource(const std::string& dbPath, const std::string& how,
                                    darts::SearchConfig& config, const DistanceFlags& distance,
                                    bool keepHead, RunControl& control)
{
    QuietOtProgress progress;
    std::string note;
    auto choice = jobs::chooseWarmStart(dbPath, how, config, distance.settings, keepHead, control,
                                        progress, &note);
    printRanking(choice, note);
    return choice;
}

} // namespace wb::cli
