package com.amazonaws.services.lambda.runtime;

import java.util.Map;

/** The client context a caller (typically a mobile SDK) sent with the invocation. */
public interface ClientContext {
    Client getClient();

    Map<String, String> getCustom();

    Map<String, String> getEnvironment();
}
