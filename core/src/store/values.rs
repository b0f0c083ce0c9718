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

pub(super) fn ms(v: i64) -> Millis {
    u64::try_from(v).unwrap_or(0)
}

pub(super) fn db_ms(v: Millis) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
