// The dataset distance cache of the workspace database (schema version 2): the migration from a
// version 1 workspace, version 4 dropping exact entries of the halved label cost, unordered pair
// keys, every setting in the key, replacement.

#include "store/schema.h"
#include "store_fixtures.h"

#include "wb/store/run_store.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include <QTemporaryDir>
#include <QTest>

using namespace wb;
using namespace wb::store;
using namespace fixtures;

namespace {

DistanceKey sampleKey()
{
    return {std::string(64, 'b'), std::string(64, 'a'),
            R"({"channels":0,"kind":"pixels","size":0})",
            R"({"entreg":0.1,"inner":"exact","maxsamples":1000,"seed":0})"};
}

CachedDistance sampleDistance()
{
    CachedDistance d;
    d.value = 1234.5678901234567;
    d.iterations = 321;
    d.marginalError = 9.87e-4;
    d.converged = true;
    d.detailsJson = R"({"source":"A","target":"B","coupling":[[0.5,0.5]]})";
    return d;
}

} // namespace

class TestDistanceCache : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { WB_REQUIRE_TEST_BACKEND(); }

    void migratesAVersion1Workspace()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir, "v1.sqlite");
        {
            RawDb raw(path);
            QCOMPARE(raw.exec(migrations().at(0).sql), SQLITE_OK);
            QCOMPARE(raw.exec("PRAGMA application_id = " + std::to_string(kApplicationId) +
                              "; PRAGMA user_version = 1"),
                     SQLITE_OK);
        }
        {
            // A version 1 run survives the upgrade.
            RawDb raw(path);
            QCOMPARE(raw.exec("INSERT INTO runs (kind, status, config, seed, dataset_path, "
                              "directory, app_version, library_versions, sqlite_version, host, "
                              "pid, started_at, heartbeat_at, finished_at) VALUES ('search', "
                              "'done', '{}', 1, '/d', '/r', '0.1', 'x', '3', 'h', 1, 1, 1, 2)"),
                     SQLITE_OK);
        }
        auto store = RunStore::open(path);
        QCOMPARE(store.schemaVersion(), kSchemaVersion);
        QCOMPARE(store.listRuns().size(), std::size_t(1));
        // Every later migration ran too: version 3's zoo is there and empty.
        QVERIFY(store.zoo().empty());
        QCOMPARE(RawDb(path).scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                    "name = 'distances'"),
                 std::int64_t(1));
        store.putDistance(sampleKey(), sampleDistance());
        QVERIFY(store.findDistance(sampleKey()).has_value());
        // Read-only connections accept the upgraded file.
        QVERIFY(RunStore::openReadOnly(path).findDistance(sampleKey()).has_value());
    }

    void version4DropsExactEntriesOfTheHalvedCost()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir, "v3.sqlite");
        {
            RawDb raw(path);
            for (int v = 0; v < 3; ++v)
                QCOMPARE(raw.exec(migrations().at(std::size_t(v)).sql), SQLITE_OK);
            QCOMPARE(raw.exec("PRAGMA application_id = " + std::to_string(kApplicationId) +
                              "; PRAGMA user_version = 3"),
                     SQLITE_OK);
            // Settings as version 3 wrote them: an exact entry (halved cost) and a gaussian one.
            for (const char* inner : {"exact", "gaussian"})
                QCOMPARE(raw.exec(std::string("INSERT INTO distances VALUES ('") +
                                  std::string(64, 'a') + "', '" + std::string(64, 'b') +
                                  "', '{}', '{\"inner\":\"" + inner +
                                  "\",\"seed\":0}', 49.2, 10, 0.0001, 1, '{}', 1)"),
                         SQLITE_OK);
        }
        auto store = RunStore::open(path);
        QCOMPARE(store.schemaVersion(), kSchemaVersion);
        RawDb raw(path);
        QCOMPARE(raw.scalar("SELECT count(*) FROM distances"), std::int64_t(1));
        QCOMPARE(raw.text("SELECT json_extract(settings, '$.inner') FROM distances"),
                 std::string("gaussian"));
        // An entry of the full cost (what the engine writes now) survives a reopen.
        auto key = sampleKey();
        key.settings = R"({"exact_label_cost":"sqeuclidean","inner":"exact","seed":0})";
        store.putDistance(key, sampleDistance());
        QVERIFY(RunStore::open(path).findDistance(key).has_value());
    }

    void roundTripIsExactAndThePairUnordered()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        QVERIFY(!store.findDistance(sampleKey()).has_value());
        store.putDistance(sampleKey(), sampleDistance());
        auto swapped = sampleKey();
        std::swap(swapped.fingerprintA, swapped.fingerprintB);
        for (const auto& key : {sampleKey(), swapped}) {
            const auto d = store.findDistance(key);
            QVERIFY(d.has_value());
            QCOMPARE(d->value, sampleDistance().value); // bit-exact REAL
            QCOMPARE(d->iterations, 321);
            QCOMPARE(d->marginalError, 9.87e-4);
            QVERIFY(d->converged);
            QCOMPARE(d->detailsJson, sampleDistance().detailsJson);
            QVERIFY(d->createdAt > 1.6e9);
        }
        // Stored in ascending fingerprint order.
        QCOMPARE(RawDb(dbPath(dir)).text("SELECT fingerprint_a FROM distances"),
                 std::string(64, 'a'));
    }

    void everySettingIsPartOfTheKey()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        store.putDistance(sampleKey(), sampleDistance());
        auto other = sampleKey();
        other.settings = R"({"entreg":0.2,"inner":"exact","maxsamples":1000,"seed":0})";
        QVERIFY(!store.findDistance(other).has_value());
        other = sampleKey();
        other.embedder = R"({"channels":0,"kind":"pixels","size":16})";
        QVERIFY(!store.findDistance(other).has_value());
        other = sampleKey();
        other.fingerprintA = std::string(64, 'c');
        QVERIFY(!store.findDistance(other).has_value());
    }

    void putReplacesAndNaNSurvives()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        store.putDistance(sampleKey(), sampleDistance());
        auto d = sampleDistance();
        d.value = 7.0;
        d.marginalError = std::numeric_limits<double>::quiet_NaN();
        d.converged = false;
        store.putDistance(sampleKey(), d);
        QCOMPARE(RawDb(dbPath(dir)).scalar("SELECT count(*) FROM distances"), std::int64_t(1));
        const auto back = store.findDistance(sampleKey());
        QCOMPARE(back->value, 7.0);
        QVERIFY(std::isnan(back->marginalError));
        QVERIFY(!back->converged);
    }
};

QTEST_APPLESS_MAIN(TestDistanceCache)
#include "test_distance_cache.moc"
