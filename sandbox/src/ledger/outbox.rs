//! The notification outbox: what is to be sent where, and what happened to each send.
//!
//! Bodies are not stored: the sender renders them from the ledger when it sends, so a body always
//! carries the final state it announces. The retry policy lives in `crate::notify`.

use rusqlite::Transaction;
use serde::Serialize;

use super::model::Acquirer;
use super::{exec, Ledger, LedgerError};

/// What a notification announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    /// A payment's final state (subject: the transaction id).
    Payment,
    /// A refund's result (subject: the refund id).
    Refund,
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationState {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt is in flight.
    Sending,
    /// Acknowledged by the receiver.
    Delivered,
    /// Every attempt failed.
    Failed,
    /// Not sent: the URL is not on this machine.
    Refused,
}

impl NotificationState {
    fn as_str(self) -> &'static str {
        match self {
            NotificationState::Pending => "pending",
            NotificationState::Sending => "sending",
            NotificationState::Delivered => "delivered",
            NotificationState::Failed => "failed",
            NotificationState::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "sending" => NotificationState::Sending,
            "delivered" => NotificationState::Delivered,
            "failed" => NotificationState::Failed,
            "refused" => NotificationState::Refused,
            _ => NotificationState::Pending,
        }
    }
}

/// One queued notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Outbox id.
    pub id: i64,
    /// Which acquirer's format.
    pub acquirer: Acquirer,
    /// Payment or refund.
    pub kind: NotificationKind,
    /// Transaction id or refund id.
    pub subject: String,
    /// Receiver.
    pub url: String,
    /// Where it stands.
    pub state: NotificationState,
    /// Attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due, epoch ms.
    pub next_at_ms: i64,
    /// What went wrong last time.
    pub last_error: Option<String>,
}

pub(super) fn enqueue(
    tx: &Transaction<'_>,
    acquirer: Acquirer,
    kind: NotificationKind,
    subject: &str,
    url: &str,
    now: i64,
) -> Result<(), LedgerError> {
    let kind = match kind {
        NotificationKind::Payment => "payment",
        NotificationKind::Refund => "refund",
    };
    exec(
        tx,
        "INSERT INTO notifications (acquirer, kind, subject, url, state, attempts, next_at_ms, created_ms) \
         VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)",
        (acquirer.as_str(), kind, subject, url, now),
    )?;
    Ok(())
}

const COLUMNS: &str = "id, acquirer, kind, subject, url, state, attempts, next_at_ms, last_error";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Notification> {
    let acquirer: String = r.get(1)?;
    let kind: String = r.get(2)?;
    Ok(Notification {
        id: r.get(0)?,
        acquirer: Acquirer::parse(&acquirer).unwrap_or(Acquirer::PingPong),
        kind: if kind == "refund" { NotificationKind::Refund } else { NotificationKind::Payment },
        subject: r.get(3)?,
        url: r.get(4)?,
        state: NotificationState::parse(&r.get::<_, String>(5)?),
        attempts: r.get(6)?,
        next_at_ms: r.get(7)?,
        last_error: r.get(8)?,
    })
}

impl Ledger {
    /// Claims up to `limit` notifications that are due (marks them `sending`).
    pub(crate) fn claim_due_notifications(
        &self,
        limit: usize,
    ) -> Result<Vec<Notification>, LedgerError> {
        self.write(|tx, now| {
            let due: Vec<Notification> = {
                let sql = format!(
                    "SELECT {COLUMNS} FROM notifications WHERE state = 'pending' AND next_at_ms <= ?1 \
                     ORDER BY next_at_ms LIMIT ?2"
                );
                let mut stmt = tx.prepare_cached(&sql)?;
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                let rows = stmt.query_map((now, limit), from_row)?;
                rows.collect::<Result<_, _>>()?
            };
            for n in &due {
                exec(tx, "UPDATE notifications SET state = 'sending' WHERE id = ?1", [n.id])?;
            }
            Ok(due)
        })
    }

    /// Records one attempt: its new state, when to try again and what went wrong.
    pub(crate) fn record_notification_attempt(
        &self,
        id: i64,
        state: NotificationState,
        next_at_ms: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), LedgerError> {
        self.write(|tx, now| {
            exec(
                tx,
                "UPDATE notifications SET state = ?2, attempts = attempts + 1, \
                 next_at_ms = COALESCE(?3, next_at_ms), last_error = ?4 WHERE id = ?1",
                (id, state.as_str(), next_at_ms.or(Some(now)), error),
            )?;
            Ok(())
        })
    }

    /// Marks a notification as refused without counting an attempt.
    pub(crate) fn refuse_notification(&self, id: i64, why: &str) -> Result<(), LedgerError> {
        self.write(|tx, _| {
            exec(
                tx,
                "UPDATE notifications SET state = 'refused', last_error = ?2 WHERE id = ?1",
                (id, why),
            )?;
            Ok(())
        })
    }

    /// Every notification, oldest first.
    pub fn notifications(&self) -> Result<Vec<Notification>, LedgerError> {
        self.write(|tx, _| {
            let mut stmt =
                tx.prepare(&format!("SELECT {COLUMNS} FROM notifications ORDER BY id"))?;
            let rows = stmt.query_map([], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}
