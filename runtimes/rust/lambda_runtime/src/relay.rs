//! The Lambda endpoint relay: `AWS_ENDPOINT_URL_LAMBDA` names 127.0.0.1:9002 inside a Vajra sandbox,
//! which has no route to the host in any network mode; each connection there is relayed to the
//! endpoint's UNIX socket (`/run/vajra-lambda/lambda.sock`), so an AWS SDK reaches Lambda with the function's
//! role. Plain threads: it must not depend on the handler's async runtime.

use std::io::copy;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::thread;

pub(crate) fn start() {
    // Bound into every sandbox by the server; without isolation (or with an older server) it is absent.
    let path = String::from("/run/vajra-lambda/lambda.sock");
    if !std::path::Path::new(&path).exists() {
        return;
    }
    let listener = match TcpListener::bind("127.0.0.1:9002") {
        Ok(l) => l,
        Err(e) => {
            eprintln!("lambda_runtime: no Lambda endpoint relay: {}", e);
            return;
        }
    };
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let path = path.clone();
            thread::spawn(move || relay(conn, &path));
        }
    });
}

fn relay(conn: TcpStream, path: &str) {
    let _ = conn.set_nodelay(true);
    let up = match UnixStream::connect(path) {
        Ok(u) => u,
        Err(_) => return,
    };
    let (mut conn_r, mut up_w) = match (conn.try_clone(), up.try_clone()) {
        (Ok(c), Ok(u)) => (c, u),
        _ => return,
    };
    let back = thread::spawn(move || {
        let (mut up_r, mut conn_w) = (up, conn);
        let _ = copy(&mut up_r, &mut conn_w);
        let _ = conn_w.shutdown(Shutdown::Write);
    });
    let _ = copy(&mut conn_r, &mut up_w);
    let _ = up_w.shutdown(Shutdown::Write);
    let _ = back.join();
}
