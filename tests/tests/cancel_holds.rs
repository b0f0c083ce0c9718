//! A cancel that holds and a late charge never hidden (issue 16, cases 1 and 2), against the
//! sandbox over HTTP; the sandbox's ledger is the truth.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierConfig, CashierError, CashierEvent, MemoryKeyStore,
    SaleInput, SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::order::AttentionReason;
use tillkit_core::order::{FailReason, RefundState, SaleStatus};
use tillkit_sandbox::proxy::{FaultMix, FaultProxy};
use tillkit_sandbox::Acquirer;
use tillkit_tests::*;

const SCALE: f64 = 0.01;
const LIMIT: Duration = Duration::from_secs(20);

fn code_sale(id: &str, amount: &str) -> SaleInput {
    SaleInput {
        sale_id: Some(id.into()),
        amount: Amount::parse(amount, "CNY").unwrap(),
        method: SaleMethodInput::CustomerCode(wechat_code()),
        remark: None,
        qr_lifetime: None,
    }
}

/// The journal kinds of a sale, in order.
fn kinds(cashier: &Cashier, id: &str) -> Vec<String> {
    cashier.journal(id).unwrap().into_iter().map(|l| l.kind).collect()
}

/// Whether a pay request was sent after the cancel was recorded.
fn sent_after_cancel(kinds: &[String]) -> bool {
    kinds.iter().skip_while(|k| *k != "cancel_requested").any(|k| k.starts_with("send:"))
}

/// Case 1: an Oceanpayment code sale answered HTTP 500 (nothing committed) is unknown; the
/// cashier cancels; the query says "not found". Before: the engine sent the pay request anyway
/// and the customer was charged. Now: nothing is sent again, the sale is watched for the window
/// and ends cancelled, and the ledger holds no charge.
#[tokio::test]
async fn a_cancelled_unknown_sale_is_never_sent_again() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let c = &sb.credentials().oceanpayment;
    let mut config = CashierConfig::new(
        AcquirerSettings::Oceanpayment {
            http: http(&sb.url(), Duration::from_secs(2)),
            query_http: None,
            account: c.account.clone(),
            terminal: c.terminal.clone(),
            secure_code_key: "ocean.code".into(),
            billing: billing(),
        },
        "OCEAN-REG",
    );
    config.policy = config.policy.scaled(SCALE);
    config.policy.unseen_watch = Duration::from_millis(1500);
    let keys =
        Arc::new(MemoryKeyStore::with("ocean.code", c.secure_code.expose_secret().as_bytes()));
    let events = Recorder::new();
    let cashier = Cashier::open(config, dir.path(), keys, events.clone()).await.unwrap();
    for round in 0..3 {
        let id = unique_id("CH");
        let first = cashier.start_sale(code_sale(&id, "10.57")).await.unwrap();
        assert_eq!(first.status, SaleStatus::Unknown, "round {round}");
        assert!(cashier.can_cancel(&first));
        let asked = cashier.cancel(&id).await.unwrap();
        assert!(asked.cancel_requested);
        let end = wait_final(&cashier, &id, LIMIT).await;
        assert_eq!(end.status, SaleStatus::Failed(FailReason::Cancelled), "round {round}");
        let k = kinds(&cashier, &id);
        assert!(!sent_after_cancel(&k), "round {round}: {k:?}");
        assert!(k.iter().any(|k| k.starts_with("query:")), "watched by query: {k:?}");
        let order = sb.order(Acquirer::Oceanpayment, &id).unwrap();
        assert!(order.is_none_or(|o| o.charges.is_empty()), "round {round}: no charge");
    }
    cashier.close().await;
    sb.shutdown().await;
}

