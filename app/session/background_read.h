#pragma once

#include "wb/store/run_store.h"

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include <QCoreApplication>
#include <QPointer>
#include <QString>
#include <QThread>

namespace wb::session {

// Runs `read` on a short-lived thread with its own read-only connection to the workspace `db`
// (the GUI thread never waits on SQLite) and calls `done` with the result, or with null and the
// error message, on the GUI thread, unless `context` was destroyed meanwhile. The guard is
// checked on the GUI thread (the call is posted to the application object, which outlives it).
// With `write`, the connection may write (an existing workspace only).
template <class T>
void readInBackground(QObject* context, std::string db, std::function<T(store::RunStore&)> read,
                      std::function<void(std::shared_ptr<const T>, const QString&)> done,
                      bool write = false)
{
    QPointer<QObject> guard(context);
    QThread* thread = QThread::create(
        [guard, db = std::move(db), read = std::move(read), done = std::move(done), write] {
            std::shared_ptr<const T> result;
            QString error;
            try {
                auto store =
                    write ? store::RunStore::openExisting(db) : store::RunStore::openReadOnly(db);
                result = std::make_shared<const T>(read(store));
            } catch (const std::exception& e) {
                error = QString::fromUtf8(e.what());
            }
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [guard, done, result, error] {
                    if (guard) done(result, error);
                },
                Qt::QueuedConnection);
        });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

} // namespace wb::session
