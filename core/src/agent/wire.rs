//! The JSON bodies of the HTTP device channel (docs/terminal-channel.md, "Endpoints"): what the
//! agent sends, and the strict reading of what it gets back. A missing, mistyped or malformed
//! field is a [`ChannelError::BadAnswer`] naming it. Fields this version does not know are
//! ignored, so that the acquirer can add some.

use serde_json::{json, Map, Value};

use super::channel::{ChannelError, ForwardAck, InboxKind, InboxMessage, OfflineApproval};
use super::channel::{ResultAck, ResultReport, TerminalProgress, TerminalResult};
use crate::money::Amount;
use crate::reader::OnlineResponse;

fn bad(field: &str, why: impl std::fmt::Display) -> ChannelError {
    ChannelError::BadAnswer(format!("{field}: {why}"))
}

fn object<'a>(value: &'a Value, field: &str) -> Result<&'a Map<String, Value>, ChannelError> {
    value.as_object().ok_or_else(|| bad(field, "not a JSON object"))
}

/// Parses an answer body as a JSON object.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ChannelError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| bad("body", e))?;
    object(&value, "body")?;
    Ok(value)
}

fn text<'a>(o: &'a Map<String, Value>, at: &str, key: &str) -> Result<&'a str, ChannelError> {
    match o.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(bad(&format!("{at}{key}"), "not a string")),
        None => Err(bad(&format!("{at}{key}"), "missing")),
    }
}

fn opt_text<'a>(
    o: &'a Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<Option<&'a str>, ChannelError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(&format!("{at}{key}"), "not a string")),
    }
}

fn non_empty<'a>(o: &'a Map<String, Value>, at: &str, key: &str) -> Result<&'a str, ChannelError> {
    let s = text(o, at, key)?;
    if s.is_empty() || s.len() > 128 || s.chars().any(char::is_control) {
        return Err(bad(
            &format!("{at}{key}"),
            "empty, longer than 128 or with control characters",
        ));
    }
    Ok(s)
}

/// `{"waitMs": …}`.
pub(crate) fn inbox_request(wait_ms: u64) -> Value {
    json!({ "waitMs": wait_ms.min(30_000) })
}

/// Reads `{"messages": [...]}`. A message this version cannot read (an unknown kind, a bad
/// amount) is skipped with a warning: it stays unacknowledged and the acquirer closes it, while
/// the others still run.
pub(crate) fn parse_inbox(body: &[u8]) -> Result<Vec<InboxMessage>, ChannelError> {
    let value = parse_body(body)?;
    let list = match value.get("messages") {
        Some(Value::Array(list)) => list,
        Some(_) => return Err(bad("messages", "not an array")),
        None => return Err(bad("messages", "missing")),
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        match parse_message(item, &format!("messages[{i}].")) {
            Ok(m) => out.push(m),
            Err(e) => log::warn!("inbox message skipped: {e}"),
        }
    }
    Ok(out)
}

fn parse_message(item: &Value, at: &str) -> Result<InboxMessage, ChannelError> {
    let o = object(item, at.trim_end_matches('.'))?;
    let id = non_empty(o, at, "id")?.to_string();
    let seq = o
        .get("seq")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad(&format!("{at}seq"), "not a u64"))?;
    let transaction_id = non_empty(o, at, "transactionId")?.to_string();
    let deadline_ms = match o.get("deadlineMs") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(v.as_i64().ok_or_else(|| bad(&format!("{at}deadlineMs"), "not an integer"))?)
        }
    };
    let amount = || -> Result<Amount, ChannelError> {
        let currency = text(o, at, "currency")?;
        let amount = text(o, at, "amount")?;
        Amount::parse(amount, currency).map_err(|e| bad(&format!("{at}amount"), e))
    };
    let kind = match text(o, at, "kind")? {
        "sale" => InboxKind::Sale { amount: amount()? },
        "refund" => InboxKind::Refund {
            amount: amount()?,
            original_transaction_id: non_empty(o, at, "originalTransactionId")?.to_string(),
        },
        "cancel" => InboxKind::Cancel,
        other => return Err(bad(&format!("{at}kind"), format!("unknown kind {other:?}"))),
    };
    Ok(InboxMessage { id, seq, transaction_id, kind, deadline_ms })
}

/// Reads `{"ok": true}`.
pub(crate) fn parse_ok(body: &[u8]) -> Result<(), ChannelError> {
    match parse_body(body)?.get("ok") {
        Some(Value::Bool(true)) => Ok(()),
        Some(_) => Err(bad("ok", "not true")),
        None => Err(bad("ok", "missing")),
    }
}

/// The wire name of a progress step.
pub(crate) fn step_name(step: TerminalProgress) -> &'static str {
    match step {
        TerminalProgress::WaitingForCard => "waiting_for_card",
        TerminalProgress::Reading => "reading",
        TerminalProgress::Pin => "pin",
        TerminalProgress::Authorizing => "authorizing",
    }
}

