//! Terminals' device keys (ids and their state, never the keys themselves), the inbox of
//! messages queued to each terminal, and whether a terminal's agent is reachable.

use rusqlite::{OptionalExtension, Transaction};

use super::model::{PaymentStatus, Terminal};
use super::{exec, major, one, Ledger, LedgerError};

/// A device key's record. The key is derived from the sandbox's master secret and its id, so
/// the ledger holds no key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKeyRow {
    /// The key's id.
    pub key_id: String,
    /// The terminal it belongs to.
    pub terminal: Terminal,
    /// Revoked by a re-registration or a removal.
    pub revoked: bool,
}

/// What the ledger made of a request's sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqCheck {
    /// Greater than the last accepted one: now the last accepted one.
    Accepted,
    /// At or below the last accepted one: refused, nothing changed.
    Replayed,
    /// The key is unknown or revoked.
    UnknownKey,
}

/// One unacknowledged message of a terminal's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    /// The message's sequence number (its id is `m-{seq}`).
    pub seq: i64,
    /// `sale`, `refund` or `cancel`.
    pub kind: String,
    /// The cashier's `merchantTransactionId`.
    pub transaction_id: String,
    /// Major units with the currency's decimals (sale and refund).
    pub amount: Option<String>,
    /// ISO 4217 code (sale and refund).
    pub currency: Option<String>,
    /// When an unacknowledged sale is closed as undelivered, epoch ms.
    pub deadline_ms: Option<i64>,
}

/// What an acknowledgement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckOutcome {
    /// Acknowledged (again, possibly).
    Acknowledged,
    /// The message's transaction already ended (e.g. closed as undelivered): do not run it.
    Ended {
        /// How it ended, in the channel's names.
        recorded: String,
    },
    /// No such message for this terminal.
    UnknownMessage,
}

/// Whether a terminal's card sales wait for an agent, and when the agent was last heard of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Presence {
    /// The terminal has a device key that is not revoked.
    pub keyed: bool,
    /// The last inbox poll, epoch ms.
    pub last_seen_ms: Option<i64>,
    /// The end of the inbox poll under way, epoch ms.
    pub polling_until_ms: Option<i64>,
}

