"""A plain worker that does not accept on fd 0 itself: it takes the listening socket with
socket.fromfd(0, ...), which dup()s it to another descriptor, and accepts there forever, one line per
connection answered with "ok <pid>\n". With the argument "close0" it also closes fd 0 first, so
accepted connections may get fd 0.
"""
import os
import socket
import sys

listener = socket.fromfd(0, socket.AF_INET, socket.SOCK_STREAM)
assert listener.fileno() != 0
if sys.argv[1:] == ["close0"]:
    os.close(0)
while True:
    conn, _ = listener.accept()
    with conn:
        f = conn.makefile("rb")
        f.readline()
        f.close()
        conn.sendall(("ok %d\n" % os.getpid()).encode())
