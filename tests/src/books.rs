//! The books check shared by the fault run and the crash test: the register's sales and refunds
//! against the sandbox ledger (`GET /sandbox/ledger` and `GET /sandbox/refunds`, as JSON).
//!
//! Every problem is collected, not asserted one by one, so that a failing run names all of its
//! bad sales at once.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use tillkit_core::order::{RefundState, SaleStatus};

/// A sale as the register recorded it.
#[derive(Debug, Clone)]
pub struct LocalSale {
    /// Sale id (the acquirer's merchant order id).
    pub id: String,
    /// Its status.
    pub status: SaleStatus,
}

/// A refund as the register recorded it.
#[derive(Debug, Clone)]
pub struct LocalRefund {
    /// Merchant refund id (sent as the acquirer's idempotency key).
    pub id: String,
    /// The refunded sale.
    pub sale_id: String,
    /// Its state.
    pub state: RefundState,
    /// Its amount, major units.
    pub amount: Decimal,
    /// Flagged for a person.
    pub attention: bool,
}

/// What the check tolerates.
#[derive(Debug, Clone)]
pub struct Rules {
    /// `pingpong` or `oceanpayment`: ledger rows of the other acquirer are ignored.
    pub acquirer: &'static str,
    /// Only ledger orders whose id starts with this belong to the run.
    pub prefix: String,
    /// A refund left unknown or needing attention is counted, not a failure (Oceanpayment: a
    /// refund whose answer was lost has no `refund_id`, and its refund query needs one).
    pub unresolved_refunds_allowed: bool,
    /// A sale failed "offline" must never have reached the acquirer.
    pub offline_never_reached: bool,
}

/// What the check found.
#[derive(Debug, Default)]
pub struct Tally {
    /// Sales per local status.
    pub sales: BTreeMap<&'static str, usize>,
    /// Refunds per local state (`+attention` when flagged).
    pub refunds: BTreeMap<String, usize>,
    /// Refunds left unresolved locally (allowed by [`Rules::unresolved_refunds_allowed`]).
    pub unresolved_refunds: usize,
    /// Of those, how many the acquirer did execute (money back, not shown locally).
    pub unresolved_executed: usize,
    /// Sales with at least one refund that returned money.
    pub refunded_sales: usize,
    /// Everything wrong, one line each.
    pub problems: Vec<String>,
}

impl Tally {
    /// Panics listing the first problems, if any.
    pub fn assert_clean(&self, what: &str) {
        if self.problems.is_empty() {
            return;
        }
        let shown: Vec<&String> = self.problems.iter().take(25).collect();
        panic!("{what}: {} problems, first ones:\n{shown:#?}", self.problems.len());
    }
}

#[derive(Debug, Default)]
struct LedgerRefund {
    amount: Decimal,
    succeeded: bool,
}

fn minor_to_major(minor: i64) -> Decimal {
    // CNY only in these runs: two decimals.
    Decimal::new(minor, 2)
}

