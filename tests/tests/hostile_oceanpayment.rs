//! The real engine against a hostile Oceanpayment acquirer: one test per answer mode. Whatever
//! the acquirer answers, a sale is never shown paid unless the acquirer's truth is "charged" and
//! the answer was honest, never declined when it may have charged, and a mismatching or unsigned
//! answer is never applied but flagged and journalled.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierConfig, CashierEvent, MemoryKeyStore, RefundInput,
    SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::order::{AttentionReason, RefundState, SaleStatus};
use tillkit_core::store::SaleRow;
use tillkit_tests::hostile::verdict::{verdict, wait_for, Expect, Watched};
use tillkit_tests::hostile::{OceanCredentials, OceanHostile, OceanMode, Op};
use tillkit_tests::{billing, http, sale_input, unique_id, wechat_code, Recorder};

const LIMIT: Duration = Duration::from_secs(30);
const KEY: &str = "oceanpayment.secure_code";

/// A cashier on a fresh data directory talking Oceanpayment to `url`, with short timeouts and a
/// policy scaled down a hundredfold.
async fn cashier(url: &str, dir: &std::path::Path, events: Arc<Recorder>) -> Cashier {
    use secrecy::ExposeSecret;
    let creds = OceanCredentials::sandbox();
    let mut config = CashierConfig::new(
        AcquirerSettings::Oceanpayment {
            http: http(url, Duration::from_millis(600)),
            query_http: None,
            account: creds.account.clone(),
            terminal: creds.terminal.clone(),
            secure_code_key: KEY.into(),
            billing: billing(),
        },
        "HOSTILE-OCEAN",
    );
    config.policy = config.policy.scaled(0.01);
    let keys = Arc::new(MemoryKeyStore::with(KEY, creds.secure_code.expose_secret().as_bytes()));
    Cashier::open(config, dir, keys, events).await.expect("cashier opens")
}

/// Drives one customer-code sale of 2.00 CNY through the real engine against `mode`, asserts
/// the final state and the journal, and returns the sale.
async fn run(mode: OceanMode, expect: Expect) -> SaleRow {
    let hostile = OceanHostile::start(mode).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = cashier(&hostile.url(), dir.path(), events.clone()).await;
    let id = unique_id("H");
    let method = SaleMethodInput::CustomerCode(wechat_code());
    cashier.start_sale(sale_input(&id, "2.00", method)).await.unwrap();
    let truth_charged = || hostile.order(&id).is_some_and(|o| o.charged);
    let watched =
        Watched { cashier: &cashier, events: &events, id: &id, label: format!("{mode:?}") };
    let queries = || hostile.requests(Op::Query);
    let (row, line) = verdict(&watched, expect, truth_charged, queries).await;
    assert!(truth_charged() || mode == OceanMode::Decline, "{mode:?}: the acquirer charged");
    assert_eq!(hostile.requests(Op::Pay), 1, "{mode:?}: one order, never sent again as new");
    cashier.close().await;
    let attention = format!("{:?}", row.attention_reason);
    println!("MODE {mode:?} -> {} | {} | {attention}", row.status.as_str(), line);
    row
}

fn assert_unknown(row: &SaleRow) {
    assert_eq!(row.status, SaleStatus::Unknown, "{row:?}");
}

async fn mismatch(mode: OceanMode, field: &'static str) {
    assert_unknown(&run(mode, Expect::Mismatch { field }).await);
}

async fn unverified(mode: OceanMode) {
    let row = run(mode, Expect::Unresolved { journal: "(BadSignature)" }).await;
    assert_unknown(&row);
    let reason = Some(AttentionReason::UnverifiedAnswer);
    assert_eq!(row.attention_reason, reason, "check the secure code");
}

#[tokio::test]
async fn honest_answers_pay() {
    run(OceanMode::Honest, Expect::Paid { journal: "send:paid" }).await;
}

#[tokio::test]
async fn wrong_amount_is_never_paid() {
    mismatch(OceanMode::WrongAmount, "amount").await;
}

#[tokio::test]
async fn wrong_currency_is_never_paid() {
    mismatch(OceanMode::WrongCurrency, "currency").await;
}

#[tokio::test]
async fn another_order_is_never_paid() {
    mismatch(OceanMode::OtherOrder, "order_number").await;
}

#[tokio::test]
async fn another_account_is_never_paid() {
    mismatch(OceanMode::OtherAccount, "account").await;
}

#[tokio::test]
async fn another_terminal_is_never_paid() {
    mismatch(OceanMode::OtherTerminal, "terminal").await;
}

#[tokio::test]
async fn bad_signatures_are_never_trusted() {
    unverified(OceanMode::BadSignature).await;
}

#[tokio::test]
async fn unsigned_answers_are_never_trusted() {
    unverified(OceanMode::Unsigned).await;
}

