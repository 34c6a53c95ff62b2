/*
 * libjfpm-preload.so: scoreboard accounting for unmodified workers (php-cgi, Python, Perl, C).
 *
 * Loaded with LD_PRELOAD into a worker whose fd 0 is the pool's listening socket. At load it maps
 * the scoreboard, the sealed memfd on the inherited fd JFPM_SCOREBOARD_FD (then closes that fd and
 * drops the variable, so the program never sees either), or else the file JFPM_SCOREBOARD, and
 * claims slot JFPM_SLOT; when none is usable or the slot is invalid it stays inert (every hook is a plain pass-through). It then follows the worker's own
 * system calls, the way PHP-FPM's fpm_request.c follows its children:
 *
 *   accept/accept4 on fd 0, before  -> ACCEPTING (closes the previous request: duration, cpu, memory)
 *   accept/accept4 on fd 0, success -> READING_HEADERS, requests+1, accepted_conn+1; remembers the fd
 *   bytes read on that fd           -> parsed passively as FastCGI: BEGIN_REQUEST (on a kept-alive
 *                                      connection: a new request), PARAMS -> INFO + EXECUTING;
 *                                      not FastCGI -> EXECUTING at the first byte
 *   END_REQUEST written on that fd  -> FINISHED (duration, cpu, memory)
 *   close of that fd                -> FINISHED if the request is still open
 *
 * With an access log (JFPM_ACCESS_LOG_FD, an O_APPEND file the master opened), the end of each
 * request also writes one line in PHP-FPM's access.format (JFPM_ACCESS_FORMAT), with one write().
 *
 * Nothing a hook does changes what the worker sees: every real call runs with the worker's
 * arguments, its result and errno are returned untouched, and no hook allocates or blocks.
 * Slot writes happen only under a try-lock, so a second thread or a signal handler that enters a
 * hook while the first is inside one skips the bookkeeping instead of waiting for it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "jfpm_alog.h"
#include "jfpm_fcgi.h"
#include "jfpm_scoreboard.h"
#include "jfpm_template.h"

#define EXPORT __attribute__((visibility("default")))
#define LISTEN_FD 0

typedef int (*accept_fn)(int, struct sockaddr *, socklen_t *);
typedef int (*accept4_fn)(int, struct sockaddr *, socklen_t *, int);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*recvfrom_fn)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
typedef ssize_t (*readv_fn)(int, const struct iovec *, int);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);
typedef int (*close_fn)(int);
typedef ssize_t (*read_chk_fn)(int, void *, size_t, size_t);
typedef ssize_t (*recv_chk_fn)(int, void *, size_t, size_t, int);
typedef ssize_t (*recvfrom_chk_fn)(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);

static struct {
    accept_fn accept;
    accept4_fn accept4;
    read_fn read;
    recv_fn recv;
    recvfrom_fn recvfrom;
    readv_fn readv;
    recvmsg_fn recvmsg;
    write_fn write;
    send_fn send;
    sendto_fn sendto;
    writev_fn writev;
    sendmsg_fn sendmsg;
    close_fn close;
    /* glibc's _FORTIFY_SOURCE variants: a worker built with -D_FORTIFY_SOURCE=2 -O2 calls these instead */
    read_chk_fn __read_chk;
    recv_chk_fn __recv_chk;
    recvfrom_chk_fn __recvfrom_chk;
} real;

/* Process-wide state. `active` and `conn_fd` are read without the lock (atomics); the rest only under it. */
static struct {
    int active;              /* attached to a slot */
    int conn_fd;             /* the connection accepted on fd 0, -1 when none */
    int lock;                /* try-lock around every slot write and the parsers */
    int in_lost;             /* a read on conn_fd was not parsed (lock busy): the input stream is unusable */
    int out_lost;
    void *base;
    size_t size;
    jfpm_sb_slot *slot;
    int listen_known;        /* fd 0 was a socket at load: listen_dev/listen_ino identify it */
    uint64_t pid;            /* getpid() at attach: republished if another process overwrites the slot */
    dev_t listen_dev;
    ino_t listen_ino;
    uint8_t began;           /* a BEGIN_REQUEST was seen on the current connection */
    uint8_t info_done;       /* the current request's PARAMS ended */
    jfpm_fcgi_stream in;
    jfpm_fcgi_stream out;
} g = {.conn_fd = -1};

