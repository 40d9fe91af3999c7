#pragma once

#include <QListWidget>

namespace wb::ui {

// A list of dataset paths that accepts dropped files and folders and remembers itself in
// QSettings under `settingsKey`. GUI thread only.
class PathList : public QListWidget {
    Q_OBJECT
public:
    explicit PathList(QString settingsKey, QWidget* parent = nullptr);

    // Replaces the list (empty and repeated paths dropped) and remembers it.
    void setPaths(const QStringList& paths);
    QStringList paths() const;
    void removeCurrent();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QString m_key;
};

} // namespace wb::ui
