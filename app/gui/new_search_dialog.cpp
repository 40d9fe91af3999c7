#include "new_search_dialog.h"

#include "wb/darts/primitives.h"

#include <thread>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace wb::ui {
namespace {

const auto kLastDataKey = QStringLiteral("newSearch/lastDataset");

QSpinBox* spin(QWidget* parent, int lo, int hi, int value, const QString& tip,
               const QString& special = {})
{
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    if (!special.isEmpty()) s->setSpecialValueText(special);
    return s;
}

QDoubleSpinBox* rate(QWidget* parent, double value, const QString& tip)
{
    auto* s = new QDoubleSpinBox(parent);
    s->setDecimals(5);
    s->setRange(0, 10);
    s->setSingleStep(value / 10);
    s->setValue(value);
    s->setToolTip(tip);
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
    m_data->setToolTip(tr("The dataset to search on: an IDX pair, a Meta-Album folder, an "
                          "ImageFolder tree or a CIFAR batch folder"));
    auto* browseButton = new QPushButton(tr("Browse…"), this);
    browseButton->setToolTip(tr("Choose the dataset folder"));
    connect(browseButton, &QPushButton::clicked, this, [this] { browse(); });
    auto* dataRow = new QHBoxLayout;
    dataRow->addWidget(m_data, 1);
    dataRow->addWidget(browseButton);

    m_imageSize = spin(this, 0, 1024, 0,
                       tr("Resize images to S x S pixels; the dataset's fingerprint covers the "
                          "size, so each size is a dataset of its own in the workspace"),
                       tr("native"));
    m_imageChannels = new QComboBox(this);
    m_imageChannels->addItem(tr("native"), 0);
    m_imageChannels->addItem(tr("grey"), 1);
    m_imageChannels->addItem(tr("RGB"), 3);
    m_imageChannels->setToolTip(tr("Convert the images to grey or RGB, so a supernet can be "
                                   "shared across both kinds of datasets"));
    m_maxPerClass =
        spin(this, 0, 1000000, 0,
             tr("Use at most N images per class (a quick look at a large dataset)"), tr("all"));
    m_channels = spin(this, 1, 512, defaults.channels,
                      tr("Initial channels C of the supernet (doubled at each reduction cell)"));
    m_layers = spin(this, 1, 64, defaults.layers,
                    tr("Cells in the supernet; reduction cells sit at 1/3 and 2/3 of the depth"));
    m_nodes = spin(this, 1, 8, defaults.nodes, tr("Intermediate nodes per cell (DARTS: 4)"));
    m_batch = spin(this, 1, 4096, defaults.batchSize, tr("Images per weight and alpha step"));
    m_epochs = spin(this, 1, 10000, defaults.epochs, tr("Search epochs"));
    m_lr = rate(this, defaults.weights.lr, tr("Initial learning rate of the weights (SGD)"));
    m_lrMin = rate(this, defaults.weights.lrMin,
                   tr("Final learning rate of the weights (cosine schedule)"));
    m_alphaLr = rate(this, defaults.alphaLr,
                     tr("Learning rate of the architecture weights (Adam); small searches "
                        "may need more to decide"));
    m_alphaBudget = new QDoubleSpinBox(this);
    m_alphaBudget->setRange(0, 100);
    m_alphaBudget->setSingleStep(0.5);
    m_alphaBudget->setValue(defaults.alphaStepBudget);
    m_alphaBudget->setSpecialValueText(tr("off"));
    m_alphaBudget->setToolTip(
        tr("--alpha-budget: raise the alpha learning rate to this budget over the run's "
           "architecture steps when that is larger (few images give few steps)"));
    m_betaDecay = new QDoubleSpinBox(this);
    m_betaDecay->setObjectName(QStringLiteral("betaDecay"));
    m_betaDecay->setRange(0, 1000);
    m_betaDecay->setValue(defaults.betaDecay);
    m_betaDecay->setSpecialValueText(tr("off"));
    m_betaDecay->setToolTip(
        tr("--beta-decay: beta-DARTS' weight of each edge's logsumexp(alpha) in the alpha "
           "objective, rising linearly from 0 towards this over the epochs (the reference: 25 "
           "over 50 epochs); darts and pc-darts only"));
    m_warmupEpochs = spin(this, 0, 10000, defaults.alphaWarmupEpochs,
                          tr("Epochs of weight steps only before the architecture steps start"),
                          tr("none"));
    m_primitives = new QListWidget(this);
    for (const auto& op : darts::standardPrimitives()) {
        auto* item = new QListWidgetItem(QString::fromStdString(op), m_primitives);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    m_primitives->setMaximumHeight(m_primitives->sizeHintForRow(0) * 5);
    m_primitives->setToolTip(tr("The candidate operations of every edge (uncheck to search a "
                                "smaller space; a warm start needs the source's set)"));
    m_stopOnCollapse = new QCheckBox(tr("Stop when the normal cell collapses"), this);
    m_stopOnCollapse->setToolTip(
        tr("--stop-on collapse: end the search early (status 'stopped') at >= 3 skip "
           "connections, > 60% parameter-free mass or, with Hessian steps, DARTS-ES' "
           "eigenvalue growth, and keep the previous epoch's genotype"));
    m_hessian = spin(this, 0, 1000, 0,
                     tr("Power-iteration steps for the dominant Hessian eigenvalue after every "
                        "epoch (DARTS-ES' collapse signal; about one epoch's cost at 10)"),
                     tr("off"));
    m_device = new QComboBox(this);
    m_device->addItem(QStringLiteral("cpu"));
    m_device->addItem(QStringLiteral("cuda"));
    m_device->setToolTip(tr("Where the search runs; cuda needs a LibTorch built with CUDA and "
                            "a GPU"));
    m_amp = new QComboBox(this);
    for (const auto* mode : {"off", "bf16", "fp16"})
        m_amp->addItem(QString::fromLatin1(mode));
    m_amp->setToolTip(tr("Mixed precision: forward passes in bfloat16 or float16 (cuda only, "
                         "with a dynamic loss scale); weights and the second-order alpha step "
                         "stay float32"));
    m_order = new QComboBox(this);
    m_order->addItem(tr("first order"), 1);
    m_order->addItem(tr("second order (unrolled)"), 2);
    m_order->setToolTip(tr("First order ignores the weights' response to alpha (fast); second "
                           "order unrolls one weight step (about 2x the cost)"));
    m_variant = new QComboBox(this);
    for (const auto& v : darts::searchVariants())
        m_variant->addItem(QString::fromStdString(v));
    // DrNAS has no softmax weights for beta-decay to act on.
    connect(m_variant, &QComboBox::currentTextChanged, this,
            [this](const QString& v) { m_betaDecay->setEnabled(v != "drnas"); });
    m_variant->setToolTip(tr("darts: softmax op weights on all channels; pc-darts: ops see 1/K "
                             "of the channels, edges weighted per node (beta); drnas: op "
                             "weights drawn from a Dirichlet with a KL regulariser (first "
                             "order only)"));
    m_partialChannels = spin(this, 0, 64, 0,
                             tr("PC-DARTS' K: each edge's ops see 1/K of the channels (must "
                                "divide C; pc-darts defaults to 4, drnas to 1)"),
                             tr("variant default"));
    m_seed = spin(this, 0, 1 << 30, 0,
                  tr("Seed of the initialisation, the batch order and (unless Split seed is "
                     "set) the train/validation/test split"));
    m_splitSeed = spin(this, -1, 1 << 30, -1,
                       tr("Seed of the split alone: fix it to compare seeds that differ only in "
                          "initialisation and batch order"),
                       tr("the seed"));
    m_splitSeed->setObjectName(QStringLiteral("splitSeed"));
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    m_threads = spin(this, 0, 256, cores, tr("Intra-op CPU threads (of each rank)"),
                     tr("one per core"));
    m_ranks = spin(this, 1, cores, 1,
                   tr("Data-parallel ranks: each computes its share of every batch (with its own "
                      "BatchNorm statistics) and the gradients are averaged, as `supernet search "
                      "--nproc N` does with processes; here the ranks are threads of the "
                      "workbench, and Threads becomes cores / ranks"),
                   tr("one"));
    // Ranks times threads should not exceed the cores: they would compete for them.
    connect(m_ranks, &QSpinBox::valueChanged, this,
            [this, cores](int ranks) { m_threads->setValue(std::max(1, cores / ranks)); });
    m_start = new QComboBox(this);
    m_start->addItem(tr("Scratch"), QStringLiteral("scratch"));
    if (!zoo.empty())
        m_start->addItem(tr("Nearest zoo supernet by OT (advisor)"), QStringLiteral("auto"));
    for (const auto& e : zoo)
        m_start->addItem(tr("Zoo %1: %2").arg(e.id).arg(QString::fromStdString(e.name)),
                         QString::number(e.id));
    m_start->setToolTip(tr("Start from scratch, or warm-start from a zoo supernet (weights and "
                           "alphas): a chosen one, or the nearest to this dataset by OTDD"));

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
    form->addRow(tr("&Weight learning rate"), m_lr);
    form->addRow(tr("Final weight learning rate"), m_lrMin);
    form->addRow(tr("&Alpha learning rate"), m_alphaLr);
    form->addRow(tr("Alpha step &budget"), m_alphaBudget);
    form->addRow(tr("&Warm-up epochs"), m_warmupEpochs);
    form->addRow(tr("Beta-&decay"), m_betaDecay);
    form->addRow(tr("O&perations"), m_primitives);
    form->addRow(tr("&Order"), m_order);
    form->addRow(tr("&Variant"), m_variant);
    form->addRow(tr("&Partial channels K"), m_partialChannels);
    form->addRow(tr("&Hessian steps"), m_hessian);
    form->addRow(tr("Co&llapse"), m_stopOnCollapse);
    form->addRow(tr("&Seed"), m_seed);
    form->addRow(tr("Split s&eed"), m_splitSeed);
    form->addRow(tr("&Threads"), m_threads);
    form->addRow(tr("&Ranks (data-parallel)"), m_ranks);
    form->addRow(tr("De&vice"), m_device);
    form->addRow(tr("&Mixed precision"), m_amp);
    form->addRow(tr("S&tart from"), m_start);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    buttons->button(QDialogButtonBox::Ok)
        ->setToolTip(tr("Start the search (recorded in the "
                        "workspace)"));
    buttons->button(QDialogButtonBox::Cancel)->setToolTip(tr("Close without starting"));
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
    if (m_splitSeed->value() >= 0) c.data.splitSeed = std::uint64_t(m_splitSeed->value());
    c.runtime.threads = m_threads->value();
    c.runtime.localRanks = m_ranks->value();
    c.shards = m_ranks->value();
    c.runtime.device = m_device->currentText().toStdString();
    c.runtime.amp = m_amp->currentText().toStdString();
    c.hessianIterations = m_hessian->value();
    if (m_stopOnCollapse->isChecked()) c.stopOn = "collapse";
    c.weights.lr = m_lr->value();
    c.weights.lrMin = m_lrMin->value();
    c.alphaLr = m_alphaLr->value();
    c.alphaStepBudget = m_alphaBudget->value();
    c.alphaWarmupEpochs = m_warmupEpochs->value();
    c.betaDecay = m_betaDecay->isEnabled() ? m_betaDecay->value() : 0.0;
    for (int i = 0; i < m_primitives->count(); ++i)
        if (m_primitives->item(i)->checkState() == Qt::Checked)
            c.primitives.push_back(m_primitives->item(i)->text().toStdString());
    return c;
}

QString NewSearchDialog::startPoint() const
{
    return m_start->currentData().toString();
}

} // namespace wb::ui
