"""Prints what the worker side of the socket API returns, one line per probe, then exits.

Run on fd 0 = a listening socket, once with and once without the preload library: the output must
be identical. It connects to itself, so it needs no client.
"""
import errno
import os
import socket

out = []
listener = socket.socket(fileno=0)
addr = listener.getsockname()

listener.setblocking(False)
try:
    listener.accept()
    out.append("accept-empty ok")
except OSError as e:
    out.append("accept-empty errno %s" % errno.errorcode.get(e.errno, e.errno))

client = socket.create_connection(addr)
conn = None
for _ in range(1000):
    try:
        conn, _ = listener.accept()
        break
    except BlockingIOError:
        os.sched_yield()
out.append("accept-pending %s" % ("ok" if conn else "none"))
listener.setblocking(True)

conn.setblocking(False)
try:
    conn.recv(16)
    out.append("recv-empty ok")
except OSError as e:
    out.append("recv-empty errno %s" % errno.errorcode.get(e.errno, e.errno))
try:
    os.read(conn.fileno(), 16)
    out.append("read-empty ok")
except OSError as e:
    out.append("read-empty errno %s" % errno.errorcode.get(e.errno, e.errno))
conn.setblocking(True)

client.sendall(b"abcdef")
out.append("recv %r" % conn.recv(3))
out.append("read %r" % os.read(conn.fileno(), 3))
out.append("send %d" % conn.send(b"xyz"))
out.append("write %d" % os.write(conn.fileno(), b"uvw"))
out.append("client got %r" % client.recv(16))
client.close()
out.append("recv-eof %r" % conn.recv(16))
try:
    os.read(12345, 1)
except OSError as e:
    out.append("read-badfd errno %s" % errno.errorcode.get(e.errno, e.errno))
try:
    os.close(12345)
except OSError as e:
    out.append("close-badfd errno %s" % errno.errorcode.get(e.errno, e.errno))
try:
    os.read(conn.fileno(), 0)
    out.append("read-zero ok")
except OSError as e:
    out.append("read-zero errno %s" % errno.errorcode.get(e.errno, e.errno))
fd = conn.detach()
os.close(fd)
try:
    os.close(fd)
    out.append("close-twice ok")
except OSError as e:
    out.append("close-twice errno %s" % errno.errorcode.get(e.errno, e.errno))
print("\n".join(out), flush=True)
