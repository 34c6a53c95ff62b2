"""A worker that attacks its own pool's scoreboard, then serves as http_worker.py does.

The worker in slot HOSTILE_SLOT (default 0) does, for HOSTILE_SECONDS (default 3):
  - fills the whole mapping, header included, with random bytes, over and over;
  - in every slot: HOSTILE_BYSTANDER's pid, in_use 1, an even seqlock, stage EXECUTING accepted in
    1970 and idle since 1970 (bait for request-terminate-timeout and idle reaping), or else an odd
    seqlock (bait for unbounded retries);
  - tries to shrink and to grow the file (ftruncate) and to add F_SEAL_FUTURE_WRITE.
It writes one line per attempt to HOSTILE_REPORT ("truncate-0: EPERM", ...) and "attacker PID",
then execs http_worker.py (same pid, same fd 0). Other slots exec http_worker.py at once.
It reaches the scoreboard the way any same-user worker can: the inherited JFPM_SCOREBOARD_FD when
it is there, else the JFPM_SCOREBOARD link.
"""
import errno
import fcntl
import mmap
import os
import random
import struct
import sys
import time

HEADER_SIZE = 4096
SLOT_SIZE = 2048
F_ADD_SEALS = 1033
F_SEAL_FUTURE_WRITE = 0x0010
here = os.path.dirname(os.path.abspath(__file__))


def serve():
    worker = os.path.join(here, "http_worker.py")
    os.execv(sys.executable, [sys.executable, "-S", "-B", worker])


def open_scoreboard():
    fd_name = os.environ.get("JFPM_SCOREBOARD_FD")
    if fd_name is not None:
        try:
            os.fstat(int(fd_name))
            return int(fd_name), "fd " + fd_name
        except OSError:
            pass
    path = os.environ["JFPM_SCOREBOARD"]
    return os.open(path, os.O_RDWR), path


def attempt(report, what, call):
    try:
        call()
        report.write(what + ": succeeded\n")
    except OSError as e:
        report.write(what + ": " + errno.errorcode.get(e.errno, str(e.errno)) + "\n")
    report.flush()


def attack():
    bystander = int(os.environ["HOSTILE_BYSTANDER"])
    seconds = float(os.environ.get("HOSTILE_SECONDS", "3"))
    with open(os.environ["HOSTILE_REPORT"], "w") as report:
        fd, via = open_scoreboard()
        size = os.fstat(fd).st_size
        report.write("attacker %d via %s size %d\n" % (os.getpid(), via, size))
        report.flush()
        mm = mmap.mmap(fd, size)
        slots = (size - HEADER_SIZE) // SLOT_SIZE
        rng = random.Random(8)
        end = time.monotonic() + seconds
        rounds = 0
        while time.monotonic() < end:
            mm[0:size] = rng.randbytes(size)
            for i in range(slots):
                off = HEADER_SIZE + i * SLOT_SIZE
                seq = 2 * rng.randrange(1 << 40) + (1 if i % 3 == 2 else 0)
                struct.pack_into("=qqqqqqqqq", mm, off, seq, 1, 1, 1, bystander, 5, 1, 1, 7)
            rounds += 1
            time.sleep(0.01)
        report.write("rounds %d\n" % rounds)
        attempt(report, "truncate-0", lambda: os.ftruncate(fd, 0))
        attempt(report, "truncate-grow", lambda: os.ftruncate(fd, size * 2))
        attempt(report, "seal-future-write", lambda: fcntl.fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE))
        report.write("size after %d\n" % os.fstat(fd).st_size)
        report.write("done\n")
    mm.close()
    os.close(fd)


if os.environ.get("JFPM_SLOT") == os.environ.get("HOSTILE_SLOT", "0") and not os.path.exists(
        os.environ["HOSTILE_REPORT"]):
    attack()
serve()
