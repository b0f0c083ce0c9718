//! The real engine against a hostile acquirer: one test per answer mode. Whatever the acquirer
//! answers, a sale is never shown paid unless the acquirer's truth is "charged", never declined
//! when it may have charged, and a mismatching answer is never applied but flagged and journalled.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::acquirer::WalletMethod;
use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierConfig, CashierError, CashierEvent, MemoryKeyStore,
    RefundInput, SaleInput, SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::order::{AttentionReason, FailReason, RefundState, SaleStatus};
use tillkit_core::sign::pingpong::SignType;
use tillkit_core::store::SaleRow;
use tillkit_tests::hostile::verdict::{
    ever_paid, journal_text, verdict, wait_for, Expect, Watched,
};
use tillkit_tests::hostile::{signed_notification, Credentials, Hostile, Mode, Op};
use tillkit_tests::{http, unique_id, wechat_code, Recorder};

const LIMIT: Duration = Duration::from_secs(30);

/// A cashier on a fresh data directory, configured for SHA256, talking to `url` with short
/// timeouts and a policy scaled down a hundredfold.
async fn cashier(url: &str, dir: &std::path::Path, events: Arc<Recorder>) -> Cashier {
    let creds = Credentials::sandbox();
    let mut config = CashierConfig::new(
        AcquirerSettings::PingPong {
            http: http(url, Duration::from_millis(600)),
            acc_id: creds.acc_id.clone(),
            client_id: creds.client_id.clone(),
            sign_type: SignType::Sha256,
            salt_key: "pingpong.salt".into(),
            order_terminal: Default::default(),
        },
        "HOSTILE-REGISTER",
    );
    config.policy = config.policy.scaled(0.01);
    config.policy.qr_lifetime = Duration::from_secs(90);
    use secrecy::ExposeSecret;
    let keys =
        Arc::new(MemoryKeyStore::with("pingpong.salt", creds.salt.expose_secret().as_bytes()));
    Cashier::open(config, dir, keys, events).await.expect("cashier opens")
}

fn sale(id: &str, method: SaleMethodInput) -> SaleInput {
    SaleInput {
        sale_id: Some(id.into()),
        amount: Amount::parse("2.00", "CNY").unwrap(),
        method,
        remark: None,
        qr_lifetime: None,
    }
}

/// Drives one customer-code sale through the real engine against `mode`, asserts the final
/// state and the journal, and returns the state and the journal's telling line.
async fn run(mode: Mode, expect: Expect) -> (SaleRow, String) {
    let hostile = Hostile::start(mode).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = cashier(&hostile.url(), dir.path(), events.clone()).await;
    let id = unique_id("H");
    let method = if mode == Mode::HugeQr {
        SaleMethodInput::MerchantQr(WalletMethod::WechatPay)
    } else {
        SaleMethodInput::CustomerCode(wechat_code())
    };
    cashier.start_sale(sale(&id, method)).await.unwrap();
    let truth_charged = || hostile.order(&id).is_some_and(|o| o.charged);
    let watched =
        Watched { cashier: &cashier, events: &events, id: &id, label: format!("{mode:?}") };
    let queries = || hostile.requests(Op::Query);
    let (row, line) = verdict(&watched, expect, truth_charged, queries).await;
    if matches!(mode, Mode::HugeQr) {
        assert!(row.qr.as_ref().is_none_or(|q| q.content.len() < 3000), "no huge QR stored");
    }
    cashier.close().await;
    println!("MODE {mode:?} -> {} | {line}", row.status.as_str());
    (row, line)
}

fn assert_unknown(row: &SaleRow) {
    assert_eq!(row.status, SaleStatus::Unknown, "{row:?}");
}

#[tokio::test]
async fn honest_answers_pay() {
    run(Mode::Honest, Expect::Paid { journal: "send:paid" }).await;
}

#[tokio::test]
async fn wrong_amount_is_never_paid() {
    assert_unknown(&run(Mode::WrongAmount, Expect::Mismatch { field: "amount" }).await.0);
}

#[tokio::test]
async fn wrong_currency_is_never_paid() {
    assert_unknown(&run(Mode::WrongCurrency, Expect::Mismatch { field: "currency" }).await.0);
}

#[tokio::test]
async fn another_order_is_never_paid() {
    let field = "merchantTransactionId";
    assert_unknown(&run(Mode::OtherOrder, Expect::Mismatch { field }).await.0);
}

#[tokio::test]
async fn another_request_id_is_never_paid() {
    assert_unknown(&run(Mode::OtherRequestId, Expect::Mismatch { field: "requestId" }).await.0);
}

#[tokio::test]
async fn another_account_is_never_paid() {
    assert_unknown(&run(Mode::OtherAccount, Expect::Mismatch { field: "accId" }).await.0);
}

#[tokio::test]
async fn md5_when_sha256_is_configured_is_never_paid() {
    assert_unknown(&run(Mode::Md5Downgrade, Expect::Mismatch { field: "signType" }).await.0);
}

