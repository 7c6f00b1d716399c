//! The invocation loop against a scripted Runtime API on loopback: a typed handler answers, an event
//! that does not fit, an error return and a panic give AWS's error bodies, and a refused /next ends
//! `run` with an error. Written with the public API only, as a function would use it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread;

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Request {
    name: String,
}

#[derive(Serialize)]
struct Response {
    greeting: String,
    request_id: String,
    function: String,
}

async fn handler(event: LambdaEvent<Request>) -> Result<Response, Error> {
    match event.payload.name.as_str() {
        "fail" => Err("asked to fail".into()),
        "panic" => panic!("asked to panic"),
        name => Ok(Response {
            greeting: format!("Hello, {}!", name),
            request_id: event.context.request_id,
            function: event.context.env_config.function_name.clone(),
        }),
    }
}

/// One request as the server saw it: "METHOD path", the error-type header, the body.
type Seen = (String, Option<String>, String);

fn read_request(r: &mut BufReader<std::net::TcpStream>) -> Option<Seen> {
    let mut first = String::new();
    if r.read_line(&mut first).ok()? == 0 {
        return None;
    }
    let (mut len, mut error_type) = (0, None);
    loop {
        let mut line = String::new();
        r.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(": ")?;
        match k.to_ascii_lowercase().as_str() {
            "content-length" => len = v.parse().ok()?,
            "lambda-runtime-function-error-type" => error_type = Some(v.to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    let mut parts = first.split(' ');
    let line = format!("{} {}", parts.next()?, parts.next()?);
    Some((line, error_type, String::from_utf8(body).ok()?))
}

#[tokio::test]
async fn serves_events_and_reports_errors_like_aws() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    std::env::set_var("AWS_LAMBDA_RUNTIME_API", listener.local_addr().unwrap().to_string());
    std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "greeter");
    // Not a socket: the client must use TCP.
    std::env::set_var("VAJRA_RUNTIME_SOCKET", "/nonexistent/vajra.sock");

    let events = [r#"{"name":"Ada"}"#, r#"{"nom":1}"#, r#"{"name":"fail"}"#, r#"{"name":"panic"}"#, r#"{"name":"Bo"}"#];
    let server = thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut seen = Vec::new();
        for (i, ev) in events.iter().enumerate() {
            let next = read_request(&mut r).unwrap();
            assert_eq!(next.0, "GET /2018-06-01/runtime/invocation/next");
            let head = format!(
                "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r{}\r\nLambda-Runtime-Deadline-Ms: 4102444800000\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:greeter\r\nContent-Length: {}\r\n\r\n",
                i,
                ev.len()
            );
            (&s).write_all(head.as_bytes()).unwrap();
            (&s).write_all(ev.as_bytes()).unwrap();
            seen.push(read_request(&mut r).unwrap());
            (&s).write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n").unwrap();
        }
        read_request(&mut r).unwrap();
        (&s).write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\ngone").unwrap();
        seen
    });

    let ended = run(service_fn(handler)).await;
    let err = ended.expect_err("run ends when /next is refused").to_string();
    assert!(err.contains("status 500"), "{}", err);

    let seen = server.join().unwrap();
    let body = |i: usize| serde_json::from_str::<serde_json::Value>(&seen[i].2).unwrap();
    assert_eq!(seen[0].0, "POST /2018-06-01/runtime/invocation/r0/response");
    assert_eq!(body(0), serde_json::json!({"greeting": "Hello, Ada!", "request_id": "r0", "function": "greeter"}));

    assert_eq!(seen[1].0, "POST /2018-06-01/runtime/invocation/r1/error");
    assert_eq!(seen[1].1.as_deref(), Some("unhandled"));
    assert_eq!(body(1)["errorType"], "&lambda_runtime::deserializer::DeserializeError");
    assert!(body(1)["errorMessage"].as_str().unwrap().contains("missing field `name`"));

    assert_eq!(seen[2].0, "POST /2018-06-01/runtime/invocation/r2/error");
    assert_eq!(body(2)["errorType"], std::any::type_name::<&Error>());
    assert_eq!(body(2)["errorMessage"], "asked to fail");

    assert_eq!(body(3)["errorType"], std::any::type_name::<&Box<dyn std::any::Any + Send>>());
    assert_eq!(body(3)["errorMessage"], "Lambda panicked: asked to panic");

    // The instance goes on serving after a panic.
    assert_eq!(seen[4].0, "POST /2018-06-01/runtime/invocation/r4/response");
    assert_eq!(body(4)["greeting"], "Hello, Bo!");
}
