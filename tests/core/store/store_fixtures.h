#pragma once

// Sample values and raw-database helpers shared by the store tests. The same tests run against
// both backends: WB_TEST_BACKEND=postgresql (a second CTest registration) points dbPath(dir) at
// a fresh database on a throwaway PostgreSQL server instead of a SQLite file in `dir`.

#include "wb/darts/genotype.h"
#include "wb/darts/observer.h"
#include "wb/darts/primitives.h"
#include "wb/store/run_store.h"

#include "throwaway_postgres.h"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <QString>
#include <QTemporaryDir>

namespace fixtures {

inline std::string readBytes(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void writeBytes(const std::filesystem::path& file, const std::string& bytes)
{
    std::ofstream out(file, std::ios::binary);
    out << bytes;
}

inline bool onPostgres()
{
    static const bool pg = [] {
        const char* b = std::getenv("WB_TEST_BACKEND");
        return b && std::string(b) == "postgresql";
    }();
    return pg;
}

// In initTestCase(): the PostgreSQL variant skips, saying why, when no server can start.
#define WB_REQUIRE_TEST_BACKEND()                                                                  \
    do {                                                                                           \
        if (fixtures::onPostgres() && !fixtures::ThrowawayPostgres::instance())                    \
            QSKIP(                                                                                 \
                ("PostgreSQL variant skipped: " + fixtures::ThrowawayPostgres::reason()).c_str()); \
    } while (false)

// For tests of SQLite files themselves (bytes, permissions, locks, page limits).
#define WB_SQLITE_ONLY()                                                                           \
    do {                                                                                           \
        if (fixtures::onPostgres()) QSKIP("tests SQLite file behaviour");                          \
    } while (false)

// A fresh database on the throwaway server, created and migrated (the server's schema changes
// only through RunStore::migrate); its artifacts go to `folder`.
inline std::string newServerWorkspace(const std::string& folder)
{
    static int next = 0;
    auto* server = ThrowawayPostgres::instance();
    const auto name = "ws_" + std::to_string(getpid()) + "_" + std::to_string(++next);
    const auto error = server->admin("CREATE DATABASE " + name);
    if (!error.empty()) throw std::runtime_error(error);
    setenv("SUPERNET_ARTIFACTS", (folder + "/artifacts").c_str(), 1);
    const auto uri = server->uri(name);
    wb::store::RunStore::migrate(uri);
    return uri;
}

// The test's workspace: a SQLite file in `dir`, or (PostgreSQL variant, no name given) a fresh
// server database, the same one for every call with the same `dir`. A name always means a file.
inline std::string dbPath(const QTemporaryDir& dir, const char* name = nullptr)
{
    const auto folder = dir.path().toStdString();
    if (!name && onPostgres()) {
        static std::map<std::string, std::string> workspaces;
        auto& uri = workspaces[folder];
        if (uri.empty()) uri = newServerWorkspace(folder);
        return uri;
    }
    return (std::filesystem::path(folder) / (name ? name : "ws/workspace.sqlite")).string();
}

inline wb::darts::Genotype sampleGenotype()
{
    return wb::darts::Genotype{{{"sep_conv_3x3", 0},
                                {"sep_conv_3x3", 1},
                                {"skip_connect", 0},
                                {"sep_conv_3x3", 1},
                                {"skip_connect", 0},
                                {"dil_conv_3x3", 2},
                                {"max_pool_3x3", 1},
                                {"sep_conv_5x5", 4}},
                               {2, 3, 4, 5},
                               {{"max_pool_3x3", 0},
                                {"max_pool_3x3", 1},
                                {"skip_connect", 2},
                                {"max_pool_3x3", 1},
                                {"max_pool_3x3", 0},
                                {"skip_connect", 2},
                                {"skip_connect", 2},
                                {"avg_pool_3x3", 0}},
                               {2, 3, 4, 5}};
}

inline wb::store::NewRun sampleRun()
{
    wb::store::NewRun r;
    r.kind = "search";
    r.configJson = R"({"epochs":3,"seed":7,"data":{"path":"/data/mnist"}})";
    r.seed = 0xFFFFFFFFFFFFFFF0ull; // above INT64_MAX: checks the bit cast
    r.datasetPath = "/data/mnist";
    r.appVersion = "0.1.0";
    r.libraryVersions = "libtorch 2.1.2";
    return r;
}

inline wb::darts::EpochMetrics sampleEpoch(int epoch)
{
    return {epoch, 2.5 / epoch, 0.1 * epoch, 2.25 / epoch, 0.11 * epoch + 1e-9, 0.025, 1.5 + epoch};
}

inline wb::darts::StepMetrics sampleStep(int epoch, int step)
{
    return {epoch, step, 1000, 1.0 / step, 0.001 * step, 0.5 + step, 0.025, 0.01 * step};
}

inline wb::darts::AlphaSnapshot sampleAlphas(int epoch)
{
    wb::darts::AlphaSnapshot a;
    a.epoch = epoch;
    a.ops = wb::darts::standardPrimitives();
    a.edges = wb::darts::edgeCount(4);
    const auto n = std::size_t(a.edges) * a.ops.size();
    for (std::size_t i = 0; i < n; ++i) {
        a.normal.push_back(float(i + 1) / float(n) + 1e-7f * float(epoch));
        a.reduce.push_back(1.0f / float(i + 3));
    }
    a.genotype = sampleGenotype();
    a.signals = {2, 3, 0.25, 0.5, 1.75, 2.0 - 1e-12};
    return a;
}

inline wb::DatasetSummary sampleDataset()
{
    wb::DatasetSummary d;
    d.path = "/data/mnist";
    d.format = "idx";
    d.fingerprint = std::string(64, 'a');
    d.classNames = {"zero", "one", "two, with comma"};
    d.classCounts = {10, 12, 9};
    d.channels = 1;
    d.imageSize = 28;
    d.trainImages = 15;
    d.valImages = 8;
    d.testImages = 8;
    return d;
}

// A raw connection for what the store must not do itself (lock, forge rows, inspect), to a
// SQLite file or a PostgreSQL URI. exec() returns 0 (SQLITE_OK) on success.
class RawDb {
public:
    explicit RawDb(const std::string& path)
    {
        if (path.rfind("postgresql://", 0) == 0)
            m_pg = PQconnectdb(path.c_str());
        else
            sqlite3_open(path.c_str(), &m_db);
    }
    ~RawDb()
    {
        if (m_pg) PQfinish(m_pg);
        sqlite3_close(m_db);
    }
    int exec(const std::string& sqlText)
    {
        if (!m_pg) return sqlite3_exec(m_db, sqlText.c_str(), nullptr, nullptr, nullptr);
        PGresult* r = PQexec(m_pg, sqlText.c_str());
        const bool ok =
            PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        return ok ? 0 : 1;
    }
    std::int64_t scalar(const std::string& sqlText)
    {
        const auto v = text(sqlText);
        return v.empty() ? -1 : std::stoll(v);
    }
    std::string text(const std::string& sqlText)
    {
        std::string v;
        if (m_pg) {
            PGresult* r = PQexec(m_pg, sqlText.c_str());
            if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
                v = PQgetvalue(r, 0, 0);
            PQclear(r);
            return v;
        }
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(m_db, sqlText.c_str(), -1, &s, nullptr) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
            v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return v;
    }

private:
    sqlite3* m_db = nullptr;
    PGconn* m_pg = nullptr;
};

inline QString q(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace fixtures
