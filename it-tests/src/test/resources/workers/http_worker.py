"""A plain-HTTP accept loop on fd 0, the listening socket jfpm passes to its workers.

GET /sleep?ms=N sleeps N ms first (and says so on stderr); every answer is
"Hello from python worker PID (pool P, slot S, request N)", followed by " NAME=value" for each
query parameter env=NAME (the worker's environment variable NAME, "-" when unset). SIGTERM is
graceful: a worker blocked in accept exits at once, a busy one finishes its request first (as
php-cgi does). Used by jfpm's integration tests with accounting = preload (the accept hook) or none.

That TERM handling has a window: a TERM that lands after accept() returned but before `busy` is set
kills the worker with the connection in hand. With HTTP_WORKER_TERM=wakeup (for accounting = none
only: the worker then waits in select(), not in accept(), so the accept hook would not see it idle)
the handler only writes to a wakeup pipe and the loop exits between requests: no window at all.
"""
import select
import os
import signal
import socket
import sys
import time
from urllib.parse import parse_qs, urlsplit

listener = socket.socket(fileno=0)
busy = False
stopping = False
served = 0


def on_term(signum, frame):
    global stopping
    stopping = True
    if not busy:
        os._exit(0)


signal.signal(signal.SIGTERM, on_term)


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def handle(conn):
    conn.settimeout(30)
    line = read_request(conn)
    if line is None:
        return
    parts = line.split(" ")
    target = parts[1] if len(parts) > 1 else "/"
    url = urlsplit(target)
    query = parse_qs(url.query)
    if url.path == "/sleep":
        ms = int(query.get("ms", ["0"])[0])
        print("python worker %d: sleeping %d ms for %s" % (os.getpid(), ms, target), file=sys.stderr, flush=True)
        time.sleep(ms / 1000.0)
    extra = "".join(" %s=%s" % (name, os.environ.get(name, "-")) for name in query.get("env", []))
    body = "Hello from python worker %d (pool %s, slot %s, request %d)%s\n" % (
        os.getpid(), os.environ.get("JFPM_POOL", "-"), os.environ.get("JFPM_SLOT", "-"), served, extra)
    payload = body.encode()
    head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % len(payload)).encode()
    conn.sendall(head + payload)


wakeup = None
if os.environ.get("HTTP_WORKER_TERM") == "wakeup":
    wakeup, wakeup_w = os.pipe()
    os.set_blocking(wakeup_w, False)
    signal.set_wakeup_fd(wakeup_w)
    signal.signal(signal.SIGTERM, lambda signum, frame: None)

while True:
    if wakeup is not None:
        ready, _, _ = select.select([listener, wakeup], [], [])
        if wakeup in ready:
            os._exit(0)
    conn, _ = listener.accept()
    busy = True
    served += 1
    try:
        handle(conn)
    except OSError as e:
        print("worker %d: request failed: %s" % (os.getpid(), e), file=sys.stderr)
    finally:
        conn.close()
        busy = False
    if stopping:
        os._exit(0)
