//! The outbox seen from the app: counts, sums per currency, age; and the offline limits.
//!
//! Each is one query over the outbox joined to its records (`store::queue_tally`), so that a
//! queue of ten thousand costs one pass, not ten thousand look-ups.

use super::error::CashierError;
use super::events::QueueStatus;
use super::Inner;
use crate::money::Amount;
use crate::store;

/// The queue as it is now.
pub(crate) fn status(inner: &Inner) -> Result<QueueStatus, CashierError> {
    let t = inner.store.read(|c, _| store::queue_tally(c))?;
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(QueueStatus {
        sales: count(t.sales),
        refunds: count(t.refunds),
        unknown: count(t.unknown),
        unsent: count(t.unsent),
        totals: t.totals.into_iter().map(|(k, v)| (k, v.to_string())).collect(),
        oldest_age_ms: t.oldest_queued_at.map(|q| inner.now().saturating_sub(q)),
        next_due_at: t.next_due_at,
        online: inner.online(),
    })
}

/// Refuses a refund that would carry too much risk while it waits: the total counts every
/// refund the acquirer has not acknowledged yet (unsent, or sent with the outcome unknown).
pub(crate) fn check_offline_limits(inner: &Inner, amount: &Amount) -> Result<(), CashierError> {
    let limits = &inner.config.limits;
    if let Some(max) = limits.max_refund_amount {
        if amount.value() > max {
            return Err(CashierError::OfflineLimit(format!(
                "a refund of {amount} exceeds the offline maximum of {max} per refund"
            )));
        }
    }
    if let Some(max) = limits.max_queued_total {
        let code = amount.currency().code();
        let queued = inner.store.read(|c, _| store::unacknowledged_refunds(c, code))?;
        if queued + amount.value() > max {
            return Err(CashierError::OfflineLimit(format!(
                "{queued} {code} already waits; {amount} more would exceed the offline total of {max}"
            )));
        }
    }
    Ok(())
}
