package com.amazonaws.services.lambda.runtime;

/**
 * Vajra's compile-time copy of the Lambda context interface (same name and signatures as AWS's
 * aws-lambda-java-core). At run time the runtime passes a proxy implementing whichever Context the
 * handler was compiled against, so a bundled aws-lambda-java-core works as well.
 */
public interface Context {
    /** The request id of this invocation. */
    String getAwsRequestId();

    String getLogGroupName();

    String getLogStreamName();

    String getFunctionName();

    String getFunctionVersion();

    /** The ARN the caller used (with a qualifier when one was given). */
    String getInvokedFunctionArn();

    /** The Cognito identity of the caller, or null when the invocation carried none. */
    CognitoIdentity getIdentity();

    /** The client context sent by the caller, or null when the invocation carried none. */
    ClientContext getClientContext();

    /** Milliseconds left before the invocation times out (never negative). */
    int getRemainingTimeInMillis();

    /** The function's configured memory size. */
    int getMemoryLimitInMB();

    LambdaLogger getLogger();

    /** The X-Ray trace header of this invocation, or null. */
    default String getXrayTraceId() {
        return null;
    }

    /** The tenant id of a multi-tenant invocation; always null on Vajra. */
    default String getTenantId() {
        return null;
    }
}
