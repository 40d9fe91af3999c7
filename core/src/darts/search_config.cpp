#include "wb/darts/search_config.h"

#include "wb/common/error.h"
#include "wb/darts/primitives.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace wb::darts {
namespace {

using nlohmann::json;

void require(bool ok, const std::string& field, const std::string& rule)
{
    if (!ok) throw Error("config: " + field + " " + rule);
}

bool isDeviceName(const std::string& d)
{
    if (d == "cpu" || d == "cuda") return true;
    const std::string index = d.rfind("cuda:", 0) == 0 ? d.substr(5) : "";
    return !index.empty() && index.size() <= 3 &&
           std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void validateCommon(const DataConfig& d, const RuntimeConfig& r, const WeightOptConfig& w,
                    int batch, int epochs)
{
    require(!d.path.empty(), "data", "is required (--data PATH)");
    require(d.imageSize >= 0 && d.imageSize <= 1024, "image_size", "must be in [0, 1024]");
    require(d.imageChannels == 0 || d.imageChannels == 1 || d.imageChannels == 3, "image_channels",
            "must be 0 (native), 1 or 3");
    require(d.maxPerClass >= 0, "max_per_class", "must be >= 0");
    require(d.trainFraction > 0 && d.valFraction > 0 && d.trainFraction + d.valFraction < 1,
            "split fractions", "need train > 0, val > 0 and train + val < 1");
    require(r.threads >= 0, "threads", "must be >= 0");
    require(isDeviceName(r.device), "device", "must be cpu, cuda or cuda:N (got '" + r.device + "')");
    require(r.amp == "off" || r.amp == "bf16" || r.amp == "fp16", "amp",
            "must be off, bf16 or fp16 (got '" + r.amp + "')");
    // CPU autocast has bfloat16 kernels only (LibTorch 1.13), and float16 is slow there anyway.
    require(r.amp != "fp16" || r.device != "cpu", "amp",
            "fp16 needs a CUDA device (on the CPU use bf16)");
    require(r.metricsEvery >= 0, "metrics_every", "must be >= 0");
    require(r.localRanks >= 1 && r.localRanks <= 256, "local_ranks", "must be in [1, 256]");
    require(r.localRanks == 1 || !r.group.active(), "local_ranks",
            "cannot be combined with a process group");
    require(w.lr > 0 && w.lrMin >= 0 && w.lrMin <= w.lr, "lr", "needs 0 <= lr_min <= lr, lr > 0");
    require(w.momentum >= 0 && w.momentum < 1, "momentum", "must be in [0, 1)");
    require(w.weightDecay >= 0, "weight_decay", "must be >= 0");
    require(w.gradClip > 0, "grad_clip", "must be > 0");
    require(batch >= 1, "batch", "must be >= 1");
    require(epochs >= 1, "epochs", "must be >= 1");
}

json toJ(const DataConfig& d)
{
    json j = {{"path", d.path},
              {"format", data::formatName(d.format)},
              {"image_size", d.imageSize},
              {"image_channels", d.imageChannels},
              {"max_per_class", d.maxPerClass},
              {"train_fraction", d.trainFraction},
              {"val_fraction", d.valFraction}};
    // Written only when set: configs without it stay byte for byte what they were.
    if (d.splitSeed) j["split_seed"] = *d.splitSeed;
    return j;
}
json toJ(const RuntimeConfig& r)
{
    return {{"seed", r.seed},
            {"threads", r.threads},
            {"device", r.device},
            {"channels_last", r.channelsLast},
            {"amp", r.amp}};
}
json toJ(const WeightOptConfig& w)
{
    return {{"lr", w.lr},
            {"lr_min", w.lrMin},
            {"momentum", w.momentum},
            {"weight_decay", w.weightDecay},
            {"grad_clip", w.gradClip}};
}

// Missing keys keep their defaults, so configs written by older versions still load.
template <typename T> void get(const json& j, const char* key, T& out)
{
    if (!j.contains(key)) return;
    const auto& v = j.at(key);
    // nlohmann converts 5e34 or 2^40 to int without a check (undefined behaviour, found by
    // tools/fuzz.sh): integers must be integral JSON numbers that fit.
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        const bool fits =
            (v.is_number_unsigned() &&
             v.template get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<T>::max())) ||
            (v.is_number_integer() && !v.is_number_unsigned() &&
             v.template get<std::int64_t>() >= std::int64_t(std::numeric_limits<T>::min()));
        if (!fits)
            throw Error(std::string("config: ") + key + " = " + v.dump() +
                        " is not an integer in range");
    }
    v.get_to(out);
}

