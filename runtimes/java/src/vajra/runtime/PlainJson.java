package vajra.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cold-start fast path for handlers whose event and result are plain JSON (Map<String, Object>,
 * Map<String, String>, List<Object>, Object, String): a small reader/writer that gives exactly what
 * Jackson, configured as in JacksonCodec, gives for those types, so such handlers (AWS's documented
 * RequestHandler<Map<String,String>, String> among them) start without loading Jackson's databind,
 * which costs hundreds of milliseconds of class loading at a cold start. Anything else (a POJO, a
 * java.time value in a result map, a Map<String, String> whose values are not all scalars, a payload
 * this reader rejects) goes to Jackson, loaded then, so results and errors are Jackson's.
 */
final class PlainJson extends Codec {
    /** What the event is read as. */
    private static final int ANY = 0;
    private static final int MAP = 1;
    private static final int STRING_MAP = 2;
    private static final int LIST = 3;
    private static final int STRING = 4;

    private final int kind;
    private final java.lang.reflect.Type event;
    private final java.lang.reflect.Type result;
    private final ClassLoader loader;
    private Codec jackson;

    PlainJson() {
        this(ANY, null, null, null);
    }

    private PlainJson(int kind, java.lang.reflect.Type event, java.lang.reflect.Type result, ClassLoader loader) {
        this.kind = kind;
        this.event = event;
        this.result = result;
        this.loader = loader;
    }

    /** Thrown when a value or text is outside what this reader/writer handles; the caller falls back to Jackson. */
    static final class JsonException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JsonException(String message) {
            super(message, null, false, false);
        }
    }

    /** The fast path for this event type, or null when the event type is not plain JSON. */
    static Codec forTypes(java.lang.reflect.Type event, java.lang.reflect.Type result, ClassLoader loader) {
        int k = event == null ? ANY : kindOf(event);
        if (k < 0) return null;
        return new PlainJson(k, event, result, loader);
    }

    private static int kindOf(java.lang.reflect.Type t) {
        if (t == Object.class) return ANY;
        if (t == String.class) return STRING;
        if (t == Map.class || t == List.class) return t == Map.class ? MAP : LIST;
        if (t instanceof java.lang.reflect.ParameterizedType) {
            java.lang.reflect.ParameterizedType p = (java.lang.reflect.ParameterizedType) t;
            java.lang.reflect.Type[] a = p.getActualTypeArguments();
            if (p.getRawType() == Map.class && a.length == 2 && a[0] == String.class) {
                if (a[1] == Object.class) return MAP;
                if (a[1] == String.class) return STRING_MAP;
            }
            if (p.getRawType() == List.class && a.length == 1 && a[0] == Object.class) return LIST;
        }
        return -1;
    }

    private Codec jackson() throws Exception {
        if (jackson == null) {
            Codec shared = Codec.shared();
            if (shared == null) throw new IllegalStateException(missing());
            jackson = shared.forHandler(event, result, loader);
        }
        return jackson;
    }

    @Override
    Codec forHandler(java.lang.reflect.Type e, java.lang.reflect.Type r, ClassLoader l) {
        return new PlainJson(ANY, e, r, l);
    }

    @Override
    Object read(byte[] payload) throws Exception {
        Object v;
        try {
            v = parse(payload);
        } catch (JsonException e) {
            return jackson().read(payload); // Jackson's lenient reading, or its error
        }
        if (v == null) return null;
        switch (kind) {
            case MAP:
                if (v instanceof Map) return v;
                break;
            case STRING_MAP:
                if (v instanceof Map && scalarValues((Map<?, ?>) v)) return v;
                break;
            case LIST:
                if (v instanceof List) return v;
                break;
            case STRING:
                if (v instanceof String) return v;
                break;
            default:
                return v;
        }
        return jackson().read(payload); // a coercion (or an error) Jackson decides
    }

    /** Map<String, String>: scalar values become their text, as Jackson's StringDeserializer makes them. */
    private static boolean scalarValues(Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> mm = (Map<Object, Object>) m;
        for (Map.Entry<Object, Object> e : mm.entrySet()) {
            Object x = e.getValue();
            if (x == null || x instanceof String) continue;
            if (x instanceof Boolean || x instanceof Integer || x instanceof Long || x instanceof BigInteger) {
                e.setValue(x.toString());
                continue;
            }
            return false; // floats (Jackson keeps their source text), objects, arrays
        }
        return true;
    }

    @Override
    byte[] write(Object value) throws Exception {
        StringBuilder sb = new StringBuilder(128);
        if (writePlain(sb, value, 0)) return sb.toString().getBytes(StandardCharsets.UTF_8);
        return jackson().write(value);
    }

    @Override
    Object tree(String json) {
        try {
            return parse(json);
        } catch (JsonException e) {
            return null;
        }
    }

    @Override
    String text(Object value) {
        StringBuilder sb = new StringBuilder(64);
        if (writePlain(sb, value, 0)) return sb.toString();
        Codec c = Codec.shared();
        return c == null ? String.valueOf(value) : c.text(value);
    }

    /**
     * Writes a tree of Maps (String keys; null values left out), Lists, Strings, Booleans and Numbers, as
     * Jackson does; false for anything else.
     */
    static boolean writePlain(StringBuilder sb, Object v, int depth) {
        if (depth > 1000) return false;
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            writeString(sb, (String) v);
        } else if (v instanceof Boolean) {
            sb.append(((Boolean) v).booleanValue());
        } else if (v instanceof Integer || v instanceof Long || v instanceof Double || v instanceof Float
                || v instanceof Short || v instanceof Byte || v instanceof BigInteger || v instanceof BigDecimal) {
            writeNumber(sb, (Number) v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String)) return false;
                if (e.getValue() == null) continue; // null entries are left out, as Jackson's NON_NULL does
                if (!first) sb.append(',');
                first = false;
                writeString(sb, (String) e.getKey());
                sb.append(':');
                if (!writePlain(sb, e.getValue(), depth + 1)) return false;
            }
            sb.append('}');
        } else if (v instanceof List || v instanceof java.util.Set) {
            sb.append('[');
            boolean first = true;
            for (Object o : (Collection<?>) v) {
                if (!first) sb.append(',');
                first = false;
                if (!writePlain(sb, o, depth + 1)) return false;
            }
            sb.append(']');
        } else {
            return false;
        }
        return true;
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

    private static final char[] HEX = "0123456789ABCDEF".toCharArray(); // as Jackson writes \\u escapes

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        int start = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
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

}
