package vajra.runtime;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small JSON reader/writer, plus conversion between the generic tree (LinkedHashMap, ArrayList, String,
 * Integer/Long/BigInteger, Double, Boolean, null) and the handler's declared types: boxed and primitive
 * scalars, String, enums, byte[] (base64), arrays, collections, maps, records and JavaBeans-style POJOs
 * (public no-arg constructor; setters or public fields in, public getters or public fields out).
 * It follows the conventions of AWS's Java serializer where that is cheap: null POJO properties are left
 * out, unknown properties are ignored, a single value is accepted where an array is expected.
 */
final class Json {
    private Json() {
    }

    /** Thrown for malformed JSON or a value that cannot become the requested type. */
    static final class JsonException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JsonException(String message) {
            super(message);
        }

        JsonException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ------------------------------------------------------------------ parsing

    static Object parse(byte[] data) {
        return parse(new String(data, StandardCharsets.UTF_8));
    }

    static Object parse(String text) {
        Reader r = new Reader(text);
        r.skipWs();
        if (r.pos == text.length()) return null; // an empty payload is a null event
        Object v = r.value(0);
        r.skipWs();
        if (r.pos != text.length()) throw r.error("unexpected data after the JSON value");
        return v;
    }

    private static final class Reader {
        final String s;
        int pos;

        Reader(String s) {
            this.s = s;
        }

        JsonException error(String what) {
            return new JsonException("Invalid JSON at offset " + pos + ": " + what);
        }

