/*
 * jfpm scoreboard, layout v1: the C mirror of org.jfpm.scoreboard.ScoreboardLayout.
 * See docs/scoreboard-format.md. Plain C11 + GCC/Clang __atomic builtins, no libc calls,
 * no allocation: every helper here is async-signal-safe and usable from an LD_PRELOAD library.
 *
 * File: {dir}/jfpm-{pool}.scoreboard, size = JFPM_SB_HEADER_SIZE + slot_count * JFPM_SB_SLOT_SIZE.
 * All integers are native-order uint64 words at 8-byte-aligned offsets; strings are UTF-8,
 * NUL-padded fixed-size fields that always hold at least one NUL.
 *
 * Worker-side protocol (the master only writes a slot while no worker is attached):
 *   jfpm_sb_validate()        check the mapped file before touching it
 *   jfpm_sb_attach()          once, after mapping: publishes getpid()
 *   jfpm_sb_accepting()       before blocking in accept(): closes the open request, if any
 *   jfpm_sb_accepted()        accept() returned a connection (also bumps the header's accepted_conn)
 *   jfpm_sb_request_info()    the request's method/uri/query/script/content length/user
 *   jfpm_sb_executing()       the application starts running the request
 *   jfpm_sb_finished()        optional explicit end of the request (jfpm_sb_accepting() does it too)
 * Times are microseconds since the Unix epoch (CLOCK_REALTIME), CPU times are process
 * user+system microseconds, memory is bytes; the caller measures them (clock_gettime and
 * getrusage are async-signal-safe) so that this header needs no system calls.
 */
#ifndef JFPM_SCOREBOARD_H
#define JFPM_SCOREBOARD_H

#include <stddef.h>
#include <stdint.h>

#define JFPM_SB_MAGIC UINT64_C(0x314243534D50464A) /* bytes "JFPMSCB1" in little-endian order */
#define JFPM_SB_VERSION UINT64_C(1)
#define JFPM_SB_HEADER_SIZE 4096
#define JFPM_SB_SLOT_SIZE 2048

#define JFPM_SB_POOL_NAME_SIZE 64
#define JFPM_SB_METHOD_SIZE 16
#define JFPM_SB_URI_SIZE 512
#define JFPM_SB_QUERY_SIZE 512
#define JFPM_SB_SCRIPT_SIZE 512
#define JFPM_SB_USER_SIZE 64

/* pm_mode */
#define JFPM_SB_PM_STATIC 1
#define JFPM_SB_PM_DYNAMIC 2
#define JFPM_SB_PM_ONDEMAND 3

/* accounting */
#define JFPM_SB_ACCOUNTING_NONE 0
#define JFPM_SB_ACCOUNTING_SDK 1
#define JFPM_SB_ACCOUNTING_PRELOAD 2

/* slot stage: PHP-FPM's fpm_request.h codes, plus 0 = spawned but not yet in accept() */
#define JFPM_SB_STAGE_STARTING 0
#define JFPM_SB_STAGE_ACCEPTING 1
#define JFPM_SB_STAGE_READING_HEADERS 2
#define JFPM_SB_STAGE_INFO 3
#define JFPM_SB_STAGE_FINISHED 4
#define JFPM_SB_STAGE_EXECUTING 5
#define JFPM_SB_STAGE_END 6

/* jfpm_sb_validate() results */
#define JFPM_SB_OK 0
#define JFPM_SB_ERR_TRUNCATED (-1)
#define JFPM_SB_ERR_MAGIC (-2)
#define JFPM_SB_ERR_VERSION (-3)   /* includes 0 = not ready */
#define JFPM_SB_ERR_GEOMETRY (-4)  /* header_size/slot_size/slots_offset/slot_count vs file size */
#define JFPM_SB_ERR_SLOT (-5)      /* slot index >= slot_count */

