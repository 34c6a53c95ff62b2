/*
 * jfpm-launch: the last link of a worker's launch chain (prlimit -- setpriv -- jfpm-launch -- worker).
 *
 *   jfpm-launch MASTER_PID [--ld-preload=LIST] PROGRAM [ARG...]
 *
 * 1. prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills this process (and, since the setting
 *    survives execve of a non-set-id program, the worker it becomes) when the thread that spawned it
 *    exits -- in practice when the jfpm master dies, even by SIGKILL. It is set here, after any
 *    setpriv privilege drop, because the kernel clears it when the euid/egid changes.
 * 2. getppid() must still be MASTER_PID. If the master died before step 1, the process has already
 *    been re-parented (to init or a subreaper) and no death signal will ever come: exit at once with
 *    status 125 instead of running an orphan worker. (This re-check is why jfpm ships its own launcher
 *    rather than using `setpriv --pdeathsig KILL`, which sets the signal but never checks the parent.)
 * 3. With --ld-preload, LD_PRELOAD=LIST is set: the master passes the accounting library here
 *    rather than in the environment, so that the links before this one (prlimit, setpriv) run
 *    without it; otherwise they would attach to the slot and take the inherited scoreboard fd 3
 *    that only the worker must consume.
 * 4. execvp(PROGRAM, ARG...): the pid stays the worker's, fds, environment and signal state are
 *    otherwise untouched.
 *
 * Built static (see shm-scoreboard/pom.xml): it then loads no shared library, so LD_PRELOAD (the
 * accounting library) is not mapped into the launcher itself, only into the worker it execs.
 * Failure statuses: 125 = parent already gone, 126 = bad usage / prctl failed, 127 = exec failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define EXIT_PARENT_GONE 125
#define EXIT_USAGE 126
#define EXIT_EXEC_FAILED 127

static void fail(const char *what, int err) {
    char buf[256];
    int n = snprintf(buf, sizeof buf, "jfpm-launch[%d]: %s: %s\n", (int) getpid(), what, strerror(err));
    if (n > 0) {
        ssize_t ignored = write(2, buf, (size_t) (n < (int) sizeof buf ? n : (int) sizeof buf - 1));
        (void) ignored;
    }
}

static int parse_pid(const char *s, pid_t *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > 0x3fffffff) {
        return -1;
    }
    *out = (pid_t) v;
    return 0;
}

int main(int argc, char **argv) {
    pid_t master;
    static const char preload_opt[] = "--ld-preload=";
    int program = 2;
    if (argc < 3 || parse_pid(argv[1], &master) != 0) {
        fail("usage: jfpm-launch MASTER_PID [--ld-preload=LIST] PROGRAM [ARG...]", EINVAL);
        return EXIT_USAGE;
    }
    if (strncmp(argv[2], preload_opt, sizeof preload_opt - 1) == 0) {
        if (argc < 4) {
            fail("usage: jfpm-launch MASTER_PID [--ld-preload=LIST] PROGRAM [ARG...]", EINVAL);
            return EXIT_USAGE;
        }
        if (setenv("LD_PRELOAD", argv[2] + sizeof preload_opt - 1, 1) != 0) {
            fail("setenv(LD_PRELOAD)", errno);
            return EXIT_USAGE;
        }
        program = 3;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        fail("prctl(PR_SET_PDEATHSIG)", errno);
        return EXIT_USAGE;
    }
    if (getppid() != master) {
        /* the master died between our spawn and the prctl: nobody would ever kill us */
        return EXIT_PARENT_GONE;
    }
    execvp(argv[program], argv + program);
    int err = errno;
    fail(argv[program], err);
    return EXIT_EXEC_FAILED;
}
