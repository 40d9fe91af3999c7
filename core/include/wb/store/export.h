#pragma once

#include "wb/darts/genotype.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wb::store {

class RunStore;

struct ExportOptions {
    bool force = false; // overwrite existing files
    // Files the caller writes into the folder after exportRun returns (e.g. "weights.pt"):
    // checked for existence together with ours, never written here.
    std::vector<std::string> extraFiles;
};

struct ExportResult {
    std::string directory;
    std::vector<std::string> written; // full paths, in the order written
    std::vector<std::string> notes;   // what was left out and why (e.g. no genotype yet)
};

// Writes a run's results into `directory` (created if needed): genotype.json, genotype.py
// (a runnable DARTS `Genotype(...)` literal that prints itself), normal/reduce .dot/.svg/.png,
// metrics.csv (per epoch), alphas.csv (epoch, cell, edge, node, input, op, weight), config.json
// and provenance.json. Every target (and every extra file) is checked before anything is
// written; an existing one is refused unless options.force. Throws wb::Error naming the file.
ExportResult exportRun(RunStore& store, std::int64_t runId, const std::string& directory,
                       const ExportOptions& options = {});

// The text of genotype.py: imports, the namedtuple, `genotype = Genotype(...)` and a
// `print(genotype)` under `if __name__ == '__main__'`, which prints genotype.toPython().
std::string genotypePythonFile(const darts::Genotype& genotype);

} // namespace wb::store
