package vajra.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves _HANDLER (`pkg.Class::method`, or `pkg.Class` implementing RequestHandler or
 * RequestStreamHandler) to a method and calls it, the way AWS's Java runtime does: among the public
 * methods of that name, non-bridge methods win, then longer signatures (a trailing Context counting one
 * extra); accepted shapes are (), (X), (InputStream), (OutputStream), (Context), (X, Context),
 * (InputStream, OutputStream), (InputStream, Context), (OutputStream, Context) and
 * (InputStream, OutputStream, Context). An instance method gets one instance, created at init.
 */
final class Handler {
    static final String PKG = "com.amazonaws.services.lambda.runtime.";
    static final String CONTEXT = PKG + "Context";

    private static final int EVENT = 0;
    private static final int IN = 1;
    private static final int OUT = 2;
    private static final int CTX = 3;

    /** An init failure, reported to /runtime/init/error as {errorMessage, errorType}. */
    static final class Fault extends Exception {
        private static final long serialVersionUID = 1L;
        final String type;

        Fault(String message, String type, Throwable cause) {
            super(message, cause);
            this.type = type;
        }
    }

    final Method method;
    final Object instance;
    private final int[] kinds;
    /** The declared event type (with generics resolved against the handler class), or null. */
    private final Type eventType;
    /** The Context interface the method declares, or null when it takes none. */
    final Class<?> contextType;
    private final boolean hasOutput;
    private final boolean returnsVoid;
    /** Maps the event and the result (Jackson), or null for a handler that takes and returns streams only. */
    private final Codec codec;

