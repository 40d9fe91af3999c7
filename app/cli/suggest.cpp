#include "suggest.h"

#include <algorithm>

namespace wb::cli {
namespace {

std::size_t editDistance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::vector<std::string> commandNames(const CLI::App& app)
{
    std::vector<std::string> names;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        names.push_back(sub->get_name());
    return names;
}

// The deepest command that `args` names (the root when none).
const CLI::App* chosenCommand(const CLI::App& app, const std::vector<std::string>& args)
{
    const CLI::App* at = &app;
    for (const auto& word : args) {
        if (word.rfind('-', 0) == 0) continue;
        const CLI::App* next = nullptr;
        for (const auto* sub : at->get_subcommands([](const CLI::App*) { return true; }))
            if (sub->get_name() == word) next = sub;
        if (!next) break;
        at = next;
    }
    return at;
}

} // namespace

std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& names)
{
    std::optional<std::string> best;
    std::size_t bestDistance = std::max<std::size_t>(1, word.size() / 3) + 1;
    for (const auto& name : names) {
        const auto d = editDistance(word, name);
        if (d < bestDistance) {
            bestDistance = d;
            best = name;
        }
    }
    return best;
}

std::string unknownCommand(const CLI::App& app, const std::vector<std::string>& args)
{
    const CLI::App* at = &app;
    for (const auto& word : args) {
        if (word.rfind('-', 0) == 0) return {}; // options follow: CLI11 checks the rest
        const auto names = commandNames(*at);
        if (names.empty()) return {}; // a command's own positionals (run ids, genotypes)
        if (std::find(names.begin(), names.end(), word) == names.end()) {
            std::string message = "unknown command '" + word + "'";
            if (const auto guess = closest(word, names))
                message += " (did you mean '" + *guess + "'?)";
            return message + "; see `" + app.get_name() + " help" +
                   (at == &app ? "" : " " + at->get_name()) + "`";
        }
        at = chosenCommand(*at, {word});
    }
    return {};
}

std::string optionSuggestions(const CLI::App& app, const std::vector<std::string>& args)
{
    const CLI::App* command = chosenCommand(app, args);
    std::vector<std::string> names;
    for (const auto* option : command->get_options())
        for (const auto& name : option->get_lnames())
            names.push_back("--" + name);
    std::string out;
    for (const auto& word : args) {
        if (word.rfind("--", 0) != 0) continue;
        const auto flag = word.substr(0, word.find('='));
        if (std::find(names.begin(), names.end(), flag) != names.end()) continue;
        if (const auto guess = closest(flag, names))
            out += (out.empty() ? "" : "\n") + flag + ": did you mean " + *guess + "?";
    }
    return out;
}

} // namespace wb::cli
