//! The agent's journal: one SQLite file on the terminal that says, for every transaction the
//! acquirer sent, how far it got. It is what makes a restart safe: a transaction journaled as
//! `running` is never started again, and a result journaled but not acknowledged is reported
//! again. Every change is one committed write with `synchronous = FULL`, so what a call
//! returned is on disk even if the process is killed right after.
//!
//! The device key is not kept here: the app supplies it at each start from its key store
//! (docs/terminal-agent.md). Nothing card-related is kept beyond the masked PAN.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

use super::channel::{InboxKind, InboxMessage, ResultReport, TerminalResult};

#[path = "store_file.rs"]
mod file;
#[path = "store_rows.rs"]
mod rows;
use rows::*;

const SEQ_RESERVED: &str = "seq_reserved";

/// The reason reported for a transaction the agent was running when it stopped.
pub const INTERRUPTED: &str = "interrupted: the agent restarted mid-transaction";

/// Why the journal could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentStoreError {
    /// SQLite failed (disk full, file locked, not a database).
    #[error("agent journal {path}: {reason}")]
    Sqlite {
        /// The file.
        path: String,
        /// What SQLite said.
        reason: String,
    },
    /// A row holds a value this version cannot read (the file was edited or is from a newer one).
    #[error("agent journal: transaction {id}: bad {field}: {value:?}")]
    BadRow {
        /// The transaction.
        id: String,
        /// The column.
        field: &'static str,
        /// Its value.
        value: String,
    },
}

/// Where a journaled transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxState {
    /// Journaled, not yet acknowledged to the acquirer.
    Received,
    /// Acknowledged; the reader has not started it.
    Acked,
    /// On the reader. Never started again: after a restart it is reported failed.
    Running,
    /// Ended; the result is journaled and not yet acknowledged by the acquirer.
    Finished,
    /// The acquirer acknowledged the result.
    Reported,
    /// The acquirer refused the result or holds another one: a person looks at it.
    Flagged,
    /// Never run and nothing to report (the acquirer closed it before it was acknowledged).
    Dropped,
}

