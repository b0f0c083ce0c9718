//! Card sales served through the device channel: queued to the terminal, acknowledged,
//! authorised, ended by the terminal's result or the cashier's cancel (docs/terminal-channel.md,
//! "State of a card sale at the acquirer"). The attempt stays PROCESSING until one of them ends it.

use rusqlite::{OptionalExtension, Transaction};
use rust_decimal::Decimal;

use super::devices::NewMessage;
use super::model::{Acquirer, Attempt, Flow, PaymentStatus, Reason, Terminal};
use super::plan::Transition;
use super::{attempt_by, exec, finish_attempt, latest_attempt, one, Ledger, LedgerError};
use crate::scenario::Scenario;

/// Why a device channel request about a transaction was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelRefusal {
    /// No card sale with this id was routed to this terminal.
    UnknownTransaction,
    /// The sale was not acknowledged yet.
    NotAcknowledged,
    /// The sale already ended.
    Ended {
        /// How, in the channel's names.
        recorded: String,
    },
    /// The EMV amount or currency is not the sale's.
    AmountMismatch,
    /// `approved` without an approving `authorize`.
    NotAuthorized,
    /// `approved_offline` before the offline approval was forwarded.
    NotForwarded,
    /// Another result is on file.
    Conflict {
        /// The result on file.
        recorded: String,
    },
}

/// What a terminal's result says about the card (all optional, validated by the channel layer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardRead {
    /// The masked card number.
    pub masked_pan: Option<String>,
    /// The application's AID, upper-case hex.
    pub aid: Option<String>,
    /// The application label.
    pub label: Option<String>,
    /// `contactless`, `chip` or `swipe`.
    pub entry_mode: Option<String>,
}

/// The answer to an online authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeDecision {
    /// Approved with this code.
    Approved {
        /// The authorisation code.
        auth_code: String,
    },
    /// Declined (scenario 51).
    Declined,
    /// Not applied.
    Refused(ChannelRefusal),
}

/// What a terminal's result did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultDecision {
    /// Recorded now.
    Recorded,
    /// The same result was on file.
    AlreadyRecorded,
    /// Not applied.
    Refused(ChannelRefusal),
}

/// What a cashier's cancel did.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelDecision {
    /// The attempt as it is now: ended at once, or still PROCESSING with a cancel queued to the
    /// terminal.
    Answer(Box<Attempt>),
    /// The order's latest attempt is not a card sale served by a terminal agent.
    NotCancellable(Box<Attempt>),
    /// No such order.
    UnknownOrder,
}

/// A card sale's channel state and its attempt.
#[derive(Debug, Clone)]
pub(super) struct CardSale {
    pub attempt: Attempt,
    pub terminal: Terminal,
    pub stage: String,
    pub authorized: Option<bool>,
    pub auth_code: Option<String>,
    pub terminal_result: Option<String>,
    pub cancel_queued: bool,
}

impl CardSale {
    /// How the sale ended, in the channel's names.
    pub fn recorded(&self) -> String {
        if let Some(r) = &self.terminal_result {
            return r.clone();
        }
        match (self.attempt.status, self.attempt.reason.terminal_result()) {
            (PaymentStatus::Success, _) => "approved".into(),
            (_, Some(name)) => name.into(),
            (_, None) => self.attempt.reason.as_str().into(),
        }
    }
}

pub(super) fn by_request(
    tx: &Transaction<'_>,
    request_id: &str,
) -> Result<Option<CardSale>, LedgerError> {
    let Some(attempt) = attempt_by(tx, Acquirer::PingPong, "request_id", request_id)? else {
        return Ok(None);
    };
    let row = one(
        tx,
        "SELECT device_sn, device_model, stage, authorized, auth_code, terminal_result, \
         cancel_queued FROM card_sales WHERE request_id = ?1",
        [request_id],
        |r| {
            Ok((
                Terminal { device_sn: r.get(0)?, device_model: r.get(1)? },
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
            ))
        },
    )
    .optional()?;
    Ok(row.map(|(terminal, stage, authorized, auth_code, terminal_result, cancel)| CardSale {
        attempt,
        terminal,
        stage,
        authorized: authorized.map(|a| a != 0),
        auth_code,
        terminal_result,
        cancel_queued: cancel != 0,
    }))
}

