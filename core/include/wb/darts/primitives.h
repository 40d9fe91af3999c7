#pragma once

#include <string>
#include <vector>

namespace wb::darts {

// The DARTS operation set (Liu et al. 2019), in the reference implementation's order.
const std::vector<std::string>& standardPrimitives();

bool isKnownPrimitive(const std::string& name);
// Ops without learnable weights that a genotype may pick (pools and skip_connect); alpha mass on
// them is the collapse signal. `none` is excluded because the genotype never picks it.
bool isParameterFreeOp(const std::string& name);

} // namespace wb::darts
