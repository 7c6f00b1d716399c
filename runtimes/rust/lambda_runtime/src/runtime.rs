//! The invocation loop: fetch the next event from the Runtime API, hand it to the handler (catching
//! panics), post the response or the error body, repeat. The Runtime API calls use the blocking
//! client in `http.rs` on tokio's blocking pool, so the loop never stalls the function's own tasks,
//! whichever runtime flavour `#[tokio::main]` chose.

use std::any::Any;
use std::env;
use std::fmt::Debug;
use std::future::{poll_fn, Future};
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::task::Poll;

use serde::{Deserialize, Serialize};

use crate::deserializer::deserialize;
use crate::diagnostic::type_name_of_val;
use crate::{http, Config, Context, Diagnostic, Error, LambdaEvent, Service};

const API: &str = "/2018-06-01/runtime";

/// One event as the Runtime API gave it.
struct Invocation {
    request_id: String,
    body: Vec<u8>,
    context: Context,
}

/// The Runtime API of this instance.
struct Api {
    addr: String,
    /// Taken while a request runs on the blocking pool, put back afterwards (keeps the connection).
    client: Option<http::Client>,
}

fn runtime_api_addr() -> Result<String, Error> {
    match env::var("AWS_LAMBDA_RUNTIME_API") {
        Ok(a) if !a.is_empty() => Ok(a),
        _ => Err("AWS_LAMBDA_RUNTIME_API is not set: this program is a Lambda function; deploy it as the \
                  bootstrap of a provided.al2023 function instead of running it directly"
            .into()),
    }
}

impl Api {
    fn from_env() -> Result<Api, Error> {
        let addr = runtime_api_addr()?;
        Ok(Api { client: Some(http::Client::new(&addr)), addr })
    }

    async fn request(
        &mut self,
        method: &'static str,
        path: String,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> io::Result<http::Response> {
        let mut client = self.client.take().unwrap_or_else(|| http::Client::new(&self.addr));
        let (client, result) = tokio::task::spawn_blocking(move || {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = client.request(method, &path, &h, &body);
            (client, r)
        })
        .await
        .map_err(|e| io::Error::new(io::ErrorKind::Other, e.to_string()))?;
        self.client = Some(client);
        result
    }

    async fn next(&mut self, config: &Arc<Config>) -> Result<Invocation, Error> {
        let r = self
            .request("GET", format!("{}/invocation/next", API), Vec::new(), Vec::new())
            .await
            .map_err(|e| format!("could not get the next invocation from the Runtime API at {}: {}", self.addr, e))?;
        if r.status != 200 {
            let text = String::from_utf8_lossy(&r.body);
            return Err(format!("the Runtime API refused the next invocation (status {}): {}", r.status, text).into());
        }
        let request_id =
            r.header("lambda-runtime-aws-request-id").ok_or("missing lambda-runtime-aws-request-id header")?.to_owned();
        let context = Context::from_headers(&request_id, config.clone(), |k| r.header(k))?;
        Ok(Invocation { request_id, body: r.body, context })
    }

    async fn respond(&mut self, request_id: &str, outcome: Result<Vec<u8>, Diagnostic>) -> Result<(), Error> {
        let json = ("Content-Type", "application/json".to_string());
        let (path, headers, body) = match outcome {
            Ok(body) => (format!("{}/invocation/{}/response", API, request_id), vec![json], body),
            Err(d) => (
                format!("{}/invocation/{}/error", API, request_id),
                vec![("Lambda-Runtime-Function-Error-Type", "unhandled".to_string()), json],
                serde_json::to_vec(&d)?,
            ),
        };
        let r = self
            .request("POST", path, headers, body)
            .await
            .map_err(|e| format!("could not send the result of {} to the Runtime API: {}", request_id, e))?;
        if r.status / 100 != 2 {
            // E.g. 413 for a response over the payload limit: Lambda fails the invocation itself.
            eprintln!(
                "lambda_runtime: the Runtime API refused the result of {} (status {}): {}",
                request_id,
                r.status,
                String::from_utf8_lossy(&r.body)
            );
        }
        Ok(())
    }
}

fn set_trace_env(ctx: &Context) {
    match &ctx.xray_trace_id {
        Some(t) => env::set_var("_X_AMZN_TRACE_ID", t),
        None => env::remove_var("_X_AMZN_TRACE_ID"),
    }
    // The W3C form as well (Vajra's TRACEPARENT): a request sent onward with it continues the trace.
    match ctx.xray_trace_id.as_deref().and_then(traceparent) {
        Some(tp) => env::set_var("TRACEPARENT", tp),
        None => env::remove_var("TRACEPARENT"),
    }
}

/// `Root=1-a-b;Parent=p;Sampled=s` as `00-ab-p-0s`; None when the header lacks a well-formed Root or Parent.
fn traceparent(xray: &str) -> Option<String> {
    let (mut root, mut parent, mut sampled) = ("", "", "");
    for part in xray.split(';') {
        match part.split_once('=') {
            Some(("Root", v)) => root = v,
            Some(("Parent", v)) => parent = v,
            Some(("Sampled", v)) => sampled = v,
            _ => {}
        }
    }
    let r: Vec<&str> = root.split('-').collect();
    if r.len() != 3 || r[1].len() != 8 || r[2].len() != 24 || parent.len() != 16 {
        return None;
    }
    let flags = if sampled == "1" { "01" } else { "00" };
    Some(format!("00-{}{}-{}-{}", r[1], r[2], parent, flags))
}

/// The body AWS's crate reports for a panic: the payload's text, and the type name of the payload box.
pub(crate) fn panic_diagnostic(payload: &Box<dyn Any + Send>) -> Diagnostic {
    let error_message = if let Some(s) = payload.downcast_ref::<&str>() {
        format!("Lambda panicked: {}", s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("Lambda panicked: {}", s)
    } else {
        "Lambda panicked".to_string()
    };
    Diagnostic { error_type: type_name_of_val(payload), error_message }
}

fn log_error(what: &dyn Debug) {
    #[cfg(feature = "tracing")]
    ::tracing::error!("{:?}", what);
    #[cfg(not(feature = "tracing"))]
    let _ = what;
}

/// Calls the handler, turning a panic in `call` or while polling its future into a [`Diagnostic`].
async fn invoke<A, F, R>(handler: &mut F, event: LambdaEvent<A>) -> Result<R, Diagnostic>
where
    F: Service<LambdaEvent<A>, Response = R>,
    F::Future: Future<Output = Result<R, F::Error>>,
    F::Error: Into<Diagnostic> + Debug,
{
    let fut = match catch_unwind(AssertUnwindSafe(|| handler.call(event))) {
        Ok(fut) => fut,
        Err(payload) => return Err(panic_diagnostic(&payload)),
    };
    let mut fut = Box::pin(fut);
    let polled = poll_fn(|cx| match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(r)) => Poll::Ready(Ok(r)),
        Err(payload) => Poll::Ready(Err(payload)),
    })
    .await;
    match polled {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => {
            log_error(&e);
            Err(e.into())
        }
        Err(payload) => {
            log_error(&"user handler panicked");
            Err(panic_diagnostic(&payload))
        }
    }
}

