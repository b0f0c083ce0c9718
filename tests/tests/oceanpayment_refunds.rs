//! Oceanpayment refunds whose outcome is unknown, through the real engine and the sandbox over
//! HTTP: Oceanpayment queries a refund by its own `refund_id`, which a refund whose answer was
//! lost never received. The engine must learn it from the order query's `refundList` (choice
//! O11) or, when the acquirer does not list the refund, flag it for a person — never resend it
//! blindly, never loop silently.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierConfig, CashierEvent, MemoryKeyStore, RefundInput,
    SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::order::{AttentionReason, RefundState, SaleStatus};
use tillkit_sandbox::proxy::{Fault, FaultMix, FaultProxy};
use tillkit_sandbox::SandboxHandle;
use tillkit_tests::{
    billing, http, ledger_order, notification_receiver, sale_input, sandbox, unique_id, wait_final,
    wait_refund_final, wechat_code, Recorder,
};

const KEY: &str = "oceanpayment.secure_code";
const LIMIT: Duration = Duration::from_secs(30);

/// A cashier on `dir` talking Oceanpayment through `proxy` (pay and query hosts alike).
async fn cashier(
    sb: &SandboxHandle,
    proxy: &FaultProxy,
    dir: &std::path::Path,
    events: Arc<Recorder>,
) -> Cashier {
    cashier_with(sb, proxy, dir, events, |_| {}).await
}

async fn cashier_with(
    sb: &SandboxHandle,
    proxy: &FaultProxy,
    dir: &std::path::Path,
    events: Arc<Recorder>,
    adjust: impl FnOnce(&mut CashierConfig),
) -> Cashier {
    use secrecy::ExposeSecret;
    let c = &sb.credentials().oceanpayment;
    let mut config = CashierConfig::new(
        AcquirerSettings::Oceanpayment {
            http: http(&proxy.url(), Duration::from_millis(800)),
            account: c.account.clone(),
            terminal: c.terminal.clone(),
            secure_code_key: KEY.into(),
            billing: billing(),
            query_http: None,
        },
        "OCEAN-REFUNDS",
    );
    config.policy = config.policy.scaled(0.01);
    adjust(&mut config);
    let keys = Arc::new(MemoryKeyStore::with(KEY, c.secure_code.expose_secret().as_bytes()));
    Cashier::open(config, dir, keys, events).await.expect("cashier opens")
}

/// A paid WeChat code sale of 10.00 CNY.
async fn paid_sale(cashier: &Cashier) -> String {
    let id = unique_id("OR");
    cashier
        .start_sale(sale_input(&id, "10.00", SaleMethodInput::CustomerCode(wechat_code())))
        .await
        .unwrap();
    assert_eq!(wait_final(cashier, &id, LIMIT).await.status, SaleStatus::Paid);
    id
}

fn refund_input(amount: &str) -> RefundInput {
    RefundInput {
        refund_id: Some(unique_id("RF")),
        amount: Some(Amount::parse(amount, "CNY").unwrap()),
        reason: None,
    }
}

