#include "wb/store/workspace_copy.h"

#include "connection.h"
#include "dialect.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <algorithm>
#include <string>
#include <vector>

namespace wb::store {
namespace {

struct Table {
    const char* name;
    // The primary key, in copy order: pages are read after the last key seen (keyset paging),
    // so a table is never held whole in memory. Empty: one read in rowid order (experiment
    // cells, whose readers rely on insertion order; few rows).
    std::vector<const char*> key;
    const char* identity; // an id column whose generator must follow the copied ids
};

// Parents before children, so foreign keys hold after every row.
const Table kTables[] = {
    {"datasets", {"fingerprint"}, nullptr},
    {"runs", {"id"}, "id"},
    {"run_tags", {"run_id", "tag"}, nullptr},
    {"epochs", {"run_id", "epoch"}, nullptr},
    {"steps", {"run_id", "epoch", "step"}, nullptr},
    {"alphas", {"run_id", "epoch"}, nullptr},
    {"collapse_signals", {"run_id", "epoch"}, nullptr},
    {"issues", {"id"}, "id"},
    {"checkpoints", {"run_id", "kind"}, nullptr},
    {"distances", {"fingerprint_a", "fingerprint_b", "embedder", "settings"}, nullptr},
    {"zoo", {"id"}, "id"},
    {"transfers", {"run_id"}, nullptr},
    {"experiments", {"id"}, "id"},
    {"experiment_cells", {}, nullptr},
    {"jobs", {"id"}, "id"},
    {"run_files", {"run_id", "name"}, nullptr},
    {"run_file_chunks", {"run_id", "name", "chunk"}, nullptr},
    {"cache_files", {"name"}, nullptr},
    {"cache_file_chunks", {"name", "chunk"}, nullptr},
    {"workers", {"name"}, nullptr},
};

// Rows read per page (memory) and values written per INSERT (round trips; far below both
// backends' parameter limits).
constexpr int kPageRows = 5000;
constexpr int kValuesPerInsert = 1000;

struct Value {
    sql::Kind kind = sql::Kind::Null;
    std::int64_t integer = 0;
    double real = 0;
    std::string bytes; // text or blob
};

void bind(sql::Statement& s, int index, const Value& v)
{
    switch (v.kind) {
    case sql::Kind::Null:
        s.bindNull(index);
        break;
    case sql::Kind::Integer:
        s.bind(index, v.integer);
        break;
    case sql::Kind::Real:
        s.bind(index, v.real);
        break;
    case sql::Kind::Text:
        s.bind(index, v.bytes);
        break;
    case sql::Kind::Blob:
        s.bindBlob(index, v.bytes.data(), v.bytes.size());
        break;
    }
}

std::string joined(const std::vector<std::string>& items, const char* separator)
{
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : separator) + item;
    return out;
}

// Writes `rows` (each `names.size()` values) in multi-row INSERTs.
void insertRows(sql::Connection& to, const std::string& table,
                const std::vector<std::string>& names, const std::vector<std::vector<Value>>& rows,
                const std::string& what)
{
    const auto perInsert = std::max<std::size_t>(1, kValuesPerInsert / names.size());
    std::string tuple = "("; // appended, not `"(" + ...`: GCC 12 warns wrongly (-Wrestrict)
    tuple += joined(std::vector<std::string>(names.size(), "?"), ", ");
    tuple += ")";
    for (std::size_t begin = 0; begin < rows.size(); begin += perInsert) {
        const auto end = std::min(rows.size(), begin + perInsert);
        std::string text = "INSERT INTO " + table + " (" + joined(names, ", ") + ") VALUES ";
        for (auto r = begin; r < end; ++r)
            text += (r == begin ? "" : ", ") + tuple;
        auto write = to.prepare(text);
        int index = 0;
        for (auto r = begin; r < end; ++r)
            for (const auto& v : rows[r])
                bind(write, ++index, v);
        write.run(what);
    }
}

void copyTable(sql::Connection& from, sql::Connection& to, const Table& table, std::int64_t& rows)
{
    const std::string what = std::string("copying ") + table.name;
    std::vector<std::string> key(table.key.begin(), table.key.end());
    const auto order = key.empty() ? std::string("rowid") : joined(key, ", ");
    std::vector<Value> last; // the key of the last row read
    while (true) {
        std::string text = std::string("SELECT * FROM ") + table.name;
        if (!last.empty())
            text += " WHERE (" + order + ") > (" +
                    joined(std::vector<std::string>(key.size(), "?"), ", ") + ")";
        text += " ORDER BY " + order;
        if (!key.empty()) text += " LIMIT " + std::to_string(kPageRows);
        auto read = from.prepare(text);
        for (std::size_t i = 0; i < last.size(); ++i)
            bind(read, int(i) + 1, last[i]);

        std::vector<std::string> names;
        std::vector<int> columns, keyColumns; // what goes across: not PostgreSQL's explicit rowid
        std::vector<std::vector<Value>> page;
        while (read.step(what)) {
            if (names.empty()) {
                for (int c = 0; c < read.columnCount(); ++c) {
                    if (read.columnName(c) == "rowid") continue;
                    columns.push_back(c);
                    names.push_back(read.columnName(c));
                }
                for (const auto& k : key)
                    keyColumns.push_back(
                        int(std::find(names.begin(), names.end(), k) - names.begin()));
            }
            auto& row = page.emplace_back();
            for (const int c : columns) {
                Value v;
                v.kind = read.kind(c);
                if (v.kind == sql::Kind::Integer) v.integer = read.int64(c);
                if (v.kind == sql::Kind::Real) v.real = read.real(c);
                if (v.kind == sql::Kind::Text) v.bytes = read.text(c);
                if (v.kind == sql::Kind::Blob) {
                    const auto b = read.blob(c);
                    v.bytes.assign(b.begin(), b.end());
                }
                row.push_back(std::move(v));
            }
        }
        if (!page.empty()) insertRows(to, table.name, names, page, what);
        rows += std::int64_t(page.size());
        if (key.empty() || page.size() < std::size_t(kPageRows)) break;
        last.clear();
        for (const int k : keyColumns)
            last.push_back(page.back()[std::size_t(k)]);
    }
    if (table.identity) {
        const auto catchUp = sql::identityCatchUp(table.name, table.identity, to.dialect());
        if (!catchUp.empty()) to.exec(catchUp, what);
    }
}

} // namespace

CopyCounts copyWorkspace(const std::string& from, const std::string& to)
{
    // Every check of an open first: schema version, another program's database, damage.
    RunStore::openReadOnly(from);
    RunStore::migrate(to);
    const auto shownFrom = redactedWorkspace(from), shownTo = redactedWorkspace(to);
    auto source = sql::connect(from, shownFrom, {true, false, 5000});
    auto target = sql::connect(to, shownTo, {false, false, 5000});
    target->configureForWriting();
    CopyCounts counts;
    target->begin("starting the copy");
    try {
        for (const auto& table : kTables) {
            auto q = target->prepare(std::string("SELECT count(*) FROM ") + table.name);
            q.step("checking the destination");
            if (q.int64(0) > 0)
                throw Error(shownTo + ": the destination workspace is not empty (table " +
                            table.name + "); copy into a new file or an empty database");
        }
        for (const auto& table : kTables) {
            counts.emplace_back(table.name, 0);
            copyTable(*source, *target, table, counts.back().second);
        }
        target->commit("saving the copy");
    } catch (...) {
        target->rollback();
        throw;
    }
    return counts;
}

} // namespace wb::store
