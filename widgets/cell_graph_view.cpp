#include "cell_graph_view.h"

#include <exception>

#include <QEvent>
#include <QPainter>
#include <QSvgRenderer>

namespace wb::ui {
namespace {

QByteArray bytes(const std::string& s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

} // namespace

CellGraphView::CellGraphView(QWidget* parent) : QWidget(parent)
{
    m_renderer = new QSvgRenderer(this);
    setMinimumSize(160, 90);
    // The graph's sheet is the palette's base colour (white, or dark on a dark palette).
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

bool CellGraphView::onDarkPalette() const
{
    return palette().color(QPalette::Base).lightness() < 128;
}

bool CellGraphView::setGenotype(const darts::Genotype& genotype, render::CellType cell,
                                const render::EdgeStyle& style)
{
    const auto& edges = cell == render::CellType::Reduce ? genotype.reduce : genotype.normal;
    m_title = QString::fromStdString(render::cellTypeName(cell)) + tr(" cell");
    if (edges.empty()) {
        clear(tr("no %1 cell recorded").arg(QString::fromStdString(render::cellTypeName(cell))));
        return false;
    }
    m_shown = Shown{genotype, cell, style};
    return render();
}

bool CellGraphView::render()
{
    try {
        render::EdgeStyle paper = m_shown->style;
        paper.onDark = false;
        const std::string dot = render::cellDot(m_shown->genotype, m_shown->cell, paper);
        m_dot = QString::fromStdString(dot);
        m_svg = bytes(render::renderDot(dot, "svg"));
        if (onDarkPalette()) {
            render::EdgeStyle dark = m_shown->style;
            dark.onDark = true;
            m_shownSvg = bytes(
                render::renderDot(render::cellDot(m_shown->genotype, m_shown->cell, dark), "svg"));
        } else {
            m_shownSvg = m_svg;
        }
        m_error.clear();
        if (!m_renderer->load(m_shownSvg)) m_error = tr("Qt could not read Graphviz's SVG");
    } catch (const std::exception& e) {
        m_dot.clear();
        m_svg.clear();
        m_shownSvg.clear();
        m_renderer->load(QByteArray());
        m_error = QString::fromUtf8(e.what());
    }
    update();
    return m_error.isEmpty();
}

void CellGraphView::clear(const QString& message)
{
    m_shown.reset();
    m_dot.clear();
    m_svg.clear();
    m_shownSvg.clear();
    m_error = message;
    m_renderer->load(QByteArray());
    update();
}

void CellGraphView::setTitle(const QString& title)
{
    m_title = title;
    update();
}

bool CellGraphView::hasGraph() const
{
    return m_error.isEmpty() && m_renderer->isValid();
}

void CellGraphView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_shown) render();
}

void CellGraphView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRect area = rect().adjusted(6, 20, -6, -6);
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(rect().adjusted(6, 2, -6, 0), Qt::AlignLeft | Qt::AlignTop, m_title);
    if (!hasGraph()) {
        painter.setPen(palette().color(QPalette::Disabled, QPalette::Text));
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_error);
        return;
    }
    // Keep Graphviz's aspect ratio: scale the SVG's natural size into the area, centred.
    QSizeF size = m_renderer->defaultSize();
    size.scale(area.size(), Qt::KeepAspectRatio);
    const QRectF target(area.x() + (area.width() - size.width()) / 2,
                        area.y() + (area.height() - size.height()) / 2, size.width(),
                        size.height());
    m_renderer->render(&painter, target);
}

} // namespace wb::ui
