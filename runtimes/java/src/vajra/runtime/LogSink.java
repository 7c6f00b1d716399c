package vajra.runtime;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Where LambdaLogger output goes: standard output as it is, or, with a LoggingConfig of JSON
 * (AWS_LAMBDA_LOG_FORMAT=JSON), one JSON record per call as AWS's Java runtime writes them. Calls with a
 * level below AWS_LAMBDA_LOG_LEVEL are dropped; calls without a level are always written.
 */
final class LogSink {
    static final boolean JSON = "JSON".equals(System.getenv("AWS_LAMBDA_LOG_FORMAT"));
    private static final String[] ORDER = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
    private static final int MIN = rank(System.getenv("AWS_LAMBDA_LOG_LEVEL"));

    /** The invocation being served (set by Bootstrap), written into JSON records. */
    static volatile String requestId;

    private LogSink() {
    }

    /** Index in ORDER, or -1 for no level (UNDEFINED, null, unknown names). */
    private static int rank(Object level) {
        if (level == null) return -1;
        String name = level.toString().toUpperCase();
        for (int i = 0; i < ORDER.length; i++) {
            if (ORDER[i].equals(name)) return i;
        }
        return -1;
    }

    /** `msg` is a String or byte[]; `level` a LogLevel of any class loader (read by name), or null. */
    static void write(Object msg, Object level) {
        int r = rank(level);
        if (r >= 0 && r < MIN) return;
        byte[] b;
        if (JSON) {
            String text = msg instanceof byte[] ? new String((byte[]) msg, StandardCharsets.UTF_8) : String.valueOf(msg);
            if (text.endsWith("\n")) text = text.substring(0, text.length() - 1); // the record is the line
            StringBuilder sb = new StringBuilder("{\"timestamp\":");
            quote(sb, Instant.now().toString());
            if (r >= 0) {
                sb.append(",\"level\":");
                quote(sb, ORDER[r]);
            }
            sb.append(",\"message\":");
            quote(sb, text);
            if (requestId != null) {
                sb.append(",\"AWSRequestId\":");
                quote(sb, requestId);
            }
            b = sb.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
        } else {
            b = msg instanceof byte[] ? (byte[]) msg : String.valueOf(msg).getBytes(StandardCharsets.UTF_8);
        }
        PrintStream out = System.out;
        out.write(b, 0, b.length);
        out.flush();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }
}
