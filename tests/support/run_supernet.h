#pragma once

// Runs the `supernet` executable of this build (SUPERNET_BIN) for CLI tests: exit code, stdout
// (also parsed as a JSON object when it is one) and stderr. Header-only.

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace wb::test {

struct Ran {
    int exitCode = -1;
    QJsonObject json;
    QString out;
    QString err;
};

inline Ran runSupernet(const QStringList& args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(SUPERNET_BIN, args);
    if (!p.waitForFinished(timeoutMs)) p.kill();
    Ran r;
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    r.json = QJsonDocument::fromJson(r.out.toUtf8()).object();
    return r;
}

} // namespace wb::test
