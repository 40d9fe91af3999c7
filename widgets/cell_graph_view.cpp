#include "cell_graph_view.h"

#include <exception>

#include <QPainter>
#include <QSvgRenderer>

namespace wb::ui {

CellGraphView::CellGraphView(QWidget* parent) : QWidget(parent)
{
    m_renderer = new QSvgRenderer(this);
    setMinimumSize(160, 90);
    // A white sheet in every palette: Graphviz's node colours are made for paper.
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, Qt::white);
    p.setColor(QPalette::WindowText, Qt::black);
    setPalette(p);
}

bool CellGraphView::setGenotype(const darts::Genotype& genotype, store::CellType cell,
                                const store::EdgeStyle& style)
{
    const auto& edges = cell == store::CellType::Reduce ? genotype.reduce : genotype.normal;
    m_title = QString::fromStdString(store::cellTypeName(cell)) + tr(" cell");
    if (edges.empty()) {
        clear(tr("no %1 cell recorded").arg(QString::fromStdString(store::cellTypeName(cell))));
        return false;
    }
    try {
        const std::string dot = store::cellDot(genotype, cell, style);
        const std::string svg = store::renderDot(dot, "svg");
        m_dot = QString::fromStdString(dot);
        m_svg = QByteArray(svg.data(), qsizetype(svg.size()));
        m_error.clear();
        if (!m_renderer->load(m_svg)) m_error = tr("Qt could not read Graphviz's SVG");
    } catch (const std::exception& e) {
        m_dot.clear();
        m_svg.clear();
        m_renderer->load(QByteArray());
        m_error = QString::fromUtf8(e.what());
    }
    update();
    return m_error.isEmpty();
}

void CellGraphView::clear(const QString& message)
{
    m_dot.clear();
    m_svg.clear();
    m_error = message;
    m_renderer->load(QByteArray());
    update();
}

bool CellGraphView::hasGraph() const
{
    return m_error.isEmpty() && m_renderer->isValid();
}

void CellGraphView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRect area = rect().adjusted(6, 20, -6, -6);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(rect().adjusted(6, 2, -6, 0), Qt::AlignLeft | Qt::AlignTop, m_title);
    if (!hasGraph()) {
        painter.setPen(Qt::darkGray);
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
