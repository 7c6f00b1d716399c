//! A greeting function for AWS Lambda's Rust runtime API, deployed on Vajra unchanged.
//!
//! Event: {"name": "Ada"}, or {"name": "Ada", "fail": true} to return an error, or
//! {"name": "Ada", "panic": true} to panic.
use lambda_runtime::{run, service_fn, tracing, Error, LambdaEvent};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Request {
    #[serde(default = "world")]
    name: String,
    #[serde(default)]
    fail: bool,
    #[serde(default)]
    panic: bool,
}

fn world() -> String {
    "world".into()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    message: String,
    function: String,
    version: String,
    memory_mb: i32,
    request_id: String,
    arn: String,
    pid: u32,
}

async fn function_handler(event: LambdaEvent<Request>) -> Result<Response, Error> {
    let (req, ctx) = event.into_parts();
    // tracing output (and anything printed) goes to the function's log.
    tracing::info!(request_id = ctx.request_id.as_str(), "greeting {}", req.name);

    if req.fail {
        return Err(format!("refusing to greet {}", req.name).into());
    }
    if req.panic {
        panic!("asked to panic while greeting {}", req.name);
    }

    Ok(Response {
        message: format!("Hello, {}!", req.name),
        function: ctx.env_config.function_name.clone(),
        version: ctx.env_config.version.clone(),
        memory_mb: ctx.env_config.memory,
        request_id: ctx.request_id,
        arn: ctx.invoked_function_arn,
        pid: std::process::id(),
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    run(service_fn(function_handler)).await
}
