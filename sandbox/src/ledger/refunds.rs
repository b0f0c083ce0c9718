//! Refunds: bounded by what was paid, idempotent by the merchant's refund id.

use rusqlite::{OptionalExtension, Transaction};
use tillkit_core::money::Amount;

use super::model::{Acquirer, Attempt, PaymentStatus, Refund};
use super::outbox::{self, NotificationKind};
use super::{
    attempt_by, exec, latest_attempt, next_id, one, refund_from_row, Ledger, LedgerError,
    REFUND_COLUMNS,
};
use crate::scenario::Scenario;

/// How a refund names the order it refunds.
#[derive(Debug, Clone)]
pub enum OrderRef {
    /// By the merchant's order id (PingPong).
    MerchantTransactionId(String),
    /// By the acquirer's payment id (Oceanpayment `payment_id`).
    TransactionId(String),
}

/// A refund request, validated by its wire layer.
#[derive(Debug, Clone)]
pub struct NewRefund {
    /// Which acquirer.
    pub acquirer: Acquirer,
    /// Idempotency key; `None` makes every request a new refund (Oceanpayment without
    /// `refund_number`).
    pub merchant_refund_id: Option<String>,
    /// The refunded order.
    pub order: OrderRef,
    /// How much.
    pub amount: Amount,
    /// Oceanpayment `refund_type` 1: the amount must be everything that remains.
    pub full: bool,
    /// Notification URL.
    pub notify_url: Option<String>,
    /// Remark / description, echoed.
    pub remark: Option<String>,
}

/// What the ledger decided about a refund.
#[derive(Debug, Clone)]
pub enum RefundDecision {
    /// Answer with this refund; `replay` for a repeated merchant refund id.
    Answer {
        /// The refund.
        refund: Refund,
        /// True for a repeated merchant refund id.
        replay: bool,
    },
    /// Refused; nothing committed.
    Refused(RefundRefusal),
}

/// Why a refund was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundRefusal {
    /// No such order or payment.
    UnknownOrder,
    /// The order is not paid.
    NotPaid(PaymentStatus),
    /// The refund's currency is not the payment's.
    CurrencyMismatch {
        /// The payment's currency.
        paid_in: String,
    },
    /// The merchant refund id was used with another amount or order.
    RefundIdReused,
    /// More than the payment (PingPong 108000).
    ExceedsOriginal {
        /// What was paid, minor units.
        paid_minor: i64,
    },
    /// More than what remains after earlier refunds (PingPong 108003).
    ExceedsRemaining {
        /// What remains, minor units.
        remaining_minor: i64,
    },
    /// A full refund whose amount is not what remains.
    FullRefundAmount {
        /// What remains, minor units.
        remaining_minor: i64,
    },
}

impl Ledger {
    /// Decides and commits a refund. The sandbox settles refunds at once (`SUCCESS`).
    pub fn refund(&self, r: &NewRefund) -> Result<RefundDecision, LedgerError> {
        self.write(|tx, now| {
            let attempt = match &r.order {
                OrderRef::MerchantTransactionId(id) => latest_attempt(tx, r.acquirer, id)?,
                OrderRef::TransactionId(id) => attempt_by(tx, r.acquirer, "transaction_id", id)?,
            };
            if let Some(id) = &r.merchant_refund_id {
                if let Some(seen) = refund_by(tx, r.acquirer, "merchant_refund_id", id)? {
                    let same_order = attempt
                        .as_ref()
                        .is_some_and(|a| a.merchant_transaction_id == seen.merchant_transaction_id);
                    return Ok(if same_order && seen.amount_minor == r.amount.minor_units() {
                        RefundDecision::Answer { refund: seen, replay: true }
                    } else {
                        RefundDecision::Refused(RefundRefusal::RefundIdReused)
                    });
                }
            }
            let Some(attempt) = attempt else {
                return Ok(RefundDecision::Refused(RefundRefusal::UnknownOrder));
            };
            if attempt.status != PaymentStatus::Success {
                return Ok(RefundDecision::Refused(RefundRefusal::NotPaid(attempt.status)));
            }
            if attempt.currency != r.amount.currency().code() {
                let paid_in = attempt.currency.clone();
                return Ok(RefundDecision::Refused(RefundRefusal::CurrencyMismatch { paid_in }));
            }
            let (paid, refunded) =
                paid_and_refunded(tx, r.acquirer, &attempt.merchant_transaction_id)?;
            let amount = r.amount.minor_units();
            let remaining = paid - refunded;
            let refusal = if amount > paid {
                Some(RefundRefusal::ExceedsOriginal { paid_minor: paid })
            } else if amount > remaining {
                Some(RefundRefusal::ExceedsRemaining { remaining_minor: remaining })
            } else if r.full && amount != remaining {
                Some(RefundRefusal::FullRefundAmount { remaining_minor: remaining })
            } else {
                None
            };
            if let Some(refusal) = refusal {
                return Ok(RefundDecision::Refused(refusal));
            }
            // Refund scenarios, by the refund amount's cents: 51 fails, 52 is pending for a
            // while, anything else succeeds at once.
            let (status, next_ms) = match Scenario::from_minor_units(amount) {
                Scenario::Decline => (PaymentStatus::Failed, None),
                Scenario::UserPaying => (
                    PaymentStatus::Processing,
                    Some(self.clock.after(now, self.timings.user_paying)),
                ),
                _ => (PaymentStatus::Success, None),
            };
            let row = RefundRow {
                merchant_refund_id: r.merchant_refund_id.as_deref(),
                amount_minor: amount,
                kind: "refund",
                status,
                next_ms,
                notify_url: r.notify_url.as_deref(),
                remark: r.remark.as_deref(),
            };
            let refund = insert_refund(tx, &attempt, &row, now)?;
            if refund.status.is_final() {
                notify(tx, &refund, now)?;
            }
            Ok(RefundDecision::Answer { refund, replay: false })
        })
    }

