#include "store_fixtures.h"

#include "wb/common/error.h"
#include "wb/render/cell_graph.h"
#include "wb/store/export.h"
#include "wb/store/run_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace wb;
using namespace wb::store;
using namespace wb::render;
using namespace fixtures;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kExportFiles = {
    "genotype.json", "genotype.py", "normal.dot",  "normal.svg", "normal.png",  "reduce.dot",
    "reduce.svg",    "reduce.png",  "metrics.csv", "alphas.csv", "config.json", "provenance.json"};

// A finished search run with three epochs in a fresh workspace.
std::int64_t makeRun(RunStore& store)
{
    const auto id = store.createRun(sampleRun());
    store.recordDataset(id, sampleDataset());
    for (int e = 1; e <= 3; ++e) {
        store.recordEpoch(id, sampleEpoch(e));
        store.recordAlphas(id, sampleAlphas(e));
    }
    store.finishRun(id, wb::RunStatus::Done);
    return id;
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { WB_REQUIRE_TEST_BACKEND(); }

    void dotTextHasThePapersNodesAndEdges()
    {
        // Two intermediate nodes: node 0 reads c_{k-2} and c_{k-1}, node 1 reads c_{k-2} and 0.
        const std::vector<darts::GenotypeEdge> edges = {
            {"sep_conv_3x3", 0}, {"skip_connect", 1}, {"max_pool_3x3", 0}, {"dil_conv_3x3", 2}};
        const auto dot = cellDot(edges, {2, 3}, "normal");
        QVERIFY(contains(dot, "digraph \"normal\" {"));
        QVERIFY(contains(dot, "rankdir=LR;"));
        for (const char* node :
             {"\"c_{k-2}\" [", "\"c_{k-1}\" [", "\"0\" [", "\"1\" [", "\"c_{k}\" ["})
            QVERIFY2(contains(dot, node), node);
        QVERIFY(!contains(dot, "\"2\" ["));
        QVERIFY(contains(dot, "\"c_{k-2}\" -> \"0\" [label=\"sep_conv_3x3\""));
        QVERIFY(contains(dot, "\"c_{k-1}\" -> \"0\" [label=\"skip_connect\""));
        QVERIFY(contains(dot, "\"c_{k-2}\" -> \"1\" [label=\"max_pool_3x3\""));
        QVERIFY(contains(dot, "\"0\" -> \"1\" [label=\"dil_conv_3x3\""));
        QVERIFY(contains(dot, "\"0\" -> \"c_{k}\""));
        QVERIFY(contains(dot, "\"1\" -> \"c_{k}\""));
        QCOMPARE(std::count(dot.begin(), dot.end(), '>'), std::ptrdiff_t(6)); // 4 + 2 edges

        const auto reduce = cellDot(sampleGenotype(), CellType::Reduce);
        QVERIFY(contains(reduce, "\"0\" -> \"2\" [label=\"skip_connect\""));
        QVERIFY(contains(reduce, "\"3\" -> \"c_{k}\""));
    }

    void rendersSvgAndPng()
    {
        const auto dot = cellDot(sampleGenotype(), CellType::Normal);
        const auto svg = renderDot(dot, "svg");
        QVERIFY(contains(svg, "<svg"));
        QVERIFY(contains(svg, "sep_conv_5x5"));
        QVERIFY(contains(svg, "c_{k&#45;2}") || contains(svg, "c_{k-2}"));
        const auto png = renderDot(dot, "png");
        QVERIFY(png.size() > 100);
        QCOMPARE(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
        QVERIFY_THROWS_EXCEPTION(Error, renderDot("digraph { a -> ", "svg"));
        QVERIFY_THROWS_EXCEPTION(Error, renderDot("digraph { a }", "no-such-format"));
    }

    void exportWritesEveryFile()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto id = makeRun(store);
        const auto out = fs::path(dir.path().toStdString()) / "export" / "run1";
        const auto result = exportRun(store, id, out.string());
        QCOMPARE(result.written.size(), kExportFiles.size());
        QVERIFY(result.notes.empty());
        for (const auto& name : kExportFiles) {
            QVERIFY2(fs::exists(out / name), name.c_str());
            QVERIFY2(fs::file_size(out / name) > 0, name.c_str());
        }
        QVERIFY(!fs::exists(out / "genotype.json.part"));

        QCOMPARE(readBytes(out / "normal.png").substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
        QVERIFY(contains(readBytes(out / "reduce.svg"), "<svg"));
        QCOMPARE(q(readBytes(out / "normal.dot")), q(cellDot(sampleGenotype(), CellType::Normal)));
        QVERIFY(darts::Genotype::parse(readBytes(out / "genotype.json")) == sampleGenotype());

        const auto metrics = lines(readBytes(out / "metrics.csv"));
        QCOMPARE(metrics.size(), std::size_t(4));
        QCOMPARE(q(metrics[0]), QString("epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds"));
        QVERIFY(metrics[2].rfind("2,1.25,0.2,1.125,", 0) == 0);

        const auto alphas = lines(readBytes(out / "alphas.csv"));
        const auto a = sampleAlphas(3);
        QCOMPARE(alphas.size(), 1 + 3 * 2 * a.normal.size());
        QCOMPARE(q(alphas[0]), QString("epoch,cell,edge,node,input,op,weight,edge_weight"));
        QVERIFY(alphas[1].rfind("1,normal,0,0,0,none,", 0) == 0);
        // The weight reads back to the same float32; no edge weight without edge normalisation.
        QCOMPARE(alphas[1].back(), ',');
        const auto weight = alphas[1].substr(0, alphas[1].size() - 1);
        QCOMPARE(std::stof(weight.substr(weight.rfind(',') + 1)), sampleAlphas(1).normal[0]);
        // Edge 2 is node 1's first input; edge 13 is node 3's last (input 4).
        QVERIFY(alphas[1 + 2 * 8].rfind("1,normal,2,1,0,none,", 0) == 0);
        QVERIFY(alphas[1 + 13 * 8 + 7].rfind("1,normal,13,3,4,dil_conv_5x5,", 0) == 0);

        const auto config = nlohmann::json::parse(readBytes(out / "config.json"));
        QVERIFY(config == nlohmann::json::parse(sampleRun().configJson));
        const auto provenance = nlohmann::json::parse(readBytes(out / "provenance.json"));
        QCOMPARE(provenance.at("run_id").get<std::int64_t>(), id);
        QCOMPARE(provenance.at("seed").get<std::uint64_t>(), sampleRun().seed);
        QCOMPARE(q(provenance.at("dataset").at("fingerprint").get<std::string>()),
                 q(sampleDataset().fingerprint));
        QCOMPARE(q(provenance.at("versions").at("libraries").get<std::string>()),
                 QString("libtorch 2.1.2"));
        QCOMPARE(q(provenance.at("status").get<std::string>()), QString("done"));
        QVERIFY(!provenance.at("host").get<std::string>().empty());
        QVERIFY(!provenance.at("started_at").get<std::string>().empty());
    }

    void genotypePyRunsAndPrintsTheLiteral()
    {
        if (!fs::exists("/usr/bin/python3")) QSKIP("no /usr/bin/python3");
        QTemporaryDir dir;
        const auto file = fs::path(dir.path().toStdString()) / "genotype.py";
        writeBytes(file, genotypePythonFile(sampleGenotype()));
        QProcess python;
        python.start("/usr/bin/python3", {q(file.string())});
        QVERIFY(python.waitForFinished(30000));
        QCOMPARE(python.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(python.readAllStandardOutput()),
                 q(sampleGenotype().toPython() + "\n"));
    }

    void refusesExistingTargetsUnlessForced()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto id = makeRun(store);
        const auto out = fs::path(dir.path().toStdString()) / "export";
        fs::create_directories(out);
        writeBytes(out / "metrics.csv", "keep me");
        try {
            exportRun(store, id, out.string());
            QFAIL("an existing metrics.csv was not refused");
        } catch (const Error& e) {
            QVERIFY2(contains(e.what(), (out / "metrics.csv").string()), e.what());
            QVERIFY2(contains(e.what(), "--force"), e.what());
        }
        // Checked before writing anything: only the old file is there, unchanged.
        QCOMPARE(std::distance(fs::directory_iterator(out), fs::directory_iterator()),
                 std::ptrdiff_t(1));
        QCOMPARE(q(readBytes(out / "metrics.csv")), QString("keep me"));

        // The caller's extra files (weights.pt) are checked too.
        fs::remove(out / "metrics.csv");
        writeBytes(out / "weights.pt", "old weights");
        ExportOptions options;
        options.extraFiles = {"weights.pt"};
        QVERIFY_THROWS_EXCEPTION(Error, exportRun(store, id, out.string(), options));
        QCOMPARE(std::distance(fs::directory_iterator(out), fs::directory_iterator()),
                 std::ptrdiff_t(1));

        options.force = true;
        writeBytes(out / "metrics.csv", "keep me");
        const auto result = exportRun(store, id, out.string(), options);
        QCOMPARE(result.written.size(), kExportFiles.size());
        QVERIFY(readBytes(out / "metrics.csv").rfind("epoch,", 0) == 0);
        QCOMPARE(q(readBytes(out / "weights.pt")), QString("old weights")); // not ours to write
    }

    void refusesAFileAsTargetFolder()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto id = makeRun(store);
        const auto file = fs::path(dir.path().toStdString()) / "plain-file";
        writeBytes(file, "x");
        QVERIFY_THROWS_EXCEPTION(Error, exportRun(store, id, file.string()));
    }

    void runWithoutGenotypeExportsTheRest()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto id = store.createRun(sampleRun());
        const auto out = fs::path(dir.path().toStdString()) / "early";
        const auto result = exportRun(store, id, out.string());
        QCOMPARE(result.written.size(), std::size_t(4));
        QCOMPARE(result.notes.size(), std::size_t(1));
        QVERIFY(fs::exists(out / "provenance.json"));
        QVERIFY(!fs::exists(out / "genotype.py"));
    }

    void unknownRunIsAClearError()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto out = fs::path(dir.path().toStdString()) / "never";
        try {
            exportRun(store, 9, out.string());
            QFAIL("no error for an unknown run");
        } catch (const Error& e) {
            QVERIFY2(contains(e.what(), "run 9 not found"), e.what());
        }
        QVERIFY(!fs::exists(out));
    }
};

QTEST_APPLESS_MAIN(TestExport)
#include "test_export.moc"
