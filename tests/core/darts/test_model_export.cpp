// The model export: model.py with the exported weights.pt reproduces the C++ network's logits in
// Python's torch (Debian's /usr/bin/python3), loads with strict key matching, and converts to
// TorchScript and ONNX. The genotype uses every op, with strided pools, convolutions and skip
// connections in the reduction cell, on odd image sizes (the odd path of FactorizedReduce).

#include "synthetic_idx.h"
#include "wb/darts/model_export.h"
#include "wb/darts/search.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

using namespace wb;
using namespace wb::darts;
namespace fs = std::filesystem;

namespace {

const char* const kEveryOp =
    "Genotype(normal=[('sep_conv_7x7', 0), ('dil_conv_5x5', 1), ('sep_conv_5x5', 2), "
    "('skip_connect', 0), ('avg_pool_3x3', 3), ('dil_conv_3x3', 1), ('max_pool_3x3', 2), "
    "('sep_conv_3x3', 4)], normal_concat=range(2, 6), reduce=[('skip_connect', 0), "
    "('avg_pool_3x3', 1), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('max_pool_3x3', 0), "
    "('dil_conv_5x5', 3), ('sep_conv_5x5', 1), ('skip_connect', 4)], reduce_concat=range(2, 6))";

// Loads model.py as Python users would, with strict key matching, and compares logits of the
// example input; prints the parameter count and the TorchScript module's difference.
const char* const kCheck = R"py(
import sys, torch
sys.path.insert(0, '.')
import model
net = model.Network()
missing = net.load_state_dict(torch.load('weights.pt'), strict=True)
net.eval()
x = torch.load('example_input.pt')
expected = torch.load('example_logits.pt')
with torch.no_grad():
    got = net(x)
    scripted = torch.jit.load('model.ts')(x)
print('params', sum(p.numel() for p in net.parameters()))
print('diff', (got - expected).abs().max().item())
print('ts', (scripted - expected).abs().max().item())
print('shape', tuple(got.shape))
)py";

} // namespace

class TestModelExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!fs::exists("/usr/bin/python3")) QSKIP("no /usr/bin/python3");
        QProcess probe;
        probe.start("/usr/bin/python3", {"-c", "import torch"});
        QVERIFY(probe.waitForFinished(60000));
        if (probe.exitCode() != 0) QSKIP("python3-torch is not installed");
        torch::set_num_threads(1);
    }

    void pythonModelReproducesTheLogits_data()
    {
        QTest::addColumn<int>("imageSize");
        QTest::addColumn<bool>("auxiliary");
        QTest::newRow("11x11, auxiliary head") << 11 << true;
        QTest::newRow("12x12") << 12 << false;
    }

    void pythonModelReproducesTheLogits()
    {
        QFETCH(int, imageSize);
        QFETCH(bool, auxiliary);
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        fs::create_directories(root / "data");
        wb::test::writeSeparableIdx((root / "data").string(), 3, 12, imageSize);
        TrainConfig config;
        config.data.path = (root / "data").string();
        config.genotype = Genotype::parse(kEveryOp);
        config.runtime.threads = 1;
        config.channels = 4;
        config.layers = 5;
        config.batchSize = 8;
        config.epochs = 1;
        config.auxiliaryWeight = auxiliary ? 0.4 : 0;
        config.checkpointDir = (root / "run").string();
        RunControl control;
        struct : RunObserver {
            std::string checkpoint;
            void onCheckpoint(const CheckpointInfo& c) override { checkpoint = c.path; }
        } observer;
        const auto trained = runTrain(config, control, observer);
        QVERIFY2(trained.status == RunStatus::Done, trained.error.c_str());

        ModelSpec spec;
        spec.genotype = config.genotype;
        spec.inChannels = 1;
        spec.classes = 3;
        spec.channels = config.channels;
        spec.layers = config.layers;
        spec.imageSize = imageSize;
        spec.trained = true;
        spec.origin = "a test";
        const auto out = root / "export";
        fs::create_directories(out);
        exportTrainedModel(observer.checkpoint, spec, auxiliary, out.string());
        QCOMPARE(spec.mean.size(), std::size_t(1)); // read back from the checkpoint
        QVERIFY(spec.sd.at(0) > 0);
        std::ofstream(out / "model.py") << modelPythonFile(spec);

        // model.py's own check and conversions.
        QProcess convert;
        convert.setWorkingDirectory(QString::fromStdString(out.string()));
        convert.start("/usr/bin/python3",
                      {"model.py", "--torchscript", "model.ts", "--onnx", "model.onnx"});
        QVERIFY(convert.waitForFinished(120000));
        QVERIFY2(convert.exitCode() == 0, convert.readAllStandardError().constData());
        QVERIFY(fs::file_size(out / "model.onnx") > 1000);

        QProcess check;
        check.setWorkingDirectory(QString::fromStdString(out.string()));
        check.start("/usr/bin/python3", {"-c", kCheck});
        QVERIFY(check.waitForFinished(120000));
        const auto text = QString::fromUtf8(check.readAllStandardOutput());
        QVERIFY2(check.exitCode() == 0, check.readAllStandardError().constData());
        const auto value = [&](const QString& key) {
            for (const auto& line : text.split('\n'))
                if (line.startsWith(key + ' ')) return line.mid(key.size() + 1);
            return QString();
        };
        // Same architecture: the parameter count the training reported (auxiliary head excluded).
        QCOMPARE(value("params").toLongLong(), qlonglong(trained.parameters));
        QVERIFY2(value("diff").toDouble() < 1e-4, qPrintable(text));
        QVERIFY2(value("ts").toDouble() < 1e-4, qPrintable(text));
        QCOMPARE(value("shape"), QString("(2, 3)"));
    }

    void untrainedModelRefusesToConvert()
    {
        ModelSpec spec;
        spec.genotype = Genotype::parse(kEveryOp);
        spec.origin = "a search";
        QTemporaryDir dir;
        const fs::path out = dir.path().toStdString();
        std::ofstream(out / "model.py") << modelPythonFile(spec);
        QProcess run;
        run.setWorkingDirectory(dir.path());
        run.start("/usr/bin/python3", {"model.py", "--onnx", "model.onnx"});
        QVERIFY(run.waitForFinished(60000));
        QCOMPARE(run.exitCode(), 2);
        QVERIFY(run.readAllStandardError().contains("untrained"));
        QVERIFY(!fs::exists(out / "model.onnx"));
        // It still builds: Network() with its defaults takes an image of the declared size.
        QProcess build;
        build.setWorkingDirectory(dir.path());
        build.start("/usr/bin/python3", {"-c", "import torch, model; n = model.Network().eval(); "
                                               "print(tuple(n(torch.zeros(1, 1, 9, 9)).shape))"});
        QVERIFY(build.waitForFinished(60000));
        QCOMPARE(QString::fromUtf8(build.readAllStandardOutput()).trimmed(), QString("(1, 2)"));
    }
};

QTEST_APPLESS_MAIN(TestModelExport)
#include "test_model_export.moc"
