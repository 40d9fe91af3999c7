#pragma once

#include "wb/darts/genotype.h"

#include <string>
#include <vector>

namespace wb::darts {

// How two cells of one type compare as graphs. Intermediate nodes may be numbered differently
// and a node's two inputs listed in either order: the cells are equal when some renumbering of
// B's intermediate nodes makes every node's (op, input) pairs and the concatenated nodes equal.
struct CellDiff {
    bool equal = false;
    // B's node for each of A's intermediate nodes (0-based) under the closest renumbering;
    // empty when the node counts differ.
    std::vector<int> mapping;
    // One line per real difference, in A's numbering, e.g.
    // "node 1: sep_conv_3x3(c_{k-1}) in A, max_pool_3x3(c_{k-1}) in B".
    std::vector<std::string> differences;
    // Per listed edge of each genotype (in its own order): true where the edge has no match in
    // the other cell under `mapping` (all true when the node counts differ).
    std::vector<bool> changedA;
    std::vector<bool> changedB;
};

struct GenotypeDiff {
    CellDiff normal;
    CellDiff reduce;
    bool equal() const { return normal.equal && reduce.equal; }
    // "normal: equal" or its differences, then the same for reduce; a renumbering is named.
    std::string report() const;
};

// Exact: tries every renumbering of the intermediate nodes (8! at the 8 nodes a search allows).
GenotypeDiff diffGenotypes(const Genotype& a, const Genotype& b);

} // namespace wb::darts
