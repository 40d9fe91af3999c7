#pragma once

#include <stdexcept>
#include <string>

namespace wb {

// An expected failure (bad input file, invalid option, incompatible checkpoint). The message
// names the file or field and the problem; entry points turn it into a failed result.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace wb
