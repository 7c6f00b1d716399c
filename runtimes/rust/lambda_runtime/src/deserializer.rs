//! Parses the event's bytes into the handler's payload type; an event that does not fit becomes a
//! [`DeserializeError`], reported like AWS's crate does (its type name and a fixed context).

use std::fmt;

use serde::Deserialize;

use crate::diagnostic::type_name_of_val;
use crate::Diagnostic;

const ERROR_CONTEXT: &str = "failed to deserialize the incoming data into the function's payload type";

/// The event did not fit the handler's payload type.
#[derive(Debug)]
pub(crate) struct DeserializeError {
    inner: serde_json::Error,
}

impl fmt::Display for DeserializeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", ERROR_CONTEXT, self.inner)
    }
}

impl std::error::Error for DeserializeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner)
    }
}

impl From<DeserializeError> for Diagnostic {
    fn from(value: DeserializeError) -> Self {
        Diagnostic { error_type: type_name_of_val(&value), error_message: value.to_string() }
    }
}

/// Parses the event's bytes into the handler's payload type.
pub(crate) fn deserialize<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, DeserializeError> {
    serde_json::from_slice(body).map_err(|inner| DeserializeError { inner })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_that_do_not_fit_are_deserialize_errors() {
        #[derive(Deserialize, Debug)]
        struct Req {
            #[allow(dead_code)]
            name: String,
        }
        assert!(deserialize::<Req>(br#"{"name":"x"}"#).is_ok());
        let d = Diagnostic::from(deserialize::<Req>(br#"{"nom":1}"#).unwrap_err());
        assert_eq!(d.error_type, "&lambda_runtime::deserializer::DeserializeError");
        assert!(d.error_message.starts_with(ERROR_CONTEXT), "{}", d.error_message);
        assert!(d.error_message.contains("missing field `name`"), "{}", d.error_message);
    }

    #[test]
    fn an_empty_event_is_not_json() {
        assert!(deserialize::<serde_json::Value>(b"").is_err());
        assert_eq!(deserialize::<serde_json::Value>(b"{}").unwrap(), serde_json::json!({}));
    }
}
