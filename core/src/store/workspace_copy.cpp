#include "wb/store/workspace_copy.h"

#include "connection.h"
#include "dialect.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <optional>

namespace wb::store {
namespace {

struct Table {
    const char* name;
    const char* order;    // keeps insertion order where readers rely on it (experiment cells)
    const char* identity; // an id column whose generator must follow the copied ids
};

// Parents before children, so foreign keys hold after every row.
constexpr Table kTables[] = {
    {"datasets", "fingerprint", nullptr},
    {"runs", "id", "id"},
    {"epochs", "run_id, epoch", nullptr},
    {"steps", "run_id, epoch, step", nullptr},
    {"alphas", "run_id, epoch", nullptr},
    {"collapse_signals", "run_id, epoch", nullptr},
    {"issues", "id", "id"},
    {"checkpoints", "run_id, kind", nullptr},
    {"distances", "fingerprint_a, fingerprint_b, embedder, settings", nullptr},
    {"zoo", "id", "id"},
    {"transfers", "run_id", nullptr},
    {"experiments", "id", "id"},
    {"experiment_cells", "rowid", nullptr},
    {"jobs", "id", "id"},
    {"workers", "name", nullptr},
};

void copyTable(sql::Connection& from, sql::Connection& to, const Table& table, std::int64_t& rows)
{
    auto read =
        from.prepare(std::string("SELECT * FROM ") + table.name + " ORDER BY " + table.order);
    const std::string what = std::string("copying ") + table.name;
    std::optional<sql::Statement> write;
    std::vector<int> columns; // source columns that go across (not PostgreSQL's explicit rowid)
    while (read.step(what)) {
        if (!write) {
            std::string names, marks;
            for (int c = 0; c < read.columnCount(); ++c) {
                if (read.columnName(c) == "rowid") continue;
                columns.push_back(c);
                names += (names.empty() ? "" : ", ") + read.columnName(c);
                marks += marks.empty() ? "?" : ", ?";
            }
            write.emplace(to.prepare(std::string("INSERT INTO ") + table.name + " (" + names +
                                     ") VALUES (" + marks + ")"));
        }
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const int c = columns[i], p = int(i) + 1;
            switch (read.kind(c)) {
            case sql::Kind::Null:
                write->bindNull(p);
                break;
            case sql::Kind::Integer:
                write->bind(p, read.int64(c));
                break;
            case sql::Kind::Real:
                write->bind(p, read.real(c));
                break;
            case sql::Kind::Text:
                write->bind(p, read.text(c));
                break;
            case sql::Kind::Blob: {
                const auto bytes = read.blob(c);
                write->bindBlob(p, bytes.data(), bytes.size());
                break;
            }
            }
        }
        write->run(what);
        ++rows;
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
