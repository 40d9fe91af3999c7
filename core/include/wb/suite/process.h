#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace wb::suite {

struct ProcessResult {
    int exitCode = -1;  // the exit status, or 128 + signal number
    std::string output; // stdout and stderr together
};

// Runs argv[0] (looked up on PATH) with the given arguments, no shell involved, stdin from
// /dev/null, in cwd when it is not empty; waits for it and returns its exit code and output.
// Throws wb::Error when the program cannot be started (e.g. not installed). Blocking; safe to
// call from any one thread at a time per call (no shared state).
ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::filesystem::path& cwd = {});

// The last `lines` lines of a process output, for error messages.
std::string outputTail(const std::string& output, int lines = 4);

} // namespace wb::suite
