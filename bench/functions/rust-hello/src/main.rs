//! The benchmark's Rust hello: the least a function can do, so the platform's cost is what is measured.
use vajra_lambda::{json, Context, Error, Value};

fn handler(event: Value, _ctx: &Context) -> Result<Value, Error> {
    let name = event["name"].as_str().unwrap_or("world");
    Ok(json!({ "hello": name }))
}

fn main() {
    vajra_lambda::run(handler)
}
