package vajra.runtime;

import java.lang.reflect.Type;

/**
 * JSON (de)serialisation of handler events and results. The implementation (JacksonCodec, on Debian's
 * Jackson) lives in its own source folder and is loaded by name, only when a handler takes or returns a
 * POJO: a RequestStreamHandler never loads Jackson (nor does PlainJson for plain JSON types), and a
 * runtime folder prepared without Jackson still runs those handlers.
 */
abstract class Codec {
    static final String IMPL = "vajra.runtime.JacksonCodec";
    static final String MISSING = "Vajra's Java runtime has no POJO mapping: Jackson is not installed on the server"
            + " (Debian package libjackson2-databind-java), so POJO and event types cannot be mapped; stream handlers"
            + " and handlers of plain JSON types (Map<String, Object>, String, ...) run without it.";

    private static Codec shared;
    private static boolean tried;

    /**
     * The event reader and result writer for one handler's types (either may be null), with the loader that
     * holds the user's classes.
     */
    abstract Codec forHandler(Type event, Type result, ClassLoader loader);

    /** The payload as the declared event type; an empty payload is null. */
    abstract Object read(byte[] payload) throws Exception;

    /** The result as JSON; null is `null`, a String a JSON string. */
    abstract byte[] write(Object value) throws Exception;

    /** A JSON text as Maps, Lists and scalars, or null when it is not JSON. */
    abstract Object tree(String json);

    /** A value as JSON text. */
    abstract String text(Object value);

    /** The shared codec, or null when Jackson is not there. */
    static synchronized Codec shared() {
        if (!tried) {
            tried = true;
            try {
                shared = (Codec) Class.forName(IMPL).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                shared = null;
            }
        }
        return shared;
    }
}
