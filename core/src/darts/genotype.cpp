#include "wb/darts/genotype.h"

#include "wb/common/error.h"
#include "wb/darts/primitives.h"

#include <nlohmann/json.hpp>

#include <cctype>
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
    for (std::size_t i = 0; i < concat.size(); ++i) out << (i ? ", " : "") << concat[i];
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
            const bool startOk = at == 0 || !(std::isalnum(uchar(m_text[at - 1])) || m_text[at - 1] == '_');
            std::size_t after = at + key.size();
            while (after < m_text.size() && std::isspace(uchar(m_text[after]))) ++after;
            if (startOk && after < m_text.size() && m_text[after] == '=') {
                m_pos = after + 1;
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

    std::vector<int> concat()
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
        while (m_pos < m_text.size() && std::isspace(uchar(m_text[m_pos]))) ++m_pos;
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
        while (end < m_text.size() && std::isdigit(uchar(m_text[end]))) ++end;
        if (end == m_pos) fail("expected an integer");
        const int v = std::stoi(m_text.substr(m_pos, end - m_pos));
        m_pos = end;
        return v;
    }
    std::string excerpt(std::size_t at) const { return m_text.substr(at, 40); }
    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error("genotype: " + what + " at '" + excerpt(m_pos) + "'");
    }

    const std::string& m_text;
    std::size_t m_pos = 0;
};

void check(const Genotype& g)
{
    if (g.normal.empty() || g.normal.size() % 2 || g.reduce.size() != g.normal.size())
        throw Error("genotype: normal and reduce need the same even, non-zero number of edges");
    for (const auto* cell : {&g.normal, &g.reduce}) {
        for (std::size_t i = 0; i < cell->size(); ++i) {
            const auto& e = (*cell)[i];
            if (!isKnownPrimitive(e.op) || e.op == "none")
                throw Error("genotype: unknown or unusable op '" + e.op + "'");
            const int node = int(i) / 2;
            if (e.input < 0 || e.input >= node + 2)
                throw Error("genotype: edge '" + e.op + "' of node " + std::to_string(node) +
                            " reads state " + std::to_string(e.input) +
                            ", which does not exist yet");
        }
    }
    const int states = g.nodes() + 2;
    for (const auto* concat : {&g.normalConcat, &g.reduceConcat})
        for (int k : *concat)
            if (k < 2 || k >= states)
                throw Error("genotype: concat index " + std::to_string(k) + " out of range");
    if (g.normalConcat.empty() || g.reduceConcat.empty())
        throw Error("genotype: empty concat list");
}

} // namespace

int edgeCount(int nodes)
{
    return nodes * (nodes + 3) / 2;
}

std::string Genotype::toPython() const
{
    return "Genotype(normal=" + pythonEdges(normal) + ", normal_concat=" +
           pythonConcat(normalConcat) + ", reduce=" + pythonEdges(reduce) +
           ", reduce_concat=" + pythonConcat(reduceConcat) + ")";
}

std::string Genotype::toJson() const
{
    auto edges = [](const std::vector<GenotypeEdge>& v) {
        auto out = nlohmann::json::array();
        for (const auto& e : v) out.push_back({e.op, e.input});
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
        try {
            const auto j = nlohmann::json::parse(text);
            auto edges = [](const nlohmann::json& v) {
                std::vector<GenotypeEdge> out;
                for (const auto& e : v) out.push_back({e.at(0).get<std::string>(), e.at(1).get<int>()});
                return out;
            };
            g.normal = edges(j.at("normal"));
            g.reduce = edges(j.at("reduce"));
            g.normalConcat = j.at("normal_concat").get<std::vector<int>>();
            g.reduceConcat = j.at("reduce_concat").get<std::vector<int>>();
        } catch (const nlohmann::json::exception& e) {
            throw Error(std::string("genotype JSON: ") + e.what());
        }
    } else {
        LiteralReader reader(text);
        reader.seekKey("normal");
        g.normal = reader.edges();
        reader.seekKey("normal_concat");
        g.normalConcat = reader.concat();
        reader.seekKey("reduce");
        g.reduce = reader.edges();
        reader.seekKey("reduce_concat");
        g.reduceConcat = reader.concat();
    }
    check(g);
    return g;
}

} // namespace wb::darts