pub(crate) async fn run<A, F, R>(mut handler: F) -> Result<(), Error>
where
    F: Service<LambdaEvent<A>, Response = R>,
    F::Future: Future<Output = Result<R, F::Error>>,
    F::Error: Into<Diagnostic> + Debug,
    A: for<'de> Deserialize<'de>,
    R: Serialize,
{
    crate::relay::start();
    let config = Arc::new(Config::from_env());
    let mut api = Api::from_env()?;
    loop {
        let inv = api.next(&config).await?;
        set_trace_env(&inv.context);
        let outcome = match deserialize::<A>(&inv.body) {
            Err(e) => {
                log_error(&e);
                Err(Diagnostic::from(e))
            }
            Ok(payload) => {
                if let Err(e) = poll_fn(|cx| handler.poll_ready(cx)).await {
                    let d: Diagnostic = e.into();
                    return Err(format!("the handler is not ready: {}: {}", d.error_type, d.error_message).into());
                }
                invoke(&mut handler, LambdaEvent::new(payload, inv.context)).await.and_then(|r| {
                    serde_json::to_vec(&r)
                        .map_err(|e| Diagnostic { error_type: type_name_of_val(&e), error_message: e.to_string() })
                })
            }
        };
        api.respond(&inv.request_id, outcome).await?;
    }
}

/// Vajra's byte-level loop (for `vajra_lambda`): the handler gets the event's bytes and returns the
/// response's bytes or a [`Diagnostic`]; catching panics is the handler's business.
pub async fn run_bytes<F>(mut handler: F) -> Result<(), Error>
where
    F: FnMut(&[u8], &Context) -> Result<Vec<u8>, Diagnostic>,
{
    crate::relay::start();
    let config = Arc::new(Config::from_env());
    let mut api = Api::from_env()?;
    loop {
        let inv = api.next(&config).await?;
        set_trace_env(&inv.context);
        let outcome = handler(&inv.body, &inv.context);
        api.respond(&inv.request_id, outcome).await?;
    }
}

/// Reports a failed initialisation (`/runtime/init/error`) with the given errorType, synchronously
/// (it is called from `main` before any runtime exists).
pub fn init_error(d: &Diagnostic) -> Result<(), Error> {
    let addr = runtime_api_addr()?;
    let body = serde_json::to_vec(d)?;
    let headers = [("Lambda-Runtime-Function-Error-Type", d.error_type.as_str()), ("Content-Type", "application/json")];
    http::Client::new(&addr).request("POST", &format!("{}/init/error", API), &headers, &body)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_described_like_aws_does() {
        let d = panic_diagnostic(&(Box::new("boom") as Box<dyn Any + Send>));
        assert_eq!(d.error_message, "Lambda panicked: boom");
        assert_eq!(d.error_type, std::any::type_name::<&Box<dyn Any + Send>>());
        let d = panic_diagnostic(&(Box::new(String::from("x")) as Box<dyn Any + Send>));
        assert_eq!(d.error_message, "Lambda panicked: x");
        let d = panic_diagnostic(&(Box::new(42) as Box<dyn Any + Send>));
        assert_eq!(d.error_message, "Lambda panicked");
    }
}
