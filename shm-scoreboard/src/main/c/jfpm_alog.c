/* The access log line (PHP-FPM's access.format): see jfpm_alog.h. */
#define _GNU_SOURCE
#include "jfpm_alog.h"

#include <string.h>
#include <time.h>

/* modifiers */
#define ALOG_CPU_TOTAL 0
#define ALOG_CPU_USER 1
#define ALOG_CPU_SYSTEM 2
#define ALOG_SECONDS 0
#define ALOG_MILLI 1
#define ALOG_MICRO 2
#define ALOG_BYTES 0
#define ALOG_KILO 1
#define ALOG_MEGA 2

static void set_err(char *err, size_t cap, const char *a, const char *b, const char *c) {
    if (err == NULL || cap == 0) return;
    size_t n = 0;
    const char *parts[3] = {a, b, c};
    for (int k = 0; k < 3; k++) {
        for (const char *s = parts[k]; s != NULL && *s && n + 1 < cap; s++) err[n++] = *s;
    }
    err[n] = '\0';
}

static int ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

/* Index of name in the table, adding it; -1 when the table is full or the name too long/empty. */
static int want(jfpm_fcgi_wanted *w, const char *name, size_t len) {
    if (len == 0 || len >= JFPM_FCGI_WANTED_NAME_SIZE) return -1;
    for (int k = 0; k < w->count; k++) {
        if (w->len[k] == len && memcmp(w->name[k], name, len) == 0) return k;
    }
    if (w->count >= JFPM_FCGI_MAX_WANTED) return -1;
    int k = w->count++;
    memcpy(w->name[k], name, len);
    w->name[k][len] = '\0';
    w->len[k] = (uint8_t)len;
    return k;
}

static int add_op(jfpm_alog_format *f, char code, uint8_t mod, uint16_t off, uint16_t len) {
    if (f->nops >= JFPM_ALOG_MAX_FORMAT) return -1;
    jfpm_alog_op *op = &f->ops[f->nops++];
    op->code = code;
    op->mod = mod;
    op->off = off;
    op->len = len;
    return 0;
}

static int add_text(jfpm_alog_format *f, const char *s, size_t n, int nul) {
    if ((size_t)f->text_len + n + (nul ? 1 : 0) > sizeof f->text) return -1;
    memcpy(f->text + f->text_len, s, n);
    f->text_len = (uint16_t)(f->text_len + n);
    if (nul) f->text[f->text_len++] = '\0';
    return 0;
}

