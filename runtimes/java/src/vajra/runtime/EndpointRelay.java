package vajra.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The Lambda endpoint relay: AWS_ENDPOINT_URL_LAMBDA names 127.0.0.1:9002 inside the sandbox, which has no
 * route to the host in any network mode; each connection there is relayed to the endpoint's UNIX socket
 * (/run/vajra-lambda/lambda.sock). It starts on a daemon thread of its own, so the cold start does not wait for it.
 */
final class EndpointRelay {
    private EndpointRelay() {}

    static void start() {
        String path = "/run/vajra-lambda/lambda.sock"; // bound into every sandbox by the server
        if (!new java.io.File(path).exists()) return; // no isolation (or an older server): nothing to relay to
        Thread t = new Thread(() -> serve(path), "vajra-endpoint-relay");
        t.setDaemon(true);
        t.start();
    }

    private static void serve(String path) {
        try (ServerSocket server = new ServerSocket(9002, 64, InetAddress.getByName("127.0.0.1"))) {
            for (;;) {
                Socket conn = server.accept();
                conn.setTcpNoDelay(true);
                Thread t = new Thread(() -> relay(conn, path), "vajra-endpoint-conn");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("vajra runtime: no Lambda endpoint relay: " + e);
        }
    }

    /**
     * Both directions of one connection; the channel is read and written directly (its streams from
     * Channels share one lock between reading and writing, so a blocked read would stall the other way).
     */
    private static void relay(Socket conn, String path) {
        SocketChannel up;
        try {
            up = RuntimeClient.openUnix(path);
        } catch (IOException | RuntimeException e) {
            closeQuietly(conn);
            return;
        }
        Thread back = new Thread(() -> {
            try {
                OutputStream out = conn.getOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(65536);
                while (up.read(buf) >= 0) {
                    out.write(buf.array(), 0, buf.position());
                    out.flush();
                    buf.clear();
                }
            } catch (IOException ignored) {
                // either side went away
            }
            closeQuietly(conn);
            try {
                up.close();
            } catch (IOException ignored) {
                // already gone
            }
        }, "vajra-endpoint-back");
        back.setDaemon(true);
        back.start();
        try {
            InputStream in = conn.getInputStream();
            byte[] bytes = new byte[65536];
            for (int n; (n = in.read(bytes)) >= 0; ) {
                ByteBuffer buf = ByteBuffer.wrap(bytes, 0, n);
                while (buf.hasRemaining()) up.write(buf);
            }
            up.shutdownOutput();
        } catch (IOException ignored) {
            closeQuietly(conn);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
