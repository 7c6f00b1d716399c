package vajra.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;

/**
 * The JSON names of the aws-lambda-java-events classes, where they differ from their Java bean names
 * (SQS "Records" and "eventSourceARN", SNS's PascalCase, ScheduledEvent "detail-type", S3
 * "x-amz-request-id", ...), given as Jackson mix-ins as AWS's runtime does: the event classes themselves
 * carry no Jackson annotations, so the same classes work whether they come from Vajra's API or from a
 * real aws-lambda-java-events jar bundled with the function. Registered only for handlers whose event or
 * result type is one of those classes.
 */
final class EventMixins {
    static final String EVENTS = "com.amazonaws.services.lambda.runtime.events.";

    private EventMixins() {
    }

    /** Whether a type mentions an event class (as itself, an element or a type argument). */
    static boolean wanted(Type t) {
        if (t == null) return false;
        if (t instanceof Class) {
            Class<?> c = (Class<?>) t;
            while (c.isArray()) c = c.getComponentType();
            return c.getName().startsWith(EVENTS);
        }
        if (t instanceof ParameterizedType) {
            ParameterizedType p = (ParameterizedType) t;
            if (wanted(p.getRawType())) return true;
            for (Type a : p.getActualTypeArguments()) {
                if (wanted(a)) return true;
            }
            return false;
        }
        if (t instanceof GenericArrayType) return wanted(((GenericArrayType) t).getGenericComponentType());
        return false;
    }

    static void register(ObjectMapper m, ClassLoader loader) {
        add(m, loader, "SQSEvent", Records.class);
        add(m, loader, "SQSEvent$SQSMessage", SqsMessage.class);
        add(m, loader, "SNSEvent", Records.class);
        add(m, loader, "SNSEvent$SNSRecord", SnsRecord.class);
        add(m, loader, "SNSEvent$SNS", Pascal.class);
        add(m, loader, "SNSEvent$MessageAttribute", Pascal.class);
        add(m, loader, "ScheduledEvent", Scheduled.class);
        add(m, loader, "APIGatewayV2HTTPEvent", V2Base64.class);
        add(m, loader, "APIGatewayV2HTTPResponse", V2Base64.class);
        add(m, loader, "models.s3.S3EventNotification", Records.class);
        add(m, loader, "S3Event", Records.class);
        add(m, loader, "models.s3.S3EventNotification$ResponseElementsEntity", S3Response.class);
        add(m, loader, "models.s3.S3EventNotification$S3ObjectEntity", S3Object.class);
    }

    private static void add(ObjectMapper m, ClassLoader loader, String name, Class<?> mixin) {
        try {
            m.addMixIn(Class.forName(EVENTS + name, false, loader), mixin);
        } catch (ClassNotFoundException | LinkageError e) {
            // not on the class path (an older aws-lambda-java-events bundled by the function): nothing to name
        }
    }

    abstract static class Records {
        @JsonProperty("Records")
        abstract List<?> getRecords();

        @JsonProperty("Records")
        abstract void setRecords(List<?> records);
    }

    abstract static class SqsMessage {
        @JsonProperty("eventSourceARN")
        abstract String getEventSourceArn();

        @JsonProperty("eventSourceARN")
        abstract void setEventSourceArn(String arn);
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    abstract static class Pascal {
    }

    /** SNSRecord: PascalCase, and its getSNS()/setSns(...) pair is the one property "Sns". */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    abstract static class SnsRecord {
        @JsonProperty("Sns")
        abstract Object getSNS();

        @JsonProperty("Sns")
        abstract void setSns(Object sns);
    }

    abstract static class Scheduled {
        @JsonProperty("detail-type")
        abstract String getDetailType();

        @JsonProperty("detail-type")
        abstract void setDetailType(String detailType);
    }

    /** Lombok names the accessors of `boolean isBase64Encoded` isBase64Encoded() and setBase64Encoded(). */
    abstract static class V2Base64 {
        @JsonProperty("isBase64Encoded")
        abstract boolean isBase64Encoded();

        @JsonProperty("isBase64Encoded")
        abstract void setBase64Encoded(boolean b);
    }

    abstract static class S3Response {
        @JsonProperty("x-amz-id-2")
        abstract String getXAmzId2();

        @JsonProperty("x-amz-id-2")
        abstract void setXAmzId2(String v);

        @JsonProperty("x-amz-request-id")
        abstract String getXAmzRequestId();

        @JsonProperty("x-amz-request-id")
        abstract void setXAmzRequestId(String v);
    }

    abstract static class S3Object {
        @JsonProperty("eTag")
        abstract String getETag();

        @JsonProperty("eTag")
        abstract void setETag(String v);

        @JsonIgnore
        abstract String getUrlDecodedKey();

        @JsonIgnore
        abstract Long getSizeAsLong();
    }
}
