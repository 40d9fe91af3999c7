// RunStore: paired experiments and their cells (target x seed x arm -> runs).

#include "run_store_impl.h"

namespace wb::store {

namespace {
constexpr std::pair<CellState, const char*> kCellStates[] = {{CellState::Pending, "pending"},
                                                             {CellState::Searching, "searching"},
                                                             {CellState::Training, "training"},
                                                             {CellState::Done, "done"},
                                                             {CellState::Failed, "failed"}};
} // namespace

std::string cellStateName(CellState state)
{
    for (const auto& [s, name] : kCellStates)
        if (s == state) return name;
    return "unknown";
}

CellState parseCellState(const std::string& name)
{
    for (const auto& [s, n] : kCellStates)
        if (n == name) return s;
    throw Error("unknown experiment cell state '" + name + "' (written by a newer version?)");
}
using namespace detail;
namespace {

template <typename T> void bindOptional(sql::Statement& s, int index, const std::optional<T>& v)
{
    if (v)
        s.bind(index, *v);
    else
        s.bindNull(index);
}

} // namespace

std::int64_t RunStore::createExperiment(const std::string& specJson, const std::string& outDir)
{
    std::int64_t id = 0;
    transaction([&] {
        auto s = m_impl->prepare("INSERT INTO experiments (created_at, spec, status, out_dir) "
                                 "VALUES (?, ?, 'running', ?)");
        s.bind(1, now()).bind(2, specJson).bind(3, outDir).run("creating an experiment");
        id = m_impl->db->lastInsertId();
    });
    return id;
}

void RunStore::setExperimentStatus(std::int64_t id, const std::string& status)
{
    transaction([&] {
        auto s = m_impl->prepare("UPDATE experiments SET status = ? WHERE id = ?");
        s.bind(1, status).bind(2, id).run("updating experiment " + std::to_string(id));
        if (m_impl->db->changes() == 0)
            throw Error("experiment " + std::to_string(id) + " not found in " + m_impl->path);
    });
}

void RunStore::putExperimentCell(std::int64_t id, const ExperimentCell& c)
{
    transaction([&] {
        auto s = m_impl->prepare(
            "INSERT INTO experiment_cells (experiment_id, target, seed, arm, status, "
            "search_run_id, train_run_id, zoo_id, source, distance, test_acc, seconds, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            // An upsert keeps the row (and so the cell order) of an existing cell.
            "ON CONFLICT (experiment_id, target, seed, arm) DO UPDATE SET status = "
            "excluded.status, search_run_id = excluded.search_run_id, train_run_id = "
            "excluded.train_run_id, zoo_id = excluded.zoo_id, source = excluded.source, "
            "distance = excluded.distance, test_acc = excluded.test_acc, seconds = "
            "excluded.seconds, error = excluded.error");
        s.bind(1, id)
            .bind(2, c.target)
            .bind(3, std::int64_t(c.seed))
            .bind(4, c.arm)
            .bind(5, cellStateName(c.state));
        bindOptional(s, 6, c.searchRunId);
        bindOptional(s, 7, c.trainRunId);
        bindOptional(s, 8, c.zooId);
        s.bind(9, c.source);
        bindOptional(s, 10, c.distance);
        bindOptional(s, 11, c.testAcc);
        s.bind(12, c.seconds).bind(13, c.error).run("recording an experiment cell");
    });
}

std::vector<ExperimentRecord> RunStore::experiments()
{
    std::vector<ExperimentRecord> out;
    auto q = m_impl->prepare(
        "SELECT id, created_at, spec, status, out_dir FROM experiments ORDER BY id");
    while (q.step("listing experiments"))
        out.push_back({q.int64(0), q.real(1), q.text(2), q.text(3), q.text(4), {}});
    return out;
}

ExperimentRecord RunStore::experiment(std::int64_t id)
{
    auto q = m_impl->prepare(
        "SELECT id, created_at, spec, status, out_dir FROM experiments WHERE id = ?");
    q.bind(1, id);
    if (!q.step("reading experiment " + std::to_string(id)))
        throw Error("experiment " + std::to_string(id) + " not found in " + m_impl->path);
    ExperimentRecord e{q.int64(0), q.real(1), q.text(2), q.text(3), q.text(4), {}};
    auto c = m_impl->prepare(
        "SELECT target, seed, arm, status, search_run_id, train_run_id, zoo_id, source, "
        "distance, test_acc, seconds, error FROM experiment_cells WHERE experiment_id = ? "
        "ORDER BY rowid");
    c.bind(1, id);
    while (c.step("reading experiment " + std::to_string(id))) {
        ExperimentCell cell;
        cell.target = c.text(0);
        cell.seed = std::uint64_t(c.int64(1));
        cell.arm = c.text(2);
        cell.state = parseCellState(c.text(3));
        if (!c.isNull(4)) cell.searchRunId = c.int64(4);
        if (!c.isNull(5)) cell.trainRunId = c.int64(5);
        if (!c.isNull(6)) cell.zooId = c.int64(6);
        cell.source = c.text(7);
        if (!c.isNull(8)) cell.distance = c.real(8);
        if (!c.isNull(9)) cell.testAcc = c.real(9);
        cell.seconds = c.real(10);
        cell.error = c.text(11);
        e.cells.push_back(std::move(cell));
    }
    return e;
}

} // namespace wb::store
