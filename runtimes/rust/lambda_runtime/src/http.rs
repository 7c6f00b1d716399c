//! A minimal HTTP/1.1 client for the Runtime API: one keep-alive connection (TCP, or Vajra's UNIX
//! socket when there is one), requests with a Content-Length body, responses framed by
//! Content-Length, chunked encoding or connection close.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;

/// Inside a Vajra sandbox the Runtime API is also on a UNIX socket (VAJRA_RUNTIME_SOCKET overrides
/// where): talk to it directly, without the TCP forwarder. None outside Vajra.
fn vajra_socket() -> Option<String> {
    use std::os::unix::fs::FileTypeExt;
    let path = std::env::var("VAJRA_RUNTIME_SOCKET")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/run/vajra/runtime.sock".to_string());
    match std::fs::metadata(&path) {
        Ok(m) if m.file_type().is_socket() => Some(path),
        _ => None,
    }
}

/// The connection to the Runtime API.
enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// Refuse response heads larger than this (the Runtime API's are a few hundred bytes).
const MAX_HEAD: usize = 64 * 1024;

pub(crate) struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

pub(crate) struct Client {
    /// host:port, as in AWS_LAMBDA_RUNTIME_API.
    addr: String,
    /// Vajra's per-instance UNIX socket, used instead of `addr` when set (no forwarder in between).
    socket: Option<String>,
    conn: Option<BufReader<Stream>>,
}

impl Client {
    pub fn new(addr: &str) -> Client {
        Client { addr: addr.to_string(), socket: vajra_socket(), conn: None }
    }

    fn connect(&self) -> io::Result<BufReader<Stream>> {
        let stream = match &self.socket {
            Some(path) => Stream::Unix(UnixStream::connect(path)?),
            None => {
                let tcp = TcpStream::connect(self.addr.as_str())?;
                // Small request/response exchanges: do not let Nagle hold back the last segment.
                tcp.set_nodelay(true)?;
                Stream::Tcp(tcp)
            }
        };
        Ok(BufReader::with_capacity(16 * 1024, stream))
    }

    /// Sends one request and reads its response. A kept-alive connection that turns out to be
    /// closed (the server dropped it while idle) is replaced once, as long as no byte of the answer
    /// had arrived, so a request is never sent twice after the server began answering it.
    pub fn request(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> io::Result<Response> {
        let mut req = Vec::with_capacity(256 + body.len());
        write!(
            req,
            "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: aws-lambda-rust/{}\r\n",
            method,
            path,
            self.addr,
            env!("CARGO_PKG_VERSION")
        )?;
        for (k, v) in headers {
            // Header values come from the runtime itself, but never let one inject a line.
            let v: String = v.chars().map(|c| if c == '\r' || c == '\n' { ' ' } else { c }).collect();
            write!(req, "{}: {}\r\n", k, v)?;
        }
        if method != "GET" || !body.is_empty() {
            write!(req, "Content-Length: {}\r\n", body.len())?;
        }
        req.extend_from_slice(b"\r\n");
        req.extend_from_slice(body);

        let reused = self.conn.is_some();
        match self.exchange(&req) {
            Ok(resp) => Ok(resp),
            Err((e, answered)) => {
                self.conn = None;
                if !reused || answered {
                    return Err(e);
                }
                self.exchange(&req).map_err(|(e, _)| {
                    self.conn = None;
                    e
                })
            }
        }
    }

    /// Returns the error together with whether any byte of the response had been read.
    fn exchange(&mut self, req: &[u8]) -> Result<Response, (io::Error, bool)> {
        if self.conn.is_none() {
            self.conn = Some(self.connect().map_err(|e| (e, false))?);
        }
        let conn = self.conn.as_mut().unwrap();
        conn.get_mut().write_all(req).map_err(|e| (e, false))?;
        let mut answered = false;
        let result = read_response(conn, &mut answered);
        match result {
            Ok((resp, keep_alive)) => {
                if !keep_alive {
                    self.conn = None;
                }
                Ok(resp)
            }
            Err(e) => Err((e, answered)),
        }
    }
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("malformed HTTP response from the Runtime API: {}", msg))
}

/// Reads a CRLF- (or LF-) terminated line without its terminator; `budget` bounds the head size.
fn read_line<R: BufRead>(r: &mut R, budget: &mut usize) -> io::Result<String> {
    let mut line = Vec::new();
    let n = r.by_ref().take(*budget as u64 + 1).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the Runtime API closed the connection"));
    }
    if n > *budget {
        return Err(bad("head too large"));
    }
    *budget -= n;
    if line.last() != Some(&b'\n') {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the Runtime API closed the connection mid-response"));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| bad("non-UTF-8 header"))
}

