// Named AF_UNIX sockets: bind makes a socket node (S_IFSOCK, EADDRINUSE when the name is
// taken, EINVAL when the socket is named already), getsockname gives the name back; listen
// and connect: the client's bytes wait for accept, accept4 gives a socket named as the
// listener whose peer is the client, SO_PEERCRED both ways; poll says POLLIN on a listener
// with a connection waiting and nothing else; ECONNREFUSED for a node nobody listens on, a
// socket that does not listen, or after the listener closed (the node stays); EPROTOTYPE
// for another type; EINVAL for accept on a socket that does not listen; a nonblocking
// accept EAGAIN; a full backlog makes a nonblocking connect EAGAIN; abstract names and
// autobind; closing a listener resets its waiting clients.
#define _GNU_SOURCE
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static socklen_t make_address(struct sockaddr_un* address, char const* path)
{
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    strcpy(address->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static short poll_now(int fd)
{
    struct pollfd entry = { .fd = fd, .events = POLLIN | POLLOUT, .revents = 0 };
    poll(&entry, 1, 0);
    return entry.revents;
}

int main(void)
{
    char directory[] = "/tmp/unix_names_XXXXXX";
    if (!ok(mkdtemp(directory) != NULL, "a fresh directory"))
        return tap_done();
    char path[100];
    snprintf(path, sizeof path, "%s/listener", directory);
    struct sockaddr_un address;
    socklen_t length = make_address(&address, path);

    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    ok(bind(listener, (struct sockaddr*)&address, length) == 0, "bind to a path");
    struct stat st;
    ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode), "the path is a socket node (mode %o)", st.st_mode);
    int second = socket(AF_UNIX, SOCK_STREAM, 0);
    errno = 0;
    ok(bind(second, (struct sockaddr*)&address, length) == -1 && errno == EADDRINUSE, "the same name again: EADDRINUSE (errno %d)", errno);
    errno = 0;
    ok(connect(second, (struct sockaddr*)&address, length) == -1 && errno == ECONNREFUSED,
        "connect before listen: ECONNREFUSED (errno %d)", errno);
    char other_path[100];
    snprintf(other_path, sizeof other_path, "%s/other", directory);
    struct sockaddr_un other;
    socklen_t other_length = make_address(&other, other_path);
    errno = 0;
    int rebind = bind(listener, (struct sockaddr*)&other, other_length);
    int rebind_errno = errno;
    ok(rebind == -1 && rebind_errno == EINVAL && access(other_path, F_OK) == -1,
        "binding a named socket to a new path: EINVAL, no node left (errno %d)", rebind_errno);
    struct sockaddr_un name;
    socklen_t name_length = sizeof name;
    ok(getsockname(listener, (struct sockaddr*)&name, &name_length) == 0 && name_length == length && strcmp(name.sun_path, path) == 0,
        "getsockname gives the path back (length %u)", (unsigned)name_length);
    errno = 0;
    ok(accept(listener, NULL, NULL) == -1 && errno == EINVAL, "accept before listen: EINVAL (errno %d)", errno);
    ok(listen(listener, 1) == 0, "listen");
    ok(poll_now(listener) == 0, "a listener with nothing waiting: no events (%#x)", poll_now(listener));
    fcntl(listener, F_SETFL, O_NONBLOCK);
    errno = 0;
    ok(accept(listener, NULL, NULL) == -1 && errno == EAGAIN, "a nonblocking accept with nothing waiting: EAGAIN");

    ok(connect(second, (struct sockaddr*)&address, length) == 0, "connect");
    ok(write(second, "early", 5) == 5, "the client writes before accept");
    ok(poll_now(listener) == POLLIN, "the listener: POLLIN (%#x)", poll_now(listener));
    struct sockaddr_un peer;
    socklen_t peer_length = sizeof peer;
    int server = accept4(listener, (struct sockaddr*)&peer, &peer_length, SOCK_CLOEXEC);
    ok(server >= 0 && peer_length == sizeof(sa_family_t) && (fcntl(server, F_GETFD) & FD_CLOEXEC),
        "accept4: the client is unnamed, SOCK_CLOEXEC set (length %u)", (unsigned)peer_length);
    char buffer[16] = { 0 };
    ok(read(server, buffer, sizeof buffer) == 5 && memcmp(buffer, "early", 5) == 0, "the server reads the early bytes");
    ok(write(server, "reply", 5) == 5 && read(second, buffer, sizeof buffer) == 5 && memcmp(buffer, "reply", 5) == 0,
        "and answers");
    name_length = sizeof name;
    ok(getsockname(server, (struct sockaddr*)&name, &name_length) == 0 && strcmp(name.sun_path, path) == 0,
        "the accepted socket is named as the listener");
    name_length = sizeof name;
    ok(getpeername(second, (struct sockaddr*)&name, &name_length) == 0 && strcmp(name.sun_path, path) == 0,
        "the client's peer is the listener's name");
    struct ucred credentials = { 0 };
    socklen_t credentials_length = sizeof credentials;
    ok(getsockopt(second, SOL_SOCKET, SO_PEERCRED, &credentials, &credentials_length) == 0 && credentials.pid == getpid(),
        "SO_PEERCRED of the client: this process");
    errno = 0;
    ok(connect(second, (struct sockaddr*)&address, length) == -1 && errno == EISCONN, "connect again: EISCONN (errno %d)", errno);
    close(server);
    ok(read(second, buffer, sizeof buffer) == 0, "the server's close: end of file for the client");
    close(second);

    // The backlog: listen(1) lets two connections wait (Linux's queue length > backlog test).
    int clients[3];
    int waiting = 0;
    for (int i = 0; i < 3; ++i) {
        clients[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(clients[i], (struct sockaddr*)&address, length) == 0)
            ++waiting;
    }
    ok(waiting == 2 && errno == EAGAIN, "a full backlog: the third nonblocking connect is EAGAIN (%d connected)", waiting);
    int datagram = socket(AF_UNIX, SOCK_DGRAM, 0);
    int seqpacket = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    errno = 0;
    ok(connect(seqpacket, (struct sockaddr*)&address, length) == -1 && errno == EPROTOTYPE, "a seqpacket client: EPROTOTYPE (errno %d)",
        errno);
    errno = 0;
    ok(listen(datagram, 1) == -1 && errno == EOPNOTSUPP, "listen on a datagram socket: EOPNOTSUPP (errno %d)", errno);
    close(datagram);
    close(seqpacket);
    close(listener);
    errno = 0;
    ok(read(clients[0], buffer, sizeof buffer) == -1 && errno == ECONNRESET, "the listener closed: a waiting client ECONNRESET (errno %d)",
        errno);
    for (int i = 0; i < 3; ++i)
        close(clients[i]);
    int late = socket(AF_UNIX, SOCK_STREAM, 0);
    errno = 0;
    ok(connect(late, (struct sockaddr*)&address, length) == -1 && errno == ECONNREFUSED && stat(path, &st) == 0,
        "after the listener closed: ECONNREFUSED, the node stays (errno %d)", errno);
    close(late);
    unlink(path);

    // Abstract names and autobind.
    struct sockaddr_un abstract = { .sun_family = AF_UNIX };
    memcpy(abstract.sun_path, "\0pagoda-test-abstract", 21);
    socklen_t abstract_length = offsetof(struct sockaddr_un, sun_path) + 21;
    int a = socket(AF_UNIX, SOCK_SEQPACKET, 0), b = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    ok(bind(a, (struct sockaddr*)&abstract, abstract_length) == 0 && listen(a, 4) == 0, "bind and listen on an abstract name");
    errno = 0;
    ok(bind(b, (struct sockaddr*)&abstract, abstract_length) == -1 && errno == EADDRINUSE, "the abstract name again: EADDRINUSE");
    ok(connect(b, (struct sockaddr*)&abstract, abstract_length) == 0, "connect to it");
    int c = accept(a, NULL, NULL);
    ok(c >= 0 && write(b, "pkt", 3) == 3 && recv(c, buffer, 2, 0) == 2, "seqpacket through an abstract listener");
    close(a);
    close(b);
    close(c);
    int autobound = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un family_only = { .sun_family = AF_UNIX };
    ok(bind(autobound, (struct sockaddr*)&family_only, sizeof(sa_family_t)) == 0, "bind with only the family: autobind");
    name_length = sizeof name;
    ok(getsockname(autobound, (struct sockaddr*)&name, &name_length) == 0 && name_length == sizeof(sa_family_t) + 6
            && name.sun_path[0] == '\0',
        "an abstract name of 5 hex digits (length %u)", (unsigned)name_length);
    close(autobound);
    rmdir(directory);
    return tap_done();
}