/// The latest attempt of order `transaction_id`, if it is a card sale routed to `t`.
pub(super) fn of_terminal(
    tx: &Transaction<'_>,
    t: &Terminal,
    transaction_id: &str,
) -> Result<Option<CardSale>, LedgerError> {
    let Some(last) = latest_attempt(tx, Acquirer::PingPong, transaction_id)? else {
        return Ok(None);
    };
    Ok(by_request(tx, &last.request_id)?.filter(|s| s.terminal == *t))
}

/// Queues a new card sale to its terminal (the attempt is already inserted).
pub(super) fn queue(
    tx: &Transaction<'_>,
    attempt: &Attempt,
    t: &Terminal,
    deadline_ms: i64,
    now: i64,
) -> Result<(), LedgerError> {
    exec(
        tx,
        "INSERT INTO card_sales (request_id, device_sn, device_model, merchant_transaction_id, \
         stage) VALUES (?1, ?2, ?3, ?4, 'queued')",
        (&attempt.request_id, &t.device_sn, &t.device_model, &attempt.merchant_transaction_id),
    )?;
    let message = NewMessage {
        kind: "sale",
        request_id: &attempt.request_id,
        transaction_id: &attempt.merchant_transaction_id,
        amount: Some((attempt.amount_minor, &attempt.currency)),
        deadline_ms: Some(deadline_ms),
    };
    super::devices::enqueue(tx, t, message, now)?;
    Ok(())
}

fn end(
    tx: &Transaction<'_>,
    sale: &CardSale,
    status: PaymentStatus,
    reason: Reason,
    result: &str,
    now: i64,
) -> Result<(), LedgerError> {
    exec(
        tx,
        "UPDATE card_sales SET terminal_result = ?2 WHERE request_id = ?1",
        (&sale.attempt.request_id, result),
    )?;
    finish_attempt(
        tx,
        Acquirer::PingPong,
        &sale.attempt.request_id,
        Transition { at_ms: now, status, reason },
    )
}

/// A deterministic 6-digit authorisation code for a transaction.
fn auth_code(transaction_id: &str) -> String {
    let digits: String =
        transaction_id.chars().rev().filter(char::is_ascii_digit).take(6).collect();
    format!("{digits:0>6}")
}

impl Ledger {
    /// Decides the online authorisation of a sale routed to `t` by the sale's scenario, after
    /// checking that the card's amount and currency are the sale's. Stores only the masked PAN.
    pub fn authorize(
        &self,
        t: &Terminal,
        transaction_id: &str,
        amount: Decimal,
        currency: &str,
        masked_pan: &str,
    ) -> Result<AuthorizeDecision, LedgerError> {
        self.write(|tx, _| {
            let Some(sale) = of_terminal(tx, t, transaction_id)? else {
                return Ok(AuthorizeDecision::Refused(ChannelRefusal::UnknownTransaction));
            };
            if sale.attempt.status.is_final() {
                let recorded = sale.recorded();
                return Ok(AuthorizeDecision::Refused(ChannelRefusal::Ended { recorded }));
            }
            if sale.stage == "queued" {
                return Ok(AuthorizeDecision::Refused(ChannelRefusal::NotAcknowledged));
            }
            let exponent = tillkit_core::money::Currency::from_code(&sale.attempt.currency)
                .map_or(2, |c| c.exponent());
            if currency != sale.attempt.currency
                || amount != Decimal::new(sale.attempt.amount_minor, exponent)
            {
                return Ok(AuthorizeDecision::Refused(ChannelRefusal::AmountMismatch));
            }
            if let (Some(true), Some(auth_code)) = (sale.authorized, sale.auth_code) {
                // Asked again (a retry after a lost answer): the same approval.
                return Ok(AuthorizeDecision::Approved { auth_code });
            }
            let declined = Scenario::from_minor_units(sale.attempt.amount_minor) == Scenario::Decline;
            let code = (!declined).then(|| auth_code(&sale.attempt.transaction_id));
            exec(
                tx,
                "UPDATE card_sales SET stage = 'authorized', authorized = ?2, auth_code = ?3, \
                 masked_pan = ?4 WHERE request_id = ?1",
                (&sale.attempt.request_id, i64::from(!declined), &code, masked_pan),
            )?;
            if !declined {
                // Approved by the issuer: the order's expiry no longer ends it, the result does.
                exec(
                    tx,
                    "UPDATE attempts SET next_ms = NULL WHERE acquirer = 'pingpong' AND request_id = ?1",
                    [&sale.attempt.request_id],
                )?;
            }
            Ok(match code {
                Some(auth_code) => AuthorizeDecision::Approved { auth_code },
                None => AuthorizeDecision::Declined,
            })
        })
    }

