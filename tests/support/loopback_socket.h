#pragma once

// Loopback TCP ports for tests that start servers: a socket bound to a port the kernel chose,
// and a port nobody listens on now. Header-only.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wb::test {

// A socket bound to 127.0.0.1 on a free port (written to `port`); -1 on failure.
inline int boundLoopbackSocket(int& port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length) == 0) {
        port = ntohs(a.sin_port);
        return fd;
    }
    if (fd >= 0) ::close(fd);
    port = 0;
    return -1;
}

// A loopback port nobody listens on now; 0 on failure.
inline int freeLoopbackPort()
{
    int port = 0;
    if (const int fd = boundLoopbackSocket(port); fd >= 0) ::close(fd);
    return port;
}

} // namespace wb::test
