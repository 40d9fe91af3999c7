#pragma once

#include <optional>

#include <QString>
#include <QStringList>

namespace wb::ui {

enum class View { Runs, Run, Datasets, Distance, Compare, Queue };

// `supernet-workbench [--db FILE] [--open-run ID] [--view runs|run|datasets|distance|compare]
// [--datasets A,B,...] [--compare ID,ID,...] [--experiment ID [--scatter]] [--dark] [--screenshot OUT.png]`.
struct CommandLine {
    QString db; // empty = last workspace from QSettings, else the default
    std::optional<qint64> runId;
    std::optional<View> view;
    QString screenshot;    // non-empty: render the window to this file and exit
    QStringList datasets;  // datasets/distance views: these datasets (the matrix computed)
    QList<qint64> compare; // compare view: these runs checked
    bool dark = false;     // --dark: the dark palette (screenshots)
    std::optional<qint64> experiment; // compare view: this experiment's arm means (first target)
    bool scatter = false;             // ... or its distance-vs-gain scatter
};

// Parses the application's arguments; on a bad value returns nullopt and sets `error`.
// --help/--version are handled by QCommandLineParser (it exits).
std::optional<CommandLine> parseCommandLine(const QStringList& arguments, QString* error);

} // namespace wb::ui