/* The access log (all under g.lock but fd, which is set at load only). */
static struct {
    int fd;                  /* -1: no access log */
    size_t limit;            /* longest line, without the newline */
    int pending;             /* the current request had data: it gets a line when it ends */
    int info_valid;          /* info holds the current request's params */
    uint64_t start_us;
    uint64_t cpu_start_us;
    uint64_t user_start_us;
    uint64_t system_start_us;
    int remote_known;
    char remote[INET6_ADDRSTRLEN];
    char pool[JFPM_SB_POOL_NAME_SIZE + 1];
    unsigned long dropped;   /* lines that could not be written */
    jfpm_fcgi_info info;
    jfpm_alog_format format;
    char line[JFPM_ALOG_MAX_LINE + 1];
} alog = {.fd = -1};

static int template_accept(void);

static void *resolve(const char *name) {
    return dlsym(RTLD_NEXT, name);
}

/* The real function, resolved at load; lazily if a hook runs before our constructor. */
#define REAL(name)                                                                       \
    (__atomic_load_n(&real.name, __ATOMIC_RELAXED) != NULL                               \
             ? real.name                                                                 \
             : (__atomic_store_n(&real.name, (__typeof__(real.name))resolve(#name),      \
                                 __ATOMIC_RELAXED),                                      \
                real.name))

static void resolve_all(void) {
    (void)REAL(accept);
    (void)REAL(accept4);
    (void)REAL(read);
    (void)REAL(recv);
    (void)REAL(recvfrom);
    (void)REAL(readv);
    (void)REAL(recvmsg);
    (void)REAL(write);
    (void)REAL(send);
    (void)REAL(sendto);
    (void)REAL(writev);
    (void)REAL(sendmsg);
    (void)REAL(close);
    (void)REAL(__read_chk);
    (void)REAL(__recv_chk);
    (void)REAL(__recvfrom_chk);
}

/* ---------------------------------------------------------------- measurements */

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

typedef struct {
    uint64_t cpu_us;
    uint64_t user_us;    /* getrusage's split, 10 ms ticks (only for the access log's %{user}C, %{system}C) */
    uint64_t system_us;
    uint64_t memory;
} usage;

/*
 * Process CPU (user+system, from the scheduler's exact accounting: getrusage() only has the tick's
 * 10 ms resolution here) and peak RSS so far (ru_maxrss, KiB -> bytes).
 */
static usage measure(void) {
    usage u = {0, 0, 0, 0};
    struct timespec cpu;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0) {
        u.cpu_us = (uint64_t)cpu.tv_sec * 1000000u + (uint64_t)cpu.tv_nsec / 1000u;
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        u.memory = (uint64_t)ru.ru_maxrss * 1024u;
        u.user_us = (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec;
        u.system_us = (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec;
    }
    return u;
}

/* ---------------------------------------------------------------- lock */

static int try_lock(void) {
    int expected = 0;
    return __atomic_compare_exchange_n(&g.lock, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void unlock(void) {
    __atomic_store_n(&g.lock, 0, __ATOMIC_RELEASE);
}

static int is_active(void) {
    return __atomic_load_n(&g.active, __ATOMIC_ACQUIRE);
}

static int is_conn(int fd) {
    int c = __atomic_load_n(&g.conn_fd, __ATOMIC_RELAXED);
    return c >= 0 && fd == c;
}

/* ---------------------------------------------------------------- access log (lock held) */

/*
 * One write() of the whole line: O_APPEND makes it land in one piece after every other worker's line.
 * A full pipe or FIFO (EAGAIN: the master opened it non-blocking) is waited for at most 2 x 20 ms;
 * then, as on any other error, the line is dropped. The request never waits longer and never fails.
 */
static void alog_write(const char *b, size_t n) {
    for (int tries = 0; tries < 3; tries++) {
        ssize_t w = REAL(write)(alog.fd, b, n);
        if (w == (ssize_t)n) return;
        if (w >= 0) break; /* short (disk full): the rest would be a line of its own */
        if (errno == EINTR) continue;
        if (errno == EAGAIN && tries < 2) {
            struct pollfd p = {.fd = alog.fd, .events = POLLOUT, .revents = 0};
            if (poll(&p, 1, 20) > 0) continue;
        }
        break;
    }
    alog.dropped++;
}

/* The request is over (the slot has just closed it): its line, if it had any data. */
static void alog_request_done(uint64_t end_us, const usage *u) {
    if (alog.fd < 0 || !alog.pending) return;
    alog.pending = 0;
    jfpm_alog_request r = {
        .info = alog.info_valid ? &alog.info : NULL,
        .response = &g.out.response,
        .start_us = alog.start_us,
        .end_us = end_us,
        .cpu_us = u->cpu_us > alog.cpu_start_us ? u->cpu_us - alog.cpu_start_us : 0,
        .user_us = u->user_us > alog.user_start_us ? u->user_us - alog.user_start_us : 0,
        .system_us = u->system_us > alog.system_start_us ? u->system_us - alog.system_start_us : 0,
        .memory = u->memory,
        .pid = (long)g.pid,
        .ppid = (long)getppid(),
        .pool = alog.pool,
        .remote = alog.remote_known ? alog.remote : NULL,
    };
    size_t n = jfpm_alog_line(&alog.format, &r, alog.line, alog.limit);
    alog_write(alog.line, n);
}

static void alog_request_started(uint64_t t, const usage *u) {
    alog.pending = 0;
    alog.info_valid = 0;
    alog.start_us = t;
    alog.cpu_start_us = u->cpu_us;
    alog.user_start_us = u->user_us;
    alog.system_start_us = u->system_us;
}

/* The FastCGI peer's IP (PHP-FPM's %R: the web server, not the browser); none for a unix socket. */
static void alog_remember_peer(int fd) {
    alog.remote_known = 0;
    if (alog.fd < 0 || !alog.format.needs_remote) return;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) return;
    const void *a = NULL;
    int family = ss.ss_family;
    if (family == AF_INET) {
        a = &((struct sockaddr_in *)&ss)->sin_addr;
    } else if (family == AF_INET6) {
        const struct in6_addr *v6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(v6)) {
            family = AF_INET;
            a = &v6->s6_addr[12];
        } else {
            a = v6;
        }
    }
    if (a != NULL && inet_ntop(family, a, alog.remote, sizeof alog.remote) != NULL) alog.remote_known = 1;
}

/* ---------------------------------------------------------------- transitions (lock held) */

static void finish_request(void) {
    if (!jfpm_sb_request_open(jfpm_sb_load(&g.slot->stage))) return;
    usage u = measure();
    uint64_t t = now_us();
    jfpm_sb_finished(g.base, g.slot, t, u.cpu_us, u.memory);
    alog_request_done(t, &u);
}

static void start_request(void) {
    usage u = measure();
    uint64_t t = now_us();
    jfpm_sb_accepted(g.base, g.slot, t, u.cpu_us);
    g.info_done = 0;
    alog_request_started(t, &u);
}

static void before_accept(void) {
    if (!try_lock()) return;
    if (jfpm_sb_load(&g.slot->pid) != g.pid) {
        /* another process wrote over our slot: publish our pid again, so the master believes it */
        jfpm_sb_attach(g.slot, g.pid, now_us());
    }
    uint64_t stage = jfpm_sb_load(&g.slot->stage);
    if (stage != JFPM_SB_STAGE_ACCEPTING) {
        usage u = measure();
        uint64_t t = now_us();
        jfpm_sb_accepting(g.base, g.slot, t, u.cpu_us, u.memory);
        if (jfpm_sb_request_open(stage)) alog_request_done(t, &u);
    }
    unlock();
}

static void after_accept(int fd) {
    if (!try_lock()) return;
    __atomic_store_n(&g.conn_fd, fd, __ATOMIC_RELAXED);
    __atomic_store_n(&g.in_lost, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&g.out_lost, 0, __ATOMIC_RELAXED);
    jfpm_fcgi_init(&g.in, JFPM_FCGI_INPUT);
    jfpm_fcgi_init(&g.out, JFPM_FCGI_OUTPUT);
    if (alog.fd >= 0) {
        jfpm_fcgi_want(&g.in, &alog.format.params);
        jfpm_fcgi_want(&g.out, &alog.format.headers);
    }
    g.began = 0;
    start_request();
    alog_remember_peer(fd);
    unlock();
}

static void on_input_event(int ev) {
    uint64_t stage = jfpm_sb_load(&g.slot->stage);
    switch (ev) {
    case JFPM_FCGI_EV_BEGIN:
        if (g.began) {
            /* a further request on a kept-alive connection: PHP-FPM counts it at on_read() */
            finish_request();
            start_request();
        }
        g.began = 1;
        alog.pending = 1;
        break;
    case JFPM_FCGI_EV_PARAMS_END:
        if (g.info_done || !jfpm_sb_request_open(stage)) break;
        g.info_done = 1;
        {
            const jfpm_fcgi_info *i = &g.in.info;
            uint64_t t = now_us();
            jfpm_sb_request_info(g.slot, t, i->method, i->uri, i->query, i->script, i->content_length, i->user);
            jfpm_sb_executing(g.slot, t);
            if (alog.fd >= 0) {
                memcpy(&alog.info, i, sizeof alog.info);
                alog.info_valid = 1;
            }
        }
        break;
    case JFPM_FCGI_EV_NOT_FASTCGI:
        /* another protocol: the worker has the request's first bytes and is working on it */
        if (stage == JFPM_SB_STAGE_READING_HEADERS) jfpm_sb_executing(g.slot, now_us());
        if (jfpm_sb_request_open(stage)) alog.pending = 1;
        break;
    default:
        break;
    }
}

static void on_output_event(int ev) {
    if (ev == JFPM_FCGI_EV_END_REQUEST) finish_request();
}

typedef void (*event_fn)(int);

static void feed(jfpm_fcgi_stream *p, int *lost, const uint8_t *b, size_t n, event_fn on_event) {
    if (__atomic_load_n(lost, __ATOMIC_RELAXED)) {
        __atomic_store_n(lost, 0, __ATOMIC_RELAXED);
        jfpm_fcgi_abandon(p);
    }
    while (n > 0 && !p->dead_reported) {
        int ev;
        size_t used = jfpm_fcgi_feed(p, b, n, &ev);
        if (ev != JFPM_FCGI_EV_NONE) on_event(ev);
        b += used;
        n -= used;
    }
}

/* Bytes that went through conn_fd in one call: a flat buffer or an iovec array (n bytes in total). */
static void observe(int fd, int output, const void *buf, const struct iovec *iov, size_t iovcnt, size_t n) {
    int *lost = output ? &g.out_lost : &g.in_lost;
    if (!try_lock()) {
        __atomic_store_n(lost, 1, __ATOMIC_RELAXED);
        return;
    }
    if (is_conn(fd)) {
        jfpm_fcgi_stream *p = output ? &g.out : &g.in;
        event_fn on_event = output ? on_output_event : on_input_event;
        if (buf != NULL) {
            feed(p, lost, buf, n, on_event);
        } else {
            for (size_t k = 0; k < iovcnt && n > 0; k++) {
                size_t len = iov[k].iov_len < n ? iov[k].iov_len : n;
                feed(p, lost, iov[k].iov_base, len, on_event);
                n -= len;
            }
        }
    }
    unlock();
}

static void conn_closing(int fd) {
    if (!try_lock()) return;
    if (is_conn(fd)) {
        __atomic_store_n(&g.conn_fd, -1, __ATOMIC_RELAXED);
        finish_request();
    }
    unlock();
}

/* ---------------------------------------------------------------- hooks */

#define OBSERVE_RESULT(fd, output, buf, iov, iovcnt, ret)                                   \
    do {                                                                                    \
        if ((ret) > 0 && is_conn(fd)) {                                                     \
            int saved_ = errno;                                                             \
            observe((fd), (output), (buf), (iov), (iovcnt), (size_t)(ret));                 \
            errno = saved_;                                                                 \
        }                                                                                   \
    } while (0)

/*
 * Is fd the pool's listening socket? Recognised by the inode fd 0 had at load, whatever its number now
 * (socket.fromfd(0, ...) and dup() give the worker another fd for it, and fd 0 may be closed). Without a
 * socket on fd 0 at load, fd 0 itself. Called only when attached; errno is preserved.
 */
static int is_listener(int fd) {
    if (!g.listen_known) return fd == LISTEN_FD;
    int saved = errno;
    struct stat st;
    int same = fstat(fd, &st) == 0 && st.st_ino == g.listen_ino && st.st_dev == g.listen_dev;
    errno = saved;
    return same;
}

static int accept_common(int fd, struct sockaddr *addr, socklen_t *len, int flags, int use4) {
    if (jfpm_template_active() && g.base != NULL && is_listener(fd)) {
        int saved = errno;
        if (template_accept() != 0) {
            return -1;
        }
        errno = saved;
    }
    int watched = is_active() && is_listener(fd);
    if (watched) {
        int saved = errno;
        before_accept();
        errno = saved;
    }
    int ret = use4 ? REAL(accept4)(fd, addr, len, flags) : REAL(accept)(fd, addr, len);
    if (watched && ret >= 0) {
        int saved = errno;
        after_accept(ret);
        errno = saved;
    }
    return ret;
}

EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept_common(fd, addr, len, 0, 0);
}

EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept_common(fd, addr, len, flags, 1);
}

