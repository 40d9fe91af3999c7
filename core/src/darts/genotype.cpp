#include "wb/darts/genotype.h"

#include "wb/common/error.h"
#include "wb/darts/primitives.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>
#include <numeric>
#include <sstream>

namespace wb::darts {
namespace {

bool isContiguousRange(const std::vector<int>& v)
{
    for (std::size_t i = 1; i < v.size(); ++i)
        if (v[i] != v[i - 1] + 1) return false;
    return !v.empty();
}

std::string pythonEdges(const std::vector<GenotypeEdge>& edges)
{
    std::ostringstream out;
    out << '[';
    for (std::size_t i = 0; i < edges.size(); ++i)
        out << (i ? ", " : "") << "('" << edges[i].op << "', " << edges[i].input << ')';
    out << ']';
    return out.str();
}

std::string pythonConcat(const std::vector<int>& concat)
{
    std::ostringstream out;
    if (isContiguousRange(concat)) {
        out << "range(" << concat.front() << ", " << concat.back() + 1 << ')';
        return out.str();
    }
    out << '[';
    for (std::size_t i = 0; i < concat.size(); ++i)
        out << (i ? ", " : "") << concat[i];
    out << ']';
    return out.str();
}

// A small cursor over the Python literal; every failure quotes where it happened.
class LiteralReader {
public:
    explicit LiteralReader(const std::string& text) : m_text(text) {}

    void seekKey(const std::string& key)
    {
        // Match `key=` as a whole word so "normal" does not find "normal_concat".
        std::size_t at = 0;
        while ((at = m_text.find(key, at)) != std::string::npos) {
            const bool startOk =
                at == 0 || !(std::isalnum(uchar(m_text[at - 1])) || m_text[at - 1] == '_');
            std::size_t after = at + key.size();
            while (after < m_text.size() && std::isspace(uchar(m_text[after])))
                ++after;
            if (startOk && after < m_text.size() && m_text[after] == '=') {
                m_pos = after + 1;
                m_field = key;
                return;
            }
            at += key.size();
        }
        throw Error("genotype: missing '" + key + "=' in '" + excerpt(0) + "'");
    }

    std::vector<GenotypeEdge> edges()
    {
        std::vector<GenotypeEdge> out;
        expect('[');
        while (!tryConsume(']')) {
            expect('(');
            GenotypeEdge e;
            e.op = quoted();
            expect(',');
            e.input = integer();
            expect(')');
            out.push_back(e);
            tryConsume(',');
        }
        return out;
    }

    // states: the cell's state count (2 inputs + nodes), known from the edges read before; a
    // range is checked against it before it is expanded.
    std::vector<int> concat(int states)
    {
        skipSpace();
        if (m_text.compare(m_pos, 5, "range") == 0) {
            m_pos += 5;
            expect('(');
            const int from = integer();
            expect(',');
            const int to = integer();
            expect(')');
            if (to <= from) fail("empty range");
            if (from < 2 || to > states)
                fail("range(" + std::to_string(from) + ", " + std::to_string(to) +
                     ") must lie within range(2, " + std::to_string(states) + ") for a cell of " +
                     std::to_string(states - 2) + " nodes");
            std::vector<int> out(to - from);
            std::iota(out.begin(), out.end(), from);
            return out;
        }
        std::vector<int> out;
        expect('[');
        while (!tryConsume(']')) {
            out.push_back(integer());
            tryConsume(',');
        }
        return out;
    }

private:
    using uchar = unsigned char;

    void skipSpace()
    {
        while (m_pos < m_text.size() && std::isspace(uchar(m_text[m_pos])))
            ++m_pos;
    }
    bool tryConsume(char c)
    {
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        if (m_pos >= m_text.size()) fail("unexpected end");
        return false;
    }
    void expect(char c)
    {
        if (!tryConsume(c)) fail(std::string("expected '") + c + "'");
    }
    std::string quoted()
    {
        skipSpace();
        if (m_pos >= m_text.size() || (m_text[m_pos] != '\'' && m_text[m_pos] != '"'))
            fail("expected a quoted op name");
        const char quote = m_text[m_pos++];
        const auto end = m_text.find(quote, m_pos);
        if (end == std::string::npos) fail("unterminated string");
        auto s = m_text.substr(m_pos, end - m_pos);
        m_pos = end + 1;
        return s;
    }
    int integer()
    {
        skipSpace();
        std::size_t end = m_pos;
        while (end < m_text.size() && std::isdigit(uchar(m_text[end])))
            ++end;
        if (end == m_pos) fail("expected an integer");
        if (end - m_pos > 4) fail("index " + m_text.substr(m_pos, end - m_pos) + " is too large");
        const int v = std::stoi(m_text.substr(m_pos, end - m_pos));
        m_pos = end;
        return v;
    }
    std::string excerpt(std::size_t at) const { return m_text.substr(at, 40); }
    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error("genotype: " + m_field + ": " + what + " at '" + excerpt(m_pos) + "'");
    }

