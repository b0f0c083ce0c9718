//! `authorize` (the card's online authorisation) and `result` (how the sale ended).

use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use tillkit_core::emv::AuthorizationData;

use super::auth::{internal, Caller, DeviceError};
use super::fields;
use crate::ledger::{AuthorizeDecision, CardRead, ChannelRefusal, ResultDecision};

/// How a card was read (`entryMode` of a result).
const ENTRY_MODES: [&str; 3] = ["contactless", "chip", "swipe"];
use crate::state::AppState;

/// Every result a terminal may report.
const RESULTS: [&str; 7] = [
    "approved",
    "approved_offline",
    "declined",
    "cancelled_at_terminal",
    "cancelled_by_cashier",
    "timed_out",
    "failed",
];

/// Issuer data for the card: authorisation response code 8A, "00" approved, "05" declined.
const ISSUER_APPROVED: &str = "8a023030";
const ISSUER_DECLINED: &str = "8a023035";

pub(crate) fn refusal(r: ChannelRefusal) -> DeviceError {
    let conflict = |code, message: &str| DeviceError::new(StatusCode::CONFLICT, code, message);
    match r {
        ChannelRefusal::UnknownTransaction => DeviceError::new(
            StatusCode::NOT_FOUND,
            "unknown_transaction",
            "no card sale with this transactionId was routed to this terminal",
        ),
        ChannelRefusal::NotAcknowledged => {
            conflict("not_acknowledged", "the sale's message was not acknowledged")
        }
        ChannelRefusal::Ended { recorded } => {
            conflict("ended", &format!("the sale already ended: {recorded}"))
                .with("recorded", json!(recorded))
        }
        ChannelRefusal::AmountMismatch => conflict(
            "amount_mismatch",
            "field emv: the amount (9F02) or currency (5F2A) is not the sale's",
        )
        .with("field", json!("emv")),
        ChannelRefusal::NotAuthorized => {
            conflict("not_authorized", "approved without an approving authorize")
        }
        ChannelRefusal::NotForwarded => {
            conflict("not_forwarded", "approved_offline before the offline approval was forwarded")
        }
        ChannelRefusal::Conflict { recorded } => {
            conflict("conflict", &format!("another result is recorded: {recorded}"))
                .with("recorded", json!(recorded))
        }
    }
}

/// Decides the card's online authorisation. The EMV data is parsed once, here, masked on parse;
/// only the masked PAN goes further.
pub(crate) fn authorize(
    app: &AppState,
    caller: &Caller,
    body: &Map<String, Value>,
) -> Result<Value, DeviceError> {
    let transaction_id = fields::text(body, "transactionId", 64)?;
    let emv = fields::hex_bytes(body, "emv", 4096)?;
    let data = AuthorizationData::from_tlv(&emv).map_err(|e| DeviceError::field("emv", e))?;
    let decision = app
        .ledger
        .authorize(
            &caller.terminal,
            &transaction_id,
            data.amount,
            data.currency.code(),
            &data.masked_pan,
        )
        .map_err(internal)?;
    match decision {
        AuthorizeDecision::Approved { auth_code } => {
            Ok(json!({"approved": true, "authCode": auth_code, "issuerTlv": ISSUER_APPROVED}))
        }
        AuthorizeDecision::Declined => {
            Ok(json!({"approved": false, "authCode": null, "issuerTlv": ISSUER_DECLINED}))
        }
        AuthorizeDecision::Refused(r) => Err(refusal(r)),
    }
}

/// Records how a sale ended at the terminal.
pub(crate) fn result(
    app: &AppState,
    caller: &Caller,
    body: &Map<String, Value>,
) -> Result<Value, DeviceError> {
    let transaction_id = fields::text(body, "transactionId", 64)?;
    let result = fields::one_of(body, "result", &RESULTS)?;
    let auth_code = fields::optional_text(body, "authCode", 12)?;
    if auth_code.as_deref().is_some_and(|c| !c.chars().all(|c| c.is_ascii_alphanumeric())) {
        return Err(DeviceError::field("authCode", "must be letters and digits"));
    }
    fields::optional_text(body, "offlineId", 64)?;
    let reason = fields::optional_text(body, "reason", 255)?;
    let masked_pan = fields::masked_pan(body, "maskedPan", false)?;
    let read = CardRead {
        masked_pan,
        aid: match fields::optional_text(body, "aid", 32)? {
            None => None,
            Some(_) => {
                let aid = fields::hex_bytes(body, "aid", 16)?;
                if !(5..=16).contains(&aid.len()) {
                    return Err(DeviceError::field("aid", "must be 5 to 16 bytes"));
                }
                Some(hex::encode_upper(aid))
            }
        },
        label: fields::optional_text(body, "applicationLabel", 16)?,
        entry_mode: match body.get("entryMode") {
            None | Some(Value::Null) => None,
            Some(_) => Some(fields::one_of(body, "entryMode", &ENTRY_MODES)?.to_string()),
        },
    };
    if read.label.as_deref().is_some_and(|l| !l.chars().all(|c| c.is_ascii_graphic() || c == ' ')) {
        return Err(DeviceError::field("applicationLabel", "must be printable ASCII"));
    }
    let decision = app
        .ledger
        .record_result(&caller.terminal, &transaction_id, result, &read, reason.as_deref())
        .map_err(internal)?;
    match decision {
        ResultDecision::Recorded => Ok(json!({"status": "recorded"})),
        ResultDecision::AlreadyRecorded => Ok(json!({"status": "already_recorded"})),
        ResultDecision::Refused(r) => Err(refusal(r)),
    }
}
