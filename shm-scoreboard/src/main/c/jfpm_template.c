/*
 * Template mode of the preload library (spawn-mode = fork): see jfpm_template.h and docs/preload.md.
 *
 * A template is a worker process that has finished its own start-up and reached its first accept()
 * on fd 0. There it stops and serves fork requests from the master instead. Each request makes a
 * child with a raw clone(CLONE_PARENT | CLONE_CHILD_SETTID | SIGCHLD): a child of the master, not
 * of the template, so the master reaps it, opens its pidfd and signals it as it does a spawned
 * worker. The raw syscall skips glibc's fork handlers, which is safe only because the template is
 * single-threaded and inside accept() (no lock is held); CLONE_CHILD_SETTID writes the child's tid
 * into glibc's thread descriptor, as glibc's own fork does, so raise() and recursive locks use the
 * child's own tid. The template refuses to serve (status MULTI_THREADED or NO_TID) otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jfpm_template.h"

/* glibc x86_64 2.28-2.40: offsetof(struct pthread, tid); checked against gettid() before use */
#define GLIBC_TID_OFFSET 0x2d0

static struct {
    int fd;             /* the control socket, -1 when not a template */
    pid_t master;       /* getppid() at load */
    long tid_offset;    /* where glibc keeps this thread's tid, -1 when unknown */
    int ready_sent;
    char name[17];      /* the program's own comm, restored in each child */
    char *mark;         /* the value of "JFPM_TEMPLATE_FD=N" in the initial environment block */
} t = {.fd = -1, .tid_offset = -1};

static int parse_fd(const char *s) {
    long v = 0;
    if (s == NULL || *s == '\0') return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 1023) return -1;
        v = v * 10 + (*s - '0');
    }
    return v > 1023 ? -1 : (int)v;
}

int jfpm_template_init(void) {
    char *value = getenv("JFPM_TEMPLATE_FD");
    int fd = parse_fd(value);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
    t.mark = value; /* the string stays where it is after unsetenv: /proc/PID/environ shows it */
    fcntl(fd, F_SETFD, FD_CLOEXEC); /* a template that execs another program stops being one */
    unsetenv("JFPM_TEMPLATE_FD");
    t.fd = fd;
    t.master = getppid();
    return 1;
}

int jfpm_template_active(void) {
    return t.fd >= 0;
}

/* num_threads of /proc/self/stat (field 20), without malloc; 0 when unreadable. */
static long thread_count(void) {
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL) return 0;
    int field = 2; /* the field after ')' is 3: state */
    for (p++; *p; p++) {
        if (*p == ' ') {
            field++;
            if (field == 20) return strtol(p + 1, NULL, 10);
        }
    }
    return 0;
}

/* The offset of this thread's tid in glibc's thread descriptor, -1 unless exactly one is found. */
static long find_tid_offset(void) {
    pid_t tid = (pid_t)syscall(SYS_gettid);
    const char *self = (const char *)pthread_self();
    if (*(const pid_t *)(self + GLIBC_TID_OFFSET) == tid) return GLIBC_TID_OFFSET;
    long found = -1;
    for (long off = 0; off < 2048; off += (long)sizeof(pid_t)) {
        if (*(const pid_t *)(self + off) == tid) {
            if (found >= 0) return -1;
            found = off;
        }
    }
    return found;
}

static int send_msg(uint64_t kind, uint64_t a, uint64_t b, uint64_t c) {
    jfpm_tpl_msg m = {kind, a, b, c};
    ssize_t n;
    do {
        n = send(t.fd, &m, sizeof m, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof m ? 0 : -1;
}

/* One request, with up to two fds; 0 = the master closed its end, -1 = error (errno), 1 = a message. */
static int recv_request(jfpm_tpl_msg *m, int fds[2], int *nfds) {
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {m, sizeof *m};
    struct msghdr h = {0};
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    h.msg_control = control.buf;
    h.msg_controllen = sizeof control.buf;
    *nfds = 0;
    ssize_t n = recvmsg(t.fd, &h, MSG_CMSG_CLOEXEC);
    if (n <= 0) return (int)n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); c != NULL; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (*nfds < 2) fds[(*nfds)++] = fd;
                else close(fd);
            }
        }
    }
    if (n != (ssize_t)sizeof *m || (h.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
        for (int i = 0; i < *nfds; i++) close(fds[i]);
        *nfds = 0;
        errno = EPROTO;
        return -1;
    }
    return 1;
}

/* In the new child: everything that makes it a worker of its own. Returns 0, or exits. */
static void become_worker(int fds[2], int nfds, uint64_t slot) {
    close(t.fd);
    t.fd = -1;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != t.master) _exit(125);
    for (int i = 0; i < nfds; i++) {
        dup2(fds[i], 1 + i);
        close(fds[i]);
    }
    prctl(PR_SET_NAME, t.name, 0, 0, 0);
    /* /proc/PID/environ of a forked worker is the template's initial block: mark it as a worker's */
    for (char *c = t.mark; c != NULL && *c != '\0'; c++) *c = '-';
    char number[24];
    snprintf(number, sizeof number, "%llu", (unsigned long long)slot);
    setenv("JFPM_SLOT", number, 1);
}

int jfpm_template_serve(uint64_t *slot, uint64_t *generation) {
    if (!t.ready_sent) {
        t.ready_sent = 1;
        long threads = thread_count();
        t.tid_offset = find_tid_offset();
        uint64_t status = threads != 1 ? JFPM_TPL_MULTI_THREADED : t.tid_offset < 0 ? JFPM_TPL_NO_TID : JFPM_TPL_OK;
        prctl(PR_GET_NAME, t.name, 0, 0, 0);
        prctl(PR_SET_NAME, "jfpm-template", 0, 0, 0);
        if (send_msg(JFPM_TPL_MSG_READY, status, (uint64_t)threads, (uint64_t)t.tid_offset) != 0) _exit(0);
        if (status != JFPM_TPL_OK) t.tid_offset = -1; /* serve nothing; wait to be retired */
    }
    for (;;) {
        if (getppid() != t.master) _exit(0);
        jfpm_tpl_msg m;
        int fds[2];
        int nfds;
        int r = recv_request(&m, fds, &nfds);
        if (r == 0) _exit(0);
        if (r < 0) {
            if (errno == EINTR) return -1;
            _exit(0);
        }
        if (m.kind != JFPM_TPL_MSG_FORK || t.tid_offset < 0) {
            for (int i = 0; i < nfds; i++) close(fds[i]);
            send_msg(JFPM_TPL_MSG_FORKED, (uint64_t)(int64_t)-EINVAL, m.a, 0);
            continue;
        }
        pid_t *tid = (pid_t *)((char *)pthread_self() + t.tid_offset);
        long pid = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | CLONE_CHILD_SETTID | SIGCHLD), NULL, NULL, tid, 0);
        if (pid == 0) {
            become_worker(fds, nfds, m.a);
            *slot = m.a;
            *generation = m.b;
            return 1;
        }
        int err = errno;
        for (int i = 0; i < nfds; i++) close(fds[i]);
        send_msg(JFPM_TPL_MSG_FORKED, pid > 0 ? (uint64_t)pid : (uint64_t)(int64_t)-err, m.a, 0);
    }
}
