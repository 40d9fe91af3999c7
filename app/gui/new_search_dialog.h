#pragma once

#include "wb/darts/search_config.h"
#include "wb/store/transfer_records.h"

#include <vector>

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace wb::ui {

// The settings of a new search and its start point: from scratch, a chosen zoo supernet, or the
// nearest by OT (the transfer advisor ranks the zoo before the run starts). GUI thread only.
class NewSearchDialog : public QDialog {
    Q_OBJECT
public:
    NewSearchDialog(const std::vector<store::ZooEntry>& zoo, QWidget* parent = nullptr);

    void setDataset(const QString& path);
    darts::SearchConfig config() const;
    // "scratch", "auto" (nearest by OT) or a zoo id.
    QString startPoint() const;

private:
    void browse();
    QLineEdit* m_data = nullptr;
    QSpinBox* m_imageSize = nullptr;
    QComboBox* m_imageChannels = nullptr;
    QSpinBox* m_maxPerClass = nullptr;
    QSpinBox* m_channels = nullptr;
    QSpinBox* m_layers = nullptr;
    QSpinBox* m_nodes = nullptr;
    QSpinBox* m_batch = nullptr;
    QSpinBox* m_epochs = nullptr;
    QDoubleSpinBox* m_lr = nullptr;
    QDoubleSpinBox* m_lrMin = nullptr;
    QDoubleSpinBox* m_alphaLr = nullptr;
    QDoubleSpinBox* m_alphaBudget = nullptr;
    QSpinBox* m_warmupEpochs = nullptr;
    QDoubleSpinBox* m_betaDecay = nullptr;
    QListWidget* m_primitives = nullptr;
    QComboBox* m_device = nullptr;
    QComboBox* m_amp = nullptr;
    QSpinBox* m_hessian = nullptr;
    QCheckBox* m_stopOnCollapse = nullptr;
    QComboBox* m_order = nullptr;
    QComboBox* m_variant = nullptr;
    QSpinBox* m_partialChannels = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_splitSeed = nullptr;
    QSpinBox* m_threads = nullptr;
    QSpinBox* m_ranks = nullptr;
    QComboBox* m_start = nullptr;
};

} // namespace wb::ui