/// The refunds the sandbox's ledger holds for an order: (merchant refund id, status).
async fn ledger_refunds(sb: &SandboxHandle, order: &str) -> Vec<(String, String)> {
    let order = ledger_order(sb, order).await.unwrap();
    order["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["merchantRefundId"].as_str().unwrap().to_string();
            (id, r["status"].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_whose_answer_was_lost_is_found_in_the_order_query() {
    let sb = sandbox(1.0).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier = cashier(&sb, &proxy, dir.path(), Recorder::new()).await;
    let sale = paid_sale(&cashier).await;

    // The refund reaches the sandbox; its answer is lost on the way back.
    let before = proxy.requests();
    proxy.set_mix(FaultMix {
        weights: vec![(Fault::DropResponse, 1)],
        seed: 7,
        delay: Duration::ZERO,
    });
    let refund = cashier.refund(&sale, refund_input("4.00")).await.unwrap();
    while proxy.requests() == before {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    proxy.set_mix(FaultMix::none());

    let row = wait_refund_final(&cashier, &refund.id, LIMIT).await;
    assert_eq!(row.state, RefundState::Succeeded, "{row:?}");
    assert!(row.acquirer_refund_id.is_some(), "the refund_id was learned: {row:?}");
    assert!(!row.attention, "{row:?}");
    let ledger = ledger_refunds(&sb, &sale).await;
    assert_eq!(ledger, vec![(refund.id.clone(), "SUCCESS".to_string())], "refunded once");
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_the_acquirer_does_not_list_is_flagged_and_never_resent() {
    let sb = sandbox(1.0).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = cashier(&sb, &proxy, dir.path(), events.clone()).await;
    let sale = paid_sale(&cashier).await;

    // The refund request is lost on its way (the connection drops before the acquirer sees
    // it): its outcome is unknown and it has no refund_id to query.
    let before = proxy.requests();
    proxy.set_mix(FaultMix {
        weights: vec![(Fault::DropRequest, 1)],
        seed: 3,
        delay: Duration::ZERO,
    });
    let refund = cashier.refund(&sale, refund_input("3.00")).await.unwrap();
    while proxy.requests() == before {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    proxy.set_mix(FaultMix::none());

    let flagged = tokio::time::timeout(LIMIT, async {
        loop {
            let row = cashier.refund_by_id(&refund.id).unwrap().unwrap();
            if row.attention_reason == Some(AttentionReason::Unresolvable) {
                return row;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the refund is flagged unresolvable");
    assert_eq!(flagged.state, RefundState::Unknown, "{flagged:?}");

    // It keeps being asked about now and then, and is never sent as new.
    let asked = proxy.requests();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(proxy.requests() > asked, "still asked about");
    assert!(ledger_refunds(&sb, &sale).await.is_empty(), "never resent");
    let row = cashier.refund_by_id(&refund.id).unwrap().unwrap();
    assert_eq!((row.state, row.attention), (RefundState::Unknown, true));

    let flags: Vec<_> = events
        .events()
        .into_iter()
        .filter(|e| {
            matches!(e, CashierEvent::AttentionNeeded { reason: AttentionReason::Unresolvable, .. })
        })
        .collect();
    assert_eq!(flags.len(), 1, "one event, not one per query: {flags:?}");
    cashier.close().await;
    sb.shutdown().await;
}

/// Loses the answer to the next request through `proxy` (the request itself arrives).
async fn lose_next_answer(proxy: &FaultProxy, during: impl std::future::Future<Output = ()>) {
    let before = proxy.requests();
    proxy.set_mix(FaultMix {
        weights: vec![(Fault::DropResponse, 1)],
        seed: 7,
        delay: Duration::ZERO,
    });
    during.await;
    while proxy.requests() == before {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    proxy.set_mix(FaultMix::none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_s_refund_notice_settles_a_refund_whose_answer_was_lost() {
    let sb = sandbox(1.0).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    let cashier = cashier_with(&sb, &proxy, dir.path(), Recorder::new(), |c| {
        c.notification_url = Some(url);
    })
    .await;
    let server = notification_receiver(listener, cashier.clone());
    let sale = paid_sale(&cashier).await;
    let mut refund = None;
    lose_next_answer(&proxy, async {
        refund = Some(cashier.refund(&sale, refund_input("2.50")).await.unwrap());
    })
    .await;
    let refund = refund.unwrap();
    // From here the acquirer cannot be asked: only its notification can settle the refund.
    proxy.go_down();
    let row = wait_refund_final(&cashier, &refund.id, LIMIT).await;
    assert_eq!(row.state, RefundState::Succeeded, "{row:?}");
    assert!(row.acquirer_refund_id.is_some(), "learned from push_id: {row:?}");
    assert_eq!(ledger_refunds(&sb, &sale).await.len(), 1);
    cashier.close().await;
    server.abort();
    sb.shutdown().await;
}

/// A refund notice signed with the sandbox's secure code (choice O12), with `changes` applied.
fn notice(
    sb: &SandboxHandle,
    sale: &str,
    refund: &str,
    push_id: &str,
    changes: &[(&str, &str)],
) -> Vec<u8> {
    use tillkit_core::sign::oceanpayment::{sign, OceanMessage};
    let c = &sb.credentials().oceanpayment;
    let mut fields: Vec<(String, String)> = [
        ("account", c.account.as_str()),
        ("terminal", c.terminal.as_str()),
        ("order_number", sale),
        ("notice_type", "partialRefund"),
        ("push_id", push_id),
        ("push_status", "1"),
        ("refund_number", refund),
        ("refund_amount", "1.00"),
        ("order_currency", "CNY"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in changes {
        fields.iter_mut().filter(|(n, _)| n == k).for_each(|f| f.1 = v.to_string());
    }
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let sig = sign(OceanMessage::RefundNotice, get, &c.secure_code);
    let body: String = fields.iter().map(|(k, v)| format!("<{k}>{v}</{k}>")).collect();
    format!("<response><signValue>{sig}</signValue>{body}</response>").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_notices_about_something_else_are_refused_and_flagged() {
    let sb = sandbox(1.0).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier = cashier(&sb, &proxy, dir.path(), Recorder::new()).await;
    let sale = paid_sale(&cashier).await;
    let other_sale = paid_sale(&cashier).await;
    let refund = cashier.refund(&sale, refund_input("1.00")).await.unwrap();
    let done = wait_refund_final(&cashier, &refund.id, LIMIT).await;
    let theirs = done.acquirer_refund_id.clone().unwrap();

    // The right notice is acknowledged, and again (duplicates are harmless).
    let right = notice(&sb, &sale, &refund.id, &theirs, &[]);
    assert_eq!(cashier.handle_notification(&right).await.unwrap(), "receive-ok");
    assert_eq!(cashier.handle_notification(&right).await.unwrap(), "receive-ok");
    // No amount, but named by the refund id this refund holds: acknowledged.
    let by_id = notice(&sb, &sale, "", &theirs, &[("refund_amount", "")]);
    assert_eq!(cashier.handle_notification(&by_id).await.unwrap(), "receive-ok");
    let done = cashier.refund_by_id(&refund.id).unwrap().unwrap();
    assert_eq!((done.state, done.attention), (RefundState::Succeeded, false));

    // Another merchant's terminal, a forged signature: refused, nothing changes.
    let c = sb.credentials().oceanpayment.terminal.clone();
    let foreign = notice(&sb, &sale, &refund.id, &theirs, &[("terminal", "00000000")]);
    assert!(cashier.handle_notification(&foreign).await.is_err(), "terminal {c} only");
    let forged =
        String::from_utf8(right.clone()).unwrap().replace("<push_status>1<", "<push_status>0<");
    assert!(cashier.handle_notification(forged.as_bytes()).await.is_err());
    assert_eq!(cashier.refund_by_id(&refund.id).unwrap().unwrap(), done, "unchanged");

    // Signed, but about another sale, another refund id or another amount: not applied, flagged.
    for (changes, field) in [
        (vec![("order_number", other_sale.as_str())], "order"),
        (vec![("push_id", "999999")], "refund_id"),
        (vec![("refund_amount", "9.00")], "amount"),
    ] {
        let body = notice(&sb, &sale, &refund.id, &theirs, &changes);
        let e = cashier.handle_notification(&body).await.unwrap_err();
        assert!(
            matches!(e, tillkit_core::engine::CashierError::AnswerMismatch { .. }),
            "{field}: {e:?}"
        );
        let row = cashier.refund_by_id(&refund.id).unwrap().unwrap();
        assert_eq!(row.state, RefundState::Succeeded);
        assert_eq!(
            row.attention_reason,
            Some(AttentionReason::AnswerMismatch { field: field.into() })
        );
    }
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_queued_offline_survives_a_restart_unsent_and_is_sent_once() {
    let sb = sandbox(1.0).await;
    let proxy = FaultProxy::start(sb.addr(), FaultMix::none()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = cashier(&sb, &proxy, dir.path(), Recorder::new()).await;
    let sale = paid_sale(&first).await;

    // Queued while the acquirer cannot be reached (nothing leaves), then the app stops: a
    // refund that never left is not "maybe sent" after the restart, so it is simply sent.
    proxy.go_down();
    let refund = first.refund(&sale, refund_input("3.00")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(first.refund_by_id(&refund.id).unwrap().unwrap().state, RefundState::Queued);
    first.close().await;
    proxy.come_up().await.unwrap();
    let events = Recorder::new();
    let cashier = cashier(&sb, &proxy, dir.path(), events.clone()).await;
    let row = wait_refund_final(&cashier, &refund.id, LIMIT).await;
    assert_eq!((row.state, row.attention), (RefundState::Succeeded, false), "{row:?}");
    assert_eq!(ledger_refunds(&sb, &sale).await, vec![(refund.id.clone(), "SUCCESS".into())]);
    cashier.close().await;
    sb.shutdown().await;
}