EXPORT ssize_t read(int fd, void *buf, size_t n) {
    ssize_t ret = REAL(read)(fd, buf, n);
    OBSERVE_RESULT(fd, 0, buf, NULL, 0, ret);
    return ret;
}

/*
 * After recv/recvfrom/recvmsg and their _chk variants. MSG_PEEK consumes nothing: not parsed (the
 * bytes come again). MSG_TRUNC returns a length, not bytes: on TCP the kernel discards them and fills
 * no buffer, on datagram-like sockets it reports the full length of a message it cut to the buffer. The
 * parser must never read the buffer then; the bytes are gone from the stream, so it is marked lost
 * (record boundaries unknown from here on, as when the lock was busy).
 */
#define OBSERVE_RECV(fd, flags, buf, iov, iovcnt, ret)                                      \
    do {                                                                                    \
        if ((flags) & MSG_PEEK) break;                                                      \
        if ((flags) & MSG_TRUNC) {                                                          \
            if ((ret) > 0 && is_conn(fd)) __atomic_store_n(&g.in_lost, 1, __ATOMIC_RELAXED); \
            break;                                                                          \
        }                                                                                   \
        OBSERVE_RESULT(fd, 0, buf, iov, iovcnt, ret);                                       \
    } while (0)

EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags) {
    ssize_t ret = REAL(recv)(fd, buf, n, flags);
    OBSERVE_RECV(fd, flags, buf, NULL, 0, ret);
    return ret;
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *len) {
    ssize_t ret = REAL(recvfrom)(fd, buf, n, flags, addr, len);
    OBSERVE_RECV(fd, flags, buf, NULL, 0, ret);
    return ret;
}

