package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.LinkedHashMap;
import java.util.Map;

/** Handler: example.Hello::handleRequest. Try: --payload '{"name":"Ada"}' */
public class Hello {
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        LambdaLogger logger = context.getLogger();
        Object name = event == null ? null : event.get("name");
        logger.log("greeting " + (name == null ? "the world" : name) + " (request " + context.getAwsRequestId() + ")\n");

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("greeting", "Hello, " + (name == null ? "world" : name) + "!");
        out.put("functionName", context.getFunctionName());
        out.put("memoryLimitInMB", context.getMemoryLimitInMB());
        out.put("remainingTimeInMillis", context.getRemainingTimeInMillis());
        out.put("requestId", context.getAwsRequestId());
        out.put("javaVersion", System.getProperty("java.version"));
        return out;
    }
}
