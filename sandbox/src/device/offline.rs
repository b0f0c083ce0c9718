//! `offline`: a card sale the card approved offline, forwarded once (idempotent by offlineId).

use serde_json::{json, Map, Value};
use tillkit_core::emv::{parse, Tag};
use tillkit_core::money::Amount;

use super::auth::{internal, Caller, DeviceError};
use super::fields;
use crate::ledger::{OfflineDecision, OfflineSale};
use crate::state::AppState;

/// Tags that must never reach the acquirer in clearing data: the PAN and the track data.
const FORBIDDEN_TAGS: [u32; 4] = [0x5A, 0x57, 0x56, 0x9F6B];

fn refused(reason: impl Into<String>) -> Value {
    json!({"status": "refused", "reason": reason.into()})
}

/// Why the clearing data cannot be accepted, if it cannot.
fn clearing_problem(tlv: &[u8]) -> Option<String> {
    let objects = match parse(tlv) {
        Ok(o) => o,
        Err(e) => return Some(format!("clearingTlv is not BER-TLV: {e}")),
    };
    FORBIDDEN_TAGS.iter().find_map(|&t| {
        let tag = Tag::new(t).ok()?;
        objects
            .iter()
            .any(|o| o.find(tag).is_some())
            .then(|| format!("clearingTlv holds card data (tag {t:X}): it must be removed"))
    })
}

/// Records an offline approval: settles the sale routed to this terminal, or records a new
/// payment (`flow = card_offline`).
pub(crate) fn offline(
    app: &AppState,
    caller: &Caller,
    body: &Map<String, Value>,
) -> Result<Value, DeviceError> {
    let offline_id = fields::text(body, "offlineId", 64)?;
    let transaction_id = fields::text(body, "transactionId", 64)?;
    let amount_text = fields::text(body, "amount", 20)?;
    let currency = fields::text(body, "currency", 3)?;
    let approved_at_ms = fields::integer(body, "approvedAtMs", 0..=i64::MAX)?
        .ok_or_else(|| DeviceError::field("approvedAtMs", "missing"))?;
    fields::masked_pan(body, "maskedPan", true)?;
    let aid = fields::hex_bytes(body, "aid", 16)?;
    if !(5..=16).contains(&aid.len()) {
        return Err(DeviceError::field("aid", "must be 5 to 16 bytes"));
    }
    let clearing = fields::hex_bytes(body, "clearingTlv", 4096)?;
    let amount = match Amount::parse(&amount_text, &currency) {
        Ok(a) if a.minor_units() > 0 => a,
        Ok(_) => return Ok(refused("amount must be above zero")),
        Err(e) => return Ok(refused(format!("amount or currency: {e}"))),
    };
    if let Some(problem) = clearing_problem(&clearing) {
        return Ok(refused(problem));
    }
    let sale = OfflineSale { offline_id, transaction_id, amount, approved_at_ms };
    match app.ledger.record_offline(&caller.terminal, &sale).map_err(internal)? {
        OfflineDecision::Recorded => Ok(json!({"status": "recorded", "reason": null})),
        OfflineDecision::Duplicate => Ok(json!({"status": "duplicate", "reason": null})),
        OfflineDecision::Refused(reason) => Ok(refused(reason)),
    }
}
