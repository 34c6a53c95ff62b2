/*
 * Table-driven tests of the passive FastCGI parser (src/main/c/jfpm_fcgi.c), compiled and run by
 * FastCgiParserTest with -fsanitize=address,undefined. Prints one line per failure and
 * "passed N" at the end; exits 1 if anything failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfpm_fcgi.h"

static int failures;
static int checks;

#define CHECK(cond, ...)                                      \
    do {                                                      \
        checks++;                                             \
        if (!(cond)) {                                        \
            failures++;                                       \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);       \
            printf(__VA_ARGS__);                              \
            printf("\n");                                     \
        }                                                     \
    } while (0)

/* ---- building streams ---- */

typedef struct {
    unsigned char b[1 << 20];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n) {
    if (o->n + n > sizeof o->b) abort();
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void record(buf *o, int type, int id, const void *content, size_t len, int padding) {
    unsigned char h[8] = {1, (unsigned char)type, (unsigned char)(id >> 8), (unsigned char)id,
                          (unsigned char)(len >> 8), (unsigned char)len, (unsigned char)padding, 0};
    put(o, h, 8);
    put(o, content, len);
    unsigned char pad[255] = {0};
    put(o, pad, (size_t)padding);
}

static void begin(buf *o, int id, int flags) {
    unsigned char body[8] = {0, 1, (unsigned char)flags, 0, 0, 0, 0, 0};
    record(o, 1, id, body, 8, 0);
}

static void nv_len(buf *o, size_t len, int force_long) {
    if (len < 128 && !force_long) {
        unsigned char c = (unsigned char)len;
        put(o, &c, 1);
    } else {
        unsigned char c[4] = {(unsigned char)(0x80 | (len >> 24)), (unsigned char)(len >> 16),
                              (unsigned char)(len >> 8), (unsigned char)len};
        put(o, c, 4);
    }
}

static void nv(buf *o, const char *name, const char *value, int force_long) {
    nv_len(o, strlen(name), force_long);
    nv_len(o, strlen(value), force_long);
    put(o, name, strlen(name));
    put(o, value, strlen(value));
}

/* PARAMS records of at most `chunk` bytes each, then the empty PARAMS record. */
static void params(buf *o, int id, const buf *pairs, size_t chunk, int padding) {
    for (size_t off = 0; off < pairs->n; off += chunk) {
        size_t len = pairs->n - off < chunk ? pairs->n - off : chunk;
        record(o, 4, id, pairs->b + off, len, padding);
    }
    record(o, 4, id, "", 0, 0);
}

/* ---- running the parser ---- */

typedef struct {
    int events[64];
    int count;
    jfpm_fcgi_info info; /* as of the last PARAMS_END */
    int info_seen;
} result;

/* Feeds `in` in pieces: sizes cycle through `pieces` (0-terminated), or all at once when NULL. */
static void run(int direction, const buf *in, const size_t *pieces, result *r) {
    static jfpm_fcgi_stream p;
    memset(r, 0, sizeof *r);
    jfpm_fcgi_init(&p, direction);
    size_t off = 0, k = 0;
    while (off < in->n) {
        size_t len = in->n - off;
        if (pieces != NULL) {
            if (pieces[k] == 0) k = 0;
            if (pieces[k] < len) len = pieces[k];
            k++;
        }
        /* feed through a heap copy of exactly len bytes, so ASan sees any overread */
        unsigned char *piece = malloc(len);
        memcpy(piece, in->b + off, len);
        size_t done = 0;
        while (done < len) {
            int ev;
            size_t used = jfpm_fcgi_feed(&p, piece + done, len - done, &ev);
            if (used == 0 || used > len - done) {
                printf("FAIL: feed consumed %zu of %zu\n", used, len - done);
                failures++;
                free(piece);
                return;
            }
            done += used;
            if (ev != JFPM_FCGI_EV_NONE && r->count < 64) r->events[r->count++] = ev;
            if (ev == JFPM_FCGI_EV_PARAMS_END) {
                r->info = p.info;
                r->info_seen = 1;
            }
        }
        free(piece);
        off += len;
    }
}

static int same_events(const result *r, const int *expected, int n) {
    if (r->count != n) return 0;
    for (int i = 0; i < n; i++) {
        if (r->events[i] != expected[i]) return 0;
    }
    return 1;
}

static void events_str(const result *r, char *out, size_t cap) {
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < r->count && n + 4 < cap; i++) n += (size_t)snprintf(out + n, cap - n, "%d,", r->events[i]);
}