typedef struct jfpm_sb_header {
    uint64_t magic;                /*    0 */
    uint64_t version;              /*    8  written last, release; 0 = not ready */
    uint64_t header_size;          /*   16 */
    uint64_t slot_size;            /*   24 */
    uint64_t slot_count;           /*   32 */
    uint64_t slots_offset;         /*   40 */
    uint64_t master_pid;           /*   48 */
    uint64_t start_time_us;        /*   56 */
    uint64_t heartbeat_us;         /*   64 */
    uint64_t pm_mode;              /*   72 */
    uint64_t accounting;           /*   80 */
    uint64_t max_children;         /*   88 */
    uint64_t accepted_conn;        /*   96  atomic fetch-add by workers */
    uint64_t max_children_reached; /*  104 */
    uint64_t slow_requests;        /*  112 */
    uint64_t terminated_requests;  /*  120 */
    uint64_t max_active_processes; /*  128 */
    uint64_t listen_queue;         /*  136 */
    uint64_t max_listen_queue;     /*  144 */
    uint64_t listen_queue_len;     /*  152 */
    uint64_t generation;           /*  160 */
    uint64_t active_requests;      /*  168  workers in a request now: atomic +1/-1 by workers, re-counted by the master */
    uint64_t reserved1[10];        /*  176..255 */
    char pool_name[JFPM_SB_POOL_NAME_SIZE]; /* 256 */
    uint8_t reserved2[3776];       /*  320..4095 */
} jfpm_sb_header;

typedef struct jfpm_sb_slot {
    uint64_t seq;                  /*    0  seqlock: odd while a write is in progress */
    uint64_t in_use;               /*    8  master */
    uint64_t generation;           /*   16  master */
    uint64_t start_time_us;        /*   24  master */
    uint64_t pid;                  /*   32  worker, from here on */
    uint64_t stage;                /*   40 */
    uint64_t accepted_us;          /*   48 */
    uint64_t last_activity_us;     /*   56 */
    uint64_t requests;             /*   64 */
    uint64_t duration_us;          /*   72 */
    uint64_t content_length;       /*   80 */
    uint64_t cpu_us;               /*   88 */
    uint64_t memory;               /*   96 */
    uint64_t req_cpu_start_us;     /*  104  worker-private */
    uint64_t reserved1[2];         /*  112..127 */
    char method[JFPM_SB_METHOD_SIZE]; /* 128 */
    char uri[JFPM_SB_URI_SIZE];       /* 144 */
    char query[JFPM_SB_QUERY_SIZE];   /* 656 */
    char script[JFPM_SB_SCRIPT_SIZE]; /* 1168 */
    char user[JFPM_SB_USER_SIZE];     /* 1680 */
    uint8_t reserved2[304];        /* 1744..2047 */
} jfpm_sb_slot;

_Static_assert(sizeof(jfpm_sb_header) == JFPM_SB_HEADER_SIZE, "header size");
_Static_assert(offsetof(jfpm_sb_header, magic) == 0, "magic");
_Static_assert(offsetof(jfpm_sb_header, version) == 8, "version");
_Static_assert(offsetof(jfpm_sb_header, header_size) == 16, "header_size");
_Static_assert(offsetof(jfpm_sb_header, slot_size) == 24, "slot_size");
_Static_assert(offsetof(jfpm_sb_header, slot_count) == 32, "slot_count");
_Static_assert(offsetof(jfpm_sb_header, slots_offset) == 40, "slots_offset");
_Static_assert(offsetof(jfpm_sb_header, master_pid) == 48, "master_pid");
_Static_assert(offsetof(jfpm_sb_header, start_time_us) == 56, "start_time_us");
_Static_assert(offsetof(jfpm_sb_header, heartbeat_us) == 64, "heartbeat_us");
_Static_assert(offsetof(jfpm_sb_header, pm_mode) == 72, "pm_mode");
_Static_assert(offsetof(jfpm_sb_header, accounting) == 80, "accounting");
_Static_assert(offsetof(jfpm_sb_header, max_children) == 88, "max_children");
_Static_assert(offsetof(jfpm_sb_header, accepted_conn) == 96, "accepted_conn");
_Static_assert(offsetof(jfpm_sb_header, max_children_reached) == 104, "max_children_reached");
_Static_assert(offsetof(jfpm_sb_header, slow_requests) == 112, "slow_requests");
_Static_assert(offsetof(jfpm_sb_header, terminated_requests) == 120, "terminated_requests");
_Static_assert(offsetof(jfpm_sb_header, max_active_processes) == 128, "max_active_processes");
_Static_assert(offsetof(jfpm_sb_header, listen_queue) == 136, "listen_queue");
_Static_assert(offsetof(jfpm_sb_header, max_listen_queue) == 144, "max_listen_queue");
_Static_assert(offsetof(jfpm_sb_header, listen_queue_len) == 152, "listen_queue_len");
_Static_assert(offsetof(jfpm_sb_header, generation) == 160, "generation");
_Static_assert(offsetof(jfpm_sb_header, active_requests) == 168, "active_requests");
_Static_assert(offsetof(jfpm_sb_header, pool_name) == 256, "pool_name");

