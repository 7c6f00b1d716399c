// A minimal Node.js function: `vajra deploy hello-node ./examples/node-hello --runtime nodejs20.x`.
export const handler = async (event, context) => {
  const name = event?.name ?? "world";
  console.log(`greeting ${name}`);
  return { message: `Hello, ${name}!`, requestId: context.awsRequestId };
};
