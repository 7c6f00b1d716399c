# A test host for the network tests, run inside a network namespace the test created: an HTTP server
# on port 8080 answering who it is, and a DNS server on port 53 answering NAME -> ADDRESS for the
# names given, NXDOMAIN for everything else. Usage: test-host.py LABEL [NAME=ADDRESS ...]
import http.server
import socket
import socketserver
import struct
import sys
import threading

label = sys.argv[1]
records = dict(a.split("=", 1) for a in sys.argv[2:])


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"hello from {label}".encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 53))
    while True:
        q, peer = s.recvfrom(512)
        if len(q) < 12:
            continue
        (qid,) = struct.unpack("!H", q[:2])
        i, labels = 12, []
        while i < len(q) and q[i] != 0:
            labels.append(q[i + 1 : i + 1 + q[i]].decode(errors="replace"))
            i += 1 + q[i]
        question = q[12 : i + 5]
        qtype = struct.unpack("!H", q[i + 1 : i + 3])[0] if i + 3 <= len(q) else 0
        name = ".".join(labels).lower()
        addr = records.get(name)
        if addr is None:
            s.sendto(struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question, peer)
        elif qtype != 1:
            s.sendto(struct.pack("!HHHHHH", qid, 0x8180, 1, 0, 0, 0) + question, peer)
        else:
            answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(addr)
            s.sendto(struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer, peer)


threading.Thread(target=dns, daemon=True).start()
socketserver.TCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(("0.0.0.0", 8080), Hello) as httpd:
    print("ready", flush=True)
    httpd.serve_forever()