void fromJ(const json& j, DataConfig& d)
{
    get(j, "path", d.path);
    if (j.contains("format")) d.format = data::parseFormat(j.at("format").get<std::string>());
    get(j, "image_size", d.imageSize);
    get(j, "image_channels", d.imageChannels);
    get(j, "max_per_class", d.maxPerClass);
    get(j, "train_fraction", d.trainFraction);
    get(j, "val_fraction", d.valFraction);
    if (j.contains("split_seed")) {
        std::uint64_t seed = 0;
        get(j, "split_seed", seed);
        d.splitSeed = seed;
    }
}
void fromJ(const json& j, RuntimeConfig& r)
{
    get(j, "seed", r.seed);
    get(j, "threads", r.threads);
    get(j, "device", r.device);
    get(j, "channels_last", r.channelsLast);
    get(j, "amp", r.amp);
}
void fromJ(const json& j, WeightOptConfig& w)
{
    get(j, "lr", w.lr);
    get(j, "lr_min", w.lrMin);
    get(j, "momentum", w.momentum);
    get(j, "weight_decay", w.weightDecay);
    get(j, "grad_clip", w.gradClip);
}

json toJ(const WarmStart& w)
{
    return {{"checkpoint", w.checkpoint},
            {"sha256", w.sha256},
            {"source_config", w.sourceConfigJson},
            {"source_in_channels", w.sourceInChannels},
            {"source_classes", w.sourceClasses},
            {"keep_head", w.keepHead},
            {"label", w.label}};
}
void fromJ(const json& j, WarmStart& w)
{
    get(j, "checkpoint", w.checkpoint);
    get(j, "sha256", w.sha256);
    get(j, "source_config", w.sourceConfigJson);
    get(j, "source_in_channels", w.sourceInChannels);
    get(j, "source_classes", w.sourceClasses);
    get(j, "keep_head", w.keepHead);
    get(j, "label", w.label);
}

json parseObject(const std::string& text, const char* what)
{
    try {
        auto j = json::parse(text);
        if (!j.is_object()) throw Error(std::string(what) + ": expected a JSON object");
        return j;
    } catch (const json::exception& e) {
        throw Error(std::string(what) + ": " + e.what());
    }
}

} // namespace

std::vector<std::string> SearchConfig::effectivePrimitives() const
{
    return primitives.empty() ? standardPrimitives() : primitives;
}

int SearchConfig::effectivePartialChannels() const
{
    if (partialChannels > 0) return partialChannels;
    return variant == "pc-darts" ? 4 : 1;
}

std::int64_t SearchConfig::architectureSteps(std::int64_t stepsPerEpoch) const
{
    return stepsPerEpoch * (epochs - alphaWarmupEpochs);
}

double SearchConfig::effectiveAlphaLr(std::int64_t stepsPerEpoch) const
{
    const auto alphaSteps = architectureSteps(stepsPerEpoch);
    if (alphaStepBudget <= 0 || alphaSteps <= 0) return alphaLr;
    return std::max(alphaLr, alphaStepBudget / double(alphaSteps));
}

const std::vector<std::string>& searchVariants()
{
    static const std::vector<std::string> names = {"darts", "pc-darts", "drnas"};
    return names;
}

