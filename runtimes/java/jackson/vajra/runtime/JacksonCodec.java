package vajra.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.Type;

/**
 * Event and result mapping with Jackson, configured the way AWS's Java runtime configures it
 * (aws-lambda-java-serialization): unknown properties ignored, null properties left out, case-sensitive
 * names with standard bean naming (getURL is "URL"), public fields and getters/setters, a single value
 * accepted where an array is expected, empty strings as null objects, lenient JSON reading (NaN, single
 * quotes, unquoted names, control characters). java.time values and Optional come from TimeModule
 * (ISO-8601 text). The aws-lambda-java-events classes get their JSON names from EventMixins.
 */
final class JacksonCodec extends Codec {
    private final ObjectMapper mapper;
    private final ObjectReader reader;

    JacksonCodec() {
        this(build(), null);
    }

    private JacksonCodec(ObjectMapper mapper, ObjectReader reader) {
        this.mapper = mapper;
        this.reader = reader;
    }

    static ObjectMapper build() {
        JsonFactory factory = JsonFactory.builder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
                .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
                .enable(JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
                .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
                .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
                .build();
        factory.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
        factory.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        ObjectMapper m = JsonMapper.builder(factory)
                .enable(MapperFeature.USE_STD_BEAN_NAMING)
                .disable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .disable(MapperFeature.INFER_PROPERTY_MUTATORS)
                .disable(MapperFeature.USE_GETTERS_AS_SETTERS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT)
                .enable(DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
                .enable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .addModule(new TimeModule())
                .build();
        return m;
    }

    @Override
    Codec forHandler(Type event, Type result, ClassLoader loader) {
        ObjectMapper m = mapper;
        if (EventMixins.wanted(event) || EventMixins.wanted(result)) {
            m = mapper.copy();
            EventMixins.register(m, loader);
        }
        ObjectReader r = null;
        if (event != null) {
            JavaType t = m.getTypeFactory().constructType(event);
            r = m.readerFor(t);
        }
        return new JacksonCodec(m, r);
    }

    @Override
    Object read(byte[] payload) throws Exception {
        if (isBlank(payload)) return null;
        return reader.readValue(payload);
    }

    private static boolean isBlank(byte[] b) {
        for (byte c : b) {
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
        }
        return true;
    }

    @Override
    byte[] write(Object value) throws Exception {
        return mapper.writeValueAsBytes(value);
    }

    @Override
    Object tree(String json) {
        try {
            return mapper.readValue(json, Object.class);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    String text(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (Exception e) {
            return String.valueOf(value);
        }
    }
}