/// Case 2: PingPong, a short request timeout, and a network that delivers the pay request
/// late. The sale is unknown, "not found", the cashier cancels; then the held request arrives
/// and the customer is charged. Before: recorded cancelled, final. Now: the sale is still
/// watched, the charge is recorded as paid and flagged, the app hears of it, and (configured
/// here) it is refunded once under a refund id derived from the sale.
#[tokio::test]
async fn a_charge_after_cancel_is_recorded_flagged_and_refunded_once() {
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    proxy.hold_requests("unifiedPay", Duration::from_secs(3), 1);
    let dir = tempfile::tempdir().unwrap();
    let mut config = cashier_config(&sb, &proxy.url(), SCALE);
    if let AcquirerSettings::PingPong { http, .. } = &mut config.acquirer {
        http.request_timeout = Duration::from_secs(1);
    }
    // Long enough to outlast the network's hold: that is what the window is for.
    config.policy.unseen_watch = Duration::from_secs(8);
    config.refund_charged_after_cancel = true;
    let events = Recorder::new();
    let cashier = Cashier::open(config, dir.path(), key_store(&sb), events.clone()).await.unwrap();
    let id = unique_id("LC");
    let first = cashier.start_sale(code_sale(&id, "10.00")).await.unwrap();
    assert_eq!(first.status, SaleStatus::Unknown);
    // PingPong has no cancel, but a cancel of an unknown sale still holds.
    let asked = cashier.cancel(&id).await.unwrap();
    assert!(asked.cancel_requested);
    let end = wait_final(&cashier, &id, LIMIT).await;
    assert_eq!(end.status, SaleStatus::Paid, "the late charge is recorded");
    assert!(end.attention);
    let k = kinds(&cashier, &id);
    assert!(!sent_after_cancel(&k), "{k:?}");
    assert!(k.iter().any(|k| k == "charged_after_cancel"), "{k:?}");
    assert!(events
        .events()
        .iter()
        .any(|e| matches!(e, CashierEvent::AttentionNeeded { sale_id, reason: AttentionReason::ChargedAfterCancel, .. } if *sale_id == id)));
    let refunds = cashier.refunds(&id).unwrap();
    assert_eq!(refunds.len(), 1);
    let refund = wait_refund_final(&cashier, &refunds[0].id, LIMIT).await;
    assert_eq!(refund.state, RefundState::Succeeded);
    let order = sb.order(Acquirer::PingPong, &id).unwrap().unwrap();
    assert_eq!(order.charges.len(), 1);
    assert_eq!((order.paid.as_str(), order.refunded.as_str()), ("10.00", "10.00"));
    cashier.close().await;
    sb.shutdown().await;
}

/// Case 2, by notification: a sale withdrawn before it was sent, then a correctly signed
/// SUCCESS notification for it. Before: refused and acknowledged. Now: recorded as paid,
/// flagged, acknowledged once applied; the same news again queues no second refund, and news
/// the machines refuse is not acknowledged.
#[tokio::test]
async fn a_success_notification_after_cancel_is_applied_and_refunded_once() {
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = cashier_config(&sb, &proxy.url(), SCALE);
    config.refund_charged_after_cancel = true;
    let events = Recorder::new();
    let cashier = Cashier::open(config, dir.path(), key_store(&sb), events.clone()).await.unwrap();
    proxy.go_down();
    let id = unique_id("LN");
    assert_eq!(
        cashier.start_sale(code_sale(&id, "7.00")).await.unwrap().status,
        SaleStatus::Queued
    );
    let cancelled = cashier.cancel(&id).await.unwrap();
    assert_eq!(cancelled.status, SaleStatus::Failed(FailReason::Cancelled));
    let salt = sb.credentials().pingpong.salt.clone();
    let paid = serde_json::json!({"notifyType":"RECHARGE","merchantTransactionId":id,
        "requestId":format!("{id}-1"),"status":"SUCCESS","amount":"7.000000","currency":"CNY",
        "transactionId":"T-LN"});
    let body = pingpong_notification(&sb, &salt, &paid);
    cashier.handle_notification(&body).await.unwrap();
    let sale = cashier.sale(&id).unwrap().unwrap();
    assert_eq!((sale.status, sale.attention), (SaleStatus::Paid, true));
    cashier.handle_notification(&body).await.unwrap();
    assert_eq!(cashier.refunds(&id).unwrap().len(), 1, "one automatic refund, whatever repeats");
    let failed = serde_json::json!({"notifyType":"RECHARGE","merchantTransactionId":id,
        "requestId":format!("{id}-1"),"status":"FAILED","amount":"7.000000","currency":"CNY"});
    let refused = cashier.handle_notification(&pingpong_notification(&sb, &salt, &failed)).await;
    assert!(matches!(refused, Err(CashierError::NotificationNotApplied { .. })), "{refused:?}");
    assert_eq!(cashier.sale(&id).unwrap().unwrap().status, SaleStatus::Paid);
    assert!(kinds(&cashier, &id).iter().any(|k| k == "refused_transition"));
    cashier.close().await;
    sb.shutdown().await;
}