    /// Records a terminal's result for a sale routed to `t` (idempotent; the first result wins).
    pub fn record_result(
        &self,
        t: &Terminal,
        transaction_id: &str,
        result: &str,
        read: &CardRead,
        why: Option<&str>,
    ) -> Result<ResultDecision, LedgerError> {
        self.write(|tx, now| {
            let Some(sale) = of_terminal(tx, t, transaction_id)? else {
                return Ok(ResultDecision::Refused(ChannelRefusal::UnknownTransaction));
            };
            if sale.attempt.status.is_final() {
                let recorded = sale.recorded();
                return Ok(if recorded == result {
                    ResultDecision::AlreadyRecorded
                } else {
                    ResultDecision::Refused(ChannelRefusal::Conflict { recorded })
                });
            }
            if sale.stage == "queued" {
                return Ok(ResultDecision::Refused(ChannelRefusal::NotAcknowledged));
            }
            let (status, reason) = match result {
                "approved" if sale.authorized == Some(true) => {
                    (PaymentStatus::Success, Reason::Approved)
                }
                "approved" => return Ok(ResultDecision::Refused(ChannelRefusal::NotAuthorized)),
                "approved_offline" => {
                    return Ok(ResultDecision::Refused(ChannelRefusal::NotForwarded))
                }
                "declined" => (PaymentStatus::Failed, Reason::Declined),
                "cancelled_at_terminal" => (PaymentStatus::Failed, Reason::CancelledAtTerminal),
                "cancelled_by_cashier" => (PaymentStatus::Failed, Reason::CancelledByCashier),
                "timed_out" => (PaymentStatus::Failed, Reason::TimedOut),
                _ => (PaymentStatus::Failed, Reason::TerminalFailed),
            };
            exec(
                tx,
                "UPDATE card_sales SET masked_pan = COALESCE(?2, masked_pan), result_reason = ?3, \
                 aid = COALESCE(?4, aid), app_label = COALESCE(?5, app_label), \
                 entry_mode = COALESCE(?6, entry_mode) WHERE request_id = ?1",
                (
                    &sale.attempt.request_id,
                    read.masked_pan.as_deref(),
                    why,
                    read.aid.as_deref(),
                    read.label.as_deref(),
                    read.entry_mode.as_deref(),
                ),
            )?;
            end(tx, &sale, status, reason, result, now)?;
            Ok(ResultDecision::Recorded)
        })
    }

    /// The cashier's cancel of an order's card sale: ends it at once when the terminal has not
    /// acknowledged it, else queues a `cancel` to the terminal and leaves it PROCESSING.
    pub fn cancel_card_sale(
        &self,
        acquirer: Acquirer,
        merchant_transaction_id: &str,
    ) -> Result<CancelDecision, LedgerError> {
        let (decision, queued) = self.write(|tx, now| {
            let Some(last) = latest_attempt(tx, acquirer, merchant_transaction_id)? else {
                return Ok((CancelDecision::UnknownOrder, false));
            };
            let sale = match by_request(tx, &last.request_id)? {
                Some(s) if last.flow == Flow::Card && acquirer == Acquirer::PingPong => s,
                _ => return Ok((CancelDecision::NotCancellable(Box::new(last)), false)),
            };
            let mut queued = false;
            if sale.attempt.status.is_final() {
            } else if sale.stage == "queued" {
                let cancelled = Reason::CancelledByCashier;
                end(tx, &sale, PaymentStatus::Failed, cancelled, "cancelled_by_cashier", now)?;
            } else if !sale.cancel_queued {
                let message = NewMessage {
                    kind: "cancel",
                    request_id: &sale.attempt.request_id,
                    transaction_id: merchant_transaction_id,
                    amount: None,
                    deadline_ms: None,
                };
                super::devices::enqueue(tx, &sale.terminal, message, now)?;
                exec(
                    tx,
                    "UPDATE card_sales SET cancel_queued = 1 WHERE request_id = ?1",
                    [&sale.attempt.request_id],
                )?;
                queued = true;
            }
            let now_attempt = attempt_by(tx, acquirer, "request_id", &last.request_id)?;
            let answer = now_attempt.unwrap_or(sale.attempt);
            Ok((CancelDecision::Answer(Box::new(answer)), queued))
        })?;
        if queued {
            self.ring();
        }
        Ok(decision)
    }
}
