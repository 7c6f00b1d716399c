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
    /** Why Jackson could not be loaded (e.g. an old Jackson bundled by the function comes first), or null. */
    private static Throwable failure;

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

    /** Why the shared codec is missing: MISSING, or the error Jackson's loading gave. */
    static synchronized String missing() {
        if (failure == null) return MISSING;
        return "Vajra's Java runtime could not load Jackson for the POJO mapping (a Jackson older than 2.12 bundled"
                + " with the function comes first on the class path?): " + failure;
    }

    /** The shared codec, or null when Jackson is not there. */
    static synchronized Codec shared() {
        if (!tried) {
            tried = true;
            try {
                shared = (Codec) Class.forName(IMPL).getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException e) {
                shared = null; // the runtime folder was prepared without Jackson
            } catch (ReflectiveOperationException | LinkageError e) {
                shared = null;
                failure = e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null
                        ? e.getCause() : e;
            }
        }
        return shared;
    }
}
