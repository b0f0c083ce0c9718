//! The records a report lists one by one: those still open or flagged, and those taken before
//! the range that changed in it (late changes). Both lists are capped; the count beyond the cap
//! is reported, so a store with thousands of stuck records still gives a report of bounded size.

use std::collections::HashMap;

use rusqlite::{params, Connection, Row};

use super::model::{LateChange, OpenItem};
use super::scope::Scope;
use super::totals::{decimal, scaled};
use crate::order::{AttentionReason, RefundState, SaleStatus};
use crate::store::{ms, StoreError};

/// At most this many records in each list.
pub const LIST_CAP: u32 = 500;

/// A sale is open while its status is one of these.
const OPEN_SALE: &str = "('queued', 'processing', 'unknown', 'cancelling')";
/// A refund is open while its state is one of these.
const OPEN_REFUND: &str = "('queued', 'unknown', 'processing')";

/// In the range and (open or flagged), or taken before it and still open; both tables bind
/// (?1 after, ?2 since, ?3 until) of their own.
fn open_where(alias: &str, open: &str) -> String {
    let a = alias;
    format!(
        "(({a}.rowid > ?1 AND {a}.created_at >= ?2 AND {a}.created_at < ?3 \
           AND ({a}.{st} IN {open} OR {a}.attention = 1)) \
         OR (({a}.rowid <= ?1 OR {a}.created_at < ?2) AND {a}.{st} IN {open}))",
        st = if a == "s" { "status" } else { "state" },
    )
}

fn why(status: &str, reason: Option<&str>, refund: bool) -> String {
    if let Some(r) = reason.and_then(AttentionReason::parse_db) {
        return r.text();
    }
    let text = if refund {
        match RefundState::parse(status) {
            Some(RefundState::Queued) => "not sent yet",
            Some(RefundState::Unknown) => "outcome unknown, being resolved: do not refund again",
            Some(RefundState::Processing) => "accepted by the acquirer, not final",
            _ => "flagged for a person",
        }
    } else {
        match SaleStatus::parse(status) {
            Some(SaleStatus::Queued) => "not sent yet: nothing charged so far",
            Some(SaleStatus::Processing) => "waiting for the customer, wallet or terminal",
            Some(SaleStatus::Unknown) => "outcome unknown, being resolved: do not charge again",
            Some(SaleStatus::Cancelling) => "a cancel is being sent",
            _ => "flagged for a person",
        }
    };
    text.to_string()
}

fn open_item(r: &Row<'_>, scope: &Scope, refund: bool) -> Result<OpenItem, StoreError> {
    let (id, sale_id, created, currency, amount, status, reason, rowid): (
        String,
        Option<String>,
        i64,
        String,
        String,
        String,
        Option<String>,
        i64,
    ) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
    let (after, since, until) = scope.bounds(refund);
    Ok(OpenItem {
        entity: if refund { "refund" } else { "sale" }.into(),
        why: why(&status, reason.as_deref(), refund),
        amount: scaled(decimal(&amount, &currency)?, &currency),
        in_range: rowid > after && created >= since && created < until,
        id,
        sale_id,
        created_ms: ms(created),
        currency,
        status,
        attention_reason: reason,
    })
}

/// The open and flagged records, oldest first, and how many more there are than listed.
pub(crate) fn open_items(
    c: &Connection,
    scope: &Scope,
) -> Result<(Vec<OpenItem>, u64), StoreError> {
    let mut items = Vec::new();
    let mut total = 0u64;
    for refund in [false, true] {
        let (table, alias, open) =
            if refund { ("refunds", "r", OPEN_REFUND) } else { ("sales", "s", OPEN_SALE) };
        let filter = open_where(alias, open);
        let (sale_id, status) =
            if refund { ("r.sale_id", "r.state") } else { ("NULL", "s.status") };
        let (after, since, until) = scope.bounds(refund);
        let count: i64 = c
            .prepare_cached(&format!("SELECT count(*) FROM {table} {alias} WHERE {filter}"))?
            .query_row(params![after, since, until], |r| r.get(0))?;
        total += u64::try_from(count).unwrap_or(0);
        let sql = format!(
            "SELECT {alias}.id, {sale_id}, {alias}.created_at, {alias}.currency, {alias}.amount, \
             {status}, {alias}.attention_reason, {alias}.rowid FROM {table} {alias} \
             WHERE {filter} ORDER BY {alias}.created_at, {alias}.rowid LIMIT ?4"
        );
        let mut stmt = c.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![after, since, until, LIST_CAP])?;
        while let Some(r) = rows.next()? {
            items.push(open_item(r, scope, refund)?);
        }
    }
    items.sort_by_key(|i| i.created_ms);
    items.truncate(LIST_CAP as usize);
    let more = total.saturating_sub(items.len() as u64);
    Ok((items, more))
}

/// Records taken before the range whose last change falls in it, oldest change first, with
/// their status at the previous close where its snapshot listed them.
pub(crate) fn late_changes(
    c: &Connection,
    scope: &Scope,
    at_close: &HashMap<(String, String), String>,
) -> Result<(Vec<LateChange>, u64), StoreError> {
    let Some(from) = scope.changes_from else {
        return Ok((Vec::new(), 0));
    };
    let mut items = Vec::new();
    let mut total = 0u64;
    for refund in [false, true] {
        let (table, status, entity) =
            if refund { ("refunds", "state", "refund") } else { ("sales", "status", "sale") };
        let (after, since, until) = scope.bounds(refund);
        let filter = "(rowid <= ?1 OR created_at < ?2) AND updated_at >= ?4 AND updated_at < ?3";
        let count: i64 = c
            .prepare_cached(&format!("SELECT count(*) FROM {table} WHERE {filter}"))?
            .query_row(params![after, since, until, from], |r| r.get(0))?;
        total += u64::try_from(count).unwrap_or(0);
        let sql = format!(
            "SELECT id, created_at, updated_at, currency, amount, {status} FROM {table} \
             WHERE {filter} ORDER BY updated_at, rowid LIMIT ?5"
        );
        let mut stmt = c.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![after, since, until, from, LIST_CAP])?;
        while let Some(r) = rows.next()? {
            let (id, created, changed, currency, amount, status): (
                String,
                i64,
                i64,
                String,
                String,
                String,
            ) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            items.push(LateChange {
                entity: entity.into(),
                status_at_close: at_close.get(&(entity.to_string(), id.clone())).cloned(),
                amount: scaled(decimal(&amount, &currency)?, &currency),
                id,
                created_ms: ms(created),
                changed_ms: ms(changed),
                currency,
                status,
            });
        }
    }
    items.sort_by_key(|i| i.changed_ms);
    items.truncate(LIST_CAP as usize);
    let more = total.saturating_sub(items.len() as u64);
    Ok((items, more))
}
