#include "config_toml.h"

#include "wb/common/error.h"
#include "wb/common/number_text.h"

#include <toml++/toml.h>

namespace wb::cli {
namespace {

// The command-line words of one TOML value.
std::vector<std::string> words(const toml::node& node)
{
    if (const auto* s = node.as_string()) return {s->get()};
    if (const auto* i = node.as_integer()) return {std::to_string(i->get())};
    if (const auto* f = node.as_floating_point()) return {shortestText(f->get())};
    if (const auto* b = node.as_boolean()) return {b->get() ? "true" : "false"};
    if (const auto* a = node.as_array()) {
        std::vector<std::string> out;
        for (const auto& item : *a) {
            if (item.is_array() || item.is_table())
                throw Error("arrays hold plain values (strings or numbers)");
            out.push_back(words(item).front());
        }
        return out;
    }
    throw Error("a string, number, boolean or array of them is expected");
}

} // namespace

std::vector<std::pair<std::string, ConfigValue>> readConfigFile(const std::string& file)
{
    toml::table table;
    try {
        table = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        throw Error(file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                    ": not valid TOML: " + std::string(e.description()));
    }
    std::vector<std::pair<std::string, ConfigValue>> out;
    for (const auto& [key, node] : table) {
        ConfigValue v;
        v.isTable = node.is_table();
        if (const auto* b = node.as_boolean()) v.boolean = b->get();
        if (!v.isTable) {
            try {
                v.words = words(node);
            } catch (const Error& e) {
                v.error = e.what();
            }
        }
        out.emplace_back(std::string(key.str()), std::move(v));
    }
    return out;
}

} // namespace wb::cli
