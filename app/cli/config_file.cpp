#include "config_file.h"

#include "config_toml.h"
#include "suggest.h"

#include "wb/common/error.h"
#include "wb/common/number_text.h"
#include "wb/darts/search_config.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

namespace wb::cli {
namespace {

const std::set<std::string> kJobCommands = {"search", "train", "pretrain", "transfer",
                                            "experiment"};
// Flags that say how to run rather than what: never read from a file.
const std::set<std::string> kNotInFiles = {"config", "help", "json", "queue", "after"};

bool givenOnCommandLine(const std::vector<std::string>& args, const std::string& flag)
{
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
        return a == flag || a.starts_with(flag + "=");
    });
}

// Quoted as a TOML basic string (quotes, backslashes and control characters escaped).
std::string quoted(const std::string& s)
{
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

class TomlWriter {
public:
    void set(const std::string& key, const std::string& text)
    {
        m_out << key << " = " << text << '\n';
    }
    void text(const std::string& key, const std::string& v) { set(key, quoted(v)); }
    void integer(const std::string& key, long long v) { set(key, std::to_string(v)); }
    void real(const std::string& key, double v)
    {
        auto s = shortestText(v);
        if (s.find_first_of(".en") == std::string::npos) s += ".0"; // stays a TOML float
        set(key, s);
    }
    void flag(const std::string& key, bool v) { set(key, v ? "true" : "false"); }
    void list(const std::string& key, const std::vector<std::string>& items)
    {
        std::string s = "[";
        for (std::size_t i = 0; i < items.size(); ++i)
            s += (i ? ", " : "") + quoted(items[i]);
        set(key, s + "]");
    }
    void comment(const std::string& line) { m_out << "# " << line << '\n'; }
    std::string str() const { return m_out.str(); }

private:
    std::ostringstream m_out;
};

// The flags of CommonFlags (common_flags.cpp), without --data.
void writeCommon(TomlWriter& w, const darts::DataConfig& d, const darts::RuntimeConfig& r,
                 const darts::WeightOptConfig& o)
{
    w.text("format", data::formatName(d.format));
    w.integer("max-per-class", d.maxPerClass);
    w.integer("image-size", d.imageSize);
    w.integer("image-channels", d.imageChannels);
    w.real("train-fraction", d.trainFraction);
    w.real("val-fraction", d.valFraction);
    if (d.splitSeed) w.integer("split-seed", (long long)*d.splitSeed);
    w.integer("seed", (long long)r.seed);
    w.integer("threads", r.threads);
    w.text("device", r.device);
    w.flag("no-channels-last", !r.channelsLast);
    w.text("amp", r.amp);
    w.real("lr", o.lr);
    w.real("lr-min", o.lrMin);
    w.real("momentum", o.momentum);
    w.real("weight-decay", o.weightDecay);
    w.real("grad-clip", o.gradClip);
}

// The flags of addSearchFlags (search_flags.cpp).
void writeSearch(TomlWriter& w, const darts::SearchConfig& c)
{
    w.integer("channels", c.channels);
    w.integer("layers", c.layers);
    w.integer("nodes", c.nodes);
    w.list("primitives", c.effectivePrimitives());
    w.integer("batch", c.batchSize);
    w.integer("epochs", c.epochs);
    w.integer("steps-per-epoch", c.stepsPerEpoch);
    w.text("variant", c.variant);
    w.integer("partial-channels", c.effectivePartialChannels());
    w.integer("hessian-iterations", c.hessianIterations);
    if (!c.stopOn.empty()) w.text("stop-on", c.stopOn);
    w.real("kl-weight", c.klWeight);
    w.integer("order", c.order);
    w.real("alpha-lr", c.alphaLr);
    w.real("alpha-budget", c.alphaStepBudget);
    w.integer("warmup-epochs", c.alphaWarmupEpochs);
    if (c.betaDecay > 0) w.real("beta-decay", c.betaDecay);
    w.real("alpha-weight-decay", c.alphaWeightDecay);
    w.flag("val-running-bn", !c.valBatchStats);
    // One shard is the default, and written out it would refuse a rerun with --nproc 2.
    if (c.shards > 1) w.integer("shards", c.shards);
    w.flag("sync-bn", c.syncBatchNorm);
}

} // namespace

