#include "wb/render/cell_graph.h"

#include "wb/common/error.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace wb::render {
namespace {

std::string quoted(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

std::string stateName(int input)
{
    if (input == 0) return "c_{k-2}";
    if (input == 1) return "c_{k-1}";
    return std::to_string(input - 2);
}

} // namespace

std::string cellTypeName(CellType cell)
{
    return cell == CellType::Reduce ? "reduce" : "normal";
}

std::string cellDot(const std::vector<darts::GenotypeEdge>& edges, const std::vector<int>& concat,
                    const std::string& graphName, const EdgeStyle& style)
{
    const bool weighted = style.weights.size() == edges.size() && !edges.empty();
    float lo = 0, hi = 0;
    if (weighted) {
        lo = *std::min_element(style.weights.begin(), style.weights.end());
        hi = *std::max_element(style.weights.begin(), style.weights.end());
    }
    // Attributes as in the DARTS reference visualize.py.
    std::ostringstream out;
    out << "digraph " << quoted(graphName) << " {\n"
        << "  rankdir=LR;\n"
        << (style.onDark ? "  bgcolor=transparent;\n" : "")
        << "  edge [fontsize=20, fontname=\"times\""
        << (style.onDark ? ", color=\"#c8c8c8\", fontcolor=\"#e6e6e6\"" : "") << "];\n"
        << "  node [style=filled, shape=rect, align=center, fontsize=20, height=0.5, width=0.5, "
           "penwidth=2, fontname=\"times\"];\n"
        << "  " << quoted("c_{k-2}") << " [fillcolor=darkseagreen2];\n"
        << "  " << quoted("c_{k-1}") << " [fillcolor=darkseagreen2];\n";
    const int nodes = int(edges.size() + 1) / 2;
    for (int i = 0; i < nodes; ++i)
        out << "  " << quoted(std::to_string(i)) << " [fillcolor=lightblue];\n";
    for (std::size_t k = 0; k < edges.size(); ++k) {
        std::string label = edges[k].op;
        std::string extra;
        if (weighted) {
            char text[32];
            std::snprintf(text, sizeof text, " %.2f", double(style.weights[k]));
            label += text;
            const double width = hi > lo ? 1.0 + 4.0 * (style.weights[k] - lo) / (hi - lo) : 2.0;
            std::snprintf(text, sizeof text, ", penwidth=%.2f", width);
            extra += text;
        }
        if (k < style.highlight.size() && style.highlight[k])
            extra += style.onDark ? ", color=\"#ff6b6b\", fontcolor=\"#ff6b6b\""
                                  : ", color=red, fontcolor=red";
        out << "  " << quoted(stateName(edges[k].input)) << " -> " << quoted(std::to_string(k / 2))
            << " [label=" << quoted(label) << ", fillcolor=gray" << extra << "];\n";
    }
    out << "  " << quoted("c_{k}") << " [fillcolor=palegoldenrod];\n";
    for (int k : concat)
        out << "  " << quoted(stateName(k)) << " -> " << quoted("c_{k}") << " [fillcolor=gray];\n";
    out << "}\n";
    return out.str();
}

std::string cellDot(const darts::Genotype& genotype, CellType cell, const EdgeStyle& style)
{
    return cell == CellType::Reduce
               ? cellDot(genotype.reduce, genotype.reduceConcat, "reduce", style)
               : cellDot(genotype.normal, genotype.normalConcat, "normal", style);
}

} // namespace wb::render
