#pragma once

#include <optional>

#include <QString>
#include <QStringList>

namespace wb::ui {

enum class View { Runs, Run, Distance, Compare };

// `supernet-workbench [--db FILE] [--open-run ID] [--view runs|run|distance|compare]
// [--datasets A,B,...] [--compare ID,ID,...] [--screenshot OUT.png]`.
struct CommandLine {
    QString db; // empty = last workspace from QSettings, else the default
    std::optional<qint64> runId;
    std::optional<View> view;
    QString screenshot; // non-empty: render the window to this file and exit
    QStringList datasets;   // distance view: these datasets, matrix computed (cache first)
    QList<qint64> compare;  // compare view: these runs checked
};

// Parses the application's arguments; on a bad value returns nullopt and sets `error`.
// --help/--version are handled by QCommandLineParser (it exits).
std::optional<CommandLine> parseCommandLine(const QStringList& arguments, QString* error);

} // namespace wb::ui
