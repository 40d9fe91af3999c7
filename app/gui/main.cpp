// `supernet-workbench`: the desktop front end of a workspace database.
#include "command_line.h"
#include "compare_page.h"
#include "datasets_page.h"
#include "distance_page.h"
#include "main_window.h"
#include "run_view.h"
#include "termination_signals.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <cstdio>

#include <QApplication>
#include <QFileInfo>
#include <QSettings>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("supernet-workbench"));
    QApplication::setApplicationName(QStringLiteral("supernet-workbench"));
    QApplication::setApplicationVersion(QStringLiteral(WB_VERSION));
    // Matches the installed desktop entry, so desktops show its name and icon for the window.
    QApplication::setDesktopFileName(
        QStringLiteral("io.github.supernet_workbench.SupernetWorkbench"));

    QString error;
    const auto options = wb::ui::parseCommandLine(QApplication::arguments(), &error);
    if (!options) {
        std::fprintf(stderr, "supernet-workbench: %s\n", qPrintable(error));
        return 2;
    }
    const bool screenshot = !options->screenshot.isEmpty();

    if (options->dark) wb::ui::MainWindow::setDarkPalette(true);
    wb::ui::MainWindow window;
    if (!screenshot) window.restoreSettings();

    // --db, then SUPERNET_DB, then the last workspace, then the default file.
    QString db = options->db;
    const bool given = !db.isEmpty() || !qEnvironmentVariableIsEmpty("SUPERNET_DB");
    if (db.isEmpty()) db = qEnvironmentVariable("SUPERNET_DB");
    if (db.isEmpty()) db = QSettings().value(QStringLiteral("workspace/last")).toString();
    if (db.isEmpty()) db = QString::fromStdString(wb::store::defaultWorkspacePath());
    // An explicit workspace must open; a remembered or default file may be missing on a fresh
    // machine.
    if (given || wb::store::isServerWorkspace(db.toStdString()) || QFileInfo::exists(db)) {
        if (!window.openWorkspace(db, &error)) {
            std::fprintf(stderr, "supernet-workbench: %s\n", qPrintable(error));
            if (given && screenshot) return 1;
        }
    }
    if (options->runId) window.openRun(*options->runId); // shown once the workspace is listed
    window.show();
    // Runs to compare or an experiment open the Compare view unless another is asked for.
    if (options->view)
        window.setView(*options->view);
    else if (!options->compare.isEmpty() || options->experiment)
        window.setView(wb::ui::View::Compare);
    // Ids on the command line and screenshots need the listing (a moment at start-up).
    if (screenshot || !options->compare.isEmpty() || options->experiment || options->runId)
        window.waitUntilIdle(60 * 1000);
    // An id that is not in the workspace is a usage error, not an empty view.
    std::vector<std::int64_t> runIds(options->compare.begin(), options->compare.end());
    if (options->runId) runIds.push_back(*options->runId);
    for (const auto id : runIds)
        if (!window.hasRun(id)) {
            std::fprintf(stderr, "supernet-workbench: run %lld not found in %s\n",
                         static_cast<long long>(id), qPrintable(window.shownWorkspace()));
            return 2;
        }
    if (options->experiment && !window.hasExperiment(*options->experiment)) {
        std::fprintf(stderr, "supernet-workbench: experiment %lld not found in %s\n",
                     static_cast<long long>(*options->experiment),
                     qPrintable(window.shownWorkspace()));
        return 2;
    }
    if (!options->datasets.isEmpty() && options->view == wb::ui::View::Datasets) {
        window.datasetsPage()->setDatasets(options->datasets);
        window.datasetsPage()->showDataset(options->datasets.front());
        if (screenshot) window.datasetsPage()->waitUntilIdle(60 * 1000);
    } else if (!options->datasets.isEmpty()) {
        window.distancePage()->setDatasets(options->datasets);
        window.distancePage()->compute();
        // A screenshot shows the finished matrix (cached pairs return at once).
        if (screenshot) window.distancePage()->waitUntilIdle(10 * 60 * 1000);
    }
    if (!options->compare.isEmpty())
        window.comparePage()->setChecked({options->compare.begin(), options->compare.end()});
    if (options->experiment) {
        window.comparePage()->showExperiment(*options->experiment, {});
        if (options->scatter && !window.comparePage()->showDistanceGain(*options->experiment))
            std::fprintf(stderr,
                         "supernet-workbench: experiment %lld has no warm arm with a distance: "
                         "showing its first target\n",
                         static_cast<long long>(*options->experiment));
    }

    if (screenshot) {
        if (!window.saveScreenshot(options->screenshot, &error)) {
            std::fprintf(stderr, "supernet-workbench: %s\n", qPrintable(error));
            return 1;
        }
        return 0;
    }
    // SIGTERM and SIGINT stop a running search cleanly (cancelled, resumable), like the CLI;
    // the exit code is the shell's 128 + signal.
    wb::session::TerminationSignals termination;
    QObject::connect(&termination, &wb::session::TerminationSignals::received, &window,
                     [&window](int signal) {
                         // Our exit code, not the 0 of "last window closed".
                         QApplication::setQuitOnLastWindowClosed(false);
                         window.closeWithoutAsking();
                         QApplication::exit(128 + signal);
                     });
    return QApplication::exec();
}
