package vajra.runtime;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * The fast path for the context: a plain class implementing Context, instead of a dynamic proxy whose class
 * generation costs tens of milliseconds on the first invocation. It links against whichever Context the
 * application class loader finds first (the user's aws-lambda-java-core or Vajra's API), so it is used only
 * after {@link #fits} has checked that it implements every abstract method of the handler's Context type;
 * otherwise the runtime falls back to {@link Facade} proxies. The optional parts (identity, client context)
 * stay proxies: they are rare.
 */
final class LambdaContext implements Context {
    private final Map<String, Object> values;
    private final long deadlineMs;

    LambdaContext(Map<String, Object> values, long deadlineMs) {
        this.values = values;
        this.deadlineMs = deadlineMs;
    }

    /** True when this class can stand for the given Context interface. */
    static boolean fits(Class<?> contextType) {
        try {
            if (!contextType.isAssignableFrom(LambdaContext.class)) return false;
            for (Method m : contextType.getMethods()) {
                if (!Modifier.isAbstract(m.getModifiers())) continue;
                Method impl = LambdaContext.class.getMethod(m.getName(), m.getParameterTypes());
                if (Modifier.isAbstract(impl.getModifiers())) return false;
            }
            for (Method m : LambdaLogger.class.getMethods()) {
                if (!Modifier.isAbstract(m.getModifiers())) continue;
                Method impl = Logger.class.getMethod(m.getName(), m.getParameterTypes());
                if (Modifier.isAbstract(impl.getModifiers())) return false;
            }
            return true;
        } catch (NoSuchMethodException | LinkageError e) {
            return false;
        }
    }

    private String s(String key) {
        return (String) values.get(key);
    }

    @Override
    public String getAwsRequestId() {
        return s("getAwsRequestId");
    }

    @Override
    public String getLogGroupName() {
        return s("getLogGroupName");
    }

    @Override
    public String getLogStreamName() {
        return s("getLogStreamName");
    }

    @Override
    public String getFunctionName() {
        return s("getFunctionName");
    }

    @Override
    public String getFunctionVersion() {
        return s("getFunctionVersion");
    }

    @Override
    public String getInvokedFunctionArn() {
        return s("getInvokedFunctionArn");
    }

    @Override
    public CognitoIdentity getIdentity() {
        Object v = values.get("getIdentity");
        return v == null ? null : (CognitoIdentity) nested(CognitoIdentity.class, v);
    }

    @Override
    public ClientContext getClientContext() {
        Object v = values.get("getClientContext");
        return v == null ? null : (ClientContext) nested(ClientContext.class, v);
    }

    @SuppressWarnings("unchecked")
    private static Object nested(Class<?> iface, Object map) {
        return Facade.proxy(iface, new Facade((Map<String, Object>) map, 0));
    }

    @Override
    public int getRemainingTimeInMillis() {
        long left = deadlineMs - System.currentTimeMillis();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int getMemoryLimitInMB() {
        return (Integer) values.get("getMemoryLimitInMB");
    }

    @Override
    public LambdaLogger getLogger() {
        return Logger.INSTANCE;
    }

    @Override
    public String getXrayTraceId() {
        return s("getXrayTraceId");
    }

    @Override
    public String getTenantId() {
        return s("getTenantId");
    }

    @Override
    public String toString() {
        return "LambdaContext{awsRequestId=" + getAwsRequestId() + ", functionName=" + getFunctionName()
                + ", functionVersion=" + getFunctionVersion() + ", invokedFunctionArn=" + getInvokedFunctionArn()
                + ", memoryLimitInMB=" + getMemoryLimitInMB() + ", remainingTimeInMillis="
                + getRemainingTimeInMillis() + "}";
    }

    /** LambdaLogger: the message as it is (no newline added) on standard output, flushed. */
    static final class Logger implements LambdaLogger {
        static final Logger INSTANCE = new Logger();

        @Override
        public void log(String message) {
            LogSink.write(message, null);
        }

        @Override
        public void log(byte[] message) {
            LogSink.write(message, null);
        }

        @Override
        public void log(String message, LogLevel level) {
            LogSink.write(message, level);
        }

        @Override
        public void log(byte[] message, LogLevel level) {
            LogSink.write(message, level);
        }
    }
}
