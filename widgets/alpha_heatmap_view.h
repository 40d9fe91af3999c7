#pragma once

#include <vector>

#include <QStringList>
#include <QWidget>

class QCustomPlot;
class QCPColorMap;

namespace wb::ui {

// A heatmap of one softmax alpha matrix (rows = edges, columns = ops), drawn with a QCPColorMap
// whose colour scale spans the matrix's values. GUI thread only; owned by its parent.
class AlphaHeatmapView : public QWidget {
    Q_OBJECT
public:
    explicit AlphaHeatmapView(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    // `values` is row-major rows x columns; a size mismatch clears the view and returns false.
    bool setMatrix(int rows, int columns, const std::vector<float>& values,
                   const QStringList& columnLabels, const QStringList& rowLabels);
    void clear();

    int rows() const { return m_rows; }
    int columns() const { return m_columns; }
    // The value drawn in cell (row, column); NaN outside the matrix.
    double cell(int row, int column) const;
    const QCPColorMap* colorMap() const { return m_map; }

    // "0<-c_{k-2}", "0<-c_{k-1}", "1<-c_{k-2}", ...: edges listed node by node as in the genotype;
    // with PC-DARTS' edge weights (one per edge) each label ends in its weight, "· β 0.41".
    static QStringList edgeLabels(int edges, const std::vector<float>& edgeWeights = {});

private:
    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    int m_rows = 0;
    int m_columns = 0;
};

} // namespace wb::ui
