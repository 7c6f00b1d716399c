package example;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.Map;

/** The benchmark's Java hello: the least a function can do, so the platform's cost is what is measured. */
public class Hello {
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Object name = event == null ? null : event.get("name");
        return Map.of("hello", name == null ? "world" : name);
    }
}
