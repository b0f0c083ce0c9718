//! The journal: every change of a sale or refund, append-only (the schema refuses updates and
//! deletes).

use rusqlite::{params, Connection};

use super::error::StoreError;
use super::outbox::Entity;
use super::values::{db_ms, ms};
use crate::order::Millis;

/// Appends to the journal (append-only: the schema refuses updates and deletes).
pub fn journal(
    c: &Connection,
    at: Millis,
    entity: Entity,
    id: &str,
    kind: &str,
    detail: &str,
) -> Result<(), StoreError> {
    journal_raw(c, at, entity.as_str(), id, kind, detail)
}

pub(super) fn journal_raw(
    c: &Connection,
    at: Millis,
    entity: &str,
    id: &str,
    kind: &str,
    detail: &str,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO journal (at, entity, entity_id, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![db_ms(at), entity, id, kind, detail])?;
    Ok(())
}

/// A journal line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalLine {
    /// When.
    pub at: Millis,
    /// What kind of change.
    pub kind: String,
    /// Details.
    pub detail: String,
}

/// The journal of one sale or refund, oldest first.
pub fn journal_of(
    c: &Connection,
    entity: Entity,
    id: &str,
) -> Result<Vec<JournalLine>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT at, kind, COALESCE(detail, '') FROM journal WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![entity.as_str(), id], |r| {
        Ok(JournalLine { at: ms(r.get(0)?), kind: r.get(1)?, detail: r.get(2)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
