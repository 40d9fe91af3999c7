#pragma once

#include <vector>

#include <QStringList>
#include <QWidget>

class QCustomPlot;
class QCPColorMap;
class QCPItemText;

namespace wb::ui {

// A symmetric dataset-distance matrix as an annotated heatmap: one cell per pair with its value
// printed on it, dataset names on both axes. Clicking a cell emits cellClicked(row, column).
// Missing values (NaN: not computed yet or failed) are drawn empty with "-". GUI thread only.
class DistanceMatrixView : public QWidget {
    Q_OBJECT
public:
    explicit DistanceMatrixView(QWidget* parent = nullptr);

    // values: row-major n x n. Returns false (and clears) when the sizes do not match.
    bool setMatrix(const QStringList& names, const std::vector<double>& values);
    void clear();
    int size() const { return int(m_names.size()); }
    double value(int row, int column) const;       // as given; NaN outside
    QString annotation(int row, int column) const; // the text drawn on the cell
    QCustomPlot* plot() const { return m_plot; }

Q_SIGNALS:
    void cellClicked(int row, int column);

private:
    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QStringList m_names;
    std::vector<double> m_values;
    std::vector<QCPItemText*> m_labels;
};

} // namespace wb::ui
