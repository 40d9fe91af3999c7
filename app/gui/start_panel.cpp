#include "start_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace wb::ui {

StartPanel::StartPanel(QWidget* parent) : QWidget(parent)
{
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setTextFormat(Qt::RichText);
    const auto button = [this](const QString& text, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setToolTip(tip);
        b->setMinimumWidth(180);
        return b;
    };
    m_newSearch = button(tr("New search…"), tr("Search a cell on a dataset (from scratch, or "
                                               "warm-started from a zoo supernet)"));
    auto* suite = button(tr("Build offline suite…"),
                         tr("Build a suite of real datasets from Debian packages to search on"));
    auto* open = button(tr("Open workspace…"), tr("Open another workspace file"));
    auto* create = button(tr("New workspace…"), tr("Create an empty workspace file"));
    connect(m_newSearch, &QPushButton::clicked, this, &StartPanel::newSearch);
    connect(suite, &QPushButton::clicked, this, &StartPanel::buildSuite);
    connect(open, &QPushButton::clicked, this, &StartPanel::openWorkspace);
    connect(create, &QPushButton::clicked, this, &StartPanel::newWorkspace);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    for (auto* b : {m_newSearch, suite, open, create})
        buttons->addWidget(b);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    layout->addWidget(m_message);
    layout->addSpacing(12);
    layout->addLayout(buttons);
    layout->addStretch(2);
    setWorkspace({});
}

void StartPanel::setWorkspace(const QString& workspace)
{
    m_newSearch->setEnabled(!workspace.isEmpty());
    m_message->setText(
        workspace.isEmpty()
            ? tr("<h3>No workspace is open</h3>Open a workspace, or create one: a file that "
                 "records every search, training and dataset distance.")
            : tr("<h3>%1 has no runs yet</h3>Start a search on a dataset, or build the offline "
                 "suite of real datasets first. Searches from the command line (<tt>supernet "
                 "search --db …</tt>) appear here as they run.")
                  .arg(workspace.toHtmlEscaped()));
}

QString StartPanel::message() const
{
    return m_message->text();
}

} // namespace wb::ui
