//! Terminal states the cashier can act on, through the real engine, real HTTP and a real SQLite
//! store: a busy or unreachable terminal ends a sale only once a query finds no order (and the
//! sale is never resent), a hint the query contradicts is followed no further, the hint
//! survives a restart, each terminal result gets its own reason, and an abandoned sale is still
//! resolved and flagged if charged.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tillkit_core::acquirer::TerminalId;
use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierConfig, CashierError, CashierEvent, MemoryKeyStore, NextStep,
    SaleInput, SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::order::{AttentionReason, FailReason, SaleStatus};
use tillkit_core::sign::pingpong::SignType;
use tillkit_core::store::{HistoryFilter, SaleRow};
use tillkit_tests::hostile::verdict::{journal_text, wait_for};
use tillkit_tests::hostile::{Credentials, Op};
use tillkit_tests::scripted::{Reply, Scripted};
use tillkit_tests::{http, unique_id, Recorder};

async fn open_cashier(url: &str, dir: &std::path::Path, events: Arc<Recorder>) -> Cashier {
    open_with(url, dir, events, |_| {}).await
}

async fn open_with(
    url: &str,
    dir: &std::path::Path,
    events: Arc<Recorder>,
    tweak: impl FnOnce(&mut CashierConfig),
) -> Cashier {
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
        "STATES-REGISTER",
    );
    config.policy = config.policy.scaled(0.01);
    config.policy.qr_lifetime = Duration::from_secs(90);
    tweak(&mut config);
    use secrecy::ExposeSecret;
    let keys =
        Arc::new(MemoryKeyStore::with("pingpong.salt", creds.salt.expose_secret().as_bytes()));
    let cashier = Cashier::open(config, dir, keys, events).await.expect("cashier opens");
    if cashier.terminals().unwrap().is_empty() {
        cashier.add_terminal("T-1", "PAX-A920", None).unwrap();
    }
    cashier
}

fn card_sale(id: &str) -> SaleInput {
    SaleInput {
        sale_id: Some(id.into()),
        amount: Amount::parse("2.00", "CNY").unwrap(),
        method: SaleMethodInput::Card(TerminalId {
            serial: "T-1".into(),
            model: "PAX-A920".into(),
        }),
        remark: None,
        qr_lifetime: None,
    }
}

fn busy() -> Reply {
    Reply {
        code: "500000".into(),
        description: "terminal busy: it is taking the payment of order POS-0001".into(),
        biz: Some(json!({"terminalState": "BUSY", "blockingTransactionId": "POS-0001"})),
    }
}

fn unreachable() -> Reply {
    Reply {
        code: "500000".into(),
        description: "terminal unreachable".into(),
        biz: Some(json!({"terminalState": "UNREACHABLE", "lastSeenMs": 1_765_000_000_000u64})),
    }
}

fn not_found() -> Reply {
    Reply::error("107001", "order not found")
}

const LIMIT: Duration = Duration::from_secs(30);

