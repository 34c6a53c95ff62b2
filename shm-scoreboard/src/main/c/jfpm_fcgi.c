/* Passive FastCGI record-stream parser: see jfpm_fcgi.h. */
#include "jfpm_fcgi.h"

#define NV_NAME_LEN 0
#define NV_VALUE_LEN 1
#define NV_NAME 2
#define NV_VALUE 3

#define T_NONE 0
#define T_METHOD 1
#define T_REQUEST_URI 2
#define T_SCRIPT_NAME 3
#define T_QUERY 4
#define T_SCRIPT 5
#define T_USER 6
#define T_CONTENT_LENGTH 7

/* response head scanner states */
#define RS_NAME 0
#define RS_VALUE 1
#define RS_DONE 2
#define RS_NAME_TOO_LONG 255

static void zero(void *p, size_t n) {
    volatile uint8_t *b = p;
    for (size_t i = 0; i < n; i++) b[i] = 0;
}

void jfpm_fcgi_init(jfpm_fcgi_stream *p, int direction) {
    zero(p, sizeof *p);
    p->direction = (uint8_t)direction;
}

void jfpm_fcgi_want(jfpm_fcgi_stream *p, const jfpm_fcgi_wanted *wanted) {
    p->wanted = wanted;
}

void jfpm_fcgi_abandon(jfpm_fcgi_stream *p) {
    p->dead = 1;
    p->dead_reported = 1;
}

static int type_allowed(const jfpm_fcgi_stream *p, uint8_t type) {
    if (p->direction == JFPM_FCGI_INPUT) {
        return type == JFPM_FCGI_BEGIN_REQUEST || type == JFPM_FCGI_ABORT_REQUEST || type == JFPM_FCGI_PARAMS
                || type == JFPM_FCGI_STDIN || type == JFPM_FCGI_DATA || type == JFPM_FCGI_GET_VALUES;
    }
    return type == JFPM_FCGI_END_REQUEST || type == JFPM_FCGI_STDOUT || type == JFPM_FCGI_STDERR
            || type == JFPM_FCGI_GET_VALUES_RESULT || type == JFPM_FCGI_UNKNOWN_TYPE;
}

static int name_is(const jfpm_fcgi_stream *p, const char *name) {
    uint32_t i = 0;
    for (; name[i] != '\0'; i++) {
        if (i >= p->nv_name_len || p->nv_name[i] != name[i]) return 0;
    }
    return i == p->nv_name_len;
}

/* 1 + the index of the wanted param named like the current pair, 0 for none. */
static uint8_t resolve_var(const jfpm_fcgi_stream *p) {
    const jfpm_fcgi_wanted *w = p->wanted;
    if (w == NULL || p->nv_name_len >= sizeof p->nv_name) return 0;
    for (uint8_t k = 0; k < w->count && k < JFPM_FCGI_MAX_WANTED; k++) {
        if (w->len[k] != p->nv_name_len) continue;
        uint32_t i = 0;
        while (i < p->nv_name_len && p->nv_name[i] == w->name[k][i]) i++;
        if (i == p->nv_name_len) return (uint8_t)(k + 1);
    }
    return 0;
}

static uint8_t resolve_target(jfpm_fcgi_stream *p) {
    if (p->nv_name_len >= sizeof p->nv_name) return T_NONE;
    if (name_is(p, "REQUEST_METHOD")) return T_METHOD;
    if (name_is(p, "REQUEST_URI")) return T_REQUEST_URI;
    if (name_is(p, "SCRIPT_NAME")) return p->uri_from_request_uri ? T_NONE : T_SCRIPT_NAME;
    if (name_is(p, "QUERY_STRING")) return T_QUERY;
    if (name_is(p, "SCRIPT_FILENAME")) return T_SCRIPT;
    if (name_is(p, "REMOTE_USER")) return T_USER;
    if (name_is(p, "CONTENT_LENGTH")) return T_CONTENT_LENGTH;
    return T_NONE;
}

/* The buffer of a string target and its capacity in bytes (excluding the NUL). */
static char *target_buffer(jfpm_fcgi_stream *p, uint8_t target, uint32_t *cap) {
    switch (target) {
    case T_METHOD: *cap = sizeof p->info.method - 1; return p->info.method;
    case T_REQUEST_URI:
    case T_SCRIPT_NAME: *cap = sizeof p->info.uri - 1; return p->info.uri;
    case T_QUERY: *cap = sizeof p->info.query - 1; return p->info.query;
    case T_SCRIPT: *cap = sizeof p->info.script - 1; return p->info.script;
    case T_USER: *cap = sizeof p->info.user - 1; return p->info.user;
    default: *cap = 0; return NULL;
    }
}

