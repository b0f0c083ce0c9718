//! The POS terminals a cashier may route card sales to: paired by serial (`deviceSn`) with
//! their model (`deviceModel`), one of them the default.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::error::StoreError;
use super::values::{db_ms, ms};
use crate::order::Millis;

/// What the cashier last learnt about a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TerminalStatus {
    /// Not used yet since it was paired.
    Unknown,
    /// Its last sale reached it.
    Ready,
    /// It was running another sale.
    Busy,
    /// The acquirer could not reach it.
    Unreachable,
}

impl TerminalStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            TerminalStatus::Unknown => "unknown",
            TerminalStatus::Ready => "ready",
            TerminalStatus::Busy => "busy",
            TerminalStatus::Unreachable => "unreachable",
        }
    }

    /// Parses [`TerminalStatus::as_str`].
    pub fn parse(s: &str) -> Option<TerminalStatus> {
        [Self::Unknown, Self::Ready, Self::Busy, Self::Unreachable]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// A paired terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalRow {
    /// Serial number (`deviceSn`), the key.
    pub serial: String,
    /// Model (`deviceModel`).
    pub model: String,
    /// A name for the screen ("Counter 2").
    pub label: Option<String>,
    /// Card sales without a terminal go here.
    pub is_default: bool,
    /// What was last learnt.
    pub status: TerminalStatus,
    /// When a sale last reached it.
    pub last_seen_ms: Option<Millis>,
    /// When it was paired.
    pub created_at: Millis,
}

const COLUMNS: &str = "serial, model, label, is_default, status, last_seen_ms, created_at";

fn from_row(r: &Row<'_>) -> Result<Result<TerminalRow, StoreError>, rusqlite::Error> {
    let status: String = r.get(4)?;
    let Some(status) = TerminalStatus::parse(&status) else {
        return Ok(Err(super::values::bad("terminal status", status)));
    };
    Ok(Ok(TerminalRow {
        serial: r.get(0)?,
        model: r.get(1)?,
        label: r.get(2)?,
        is_default: r.get(3)?,
        status,
        last_seen_ms: r.get::<_, Option<i64>>(5)?.map(ms),
        created_at: ms(r.get(6)?),
    }))
}

/// Pairs a terminal, or updates its model and label; the first one paired is the default.
pub fn upsert_terminal(c: &Connection, t: &TerminalRow) -> Result<(), StoreError> {
    let count: i64 = c.query_row("SELECT count(*) FROM terminals", [], |r| r.get(0))?;
    c.prepare_cached(
        "INSERT INTO terminals (serial, model, label, is_default, status, created_at) \
         VALUES (?1, ?2, ?3, ?4, 'unknown', ?5) \
         ON CONFLICT (serial) DO UPDATE SET model = excluded.model, label = excluded.label",
    )?
    .execute(params![t.serial, t.model, t.label, count == 0, db_ms(t.created_at)])?;
    Ok(())
}

/// Forgets a terminal; returns whether it was paired. When it was the default, the oldest
/// remaining terminal becomes the default.
pub fn remove_terminal(c: &Connection, serial: &str) -> Result<bool, StoreError> {
    let removed = c.execute("DELETE FROM terminals WHERE serial = ?1", [serial])? > 0;
    let has_default: bool =
        c.query_row("SELECT EXISTS (SELECT 1 FROM terminals WHERE is_default)", [], |r| r.get(0))?;
    if removed && !has_default {
        c.execute(
            "UPDATE terminals SET is_default = 1 WHERE serial = \
             (SELECT serial FROM terminals ORDER BY created_at, serial LIMIT 1)",
            [],
        )?;
    }
    Ok(removed)
}

/// Makes a paired terminal the default; returns whether it is paired.
pub fn set_default_terminal(c: &Connection, serial: &str) -> Result<bool, StoreError> {
    if load_terminal(c, serial)?.is_none() {
        return Ok(false);
    }
    c.execute("UPDATE terminals SET is_default = (serial = ?1)", [serial])?;
    Ok(true)
}

/// One paired terminal.
pub fn load_terminal(c: &Connection, serial: &str) -> Result<Option<TerminalRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM terminals WHERE serial = ?1");
    c.prepare_cached(&sql)?.query_row([serial], from_row).optional()?.transpose()
}

/// Every paired terminal, the default first, then by label and serial.
pub fn list_terminals(c: &Connection) -> Result<Vec<TerminalRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM terminals ORDER BY is_default DESC, coalesce(label, serial), serial"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|r| r?).collect()
}

/// Records what a card sale learnt about its terminal.
pub fn note_terminal(
    c: &Connection,
    serial: &str,
    status: TerminalStatus,
    at: Millis,
) -> Result<(), StoreError> {
    let seen = (status == TerminalStatus::Ready).then_some(db_ms(at));
    c.prepare_cached(
        "UPDATE terminals SET status = ?2, last_seen_ms = coalesce(?3, last_seen_ms) \
         WHERE serial = ?1",
    )?
    .execute(params![serial, status.as_str(), seen])?;
    Ok(())
}
