"""A multi-threaded worker: the main thread accepts on fd 0, one thread per connection answers
"ok <pid> <line>\n" after a short random pause, then closes. Reads, writes and closes on
connection fds thus race with accepts in the main thread.
"""
import os
import random
import socket
import threading
import time


def handle(conn):
    with conn:
        f = conn.makefile("rb")
        line = f.readline().decode().strip()
        f.close()
        time.sleep(random.random() / 100)
        conn.sendall(("ok %d %s\n" % (os.getpid(), line)).encode())


listener = socket.socket(fileno=0)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
