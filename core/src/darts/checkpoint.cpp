#include "darts/checkpoint.h"

#include "common/guarded.h"
#include "wb/common/error.h"
#include "wb/common/sha256.h"
#include "wb/darts/checkpoint_meta.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace wb::darts {
namespace {

constexpr std::int64_t kFormatVersion = 1; // bump when the archive layout changes

torch::Tensor bytes(const std::string& s)
{
    return torch::from_blob(const_cast<char*>(s.data()), {std::int64_t(s.size())}, torch::kUInt8)
        .clone();
}

std::string text(const torch::Tensor& t)
{
    const auto c = t.contiguous();
    return {reinterpret_cast<const char*>(c.data_ptr<std::uint8_t>()), std::size_t(c.numel())};
}

torch::Tensor historyTensor(const std::vector<EpochMetrics>& history)
{
    auto t = torch::empty({std::int64_t(history.size()), kHistoryColumns}, torch::kFloat64);
    auto a = t.accessor<double, 2>();
    for (std::size_t i = 0; i < history.size(); ++i) {
        const auto& e = history[i];
        const double row[kHistoryColumns] = {double(e.epoch), e.trainLoss, e.trainAcc, e.valLoss,
                                             e.valAcc,        e.lr,        e.seconds};
        for (int k = 0; k < kHistoryColumns; ++k)
            a[i][k] = row[k];
    }
    return t;
}

std::vector<EpochMetrics> historyFrom(const torch::Tensor& t)
{
    if (t.dim() != 2 || t.scalar_type() != torch::kFloat64)
        throw Error("epoch history is not a table of doubles");
    const auto c = t.contiguous();
    return historyFromRows(c.data_ptr<double>(), c.size(0), c.size(1));
}

void syncFile(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        throw Error(path + ": cannot flush checkpoint to disk");
    }
    ::close(fd);
}

// "train_sampler" for the first dataset (the single-dataset layout), "train_sampler_K" after.
std::string samplerKey(const char* kind, std::size_t k)
{
    return std::string(kind) + "_sampler" + (k == 0 ? "" : "_" + std::to_string(k));
}

// Copies alpha and, where `net` has edge normalisation, beta from `archive`. A file without beta
// (a DARTS or DrNAS supernet) leaves beta as initialised unless `betasRequired`; the caller
// reports it. Returns whether beta was read.
// Where a network's tensors live: a checkpoint is read onto it, whichever device wrote the file
// (reading a tensor of another device into a parameter would move the parameter there).
torch::Device deviceOf(const torch::nn::Module& net)
{
    const auto params = net.parameters();
    return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

bool readArchitecture(torch::serialize::InputArchive& archive, const std::string& path,
                      Supernet& net, bool betasRequired)
{
    torch::NoGradGuard noGrad;
    const auto copy = [&](const char* key, torch::Tensor& into) {
        torch::Tensor t;
        archive.read(key, t);
        if (t.sizes() != into.sizes())
            throw Error(path + ": " + key + " shape does not match this search space");
        into.copy_(t);
    };
    copy("alpha_normal", net->alphaNormal());
    copy("alpha_reduce", net->alphaReduce());
    if (!net->spec().edgeNormalisation) return false;
    torch::Tensor probe;
    if (!betasRequired && !archive.try_read("beta_normal", probe)) return false;
    copy("beta_normal", net->betaNormal());
    copy("beta_reduce", net->betaReduce());
    return true;
}

// Saves atomically (temporary file, fsync, rename) and returns the file's SHA-256.
std::string saveArchive(torch::serialize::OutputArchive& archive, const std::string& path)
{
    const auto tmp = path + ".tmp";
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    try {
        archive.save_to(tmp);
    } catch (const c10::Error& e) {
        std::filesystem::remove(tmp, ec);
        throw Error(path + ": cannot write checkpoint (" + e.what_without_backtrace() + ")");
    }
    syncFile(tmp);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::filesystem::remove(tmp, ec);
        throw Error(path + ": cannot move the checkpoint into place");
    }
    return fileSha256(path);
}

