#pragma once

// Sample values and raw-SQLite helpers shared by the store tests.

#include "wb/darts/genotype.h"
#include "wb/darts/observer.h"
#include "wb/darts/primitives.h"
#include "wb/store/run_store.h"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
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

inline std::string dbPath(const QTemporaryDir& dir, const char* name = "ws/workspace.sqlite")
{
    return (std::filesystem::path(dir.path().toStdString()) / name).string();
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

inline wb::darts::DatasetSummary sampleDataset()
{
    wb::darts::DatasetSummary d;
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

// A raw connection for what the store must not do itself (lock, forge rows, inspect).
class RawDb {
public:
    explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &m_db); }
    ~RawDb() { sqlite3_close(m_db); }
    int exec(const std::string& sqlText)
    {
        return sqlite3_exec(m_db, sqlText.c_str(), nullptr, nullptr, nullptr);
    }
    std::int64_t scalar(const std::string& sqlText)
    {
        sqlite3_stmt* s = nullptr;
        std::int64_t v = -1;
        if (sqlite3_prepare_v2(m_db, sqlText.c_str(), -1, &s, nullptr) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return v;
    }
    std::string text(const std::string& sqlText)
    {
        sqlite3_stmt* s = nullptr;
        std::string v;
        if (sqlite3_prepare_v2(m_db, sqlText.c_str(), -1, &s, nullptr) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
            v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return v;
    }

private:
    sqlite3* m_db = nullptr;
};

inline QString q(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace fixtures
