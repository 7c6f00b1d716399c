// A minimal Node.js function for Vajra: greets the caller and shows the invocation's context.
//   vajra deploy hello-node ./examples/nodejs/hello --runtime nodejs20.x --handler index.handler
//   vajra invoke hello-node --payload '{"name":"Ada"}' --log
// Runs unchanged on nodejs16.x, nodejs18.x, nodejs20.x and nodejs22.x.
export const handler = async (event, context) => {
  const name = typeof event?.name === "string" && event.name !== "" ? event.name : "world";
  console.log(`greeting ${name}`); // becomes "<time>\t<request id>\tINFO\tgreeting <name>" in the log
  return {
    message: `Hello, ${name}!`,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    remainingTimeMs: context.getRemainingTimeInMillis(),
    node: process.version,
  };
};