void SearchConfig::validate() const
{
    validateCommon(data, runtime, weights, batchSize, epochs);
    for (const auto& more : moreData)
        validateCommon(more, runtime, weights, batchSize, epochs);
    require(channels >= 1 && channels <= 512, "channels", "must be in [1, 512]");
    require(layers >= 1 && layers <= 64, "layers", "must be in [1, 64]");
    require(warmStart.checkpoint.empty() ||
                (!warmStart.sourceConfigJson.empty() && warmStart.sourceInChannels > 0 &&
                 warmStart.sourceClasses > 1),
            "warm_start", "needs the source's search config, input channels and classes");
    require(nodes >= 1 && nodes <= 8, "nodes", "must be in [1, 8]");
    require(stepsPerEpoch >= 0, "steps_per_epoch", "must be >= 0");
    require(shards >= 1 && batchSize % shards == 0, "shards",
            "must be >= 1 and divide the batch (" + std::to_string(batchSize) + ")");
    const auto& variants = searchVariants();
    require(std::find(variants.begin(), variants.end(), variant) != variants.end(), "variant",
            "'" + variant + "' is unknown (available: darts, pc-darts, drnas)");
    const int k = effectivePartialChannels();
    require(partialChannels >= 0 && k <= channels && channels % k == 0, "partial_channels",
            "must divide --channels (" + std::to_string(channels) + ")");
    require(k == 1 || variant != "darts", "partial_channels",
            "needs --variant pc-darts or drnas (darts searches on all channels)");
    require(klWeight >= 0 && std::isfinite(klWeight), "kl_weight", "must be >= 0");
    require(hessianIterations >= 0 && hessianIterations <= 1000, "hessian_iterations",
            "must be in [0, 1000]");
    require(stopOn.empty() || stopOn == "collapse", "stop_on",
            "must be empty or 'collapse' (got '" + stopOn + "')");
    require(order == 1 || order == 2, "order", "must be 1 or 2");
    // The unrolled step's finite differences need one network; each DrNAS forward pass draws
    // other op weights.
    require(order == 1 || variant != "drnas", "order",
            "must be 1 with --variant drnas (its op weights are sampled anew in every pass)");
    require(alphaLr > 0, "alpha_lr", "must be > 0");
    require(alphaStepBudget >= 0 && std::isfinite(alphaStepBudget), "alpha_step_budget",
            "must be >= 0");
    require(alphaWarmupEpochs >= 0 && alphaWarmupEpochs < epochs, "alpha_warmup_epochs",
            "must be in [0, epochs) (no architecture step would be taken)");
    require(betaDecay >= 0 && std::isfinite(betaDecay), "beta_decay", "must be >= 0");
    require(betaDecay == 0 || variant != "drnas", "beta_decay",
            "applies to the softmax weights of darts and pc-darts, not to drnas' Dirichlet "
            "concentrations");
    const auto ops = effectivePrimitives();
    for (const auto& op : ops)
        require(isKnownPrimitive(op), "primitives", "contains unknown op '" + op + "'");
    require(std::count(ops.begin(), ops.end(), "none") < std::ptrdiff_t(ops.size()), "primitives",
            "needs at least one op besides 'none'");
}

std::string SearchConfig::toJson() const
{
    json j = {{"data", toJ(data)},
              {"runtime", toJ(runtime)},
              {"weights", toJ(weights)},
              {"channels", channels},
              {"layers", layers},
              {"nodes", nodes},
              {"primitives", effectivePrimitives()},
              {"batch", batchSize},
              {"epochs", epochs},
              {"steps_per_epoch", stepsPerEpoch},
              {"shards", shards},
              {"sync_bn", syncBatchNorm},
              {"variant", variant},
              {"partial_channels", effectivePartialChannels()},
              {"kl_weight", klWeight},
              {"hessian_iterations", hessianIterations},
              {"stop_on", stopOn},
              {"order", order},
              {"alpha_lr", alphaLr},
              {"alpha_step_budget", alphaStepBudget},
              {"alpha_warmup_epochs", alphaWarmupEpochs},
              {"beta_decay", betaDecay},
              {"alpha_beta1", alphaBeta1},
              {"alpha_beta2", alphaBeta2},
              {"alpha_weight_decay", alphaWeightDecay},
              {"unrolled_lr", unrolledLr},
              {"val_batch_stats", valBatchStats},
              {"checkpoint_dir", checkpointDir}};
    if (!moreData.empty()) {
        j["more_data"] = json::array();
        for (const auto& d : moreData)
            j["more_data"].push_back(toJ(d));
    }
    if (!warmStart.checkpoint.empty()) j["warm_start"] = toJ(warmStart);
    return j.dump();
}

SearchConfig SearchConfig::fromJson(const std::string& text)
{
    const auto j = parseObject(text, "search config");
    SearchConfig c;
    try {
        if (j.contains("data")) fromJ(j.at("data"), c.data);
        if (j.contains("runtime")) fromJ(j.at("runtime"), c.runtime);
        if (j.contains("weights")) fromJ(j.at("weights"), c.weights);
        get(j, "channels", c.channels);
        get(j, "layers", c.layers);
        get(j, "nodes", c.nodes);
        get(j, "primitives", c.primitives);
        get(j, "batch", c.batchSize);
        get(j, "epochs", c.epochs);
        get(j, "steps_per_epoch", c.stepsPerEpoch);
        get(j, "shards", c.shards);
        get(j, "sync_bn", c.syncBatchNorm);
        get(j, "variant", c.variant);
        get(j, "partial_channels", c.partialChannels);
        get(j, "kl_weight", c.klWeight);
        get(j, "hessian_iterations", c.hessianIterations);
        get(j, "stop_on", c.stopOn);
        get(j, "order", c.order);
        get(j, "alpha_lr", c.alphaLr);
        // Configs from before these fields searched without them, whatever the defaults are now.
        c.alphaStepBudget = 0;
        c.alphaWarmupEpochs = 0;
        get(j, "alpha_step_budget", c.alphaStepBudget);
        get(j, "alpha_warmup_epochs", c.alphaWarmupEpochs);
        get(j, "beta_decay", c.betaDecay);
        get(j, "alpha_beta1", c.alphaBeta1);
        get(j, "alpha_beta2", c.alphaBeta2);
        get(j, "alpha_weight_decay", c.alphaWeightDecay);
        get(j, "unrolled_lr", c.unrolledLr);
        get(j, "val_batch_stats", c.valBatchStats);
        get(j, "checkpoint_dir", c.checkpointDir);
        if (j.contains("more_data"))
            for (const auto& d : j.at("more_data"))
                fromJ(d, c.moreData.emplace_back());
        if (j.contains("warm_start")) fromJ(j.at("warm_start"), c.warmStart);
    } catch (const json::exception& e) {
        throw Error(std::string("search config: ") + e.what());
    }
    return c;
}

