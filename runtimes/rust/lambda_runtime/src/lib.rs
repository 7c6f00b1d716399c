//! Vajra's `lambda_runtime`: the public API of AWS's Rust runtime crate, so that functions written for
//! Lambda build and run unchanged, offline, with tokio, serde and serde_json from Debian's packaged
//! crates (no hyper, tower or http, which Debian does not ship).
//!
//! ```no_run
//! use lambda_runtime::{run, service_fn, Error, LambdaEvent};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Deserialize)]
//! struct Request { command: String }
//!
//! #[derive(Serialize)]
//! struct Response { req_id: String, msg: String }
//!
//! async fn function_handler(event: LambdaEvent<Request>) -> Result<Response, Error> {
//!     Ok(Response { req_id: event.context.request_id, msg: format!("Command {}.", event.payload.command) })
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     run(service_fn(function_handler)).await
//! }
//! ```
//!
//! What differs from AWS's crate: response streaming (`StreamResponse`), `Runtime::layer` and the
//! tower layers are not provided, and `tracing::init_default_subscriber` is a small built-in
//! subscriber (Debian has no tracing-subscriber). Inside a Vajra sandbox the Runtime API is reached on
//! the instance's UNIX socket (`VAJRA_RUNTIME_SOCKET`), elsewhere over TCP at `AWS_LAMBDA_RUNTIME_API`.

mod deserializer;
pub mod diagnostic;
mod http;
mod relay;
mod runtime;
mod service;
#[cfg(feature = "tracing")]
pub mod tracing;
mod types;

use std::fmt::Debug;
use std::future::Future;

use serde::{Deserialize, Serialize};

pub use diagnostic::Diagnostic;
pub use service::{service_fn, Service, ServiceFn};
pub use types::{ClientApplication, ClientContext, CognitoIdentity, Config, Context, LambdaEvent};

/// Where AWS's crate re-exports tower: the two items functions use from it.
pub mod tower {
    pub use crate::service::{service_fn, Service, ServiceFn};
}

/// The error type handlers usually return: anything that implements `std::error::Error`, a `String`
/// or a `&str` converts into it with `?` or `.into()`.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves invocations with `handler` until the instance is stopped.
///
/// Each event is deserialised into `A` (an event that does not fit is answered with an error whose
/// type is the deserialiser's), the handler is called, and its `Ok` value is serialised as the
/// response. An `Err` is reported through its [`Diagnostic`] (errorType and errorMessage); a panic is
/// caught and reported as `Lambda panicked: ...`, and the next invocation is served as usual.
pub async fn run<A, F, R>(handler: F) -> Result<(), Error>
where
    F: Service<LambdaEvent<A>, Response = R>,
    F::Future: Future<Output = Result<R, F::Error>>,
    F::Error: Into<Diagnostic> + Debug,
    A: for<'de> Deserialize<'de>,
    R: Serialize,
{
    runtime::run(handler).await
}

/// Deprecated in AWS's crate since 0.5, kept for old functions: a handler taking the payload and the
/// context as two arguments.
#[deprecated(since = "0.5.0", note = "Use `service_fn` and `LambdaEvent` instead")]
pub fn handler_fn<A, F, Fut>(f: F) -> ServiceFn<impl FnMut(LambdaEvent<A>) -> Fut>
where
    F: Fn(A, Context) -> Fut,
{
    service_fn(move |req: LambdaEvent<A>| f(req.payload, req.context))
}

/// Entry points for Vajra's own `vajra_lambda` crate (a synchronous, byte-level handler loop); not
/// part of AWS's API.
#[doc(hidden)]
pub mod vajra {
    pub use crate::runtime::{init_error, run_bytes};
}
