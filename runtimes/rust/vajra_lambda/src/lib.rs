//! Vajra's first Rust runtime API, kept so that functions written for it build unchanged. New
//! functions should use the `lambda_runtime` API (`run(service_fn(handler))`), which Vajra also
//! ships; this crate is now a thin synchronous layer over it, with serde_json's `Value` and `json!`.
//!
//! A function is an ordinary binary whose `main` hands a handler to [`run`]:
//!
//! ```no_run
//! use vajra_lambda::{json, Context, Error, Value};
//!
//! fn handler(event: Value, ctx: &Context) -> Result<Value, Error> {
//!     let name = event["name"].as_str().unwrap_or("world");
//!     println!("greeting {} in {}", name, ctx.request_id); // goes to the function's log
//!     Ok(json!({ "message": (format!("Hello, {}!", name)) }))
//! }
//!
//! fn main() {
//!     vajra_lambda::run(handler)
//! }
//! ```
//!
//! [`run`] serves invocations through `lambda_runtime` (which talks to the Runtime API), parses
//! each event, calls the handler and posts its result or its error. A panic in the handler is caught
//! and reported as an error of type `Runtime.Panic`, and the process goes on serving. [`run_raw`]
//! does the same with the event's bytes, for handlers that are not about JSON.

/// JSON values: serde_json re-exported, plus [`json::parse`] from the crate's first versions.
pub mod json {
    pub use serde_json::*;

    /// Parses JSON text into a [`Value`].
    pub fn parse(text: &str) -> Result<Value> {
        serde_json::from_str(text)
    }
}

pub use serde_json::{json, Map, Number, Value};

use std::any::{type_name, Any};
use std::fmt::{self, Display};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::process;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// A convenient error type for handlers: anything that implements `std::error::Error` converts into
/// it with `?`, and so do `String` and `&str` (`Err("no name given".into())`).
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// What Lambda tells about one invocation, plus the function's own settings.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The invocation's id (`Lambda-Runtime-Aws-Request-Id`).
    pub request_id: String,
    /// When the invocation times out, in milliseconds since the Unix epoch.
    pub deadline_ms: u64,
    /// The ARN the caller invoked, with the version or alias if one was named.
    pub invoked_function_arn: String,
    /// The X-Ray trace header; also exported as `_X_AMZN_TRACE_ID` while the handler runs.
    pub trace_id: Option<String>,
    /// The mobile client context as raw JSON, when the caller sent one (see [`Context::client_context_json`]).
    pub client_context: Option<String>,
    /// The Cognito identity as raw JSON, when there is one (see [`Context::identity_json`]).
    pub identity: Option<String>,
    pub function_name: String,
    pub function_version: String,
    pub memory_limit_in_mb: u32,
    pub log_group_name: String,
    pub log_stream_name: String,
}

impl Context {
    /// The deadline as a point in time.
    pub fn deadline(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.deadline_ms)
    }
    /// Time left before the invocation times out (zero once past the deadline).
    pub fn remaining_time(&self) -> Duration {
        self.deadline().duration_since(SystemTime::now()).unwrap_or(Duration::ZERO)
    }
    /// [`Context::remaining_time`] in whole milliseconds, like Node's `getRemainingTimeInMillis()`.
    pub fn remaining_time_ms(&self) -> u64 {
        self.remaining_time().as_millis() as u64
    }
    /// The client context parsed as JSON (None when absent or not JSON).
    pub fn client_context_json(&self) -> Option<Value> {
        self.client_context.as_deref().and_then(|s| json::parse(s).ok())
    }
    /// The Cognito identity parsed as JSON (None when absent or not JSON).
    pub fn identity_json(&self) -> Option<Value> {
        self.identity.as_deref().and_then(|s| json::parse(s).ok())
    }
}

/// An error with an explicit `errorType`. Return it (directly, or boxed in [`Error`]) when the
/// caller should see a meaningful type rather than the Rust type name:
/// `Err(Diagnostic::new("ValidationError", "name is required").into())`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub error_type: String,
    pub error_message: String,
}

impl Diagnostic {
    pub fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Diagnostic {
        Diagnostic { error_type: error_type.into(), error_message: error_message.into() }
    }

    fn into_runtime(self) -> lambda_runtime::Diagnostic {
        lambda_runtime::Diagnostic { error_type: self.error_type, error_message: self.error_message }
    }
}

impl Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error_message)
    }
}

impl std::error::Error for Diagnostic {}

/// Shortens a type name by dropping module paths:
/// `alloc::boxed::Box<dyn core::error::Error + core::marker::Send>` -> `Box<dyn Error + Send>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment_start = 0; // where the current path (a::b::C) began in `out`
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.truncate(segment_start);
        } else {
            out.push(c);
            if !(c.is_alphanumeric() || c == '_') {
                segment_start = out.len();
            }
        }
    }
    out
}

