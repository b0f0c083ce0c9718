//! The durable queue of offline approvals, in the agent's SQLite file.
//!
//! An approval is admitted against the limits and written in one immediate transaction, so two
//! processes sharing the file cannot both pass a limit. Card data is kept only masked; the
//! clearing data (which holds no card number) is sealed with the terminal's key anyway, bound
//! to its offline id.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::limits::{OfflineLimits, OfflineRefusal, StoredTotals};
use crate::agent::channel::OfflineApproval;
use crate::money::{Amount, Currency};
use crate::reader::session::CardRead;
use crate::reader::EntryMode;
use crate::store::crypto::ColumnCipher;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS offline_approvals (
    offline_id TEXT PRIMARY KEY,
    transaction_id TEXT NOT NULL UNIQUE,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    approved_at_ms INTEGER NOT NULL,
    masked_pan TEXT NOT NULL,
    sealed BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('stored', 'forwarded', 'refused')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    settled_at_ms INTEGER
);
CREATE TABLE IF NOT EXISTS offline_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);";

/// Why the queue could not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfflineError {
    /// A limit refused the approval; nothing was stored.
    #[error("offline approval refused: {0}")]
    Refused(#[from] OfflineRefusal),
    /// The database failed.
    #[error("offline queue storage failed: {0}")]
    Storage(String),
    /// The queue's key is missing, malformed, or cannot be read from or written to the key
    /// store.
    #[error("offline queue key: {0}")]
    Key(String),
    /// A stored row does not open or parse (wrong key, altered file).
    #[error("offline approval {offline_id} is unreadable: {what}")]
    Corrupt {
        /// The row.
        offline_id: String,
        /// What is wrong.
        what: String,
    },
}

impl From<rusqlite::Error> for OfflineError {
    fn from(e: rusqlite::Error) -> Self {
        OfflineError::Storage(e.to_string())
    }
}

/// Where an approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfflineState {
    /// Stored, not yet accepted by the acquirer.
    Stored,
    /// Accepted by the acquirer (recorded, or already recorded).
    Forwarded,
    /// Refused by the acquirer: never resent; a person must look.
    Refused,
}

impl OfflineState {
    /// Its name in storage and output: `stored`, `forwarded`, `refused`.
    pub fn as_str(self) -> &'static str {
        match self {
            OfflineState::Stored => "stored",
            OfflineState::Forwarded => "forwarded",
            OfflineState::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "stored" => Some(OfflineState::Stored),
            "forwarded" => Some(OfflineState::Forwarded),
            "refused" => Some(OfflineState::Refused),
            _ => None,
        }
    }
}

/// One approval as listed (no clearing data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedApproval {
    /// Its offline id.
    pub offline_id: String,
    /// The sale's id.
    pub transaction_id: String,
    /// The amount.
    pub amount: Amount,
    /// When the card approved it, Unix ms.
    pub approved_at_ms: i64,
    /// The card, masked.
    pub masked_pan: String,
    /// Where it stands.
    pub state: OfflineState,
    /// Forward attempts so far.
    pub attempts: u32,
    /// The last forward's failure, or the acquirer's refusal.
    pub last_error: Option<String>,
}

/// Whether [`OfflineQueue::store`] wrote the approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOutcome {
    /// Written now.
    Stored,
    /// Already stored under this offline id: nothing written.
    AlreadyStored,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    aid: String,
    label: Option<String>,
    entry: Option<String>,
    clearing_tlv: String,
}

/// The queue. Cheap to share behind an `Arc`; every call is one SQLite transaction.
pub struct OfflineQueue {
    conn: Mutex<Connection>,
    cipher: ColumnCipher,
}

impl std::fmt::Debug for OfflineQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OfflineQueue")
    }
}

