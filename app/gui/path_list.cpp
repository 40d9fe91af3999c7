#include "path_list.h"

#include <QDragEnterEvent>
#include <QMimeData>
#include <QSettings>

namespace wb::ui {

PathList::PathList(QString settingsKey, QWidget* parent)
    : QListWidget(parent), m_key(std::move(settingsKey))
{
    setAcceptDrops(true);
    setToolTip(tr("Datasets; drop folders or files here"));
    const QStringList remembered = QSettings().value(m_key).toStringList();
    setPaths(remembered);
}

void PathList::setPaths(const QStringList& paths)
{
    const QSignalBlocker block(this);
    clear();
    for (const auto& p : paths)
        if (!p.isEmpty() && findItems(p, Qt::MatchExactly).isEmpty()) addItem(p);
    QSettings().setValue(m_key, this->paths());
}

QStringList PathList::paths() const
{
    QStringList out;
    for (int i = 0; i < count(); ++i)
        out << item(i)->text();
    return out;
}

void PathList::removeCurrent()
{
    delete currentItem();
    QSettings().setValue(m_key, paths());
}

void PathList::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void PathList::dragMoveEvent(QDragMoveEvent* event)
{
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void PathList::dropEvent(QDropEvent* event)
{
    auto list = paths();
    for (const auto& url : event->mimeData()->urls())
        if (url.isLocalFile()) list << url.toLocalFile();
    setPaths(list);
}

} // namespace wb::ui
