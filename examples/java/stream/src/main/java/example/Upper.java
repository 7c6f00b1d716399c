package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Handler: example.Upper (a RequestStreamHandler: the runtime passes the raw event bytes and returns
 * whatever is written to the output stream). This one upper-cases the event text, so a JSON string
 * event stays a JSON string: --payload '"hello"' returns "HELLO".
 */
public class Upper implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        byte[] event = in.readAllBytes();
        context.getLogger().log("read " + event.length + " bytes\n");
        out.write(new String(event, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
    }
}
