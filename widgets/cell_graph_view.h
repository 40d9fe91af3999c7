#pragma once

#include "wb/darts/genotype.h"
#include "wb/store/cell_graph.h"

#include <QByteArray>
#include <QString>
#include <QWidget>

class QSvgRenderer;

namespace wb::ui {

// One derived cell (normal or reduce) drawn like the DARTS paper figures: the genotype becomes
// DOT (wb_store's cellDot), Graphviz lays it out as SVG, QSvgRenderer paints it scaled to fit.
// GUI thread only; owned by its parent.
class CellGraphView : public QWidget {
    Q_OBJECT
public:
    explicit CellGraphView(QWidget* parent = nullptr);

    // Renders synchronously (cells are tiny: a few ms). On failure the view shows the message.
    bool setGenotype(const darts::Genotype& genotype, store::CellType cell,
                     const store::EdgeStyle& style = {});
    void clear(const QString& message = {});

    const QString& dot() const { return m_dot; }
    const QByteArray& svg() const { return m_svg; }
    const QString& errorMessage() const { return m_error; }
    bool hasGraph() const;
    QSize sizeHint() const override { return {360, 200}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QSvgRenderer* m_renderer = nullptr;
    QString m_title;
    QString m_dot;
    QByteArray m_svg;
    QString m_error;
};

} // namespace wb::ui
