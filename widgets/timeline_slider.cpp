#include "timeline_slider.h"

#include <QPainter>
#include <QStyle>
#include <QStyleOptionSlider>

namespace wb::ui {
namespace {

// Height of the mark strip under the groove, in device-independent pixels.
constexpr int kMarkHeight = 7;

} // namespace

TimelineSlider::TimelineSlider(QWidget* parent) : QSlider(Qt::Horizontal, parent)
{
    setPageStep(1);
}

void TimelineSlider::setMarks(std::vector<int> values, const QString& tooltip)
{
    m_marks = std::move(values);
    m_marksText = tooltip;
    updateToolTip();
    update();
}

void TimelineSlider::setDescription(const QString& text)
{
    m_description = text;
    updateToolTip();
}

void TimelineSlider::updateToolTip()
{
    QStringList parts;
    for (const auto& part : {m_description, m_marksText})
        if (!part.isEmpty()) parts << part;
    setToolTip(parts.join(u'\n'));
}

int TimelineSlider::markX(int value) const
{
    QStyleOptionSlider option;
    initStyleOption(&option);
    const QRect groove =
        style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderGroove, this);
    const QRect handle =
        style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, this);
    // The handle's left edge travels over groove width minus handle width.
    const int span = groove.width() - handle.width();
    return groove.x() + handle.width() / 2 +
           QStyle::sliderPositionFromValue(minimum(), maximum(), value, std::max(0, span));
}

QSize TimelineSlider::sizeHint() const
{
    return QSlider::sizeHint() + QSize(0, kMarkHeight);
}

QSize TimelineSlider::minimumSizeHint() const
{
    return QSlider::minimumSizeHint() + QSize(0, kMarkHeight);
}

void TimelineSlider::paintEvent(QPaintEvent* event)
{
    QSlider::paintEvent(event);
    if (m_marks.empty() || maximum() <= minimum()) return;
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor colour =
        palette().color(isEnabled() ? QPalette::Active : QPalette::Disabled, QPalette::Highlight);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    const int bottom = height() - 1;
    for (int value : m_marks) {
        if (value < minimum() || value > maximum()) continue;
        const int x = markX(value);
        // An upward triangle pointing at the epoch on the groove.
        const QPoint tip(x, bottom - kMarkHeight + 1);
        painter.drawPolygon(QPolygon({tip, QPoint(x - 4, bottom), QPoint(x + 4, bottom)}));
    }
}

} // namespace wb::ui
