#include "timeline_slider.h"

#include <QImage>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QTest>

using wb::ui::TimelineSlider;

namespace {

// The style's handle rectangle at the slider's current value.
QRect handleRect(TimelineSlider& slider)
{
    QStyleOptionSlider option;
    option.initFrom(&slider);
    option.orientation = slider.orientation();
    option.minimum = slider.minimum();
    option.maximum = slider.maximum();
    option.sliderPosition = slider.sliderPosition();
    option.sliderValue = slider.value();
    option.subControls = QStyle::SC_SliderGroove | QStyle::SC_SliderHandle;
    return slider.style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle,
                                          &slider);
}

bool isMarkColour(QRgb pixel, const QColor& mark)
{
    const QColor c(pixel);
    return std::abs(c.red() - mark.red()) < 40 && std::abs(c.green() - mark.green()) < 40 &&
           std::abs(c.blue() - mark.blue()) < 40;
}

} // namespace

class TestTimelineSlider : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void marksSitUnderTheHandlePositions()
    {
        TimelineSlider slider;
        slider.resize(400, slider.sizeHint().height());
        slider.setRange(0, 5);
        slider.setMarks({1, 3}, QStringLiteral("genotype changed at epoch 2, 4"));
        QCOMPARE(slider.marks(), (std::vector<int>{1, 3}));
        QCOMPARE(slider.toolTip(), QStringLiteral("genotype changed at epoch 2, 4"));
        for (int v = 0; v < 5; ++v)
            QVERIFY(slider.markX(v) < slider.markX(v + 1));
        // A mark is where the handle's centre is when the slider stands on that value.
        for (int v : {0, 3, 5}) {
            slider.setValue(v);
            QVERIFY2(std::abs(slider.markX(v) - handleRect(slider).center().x()) <= 1,
                     qPrintable(QStringLiteral("value %1: mark %2, handle %3")
                                    .arg(v)
                                    .arg(slider.markX(v))
                                    .arg(handleRect(slider).center().x())));
        }
    }

    void paintsOnlyTheMarkedValues()
    {
        TimelineSlider slider;
        slider.resize(400, slider.sizeHint().height());
        slider.setRange(0, 4);
        slider.setValue(0);
        slider.setMarks({2, 9}); // 9 is out of range: not drawn, no crash
        QImage image(slider.size(), QImage::Format_ARGB32);
        image.fill(Qt::transparent);
        slider.render(&image);
        const QColor mark = slider.palette().color(QPalette::Highlight);
        const int y = image.height() - 3; // inside the triangle, above its base
        QVERIFY(isMarkColour(image.pixel(slider.markX(2), y), mark));
        for (int v : {1, 3, 4})
            QVERIFY(!isMarkColour(image.pixel(slider.markX(v), y), mark));

        slider.setMarks({});
        image.fill(Qt::transparent);
        slider.render(&image);
        QVERIFY(!isMarkColour(image.pixel(slider.markX(2), y), mark));
    }
};

QTEST_MAIN(TestTimelineSlider)
#include "test_timeline_slider.moc"
