#include "new_search_dialog.h"

#include <thread>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace wb::ui {
namespace {

const auto kLastDataKey = QStringLiteral("newSearch/lastDataset");

QSpinBox* spin(QWidget* parent, int lo, int hi, int value, const QString& special = {})
{
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setValue(value);
    if (!special.isEmpty()) s->setSpecialValueText(special);
    return s;
}

} // namespace

NewSearchDialog::NewSearchDialog(const std::vector<store::ZooEntry>& zoo, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("New search"));
    const darts::SearchConfig defaults;
    m_data = new QLineEdit(this);
    m_data->setPlaceholderText(tr("dataset folder or file (IDX, Meta-Album, image folder, CIFAR)"));
    m_data->setText(QSettings().value(kLastDataKey).toString());
    auto* browseButton = new QPushButton(tr("Browse…"), this);
    connect(browseButton, &QPushButton::clicked, this, [this] { browse(); });
    auto* dataRow = new QHBoxLayout;
    dataRow->addWidget(m_data, 1);
    dataRow->addWidget(browseButton);

    m_imageSize = spin(this, 0, 1024, 0, tr("native"));
    m_imageChannels = new QComboBox(this);
    m_imageChannels->addItem(tr("native"), 0);
    m_imageChannels->addItem(tr("grey"), 1);
    m_imageChannels->addItem(tr("RGB"), 3);
    m_maxPerClass = spin(this, 0, 1000000, 0, tr("all"));
    m_channels = spin(this, 1, 512, defaults.channels);
    m_layers = spin(this, 1, 64, defaults.layers);
    m_nodes = spin(this, 1, 8, defaults.nodes);
    m_batch = spin(this, 1, 4096, defaults.batchSize);
    m_epochs = spin(this, 1, 10000, defaults.epochs);
    m_order = new QComboBox(this);
    m_order->addItem(tr("first order"), 1);
    m_order->addItem(tr("second order (unrolled)"), 2);
    m_variant = new QComboBox(this);
    for (const auto& v : darts::searchVariants())
        m_variant->addItem(QString::fromStdString(v));
    m_variant->setToolTip(tr("darts: softmax op weights on all channels; pc-darts: ops see 1/K "
                             "of the channels, edges weighted per node (beta); drnas: op "
                             "weights drawn from a Dirichlet with a KL regulariser (first "
                             "order only)"));
    m_partialChannels = spin(this, 0, 64, 0, tr("variant default"));
    m_partialChannels->setToolTip(
        tr("PC-DARTS' K: each edge's ops see 1/K of the channels (must divide C; pc-darts "
           "defaults to 4, drnas to 1)"));
    m_seed = spin(this, 0, 1 << 30, 0);
    m_threads = spin(this, 0, 256, int(std::max(1u, std::thread::hardware_concurrency())),
                     tr("one per core"));
    m_start = new QComboBox(this);
    m_start->addItem(tr("Scratch"), QStringLiteral("scratch"));
    if (!zoo.empty())
        m_start->addItem(tr("Nearest zoo supernet by OT (advisor)"), QStringLiteral("auto"));
    for (const auto& e : zoo)
        m_start->addItem(tr("Zoo %1: %2").arg(e.id).arg(QString::fromStdString(e.name)),
                         QString::number(e.id));

    auto* form = new QFormLayout;
    form->addRow(tr("&Dataset"), dataRow);
    form->addRow(tr("&Image size"), m_imageSize);
    form->addRow(tr("Image c&hannels"), m_imageChannels);
    form->addRow(tr("Images per class"), m_maxPerClass);
    form->addRow(tr("&Channels C"), m_channels);
    form->addRow(tr("&Layers (cells)"), m_layers);
    form->addRow(tr("&Nodes per cell"), m_nodes);
    form->addRow(tr("&Batch"), m_batch);
    form->addRow(tr("&Epochs"), m_epochs);
    form->addRow(tr("&Order"), m_order);
    form->addRow(tr("&Variant"), m_variant);
    form->addRow(tr("&Partial channels K"), m_partialChannels);
    form->addRow(tr("&Seed"), m_seed);
    form->addRow(tr("&Threads"), m_threads);
    form->addRow(tr("S&tart from"), m_start);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (m_data->text().trimmed().isEmpty()) {
            m_data->setFocus();
            return;
        }
        QSettings().setValue(kLastDataKey, m_data->text().trimmed());
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    setLayout(form);
}

void NewSearchDialog::browse()
{
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Dataset folder"), m_data->text());
    if (!dir.isEmpty()) m_data->setText(dir);
}

void NewSearchDialog::setDataset(const QString& path)
{
    m_data->setText(path);
}

darts::SearchConfig NewSearchDialog::config() const
{
    darts::SearchConfig c;
    c.data.path = m_data->text().trimmed().toStdString();
    c.data.imageSize = m_imageSize->value();
    c.data.imageChannels = m_imageChannels->currentData().toInt();
    c.data.maxPerClass = m_maxPerClass->value();
    c.channels = m_channels->value();
    c.layers = m_layers->value();
    c.nodes = m_nodes->value();
    c.batchSize = m_batch->value();
    c.epochs = m_epochs->value();
    c.order = m_order->currentData().toInt();
    c.variant = m_variant->currentText().toStdString();
    c.partialChannels = m_partialChannels->value();
    c.runtime.seed = std::uint64_t(m_seed->value());
    c.runtime.threads = m_threads->value();
    return c;
}

QString NewSearchDialog::startPoint() const
{
    return m_start->currentData().toString();
}

} // namespace wb::ui