void readVersion(torch::serialize::InputArchive& archive, const std::string& path)
{
    torch::Tensor t;
    archive.read("format_version", t);
    const auto version = t.item<std::int64_t>();
    if (version != kFormatVersion)
        throw Error(path + ": checkpoint format " + std::to_string(version) +
                    " is not supported (expected " + std::to_string(kFormatVersion) + ")");
}

} // namespace

std::string saveCheckpoint(const std::string& path, const SearchState& state)
{
    torch::serialize::OutputArchive archive;
    archive.write("format_version", torch::tensor(kFormatVersion));
    archive.write("epoch", torch::tensor(std::int64_t(state.epoch)));
    torch::serialize::OutputArchive net;
    state.net->save(net);
    archive.write("supernet", net);
    archive.write("alpha_normal", state.net->alphaNormal().detach().cpu());
    archive.write("alpha_reduce", state.net->alphaReduce().detach().cpu());
    if (state.net->spec().edgeNormalisation) {
        archive.write("beta_normal", state.net->betaNormal().detach().cpu());
        archive.write("beta_reduce", state.net->betaReduce().detach().cpu());
    }
    torch::serialize::OutputArchive sgd, adam;
    state.weightOpt.save(sgd);
    state.alphaOpt.save(adam);
    archive.write("weight_optimizer", sgd);
    archive.write("alpha_optimizer", adam);
    for (std::size_t k = 0; k < state.trainSamplers.size(); ++k) {
        archive.write(samplerKey("train", k), bytes(state.trainSamplers[k].state()));
        archive.write(samplerKey("val", k), bytes(state.valSamplers[k].state()));
    }
    archive.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
    archive.write("history", historyTensor(state.history));
    return saveArchive(archive, path);
}

bool loadSupernetWeights(const std::string& path, Supernet& net)
{
    try {
        torch::serialize::InputArchive archive, module;
        archive.load_from(path, deviceOf(*net));
        archive.read("supernet", module);
        net->load(module);
        return readArchitecture(archive, path, net, /*betasRequired=*/false) ||
               !net->spec().edgeNormalisation;
    } catch (const c10::Error& e) {
        throw Error(path + ": not a readable supernet checkpoint for this network (" +
                    std::string(e.what_without_backtrace()).substr(0, 200) + ")");
    }
}

void loadCheckpoint(const std::string& path, SearchState& state)
{
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path, deviceOf(*state.net));
        // A fresh tensor per key: reading into a defined tensor would set_() it in place. The
        // bookkeeping (epoch, samplers, generator, history) is read on the CPU.
        const auto read = [&](const char* key) {
            torch::Tensor t;
            archive.read(key, t);
            return t.cpu();
        };
        readVersion(archive, path);
        state.epoch = int(read("epoch").item<std::int64_t>());
        torch::serialize::InputArchive net, sgd, adam;
        archive.read("supernet", net);
        state.net->load(net);
        readArchitecture(archive, path, state.net, /*betasRequired=*/true);
        archive.read("weight_optimizer", sgd);
        archive.read("alpha_optimizer", adam);
        state.weightOpt.load(sgd);
        state.alphaOpt.load(adam);
        for (std::size_t k = 0; k < state.trainSamplers.size(); ++k) {
            state.trainSamplers[k].restore(text(read(samplerKey("train", k).c_str())));
            state.valSamplers[k].restore(text(read(samplerKey("val", k).c_str())));
        }
        auto generator = at::detail::getDefaultCPUGenerator(); // a handle to the global one
        generator.set_state(read("torch_rng"));
        state.history = historyFrom(read("history"));
    } catch (const c10::Error& e) {
        throw Error(path + ": not a readable search checkpoint for this network (" +
                    e.what_without_backtrace() + ")");
    }
}

