#include "genotype_arg.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wb::cli {

darts::Genotype readGenotype(const std::string& arg)
{
    std::error_code ec;
    if (std::filesystem::is_regular_file(arg, ec)) {
        std::ifstream in(arg);
        std::stringstream text;
        text << in.rdbuf();
        try {
            return darts::Genotype::parse(text.str());
        } catch (const Error& e) {
            throw Error(arg + ": " + e.what());
        }
    }
    return darts::Genotype::parse(arg);
}

darts::Genotype resolveGenotype(const std::string& arg, const std::string& db)
{
    const bool id =
        !arg.empty() && arg.size() < 19 &&
        std::all_of(arg.begin(), arg.end(), [](unsigned char c) { return std::isdigit(c); });
    std::error_code ec;
    if (!id || std::filesystem::is_regular_file(arg, ec)) return readGenotype(arg);
    auto store = store::RunStore::openReadOnly(db);
    const auto run = store.run(std::stoll(arg));
    if (!run.genotype) throw Error("run " + arg + " has no genotype yet (no epoch recorded)");
    return *run.genotype;
}

} // namespace wb::cli
