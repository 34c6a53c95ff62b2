/* A plain C accept loop on the inherited listening socket (fd 0): one line in, "ok <pid>" out. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    char buf[512];
    char out[64];
    for (;;) {
        int c = accept(0, NULL, NULL);
        if (c < 0) {
            perror("accept");
            return 1;
        }
        size_t got = 0;
        while (got < sizeof buf) {
            ssize_t n = recv(c, buf + got, sizeof buf - got, 0);
            if (n <= 0) {
                break;
            }
            got += (size_t) n;
            if (buf[got - 1] == '\n') {
                break;
            }
        }
        int m = snprintf(out, sizeof out, "ok %d\n", (int) getpid());
        send(c, out, (size_t) m, 0);
        close(c);
    }
}
