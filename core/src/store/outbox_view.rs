//! Read-only views over the outbox joined to its records, for the app's queue screen and the
//! offline limits: one pass each, so that a queue of ten thousand costs one query. Also the
//! count of sales in a status, which the queue screen polls: counted by SQLite, not loaded.

use std::collections::BTreeMap;
use std::str::FromStr;

use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::error::StoreError;
use super::outbox::Entity;
use super::values::{db_ms, ms};
use crate::order::{AttemptStatus, Millis, RefundState, SaleStatus};

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

/// What waits in the outbox, counted once for the app's queue status and the shift report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueTally {
    /// Unsettled sales.
    pub sales: u64,
    /// Unsettled refunds.
    pub refunds: u64,
    /// Of those, how many have an unknown outcome.
    pub unknown: u64,
    /// Of those, how many have never reached the acquirer.
    pub unsent: u64,
    /// Sum of unsettled amounts per currency (ISO 4217 code → major units).
    pub totals: BTreeMap<String, Decimal>,
    /// When the oldest entered the outbox.
    pub oldest_queued_at: Option<Millis>,
    /// When the next step is due.
    pub next_due_at: Option<Millis>,
}

fn decimal(text: &str) -> Result<Decimal, StoreError> {
    Decimal::from_str(text)
        .map_err(|e| StoreError::BadRow { what: "amount", reason: e.to_string() })
}

/// Every record waiting in the outbox, counted in one pass.
pub fn queue_tally(c: &Connection) -> Result<QueueTally, StoreError> {
    let mut stmt = c.prepare_cached(QUEUE_ROWS)?;
    let mut rows = stmt.query([])?;
    let mut t = QueueTally::default();
    while let Some(row) = rows.next()? {
        let entity: String = row.get(0)?;
        let amount = decimal(&row.get::<_, String>(1)?)?;
        let currency: String = row.get(2)?;
        let state: String = row.get(3)?;
        let queued_at = ms(row.get(4)?);
        let due_at = ms(row.get(5)?);
        t.oldest_queued_at = Some(t.oldest_queued_at.map_or(queued_at, |o| o.min(queued_at)));
        t.next_due_at = Some(t.next_due_at.map_or(due_at, |d| d.min(due_at)));
        if entity == Entity::Sale.as_str() {
            t.sales += 1;
            match AttemptStatus::parse(&state) {
                Some(AttemptStatus::Unknown | AttemptStatus::Unseen) => t.unknown += 1,
                Some(AttemptStatus::Prepared) => t.unsent += 1,
                _ => {}
            }
        } else {
            t.refunds += 1;
            match RefundState::parse(&state) {
                Some(RefundState::Unknown) => t.unknown += 1,
                Some(RefundState::Queued) => t.unsent += 1,
                _ => {}
            }
        }
        *t.totals.entry(currency).or_default() += amount;
    }
    Ok(t)
}

/// The total of the refunds in `currency` the acquirer has not acknowledged yet (unsent, or
/// sent with the outcome unknown).
pub fn unacknowledged_refunds(c: &Connection, currency: &str) -> Result<Decimal, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT r.amount FROM outbox o JOIN refunds r ON r.id = o.entity_id \
         WHERE o.entity = 'refund' AND r.currency = ?1 AND r.state IN (?2, ?3)",
    )?;
    let mut rows =
        stmt.query(params![currency, RefundState::Queued.as_str(), RefundState::Unknown.as_str()])?;
    let mut sum = Decimal::ZERO;
    while let Some(row) = rows.next()? {
        sum += decimal(&row.get::<_, String>(0)?)?;
    }
    Ok(sum)
}

/// Makes due at `now` every step due later than `horizon`; returns how many moved.
pub fn bring_forward(c: &Connection, now: Millis, horizon: Millis) -> Result<usize, StoreError> {
    Ok(c.prepare_cached("UPDATE outbox SET due_at = ?1 WHERE due_at > ?2")?
        .execute(params![db_ms(now), db_ms(horizon)])?)
}

/// How many sales are in `status`, abandoned ones included.
pub fn count_sales(c: &Connection, status: SaleStatus) -> Result<u64, StoreError> {
    let n: i64 = c
        .prepare_cached("SELECT count(*) FROM sales WHERE status = ?1")?
        .query_row([status.as_str()], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