#[tokio::test]
async fn a_missing_status_is_never_paid() {
    let journal = "without the answer's payload";
    assert_unknown(&run(OceanMode::MissingStatus, Expect::Unresolved { journal }).await);
}

#[tokio::test]
async fn an_unknown_status_is_never_paid() {
    let journal = "unknown result value";
    assert_unknown(&run(OceanMode::UnknownStatus, Expect::Unresolved { journal }).await);
}

#[tokio::test]
async fn garbage_after_commit_is_resolved_paid() {
    run(OceanMode::Garbage, Expect::Paid { journal: "unknown entity" }).await;
}

#[tokio::test]
async fn html_500_after_commit_is_resolved_paid() {
    run(OceanMode::Html500, Expect::Paid { journal: "HTTP 500" }).await;
}

#[tokio::test]
async fn ten_megabytes_is_resolved_paid() {
    run(OceanMode::TenMegabytes, Expect::Paid { journal: "larger than 1 MiB" }).await;
}

#[tokio::test]
async fn a_doctype_after_commit_is_refused_and_resolved_paid() {
    run(OceanMode::Doctype, Expect::Paid { journal: "DOCTYPE is not accepted" }).await;
}

#[tokio::test]
async fn truncated_xml_after_commit_is_resolved_paid() {
    run(OceanMode::Truncated, Expect::Paid { journal: "not well-formed XML" }).await;
}

#[tokio::test]
async fn failed_with_a_system_error_is_never_a_decline() {
    let journal = "acquirer code 50000";
    run(OceanMode::FailedSystemError, Expect::Paid { journal }).await;
}

#[tokio::test]
async fn failed_with_an_unknown_code_is_never_a_decline() {
    let journal = "acquirer code 99999";
    run(OceanMode::FailedUnknownCode, Expect::Paid { journal }).await;
}

#[tokio::test]
async fn failed_without_a_code_is_never_a_decline() {
    run(OceanMode::FailedNoCode, Expect::Paid { journal: "acquirer code :" }).await;
}

#[tokio::test]
async fn a_query_for_another_amount_is_never_paid() {
    mismatch(OceanMode::QueryWrongAmount, "amount").await;
}

#[tokio::test]
async fn an_unsigned_query_answer_is_never_trusted() {
    unverified(OceanMode::QueryUnsigned).await;
}

#[tokio::test]
async fn a_failed_query_with_a_system_error_is_never_a_decline() {
    // Queries that leave the outcome unknown change nothing, so the journal keeps the lost send.
    let journal = "HTTP 500";
    let row = run(OceanMode::QueryFailedSystemError, Expect::Unresolved { journal }).await;
    assert_unknown(&row);
}

#[tokio::test]
async fn an_honest_decline_is_declined() {
    run(OceanMode::Decline, Expect::Declined { code: "20010" }).await;
}

/// Pays honestly, then refunds 0.50 through an acquirer whose refund answer says 0.51: the
/// refund stays unknown, flagged, reported. Oceanpayment queries refunds only by its own
/// `refund_id`, which a mismatching answer does not give us: the refund cannot be queried and
/// stays unknown for a person to check.
#[tokio::test]
async fn a_refund_answer_for_another_amount_is_never_applied() {
    let mode = OceanMode::RefundWrongAmount;
    let hostile = OceanHostile::start(mode).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = cashier(&hostile.url(), dir.path(), events.clone()).await;
    let id = unique_id("H");
    let method = SaleMethodInput::CustomerCode(wechat_code());
    cashier.start_sale(sale_input(&id, "2.00", method)).await.unwrap();
    let paid = wait_for(&cashier, &id, |s| s.status.is_final()).await;
    assert_eq!(paid.status, SaleStatus::Paid);
    let input = RefundInput {
        refund_id: Some(unique_id("RF")),
        amount: Some(Amount::parse("0.50", "CNY").unwrap()),
        reason: None,
    };
    let refund = cashier.refund(&id, input).await.unwrap();
    let want = AttentionReason::AnswerMismatch { field: "amount".into() };
    let start = std::time::Instant::now();
    let row = loop {
        let r = cashier.refund_by_id(&refund.id).unwrap().unwrap();
        if r.attention_reason.as_ref() == Some(&want) {
            break r;
        }
        assert!(start.elapsed() < LIMIT, "refund never flagged: {r:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(row.state, RefundState::Unknown, "{mode:?}");
    assert_eq!(row.acquirer_refund_id, None, "nothing of the mismatching answer is kept");
    let flagged = events.events().iter().any(|e| {
        matches!(e, CashierEvent::AttentionNeeded { refund_id: Some(r), reason, .. }
            if *r == refund.id && *reason == want)
    });
    assert!(flagged, "AttentionNeeded for the refund");
    let truth = hostile.order(&id).unwrap();
    assert_eq!(truth.refunds.len(), 1, "refunded once, never sent again as new");
    cashier.close().await;
    println!("MODE {mode:?} -> refund {} | answer_mismatch amount", row.state.as_str());
}