_Static_assert(sizeof(jfpm_sb_slot) == JFPM_SB_SLOT_SIZE, "slot size");
_Static_assert(offsetof(jfpm_sb_slot, seq) == 0, "seq");
_Static_assert(offsetof(jfpm_sb_slot, in_use) == 8, "in_use");
_Static_assert(offsetof(jfpm_sb_slot, generation) == 16, "slot generation");
_Static_assert(offsetof(jfpm_sb_slot, start_time_us) == 24, "slot start_time_us");
_Static_assert(offsetof(jfpm_sb_slot, pid) == 32, "pid");
_Static_assert(offsetof(jfpm_sb_slot, stage) == 40, "stage");
_Static_assert(offsetof(jfpm_sb_slot, accepted_us) == 48, "accepted_us");
_Static_assert(offsetof(jfpm_sb_slot, last_activity_us) == 56, "last_activity_us");
_Static_assert(offsetof(jfpm_sb_slot, requests) == 64, "requests");
_Static_assert(offsetof(jfpm_sb_slot, duration_us) == 72, "duration_us");
_Static_assert(offsetof(jfpm_sb_slot, content_length) == 80, "content_length");
_Static_assert(offsetof(jfpm_sb_slot, cpu_us) == 88, "cpu_us");
_Static_assert(offsetof(jfpm_sb_slot, memory) == 96, "memory");
_Static_assert(offsetof(jfpm_sb_slot, req_cpu_start_us) == 104, "req_cpu_start_us");
_Static_assert(offsetof(jfpm_sb_slot, method) == 128, "method");
_Static_assert(offsetof(jfpm_sb_slot, uri) == 144, "uri");
_Static_assert(offsetof(jfpm_sb_slot, query) == 656, "query");
_Static_assert(offsetof(jfpm_sb_slot, script) == 1168, "script");
_Static_assert(offsetof(jfpm_sb_slot, user) == 1680, "user");

#define JFPM_SB_FILE_SIZE(slot_count) \
    ((uint64_t)JFPM_SB_HEADER_SIZE + (uint64_t)(slot_count) * (uint64_t)JFPM_SB_SLOT_SIZE)

/* ---- plain accessors (relaxed atomics, so that concurrent readers never see a torn word) ---- */

