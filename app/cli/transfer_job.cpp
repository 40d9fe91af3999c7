#include "transfer_job.h"

#include "supernet_embedder.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"

#include <cstdio>
#include <thread>

namespace wb::cli {
namespace {

// Distances of a ranking take seconds each: one line per finished pair stage is enough.
class QuietOtProgress : public ot::OtObserver {
public:
    void onIssue(const darts::Issue& issue) override
    {
        std::fprintf(stderr, "warning: %s\n", issue.message.c_str());
    }
};

} // namespace

void DistanceFlags::add(CLI::App& cmd)
{
    cmd.add_option("--embed", embed,
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
    cmd.add_option("--inner", inner, "Label-to-label distance: exact|gaussian")
        ->capture_default_str();
    cmd.add_option("--maxsamples", config.maxSamples, "Samples per dataset (0 = all)")
        ->capture_default_str();
    cmd.add_option("--entreg", config.entreg, "Entropic regularisation eps")->capture_default_str();
}

ot::DistanceConfig DistanceFlags::finish(store::RunStore& db) const
{
    auto c = config;
    c.embedder = ot::EmbedderConfig::parse(autoEmbedder(embed, &db));
    c.embedder.size = config.embedder.size;
    // One feature space for the whole ranking: the supernet's, at its own image size.
    if (c.embedder.kind == ot::EmbedderConfig::Kind::Supernet) resolveSupernet(c.embedder, &db);
    c.inner = ot::parseInnerMethod(inner);
    c.threads = int(std::max(1u, std::thread::hardware_concurrency()));
    c.validate();
    return c;
}

transfer::SourceChoice prepareTransfer(const std::string& dbPath, const std::string& how,
                                       darts::SearchConfig& config, const DistanceFlags& distance,
                                       bool keepHead, RunControl& control)
{
    auto db = store::RunStore::open(dbPath);
    QuietOtProgress progress;
    auto choice = transfer::chooseSource(how, config, db, distance.finish(db), control, progress);
    config.warmStart = transfer::warmStartFrom(choice.chosen, keepHead);
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
    return choice;
}

void recordTransferOf(const std::string& dbPath, std::int64_t runId,
                      const transfer::SourceChoice& choice)
{
    auto db = store::RunStore::open(dbPath);
    db.recordTransfer({runId, choice.chosen.id, choice.chosen.name, choice.mode, choice.distance,
                       choice.rankingJson()});
}

} // namespace wb::cli
