"""A plain (non-FastCGI) worker: accepts on fd 0 forever, one line per connection.

Requests, each answered with "ok <pid>\n" before the connection is closed:
  hello             answer at once
  wait PATH         wait (at most 10 s) until PATH exists
  spawn             run a child program (it inherits LD_PRELOAD and the JFPM_* environment)
  fork MARK PATH    fork a child that closes its copy of the connection and exits; after reaping
                    it create MARK, then wait for PATH as above
"""
import os
import socket
import subprocess
import sys
import time


def wait_for(path):
    deadline = time.monotonic() + 10
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.005)


listener = socket.socket(fileno=0)
while True:
    conn, _ = listener.accept()
    with conn:
        f = conn.makefile("rb")
        words = f.readline().decode().split()
        f.close()
        if words[:1] == ["wait"]:
            wait_for(words[1])
        elif words[:1] == ["spawn"]:
            subprocess.run([sys.executable, "-c", "pass"], check=True)
        elif words[:1] == ["fork"]:
            child = os.fork()
            if child == 0:
                os.close(conn.fileno())
                os._exit(0)
            os.waitpid(child, 0)
            open(words[1], "w").close()
            wait_for(words[2])
        conn.sendall(("ok %d\n" % os.getpid()).encode())
