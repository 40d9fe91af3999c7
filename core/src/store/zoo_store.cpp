// RunStore: the zoo of pretrained supernets and the transfer links of warm-started runs.

#include "run_store_impl.h"

#include <nlohmann/json.hpp>

namespace wb::store {
using namespace detail;
using nlohmann::json;
namespace {

json sourcesJson(const std::vector<ZooSource>& sources)
{
    auto out = json::array();
    for (const auto& s : sources)
        out.push_back({{"name", s.name},
                       {"path", s.path},
                       {"fingerprint", s.fingerprint},
                       {"classes", s.classes},
                       {"channels", s.channels},
                       {"image_size", s.imageSize}});
    return out;
}

std::vector<ZooSource> sourcesFrom(const std::string& text, const std::string& where)
{
    std::vector<ZooSource> out;
    try {
        for (const auto& j : json::parse(text))
            out.push_back({j.at("name"), j.at("path"), j.at("fingerprint"), j.at("classes"),
                           j.at("channels"), j.at("image_size")});
    } catch (const json::exception& e) {
        throw Error(where + ": unreadable zoo sources (" + e.what() + ")");
    }
    return out;
}

constexpr const char* kZooColumns =
    "SELECT id, name, run_id, created_at, sources, search_config, checkpoint, "
    "checkpoint_sha256, val_acc FROM zoo";

ZooEntry zooRow(const sql::Statement& q, const std::string& path)
{
    ZooEntry e;
    e.id = q.int64(0);
    e.name = q.text(1);
    e.runId = q.int64(2);
    e.createdAt = q.real(3);
    e.sources = sourcesFrom(q.text(4), path);
    e.searchConfigJson = q.text(5);
    e.checkpoint = q.text(6);
    e.checkpointSha256 = q.text(7);
    if (!q.isNull(8)) e.valAcc = q.real(8);
    return e;
}

} // namespace

std::int64_t RunStore::addZooEntry(const ZooEntry& entry)
{
    std::int64_t id = 0;
    if (entry.name.empty()) throw Error("zoo: an entry needs a name");
    if (entry.sources.empty()) throw Error("zoo: an entry needs its source dataset(s)");
    if (entry.checkpoint.empty())
        throw Error("zoo: run " + std::to_string(entry.runId) +
                    " has no checkpoint (was it recorded with --no-store?)");
    transaction([&] {
        m_impl->requireRun(entry.runId);
        auto dup = m_impl->prepare("SELECT id FROM zoo WHERE name = ?");
        dup.bind(1, entry.name);
        if (dup.step("looking up the zoo"))
            throw Error("zoo: the name '" + entry.name + "' is taken by entry " +
                        std::to_string(dup.int64(0)) + "; choose another with --name");
        auto s = m_impl->prepare(
            "INSERT INTO zoo (name, run_id, created_at, sources, search_config, checkpoint, "
            "checkpoint_sha256, val_acc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        s.bind(1, entry.name)
            .bind(2, entry.runId)
            .bind(3, now())
            .bind(4, sourcesJson(entry.sources).dump())
            .bind(5, entry.searchConfigJson)
            .bind(6, entry.checkpoint)
            .bind(7, entry.checkpointSha256);
        if (entry.valAcc)
            s.bind(8, *entry.valAcc);
        else
            s.bindNull(8);
        s.run("adding to the zoo");
        id = m_impl->db->lastInsertId();
    });
    return id;
}

std::vector<ZooEntry> RunStore::zoo()
{
    std::vector<ZooEntry> out;
    auto q = m_impl->prepare(std::string(kZooColumns) + " ORDER BY id");
    while (q.step("reading the zoo"))
        out.push_back(zooRow(q, m_impl->path));
    return out;
}

ZooEntry RunStore::zooEntry(std::int64_t id)
{
    auto q = m_impl->prepare(std::string(kZooColumns) + " WHERE id = ?");
    q.bind(1, id);
    if (!q.step("reading the zoo"))
        throw Error("zoo entry " + std::to_string(id) + " not found in " + m_impl->path);
    return zooRow(q, m_impl->path);
}

void RunStore::removeZooEntry(std::int64_t id)
{
    transaction([&] {
        auto s = m_impl->prepare("DELETE FROM zoo WHERE id = ?");
        s.bind(1, id).run("removing from the zoo");
        if (m_impl->db->changes() == 0)
            throw Error("zoo entry " + std::to_string(id) + " not found in " + m_impl->path);
    });
}

void RunStore::recordTransfer(const TransferRecord& t)
{
    transaction([&] {
        auto s = m_impl->prepare(sql::upsert(
            "transfers", {"run_id"}, {"zoo_id", "zoo_name", "mode", "distance", "ranking"}));
        s.bind(1, t.runId);
        if (t.zooId)
            s.bind(2, *t.zooId);
        else
            s.bindNull(2);
        s.bind(3, t.zooName).bind(4, t.mode);
        if (t.distance)
            s.bind(5, *t.distance);
        else
            s.bindNull(5);
        s.bind(6, t.rankingJson).run("recording the transfer of run " + std::to_string(t.runId));
    });
}

std::optional<TransferRecord> RunStore::transfer(std::int64_t runId)
{
    auto q = m_impl->prepare("SELECT zoo_id, zoo_name, mode, distance, ranking FROM transfers "
                             "WHERE run_id = ?");
    q.bind(1, runId);
    if (!q.step("reading the transfer of run " + std::to_string(runId))) return std::nullopt;
    TransferRecord t;
    t.runId = runId;
    if (!q.isNull(0)) t.zooId = q.int64(0);
    t.zooName = q.text(1);
    t.mode = q.text(2);
    if (!q.isNull(3)) t.distance = q.real(3);
    t.rankingJson = q.text(4);
    return t;
}

} // namespace wb::store
