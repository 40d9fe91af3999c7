#include "runs_model.h"

#include <QFileInfo>

namespace wb::session {
namespace {

// The last path component, also for folders given with a trailing slash.
QString shortName(const std::string& path)
{
    QString p = QString::fromStdString(path);
    while (p.size() > 1 && p.endsWith(u'/'))
        p.chop(1);
    return QFileInfo(p).fileName();
}

} // namespace

RunsModel::RunsModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunsModel::setRuns(std::vector<store::RunSummary> runs,
                        std::map<std::int64_t, std::string> sources)
{
    beginResetModel();
    m_runs = std::move(runs);
    m_sources = std::move(sources);
    endResetModel();
}

void RunsModel::reload(store::RunStore& store)
{
    auto runs = store.listRuns();
    std::map<std::int64_t, std::string> sources;
    for (const auto& r : runs)
        if (const auto t = store.transfer(r.id)) sources[r.id] = t->zooName;
    setRuns(std::move(runs), std::move(sources));
}

int RunsModel::rowOfRun(qint64 id) const
{
    for (std::size_t i = 0; i < m_runs.size(); ++i)
        if (m_runs[i].id == id) return int(i);
    return -1;
}

int RunsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const store::RunSummary& run = m_runs[std::size_t(index.row())];
    if (role == RunIdRole) return qint64(run.id);
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = index.column() == Id || index.column() == BestValAcc ||
                             index.column() == Epochs || index.column() == Seconds;
        return numeric ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    }
    if (role == Qt::ToolTipRole && index.column() == Dataset)
        return QString::fromStdString(run.datasetPath);
    if (role != Qt::DisplayRole && role != SortRole) return {};
    const bool display = role == Qt::DisplayRole;
    switch (index.column()) {
    case Id:
        return qint64(run.id);
    case Kind:
        return QString::fromStdString(run.kind);
    case Status:
        return QString::fromStdString(darts::statusName(run.status));
    case Dataset:
        return display ? shortName(run.datasetPath) : QString::fromStdString(run.datasetPath);
    case Source: {
        const auto it = m_sources.find(run.id);
        return it == m_sources.end() ? QString() : QString::fromStdString(it->second);
    }
    case BestValAcc:
        if (!run.bestValAcc) return display ? QVariant(QString()) : QVariant(-1.0);
        return display ? QVariant(QString::number(*run.bestValAcc * 100.0, 'f', 1) + u'%')
                       : QVariant(*run.bestValAcc);
    case Epochs:
        return run.epochs;
    case Seconds:
        return display ? QVariant(QString::number(run.seconds, 'f', 1)) : QVariant(run.seconds);
    default:
        return {};
    }
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Id:
        return tr("Id");
    case Kind:
        return tr("Kind");
    case Status:
        return tr("Status");
    case Dataset:
        return tr("Dataset");
    case Source:
        return tr("Warm start from");
    case BestValAcc:
        return tr("Best val acc");
    case Epochs:
        return tr("Epochs");
    case Seconds:
        return tr("Seconds");
    default:
        return {};
    }
}

} // namespace wb::session
