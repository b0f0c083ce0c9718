//! The outbox seen from the app: counts, sums per currency, age; and the offline limits.
//!
//! Each is one query over the outbox joined to its records (`store::queued_records`), so that a
//! queue of ten thousand costs one pass, not ten thousand look-ups.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::error::CashierError;
use super::events::QueueStatus;
use super::Inner;
use crate::money::Amount;
use crate::order::{AttemptStatus, RefundState};
use crate::store::{self, Entity};

/// The queue as it is now.
pub(crate) fn status(inner: &Inner) -> Result<QueueStatus, CashierError> {
    let now = inner.now();
    let mut q = QueueStatus { online: inner.online(), ..QueueStatus::default() };
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in inner.store.read(|c, _| store::queued_records(c))? {
        q.oldest_age_ms = Some(q.oldest_age_ms.unwrap_or(0).max(now.saturating_sub(r.queued_at)));
        q.next_due_at = Some(q.next_due_at.map_or(r.due_at, |d| d.min(r.due_at)));
        if r.entity == Entity::Sale {
            q.sales += 1;
            match AttemptStatus::parse(&r.state) {
                Some(AttemptStatus::Unknown | AttemptStatus::Unseen) => q.unknown += 1,
                Some(AttemptStatus::Prepared) => q.unsent += 1,
                _ => {}
            }
        } else {
            q.refunds += 1;
            match RefundState::parse(&r.state) {
                Some(RefundState::Unknown) => q.unknown += 1,
                Some(RefundState::Queued) => q.unsent += 1,
                _ => {}
            }
        }
        *totals.entry(r.currency).or_default() += r.amount;
    }
    q.totals = totals.into_iter().map(|(k, v)| (k, v.to_string())).collect();
    Ok(q)
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
