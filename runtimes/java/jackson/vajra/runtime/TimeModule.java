package vajra.runtime;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * java.time values as ISO-8601 text (their toString form; parsed back with their parse method; an Instant
 * or Duration also from a number of seconds) and Optional as its value or null. Debian packages neither
 * jackson-datatype-jsr310 nor -jdk8, so this is Vajra's own, small equivalent.
 */
final class TimeModule extends SimpleModule {
    private static final long serialVersionUID = 1L;

    private static final Class<?>[] TYPES = {
        Instant.class, LocalDate.class, LocalDateTime.class, LocalTime.class, OffsetDateTime.class,
        OffsetTime.class, ZonedDateTime.class, Duration.class, Period.class, Year.class, YearMonth.class,
        MonthDay.class, ZoneId.class, ZoneOffset.class,
    };

    @SuppressWarnings({"unchecked", "rawtypes"})
    TimeModule() {
        super("vajra-time");
        for (int i = 0; i < TYPES.length; i++) {
            addSerializer((Class) TYPES[i], ToStringSerializer.instance);
            addDeserializer((Class) TYPES[i], new Time(TYPES[i], i));
        }
        addSerializer((Class) Optional.class, new OptionalOut());
        addDeserializer((Class) Optional.class, new OptionalIn(null));
    }

    /** One java.time type, parsed from its ISO-8601 text. */
    static final class Time extends StdScalarDeserializer<Object> {
        private static final long serialVersionUID = 1L;
        private final int kind;

        Time(Class<?> type, int kind) {
            super(type);
            this.kind = kind;
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                BigDecimal n = p.getDecimalValue();
                long s = n.longValue();
                int nanos = n.subtract(BigDecimal.valueOf(s)).movePointRight(9).intValue();
                if (kind == 0) return Instant.ofEpochSecond(s, nanos);
                if (kind == 7) return Duration.ofSeconds(s, nanos);
                if (kind == 9) return Year.of((int) s);
                return ctxt.handleUnexpectedToken(handledType(), p);
            }
            if (t != JsonToken.VALUE_STRING) return ctxt.handleUnexpectedToken(handledType(), p);
            String s = p.getText().trim();
            if (s.isEmpty()) return null;
            try {
                switch (kind) {
                    case 0: return Instant.parse(s);
                    case 1: return LocalDate.parse(s);
                    case 2: return LocalDateTime.parse(s);
                    case 3: return LocalTime.parse(s);
                    case 4: return OffsetDateTime.parse(s);
                    case 5: return OffsetTime.parse(s);
                    case 6: return ZonedDateTime.parse(s);
                    case 7: return Duration.parse(s);
                    case 8: return Period.parse(s);
                    case 9: return Year.parse(s);
                    case 10: return YearMonth.parse(s);
                    case 11: return MonthDay.parse(s);
                    case 12: return ZoneId.of(s);
                    default: return ZoneOffset.of(s);
                }
            } catch (DateTimeException e) {
                return ctxt.handleWeirdStringValue(handledType(), s, "not an ISO-8601 %s: %s",
                        handledType().getSimpleName(), e.getMessage());
            }
        }
    }

    /** Optional: its value, or null when empty. */
    @SuppressWarnings("rawtypes")
    static final class OptionalOut extends StdSerializer<Optional> {
        private static final long serialVersionUID = 1L;

        OptionalOut() {
            super(Optional.class);
        }

        @Override
        public void serialize(Optional value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.isPresent()) provider.defaultSerializeValue(value.get(), gen);
            else gen.writeNull();
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Optional value) {
            return value == null || !value.isPresent();
        }
    }

    /** Optional<T>: T read with the declared type argument; null is Optional.empty(). */
    static final class OptionalIn extends StdDeserializer<Optional<?>> implements ContextualDeserializer {
        private static final long serialVersionUID = 1L;
        private final JavaType content;

        OptionalIn(JavaType content) {
            super(Optional.class);
            this.content = content;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            JavaType t = property != null ? property.getType() : ctxt.getContextualType();
            JavaType c = t == null ? null : t.containedType(0);
            return new OptionalIn(c != null ? c : ctxt.constructType(Object.class));
        }

        @Override
        public Optional<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JavaType c = content != null ? content : ctxt.constructType(Object.class);
            return Optional.ofNullable(ctxt.readValue(p, c));
        }

        @Override
        public Optional<?> getNullValue(DeserializationContext ctxt) {
            return Optional.empty();
        }

        @Override
        public Object getEmptyValue(DeserializationContext ctxt) {
            return Optional.empty();
        }
    }
}