        void skipWs() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
                pos++;
            }
        }

        Object value(int depth) {
            if (depth > 1000) throw error("nesting too deep");
            skipWs();
            if (pos >= s.length()) throw error("unexpected end of input");
            char c = s.charAt(pos);
            switch (c) {
                case '{': {
                    pos++;
                    LinkedHashMap<String, Object> m = new LinkedHashMap<>();
                    skipWs();
                    if (peek() == '}') {
                        pos++;
                        return m;
                    }
                    while (true) {
                        skipWs();
                        if (peek() != '"') throw error("expected a property name");
                        String k = string();
                        skipWs();
                        expect(':');
                        m.put(k, value(depth + 1));
                        skipWs();
                        char d = next();
                        if (d == '}') return m;
                        if (d != ',') throw error("expected ',' or '}'");
                    }
                }
                case '[': {
                    pos++;
                    ArrayList<Object> a = new ArrayList<>();
                    skipWs();
                    if (peek() == ']') {
                        pos++;
                        return a;
                    }
                    while (true) {
                        a.add(value(depth + 1));
                        skipWs();
                        char d = next();
                        if (d == ']') return a;
                        if (d != ',') throw error("expected ',' or ']'");
                    }
                }
                case '"':
                    return string();
                case 't':
                    return word("true", Boolean.TRUE);
                case 'f':
                    return word("false", Boolean.FALSE);
                case 'n':
                    return word("null", null);
                case 'N':
                    return word("NaN", Double.NaN);
                case 'I':
                    return word("Infinity", Double.POSITIVE_INFINITY);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected character '" + c + "'");
            }
        }

        char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        char next() {
            if (pos >= s.length()) throw error("unexpected end of input");
            return s.charAt(pos++);
        }

        void expect(char c) {
            if (next() != c) {
                pos--;
                throw error("expected '" + c + "'");
            }
        }

        Object word(String w, Object v) {
            if (!s.startsWith(w, pos)) throw error("unexpected token");
            pos += w.length();
            return v;
        }

        String string() {
            pos++; // opening quote
            StringBuilder sb = null;
            int start = pos;
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos);
                if (c == '"') {
                    String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
                    pos++;
                    return out;
                }
                if (c != '\\') {
                    pos++; // raw control characters are tolerated, as AWS's reader does
                    continue;
                }
                if (sb == null) sb = new StringBuilder();
                sb.append(s, start, pos);
                pos++;
                char e = next();
                switch (e) {
                    case '"': case '\\': case '/': sb.append(e); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.length()) throw error("bad \\u escape");
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                        break;
                    default:
                        throw error("bad escape '\\" + e + "'");
                }
                start = pos;
            }
        }

        Object number() {
            int start = pos;
            boolean integral = true;
            if (peek() == '-') {
                pos++;
                if (s.startsWith("Infinity", pos)) {
                    pos += 8;
                    return Double.NEGATIVE_INFINITY;
                }
            }
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c >= '0' && c <= '9') {
                    pos++;
                } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                    integral = false;
                    pos++;
                } else {
                    break;
                }
            }
            String t = s.substring(start, pos);
            try {
                if (integral) {
                    if (t.length() < 10) return Integer.valueOf(t);
                    long l = Long.parseLong(t);
                    return l == (int) l ? (Object) Integer.valueOf((int) l) : (Object) Long.valueOf(l);
                }
                return Double.valueOf(t);
            } catch (NumberFormatException e) {
                if (integral) {
                    try {
                        return new BigInteger(t);
                    } catch (NumberFormatException e2) {
                        // fall through to the error below
                    }
                }
                pos = start;
                throw error("bad number '" + t + "'");
            }
        }
    }

    // ------------------------------------------------------------------ writing

    static byte[] write(Object v) {
        StringBuilder sb = new StringBuilder(128);
        write(sb, v, 0);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        writeString(sb, s);
        return sb.toString();
    }

    static void write(StringBuilder sb, Object v, int depth) {
        if (depth > 1000) throw new JsonException("nesting too deep (a cycle in the result?)");
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            writeString(sb, (String) v);
        } else if (v instanceof Boolean) {
            sb.append(((Boolean) v).booleanValue());
        } else if (v instanceof Number) {
            writeNumber(sb, (Number) v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) sb.append(',');
                first = false;
                Object k = e.getKey();
                writeString(sb, k instanceof Enum ? ((Enum<?>) k).name() : String.valueOf(k));
                sb.append(':');
                write(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else if (v instanceof Iterable) {
            sb.append('[');
            boolean first = true;
            for (Object o : (Iterable<?>) v) {
                if (!first) sb.append(',');
                first = false;
                write(sb, o, depth + 1);
            }
            sb.append(']');
        } else if (v instanceof byte[]) {
            writeString(sb, Base64.getEncoder().encodeToString((byte[]) v));
        } else if (v instanceof char[]) {
            writeString(sb, new String((char[]) v));
        } else if (v.getClass().isArray()) {
            sb.append('[');
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                if (i > 0) sb.append(',');
                write(sb, Array.get(v, i), depth + 1);
            }
            sb.append(']');
        } else if (v instanceof Character) {
            writeString(sb, v.toString());
        } else if (v instanceof Enum) {
            writeString(sb, ((Enum<?>) v).name());
        } else if (v instanceof Optional) {
            write(sb, ((Optional<?>) v).orElse(null), depth + 1);
        } else if (v instanceof java.util.Date) {
            sb.append(((java.util.Date) v).getTime());
        } else if (v.getClass().getName().startsWith("java.")) {
            // java.time values, UUID, URI, ...: their canonical text form.
            writeString(sb, v.toString());
        } else {
            Bean bean = Bean.of(v.getClass());
            sb.append('{');
            boolean first = true;
            for (Prop p : bean.readable) {
                Object pv = p.get(v);
                if (pv == null) continue; // AWS's serializer leaves null properties out
                if (!first) sb.append(',');
                first = false;
                writeString(sb, p.name);
                sb.append(':');
                write(sb, pv, depth + 1);
            }
            sb.append('}');
        }
    }

    private static void writeNumber(StringBuilder sb, Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                writeString(sb, n.toString()); // "NaN", "Infinity": as AWS's serializer writes them
                return;
            }
        }
        sb.append(n.toString());
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        int start = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c != '\u2028' && c != '\u2029') continue;
            sb.append(s, start, i);
            start = i + 1;
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    sb.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15])
                            .append(HEX[c >> 4 & 15]).append(HEX[c & 15]);
            }
        }
        sb.append(s, start, n).append('"');
    }

    // ------------------------------------------------------------------ tree -> declared type

    /** Converts a parsed tree value to the type the handler declared. */
    static Object convert(Object v, Type type) {
        Class<?> raw = rawClass(type);
        if (raw.isPrimitive()) {
            if (v == null || (v instanceof String && ((String) v).isEmpty())) return zero(raw);
            return scalar(v, box(raw));
        }
        if (v == null) return raw == Optional.class ? Optional.empty() : null;
        if (raw == Object.class) return v;
        if (raw == String.class) {
            if (v instanceof Map || v instanceof List) throw mismatch(v, type);
            return v instanceof Double ? v.toString() : String.valueOf(v);
        }
        if (Number.class.isAssignableFrom(raw) || raw == Boolean.class || raw == Character.class) {
            if (v instanceof List && ((List<?>) v).size() == 1) return convert(((List<?>) v).get(0), type);
            if (v instanceof String && ((String) v).isEmpty()) return null;
            return scalar(v, raw);
        }
        if (raw == Optional.class) return Optional.ofNullable(convert(v, typeArg(type, 0)));
        if (raw.isEnum()) {
            if (!(v instanceof String)) throw mismatch(v, type);
            for (Object c : raw.getEnumConstants()) {
                if (((Enum<?>) c).name().equals(v)) return c;
            }
            return null; // unknown enum values become null, as with AWS's serializer
        }
        if (raw == byte[].class && v instanceof String) {
            try {
                return Base64.getDecoder().decode((String) v);
            } catch (IllegalArgumentException e) {
                throw new JsonException("cannot decode base64 for byte[]", e);
            }
        }
        if (raw.isArray()) {
            List<?> list = asList(v);
            Class<?> ct = raw.getComponentType();
            Type gct = type instanceof GenericArrayType ? ((GenericArrayType) type).getGenericComponentType() : ct;
            Object arr = Array.newInstance(ct, list.size());
            for (int i = 0; i < list.size(); i++) Array.set(arr, i, convert(list.get(i), gct));
            return arr;
        }
        if (Collection.class.isAssignableFrom(raw)) {
            List<?> list = asList(v);
            Type et = typeArg(type, 0);
            @SuppressWarnings("unchecked")
            Collection<Object> out = (Collection<Object>) newCollection(raw);
            for (Object o : list) out.add(convert(o, et));
            return out;
        }
        if (Map.class.isAssignableFrom(raw)) {
            if (!(v instanceof Map)) throw mismatch(v, type);
            Type kt = typeArg(type, 0);
            Type vt = typeArg(type, 1);
            Class<?> kc = rawClass(kt);
            boolean plain = (kc == Object.class || kc == String.class) && rawClass(vt) == Object.class;
            if (plain && raw.isInstance(v)) return v; // Map<String, Object>: the tree as it is
            @SuppressWarnings("unchecked")
            Map<Object, Object> out = (Map<Object, Object>) newMap(raw);
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                Object k = kc == Object.class || kc == String.class ? e.getKey() : convert(e.getKey(), kt);
                out.put(k, convert(e.getValue(), vt));
            }
            return out;
        }
        if (raw.isInstance(v) && !(v instanceof Map)) return v;
        if (v instanceof String && ((String) v).isEmpty()) return null;
        if (!(v instanceof Map)) {
            if (v instanceof List && ((List<?>) v).size() == 1) return convert(((List<?>) v).get(0), type);
            throw mismatch(v, type);
        }
        return Bean.of(raw).build((Map<?, ?>) v);
    }

    private static JsonException mismatch(Object v, Type type) {
        String what = v instanceof Map ? "a JSON object" : v instanceof List ? "a JSON array"
                : v instanceof String ? "a JSON string" : v instanceof Boolean ? "a JSON boolean" : "a JSON number";
        return new JsonException("cannot convert " + what + " to " + type.getTypeName());
    }

    private static List<?> asList(Object v) {
        if (v instanceof List) return (List<?>) v;
        ArrayList<Object> one = new ArrayList<>(1); // a single value where an array is expected
        one.add(v);
        return one;
    }

    private static Object scalar(Object v, Class<?> boxed) {
        if (boxed.isInstance(v)) return v;
        if (boxed == Boolean.class) {
            if (v instanceof String) {
                if ("true".equals(v)) return Boolean.TRUE;
                if ("false".equals(v)) return Boolean.FALSE;
            }
            if (v instanceof Integer) return ((Integer) v) != 0;
            throw mismatch(v, boxed);
        }
        if (boxed == Character.class) {
            if (v instanceof String && ((String) v).length() == 1) return ((String) v).charAt(0);
            throw mismatch(v, boxed);
        }
        Number n;
        if (v instanceof Number) {
            n = (Number) v;
        } else if (v instanceof String) {
            try {
                n = new BigDecimal(((String) v).trim());
            } catch (NumberFormatException e) {
                throw new JsonException("cannot convert \"" + v + "\" to " + boxed.getName());
            }
        } else {
            throw mismatch(v, boxed);
        }
        if (boxed == Integer.class) return n.intValue();
        if (boxed == Long.class) return n.longValue();
        if (boxed == Double.class) return n.doubleValue();
        if (boxed == Float.class) return n.floatValue();
        if (boxed == Short.class) return n.shortValue();
        if (boxed == Byte.class) return n.byteValue();
        if (boxed == BigDecimal.class) return n instanceof BigDecimal ? n : new BigDecimal(n.toString());
        if (boxed == BigInteger.class) {
            return n instanceof BigInteger ? n : n instanceof BigDecimal ? ((BigDecimal) n).toBigInteger()
                    : new BigDecimal(n.toString()).toBigInteger();
        }
        if (boxed == Number.class) return n;
        throw mismatch(v, boxed);
    }

    private static Object zero(Class<?> p) {
        if (p == boolean.class) return Boolean.FALSE;
        if (p == char.class) return '\0';
        return scalar(0, box(p));
    }

    static Class<?> box(Class<?> p) {
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

    private static Collection<?> newCollection(Class<?> raw) {
        if (!raw.isInterface() && !Modifier.isAbstract(raw.getModifiers())) {
            try {
                return (Collection<?>) raw.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new JsonException("cannot create " + raw.getName(), e);
            }
        }
        if (SortedSet.class.isAssignableFrom(raw)) return new TreeSet<Object>();
        if (Set.class.isAssignableFrom(raw)) return new LinkedHashSet<Object>();
        if (java.util.Queue.class.isAssignableFrom(raw)) return new ArrayDeque<Object>();
        return new ArrayList<Object>();
    }

    private static Map<?, ?> newMap(Class<?> raw) {
        if (!raw.isInterface() && !Modifier.isAbstract(raw.getModifiers())) {
            try {
                return (Map<?, ?>) raw.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new JsonException("cannot create " + raw.getName(), e);
            }
        }
        if (java.util.concurrent.ConcurrentMap.class.isAssignableFrom(raw)) return new ConcurrentHashMap<Object, Object>();
        if (SortedMap.class.isAssignableFrom(raw)) return new TreeMap<Object, Object>();
        return new LinkedHashMap<Object, Object>();
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

    private static Type typeArg(Type t, int i) {
        if (t instanceof ParameterizedType) {
            Type[] a = ((ParameterizedType) t).getActualTypeArguments();
            if (i < a.length) return a[i];
        }
        return Object.class;
    }

    // ------------------------------------------------------------------ POJO / record introspection

    /** A readable and/or writable property of a bean. */
    private static final class Prop {
        final String name;
        Method getter;
        Field field;
        Method setter;

        Prop(String name) {
            this.name = name;
        }

        Object get(Object o) {
            try {
                return getter != null ? getter.invoke(o) : field.get(o);
            } catch (ReflectiveOperationException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                throw new JsonException("cannot read property '" + name + "': " + c, c);
            }
        }

        void set(Object o, Object tree) {
            Type t = setter != null ? setter.getGenericParameterTypes()[0] : field.getGenericType();
            Object v = convert(tree, t);
            try {
                if (setter != null) setter.invoke(o, v);
                else field.set(o, v);
            } catch (ReflectiveOperationException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                throw new JsonException("cannot set property '" + name + "': " + c, c);
            }
        }
    }

    private static final class Bean {
        private static final Map<Class<?>, Bean> CACHE = new ConcurrentHashMap<>();

        final Class<?> type;
        final List<Prop> readable = new ArrayList<>();
        final Map<String, Prop> writable = new HashMap<>();
        /** For records: the canonical constructor and its component names and types. */
        Constructor<?> canonical;
        String[] componentNames;
        Type[] componentTypes;

        static Bean of(Class<?> c) {
            Bean b = CACHE.get(c);
            if (b == null) {
                b = new Bean(c);
                CACHE.put(c, b);
            }
            return b;
        }

        private Bean(Class<?> c) {
            this.type = c;
            Map<String, Prop> props = new LinkedHashMap<>();
            // Declared fields (superclasses first) give the property order, as they do for Jackson.
            ArrayList<Class<?>> chain = new ArrayList<>();
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) chain.add(0, k);
            for (Class<?> k : chain) {
                for (Field f : k.getDeclaredFields()) {
                    int m = f.getModifiers();
                    if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic()) continue;
                    Prop p = prop(props, f.getName());
                    if (Modifier.isPublic(m)) p.field = f;
                }
            }
            if (recordComponents(c)) {
                for (int i = 0; i < componentNames.length; i++) {
                    try {
                        Method acc = c.getMethod(componentNames[i]);
                        acc.setAccessible(true);
                        prop(props, componentNames[i]).getter = acc;
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // not readable: left out
                    }
                }
            }
            for (Method m : c.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || m.isBridge() || m.isSynthetic()) continue;
                String n = m.getName();
                int params = m.getParameterCount();
                Class<?> rt = m.getReturnType();
                if (params == 0 && n.startsWith("get") && n.length() > 3 && rt != void.class
                        && !n.equals("getClass")) {
                    getter(prop(props, beanName(n.substring(3))), m);
                } else if (params == 0 && n.startsWith("is") && n.length() > 2
                        && (rt == boolean.class || rt == Boolean.class)) {
                    getter(prop(props, beanName(n.substring(2))), m);
                } else if (params == 1 && n.startsWith("set") && n.length() > 3) {
                    Prop p = prop(props, beanName(n.substring(3)));
                    if (p.setter == null) p.setter = m;
                }
            }
            boolean open = Modifier.isPublic(c.getModifiers());
            for (Prop p : props.values()) {
                if (p.getter != null || p.field != null) readable.add(p);
                if (p.setter != null || (p.field != null && !Modifier.isFinal(p.field.getModifiers()))) {
                    writable.put(p.name, p);
                }
                if (!open) { // public members of a non-public class still need access checks lifted
                    if (p.getter != null) p.getter.setAccessible(true);
                    if (p.setter != null) p.setter.setAccessible(true);
                    if (p.field != null) p.field.setAccessible(true);
                }
            }
        }

        private static void getter(Prop p, Method m) {
            if (p.getter == null || m.getName().startsWith("get")) p.getter = m;
        }

        private static Prop prop(Map<String, Prop> props, String name) {
            Prop p = props.get(name);
            if (p == null) {
                p = new Prop(name);
                props.put(name, p);
            }
            return p;
        }

        /** java.beans naming: "Name" -> "name", but "URL" stays "URL". */
        private static String beanName(String s) {
            if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isUpperCase(s.charAt(1))) return s;
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }

        /** Records exist from Java 16 on: looked up reflectively, as the shim is compiled for Java 11. */
        private boolean recordComponents(Class<?> c) {
            Class<?> sup = c.getSuperclass();
            if (sup == null || !sup.getName().equals("java.lang.Record")) return false;
            try {
                Object[] comps = (Object[]) Class.class.getMethod("getRecordComponents").invoke(c);
                componentNames = new String[comps.length];
                componentTypes = new Type[comps.length];
                Class<?>[] raw = new Class<?>[comps.length];
                for (int i = 0; i < comps.length; i++) {
                    Class<?> rc = comps[i].getClass();
                    componentNames[i] = (String) rc.getMethod("getName").invoke(comps[i]);
                    componentTypes[i] = (Type) rc.getMethod("getGenericType").invoke(comps[i]);
                    raw[i] = (Class<?>) rc.getMethod("getType").invoke(comps[i]);
                }
                canonical = c.getDeclaredConstructor(raw);
                canonical.setAccessible(true);
                return true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }

        Object build(Map<?, ?> tree) {
            if (canonical != null) {
                Object[] args = new Object[componentNames.length];
                for (int i = 0; i < args.length; i++) args[i] = convert(tree.get(componentNames[i]), componentTypes[i]);
                try {
                    return canonical.newInstance(args);
                } catch (ReflectiveOperationException e) {
                    Throwable c = e.getCause() != null ? e.getCause() : e;
                    throw new JsonException("cannot create " + type.getName() + ": " + c, c);
                }
            }
            Object o;
            try {
                Constructor<?> k = type.getDeclaredConstructor();
                k.setAccessible(true);
                o = k.newInstance();
            } catch (NoSuchMethodException e) {
                throw new JsonException("cannot create " + type.getName() + ": it has no no-argument constructor");
            } catch (ReflectiveOperationException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                throw new JsonException("cannot create " + type.getName() + ": " + c, c);
            }
            for (Map.Entry<?, ?> e : tree.entrySet()) {
                Prop p = writable.get(e.getKey());
                if (p != null) p.set(o, e.getValue()); // unknown properties are ignored
            }
            return o;
        }
    }
}