impl TxState {
    fn as_str(self) -> &'static str {
        match self {
            TxState::Received => "received",
            TxState::Acked => "acked",
            TxState::Running => "running",
            TxState::Finished => "finished",
            TxState::Reported => "reported",
            TxState::Flagged => "flagged",
            TxState::Dropped => "dropped",
        }
    }

    fn from_str(s: &str) -> Option<TxState> {
        [
            TxState::Received,
            TxState::Acked,
            TxState::Running,
            TxState::Finished,
            TxState::Reported,
            TxState::Flagged,
            TxState::Dropped,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// A journaled transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRecord {
    /// The transaction id.
    pub id: String,
    /// The inbox message that brought it (acknowledged by this id).
    pub message_id: String,
    /// What to run ([`InboxKind::Sale`] or [`InboxKind::Refund`]).
    pub kind: InboxKind,
    /// Where it stands.
    pub state: TxState,
    /// The cashier asked to cancel it.
    pub cancel_asked: bool,
    /// Why it was flagged, when it was.
    pub note: Option<String>,
}

/// The agent's journal.
pub struct AgentStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

type Row = (String, String, String, String, String, Option<String>, String, bool, Option<String>);

impl AgentStore {
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn err(&self, e: rusqlite::Error) -> AgentStoreError {
        AgentStoreError::Sqlite { path: self.path.display().to_string(), reason: e.to_string() }
    }

    /// The highest request sequence number reserved so far (0 at first).
    pub fn seq_reserved(&self) -> Result<u64, AgentStoreError> {
        let value: Option<i64> = self
            .lock()
            .query_row("SELECT value FROM agent_meta WHERE name = ?1", [SEQ_RESERVED], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(value.map_or(0, |v| u64::try_from(v).unwrap_or(0)))
    }

    /// Records that sequence numbers up to `upto` may be in use.
    pub fn reserve_seq(&self, upto: u64) -> Result<(), AgentStoreError> {
        let value = i64::try_from(upto).unwrap_or(i64::MAX);
        self.lock()
            .execute(
                "INSERT INTO agent_meta (name, value) VALUES (?1, ?2) \
                 ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
                params![SEQ_RESERVED, value],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Journals a sale or refund as received. Returns `false` (and changes nothing) when the
    /// transaction is already journaled, or when the message is a cancel.
    pub fn insert_received(&self, message: &InboxMessage) -> Result<bool, AgentStoreError> {
        let (kind, amount, original) = match &message.kind {
            InboxKind::Sale { amount } => ("sale", amount, None),
            InboxKind::Refund { amount, original_transaction_id } => {
                ("refund", amount, Some(original_transaction_id.as_str()))
            }
            InboxKind::Cancel => return Ok(false),
        };
        let added = self
            .lock()
            .execute(
                "INSERT OR IGNORE INTO agent_tx (id, message_id, kind, amount, currency, \
                 original_id, state, received_seq, updated_at_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'received', ?7, ?8)",
                params![
                    message.transaction_id,
                    message.id,
                    kind,
                    amount.to_major_string(),
                    amount.currency().code(),
                    original,
                    i64::try_from(message.seq).unwrap_or(i64::MAX),
                    now_ms()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(added == 1)
    }

    /// The journaled transaction `id`, if any.
    pub fn get(&self, id: &str) -> Result<Option<TxRecord>, AgentStoreError> {
        let row = self
            .lock()
            .query_row(&select("WHERE id = ?1"), [id], read_row)
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(to_record).transpose()
    }

    /// The oldest transaction acknowledged or received but not started.
    pub fn next_to_run(&self) -> Result<Option<TxRecord>, AgentStoreError> {
        let row = self
            .lock()
            .query_row(
                &select("WHERE state IN ('received', 'acked') ORDER BY received_seq LIMIT 1"),
                [],
                read_row,
            )
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(to_record).transpose()
    }

    /// Moves `id` to `state` (received → acked → running, or to dropped).
    pub fn set_state(&self, id: &str, state: TxState) -> Result<(), AgentStoreError> {
        self.lock()
            .execute(
                "UPDATE agent_tx SET state = ?2, updated_at_ms = ?3 WHERE id = ?1",
                params![id, state.as_str(), now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records that the cashier asked to cancel `id`.
    pub fn set_cancel_asked(&self, id: &str) -> Result<(), AgentStoreError> {
        self.lock()
            .execute("UPDATE agent_tx SET cancel_asked = 1 WHERE id = ?1", [id])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Journals how `report`'s transaction ended (state finished), to be reported.
    pub fn finish(&self, report: &ResultReport) -> Result<(), AgentStoreError> {
        let (result, auth, offline, reason) = result_columns(&report.result, &report.reason);
        let card = report.card.as_ref();
        self.lock()
            .execute(
                "UPDATE agent_tx SET state = 'finished', result = ?2, auth_code = ?3, \
                 offline_id = ?4, reason = ?5, masked_pan = ?6, aid = ?7, label = ?8, \
                 entry = ?9, updated_at_ms = ?10 WHERE id = ?1",
                params![
                    report.transaction_id,
                    result,
                    auth,
                    offline,
                    reason,
                    card.map(|c| c.masked_pan.as_str()),
                    card.map(|c| c.aid.as_str()),
                    card.and_then(|c| c.label.as_deref()),
                    card.and_then(|c| c.entry).map(entry_name),
                    now_ms()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Marks a result acknowledged by the acquirer.
    pub fn mark_reported(&self, id: &str) -> Result<(), AgentStoreError> {
        self.set_state(id, TxState::Reported)
    }

    /// Marks a result the acquirer would not take, with why.
    pub fn mark_flagged(&self, id: &str, note: &str) -> Result<(), AgentStoreError> {
        self.lock()
            .execute(
                "UPDATE agent_tx SET state = 'flagged', note = ?2, updated_at_ms = ?3 WHERE id = ?1",
                params![id, note, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// After a restart: every transaction still `running` ended when the agent stopped. Its
    /// reader state is lost, so it is journaled as failed ([`INTERRUPTED`]). Returns their ids.
    pub fn recover(&self) -> Result<Vec<String>, AgentStoreError> {
        let ids: Vec<String> = {
            let conn = self.lock();
            let mut stmt = conn
                .prepare("SELECT id FROM agent_tx WHERE state = 'running' ORDER BY received_seq")
                .map_err(|e| self.err(e))?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        for id in &ids {
            self.finish(&ResultReport {
                transaction_id: id.clone(),
                result: TerminalResult::Failed { reason: INTERRUPTED.into() },
                card: None,
                reason: None,
            })?;
        }
        Ok(ids)
    }

    /// The results journaled and not yet acknowledged, oldest first.
    pub fn unreported(&self) -> Result<Vec<ResultReport>, AgentStoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT id, result, auth_code, offline_id, reason, masked_pan, aid, label, entry \
                 FROM agent_tx WHERE state = 'finished' ORDER BY received_seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    [r.get::<_, Option<String>>(2)?, r.get(3)?, r.get(4)?],
                    [r.get::<_, Option<String>>(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(to_report(row.map_err(|e| self.err(e))?)?);
        }
        Ok(out)
    }
}

/// Unix milliseconds now (0 if the clock is before 1970).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