/// Reads `{"approved", "authCode", "issuerTlv"}`.
pub(crate) fn parse_authorize(body: &[u8]) -> Result<OnlineResponse, ChannelError> {
    let value = parse_body(body)?;
    let o = object(&value, "body")?;
    let approved = match o.get("approved") {
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("approved", "not a boolean")),
        None => return Err(bad("approved", "missing")),
    };
    let auth_code = opt_text(o, "", "authCode")?.map(str::to_string);
    let issuer_tlv = match opt_text(o, "", "issuerTlv")? {
        None => Vec::new(),
        Some(h) => hex::decode(h).map_err(|e| bad("issuerTlv", e))?,
    };
    Ok(OnlineResponse { approved, auth_code, issuer_tlv, unable_to_go_online: false })
}

/// `entryMode` of a result, as the acquirer reads it.
fn entry_name(e: crate::reader::EntryMode) -> &'static str {
    match e {
        crate::reader::EntryMode::Contactless => "contactless",
        crate::reader::EntryMode::Chip => "chip",
        crate::reader::EntryMode::Swipe => "swipe",
    }
}

/// The `result` request body.
pub(crate) fn result_request(report: &ResultReport) -> Value {
    let (auth_code, offline_id, reason) = match &report.result {
        TerminalResult::Approved { auth_code } => (auth_code.as_deref(), None, None),
        TerminalResult::ApprovedOffline { offline_id } => (None, Some(offline_id.as_str()), None),
        TerminalResult::Failed { reason } => (None, None, Some(reason.as_str())),
        _ => (None, None, None),
    };
    json!({
        "transactionId": report.transaction_id,
        "result": report.result.wire_name(),
        "authCode": auth_code,
        "offlineId": offline_id,
        "reason": reason.or(report.reason.as_deref()),
        "maskedPan": report.card.as_ref().map(|c| c.masked_pan.as_str()),
        "aid": report.card.as_ref().map(|c| c.aid.as_str()),
        "applicationLabel": report.card.as_ref().and_then(|c| c.label.as_deref()),
        "entryMode": report.card.as_ref().and_then(|c| c.entry).map(entry_name),
    })
}

/// Reads a `result` answer: 2xx `{"status"}`, or 409 `{"code": "conflict", "recorded"}`.
/// `None` when it is neither (the caller reads it as an error answer).
pub(crate) fn parse_result_ack(
    status: u16,
    body: &[u8],
) -> Option<Result<ResultAck, ChannelError>> {
    if status == 409 {
        let value = parse_body(body).ok()?;
        let o = value.as_object()?;
        if o.get("code").and_then(Value::as_str) != Some("conflict") {
            return None;
        }
        return Some(text(o, "", "recorded").map(|r| ResultAck::Conflict { recorded: r.into() }));
    }
    if !(200..300).contains(&status) {
        return None;
    }
    Some(parse_body(body).and_then(|value| match value.get("status").and_then(Value::as_str) {
        Some("recorded") => Ok(ResultAck::Recorded),
        Some("already_recorded") => Ok(ResultAck::AlreadyRecorded),
        Some(other) => Err(bad("status", format!("unknown status {other:?}"))),
        None => Err(bad("status", "missing or not a string")),
    }))
}

/// The `offline` request body.
pub(crate) fn offline_request(a: &OfflineApproval) -> Value {
    json!({
        "offlineId": a.offline_id,
        "transactionId": a.transaction_id,
        "amount": a.amount.to_major_string(),
        "currency": a.amount.currency().code(),
        "approvedAtMs": a.approved_at_ms,
        "maskedPan": a.card.masked_pan,
        "aid": a.card.aid,
        "clearingTlv": hex::encode(&a.clearing_tlv),
    })
}

/// Reads `{"status": "recorded" | "duplicate" | "refused", "reason"}`.
pub(crate) fn parse_forward_ack(body: &[u8]) -> Result<ForwardAck, ChannelError> {
    let value = parse_body(body)?;
    let o = object(&value, "body")?;
    match text(o, "", "status")? {
        "recorded" => Ok(ForwardAck::Recorded),
        "duplicate" => Ok(ForwardAck::Duplicate),
        "refused" => Ok(ForwardAck::Refused {
            reason: opt_text(o, "", "reason")?.unwrap_or("no reason given").to_string(),
        }),
        other => Err(bad("status", format!("unknown status {other:?}"))),
    }
}

/// An error answer `{"code", "message"}` as a refusal (4xx) or a retry later (5xx).
pub(crate) fn error_answer(status: u16, body: &[u8]) -> ChannelError {
    if status >= 500 {
        return ChannelError::Unreachable(format!("the acquirer answered HTTP {status}"));
    }
    let parsed = parse_body(body).ok();
    let field = |k: &str| {
        parsed.as_ref().and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_string)
    };
    match field("code") {
        Some(code) => ChannelError::Refused {
            code,
            message: field("message").unwrap_or_else(|| format!("HTTP {status}")),
        },
        None => bad("code", format!("HTTP {status} without an error code")),
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
