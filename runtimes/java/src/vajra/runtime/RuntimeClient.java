package vajra.runtime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client for the Lambda Runtime API on one persistent connection: TCP to
 * AWS_LAMBDA_RUNTIME_API, or, when nothing listens there, Vajra's UNIX socket (VAJRA_RUNTIME_SOCKET, on
 * Java 16+). Plain sockets keep JVM start-up cheaper than java.net.http.
 */
final class RuntimeClient {
    static final String API = "/2018-06-01/runtime";

    /** A response: status, lower-cased headers, body. */
    static final class Response {
        final int status;
        final Map<String, String> headers;
        final byte[] body;

        Response(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        String header(String lowerName) {
            return headers.get(lowerName);
        }
    }

    private final String hostHeader;
    private final String host;
    private final int port;
    private final String unixPath;
    /** Whether the transport is settled (TCP worked, or TCP was refused and the UNIX socket worked). */
    private boolean decided;
    private boolean useUnix;
    private Closeable conn;
    private InputStream in;
    private OutputStream out;

    RuntimeClient(String api, String unixPath) {
        this.hostHeader = api;
        int colon = api.lastIndexOf(':');
        String h = colon > 0 ? api.substring(0, colon) : api;
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        this.host = h.isEmpty() ? "127.0.0.1" : h;
        this.port = colon > 0 ? Integer.parseInt(api.substring(colon + 1)) : 80;
        this.unixPath = unixPath != null && Runtime.version().feature() >= 16 && new File(unixPath).exists()
                ? unixPath : null;
    }

    static RuntimeClient fromEnv() {
        String api = System.getenv("AWS_LAMBDA_RUNTIME_API");
        String sock = System.getenv("VAJRA_RUNTIME_SOCKET");
        return new RuntimeClient(api == null || api.isEmpty() ? "127.0.0.1:9001" : api,
                sock == null || sock.isEmpty() ? "/run/vajra/runtime.sock" : sock);
    }

    /**
     * Connects the way that worked before, or else TCP first: with Vajra's forwarder (and on JDK 11) that is
     * the only way, and it is also the cheaper one to set up (a UNIX socket channel initialises the JDK's
     * SecureRandom, 10-15 ms). When nothing listens on TCP, Vajra's UNIX socket is dialled directly.
     */
    private void connect() throws IOException {
        if (!useUnix) {
            try {
                Socket s = new Socket(Proxy.NO_PROXY); // skips the SOCKS wrapper and ProxySelector: cheaper
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(host, port));
                conn = s;
                in = new BufferedInputStream(s.getInputStream(), 65536);
                out = s.getOutputStream();
                decided = true;
                return;
            } catch (ConnectException | InternalError e) { // InternalError: a JDK whose java.security is unreadable
                if (decided || unixPath == null) throw e;
                try {
                    openUnixStreams();
                } catch (UnsupportedOperationException u) {
                    throw new IOException("cannot reach the Runtime API at " + hostHeader + " (" + e.getMessage()
                            + ") nor at " + u.getMessage(), e);
                }
                useUnix = true;
                decided = true;
                return;
            }
        }
        openUnixStreams();
    }

    private void openUnixStreams() throws IOException {
        SocketChannel ch = openUnix(unixPath);
        conn = ch;
        in = new BufferedInputStream(Channels.newInputStream(ch), 65536);
        out = Channels.newOutputStream(ch);
    }

    /** SocketChannel.open(StandardProtocolFamily.UNIX), through reflection since the shim targets Java 11. */
    static SocketChannel openUnix(String path) throws IOException {
        try {
            Class<?> family = Class.forName("java.net.StandardProtocolFamily");
            Object unix = null;
            for (Object c : family.getEnumConstants()) {
                if (((Enum<?>) c).name().equals("UNIX")) unix = c;
            }
            SocketAddress addr = (SocketAddress) Class.forName("java.net.UnixDomainSocketAddress")
                    .getMethod("of", String.class).invoke(null, path);
            SocketChannel ch = (SocketChannel) SocketChannel.class.getMethod("open", ProtocolFamily.class)
                    .invoke(null, unix);
            ch.connect(addr);
            return ch;
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            Throwable c = e instanceof InvocationTargetException && e.getCause() != null ? e.getCause() : e;
            if (c instanceof IOException) throw (IOException) c;
            throw new UnsupportedOperationException(path + ": " + c, c);
        }
    }

    void close() {
        Closeable c = conn;
        conn = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    Response next() throws IOException {
        return request("GET", API + "/invocation/next", null, null);
    }

    Response post(String path, byte[] body, String errorType) throws IOException {
        String extra = null;
        if (errorType != null) {
            extra = "Lambda-Runtime-Function-Error-Type: " + errorType.replace('\r', ' ').replace('\n', ' ') + "\r\n";
        }
        return request("POST", API + path, body, extra);
    }

    /** One request; a failure on a reused keep-alive connection is retried once on a fresh one. */
    Response request(String method, String path, byte[] body, String extraHeaders) throws IOException {
        StringBuilder head = new StringBuilder(160);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader)
                .append("\r\nUser-Agent: vajra-java\r\n");
        if (extraHeaders != null) head.append(extraHeaders);
        if (body != null) head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; ; attempt++) {
            boolean fresh = conn == null;
            if (fresh) connect();
            try {
                if (body != null && body.length <= 65536) { // one write, one packet
                    byte[] all = new byte[h.length + body.length];
                    System.arraycopy(h, 0, all, 0, h.length);
                    System.arraycopy(body, 0, all, h.length, body.length);
                    out.write(all);
                } else {
                    out.write(h);
                    if (body != null) out.write(body);
                }
                out.flush();
                return readResponse();
            } catch (IOException e) {
                close();
                if (fresh || attempt > 0) throw e;
            }
        }
    }

    private Response readResponse() throws IOException {
        String status = line();
        int sp = status.indexOf(' ');
        if (!status.startsWith("HTTP/") || sp < 0) throw new IOException("bad HTTP status line: " + status);
        int end = status.indexOf(' ', sp + 1);
        int code = Integer.parseInt(status.substring(sp + 1, end < 0 ? status.length() : end));
        Map<String, String> headers = new HashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            if (c > 0) headers.put(l.substring(0, c).trim().toLowerCase(), l.substring(c + 1).trim());
        }
        byte[] body;
        String te = headers.get("transfer-encoding");
        String cl = headers.get("content-length");
        if (te != null && te.toLowerCase().contains("chunked")) {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            while (true) {
                String sz = line();
                int semi = sz.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? sz : sz.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                bo.write(readN(n));
                line();
            }
            body = bo.toByteArray();
        } else if (cl != null) {
            body = readN(Integer.parseInt(cl));
        } else { // no length: the body runs to the end of the connection
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) bo.write(buf, 0, n);
            body = bo.toByteArray();
            close();
        }
        String connHeader = headers.get("connection");
        if (connHeader != null && connHeader.equalsIgnoreCase("close")) close();
        return new Response(code, headers, body);
    }

    private byte[] readN(int n) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) throw new EOFException("Runtime API closed the connection");
            off += r;
        }
        return b;
    }

    /** A header line without its CRLF (ISO-8859-1, as HTTP headers are bytes). */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("Runtime API closed the connection");
            if (c == '\n') break;
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }
}
