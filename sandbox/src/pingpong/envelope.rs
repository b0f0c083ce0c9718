//! PingPong's JSON envelope: parsing and verifying requests, signing answers.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};
use tillkit_core::sign::pingpong::{sign_envelope, verify_envelope, SignType};
use tillkit_core::sign::SignError;

use crate::config::PingPongCredentials;
use crate::reply::{corrupt_signature, Reply};

/// A request-level error: answered with this code and description, and no `bizContent` but
/// for the terminal refusals (docs/terminal-channel.md, "The cashier's side").
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub code: &'static str,
    pub description: String,
    pub biz: Option<Value>,
}

impl ApiError {
    /// `102000`: a missing or invalid parameter; the description names the field.
    pub(crate) fn invalid(description: impl Into<String>) -> Self {
        ApiError { code: "102000", description: description.into(), biz: None }
    }

    pub(crate) fn new(code: &'static str, description: impl Into<String>) -> Self {
        ApiError { code, description: description.into(), biz: None }
    }

    /// The same error with a `bizContent`.
    pub(crate) fn with_biz(mut self, biz: Value) -> Self {
        self.biz = Some(biz);
        self
    }
}

/// A verified request: its digest type and its parsed `bizContent`.
#[derive(Debug)]
pub(crate) struct Verified {
    pub sign_type: SignType,
    pub biz: Map<String, Value>,
}

/// Envelope fields and their documented maximum lengths.
const ENVELOPE: [(&str, usize); 6] = [
    ("accId", 64),
    ("clientId", 64),
    ("signType", 32),
    ("sign", 128),
    ("version", 10),
    ("bizContent", usize::MAX),
];

/// Parses and verifies a request. On error, also returns the request's `signType` when it was
/// readable, so that the error answer is signed the way the client expects.
pub(crate) fn parse(
    creds: &PingPongCredentials,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Verified, (ApiError, SignType)> {
    let fallback = SignType::Sha256;
    let body = body.map_err(|e| (body_error(&e), fallback))?;
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim_start().to_ascii_lowercase().starts_with("application/json") {
        return Err((ApiError::invalid("Content-Type must be application/json"), fallback));
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| (ApiError::invalid(format!("body is not valid JSON: {e}")), fallback))?;
    let Value::Object(envelope) = value else {
        return Err((ApiError::invalid("body must be a JSON object"), fallback));
    };
    let sign_type = match envelope.get("signType") {
        Some(Value::String(s)) => SignType::parse(s).ok(),
        _ => None,
    };
    let st = sign_type.unwrap_or(fallback);
    for (field, max) in ENVELOPE {
        match envelope.get(field) {
            None | Some(Value::Null) => {
                return Err((ApiError::invalid(format!("missing field {field}")), st))
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                return Err((ApiError::invalid(format!("missing field {field}")), st))
            }
            Some(Value::String(s)) if s.chars().count() > max => {
                return Err((ApiError::invalid(format!("field {field} is longer than {max}")), st))
            }
            Some(Value::String(_)) => {}
            Some(_) => {
                return Err((ApiError::invalid(format!("field {field} must be a string")), st))
            }
        }
    }
    let Some(sign_type) = sign_type else {
        return Err((ApiError::invalid("field signType must be MD5 or SHA256"), st));
    };
    let text = |k: &str| envelope.get(k).and_then(Value::as_str).unwrap_or("");
    if text("accId") != creds.acc_id || text("clientId") != creds.client_id {
        return Err((ApiError::new("103000", "unknown accId or clientId"), st));
    }
    match verify_envelope(&creds.salt, &envelope) {
        Ok(()) => {}
        Err(SignError::NonStringField(k)) => {
            return Err((ApiError::invalid(format!("field {k} must be a string")), st))
        }
        Err(_) => return Err((ApiError::new("104000", "invalid signature"), st)),
    }
    let biz = match serde_json::from_str::<Value>(text("bizContent")) {
        Ok(Value::Object(biz)) => biz,
        Ok(_) => return Err((ApiError::invalid("bizContent must be a JSON object"), st)),
        Err(e) => {
            return Err((ApiError::invalid(format!("bizContent is not valid JSON: {e}")), st))
        }
    };
    Ok(Verified { sign_type, biz })
}

fn body_error(e: &BytesRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::invalid("request body is too large")
    } else {
        ApiError::invalid(format!("could not read the request body: {e}"))
    }
}

/// A signed answer: `accId`, `clientId`, `signType`, `code`, `description`, `bizContent` (when
/// given) and `sign` (spoiled when `corrupt`, for scenario 59).
pub(crate) fn answer(
    creds: &PingPongCredentials,
    sign_type: SignType,
    code: &str,
    description: &str,
    biz: Option<&Value>,
    corrupt: bool,
) -> Reply {
    let mut env = Map::new();
    env.insert("accId".into(), Value::String(creds.acc_id.clone()));
    env.insert("clientId".into(), Value::String(creds.client_id.clone()));
    env.insert("signType".into(), Value::String(sign_type.as_str().into()));
    env.insert("code".into(), Value::String(code.into()));
    env.insert("description".into(), Value::String(description.into()));
    if let Some(biz) = biz {
        env.insert("bizContent".into(), Value::String(biz.to_string()));
    }
    sign_and_serialize(creds, env, corrupt)
}

/// A request-shaped envelope (with `version`), as notifications are.
pub(crate) fn notification(creds: &PingPongCredentials, biz: &Value) -> String {
    let mut env = Map::new();
    env.insert("accId".into(), Value::String(creds.acc_id.clone()));
    env.insert("clientId".into(), Value::String(creds.client_id.clone()));
    env.insert("signType".into(), Value::String(SignType::Sha256.as_str().into()));
    env.insert("version".into(), Value::String("1.0".into()));
    env.insert("bizContent".into(), Value::String(biz.to_string()));
    sign_and_serialize(creds, env, false).body
}

pub(crate) fn error_answer(
    creds: &PingPongCredentials,
    sign_type: SignType,
    e: &ApiError,
) -> Reply {
    answer(creds, sign_type, e.code, &e.description, e.biz.as_ref(), false)
}

fn sign_and_serialize(
    creds: &PingPongCredentials,
    mut env: Map<String, Value>,
    corrupt: bool,
) -> Reply {
    // Every value is a string, so signing cannot fail; an empty sign would be caught by any
    // client anyway.
    let sign = sign_envelope(&creds.salt, &env).unwrap_or_default();
    let sign = if corrupt { corrupt_signature(&sign) } else { sign };
    env.insert("sign".into(), Value::String(sign));
    Reply::json(Value::Object(env).to_string())
}