/* The fortified entry points: the real _chk function keeps its overflow check, then the same bookkeeping. */
EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen) {
    ssize_t ret = REAL(__read_chk)(fd, buf, n, buflen);
    OBSERVE_RESULT(fd, 0, buf, NULL, 0, ret);
    return ret;
}

EXPORT ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags) {
    ssize_t ret = REAL(__recv_chk)(fd, buf, n, buflen, flags);
    OBSERVE_RECV(fd, flags, buf, NULL, 0, ret);
    return ret;
}

EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags, struct sockaddr *addr,
                              socklen_t *len) {
    ssize_t ret = REAL(__recvfrom_chk)(fd, buf, n, buflen, flags, addr, len);
    OBSERVE_RECV(fd, flags, buf, NULL, 0, ret);
    return ret;
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt) {
    ssize_t ret = REAL(readv)(fd, iov, iovcnt);
    OBSERVE_RESULT(fd, 0, NULL, iov, (size_t)iovcnt, ret);
    return ret;
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    ssize_t ret = REAL(recvmsg)(fd, msg, flags);
    OBSERVE_RECV(fd, flags, NULL, msg->msg_iov, msg->msg_iovlen, ret);
    return ret;
}

EXPORT ssize_t write(int fd, const void *buf, size_t n) {
    ssize_t ret = REAL(write)(fd, buf, n);
    OBSERVE_RESULT(fd, 1, buf, NULL, 0, ret);
    return ret;
}

EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags) {
    ssize_t ret = REAL(send)(fd, buf, n, flags);
    OBSERVE_RESULT(fd, 1, buf, NULL, 0, ret);
    return ret;
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len) {
    ssize_t ret = REAL(sendto)(fd, buf, n, flags, addr, len);
    OBSERVE_RESULT(fd, 1, buf, NULL, 0, ret);
    return ret;
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    ssize_t ret = REAL(writev)(fd, iov, iovcnt);
    OBSERVE_RESULT(fd, 1, NULL, iov, (size_t)iovcnt, ret);
    return ret;
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    ssize_t ret = REAL(sendmsg)(fd, msg, flags);
    OBSERVE_RESULT(fd, 1, NULL, msg->msg_iov, msg->msg_iovlen, ret);
    return ret;
}

EXPORT int close(int fd) {
    if (is_conn(fd)) {
        int saved = errno;
        conn_closing(fd);
        errno = saved;
    }
    return REAL(close)(fd);
}

/* ---------------------------------------------------------------- attach */

static int debug_enabled(void) {
    const char *d = getenv("JFPM_PRELOAD_DEBUG");
    return d != NULL && d[0] != '\0' && strcmp(d, "0") != 0;
}

/* One diagnostic line on stderr, only with JFPM_PRELOAD_DEBUG set (the default is silence). */
static void debug(const char *fmt, ...) {
    if (!debug_enabled()) return;
    char line[512];
    int off = snprintf(line, sizeof line, "jfpm-preload[%ld]: ", (long)getpid());
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + off, sizeof line - (size_t)off - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)off + (n < 0 ? 0 : (size_t)n);
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    int saved = errno;
    (void)!REAL(write)(2, line, len);
    errno = saved;
}

