// The benchmark's Node.js hello: the least a function can do, so the platform's cost is what is measured.
export const handler = async (event) => ({ hello: event.name ?? "world" });
