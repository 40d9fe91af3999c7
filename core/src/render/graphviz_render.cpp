// renderDot on Graphviz's C API (libgvc, libcgraph).

#include "wb/render/cell_graph.h"

#include "wb/common/error.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <mutex>

namespace wb::render {
namespace {

// Graphviz keeps global state (error handler, plugin tables): one caller at a time.
std::mutex g_graphvizMutex;
std::string g_graphvizErrors;

int collectGraphvizError(char* message)
{
    g_graphvizErrors += message;
    return 0;
}

std::string trimmed(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

} // namespace

bool canRenderDot()
{
    return true;
}

std::string renderDot(const std::string& dot, const std::string& format)
{
    std::lock_guard lock(g_graphvizMutex);
    g_graphvizErrors.clear();
    const auto previousHandler = agseterrf(collectGraphvizError);
    const auto previousLevel = agseterr(AGERR);
    struct Restore {
        agusererrf handler;
        agerrlevel_t level;
        ~Restore()
        {
            agseterrf(handler);
            agseterr(level);
        }
    } restore{previousHandler, previousLevel};

    // One context for the process, never freed: graphviz 2.42's pango plugin keeps a pointer to
    // the last font name, which gvFreeContext frees, and reads it in the next context's layout
    // (heap-use-after-free under tools/sanitize.sh asan, test_export).
    static GVC_t* const gvc = gvContext();
    if (!gvc) throw Error("graphviz: cannot create a context");
    Agraph_t* graph = agmemread(dot.c_str());
    if (!graph) throw Error("graphviz: cannot parse the DOT text: " + trimmed(g_graphvizErrors));
    std::string result;
    std::string failure;
    if (gvLayout(gvc, graph, "dot") != 0) {
        failure = "graphviz: layout failed: " + trimmed(g_graphvizErrors);
    } else {
        char* data = nullptr;
        unsigned int length = 0;
        if (gvRenderData(gvc, graph, format.c_str(), &data, &length) != 0 || !data)
            failure = "graphviz: cannot render '" + format + "': " + trimmed(g_graphvizErrors);
        else
            result.assign(data, length);
        if (data) gvFreeRenderData(data);
        gvFreeLayout(gvc, graph);
    }
    agclose(graph);
    if (!failure.empty()) throw Error(failure);
    return result;
}

} // namespace wb::render