/// Turns a handler's error into the errorType/errorMessage pair Lambda reports.
fn diagnose<E: Display + 'static>(err: &E) -> Diagnostic {
    let any: &dyn Any = err;
    if let Some(d) = any.downcast_ref::<Diagnostic>() {
        return d.clone();
    }
    if let Some(d) = any.downcast_ref::<Error>().and_then(|b| b.downcast_ref::<Diagnostic>()) {
        return d.clone();
    }
    if let Some(d) = any.downcast_ref::<Box<dyn std::error::Error>>().and_then(|b| b.downcast_ref::<Diagnostic>()) {
        return d.clone();
    }
    Diagnostic::new(short_type_name(type_name::<E>()), err.to_string())
}

/// A panic's payload as the error Lambda reports (the default panic hook, still in place, logs
/// where it happened).
fn panic_diagnostic(payload: &(dyn Any + Send)) -> Diagnostic {
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        format!("Lambda panicked: {}", s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("Lambda panicked: {}", s)
    } else {
        "Lambda panicked".to_string()
    };
    Diagnostic::new("Runtime.Panic", msg)
}

/// Reports a failed initialisation to Lambda (`/runtime/init/error`) and exits with status 1.
/// Call it from `main` before [`run`] when the function cannot start, e.g. a missing setting:
/// the invocation that started the instance fails with this error instead of a bare exit.
pub fn init_error(error_type: &str, message: &str) -> ! {
    let d = Diagnostic::new(error_type, message);
    eprintln!("[ERROR] init failed: {}: {}", d.error_type, d.error_message);
    if let Err(e) = lambda_runtime::vajra::init_error(&d.into_runtime()) {
        eprintln!("vajra_lambda: could not report the init error to the Runtime API: {}", e);
    }
    process::exit(1)
}

impl Context {
    fn from_runtime(c: &lambda_runtime::Context) -> Context {
        let cfg = &c.env_config;
        Context {
            request_id: c.request_id.clone(),
            deadline_ms: c.deadline,
            invoked_function_arn: c.invoked_function_arn.clone(),
            trace_id: c.xray_trace_id.clone(),
            client_context: c.client_context.as_ref().and_then(|v| serde_json::to_string(v).ok()),
            identity: c.identity.as_ref().and_then(|v| serde_json::to_string(v).ok()),
            function_name: cfg.function_name.clone(),
            function_version: cfg.version.clone(),
            memory_limit_in_mb: u32::try_from(cfg.memory).unwrap_or(128),
            log_group_name: cfg.log_group.clone(),
            log_stream_name: cfg.log_stream.clone(),
        }
    }
}

/// The invocation loop shared by [`run`] and [`run_raw`]: `invoke` turns an event's bytes into
/// the response's bytes or a [`Diagnostic`]. Runs lambda_runtime's loop on a one-thread runtime.
fn serve(mut invoke: impl FnMut(&[u8], &Context) -> Result<Vec<u8>, Diagnostic>) -> ! {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|e| fatal("could not start the async runtime", &e));
    let served = rt.block_on(lambda_runtime::vajra::run_bytes(|body, lctx| {
        let ctx = Context::from_runtime(lctx);
        let outcome = match panic::catch_unwind(AssertUnwindSafe(|| invoke(body, &ctx))) {
            Ok(r) => r,
            Err(payload) => Err(panic_diagnostic(payload.as_ref())),
        };
        // stdout is line-buffered: push out a partial last line so it is logged with this invocation.
        let _ = std::io::stdout().flush();
        outcome.map_err(|d| {
            eprintln!("[ERROR] {}: {}", d.error_type, d.error_message);
            d.into_runtime()
        })
    }));
    match served {
        Ok(()) => process::exit(0),
        Err(e) => fatal("the invocation loop stopped", &e),
    }
}

fn fatal(what: &str, err: &dyn Display) -> ! {
    eprintln!("vajra_lambda: {}: {}", what, err);
    process::exit(1)
}

/// Serves invocations with a JSON handler, forever. The event is parsed into a [`Value`] (an empty
/// payload becomes `Null`); the handler's `Ok` value is serialised as the response. An `Err` is
/// reported with its `Display` text as errorMessage and its type name (module path dropped, e.g.
/// `String`, `MyError`) as errorType, or the type and message of a [`Diagnostic`].
pub fn run<F, R, E>(mut handler: F) -> !
where
    F: FnMut(Value, &Context) -> Result<R, E>,
    R: Serialize,
    E: Display + 'static,
{
    serve(|body, ctx| {
        let event = parse_event(body)?;
        match handler(event, ctx) {
            Ok(v) => serde_json::to_vec(&v)
                .map_err(|e| Diagnostic::new("Runtime.MarshalError", format!("the response is not JSON: {}", e))),
            Err(e) => Err(diagnose(&e)),
        }
    })
}

