//! Vajra's Rust runtime for Lambda functions (standard library only).
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
//! [`run`] connects to the Lambda Runtime API named by `AWS_LAMBDA_RUNTIME_API`, then for each
//! invocation parses the event, calls the handler and posts its result or its error. A panic in the
//! handler is caught and reported as an error of type `Runtime.Panic`, and the process goes on
//! serving. [`run_raw`] does the same with the event's bytes, for handlers that are not about JSON.

mod http;
pub mod json;

pub use json::{Map, Number, Value};

use std::any::{type_name, Any};
use std::cell::RefCell;
use std::env;
use std::fmt::{self, Display};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::process;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A convenient error type for handlers: anything that implements `std::error::Error` converts into
/// it with `?`, and so do `String` and `&str` (`Err("no name given".into())`).
pub type Error = Box<dyn std::error::Error + Send + Sync>;

const API: &str = "/2018-06-01/runtime";

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

    fn to_json(&self, stack_trace: Vec<Value>) -> String {
        let mut m = Map::new();
        m.insert("errorMessage".into(), self.error_message.as_str().into());
        m.insert("errorType".into(), self.error_type.as_str().into());
        m.insert("stackTrace".into(), Value::Array(stack_trace));
        Value::Object(m).to_string()
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

thread_local! {
    /// Where the last panic on this thread happened, recorded by the hook `install_panic_hook` adds.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Chains a hook in front of the current one (which still prints the usual panic message to
/// stderr, hence to the log) to remember the panic's location for the error's stackTrace.
fn install_panic_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let loc = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        PANIC_LOCATION.with(|p| *p.borrow_mut() = loc);
        previous(info);
    }));
}

fn panic_diagnostic(payload: &(dyn Any + Send)) -> (Diagnostic, Vec<Value>) {
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        format!("Lambda panicked: {}", s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("Lambda panicked: {}", s)
    } else {
        "Lambda panicked".to_string()
    };
    let trace = PANIC_LOCATION.with(|p| p.borrow_mut().take()).map(|l| vec![Value::String(l)]).unwrap_or_default();
    (Diagnostic::new("Runtime.Panic", msg), trace)
}

/// The per-process part of the context, read once from the environment.
struct Settings {
    api: String,
    function_name: String,
    function_version: String,
    memory_limit_in_mb: u32,
    log_group_name: String,
    log_stream_name: String,
}

fn settings() -> Settings {
    let var = |k: &str| env::var(k).unwrap_or_default();
    let api = var("AWS_LAMBDA_RUNTIME_API");
    if api.is_empty() {
        eprintln!(
            "vajra_lambda: AWS_LAMBDA_RUNTIME_API is not set. This program is a Lambda function: \
             deploy it as the `bootstrap` of a provided.al2023 function instead of running it directly."
        );
        process::exit(1);
    }
    Settings {
        api,
        function_name: var("AWS_LAMBDA_FUNCTION_NAME"),
        function_version: env::var("AWS_LAMBDA_FUNCTION_VERSION").unwrap_or_else(|_| "$LATEST".into()),
        memory_limit_in_mb: var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").parse().unwrap_or(128),
        log_group_name: var("AWS_LAMBDA_LOG_GROUP_NAME"),
        log_stream_name: var("AWS_LAMBDA_LOG_STREAM_NAME"),
    }
}

/// Reports a failed initialisation to Lambda (`/runtime/init/error`) and exits with status 1.
/// Call it from `main` before [`run`] when the function cannot start, e.g. a missing setting:
/// the invocation that started the instance fails with this error instead of a bare exit.
pub fn init_error(error_type: &str, message: &str) -> ! {
    let d = Diagnostic::new(error_type, message);
    eprintln!("[ERROR] init failed: {}: {}", d.error_type, d.error_message);
    if let Ok(api) = env::var("AWS_LAMBDA_RUNTIME_API") {
        let body = d.to_json(Vec::new());
        let mut client = http::Client::new(&api);
        let headers =
            [("Lambda-Runtime-Function-Error-Type", d.error_type.as_str()), ("Content-Type", "application/json")];
        if let Err(e) = client.request("POST", &format!("{}/init/error", API), &headers, body.as_bytes()) {
            eprintln!("vajra_lambda: could not report the init error to the Runtime API: {}", e);
        }
    }
    process::exit(1)
}

fn fatal(what: &str, err: &dyn Display) -> ! {
    eprintln!("vajra_lambda: {}: {}", what, err);
    process::exit(1)
}

