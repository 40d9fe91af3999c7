// Supernet transfer: the warm start copies exactly what it should, multi-dataset pretraining
// gives every dataset its own head, and the OTDD ranking picks the nearest compatible source.

#include "darts/checkpoint.h"
#include "darts/supernet.h"
#include "darts/warm_start.h"
#include "synthetic_idx.h"
#include "tiny_search.h"
#include "wb/common/error.h"
#include "wb/darts/search.h"
#include "wb/data/dataset.h"
#include "wb/store/run_store.h"
#include "wb/transfer/distance_matrix.h"
#include "wb/transfer/source_selection.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace wb;
using namespace wb::darts;

namespace {

bool sameTensor(const torch::Tensor& a, const torch::Tensor& b)
{
    return a.sizes() == b.sizes() && torch::equal(a.contiguous(), b.contiguous());
}

} // namespace

class TestTransfer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        for (const auto* name : {"four", "two", "near", "far", "target"})
            QVERIFY(QDir(m_dir.path()).mkpath(name));
        test::writeSeparableIdx(path("four"), 4, 32, 12, 1);
        test::writeSeparableIdx(path("two"), 2, 32, 12, 2);
        test::writeSeparableIdx(path("near"), 4, 40, 12, 3);
        test::writeSeparableIdx(path("far"), 4, 40, 12, 4, true);
        test::writeSeparableIdx(path("target"), 4, 40, 12, 5);

        // The source supernet: one epoch on `four`, checkpointed.
        auto config = test::tinySearchConfig(path("four"), 1);
        config.checkpointDir = path("source-run");
        RunControl control;
        RunObserver quiet;
        const auto r = runSearch(config, control, quiet);
        QVERIFY2(r.status == RunStatus::Done, r.error.c_str());
        m_sourceConfig = config;
        m_checkpoint = path("source-run") + "/epoch-0001.pt";
        QVERIFY(std::filesystem::exists(m_checkpoint));
    }

    void warmStartCopiesBodyAndAlphasAndResetsTheHead()
    {
        auto target = test::tinySearchConfig(path("two"), 1);
        SupernetSpec spec{1, 2, 4, 3, 2, target.effectivePrimitives(), {}};
        torch::manual_seed(7);
        Supernet net(spec);
        const auto headBefore = net->named_parameters()["classifier.weight"].clone();

        WarmStart warm{m_checkpoint, fileSha256(m_checkpoint), m_sourceConfig.toJson(), 1, 4, false,
                       "test source"};
        const auto report = applyWarmStart(warm, target, net);
        QVERIFY(!report.headCopied);

        SupernetSpec sourceSpec = spec;
        sourceSpec.classes = 4;
        Supernet source(sourceSpec);
        loadSupernetWeights(m_checkpoint, source);
        const auto from = source->named_parameters();
        int compared = 0;
        for (const auto& item : net->named_parameters()) {
            if (item.key().rfind("classifier", 0) == 0) continue;
            QVERIFY2(sameTensor(item.value(), from[item.key()]), item.key().c_str());
            ++compared;
        }
        const auto fromBuffers = source->named_buffers();
        for (const auto& item : net->named_buffers()) {
            QVERIFY2(sameTensor(item.value(), fromBuffers[item.key()]), item.key().c_str());
            ++compared;
        }
        QVERIFY(compared > 50);
        QCOMPARE(report.tensorsCopied, compared + 2);
        QVERIFY(sameTensor(net->alphaNormal(), source->alphaNormal()));
        QVERIFY(sameTensor(net->alphaReduce(), source->alphaReduce()));
        // The head keeps its own fresh initialisation (2 classes, not the source's 4).
        QVERIFY(sameTensor(net->named_parameters()["classifier.weight"], headBefore));
        QCOMPARE(net->named_parameters()["classifier.weight"].size(0), 2);
    }

    void keepHeadCopiesAMatchingHead()
    {
        auto target = test::tinySearchConfig(path("near"), 1);
        SupernetSpec spec{1, 4, 4, 3, 2, target.effectivePrimitives(), {}};
        Supernet net(spec);
        WarmStart warm{m_checkpoint, "", m_sourceConfig.toJson(), 1, 4, true, "test source"};
        QVERIFY(applyWarmStart(warm, target, net).headCopied);
        Supernet source(spec);
        loadSupernetWeights(m_checkpoint, source);
        QVERIFY(sameTensor(net->named_parameters()["classifier.weight"],
                           source->named_parameters()["classifier.weight"]));
    }

    void incompatibleSpacesAreRefused()
    {
        auto target = test::tinySearchConfig(path("two"), 1);
        target.channels = 6;
        SupernetSpec spec{1, 2, 6, 3, 2, target.effectivePrimitives(), {}};
        Supernet net(spec);
        WarmStart warm{m_checkpoint, "", m_sourceConfig.toJson(), 1, 4, false, "test source"};
        try {
            applyWarmStart(warm, target, net);
            QFAIL("expected an error");
        } catch (const Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("search spaces differ: channels 4 (source) vs 6") !=
                         std::string::npos,
                     e.what());
        }
        QVERIFY(searchSpaceMismatch(m_sourceConfig, 1, m_sourceConfig, 3)
                    ->find("image channels 1 (source) vs 3") != std::string::npos);
        QVERIFY(!searchSpaceMismatch(m_sourceConfig, 1, m_sourceConfig, 1));
        // A changed checkpoint is refused by its checksum.
        WarmStart wrongSum = warm;
        wrongSum.sha256 = std::string(64, '0');
        target.channels = 4;
        Supernet ok(SupernetSpec{1, 2, 4, 3, 2, target.effectivePrimitives(), {}});
        QVERIFY_THROWS_EXCEPTION(Error, applyWarmStart(wrongSum, target, ok));
    }

    void multiDatasetSearchGivesEachDatasetItsHead()
    {
        // `two` has labels 0-1 and `four` 0-3: a batch of `four` on the 2-class head would make
        // cross_entropy throw, so a finished search shows that each head saw its own labels.
        auto config = test::tinySearchConfig(path("two"), 1);
        config.moreData.push_back(config.data);
        config.moreData.back().path = path("four");
        config.checkpointDir = path("multi-run");
        config.epochs = 2;
        struct Steps : RunObserver {
            int steps = 0;
            void onStep(const StepMetrics&) override { ++steps; }
        } steps;
        RunControl control;
        const auto r = runSearch(config, control, steps);
        QVERIFY2(r.status == RunStatus::Done, r.error.c_str());
        // One pass over each search-train split per epoch: 32 (= 64/2) and 64 images, batch 16.
        QCOMPARE(steps.steps, 2 * (32 / 16 + 64 / 16));
        QCOMPARE(int(r.moreDatasets.size()), 1);
        QCOMPARE(int(r.moreDatasets[0].classNames.size()), 4);

        SupernetSpec spec{1, 2, 4, 3, 2, config.effectivePrimitives(), {4}};
        Supernet net(spec);
        loadSupernetWeights(path("multi-run") + "/epoch-0002.pt", net);
        QCOMPARE(net->headCount(), 2);
        const auto params = net->named_parameters();
        QCOMPARE(params["classifier.weight"].size(0), 2);
        QCOMPARE(params["classifier_1.weight"].size(0), 4);
    }

    void autoPicksTheNearestCompatibleSource()
    {
        auto db = store::RunStore::open(path("ws.sqlite"));
        auto add = [&](const std::string& name, const SearchConfig& config) {
            const auto ds = data::loadDataset(path(name));
            const auto run =
                db.createRun({"search", config.toJson(), 0, path(name), "t", "t", "", ""});
            store::ZooEntry e;
            e.name = name;
            e.runId = run;
            e.sources = {{name, path(name), ds.fingerprint, 4, 1, 12}};
            e.searchConfigJson = config.toJson();
            e.checkpoint = m_checkpoint;
            return db.addZooEntry(e);
        };
        const auto far = add("far", m_sourceConfig);
        const auto near = add("near", m_sourceConfig);
        const auto self = add("target", m_sourceConfig);
        auto wider = m_sourceConfig;
        wider.channels = 8;
        const auto incompatible = add("four", wider);

        ot::DistanceConfig d;
        d.inner = ot::InnerMethod::Gaussian;
        d.maxSamples = 80;
        RunControl control;
        ot::OtObserver observer;
        const auto target = test::tinySearchConfig(path("target"), 1);
        const auto choice = transfer::chooseSource("auto", target, db, d, control, observer);
        QCOMPARE(choice.chosen.id, near);
        QCOMPARE(choice.ranking.size(), std::size_t(4));
        QCOMPARE(choice.ranking[0].entry.id, near);
        QCOMPARE(choice.ranking[1].entry.id, far);
        QVERIFY(*choice.ranking[0].distance < *choice.ranking[1].distance);
        for (const auto& r : {choice.ranking[2], choice.ranking[3]}) {
            QVERIFY(!r.distance);
            QVERIFY(r.entry.id == self || r.entry.id == incompatible);
            const auto expected = r.entry.id == self
                                      ? "the target dataset itself"
                                      : "search spaces differ: channels 8 (source) vs 4";
            QVERIFY2(r.excluded.find(expected) != std::string::npos, r.excluded.c_str());
        }
        // The second time the distances come from the store's cache, with the same ranking.
        const auto again = transfer::chooseSource("auto", target, db, d, control, observer);
        QVERIFY(again.ranking[0].cached);
        QCOMPARE(*again.ranking[0].distance, *choice.ranking[0].distance);

        // random draws among the candidates only; an id picks that entry or says why not.
        const auto random = transfer::chooseSource("random", target, db, d, control, observer);
        QVERIFY(random.chosen.id == near || random.chosen.id == far);
        QCOMPARE(
            transfer::chooseSource(std::to_string(far), target, db, d, control, observer).chosen.id,
            far);
        QVERIFY_THROWS_EXCEPTION(Error, transfer::chooseSource(std::to_string(incompatible), target,
                                                               db, d, control, observer));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 transfer::chooseSource("99", target, db, d, control, observer));
        QVERIFY_THROWS_EXCEPTION(
            Error, transfer::chooseSource("nearest", target, db, d, control, observer));
    }

    void distanceMatrixThroughTheCache()
    {
        auto db = store::RunStore::open(path("matrix.sqlite"));
        std::vector<ot::DatasetRef> sets;
        for (const char* name : {"near", "far", "target"})
            sets.push_back({name, std::make_shared<data::Dataset>(data::loadDataset(path(name)))});
        ot::DistanceConfig d;
        d.inner = ot::InnerMethod::Gaussian;
        d.maxSamples = 80;
        RunControl control;
        ot::OtObserver observer;
        std::vector<std::pair<std::size_t, std::size_t>> order;
        transfer::MatrixCallbacks callbacks;
        callbacks.finished = [&](const transfer::MatrixPair& p) { order.emplace_back(p.i, p.j); };
        const auto m =
            transfer::distanceMatrix(sets, d, &db, nullptr, control, observer, callbacks);
        QVERIFY(!m.cancelled);
        QCOMPARE(m.failed, 0);
        // Row by row, each pair once, the matrix symmetric with a zero diagonal.
        QCOMPARE(order, (std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {0, 2}, {1, 2}}));
        for (std::size_t i = 0; i < 3; ++i) {
            QCOMPARE(m.values[i * 3 + i], 0.0);
            for (std::size_t j = 0; j < 3; ++j)
                QCOMPARE(m.values[i * 3 + j], m.values[j * 3 + i]);
        }
        // `near` and `target` share a distribution; `far` is inverted.
        QVERIFY(m.values[0 * 3 + 2] < m.values[1 * 3 + 2]);
        // Again: every pair from the cache, the same values; PCA: one basis for all three.
        const auto again = transfer::distanceMatrix(sets, d, &db, nullptr, control, observer);
        for (const auto& p : again.pairs)
            QVERIFY(p.distance.cached);
        QCOMPARE(again.values, m.values);
        d.embedDim = 6;
        const auto pca = transfer::distanceMatrix(sets, d, nullptr, nullptr, control, observer);
        QVERIFY(pca.config.pcaBasis);
        QCOMPARE(pca.config.pcaBasis->outputDim, 6);
        // Bad settings are refused before any work; a stop request cancels.
        d.entreg = -1;
        QVERIFY_THROWS_EXCEPTION(
            Error, transfer::distanceMatrix(sets, d, &db, nullptr, control, observer));
        d.entreg = 0.1;
        control.requestStop();
        QVERIFY(transfer::distanceMatrix(sets, d, &db, nullptr, control, observer).cancelled);
    }

private:
    std::string path(const std::string& name) const
    {
        return (m_dir.path() + "/" + QString::fromStdString(name)).toStdString();
    }
    QTemporaryDir m_dir;
    SearchConfig m_sourceConfig;
    std::string m_checkpoint;
};

QTEST_APPLESS_MAIN(TestTransfer)
#include "test_transfer.moc"