/*
 * Every way of splitting `in` into two reads (for long streams: every cut near either end and a
 * sample in between), into pieces of 1..7 bytes, and byte by byte.
 */
static void check_all_splits(const char *name, int direction, const buf *in, const int *expected, int n,
                             void (*check_info)(const char *, const result *)) {
    static const size_t ones[] = {1, 0};
    static const size_t odd[] = {3, 1, 7, 2, 5, 0};
    result r;
    char got[256];
    const size_t *patterns[] = {NULL, ones, odd};
    for (int i = 0; i < 3; i++) {
        run(direction, in, patterns[i], &r);
        events_str(&r, got, sizeof got);
        CHECK(same_events(&r, expected, n), "%s pattern %d: events %s", name, i, got);
        if (check_info) check_info(name, &r);
    }
    for (size_t cut = 1; cut < in->n; cut += (in->n <= 4000 || cut < 300 || cut + 300 > in->n) ? 1 : 997) {
        size_t two[] = {cut, in->n, 0};
        run(direction, in, two, &r);
        events_str(&r, got, sizeof got);
        CHECK(same_events(&r, expected, n), "%s cut at %zu: events %s", name, cut, got);
        if (check_info) check_info(name, &r);
    }
}

/* ---- cases ---- */

static void info_typical(const char *name, const result *r) {
    CHECK(r->info_seen, "%s: no info", name);
    CHECK(strcmp(r->info.method, "POST") == 0, "%s: method '%s'", name, r->info.method);
    CHECK(strcmp(r->info.uri, "/app/index.php") == 0, "%s: uri '%s'", name, r->info.uri);
    CHECK(strcmp(r->info.query, "a=1&b=2") == 0, "%s: query '%s'", name, r->info.query);
    CHECK(strcmp(r->info.script, "/srv/www/app/index.php") == 0, "%s: script '%s'", name, r->info.script);
    CHECK(strcmp(r->info.user, "alice") == 0, "%s: user '%s'", name, r->info.user);
    CHECK(r->info.content_length == 11, "%s: content_length %llu", name, (unsigned long long)r->info.content_length);
    CHECK(r->info.keep_conn == 1, "%s: keep_conn %d", name, r->info.keep_conn);
}

static void typical_pairs(buf *pairs, int force_long) {
    nv(pairs, "GATEWAY_INTERFACE", "CGI/1.1", force_long);
    nv(pairs, "REQUEST_METHOD", "POST", force_long);
    nv(pairs, "SCRIPT_NAME", "/ignored-because-request-uri-wins.php", force_long);
    nv(pairs, "REQUEST_URI", "/app/index.php?a=1&b=2", force_long);
    nv(pairs, "QUERY_STRING", "a=1&b=2", force_long);
    nv(pairs, "SCRIPT_FILENAME", "/srv/www/app/index.php", force_long);
    nv(pairs, "CONTENT_LENGTH", "11", force_long);
    nv(pairs, "REMOTE_USER", "alice", force_long);
    nv(pairs, "EMPTY", "", force_long);
    nv(pairs, "", "nameless", force_long);
    nv(pairs, "HTTP_X_A_VERY_LONG_HEADER_NAME_THAT_IS_NOT_KEPT", "REQUEST_METHOD", force_long);
}

