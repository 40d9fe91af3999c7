// `supernet pretrain` and `supernet zoo list|add|remove`: the zoo of pretrained supernets.

#include "commands.h"
#include "common_flags.h"
#include "parallel_flags.h"
#include "queue_flags.h"
#include "run_job.h"
#include "search_flags.h"
#include "store_flags.h"

#include "wb/common/error.h"
#include "wb/darts/search.h"
#include "wb/jobs/recorded.h"
#include "wb/jobs/zoo_entry.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

using nlohmann::json;

namespace wb::cli {
namespace {

std::int64_t addToZoo(const std::string& dbPath, std::int64_t runId, const std::string& name)
{
    store::RunStore::Options existing;
    existing.create = false; // the run must already be in this workspace
    auto db = store::RunStore::open(dbPath, existing);
    auto entry = jobs::zooEntryForRun(db, runId, name);
    const auto id = db.addZooEntry(entry);
    std::cerr << "zoo entry " << id << " '" << entry.name << "' (run " << runId << ")" << std::endl;
    return id;
}

json entryJson(const store::ZooEntry& e)
{
    const auto config = darts::SearchConfig::fromJson(e.searchConfigJson);
    json sources = json::array();
    for (const auto& s : e.sources)
        sources.push_back({{"name", s.name},
                           {"path", s.path},
                           {"fingerprint", s.fingerprint},
                           {"classes", s.classes},
                           {"channels", s.channels},
                           {"image_size", s.imageSize}});
    return {{"id", e.id},
            {"name", e.name},
            {"run_id", e.runId},
            {"created_at", store::isoTime(e.createdAt)},
            {"sources", sources},
            {"search_space",
             {{"channels", config.channels},
              {"layers", config.layers},
              {"nodes", config.nodes},
              {"primitives", config.effectivePrimitives()},
              {"image_channels", e.inChannels()}}},
            {"checkpoint", e.checkpoint},
            {"checkpoint_sha256", e.checkpointSha256},
            {"val_acc", e.valAcc ? json(*e.valAcc) : json(nullptr)}};
}

void addPretrain(CLI::App& root, int& exitCode)
{
    struct Options {
        darts::SearchConfig config;
        CommonFlags common;
        StoreFlags store;
        QueueFlags queue;
        ParallelFlags parallel;
        std::string name;
    };
    auto o = std::make_shared<Options>();
    auto& c = o->config;
    auto* cmd = root.add_subcommand(
        "pretrain", "Search a supernet for the zoo: on one dataset, or jointly on several (shared "
                    "body and alphas, one head per dataset, round-robin steps)");
    o->common.add(*cmd, c.data, c.runtime, c.weights, true);
    o->store.add(*cmd, false);
    addSearchFlags(*cmd, c);
    cmd->add_option("--name", o->name, "Zoo entry name (default: the folder names joined by '+')");
    o->queue.add(*cmd);
    o->parallel.add(*cmd);
    cmd->callback([o, &exitCode] {
        auto& config = o->config;
        o->common.finish(config.data, config.moreData);
        o->parallel.finish(config);
        config.validate();
        const auto dbPath = o->store.path();
        if (o->queue.queue) {
            o->parallel.refuseFor("a queued job");
            jobs::QueuedJob job;
            job.kind = "pretrain";
            job.search = config;
            job.zooName = o->name;
            exitCode = queueJob(dbPath, job, o->queue, config.runtime.device, o->common.json);
            return;
        }
        if (const auto code = o->parallel.runAsHelper(config.runtime)) {
            exitCode = *code;
            return;
        }
        o->parallel.startLocalRanks();
        std::optional<std::int64_t> zooId;
        exitCode = runJob(
            o->common.json, config.epochs, [&](RunControl& control, darts::RunObserver& observer) {
                auto p = jobs::recordedPretrain(dbPath, config, o->name, control, observer,
                                                announceRun(dbPath));
                zooId = p.zooId;
                if (!p.zooError.empty())
                    std::cerr << "supernet: not added to the zoo: " << p.zooError << std::endl;
                return p.search;
            });
        exitCode = std::max(exitCode, o->parallel.waitLocalRanks());
        if (zooId)
            std::cerr << "zoo entry " << *zooId << " (" << store::redactedWorkspace(dbPath) << ")"
                      << std::endl;
        else if (exitCode == 0)
            exitCode = 1;
    });
}

void addZoo(CLI::App& root, int& exitCode)
{
    auto* zoo = root.add_subcommand("zoo", "The zoo of pretrained supernets (list, add, remove)");
    zoo->require_subcommand(1);

    struct ListOptions {
        StoreFlags store;
        bool json = false;
    };
    auto l = std::make_shared<ListOptions>();
    auto* list = zoo->add_subcommand("list", "List the zoo's supernets");
    l->store.add(*list, false);
    list->add_flag("--json", l->json, "Print a JSON array");
    list->callback([l, &exitCode] {
        auto db = store::RunStore::openExisting(l->store.path());
        const auto entries = db.zoo();
        if (l->json) {
            json out = json::array();
            for (const auto& e : entries)
                out.push_back(entryJson(e));
            std::cout << out.dump(2) << std::endl;
        } else {
            std::printf("%4s  %-24s %5s  %-8s %-9s %s\n", "id", "name", "run", "val acc",
                        "C/L/N/ch", "sources (classes)");
            for (const auto& e : entries) {
                const auto c = darts::SearchConfig::fromJson(e.searchConfigJson);
                std::string sources;
                for (const auto& s : e.sources)
                    sources += (sources.empty() ? "" : ", ") + s.name + " (" +
                               std::to_string(s.classes) + ")";
                char space[32];
                std::snprintf(space, sizeof space, "%d/%d/%d/%d", c.channels, c.layers, c.nodes,
                              e.inChannels());
                char acc[16] = "-";
                if (e.valAcc) std::snprintf(acc, sizeof acc, "%.3f", *e.valAcc);
                std::printf("%4lld  %-24s %5lld  %-8s %-9s %s\n", static_cast<long long>(e.id),
                            e.name.c_str(), static_cast<long long>(e.runId), acc, space,
                            sources.c_str());
            }
            if (entries.empty())
                std::printf("(empty: `supernet pretrain --data DIR` adds a supernet)\n");
        }
        exitCode = 0;
    });

    struct AddOptions {
        StoreFlags store;
        std::int64_t run = 0;
        std::string name;
    };
    auto a = std::make_shared<AddOptions>();
    auto* add = zoo->add_subcommand("add", "Add a finished search run to the zoo");
    add->add_option("run", a->run, "Run id")->required();
    add->add_option("--name", a->name, "Entry name (default: the dataset folder names)");
    a->store.add(*add, false);
    add->callback([a, &exitCode] {
        addToZoo(a->store.path(), a->run, a->name);
        exitCode = 0;
    });

    struct RemoveOptions {
        StoreFlags store;
        std::int64_t id = 0;
    };
    auto r = std::make_shared<RemoveOptions>();
    auto* remove =
        zoo->add_subcommand("remove", "Remove an entry from the zoo (its run and checkpoint stay)");
    remove->add_option("id", r->id, "Zoo entry id")->required();
    r->store.add(*remove, false);
    remove->callback([r, &exitCode] {
        store::RunStore::Options existing;
        existing.create = false;
        auto db = store::RunStore::open(r->store.path(), existing);
        db.removeZooEntry(r->id);
        std::cerr << "zoo entry " << r->id << " removed" << std::endl;
        exitCode = 0;
    });
}

} // namespace

void addZooCommands(CLI::App& root, int& exitCode)
{
    addPretrain(root, exitCode);
    addZoo(root, exitCode);
}

} // namespace wb::cli