#[tokio::test]
async fn huge_numbers_are_never_paid() {
    assert_unknown(&run(Mode::HugeNumbers, Expect::Mismatch { field: "amount" }).await.0);
}

#[tokio::test]
async fn unsigned_answers_are_never_trusted() {
    let journal = "signature";
    let row = run(Mode::Unsigned, Expect::Unresolved { journal }).await.0;
    assert_unknown(&row);
    assert_eq!(row.attention_reason, Some(AttentionReason::UnverifiedAnswer), "check the salt");
}

#[tokio::test]
async fn bad_signatures_are_never_trusted() {
    let journal = "signature";
    let row = run(Mode::BadSignature, Expect::Unresolved { journal }).await.0;
    assert_unknown(&row);
    assert_eq!(row.attention_reason, Some(AttentionReason::UnverifiedAnswer), "check the salt");
}

#[tokio::test]
async fn a_missing_status_is_never_paid() {
    let journal = "no status";
    assert_unknown(&run(Mode::MissingStatus, Expect::Unresolved { journal }).await.0);
}

#[tokio::test]
async fn an_unknown_status_is_never_paid() {
    let journal = "unknown status";
    assert_unknown(&run(Mode::UnknownStatus, Expect::Unresolved { journal }).await.0);
}

#[tokio::test]
async fn a_huge_qr_is_never_shown() {
    let journal = "QR content longer";
    assert_unknown(&run(Mode::HugeQr, Expect::Unresolved { journal }).await.0);
}

#[tokio::test]
async fn garbage_after_commit_is_resolved_paid() {
    run(Mode::Garbage, Expect::Paid { journal: "not a JSON object" }).await;
}

#[tokio::test]
async fn html_403_after_commit_is_resolved_paid() {
    run(Mode::Html403, Expect::Paid { journal: "HTTP 403" }).await;
}

#[tokio::test]
async fn html_500_after_commit_is_resolved_paid() {
    run(Mode::Html500, Expect::Paid { journal: "HTTP 500" }).await;
}

#[tokio::test]
async fn ten_megabytes_is_resolved_paid() {
    run(Mode::TenMegabytes, Expect::Paid { journal: "larger than 1 MiB" }).await;
}

#[tokio::test]
async fn a_trickle_is_resolved_paid() {
    run(Mode::Trickle, Expect::Paid { journal: "Timeout" }).await;
}

#[tokio::test]
async fn no_answer_is_resolved_paid() {
    run(Mode::NeverAnswers, Expect::Paid { journal: "Timeout" }).await;
}

#[tokio::test]
async fn a_redirect_is_resolved_paid() {
    run(Mode::Redirect, Expect::Paid { journal: "HTTP 302" }).await;
}

#[tokio::test]
async fn a_reset_after_commit_is_resolved_paid() {
    run(Mode::ResetAfterCommit, Expect::Paid { journal: "ConnectionLost" }).await;
}

#[tokio::test]
async fn a_system_error_is_never_a_decline() {
    run(Mode::SystemError, Expect::Paid { journal: "acquirer code 500000" }).await;
}

#[tokio::test]
async fn a_busy_terminal_is_never_a_decline() {
    run(Mode::BusyNotCommitted, Expect::Paid { journal: "acquirer code 500000" }).await;
}

#[tokio::test]
async fn an_unknown_code_is_never_a_decline() {
    run(Mode::UnknownCode, Expect::Paid { journal: "acquirer code 999999" }).await;
}

#[tokio::test]
async fn failed_with_a_system_error_is_never_a_decline() {
    run(Mode::FailedSystemError, Expect::Paid { journal: "acquirer code 500000" }).await;
}

#[tokio::test]
async fn an_honest_decline_is_declined() {
    run(Mode::Decline, Expect::Declined { code: "301002" }).await;
}

