#pragma once

#include "wb/common/run_control.h"
#include "wb/ot/distance.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace wb::session {
class BackgroundJob;
}

namespace wb::ui {

class AlphaHeatmapView;
class PathList;
class DistanceMatrixView;

// The dataset-distance view: a list of datasets (add by dialog or drag and drop), the OTDD
// matrix computed on a worker thread through the workspace's cache (values appear as pairs
// finish), and for a clicked pair its label-to-label distances and class-to-class transport
// mass. GUI thread only.
class DistancePage : public QWidget {
    Q_OBJECT
public:
    explicit DistancePage(QWidget* parent = nullptr);

    void setWorkspace(const QString& dbPath);
    void setDatasets(const QStringList& paths);
    QStringList datasets() const;
    // Starts the matrix computation (cached pairs come back at once); false while one runs.
    bool compute();
    void stop();
    bool isComputing() const;
    // Processes events until the computation ends or `timeoutMs` passes (for screenshots).
    bool waitUntilIdle(int timeoutMs);
    void showPair(int row, int column);
    DistanceMatrixView* matrix() const { return m_matrix; }
    // The matrix as rows of text: a header row of dataset names, then one row per dataset
    // (empty cells where a pair is not computed), then an empty row and one row
    // {"settings", summary} naming the settings behind the values.
    QList<QStringList> matrixTable() const;
    // The settings of the matrix shown (the core's defaults, which the CLI shares, until the
    // user changes them), and their one-line summary shown under the matrix.
    const ot::DistanceConfig& config() const { return m_config; }
    QString settingsSummary() const;
    AlphaHeatmapView* couplingView() const { return m_coupling; }

private:
    void pairDone(int i, int j, double value, const QString& details, const QString& error);
    void finished(const QString& error);
    void redraw();

    QString m_dbPath;
    PathList* m_list = nullptr;
    QComboBox* m_inner = nullptr;
    QSpinBox* m_maxSamples = nullptr;
    QSpinBox* m_embedSize = nullptr;
    QPushButton* m_computeButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QProgressBar* m_bar = nullptr;
    QLabel* m_status = nullptr;
    DistanceMatrixView* m_matrix = nullptr;
    QLabel* m_settings = nullptr;
    QStringList m_warnings; // of the datasets of the matrix shown
    ot::DistanceConfig m_config;
    QLabel* m_pairLabel = nullptr;
    AlphaHeatmapView* m_labelDistances = nullptr;
    AlphaHeatmapView* m_coupling = nullptr;
    session::BackgroundJob* m_job = nullptr;
    QStringList m_names;
    std::vector<double> m_values;
    std::map<std::pair<int, int>, QString> m_details; // (i < j) -> details JSON
};

} // namespace wb::ui
