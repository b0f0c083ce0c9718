//! Read-only views of the ledger for tests and the inspection endpoints.

use rusqlite::Transaction;
use rust_decimal::Decimal;
use serde::Serialize;

use super::model::{Acquirer, Attempt, PaymentStatus, Refund};
use super::{
    attempt_from_row, refund_from_row, Ledger, LedgerError, ATTEMPT_COLUMNS, REFUND_COLUMNS,
};

/// One charge: money taken from the customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    /// The attempt that charged.
    pub request_id: String,
    /// Its acquirer id.
    pub transaction_id: String,
    /// Major units, with the currency's decimals.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// When, epoch ms.
    pub created_ms: i64,
}

/// An order with everything that happened to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// Which acquirer.
    pub acquirer: Acquirer,
    /// The merchant's order id.
    pub merchant_transaction_id: String,
    /// The state of its latest attempt.
    pub status: PaymentStatus,
    /// ISO 4217 code.
    pub currency: String,
    /// Payment attempts, oldest first.
    pub attempts: Vec<Attempt>,
    /// Charges (a correct client never causes more than one).
    pub charges: Vec<Charge>,
    /// Refunds and void reversals, oldest first.
    pub refunds: Vec<Refund>,
    /// Total charged, major units.
    pub paid: String,
    /// Total of successful refunds, major units.
    pub refunded: String,
}

/// One line of `GET /sandbox/ledger`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerRow {
    /// Which acquirer.
    pub acquirer: Acquirer,
    /// The merchant's order id.
    pub merchant_transaction_id: String,
    /// The state of its latest attempt.
    pub status: PaymentStatus,
    /// ISO 4217 code.
    pub currency: String,
    /// Number of attempts.
    pub attempts: i64,
    /// Number of successful charges.
    pub successful_charges: i64,
    /// Total charged, major units.
    pub paid: String,
    /// Total refunded, major units.
    pub refunded: String,
}

/// Minor units as a major-unit string with the currency's decimals ("12.50", "1000").
pub fn major(minor: i64, currency: &str) -> String {
    let exponent = tillkit_core::money::Currency::from_code(currency).map_or(2, |c| c.exponent());
    Decimal::new(minor, exponent).to_string()
}

impl Ledger {
    /// An order by acquirer and merchant id, with attempts, charges and refunds.
    pub fn order(
        &self,
        acquirer: Acquirer,
        merchant_transaction_id: &str,
    ) -> Result<Option<OrderView>, LedgerError> {
        self.write(|tx, _| order_view(tx, acquirer, merchant_transaction_id))
    }

    /// Every order with its number of successful charges and its totals.
    pub fn rows(&self) -> Result<Vec<LedgerRow>, LedgerError> {
        self.write(|tx, _| {
            let mut stmt = tx.prepare(
                "SELECT o.acquirer, o.merchant_transaction_id, o.status, o.currency, \
                 (SELECT COUNT(*) FROM attempts a WHERE a.acquirer = o.acquirer AND a.merchant_transaction_id = o.merchant_transaction_id), \
                 (SELECT COUNT(*) FROM charges c WHERE c.acquirer = o.acquirer AND c.merchant_transaction_id = o.merchant_transaction_id), \
                 (SELECT COALESCE(SUM(amount_minor), 0) FROM charges c WHERE c.acquirer = o.acquirer AND c.merchant_transaction_id = o.merchant_transaction_id), \
                 (SELECT COALESCE(SUM(amount_minor), 0) FROM refunds r WHERE r.acquirer = o.acquirer AND r.merchant_transaction_id = o.merchant_transaction_id AND r.status = 'SUCCESS') \
                 FROM orders o ORDER BY o.created_ms, o.merchant_transaction_id",
            )?;
            let rows = stmt.query_map([], |r| {
                let acquirer: String = r.get(0)?;
                let currency: String = r.get(3)?;
                Ok(LedgerRow {
                    acquirer: Acquirer::parse(&acquirer).unwrap_or(Acquirer::PingPong),
                    merchant_transaction_id: r.get(1)?,
                    status: PaymentStatus::parse(&r.get::<_, String>(2)?),
                    attempts: r.get(4)?,
                    successful_charges: r.get(5)?,
                    paid: major(r.get(6)?, &currency),
                    refunded: major(r.get(7)?, &currency),
                    currency,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Every refund and void reversal of every order, oldest first: lets a test compare its own
    /// refunds with the acquirer's in one read (a refund executed twice shows as two rows).
    pub fn refunds(&self) -> Result<Vec<Refund>, LedgerError> {
        self.write(|tx, _| {
            let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds ORDER BY seq");
            let mut stmt = tx.prepare(&sql)?;
            let rows = stmt.query_map([], refund_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

fn order_view(
    tx: &Transaction<'_>,
    acquirer: Acquirer,
    id: &str,
) -> Result<Option<OrderView>, LedgerError> {
    let key = (acquirer.as_str(), id);
    let attempts: Vec<Attempt> = {
        let sql = format!(
            "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE acquirer = ?1 AND merchant_transaction_id = ?2 ORDER BY seq"
        );
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt.query_map(key, attempt_from_row)?;
        rows.collect::<Result<_, _>>()?
    };
    let Some(last) = attempts.last() else { return Ok(None) };
    let (status, currency) = (last.status, last.currency.clone());
    let charges: Vec<Charge> = {
        let mut stmt = tx.prepare(
            "SELECT request_id, transaction_id, amount_minor, currency, created_ms FROM charges \
             WHERE acquirer = ?1 AND merchant_transaction_id = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(key, |r| {
            let currency: String = r.get(3)?;
            Ok(Charge {
                request_id: r.get(0)?,
                transaction_id: r.get(1)?,
                amount: major(r.get(2)?, &currency),
                currency,
                created_ms: r.get(4)?,
            })
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let refunds: Vec<Refund> = {
        let sql = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds WHERE acquirer = ?1 AND merchant_transaction_id = ?2 ORDER BY seq"
        );
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt.query_map(key, refund_from_row)?;
        rows.collect::<Result<_, _>>()?
    };
    let (paid, _) = super::refunds::paid_and_refunded(tx, acquirer, id)?;
    // Shown: money back with the customer, not refunds still pending.
    let refunded: i64 =
        refunds.iter().filter(|r| r.status == PaymentStatus::Success).map(|r| r.amount_minor).sum();
    Ok(Some(OrderView {
        acquirer,
        merchant_transaction_id: id.to_string(),
        status,
        paid: major(paid, &currency),
        refunded: major(refunded, &currency),
        currency,
        attempts,
        charges,
        refunds,
    }))
}
