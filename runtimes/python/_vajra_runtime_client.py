# The Lambda Runtime API client of Vajra's Python runtime, apart from _vajra_bootstrap.py: HTTP/1.1 on
# one persistent connection, to the instance's UNIX socket (or AWS_LAMBDA_RUNTIME_API over TCP where the
# socket is absent), with GET /next pipelined behind each result. Raw _socket: no http.client at start-up.
import os
import _socket

API = "/2018-06-01/runtime"
SOCKET_PATH = os.environ.get("VAJRA_RUNTIME_SOCKET") or "/run/vajra/runtime.sock"


class RuntimeClient(object):
    def __init__(self):
        self.api = os.environ.get("AWS_LAMBDA_RUNTIMEAPI") or "127.0.0.1:9001"
        self.sock = None
        self.buf = b""

    def _connect(self):
        if os.path.exists(SOCKET_PATH):
            s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            s.connect(SOCKET_PATH)
        else:
            host, _, port = self.api.rpartition(":")
            host = host.strip("[]") or "127.0.0.1"
            for fam in (_socket.AF_INET, _socket.AF_INET6):  # IP literals skip getaddrinfo (and its idna import)
                try:
                    _socket.inet_pton(fam, host)
                    addr = (host, int(port))
                    break
                except OSError:
                    pass
            else:
                fam, _, _, _, addr = _socket.getaddrinfo(host.encode("ascii"), int(port), 0, _socket.SOCK_STREAM)[0]
            s = _socket.socket(fam, _socket.SOCK_STREAM)
            s.connect(addr)
            s.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        self.sock, self.buf = s, b""

    def close(self):
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()

    def _head(self, method, path, body, extra_headers):
        return ("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: vajra-python\r\n%sContent-Length: %d\r\n\r\n" % (
            method, path, self.api, extra_headers, len(body))).encode("utf-8") + body

    def request(self, method, path, body=b"", extra_headers="", then_next=False):
        """One request; with then_next, GET /next is pipelined behind it and its answer returned."""
        req = self._head(method, path, body, extra_headers)
        if then_next:
            # Pipelining saves a round trip (and a wake-up of each side) per invocation.
            req += self._head("GET", API + "/invocation/next", b"", "")
        for attempt in (0, 1):
            fresh = self.sock is None
            if fresh:
                self._connect()
            try:
                self.sock.sendall(req)
                first = self._read_response()
                if not then_next:
                    return first
                if self.sock is None:  # the server closed after the first answer
                    return self.request("GET", API + "/invocation/next")
                return self._read_response()
            except (OSError, EOFError):
                self.close()
                if fresh or attempt:  # only a reused keep-alive connection gets a second chance
                    raise

    def _read_response(self):
        buf = self.buf
        while True:
            i = buf.find(b"\r\n\r\n")
            if i >= 0:
                break
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("Runtime API closed the connection")
            buf += chunk
        lines = buf[:i].decode("utf-8", "replace").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        rest = bytearray(buf[i + 4:])
        length = headers.get("content-length")
        if "chunked" in headers.get("transfer-encoding", "").lower():  # not expected from Vajra
            return status, headers, self._read_chunked(rest)
        if length is None:  # not expected from Vajra: read until the server closes
            self._fill(rest, 1 << 62, eof_ok=True)
            self.close()
            return status, headers, bytes(rest)
        n = int(length)
        self._fill(rest, n)
        self.buf = bytes(rest[n:])
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, bytes(rest[:n])

    def _fill(self, rest, n, eof_ok=False):
        while len(rest) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                if eof_ok:
                    return
                raise EOFError("Runtime API closed the connection mid-body")
            rest += chunk

    def _read_chunked(self, rest):
        body = bytearray()
        while True:
            while b"\r\n" not in rest:
                self._fill(rest, len(rest) + 1)
            i = rest.find(b"\r\n")
            size = int(bytes(rest[:i]).split(b";")[0], 16)
            self._fill(rest, i + 2 + size + 2)
            body += rest[i + 2:i + 2 + size]
            del rest[:i + 2 + size + 2]
            if size == 0:  # (trailers are not expected)
                self.buf = bytes(rest)
                return bytes(body)

    def post(self, path, body, error_type=None, then_next=False):
        """POSTs a result or an error; an error's type travels in a header, in its ASCII-safe form."""
        extra = "Content-Type: application/json\r\n"
        if error_type:
            extra += "Lambda-Runtime-Function-Error-Type: %s\r\n" % _header_safe(error_type)
        return self.request("POST", API + path, body, extra, then_next)


def _header_safe(value):
    """Printable ASCII is kept; anything else (and "%") is percent-encoded as UTF-8, as the Node.js
    bootstrap does, so a class named with non-ASCII letters keeps its name (the server decodes it)."""
    out = []
    for ch in value:
        if " " <= ch <= "~" and ch != "%":
            out.append(ch)
        else:
            out.extend("%%%02X" % b for b in ch.encode("utf-8", "surrogatepass"))
    return "".join(out)
