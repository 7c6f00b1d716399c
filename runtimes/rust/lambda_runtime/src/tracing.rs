//! `lambda_runtime::tracing`: the `tracing` crate re-exported, plus `init_default_subscriber()`.
//! AWS's version installs tracing-subscriber's formatter, which Debian does not package; this one is
//! a small subscriber of its own with the same settings: level from `AWS_LAMBDA_LOG_LEVEL` or
//! `RUST_LOG` (default INFO), JSON lines when `AWS_LAMBDA_LOG_FORMAT` is `json`, text otherwise,
//! no timestamps (the log service adds them), written to stdout.

use std::env;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

pub use ::tracing::*;

use ::tracing::field::{Field, Visit};
use ::tracing::level_filters::LevelFilter;

const DEFAULT_LOG_LEVEL: &str = "INFO";

/// Installs the subscriber as the global default; a second call (or another subscriber already
/// installed) leaves the first in place.
pub fn init_default_subscriber() {
    let json = env::var("AWS_LAMBDA_LOG_FORMAT").map(|f| f.eq_ignore_ascii_case("json")).unwrap_or(false);
    let level = env::var("AWS_LAMBDA_LOG_LEVEL").or_else(|_| env::var("RUST_LOG")).ok();
    let _ = ::tracing::subscriber::set_global_default(LineSubscriber::new(level.as_deref(), json));
}

/// Parses a level (`info`, `DEBUG`, `off`, ...); anything else (e.g. a RUST_LOG directive list)
/// keeps the default.
fn level_filter(level: Option<&str>) -> LevelFilter {
    LevelFilter::from_str(level.unwrap_or(DEFAULT_LOG_LEVEL).trim()).unwrap_or(LevelFilter::INFO)
}

/// Writes each event as one line: `LEVEL message key=value ...`, or a JSON object.
pub(crate) struct LineSubscriber {
    max: LevelFilter,
    json: bool,
    next_span: AtomicU64,
}

impl LineSubscriber {
    pub(crate) fn new(level: Option<&str>, json: bool) -> LineSubscriber {
        LineSubscriber { max: level_filter(level), json, next_span: AtomicU64::new(1) }
    }

    pub(crate) fn format(&self, level: &Level, target: &str, fields: &[(String, serde_json::Value)]) -> String {
        if self.json {
            let mut map = serde_json::Map::new();
            for (k, v) in fields {
                map.insert(k.clone(), v.clone());
            }
            serde_json::json!({ "level": level.as_str(), "fields": map, "target": target }).to_string()
        } else {
            let mut line = format!("{:>5}", level.as_str());
            for (k, v) in fields {
                let text = match v {
                    serde_json::Value::String(s) if k == "message" => s.clone(),
                    v => format!("{}={}", k, v),
                };
                line.push(' ');
                line.push_str(&text);
            }
            line
        }
    }
}

/// Collects an event's fields in order, the message first.
#[derive(Default)]
struct Fields(Vec<(String, serde_json::Value)>);

impl Fields {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        let entry = (field.name().to_string(), value);
        if field.name() == "message" {
            self.0.insert(0, entry);
        } else {
            self.0.push(entry);
        }
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{:?}", value);
        self.put(field, s.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
}

impl Subscriber for LineSubscriber {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= &self.max
    }
    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.max)
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        let mut line = self.format(meta.level(), meta.target(), &fields.0);
        line.push('\n');
        // One write per line, so lines from concurrent tasks do not interleave.
        let _ = std::io::stdout().lock().write_all(line.as_bytes());
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_come_from_the_environment_value() {
        assert_eq!(level_filter(None), LevelFilter::INFO);
        assert_eq!(level_filter(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level_filter(Some("ERROR")), LevelFilter::ERROR);
        assert_eq!(level_filter(Some("off")), LevelFilter::OFF);
        assert_eq!(level_filter(Some("my_fn=trace,info")), LevelFilter::INFO);
    }

    #[test]
    fn lines_are_text_or_json() {
        let fields = vec![("message".to_string(), json!("hello")), ("n".to_string(), json!(3))];
        let text = LineSubscriber::new(None, false);
        assert_eq!(text.format(&Level::INFO, "f", &fields), " INFO hello n=3");
        let js = LineSubscriber::new(None, true);
        let line: serde_json::Value = serde_json::from_str(&js.format(&Level::WARN, "f", &fields)).unwrap();
        assert_eq!(line, json!({ "level": "WARN", "fields": { "message": "hello", "n": 3 }, "target": "f" }));
    }

    #[test]
    fn events_are_filtered_by_level() {
        let s = LineSubscriber::new(Some("warn"), false);
        ::tracing::subscriber::with_default(s, || {
            assert!(!::tracing::enabled!(Level::INFO));
            assert!(::tracing::enabled!(Level::ERROR));
            info!(n = 1, "dropped");
        });
    }
}