    const std::string& m_text;
    std::size_t m_pos = 0;
    std::string m_field; // the key being read, for messages
};

void check(const Genotype& g)
{
    if (g.normal.empty() || g.normal.size() % 2 || g.reduce.size() != g.normal.size())
        throw Error("genotype: normal and reduce need the same even, non-zero number of edges "
                    "(two per node; got " +
                    std::to_string(g.normal.size()) + " and " + std::to_string(g.reduce.size()) +
                    ")");
    const std::pair<const char*, const std::vector<GenotypeEdge>*> cells[] = {
        {"normal", &g.normal}, {"reduce", &g.reduce}};
    for (const auto& [field, cell] : cells) {
        for (std::size_t i = 0; i < cell->size(); ++i) {
            const auto& e = (*cell)[i];
            const std::string where =
                std::string("genotype: ") + field + "[" + std::to_string(i) + "]";
            if (!isKnownPrimitive(e.op) || e.op == "none")
                throw Error(where + ": unknown or unusable op '" + e.op + "'");
            const int node = int(i) / 2;
            if (e.input < 0 || e.input >= node + 2)
                throw Error(where + ": edge '" + e.op + "' of node " + std::to_string(node) +
                            " reads state " + std::to_string(e.input) +
                            ", which does not exist yet (node " + std::to_string(node) +
                            " may read states 0 to " + std::to_string(node + 1) + ")");
        }
    }
    const int states = g.nodes() + 2;
    const std::pair<const char*, const std::vector<int>*> concats[] = {
        {"normal_concat", &g.normalConcat}, {"reduce_concat", &g.reduceConcat}};
    for (const auto& [field, concat] : concats) {
        if (concat->empty()) throw Error(std::string("genotype: ") + field + ": empty list");
        for (int k : *concat)
            if (k < 2 || k >= states)
                throw Error(std::string("genotype: ") + field + ": index " + std::to_string(k) +
                            " out of range (a cell of " + std::to_string(g.nodes()) +
                            " nodes concatenates states 2 to " + std::to_string(states - 1) + ")");
    }
}

// Strict JSON reading: every field's type is checked, so a huge or fractional index is refused
// instead of being truncated into a valid-looking one.
int jsonIndex(const nlohmann::json& v, const std::string& field)
{
    // Far above any cell's state count (nodes <= 8); only bounds the conversion to int.
    constexpr std::uint64_t kMaxIndex = 9999;
    if (!v.is_number_integer())
        throw Error("genotype JSON: " + field + " must be an integer, not " + v.dump());
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > kMaxIndex)
        throw Error("genotype JSON: " + field + " = " + v.dump() +
                    " is not a state index of any cell");
    return int(v.get<std::uint64_t>());
}

const nlohmann::json& jsonField(const nlohmann::json& j, const char* key)
{
    if (!j.contains(key)) throw Error(std::string("genotype JSON: missing field '") + key + "'");
    const auto& v = j.at(key);
    if (!v.is_array())
        throw Error(std::string("genotype JSON: ") + key + " must be a list, not " + v.dump());
    return v;
}

std::vector<GenotypeEdge> jsonEdges(const nlohmann::json& j, const char* key)
{
    std::vector<GenotypeEdge> out;
    const auto& list = jsonField(j, key);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& e = list[i];
        const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
        if (!e.is_array() || e.size() != 2 || !e[0].is_string())
            throw Error("genotype JSON: " + field + " must be [\"op\", input], not " + e.dump());
        out.push_back({e[0].get<std::string>(), jsonIndex(e[1], field + "[1]")});
    }
    return out;
}

std::vector<int> jsonConcat(const nlohmann::json& j, const char* key)
{
    std::vector<int> out;
    const auto& list = jsonField(j, key);
    for (std::size_t i = 0; i < list.size(); ++i)
        out.push_back(jsonIndex(list[i], std::string(key) + "[" + std::to_string(i) + "]"));
    return out;
}

} // namespace

int edgeCount(int nodes)
{
    return nodes * (nodes + 3) / 2;
}

std::string Genotype::toPython() const
{
    return "Genotype(normal=" + pythonEdges(normal) +
           ", normal_concat=" + pythonConcat(normalConcat) + ", reduce=" + pythonEdges(reduce) +
           ", reduce_concat=" + pythonConcat(reduceConcat) + ")";
}

std::string Genotype::toJson() const
{
    auto edges = [](const std::vector<GenotypeEdge>& v) {
        auto out = nlohmann::json::array();
        for (const auto& e : v)
            out.push_back({e.op, e.input});
        return out;
    };
    nlohmann::json j = {{"normal", edges(normal)},
                        {"normal_concat", normalConcat},
                        {"reduce", edges(reduce)},
                        {"reduce_concat", reduceConcat}};
    return j.dump();
}

Genotype Genotype::parse(const std::string& text)
{
    Genotype g;
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') {
        const auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            throw Error("genotype JSON: not a JSON object with normal, normal_concat, reduce and "
                        "reduce_concat");
        g.normal = jsonEdges(j, "normal");
        g.reduce = jsonEdges(j, "reduce");
        g.normalConcat = jsonConcat(j, "normal_concat");
        g.reduceConcat = jsonConcat(j, "reduce_concat");
    } else {
        LiteralReader reader(text);
        reader.seekKey("normal");
        g.normal = reader.edges();
        const int states = int(g.normal.size()) / 2 + 2;
        reader.seekKey("normal_concat");
        g.normalConcat = reader.concat(states);
        reader.seekKey("reduce");
        g.reduce = reader.edges();
        reader.seekKey("reduce_concat");
        g.reduceConcat = reader.concat(states);
    }
    check(g);
    return g;
}

} // namespace wb::darts
