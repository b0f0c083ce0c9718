//! Oceanpayment requests: form-urlencoded bodies, verified by `signValue`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap};
use tillkit_core::sign::oceanpayment::{verify, OceanMessage};

use crate::config::OceanpaymentCredentials;

/// A request-level error, rendered by each endpoint in its own answer shape as
/// `payment_details` / `refund_details` = `code:message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpError {
    pub code: u32,
    pub message: String,
}

impl OpError {
    pub(crate) fn new(code: u32, message: impl Into<String>) -> Self {
        OpError { code, message: message.into() }
    }

    /// `20002`: a missing or invalid parameter, named.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        OpError::new(20002, message)
    }

    /// The `code:message` text.
    pub(crate) fn details(&self) -> String {
        format!("{}:{}", self.code, self.message)
    }
}

/// A parsed form. Values are trimmed; a repeated key keeps its first value.
///
/// A body that cannot be parsed gives an empty form that remembers why: [`Form::verify`], which
/// every endpoint calls first, reports it, so the error is answered in the endpoint's own shape.
#[derive(Debug, Default)]
pub(crate) struct Form {
    values: HashMap<String, String>,
    error: Option<OpError>,
}

impl Form {
    /// Parses a body.
    pub(crate) fn parse(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Self {
        Self::try_parse(headers, body)
            .unwrap_or_else(|e| Form { values: HashMap::new(), error: Some(e) })
    }

    fn try_parse(
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
    ) -> Result<Self, OpError> {
        let body = body.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                OpError::invalid("request body is too large")
            } else {
                OpError::invalid(format!("could not read the request body: {e}"))
            }
        })?;
        let content_type =
            headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !content_type
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            return Err(OpError::invalid("Content-Type must be application/x-www-form-urlencoded"));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|e| OpError::invalid(format!("body is not a valid form: {e}")))?;
        let mut values = HashMap::new();
        for (k, v) in pairs {
            values.entry(k).or_insert_with(|| v.trim().to_string());
        }
        Ok(Form { values, error: None })
    }

    /// A value, or "" when absent.
    pub(crate) fn get(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }

    /// Checks the account and terminal, then the signature of `message`.
    pub(crate) fn verify(
        &self,
        creds: &OceanpaymentCredentials,
        message: OceanMessage,
    ) -> Result<(), OpError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        for key in ["account", "terminal", "signValue"] {
            if self.get(key).is_empty() {
                return Err(OpError::invalid(format!("missing parameter {key}")));
            }
        }
        if self.get("account") != creds.account || self.get("terminal") != creds.terminal {
            return Err(OpError::new(20003, "unknown account or terminal"));
        }
        verify(
            message,
            |k| self.values.get(k).map(String::as_str),
            &creds.secure_code,
            self.get("signValue"),
        )
        .map_err(|_| OpError::new(20001, "signValue error"))
    }

    /// A field that must be present, at most `max` characters, without control characters.
    pub(crate) fn required(&self, key: &str, max: usize) -> Result<&str, OpError> {
        match self.optional(key, max)? {
            Some(v) => Ok(v),
            None => Err(OpError::invalid(format!("missing parameter {key}"))),
        }
    }

    /// A field that may be absent or empty.
    pub(crate) fn optional(&self, key: &str, max: usize) -> Result<Option<&str>, OpError> {
        let v = self.get(key);
        if v.is_empty() {
            return Ok(None);
        }
        if v.chars().count() > max {
            return Err(OpError::invalid(format!("parameter {key} is longer than {max}")));
        }
        if v.chars().any(char::is_control) {
            return Err(OpError::invalid(format!("parameter {key} contains a control character")));
        }
        Ok(Some(v))
    }
}
