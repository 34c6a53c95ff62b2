/*
 * A passive, incremental FastCGI record-stream parser for the preload library.
 *
 * It is fed the bytes a worker itself received from (or sent to) a connection, in whatever pieces
 * the reads/writes happened to return, and reports the few events the scoreboard needs. It never
 * allocates, never calls libc, keeps every field in fixed buffers and never reads or writes out of
 * bounds whatever bytes it is fed: garbage (for example plain HTTP) just makes it give up on the
 * stream ("dead") at the first byte that cannot be FastCGI.
 */
#ifndef JFPM_FCGI_H
#define JFPM_FCGI_H

#include <stddef.h>
#include <stdint.h>

#include "jfpm_scoreboard.h"

/* Which side of the connection a stream parser sees. */
#define JFPM_FCGI_INPUT 0  /* web server -> application: BEGIN_REQUEST, PARAMS, STDIN, ... */
#define JFPM_FCGI_OUTPUT 1 /* application -> web server: STDOUT, STDERR, END_REQUEST, ... */

/* Events, reported one at a time by jfpm_fcgi_feed(). */
#define JFPM_FCGI_EV_NONE 0
#define JFPM_FCGI_EV_BEGIN 1       /* input: a BEGIN_REQUEST record (a new request; info was cleared) */
#define JFPM_FCGI_EV_PARAMS_END 2  /* input: the empty PARAMS record; info is complete */
#define JFPM_FCGI_EV_END_REQUEST 3 /* output: an END_REQUEST record header */
#define JFPM_FCGI_EV_NOT_FASTCGI 4 /* the stream is not (or no longer) FastCGI; reported once */

/* FastCGI record types (FastCGI specification 1.0, section 8). */
#define JFPM_FCGI_BEGIN_REQUEST 1
#define JFPM_FCGI_ABORT_REQUEST 2
#define JFPM_FCGI_END_REQUEST 3
#define JFPM_FCGI_PARAMS 4
#define JFPM_FCGI_STDIN 5
#define JFPM_FCGI_STDOUT 6
#define JFPM_FCGI_STDERR 7
#define JFPM_FCGI_DATA 8
#define JFPM_FCGI_GET_VALUES 9
#define JFPM_FCGI_GET_VALUES_RESULT 10
#define JFPM_FCGI_UNKNOWN_TYPE 11

#define JFPM_FCGI_KEEP_CONN 1 /* BEGIN_REQUEST flags */

/*
 * Extra values the access log asks for: FastCGI params (%{NAME}e) on the input side, response
 * headers (%{Name}o) on the output side. Names are matched exactly (params) or without regard
 * to ASCII case (headers); values are kept up to JFPM_FCGI_WANTED_VALUE_SIZE bytes.
 */
#define JFPM_FCGI_MAX_WANTED 8
#define JFPM_FCGI_WANTED_NAME_SIZE 64   /* names up to 63 bytes */
#define JFPM_FCGI_WANTED_VALUE_SIZE 256

typedef struct jfpm_fcgi_wanted {
    uint8_t count;
    uint8_t len[JFPM_FCGI_MAX_WANTED];
    char name[JFPM_FCGI_MAX_WANTED][JFPM_FCGI_WANTED_NAME_SIZE];
} jfpm_fcgi_wanted;

typedef struct jfpm_fcgi_values {
    uint8_t set[JFPM_FCGI_MAX_WANTED];  /* the param/header was present (possibly empty) */
    char value[JFPM_FCGI_MAX_WANTED][JFPM_FCGI_WANTED_VALUE_SIZE + 1];
} jfpm_fcgi_values;

/*
 * The response head as the output parser saw it in the STDOUT records of the current response (CGI
 * headers up to the first empty line): the Status header's code, 0 when there was none (the
 * application's default, 200), and the wanted headers.
 */
typedef struct jfpm_fcgi_response {
    uint16_t status;
    jfpm_fcgi_values headers;
} jfpm_fcgi_response;

/*
 * The request information gathered from PARAMS. Each string holds at most the scoreboard field's
 * size in bytes plus a NUL: one byte more than the field keeps, so that jfpm_sb_copy_str() can see
 * that a value was cut and drop a split UTF-8 sequence.
 */