/// Checks the register's books against the ledger's `rows` and `refunds` JSON arrays.
pub fn check(
    rules: &Rules,
    sales: &[LocalSale],
    refunds: &[LocalRefund],
    rows: &serde_json::Value,
    ledger_refunds: &serde_json::Value,
) -> Tally {
    let mut t = Tally::default();
    let mine = |r: &serde_json::Value, id_field: &str| {
        r["acquirer"].as_str() == Some(rules.acquirer)
            && r[id_field].as_str().is_some_and(|id| id.starts_with(&rules.prefix))
    };
    let charges: HashMap<String, i64> = rows
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| mine(r, "merchantTransactionId"))
        .filter_map(|r| {
            Some((
                r["merchantTransactionId"].as_str()?.to_string(),
                r["successfulCharges"].as_i64()?,
            ))
        })
        .collect();
    // Refunds by merchant refund id, and the orders whose charge a void reversed.
    let mut by_refund_id: HashMap<String, Vec<LedgerRefund>> = HashMap::new();
    let mut refund_order: HashMap<String, String> = HashMap::new();
    let mut voided: HashSet<String> = HashSet::new();
    for r in ledger_refunds.as_array().into_iter().flatten() {
        if !mine(r, "merchantTransactionId") {
            continue;
        }
        let order = r["merchantTransactionId"].as_str().unwrap_or_default().to_string();
        let succeeded = r["status"].as_str() == Some("SUCCESS");
        if r["kind"].as_str() == Some("void") {
            if succeeded {
                voided.insert(order);
            }
            continue;
        }
        let id = r["merchantRefundId"].as_str().unwrap_or_default().to_string();
        let amount = minor_to_major(r["amountMinor"].as_i64().unwrap_or_default());
        refund_order.insert(id.clone(), order);
        by_refund_id.entry(id).or_default().push(LedgerRefund { amount, succeeded });
    }

    let local_sales: HashMap<&str, SaleStatus> =
        sales.iter().map(|s| (s.id.as_str(), s.status)).collect();
    for s in sales {
        *t.sales.entry(s.status.as_str()).or_default() += 1;
        let id = &s.id;
        if !s.status.is_final() {
            t.problems.push(format!("{id}: not final ({})", s.status.as_str()));
        }
        let n = charges.get(id).copied().unwrap_or(0);
        if n > 1 {
            t.problems.push(format!("{id}: charged {n} times"));
        }
        let charged = n >= 1 && !voided.contains(id);
        if charged != (s.status == SaleStatus::Paid) {
            t.problems.push(format!(
                "{id}: local {}, ledger charges {n}{}",
                s.status.as_str(),
                if voided.contains(id) { " (voided)" } else { "" }
            ));
        }
        if rules.offline_never_reached
            && s.status == SaleStatus::Failed(tillkit_core::order::FailReason::Offline)
            && charges.contains_key(id)
        {
            t.problems.push(format!("{id}: failed offline but reached the acquirer"));
        }
    }
    for (id, n) in &charges {
        if *n > 0 && !voided.contains(id) && !local_sales.contains_key(id.as_str()) {
            t.problems.push(format!("{id}: charged at the acquirer but unknown locally"));
        }
    }

    // Refunds: each local one against the ledger's, then the ledger's against the local ones.
    let mut local_back: HashMap<&str, Decimal> = HashMap::new();
    let mut ledger_back: HashMap<String, Decimal> = HashMap::new();
    for (id, list) in &by_refund_id {
        let back: Decimal = list.iter().filter(|r| r.succeeded).map(|r| r.amount).sum();
        if let Some(order) = refund_order.get(id) {
            *ledger_back.entry(order.clone()).or_default() += back;
        }
        if list.len() > 1 {
            t.problems.push(format!("refund {id}: executed {} times at the acquirer", list.len()));
        }
    }
    let local_ids: HashSet<&str> = refunds.iter().map(|r| r.id.as_str()).collect();
    for r in refunds {
        let label = if r.attention {
            format!("{}+attention", r.state.as_str())
        } else {
            r.state.as_str().to_string()
        };
        *t.refunds.entry(label.clone()).or_default() += 1;
        let at_acquirer = by_refund_id.get(&r.id);
        let executed = at_acquirer.is_some_and(|l| l.iter().any(|x| x.succeeded));
        let unresolved = !r.state.is_final() || (r.attention && r.state != RefundState::Succeeded);
        if unresolved {
            t.unresolved_refunds += 1;
            t.unresolved_executed += usize::from(executed);
            if !rules.unresolved_refunds_allowed {
                t.problems.push(format!("refund {}: unresolved ({label})", r.id));
            }
            // The money the acquirer returned is real even if the register cannot tell yet.
            if executed {
                *local_back.entry(r.sale_id.as_str()).or_default() +=
                    at_acquirer.map_or(Decimal::ZERO, |l| l[0].amount);
            }
            continue;
        }
        match r.state {
            RefundState::Succeeded => {
                if !executed {
                    t.problems.push(format!(
                        "refund {}: succeeded locally, not at the acquirer ({at_acquirer:?})",
                        r.id
                    ));
                }
                *local_back.entry(r.sale_id.as_str()).or_default() += r.amount;
            }
            _ if executed => {
                t.problems
                    .push(format!("refund {}: {label} locally, executed at the acquirer", r.id));
            }
            _ => {}
        }
    }
    for (id, order) in &refund_order {
        if !local_ids.contains(id.as_str()) {
            t.problems.push(format!("refund {id} of {order}: at the acquirer, unknown locally"));
        }
    }
    for s in sales {
        let local = local_back.get(s.id.as_str()).copied().unwrap_or_default();
        let ledger = ledger_back.get(&s.id).copied().unwrap_or_default();
        if local != ledger {
            t.problems
                .push(format!("{}: refunded {local} locally, {ledger} at the acquirer", s.id));
        }
        t.refunded_sales += usize::from(ledger > Decimal::ZERO);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tillkit_core::order::FailReason;

    fn rules(unresolved_refunds_allowed: bool) -> Rules {
        Rules {
            acquirer: "oceanpayment",
            prefix: "T".into(),
            unresolved_refunds_allowed,
            offline_never_reached: true,
        }
    }

    fn row(id: &str, charges: i64) -> serde_json::Value {
        json!({"acquirer": "oceanpayment", "merchantTransactionId": id, "successfulCharges": charges})
    }

    fn ledger_refund(id: &str, order: &str, minor: i64, status: &str) -> serde_json::Value {
        json!({"acquirer": "oceanpayment", "merchantRefundId": id, "merchantTransactionId": order,
               "amountMinor": minor, "status": status, "kind": "refund"})
    }

    fn paid(id: &str) -> LocalSale {
        LocalSale { id: id.into(), status: SaleStatus::Paid }
    }

    fn refund(id: &str, sale: &str, state: RefundState, attention: bool) -> LocalRefund {
        LocalRefund {
            id: id.into(),
            sale_id: sale.into(),
            state,
            amount: Decimal::new(100, 2),
            attention,
        }
    }

    #[test]
    fn balanced_books_have_no_problem() {
        let rows = json!([row("T1", 1), row("OTHER", 3)]);
        let refunds = json!([ledger_refund("T1R", "T1", 100, "SUCCESS")]);
        let local = [refund("T1R", "T1", RefundState::Succeeded, false)];
        let t = check(&rules(false), &[paid("T1")], &local, &rows, &refunds);
        assert!(t.problems.is_empty(), "{:?}", t.problems);
        assert_eq!(t.refunded_sales, 1);
    }

    #[test]
    fn double_charges_unknown_charges_and_unpaid_charges_are_problems() {
        let rows = json!([row("T1", 2), row("T2", 1), row("T3", 1)]);
        let declined =
            LocalSale { id: "T3".into(), status: SaleStatus::Failed(FailReason::Declined) };
        let t = check(&rules(false), &[paid("T1"), declined], &[], &rows, &json!([]));
        assert_eq!(t.problems.len(), 3, "{:?}", t.problems);
    }

    #[test]
    fn refunds_twice_missing_or_unknown_locally_are_problems() {
        let rows = json!([row("T1", 1)]);
        let refunds = json!([
            ledger_refund("A", "T1", 100, "SUCCESS"),
            ledger_refund("A", "T1", 100, "SUCCESS"),
            ledger_refund("C", "T1", 100, "SUCCESS"),
        ]);
        let local = [
            refund("A", "T1", RefundState::Succeeded, false),
            refund("B", "T1", RefundState::Succeeded, false),
        ];
        let t = check(&rules(true), &[paid("T1")], &local, &rows, &refunds);
        let text = t.problems.join("\n");
        assert!(text.contains("refund A: executed 2 times"), "{text}");
        assert!(text.contains("refund B: succeeded locally, not at the acquirer"), "{text}");
        assert!(text.contains("refund C of T1: at the acquirer, unknown locally"), "{text}");
        assert!(text.contains("T1: refunded"), "{text}");
    }

    #[test]
    fn unresolved_refunds_are_counted_when_allowed_and_problems_otherwise() {
        let rows = json!([row("T1", 1)]);
        let refunds = json!([ledger_refund("A", "T1", 100, "SUCCESS")]);
        let local = [
            refund("A", "T1", RefundState::Unknown, false),
            refund("B", "T1", RefundState::Unknown, true),
        ];
        let allowed = check(&rules(true), &[paid("T1")], &local, &rows, &refunds);
        assert!(allowed.problems.is_empty(), "{:?}", allowed.problems);
        assert_eq!((allowed.unresolved_refunds, allowed.unresolved_executed), (2, 1));
        let strict = check(&rules(false), &[paid("T1")], &local, &rows, &refunds);
        assert_eq!(strict.problems.len(), 2, "{:?}", strict.problems);
    }
}