static void typical_request(buf *o, int id, size_t chunk, int padding, int force_long) {
    static buf pairs;
    pairs.n = 0;
    typical_pairs(&pairs, force_long);
    begin(o, id, JFPM_FCGI_KEEP_CONN);
    params(o, id, &pairs, chunk, padding);
    record(o, 5, id, "hello world", 11, 5);
    record(o, 5, id, "", 0, 0);
}

static void test_typical_request(void) {
    static buf in;
    static const int expected[] = {JFPM_FCGI_EV_BEGIN, JFPM_FCGI_EV_PARAMS_END};
    in.n = 0;
    typical_request(&in, 1, 1000, 0, 0);
    check_all_splits("typical", JFPM_FCGI_INPUT, &in, expected, 2, info_typical);

    in.n = 0; /* pairs split across many small padded records, four-byte lengths */
    typical_request(&in, 1, 7, 3, 1);
    check_all_splits("small records", JFPM_FCGI_INPUT, &in, expected, 2, info_typical);
}

static void test_keep_alive(void) {
    static buf in;
    static buf pairs;
    static const int expected[] = {JFPM_FCGI_EV_BEGIN, JFPM_FCGI_EV_PARAMS_END, JFPM_FCGI_EV_BEGIN,
                                   JFPM_FCGI_EV_PARAMS_END};
    in.n = 0;
    typical_request(&in, 1, 1000, 0, 0);
    pairs.n = 0;
    nv(&pairs, "REQUEST_METHOD", "GET", 0);
    nv(&pairs, "SCRIPT_NAME", "/second.php", 0);
    begin(&in, 1, 0);
    params(&in, 1, &pairs, 1000, 0);
    record(&in, 5, 1, "", 0, 0);
    result r;
    run(JFPM_FCGI_INPUT, &in, NULL, &r);
    CHECK(same_events(&r, expected, 4), "keep-alive: %d events", r.count);
    /* the second request's info must not inherit anything from the first */
    CHECK(strcmp(r.info.method, "GET") == 0, "keep-alive: method '%s'", r.info.method);
    CHECK(strcmp(r.info.uri, "/second.php") == 0, "keep-alive: uri from SCRIPT_NAME '%s'", r.info.uri);
    CHECK(r.info.query[0] == '\0' && r.info.script[0] == '\0' && r.info.user[0] == '\0',
          "keep-alive: stale fields");
    CHECK(r.info.content_length == 0 && r.info.keep_conn == 0, "keep-alive: stale numbers");
}

