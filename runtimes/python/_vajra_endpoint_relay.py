# The Lambda endpoint relay of Vajra's Python runtime, apart from bootstrap.py: AWS_ENDPOINT_URL_LAMBDA
# names 127.0.0.1:9002 inside the sandbox, which has no route to the host in any network mode;
# connections there are relayed to the endpoint's UNIX socket, which the server binds into every
# sandbox. Raw _thread/_socket: `threading` costs milliseconds at start-up.
import os
import sys
import time
import _socket


def _pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s, how in ((dst, _socket.SHUT_WR), (src, _socket.SHUT_RD)):
        try:
            s.shutdown(how)
        except OSError:
            pass


def _relay(conn, path):
    import _thread
    up = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        up.connect(path)
    except OSError:
        conn.close()
        up.close()
        return
    _thread.start_new_thread(_pump, (up, conn))
    _pump(conn, up)


def _accept_loop(server, path):
    import _thread
    while True:
        try:
            fd, _ = server._accept()
        except OSError:
            time.sleep(0.05)  # out of descriptors, say: try again shortly rather than spin
            continue
        conn = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM, 0, fd)
        conn.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        _thread.start_new_thread(_relay, (conn, path))


def start(path):
    if not os.path.exists(path):  # no isolation (or an older server): no endpoint to relay to
        return
    try:
        import _thread
        server = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        server.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 9002))
        server.listen(64)
        _thread.start_new_thread(_accept_loop, (server, path))
    except OSError as e:
        sys.stderr.write("vajra bootstrap: no Lambda endpoint relay: %s\n" % e)
