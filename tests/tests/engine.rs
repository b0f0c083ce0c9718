//! The transaction engine against the sandbox over HTTP: sales of every method, unknown
//! outcomes, outages through the fault proxy, refunds, notifications, idempotency, recovery.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::acquirer::{TerminalId, WalletMethod};
use tillkit_core::engine::{
    CashierError, CashierEvent, NoListener, RefundInput, SaleHint, SaleInput, SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::order::{FailReason, SaleStatus};
use tillkit_sandbox::proxy::{FaultMix, FaultProxy};
use tillkit_tests::*;

const SCALE: f64 = 0.01;
const LIMIT: Duration = Duration::from_secs(20);

fn sale(id: &str, amount: &str, method: SaleMethodInput) -> SaleInput {
    SaleInput {
        sale_id: Some(id.into()),
        amount: Amount::parse(amount, "CNY").unwrap(),
        method,
        remark: None,
        qr_lifetime: None,
    }
}

async fn ledger_charges(sb: &tillkit_sandbox::SandboxHandle, order: &str) -> u64 {
    match ledger_order(sb, order).await {
        None => 0,
        Some(o) => o["charges"]
            .as_u64()
            .or_else(|| o["charges"].as_array().map(|a| a.len() as u64))
            .unwrap_or(0),
    }
}

#[tokio::test]
async fn every_method_ends_paid_with_one_charge() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = cashier(&sb, &sb.url(), dir.path(), key_store(&sb), events.clone(), SCALE).await;
    cashier.add_terminal("SANDBOX-T2", "SUNMI-P2", None).unwrap();
    let ids = [unique_id("E"), unique_id("E"), unique_id("E"), unique_id("E")];
    let methods = [
        SaleMethodInput::CustomerCode(wechat_code()),
        SaleMethodInput::CustomerCode(alipay_code()),
        SaleMethodInput::MerchantQr(WalletMethod::WechatPay),
        SaleMethodInput::Card(TerminalId { serial: "SANDBOX-T2".into(), model: "SUNMI-P2".into() }),
    ];
    for (id, method) in ids.iter().zip(methods) {
        let first = cashier.start_sale(sale(id, "9.90", method)).await.unwrap();
        assert_ne!(first.status, SaleStatus::Queued, "the first step ran inline");
        assert_eq!(wait_final(&cashier, id, LIMIT).await.status, SaleStatus::Paid, "{id}");
        assert_eq!(ledger_charges(&sb, id).await, 1);
    }
    let qr_shown = events
        .events()
        .iter()
        .any(|e| matches!(e, CashierEvent::SaleChanged(s) if SaleHint::of(s) == SaleHint::ShowQr));
    assert!(qr_shown, "the QR reached the listener");
    assert!(cashier.journal(&ids[0]).unwrap().len() >= 2);
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_lost_answer_is_unknown_then_paid_never_charged_twice() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = cashier(&sb, &sb.url(), dir.path(), key_store(&sb), events.clone(), SCALE).await;
    for amount in ["3.56", "3.58", "3.59", "3.57"] {
        let id = unique_id("U");
        let first = cashier
            .start_sale(sale(&id, amount, SaleMethodInput::CustomerCode(wechat_code())))
            .await
            .unwrap();
        assert_eq!(first.status, SaleStatus::Unknown, "{amount}");
        assert_eq!(SaleHint::of(&first), SaleHint::DoNotChargeAgain);
        assert_eq!(wait_final(&cashier, &id, LIMIT).await.status, SaleStatus::Paid, "{amount}");
        assert_eq!(ledger_charges(&sb, &id).await, 1, "{amount}");
    }
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn declined_and_user_paying_and_idempotent_ids() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier =
        cashier(&sb, &sb.url(), dir.path(), key_store(&sb), Arc::new(NoListener), SCALE).await;
    let declined = unique_id("D");
    cashier
        .start_sale(sale(&declined, "1.51", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(
        wait_final(&cashier, &declined, LIMIT).await.status,
        SaleStatus::Failed(FailReason::Declined)
    );

    let paying = unique_id("P");
    let first = cashier
        .start_sale(sale(&paying, "1.52", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(SaleHint::of(&first), SaleHint::WaitingForCustomer);
    assert_eq!(wait_final(&cashier, &paying, LIMIT).await.status, SaleStatus::Paid);

    // The integrator's id is the idempotency key: same id, same sale, no second charge.
    let again = cashier
        .start_sale(sale(&paying, "1.52", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(again.status, SaleStatus::Paid);
    let other = cashier
        .start_sale(sale(&paying, "2.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await;
    assert!(matches!(other, Err(CashierError::IdInUse { .. })));
    assert_eq!(ledger_charges(&sb, &paying).await, 1);

    // Bad input: typed errors, nothing stored.
    let bad = cashier
        .start_sale(sale(
            &unique_id("B"),
            "1.00",
            SaleMethodInput::CustomerCode("6212345678901234567".into()),
        ))
        .await;
    assert!(matches!(bad, Err(CashierError::PaymentCode(_))));
    let bad = cashier
        .start_sale(sale("has space", "1.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await;
    assert!(matches!(bad, Err(CashierError::InvalidInput { field: "sale_id", .. })));
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn an_offline_code_sale_fails_cleanly_and_is_never_sent_later() {
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier =
        cashier(&sb, &proxy.url(), dir.path(), key_store(&sb), Arc::new(NoListener), SCALE).await;
    proxy.go_down();
    let id = unique_id("OFF");
    let first = cashier
        .start_sale(sale(&id, "8.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(first.status, SaleStatus::Queued);
    assert_eq!(cashier.online(), Some(false));
    assert_eq!(
        wait_final(&cashier, &id, LIMIT).await.status,
        SaleStatus::Failed(FailReason::Offline)
    );
    proxy.come_up().await.unwrap();
    cashier.forward_now().unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(ledger_order(&sb, &id).await.is_none(), "an expired code is never forwarded");
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn refunds_wait_out_an_outage_and_are_bounded() {
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier =
        cashier(&sb, &proxy.url(), dir.path(), key_store(&sb), Arc::new(NoListener), SCALE).await;
    let id = unique_id("R");
    cashier
        .start_sale(sale(&id, "20.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(wait_final(&cashier, &id, LIMIT).await.status, SaleStatus::Paid);

    let too_much = cashier
        .refund(
            &id,
            RefundInput {
                refund_id: None,
                amount: Some(Amount::parse("20.01", "CNY").unwrap()),
                reason: None,
            },
        )
        .await;
    assert!(matches!(too_much, Err(CashierError::RefundTooLarge { .. })));

    proxy.go_down();
    let waiting = cashier
        .refund(
            &id,
            RefundInput {
                refund_id: Some(format!("{id}-R1")),
                amount: Some(Amount::parse("5.00", "CNY").unwrap()),
                reason: None,
            },
        )
        .await
        .unwrap();
    assert!(!waiting.state.is_final());
    let q = cashier.queue_status().unwrap();
    assert_eq!((q.refunds, q.totals.clone()), (1, vec![("CNY".to_string(), "5.00".to_string())]));
    // What remains is held while the first refund waits.
    let rest = cashier
        .refund(
            &id,
            RefundInput {
                refund_id: None,
                amount: Some(Amount::parse("15.01", "CNY").unwrap()),
                reason: None,
            },
        )
        .await;
    assert!(matches!(rest, Err(CashierError::RefundTooLarge { .. })));
    proxy.come_up().await.unwrap();
    cashier.forward_now().unwrap();
    let done = wait_refund_final(&cashier, &format!("{id}-R1"), LIMIT).await;
    assert_eq!(done.state, tillkit_core::order::RefundState::Succeeded);
    let full = cashier
        .refund(&id, RefundInput { refund_id: None, amount: None, reason: None })
        .await
        .unwrap();
    assert_eq!(full.amount.to_major_string(), "15.00");
    assert_eq!(
        wait_refund_final(&cashier, &full.id, LIMIT).await.state,
        tillkit_core::order::RefundState::Succeeded
    );
    assert!(matches!(
        cashier.refund(&id, RefundInput { refund_id: None, amount: None, reason: None }).await,
        Err(CashierError::RefundTooLarge { .. })
    ));
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn reopening_resumes_sales_in_flight() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let keys = key_store(&sb);
    let id = unique_id("REC");
    {
        let cashier =
            cashier(&sb, &sb.url(), dir.path(), keys.clone(), Arc::new(NoListener), SCALE).await;
        let first = cashier
            .start_sale(sale(&id, "7.52", SaleMethodInput::CustomerCode(wechat_code())))
            .await
            .unwrap();
        assert_eq!(first.status, SaleStatus::Processing);
        cashier.close().await;
    }
    let cashier = cashier(&sb, &sb.url(), dir.path(), keys, Arc::new(NoListener), SCALE).await;
    assert_eq!(wait_final(&cashier, &id, LIMIT).await.status, SaleStatus::Paid);
    assert_eq!(ledger_charges(&sb, &id).await, 1);
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn concurrent_cashiers_each_charge_once() {
    let sb = sandbox(SCALE).await;
    let mut tasks = Vec::new();
    for register in 0..4 {
        let url = sb.url();
        let config_keys = key_store(&sb);
        let config = cashier_config(&sb, &url, SCALE);
        tasks.push(tokio::spawn(async move {
            let dir = tempfile::tempdir().unwrap();
            let mut config = config;
            config.cashier_device_id = format!("REG-{register}");
            let cashier = tillkit_core::engine::Cashier::open(
                config,
                dir.path(),
                config_keys,
                Arc::new(NoListener),
            )
            .await
            .unwrap();
            let mut ids = Vec::new();
            for i in 0..10 {
                let id = unique_id(&format!("C{register}X{i}"));
                let amount = if i % 3 == 0 { "2.52" } else { "2.00" };
                cashier
                    .start_sale(sale(&id, amount, SaleMethodInput::CustomerCode(wechat_code())))
                    .await
                    .unwrap();
                ids.push(id);
            }
            for id in &ids {
                assert_eq!(wait_final(&cashier, id, LIMIT).await.status, SaleStatus::Paid);
            }
            cashier.close().await;
            ids
        }));
    }
    for t in tasks {
        for id in t.await.unwrap() {
            assert_eq!(ledger_charges(&sb, &id).await, 1, "{id}");
        }
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn offline_limits_and_connectivity_events() {
    use rust_decimal::Decimal;
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let mut config = cashier_config(&sb, &proxy.url(), SCALE);
    config.limits.max_refund_amount = Some(Decimal::new(1000, 2)); // 10.00 per refund
    config.limits.max_queued_total = Some(Decimal::new(1500, 2)); // 15.00 waiting in all
    let cashier =
        tillkit_core::engine::Cashier::open(config, dir.path(), key_store(&sb), events.clone())
            .await
            .unwrap();
    let id = unique_id("L");
    cashier
        .start_sale(sale(&id, "50.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(wait_final(&cashier, &id, LIMIT).await.status, SaleStatus::Paid);
    let refund = |amount: &str| RefundInput {
        refund_id: None,
        amount: Some(Amount::parse(amount, "CNY").unwrap()),
        reason: None,
    };

    proxy.go_down();
    // The first refund finds the network down and waits.
    cashier.refund(&id, refund("9.00")).await.unwrap();
    assert_eq!(cashier.online(), Some(false));
    assert!(
        matches!(cashier.refund(&id, refund("10.01")).await, Err(CashierError::OfflineLimit(_))),
        "per refund"
    );
    assert!(
        matches!(cashier.refund(&id, refund("6.01")).await, Err(CashierError::OfflineLimit(_))),
        "in total"
    );
    cashier.refund(&id, refund("6.00")).await.unwrap();
    assert_eq!(cashier.queue_status().unwrap().refunds, 2);

    proxy.come_up().await.unwrap();
    cashier.forward_now().unwrap();
    for r in cashier.refunds(&id).unwrap() {
        assert_eq!(
            wait_refund_final(&cashier, &r.id, LIMIT).await.state,
            tillkit_core::order::RefundState::Succeeded
        );
    }
    // Online again: the offline limits no longer apply.
    cashier.refund(&id, refund("20.00")).await.unwrap();
    let seen = events.events();
    let connectivity: Vec<bool> = seen
        .iter()
        .filter_map(|e| match e {
            CashierEvent::ConnectivityChanged { online } => Some(*online),
            _ => None,
        })
        .collect();
    assert!(
        connectivity.windows(2).any(|w| w == [false, true]),
        "went offline and back: {connectivity:?}"
    );
    assert!(seen.iter().any(|e| matches!(e, CashierEvent::QueueChanged(_))));
    assert!(seen.iter().any(|e| matches!(e, CashierEvent::Forwarded { answered: false, .. })));
    assert!(seen.iter().any(|e| matches!(e, CashierEvent::RefundChanged(r) if r.state == tillkit_core::order::RefundState::Succeeded)));
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_closed_cashier_takes_no_new_work_and_tells_what_is_refundable() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier =
        cashier(&sb, &sb.url(), dir.path(), key_store(&sb), Arc::new(NoListener), SCALE).await;
    let id = unique_id("CL");
    cashier
        .start_sale(sale(&id, "10.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    let paid = wait_final(&cashier, &id, LIMIT).await;
    assert!(!cashier.can_cancel(&paid));
    assert_eq!(cashier.refundable(&id).unwrap().to_string(), "10.00");
    cashier
        .refund(
            &id,
            RefundInput {
                refund_id: None,
                amount: Some(Amount::parse("2.50", "CNY").unwrap()),
                reason: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(cashier.refundable(&id).unwrap().to_string(), "7.50");
    cashier.close().await;
    let after = cashier
        .start_sale(sale(&unique_id("CL"), "1.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await;
    assert!(matches!(after, Err(CashierError::Closed)));
    assert!(matches!(cashier.forward_now(), Err(CashierError::Closed)));
    // Reading still works.
    assert_eq!(cashier.sale(&id).unwrap().unwrap().status, SaleStatus::Paid);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_remaining_scenarios_and_qr_expiry() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = cashier_config(&sb, &sb.url(), SCALE);
    config.policy.user_paying_budget = Duration::from_millis(300);
    let cashier = tillkit_core::engine::Cashier::open(
        config,
        dir.path(),
        key_store(&sb),
        Arc::new(NoListener),
    )
    .await
    .unwrap();
    // 53: the customer walks away in the wallet.
    let walked = unique_id("W");
    cashier
        .start_sale(sale(&walked, "3.53", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(
        wait_final(&cashier, &walked, LIMIT).await.status,
        SaleStatus::Failed(FailReason::Declined)
    );
    // 55: a slow answer is still an answer.
    let slow = unique_id("SL");
    cashier
        .start_sale(sale(&slow, "3.55", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(wait_final(&cashier, &slow, LIMIT).await.status, SaleStatus::Paid);
    // 54 on a QR: never paid, closed at its expiry (90 s, compressed by the sandbox to 0.9 s).
    let qr = unique_id("QX");
    cashier
        .start_sale(sale(&qr, "3.54", SaleMethodInput::MerchantQr(WalletMethod::WechatPay)))
        .await
        .unwrap();
    assert_eq!(
        wait_final(&cashier, &qr, LIMIT).await.status,
        SaleStatus::Failed(FailReason::Expired)
    );
    assert_eq!(ledger_charges(&sb, &qr).await, 0);
    // 54 on a code with PingPong (no cancel): past the user-paying budget the sale keeps being
    // polled and is flagged for a person.
    let stuck = unique_id("ST");
    cashier
        .start_sale(sale(&stuck, "3.54", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        let s = cashier.sale(&stuck).unwrap().unwrap();
        if s.attention {
            assert_eq!(s.status, SaleStatus::Processing);
            break;
        }
        assert!(start.elapsed() < LIMIT, "never flagged");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        matches!(cashier.cancel(&stuck).await, Err(CashierError::CannotCancel { .. })),
        "PingPong has no cancel"
    );
    cashier.close().await;
    sb.shutdown().await;
}

/// Oceanpayment has an offline void: a code sale stuck in "user paying" is voided after the
/// budget, and a cashier can cancel one at once.
#[tokio::test]
async fn oceanpayment_sales_are_voided_when_the_customer_hangs() {
    use tillkit_core::engine::AcquirerSettings;
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let c = &sb.credentials().oceanpayment;
    let mut config = tillkit_core::engine::CashierConfig::new(
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
    config.policy.user_paying_budget = Duration::from_millis(300);
    use secrecy::ExposeSecret;
    let keys = Arc::new(tillkit_core::engine::MemoryKeyStore::with(
        "ocean.code",
        c.secure_code.expose_secret().as_bytes(),
    ));
    let cashier =
        tillkit_core::engine::Cashier::open(config, dir.path(), keys, Arc::new(NoListener))
            .await
            .unwrap();

    let paid = unique_id("OC");
    cashier
        .start_sale(sale(&paid, "2.00", SaleMethodInput::CustomerCode(alipay_code())))
        .await
        .unwrap();
    assert_eq!(wait_final(&cashier, &paid, LIMIT).await.status, SaleStatus::Paid);

    let hangs = unique_id("OH");
    let first = cashier
        .start_sale(sale(&hangs, "2.54", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(first.status, SaleStatus::Processing);
    assert_eq!(
        wait_final(&cashier, &hangs, LIMIT).await.status,
        SaleStatus::Failed(FailReason::Cancelled)
    );

    let cancelled = unique_id("OX");
    cashier
        .start_sale(sale(&cancelled, "2.54", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    let asked = cashier.cancel(&cancelled).await.unwrap();
    assert!(matches!(
        asked.status,
        SaleStatus::Cancelling | SaleStatus::Failed(FailReason::Cancelled)
    ));
    assert_eq!(
        wait_final(&cashier, &cancelled, LIMIT).await.status,
        SaleStatus::Failed(FailReason::Cancelled)
    );
    for id in [&hangs, &cancelled] {
        let order = sb.order(tillkit_sandbox::Acquirer::Oceanpayment, id).unwrap().unwrap();
        assert!(order.charges.is_empty() || order.refunded == order.paid, "{id}: nothing kept");
    }
    // Refund of the paid one, through the adapter's payment_id.
    let r = cashier
        .refund(&paid, RefundInput { refund_id: None, amount: None, reason: None })
        .await
        .unwrap();
    assert_eq!(
        wait_refund_final(&cashier, &r.id, LIMIT).await.state,
        tillkit_core::order::RefundState::Succeeded
    );
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_queued_sale_cancelled_offline_is_never_sent() {
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = cashier_config(&sb, &proxy.url(), SCALE);
    config.policy.code_validity = Duration::from_secs(30);
    let cashier = tillkit_core::engine::Cashier::open(
        config,
        dir.path(),
        key_store(&sb),
        Arc::new(NoListener),
    )
    .await
    .unwrap();
    proxy.go_down();
    let id = unique_id("QC");
    let first = cashier
        .start_sale(sale(&id, "4.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(first.status, SaleStatus::Queued);
    assert!(cashier.can_cancel(&first));
    let cancelled = cashier.cancel(&id).await.unwrap();
    assert_eq!(cancelled.status, SaleStatus::Failed(FailReason::Cancelled));
    proxy.come_up().await.unwrap();
    cashier.forward_now().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(ledger_order(&sb, &id).await.is_none(), "a withdrawn sale never reaches the acquirer");
    assert_eq!(cashier.queue_status().unwrap().sales, 0);
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn when_the_acquirer_answers_again_waiting_work_goes_at_once() {
    let sb = sandbox(SCALE).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = cashier_config(&sb, &proxy.url(), SCALE);
    // A long backoff: without a nudge, the waiting refund would sleep for 15 s or more.
    config.policy.backoff_min = Duration::from_secs(30);
    config.policy.backoff_max = Duration::from_secs(60);
    config.policy.refund_max_offline_age = Duration::from_secs(3600);
    let cashier = tillkit_core::engine::Cashier::open(
        config,
        dir.path(),
        key_store(&sb),
        Arc::new(NoListener),
    )
    .await
    .unwrap();
    let id = unique_id("N");
    cashier
        .start_sale(sale(&id, "9.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(wait_final(&cashier, &id, LIMIT).await.status, SaleStatus::Paid);
    proxy.go_down();
    let input = RefundInput { refund_id: None, amount: None, reason: None };
    let refund = cashier.refund(&id, input).await.unwrap();
    assert!(!refund.state.is_final(), "waiting while the acquirer is down: {refund:?}");
    proxy.come_up().await.unwrap();
    // Any answer from the acquirer (here, the next sale) brings the waiting refund along.
    let next = unique_id("N");
    cashier
        .start_sale(sale(&next, "1.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    let done = wait_refund_final(&cashier, &refund.id, Duration::from_secs(8)).await;
    assert_eq!(done.state, tillkit_core::order::RefundState::Succeeded);
    cashier.close().await;
    sb.shutdown().await;
}
