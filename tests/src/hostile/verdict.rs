//! The verdict both hostile suites (PingPong and Oceanpayment) apply to a sale driven through
//! the real engine: never shown paid unless the acquirer charged, never declined when it may
//! have charged, a mismatching answer flagged and reported, and the reason in the journal.

use std::time::Duration;

use tillkit_core::engine::{Cashier, CashierEvent};
use tillkit_core::order::{AttentionReason, FailReason, SaleStatus};
use tillkit_core::store::SaleRow;

use crate::Recorder;

/// How long a mode may take to reach its end.
const LIMIT: Duration = Duration::from_secs(30);

/// What a mode must end in.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// The acquirer charged and, in the end, said so honestly: paid, with this in the journal.
    Paid {
        /// A piece of the telling journal line.
        journal: &'static str,
    },
    /// The acquirer declined with this code: declined.
    Declined {
        /// The acquirer's decline code.
        code: &'static str,
    },
    /// Never resolved, never paid: unknown, flagged with the mismatching field.
    Mismatch {
        /// The field named by `AttentionReason::AnswerMismatch`.
        field: &'static str,
    },
    /// Never resolved, never paid: unknown, still queried, the reason journalled.
    Unresolved {
        /// A piece of the telling journal line.
        journal: &'static str,
    },
}

/// The sale under test and what the hostile acquirer knows of it.
pub struct Watched<'a> {
    /// The engine.
    pub cashier: &'a Cashier,
    /// Its events.
    pub events: &'a Recorder,
    /// The sale.
    pub id: &'a str,
    /// The mode, for messages.
    pub label: String,
}

/// Polls the sale until `done` holds; panics after 30 s.
pub async fn wait_for(cashier: &Cashier, id: &str, done: impl Fn(&SaleRow) -> bool) -> SaleRow {
    let start = std::time::Instant::now();
    loop {
        let s = cashier.sale(id).expect("store readable").expect("sale exists");
        if done(&s) {
            return s;
        }
        assert!(start.elapsed() < LIMIT, "sale {id} never got there: {s:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The sale's journal, one `kind detail` line per change.
pub fn journal_text(cashier: &Cashier, id: &str) -> String {
    let lines = cashier.journal(id).expect("journal readable");
    lines.iter().map(|l| format!("{} {}", l.kind, l.detail)).collect::<Vec<_>>().join("\n")
}

/// Whether the sale was ever reported paid to the app.
pub fn ever_paid(events: &Recorder, id: &str) -> bool {
    events.events().iter().any(
        |e| matches!(e, CashierEvent::SaleChanged(s) if s.id == id && s.status == SaleStatus::Paid),
    )
}

/// Waits for the end `expect` names and asserts it against the acquirer's truth (`charged`) and
/// its count of queries; returns the sale and its telling journal line.
pub async fn verdict(
    w: &Watched<'_>,
    expect: Expect,
    charged: impl Fn() -> bool,
    queries: impl Fn() -> u32,
) -> (SaleRow, String) {
    let (cashier, id, label) = (w.cashier, w.id, &w.label);
    let (row, needle) = match expect {
        Expect::Paid { journal } => {
            let s = wait_for(cashier, id, |s| s.status.is_final()).await;
            assert_eq!(s.status, SaleStatus::Paid, "{label}");
            assert!(charged(), "{label}: paid only when charged");
            assert_eq!(s.attention_reason, None, "{label}");
            (s, journal)
        }
        Expect::Declined { code } => {
            let s = wait_for(cashier, id, |s| s.status.is_final()).await;
            assert_eq!(s.status, SaleStatus::Failed(FailReason::Declined), "{label}");
            assert!(!charged(), "{label}");
            (s, code)
        }
        Expect::Mismatch { field } => {
            let want = AttentionReason::AnswerMismatch { field: field.into() };
            let s = wait_for(cashier, id, |s| {
                s.attention_reason.as_ref() == Some(&want) && queries() >= 2
            })
            .await;
            assert!(s.attention, "{label}");
            let flagged = w.events.events().iter().any(|e| {
                matches!(e, CashierEvent::AttentionNeeded { sale_id, reason, .. }
                    if sale_id == id && *reason == want)
            });
            assert!(flagged, "{label}: AttentionNeeded reported");
            (s, "answer_mismatch")
        }
        Expect::Unresolved { journal } => {
            let s = wait_for(cashier, id, |_| queries() >= 2).await;
            (s, journal)
        }
    };
    if row.status != SaleStatus::Paid {
        assert!(!ever_paid(w.events, id), "{label}: never shown paid");
    }
    if charged() {
        assert_ne!(row.status, SaleStatus::Failed(FailReason::Declined), "{label}");
    }
    let journal = journal_text(cashier, id);
    let line = journal.lines().find(|l| l.contains(needle)).map(str::to_string);
    assert!(line.is_some(), "{label}: journal has {needle:?}:\n{journal}");
    (row, line.unwrap_or_default())
}
