#include "wb/darts/primitives.h"

#include <algorithm>

namespace wb::darts {

const std::vector<std::string>& standardPrimitives()
{
    static const std::vector<std::string> ops = {"none",         "max_pool_3x3", "avg_pool_3x3",
                                                 "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
                                                 "dil_conv_3x3", "dil_conv_5x5"};
    return ops;
}

bool isKnownPrimitive(const std::string& name)
{
    const auto& ops = standardPrimitives();
    return name == "sep_conv_7x7" || std::find(ops.begin(), ops.end(), name) != ops.end();
}

bool isParameterFreeOp(const std::string& name)
{
    return name == "max_pool_3x3" || name == "avg_pool_3x3" || name == "skip_connect";
}

} // namespace wb::darts
