/*
 * A tiny plain-HTTP accept loop on fd 0, the listening socket jfpm passes to its workers, for the
 * reliability tests (many workers, fast spawn/exit cycles). Before anything else it checks the
 * worker contract "no descriptor but 0, 1 and 2 is inherited" (but a template's control socket on
 * fd 4, which its forked workers close; see LeakTest): if any other fd from 3 up is open it
 * prints "accept_loop PID: inherited fd N" on stderr and exits 3 (fcntl opens nothing, so the check
 * itself adds no descriptor). Every answer is "Hello from c worker PID (request N)". SIGTERM keeps
 * its default action: the worker dies at once (tests retire it between requests).
 * Built by the tests with: cc -O2 -o accept_loop accept_loop.c
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    struct rlimit rl;
    long top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (long)rl.rlim_cur : 65536;
    for (long fd = 3; fd < top; fd++) {
        int type = 0;
        socklen_t len = sizeof type;
        if (fd == 4 && getsockopt(4, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET) {
            continue; /* a template's control socket (spawn-mode = fork): the forked workers do not have it */
        }
        if (fcntl((int)fd, F_GETFD) != -1) {
            fprintf(stderr, "accept_loop %d: inherited fd %ld\n", (int)getpid(), fd);
            return 3;
        }
    }
    unsigned long served = 0;
    char buf[4096], out[256];
    for (;;) {
        int c = accept(0, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            fprintf(stderr, "accept_loop %d: accept: %s\n", (int)getpid(), strerror(errno));
            return 1;
        }
        served++;
        size_t got = 0;
        while (got < sizeof buf - 1) {
            ssize_t n = read(c, buf + got, sizeof buf - 1 - got);
            if (n <= 0) break;
            got += (size_t)n;
            buf[got] = '\0';
            if (strstr(buf, "\r\n\r\n")) break;
        }
        char body[96];
        int blen = snprintf(body, sizeof body, "Hello from c worker %d (request %lu)\n", (int)getpid(), served);
        int olen = snprintf(out, sizeof out,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                blen, body);
        ssize_t w = write(c, out, (size_t)olen);
        (void)w;
        close(c);
    }
}
