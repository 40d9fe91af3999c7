#pragma once

#include <QProxyStyle>

namespace wb::ui {

// Fusion for the dark palette, with check box and radio button outlines drawn in a light grey:
// Fusion derives them from the window colour, which leaves unchecked boxes invisible on a dark
// window.
class DarkStyle : public QProxyStyle {
    Q_OBJECT
public:
    DarkStyle();
    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                       const QWidget* widget = nullptr) const override;
};

} // namespace wb::ui