pub(super) fn presence(tx: &Transaction<'_>, t: &Terminal) -> Result<Presence, LedgerError> {
    let row: Option<(Option<i64>, Option<i64>)> = one(
        tx,
        "SELECT last_seen_ms, polling_until_ms FROM device_keys \
         WHERE device_sn = ?1 AND device_model = ?2 AND revoked = 0 \
         ORDER BY created_ms DESC LIMIT 1",
        (&t.device_sn, &t.device_model),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    Ok(match row {
        Some((last_seen_ms, polling_until_ms)) => {
            Presence { keyed: true, last_seen_ms, polling_until_ms }
        }
        None => Presence { keyed: false, last_seen_ms: None, polling_until_ms: None },
    })
}

/// A message to queue to a terminal.
#[derive(Debug, Clone, Copy)]
pub(super) struct NewMessage<'a> {
    /// `sale`, `refund` or `cancel`.
    pub kind: &'a str,
    /// The PingPong attempt it is about.
    pub request_id: &'a str,
    /// The cashier's `merchantTransactionId`.
    pub transaction_id: &'a str,
    /// Minor units and currency (sale and refund).
    pub amount: Option<(i64, &'a str)>,
    /// When an unacknowledged sale is closed, epoch ms.
    pub deadline_ms: Option<i64>,
}

/// Queues a message to a terminal; returns its sequence number.
pub(super) fn enqueue(
    tx: &Transaction<'_>,
    t: &Terminal,
    m: NewMessage<'_>,
    now: i64,
) -> Result<i64, LedgerError> {
    Ok(one(
        tx,
        "INSERT INTO device_messages (device_sn, device_model, kind, request_id, transaction_id, \
         amount_minor, currency, deadline_ms, acked, created_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9) RETURNING seq",
        rusqlite::params![
            &t.device_sn,
            &t.device_model,
            m.kind,
            m.request_id,
            m.transaction_id,
            m.amount.map(|a| a.0),
            m.amount.map(|a| a.1),
            m.deadline_ms,
            now
        ],
        |r| r.get(0),
    )?)
}

impl Ledger {
    /// Registers a terminal with a new device key, revoking its previous keys at once.
    pub fn register_device(&self, t: &Terminal, key_id: &str) -> Result<(), LedgerError> {
        self.write(|tx, now| {
            exec(
                tx,
                "INSERT OR IGNORE INTO terminals (device_sn, device_model, created_ms) VALUES (?1, ?2, ?3)",
                (&t.device_sn, &t.device_model, now),
            )?;
            exec(
                tx,
                "UPDATE device_keys SET revoked = 1 WHERE device_sn = ?1 AND device_model = ?2",
                (&t.device_sn, &t.device_model),
            )?;
            exec(
                tx,
                "INSERT INTO device_keys (key_id, device_sn, device_model, revoked, created_ms) \
                 VALUES (?1, ?2, ?3, 0, ?4)",
                (key_id, &t.device_sn, &t.device_model, now),
            )?;
            Ok(())
        })
    }

    /// Removes every terminal with this serial number and revokes their keys. False if none.
    pub fn remove_terminal(&self, device_sn: &str) -> Result<bool, LedgerError> {
        self.write(|tx, _| {
            let removed = exec(tx, "DELETE FROM terminals WHERE device_sn = ?1", [device_sn])?;
            exec(tx, "UPDATE device_keys SET revoked = 1 WHERE device_sn = ?1", [device_sn])?;
            Ok(removed > 0)
        })
    }

    /// A device key's record.
    pub fn device_key(&self, key_id: &str) -> Result<Option<DeviceKeyRow>, LedgerError> {
        self.write(|tx, _| {
            Ok(one(
                tx,
                "SELECT key_id, device_sn, device_model, revoked FROM device_keys WHERE key_id = ?1",
                [key_id],
                |r| {
                    Ok(DeviceKeyRow {
                        key_id: r.get(0)?,
                        terminal: Terminal { device_sn: r.get(1)?, device_model: r.get(2)? },
                        revoked: r.get::<_, i64>(3)? != 0,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Accepts `seq` for a key if it is above the last accepted one (atomically).
    pub fn accept_seq(&self, key_id: &str, seq: i64) -> Result<SeqCheck, LedgerError> {
        self.write(|tx, _| {
            let row: Option<(i64, Option<i64>)> = one(
                tx,
                "SELECT revoked, last_seq FROM device_keys WHERE key_id = ?1",
                [key_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
            Ok(match row {
                None | Some((1.., _)) => SeqCheck::UnknownKey,
                Some((_, Some(last))) if seq <= last => SeqCheck::Replayed,
                Some(_) => {
                    exec(
                        tx,
                        "UPDATE device_keys SET last_seq = ?2 WHERE key_id = ?1",
                        (key_id, seq),
                    )?;
                    SeqCheck::Accepted
                }
            })
        })
    }

    /// Records an inbox poll: seen now, and reachable until the poll ends at `until_ms`.
    pub fn poll_seen(&self, key_id: &str, until_ms: Option<i64>) -> Result<(), LedgerError> {
        self.write(|tx, now| {
            exec(
                tx,
                "UPDATE device_keys SET last_seen_ms = ?2, polling_until_ms = ?3 WHERE key_id = ?1",
                (key_id, now, until_ms),
            )?;
            Ok(())
        })
    }

    /// The terminal's unacknowledged messages whose transaction is still under way, oldest
    /// first.
    pub fn inbox(&self, t: &Terminal) -> Result<Vec<InboxEntry>, LedgerError> {
        self.write(|tx, _| {
            let mut stmt = tx.prepare_cached(
                "SELECT m.seq, m.kind, m.transaction_id, m.amount_minor, m.currency, m.deadline_ms \
                 FROM device_messages m JOIN attempts a \
                 ON a.acquirer = 'pingpong' AND a.request_id = m.request_id \
                 WHERE m.device_sn = ?1 AND m.device_model = ?2 AND m.acked = 0 \
                 AND a.status = 'PROCESSING' ORDER BY m.seq",
            )?;
            let rows = stmt.query_map((&t.device_sn, &t.device_model), |r| {
                let minor: Option<i64> = r.get(3)?;
                let currency: Option<String> = r.get(4)?;
                Ok(InboxEntry {
                    seq: r.get(0)?,
                    kind: r.get(1)?,
                    transaction_id: r.get(2)?,
                    amount: minor.zip(currency.as_deref()).map(|(m, c)| major(m, c)),
                    currency,
                    deadline_ms: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Acknowledges message `seq` of terminal `t`. A sale acknowledged in time is delivered:
    /// from now on only the terminal's result, or the order's expiry before any approval, ends
    /// it.
    pub fn ack(&self, t: &Terminal, seq: i64) -> Result<AckOutcome, LedgerError> {
        self.write(|tx, _| {
            let msg: Option<(String, String)> = one(
                tx,
                "SELECT kind, request_id FROM device_messages \
                 WHERE seq = ?1 AND device_sn = ?2 AND device_model = ?3",
                (seq, &t.device_sn, &t.device_model),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
            let Some((kind, request_id)) = msg else { return Ok(AckOutcome::UnknownMessage) };
            let Some(sale) = super::card_sales::by_request(tx, &request_id)? else {
                return Ok(AckOutcome::UnknownMessage);
            };
            if sale.attempt.status != PaymentStatus::Processing {
                return Ok(AckOutcome::Ended { recorded: sale.recorded() });
            }
            exec(tx, "UPDATE device_messages SET acked = 1 WHERE seq = ?1", [seq])?;
            if kind == "sale" && sale.stage == "queued" {
                exec(
                    tx,
                    "UPDATE card_sales SET stage = 'delivered' WHERE request_id = ?1",
                    [&request_id],
                )?;
                // The pickup deadline no longer applies; the order's own expiry still does.
                exec(
                    tx,
                    "UPDATE attempts SET next_ms = expires_ms, next_status = 'CLOSED', \
                     next_reason = 'expired' WHERE acquirer = 'pingpong' AND request_id = ?1",
                    [&request_id],
                )?;
            }
            Ok(AckOutcome::Acknowledged)
        })
    }
}