typedef struct jfpm_fcgi_info {
    char method[JFPM_SB_METHOD_SIZE + 1];
    char uri[JFPM_SB_URI_SIZE + 1];     /* REQUEST_URI up to '?' (SCRIPT_NAME when there is none) */
    char query[JFPM_SB_QUERY_SIZE + 1];
    char script[JFPM_SB_SCRIPT_SIZE + 1];
    char user[JFPM_SB_USER_SIZE + 1];
    uint64_t content_length;            /* 0 when absent or not a decimal number */
    uint8_t keep_conn;                  /* BEGIN_REQUEST had FCGI_KEEP_CONN */
    jfpm_fcgi_values vars;              /* the wanted params (jfpm_fcgi_want), in the order asked */
} jfpm_fcgi_info;

typedef struct jfpm_fcgi_stream {
    uint8_t direction;
    uint8_t dead;          /* gave up on this stream; jfpm_fcgi_feed() consumes everything silently */
    uint8_t dead_reported;
    uint8_t records;       /* records seen, saturating at 255 */
    uint8_t hdr[8];        /* the record header being assembled */
    uint8_t hdr_len;
    uint8_t type;          /* the current record's type while content/padding remain */
    uint8_t in_record;     /* header complete, content/padding of `type` still to come */
    uint8_t begin_body_len;
    uint32_t content_left;
    uint32_t padding_left;
    /* PARAMS name-value pair decoder (the pair stream spans records) */
    uint8_t nv_state;
    uint8_t nv_len_buf[4];
    uint8_t nv_len_have;
    uint8_t nv_target;
    uint8_t nv_value_stop; /* stop copying the value (REQUEST_URI at '?') */
    uint8_t uri_from_request_uri;
    uint8_t cl_valid;
    uint32_t nv_name_len;
    uint32_t nv_value_len;
    uint32_t nv_have;
    uint32_t nv_value_used;
    uint8_t nv_var;        /* 1 + index of the wanted param being copied, 0 for none */
    uint32_t nv_var_used;
    char nv_name[JFPM_FCGI_WANTED_NAME_SIZE]; /* long enough for every name we keep or are asked for */
    jfpm_fcgi_info info;
    /* the wanted params (input) or headers (output); NULL = none. Not owned, must outlive the stream */
    const jfpm_fcgi_wanted *wanted;
    /* output: the response head scanner (STDOUT content up to the empty line) */
    uint8_t rs_state;
    uint8_t rs_reset;      /* an END_REQUEST was seen: the next STDOUT starts a new response */
    uint8_t rs_name_len;   /* bytes of the header name so far; > sizeof rs_name = too long */
    uint8_t rs_target;     /* 0 none, 1 Status, 2 + i wanted header i */
    uint8_t rs_lead;       /* skipping the blanks after the colon */
    uint8_t rs_digits;
    uint16_t rs_code;
    uint16_t rs_value_used;
    uint32_t rs_bytes;     /* head bytes scanned (gives up after JFPM_FCGI_MAX_HEAD) */
    char rs_name[JFPM_FCGI_WANTED_NAME_SIZE];
    jfpm_fcgi_response response;
} jfpm_fcgi_stream;

/* The longest response head scanned for Status and the wanted headers. */
#define JFPM_FCGI_MAX_HEAD 65536

/* Resets a stream for a new connection. */
void jfpm_fcgi_init(jfpm_fcgi_stream *p, int direction);

/*
 * The params (input) or response headers (output) to keep besides the scoreboard's; NULL for none.
 * Call after jfpm_fcgi_init(); the table is read, never written, and must outlive the stream.
 */
void jfpm_fcgi_want(jfpm_fcgi_stream *p, const jfpm_fcgi_wanted *wanted);

/* Marks the stream dead (bytes were missed, so record boundaries are unknown). No event is reported. */
void jfpm_fcgi_abandon(jfpm_fcgi_stream *p);

/*
 * Consumes bytes up to and including the next event and returns how many it consumed (all n when
 * no event occurs); *event receives the event or JFPM_FCGI_EV_NONE. Call it in a loop until n bytes
 * are consumed. p->info is valid after JFPM_FCGI_EV_PARAMS_END until the next event. On the output
 * side p->response describes the current response until the first STDOUT record after its END_REQUEST.
 */
size_t jfpm_fcgi_feed(jfpm_fcgi_stream *p, const uint8_t *buf, size_t n, int *event);

#endif /* JFPM_FCGI_H */
