#include "commands.h"
#include "genotype_arg.h"
#include "store_flags.h"

#include "wb/darts/genotype_diff.h"
#include "wb/store/workspace_location.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace wb::cli {
namespace {

nlohmann::json cellJson(const darts::CellDiff& d)
{
    return {{"equal", d.equal}, {"mapping", d.mapping}, {"differences", d.differences}};
}

} // namespace

void addGenotypeCommand(CLI::App& root, int& exitCode)
{
    auto* genotype = root.add_subcommand("genotype", "Work with derived cells (genotypes)");
    genotype->require_subcommand(1);

    struct Options {
        std::string a, b, db;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* diff = genotype->add_subcommand(
        "diff", "Compare two genotypes as graphs: the order of a node's inputs and the numbering "
                "of intermediate nodes do not count. Exit 0 when equal, 1 when they differ");
    diff->add_option("A", o->a, "A run id, a genotype file (JSON or DARTS literal) or a literal")
        ->required();
    diff->add_option("B", o->b, "The same for the other genotype")->required();
    diff->add_option("--db", o->db, kDbHelp);
    diff->add_flag("--json", o->json, "Print one JSON object");
    diff->callback([o, &exitCode] {
        const auto db = o->db.empty() ? store::defaultWorkspace() : o->db;
        const auto d = darts::diffGenotypes(resolveGenotype(o->a, db), resolveGenotype(o->b, db));
        if (o->json)
            std::cout << nlohmann::json{{"equal", d.equal()},
                                        {"normal", cellJson(d.normal)},
                                        {"reduce", cellJson(d.reduce)}}
                             .dump()
                      << std::endl;
        else
            std::cout << d.report();
        exitCode = d.equal() ? 0 : 1;
    });
}

} // namespace wb::cli
