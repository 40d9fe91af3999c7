#include "runs_model.h"

#include "accuracy_text.h"

#include <QFileInfo>
#include <QStringList>

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
                        std::map<std::int64_t, std::string> sources,
                        std::vector<store::ExperimentRecord> experiments)
{
    beginResetModel();
    m_runs = std::move(runs);
    m_sources = std::move(sources);
    m_experiments = std::move(experiments);
    endResetModel();
}

void RunsModel::setSnapshot(const WorkspaceSnapshot& snapshot)
{
    setRuns(snapshot.runs, snapshot.sources, snapshot.experiments);
}

int RunsModel::rowOfRun(qint64 id) const
{
    for (std::size_t i = 0; i < m_runs.size(); ++i)
        if (m_runs[i].id == id) return int(i);
    return -1;
}

int RunsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size() + m_experiments.size());
}

int RunsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (std::size_t(index.row()) >= m_runs.size())
        return experimentData(m_experiments[std::size_t(index.row()) - m_runs.size()],
                              index.column(), role);
    const store::RunSummary& run = m_runs[std::size_t(index.row())];
    if (role == RunIdRole) return qint64(run.id);
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = index.column() == Id || index.column() == BestValAcc ||
                             index.column() == TestAcc || index.column() == Epochs ||
                             index.column() == Seconds;
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
        return QString::fromStdString(run.role);
    case Status:
        return QString::fromStdString(statusName(run.status, run.stopReason));
    case Dataset:
        return display ? shortName(run.datasetPath) : QString::fromStdString(run.datasetPath);
    case Source: {
        const auto it = m_sources.find(run.id);
        return it == m_sources.end() ? QString() : QString::fromStdString(it->second);
    }
    case BestValAcc:
        if (!run.bestValAcc) return display ? QVariant(QString()) : QVariant(-1.0);
        return display ? QVariant(percent(*run.bestValAcc)) : QVariant(*run.bestValAcc);
    case TestAcc:
        if (!run.testAcc) return display ? QVariant(QString()) : QVariant(-1.0);
        return display ? QVariant(percent(*run.testAcc)) : QVariant(*run.testAcc);
    case Tags: {
        QStringList tags;
        for (const auto& t : run.tags)
            tags << QString::fromStdString(t);
        return tags.join(QStringLiteral(", "));
    }
    case Epochs:
        return run.epochs;
    case Seconds:
        return display ? QVariant(QString::number(run.seconds, 'f', 1)) : QVariant(run.seconds);
    default:
        return {};
    }
}

QVariant RunsModel::experimentData(const store::ExperimentRecord& e, int column, int role) const
{
    if (role == ExperimentIdRole) return qint64(e.id);
    if (role == RunIdRole) return qint64(0);
    if (role != Qt::DisplayRole && role != SortRole) return {};
    int done = 0;
    double seconds = 0;
    QStringList targets;
    for (const auto& c : e.cells) {
        done += c.state == store::CellState::Done;
        seconds += c.seconds;
        const QString t = shortName(c.target);
        if (!targets.contains(t)) targets << t;
    }
    switch (column) {
    case Id:
        return qint64(e.id);
    case Kind:
        return tr("experiment");
    case Status:
        return QString::fromStdString(e.status);
    case Dataset:
        return targets.join(QStringLiteral(", "));
    case Epochs:
        return role == Qt::DisplayRole ? QVariant(tr("%1/%2 cells").arg(done).arg(e.cells.size()))
                                       : QVariant(done);
    case Seconds:
        return role == Qt::DisplayRole ? QVariant(QString::number(seconds, 'f', 1))
                                       : QVariant(seconds);
    case BestValAcc:
    case TestAcc:
        return role == Qt::DisplayRole ? QVariant(QString()) : QVariant(-1.0);
    default:
        return role == Qt::DisplayRole ? QVariant(QString()) : QVariant();
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
    case TestAcc:
        return tr("Test acc");
    case Tags:
        return tr("Tags");
    case Epochs:
        return tr("Epochs");
    case Seconds:
        return tr("Seconds");
    default:
        return {};
    }
}

} // namespace wb::session