/// The invocation loop shared by [`run`] and [`run_raw`]: `invoke` turns an event's bytes into
/// the response's bytes or a [`Diagnostic`].
fn serve(mut invoke: impl FnMut(&[u8], &Context) -> Result<Vec<u8>, Diagnostic>) -> ! {
    let s = settings();
    install_panic_hook();
    let mut client = http::Client::new(&s.api);
    let next_path = format!("{}/invocation/next", API);
    loop {
        let next = client.request("GET", &next_path, &[], b"").unwrap_or_else(|e| {
            fatal(&format!("could not get the next invocation from the Runtime API at {}", s.api), &e)
        });
        if next.status != 200 {
            let msg = format!("status {}: {}", next.status, String::from_utf8_lossy(&next.body));
            fatal("the Runtime API refused to give the next invocation", &msg);
        }
        let header = |k: &str| next.header(k).map(str::to_string);
        let ctx = Context {
            request_id: header("lambda-runtime-aws-request-id")
                .unwrap_or_else(|| fatal("bad invocation", &"no Lambda-Runtime-Aws-Request-Id header")),
            deadline_ms: next.header("lambda-runtime-deadline-ms").and_then(|d| d.parse().ok()).unwrap_or(0),
            invoked_function_arn: header("lambda-runtime-invoked-function-arn").unwrap_or_default(),
            trace_id: header("lambda-runtime-trace-id"),
            client_context: header("lambda-runtime-client-context"),
            identity: header("lambda-runtime-cognito-identity"),
            function_name: s.function_name.clone(),
            function_version: s.function_version.clone(),
            memory_limit_in_mb: s.memory_limit_in_mb,
            log_group_name: s.log_group_name.clone(),
            log_stream_name: s.log_stream_name.clone(),
        };
        match &ctx.trace_id {
            Some(t) => env::set_var("_X_AMZN_TRACE_ID", t),
            None => env::remove_var("_X_AMZN_TRACE_ID"),
        }

        let outcome = match panic::catch_unwind(AssertUnwindSafe(|| invoke(&next.body, &ctx))) {
            Ok(Ok(body)) => Ok(body),
            Ok(Err(d)) => Err((d, Vec::new())),
            Err(payload) => Err(panic_diagnostic(payload.as_ref())),
        };
        // stdout is line-buffered: push out a partial last line so it is logged with this invocation.
        let _ = std::io::stdout().flush();

        let id = &ctx.request_id;
        let sent = match outcome {
            Ok(body) => client.request(
                "POST",
                &format!("{}/invocation/{}/response", API, id),
                &[("Content-Type", "application/json")],
                &body,
            ),
            Err((d, trace)) => {
                eprintln!("[ERROR] {}: {}", d.error_type, d.error_message);
                client.request(
                    "POST",
                    &format!("{}/invocation/{}/error", API, id),
                    &[
                        ("Lambda-Runtime-Function-Error-Type", d.error_type.as_str()),
                        ("Content-Type", "application/json"),
                    ],
                    d.to_json(trace).as_bytes(),
                )
            }
        };
        match sent {
            Ok(r) if r.status / 100 == 2 => {}
            // E.g. 413 for a response over the payload limit: Lambda fails the invocation itself.
            Ok(r) => eprintln!(
                "vajra_lambda: the Runtime API refused the result of {} (status {}): {}",
                id,
                r.status,
                String::from_utf8_lossy(&r.body)
            ),
            Err(e) => fatal("could not send the result to the Runtime API", &e),
        }
    }
}

/// Serves invocations with a JSON handler, forever. The event is parsed into a [`Value`] (an empty
/// payload becomes `Null`); the handler's `Ok` value is serialised as the response. An `Err` is
/// reported with its `Display` text as errorMessage and its type name (module path dropped, e.g.
/// `String`, `MyError`) as errorType, or the type and message of a [`Diagnostic`].
pub fn run<F, R, E>(mut handler: F) -> !
where
    F: FnMut(Value, &Context) -> Result<R, E>,
    R: Into<Value>,
    E: Display + 'static,
{
    serve(|body, ctx| {
        let text = std::str::from_utf8(body)
            .map_err(|e| Diagnostic::new("Runtime.UnmarshalError", format!("the event is not UTF-8: {}", e)))?;
        let event = if text.trim().is_empty() {
            Value::Null
        } else {
            json::parse(text)
                .map_err(|e| Diagnostic::new("Runtime.UnmarshalError", format!("the event is not JSON: {}", e)))?
        };
        match handler(event, ctx) {
            Ok(v) => Ok(v.into().to_string().into_bytes()),
            Err(e) => Err(diagnose(&e)),
        }
    })
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
        let d = Diagnostic::new("T", "m \"q\"");
        assert_eq!(
            d.to_json(vec!["a:1:2".into()]),
            r#"{"errorMessage":"m \"q\"","errorType":"T","stackTrace":["a:1:2"]}"#
        );
    }

    #[test]
    fn panics_are_described() {
        let (d, _) = panic_diagnostic(&"boom");
        assert_eq!(d, Diagnostic::new("Runtime.Panic", "Lambda panicked: boom"));
        let (d, _) = panic_diagnostic(&String::from("x"));
        assert_eq!(d.error_message, "Lambda panicked: x");
        let (d, _) = panic_diagnostic(&42);
        assert_eq!(d.error_message, "Lambda panicked");
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
