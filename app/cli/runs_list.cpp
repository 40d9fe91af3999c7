// `supernet runs list|tag|note`: finding runs again, and labelling them.

#include "commands.h"
#include "store_flags.h"
#include "table_text.h"

#include "wb/common/error.h"
#include "wb/store/json_shapes.h"
#include "wb/store/run_filter.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace wb::cli {
namespace {

struct ListOptions {
    StoreFlags store;
    bool json = false;
    std::string kind;
    std::string status;
    std::string sort = "id";
    store::RunFilter filter;
};

void listRuns(ListOptions& o)
{
    auto& f = o.filter;
    if (!o.kind.empty()) store::requireKnownRole(o.kind);
    f.role = o.kind;
    if (!o.status.empty()) store::requireKnownStatus(o.status);
    f.status = o.status;
    f.order = store::parseRunOrder(o.sort);
    const auto path = o.store.path();
    if (!store::isServerWorkspace(path) && !std::filesystem::exists(path)) {
        if (o.json)
            std::cout << "[]" << std::endl;
        else
            std::cout << "no runs yet (no workspace at " << path << ")\n";
        return;
    }
    auto db = store::RunStore::openExisting(path);
    const auto all = db.listRuns();
    const auto runs = store::filterRuns(all, f);
    if (o.json) {
        auto out = nlohmann::json::array();
        for (const auto& r : runs)
            out.push_back(store::runSummaryJson(r));
        std::cout << out.dump(2) << std::endl;
        return;
    }
    if (runs.empty()) {
        std::cout << (all.empty() ? "no runs yet in " + db.path()
                                  : "no run matches (" + std::to_string(all.size()) + " runs in " +
                                        db.path() + ")")
                  << "\n";
        return;
    }
    std::cout << padded("ID", 5, true) << "  " << padded("KIND", 9) << padded("STATUS", 12)
              << padded("SEED", 5, true) << padded("EPOCHS", 7, true) << padded("BEST VAL", 9, true)
              << padded("TEST", 8, true) << padded("SECONDS", 9, true) << "  "
              << padded("STARTED", 21) << padded("FROM", 10) << "DATASET  TAGS\n";
    for (const auto& r : runs) {
        std::string tags;
        for (const auto& t : r.tags)
            tags += (tags.empty() ? "" : ",") + t;
        std::cout << padded(std::to_string(r.id), 5, true) << "  " << padded(r.role, 9)
                  << padded(statusName(r.status, r.stopReason), 12)
                  << padded(std::to_string(r.seed), 5, true)
                  << padded(std::to_string(r.epochs), 7, true)
                  << padded(r.bestValAcc ? fixed(*r.bestValAcc, 4) : "-", 9, true)
                  << padded(r.testAcc ? fixed(*r.testAcc, 4) : "-", 8, true)
                  << padded(fixed(r.seconds, 1), 9, true) << "  "
                  << padded(store::isoTime(r.startedAt), 21)
                  << padded(r.warmStart.empty() ? "-" : r.warmStart, 10) << r.datasetPath
                  << (tags.empty() ? "" : "  " + tags) << "\n";
    }
}

} // namespace

void addRunsListCommands(CLI::App& runs, int& exitCode)
{
    auto o = std::make_shared<ListOptions>();
    auto* list = runs.add_subcommand("list", "List the runs, filtered and sorted");
    o->store.add(*list, false);
    list->add_flag("--json", o->json, "Print JSON");
    list->add_option("--kind", o->kind,
                     "Only runs of this kind: search, pretrain, transfer, train");
    list->add_option("--status", o->status,
                     "Only runs in this state: running, done, stopped (early, by --stop-on), "
                     "cancelled, failed, interrupted");
    list->add_option("--dataset", o->filter.dataset,
                     "Only runs whose dataset path contains TEXT or whose fingerprint starts "
                     "with it");
    list->add_option("--tag", o->filter.tag, "Only runs with this tag");
    list->add_option("--sort", o->sort,
                     "Order: id, started (oldest first), val, test (best first), seconds "
                     "(longest first)")
        ->capture_default_str();
    list->add_flag("--reverse", o->filter.reverse, "Reverse the order");
    list->add_option("--limit", o->filter.limit,
                     "Show at most N runs: the newest, or the first N of --sort")
        ->check(CLI::NonNegativeNumber);
    list->callback([o, &exitCode] {
        listRuns(*o);
        exitCode = 0;
    });

    struct TagOptions {
        StoreFlags store;
        std::int64_t id = 0;
        std::vector<std::string> tags;
        bool remove = false;
    };
    auto t = std::make_shared<TagOptions>();
    auto* tag = runs.add_subcommand("tag", "Add tags to a run (or remove them with --remove)");
    tag->add_option("id", t->id, "Run id")->required();
    tag->add_option("tags", t->tags, "Tags: 1-64 characters, no spaces or commas")->required();
    t->store.add(*tag, false);
    tag->add_flag("--remove", t->remove, "Remove the tags instead");
    tag->callback([t, &exitCode] {
        auto db = store::RunStore::openExisting(t->store.path());
        for (const auto& name : t->tags)
            t->remove ? db.removeTag(t->id, name) : db.addTag(t->id, name);
        std::string now;
        for (const auto& name : db.run(t->id).tags)
            now += (now.empty() ? "" : ", ") + name;
        std::cout << "run " << t->id << " tags: " << (now.empty() ? "(none)" : now) << "\n";
        exitCode = 0;
    });

    struct NoteOptions {
        StoreFlags store;
        std::int64_t id = 0;
        std::string text;
    };
    auto n = std::make_shared<NoteOptions>();
    auto* note = runs.add_subcommand("note", "Set a run's note (an empty text clears it)");
    note->add_option("id", n->id, "Run id")->required();
    note->add_option("text", n->text, "The note")->required();
    n->store.add(*note, false);
    note->callback([n, &exitCode] {
        auto db = store::RunStore::openExisting(n->store.path());
        db.setNote(n->id, n->text);
        std::cout << "run " << n->id << (n->text.empty() ? ": note cleared" : ": note saved")
                  << "\n";
        exitCode = 0;
    });
}

} // namespace wb::cli
