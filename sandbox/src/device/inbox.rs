//! `inbox` (the long-poll, also the terminal's heartbeat), `ack` and `progress`.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::auth::{internal, Caller, DeviceError};
use super::fields;
use crate::ledger::{AckOutcome, InboxEntry};
use crate::state::AppState;

/// Longest wait a poll may ask for, in milliseconds.
const MAX_WAIT_MS: i64 = 30_000;

fn message(e: &InboxEntry) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(format!("m-{}", e.seq)));
    m.insert("seq".into(), json!(e.seq));
    m.insert("kind".into(), json!(e.kind));
    m.insert("transactionId".into(), json!(e.transaction_id));
    if let Some(amount) = &e.amount {
        m.insert("amount".into(), json!(amount));
    }
    if let Some(currency) = &e.currency {
        m.insert("currency".into(), json!(currency));
    }
    if let Some(deadline) = e.deadline_ms {
        m.insert("deadlineMs".into(), json!(deadline));
    }
    Value::Object(m)
}

/// Answers with the terminal's unacknowledged messages as soon as there are any, or after
/// `waitMs` with none. The terminal counts as reachable for as long as the poll waits.
pub(crate) async fn inbox(
    app: &AppState,
    caller: &Caller,
    body: &Map<String, Value>,
) -> Result<Value, DeviceError> {
    let wait_ms = fields::integer(body, "waitMs", 0..=MAX_WAIT_MS)?.unwrap_or(0);
    let key_id = &caller.key.key_id;
    let started = app.clock.now_ms();
    app.ledger.poll_seen(key_id, Some(started.saturating_add(wait_ms))).map_err(internal)?;
    // Subscribed before the first look, so that a message queued in between still wakes us.
    let mut bell = app.ledger.inbox_bell();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(wait_ms.unsigned_abs());
    let entries = loop {
        bell.mark_unchanged();
        let entries = app.ledger.inbox(&caller.terminal).map_err(internal)?;
        if !entries.is_empty() || tokio::time::Instant::now() >= deadline {
            break entries;
        }
        // A closed bell (the ledger is gone) or the deadline both end the wait.
        match tokio::time::timeout_at(deadline, bell.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => {
                break app.ledger.inbox(&caller.terminal).map_err(internal)?;
            }
        }
    };
    app.ledger.poll_seen(key_id, None).map_err(internal)?;
    Ok(json!({"messages": entries.iter().map(message).collect::<Vec<_>>()}))
}

/// `{"id": "m-17"}`: the terminal has the message and will report an end for it.
pub(crate) fn ack(
    app: &AppState,
    caller: &Caller,
    body: &Map<String, Value>,
) -> Result<Value, DeviceError> {
    let id = fields::text(body, "id", 32)?;
    let seq = id
        .strip_prefix("m-")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or_else(|| DeviceError::field("id", "must be a message id (m-N)"))?;
    match app.ledger.ack(&caller.terminal, seq).map_err(internal)? {
        AckOutcome::Acknowledged => Ok(json!({"ok": true})),
        AckOutcome::Ended { recorded } => Err(DeviceError::new(
            StatusCode::CONFLICT,
            "ended",
            format!("the transaction of message {id} already ended: {recorded}"),
        )
        .with("recorded", json!(recorded))),
        AckOutcome::UnknownMessage => Err(DeviceError::new(
            StatusCode::NOT_FOUND,
            "unknown_message",
            format!("no message {id} for this terminal"),
        )),
    }
}

/// A step of a running transaction: best effort, validated and logged.
pub(crate) fn progress(
    _app: &AppState,
    caller: &Caller,
    body: &Map<String, Value>,
) -> Result<Value, DeviceError> {
    let transaction_id = fields::text(body, "transactionId", 64)?;
    let step =
        fields::one_of(body, "step", &["waiting_for_card", "reading", "pin", "authorizing"])?;
    log::debug!("terminal {}: {transaction_id} {step}", caller.terminal.device_sn);
    Ok(json!({"ok": true}))
}