int jfpm_alog_compile(jfpm_alog_format *f, const char *text, char *err, size_t errcap) {
    memset(f, 0, sizeof *f);
    if (text == NULL) text = JFPM_ALOG_DEFAULT_FORMAT;
    size_t total = strlen(text);
    if (total > JFPM_ALOG_MAX_FORMAT) {
        set_err(err, errcap, "a format of at most 1024 bytes", NULL, NULL);
        return -1;
    }
    const char *s = text;
    while (*s) {
        if (*s != '%') {
            const char *start = s;
            while (*s && *s != '%') s++;
            uint16_t off = f->text_len;
            if (add_text(f, start, (size_t)(s - start), 0) != 0
                    || add_op(f, 0, 0, off, (uint16_t)(s - start)) != 0) {
                set_err(err, errcap, "a shorter format", NULL, NULL);
                return -1;
            }
            continue;
        }
        s++; /* past '%' */
        char mod[JFPM_ALOG_MAX_MODIFIER + 1];
        size_t mod_len = 0;
        int has_mod = 0;
        if (*s == '{') {
            const char *start = ++s;
            while (*s && *s != '}') s++;
            if (*s != '}' || s[1] == '\0') {
                set_err(err, errcap, "a closing brace and a letter after %{...}", NULL, NULL);
                return -1;
            }
            mod_len = (size_t)(s - start);
            if (mod_len > JFPM_ALOG_MAX_MODIFIER) {
                set_err(err, errcap, "at most 128 bytes between the braces of %{...}", NULL, NULL);
                return -1;
            }
            memcpy(mod, start, mod_len);
            has_mod = 1;
            s++; /* past '}' */
        }
        mod[mod_len] = '\0';
        char code = *s;
        if (code == '\0') {
            set_err(err, errcap, "a letter after the last %", NULL, NULL);
            return -1;
        }
        s++;
        uint8_t m = 0;
        uint16_t off = 0, len = 0;
        char c1[2] = {code, '\0'};
        switch (code) {
        case '%':
            if (add_text(f, "%", 1, 0) != 0 || add_op(f, 0, 0, (uint16_t)(f->text_len - 1), 1) != 0) goto too_long;
            continue;
        case 'C':
            if (!has_mod || mod_len == 0 || ieq(mod, "total")) m = ALOG_CPU_TOTAL;
            else if (ieq(mod, "user")) m = ALOG_CPU_USER;
            else if (ieq(mod, "system")) m = ALOG_CPU_SYSTEM;
            else {
                set_err(err, errcap, "one of total, user or system as the modifier of %C, got '", mod, "'");
                return -1;
            }
            if (m != ALOG_CPU_TOTAL) f->needs_rusage = 1;
            break;
        case 'd':
            if (!has_mod || mod_len == 0 || ieq(mod, "seconds")) m = ALOG_SECONDS;
            else if (ieq(mod, "milliseconds") || ieq(mod, "milli") || ieq(mod, "mili") || ieq(mod, "miliseconds"))
                m = ALOG_MILLI;
            else if (ieq(mod, "microseconds") || ieq(mod, "micro")) m = ALOG_MICRO;
            else {
                set_err(err, errcap, "one of seconds, milli, milliseconds, micro or microseconds as the modifier of %d, got '",
                        mod, "'");
                return -1;
            }
            break;
        case 'M':
            if (!has_mod || mod_len == 0 || ieq(mod, "bytes")) m = ALOG_BYTES;
            else if (ieq(mod, "kilobytes") || ieq(mod, "kilo")) m = ALOG_KILO;
            else if (ieq(mod, "megabytes") || ieq(mod, "mega")) m = ALOG_MEGA;
            else {
                set_err(err, errcap, "one of bytes, kilo, kilobytes, mega or megabytes as the modifier of %M, got '", mod,
                        "'");
                return -1;
            }
            break;
        case 'e':
        case 'o': {
            if (mod_len == 0) {
                set_err(err, errcap, code == 'e' ? "a parameter name between braces for %e, e.g. %{HTTP_HOST}e"
                                                 : "a header name between braces for %o, e.g. %{Content-Type}o",
                        NULL, NULL);
                return -1;
            }
            int k = want(code == 'e' ? &f->params : &f->headers, mod, mod_len);
            if (k < 0) {
                set_err(err, errcap, mod_len >= JFPM_FCGI_WANTED_NAME_SIZE ? "a name of at most 63 bytes in %{...}"
                                                                            : "at most 8 different names for %",
                        c1, NULL);
                return -1;
            }
            m = (uint8_t)k;
            break;
        }
        case 't':
        case 'T':
            if (mod_len > 0) {
                off = f->text_len;
                len = (uint16_t)mod_len;
                if (add_text(f, mod, mod_len, 1) != 0) goto too_long;
            }
            break;
        case 'R':
            f->needs_remote = 1;
            break;
        case 'f': case 'l': case 'm': case 'n': case 'p': case 'P': case 'q': case 'Q': case 'r': case 's': case 'u':
            break;
        default:
            set_err(err, errcap, "one of %C %d %{NAME}e %f %l %m %M %n %{Name}o %p %P %q %Q %r %R %s %t %T %u %%, got %",
                    c1, NULL);
            return -1;
        }
        if (add_op(f, code, m, off, len) != 0) goto too_long;
    }
    return 0;
too_long:
    set_err(err, errcap, "a shorter format", NULL, NULL);
    return -1;
}

/* ---- formatting ---- */

typedef struct {
    char *b;
    size_t n;
    size_t cap;
} out_t;

static void put(out_t *o, const char *s, size_t n) {
    if (o->n + n > o->cap) n = o->cap - o->n;
    memcpy(o->b + o->n, s, n);
    o->n += n;
}

static void put_c(out_t *o, char c) {
    if (o->n < o->cap) o->b[o->n++] = c;
}

/* Request text: control bytes, DEL, '"' and '\' become \xHH so that a line stays one line and quotes stay quotes. */
static void put_esc(out_t *o, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    if (s == NULL) return;
    for (; *s && o->n < o->cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            put(o, e, 4);
        } else {
            o->b[o->n++] = (char)c;
        }
    }
}

static void put_or_dash(out_t *o, const char *s) {
    if (s == NULL || *s == '\0') put_c(o, '-');
    else put_esc(o, s);
}