/// Reads one response; also says whether the connection may be reused.
pub(crate) fn read_response<R: BufRead>(r: &mut R, answered: &mut bool) -> io::Result<(Response, bool)> {
    let mut budget = MAX_HEAD;
    let status_line = read_line(r, &mut budget)?;
    *answered = true;
    // "HTTP/1.1 200 OK"
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let status: u16 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(|| bad("status line"))?;
    if !version.starts_with("HTTP/1.") {
        return Err(bad("status line"));
    }
    let mut keep_alive = version != "HTTP/1.0";
    let mut headers = Vec::new();
    loop {
        let line = read_line(r, &mut budget)?;
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').ok_or_else(|| bad("header line"))?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let mut resp = Response { status, headers, body: Vec::new() };
    if let Some(c) = resp.header("connection") {
        let c = c.to_ascii_lowercase();
        if c.contains("close") {
            keep_alive = false;
        } else if c.contains("keep-alive") {
            keep_alive = true;
        }
    }
    let chunked = resp.header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    if status / 100 == 1 || status == 204 || status == 304 {
        // No body by definition.
    } else if chunked {
        resp.body = read_chunked(r)?;
    } else if let Some(len) = resp.header("content-length") {
        let len: usize = len.parse().map_err(|_| bad("Content-Length"))?;
        resp.body = vec![0; len];
        r.read_exact(&mut resp.body)?;
    } else {
        // Neither length nor chunks: the body runs to the end of the connection.
        r.read_to_end(&mut resp.body)?;
        keep_alive = false;
    }
    Ok((resp, keep_alive))
}

fn read_chunked<R: BufRead>(r: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut budget = MAX_HEAD;
        let line = read_line(r, &mut budget)?;
        let size_hex = line.split(';').next().unwrap_or("").trim(); // chunk extensions are ignored
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| bad("chunk size"))?;
        if size == 0 {
            // Trailer fields (ignored) up to an empty line.
            while !read_line(r, &mut budget)?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])?;
        if !read_line(r, &mut budget)?.is_empty() {
            return Err(bad("chunk not followed by CRLF"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::net::TcpListener;
    use std::thread;

    fn parse(raw: &str) -> io::Result<(Response, bool)> {
        read_response(&mut Cursor::new(raw.as_bytes().to_vec()), &mut false)
    }

    #[test]
    fn content_length_and_headers() {
        let (r, keep) =
            parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nLambda-Runtime-Aws-Request-Id: abc\r\n\r\nhello").unwrap();
        assert_eq!((r.status, keep, r.body.as_slice()), (200, true, &b"hello"[..]));
        assert_eq!(r.header("lambda-runtime-aws-request-id"), Some("abc"));
        let (_, keep) = parse("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert!(!keep);
        let (r, keep) = parse("HTTP/1.0 200 OK\r\n\r\nto the end").unwrap();
        assert_eq!((r.body.as_slice(), keep), (&b"to the end"[..], false));
    }

    #[test]
    fn chunked() {
        let (r, keep) = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: 1\r\n\r\n").unwrap();
        assert_eq!((r.body.as_slice(), keep), (&b"hello, world"[..], true));
        assert!(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n").is_err());
    }

    #[test]
    fn truncated_and_malformed() {
        assert!(parse("").is_err());
        assert!(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").is_err());
        assert!(parse("garbage\r\n\r\n").is_err());
        assert!(parse(&format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD))).is_err());
    }

    /// Keep-alive reuse, then a server that closes an idle connection: the client reconnects.
    #[test]
    fn keep_alive_and_reconnect() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = thread::spawn(move || {
            let mut served = Vec::new();
            for conn_no in 0..2 {
                let (s, _) = listener.accept().unwrap();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let requests = if conn_no == 0 { 2 } else { 1 };
                for _ in 0..requests {
                    let mut budget = MAX_HEAD;
                    let first = read_line(&mut r, &mut budget).unwrap();
                    let mut len = 0;
                    loop {
                        let l = read_line(&mut r, &mut budget).unwrap();
                        if l.is_empty() {
                            break;
                        }
                        if let Some(v) = l.strip_prefix("Content-Length: ") {
                            len = v.parse().unwrap();
                        }
                    }
                    let mut body = vec![0; len];
                    r.read_exact(&mut body).unwrap();
                    served.push(format!("{} [{}]", first, String::from_utf8(body).unwrap()));
                    (&s).write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap();
                }
                // Dropping `s` closes the connection the client still believes is alive.
            }
            served
        });
        let mut c = Client::new(&addr);
        assert_eq!(c.request("GET", "/a", &[], b"").unwrap().body, b"ok");
        assert_eq!(c.request("POST", "/b", &[("X", "1")], b"{}").unwrap().body, b"ok");
        thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(c.request("POST", "/c", &[], b"xyz").unwrap().body, b"ok");
        assert_eq!(
            server.join().unwrap(),
            vec!["GET /a HTTP/1.1 []", "POST /b HTTP/1.1 [{}]", "POST /c HTTP/1.1 [xyz]"]
        );
    }
}
