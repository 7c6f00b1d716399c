// The Lambda endpoint relay of Vajra's Node.js runtime: AWS_ENDPOINT_URL_LAMBDA names 127.0.0.1:9002
// inside the sandbox, which has no route to the host in any network mode; each connection there is
// relayed to the endpoint's UNIX socket, which the server binds into every sandbox. Unref'd: it never
// keeps the process alive on its own. The same for every function, so a pre-initialised sandbox starts
// it before it waits; starting it twice does nothing.
import fs from 'node:fs';
import net from 'node:net';

const ENDPOINT_SOCKET = '/run/vajra-lambda/lambda.sock';
let started = false;

export function startEndpointRelay() {
  if (started) return;
  started = true;
  if (!fs.existsSync(ENDPOINT_SOCKET)) return; // no isolation (or an older server): no endpoint to relay to
  const server = net.createServer({ noDelay: true }, (conn) => {
    const up = net.createConnection(ENDPOINT_SOCKET);
    conn.pipe(up).pipe(conn);
    const close = () => {
      conn.destroy();
      up.destroy();
    };
    conn.on('error', close);
    up.on('error', close);
  });
  server.on('error', (err) => process.stderr.write(`vajra bootstrap: no Lambda endpoint relay: ${err.message}\n`));
  server.listen(9002, '127.0.0.1');
  server.unref();
}