async fn final_sale(cashier: &Cashier, id: &str) -> SaleRow {
    wait_for(cashier, id, |s| s.status.is_final()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_confirmed_by_a_query_ends_the_sale_and_it_is_never_resent() {
    for (refusal, reason, step) in [
        (busy(), FailReason::TerminalBusy, NextStep::UseAnotherTerminal),
        (unreachable(), FailReason::TerminalUnreachable, NextStep::CheckTerminal),
    ] {
        let answer = refusal.clone();
        let acquirer = Scripted::start(move |op, _, _| match op {
            Op::Pay => answer.clone(),
            _ => not_found(),
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cashier = open_cashier(&acquirer.url(), dir.path(), Recorder::new()).await;
        let id = unique_id("TB");
        let first = cashier.start_sale(card_sale(&id)).await.unwrap();
        // The hint alone never ends a sale.
        assert_eq!(first.status, SaleStatus::Unknown, "{reason:?}");
        let end = final_sale(&cashier, &id).await;
        assert_eq!(end.status, SaleStatus::Failed(reason));
        assert_eq!(NextStep::of(end.status), step);
        assert!(!end.attention, "{end:?}");
        assert_eq!(acquirer.requests(Op::Pay), 1, "never resent");
        assert!(acquirer.requests(Op::Query) >= 1, "queried before it ended");
        assert!(journal_text(&cashier, &id).contains("terminal"), "the hint is journalled");
        cashier.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_hint_the_query_contradicts_is_followed_no_further() {
    let acquirer = Scripted::start(|op, n, asked| match (op, n) {
        (Op::Pay, _) => busy(),
        (_, 1) => Reply::payment(asked, "PROCESSING", json!({})),
        _ => Reply::payment(asked, "SUCCESS", json!({})),
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier = open_cashier(&acquirer.url(), dir.path(), Recorder::new()).await;
    let id = unique_id("TL");
    cashier.start_sale(card_sale(&id)).await.unwrap();
    let end = final_sale(&cashier, &id).await;
    assert_eq!(end.status, SaleStatus::Paid, "the order existed: the hint was wrong");
    assert!(!end.attention, "{end:?}");
    assert_eq!(acquirer.requests(Op::Pay), 1);
    cashier.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hint_survives_a_restart_before_the_query() {
    // Until `resolvable` is set, queries fail with a system error: the sale stays unknown.
    let resolvable = Arc::new(AtomicBool::new(false));
    let flag = resolvable.clone();
    let acquirer = Scripted::start(move |op, _, _| match op {
        Op::Pay => busy(),
        _ if flag.load(Ordering::SeqCst) => not_found(),
        _ => Reply::error("500000", "system error"),
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let id = unique_id("TR");
    {
        let cashier = open_cashier(&acquirer.url(), dir.path(), Recorder::new()).await;
        assert_eq!(cashier.start_sale(card_sale(&id)).await.unwrap().status, SaleStatus::Unknown);
        cashier.close().await;
    }
    resolvable.store(true, Ordering::SeqCst);
    let cashier = open_cashier(&acquirer.url(), dir.path(), Recorder::new()).await;
    let end = final_sale(&cashier, &id).await;
    assert_eq!(end.status, SaleStatus::Failed(FailReason::TerminalBusy), "{end:?}");
    assert_eq!(acquirer.requests(Op::Pay), 1, "never resent, before or after the restart");
    cashier.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_terminal_result_has_its_own_reason() {
    let cases = [
        ("declined", FailReason::Declined),
        ("cancelled_at_terminal", FailReason::CancelledAtTerminal),
        ("cancelled_by_cashier", FailReason::Cancelled),
        ("timed_out", FailReason::TimedOutAtTerminal),
        ("undelivered", FailReason::Undelivered),
        ("failed", FailReason::FailedAtTerminal),
        // Unknown to this version: still nothing charged, and not a decline.
        ("struck_by_lightning", FailReason::FailedAtTerminal),
        // No terminal result at all: an ordinary decline.
        ("", FailReason::Declined),
    ];
    let results: Arc<Mutex<HashMap<String, &'static str>>> = Arc::default();
    let table = results.clone();
    let acquirer = Scripted::start(move |op, _, asked| {
        let order = asked.get("merchantTransactionId").and_then(Value::as_str).unwrap_or("");
        let wire = table.lock().unwrap().get(order).copied().unwrap_or("");
        match op {
            Op::Pay => Reply::payment(asked, "PROCESSING", json!({})),
            _ if wire.is_empty() => {
                Reply::payment(asked, "FAILED", json!({"resultCode": "301002"}))
            }
            _ => Reply::payment(
                asked,
                "FAILED",
                json!({"resultCode": "301002", "terminalResult": wire}),
            ),
        }
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier = open_cashier(&acquirer.url(), dir.path(), Recorder::new()).await;
    for (wire, reason) in cases {
        let id = unique_id("TT");
        results.lock().unwrap().insert(id.clone(), wire);
        cashier.start_sale(card_sale(&id)).await.unwrap();
        let end = final_sale(&cashier, &id).await;
        assert_eq!(end.status, SaleStatus::Failed(reason), "{wire}");
        // The result survives the store: read back from SQLite.
        assert_eq!(cashier.sale(&id).unwrap().unwrap().status, SaleStatus::Failed(reason));
    }
    cashier.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_sale_charged_later_is_paid_and_flagged_once() {
    let charged = Arc::new(AtomicBool::new(false));
    let flag = charged.clone();
    let acquirer = Scripted::start(move |op, _, asked| match op {
        Op::Query if flag.load(Ordering::SeqCst) => Reply::payment(asked, "SUCCESS", json!({})),
        Op::Pay | Op::Query => Reply::payment(asked, "PROCESSING", json!({})),
        _ => Reply::error("102000", "not scripted"),
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let events = Recorder::new();
    let cashier = open_cashier(&acquirer.url(), dir.path(), events.clone()).await;
    let id = unique_id("TA");
    assert_eq!(cashier.start_sale(card_sale(&id)).await.unwrap().status, SaleStatus::Processing);
    let abandoned = cashier.abandon_sale(&id).await.unwrap();
    assert!(abandoned.abandoned_at.is_some());
    assert_eq!(abandoned.status, SaleStatus::Processing, "still resolved");
    // Abandoning again changes nothing.
    assert_eq!(cashier.abandon_sale(&id).await.unwrap().abandoned_at, abandoned.abandoned_at);
    let listed = |include_abandoned| {
        let filter = HistoryFilter { include_abandoned, ..HistoryFilter::default() };
        cashier.history(&filter).unwrap().iter().any(|s| s.id == id)
    };
    // Off the screen unless asked for — as long as nobody needs to look at it.
    let now = cashier.sale(&id).unwrap().unwrap();
    assert_eq!(listed(false), now.attention, "{now:?}");
    assert!(listed(true));
    charged.store(true, Ordering::SeqCst);
    let end = final_sale(&cashier, &id).await;
    assert_eq!(end.status, SaleStatus::Paid, "the charge is recorded");
    assert_eq!(end.attention_reason, Some(AttentionReason::PaidAfterAbandon));
    assert!(listed(false), "a charged abandoned sale is back on the list");
    assert!(cashier.refunds(&id).unwrap().is_empty(), "never refunded by itself");
    let flagged = events
        .events()
        .iter()
        .filter(|e| {
            matches!(e, CashierEvent::AttentionNeeded { sale_id, reason, .. }
                if *sale_id == id && *reason == AttentionReason::PaidAfterAbandon)
        })
        .count();
    assert_eq!(flagged, 1, "one attention event");
    assert_eq!(journal_text(&cashier, &id).matches("paid_after_abandon").count(), 1);
    // A sale that has ended cannot be abandoned; an unknown one is unknown.
    let err = cashier.abandon_sale(&unique_id("NONE")).await.unwrap_err();
    assert!(matches!(err, CashierError::UnknownSale(_)), "{err:?}");
    let other = unique_id("TF");
    charged.store(true, Ordering::SeqCst);
    cashier.start_sale(card_sale(&other)).await.unwrap();
    final_sale(&cashier, &other).await;
    let err = cashier.abandon_sale(&other).await.unwrap_err();
    assert!(matches!(err, CashierError::CannotAbandon { .. }), "{err:?}");
    cashier.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_sale_is_never_sent_again() {
    // Unsent (the acquirer is unreachable): abandoning withdraws it at once.
    let dir = tempfile::tempdir().unwrap();
    let cashier = open_cashier("http://127.0.0.1:9", dir.path(), Recorder::new()).await;
    let id = unique_id("TQ");
    assert_eq!(cashier.start_sale(card_sale(&id)).await.unwrap().status, SaleStatus::Queued);
    let end = cashier.abandon_sale(&id).await.unwrap();
    assert_eq!(end.status, SaleStatus::Failed(FailReason::Cancelled), "{end:?}");
    assert!(end.abandoned_at.is_some());
    cashier.close().await;

    // Unknown, then "not found" (no terminal hint): normally resent, never once abandoned.
    let found_nothing = Arc::new(AtomicBool::new(false));
    let flag = found_nothing.clone();
    let acquirer = Scripted::start(move |op, _, _| match op {
        Op::Query if flag.load(Ordering::SeqCst) => not_found(),
        _ => Reply::error("500000", "system error"),
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Long enough a send budget that an unseen sale would be resent if it were still wanted.
    let patient = |c: &mut CashierConfig| c.policy.sale_offline_budget = Duration::from_secs(60);
    let cashier = open_with(&acquirer.url(), dir.path(), Recorder::new(), patient).await;
    let id = unique_id("TU");
    assert_eq!(cashier.start_sale(card_sale(&id)).await.unwrap().status, SaleStatus::Unknown);
    cashier.abandon_sale(&id).await.unwrap();
    found_nothing.store(true, Ordering::SeqCst);
    let queries = acquirer.requests(Op::Query);
    let start = std::time::Instant::now();
    while acquirer.requests(Op::Query) < queries + 3 {
        assert!(start.elapsed() < LIMIT, "still watched by query");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(acquirer.requests(Op::Pay), 1, "watched, never resent");
    assert_eq!(cashier.sale(&id).unwrap().unwrap().status, SaleStatus::Unknown);
    cashier.close().await;
}
