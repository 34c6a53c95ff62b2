/*
 * libFuzzer target for the passive FastCGI parser (src/main/c/jfpm_fcgi.c), built and run by
 * FastCgiFuzzTest with clang -fsanitize=fuzzer,address,undefined.
 *
 * Input: byte 0 picks the direction (bit 0) and byte 1 seeds the split points; the rest is the byte
 * stream. It is fed twice, in one piece and in pseudo-random pieces (1..64 bytes), as the preload
 * library does with whatever read() returned. Besides ASan/UBSan, it aborts when
 *   - jfpm_fcgi_feed() consumes nothing or more than it was given, or reports an unknown event;
 *   - an info string is not NUL-terminated within its buffer at PARAMS_END;
 *   - the two feeds disagree on the events or on the info (the parser must not depend on splits).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jfpm_fcgi.h"

#define MAX_EVENTS 4096

typedef struct {
    int events[MAX_EVENTS];
    jfpm_fcgi_info info[64]; /* at the first 64 PARAMS_END events */
    size_t n_events;
    size_t n_info;
} trace;

static void check_info(const jfpm_fcgi_info *i) {
    if (memchr(i->method, 0, sizeof i->method) == NULL || memchr(i->uri, 0, sizeof i->uri) == NULL
            || memchr(i->query, 0, sizeof i->query) == NULL || memchr(i->script, 0, sizeof i->script) == NULL
            || memchr(i->user, 0, sizeof i->user) == NULL) {
        abort();
    }
}

static void run(jfpm_fcgi_stream *p, trace *t, const uint8_t *b, size_t n, unsigned seed) {
    while (n > 0) {
        size_t piece = n;
        if (seed != 0) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            piece = 1 + seed % 64;
            if (piece > n) piece = n;
        }
        const uint8_t *q = b;
        size_t left = piece;
        while (left > 0) {
            int ev = -1;
            size_t used = jfpm_fcgi_feed(p, q, left, &ev);
            if (used == 0 || used > left) abort();
            if (ev < JFPM_FCGI_EV_NONE || ev > JFPM_FCGI_EV_NOT_FASTCGI) abort();
            if (ev != JFPM_FCGI_EV_NONE) {
                if (ev == JFPM_FCGI_EV_PARAMS_END) {
                    check_info(&p->info);
                    if (t->n_info < 64) {
                        /* compare the strings only: bytes after the NUL are not part of the value */
                        jfpm_fcgi_info *c = &t->info[t->n_info++];
                        memset(c, 0, sizeof *c);
                        strcpy(c->method, p->info.method);
                        strcpy(c->uri, p->info.uri);
                        strcpy(c->query, p->info.query);
                        strcpy(c->script, p->info.script);
                        strcpy(c->user, p->info.user);
                        c->content_length = p->info.content_length;
                        c->keep_conn = p->info.keep_conn;
                    }
                }
                if (t->n_events < MAX_EVENTS) t->events[t->n_events++] = ev;
            }
            q += used;
            left -= used;
        }
        b += piece;
        n -= piece;
    }
}

static trace whole, split;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    int direction = data[0] & 1 ? JFPM_FCGI_OUTPUT : JFPM_FCGI_INPUT;
    unsigned seed = 0x9E3779B9u ^ ((unsigned)data[1] << 8) ^ (unsigned)data[1];
    static jfpm_fcgi_stream a, b;
    memset(&whole, 0, sizeof whole);
    memset(&split, 0, sizeof split);
    jfpm_fcgi_init(&a, direction);
    jfpm_fcgi_init(&b, direction);
    run(&a, &whole, data + 2, size - 2, 0);
    run(&b, &split, data + 2, size - 2, seed);
    if (whole.n_events != split.n_events || whole.n_info != split.n_info
            || memcmp(whole.events, split.events, whole.n_events * sizeof(int)) != 0
            || memcmp(whole.info, split.info, whole.n_info * sizeof(jfpm_fcgi_info)) != 0) {
        abort();
    }
    return 0;
}
