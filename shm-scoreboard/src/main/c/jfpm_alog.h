/*
 * The access log line, as PHP-FPM's fpm_log.c writes it (access.format), for what the preload
 * library knows about a request. Two steps:
 *
 *   jfpm_alog_compile()  once, at load: the format text -> a list of literal runs and % codes, and the
 *                        tables of FastCGI params (%{NAME}e) and response headers (%{Name}o) the
 *                        parsers must keep;
 *   jfpm_alog_line()     per request: one line into the caller's buffer, cut at the limit.
 *
 * Neither allocates. Formatting calls only localtime_r() and strftime() from libc (the caller runs
 * tzset() once at load, so that localtime_r() never reads the zone file inside a hook).
 */
#ifndef JFPM_ALOG_H
#define JFPM_ALOG_H

#include <stddef.h>
#include <stdint.h>

#include "jfpm_fcgi.h"

#define JFPM_ALOG_DEFAULT_FORMAT "%R - %u %t \"%m %r\" %s"
#define JFPM_ALOG_MAX_FORMAT 1024    /* bytes of format text */
#define JFPM_ALOG_MAX_MODIFIER 128   /* bytes between the braces of %{...}X */
#define JFPM_ALOG_MAX_LINE 65536     /* the largest limit (log-limit) honoured */

typedef struct jfpm_alog_op {
    char code;         /* 0 = literal text, else the % letter */
    uint8_t mod;       /* the modifier, decoded (see jfpm_alog.c), or the index of a wanted name */
    uint16_t off;      /* literal text or the strftime format of %t/%T: offset into text[] */
    uint16_t len;
} jfpm_alog_op;

typedef struct jfpm_alog_format {
    uint16_t nops;
    jfpm_alog_op ops[JFPM_ALOG_MAX_FORMAT];
    char text[JFPM_ALOG_MAX_FORMAT * 2];  /* literal runs and NUL-terminated strftime formats */
    uint16_t text_len;
    jfpm_fcgi_wanted params;   /* %{NAME}e */
    jfpm_fcgi_wanted headers;  /* %{Name}o */
    uint8_t needs_remote;      /* %R: the peer address must be taken at accept */
    uint8_t needs_rusage;      /* %{user}C / %{system}C */
} jfpm_alog_format;

/* What is known about one finished request. Strings are NUL-terminated; NULL = empty. */
typedef struct jfpm_alog_request {
    const jfpm_fcgi_info *info;          /* NULL when the request had no (complete) params */
    const jfpm_fcgi_response *response;  /* NULL when nothing of the response was seen */
    uint64_t start_us;                   /* wall clock, µs */
    uint64_t end_us;
    uint64_t cpu_us;                     /* user + system over the request */
    uint64_t user_us;
    uint64_t system_us;
    uint64_t memory;                     /* bytes */
    long pid;
    long ppid;
    const char *pool;
    const char *remote;                  /* the FastCGI peer's IP; NULL = "-" (unix socket) */
} jfpm_alog_request;

/*
 * Compiles `text`. Returns 0, or -1 with a reason in err (as the supervisor's validation words it;
 * the supervisor checks the format before it ever reaches a worker).
 */
int jfpm_alog_compile(jfpm_alog_format *f, const char *text, char *err, size_t errcap);

/*
 * Formats one line into out (room for limit + 1 bytes): at most `limit` bytes of the line, then '\n'.
 * Returns the number of bytes to write, newline included.
 */
size_t jfpm_alog_line(const jfpm_alog_format *f, const jfpm_alog_request *r, char *out, size_t limit);

#endif /* JFPM_ALOG_H */
