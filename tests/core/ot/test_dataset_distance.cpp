// Dataset distances end to end: embedders (pixels, TorchScript fixture), sampling, PCA, the
// embedding cache, relabelling invariance and the errors a user meets.

#include "ot/embedder.h"
#include "ot/pca.h"
#include "ot_fixtures.h"

#include "wb/common/error.h"
#include "wb/common/threads.h"
#include "wb/ot/distance.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

using namespace wb;
using namespace wb::ot;

namespace {

const std::string kData = WB_TEST_DATA_DIR "/ot/";

class NullObserver : public OtObserver {};

DistanceResult distance(const std::shared_ptr<data::Dataset>& a,
                        const std::shared_ptr<data::Dataset>& b, const DistanceConfig& config,
                        EmbeddingCache* cache = nullptr)
{
    RunControl control;
    NullObserver observer;
    return computeDistance({"A", a}, {"B", b}, config, control, observer, cache);
}

bool contains(const std::string& text, const std::string& part)
{
    if (text.find(part) != std::string::npos) return true;
    qWarning("'%s' lacks '%s'", text.c_str(), part.c_str());
    return false;
}

} // namespace

class TestDatasetDistance : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { setComputeThreads(1); }

    void pixelsAreRawValuesInUnitRange()
    {
        auto ds = otfix::images(4, 2, 4, 1, 1);
        EmbedderConfig c;
        auto e = makeEmbedder(c);
        const auto x = e->embed(*ds, {0, 3}, {});
        QCOMPARE(x.sizes(), (torch::IntArrayRef{2, 16}));
        for (int k = 0; k < 16; ++k) {
            QCOMPARE(x[0][k].item<float>(), float(ds->image(0)[k]) / 255.0f);
            QCOMPARE(x[1][k].item<float>(), float(ds->image(3)[k]) / 255.0f);
        }
        c.size = 2;
        c.channels = 3;
        QCOMPARE(makeEmbedder(c)->embed(*ds, {1}, {}).sizes(), (torch::IntArrayRef{1, 12}));
    }

    void torchScriptFixtureGivesPythonsFeatures()
    {
        // tools/ot_reference/make_torchscript_fixture.py: features of the reference image.
        const float expected[4] = {0, 0.189641446f, 0.424787849f, 0.00961190555f};
        auto ds = otfix::images(2, 2, 8, 1, 1);
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x)
                ds->pixels[std::size_t(y * 8 + x)] = std::uint8_t((y * 8 + x) * 4);
        auto c = EmbedderConfig::parse("torchscript:" + kData + "tiny_extractor.pt");
        const auto f = makeEmbedder(c)->embed(*ds, {0, 1}, {});
        QCOMPARE(f.sizes(), (torch::IntArrayRef{2, 4}));
        for (int k = 0; k < 4; ++k)
            QVERIFY(std::abs(f[0][k].item<float>() - expected[k]) < 1e-6);
        // A whole distance runs on the model's features.
        auto config = DistanceConfig{};
        config.embedder = c;
        const auto r =
            distance(otfix::images(30, 3, 8, 1, 2), otfix::images(24, 2, 8, 1, 3, 40), config);
        QCOMPARE(r.status, wb::RunStatus::Done);
        QCOMPARE(r.dim, 4);
        QVERIFY(r.value > 0);
    }

    void badModelsAreClearErrors()
    {
        auto a = otfix::images(20, 2, 8, 1, 1), b = otfix::images(20, 2, 8, 1, 2);
        DistanceConfig config;
        config.embedder = EmbedderConfig::parse("torchscript:" + kData + "not_a_model.pt");
        auto r = distance(a, b, config);
        QCOMPARE(r.status, wb::RunStatus::Failed);
        QVERIFY(contains(r.error, "not_a_model.pt") &&
                contains(r.error, "not a TorchScript model"));
        config.embedder = EmbedderConfig::parse("torchscript:" + kData + "wrong_rank.pt");
        r = distance(a, b, config);
        QCOMPARE(r.status, wb::RunStatus::Failed);
        QVERIFY(contains(r.error, "wrong_rank.pt") && contains(r.error, "outputs shape") &&
                contains(r.error, "N x D"));
        config.embedder = EmbedderConfig::parse("torchscript:" + kData + "missing.pt");
        r = distance(a, b, config);
        QVERIFY(contains(r.error, "missing.pt") && contains(r.error, "cannot read"));
        QVERIFY_EXCEPTION_THROWN(EmbedderConfig::parse("resnet"), Error);
    }

    // A GPU asked of a build or machine without one is bad input, named before any work.
    void missingGpuIsAClearError()
    {
        if (torch::cuda::is_available()) QSKIP("this machine has a GPU");
        auto a = otfix::images(20, 2, 8, 1, 1), b = otfix::images(20, 2, 8, 1, 2);
        DistanceConfig config;
        config.device = "cuda";
        const auto r = distance(a, b, config);
        QCOMPARE(r.status, wb::RunStatus::Failed);
        QVERIFY2(contains(r.error, "device 'cuda'") && contains(r.error, "no CUDA support"),
                 r.error.c_str());
        config.device = "gpu";
        QVERIFY(contains(distance(a, b, config).error, "--device: must be cpu, cuda or cuda:N"));
    }

    void badDatasetsAreClearErrors()
    {
        DistanceConfig config;
        auto good = otfix::images(20, 2, 8, 1, 1);
        auto empty = std::make_shared<data::Dataset>();
        empty->path = "/data/empty";
        auto r = distance(good, empty, config);
        QCOMPARE(r.status, wb::RunStatus::Failed);
        QVERIFY(contains(r.error, "/data/empty") && contains(r.error, "no images"));

        auto single = otfix::images(10, 1, 8, 1, 2);
        r = distance(single, good, config);
        QVERIFY(contains(r.error, "only one class") && contains(r.error, "class0"));

        auto corrupt = otfix::images(10, 2, 8, 1, 3);
        corrupt->pixels.resize(100);
        r = distance(good, corrupt, config);
        QVERIFY(contains(r.error, "pixel data does not match"));

        auto bigger = otfix::images(20, 2, 12, 1, 4);
        r = distance(good, bigger, config);
        QCOMPARE(r.status, wb::RunStatus::Failed);
        QVERIFY(contains(r.error, "8x8") && contains(r.error, "12x12") &&
                contains(r.error, "--embed-size"));
        config.embedder.size = 6;
        QCOMPARE(distance(good, bigger, config).status, wb::RunStatus::Done);

        auto rgb = otfix::images(20, 2, 8, 3, 5);
        config.embedder.size = 0;
        r = distance(good, rgb, config);
        QVERIFY(contains(r.error, "channel") && contains(r.error, "--embed-channels"));
        config.embedder.channels = 3;
        QCOMPARE(distance(good, rgb, config).status, wb::RunStatus::Done);

        config.entreg = 0;
        QVERIFY(contains(distance(good, good, config).error, "--entreg"));
    }

    // The exact label stage's squared distances serve as the dataset-level costs when they are
    // small (here); without a cost cache they come from the points as always. Same value.
    void reusedSquaredDistancesKeepTheValue()
    {
        DistanceConfig config;
        auto a = otfix::images(40, 3, 6, 1, 7);
        auto b = otfix::images(36, 3, 6, 1, 8, 30);
        const auto reused = distance(a, b, config);
        config.costCacheMb = 0;
        const auto fromPoints = distance(a, b, config);
        QCOMPARE(reused.status, wb::RunStatus::Done);
        QCOMPARE(fromPoints.status, wb::RunStatus::Done);
        QVERIFY2(std::abs(reused.value - fromPoints.value) < 1e-5 * fromPoints.value,
                 qPrintable(QString("%1 vs %2")
                                .arg(reused.value, 0, 'g', 10)
                                .arg(fromPoints.value, 0, 'g', 10)));
        // The points are put in class order for the reuse: their order in the file is
        // irrelevant (b's images reversed, classes interleaved the other way).
        auto reversed = std::make_shared<data::Dataset>(*b);
        const auto bytes = b->imageBytes(), n = b->count();
        for (std::size_t i = 0; i < n; ++i) {
            std::copy_n(b->pixels.begin() + std::ptrdiff_t(i * bytes), bytes,
                        reversed->pixels.begin() + std::ptrdiff_t((n - 1 - i) * bytes));
            reversed->labels[n - 1 - i] = b->labels[i];
        }
        reversed->fingerprint = data::datasetFingerprint(*reversed);
        config.costCacheMb = DistanceConfig{}.costCacheMb;
        const auto fromReversed = distance(a, reversed, config);
        QCOMPARE(fromReversed.status, wb::RunStatus::Done);
        QVERIFY2(std::abs(fromReversed.value - reused.value) < 1e-5 * reused.value,
                 qPrintable(QString("%1 vs %2")
                                .arg(fromReversed.value, 0, 'g', 10)
                                .arg(reused.value, 0, 'g', 10)));
    }

    void relabellingAndOrderKeepTheValue()
    {
        DistanceConfig config;
        config.maxSamples = 25; // subsampling: the sample must not depend on class names
        auto a = otfix::images(40, 3, 6, 1, 7);
        auto b = otfix::images(36, 3, 6, 1, 8, 30);
        const auto r = distance(a, b, config);
        QCOMPARE(r.status, wb::RunStatus::Done);
        QCOMPARE(r.samplesA, 25);
        auto p = std::make_shared<data::Dataset>(*b);
        p->classNames = {"zeta", "alpha", "mid"}; // class k becomes (k + 1) % 3
        for (auto& l : p->labels)
            l = (l + 1) % 3;
        p->fingerprint = data::datasetFingerprint(*p);
        QVERIFY(p->fingerprint != b->fingerprint);
        const auto rp = distance(a, p, config);
        QVERIFY2(std::abs(r.value - rp.value) < 1e-4 * r.value,
                 qPrintable(QString("%1 vs %2").arg(r.value).arg(rp.value)));
        const auto ba = distance(b, a, config);
        QVERIFY(std::abs(r.value - ba.value) < 1e-3 * r.value);
        QCOMPARE(distance(a, a, config).value, 0.0);
        // A different seed draws other samples.
        config.seed = 99;
        QVERIFY(distance(a, b, config).value != r.value);
    }

    void pcaKeepsTheLeadingSubspace()
    {
        torch::manual_seed(3);
        // Variance 9, 4, 1e-4 along three orthogonal directions of R^5.
        const auto q = std::get<0>(torch::linalg_qr(torch::randn({5, 5}, torch::kFloat64)));
        const auto z = torch::randn({200, 3}, torch::kFloat64) *
                       torch::tensor({3.0, 2.0, 0.01}, torch::kFloat64);
        const auto x = z.mm(q.slice(1, 0, 3).t()) + 7.0;
        const auto p = pcaProject(x, 2, 0);
        QCOMPARE(p.sizes(), (torch::IntArrayRef{200, 2}));
        // Pairwise distances are kept up to the dropped direction.
        const auto dx = torch::cdist(x, x), dp = torch::cdist(p, p);
        QVERIFY((dx - dp).abs().max().item<double>() < 0.1);
        QVERIFY(p.var(0)[0].item<double>() > p.var(0)[1].item<double>());
        DistanceConfig config;
        config.embedDim = 3;
        const auto r =
            distance(otfix::images(30, 2, 6, 1, 1), otfix::images(30, 2, 6, 1, 2, 20), config);
        QCOMPARE(r.status, wb::RunStatus::Done);
        QCOMPARE(r.dim, 3);
    }

    void embeddingsAreCachedByFingerprintAndEmbedder()
    {
        QTemporaryDir dir;
        const auto folder = dir.path().toStdString() + "/embeddings";
        auto a = otfix::images(30, 3, 8, 1, 1), b = otfix::images(30, 3, 8, 1, 2, 30);
        DistanceConfig config;
        config.embedder = EmbedderConfig::parse("torchscript:" + kData + "tiny_extractor.pt");
        double first = 0;
        {
            EmbeddingCache cache(folder);
            first = distance(a, b, config, &cache).value;
            QCOMPARE(cache.hits(), 0);
            QCOMPARE(distance(a, b, config, &cache).value, first);
            QCOMPARE(cache.hits(), 2);
            // A dataset built in memory without its fingerprint gets one: same cache entry.
            auto bare = std::make_shared<data::Dataset>(*a);
            bare->fingerprint.clear();
            const auto rb = distance(bare, b, config, &cache);
            QCOMPARE(rb.fingerprintA, a->fingerprint);
            QCOMPARE(rb.value, first);
            QCOMPARE(cache.hits(), 4);
        }
        int files = 0;
        for (const auto& f : std::filesystem::directory_iterator(folder)) {
            ++files;
            QVERIFY(f.path().filename().string().rfind(a->fingerprint, 0) == 0 ||
                    f.path().filename().string().rfind(b->fingerprint, 0) == 0);
        }
        QCOMPARE(files, 2);
        EmbeddingCache fresh(folder); // a new process: read from the files
        QCOMPARE(distance(a, b, config, &fresh).value, first);
        QCOMPARE(fresh.hits(), 2);
        // Pixels are never written.
        config.embedder = EmbedderConfig{};
        distance(a, b, config, &fresh);
        files = 0;
        for ([[maybe_unused]] const auto& f : std::filesystem::directory_iterator(folder))
            ++files;
        QCOMPARE(files, 2);
    }

    // A mirror (a server workspace's database) shares the cache's files: a worker with an empty
    // folder fetches them instead of embedding again; a failing mirror never fails a distance.
    void embeddingsAreSharedThroughAMirror()
    {
        QTemporaryDir dir;
        const auto here = dir.path().toStdString() + "/here";
        const auto there = dir.path().toStdString() + "/there";
        auto a = otfix::images(30, 3, 8, 1, 1), b = otfix::images(30, 3, 8, 1, 2, 30);
        DistanceConfig config;
        config.embedder = EmbedderConfig::parse("torchscript:" + kData + "tiny_extractor.pt");
        std::map<std::string, std::string> shared; // name -> bytes
        EmbeddingMirror mirror;
        mirror.store = [&](const std::string& name, const std::string& file) {
            std::ifstream in(file, std::ios::binary);
            shared[name] = std::string(std::istreambuf_iterator<char>(in), {});
        };
        mirror.fetch = [&](const std::string& name, const std::string& file) {
            if (!shared.count(name)) return false;
            std::ofstream(file, std::ios::binary) << shared[name];
            return true;
        };
        double first = 0;
        {
            EmbeddingCache cache(here, mirror);
            first = distance(a, b, config, &cache).value;
            QCOMPARE(cache.hits(), 0);
        }
        QCOMPARE(int(shared.size()), 2);
        EmbeddingCache elsewhere(there, mirror);
        QCOMPARE(distance(a, b, config, &elsewhere).value, first);
        QCOMPARE(elsewhere.hits(), 2);
        QVERIFY(std::filesystem::exists(there + "/" + shared.begin()->first));

        EmbeddingMirror broken;
        broken.fetch = [](const std::string&, const std::string&) -> bool {
            throw wb::Error("the database is unreachable");
        };
        broken.store = broken.fetch;
        EmbeddingCache unlucky(dir.path().toStdString() + "/third", broken);
        const auto r = distance(a, b, config, &unlucky);
        QCOMPARE(r.status, wb::RunStatus::Done);
        QCOMPARE(r.value, first);
    }

    void cancelledBeforeStartIsCancelled()
    {
        RunControl control;
        control.requestStop();
        NullObserver observer;
        const auto r = computeDistance({"A", otfix::images(20, 2, 8, 1, 1)},
                                       {"B", otfix::images(20, 2, 8, 1, 2)}, DistanceConfig{},
                                       control, observer);
        QCOMPARE(r.status, wb::RunStatus::Cancelled);
    }

    void sharedPcaBasisIsOneSpaceForEveryPair()
    {
        const DatasetRef a{"A", otfix::images(24, 3, 8, 1, 1)};
        const DatasetRef b{"B", otfix::images(24, 3, 8, 1, 2, 30)};
        const DatasetRef c{"C", otfix::images(24, 2, 8, 1, 3, 80)};
        DistanceConfig config;
        config.embedDim = 5;
        config.float64 = true;
        config.tolerance = 1e-9;
        config.maxIterations = 100000;
        RunControl control;
        NullObserver observer;
        // Fitted on A and B only, the shared basis spans the space of the pair's own basis:
        // the same distance (principal directions are defined up to sign).
        config.pcaBasis = fitPcaBasis({a, b}, config, control);
        QVERIFY(config.pcaBasis);
        QCOMPARE(config.pcaBasis->inputDim, 64);
        QCOMPARE(config.pcaBasis->components.size(), std::size_t(64 * 5));
        const auto shared = computeDistance(a, b, config, control, observer);
        auto pairConfig = config;
        pairConfig.pcaBasis = nullptr;
        const auto own = computeDistance(a, b, pairConfig, control, observer);
        QCOMPARE(shared.status, wb::RunStatus::Done);
        QCOMPARE(shared.dim, 5);
        QVERIFY2(std::abs(shared.value - own.value) < 1e-4 * own.value,
                 qPrintable(QString("%1 vs %2").arg(shared.value).arg(own.value)));
        // Fitted on all three, it is another space (and another cache key); refitting on the
        // same datasets gives the same basis.
        const auto all = fitPcaBasis({a, b, c}, config, control);
        QVERIFY(all->id != config.pcaBasis->id);
        QCOMPARE(fitPcaBasis({a, b, c}, config, control)->id, all->id);
        const auto key = config.cacheKeyJson();
        QVERIFY(contains(key, config.pcaBasis->id));
        config.pcaBasis = all;
        QVERIFY(config.cacheKeyJson() != key);
        // The basis fixes the dimension.
        config.embedDim = 4;
        const auto r = computeDistance(a, b, config, control, observer);
        QCOMPARE(r.status, wb::RunStatus::Failed);
        QVERIFY(contains(r.error, "--embed-dim"));
        // No PCA asked, or none needed: no basis.
        config.embedDim = 0;
        QVERIFY(!fitPcaBasis({a, b}, config, control));
        config.embedDim = 64;
        QVERIFY(!fitPcaBasis({a, b}, config, control));
    }

    void configJsonAndCacheKey()
    {
        DistanceConfig c;
        const auto key = c.cacheKeyJson();
        c.threads = 2;
        c.tileRows = 7;
        c.costCacheMb = 1;
        QCOMPARE(c.cacheKeyJson(), key); // run-time settings do not change the value
        c.entreg = 0.2;
        QVERIFY(c.cacheKeyJson() != key);
        c.entreg = 0.1;
        c.inner = InnerMethod::Gaussian;
        QVERIFY(c.cacheKeyJson() != key);
        QVERIFY(contains(c.toJson(), "\"inner\":\"gaussian\""));
        // The label problems' iteration cap is part of exact keys only (Gaussian ones do not
        // iterate).
        const auto gaussianKey = c.cacheKeyJson();
        c.innerMaxIterations = 2000;
        QCOMPARE(c.cacheKeyJson(), gaussianKey);
        c.inner = InnerMethod::Exact;
        QVERIFY(c.cacheKeyJson() != key);
        c.innerMaxIterations = DistanceConfig{}.innerMaxIterations;
        QCOMPARE(c.cacheKeyJson(), key);
        c.inner = InnerMethod::Gaussian;
        // Exact keys name the full squared label cost, so halved-cost entries never match.
        QVERIFY(contains(key, "\"exact_label_cost\":\"sqeuclidean\""));
        QVERIFY(!contains(c.cacheKeyJson(), "exact_label_cost"));
        QCOMPARE(parseInnerMethod("exact"), InnerMethod::Exact);
        QVERIFY_EXCEPTION_THROWN(parseInnerMethod("sliced"), Error);
    }
};

QTEST_APPLESS_MAIN(TestDatasetDistance)
#include "test_dataset_distance.moc"