impl OfflineQueue {
    /// Opens (or creates) the queue in the SQLite file at `path`, sealing with the 32-byte `key`.
    pub fn open(path: &Path, key: &[u8]) -> Result<Self, OfflineError> {
        let cipher = ColumnCipher::new(key).map_err(|e| OfflineError::Storage(e.to_string()))?;
        if !path.exists() {
            crate::store::perms::create_private_file(path)
                .map_err(|e| OfflineError::Storage(format!("{}: {e}", path.display())))?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(OfflineQueue { conn: Mutex::new(conn), cipher })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, OfflineError>,
    ) -> Result<T, OfflineError> {
        let mut conn =
            self.conn.lock().map_err(|_| OfflineError::Storage("lock poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Checks `approval` against `limits` and stores it, at `now_ms`. Idempotent by offline id.
    pub fn store(
        &self,
        approval: &OfflineApproval,
        limits: &OfflineLimits,
        now_ms: i64,
    ) -> Result<StoreOutcome, OfflineError> {
        let sealed = Sealed {
            aid: approval.card.aid.clone(),
            label: approval.card.label.clone(),
            entry: approval.card.entry.map(|e| format!("{e:?}")),
            clearing_tlv: hex::encode(&approval.clearing_tlv),
        };
        let plain =
            serde_json::to_vec(&sealed).map_err(|e| OfflineError::Storage(e.to_string()))?;
        let sealed = self
            .cipher
            .seal(&approval.offline_id, &plain)
            .map_err(|e| OfflineError::Storage(e.to_string()))?;
        self.with(|tx| {
            let known: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM offline_approvals WHERE offline_id = ?1",
                    [&approval.offline_id],
                    |r| r.get(0),
                )
                .optional()?;
            if known.is_some() {
                return Ok(StoreOutcome::AlreadyStored);
            }
            limits.admit(&approval.amount, &totals_in(tx)?, now_ms)?;
            tx.execute(
                "INSERT INTO offline_approvals (offline_id, transaction_id, currency, amount, \
                 approved_at_ms, masked_pan, sealed, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'stored')",
                params![
                    approval.offline_id,
                    approval.transaction_id,
                    approval.amount.currency().code(),
                    approval.amount.value().to_string(),
                    approval.approved_at_ms,
                    approval.card.masked_pan,
                    sealed
                ],
            )?;
            Ok(StoreOutcome::Stored)
        })
    }

    /// What is stored and not yet forwarded, for a limit check.
    pub fn totals(&self) -> Result<StoredTotals, OfflineError> {
        self.with(totals_in)
    }

    /// Every approval, oldest first.
    pub fn list(&self) -> Result<Vec<QueuedApproval>, OfflineError> {
        self.with(|tx| {
            let mut stmt = tx.prepare(
                "SELECT offline_id, transaction_id, currency, amount, approved_at_ms, masked_pan, \
                 state, attempts, last_error FROM offline_approvals ORDER BY approved_at_ms, offline_id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, u32>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (offline_id, transaction_id, currency, amount, at, pan, state, attempts, err) =
                    row?;
                let amount = amount_of(&offline_id, &amount, &currency)?;
                let state = OfflineState::parse(&state).ok_or_else(|| OfflineError::Corrupt {
                    offline_id: offline_id.clone(),
                    what: format!("state {state:?}"),
                })?;
                out.push(QueuedApproval {
                    offline_id,
                    transaction_id,
                    amount,
                    approved_at_ms: at,
                    masked_pan: pan,
                    state,
                    attempts,
                    last_error: err,
                });
            }
            Ok(out)
        })
    }

    /// The approvals still to forward, opened, oldest first.
    pub fn pending(&self) -> Result<Vec<OfflineApproval>, OfflineError> {
        let listed = self.list()?;
        let mut out = Vec::new();
        for q in listed.into_iter().filter(|q| q.state == OfflineState::Stored) {
            let sealed: Vec<u8> = self.with(|tx| {
                Ok(tx.query_row(
                    "SELECT sealed FROM offline_approvals WHERE offline_id = ?1",
                    [&q.offline_id],
                    |r| r.get(0),
                )?)
            })?;
            let corrupt =
                |what: String| OfflineError::Corrupt { offline_id: q.offline_id.clone(), what };
            let plain =
                self.cipher.open(&q.offline_id, &sealed).map_err(|e| corrupt(e.to_string()))?;
            let s: Sealed = serde_json::from_slice(&plain).map_err(|e| corrupt(e.to_string()))?;
            let clearing_tlv = hex::decode(&s.clearing_tlv).map_err(|e| corrupt(e.to_string()))?;
            out.push(OfflineApproval {
                offline_id: q.offline_id,
                transaction_id: q.transaction_id,
                amount: q.amount,
                approved_at_ms: q.approved_at_ms,
                card: CardRead {
                    masked_pan: q.masked_pan,
                    aid: s.aid,
                    label: s.label,
                    entry: s.entry.as_deref().and_then(entry_of),
                },
                clearing_tlv,
            });
        }
        Ok(out)
    }

    /// Records a forward's end for `offline_id`: accepted, refused (with why), or failed (with
    /// why; the approval stays stored and is tried again).
    pub fn settle(
        &self,
        offline_id: &str,
        state: OfflineState,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<(), OfflineError> {
        self.with(|tx| {
            let settled_at = (state != OfflineState::Stored).then_some(now_ms);
            tx.execute(
                "UPDATE offline_approvals SET state = ?2, attempts = attempts + 1, \
                 last_error = ?3, settled_at_ms = ?4 WHERE offline_id = ?1 AND state = 'stored'",
                params![offline_id, state.as_str(), note, settled_at],
            )?;
            Ok(())
        })
    }

    /// Takes the forwarding lease for `holder` until `until_ms`, unless another holder has it
    /// (one forwarder at a time, across processes). Returns whether it was taken.
    pub fn take_lease(
        &self,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, OfflineError> {
        self.with(|tx| {
            let current: Option<(String, i64)> = tx
                .query_row("SELECT holder, until_ms FROM offline_lease WHERE id = 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if let Some((other, until)) = current {
                if other != holder && until > now_ms {
                    return Ok(false);
                }
            }
            tx.execute(
                "INSERT INTO offline_lease (id, holder, until_ms) VALUES (1, ?1, ?2) \
                 ON CONFLICT (id) DO UPDATE SET holder = ?1, until_ms = ?2",
                params![holder, until_ms],
            )?;
            Ok(true)
        })
    }

    /// Gives the lease back.
    pub fn release_lease(&self, holder: &str) -> Result<(), OfflineError> {
        self.with(|tx| {
            tx.execute("DELETE FROM offline_lease WHERE id = 1 AND holder = ?1", [holder])?;
            Ok(())
        })
    }
}

fn totals_in(tx: &rusqlite::Transaction<'_>) -> Result<StoredTotals, OfflineError> {
    let mut stmt = tx.prepare(
        "SELECT offline_id, currency, amount, approved_at_ms FROM offline_approvals \
         WHERE state = 'stored'",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?))
    })?;
    let mut totals = StoredTotals::default();
    for row in rows {
        let (id, currency, amount, at): (String, String, String, i64) = row?;
        let amount = amount_of(&id, &amount, &currency)?;
        totals.count += 1;
        totals.oldest_ms = Some(totals.oldest_ms.map_or(at, |o| o.min(at)));
        match totals.sums.iter_mut().find(|(c, _)| *c == amount.currency()) {
            Some((_, sum)) => *sum += amount.value(),
            None => totals.sums.push((amount.currency(), amount.value())),
        }
    }
    Ok(totals)
}

fn amount_of(offline_id: &str, amount: &str, currency: &str) -> Result<Amount, OfflineError> {
    let corrupt = |what: String| OfflineError::Corrupt { offline_id: offline_id.into(), what };
    let currency = Currency::from_code(currency).map_err(|e| corrupt(e.to_string()))?;
    let value: Decimal = amount.parse().map_err(|_| corrupt(format!("amount {amount:?}")))?;
    Amount::new(value, currency).map_err(|e| corrupt(e.to_string()))
}

fn entry_of(name: &str) -> Option<EntryMode> {
    match name {
        "Contactless" => Some(EntryMode::Contactless),
        "Chip" => Some(EntryMode::Chip),
        "Swipe" => Some(EntryMode::Swipe),
        _ => None,
    }
}