    /// A refund by the merchant's id or by the acquirer's id.
    pub fn find_refund(
        &self,
        acquirer: Acquirer,
        merchant_refund_id: Option<&str>,
        refund_id: Option<&str>,
    ) -> Result<Option<Refund>, LedgerError> {
        self.write(|tx, _| match (merchant_refund_id, refund_id) {
            (_, Some(id)) => refund_by(tx, acquirer, "refund_id", id),
            (Some(id), None) => refund_by(tx, acquirer, "merchant_refund_id", id),
            (None, None) => Ok(None),
        })
    }
}

/// Books the reversal of a paid order that is voided: a refund of everything that remains.
pub(super) fn reverse_in_full(
    tx: &Transaction<'_>,
    attempt: &Attempt,
    now: i64,
) -> Result<(), LedgerError> {
    let (paid, refunded) =
        paid_and_refunded(tx, attempt.acquirer, &attempt.merchant_transaction_id)?;
    if paid > refunded {
        let id = format!("void-{}", attempt.transaction_id);
        let row = RefundRow {
            merchant_refund_id: Some(&id),
            amount_minor: paid - refunded,
            kind: "void",
            status: PaymentStatus::Success,
            next_ms: None,
            notify_url: None,
            remark: Some("offline void"),
        };
        insert_refund(tx, attempt, &row, now)?;
    }
    Ok(())
}

/// Settles pending refunds that are due: they succeed (refund scenario 52).
pub(super) fn settle(tx: &Transaction<'_>, now: i64) -> Result<usize, LedgerError> {
    let due: Vec<(String, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT acquirer, refund_id FROM refunds WHERE status = 'PROCESSING' \
             AND next_ms IS NOT NULL AND next_ms <= ?1",
        )?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (acquirer, refund_id) in &due {
        let Some(acquirer) = Acquirer::parse(acquirer) else { continue };
        exec(
            tx,
            "UPDATE refunds SET status = next_status, next_ms = NULL \
             WHERE acquirer = ?1 AND refund_id = ?2",
            (acquirer.as_str(), refund_id),
        )?;
        if let Some(refund) = refund_by(tx, acquirer, "refund_id", refund_id)? {
            notify(tx, &refund, now)?;
        }
    }
    Ok(due.len())
}

/// Queues the refund's notification, if it asked for one.
fn notify(tx: &Transaction<'_>, refund: &Refund, now: i64) -> Result<(), LedgerError> {
    if let Some(url) = refund.notify_url.as_deref().filter(|u| !u.trim().is_empty()) {
        let id = &refund.refund_id;
        outbox::enqueue(tx, refund.acquirer, NotificationKind::Refund, id, url, now)?;
    }
    Ok(())
}

/// Paid and refunded (successful or pending refunds) totals of an order, in minor units.
pub(super) fn paid_and_refunded(
    tx: &Transaction<'_>,
    acquirer: Acquirer,
    merchant_transaction_id: &str,
) -> Result<(i64, i64), LedgerError> {
    let paid: i64 = one(
        tx,
        "SELECT COALESCE(SUM(amount_minor), 0) FROM charges \
         WHERE acquirer = ?1 AND merchant_transaction_id = ?2",
        (acquirer.as_str(), merchant_transaction_id),
        |r| r.get(0),
    )?;
    let refunded: i64 = one(
        tx,
        "SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE acquirer = ?1 \
         AND merchant_transaction_id = ?2 AND status IN ('SUCCESS', 'PROCESSING')",
        (acquirer.as_str(), merchant_transaction_id),
        |r| r.get(0),
    )?;
    Ok((paid, refunded))
}

fn refund_by(
    tx: &Transaction<'_>,
    acquirer: Acquirer,
    column: &'static str,
    value: &str,
) -> Result<Option<Refund>, LedgerError> {
    let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE acquirer = ?1 AND {column} = ?2");
    Ok(one(tx, &sql, (acquirer.as_str(), value), refund_from_row).optional()?)
}

/// The parts of a refund row that are not copied from the attempt.
struct RefundRow<'a> {
    merchant_refund_id: Option<&'a str>,
    amount_minor: i64,
    kind: &'static str,
    status: PaymentStatus,
    next_ms: Option<i64>,
    notify_url: Option<&'a str>,
    remark: Option<&'a str>,
}

fn insert_refund(
    tx: &Transaction<'_>,
    attempt: &Attempt,
    row: &RefundRow<'_>,
    now: i64,
) -> Result<Refund, LedgerError> {
    let width = if attempt.acquirer == Acquirer::Oceanpayment { 21 } else { 19 };
    let refund_id = next_id(tx, now, width)?;
    let merchant_refund_id = row.merchant_refund_id.unwrap_or(&refund_id);
    exec(
        tx,
        "INSERT INTO refunds (acquirer, merchant_refund_id, refund_id, merchant_transaction_id, \
         transaction_id, amount_minor, currency, status, initial_status, next_ms, next_status, \
         kind, created_ms, notify_url, remark) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, 'SUCCESS', ?10, ?11, ?12, ?13)",
        rusqlite::params![
            attempt.acquirer.as_str(),
            merchant_refund_id,
            &refund_id,
            &attempt.merchant_transaction_id,
            &attempt.transaction_id,
            row.amount_minor,
            &attempt.currency,
            row.status.as_str(),
            row.next_ms,
            row.kind,
            now,
            row.notify_url,
            row.remark,
        ],
    )?;
    refund_by(tx, attempt.acquirer, "refund_id", &refund_id)?
        .ok_or(LedgerError::Storage(rusqlite::Error::QueryReturnedNoRows))
}
