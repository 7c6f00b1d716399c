package com.amazonaws.services.lambda.runtime;

import java.io.IOException;

/** Global access to a logger, for code that has no Context at hand. */
public final class LambdaRuntime {
    private static final LambdaLogger LOGGER = new LambdaLogger() {
        @Override
        public void log(String message) {
            System.out.print(message);
            System.out.flush();
        }

        @Override
        public void log(byte[] message) {
            try {
                System.out.write(message);
            } catch (IOException e) {
                // System.out never throws; PrintStream.write(byte[]) only declares it.
            }
            System.out.flush();
        }
    };

    private LambdaRuntime() {
    }

    public static LambdaLogger getLogger() {
        return LOGGER;
    }
}
