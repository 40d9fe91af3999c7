#pragma once

#include "wb/darts/genotype.h"
#include "wb/render/cell_graph.h"

#include <optional>

#include <QByteArray>
#include <QString>
#include <QWidget>

class QSvgRenderer;

namespace wb::ui {

// One derived cell (normal or reduce) drawn like the DARTS paper figures: the genotype becomes
// DOT (wb_render's cellDot), Graphviz lays it out as SVG, QSvgRenderer paints it scaled to fit.
// On a dark palette the view draws the dark variant (light edges on the palette's base colour)
// and redraws when the palette changes; dot() and svg() stay the paper version for export.
// GUI thread only; owned by its parent.
class CellGraphView : public QWidget {
    Q_OBJECT
public:
    explicit CellGraphView(QWidget* parent = nullptr);

    // Renders synchronously (cells are tiny: a few ms). On failure the view shows the message.
    bool setGenotype(const darts::Genotype& genotype, render::CellType cell,
                     const render::EdgeStyle& style = {});
    void clear(const QString& message = {});
    // Replaces the caption above the graph ("normal cell" by default) until the next
    // setGenotype().
    void setTitle(const QString& title);

    const QString& dot() const { return m_dot; }
    const QByteArray& svg() const { return m_svg; }
    // What the view draws now: svg(), or its dark variant on a dark palette.
    const QByteArray& shownSvg() const { return m_shownSvg; }
    const QString& errorMessage() const { return m_error; }
    bool hasGraph() const;
    bool onDarkPalette() const;
    QSize sizeHint() const override { return {360, 200}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    bool render();

    struct Shown {
        darts::Genotype genotype;
        render::CellType cell;
        render::EdgeStyle style;
    };
    std::optional<Shown> m_shown; // what setGenotype() last asked for, redrawn on palette changes
    QSvgRenderer* m_renderer = nullptr;
    QString m_title;
    QString m_dot;
    QByteArray m_svg;
    QByteArray m_shownSvg;
    QString m_error;
};

} // namespace wb::ui
