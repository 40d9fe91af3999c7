#pragma once

#include "wb/darts/genotype.h"

#include <string>
#include <vector>

namespace wb::render {

enum class CellType { Normal, Reduce };
std::string cellTypeName(CellType cell); // "normal" | "reduce"

// DOT text of one derived cell drawn like the cell figures of the DARTS paper (Liu et al. 2019,
// Fig. 4/5): inputs "c_{k-2}" and "c_{k-1}", intermediate nodes "0".."N-1", output "c_{k}",
// each chosen edge labelled with its op, the nodes in `concat` feeding the output, left to right.
// Pure function: no Graphviz needed.
// Optional per-edge styling (same order as `edges`, empty = none): `weights` (the chosen op's
// softmax weight) labels each edge with its weight and scales its pen width between 1 and 5
// over the cell's range; `highlight` draws marked edges in red (e.g. where two cells differ);
// `onDark` draws edges and labels in light grey on a transparent sheet (for dark palettes; the
// nodes keep their paper fills and black text).
struct EdgeStyle {
    std::vector<float> weights;
    std::vector<bool> highlight;
    bool onDark = false;
};
std::string cellDot(const std::vector<darts::GenotypeEdge>& edges, const std::vector<int>& concat,
                    const std::string& graphName = "cell", const EdgeStyle& style = {});
std::string cellDot(const darts::Genotype& genotype, CellType cell, const EdgeStyle& style = {});

// Lays out DOT text with Graphviz's `dot` engine and renders it ("svg", "png", ...); returns the
// file's bytes. Thread-safe (Graphviz is not: calls are serialised). Throws wb::Error with
// Graphviz's message on malformed DOT or an unknown format.
std::string renderDot(const std::string& dot, const std::string& format);
// False in a build without Graphviz (renderDot then always throws, saying so).
bool canRenderDot();

} // namespace wb::render
