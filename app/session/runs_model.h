#pragma once

#include "workspace_snapshot.h"
#include "wb/store/run_store.h"

#include <map>
#include <string>
#include <vector>

#include <QAbstractTableModel>

namespace wb::session {

// The runs of a workspace as a table (one row per RunStore::listRuns() entry, then one per
// experiment, kind "experiment": targets, done cells in Epochs, summed seconds). DisplayRole is
// formatted text; SortRole holds raw numbers so a QSortFilterProxyModel sorts numerically.
// Lives in the GUI thread; fed a WorkspaceSnapshot (read elsewhere, e.g. on a worker thread).
class RunsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Id,
        Kind,
        Status,
        Dataset,
        Source,
        BestValAcc,
        TestAcc,
        Epochs,
        Seconds,
        Tags,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole;
    static constexpr int RunIdRole = Qt::UserRole + 1;        // 0 on experiment rows
    static constexpr int ExperimentIdRole = Qt::UserRole + 2; // invalid on run rows

    explicit RunsModel(QObject* parent = nullptr);

    // sources: run id -> zoo entry name of a warm-started run (the Source column).
    void setRuns(std::vector<store::RunSummary> runs,
                 std::map<std::int64_t, std::string> sources = {},
                 std::vector<store::ExperimentRecord> experiments = {});
    void setSnapshot(const WorkspaceSnapshot& snapshot);
    const std::vector<store::RunSummary>& runs() const { return m_runs; }
    // Row of a run id, or -1.
    int rowOfRun(qint64 id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant experimentData(const store::ExperimentRecord& e, int column, int role) const;
    std::vector<store::RunSummary> m_runs;
    std::map<std::int64_t, std::string> m_sources;
    std::vector<store::ExperimentRecord> m_experiments; // with cells
};

} // namespace wb::session
