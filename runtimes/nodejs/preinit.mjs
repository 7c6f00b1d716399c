// A pre-initialised sandbox: Node.js starts before any function is known and, when VAJRA_PREINIT=1,
// waits here (this module is imported after the bootstrap's own modules, before its body runs). When
// the server assigns the sandbox to a function, that function's code is already mounted at /var/task and
// its environment arrives on stdin: a line with the byte length, then NAME=value entries separated by NUL.
// A sandbox is assigned once and never returned to the pool, so nothing of one function reaches another.
// Before it waits it does what every cold start pays for the first time and that involves no function:
// the endpoint relay, a dynamic import (the ES module loader's first file), the Runtime API client's
// encoder and parser, JSON.
import fs from 'node:fs';
import { startEndpointRelay } from './endpoint-relay.mjs';
import { ResponseParser, encodeRequest } from './runtime-client.mjs';

/** preinit-spec.ts READY_BYTE: loaded, waiting for an assignment. */
const READY_BYTE = 0x06;

async function warmUp() {
  startEndpointRelay();
  await import(new URL('./preinit-warm.mjs', import.meta.url).href);
  encodeRequest('POST', '/2018-06-01/runtime/invocation/x/response', 'localhost', Buffer.from('{"ok":true}'));
  const parser = new ResponseParser();
  const event = '{"key":"value","n":1,"list":[true,null]}';
  parser.feed(Buffer.from(`HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: x\r\nContent-Length: ${event.length}\r\n\r\n${event}`));
  JSON.stringify(JSON.parse(event));
}

/** The assignment from stdin, read without blocking the event loop; undefined when stdin closed first. */
function readAssignment() {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (value) => {
      process.stdin.off('data', onData);
      // Closed, not paused: an open stdin would keep the event loop from ever draining.
      process.stdin.destroy();
      resolve(value);
    };
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(0x0a);
      if (nl < 0) return;
      const length = Number(buf.subarray(0, nl).toString('utf8').trim());
      if (buf.length - nl - 1 >= length) done(buf.subarray(nl + 1, nl + 1 + length));
    };
    process.stdin.on('data', onData);
    process.stdin.once('end', () => done(undefined));
    process.stdin.once('error', reject);
  });
}

if (process.env.VAJRA_PREINIT === '1') {
  await warmUp();
  fs.writeSync(1, Buffer.from([READY_BYTE]));
  const data = await readAssignment();
  if (data === undefined) process.exit(0); // closed without an assignment: the pool discarded this sandbox
  const env = new Map();
  for (const item of data.toString('utf8').split('\0')) {
    const eq = item.indexOf('=');
    if (eq > 0) env.set(item.slice(0, eq), item.slice(eq + 1));
  }
  // Only what differs changes: setting or removing TZ, even to the same value, makes V8 reload the
  // time zone (milliseconds), and the sandbox started with the function's TZ.
  for (const name of Object.keys(process.env)) if (!env.has(name)) delete process.env[name];
  for (const [name, value] of env) if (process.env[name] !== value) process.env[name] = value;
  // The working directory was the empty slot that the code was mounted over: enter the code itself.
  process.chdir(process.env.LAMBDA_TASK_ROOT || '/var/task');
}