    private Handler(Method method, Object instance, int[] kinds, Type eventType, Codec codec) {
        this.method = method;
        this.instance = instance;
        this.kinds = kinds;
        this.eventType = eventType;
        this.codec = codec;
        Class<?> ctx = null;
        boolean o = false;
        Class<?>[] p = method.getParameterTypes();
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == CTX) ctx = p[i];
            if (kinds[i] == OUT) o = true;
        }
        this.contextType = ctx;
        this.hasOutput = o;
        this.returnsVoid = method.getReturnType() == void.class;
    }

    static Handler load(String spec, ClassLoader loader) throws Fault {
        String className;
        String methodName;
        int sep = spec == null ? -1 : spec.indexOf("::");
        if (sep >= 0) {
            className = spec.substring(0, sep).trim();
            methodName = spec.substring(sep + 2).trim();
        } else {
            className = spec == null ? "" : spec.trim();
            methodName = null;
        }
        if (className.isEmpty() || (methodName != null && methodName.isEmpty())) {
            throw new Fault("Invalid handler: `" + spec + "'", "Runtime.BadFunctionCode", null);
        }
        Class<?> cls;
        try {
            cls = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw new Fault("Class not found: " + className, e.getClass().getName(), e);
        } catch (Throwable t) { // NoClassDefFoundError, ExceptionInInitializerError from a static initialiser, ...
            Throwable why = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
            String msg = why.getMessage() != null ? why.getMessage() : why == t ? null : why.getClass().getName();
            throw new Fault("Error loading class " + className + (msg == null ? "" : ": " + msg),
                    t.getClass().getName(), t);
        }
        Method m;
        if (methodName != null) {
            m = pick(cls, methodName, false);
        } else if (implementsIface(cls, PKG + "RequestStreamHandler")) {
            m = pick(cls, "handleRequest", true);
        } else if (implementsIface(cls, PKG + "RequestHandler")) {
            m = pick(cls, "handleRequest", false);
        } else {
            throw new Fault("Class does not implement an appropriate handler interface: " + cls.getName(),
                    "Runtime.BadFunctionCode", null);
        }
        if (m == null) {
            String name = methodName != null ? methodName : "handleRequest";
            throw new Fault("No public method named " + name + " with appropriate method signature found on class "
                    + cls.getName(), "Runtime.BadFunctionCode", null);
        }
        if (!Modifier.isPublic(m.getDeclaringClass().getModifiers())) m.setAccessible(true);
        Object instance = Modifier.isStatic(m.getModifiers()) ? null : instantiate(cls);
        int[] kinds = kinds(m);
        Method typed = unbridge(m);
        Type[] generic = typed.getGenericParameterTypes();
        Type ev = null;
        boolean takesEvent = false;
        boolean writesStream = false;
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == EVENT) {
                ev = resolve(generic[i], cls);
                takesEvent = true;
            }
            if (kinds[i] == OUT) writesStream = true;
        }
        Type result = m.getReturnType() == void.class || writesStream ? null : resolve(typed.getGenericReturnType(), cls);
        Codec codec = null;
        if (takesEvent || result != null) {
            // Plain JSON types start without Jackson's databind; POJOs and events need it from the start.
            codec = plainResult(result) ? PlainJson.forTypes(ev, result, loader) : null;
            if (codec == null) {
                Codec shared = Codec.shared();
                if (shared == null) throw new Fault(Codec.missing(), "java.lang.NoClassDefFoundError", null);
                try {
                    codec = shared.forHandler(ev, result, loader);
                } catch (RuntimeException | LinkageError e) {
                    throw new Fault("Cannot map the handler's types " + ev + " -> " + result + " to JSON: " + e,
                            e.getClass().getName(), e);
                }
            }
        }
        return new Handler(m, instance, kinds, ev, codec);
    }

    private static boolean implementsIface(Class<?> cls, String name) {
        for (Class<?> k = cls; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                if (i.getName().equals(name) || implementsIface(i, name)) return true;
            }
        }
        return false;
    }

    private static Object instantiate(Class<?> cls) throws Fault {
        Constructor<?> k;
        try {
            k = cls.getConstructor();
        } catch (NoSuchMethodException e) {
            if (cls.getEnclosingClass() != null && !Modifier.isStatic(cls.getModifiers())) {
                throw new Fault("Class " + cls.getName() + " cannot be instantiated because it is a non-static inner class",
                        "java.lang.Exception", null);
            }
            throw new Fault("Class " + cls.getName() + " has no public zero-argument constructor", "java.lang.Exception", e);
        }
        try {
            if (!Modifier.isPublic(cls.getModifiers())) k.setAccessible(true);
            return k.newInstance();
        } catch (InvocationTargetException e) { // the constructor threw
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new Fault(c.getMessage() != null ? c.getMessage() : c.getClass().getName(), c.getClass().getName(), c);
        } catch (ReflectiveOperationException e) {
            throw new Fault("Class " + cls.getName() + " cannot be instantiated: " + e, e.getClass().getName(), e);
        }
    }

    private static int kind(Class<?> p) {
        if (p == InputStream.class) return IN;
        if (p == OutputStream.class) return OUT;
        if (p.getName().equals(CONTEXT)) return CTX;
        return EVENT;
    }

    private static int[] kinds(Method m) {
        Class<?>[] p = m.getParameterTypes();
        int[] k = new int[p.length];
        for (int i = 0; i < p.length; i++) k[i] = kind(p[i]);
        return k;
    }

    private static boolean acceptable(int[] k, boolean streamOnly) {
        if (streamOnly) return k.length == 3 && k[0] == IN && k[1] == OUT && k[2] == CTX;
        switch (k.length) {
            case 0:
            case 1:
                return true;
            case 2:
                return (k[0] == OUT && k[1] == CTX) || (k[0] == IN && (k[1] == OUT || k[1] == CTX))
                        || (k[0] == EVENT && k[1] == CTX);
            case 3:
                return k[0] == IN && k[1] == OUT && k[2] == CTX;
            default:
                return false;
        }
    }

    private static int weight(Method m) {
        Class<?>[] p = m.getParameterTypes();
        return p.length + (p.length > 0 && p[p.length - 1].getName().equals(CONTEXT) ? 1 : 0);
    }

    private static Method pick(Class<?> cls, String name, boolean streamOnly) {
        ArrayList<Method> c = new ArrayList<>();
        for (Method m : cls.getMethods()) {
            if (m.getName().equals(name)) c.add(m);
        }
        Method[] ms = c.toArray(new Method[0]);
        Arrays.sort(ms, new Comparator<Method>() {
            @Override
            public int compare(Method a, Method b) {
                if (a.isBridge() != b.isBridge()) return a.isBridge() ? 1 : -1;
                return Integer.compare(weight(b), weight(a));
            }
        });
        for (Method m : ms) {
            if (acceptable(kinds(m), streamOnly)) return m;
        }
        return null;
    }

    /**
     * A public class inheriting a handler method from a package-private base gets a synthetic "visibility
     * bridge" without generic signature: the generic types are on the base class's method.
     */
    private static Method unbridge(Method m) {
        if (!m.isBridge()) return m;
        for (Class<?> k = m.getDeclaringClass().getSuperclass(); k != null; k = k.getSuperclass()) {
            try {
                Method d = k.getDeclaredMethod(m.getName(), m.getParameterTypes());
                if (!d.isBridge()) return d;
            } catch (NoSuchMethodException e) {
                // keep looking up
            }
        }
        return m;
    }

    /** Replaces type variables (e.g. the I of a generic base handler) by the arguments a subclass gives. */
    private static Type resolve(Type t, Class<?> cls) {
        if (!(t instanceof TypeVariable)) return t;
        Map<TypeVariable<?>, Type> bound = new HashMap<>();
        ArrayList<Type> todo = new ArrayList<>();
        todo.add(cls);
        while (!todo.isEmpty()) {
            Type cur = todo.remove(todo.size() - 1);
            Class<?> raw = rawClass(cur);
            if (cur instanceof ParameterizedType) {
                TypeVariable<?>[] vars = raw.getTypeParameters();
                Type[] args = ((ParameterizedType) cur).getActualTypeArguments();
                for (int i = 0; i < vars.length && i < args.length; i++) bound.put(vars[i], args[i]);
            }
            if (raw.getGenericSuperclass() != null) todo.add(raw.getGenericSuperclass());
            todo.addAll(Arrays.asList(raw.getGenericInterfaces()));
        }
        Type r = t;
        for (int guard = 0; r instanceof TypeVariable && bound.containsKey(r) && guard < 32; guard++) r = bound.get(r);
        return r;
    }

    /** Whether a declared result type may hold plain JSON values (the values themselves are checked when written). */
    private static boolean plainResult(Type t) {
        if (t == null) return true;
        Class<?> c = rawClass(t);
        return c == Object.class || c == String.class || c.isPrimitive() || c == Boolean.class
                || Number.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c)
                || java.util.Collection.class.isAssignableFrom(c);
    }

    static Class<?> rawClass(Type t) {
        if (t instanceof Class) return (Class<?>) t;
        if (t instanceof ParameterizedType) return rawClass(((ParameterizedType) t).getRawType());
        if (t instanceof GenericArrayType) {
            return Array.newInstance(rawClass(((GenericArrayType) t).getGenericComponentType()), 0).getClass();
        }
        if (t instanceof WildcardType) return rawClass(((WildcardType) t).getUpperBounds()[0]);
        if (t instanceof TypeVariable) {
            Type[] b = ((TypeVariable<?>) t).getBounds();
            return b.length == 0 ? Object.class : rawClass(b[0]);
        }
        return Object.class;
    }

    /** Calls the handler: the event bytes in, the response bytes out; the user's exceptions propagate. */
    byte[] invoke(byte[] payload, Object context) throws Throwable {
        Object[] args = new Object[kinds.length];
        ByteArrayOutputStream out = null;
        for (int i = 0; i < kinds.length; i++) {
            switch (kinds[i]) {
                case IN:
                    args[i] = new ByteArrayInputStream(payload);
                    break;
                case OUT:
                    out = new ByteArrayOutputStream(1024);
                    args[i] = out;
                    break;
                case CTX:
                    args[i] = context;
                    break;
                default:
                    try {
                        args[i] = codec.read(payload);
                    } catch (Exception e) {
                        throw new RuntimeException("An error occurred during JSON parsing: cannot read the event as "
                                + eventType.getTypeName() + ": " + e.getMessage(), e);
                    }
            }
        }
        Object result;
        try {
            result = method.invoke(instance, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() != null ? e.getCause() : e;
        }
        if (hasOutput) return out.toByteArray();
        if (returnsVoid) return NULL;
        try {
            return codec.write(result);
        } catch (Exception e) {
            throw new RuntimeException("An error occurred during JSON serialization of response: " + e.getMessage(), e);
        }
    }

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
}