void addConfigOption(CLI::App& cmd)
{
    cmd.add_option("--config", "TOML file of flags: keys are the long flag names without '--' "
                               "(max-per-class = 20); flags on the command line override it; "
                               "`supernet runs show ID --config` writes one that reruns a run");
}

std::vector<std::string> withConfigFile(const CLI::App& root, const std::vector<std::string>& args)
{
    if (args.empty() || !kJobCommands.count(args.front())) return args;
    std::string file;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) file = args[i + 1];
        if (args[i].starts_with("--config=")) file = args[i].substr(9);
    }
    if (file.empty()) return args;
    const auto* cmd = root.get_subcommand(args.front());
    const auto entries = readConfigFile(file);
    std::vector<std::string> names;
    for (const auto* opt : cmd->get_options())
        if (!opt->get_lnames().empty() && !kNotInFiles.count(opt->get_lnames().front()))
            names.push_back(opt->get_lnames().front());
    std::vector<std::string> spliced;
    for (const auto& [key, value] : entries) {
        const auto where = file + ": " + key;
        if (value.isTable)
            throw Error(where + ": tables are not read; write the flags at the top level");
        const auto* opt = cmd->get_option_no_throw("--" + key);
        if (!opt || kNotInFiles.count(key)) {
            const auto guess = closest(key, names);
            throw Error(where + ": `supernet " + args.front() + "` has no flag --" + key +
                        (guess ? " (did you mean " + *guess + "?)" : ""));
        }
        if (givenOnCommandLine(args, "--" + key)) continue; // the command line wins
        if (!value.error.empty()) throw Error(where + ": " + value.error);
        if (opt->get_expected_max() == 0) { // a flag: true sets it, false leaves it out
            if (!value.boolean) throw Error(where + ": a flag takes true or false");
            if (*value.boolean) spliced.push_back("--" + key);
            continue;
        }
        for (const auto& v : value.words) {
            spliced.push_back("--" + key);
            spliced.push_back(v);
        }
    }
    auto out = args;
    out.insert(out.begin() + 1, spliced.begin(), spliced.end());
    return out;
}

std::string rerunToml(const store::RunDetails& run,
                      const std::optional<store::TransferRecord>& transfer)
{
    TomlWriter w;
    if (run.kind == "train") {
        const auto c = darts::TrainConfig::fromJson(run.configJson);
        w.comment("run " + std::to_string(run.id) + ": supernet train --config FILE");
        w.text("data", c.data.path);
        writeCommon(w, c.data, c.runtime, c.weights);
        w.text("genotype", c.genotype.toPython());
        w.integer("channels", c.channels);
        w.integer("layers", c.layers);
        w.integer("batch", c.batchSize);
        w.integer("epochs", c.epochs);
        w.real("auxiliary-weight", c.auxiliaryWeight);
        w.real("drop-path", c.dropPath);
        w.integer("cutout", c.cutout);
        return w.str();
    }
    if (run.kind != "search")
        throw Error("run " + std::to_string(run.id) + " is a " + run.kind +
                    " run: only searches and trainings can be rerun from a config file");
    const auto c = darts::SearchConfig::fromJson(run.configJson);
    const std::string command = run.role == "search" ? "search" : run.role;
    w.comment("run " + std::to_string(run.id) + ": supernet " + command + " --config FILE");
    if (command == "pretrain") {
        std::vector<std::string> paths = {c.data.path};
        for (const auto& more : c.moreData)
            paths.push_back(more.path);
        w.list("data", paths);
    } else {
        w.text("data", c.data.path);
    }
    writeCommon(w, c.data, c.runtime, c.weights);
    writeSearch(w, c);
    if (command == "transfer") {
        if (transfer && transfer->zooId)
            w.text("source", std::to_string(*transfer->zooId));
        else
            w.comment("source: its zoo entry is gone; set source = \"auto\" or a zoo id");
        w.flag("keep-head", c.warmStart.keepHead);
    }
    return w.str();
}

} // namespace wb::cli
