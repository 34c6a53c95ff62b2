/*
 * A minimal FastCGI responder in C on the inherited listening socket (fd 0), for the preload tests.
 *
 * usage: fcgi_worker HEAD BODY MODE
 *
 * For each connection: reads exactly HEAD bytes (the request up to and including the empty PARAMS
 * record) into buf, then consumes the BODY bytes that follow (the STDIN records) without looking at
 * them, writes STDOUT "ok" + END_REQUEST and closes. MODE picks the calls:
 *   read      read() for the head and the body (with _FORTIFY_SOURCE: __read_chk)
 *   recv      recv() for the head; the body is discarded with recv(MSG_TRUNC) into the same buf,
 *             after a recv(MSG_PEEK|MSG_TRUNC) look (with _FORTIFY_SOURCE: __recv_chk)
 *   recvfrom  the same with recvfrom() (with _FORTIFY_SOURCE: __recvfrom_chk)
 *   recvmsg   recv() for the head, recvmsg(MSG_TRUNC) for the body
 * On TCP, MSG_TRUNC discards the bytes and leaves buf as it was (the head), so a library that parsed
 * buf after such a call would see the head a second time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static char buf[65536];

static ssize_t get(int c, size_t n, int flags, const char *mode) {
    if (strcmp(mode, "read") == 0) {
        return flags & MSG_PEEK ? (ssize_t) n : read(c, buf, n);
    }
    if (strcmp(mode, "recvfrom") == 0) {
        return recvfrom(c, buf, n, flags, NULL, NULL);
    }
    if (strcmp(mode, "recvmsg") == 0 && (flags & MSG_TRUNC)) {
        struct iovec iov = {buf, n};
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        return recvmsg(c, &msg, flags);
    }
    return recv(c, buf, n, flags);
}

/* Consumes exactly n bytes with `flags`; 0 on success. */
static int consume(int c, size_t n, int flags, const char *mode) {
    while (n > 0) {
        ssize_t got = get(c, n, flags, mode);
        if (got <= 0) {
            return -1;
        }
        n -= (size_t) got;
    }
    return 0;
}

static const unsigned char response[] = {
    1, 6, 0, 1, 0, 30, 0, 0, 'C', 'o', 'n', 't', 'e', 'n', 't', '-', 't', 'y', 'p', 'e', ':', ' ',
    't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n', '\r', '\n', '\r', '\n', 'o', 'k',
    1, 6, 0, 1, 0, 0, 0, 0,
    1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s HEAD BODY MODE\n", argv[0]);
        return 64;
    }
    size_t head = strtoul(argv[1], NULL, 10);
    size_t body = strtoul(argv[2], NULL, 10);
    const char *mode = argv[3];
    int trunc = strcmp(mode, "read") == 0 ? 0 : MSG_TRUNC;
    if (head > sizeof buf || body > sizeof buf) {
        return 64;
    }
    for (;;) {
        int c = accept(0, NULL, NULL);
        if (c < 0) {
            perror("accept");
            return 1;
        }
        if (trunc) {
            /* a look at the head that consumes nothing (MSG_PEEK|MSG_TRUNC may report more than buf holds) */
            (void) get(c, 1, MSG_PEEK | MSG_TRUNC, mode);
        }
        if (consume(c, head, strcmp(mode, "read") == 0 ? 0 : MSG_WAITALL, mode) != 0
                || consume(c, body, trunc, mode) != 0) {
            fprintf(stderr, "short request\n");
            close(c);
            continue;
        }
        if (write(c, response, sizeof response) != (ssize_t) sizeof response) {
            perror("write");
        }
        close(c);
    }
}
