#include "darts/warm_start.h"

#include "darts/checkpoint.h"
#include "wb/common/error.h"

#include <filesystem>

namespace wb::darts {
namespace {

bool isHead(const std::string& name)
{
    return name.rfind("classifier", 0) == 0;
}

// Copies same-named tensors from `from` into `into`, skipping the heads; returns how many.
int copyNamed(const torch::OrderedDict<std::string, torch::Tensor>& from,
              torch::OrderedDict<std::string, torch::Tensor>& into, const std::string& file)
{
    int copied = 0;
    for (auto& item : into) {
        if (isHead(item.key())) continue;
        const auto* source = from.find(item.key());
        if (!source || source->sizes() != item.value().sizes())
            throw Error(file + ": the supernet has no tensor '" + item.key() +
                        "' of the target's shape");
        item.value().copy_(*source);
        ++copied;
    }
    return copied;
}

} // namespace

WarmStartReport applyWarmStart(const WarmStart& warm, const SearchConfig& target,
                               Supernet& targetNet)
{
    const auto& file = warm.checkpoint;
    const auto sourceConfig = SearchConfig::fromJson(warm.sourceConfigJson);
    if (const auto why = searchSpaceMismatch(sourceConfig, warm.sourceInChannels, target,
                                             targetNet->spec().inChannels))
        throw Error("cannot warm-start from " + warm.label + ": " + *why);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        throw Error(file + ": the source supernet's checkpoint is missing (" + warm.label + ")");
    if (!warm.sha256.empty() && fileSha256(file) != warm.sha256)
        throw Error(file + ": checksum mismatch: the source supernet's checkpoint changed (" +
                    warm.label + ")");

    SupernetSpec spec = targetNet->spec();
    spec.classes = warm.sourceClasses;
    spec.moreHeads.clear(); // further heads in the file are not needed: they are never copied
    Supernet source(spec);
    const bool sourceHasBetas = loadSupernetWeights(file, source);

    torch::NoGradGuard noGrad;
    WarmStartReport report;
    auto params = targetNet->named_parameters();
    auto buffers = targetNet->named_buffers();
    report.tensorsCopied = copyNamed(source->named_parameters(), params, file) +
                           copyNamed(source->named_buffers(), buffers, file);
    targetNet->alphaNormal().copy_(source->alphaNormal());
    targetNet->alphaReduce().copy_(source->alphaReduce());
    report.tensorsCopied += 2;
    std::string architecture = "alphas";
    if (targetNet->spec().edgeNormalisation && sourceHasBetas) {
        targetNet->betaNormal().copy_(source->betaNormal());
        targetNet->betaReduce().copy_(source->betaReduce());
        report.tensorsCopied += 2;
        architecture = "alphas, betas";
    }
    // Across variants only what both have is copied; the rest starts as in a fresh search.
    std::string variantNote;
    if (sourceConfig.variant != target.variant) {
        variantNote = "; from a " + sourceConfig.variant + " supernet into " + target.variant;
        if (targetNet->spec().edgeNormalisation && !sourceHasBetas)
            variantNote += ": edge weights (beta) initialised";
        if (target.variant == "drnas")
            variantNote += ": its alphas now set Dirichlet concentrations elu(alpha) + 1";
    }

    const bool sameClasses = warm.sourceClasses == targetNet->spec().classes;
    if (warm.keepHead && sameClasses) {
        const auto from = source->named_parameters();
        for (auto& item : params)
            if (item.key().rfind(SupernetImpl::headName(0) + ".", 0) == 0) {
                item.value().copy_(from[item.key()]);
                ++report.tensorsCopied;
            }
        report.headCopied = true;
    }
    report.message =
        "warm start from " + warm.label + ": " + std::to_string(report.tensorsCopied) +
        " tensors copied (weights, BN statistics, " + architecture + "); classifier head " +
        (report.headCopied
             ? "kept"
             : std::string("re-initialised") +
                   (warm.keepHead && !sameClasses
                        ? " (class counts differ: " + std::to_string(warm.sourceClasses) + " vs " +
                              std::to_string(targetNet->spec().classes) + ")"
                        : "")) +
        variantNote;
    return report;
}

} // namespace wb::darts
