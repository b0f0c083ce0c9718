//! The outbox seen from the app: counts, sums per currency, age; and the offline limits.
//!
//! Each is one query over the outbox joined to its records, so that a queue of ten thousand
//! costs one pass, not ten thousand look-ups.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::error::CashierError;
use super::events::QueueStatus;
use super::Inner;
use crate::money::Amount;
use crate::order::{AttemptStatus, RefundState};
use crate::store::StoreError;

/// Every unsettled record: (entity, amount, currency, state, outbox created_at, due_at).
const QUEUE_ROWS: &str = "\
    SELECT 'sale', s.amount, s.currency, a.status, o.created_at, o.due_at \
    FROM outbox o JOIN sales s ON s.id = o.entity_id \
    JOIN attempts a ON a.sale_id = s.id \
        AND a.seq = (SELECT max(seq) FROM attempts WHERE sale_id = s.id) \
    WHERE o.entity = 'sale' \
    UNION ALL \
    SELECT 'refund', r.amount, r.currency, r.state, o.created_at, o.due_at \
    FROM outbox o JOIN refunds r ON r.id = o.entity_id WHERE o.entity = 'refund'";

fn decimal(text: &str) -> Result<Decimal, StoreError> {
    Decimal::from_str(text)
        .map_err(|e| StoreError::BadRow { what: "amount", reason: e.to_string() })
}

/// The queue as it is now.
pub(crate) fn status(inner: &Inner) -> Result<QueueStatus, CashierError> {
    let now = inner.now();
    let mut q = QueueStatus { online: inner.online(), ..QueueStatus::default() };
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    inner.store.read(|c, _| {
        let mut stmt = c.prepare_cached(QUEUE_ROWS)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (entity, amount, currency, state): (String, String, String, String) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            let (created, due): (i64, i64) = (row.get(4)?, row.get(5)?);
            let (created, due) =
                (u64::try_from(created).unwrap_or(0), u64::try_from(due).unwrap_or(0));
            q.oldest_age_ms = Some(q.oldest_age_ms.unwrap_or(0).max(now.saturating_sub(created)));
            q.next_due_at = Some(q.next_due_at.map_or(due, |d| d.min(due)));
            if entity == "sale" {
                q.sales += 1;
                match AttemptStatus::parse(&state) {
                    Some(AttemptStatus::Unknown | AttemptStatus::Unseen) => q.unknown += 1,
                    Some(AttemptStatus::Prepared) => q.unsent += 1,
                    _ => {}
                }
            } else {
                q.refunds += 1;
                match RefundState::parse(&state) {
                    Some(RefundState::Unknown) => q.unknown += 1,
                    Some(RefundState::Queued) => q.unsent += 1,
                    _ => {}
                }
            }
            *totals.entry(currency).or_default() += decimal(&amount)?;
        }
        Ok(())
    })?;
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
        let queued: Decimal = inner.store.read(|c, _| {
            let mut stmt = c.prepare_cached(
                "SELECT r.amount FROM outbox o JOIN refunds r ON r.id = o.entity_id \
                 WHERE o.entity = 'refund' AND r.currency = ?1 AND r.state IN (?2, ?3)",
            )?;
            let mut rows = stmt.query(rusqlite::params![
                code,
                RefundState::Queued.as_str(),
                RefundState::Unknown.as_str()
            ])?;
            let mut sum = Decimal::ZERO;
            while let Some(row) = rows.next()? {
                sum += decimal(&row.get::<_, String>(0)?)?;
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
