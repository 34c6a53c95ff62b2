"""Puts a fresh listening socket on fd 0 and execs a worker, as the supervisor's posix_spawn does.

usage: fd0_launcher.py PORT_FILE PROGRAM [ARG...]

Binds 127.0.0.1 on an ephemeral port (blocking, backlog 64), writes the port to PORT_FILE
(atomically: tmp file + rename), then execs PROGRAM with fd 0 = the socket. LD_PRELOAD for the
worker is taken from JFPM_TEST_LD_PRELOAD so that the launcher itself runs without the library.
With JFPM_TEST_ACCESS_LOG=PATH it also opens PATH as the master opens an access log (write-only,
O_APPEND, created 0640) on fd 4 and sets JFPM_ACCESS_LOG_FD=4.
"""
import os
import socket
import sys

port_file, program = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
os.dup2(s.fileno(), 0)  # dup2 clears FD_CLOEXEC on fd 0
s.close()
tmp = port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(socket.socket(fileno=os.dup(0)).getsockname()[1]))
os.rename(tmp, port_file)
env = dict(os.environ)
access_log = env.pop("JFPM_TEST_ACCESS_LOG", "")
if access_log:
    fd = os.open(access_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    os.dup2(fd, 4)  # inheritable
    os.close(fd)
    env["JFPM_ACCESS_LOG_FD"] = "4"
preload = env.pop("JFPM_TEST_LD_PRELOAD", "")
if preload:
    env["LD_PRELOAD"] = preload
os.execve(program, sys.argv[2:], env)
