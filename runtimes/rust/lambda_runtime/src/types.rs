//! What a handler receives: the event with its [`Context`] (request id, deadline, ARN, trace id,
//! client context, Cognito identity and the function's settings), with AWS's field names and types.

use std::collections::HashMap;
use std::env;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::Error;

/// The function's settings, read once from the environment Lambda sets.
#[derive(Debug, Default, Clone, Eq, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub function_name: String,
    /// Memory in MB (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`).
    pub memory: i32,
    pub version: String,
    pub log_stream: String,
    pub log_group: String,
}

impl Config {
    /// Reads `AWS_LAMBDA_FUNCTION_NAME`, `_MEMORY_SIZE`, `_VERSION` and the log group and stream.
    /// Missing values become empty (memory 128, version `$LATEST`) instead of a panic, so the
    /// binary also starts under a bare Runtime API emulator.
    pub fn from_env() -> Self {
        let var = |k: &str| env::var(k).unwrap_or_default();
        Config {
            function_name: var("AWS_LAMBDA_FUNCTION_NAME"),
            memory: var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").parse().unwrap_or(128),
            version: env::var("AWS_LAMBDA_FUNCTION_VERSION").unwrap_or_else(|_| "$LATEST".into()),
            log_stream: var("AWS_LAMBDA_LOG_STREAM_NAME"),
            log_group: var("AWS_LAMBDA_LOG_GROUP_NAME"),
        }
    }
}

/// The mobile client context a caller may send (`ClientContext` of Invoke).
#[derive(Serialize, Deserialize, Clone, Debug, Eq, PartialEq)]
pub struct ClientContext {
    #[serde(default)]
    pub client: ClientApplication,
    #[serde(default)]
    pub custom: HashMap<String, String>,
    #[serde(default)]
    pub environment: HashMap<String, String>,
}

/// The calling application, inside [`ClientContext`].
#[derive(Serialize, Deserialize, Default, Clone, Debug, Eq, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ClientApplication {
    #[serde(alias = "installation_id", default)]
    pub installation_id: String,
    #[serde(alias = "app_title", default)]
    pub app_title: String,
    #[serde(alias = "app_version_name", default)]
    pub app_version_name: String,
    #[serde(alias = "app_version_code", default)]
    pub app_version_code: String,
    #[serde(alias = "app_package_name", default)]
    pub app_package_name: String,
}

/// The Cognito identity behind a call from the AWS Mobile SDK.
#[derive(Serialize, Deserialize, Clone, Debug, Eq, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CognitoIdentity {
    #[serde(alias = "cognitoIdentityId", alias = "identity_id")]
    pub identity_id: String,
    #[serde(alias = "cognitoIdentityPoolId", alias = "identity_pool_id")]
    pub identity_pool_id: String,
}

/// What Lambda tells about one invocation.
#[non_exhaustive]
#[derive(Clone, Debug, Deserialize, Eq, PartialEq, Serialize)]
pub struct Context {
    /// The invocation's id (`Lambda-Runtime-Aws-Request-Id`).
    pub request_id: String,
    /// When the invocation times out, in milliseconds since the Unix epoch.
    pub deadline: u64,
    /// The ARN the caller invoked, with the version or alias if one was named.
    pub invoked_function_arn: String,
    /// The X-Ray trace header; also exported as `_X_AMZN_TRACE_ID` while the handler runs.
    pub xray_trace_id: Option<String>,
    pub client_context: Option<ClientContext>,
    pub identity: Option<CognitoIdentity>,
    /// The function's settings (name, memory, version, log group and stream).
    pub env_config: Arc<Config>,
}

impl Default for Context {
    fn default() -> Context {
        Context {
            request_id: String::new(),
            deadline: 0,
            invoked_function_arn: String::new(),
            xray_trace_id: None,
            client_context: None,
            identity: None,
            env_config: Arc::new(Config::default()),
        }
    }
}

