// `supernet-workbench-bench`: event-loop latency of the workbench while a real search runs in
// its worker thread, and the search's throughput with and without the GUI attached.
//
// Latency: a 5 ms QTimer in the GUI thread records the gap between its ticks while the live
// run view takes every drained update; max and p99 gaps above 5 ms are the GUI's stalls.
// Throughput: steps per second of the same recorded search run headless (the CLI's path: the
// runner called on this thread) and from the window.
// Plot load: a curves view fed --curve-points synthetic steps in batches of 1000 (one batch per
// drain, as in a live run), each followed by its queued replot; the slowest batch is the
// longest the GUI thread is busy at that plot size.

#include "curves_view.h"
#include "qcustomplot_include.h"
#include "main_window.h"
#include "run_view.h"
#include "search_session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

namespace {

struct CountingObserver : wb::darts::RunObserver {
    int steps = 0;
    void onStep(const wb::darts::StepMetrics&) override { ++steps; }
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("GUI latency and throughput benchmark"));
    parser.addHelpOption();
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("Dataset."),
                                  QStringLiteral("PATH"));
    const QCommandLineOption epochs(QStringLiteral("epochs"), QStringLiteral("Search epochs."),
                                    QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("Intra-op threads."),
                                     QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption size(QStringLiteral("image-size"), QStringLiteral("Image size."),
                                  QStringLiteral("S"), QStringLiteral("16"));
    const QCommandLineOption perClass(QStringLiteral("max-per-class"),
                                      QStringLiteral("Images per class."), QStringLiteral("N"),
                                      QStringLiteral("40"));
    const QCommandLineOption curvePoints(QStringLiteral("curve-points"),
                                         QStringLiteral("Points for the plot-load measurement."),
                                         QStringLiteral("N"), QStringLiteral("100000"));
    parser.addOptions({data, epochs, threads, size, perClass, curvePoints});
    parser.process(app);
    if (!parser.isSet(data)) {
        std::fprintf(stderr, "supernet-workbench-bench: --data PATH is required\n");
        return 2;
    }
    wb::darts::SearchConfig config;
    config.data.path = parser.value(data).toStdString();
    config.data.imageSize = parser.value(size).toInt();
    config.data.maxPerClass = parser.value(perClass).toInt();
    config.epochs = parser.value(epochs).toInt();
    config.runtime.threads = parser.value(threads).toInt();
    config.channels = 4;
    config.batchSize = 32;

    QTemporaryDir dir;
    const auto db = dir.filePath(QStringLiteral("bench.sqlite")).toStdString();

    // Headless: the recorded search on this thread.
    wb::RunControl control;
    CountingObserver counter;
    QElapsedTimer clock;
    clock.start();
    const auto headless = wb::session::SearchSession::recordedSearchRunner(db, config, std::nullopt,
                                                                           {})(control, counter);
    const double headlessSeconds = double(clock.nsecsElapsed()) * 1e-9;
    if (headless.status != wb::RunStatus::Done) {
        std::fprintf(stderr, "supernet-workbench-bench: %s\n", headless.error.c_str());
        return 1;
    }

    // With the window: the same search from the GUI, ticks timed in the GUI thread.
    wb::ui::MainWindow window;
    window.resize(1280, 860);
    window.show();
    window.openWorkspace(QString::fromStdString(db));
    std::vector<double> gaps;
    QElapsedTimer tick;
    QTimer timer;
    timer.setInterval(5);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        gaps.push_back(double(tick.nsecsElapsed()) * 1e-6);
        tick.restart();
    });
    QSignalSpy finished(&window.searchSession(), &wb::session::SearchSession::finished);
    clock.restart();
    tick.start();
    timer.start();
    window.startSearch(config);
    finished.wait(24 * 3600 * 1000);
    timer.stop();
    const double guiSeconds = double(clock.nsecsElapsed()) * 1e-9;
    const int guiSteps =
        window.runView()->curves()->pointCount(wb::ui::CurvesView::Curve::StepTrainLoss);

    std::printf("search: %s, %d epochs, %d threads, image size %d\n", config.data.path.c_str(),
                config.epochs, config.runtime.threads, config.data.imageSize);
    std::printf("headless : %d steps in %.1f s = %.3f steps/s\n", counter.steps, headlessSeconds,
                counter.steps / headlessSeconds);
    std::printf("with GUI : %d steps in %.1f s = %.3f steps/s (%.1f%% of headless)\n", guiSteps,
                guiSeconds, guiSteps / guiSeconds,
                100.0 * (guiSteps / guiSeconds) / (counter.steps / headlessSeconds));
    std::printf(
        "event loop (5 ms timer, %zu ticks): max gap %.1f ms, p99 %.1f ms, median %.1f ms\n",
        gaps.size(), gaps.empty() ? 0.0 : *std::max_element(gaps.begin(), gaps.end()),
        percentile(gaps, 0.99), percentile(gaps, 0.5));

    wb::ui::CurvesView curves;
    curves.resize(800, 500);
    curves.show();
    const int points = parser.value(curvePoints).toInt();
    constexpr int kBatch = 1000, kStepsPerEpoch = 1000;
    double slowest = 0;
    clock.restart();
    for (int start = 0; start < points; start += kBatch) {
        std::vector<wb::darts::StepMetrics> batch;
        for (int i = start; i < std::min(points, start + kBatch); ++i)
            batch.push_back({i / kStepsPerEpoch + 1, i % kStepsPerEpoch + 1, kStepsPerEpoch,
                             2.0 / (1.0 + 1e-4 * i), 1.0 - 1.0 / (1.0 + 1e-4 * i), 0, 0.01, 0});
        QElapsedTimer one;
        one.start();
        curves.appendSteps(batch);
        // Both plots redrawn now (what the queued replot of this batch does later).
        curves.lossPlot()->replot();
        curves.accuracyPlot()->replot();
        slowest = std::max(slowest, double(one.nsecsElapsed()) * 1e-6);
    }
    std::printf("plot load: %d points in batches of %d, %.2f s total, slowest batch + replot %.1f "
                "ms, %d points drawn\n",
                points, kBatch, double(clock.nsecsElapsed()) * 1e-9, slowest,
                curves.pointCount(wb::ui::CurvesView::Curve::StepTrainLoss));
    return 0;
}