static inline uint64_t jfpm_sb_load(const uint64_t *p) {
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void jfpm_sb_store(uint64_t *p, uint64_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/*
 * Checks a mapping of file_size bytes before a worker writes slot `slot`:
 * magic, version (acquire: pairs with the master's release store), geometry, index.
 */
static inline int jfpm_sb_validate(const void *base, uint64_t file_size, uint64_t slot) {
    const jfpm_sb_header *h = (const jfpm_sb_header *)base;
    if (file_size < JFPM_SB_HEADER_SIZE) return JFPM_SB_ERR_TRUNCATED;
    uint64_t version = __atomic_load_n(&h->version, __ATOMIC_ACQUIRE);
    if (h->magic != JFPM_SB_MAGIC) return JFPM_SB_ERR_MAGIC;
    if (version != JFPM_SB_VERSION) return JFPM_SB_ERR_VERSION;
    uint64_t count = h->slot_count;
    if (h->header_size != JFPM_SB_HEADER_SIZE || h->slot_size != JFPM_SB_SLOT_SIZE
            || h->slots_offset != JFPM_SB_HEADER_SIZE
            || count > (file_size - JFPM_SB_HEADER_SIZE) / JFPM_SB_SLOT_SIZE) {
        return JFPM_SB_ERR_GEOMETRY;
    }
    if (slot >= count) return JFPM_SB_ERR_SLOT;
    return JFPM_SB_OK;
}

/* The slot at index i (unchecked: call jfpm_sb_validate() first). */
static inline jfpm_sb_slot *jfpm_sb_slot_at(void *base, uint64_t i) {
    return (jfpm_sb_slot *)((char *)base + JFPM_SB_HEADER_SIZE + i * JFPM_SB_SLOT_SIZE);
}

/* ---- seqlock (single writer per slot) ---- */

/*
 * Makes seq odd, then orders that store before every later store of the write; returns the odd value.
 * An even seq goes to seq + 1. An odd seq was left by a writer that died mid-write (or was exec'd
 * over): it goes to seq + 2, still odd and different, so that readers keep retrying while this write
 * runs and then see a value no earlier copy had (adding 1 would make it even mid-write, and readers
 * would accept a torn copy). Mirrors SlotSeqlock.beginWrite.
 */
static inline uint64_t jfpm_sb_write_begin(jfpm_sb_slot *s) {
    uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
    uint64_t odd = (seq & 1) ? seq + 2 : seq + 1;
    __atomic_store_n(&s->seq, odd, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    return odd;
}

/*
 * Makes seq even again, publishing every store of the write (release): the odd value of the
 * write plus one, so that the slot always ends a write even, whatever seq held before.
 */
static inline void jfpm_sb_write_end(jfpm_sb_slot *s) {
    uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
    __atomic_store_n(&s->seq, (seq | 1) + 1, __ATOMIC_RELEASE);
}

/* The header's accepted_conn += 1, shared by every worker of the pool. */
static inline void jfpm_sb_accepted_conn_inc(void *base) {
    __atomic_fetch_add(&((jfpm_sb_header *)base)->accepted_conn, 1, __ATOMIC_RELAXED);
}

/*
 * Copies at most cap-1 bytes of src (len bytes, or up to its NUL when len == (size_t)-1) into
 * the field dst[cap], cutting back so that no UTF-8 sequence is split, and NUL-fills the rest
 * of the field so that no byte of a previous, longer value survives. src may be NULL (empty).
 * Call between jfpm_sb_write_begin() and jfpm_sb_write_end().
 */
static inline void jfpm_sb_copy_str(char *dst, size_t cap, const char *src, size_t len) {
    size_t n = 0;
    if (cap == 0) return;
    if (src != NULL) {
        while (n < cap - 1 && n < len && src[n] != '\0') n++;
        if (n == cap - 1 && n < len && src[n] != '\0') {
            /* truncated: drop a trailing incomplete sequence (the byte at n continues it) */
            while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
        }
    }
    volatile char *d = dst;
    for (size_t i = 0; i < n; i++) d[i] = src[i];
    for (size_t i = n; i < cap; i++) d[i] = '\0';
}

#define JFPM_SB_COPY_CSTR(field, src) jfpm_sb_copy_str((field), sizeof(field), (src), (size_t)-1)

/*
 * The header's active_requests: a worker adds 1 when a request opens and subtracts 1 when it
 * closes, and raises max_active_processes to the new count, so that the high-water mark sees
 * bursts shorter than the master's sampling. The master re-counts active_requests from the slots
 * every second (a worker killed in a request never subtracts); the count never goes below 0.
 */
static inline void jfpm_sb__active_inc(void *base) {
    jfpm_sb_header *h = (jfpm_sb_header *)base;
    uint64_t now = __atomic_add_fetch(&h->active_requests, 1, __ATOMIC_RELAXED);
    uint64_t max = __atomic_load_n(&h->max_active_processes, __ATOMIC_RELAXED);
    while (now > max && !__atomic_compare_exchange_n(&h->max_active_processes, &max, now, 1,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

static inline void jfpm_sb__active_dec(void *base) {
    jfpm_sb_header *h = (jfpm_sb_header *)base;
    uint64_t cur = __atomic_load_n(&h->active_requests, __ATOMIC_RELAXED);
    while (cur > 0 && !__atomic_compare_exchange_n(&h->active_requests, &cur, cur - 1, 1,
                                                   __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

/* ---- worker stage transitions (each one is a complete seqlock write) ---- */

/* A request is open from accepted() until finished()/accepting(). */
static inline int jfpm_sb_request_open(uint64_t stage) {
    return stage == JFPM_SB_STAGE_READING_HEADERS || stage == JFPM_SB_STAGE_INFO
            || stage == JFPM_SB_STAGE_EXECUTING;
}

static inline void jfpm_sb__close_request(jfpm_sb_slot *s, uint64_t now_us, uint64_t cpu_now_us,
                                          uint64_t memory_bytes) {
    uint64_t accepted = jfpm_sb_load(&s->accepted_us);
    uint64_t cpu_start = jfpm_sb_load(&s->req_cpu_start_us);
    jfpm_sb_store(&s->duration_us, now_us > accepted ? now_us - accepted : 0);
    jfpm_sb_store(&s->cpu_us, cpu_now_us > cpu_start ? cpu_now_us - cpu_start : 0);
    jfpm_sb_store(&s->memory, memory_bytes);
}

/* Once after mapping: the worker's pid. The stage stays STARTING until the first accepting(). */
static inline void jfpm_sb_attach(jfpm_sb_slot *s, uint64_t pid, uint64_t now_us) {
    jfpm_sb_write_begin(s);
    jfpm_sb_store(&s->pid, pid);
    jfpm_sb_store(&s->last_activity_us, now_us);
    jfpm_sb_write_end(s);
}

/* Before accept(): closes the open request (duration, cpu, memory), stage = ACCEPTING. */
static inline void jfpm_sb_accepting(void *base, jfpm_sb_slot *s, uint64_t now_us, uint64_t cpu_now_us,
                                     uint64_t memory_bytes) {
    int was_open = jfpm_sb_request_open(jfpm_sb_load(&s->stage));
    jfpm_sb_write_begin(s);
    if (was_open) {
        jfpm_sb__close_request(s, now_us, cpu_now_us, memory_bytes);
    }
    jfpm_sb_store(&s->stage, JFPM_SB_STAGE_ACCEPTING);
    jfpm_sb_store(&s->last_activity_us, now_us);
    jfpm_sb_write_end(s);
    if (was_open) {
        jfpm_sb__active_dec(base);
    }
}

/* accept() returned: stage = READING_HEADERS, a new request with cleared info; accepted_conn += 1. */
static inline void jfpm_sb_accepted(void *base, jfpm_sb_slot *s, uint64_t now_us, uint64_t cpu_now_us) {
    jfpm_sb_write_begin(s);
    jfpm_sb_store(&s->stage, JFPM_SB_STAGE_READING_HEADERS);
    jfpm_sb_store(&s->accepted_us, now_us);
    jfpm_sb_store(&s->last_activity_us, now_us);
    jfpm_sb_store(&s->requests, jfpm_sb_load(&s->requests) + 1);
    jfpm_sb_store(&s->duration_us, 0);
    jfpm_sb_store(&s->content_length, 0);
    jfpm_sb_store(&s->req_cpu_start_us, cpu_now_us);
    jfpm_sb_copy_str(s->method, sizeof s->method, NULL, 0);
    jfpm_sb_copy_str(s->uri, sizeof s->uri, NULL, 0);
    jfpm_sb_copy_str(s->query, sizeof s->query, NULL, 0);
    jfpm_sb_copy_str(s->script, sizeof s->script, NULL, 0);
    jfpm_sb_copy_str(s->user, sizeof s->user, NULL, 0);
    jfpm_sb_write_end(s);
    jfpm_sb_accepted_conn_inc(base);
    jfpm_sb__active_inc(base);
}

/* The request's details (NUL-terminated strings, NULL = empty): stage = INFO. */
static inline void jfpm_sb_request_info(jfpm_sb_slot *s, uint64_t now_us, const char *method,
                                        const char *uri, const char *query, const char *script,
                                        uint64_t content_length, const char *user) {
    jfpm_sb_write_begin(s);
    jfpm_sb_store(&s->stage, JFPM_SB_STAGE_INFO);
    jfpm_sb_store(&s->last_activity_us, now_us);
    jfpm_sb_store(&s->content_length, content_length);
    JFPM_SB_COPY_CSTR(s->method, method);
    JFPM_SB_COPY_CSTR(s->uri, uri);
    JFPM_SB_COPY_CSTR(s->query, query);
    JFPM_SB_COPY_CSTR(s->script, script);
    JFPM_SB_COPY_CSTR(s->user, user);
    jfpm_sb_write_end(s);
}

/* The application runs the request: stage = EXECUTING. */
static inline void jfpm_sb_executing(jfpm_sb_slot *s, uint64_t now_us) {
    jfpm_sb_write_begin(s);
    jfpm_sb_store(&s->stage, JFPM_SB_STAGE_EXECUTING);
    jfpm_sb_store(&s->last_activity_us, now_us);
    jfpm_sb_write_end(s);
}

/* Explicit end of the open request (no-op when none is open): stage = FINISHED. */
static inline void jfpm_sb_finished(void *base, jfpm_sb_slot *s, uint64_t now_us, uint64_t cpu_now_us,
                                    uint64_t memory_bytes) {
    if (!jfpm_sb_request_open(jfpm_sb_load(&s->stage))) return;
    jfpm_sb_write_begin(s);
    jfpm_sb__close_request(s, now_us, cpu_now_us, memory_bytes);
    jfpm_sb_store(&s->stage, JFPM_SB_STAGE_FINISHED);
    jfpm_sb_store(&s->last_activity_us, now_us);
    jfpm_sb_write_end(s);
    jfpm_sb__active_dec(base);
}

#endif /* JFPM_SCOREBOARD_H */
