#include "common_flags.h"

namespace wb::cli {

void CommonFlags::add(CLI::App& cmd, darts::DataConfig& data, darts::RuntimeConfig& runtime,
                      darts::WeightOptConfig& weights, bool multiData)
{
    if (multiData)
        cmd.add_option("--data", m_paths,
                       "Dataset path (IDX, Meta-Album, ImageFolder, CIFAR); repeat for several")
            ->required();
    else
        cmd.add_option("--data", data.path, "Dataset path (IDX, Meta-Album, ImageFolder, CIFAR)")
            ->required();
    cmd.add_option("--format", m_format, "auto|idx|metaalbum|imagefolder|cifar")
        ->capture_default_str();
    cmd.add_option("--max-per-class", data.maxPerClass, "Use at most N images per class (0 = all)")
        ->capture_default_str();
    cmd.add_option("--image-size", data.imageSize, "Resize images to S x S (0 = native)")
        ->capture_default_str();
    cmd.add_option("--image-channels", data.imageChannels,
                   "0 = native, 1 = grey, 3 = RGB (to share a supernet across both kinds)")
        ->capture_default_str();
    cmd.add_option("--train-fraction", data.trainFraction, "Share of each class for weights")
        ->capture_default_str();
    cmd.add_option("--val-fraction", data.valFraction, "Share of each class for validation")
        ->capture_default_str();
    cmd.add_option("--seed", runtime.seed,
                   "Seed of the split (unless --split-seed), initialisation and batch order")
        ->capture_default_str();
    cmd.add_option("--split-seed", data.splitSeed,
                   "Seed of the train/val/test split alone (default: --seed), so that seeds "
                   "differ only in initialisation and batch order");
    cmd.add_option("--threads", runtime.threads, "Intra-op CPU threads (0 = one per core)")
        ->capture_default_str();
    cmd.add_option("--device", runtime.device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd.add_flag("!--no-channels-last", runtime.channelsLast,
                 "Keep NCHW tensors instead of channels_last");
    addAmpOption(cmd, runtime);
    cmd.add_option("--lr", weights.lr, "Initial weight learning rate")->capture_default_str();
    cmd.add_option("--lr-min", weights.lrMin, "Final weight learning rate (cosine)")
        ->capture_default_str();
    cmd.add_option("--momentum", weights.momentum, "SGD momentum of the weights")
        ->capture_default_str();
    cmd.add_option("--weight-decay", weights.weightDecay, "L2 weight decay of the weights")
        ->capture_default_str();
    cmd.add_option("--grad-clip", weights.gradClip,
                   "Largest global L2 norm of the weight gradient (clipped above)")
        ->capture_default_str();
    cmd.add_flag("--json", json, "Print one JSON object on stdout");
}

void addAmpOption(CLI::App& cmd, darts::RuntimeConfig& runtime)
{
    cmd.add_option("--amp", runtime.amp,
                   "Mixed precision: off, bf16, or fp16 (CUDA; dynamic loss scale)")
        ->check(CLI::IsMember({"off", "bf16", "fp16"}))
        ->capture_default_str();
}

void CommonFlags::finish(darts::DataConfig& data) const
{
    data.format = data::parseFormat(m_format);
}

void CommonFlags::finish(darts::DataConfig& data, std::vector<darts::DataConfig>& more) const
{
    finish(data);
    more.clear();
    for (std::size_t k = 0; k < m_paths.size(); ++k) {
        if (k == 0) {
            data.path = m_paths[k];
            continue;
        }
        more.push_back(data);
        more.back().path = m_paths[k];
    }
}

} // namespace wb::cli
