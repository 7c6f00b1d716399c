//! How a handler's error becomes Lambda's error body. Like AWS's crate, the errorType of a converted
//! error is the Rust type name of what was converted (for the usual `Error` box:
//! `&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>`); a
//! function that wants its own type builds a [`Diagnostic`] (`impl From<MyError> for Diagnostic`).

use std::any::type_name;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The errorType and errorMessage Lambda reports for a failed invocation. Serialises to the error
/// body: `{"errorType":"...","errorMessage":"..."}`.
#[derive(Debug, Eq, PartialEq, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub error_type: String,
    pub error_message: String,
}

pub(crate) fn type_name_of_val<T>(_: T) -> String {
    type_name::<T>().into()
}

/// `From` impls that keep the converted value's type name as errorType.
macro_rules! diagnostic_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Diagnostic {
            fn from(value: $t) -> Self {
                Diagnostic { error_type: type_name_of_val(&value), error_message: value.to_string() }
            }
        }
    )*};
}

diagnostic_from!(Error, Box<dyn std::error::Error>, String, &'static str, std::io::Error, std::convert::Infallible);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_name_the_converted_type() {
        let boxed: Error = "bad input".into();
        let d = Diagnostic::from(boxed);
        assert_eq!(d.error_type, type_name::<&Error>());
        assert!(d.error_type.starts_with("&alloc::boxed::Box<dyn "), "{}", d.error_type);
        assert_eq!(d.error_message, "bad input");
        assert_eq!(Diagnostic::from(String::from("s")).error_type, "&alloc::string::String");
        assert_eq!(Diagnostic::from("s").error_type, "&&str");
        let io = std::io::Error::new(std::io::ErrorKind::Other, "disk");
        assert_eq!(Diagnostic::from(io).error_type, "&std::io::error::Error");
    }

    #[test]
    fn body_shape() {
        let d = Diagnostic { error_type: "InvalidEventDataError".into(), error_message: "m \"q\"".into() };
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"errorType":"InvalidEventDataError","errorMessage":"m \"q\""}"#
        );
    }
}
