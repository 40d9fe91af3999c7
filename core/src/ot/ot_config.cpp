// Torch-free value types of the OT engine: configs, their JSON and cache keys, result JSON.

#include "wb/common/error.h"
#include "wb/common/sha256.h"
#include "wb/ot/distance.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using nlohmann::json;

namespace wb::ot {
namespace {

json issueJson(const Issue& i)
{
    const char* severity = i.severity == Severity::Info    ? "info"
                           : i.severity == Severity::Error ? "error"
                                                           : "warning";
    return {{"severity", severity}, {"code", i.code}, {"message", i.message}};
}

json problemJson(const OtProblemStats& p)
{
    return {{"cost", p.cost},
            {"iterations", p.iterations},
            {"marginal_error", p.marginalError},
            {"converged", p.converged}};
}

json matrix(const std::vector<float>& values, std::size_t rows, std::size_t cols)
{
    json out = json::array();
    for (std::size_t r = 0; r < rows; ++r) {
        json row = json::array();
        for (std::size_t c = 0; c < cols && r * cols + c < values.size(); ++c)
            row.push_back(values[r * cols + c]);
        out.push_back(row);
    }
    return out;
}

} // namespace

std::string innerMethodName(InnerMethod method)
{
    return method == InnerMethod::Gaussian ? "gaussian" : "exact";
}

InnerMethod parseInnerMethod(const std::string& text)
{
    if (text == "exact") return InnerMethod::Exact;
    if (text == "gaussian") return InnerMethod::Gaussian;
    throw Error("--inner: unknown label distance '" + text + "' (expected exact or gaussian)");
}

EmbedderConfig EmbedderConfig::parse(const std::string& text)
{
    EmbedderConfig c;
    const auto colon = text.find(':');
    const auto head = text.substr(0, colon);
    const auto tail = colon == std::string::npos ? std::string() : text.substr(colon + 1);
    if (head == "pixels" && colon == std::string::npos) {
        c.kind = Kind::Pixels;
    } else if (head == "torchscript" && !tail.empty()) {
        c.kind = Kind::TorchScript;
        c.source = tail;
        c.modelPath = tail;
    } else if (head == "supernet" && !tail.empty()) {
        c.kind = Kind::Supernet;
        c.source = tail;
    } else {
        throw Error("--embed: unknown embedder '" + text +
                    "' (expected pixels, torchscript:FILE or supernet:RUN_OR_CHECKPOINT)");
    }
    return c;
}

std::string EmbedderConfig::name() const
{
    switch (kind) {
    case Kind::Pixels:
        return "pixels";
    case Kind::TorchScript:
        return "torchscript:" + source;
    case Kind::Supernet:
        return "supernet:" + source;
    }
    return "pixels";
}

std::string EmbedderConfig::key() const
{
    json k = {{"size", size}, {"channels", channels}};
    switch (kind) {
    case Kind::Pixels:
        k["kind"] = "pixels";
        break;
    case Kind::TorchScript:
        k["kind"] = "torchscript";
        k["sha256"] = modelSha256;
        k["range"] = range;
        k["mean"] = mean;
        k["std"] = std;
        break;
    case Kind::Supernet:
        k["kind"] = "supernet";
        k["sha256"] = modelSha256;
        break;
    }
    return k.dump();
}

void EmbedderConfig::validate() const
{
    if (size < 0)
        throw Error("--embed-size: must be >= 0 (0 = native), got " + std::to_string(size));
    if (channels != 0 && channels != 1 && channels != 3)
        throw Error("--embed-channels: must be 0 (native), 1 or 3, got " +
                    std::to_string(channels));
    if (!(range > 0)) throw Error("--embed-range: must be > 0");
    if (mean.size() != std.size())
        throw Error("--embed-mean and --embed-std: need as many values each (one per channel)");
    for (double s : std)
        if (!(s > 0)) throw Error("--embed-std: values must be > 0");
    if (batchSize < 1) throw Error("embedder batch size must be >= 1");
    if (kind != Kind::Pixels && modelPath.empty())
        throw Error("--embed " + name() + ": no model file");
}

void EmbedderConfig::identify()
{
    if (kind == Kind::Pixels || !modelSha256.empty()) return;
    std::ifstream in(modelPath, std::ios::binary);
    if (!in) throw Error(modelPath + ": cannot read the model file");
    Sha256 hash;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
        hash.update(buffer, std::size_t(in.gcount()));
    modelSha256 = hash.hexDigest();
}

void DistanceConfig::validate() const
{
    embedder.validate();
    auto positive = [](double v, const char* what) {
        if (!(v > 0) || !std::isfinite(v))
            throw Error(std::string(what) + ": must be a positive number");
    };
    positive(entreg, "--entreg");
    positive(innerEntreg, "inner entreg");
    positive(tolerance, "tolerance");
    if (embedDim < 0) throw Error("--embed-dim: must be >= 0 (0 = no PCA)");
    if (pcaBasis && pcaBasis->outputDim != embedDim)
        throw Error("--embed-dim: " + std::to_string(embedDim) + ", but the shared PCA basis has " +
                    std::to_string(pcaBasis->outputDim) + " dimensions");
    if (maxSamples < 0) throw Error("--maxsamples: must be >= 0 (0 = all)");
    if (maxIterations < 1) throw Error("max iterations: must be >= 1");
    if (innerMaxIterations < 1) throw Error("inner max iterations: must be >= 1");
    if (!(annealFactor > 0 && annealFactor < 1)) throw Error("anneal factor: must be in (0, 1)");
    if (!(overRelaxation >= 1 && overRelaxation < 2))
        throw Error("--over-relaxation: must be in [1, 2)");
    if (!(lambdaX >= 0) || !(lambdaY >= 0) || lambdaX + lambdaY <= 0)
        throw Error("lambda_x, lambda_y: must be >= 0 and not both 0");
    if (threads < 0) throw Error("--threads: must be >= 0");
    if (device != "cpu" && device != "cuda" && device.rfind("cuda:", 0) != 0)
        throw Error("--device: must be cpu, cuda or cuda:N (got '" + device + "')");
    if (tileRows < 1) throw Error("tile rows: must be >= 1");
    if (costCacheMb < 0) throw Error("cost cache: must be >= 0 MB");
}

static json settingsJson(const DistanceConfig& c)
{
    json j = {{"embed_dim", c.embedDim},
              {"inner", innerMethodName(c.inner)},
              {"maxsamples", c.maxSamples},
              {"entreg", c.entreg},
              {"inner_entreg", c.innerEntreg},
              {"lambda_x", c.lambdaX},
              {"lambda_y", c.lambdaY},
              {"p", 2},
              {"tolerance", c.tolerance},
              {"max_iterations", c.maxIterations},
              {"anneal_factor", c.annealFactor},
              {"over_relaxation", c.overRelaxation},
              {"debiased", c.debiased},
              {"precision", c.float64 ? "float64" : "float32"},
              {"seed", c.seed}};
    // Exact label distances were computed on the halved cost 0.5*||dphi||^2 before schema 4:
    // the field keeps any such entry from matching (migration 4 also deletes them).
    if (c.inner == InnerMethod::Exact) {
        j["exact_label_cost"] = "sqeuclidean";
        j["inner_max_iterations"] = c.innerMaxIterations;
    }
    // A shared basis makes the value depend on every dataset it was fitted on: its id says so.
    if (c.pcaBasis) j["pca_basis"] = c.pcaBasis->id;
    return j;
}

std::string DistanceConfig::toJson() const
{
    auto j = settingsJson(*this);
    j["embedder"] = embedder.name();
    j["embedder_key"] = json::parse(embedder.key());
    j["threads"] = threads;
    j["device"] = device;
    j["tile_rows"] = tileRows;
    j["cost_cache_mb"] = costCacheMb;
    return j.dump();
}

std::string DistanceConfig::cacheKeyJson() const
{
    auto j = settingsJson(*this);
    j["embedder"] = json::parse(embedder.key());
    return j.dump(); // nlohmann orders object keys: canonical
}

std::string DistanceResult::detailsJson() const
{
    const auto k = sourceClasses.size() + targetClasses.size();
    json nearest = json::object();
    for (std::size_t t = 0; t < targetClasses.size(); ++t) {
        std::size_t best = 0;
        float mass = -1, total = 0;
        for (std::size_t s = 0; s < sourceClasses.size(); ++s) {
            const float m = coupling[t * sourceClasses.size() + s];
            total += m;
            if (m > mass) mass = m, best = s;
        }
        if (!sourceClasses.empty())
            nearest[targetClasses[t]] = {{"source", sourceClasses[best]},
                                         {"share", total > 0 ? mass / total : 0.0f}};
    }
    return json{{"source", nameA},
                {"target", nameB},
                {"source_classes", sourceClasses},
                {"target_classes", targetClasses},
                {"label_distances", matrix(labelDistances, k, k)},
                {"coupling", matrix(coupling, targetClasses.size(), sourceClasses.size())},
                {"nearest_source", nearest}}
        .dump();
}

std::string DistanceResult::toJson() const
{
    json issuesJson = json::array();
    for (const auto& i : issues)
        issuesJson.push_back(issueJson(i));
    return json{{"status", statusName(status)},
                {"error", error},
                {"source", nameA},
                {"target", nameB},
                {"fingerprints", {fingerprintA, fingerprintB}},
                {"value", value},
                {"iterations", iterations},
                {"marginal_error", marginalError},
                {"converged", converged},
                {"ot_ab", problemJson(ab)},
                {"ot_aa", problemJson(aa)},
                {"ot_bb", problemJson(bb)},
                {"samples", {samplesA, samplesB}},
                {"dim", dim},
                {"label_pairs_not_converged", labelPairsNotConverged},
                {"details", json::parse(detailsJson())},
                {"issues", issuesJson},
                {"seconds", seconds}}
        .dump();
}

} // namespace wb::ot