static void value_start(jfpm_fcgi_stream *p) {
    p->nv_target = resolve_target(p);
    p->nv_value_used = 0;
    p->nv_value_stop = 0;
    if (p->nv_target == T_REQUEST_URI) p->uri_from_request_uri = 1;
    if (p->nv_target == T_CONTENT_LENGTH) {
        p->info.content_length = 0;
        p->cl_valid = 1;
    }
    uint32_t cap;
    char *buf = target_buffer(p, p->nv_target, &cap);
    if (buf != NULL) buf[0] = '\0';
    p->nv_var = resolve_var(p);
    p->nv_var_used = 0;
    if (p->nv_var) {
        p->info.vars.set[p->nv_var - 1] = 1;
        p->info.vars.value[p->nv_var - 1][0] = '\0';
    }
}

static void value_end(jfpm_fcgi_stream *p) {
    if (p->nv_target == T_CONTENT_LENGTH && (!p->cl_valid || p->nv_value_len == 0)) {
        p->info.content_length = 0;
    }
    p->nv_target = T_NONE;
    p->nv_var = 0;
    p->nv_state = NV_NAME_LEN;
}

static void value_bytes(jfpm_fcgi_stream *p, const uint8_t *b, uint32_t n) {
    if (p->nv_var) {
        char *v = p->info.vars.value[p->nv_var - 1];
        for (uint32_t i = 0; i < n && p->nv_var_used < JFPM_FCGI_WANTED_VALUE_SIZE; i++) {
            v[p->nv_var_used++] = (char)b[i];
        }
        v[p->nv_var_used] = '\0';
    }
    if (p->nv_target == T_NONE) return;
    if (p->nv_target == T_CONTENT_LENGTH) {
        for (uint32_t i = 0; i < n && p->cl_valid; i++) {
            uint64_t v = p->info.content_length;
            if (b[i] < '0' || b[i] > '9' || v > (UINT64_MAX - (uint64_t)(b[i] - '0')) / 10) {
                p->cl_valid = 0;
            } else {
                p->info.content_length = v * 10 + (uint64_t)(b[i] - '0');
            }
        }
        return;
    }
    uint32_t cap;
    char *buf = target_buffer(p, p->nv_target, &cap);
    for (uint32_t i = 0; i < n && !p->nv_value_stop && p->nv_value_used < cap; i++) {
        if (p->nv_target == T_REQUEST_URI && b[i] == '?') {
            p->nv_value_stop = 1;
            break;
        }
        buf[p->nv_value_used++] = (char)b[i];
    }
    buf[p->nv_value_used] = '\0';
}

/* A name-value pair stream (the PARAMS records' content, concatenated). */
static void nv_feed(jfpm_fcgi_stream *p, const uint8_t *b, uint32_t n) {
    uint32_t i = 0;
    while (i < n) {
        if (p->nv_state == NV_NAME_LEN || p->nv_state == NV_VALUE_LEN) {
            uint8_t c = b[i++];
            uint32_t len;
            if (p->nv_len_have == 0 && c < 0x80) {
                len = c;
            } else {
                p->nv_len_buf[p->nv_len_have++] = c;
                if (p->nv_len_have < 4) continue;
                len = ((uint32_t)(p->nv_len_buf[0] & 0x7f) << 24) | ((uint32_t)p->nv_len_buf[1] << 16)
                        | ((uint32_t)p->nv_len_buf[2] << 8) | p->nv_len_buf[3];
            }
            p->nv_len_have = 0;
            if (p->nv_state == NV_NAME_LEN) {
                p->nv_name_len = len;
                p->nv_state = NV_VALUE_LEN;
                continue;
            }
            p->nv_value_len = len;
            p->nv_have = 0;
            p->nv_state = NV_NAME;
        } else if (p->nv_state == NV_NAME) {
            uint32_t take = p->nv_name_len - p->nv_have;
            if (take > n - i) take = n - i;
            for (uint32_t k = 0; k < take; k++) {
                uint32_t at = p->nv_have + k;
                if (at < sizeof p->nv_name) p->nv_name[at] = (char)b[i + k];
            }
            p->nv_have += take;
            i += take;
        } else {
            uint32_t take = p->nv_value_len - p->nv_have;
            if (take > n - i) take = n - i;
            value_bytes(p, b + i, take);
            p->nv_have += take;
            i += take;
        }
        /* completions that need no further byte (also for zero lengths) */
        if (p->nv_state == NV_NAME && p->nv_have == p->nv_name_len) {
            p->nv_state = NV_VALUE;
            p->nv_have = 0;
            value_start(p);
        }
        if (p->nv_state == NV_VALUE && p->nv_have == p->nv_value_len) {
            value_end(p);
        }
    }
}

