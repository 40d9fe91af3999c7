#include "wb/darts/genotype_diff.h"

#include <algorithm>
#include <climits>
#include <iterator>
#include <numeric>

namespace wb::darts {
namespace {

using Edge = std::pair<std::string, int>; // (op, input state)

// The edges of each intermediate node, as given (a genotype lists two per node).
std::vector<std::vector<Edge>> nodeEdges(const std::vector<GenotypeEdge>& edges)
{
    std::vector<std::vector<Edge>> nodes((edges.size() + 1) / 2);
    for (std::size_t i = 0; i < edges.size(); ++i)
        nodes[i / 2].emplace_back(edges[i].op, edges[i].input);
    return nodes;
}

std::string stateName(int input)
{
    if (input == 0) return "c_{k-2}";
    if (input == 1) return "c_{k-1}";
    return "node " + std::to_string(input - 2);
}

std::string edgeText(const Edge& e)
{
    return e.first + "(" + stateName(e.second) + ")";
}

std::string joined(const std::vector<Edge>& edges)
{
    std::string out;
    for (const auto& e : edges)
        out += (out.empty() ? "" : " + ") + edgeText(e);
    return out.empty() ? "nothing" : out;
}

// A's edges in B's numbering under `mapping`, sorted (the order of a node's inputs is free).
std::vector<Edge> renumbered(const std::vector<Edge>& edges, const std::vector<int>& mapping)
{
    std::vector<Edge> out;
    for (const auto& [op, input] : edges) {
        const bool node = input >= 2 && input - 2 < int(mapping.size());
        out.emplace_back(op, node ? mapping[std::size_t(input - 2)] + 2 : input);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<Edge> sorted(std::vector<Edge> edges)
{
    std::sort(edges.begin(), edges.end());
    return edges;
}

// Edges in `a` but not in `b` (multisets, both sorted).
std::vector<Edge> missing(const std::vector<Edge>& a, const std::vector<Edge>& b)
{
    std::vector<Edge> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

std::vector<int> sortedConcat(const std::vector<int>& concat, const std::vector<int>* mapping)
{
    std::vector<int> out;
    for (int c : concat) {
        const bool node = mapping && c >= 2 && c - 2 < int(mapping->size());
        out.push_back(node ? (*mapping)[std::size_t(c - 2)] + 2 : c);
    }
    std::sort(out.begin(), out.end());
    return out;
}

int cost(const std::vector<std::vector<Edge>>& a, const std::vector<std::vector<Edge>>& b,
         const std::vector<int>& concatA, const std::vector<int>& concatB,
         const std::vector<int>& mapping)
{
    int c = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto mine = renumbered(a[i], mapping);
        const auto theirs = sorted(b[std::size_t(mapping[i])]);
        c += int(missing(mine, theirs).size() + missing(theirs, mine).size());
    }
    return c + (sortedConcat(concatA, &mapping) == sortedConcat(concatB, nullptr) ? 0 : 1);
}

// Matches each of A's edges with an unused equal edge of B's corresponding node; what stays
// unmatched on either side is marked changed. Edges are listed two per node.
void markChanges(const std::vector<std::vector<Edge>>& a, const std::vector<std::vector<Edge>>& b,
                 CellDiff& diff)
{
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto target = std::size_t(diff.mapping[i]);
        std::vector<bool> used(b[target].size(), false);
        for (std::size_t k = 0; k < a[i].size(); ++k) {
            const auto mine = renumbered({a[i][k]}, diff.mapping).front();
            for (std::size_t j = 0; j < b[target].size(); ++j)
                if (!used[j] && b[target][j] == mine) {
                    used[j] = true;
                    diff.changedA[2 * i + k] = false;
                    break;
                }
        }
        for (std::size_t j = 0; j < used.size(); ++j)
            if (used[j]) diff.changedB[2 * target + j] = false;
    }
}

CellDiff diffCells(const std::vector<GenotypeEdge>& edgesA, const std::vector<int>& concatA,
                   const std::vector<GenotypeEdge>& edgesB, const std::vector<int>& concatB)
{
    CellDiff diff;
    const auto a = nodeEdges(edgesA);
    const auto b = nodeEdges(edgesB);
    diff.changedA.assign(edgesA.size(), true);
    diff.changedB.assign(edgesB.size(), true);
    if (a.size() != b.size()) {
        diff.differences.push_back("A has " + std::to_string(a.size()) + " intermediate nodes, B " +
                                   std::to_string(b.size()));
        return diff;
    }
    std::vector<int> mapping(a.size());
    std::iota(mapping.begin(), mapping.end(), 0);
    // The identity first, so equal costs keep the numbering as given.
    int best = INT_MAX;
    do {
        const int c = cost(a, b, concatA, concatB, mapping);
        if (c < best) {
            best = c;
            diff.mapping = mapping;
        }
    } while (best > 0 && std::next_permutation(mapping.begin(), mapping.end()));
    diff.equal = best == 0;
    markChanges(a, b, diff);
    if (diff.equal) return diff;

    // Listed in A's numbering: B's edges are translated back through the inverse mapping.
    std::vector<int> inverse(diff.mapping.size());
    for (std::size_t i = 0; i < diff.mapping.size(); ++i)
        inverse[std::size_t(diff.mapping[i])] = int(i);
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto mine = sorted(a[i]);
        const auto theirs = renumbered(b[std::size_t(diff.mapping[i])], inverse);
        const auto onlyA = missing(mine, theirs);
        const auto onlyB = missing(theirs, mine);
        if (!onlyA.empty() || !onlyB.empty())
            diff.differences.push_back("node " + std::to_string(i) + ": " + joined(onlyA) +
                                       " in A, " + joined(onlyB) + " in B");
    }
    const auto ca = sortedConcat(concatA, nullptr);
    const auto cb = sortedConcat(concatB, &inverse);
    if (ca != cb) {
        const auto list = [](const std::vector<int>& c) {
            std::string s;
            for (int v : c)
                s += (s.empty() ? "" : ", ") + stateName(v);
            return s;
        };
        diff.differences.push_back("output concatenates " + list(ca) + " in A, " + list(cb) +
                                   " in B");
    }
    return diff;
}

std::string cellReport(const char* name, const CellDiff& d)
{
    std::string out = std::string(name) + ": ";
    bool moved = false;
    for (std::size_t i = 0; i < d.mapping.size(); ++i)
        moved = moved || d.mapping[i] != int(i);
    out += d.equal ? "equal" : std::to_string(d.differences.size()) + " difference(s)";
    if (moved) {
        out += " (A's nodes ";
        for (std::size_t i = 0; i < d.mapping.size(); ++i)
            out += (i ? ", " : "") + std::to_string(i) + "->" + std::to_string(d.mapping[i]);
        out += " in B)";
    }
    out += "\n";
    for (const auto& line : d.differences)
        out += "  " + line + "\n";
    return out;
}

} // namespace

std::string GenotypeDiff::report() const
{
    return cellReport("normal", normal) + cellReport("reduce", reduce);
}

GenotypeDiff diffGenotypes(const Genotype& a, const Genotype& b)
{
    return {diffCells(a.normal, a.normalConcat, b.normal, b.normalConcat),
            diffCells(a.reduce, a.reduceConcat, b.reduce, b.reduceConcat)};
}

} // namespace wb::darts
