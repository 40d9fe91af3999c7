#pragma once

#include "wb/darts/genotype.h"

#include <string>

namespace wb::cli {

// A genotype given on the command line: a file (JSON or DARTS literal) or the literal itself.
// Throws wb::Error naming the file or quoting the text.
darts::Genotype readGenotype(const std::string& arg);

// The same, or for a run id (digits only) that run's genotype in the workspace `db`.
darts::Genotype resolveGenotype(const std::string& arg, const std::string& db);

} // namespace wb::cli
