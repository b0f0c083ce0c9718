//! Time that survives clock changes (issue 16, cases 3 to 7): the wall clock is stepped through
//! the engine's injectable clock while the real sandbox, on its own (true) clock, is the truth.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::acquirer::WalletMethod;
use tillkit_core::engine::{
    Cashier, CashierConfig, NoListener, RefundInput, SaleInput, SaleMethodInput, SteppedClock,
};
use tillkit_core::money::Amount;
use tillkit_core::order::{FailReason, RefundState, SaleStatus};
use tillkit_core::store::HistoryFilter;
use tillkit_sandbox::proxy::{FaultMix, FaultProxy};
use tillkit_sandbox::{Acquirer, SandboxHandle};
use tillkit_tests::*;

const SCALE: f64 = 0.01;
const LIMIT: Duration = Duration::from_secs(20);
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

fn sale(id: &str, amount: &str, method: SaleMethodInput) -> SaleInput {
    SaleInput {
        sale_id: Some(id.into()),
        amount: Amount::parse(amount, "CNY").unwrap(),
        method,
        remark: None,
        qr_lifetime: None,
    }
}

async fn open(
    sb: &SandboxHandle,
    url: &str,
    config: CashierConfig,
    dir: &std::path::Path,
    clock: Arc<SteppedClock>,
) -> Cashier {
    let acquirer = Arc::new(pingpong(sb, url, Duration::from_secs(2)));
    Cashier::open_with(config, dir, key_store(sb), Arc::new(NoListener), acquirer, clock)
        .await
        .unwrap()
}

/// Case 3: a code scanned offline, the wall clock set back 2 minutes, the network back after
/// the code's validity. Before: charged past its validity. Now: offline, never sent.
#[tokio::test]
async fn a_clock_set_back_does_not_stretch_a_code_validity() {
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SteppedClock::new(0));
    let config = cashier_config(&sb, &proxy.url(), SCALE); // code validity 600 ms
    let cashier = open(&sb, &proxy.url(), config, dir.path(), clock.clone()).await;
    proxy.go_down();
    let id = unique_id("TB");
    let first =
        cashier.start_sale(sale(&id, "3.00", SaleMethodInput::CustomerCode(wechat_code()))).await;
    assert_eq!(first.unwrap().status, SaleStatus::Queued);
    clock.step(-2 * MINUTE);
    tokio::time::sleep(Duration::from_millis(700)).await; // past the validity, on real time
    proxy.come_up().await.unwrap();
    cashier.forward_now().unwrap();
    let end = wait_final(&cashier, &id, LIMIT).await;
    assert_eq!(end.status, SaleStatus::Failed(FailReason::Offline));
    assert!(ledger_order(&sb, &id).await.is_none(), "never reached the acquirer");
    assert!(cashier.clock_journal().unwrap().iter().any(|l| l.kind == "clock_step"));
    cashier.close().await;
    sb.shutdown().await;
}

/// Case 4: a sale in progress, resumed by a process whose clock is an hour behind the one that
/// scheduled it. Before: never polled again. Now: resumed and paid, the step journaled.
#[tokio::test]
async fn a_sale_resumed_on_a_clock_an_hour_behind_is_polled() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let ahead = Arc::new(SteppedClock::new(HOUR));
    let config = cashier_config(&sb, &sb.url(), 1.0); // real polling: every 3-5 s
    let first = open(&sb, &sb.url(), config.clone(), dir.path(), ahead).await;
    let id = unique_id("TR");
    let started = first
        .start_sale(sale(&id, "5.52", SaleMethodInput::MerchantQr(WalletMethod::WechatPay)))
        .await
        .unwrap();
    assert_eq!(started.status, SaleStatus::Processing);
    first.close().await;
    drop(first);
    let behind = Arc::new(SteppedClock::new(0));
    let second = open(&sb, &sb.url(), config, dir.path(), behind).await;
    assert_eq!(wait_final(&second, &id, LIMIT).await.status, SaleStatus::Paid);
    assert_eq!(sb.order(Acquirer::PingPong, &id).unwrap().unwrap().charges.len(), 1);
    assert!(second.clock_journal().unwrap().iter().any(|l| l.kind == "clock_step"));
    second.close().await;
    sb.shutdown().await;
}