static int parse_slot(const char *s, uint64_t *out) {
    uint64_t v = 0;
    if (s == NULL || *s == '\0') return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 1;
}

/*
 * The inherited scoreboard fd named by JFPM_SCOREBOARD_FD, or -1. It must carry the master's seals
 * (F_SEAL_SHRINK|F_SEAL_GROW): a descendant that inherited the variable but not the fd has something
 * else there, which is left alone.
 */
static int inherited_scoreboard_fd(void) {
    const char *v = getenv("JFPM_SCOREBOARD_FD");
    uint64_t fd;
    if (v == NULL || !parse_slot(v, &fd) || fd > 1023) return -1;
    int seals = fcntl((int)fd, F_GET_SEALS);
    if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW)) {
        debug("JFPM_SCOREBOARD_FD=%s is not a sealed scoreboard memfd; trying JFPM_SCOREBOARD", v);
        return -1;
    }
    return (int)fd;
}

static const char *validate_name(int rc) {
    switch (rc) {
    case JFPM_SB_ERR_TRUNCATED: return "file too small";
    case JFPM_SB_ERR_MAGIC: return "bad magic";
    case JFPM_SB_ERR_VERSION: return "unsupported or unready version";
    case JFPM_SB_ERR_GEOMETRY: return "bad geometry";
    case JFPM_SB_ERR_SLOT: return "slot index out of range";
    default: return "invalid";
    }
}