static void begin_request(jfpm_fcgi_stream *p) {
    zero(&p->info, sizeof p->info);
    p->nv_state = NV_NAME_LEN;
    p->nv_len_have = 0;
    p->nv_target = T_NONE;
    p->nv_var = 0;
    p->uri_from_request_uri = 0;
    p->begin_body_len = 0;
}

/* ---- the response head (output side): CGI headers in the STDOUT content, up to the empty line ---- */

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int name_is_ci(const char *name, uint32_t len, const char *want, uint32_t want_len) {
    if (len != want_len) return 0;
    for (uint32_t i = 0; i < len; i++) {
        if (lower(name[i]) != lower(want[i])) return 0;
    }
    return 1;
}

static void response_reset(jfpm_fcgi_stream *p) {
    zero(&p->response, sizeof p->response);
    p->rs_state = RS_NAME;
    p->rs_reset = 0;
    p->rs_name_len = 0;
    p->rs_target = 0;
    p->rs_bytes = 0;
}

/* The header name is complete (at the colon): what its value feeds. */
static void head_name_done(jfpm_fcgi_stream *p) {
    p->rs_target = 0;
    p->rs_lead = 1;
    p->rs_digits = 0;
    p->rs_code = 0;
    p->rs_value_used = 0;
    if (p->rs_name_len == RS_NAME_TOO_LONG) return;
    if (name_is_ci(p->rs_name, p->rs_name_len, "Status", 6)) {
        p->rs_target = 1;
        return;
    }
    const jfpm_fcgi_wanted *w = p->wanted;
    if (w == NULL) return;
    for (uint8_t k = 0; k < w->count && k < JFPM_FCGI_MAX_WANTED; k++) {
        if (name_is_ci(p->rs_name, p->rs_name_len, w->name[k], w->len[k]) && !p->response.headers.set[k]) {
            p->rs_target = (uint8_t)(k + 2);
            p->response.headers.set[k] = 1;
            p->response.headers.value[k][0] = '\0';
            return;
        }
    }
}

static void head_line_done(jfpm_fcgi_stream *p) {
    if (p->rs_state == RS_VALUE && p->rs_target == 1 && p->rs_digits == 3) {
        p->response.status = p->rs_code;
    }
    if (p->rs_state == RS_VALUE && p->rs_target >= 2) {
        /* drop trailing blanks */
        char *v = p->response.headers.value[p->rs_target - 2];
        while (p->rs_value_used > 0 && (v[p->rs_value_used - 1] == ' ' || v[p->rs_value_used - 1] == '\t')) {
            v[--p->rs_value_used] = '\0';
        }
    }
    p->rs_state = RS_NAME;
    p->rs_name_len = 0;
    p->rs_target = 0;
}

static void head_feed(jfpm_fcgi_stream *p, const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n && p->rs_state != RS_DONE; i++) {
        char c = (char)b[i];
        if (++p->rs_bytes > JFPM_FCGI_MAX_HEAD) {
            p->rs_state = RS_DONE;
            break;
        }
        if (c == '\r') continue;
        if (c == '\n') {
            if (p->rs_state == RS_NAME && p->rs_name_len == 0) {
                p->rs_state = RS_DONE; /* the empty line: the body follows */
            } else {
                head_line_done(p);
            }
            continue;
        }
        if (p->rs_state == RS_NAME) {
            if (c == ':') {
                head_name_done(p);
                p->rs_state = RS_VALUE;
            } else if (p->rs_name_len < sizeof p->rs_name) {
                p->rs_name[p->rs_name_len++] = c;
            } else {
                p->rs_name_len = RS_NAME_TOO_LONG;
            }
            continue;
        }
        /* RS_VALUE */
        if (p->rs_lead && (c == ' ' || c == '\t')) continue;
        p->rs_lead = 0;
        if (p->rs_target == 1) {
            int digit = c >= '0' && c <= '9';
            if (p->rs_digits < 3 && digit) {
                p->rs_code = (uint16_t)(p->rs_code * 10 + (uint16_t)(c - '0'));
                p->rs_digits++;
            } else if (p->rs_digits < 3 || (p->rs_digits == 3 && digit)) {
                p->rs_digits = 4; /* not a three-digit code */
            }
        } else if (p->rs_target >= 2 && p->rs_value_used < JFPM_FCGI_WANTED_VALUE_SIZE) {
            char *v = p->response.headers.value[p->rs_target - 2];
            v[p->rs_value_used++] = c;
            v[p->rs_value_used] = '\0';
        }
    }
}

