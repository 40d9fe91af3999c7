#pragma once

#include <string>

namespace wb::darts {

// Writes a search checkpoint's tensors as a file Python's `torch.load` reads: a dict from names
// to tensors. Names: "supernet.<module path>" for every weight and BN buffer of the supernet
// (e.g. "supernet.cell_0.edge_3.sep_conv_3x3.op1.depthwise.weight", BN statistics as
// "...bn.running_mean"), and "alpha_normal" / "alpha_reduce" for the raw architecture weights
// (edges x ops, before softmax; ops in the run's primitive order). Throws wb::Error naming the
// file on failure.
void exportSearchWeights(const std::string& checkpointPath, const std::string& outPath);

} // namespace wb::darts
