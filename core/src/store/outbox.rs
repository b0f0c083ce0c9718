//! The outbox: the durable queue of acquirer steps, one row per unsettled sale or refund.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::error::StoreError;
use super::values::{db_ms, ms};
use crate::order::Millis;

/// The outbox step of a refund whose request may be on its way: written (durably) just before
/// it is sent, replaced by the step after its answer.
pub const SENDING: &str = "sending";

/// Which kind of record an outbox row drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A sale (its current attempt).
    Sale,
    /// A refund.
    Refund,
}

impl Entity {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Entity::Sale => "sale",
            Entity::Refund => "refund",
        }
    }
}

/// The next acquirer step of an unsettled sale or refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Sale or refund.
    pub entity: Entity,
    /// Its id.
    pub entity_id: String,
    /// The step (`send`, `query`, `cancel`, `give_up`).
    pub step: String,
    /// When it is due.
    pub due_at: Millis,
    /// Consecutive transport failures.
    pub failures: u32,
    /// When it was last tried.
    pub last_try_at: Millis,
    /// When the entity entered the outbox.
    pub created_at: Millis,
    /// The last transport error, for the queue view.
    pub last_error: Option<String>,
}

impl OutboxRow {
    /// A new entity's first step: send it now.
    pub fn first_send(entity: Entity, entity_id: &str, now: Millis) -> Self {
        OutboxRow {
            entity,
            entity_id: entity_id.to_string(),
            step: "send".into(),
            due_at: now,
            failures: 0,
            last_try_at: 0,
            created_at: now,
            last_error: None,
        }
    }

    /// The row after a step tried at `now`: the entity keeps its place in the queue (when it
    /// entered); the caller sets the next step, its due time, failures and error.
    pub fn after_step(
        previous: Option<&OutboxRow>,
        entity: Entity,
        entity_id: &str,
        now: Millis,
    ) -> Self {
        OutboxRow {
            last_try_at: now,
            created_at: previous.map_or(now, |o| o.created_at),
            ..OutboxRow::first_send(entity, entity_id, now)
        }
    }
}

fn outbox_from_row(r: &Row<'_>) -> Result<OutboxRow, rusqlite::Error> {
    let entity: String = r.get(0)?;
    Ok(OutboxRow {
        entity: if entity == "refund" { Entity::Refund } else { Entity::Sale },
        entity_id: r.get(1)?,
        step: r.get(2)?,
        due_at: ms(r.get(3)?),
        failures: r.get(4)?,
        last_try_at: ms(r.get(5)?),
        created_at: ms(r.get(6)?),
        last_error: r.get(7)?,
    })
}

const OUTBOX_COLUMNS: &str =
    "entity, entity_id, step, due_at, failures, last_try_at, created_at, last_error";

/// Puts (or replaces) the next step of an entity.
pub fn put_outbox(c: &Connection, o: &OutboxRow) -> Result<(), StoreError> {
    c.prepare_cached(&format!(
        "INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (entity, entity_id) DO UPDATE SET step = excluded.step, \
             due_at = excluded.due_at, failures = excluded.failures, \
             last_try_at = excluded.last_try_at, last_error = excluded.last_error"
    ))?
    .execute(params![
        o.entity.as_str(),
        o.entity_id,
        o.step,
        db_ms(o.due_at),
        o.failures,
        db_ms(o.last_try_at),
        db_ms(o.created_at),
        o.last_error
    ])?;
    Ok(())
}

/// Removes a settled entity from the outbox.
pub fn remove_outbox(c: &Connection, entity: Entity, id: &str) -> Result<(), StoreError> {
    c.prepare_cached("DELETE FROM outbox WHERE entity = ?1 AND entity_id = ?2")?
        .execute(params![entity.as_str(), id])?;
    Ok(())
}

/// The outbox row of an entity.
pub fn outbox_of(
    c: &Connection,
    entity: Entity,
    id: &str,
) -> Result<Option<OutboxRow>, StoreError> {
    Ok(c.prepare_cached(&format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE entity = ?1 AND entity_id = ?2"
    ))?
    .query_row(params![entity.as_str(), id], outbox_from_row)
    .optional()?)
}

/// Steps due at `now`, soonest first.
pub fn due_outbox(c: &Connection, now: Millis, limit: u32) -> Result<Vec<OutboxRow>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE due_at <= ?1 ORDER BY due_at LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![db_ms(now), limit], outbox_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When the next step is due, if any.
pub fn next_due(c: &Connection) -> Result<Option<Millis>, StoreError> {
    let v: Option<i64> =
        c.prepare_cached("SELECT min(due_at) FROM outbox")?.query_row([], |r| r.get(0))?;
    Ok(v.map(ms))
}

/// Makes every step due now (`forward_now`).
pub fn make_all_due(c: &Connection, now: Millis) -> Result<usize, StoreError> {
    Ok(c.prepare_cached("UPDATE outbox SET due_at = ?1 WHERE due_at > ?1")?
        .execute([db_ms(now)])?)
}

/// Makes one record's outbox row due now.
pub fn make_due(c: &Connection, entity: Entity, id: &str, now: Millis) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE outbox SET due_at = ?3 WHERE entity = ?1 AND entity_id = ?2")?
        .execute(params![entity.as_str(), id, db_ms(now)])?;
    Ok(())
}

/// Every outbox row (the queue view).
pub fn all_outbox(c: &Connection) -> Result<Vec<OutboxRow>, StoreError> {
    let mut stmt =
        c.prepare_cached(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY created_at"))?;
    let rows = stmt.query_map([], outbox_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Records a finished step: its journal lines, then its next outbox row, or no row once the
/// entity is settled.
pub fn record_step(
    c: &Connection,
    entity: Entity,
    id: &str,
    now: Millis,
    journal_lines: &[(String, String)],
    next: Option<&OutboxRow>,
) -> Result<(), StoreError> {
    for (kind, detail) in journal_lines {
        super::journal::journal(c, now, entity, id, kind, detail)?;
    }
    match next {
        Some(o) => put_outbox(c, o),
        None => remove_outbox(c, entity, id),
    }
}
