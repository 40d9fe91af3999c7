#include "command_line.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace wb::ui {

std::optional<CommandLine> parseCommandLine(const QStringList& arguments, QString* error)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Supernet Workbench: DARTS runs of a workspace"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption db(
        QStringLiteral("db"),
        QCoreApplication::translate("main", "Workspace: a SQLite file or a postgresql:// URI "
                                            "(default: $SUPERNET_DB, else the last one)."),
        QStringLiteral("FILE|URI"));
    const QCommandLineOption openRun(QStringLiteral("open-run"),
                                     QCoreApplication::translate("main", "Run to show."),
                                     QStringLiteral("ID"));
    const QCommandLineOption view(
        QStringLiteral("view"),
        QCoreApplication::translate("main",
                                    "Initial view: runs|run|datasets|distance|compare|queue."),
        QStringLiteral("VIEW"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QCoreApplication::translate("main",
                                    "Save the window as an image after loading, then exit."),
        QStringLiteral("OUT.png"));
    const QCommandLineOption datasets(
        QStringLiteral("datasets"),
        QCoreApplication::translate("main", "Distance view: comma-separated dataset paths."),
        QStringLiteral("A,B,..."));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QCoreApplication::translate("main", "Compare view: comma-separated run ids."),
        QStringLiteral("ID,ID,..."));
    const QCommandLineOption dark(QStringLiteral("dark"),
                                  QCoreApplication::translate("main", "Use the dark palette."));
    const QCommandLineOption experiment(
        QStringLiteral("experiment"),
        QCoreApplication::translate("main", "Compare view: an experiment's arms (first target)."),
        QStringLiteral("ID"));
    const QCommandLineOption scatter(
        QStringLiteral("scatter"),
        QCoreApplication::translate("main", "With --experiment: its distance-vs-gain scatter over "
                                            "all targets instead of the first target's arms."));
    parser.addOptions(
        {db, openRun, view, screenshot, datasets, compare, dark, experiment, scatter});
    parser.process(arguments);

    CommandLine out;
    out.db = parser.value(db);
    out.screenshot = parser.value(screenshot);
    out.dark = parser.isSet(dark);
    out.scatter = parser.isSet(scatter);
    if (out.scatter && !parser.isSet(experiment)) {
        *error = QStringLiteral("--scatter needs --experiment ID");
        return std::nullopt;
    }
    if (parser.isSet(experiment)) {
        bool ok = false;
        out.experiment = parser.value(experiment).toLongLong(&ok);
        if (!ok) {
            *error = QStringLiteral("--experiment: '%1' is not an experiment id")
                         .arg(parser.value(experiment));
            return std::nullopt;
        }
    }
    if (parser.isSet(openRun)) {
        bool ok = false;
        const qint64 id = parser.value(openRun).toLongLong(&ok);
        if (!ok || id <= 0) {
            *error = QStringLiteral("--open-run: '%1' is not a run id").arg(parser.value(openRun));
            return std::nullopt;
        }
        out.runId = id;
    }
    if (parser.isSet(view)) {
        const QString v = parser.value(view);
        if (v == QLatin1String("runs")) {
            out.view = View::Runs;
        } else if (v == QLatin1String("run")) {
            out.view = View::Run;
        } else if (v == QLatin1String("datasets")) {
            out.view = View::Datasets;
        } else if (v == QLatin1String("distance")) {
            out.view = View::Distance;
        } else if (v == QLatin1String("compare")) {
            out.view = View::Compare;
        } else if (v == QLatin1String("queue")) {
            out.view = View::Queue;
        } else {
            *error = QStringLiteral(
                         "--view: '%1' is not one of runs, run, datasets, distance, compare, queue")
                         .arg(v);
            return std::nullopt;
        }
    }
    if (parser.isSet(datasets))
        out.datasets = parser.value(datasets).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const auto& id : parser.value(compare).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        out.compare << id.toLongLong(&ok);
        if (!ok) {
            *error = QStringLiteral("--compare: '%1' is not a run id").arg(id);
            return std::nullopt;
        }
    }
    if (!parser.positionalArguments().isEmpty()) {
        *error = QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments()[0]);
        return std::nullopt;
    }
    return out;
}

} // namespace wb::ui