/// The event as JSON: empty means `Null`, anything else must be UTF-8 JSON.
fn parse_event(body: &[u8]) -> Result<Value, Diagnostic> {
    let text = std::str::from_utf8(body)
        .map_err(|e| Diagnostic::new("Runtime.UnmarshalError", format!("the event is not UTF-8: {}", e)))?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    json::parse(text).map_err(|e| Diagnostic::new("Runtime.UnmarshalError", format!("the event is not JSON: {}", e)))
}

/// Like [`run`], but the handler gets the event's bytes as they came and returns the response's
/// bytes (a `String`, `&str` or `Vec<u8>`), which Lambda passes on unchanged.
pub fn run_raw<F, R, E>(mut handler: F) -> !
where
    F: FnMut(&[u8], &Context) -> Result<R, E>,
    R: Into<Vec<u8>>,
    E: Display + 'static,
{
    serve(|body, ctx| match handler(body, ctx) {
        Ok(r) => Ok(r.into()),
        Err(e) => Err(diagnose(&e)),
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct MyError;
    impl Display for MyError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("mine")
        }
    }
    impl std::error::Error for MyError {}

    #[test]
    fn type_names() {
        assert_eq!(short_type_name("alloc::string::String"), "String");
        assert_eq!(short_type_name("&str"), "&str");
        assert_eq!(
            short_type_name("alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"),
            "Box<dyn Error + Send + Sync>"
        );
        assert_eq!(short_type_name("core::result::Result<my_fn::A, std::io::error::Error>"), "Result<A, Error>");
    }

    #[test]
    fn diagnoses() {
        assert_eq!(diagnose(&MyError), Diagnostic::new("MyError", "mine"));
        assert_eq!(diagnose(&String::from("s")), Diagnostic::new("String", "s"));
        assert_eq!(diagnose(&"s"), Diagnostic::new("&str", "s"));
        let boxed: Error = Diagnostic::new("Validation", "bad").into();
        assert_eq!(diagnose(&boxed), Diagnostic::new("Validation", "bad"));
        let boxed: Error = "plain".into();
        assert_eq!(diagnose(&boxed).error_message, "plain");
        let d = Diagnostic::new("T", "m \"q\"").into_runtime();
        assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"errorType":"T","errorMessage":"m \"q\""}"#);
    }

    #[test]
    fn panics_are_described() {
        let d = panic_diagnostic(&"boom");
        assert_eq!(d, Diagnostic::new("Runtime.Panic", "Lambda panicked: boom"));
        let d = panic_diagnostic(&String::from("x"));
        assert_eq!(d.error_message, "Lambda panicked: x");
        let d = panic_diagnostic(&42);
        assert_eq!(d.error_message, "Lambda panicked");
    }

    #[test]
    fn events_and_json() {
        assert_eq!(parse_event(b"").unwrap(), Value::Null);
        assert_eq!(parse_event(br#"{"a":[1,"x"]}"#).unwrap(), json!({"a": [1, "x"]}));
        assert_eq!(parse_event(b"{nope").unwrap_err().error_type, "Runtime.UnmarshalError");
        assert_eq!(parse_event(&[0xff]).unwrap_err().error_type, "Runtime.UnmarshalError");
        let v = json::parse(r#"{"name":"Ada","n":2.5}"#).unwrap();
        assert_eq!((v["name"].as_str(), v["n"].as_f64(), v["missing"] == Value::Null), (Some("Ada"), Some(2.5), true));
    }

    #[test]
    fn context_from_runtime() {
        let mut lctx = lambda_runtime::Context::default();
        lctx.request_id = "id".into();
        lctx.deadline = 42;
        lctx.identity = Some(lambda_runtime::CognitoIdentity { identity_id: "u".into(), identity_pool_id: "p".into() });
        let ctx = Context::from_runtime(&lctx);
        assert_eq!((ctx.request_id.as_str(), ctx.deadline_ms), ("id", 42));
        assert_eq!(ctx.identity_json().unwrap(), json!({"identityId": "u", "identityPoolId": "p"}));
        assert_eq!(ctx.client_context_json(), None);
    }

    #[test]
    fn remaining_time() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
        let ctx = Context { deadline_ms: now + 3000, ..Context::default() };
        assert!((2900..=3000).contains(&ctx.remaining_time_ms()));
        let ctx = Context { deadline_ms: now - 10, ..Context::default() };
        assert_eq!(ctx.remaining_time_ms(), 0);
    }
}
