//! The outbox seen from the app: counts, sums per currency, age; and the offline limits.

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
    inner.store.read(|c, _| {
        for row in store::all_outbox(c)? {
            q.oldest_age_ms =
                Some(q.oldest_age_ms.unwrap_or(0).max(now.saturating_sub(row.created_at)));
            q.next_due_at = Some(q.next_due_at.map_or(row.due_at, |d: u64| d.min(row.due_at)));
            match row.entity {
                Entity::Sale => {
                    q.sales += 1;
                    let attempt = store::current_attempt(c, &row.entity_id)?;
                    match attempt.map(|a| a.status) {
                        Some(AttemptStatus::Unknown) => q.unknown += 1,
                        Some(AttemptStatus::Prepared) => q.unsent += 1,
                        _ => {}
                    }
                    if let Some(s) = store::load_sale(c, &row.entity_id)? {
                        *totals.entry(s.amount.currency().code().into()).or_default() +=
                            s.amount.value();
                    }
                }
                Entity::Refund => {
                    q.refunds += 1;
                    if let Some(r) = store::load_refund(c, &row.entity_id)? {
                        match r.state {
                            RefundState::Unknown => q.unknown += 1,
                            RefundState::Queued => q.unsent += 1,
                            _ => {}
                        }
                        *totals.entry(r.amount.currency().code().into()).or_default() +=
                            r.amount.value();
                    }
                }
            }
        }
        Ok(())
    })?;
    q.totals = totals.into_iter().map(|(k, v)| (k, v.to_string())).collect();
    Ok(q)
}

/// Refuses a refund that would carry too much risk while it waits unsent.
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
        let queued: Decimal = inner.store.read(|c, _| {
            let mut sum = Decimal::ZERO;
            for row in store::all_outbox(c)? {
                if row.entity != Entity::Refund {
                    continue;
                }
                if let Some(r) = store::load_refund(c, &row.entity_id)? {
                    if r.state == RefundState::Queued && r.amount.currency().code() == code {
                        sum += r.amount.value();
                    }
                }
            }
            Ok(sum)
        })?;
        if queued + amount.value() > max {
            return Err(CashierError::OfflineLimit(format!(
                "{queued} {code} already waits; {amount} more would exceed the offline total of {max}"
            )));
        }
    }
    Ok(())
}