static size_t die(jfpm_fcgi_stream *p, size_t consumed, int *event) {
    p->dead = 1;
    if (!p->dead_reported) {
        p->dead_reported = 1;
        *event = JFPM_FCGI_EV_NOT_FASTCGI;
    }
    return consumed;
}

/* A complete record header: validate, start the record, report header-time events. */
static int header_done(jfpm_fcgi_stream *p, int *event) {
    uint8_t type = p->hdr[1];
    uint32_t clen = ((uint32_t)p->hdr[4] << 8) | p->hdr[5];
    if (p->records == 0 && p->direction == JFPM_FCGI_INPUT && type != JFPM_FCGI_BEGIN_REQUEST
            && type != JFPM_FCGI_GET_VALUES) {
        return 0;
    }
    if ((type == JFPM_FCGI_BEGIN_REQUEST || type == JFPM_FCGI_END_REQUEST) && clen != 8) return 0;
    if (p->records < 255) p->records++;
    p->type = type;
    p->content_left = clen;
    p->padding_left = p->hdr[6];
    p->in_record = 1;
    if (type == JFPM_FCGI_BEGIN_REQUEST) {
        begin_request(p);
    } else if (type == JFPM_FCGI_PARAMS && clen == 0) {
        *event = JFPM_FCGI_EV_PARAMS_END;
    } else if (type == JFPM_FCGI_END_REQUEST) {
        p->rs_reset = 1; /* the response is complete; the next STDOUT is the next request's */
        *event = JFPM_FCGI_EV_END_REQUEST;
    } else if (type == JFPM_FCGI_STDOUT && p->rs_reset) {
        response_reset(p);
    }
    return 1;
}

size_t jfpm_fcgi_feed(jfpm_fcgi_stream *p, const uint8_t *buf, size_t n, int *event) {
    size_t i = 0;
    *event = JFPM_FCGI_EV_NONE;
    while (i < n) {
        if (p->dead) return n;
        if (!p->in_record) {
            uint8_t c = buf[i++];
            p->hdr[p->hdr_len++] = c;
            if (p->hdr_len == 1 && c != 1) return die(p, i, event);
            if (p->hdr_len == 2 && !type_allowed(p, c)) return die(p, i, event);
            if (p->hdr_len < 8) continue;
            p->hdr_len = 0;
            if (!header_done(p, event)) return die(p, i, event);
        } else if (p->content_left > 0) {
            size_t take = p->content_left;
            if (take > n - i) take = n - i;
            if (p->type == JFPM_FCGI_BEGIN_REQUEST) {
                for (size_t k = 0; k < take; k++) {
                    if (p->begin_body_len == 2) p->info.keep_conn = (buf[i + k] & JFPM_FCGI_KEEP_CONN) != 0;
                    p->begin_body_len++;
                }
                if (p->content_left == take) *event = JFPM_FCGI_EV_BEGIN;
            } else if (p->type == JFPM_FCGI_PARAMS) {
                nv_feed(p, buf + i, (uint32_t)take);
            } else if (p->type == JFPM_FCGI_STDOUT && p->direction == JFPM_FCGI_OUTPUT) {
                head_feed(p, buf + i, take);
            }
            p->content_left -= (uint32_t)take;
            i += take;
        } else {
            size_t take = p->padding_left;
            if (take > n - i) take = n - i;
            p->padding_left -= (uint32_t)take;
            i += take;
        }
        if (p->in_record && p->content_left == 0 && p->padding_left == 0) p->in_record = 0;
        if (*event != JFPM_FCGI_EV_NONE) return i;
    }
    return i;
}