static void alog_close(void) {
    if (alog.fd >= 0) REAL(close)(alog.fd);
    alog.fd = -1;
}

static void after_fork_in_child(void) {
    /* a forked child is not the worker the slot belongs to */
    __atomic_store_n(&g.active, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&g.conn_fd, -1, __ATOMIC_RELAXED);
    if (g.base != NULL) munmap(g.base, g.size);
    g.base = NULL;
    g.slot = NULL;
    alog_close();
}

/*
 * Takes the access log fd JFPM_ACCESS_LOG_FD from the environment (and drops the variable, so no
 * descendant mistakes another fd for it). It must be open write-only with O_APPEND, as the master opens
 * it. It is moved out of the program's way (to 512 or above when the fd limit allows) and made
 * close-on-exec: the program never sees it, and programs it execs do not inherit it.
 */
static void alog_take_fd(void) {
    const char *v = getenv("JFPM_ACCESS_LOG_FD");
    uint64_t fd;
    if (v == NULL) return;
    if (!parse_slot(v, &fd) || fd > 1023) {
        debug("JFPM_ACCESS_LOG_FD=%s is not a descriptor: no access log", v);
        unsetenv("JFPM_ACCESS_LOG_FD");
        return;
    }
    unsetenv("JFPM_ACCESS_LOG_FD");
    int flags = fcntl((int)fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) != O_WRONLY || !(flags & O_APPEND)) {
        debug("JFPM_ACCESS_LOG_FD=%llu is not open write-only with O_APPEND: no access log", (unsigned long long)fd);
        return;
    }
    int moved = fcntl((int)fd, F_DUPFD_CLOEXEC, 512);
    if (moved >= 0) {
        REAL(close)((int)fd);
        alog.fd = moved;
    } else {
        fcntl((int)fd, F_SETFD, FD_CLOEXEC);
        alog.fd = (int)fd;
    }
}

/* The format, limit and pool name of an attached library's access log; closes it on a bad format. */
static void alog_setup(void) {
    if (alog.fd < 0) return;
    char err[256];
    const char *fmt = getenv("JFPM_ACCESS_FORMAT");
    if (jfpm_alog_compile(&alog.format, fmt != NULL && fmt[0] ? fmt : NULL, err, sizeof err) != 0) {
        debug("JFPM_ACCESS_FORMAT: expected %s: no access log", err);
        alog_close();
        return;
    }
    uint64_t limit = 1024;
    const char *l = getenv("JFPM_ACCESS_LOG_LIMIT");
    if (l != NULL && (!parse_slot(l, &limit) || limit == 0)) limit = 1024;
    alog.limit = limit > JFPM_ALOG_MAX_LINE ? JFPM_ALOG_MAX_LINE : (size_t)limit;
    const jfpm_sb_header *h = (const jfpm_sb_header *)g.base;
    for (size_t i = 0; i < JFPM_SB_POOL_NAME_SIZE && h->pool_name[i]; i++) alog.pool[i] = h->pool_name[i];
    tzset(); /* now, not in a hook: localtime_r() then never reads the zone file */
    debug("access log on fd %d, lines of at most %zu bytes", alog.fd, alog.limit);
}

