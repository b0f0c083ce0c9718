//! How values are written in the store's columns, and read back: amounts, times, reasons.

use super::error::StoreError;
use crate::money::{Amount, Currency};
use crate::order::{AttentionReason, Millis};

pub(super) fn bad(what: &'static str, reason: impl ToString) -> StoreError {
    StoreError::BadRow { what, reason: reason.to_string() }
}

pub(super) fn amount(value: String, currency: String) -> Result<Amount, StoreError> {
    let currency = Currency::from_code(&currency).map_err(|e| bad("currency", e))?;
    Amount::parse_acquirer(&value, currency).map_err(|e| bad("amount", e))
}

/// A stored attention reason; an unreadable one is a bad row, not a silent `None`.
pub(super) fn parse_reason(text: Option<String>) -> Result<Option<AttentionReason>, StoreError> {
    text.map(|t| AttentionReason::parse_db(&t).ok_or_else(|| bad("attention reason", &t)))
        .transpose()
}

/// A time or sequence number read from an INTEGER column (a negative one, which the store
/// never writes, reads as 0).
pub(crate) fn ms(v: i64) -> Millis {
    u64::try_from(v).unwrap_or(0)
}

/// A time or sequence number as an INTEGER column holds it (saturated at `i64::MAX`).
pub(crate) fn db_ms(v: Millis) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The stored name of a card entry mode.
pub(super) fn entry_str(e: crate::reader::EntryMode) -> &'static str {
    match e {
        crate::reader::EntryMode::Contactless => "contactless",
        crate::reader::EntryMode::Chip => "chip",
        crate::reader::EntryMode::Swipe => "swipe",
    }
}

/// A sale's stored card details; `None` when every column is empty.
pub(super) fn card_details(
    [auth_code, entry, aid, application_label]: [Option<String>; 4],
) -> Result<Option<Box<crate::acquirer::CardDetails>>, StoreError> {
    let entry_mode = match entry.as_deref() {
        None => None,
        Some("contactless") => Some(crate::reader::EntryMode::Contactless),
        Some("chip") => Some(crate::reader::EntryMode::Chip),
        Some("swipe") => Some(crate::reader::EntryMode::Swipe),
        Some(other) => return Err(bad("card entry mode", other)),
    };
    let d = crate::acquirer::CardDetails { auth_code, entry_mode, aid, application_label };
    Ok((!d.is_empty()).then(|| Box::new(d)))
}
