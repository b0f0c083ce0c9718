//! Read-only views over the outbox joined to its records, for the app's queue screen and the
//! offline limits: one pass each, so that a queue of ten thousand costs one query.

use std::str::FromStr;

use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::error::StoreError;
use super::outbox::Entity;
use super::values::{db_ms, ms};
use crate::order::{Millis, RefundState};

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

/// One unsettled record as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedRecord {
    /// A sale or a refund.
    pub entity: Entity,
    /// Its amount, in major units of `currency`.
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    /// The sale's current attempt status, or the refund's state, as stored.
    pub state: String,
    /// When it entered the outbox.
    pub queued_at: Millis,
    /// When its next step is due.
    pub due_at: Millis,
}

fn decimal(text: &str) -> Result<Decimal, StoreError> {
    Decimal::from_str(text)
        .map_err(|e| StoreError::BadRow { what: "amount", reason: e.to_string() })
}

/// Every record waiting in the outbox.
pub fn queued_records(c: &Connection) -> Result<Vec<QueuedRecord>, StoreError> {
    let mut stmt = c.prepare_cached(QUEUE_ROWS)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let entity: String = row.get(0)?;
        out.push(QueuedRecord {
            entity: if entity == "sale" { Entity::Sale } else { Entity::Refund },
            amount: decimal(&row.get::<_, String>(1)?)?,
            currency: row.get(2)?,
            state: row.get(3)?,
            queued_at: ms(row.get(4)?),
            due_at: ms(row.get(5)?),
        });
    }
    Ok(out)
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