/* Maps the scoreboard (inherited fd, else path) and checks its header; 0 on success. */
static int map_scoreboard(const char *path) {
    int fd = inherited_scoreboard_fd();
    if (fd >= 0) {
        unsetenv("JFPM_SCOREBOARD_FD");
    } else {
        fd = open(path, O_RDWR | O_CLOEXEC);
    }
    if (fd < 0) {
        debug("inert: open(%s): %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < JFPM_SB_HEADER_SIZE) {
        debug("inert: %s is not a scoreboard file (too small or not a regular file)", path);
        REAL(close)(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    REAL(close)(fd);
    if (base == MAP_FAILED) {
        debug("inert: mmap(%s): %s", path, strerror(errno));
        return -1;
    }
    int rc = jfpm_sb_validate(base, size, 0);
    if (rc != JFPM_SB_OK && rc != JFPM_SB_ERR_SLOT) {
        debug("inert: %s: %s", path, validate_name(rc));
        munmap(base, size);
        return -1;
    }
    g.base = base;
    g.size = size;
    struct stat listen_st;
    if (fstat(LISTEN_FD, &listen_st) == 0 && S_ISSOCK(listen_st.st_mode)) {
        g.listen_dev = listen_st.st_dev;
        g.listen_ino = listen_st.st_ino;
        g.listen_known = 1;
    }
    return 0;
}

/* Claims slot `index` of the mapped scoreboard for this process; 0 on success (then active). */
static int claim_slot(const char *path, uint64_t index) {
    int rc = jfpm_sb_validate(g.base, g.size, index);
    if (rc != JFPM_SB_OK) {
        debug("inert: %s: %s", path, validate_name(rc));
        return -1;
    }
    jfpm_sb_slot *slot = jfpm_sb_slot_at(g.base, index);
    uint64_t in_use = __atomic_load_n(&slot->in_use, __ATOMIC_ACQUIRE);
    uint64_t owner = jfpm_sb_load(&slot->pid);
    uint64_t self = (uint64_t)getpid();
    if (in_use != 1) {
        debug("inert: slot %llu of %s is not allocated", (unsigned long long)index, path);
        return -1;
    }
    if (owner != 0 && owner != self) {
        /* a program the worker started inherited our environment: the slot is its parent's */
        debug("inert: slot %llu of %s belongs to pid %llu", (unsigned long long)index, path,
              (unsigned long long)owner);
        return -1;
    }
    g.slot = slot;
    g.pid = self;
    jfpm_sb_attach(slot, self, now_us());
    __atomic_store_n(&g.active, 1, __ATOMIC_RELEASE);
    debug("attached to slot %llu of %s%s", (unsigned long long)index, path,
          g.listen_known ? "" : " (fd 0 is not a socket: accepts on fd 0 are followed)");
    return 0;
}

static void attach_scoreboard(void);

static void attach(void) {
    alog_take_fd();
    attach_scoreboard();
    if (g.base == NULL) {
        alog_close(); /* inert: the line could never be written */
    } else {
        alog_setup();
    }
}

static void attach_scoreboard(void) {
    const char *path = getenv("JFPM_SCOREBOARD");
    const char *slot_env = getenv("JFPM_SLOT");
    uint64_t index = 0;
    int template = jfpm_template_init();
    if (path == NULL || path[0] == '\0' || (slot_env == NULL && !template)) {
        debug("inert: JFPM_SCOREBOARD or JFPM_SLOT not set");
        return;
    }
    if (!template && !parse_slot(slot_env, &index)) {
        debug("inert: JFPM_SLOT=%s is not a slot index", slot_env);
        return;
    }
    if (map_scoreboard(path) != 0) {
        return;
    }
    pthread_atfork(NULL, NULL, after_fork_in_child);
    if (template) {
        debug("template: will serve fork requests at the first accept() on the listening socket");
        return;
    }
    if (claim_slot(path, index) != 0) {
        munmap(g.base, g.size);
        g.base = NULL;
    }
}

/*
 * The accept hook in a template: serves fork requests; in a forked child, claims the slot of the
 * request and returns 0 (the child goes on into its real accept()); -1 with EINTR in the template.
 */
static int template_accept(void) {
    uint64_t slot, generation;
    if (jfpm_template_serve(&slot, &generation) < 0) {
        errno = EINTR;
        return -1;
    }
    if (claim_slot("the template's scoreboard", slot) != 0) {
        _exit(124); /* a worker without its slot would be invisible: the master sees the exit */
    }
    return 0;
}

__attribute__((constructor)) static void jfpm_preload_init(void) {
    int saved = errno;
    resolve_all();
    attach();
    errno = saved;
}
