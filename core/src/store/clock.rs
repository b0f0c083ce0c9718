//! What the store keeps about clocks: named values (the acquirer's clock offset), the time of
//! the last journal line (how far the engine's time line had come), and clock-step lines.

use rusqlite::{params, Connection, OptionalExtension};

use super::error::StoreError;
use super::journal::JournalLine;
use super::values::ms;
use crate::order::Millis;

/// The acquirer's clock minus the engine's, in milliseconds, as last learned.
pub const ACQUIRER_OFFSET: &str = "acquirer_offset_ms";

/// A named clock value.
pub fn clock_value(c: &Connection, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(c.prepare_cached("SELECT value FROM clock WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// Sets a named clock value.
pub fn set_clock_value(c: &Connection, name: &str, value: i64) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO clock (name, value) VALUES (?1, ?2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![name, value])?;
    Ok(())
}

/// The time of the newest journal line: every change writes one, so this is how far the
/// engine's time line had come when it last changed anything.
pub fn last_recorded_at(c: &Connection) -> Result<Option<Millis>, StoreError> {
    let at: Option<i64> = c
        .prepare_cached("SELECT at FROM journal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(at.map(ms))
}

/// Journals a clock event (entity `clock`).
pub fn journal_clock(
    c: &Connection,
    at: Millis,
    kind: &str,
    detail: &str,
) -> Result<(), StoreError> {
    super::journal::journal_raw(c, at, "clock", "", kind, detail)
}

/// The clock lines of the journal, oldest first.
pub fn clock_journal(c: &Connection) -> Result<Vec<JournalLine>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT at, kind, COALESCE(detail, '') FROM journal WHERE entity = 'clock' ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(JournalLine { at: ms(r.get(0)?), kind: r.get(1)?, detail: r.get(2)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
