// renderDot in a build without Graphviz (a CLI-only build may leave it out): the DOT text
// still works, drawings say why they cannot be made.

#include "wb/render/cell_graph.h"

#include "wb/common/error.h"

namespace wb::render {

bool canRenderDot()
{
    return false;
}

std::string renderDot(const std::string&, const std::string& format)
{
    throw Error("cannot draw the cell as " + format +
                ": this build has no Graphviz (install libgraphviz-dev and rebuild); the DOT "
                "text is available");
}

} // namespace wb::render
