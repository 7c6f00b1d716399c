// Custom runtimes (provided.*) and standard runtime clients dial AWS_LAMBDA_RUNTIME_API over TCP, but a
// Vajra sandbox has no network of its own: this forwarder listens on that address inside the sandbox's
// network namespace, relays every connection to the instance's UNIX-socket Runtime API, and runs the
// function's `bootstrap` as its child (exiting with it) — or, when given one, the command on its own
// command line (the Java runtime: `forwarder.mjs java … vajra.runtime.Bootstrap`). Node is always
// present: Vajra runs on it.
import { spawn } from "node:child_process";
import { existsSync, writeSync } from "node:fs";
import { createConnection, createServer } from "node:net";

/**
 * A pre-initialised sandbox (VAJRA_PREINIT=1): Node.js is up before any function is known; the server
 * assigns the sandbox once, binding the function's code and Runtime API folder in and writing its
 * environment to stdin (a line with the byte length, then NAME=value entries separated by NUL). The
 * same protocol as runtimes/nodejs/preinit.mjs, repeated here because each runtime's sandbox sees only
 * its own folder. Resolves when the environment is the function's.
 */
async function waitForAssignment() {
  writeSync(1, Buffer.from([0x06])); // preinit-spec.ts READY_BYTE
  const data = await new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (value) => {
      process.stdin.off("data", onData);
      process.stdin.destroy(); // an open stdin would keep the event loop from ever draining
      resolve(value);
    };
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(0x0a);
      if (nl < 0) return;
      const length = Number(buf.subarray(0, nl).toString("utf8").trim());
      if (buf.length - nl - 1 >= length) done(buf.subarray(nl + 1, nl + 1 + length));
    };
    process.stdin.on("data", onData);
    process.stdin.once("end", () => done(undefined));
    process.stdin.once("error", reject);
  });
  if (data === undefined) process.exit(0); // closed without an assignment: the pool discarded it
  const env = new Map();
  for (const item of data.toString("utf8").split("\0")) {
    const eq = item.indexOf("=");
    if (eq > 0) env.set(item.slice(0, eq), item.slice(eq + 1));
  }
  for (const name of Object.keys(process.env)) if (!env.has(name)) delete process.env[name];
  for (const [name, value] of env) if (process.env[name] !== value) process.env[name] = value;
}

const preinit = process.env.VAJRA_PREINIT === "1";
if (preinit) await waitForAssignment();

const SOCKET = process.env.VAJRA_RUNTIME_SOCKET || "/run/vajra/runtime.sock";
const api = process.env.AWS_LAMBDA_RUNTIME_API || "127.0.0.1:9001";
const colon = api.lastIndexOf(":");
const host = api.slice(0, colon);
const port = Number(api.slice(colon + 1));
const taskRoot = process.env.LAMBDA_TASK_ROOT || "/var/task";

// noDelay: the Runtime API answers in more than one write (headers, then the event), and with Nagle's
// algorithm on, the second write waits for the client's delayed ACK (~40 ms on Linux) — every warm
// invocation of a TCP runtime client (curl, aws-lambda-ric, Go's and Rust's AWS clients) paid it.
/** A listener that relays each connection to a UNIX socket. */
function relayTo(socketPath) {
  return createServer({ noDelay: true }, (client) => {
    const upstream = createConnection(socketPath);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
  });
}

const server = relayTo(SOCKET);

// The functions' Lambda endpoint (AWS_ENDPOINT_URL_LAMBDA, 127.0.0.1:9002) is relayed the same way.
const ENDPOINT_SOCKET = "/run/vajra-lambda/lambda.sock";
if (existsSync(ENDPOINT_SOCKET)) {
  const endpoint = relayTo(ENDPOINT_SOCKET);
  endpoint.on("error", (err) => process.stderr.write(`vajra: no Lambda endpoint relay: ${err.message}\n`));
  endpoint.listen(9002, "127.0.0.1");
}

server.listen(port, host, () => {
  const [command, ...args] = process.argv.length > 2 ? process.argv.slice(2) : [`${taskRoot}/bootstrap`];
  // stdin on /dev/null, as an ordinary start has it (a pre-initialised one's was the assignment pipe).
  const child = spawn(command, args, { stdio: [preinit ? "ignore" : "inherit", "inherit", "inherit"], cwd: taskRoot });
  child.on("error", (err) => {
    process.stderr.write(`Couldn't start ${command}: ${err.message}\n`);
    process.exit(127);
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
});
