// --config in a build without toml++ (a CLI-only build may leave it out).

#include "config_toml.h"

#include "wb/common/error.h"

namespace wb::cli {

std::vector<std::pair<std::string, ConfigValue>> readConfigFile(const std::string& file)
{
    throw Error(file + ": cannot read config files: this build has no TOML parser (install "
                       "libtomlplusplus-dev and rebuild), give the flags on the command line");
}

} // namespace wb::cli
