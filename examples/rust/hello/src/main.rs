//! A greeting function for Vajra's Rust runtime (provided.al2023).
//!
//! Event: {"name": "Ada"}, or {"fail": true} to return an error, or {"panic": true} to panic.
use vajra_lambda::{json, Context, Diagnostic, Error, Value};

fn handler(event: Value, ctx: &Context) -> Result<Value, Error> {
    let name = event["name"].as_str().unwrap_or("world");
    // stdout and stderr go to the function's log.
    println!("greeting {} (request {})", name, ctx.request_id);

    if event["fail"] == true {
        return Err(Diagnostic::new("GreetingError", format!("refusing to greet {}", name)).into());
    }
    if event["panic"] == true {
        panic!("asked to panic while greeting {}", name);
    }

    Ok(json!({
        "message": (format!("Hello, {}!", name)),
        "function": (ctx.function_name.as_str()),
        "version": (ctx.function_version.as_str()),
        "memoryMb": (ctx.memory_limit_in_mb),
        "requestId": (ctx.request_id.as_str()),
        "remainingMs": (ctx.remaining_time_ms()),
        "arn": (ctx.invoked_function_arn.as_str()),
        "pid": (std::process::id()),
    }))
}

fn main() {
    vajra_lambda::run(handler)
}