static void test_truncation(void) {
    static buf in, pairs;
    static char longv[4000];
    in.n = 0;
    pairs.n = 0;
    memset(longv, 'q', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    nv(&pairs, "QUERY_STRING", longv, 0);
    nv(&pairs, "REQUEST_METHOD", "A-VERY-LONG-METHOD-NAME", 0);
    /* an URI of two-byte UTF-8 characters, longer than the field */
    static char uri[2000];
    size_t n = 0;
    uri[n++] = '/';
    while (n + 2 < sizeof uri) {
        uri[n++] = (char)0xC3;
        uri[n++] = (char)0xA9;
    }
    uri[n] = '\0';
    nv(&pairs, "REQUEST_URI", uri, 0);
    begin(&in, 1, 0);
    params(&in, 1, &pairs, 65535, 0);
    result r;
    run(JFPM_FCGI_INPUT, &in, NULL, &r);
    CHECK(r.info_seen, "truncation: no info");
    CHECK(strlen(r.info.query) == JFPM_SB_QUERY_SIZE, "truncation: query kept %zu", strlen(r.info.query));
    CHECK(strlen(r.info.method) == JFPM_SB_METHOD_SIZE, "truncation: method kept %zu", strlen(r.info.method));
    CHECK(strlen(r.info.uri) == JFPM_SB_URI_SIZE, "truncation: uri kept %zu", strlen(r.info.uri));
    /* what the slot would get: at most size-1 bytes, cut at a UTF-8 boundary */
    char field[JFPM_SB_URI_SIZE];
    jfpm_sb_copy_str(field, sizeof field, r.info.uri, (size_t)-1);
    size_t kept = strlen(field);
    CHECK(kept < JFPM_SB_URI_SIZE && kept % 2 == 1, "truncation: slot uri %zu bytes splits a character", kept);
    CHECK(kept >= JFPM_SB_URI_SIZE - 2, "truncation: slot uri cut too much: %zu", kept);
}

static void test_content_length(void) {
    static const struct {
        const char *value;
        unsigned long long expected;
    } cases[] = {
        {"0", 0}, {"12345", 12345}, {"", 0}, {"12a", 0}, {"-1", 0}, {" 5", 0},
        {"18446744073709551615", 18446744073709551615ULL}, {"18446744073709551616", 0},
        {"99999999999999999999999", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static buf in, pairs;
        in.n = 0;
        pairs.n = 0;
        nv(&pairs, "CONTENT_LENGTH", "777", 0); /* overwritten by the case's value */
        nv(&pairs, "CONTENT_LENGTH", cases[i].value, 0);
        begin(&in, 1, 0);
        params(&in, 1, &pairs, 3, 0);
        result r;
        run(JFPM_FCGI_INPUT, &in, NULL, &r);
        CHECK(r.info.content_length == cases[i].expected, "CONTENT_LENGTH '%s' -> %llu", cases[i].value,
              (unsigned long long)r.info.content_length);
    }
}

static void test_not_fastcgi(void) {
    static const struct {
        const char *name;
        const char *bytes;
        size_t len;
        int direction;
    } cases[] = {
        {"http", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, JFPM_FCGI_INPUT},
        {"hello line", "hello\n", 6, JFPM_FCGI_INPUT},
        {"version 2", "\x02\x01\x00\x01\x00\x08\x00\x00", 8, JFPM_FCGI_INPUT},
        {"output type on input", "\x01\x06\x00\x01\x00\x00\x00\x00", 8, JFPM_FCGI_INPUT},
        {"params first", "\x01\x04\x00\x01\x00\x00\x00\x00", 8, JFPM_FCGI_INPUT},
        {"short begin", "\x01\x01\x00\x01\x00\x04\x00\x00", 8, JFPM_FCGI_INPUT},
        {"input type on output", "\x01\x01\x00\x01\x00\x08\x00\x00", 8, JFPM_FCGI_OUTPUT},
        {"http response", "HTTP/1.0 200 OK\r\n", 17, JFPM_FCGI_OUTPUT},
    };
    static const int expected[] = {JFPM_FCGI_EV_NOT_FASTCGI};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static buf in;
        in.n = 0;
        put(&in, cases[i].bytes, cases[i].len);
        check_all_splits(cases[i].name, cases[i].direction, &in, expected, 1, NULL);
    }
    /* valid, then garbage: reported once, nothing after */
    static buf in;
    static const int then_garbage[] = {JFPM_FCGI_EV_BEGIN, JFPM_FCGI_EV_NOT_FASTCGI};
    in.n = 0;
    begin(&in, 1, 0);
    put(&in, "garbage garbage \x01\x01\x00\x01\x00\x08\x00\x00", 24);
    begin(&in, 1, 0);
    check_all_splits("valid then garbage", JFPM_FCGI_INPUT, &in, then_garbage, 2, NULL);
}

static void test_output(void) {
    static buf out;
    static const int expected[] = {JFPM_FCGI_EV_END_REQUEST, JFPM_FCGI_EV_END_REQUEST};
    static char body[70000];
    memset(body, 'x', sizeof body);
    unsigned char end[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    out.n = 0;
    record(&out, 6, 1, "Content-type: text/html\r\n\r\nhello", 32, 0);
    record(&out, 7, 1, "warning", 7, 1);
    record(&out, 6, 1, body, 65535, 1);
    record(&out, 6, 1, "", 0, 0);
    record(&out, 3, 1, end, 8, 0);
    record(&out, 6, 1, "again", 5, 3);
    record(&out, 3, 1, end, 8, 0);
    check_all_splits("output", JFPM_FCGI_OUTPUT, &out, expected, 2, NULL);
}

static void test_management_and_abort(void) {
    static buf in, pairs;
    static const int expected[] = {JFPM_FCGI_EV_BEGIN, JFPM_FCGI_EV_PARAMS_END};
    in.n = 0;
    pairs.n = 0;
    nv(&pairs, "FCGI_MPXS_CONNS", "", 0);
    record(&in, 9, 0, pairs.b, pairs.n, 0); /* GET_VALUES first: management records are FastCGI too */
    pairs.n = 0;
    nv(&pairs, "REQUEST_METHOD", "GET", 0);
    begin(&in, 1, 0);
    params(&in, 1, &pairs, 100, 0);
    record(&in, 2, 1, "", 0, 0); /* ABORT_REQUEST */
    record(&in, 8, 1, "data", 4, 4);
    check_all_splits("management", JFPM_FCGI_INPUT, &in, expected, 2, NULL);
}

static void test_abandon(void) {
    static jfpm_fcgi_stream p;
    static buf in;
    in.n = 0;
    begin(&in, 1, 0);
    jfpm_fcgi_init(&p, JFPM_FCGI_INPUT);
    jfpm_fcgi_abandon(&p);
    int ev;
    size_t used = jfpm_fcgi_feed(&p, in.b, in.n, &ev);
    CHECK(used == in.n && ev == JFPM_FCGI_EV_NONE, "abandoned stream: used %zu ev %d", used, ev);
}

/* Random bytes and randomly corrupted valid streams, fed in random pieces: no crash, no overread. */
static void test_fuzz(void) {
    static buf in;
    unsigned int seed = 12345;
    for (int round = 0; round < 3000; round++) {
        in.n = 0;
        if (round % 2 == 0) {
            typical_request(&in, 1, 1 + (size_t)(rand_r(&seed) % 50), rand_r(&seed) % 8, rand_r(&seed) % 2);
            for (int k = 0; k < 1 + (int)(rand_r(&seed) % 4); k++) {
                in.b[rand_r(&seed) % in.n] = (unsigned char)rand_r(&seed);
            }
        } else {
            size_t len = 1 + (size_t)(rand_r(&seed) % 3000);
            for (size_t k = 0; k < len; k++) in.b[k] = (unsigned char)rand_r(&seed);
            if (len > 1) in.b[0] = 1; /* get past the first-byte check more often */
            in.n = len;
        }
        size_t pieces[] = {1 + (size_t)(rand_r(&seed) % 300), 1 + (size_t)(rand_r(&seed) % 9), 0};
        result r;
        run(round % 3 == 0 ? JFPM_FCGI_OUTPUT : JFPM_FCGI_INPUT, &in, pieces, &r);
        if (r.info_seen) {
            CHECK(strlen(r.info.method) < sizeof r.info.method && strlen(r.info.uri) < sizeof r.info.uri
                          && strlen(r.info.query) < sizeof r.info.query && strlen(r.info.script) < sizeof r.info.script
                          && strlen(r.info.user) < sizeof r.info.user,
                  "fuzz round %d: unterminated field", round);
        }
    }
}

int main(void) {
    test_typical_request();
    test_keep_alive();
    test_truncation();
    test_content_length();
    test_not_fastcgi();
    test_output();
    test_management_and_abort();
    test_abandon();
    test_fuzz();
    printf("%s %d checks, %d failures\n", failures ? "FAILED" : "passed", checks, failures);
    return failures ? 1 : 0;
}
