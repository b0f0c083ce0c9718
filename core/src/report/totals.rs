//! The report's sums: one pass over the range's sales and one over its refunds, each row read
//! and dropped (memory grows with the number of groups, never with the number of rows), and
//! the outbox as it is now.
//!
//! Amounts are stored as text at their currency's exponent; they are summed as decimals in
//! Rust, never by SQLite (whose `sum` of text goes through floating point).

use std::collections::BTreeMap;
use std::str::FromStr;

use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::model::{
    CurrencyAmount, CurrencySummary, MethodTotal, OutboxSummary, StatusTotal, Tally,
};
use super::scope::Scope;
use crate::money::Currency;
use crate::order::{RefundState, SaleStatus};
use crate::store::StoreError;

/// (currency, method, wallet, status) → (count, sum).
type Groups = BTreeMap<(String, String, Option<String>, String), (u64, Decimal)>;

/// The sums of a range.
pub(crate) struct Totals {
    pub currencies: Vec<CurrencySummary>,
    pub paid_by_method: Vec<MethodTotal>,
    pub refunded_by_method: Vec<MethodTotal>,
    pub sales_by_status: Vec<StatusTotal>,
    pub refunds_by_state: Vec<StatusTotal>,
}

/// A stored amount as a decimal, checked against its currency.
pub(crate) fn decimal(text: &str, currency: &str) -> Result<Decimal, StoreError> {
    let bad = |reason: String| StoreError::BadRow { what: "amount", reason };
    let c = Currency::from_code(currency).map_err(|e| bad(e.to_string()))?;
    let v = Decimal::from_str(text).map_err(|e| bad(format!("{text:?}: {e}")))?;
    if v.normalize().scale() > c.exponent() {
        return Err(bad(format!("{text:?} has more decimals than {currency}")));
    }
    Ok(v)
}

/// `v` with exactly the currency's decimals ("12.50", "1000").
pub(crate) fn scaled(mut v: Decimal, currency: &str) -> Decimal {
    if let Ok(c) = Currency::from_code(currency) {
        v.rescale(c.exponent());
    }
    v
}

fn group(c: &Connection, sql: &str, bounds: (i64, i64, i64)) -> Result<Groups, StoreError> {
    let mut groups = Groups::new();
    let mut stmt = c.prepare_cached(sql)?;
    let mut rows = stmt.query(params![bounds.0, bounds.1, bounds.2])?;
    while let Some(r) = rows.next()? {
        let (currency, method, wallet, status, amount): (String, _, _, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let value = decimal(&amount, &currency)?;
        let slot = groups.entry((currency, method, wallet, status)).or_default();
        slot.0 += 1;
        slot.1 += value;
    }
    Ok(groups)
}

fn add(t: &mut Tally, (count, total): (u64, Decimal)) {
    t.count += count;
    t.total += total;
}

fn by_status(groups: &Groups) -> Vec<StatusTotal> {
    let mut out: BTreeMap<(String, String), (u64, Decimal)> = BTreeMap::new();
    for ((currency, _, _, status), (n, v)) in groups {
        let slot = out.entry((currency.clone(), status.clone())).or_default();
        slot.0 += n;
        slot.1 += v;
    }
    out.into_iter()
        .map(|((currency, status), (count, total))| StatusTotal {
            total: scaled(total, &currency),
            currency,
            status,
            count,
        })
        .collect()
}

fn by_method(groups: &Groups, status: &str) -> Vec<MethodTotal> {
    groups
        .iter()
        .filter(|((_, _, _, s), _)| s == status)
        .map(|((currency, method, wallet, _), (count, total))| MethodTotal {
            currency: currency.clone(),
            method: method.clone(),
            wallet: wallet.clone(),
            count: *count,
            total: scaled(*total, currency),
        })
        .collect()
}

fn summary(currency: &str) -> CurrencySummary {
    CurrencySummary {
        currency: currency.to_string(),
        paid: Tally::default(),
        not_paid: Tally::default(),
        pending: Tally::default(),
        refunded: Tally::default(),
        refunds_failed: Tally::default(),
        refunds_pending: Tally::default(),
        net: Decimal::ZERO,
    }
}

fn bad_status(what: &'static str, s: &str) -> StoreError {
    StoreError::BadRow { what, reason: s.chars().take(40).collect() }
}

/// The sums of the sales and refunds in `scope`.
pub(crate) fn totals(c: &Connection, scope: &Scope) -> Result<Totals, StoreError> {
    let sales = group(
        c,
        "SELECT currency, kind, wallet, status, amount FROM sales \
         WHERE rowid > ?1 AND created_at >= ?2 AND created_at < ?3",
        scope.bounds(false),
    )?;
    // A refund is counted under its sale's method and wallet, which the sale keeps for good.
    let refunds = group(
        c,
        "SELECT r.currency, s.kind, s.wallet, r.state, r.amount FROM refunds r \
         JOIN sales s ON s.id = r.sale_id \
         WHERE r.rowid > ?1 AND r.created_at >= ?2 AND r.created_at < ?3",
        scope.bounds(true),
    )?;
    let mut currencies: BTreeMap<String, CurrencySummary> = BTreeMap::new();
    for ((currency, _, _, status), v) in &sales {
        let s = currencies.entry(currency.clone()).or_insert_with(|| summary(currency));
        match SaleStatus::parse(status).ok_or_else(|| bad_status("sale status", status))? {
            SaleStatus::Paid => add(&mut s.paid, *v),
            SaleStatus::Failed(_) => add(&mut s.not_paid, *v),
            _ => add(&mut s.pending, *v),
        }
    }
    for ((currency, _, _, state), v) in &refunds {
        let s = currencies.entry(currency.clone()).or_insert_with(|| summary(currency));
        match RefundState::parse(state).ok_or_else(|| bad_status("refund state", state))? {
            RefundState::Succeeded => add(&mut s.refunded, *v),
            RefundState::Failed | RefundState::Expired => add(&mut s.refunds_failed, *v),
            _ => add(&mut s.refunds_pending, *v),
        }
    }
    let currencies = currencies
        .into_values()
        .map(|mut s| {
            let code = s.currency.clone();
            for t in [
                &mut s.paid,
                &mut s.not_paid,
                &mut s.pending,
                &mut s.refunded,
                &mut s.refunds_failed,
                &mut s.refunds_pending,
            ] {
                t.total = scaled(t.total, &code);
            }
            s.net = scaled(s.paid.total - s.refunded.total, &code);
            s
        })
        .collect();
    Ok(Totals {
        currencies,
        paid_by_method: by_method(&sales, SaleStatus::Paid.as_str()),
        refunded_by_method: by_method(&refunds, RefundState::Succeeded.as_str()),
        sales_by_status: by_status(&sales),
        refunds_by_state: by_status(&refunds),
    })
}

/// What waits in the outbox now, counted as the engine's queue status counts it.
pub(crate) fn outbox(c: &Connection) -> Result<OutboxSummary, StoreError> {
    let t = crate::store::queue_tally(c)?;
    Ok(OutboxSummary {
        sales: t.sales,
        refunds: t.refunds,
        unknown: t.unknown,
        unsent: t.unsent,
        totals: t
            .totals
            .into_iter()
            .map(|(currency, amount)| CurrencyAmount {
                amount: scaled(amount, &currency),
                currency,
            })
            .collect(),
        oldest_queued_ms: t.oldest_queued_at,
    })
}
