#pragma once

#include <vector>

#include <QSlider>

namespace wb::ui {

// A horizontal QSlider over snapshot indices that draws a mark under the groove at chosen
// values (the run view marks the epochs where the genotype changed) and names them in its
// tooltip. GUI thread only; owned by its parent.
class TimelineSlider : public QSlider {
    Q_OBJECT
public:
    explicit TimelineSlider(QWidget* parent = nullptr);

    // Values to mark (out-of-range ones are kept but not drawn); `tooltip` describes them (shown
    // under the slider's own description, setDescription).
    void setMarks(std::vector<int> values, const QString& tooltip = {});
    void setDescription(const QString& text);
    const std::vector<int>& marks() const { return m_marks; }
    // Horizontal pixel centre of `value` on the groove, as the style places the handle there.
    int markX(int value) const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void updateToolTip();
    std::vector<int> m_marks;
    QString m_description;
    QString m_marksText;
};

} // namespace wb::ui
