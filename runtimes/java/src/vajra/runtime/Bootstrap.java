package vajra.runtime;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOError;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Vajra's Java runtime: loads the handler named by _HANDLER (or the first argument), then serves
 * invocations from the Lambda Runtime API until the sandbox is torn down. User classes come from the
 * application class path (/var/task, its jars, then Vajra's API classes last), so a handler built
 * against the real aws-lambda-java-core works, and so does one built against Vajra's copy.
 *
 * Start-up matters here: no lambdas or indy string concatenation (compile with -XDstringConcat=inline),
 * no java.net.http, no regex; the shim's classes are few and small.
 */
public final class Bootstrap {
    private static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

    private Bootstrap() {
    }

    public static void main(String[] args) {
        // Lambda's log is the process output; write UTF-8 whatever the locale says.
        System.setOut(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8192), true,
                StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), 8192), true,
                StandardCharsets.UTF_8));
        EndpointRelay.start();
        RuntimeClient client = RuntimeClient.fromEnv();
        String spec = args.length > 0 ? args[0] : System.getenv("_HANDLER");

        Handler handler;
        try {
            handler = Handler.load(spec, ClassLoader.getSystemClassLoader());
        } catch (Handler.Fault f) {
            reportInitError(client, f);
            return; // not reached
        }

        String functionName = env("AWS_LAMBDA_FUNCTION_NAME", "");
        String version = env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        String logGroup = env("AWS_LAMBDA_LOG_GROUP_NAME", "");
        String logStream = env("AWS_LAMBDA_LOG_STREAM_NAME", "");
        boolean plainContext = false; // LambdaContext fits the handler's Context type: no proxy needed
        if (handler.contextType != null) {
            try {
                plainContext = LambdaContext.fits(handler.contextType);
            } catch (LinkageError e) {
                plainContext = false;
            }
        }
        Integer memory = 128;
        try {
            memory = Integer.valueOf(env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"));
        } catch (NumberFormatException e) {
            // keep the default
        }

        while (true) {
            RuntimeClient.Response next;
            System.out.flush(); // output of init or of the last invocation goes out before the next one starts
            System.err.flush();
            try {
                next = client.next();
            } catch (IOException e) {
                fatal("cannot reach the Runtime API: " + e);
                return;
            }
            if (next.status != 200) {
                fatal("the Runtime API answered /invocation/next with HTTP " + next.status + ": "
                        + new String(next.body, StandardCharsets.UTF_8));
                return;
            }
            String id = next.header("lambda-runtime-aws-request-id");
            String trace = next.header("lambda-runtime-trace-id");
            if (trace != null) System.setProperty(TRACE_PROPERTY, trace);
            else System.clearProperty(TRACE_PROPERTY);

            Object context = null;
            if (handler.contextType != null) {
                Map<String, Object> v = new HashMap<>(24);
                v.put("getAwsRequestId", id);
                LogSink.requestId = id;
                v.put("getLogGroupName", logGroup);
                v.put("getLogStreamName", logStream);
                v.put("getFunctionName", functionName);
                v.put("getFunctionVersion", version);
                v.put("getInvokedFunctionArn", next.header("lambda-runtime-invoked-function-arn"));
                v.put("getMemoryLimitInMB", memory);
                v.put("getXrayTraceId", trace);
                v.put("getTenantId", next.header("lambda-runtime-aws-tenant-id"));
                v.put("getIdentity", Facade.identity(headerJson(next.header("lambda-runtime-cognito-identity"))));
                v.put("getClientContext", Facade.clientContext(headerJson(next.header("lambda-runtime-client-context"))));
                long deadline;
                try {
                    deadline = Long.parseLong(next.header("lambda-runtime-deadline-ms"));
                } catch (RuntimeException e) {
                    deadline = Long.MAX_VALUE; // no deadline given
                }
                context = plainContext ? new LambdaContext(v, deadline)
                        : Facade.proxy(handler.contextType, new Facade(v, deadline));
            }

            byte[] result = null;
            Throwable error = null;
            try {
                result = handler.invoke(next.body, context);
            } catch (Throwable t) {
                error = t;
            }
            Thread.interrupted(); // a flag left by the handler must not break the next read
            try {
                System.out.flush();
                System.err.flush();
                if (error == null) {
                    client.post("/invocation/" + id + "/response", result, null);
                } else {
                    filter(error);
                    String type = error.getClass().getName();
                    String msg = error.getLocalizedMessage() != null ? error.getLocalizedMessage() : type;
                    logError(msg, type, error);
                    client.post("/invocation/" + id + "/error", errorBody(msg, type, error.getStackTrace()), type);
                    if (error instanceof VirtualMachineError || error instanceof IOError) {
                        fatal("exiting after " + type);
                        return;
                    }
                }
            } catch (IOException e) {
                fatal("cannot reach the Runtime API: " + e);
                return;
            }
        }
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    private static Object headerJson(String value) {
        if (value == null || value.isEmpty()) return null;
        return new PlainJson().tree(value);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** A JSON string literal (the runtime's own small messages are written without Jackson). */
    static String quote(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]).append(HEX[c >> 4 & 15])
                                .append(HEX[c & 15]);
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /** Init failed: log it, tell the platform, exit non-zero (as AWS's Java runtime does). */
    private static void reportInitError(RuntimeClient client, Handler.Fault f) {
        Throwable cause = f.getCause();
        if (cause != null) {
            filter(cause);
            logError(f.getMessage(), f.type, cause);
        } else {
            System.out.println(f.getMessage());
        }
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"errorMessage\":").append(quote(f.getMessage()))
                .append(",\"errorType\":").append(quote(f.type)).append('}');
        System.out.flush();
        try {
            client.post("/init/error", sb.toString().getBytes(StandardCharsets.UTF_8), f.type);
        } catch (IOException e) {
            System.err.println("vajra-java: cannot report the init error: " + e);
        }
        System.err.flush();
        System.exit(1);
    }

    /** {"errorMessage","errorType","stackTrace":["pkg.Class.method(File.java:12)", ...]}, like AWS's Java runtime. */
    static byte[] errorBody(String msg, String type, StackTraceElement[] trace) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"errorMessage\":").append(quote(msg)).append(",\"errorType\":").append(quote(type))
                .append(",\"stackTrace\":[");
        for (int i = 0; i < trace.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(quote(trace[i].toString()));
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The log line AWS's Java runtime writes for a failure: "message: type" then the stack trace. */
    private static void logError(String msg, String type, Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        System.out.print(msg + ": " + type + "\n" + sw);
        System.out.flush();
    }

    /**
     * Drops the runtime's own frames (and the reflection frames that called the handler) from a trace
     * and its causes, so the trace starts and ends in user code.
     */
    static void filter(Throwable t) {
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            StackTraceElement[] st = t.getStackTrace();
            int end = st.length;
            for (int i = 0; i < st.length; i++) {
                if (st[i].getClassName().startsWith("vajra.runtime.")) {
                    end = i;
                    break;
                }
            }
            if (end == st.length) continue;
            while (end > 0 && isReflection(st[end - 1].getClassName())) end--;
            StackTraceElement[] cut = new StackTraceElement[end];
            System.arraycopy(st, 0, cut, 0, end);
            t.setStackTrace(cut);
        }
    }

    private static boolean isReflection(String cls) {
        return cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.")
                || cls.startsWith("java.lang.invoke.");
    }

    private static void fatal(String msg) {
        System.out.flush();
        System.err.println("vajra-java: " + msg);
        System.err.flush();
        System.exit(1);
    }
}