std::string saveTrainCheckpoint(const std::string& path, const TrainState& state)
{
    torch::serialize::OutputArchive archive, net, sgd;
    archive.write("format_version", torch::tensor(kFormatVersion));
    archive.write("epoch", torch::tensor(std::int64_t(state.epoch)));
    state.net->save(net);
    archive.write("network", net);
    state.opt.save(sgd);
    archive.write("weight_optimizer", sgd);
    archive.write("train_sampler", bytes(state.sampler.state()));
    archive.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
    archive.write("history", historyTensor(state.history));
    archive.write("input_mean", torch::tensor(state.input.mean));
    archive.write("input_std", torch::tensor(state.input.std));
    return saveArchive(archive, path);
}

void loadTrainCheckpoint(const std::string& path, TrainState& state)
{
    try {
        torch::serialize::InputArchive archive, net, sgd;
        archive.load_from(path, deviceOf(*state.net));
        readVersion(archive, path);
        const auto read = [&](const char* key) {
            torch::Tensor t;
            archive.read(key, t);
            return t.cpu();
        };
        state.epoch = int(read("epoch").item<std::int64_t>());
        archive.read("network", net);
        state.net->load(net);
        archive.read("weight_optimizer", sgd);
        state.opt.load(sgd);
        state.sampler.restore(text(read("train_sampler")));
        auto generator = at::detail::getDefaultCPUGenerator();
        generator.set_state(read("torch_rng"));
        state.history = historyFrom(read("history"));
    } catch (const c10::Error& e) {
        throw Error(path + ": not a readable training checkpoint for this network (" +
                    e.what_without_backtrace() + ")");
    }
}

data::ChannelStats loadTrainedWeights(const std::string& path, EvalNetwork& net)
{
    try {
        torch::serialize::InputArchive archive, module;
        archive.load_from(path, deviceOf(*net));
        archive.read("network", module);
        net->load(module);
        data::ChannelStats input;
        for (auto [key, into] : {std::pair{"input_mean", &input.mean}, {"input_std", &input.std}}) {
            torch::Tensor t;
            archive.read(key, t);
            const auto c = t.to(torch::kCPU, torch::kFloat32).contiguous();
            into->assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
        }
        return input;
    } catch (const c10::Error& e) {
        throw Error(path + ": not a readable training checkpoint for this network (" +
                    std::string(e.what_without_backtrace()).substr(0, 200) + ")");
    }
}

CheckpointInfo writeEpochCheckpoint(const std::string& dir,
                                    const std::vector<EpochMetrics>& history,
                                    const std::function<std::string(const std::string&)>& save)
{
    char name[32];
    std::snprintf(name, sizeof name, "epoch-%04d.pt", history.back().epoch);
    CheckpointInfo info;
    info.epoch = history.back().epoch;
    info.path = (std::filesystem::path(dir) / name).string();
    info.valAcc = history.back().valAcc;
    const auto start = std::chrono::steady_clock::now();
    info.sha256 = save(info.path);
    info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    info.bytes = std::int64_t(std::filesystem::file_size(info.path));
    info.best = std::all_of(history.begin(), history.end() - 1,
                            [&](const EpochMetrics& e) { return e.valAcc < info.valAcc; });
    return info;
}

void restoreFirstUsable(const std::vector<CheckpointInfo>& from,
                        const std::function<int(const std::string&)>& load,
                        const std::function<void(const Issue&)>& report)
{
    std::string tried;
    for (const auto& c : from) {
        std::string problem;
        int epoch = 0;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(c.path, ec))
            problem = c.path + ": checkpoint file is missing";
        else if (!c.sha256.empty() && fileSha256(c.path) != c.sha256)
            problem = c.path + ": checksum mismatch (the file is corrupt or truncated)";
        else if (const auto err = runGuarded([&] { epoch = load(c.path); }))
            problem = *err;
        if (problem.empty()) {
            report({Severity::Info, "resume",
                    "resumed from " + c.path + " (epoch " + std::to_string(epoch) + ")", epoch});
            return;
        }
        report({Severity::Warning, "checkpoint.bad", problem + "; trying an older one", c.epoch});
        tried += (tried.empty() ? "" : ", ") + c.path;
    }
    throw Error("cannot resume: no usable checkpoint (tried " + tried + ")");
}

} // namespace wb::darts