impl Context {
    /// The context of one invocation from the Runtime API's headers (`header` looks one up by its
    /// lower-case name).
    pub(crate) fn from_headers<'a>(
        request_id: &str,
        env_config: Arc<Config>,
        header: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Context, Error> {
        let client_context = match header("lambda-runtime-client-context") {
            Some(v) => serde_json::from_str(v)?,
            None => None,
        };
        let identity = match header("lambda-runtime-cognito-identity") {
            Some(v) => serde_json::from_str(v)?,
            None => None,
        };
        let deadline = match header("lambda-runtime-deadline-ms") {
            Some(v) => v.parse::<u64>().map_err(|e| format!("bad Lambda-Runtime-Deadline-Ms header {:?}: {}", v, e))?,
            None => return Err("missing lambda-runtime-deadline-ms header".into()),
        };
        Ok(Context {
            request_id: request_id.to_owned(),
            deadline,
            invoked_function_arn: header("lambda-runtime-invoked-function-arn")
                .unwrap_or("No header lambda-runtime-invoked-function-arn found.")
                .to_owned(),
            xray_trace_id: header("lambda-runtime-trace-id").map(str::to_owned),
            client_context,
            identity,
            env_config,
        })
    }

    /// The deadline as a point in time.
    pub fn deadline(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(self.deadline)
    }
}

/// An event with its context: what a handler made with [`crate::service_fn`] receives.
#[derive(Clone, Debug)]
pub struct LambdaEvent<T> {
    pub payload: T,
    pub context: Context,
}

impl<T> LambdaEvent<T> {
    pub fn new(payload: T, context: Context) -> Self {
        LambdaEvent { payload, context }
    }

    /// Splits the event into its payload and context: `let (payload, context) = event.into_parts();`.
    pub fn into_parts(self) -> (T, Context) {
        (self.payload, self.context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<&'static str> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
    }

    #[test]
    fn context_from_headers() {
        let cfg = Arc::new(Config { function_name: "f".into(), ..Config::default() });
        let ctx = Context::from_headers(
            "id-1",
            cfg,
            headers(&[
                ("lambda-runtime-deadline-ms", "1700000000123"),
                ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:1:function:f"),
                ("lambda-runtime-trace-id", "Root=1-abc"),
                (
                    "lambda-runtime-client-context",
                    r#"{"client":{"installationId":"i","app_title":"t"},"custom":{"k":"v"}}"#,
                ),
                ("lambda-runtime-cognito-identity", r#"{"cognitoIdentityId":"u","cognitoIdentityPoolId":"p"}"#),
            ]),
        )
        .unwrap();
        assert_eq!(ctx.request_id, "id-1");
        assert_eq!(ctx.deadline, 1_700_000_000_123);
        assert_eq!(ctx.deadline(), SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123));
        assert_eq!(ctx.xray_trace_id.as_deref(), Some("Root=1-abc"));
        let cc = ctx.client_context.unwrap();
        assert_eq!((cc.client.installation_id.as_str(), cc.client.app_title.as_str()), ("i", "t"));
        assert_eq!(cc.custom.get("k").map(String::as_str), Some("v"));
        assert_eq!(ctx.identity.unwrap().identity_pool_id, "p");
        assert_eq!(ctx.env_config.function_name, "f");
    }

    #[test]
    fn context_needs_a_deadline_and_tolerates_missing_optional_headers() {
        let cfg = Arc::new(Config::default());
        assert!(Context::from_headers("id", cfg.clone(), headers(&[])).is_err());
        assert!(Context::from_headers("id", cfg.clone(), headers(&[("lambda-runtime-deadline-ms", "x")])).is_err());
        let ctx = Context::from_headers("id", cfg, headers(&[("lambda-runtime-deadline-ms", "5")])).unwrap();
        assert_eq!((ctx.xray_trace_id, ctx.client_context, ctx.identity), (None, None, None));
    }

    #[test]
    fn event_into_parts() {
        let (p, c) = LambdaEvent::new(7, Context::default()).into_parts();
        assert_eq!((p, c.request_id.as_str()), (7, ""));
    }
}