std::optional<std::string> searchSpaceMismatch(const SearchConfig& source, int sourceChannels,
                                               const SearchConfig& target, int targetChannels)
{
    std::string diff;
    const auto add = [&](const std::string& what, const std::string& a, const std::string& b) {
        if (a != b) diff += (diff.empty() ? "" : ", ") + what + " " + a + " (source) vs " + b;
    };
    add("channels", std::to_string(source.channels), std::to_string(target.channels));
    add("layers", std::to_string(source.layers), std::to_string(target.layers));
    add("nodes", std::to_string(source.nodes), std::to_string(target.nodes));
    add("partial channels", std::to_string(source.effectivePartialChannels()),
        std::to_string(target.effectivePartialChannels()));
    const auto join = [](const std::vector<std::string>& ops) {
        std::string s;
        for (const auto& op : ops)
            s += (s.empty() ? "" : ",") + op;
        return s;
    };
    add("primitives", join(source.effectivePrimitives()), join(target.effectivePrimitives()));
    add("image channels", std::to_string(sourceChannels), std::to_string(targetChannels));
    if (diff.empty()) return std::nullopt;
    return "the search spaces differ: " + diff +
           " (a warm start needs the same network; pass the source's --channels, --layers, "
           "--nodes, --partial-channels, --primitives, or --image-channels to convert the "
           "images)";
}

void TrainConfig::validate() const
{
    validateCommon(data, runtime, weights, batchSize, epochs);
    require(channels >= 1 && channels <= 512, "channels", "must be in [1, 512]");
    require(layers >= 1 && layers <= 64, "layers", "must be in [1, 64]");
    require(!genotype.normal.empty(), "genotype", "is required (--genotype FILE_OR_LITERAL)");
    require(auxiliaryWeight >= 0 && auxiliaryWeight <= 10, "auxiliary_weight",
            "must be in [0, 10]");
    require(dropPath >= 0 && dropPath < 1, "drop_path", "must be in [0, 1)");
    require(cutout >= 0 && cutout <= 4096, "cutout", "must be in [0, 4096] pixels");
}

std::string TrainConfig::toJson() const
{
    json j = {{"data", toJ(data)},
              {"runtime", toJ(runtime)},
              {"weights", toJ(weights)},
              {"genotype", json::parse(genotype.toJson())},
              {"channels", channels},
              {"layers", layers},
              {"batch", batchSize},
              {"epochs", epochs},
              {"auxiliary_weight", auxiliaryWeight},
              {"drop_path", dropPath},
              {"cutout", cutout},
              {"checkpoint_dir", checkpointDir}};
    return j.dump();
}

TrainConfig TrainConfig::fromJson(const std::string& text)
{
    const auto j = parseObject(text, "train config");
    TrainConfig c;
    try {
        if (j.contains("data")) fromJ(j.at("data"), c.data);
        if (j.contains("runtime")) fromJ(j.at("runtime"), c.runtime);
        if (j.contains("weights")) fromJ(j.at("weights"), c.weights);
        if (j.contains("genotype")) c.genotype = Genotype::parse(j.at("genotype").dump());
        get(j, "channels", c.channels);
        get(j, "layers", c.layers);
        get(j, "batch", c.batchSize);
        get(j, "epochs", c.epochs);
        get(j, "auxiliary_weight", c.auxiliaryWeight);
        get(j, "drop_path", c.dropPath);
        get(j, "cutout", c.cutout);
        get(j, "checkpoint_dir", c.checkpointDir);
    } catch (const json::exception& e) {
        throw Error(std::string("train config: ") + e.what());
    }
    return c;
}

} // namespace wb::darts
