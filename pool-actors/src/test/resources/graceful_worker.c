/*
 * A plain-HTTP accept loop on fd 0 with php-cgi's SIGTERM semantics: TERM while blocked in accept()
 * exits at once (no SA_RESTART: accept fails with EINTR), TERM during a request finishes it first.
 * Race-free: a connection accept() returned is always answered.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) { (void)sig; stop = 1; }

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    long n = 0;
    char buf[4096];
    while (!stop) {
        int c = accept(0, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        n++;
        (void)recv(c, buf, sizeof buf, 0);
        char body[128];
        int blen = snprintf(body, sizeof body, "pid %d request %ld\n", (int)getpid(), n);
        char out[256];
        int len = snprintf(out, sizeof out, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s", blen, body);
        (void)send(c, out, (size_t)len, MSG_NOSIGNAL);
        close(c);
    }
    return 0;
}
