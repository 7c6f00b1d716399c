// A pre-initialised sandbox: Node.js starts before any function is known and, when VAJRA_PREINIT=1,
// waits here (this module is imported after the bootstrap's own modules, before its body runs). When
// the server assigns the sandbox to a function, that function's code is already mounted at /var/task and
// its environment arrives on stdin: a line with the byte length, then NAME=value entries separated by NUL.
// A sandbox is assigned once and never returned to the pool, so nothing of one function reaches another.
import fs from 'node:fs';

function readExactly(fd, buf) {
  let got = 0;
  while (got < buf.length) {
    let n;
    try {
      n = fs.readSync(fd, buf, got, buf.length - got, null);
    } catch (err) {
      if (err.code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      throw err;
    }
    if (n === 0) return got;
    got += n;
  }
  return got;
}

function readLine(fd) {
  const bytes = [];
  const one = Buffer.alloc(1);
  while (readExactly(fd, one) === 1 && one[0] !== 0x0a) bytes.push(one[0]);
  return Buffer.from(bytes).toString('utf8');
}

if (process.env.VAJRA_PREINIT === '1') {
  fs.writeSync(1, Buffer.from([0x06])); // preinit-spec.ts READY_BYTE: loaded, waiting for an assignment
  const line = readLine(0).trim();
  if (line === '') process.exit(0); // closed without an assignment: the pool discarded this sandbox
  const data = Buffer.alloc(Number(line));
  readExactly(0, data);
  for (const name of Object.keys(process.env)) delete process.env[name];
  for (const item of data.toString('utf8').split('\0')) {
    const eq = item.indexOf('=');
    if (eq > 0) process.env[item.slice(0, eq)] = item.slice(eq + 1);
  }
  // The working directory was the empty slot that the code was mounted over: enter the code itself.
  process.chdir(process.env.LAMBDA_TASK_ROOT || '/var/task');
}