/// Case 5: the QR expiry follows the acquirer's clock. Before: a phone 4 minutes slow had every
/// QR declined (`102000`), one 2 days fast made QRs live 2 days. Now: accepted, and the
/// acquirer's QR lives the configured lifetime.
#[tokio::test]
async fn qr_expiry_is_set_on_the_acquirer_clock() {
    let sb = sandbox(SCALE).await;
    for shift in [-4 * MINUTE, 2 * 24 * HOUR, -3 * 365 * 24 * HOUR] {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(SteppedClock::new(shift));
        let config = cashier_config(&sb, &sb.url(), SCALE); // QR lifetime 90 s
        let cashier = open(&sb, &sb.url(), config, dir.path(), clock).await;
        let id = unique_id("TQ");
        let first = cashier
            .start_sale(sale(&id, "6.00", SaleMethodInput::MerchantQr(WalletMethod::AlipayCn)))
            .await
            .unwrap();
        assert_eq!(first.status, SaleStatus::Processing, "shift {shift}: {first:?}");
        let order = sb.order(Acquirer::PingPong, &id).unwrap().unwrap();
        let attempt = &order.attempts[0];
        let life = attempt.expires_ms.unwrap() - attempt.created_ms;
        // 90 s compressed by the sandbox's scale is 900 ms; 2 days would be 1,728 s.
        assert!((500..=2_000).contains(&life), "shift {shift}: lives {life} ms");
        cashier.close().await;
    }
    sb.shutdown().await;
}

/// Case 6: a refund queued offline, taken up by a process whose clock is 25 h ahead. Before:
/// dropped as expired. Now: its age is read on the acquirer's clock, and it is sent.
#[tokio::test]
async fn a_refund_is_not_expired_by_a_clock_set_forward() {
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = cashier_config(&sb, &proxy.url(), SCALE);
    config.policy.refund_max_offline_age = Duration::from_secs(24 * 3600);
    let first =
        open(&sb, &proxy.url(), config.clone(), dir.path(), Arc::new(SteppedClock::new(0))).await;
    let id = unique_id("TF");
    first
        .start_sale(sale(&id, "8.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(wait_final(&first, &id, LIMIT).await.status, SaleStatus::Paid);
    proxy.go_down();
    let queued = first
        .refund(&id, RefundInput { refund_id: None, amount: None, reason: None })
        .await
        .unwrap();
    // Waiting (unsent, or its outcome lost with the network); reopening makes it unknown, a
    // query finds nothing, and it is queued again: then its age decides.
    assert!(matches!(queued.state, RefundState::Queued | RefundState::Unknown), "{queued:?}");
    first.close().await;
    drop(first);
    proxy.come_up().await.unwrap();
    let ahead = Arc::new(SteppedClock::new(25 * HOUR));
    let second = open(&sb, &proxy.url(), config, dir.path(), ahead).await;
    let refund = wait_refund_final(&second, &queued.id, LIMIT).await;
    assert_eq!(refund.state, RefundState::Succeeded);
    assert_eq!(sb.order(Acquirer::PingPong, &id).unwrap().unwrap().refunded, "8.00");
    second.close().await;
    sb.shutdown().await;
}

/// Case 7: history is in the order sales were made, whatever the clock says.
#[tokio::test]
async fn history_is_newest_first_after_a_step_back() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SteppedClock::new(0));
    let cashier =
        open(&sb, &sb.url(), cashier_config(&sb, &sb.url(), SCALE), dir.path(), clock.clone())
            .await;
    let (old, new) = (unique_id("TH"), unique_id("TH"));
    cashier
        .start_sale(sale(&old, "1.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    clock.step(-3 * HOUR);
    cashier
        .start_sale(sale(&new, "1.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    let history = cashier.history(&HistoryFilter::default()).unwrap();
    assert_eq!(history.iter().map(|s| s.id.as_str()).take(2).collect::<Vec<_>>(), [&new, &old]);
    cashier.close().await;
    sb.shutdown().await;
}
