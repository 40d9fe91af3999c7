// `supernet distance`: the OTDD matrix of two or more datasets, cached in the workspace database.

#include "commands.h"
#include "interrupt.h"
#include "store_flags.h"

#include "wb/common/error.h"
#include "wb/ot/distance.h"
#include "wb/store/run_store.h"
#include "wb/transfer/distance_matrix.h"
#include "wb/transfer/distance_settings.h"
#include "wb/transfer/workspace_embedder.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

namespace fs = std::filesystem;
using nlohmann::json;

namespace wb::cli {
namespace {

// Stage progress on stderr: redrawn on a terminal, one line per finished stage otherwise.
class OtProgress : public ot::OtObserver {
public:
    OtProgress() : m_tty(isatty(STDERR_FILENO)) {}
    void setPair(const std::string& pair) { m_pair = pair; }
    void onProgress(const std::string& stage, double fraction) override
    {
        const auto now = std::chrono::steady_clock::now();
        if (stage != m_stage) {
            m_stage = stage;
            m_stageStart = now;
        }
        if (!m_tty || now - m_last < std::chrono::milliseconds(200)) return;
        m_last = now;
        std::fprintf(stderr, "\r%s: %s %3.0f%%   ", m_pair.c_str(), stage.c_str(),
                     100.0 * fraction);
        m_dirty = true;
    }
    void onIssue(const Issue& issue) override
    {
        endLine();
        std::fprintf(stderr, "warning: %s\n", issue.message.c_str());
    }
    void endLine()
    {
        if (m_dirty) std::fprintf(stderr, "\r%*s\r", 78, "");
        m_dirty = false;
    }

private:
    bool m_tty;
    bool m_dirty = false;
    std::string m_pair, m_stage;
    std::chrono::steady_clock::time_point m_last{}, m_stageStart{};
};

std::string displayName(const std::string& path, const std::vector<std::string>& all)
{
    auto base = fs::path(path).lexically_normal().filename().string();
    if (base.empty()) base = fs::path(path).lexically_normal().parent_path().filename().string();
    int same = 0;
    for (const auto& p : all) {
        auto b = fs::path(p).lexically_normal().filename().string();
        if (b.empty()) b = fs::path(p).lexically_normal().parent_path().filename().string();
        same += b == base;
    }
    return same > 1 || base.empty() ? path : base;
}

std::vector<double> parseList(const std::string& text, const char* flag)
{
    std::vector<double> out;
    if (text.empty()) return out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find(',', start);
        const auto item = text.substr(start, end == std::string::npos ? end : end - start);
        try {
            std::size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw Error(std::string(flag) + ": '" + item + "' is not a number");
        }
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

std::string number(double v)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
}

} // namespace

void addDistanceCommand(CLI::App& root, int& exitCode)
{
    struct Options {
        std::vector<std::string> data;
        std::string format = "auto";
        transfer::DistanceSettings distance{"auto", "exact", {}};
        std::string mean, std;
        StoreFlags store;
        bool json = false;
        bool details = false;
    };
    auto o = std::make_shared<Options>();
    auto& c = o->distance.config;
    auto* cmd = root.add_subcommand(
        "distance", "Optimal-transport dataset distances (OTDD) between every pair of datasets");
    cmd->add_option("--data", o->data, "Dataset path; give two or more")->required();
    cmd->add_option("--format", o->format, "auto|idx|metaalbum|imagefolder|cifar")
        ->capture_default_str();
    cmd->add_option("--embed", o->distance.embed,
                    "auto | pixels | torchscript:FILE | supernet:RUN_OR_CHECKPOINT (auto: the "
                    "newest multi-dataset zoo supernet when the workspace has one, else pixels)")
        ->capture_default_str();
    cmd->add_option("--embed-size", c.embedder.size, "Resize images to S x S first (0 = native)")
        ->capture_default_str();
    cmd->add_option("--embed-channels", c.embedder.channels, "0 = native, 1 = grey, 3 = RGB")
        ->capture_default_str();
    cmd->add_option("--embed-dim", c.embedDim,
                    "PCA to D dims (0 = off), one basis fitted on the samples of all the datasets")
        ->capture_default_str();
    cmd->add_option(
           "--embed-range", c.embedder.range,
           "TorchScript input: pixels scaled to [0, R] (ImageNet ResNet as the paper: 255)")
        ->capture_default_str();
    cmd->add_option("--embed-mean", o->mean,
                    "TorchScript input: per-channel mean, e.g. 0.485,0.456,0.406");
    cmd->add_option("--embed-std", o->std, "TorchScript input: per-channel std");
    cmd->add_option("--embed-batch", c.embedder.batchSize, "Images per forward pass")
        ->capture_default_str();
    cmd->add_option("--inner", o->distance.inner, "Label-to-label distance: exact|gaussian")
        ->capture_default_str();
    cmd->add_option("--maxsamples", c.maxSamples,
                    "Samples per dataset, drawn with the seed (0 = all)")
        ->capture_default_str();
    cmd->add_option("--entreg", c.entreg, "Entropic regularisation eps of the outer problem")
        ->capture_default_str();
    cmd->add_option("--inner-entreg", c.innerEntreg, "eps of the exact label-to-label OT")
        ->capture_default_str();
    cmd->add_option("--tolerance", c.tolerance, "L1 marginal error to stop Sinkhorn at")
        ->capture_default_str();
    cmd->add_option("--max-iterations", c.maxIterations, "Sinkhorn iterations at the target eps")
        ->capture_default_str();
    cmd->add_option("--inner-max-iterations", c.innerMaxIterations,
                    "The same for each exact label-to-label problem")
        ->capture_default_str();
    cmd->add_option("--over-relaxation", c.overRelaxation,
                    "omega of the Sinkhorn updates at the target eps, in [1, 2) (1 = plain)")
        ->capture_default_str();
    cmd->add_option("--seed", c.seed, "Seed of the sample draw")->capture_default_str();
    cmd->add_flag("--float64", c.float64,
                  "Sinkhorn in double precision (slower; for tolerances below about 1e-4)");
    cmd->add_option("--threads", c.threads, "Intra-op CPU threads (0 = one per core)")
        ->capture_default_str();
    cmd->add_option("--device", c.device,
                    "cpu, cuda or cuda:N: where the embedder and the dataset-level OT run (the "
                    "label-to-label problems stay on the CPU)")
        ->capture_default_str();
    cmd->add_option(
           "--cost-cache-mb", c.costCacheMb,
           "Cost tiles kept between Sinkhorn iterations (MB); beyond that they are recomputed")
        ->capture_default_str();
    o->store.add(*cmd);
    cmd->add_flag("--json", o->json, "Print one JSON object on stdout");
    cmd->add_flag("--details", o->details,
                  "Also print each pair's label distances and class coupling");
    cmd->callback([o, &exitCode] {
        std::optional<store::RunStore> db;
        if (!o->store.disabled) db.emplace(store::RunStore::open(o->store.path()));
        auto& embedder = o->distance.config.embedder;
        embedder.mean = parseList(o->mean, "--embed-mean");
        embedder.std = parseList(o->std, "--embed-std");
        if (o->data.size() < 2) throw Error("--data: give at least two datasets");
        std::string note;
        // Validated before any dataset is loaded.
        const auto config = o->distance.resolve(db ? &*db : nullptr, &note);
        if (!note.empty()) std::cerr << note << std::endl;

        data::LoadOptions load;
        load.format = data::parseFormat(o->format);
        std::vector<ot::DatasetRef> sets;
        for (const auto& path : o->data) {
            auto ds = std::make_shared<data::Dataset>(data::loadDataset(path, load));
            for (const auto& w : ds->warnings)
                std::cerr << "warning: " << path << ": " << w << "\n";
            sets.push_back({displayName(path, o->data), ds});
        }
        const auto cache = transfer::workspaceEmbeddingCache(db ? &*db : nullptr);

        RunControl control;
        InterruptGuard guard(control);
        OtProgress progress;
        const auto n = sets.size();
        json pairs = json::array();
        bool failed = false;
        transfer::MatrixCallbacks callbacks;
        callbacks.started = [&](std::size_t i, std::size_t j) {
            progress.setPair(sets[i].name + " ~ " + sets[j].name);
        };
        callbacks.finished = [&](const transfer::MatrixPair& p) {
            progress.endLine();
            const auto& d = p.distance;
            // The cache's orientation: the smaller fingerprint is the source.
            const auto& source = d.sourceIsA ? sets[p.i] : sets[p.j];
            const auto& target = d.sourceIsA ? sets[p.j] : sets[p.i];
            json pair = {{"i", p.i}, {"j", p.j}, {"source", source.name}, {"target", target.name}};
            if (d.status != RunStatus::Done) {
                std::cerr << "supernet distance: " << source.name << " ~ " << target.name << ": "
                          << d.error << std::endl;
                failed = true;
                pair["error"] = d.error;
                pairs.push_back(pair);
                return;
            }
            if (!d.cacheWarning.empty())
                std::cerr << "warning: the distance cache was not updated: " << d.cacheWarning
                          << std::endl;
            pair["cached"] = d.cached;
            if (d.fresh) {
                const auto& r = *d.fresh;
                pair["seconds"] = r.seconds;
                pair["ot_aa"] = {{"iterations", r.aa.iterations},
                                 {"marginal_error", r.aa.marginalError}};
                pair["ot_bb"] = {{"iterations", r.bb.iterations},
                                 {"marginal_error", r.bb.marginalError}};
            }
            const auto& hit = d.value;
            pair["value"] = hit.value;
            pair["iterations"] = hit.iterations;
            pair["marginal_error"] = hit.marginalError;
            pair["converged"] = hit.converged;
            if (o->details) pair["details"] = json::parse(hit.detailsJson, nullptr, false);
            pairs.push_back(pair);
        };
        const auto result = transfer::distanceMatrix(sets, config, db ? &*db : nullptr, cache.get(),
                                                     control, progress, callbacks);
        if (const auto& basis = result.config.pcaBasis)
            std::cerr << "PCA: one basis of " << basis->outputDim << " dimensions for all "
                      << sets.size() << " datasets (" << basis->id.substr(0, 12) << ")"
                      << std::endl;
        const bool cancelled = result.cancelled;
        std::vector<std::vector<double>> matrix(n, std::vector<double>(n));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j)
                matrix[i][j] = result.values[i * n + j];
        if (cancelled) {
            std::cerr << "supernet distance: cancelled" << std::endl;
            exitCode = guard.cancelledExitCode();
            return;
        }

        json names = json::array(), fingerprints = json::array();
        for (const auto& s : sets) {
            names.push_back(s.name);
            fingerprints.push_back(s.data->fingerprint);
        }
        if (o->json) {
            json out = {{"names", names},
                        {"fingerprints", fingerprints},
                        {"matrix", matrix},
                        {"settings", json::parse(result.config.toJson())},
                        {"pairs", pairs}};
            std::cout << out.dump(2) << std::endl;
        } else {
            std::size_t width = 10;
            for (const auto& s : sets)
                width = std::max(width, s.name.size() + 2);
            std::printf("%-*s", int(width), "");
            for (const auto& s : sets)
                std::printf("%*s", int(width), s.name.c_str());
            std::printf("\n");
            for (std::size_t i = 0; i < n; ++i) {
                std::printf("%-*s", int(width), sets[i].name.c_str());
                for (std::size_t j = 0; j < n; ++j)
                    std::printf("%*s", int(width), number(matrix[i][j]).c_str());
                std::printf("\n");
            }
            std::printf("\nembedder %s, inner %s, maxsamples %d, eps %s, seed %llu\n",
                        config.embedder.name().c_str(), ot::innerMethodName(config.inner).c_str(),
                        config.maxSamples, number(config.entreg).c_str(),
                        static_cast<unsigned long long>(config.seed));
            for (const auto& p : pairs) {
                if (p.contains("error")) continue;
                std::printf("%s ~ %s: %s (%d iterations, marginal error %s%s%s)\n",
                            p["source"].get<std::string>().c_str(),
                            p["target"].get<std::string>().c_str(),
                            number(p["value"].get<double>()).c_str(), p["iterations"].get<int>(),
                            number(p["marginal_error"].get<double>()).c_str(),
                            p["converged"].get<bool>() ? "" : ", NOT converged",
                            p["cached"].get<bool>() ? ", cached" : "");
                if (!o->details || !p["details"].is_object()) continue;
                const auto& d = p["details"];
                for (const auto& [target, best] : d["nearest_source"].items())
                    std::printf("    target class %s <- source class %s (%.0f%% of its mass)\n",
                                target.c_str(), best["source"].get<std::string>().c_str(),
                                100.0 * best["share"].get<double>());
            }
        }
        exitCode = failed ? 1 : 0;
    });
}

} // namespace wb::cli
