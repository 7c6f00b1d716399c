// The Node.js runtime's HTTP/1.1 client for the Lambda Runtime API: one persistent connection (a UNIX
// socket, or TCP with TCP_NODELAY), requests written with Content-Length, responses read in order, and
// several requests sent in one write when the caller pipelines them (a result and the next /next).
// node:http's client costs about a millisecond of CPU per call under load; this does only what the
// Runtime API needs. Stdlib only; bodies are Buffers, decoded by the caller once complete.
import net from 'node:net';

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;
// A header value node:http would accept: no control characters but tab, and latin1 at most.
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export class ProtocolError extends Error {}
ProtocolError.prototype.name = 'RuntimeApiProtocolError';

/**
 * An ASCII form of a Lambda-Runtime-Function-Error-Type value: printable ASCII is kept, anything else
 * (and "%") is percent-encoded as UTF-8, so decodeURIComponent gives the name back.
 */
export function headerSafe(value) {
  return String(value).replace(/[^\x20-\x24\x26-\x7e]/gu, (c) =>
    Array.from(Buffer.from(c, 'utf8'), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
}

/** One request as bytes. `body` is a string (UTF-8) or a Buffer; header values must be latin1-safe. */
export function encodeRequest(method, path, hostHeader, body, headers = {}) {
  if (!TOKEN.test(method)) throw new TypeError(`invalid HTTP method ${JSON.stringify(method)}`);
  if (/[\s]/.test(path) || path === '') throw new TypeError(`invalid request path ${JSON.stringify(path)}`);
  const payload = body === undefined || body === null ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8');
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: vajra-nodejs\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const v = String(value);
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (INVALID_HEADER_VALUE.test(v)) throw new TypeError(`invalid character in the value of header ${name}`);
    head += `${name}: ${v}\r\n`;
  }
  if (payload !== undefined) head += `Content-Length: ${payload.length}\r\n`;
  head += '\r\n';
  const headBuf = Buffer.from(head, 'latin1');
  return payload === undefined || payload.length === 0 ? headBuf : Buffer.concat([headBuf, payload]);
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) throw new ProtocolError(`malformed status line ${JSON.stringify(lines[0].slice(0, 100))}`);
  const headers = Object.create(null);
  let last;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      headers[last] += ' ' + line.trim(); // obsolete line folding
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(`malformed header line ${JSON.stringify(line.slice(0, 100))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    last = name;
  }
  return { minor: Number(m[1]), status: Number(m[2]), statusText: m[3] ?? '', headers };
}

/**
 * Reads HTTP/1.x responses from a byte stream, in order: feed() takes each chunk as it arrives and
 * returns the responses it completed; end() is called when the connection closes. A response is
 * {status, statusText, headers (lower-case names), body: Buffer, close}; `close` says the server
 * ends the connection after it.
 */
export class ResponseParser {
  constructor() {
    this.buf = Buffer.alloc(0);
    this.scanFrom = 0; // where to look for the end of the head (so a slow head is not rescanned)
    this.cur = undefined; // the response whose body is being read
  }

  /** True while part of a response has arrived but not all of it. */
  get inProgress() {
    return this.cur !== undefined || this.buf.length > 0;
  }

  feed(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const done = [];
    for (;;) {
      const r = this.cur === undefined ? this.readHead() : this.readBody();
      if (r === undefined) break;
      if (r !== null) done.push(r);
    }
    return done;
  }

  /** The connection closed: a body delimited by the close is complete; anything else partial is an error. */
  end() {
    const cur = this.cur;
    if (cur !== undefined && cur.mode === 'eof') {
      this.cur = undefined;
      const body = Buffer.concat([...cur.chunks, this.buf]);
      this.buf = Buffer.alloc(0);
      return this.finish(cur, body);
    }
    if (this.inProgress) throw new ProtocolError('the Runtime API closed the connection in the middle of a response');
    return undefined;
  }

  // undefined: need more bytes; null: progress without a response (a 1xx skipped)
  readHead() {
    const i = this.buf.indexOf(HEAD_END, this.scanFrom);
    if (i < 0) {
      if (this.buf.length > MAX_HEAD_BYTES) throw new ProtocolError('response head larger than 64 KiB');
      this.scanFrom = Math.max(0, this.buf.length - 3);
      return undefined;
    }
    const head = parseHead(this.buf.toString('latin1', 0, i));
    this.buf = this.buf.subarray(i + 4);
    this.scanFrom = 0;
    if (head.status >= 100 && head.status < 200 && head.status !== 101) return null; // e.g. 100 Continue
    const h = head.headers;
    const conn = (h.connection ?? '').toLowerCase();
    head.close = conn.split(',').some((t) => t.trim() === 'close') || (head.minor === 0 && !/\bkeep-alive\b/.test(conn));
    head.chunks = [];
    const te = h['transfer-encoding'];
    if (head.status === 204 || head.status === 304) {
      head.mode = 'length';
      head.remaining = 0;
    } else if (te !== undefined && te.toLowerCase().split(',').pop().trim() === 'chunked') {
      head.mode = 'chunk-size';
    } else if (h['content-length'] !== undefined) {
      const values = new Set(h['content-length'].split(',').map((v) => v.trim()));
      const [only] = values;
      if (values.size !== 1 || !/^\d{1,15}$/.test(only)) {
        throw new ProtocolError(`invalid Content-Length ${JSON.stringify(h['content-length'])}`);
      }
      head.mode = 'length';
      head.remaining = Number(only);
    } else {
      head.mode = 'eof';
      head.close = true;
    }
    this.cur = head;
    return null;
  }

  readBody() {
    const cur = this.cur;
    switch (cur.mode) {
      case 'length': {
        const n = Math.min(cur.remaining, this.buf.length);
        if (n > 0) {
          cur.chunks.push(this.buf.subarray(0, n));
          this.buf = this.buf.subarray(n);
          cur.remaining -= n;
        }
        if (cur.remaining > 0) return undefined;
        return this.complete();
      }
      case 'eof':
        if (this.buf.length > 0) {
          cur.chunks.push(this.buf);
          this.buf = Buffer.alloc(0);
        }
        return undefined;
      case 'chunk-size': {
        const i = this.buf.indexOf(CRLF);
        if (i < 0) {
          if (this.buf.length > 4096) throw new ProtocolError('chunk size line too long');
          return undefined;
        }
        const text = this.buf.toString('latin1', 0, i).split(';')[0].trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(text)) throw new ProtocolError(`invalid chunk size ${JSON.stringify(text)}`);
        this.buf = this.buf.subarray(i + 2);
        cur.remaining = parseInt(text, 16);
        cur.mode = cur.remaining === 0 ? 'trailers' : 'chunk-data';
        return null;
      }
      case 'chunk-data': {
        const n = Math.min(cur.remaining, this.buf.length);
        if (n > 0) {
          cur.chunks.push(this.buf.subarray(0, n));
          this.buf = this.buf.subarray(n);
          cur.remaining -= n;
        }
        if (cur.remaining > 0 || this.buf.length < 2) return undefined;
        if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) throw new ProtocolError('chunk data not followed by CRLF');
        this.buf = this.buf.subarray(2);
        cur.mode = 'chunk-size';
        return null;
      }
      case 'trailers': {
        // trailer fields (ignored) up to an empty line
        const i = this.buf.indexOf(CRLF);
        if (i < 0) {
          if (this.buf.length > MAX_HEAD_BYTES) throw new ProtocolError('trailers larger than 64 KiB');
          return undefined;
        }
        this.buf = this.buf.subarray(i + 2);
        return i === 0 ? this.complete() : null;
      }
      default:
        throw new Error(`parser state ${cur.mode}`);
    }
  }

  complete() {
    const cur = this.cur;
    this.cur = undefined;
    const body = cur.chunks.length === 1 ? cur.chunks[0] : Buffer.concat(cur.chunks);
    if (this.buf.length === 0) this.buf = Buffer.alloc(0); // drop the reference to the last chunk
    return this.finish(cur, body);
  }

  finish(cur, body) {
    return { status: cur.status, statusText: cur.statusText, headers: cur.headers, body, close: cur.close };
  }
}

/** Where the Runtime API is: {path} of a UNIX socket, or {host, port}. */
export function parseTarget(api) {
  const i = api.lastIndexOf(':');
  const port = Number(api.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`AWS_LAMBDA_RUNTIME_API must be host:port, not ${JSON.stringify(api)}`);
  }
  return { host: api.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

/**
 * One persistent connection to the Runtime API. Requests are answered in the order they were sent.
 * The socket keeps the process alive only while an answer is awaited (a handler waiting for an
 * empty event loop must see it drain). When the connection breaks, the requests not yet answered are
 * sent again on a new one (at most `maxAttempts` times each); one whose answer had begun fails.
 */
export class RuntimeClient {
  constructor(target, { hostHeader, maxAttempts = 3 } = {}) {
    this.target = target;
    this.hostHeader = hostHeader ?? (target.path !== undefined ? 'localhost' : `${target.host}:${target.port}`);
    this.maxAttempts = maxAttempts;
    this.socket = undefined;
    this.parser = undefined;
    this.waiting = []; // sent, not yet answered, in order
    this.closed = false;
  }

  /** One request; resolves with the response. */
  request(method, path, body, headers) {
    return this.pipeline([{ method, path, body, headers }])[0];
  }

  /** Several requests in one write; one promise per request, answered in order. */
  pipeline(requests) {
    const entries = [];
    const promises = requests.map((r) => {
      const bytes = encodeRequest(r.method, r.path, this.hostHeader, r.body, r.headers);
      return new Promise((resolve, reject) => entries.push({ bytes, resolve, reject, attempts: 0, what: `${r.method} ${r.path}` }));
    });
    this.send(entries);
    return promises;
  }

  close() {
    this.closed = true;
    const s = this.socket;
    this.socket = undefined;
    if (s !== undefined) s.destroy();
    this.failAll(new Error('Runtime API client closed'));
  }

  failAll(err) {
    for (const e of this.waiting.splice(0)) e.reject(err);
  }

  send(entries) {
    if (this.closed) {
      for (const e of entries) e.reject(new Error('Runtime API client closed'));
      return;
    }
    if (this.socket === undefined) this.connect();
    for (const e of entries) {
      e.attempts++;
      this.waiting.push(e);
    }
    this.socket.ref();
    this.socket.write(entries.length === 1 ? entries[0].bytes : Buffer.concat(entries.map((e) => e.bytes)));
  }

  connect() {
    const t = this.target;
    const socket = t.path !== undefined ? net.connect(t.path) : net.connect({ host: t.host, port: t.port, noDelay: true });
    if (t.path === undefined) socket.setNoDelay(true);
    const parser = new ResponseParser();
    this.socket = socket;
    this.parser = parser;
    let failure;
    socket.on('data', (chunk) => {
      if (this.socket !== socket) return;
      let responses;
      try {
        responses = parser.feed(chunk);
      } catch (err) {
        failure = err;
        socket.destroy();
        return;
      }
      for (const r of responses) {
        const e = this.waiting.shift();
        if (e === undefined) {
          failure = new ProtocolError('the Runtime API sent a response nobody asked for');
          socket.destroy();
          return;
        }
        e.resolve(r);
        if (r.close) {
          // The server closes after this answer: the rest go again on a new connection.
          this.detach(socket, undefined);
          return;
        }
      }
      if (this.waiting.length === 0) socket.unref();
    });
    socket.on('error', (err) => {
      failure ??= err;
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      let last;
      try {
        last = parser.end();
      } catch (err) {
        failure ??= err;
      }
      if (last !== undefined) {
        const e = this.waiting.shift();
        if (e !== undefined) e.resolve(last);
        last = undefined;
      } else if (parser.inProgress && this.waiting.length > 0) {
        // its answer had begun: sending it again could lose or repeat an event
        this.waiting.shift().reject(failure ?? new ProtocolError('the Runtime API closed the connection mid-response'));
      }
      this.detach(socket, failure);
    });
  }

  /** Drops the connection; what is still unanswered is sent again on a new one, or fails. */
  detach(socket, failure) {
    if (this.socket === socket) {
      this.socket = undefined;
      this.parser = undefined;
    }
    socket.destroy();
    const again = [];
    for (const e of this.waiting.splice(0)) {
      if (e.attempts < this.maxAttempts) again.push(e);
      else {
        const why = failure ? `: ${failure.message}` : '';
        e.reject(Object.assign(new Error(`${e.what}: the Runtime API connection failed ${e.attempts} times${why}`), { cause: failure }));
      }
    }
    if (again.length > 0) {
      if (failure === undefined) this.send(again);
      else setTimeout(() => this.send(again), 5 * again[0].attempts); // a short pause before a reconnect
    }
  }
}