static void put_u64(out_t *o, uint64_t v) {
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0) put_c(o, d[--n]);
}

static void put_i64(out_t *o, long v) {
    if (v < 0) {
        put_c(o, '-');
        put_u64(o, (uint64_t)(-(v + 1)) + 1);
    } else {
        put_u64(o, (uint64_t)v);
    }
}

/* v / 10^decimals with exactly `decimals` digits after the point. */
static void put_fixed(out_t *o, uint64_t v, int decimals) {
    uint64_t scale = 1;
    for (int i = 0; i < decimals; i++) scale *= 10;
    put_u64(o, v / scale);
    put_c(o, '.');
    uint64_t frac = v % scale;
    for (uint64_t p = scale / 10; p > 0; p /= 10) {
        put_c(o, (char)('0' + (frac / p) % 10));
    }
}

static void put_time(out_t *o, const jfpm_alog_format *f, const jfpm_alog_op *op, uint64_t us) {
    time_t t = (time_t)(us / 1000000u);
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL) {
        put_c(o, '-');
        return;
    }
    char buf[256];
    const char *fmt = op->len > 0 ? f->text + op->off : "%d/%b/%Y:%H:%M:%S %z";
    size_t n = strftime(buf, sizeof buf, fmt, &tm);
    put(o, buf, n);
}

size_t jfpm_alog_line(const jfpm_alog_format *f, const jfpm_alog_request *r, char *line, size_t limit) {
    out_t o = {line, 0, limit};
    const jfpm_fcgi_info *i = r->info;
    uint64_t dur = r->end_us > r->start_us ? r->end_us - r->start_us : 0;
    for (uint16_t k = 0; k < f->nops && o.n < o.cap; k++) {
        const jfpm_alog_op *op = &f->ops[k];
        switch (op->code) {
        case 0:
            put(&o, f->text + op->off, op->len);
            break;
        case 'C': {
            uint64_t cpu = op->mod == ALOG_CPU_USER ? r->user_us : op->mod == ALOG_CPU_SYSTEM ? r->system_us : r->cpu_us;
            put_fixed(&o, dur == 0 ? 0 : (cpu * 10000u + dur / 2) / dur, 2);
            break;
        }
        case 'd':
            if (op->mod == ALOG_MICRO) put_u64(&o, dur);
            else if (op->mod == ALOG_MILLI) put_fixed(&o, dur, 3);
            else put_fixed(&o, (dur + 500) / 1000, 3);
            break;
        case 'e':
            if (i != NULL && i->vars.set[op->mod]) put_esc(&o, i->vars.value[op->mod]);
            else put_c(&o, '-');
            break;
        case 'f':
            put_or_dash(&o, i ? i->script : NULL);
            break;
        case 'l':
            put_u64(&o, i ? i->content_length : 0);
            break;
        case 'm':
            put_or_dash(&o, i ? i->method : NULL);
            break;
        case 'M':
            put_u64(&o, op->mod == ALOG_MEGA ? r->memory / 1024 / 1024 : op->mod == ALOG_KILO ? r->memory / 1024 : r->memory);
            break;
        case 'n':
            put_or_dash(&o, r->pool);
            break;
        case 'o':
            if (r->response != NULL && r->response->headers.set[op->mod] && r->response->headers.value[op->mod][0])
                put_esc(&o, r->response->headers.value[op->mod]);
            else
                put_c(&o, '-');
            break;
        case 'p':
            put_i64(&o, r->pid);
            break;
        case 'P':
            put_i64(&o, r->ppid);
            break;
        case 'q':
            put_esc(&o, i ? i->query : NULL);
            break;
        case 'Q':
            if (i != NULL && i->query[0]) put_c(&o, '?');
            break;
        case 'r':
            put_esc(&o, i ? i->uri : NULL);
            break;
        case 'R':
            put_or_dash(&o, r->remote);
            break;
        case 's':
            put_u64(&o, r->response != NULL && r->response->status ? r->response->status : 200);
            break;
        case 't':
            put_time(&o, f, op, r->start_us);
            break;
        case 'T':
            put_time(&o, f, op, r->end_us);
            break;
        case 'u':
            put_esc(&o, i ? i->user : NULL);
            break;
        default:
            break;
        }
    }
    line[o.n] = '\n';
    return o.n + 1;
}
