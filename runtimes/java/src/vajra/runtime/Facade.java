package vajra.runtime;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Implements the Lambda context interfaces (Context, LambdaLogger, CognitoIdentity, ClientContext, Client)
 * as dynamic proxies of whatever interface the handler was compiled against: Vajra's own API or a real
 * aws-lambda-java-core bundled in the user's jar. Each getter is answered by name from a map, so a newer
 * or older version of those interfaces works as long as the method names match; unknown methods return
 * null (or zero for primitive results).
 */
final class Facade implements InvocationHandler {
    private static final Map<String, Object> NONE = Collections.emptyMap();
    private static final Map<Class<?>, Object> LOGGERS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Getter name -> value; a Map value becomes a nested proxy when the getter returns an interface. */
    private final Map<String, Object> values;
    /** Epoch ms of the invocation's deadline (for getRemainingTimeInMillis), 0 when not a Context. */
    private final long deadlineMs;

    Facade(Map<String, Object> values, long deadlineMs) {
        this.values = values;
        this.deadlineMs = deadlineMs;
    }

    static Object proxy(Class<?> iface, Facade h) {
        return Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, h);
    }

    /** A LambdaLogger proxy for the given interface (one per interface type). */
    static Object logger(Class<?> iface) {
        Object l = LOGGERS.get(iface);
        if (l == null) {
            l = proxy(iface, new Facade(NONE, 0));
            LOGGERS.put(iface, l);
        }
        return l;
    }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
        String n = m.getName();
        int argc = args == null ? 0 : args.length;
        if (m.getDeclaringClass() == Object.class) {
            if (n.equals("equals")) return proxy == args[0];
            if (n.equals("hashCode")) return System.identityHashCode(proxy);
            return describe(proxy.getClass().getInterfaces()[0]); // toString
        }
        if (n.equals("log") && argc >= 1) { // LambdaLogger.log(String|byte[][, LogLevel])
            LogSink.write(args[0], argc >= 2 ? args[1] : null);
            return null;
        }
        if (argc == 0) {
            if (n.equals("getRemainingTimeInMillis") && deadlineMs > 0) {
                long left = deadlineMs - System.currentTimeMillis();
                return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
            }
            Class<?> rt = m.getReturnType();
            if (n.equals("getLogger") && rt.isInterface()) return logger(rt);
            Object v = values.get(n);
            if (v instanceof Map && rt.isInterface() && !Map.class.isAssignableFrom(rt)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> nested = (Map<String, Object>) v;
                return proxy(rt, new Facade(nested, 0));
            }
            if (v != null && rt.isInstance(v)) return v;
            if (v != null && rt.isPrimitive() && box(rt).isInstance(v)) return v;
            if (v != null && rt == String.class) return String.valueOf(v);
            return zero(rt);
        }
        return zero(m.getReturnType());
    }

    private static Class<?> box(Class<?> p) {
        if (p == int.class) return Integer.class;
        if (p == long.class) return Long.class;
        if (p == double.class) return Double.class;
        if (p == boolean.class) return Boolean.class;
        if (p == float.class) return Float.class;
        if (p == short.class) return Short.class;
        if (p == byte.class) return Byte.class;
        if (p == char.class) return Character.class;
        return p;
    }

    /** The value of an unknown getter: null, or zero/false for a primitive result. */
    private static Object zero(Class<?> p) {
        if (!p.isPrimitive() || p == void.class) return null;
        if (p == boolean.class) return Boolean.FALSE;
        if (p == char.class) return '\0';
        if (p == int.class) return 0;
        if (p == long.class) return 0L;
        if (p == double.class) return 0.0;
        if (p == float.class) return 0.0f;
        if (p == short.class) return (short) 0;
        return (byte) 0;
    }

    private String describe(Class<?> iface) {
        StringBuilder sb = new StringBuilder(iface.getSimpleName()).append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!first) sb.append(", ");
            first = false;
            String k = e.getKey();
            if (k.startsWith("get") && k.length() > 3) k = Character.toLowerCase(k.charAt(3)) + k.substring(4);
            sb.append(k).append('=').append(e.getValue());
        }
        return sb.append('}').toString();
    }

    // ------------------------------------------------------------------ building the maps

    /** CognitoIdentity getters from the Lambda-Runtime-Cognito-Identity JSON, or null. */
    static Map<String, Object> identity(Object json) {
        if (!(json instanceof Map)) return null;
        Map<?, ?> j = (Map<?, ?>) json;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("getIdentityId", str(first(j, "cognitoIdentityId", "identity_id", "identityId")));
        m.put("getIdentityPoolId", str(first(j, "cognitoIdentityPoolId", "identity_pool_id", "identityPoolId")));
        return m;
    }

    /** ClientContext getters from the Lambda-Runtime-Client-Context JSON, or null. */
    static Map<String, Object> clientContext(Object json) {
        if (!(json instanceof Map)) return null;
        Map<?, ?> j = (Map<?, ?>) json;
        Map<String, Object> m = new LinkedHashMap<>();
        Object c = j.get("client");
        if (c instanceof Map) {
            Map<?, ?> cj = (Map<?, ?>) c;
            Map<String, Object> client = new LinkedHashMap<>();
            client.put("getInstallationId", str(first(cj, "installation_id", "installationId")));
            client.put("getAppTitle", str(first(cj, "app_title", "appTitle")));
            client.put("getAppVersionName", str(first(cj, "app_version_name", "appVersionName")));
            client.put("getAppVersionCode", str(first(cj, "app_version_code", "appVersionCode")));
            client.put("getAppPackageName", str(first(cj, "app_package_name", "appPackageName")));
            m.put("getClient", client);
        }
        m.put("getCustom", strings(j.get("custom")));
        m.put("getEnvironment", strings(first(j, "env", "environment")));
        return m;
    }

    private static Object first(Map<?, ?> m, String... keys) {
        for (String k : keys) {
            Object v = m.get(k);
            if (v != null) return v;
        }
        return null;
    }

    private static String str(Object v) {
        if (v == null || v instanceof String) return (String) v;
        return new PlainJson().text(v);
    }

    private static Map<String, String> strings(Object v) {
        if (!(v instanceof Map)) return null;
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) out.put(String.valueOf(e.getKey()), str(e.getValue()));
        return out;
    }
}
