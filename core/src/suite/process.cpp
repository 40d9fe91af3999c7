#include "wb/suite/process.h"

#include "wb/common/error.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace wb::suite {

ProcessResult runProcess(const std::vector<std::string>& argv, const std::filesystem::path& cwd)
{
    if (argv.empty() || argv[0].empty()) throw Error("runProcess: empty command");
    std::vector<char*> args;
    for (const std::string& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw Error(argv[0] + ": cannot create a pipe (" + std::strerror(errno) + ")");

    // posix_spawn rather than fork: no code runs in the child between fork and exec, which is
    // what makes it safe in a process that may hold other threads' locks.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    pid_t pid = 0;
    const int spawnError = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (spawnError != 0) {
        close(fds[0]);
        throw Error(argv[0] + ": cannot run (" + std::strerror(spawnError) + ")");
    }

    ProcessResult result;
    char buffer[65536];
    for (;;) {
        const ssize_t got = read(fds[0], buffer, sizeof buffer);
        if (got > 0) {
            result.output.append(buffer, std::size_t(got));
        } else if (got == 0 || errno != EINTR) {
            break;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw Error(argv[0] + ": lost track of the process");
    }
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

std::string outputTail(const std::string& output, int lines)
{
    std::size_t end = output.find_last_not_of(" \n\r\t");
    if (end == std::string::npos) return {};
    std::size_t begin = end + 1;
    for (int n = 0; n < lines && begin > 0; ++n) {
        const std::size_t newline = output.rfind('\n', begin - 1);
        begin = newline == std::string::npos ? 0 : newline;
        if (begin == 0) break;
    }
    std::string tail = output.substr(begin, end + 1 - begin);
    for (char& c : tail) {
        if (c == '\n') c = ' ';
    }
    const std::size_t first = tail.find_first_not_of(' ');
    return first == std::string::npos ? std::string() : tail.substr(first);
}

} // namespace wb::suite
