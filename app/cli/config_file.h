#pragma once

// `--config FILE.toml` for the job commands (search, train, pretrain, transfer, experiment): the
// file's keys are the command's long flag names without the dashes, its values what the flag
// takes (`max-per-class = 20`, `primitives = ["skip_connect", "sep_conv_3x3"]`,
// `no-channels-last = true`); a flag given on the command line overrides the file's value.

#include "wb/store/run_store.h"
#include "wb/store/transfer_records.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace wb::cli {

// Adds the documented --config option to a job command (its value is applied before parsing,
// by withConfigFile).
void addConfigOption(CLI::App& cmd);

// `args` (argv without the program) with the settings of the job command's --config file spliced
// in after the command name, except those the command line sets itself; unchanged without
// --config. Throws wb::Error naming the file and the key: a TOML syntax error, a table, an
// unknown key (with the closest flag), a value of the wrong shape.
std::vector<std::string> withConfigFile(const CLI::App& root, const std::vector<std::string>& args);

// A TOML file that reruns a recorded run (`supernet COMMAND --config FILE`): the command in a
// comment, then every flag the run's stored configuration fixes. A transfer names the zoo entry
// it started from as `source`. Throws wb::Error for kinds that cannot be rerun.
std::string rerunToml(const store::RunDetails& run,
                      const std::optional<store::TransferRecord>& transfer);

} // namespace wb::cli
