//! Checking a device request's headers and MAC, and signing every answer.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use tillkit_core::sign::device::{
    sign_answer, verify_request, DeviceKey, RequestHead, ISSUED_AT_HEADER, KEY_ID_HEADER,
    SEQ_HEADER, SIGNATURE_HEADER,
};

use super::{Body, BODY_LIMIT};
use crate::ledger::model::Terminal;
use crate::ledger::{LedgerError, SeqCheck};
use crate::state::AppState;

/// How far a request's `issuedAt` may be from the sandbox's clock (real time: clock skew).
const MAX_SKEW_MS: i64 = 5 * 60_000;

/// A refused device request: HTTP status and the JSON error `{"code", "message", ...}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeviceError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// More members of the error object (`field`, `recorded`).
    pub extra: Vec<(&'static str, Value)>,
}

impl DeviceError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        DeviceError { status, code, message: message.into(), extra: Vec::new() }
    }

    /// 400 `invalid`, naming the field.
    pub(crate) fn field(field: &str, problem: impl std::fmt::Display) -> Self {
        let mut e =
            Self::new(StatusCode::BAD_REQUEST, "invalid", format!("field {field}: {problem}"));
        e.extra.push(("field", json!(field)));
        e
    }

    pub(crate) fn with(mut self, key: &'static str, value: Value) -> Self {
        self.extra.push((key, value));
        self
    }

    fn body(&self) -> Value {
        let mut map = Map::new();
        map.insert("code".into(), json!(self.code));
        map.insert("message".into(), json!(self.message));
        for (k, v) in &self.extra {
            map.insert((*k).into(), v.clone());
        }
        Value::Object(map)
    }
}

pub(crate) fn internal(e: LedgerError) -> DeviceError {
    log::error!("sandbox device channel: {e}");
    DeviceError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "ledger error")
}

/// An authenticated caller: its key, its terminal and the request's sequence number.
#[derive(Debug)]
pub(crate) struct Caller {
    pub key: DeviceKey,
    pub terminal: Terminal,
    pub seq: u64,
}

fn signed(key: &DeviceKey, seq: u64, status: StatusCode, body: &Value) -> Response {
    let text = body.to_string();
    let sig = sign_answer(key, seq, status.as_u16(), text.as_bytes());
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(&sig) {
        headers.insert(HeaderName::from_static(SIGNATURE_HEADER), v);
    }
    response
}

impl Caller {
    /// A 200 answer.
    pub(crate) fn ok(&self, body: &Value) -> Response {
        signed(&self.key, self.seq, StatusCode::OK, body)
    }

    /// An error answer.
    pub(crate) fn error(&self, e: &DeviceError) -> Response {
        signed(&self.key, self.seq, e.status, &e.body())
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a request: key, body size, MAC, freshness, sequence; returns the caller and the body
/// as a JSON object, or the signed refusal. A refused request changes nothing.
pub(crate) fn check(
    app: &AppState,
    path: &'static str,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Caller, Map<String, Value>), Box<Response>> {
    let key_id = header_text(headers, KEY_ID_HEADER).filter(|k| k.len() <= 64).unwrap_or("");
    // Every answer is signed, refusals too; the key of any id can be derived, so even an
    // unknown key's refusal is signed with the key that id would have.
    let seq_text = header_text(headers, SEQ_HEADER);
    let seq = seq_text.and_then(|s| s.parse::<u64>().ok());
    let key = app.device_master.key(key_id);
    let refuse = |e: DeviceError| Box::new(signed(&key, seq.unwrap_or(0), e.status, &e.body()));
    let unauthorized = |code: &'static str, message: &str| {
        refuse(DeviceError::new(StatusCode::UNAUTHORIZED, code, message))
    };
    if key_id.is_empty() {
        return Err(unauthorized("unknown_key", "missing or too long x-tillkit-key-id"));
    }
    let row = app.ledger.device_key(key_id).map_err(|e| refuse(internal(e)))?;
    let Some(row) = row.filter(|r| !r.revoked) else {
        return Err(unauthorized("unknown_key", "unknown or revoked key"));
    };
    let Some(seq) = seq.filter(|s| i64::try_from(*s).is_ok()) else {
        return Err(refuse(DeviceError::field(SEQ_HEADER, "must be a decimal u64 below 2^63")));
    };
    let Some(issued_at_ms) = header_text(headers, ISSUED_AT_HEADER).and_then(|s| s.parse().ok())
    else {
        return Err(refuse(DeviceError::field(ISSUED_AT_HEADER, "must be Unix milliseconds")));
    };
    let Some(signature) = header_text(headers, SIGNATURE_HEADER) else {
        return Err(unauthorized("bad_signature", "missing x-tillkit-signature"));
    };
    let body = match body {
        Ok(b) if b.len() <= BODY_LIMIT => b,
        Ok(_) => return Err(refuse(too_large())),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(refuse(too_large())),
        Err(e) => {
            let e = DeviceError::new(StatusCode::BAD_REQUEST, "invalid", format!("body: {e}"));
            return Err(refuse(e));
        }
    };
    let head = RequestHead { method: "POST", path, seq, issued_at_ms };
    if verify_request(&key, &head, &body, signature).is_err() {
        return Err(unauthorized("bad_signature", "the request's signature does not verify"));
    }
    let now = app.clock.now_ms();
    if now.abs_diff(issued_at_ms) > MAX_SKEW_MS.unsigned_abs() {
        return Err(unauthorized("stale", "issuedAt is more than 5 minutes from the clock"));
    }
    let map = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        _ => {
            let e =
                DeviceError::new(StatusCode::BAD_REQUEST, "invalid", "body must be a JSON object");
            return Err(refuse(e));
        }
    };
    // Checked last among the refusals, so that a refused request does not use up its seq.
    let seq_i64 = i64::try_from(seq).unwrap_or(i64::MAX);
    match app.ledger.accept_seq(key_id, seq_i64).map_err(|e| refuse(internal(e)))? {
        SeqCheck::Accepted => {}
        SeqCheck::Replayed => {
            let e = DeviceError::new(
                StatusCode::CONFLICT,
                "replayed",
                "x-tillkit-seq is not above the last accepted one",
            );
            return Err(refuse(e));
        }
        SeqCheck::UnknownKey => return Err(unauthorized("unknown_key", "unknown or revoked key")),
    }
    Ok((Caller { key, terminal: row.terminal, seq }, map))
}

fn too_large() -> DeviceError {
    DeviceError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body is over 16 KB")
}
