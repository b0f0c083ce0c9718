//! The sandbox ledger: orders, attempts, charges, refunds and the notification outbox, in SQLite.
//!
//! Every operation runs in one SQLite transaction under one lock, and first settles whatever
//! became due (a customer paid, a terminal finished, an order expired), so that two requests can
//! never both charge one order and every read sees the state the clock implies.

mod card_sales;
mod devices;
pub mod model;
mod offline;
mod outbox;
mod payments;
pub mod plan;
mod refunds;
mod schema;
mod views;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, Transaction};

use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::{ScenarioTimings, TerminalMode};
use model::{Acquirer, Attempt, CardOnFile, Flow, PaymentStatus, Reason, Refund, Terminal};
use plan::Transition;

pub use card_sales::{AuthorizeDecision, CancelDecision, CardRead, ChannelRefusal, ResultDecision};
pub use devices::{AckOutcome, DeviceKeyRow, InboxEntry, SeqCheck};
pub use offline::{OfflineDecision, OfflineSale};
pub use outbox::{Notification, NotificationKind, NotificationState};
pub use payments::{NewPayment, PaymentDecision, Refusal, VoidDecision};
pub use refunds::{NewRefund, OrderRef, RefundDecision, RefundRefusal};
pub use views::{major, Charge, LedgerRow, OrderView};

/// Why the ledger could not answer. Requests that hit it get an "internal error" answer.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// SQLite failed (disk full, locked file, corrupt database…).
    #[error("ledger storage error: {0}")]
    Storage(#[from] rusqlite::Error),
}

/// The sandbox's books. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Ledger {
    conn: Mutex<Connection>,
    clock: Clock,
    timings: ScenarioTimings,
    terminal_mode: TerminalMode,
    /// Rung whenever a message is queued to a terminal, so that waiting inbox polls look again.
    bell: watch::Sender<u64>,
}

