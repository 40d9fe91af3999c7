#pragma once
// Precompiled for wb_core only: every torch translation unit lives in this target.
#include <torch/torch.h>