/// Pays honestly, then refunds through an acquirer whose refund answers mismatch: the refund
/// stays unknown, flagged, reported.
async fn refund_mismatch(mode: Mode, field: &'static str) {
    let hostile = Hostile::start(mode).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = cashier(&hostile.url(), dir.path(), events.clone()).await;
    let id = unique_id("H");
    cashier.start_sale(sale(&id, SaleMethodInput::CustomerCode(wechat_code()))).await.unwrap();
    let paid = wait_for(&cashier, &id, |s| s.status.is_final()).await;
    assert_eq!(paid.status, SaleStatus::Paid);
    let input = RefundInput {
        refund_id: Some(unique_id("RF")),
        amount: Some(Amount::parse("0.50", "CNY").unwrap()),
        reason: None,
    };
    let refund = cashier.refund(&id, input).await.unwrap();
    let want = AttentionReason::AnswerMismatch { field: field.into() };
    let start = std::time::Instant::now();
    let row = loop {
        let r = cashier.refund_by_id(&refund.id).unwrap().unwrap();
        if r.attention_reason.as_ref() == Some(&want) && hostile.requests(Op::RefundQuery) >= 2 {
            break r;
        }
        assert!(start.elapsed() < LIMIT, "refund never flagged: {r:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(row.state, RefundState::Unknown, "{mode:?}");
    let flagged = events.events().iter().any(|e| {
        matches!(e, CashierEvent::AttentionNeeded { refund_id: Some(r), reason, .. }
            if *r == refund.id && *reason == want)
    });
    assert!(flagged, "AttentionNeeded for the refund");
    cashier.close().await;
    println!("MODE {mode:?} -> refund {} | answer_mismatch {field}", row.state.as_str());
}

#[tokio::test]
async fn a_refund_answer_for_another_amount_is_never_applied() {
    refund_mismatch(Mode::RefundWrongAmount, "amount").await;
}

#[tokio::test]
async fn a_refund_answer_for_another_refund_is_never_applied() {
    refund_mismatch(Mode::RefundOtherId, "merchantRefundId").await;
}

#[tokio::test]
async fn a_notification_for_another_amount_is_refused_and_flagged() {
    let hostile = Hostile::start(Mode::Decline).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = cashier(&hostile.url(), dir.path(), events.clone()).await;
    let id = unique_id("H");
    cashier.start_sale(sale(&id, SaleMethodInput::CustomerCode(wechat_code()))).await.unwrap();
    let declined = wait_for(&cashier, &id, |s| s.status.is_final()).await;
    assert_eq!(declined.status, SaleStatus::Failed(FailReason::Declined));
    let biz = serde_json::json!({
        "notifyType": "RECHARGE", "merchantTransactionId": id, "requestId": format!("{id}-1"),
        "amount": "250.000000", "currency": "CNY", "status": "SUCCESS",
    });
    let body = signed_notification(&Credentials::sandbox(), &biz);
    let e = cashier.handle_notification(&body).await.unwrap_err();
    assert!(matches!(e, CashierError::AnswerMismatch { field: "amount", .. }), "{e:?}");
    let after = cashier.sale(&id).unwrap().unwrap();
    assert_eq!(after.status, SaleStatus::Failed(FailReason::Declined), "not applied");
    let want = AttentionReason::AnswerMismatch { field: "amount".into() };
    assert_eq!(after.attention_reason, Some(want));
    assert!(journal_text(&cashier, &id).contains("notification_mismatch amount"));
    cashier.close().await;
}

/// Two registers (two data directories) against one sandbox use the same sale id: A for 2.00,
/// B for 250.00. The acquirer holds one charge of 2.00; B must never show paid, and says why.
#[tokio::test]
async fn a_sale_id_used_by_another_register_for_another_amount_is_never_paid() {
    use tillkit_tests::{key_store, ledger_order, sandbox, wait_final};
    let sb = sandbox(0.01).await;
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let quiet = Arc::new(tillkit_core::engine::NoListener);
    let a = tillkit_tests::cashier(&sb, &sb.url(), d1.path(), key_store(&sb), quiet, 0.01).await;
    let events = Recorder::new();
    let b = tillkit_tests::cashier(&sb, &sb.url(), d2.path(), key_store(&sb), events.clone(), 0.01)
        .await;
    let id = unique_id("K");
    a.start_sale(sale(&id, SaleMethodInput::CustomerCode(wechat_code()))).await.unwrap();
    assert_eq!(wait_final(&a, &id, LIMIT).await.status, SaleStatus::Paid);
    let big = SaleInput {
        amount: Amount::parse("250.00", "CNY").unwrap(),
        ..sale(&id, SaleMethodInput::CustomerCode(wechat_code()))
    };
    b.start_sale(big).await.unwrap();
    let want = AttentionReason::AnswerMismatch { field: "amount".into() };
    let start = std::time::Instant::now();
    let row = loop {
        let s = b.sale(&id).unwrap().unwrap();
        if s.attention_reason.as_ref() == Some(&want) {
            break s;
        }
        assert!(start.elapsed() < LIMIT, "B never flagged: {s:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(row.status, SaleStatus::Unknown, "do not charge again, never paid");
    assert!(!ever_paid(&events, &id));
    let journal = journal_text(&b, &id);
    assert!(
        journal.contains("already used at the acquirer for another amount"),
        "the journal says why:\n{journal}"
    );
    let order = ledger_order(&sb, &id).await.expect("the acquirer has the order");
    let charges = order["charges"]
        .as_u64()
        .or_else(|| order["charges"].as_array().map(|c| c.len() as u64))
        .unwrap_or(0);
    assert_eq!(charges, 1, "one charge, A's: {order}");
    println!("TWIN B -> {} | {}", row.status.as_str(), journal.lines().last().unwrap_or(""));
    a.close().await;
    b.close().await;
    sb.shutdown().await;
}