impl Ledger {
    /// Opens (or creates) the ledger at `path`, or in memory when `path` is `None`.
    pub fn open(
        path: Option<&Path>,
        clock: Clock,
        timings: ScenarioTimings,
    ) -> Result<Self, LedgerError> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        schema::prepare(&conn)?;
        let (bell, _) = watch::channel(0);
        Ok(Ledger {
            conn: Mutex::new(conn),
            clock,
            timings,
            terminal_mode: TerminalMode::default(),
            bell,
        })
    }

    /// The same ledger serving card sales of keyless terminals in `mode`.
    pub fn with_terminal_mode(mut self, mode: TerminalMode) -> Self {
        self.terminal_mode = mode;
        self
    }

    /// A receiver that changes whenever a message is queued to some terminal.
    pub fn inbox_bell(&self) -> watch::Receiver<u64> {
        self.bell.subscribe()
    }

    fn ring(&self) {
        self.bell.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The clock the ledger settles by.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Runs `f` in a transaction after settling everything due; commits if `f` succeeds.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, i64) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        // A panic while holding the lock leaves SQLite's transaction rolled back, so the
        // connection is still consistent: recover it rather than poisoning the sandbox.
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction()?;
        let now = self.clock.now_ms();
        settle(&tx, now)?;
        let out = f(&tx, now)?;
        tx.commit()?;
        Ok(out)
    }

    /// Persists every state change that is due (expiries, customer and terminal results) and
    /// queues their notifications. Returns how many attempts changed.
    pub fn settle_due(&self) -> Result<usize, LedgerError> {
        self.write(settle)
    }

    /// The attempt with this idempotency key.
    pub fn attempt(
        &self,
        acquirer: Acquirer,
        request_id: &str,
    ) -> Result<Option<Attempt>, LedgerError> {
        self.write(|tx, _| attempt_by(tx, acquirer, "request_id", request_id))
    }

    /// The latest attempt of an order.
    pub fn latest_attempt(
        &self,
        acquirer: Acquirer,
        merchant_transaction_id: &str,
    ) -> Result<Option<Attempt>, LedgerError> {
        self.write(|tx, _| latest_attempt(tx, acquirer, merchant_transaction_id))
    }

    /// The attempt with this acquirer-side id (`transactionId` / `payment_id`).
    pub fn attempt_by_transaction_id(
        &self,
        acquirer: Acquirer,
        transaction_id: &str,
    ) -> Result<Option<Attempt>, LedgerError> {
        self.write(|tx, _| attempt_by(tx, acquirer, "transaction_id", transaction_id))
    }

    /// Registers a simulated card terminal (idempotent).
    pub fn register_terminal(&self, terminal: &Terminal) -> Result<(), LedgerError> {
        self.write(|tx, now| {
            exec(
                tx,
                "INSERT OR IGNORE INTO terminals (device_sn, device_model, created_ms) VALUES (?1, ?2, ?3)",
                (&terminal.device_sn, &terminal.device_model, now),
            )?;
            Ok(())
        })
    }

    /// Every registered terminal.
    pub fn terminals(&self) -> Result<Vec<Terminal>, LedgerError> {
        self.write(|tx, _| {
            let mut stmt =
                tx.prepare("SELECT device_sn, device_model FROM terminals ORDER BY device_sn")?;
            let rows = stmt.query_map([], |r| {
                Ok(Terminal { device_sn: r.get(0)?, device_model: r.get(1)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

/// Runs a statement through the statement cache: the same few statements run for every request.
fn exec(tx: &Transaction<'_>, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql)?.execute(params)
}

/// Reads one row through the statement cache.
fn one<T>(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    tx.prepare_cached(sql)?.query_row(params, f)
}

/// Columns of `attempts` in the order [`attempt_from_row`] reads them.
const ATTEMPT_COLUMNS: &str = "acquirer, request_id, merchant_transaction_id, transaction_id, \
    amount_minor, currency, flow, method, code_masked, device_sn, device_model, cashier_device_id, \
    scenario, status, reason, initial_status, initial_reason, created_ms, final_ms, expires_ms, \
    notify_url, close_notify_url, remark, \
    (SELECT masked_pan FROM card_sales c WHERE c.request_id = attempts.request_id), \
    (SELECT auth_code FROM card_sales c WHERE c.request_id = attempts.request_id), \
    (SELECT aid FROM card_sales c WHERE c.request_id = attempts.request_id), \
    (SELECT app_label FROM card_sales c WHERE c.request_id = attempts.request_id), \
    (SELECT entry_mode FROM card_sales c WHERE c.request_id = attempts.request_id)";

fn attempt_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Attempt> {
    let acquirer: String = r.get(0)?;
    Ok(Attempt {
        acquirer: Acquirer::parse(&acquirer).unwrap_or(Acquirer::PingPong),
        request_id: r.get(1)?,
        merchant_transaction_id: r.get(2)?,
        transaction_id: r.get(3)?,
        amount_minor: r.get(4)?,
        currency: r.get(5)?,
        flow: Flow::parse(&r.get::<_, String>(6)?),
        method: r.get(7)?,
        code_masked: r.get(8)?,
        device_sn: r.get(9)?,
        device_model: r.get(10)?,
        cashier_device_id: r.get(11)?,
        scenario: r.get(12)?,
        status: PaymentStatus::parse(&r.get::<_, String>(13)?),
        reason: Reason::parse(&r.get::<_, String>(14)?),
        initial_status: PaymentStatus::parse(&r.get::<_, String>(15)?),
        initial_reason: Reason::parse(&r.get::<_, String>(16)?),
        created_ms: r.get(17)?,
        final_ms: r.get(18)?,
        expires_ms: r.get(19)?,
        notify_url: r.get(20)?,
        close_notify_url: r.get(21)?,
        remark: r.get(22)?,
        card: match r.get::<_, Option<String>>(23)? {
            Some(masked_pan) => Some(CardOnFile {
                masked_pan,
                auth_code: r.get(24)?,
                aid: r.get(25)?,
                label: r.get(26)?,
                entry_mode: r.get(27)?,
            }),
            None => None,
        },
    })
}

/// Looks an attempt up by one unique column (`request_id` or `transaction_id`).
fn attempt_by(
    tx: &Transaction<'_>,
    acquirer: Acquirer,
    column: &'static str,
    value: &str,
) -> Result<Option<Attempt>, LedgerError> {
    let sql =
        format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE acquirer = ?1 AND {column} = ?2");
    Ok(one(tx, &sql, (acquirer.as_str(), value), attempt_from_row).optional()?)
}

fn latest_attempt(
    tx: &Transaction<'_>,
    acquirer: Acquirer,
    merchant_transaction_id: &str,
) -> Result<Option<Attempt>, LedgerError> {
    let sql = format!(
        "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE acquirer = ?1 AND merchant_transaction_id = ?2 \
         ORDER BY seq DESC LIMIT 1"
    );
    Ok(tx
        .query_row(&sql, (acquirer.as_str(), merchant_transaction_id), attempt_from_row)
        .optional()?)
}

fn refund_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Refund> {
    let acquirer: String = r.get(0)?;
    Ok(Refund {
        acquirer: Acquirer::parse(&acquirer).unwrap_or(Acquirer::PingPong),
        merchant_refund_id: r.get(1)?,
        refund_id: r.get(2)?,
        merchant_transaction_id: r.get(3)?,
        transaction_id: r.get(4)?,
        amount_minor: r.get(5)?,
        currency: r.get(6)?,
        status: PaymentStatus::parse(&r.get::<_, String>(7)?),
        kind: r.get(8)?,
        created_ms: r.get(9)?,
        notify_url: r.get(10)?,
        remark: r.get(11)?,
        initial_status: PaymentStatus::parse(&r.get::<_, String>(12)?),
    })
}

/// Columns of `refunds` in the order [`refund_from_row`] reads them.
const REFUND_COLUMNS: &str = "acquirer, merchant_refund_id, refund_id, merchant_transaction_id, \
    transaction_id, amount_minor, currency, status, kind, created_ms, notify_url, remark, \
    initial_status";

/// Applies every transition due at `now`.
fn settle(tx: &Transaction<'_>, now: i64) -> Result<usize, LedgerError> {
    let due: Vec<(String, String, i64, String, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT acquirer, request_id, next_ms, next_status, next_reason FROM attempts \
             WHERE status = 'PROCESSING' AND next_ms IS NOT NULL AND next_ms <= ?1",
        )?;
        let rows =
            stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (acquirer, request_id, at_ms, status, reason) in &due {
        let Some(acquirer) = Acquirer::parse(acquirer) else { continue };
        let transition = Transition {
            at_ms: *at_ms,
            status: PaymentStatus::parse(status),
            reason: Reason::parse(reason),
        };
        finish_attempt(tx, acquirer, request_id, transition)?;
    }
    Ok(due.len() + refunds::settle(tx, now)?)
}

/// Moves a PROCESSING attempt to a final state: books the charge and queues the notification.
fn finish_attempt(
    tx: &Transaction<'_>,
    acquirer: Acquirer,
    request_id: &str,
    t: Transition,
) -> Result<(), LedgerError> {
    exec(
        tx,
        "UPDATE attempts SET status = ?3, reason = ?4, final_ms = ?5, next_ms = NULL \
         WHERE acquirer = ?1 AND request_id = ?2",
        (acquirer.as_str(), request_id, t.status.as_str(), t.reason.as_str(), t.at_ms),
    )?;
    if let Some(attempt) = attempt_by(tx, acquirer, "request_id", request_id)? {
        after_final(tx, &attempt, t.at_ms)?;
    }
    Ok(())
}

/// Bookkeeping shared by every attempt that reaches a final state, at once or later.
fn after_final(tx: &Transaction<'_>, attempt: &Attempt, at_ms: i64) -> Result<(), LedgerError> {
    exec(
        tx,
        "UPDATE orders SET status = ?3 WHERE acquirer = ?1 AND merchant_transaction_id = ?2",
        (attempt.acquirer.as_str(), &attempt.merchant_transaction_id, attempt.status.as_str()),
    )?;
    if attempt.status == PaymentStatus::Success {
        exec(
            tx,
            "INSERT INTO charges (acquirer, merchant_transaction_id, request_id, transaction_id, \
             amount_minor, currency, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (
                attempt.acquirer.as_str(),
                &attempt.merchant_transaction_id,
                &attempt.request_id,
                &attempt.transaction_id,
                attempt.amount_minor,
                &attempt.currency,
                at_ms,
            ),
        )?;
    }
    if let Some(url) = notification_url(attempt) {
        outbox::enqueue(
            tx,
            attempt.acquirer,
            NotificationKind::Payment,
            &attempt.transaction_id,
            url,
            at_ms,
        )?;
    }
    Ok(())
}

/// Where a final attempt is notified: PingPong sends SUCCESS and FAILED to `notificationUrl`
/// and CLOSED only to `closeNotificationUrl`; Oceanpayment sends every final pay result to
/// `noticeUrl`. A void is the merchant's own act and is not notified.
fn notification_url(attempt: &Attempt) -> Option<&str> {
    let url = match (attempt.acquirer, attempt.status) {
        (_, PaymentStatus::Processing | PaymentStatus::Cancel) => None,
        (Acquirer::PingPong, PaymentStatus::Closed) => attempt.close_notify_url.as_deref(),
        (_, _) => attempt.notify_url.as_deref(),
    };
    url.filter(|u| !u.trim().is_empty())
}

/// A fresh acquirer-side id: the creation time and a ledger-wide sequence, all digits, `width`
/// long (PingPong ids are 19 digits, Oceanpayment's 21).
fn next_id(tx: &Transaction<'_>, now: i64, width: usize) -> Result<String, LedgerError> {
    let seq: i64 = one(
        tx,
        "UPDATE counters SET value = value + 1 WHERE name = 'ids' RETURNING value",
        [],
        |r| r.get(0),
    )?;
    let seq_width = width.saturating_sub(13);
    let modulus = 10_i64.saturating_pow(u32::try_from(seq_width).unwrap_or(0));
    Ok(format!("{now:013}{:0seq_width$}", seq.rem_euclid(modulus.max(1))))
}
