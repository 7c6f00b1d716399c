package com.amazonaws.services.lambda.runtime;

/**
 * A handler whose event and result are converted from and to JSON by the runtime.
 *
 * @param <I> the event type
 * @param <O> the result type
 */
public interface RequestHandler<I, O> {
    O handleRequest(I input, Context context);
}
