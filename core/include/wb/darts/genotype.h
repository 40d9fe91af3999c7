#pragma once

#include <string>
#include <vector>

namespace wb::darts {

// One chosen edge of a derived cell: the op and the index of its input state
// (0, 1 = the cell's two inputs; k >= 2 = intermediate node k - 2).
struct GenotypeEdge {
    std::string op;
    int input = 0;
    bool operator==(const GenotypeEdge&) const = default;
};

// A discrete cell pair as in the DARTS paper: two edges per intermediate node, listed node by
// node; the cell output concatenates the nodes in *Concat.
struct Genotype {
    std::vector<GenotypeEdge> normal;
    std::vector<int> normalConcat;
    std::vector<GenotypeEdge> reduce;
    std::vector<int> reduceConcat;

    bool operator==(const Genotype&) const = default;
    int nodes() const { return int(normal.size()) / 2; }

    // `Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=range(2, 6), reduce=[...],
    // reduce_concat=range(2, 6))`, pasteable into the DARTS reference code.
    std::string toPython() const;
    // {"normal": [["sep_conv_3x3", 0], ...], "normal_concat": [2, 3, 4, 5], ...}
    std::string toJson() const;
    // Accepts either form above (or a path's contents); throws wb::Error on malformed text or
    // unknown ops, quoting the offending part.
    static Genotype parse(const std::string& text);
};

// Derives the genotype from softmax weights (row-major, edges x primitives, edges ordered node by
// node, node j having j + 2 inputs): per node the two inputs whose strongest non-`none` weight is
// largest (ties: lower input first), each with its strongest non-`none` op.
Genotype deriveGenotype(const std::vector<float>& normalWeights,
                        const std::vector<float>& reduceWeights, int nodes,
                        const std::vector<std::string>& primitives);

int edgeCount(int nodes); // sum_{j < nodes} (j + 2)

} // namespace wb::darts
