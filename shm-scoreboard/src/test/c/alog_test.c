/*
 * Tests of the access log line (src/main/c/jfpm_alog.c) and of what the FastCGI parser keeps for it
 * (wanted params, the response's Status and wanted headers), compiled and run by AccessLogLineTest
 * with -fsanitize=address,undefined. Prints one line per failure and "passed N checks, F failures".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jfpm_alog.h"
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

static jfpm_alog_format fmt;
static char line[JFPM_ALOG_MAX_LINE + 1];

/* ---- streams ---- */

typedef struct {
    unsigned char b[1 << 16];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n) {
    if (o->n + n > sizeof o->b) abort();
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void record(buf *o, int type, const void *content, size_t len) {
    unsigned char h[8] = {1, (unsigned char)type, 0, 1, (unsigned char)(len >> 8), (unsigned char)len, 0, 0};
    put(o, h, 8);
    put(o, content, len);
}

static void nv(buf *o, const char *name, const char *value) {
    unsigned char l[2] = {(unsigned char)strlen(name), (unsigned char)strlen(value)};
    put(o, l, 2);
    put(o, name, strlen(name));
    put(o, value, strlen(value));
}

static void end_request(buf *o) {
    unsigned char body[8] = {0};
    record(o, JFPM_FCGI_END_REQUEST, body, 8);
}

/* Feeds `in` in pieces of `piece` bytes (0 = at once); counts END_REQUEST events. */
static int feed(jfpm_fcgi_stream *p, const buf *in, size_t piece) {
    int ends = 0;
    for (size_t off = 0; off < in->n;) {
        size_t len = piece == 0 || in->n - off < piece ? in->n - off : piece;
        unsigned char *copy = malloc(len);
        memcpy(copy, in->b + off, len);
        for (size_t done = 0; done < len;) {
            int ev;
            done += jfpm_fcgi_feed(p, copy + done, len - done, &ev);
            if (ev == JFPM_FCGI_EV_END_REQUEST) ends++;
        }
        free(copy);
        off += len;
    }
    return ends;
}

/* ---- compile ---- */

static void compile_ok(const char *text) {
    char err[256] = "";
    CHECK(jfpm_alog_compile(&fmt, text, err, sizeof err) == 0, "'%s' should compile: %s", text, err);
}

static void compile_bad(const char *text, const char *expect) {
    char err[256] = "";
    int rc = jfpm_alog_compile(&fmt, text, err, sizeof err);
    CHECK(rc == -1 && strstr(err, expect) != NULL, "'%s': rc %d, err '%s', expected '%s'", text, rc, err, expect);
}

static void compiling(void) {
    compile_ok(JFPM_ALOG_DEFAULT_FORMAT);
    compile_ok("%C %{user}C %{SYSTEM}C %d %{milli}d %{mili}d %{micro}d %{HTTP_HOST}e %f %l %m %M %{kilo}M "
               "%{megabytes}M %n %{Content-Type}o %p %P %q %Q %r %R %s %t %{%Y}t %T %u %% %{}t");
    compile_ok("");
    compile_ok("no codes at all");
    compile_bad("%x", "got %x");
    compile_bad("%", "a letter after the last %");
    compile_bad("%{seconds", "a closing brace");
    compile_bad("%{seconds}", "a closing brace");
    compile_bad("%e", "a parameter name between braces for %e");
    compile_bad("%{}o", "a header name between braces for %o");
    compile_bad("%{idle}C", "one of total, user or system as the modifier of %C, got 'idle'");
    compile_bad("%{hours}d", "modifier of %d, got 'hours'");
    compile_bad("%{giga}M", "modifier of %M, got 'giga'");
    compile_bad("%{A}e %{B}e %{C}e %{D}e %{E}e %{F}e %{G}e %{H}e %{I}e", "at most 8 different names for %e");
    compile_ok("%{A}e %{B}e %{C}e %{D}e %{E}e %{F}e %{G}e %{H}e %{A}e"); /* a name used twice is one */
    char long_name[100];
    memset(long_name, 'N', sizeof long_name);
    memcpy(long_name, "%{", 2);
    memcpy(long_name + 2 + 64, "}e", 3);
    compile_bad(long_name, "a name of at most 63 bytes");
    char huge[1100];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    compile_bad(huge, "at most 1024 bytes");
}

/* ---- lines ---- */

static jfpm_fcgi_info info(const char *method, const char *uri, const char *query, const char *script,
                           const char *user) {
    jfpm_fcgi_info i;
    memset(&i, 0, sizeof i);
    strcpy(i.method, method);
    strcpy(i.uri, uri);
    strcpy(i.query, query);
    strcpy(i.script, script);
    strcpy(i.user, user);
    i.content_length = 11;
    return i;
}

static const char *format(const char *text, const jfpm_alog_request *r, size_t limit) {
    char err[256];
    if (jfpm_alog_compile(&fmt, text, err, sizeof err) != 0) {
        CHECK(0, "'%s' does not compile: %s", text, err);
        return "";
    }
    size_t n = jfpm_alog_line(&fmt, r, line, limit);
    CHECK(n >= 1 && line[n - 1] == '\n', "'%s': no newline at %zu", text, n);
    CHECK(n <= limit + 1, "'%s': %zu bytes over the limit %zu", text, n, limit);
    line[n - 1] = '\0';
    return line;
}

static void expect_line(const char *text, const jfpm_alog_request *r, const char *expected) {
    const char *got = format(text, r, 1024);
    CHECK(strcmp(got, expected) == 0, "'%s': got '%s', expected '%s'", text, got, expected);
}

static void lines(void) {
    /* 2026-01-05 10:20:30 UTC, a request of 1.2345678 s */
    uint64_t start = UINT64_C(1767608430) * 1000000u + 250000u;
    jfpm_fcgi_info i = info("GET", "/index.php", "a=1&b=2", "/srv/www/index.php", "alice");
    jfpm_fcgi_response resp;
    memset(&resp, 0, sizeof resp);
    jfpm_alog_request r = {
        .info = &i, .response = &resp, .start_us = start, .end_us = start + 1234568u,
        .cpu_us = 617284u, .user_us = 500000u, .system_us = 117284u, .memory = 3u * 1024u * 1024u + 5u,
        .pid = 4242, .ppid = 1, .pool = "www", .remote = "127.0.0.1",
    };
    expect_line(JFPM_ALOG_DEFAULT_FORMAT, &r, "127.0.0.1 - alice 05/Jan/2026:10:20:30 +0000 \"GET /index.php\" 200");
    resp.status = 404;
    expect_line("%s", &r, "404");
    expect_line("%d|%{seconds}d|%{milli}d|%{micro}d", &r, "1.235|1.235|1234.568|1234568");
    expect_line("%C|%{total}C|%{user}C|%{system}C", &r, "50.00|50.00|40.50|9.50");
    expect_line("%M|%{kilo}M|%{mega}M", &r, "3145733|3072|3");
    expect_line("%m %r%Q%q %f %l %n %p %P %u %%", &r,
                "GET /index.php?a=1&b=2 /srv/www/index.php 11 www 4242 1 alice %");
    expect_line("%t|%T|%{%Y-%m-%d %H:%M:%S}T|%{}t", &r,
                "05/Jan/2026:10:20:30 +0000|05/Jan/2026:10:20:31 +0000|2026-01-05 10:20:31|05/Jan/2026:10:20:30 +0000");
    /* nothing known: PHP-FPM's dashes and zeros */
    jfpm_alog_request none = {.start_us = start, .end_us = start, .pid = 7, .ppid = 1};
    expect_line("%R|%u|%m|%r|%Q|%q|%f|%l|%n|%s|%d|%C|%{X}e|%{X}o", &none, "-||-||||-|0|-|200|0.000|0.00|-|-");
    /* request text cannot break the line or its quotes */
    jfpm_fcgi_info evil = info("GET", "/a\"b\\c\nd\x7f", "", "/x", "");
    r.info = &evil;
    expect_line("\"%r\"", &r, "\"/a\\x22b\\x5Cc\\x0Ad\\x7F\"");
    /* wanted params and headers */
    r.info = &i;
    compile_ok("%{HTTP_HOST}e %{REMOTE_ADDR}e %{Content-Type}o %{X-Missing}o");
    i.vars.set[0] = 1;
    strcpy(i.vars.value[0], "example.com");
    resp.headers.set[0] = 1;
    strcpy(resp.headers.value[0], "text/html; charset=UTF-8");
    expect_line("%{HTTP_HOST}e %{REMOTE_ADDR}e %{Content-Type}o %{X-Missing}o", &r,
                "example.com - text/html; charset=UTF-8 -");
    /* cut at the limit, newline after it */
    const char *cut = format("0123456789%r", &r, 12);
    CHECK(strcmp(cut, "0123456789/i") == 0, "cut: '%s'", cut);
    char big[1000];
    memset(big, 'u', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    jfpm_fcgi_info wide = info("GET", "", "", "", "");
    memcpy(wide.query, big, 511);
    r.info = &wide;
    const char *w = format("%q%q%q", &r, 1024);
    CHECK(strlen(w) == 1024, "1024-byte cut: %zu", strlen(w));
}

/* ---- the parser's part ---- */

static jfpm_fcgi_stream in, out;

static void parsed(void) {
    compile_ok("%{HTTP_HOST}e %{EMPTY}e %{NOT_SENT}e %{Content-Type}o %{X-Id}o");
    buf req = {.n = 0};
    unsigned char b[8] = {0, 1, 0, 0, 0, 0, 0, 0};
    record(&req, JFPM_FCGI_BEGIN_REQUEST, b, 8);
    buf pairs = {.n = 0};
    nv(&pairs, "REQUEST_METHOD", "GET");
    nv(&pairs, "HTTP_HOST", "example.com");
    nv(&pairs, "EMPTY", "");
    nv(&pairs, "REQUEST_URI", "/x.php?y=1");
    record(&req, JFPM_FCGI_PARAMS, pairs.b, pairs.n);
    record(&req, JFPM_FCGI_PARAMS, "", 0);
    for (size_t piece = 0; piece < 9; piece++) {
        jfpm_fcgi_init(&in, JFPM_FCGI_INPUT);
        jfpm_fcgi_want(&in, &fmt.params);
        feed(&in, &req, piece);
        CHECK(in.info.vars.set[0] && strcmp(in.info.vars.value[0], "example.com") == 0, "piece %zu: HTTP_HOST '%s'",
              piece, in.info.vars.value[0]);
        CHECK(in.info.vars.set[1] && in.info.vars.value[1][0] == '\0', "piece %zu: EMPTY", piece);
        CHECK(!in.info.vars.set[2], "piece %zu: NOT_SENT set", piece);
        CHECK(strcmp(in.info.uri, "/x.php") == 0 && strcmp(in.info.method, "GET") == 0, "piece %zu: uri '%s'", piece,
              in.info.uri);
    }

    /* php-cgi's head, split over STDOUT records, then a body that looks like headers */
    buf resp = {.n = 0};
    const char *h1 = "X-Powered-By: PHP/8.2\r\nStat";
    const char *h2 = "us:   404 Not Found\r\ncontent-TYPE: text/html; charset=UTF-8  \r\nX-Id:";
    const char *h3 = "\r\n\r\nStatus: 500 Bogus\r\nX-Id: body\r\n";
    record(&resp, JFPM_FCGI_STDERR, "Status: 302 Found\r\n\r\n", 21);
    record(&resp, JFPM_FCGI_STDOUT, h1, strlen(h1));
    record(&resp, JFPM_FCGI_STDOUT, h2, strlen(h2));
    record(&resp, JFPM_FCGI_STDOUT, h3, strlen(h3));
    for (size_t piece = 0; piece < 9; piece++) {
        jfpm_fcgi_init(&out, JFPM_FCGI_OUTPUT);
        jfpm_fcgi_want(&out, &fmt.headers);
        feed(&out, &resp, piece);
        CHECK(out.response.status == 404, "piece %zu: status %d", piece, out.response.status);
        CHECK(out.response.headers.set[0] && strcmp(out.response.headers.value[0], "text/html; charset=UTF-8") == 0,
              "piece %zu: content type '%s'", piece, out.response.headers.value[0]);
        CHECK(out.response.headers.set[1] && out.response.headers.value[1][0] == '\0', "piece %zu: X-Id '%s'", piece,
              out.response.headers.value[1]);
    }

    /* kept alive: the second response starts clean after the first END_REQUEST */
    buf two = {.n = 0};
    record(&two, JFPM_FCGI_STDOUT, "Status: 503 Busy\r\n\r\nx", 21);
    end_request(&two);
    jfpm_fcgi_init(&out, JFPM_FCGI_OUTPUT);
    CHECK(feed(&out, &two, 0) == 1, "one END_REQUEST");
    CHECK(out.response.status == 503, "first response: %d", out.response.status);
    buf second = {.n = 0};
    record(&second, JFPM_FCGI_STDOUT, "Content-type: text/plain\r\n\r\n", 28);
    feed(&out, &second, 0);
    CHECK(out.response.status == 0, "second response keeps the first's status: %d", out.response.status);

    /* "Status: abc" and a four-digit code are no status */
    buf odd = {.n = 0};
    record(&odd, JFPM_FCGI_STDOUT, "Status: 4040\r\nStatus: abc\r\n\r\n", 29);
    jfpm_fcgi_init(&out, JFPM_FCGI_OUTPUT);
    feed(&out, &odd, 0);
    CHECK(out.response.status == 0, "odd status values: %d", out.response.status);
}

int main(void) {
    setenv("TZ", "UTC", 1);
    tzset();
    compiling();
    lines();
    parsed();
    printf("passed %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
