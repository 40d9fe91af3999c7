#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace wb::ui {

// What the Runs tab shows instead of an empty table: why it is empty (no workspace open, or a
// workspace without runs) and the first steps, as buttons. GUI thread only.
class StartPanel : public QWidget {
    Q_OBJECT
public:
    explicit StartPanel(QWidget* parent = nullptr);
    // `workspace`: the shown name of the open workspace; empty when none is open.
    void setWorkspace(const QString& workspace);
    QString message() const;

Q_SIGNALS:
    void newSearch();
    void buildSuite();
    void openWorkspace();
    void newWorkspace();

private:
    QLabel* m_message = nullptr;
    QPushButton* m_newSearch = nullptr;
};

} // namespace wb::ui
