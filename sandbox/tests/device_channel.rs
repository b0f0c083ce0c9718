//! The device channel over real HTTP: a test agent registers a terminal, polls, acknowledges,
//! authorises and reports, while a cashier pays, queries and cancels through PingPong.
#![allow(clippy::unwrap_used)]

mod common;
mod device;

use std::time::Duration;

use common::*;
use device::{clearing, now_ms, register, Agent, PAN};
use serde_json::{json, Value};
use tillkit_sandbox::{Acquirer, Sandbox, SandboxConfig, TerminalMode};

const PAY: &str = "/v4/payment/unifiedPay";
const CANCEL: &str = "/v4/payment/cancel";

/// A sandbox in agent mode: at 0.05, 60 s of pickup is 3 s and 30 s of silence 1.5 s.
async fn start(scale: f64) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: Some(dir.path().join("ledger.sqlite")),
        time_scale: scale,
        timings: timings(),
        tick: Duration::from_millis(10),
        ..SandboxConfig::default()
    };
    assert_eq!(config.terminals, TerminalMode::Agent, "agent mode is the default");
    Env::wrap(Sandbox::start(config).await.unwrap(), dir)
}

async fn agent(env: &Env) -> Agent {
    register(&env.sandbox.url(), &uid("T"), "PAX-A920").await
}

async fn pay(env: &Env, a: &Agent, order: &str, amount: &str) -> PpAnswer {
    pp(env, PAY, &pp_card_pay(order, &uid("R"), amount, &a.sn, &a.model)).await
}

fn charges(env: &Env, order: &str) -> usize {
    env.sandbox.order(Acquirer::PingPong, order).unwrap().map_or(0, |o| o.charges.len())
}

#[tokio::test]
async fn a_card_sale_is_taken_by_the_agent_and_charged_once() {
    let env = start(0.05).await;
    let a = std::sync::Arc::new(agent(&env).await);
    assert!(a.poll(0).await.is_empty());
    let order = uid("O");
    // The long poll waits, and is woken by the sale.
    let poll = tokio::spawn({
        let a = a.clone();
        async move { a.poll(10_000).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let first = pay(&env, &a, &order, "12.00").await;
    assert_eq!(first.status_field(), "PROCESSING");
    let messages = poll.await.unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!((m["kind"].as_str(), m["transactionId"].as_str()), (Some("sale"), Some(&*order)));
    assert_eq!((m["amount"].as_str(), m["currency"].as_str()), (Some("12.00"), Some("USD")));
    assert!(m["deadlineMs"].as_i64().unwrap() > now_ms());
    // At least once: repeated until acknowledged.
    assert_eq!(a.poll(0).await[0]["id"], m["id"]);
    assert_eq!(a.ack(&m["id"]).await.body, json!({"ok": true}));
    assert!(a.poll(0).await.is_empty());
    let step = json!({"transactionId": order, "step": "waiting_for_card"});
    assert_eq!(a.send("progress", &step).await.status, 200);
    assert_eq!(pp_query(&env, &order).await.status_field(), "PROCESSING");

    let auth = a.authorize(&order, 1200, "840").await;
    assert_eq!(auth.status, 200, "{:?}", auth.body);
    assert_eq!(auth.body["approved"], true);
    assert_eq!(auth.body["authCode"].as_str().map(str::len), Some(6));
    assert_eq!(auth.body["issuerTlv"], "8a023030");
    assert_eq!(pp_query(&env, &order).await.status_field(), "PROCESSING");
    let done = a.result(&order, "approved").await;
    assert_eq!(done.body, json!({"status": "recorded"}));
    let q = pp_query(&env, &order).await;
    assert_eq!(q.status_field(), "SUCCESS");
    assert!(q.biz.get("terminalResult").is_none());
    assert_eq!(charges(&env, &order), 1);

    // The same result again changes nothing; another one is a conflict.
    assert_eq!(a.result(&order, "approved").await.body["status"], "already_recorded");
    let conflict = a.result(&order, "declined").await;
    assert_eq!((conflict.status, conflict.code()), (409, "conflict"));
    assert_eq!(conflict.body["recorded"], "approved");
    assert_eq!(charges(&env, &order), 1);
}

#[tokio::test]
async fn the_card_number_never_reaches_the_ledger_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let config =
        SandboxConfig { db_path: Some(db.clone()), time_scale: 0.05, ..Default::default() };
    let env = Env::wrap(Sandbox::start(config).await.unwrap(), dir);
    let a = agent(&env).await;
    a.poll(0).await;
    let order = uid("O");
    pay(&env, &a, &order, "3.00").await;
    a.take(&order, "sale").await;
    assert_eq!(a.authorize(&order, 300, "840").await.body["approved"], true);
    assert_eq!(a.result(&order, "approved").await.status, 200);
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        bytes.extend(std::fs::read(&name).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("476173******0119"), "the masked PAN is kept");
    assert!(!text.contains(PAN), "the full PAN is not");
}

#[tokio::test]
async fn a_decline_fails_the_payment_with_the_terminal_result() {
    let env = start(0.05).await;
    let a = agent(&env).await;
    a.poll(0).await;
    let order = uid("O");
    pay(&env, &a, &order, "12.51").await;
    a.take(&order, "sale").await;
    let wrong = a.authorize(&order, 1300, "840").await;
    assert_eq!((wrong.status, wrong.code()), (409, "amount_mismatch"));
    let auth = a.authorize(&order, 1251, "840").await;
    assert_eq!(
        (auth.body["approved"].clone(), auth.body["authCode"].clone()),
        (json!(false), Value::Null)
    );
    assert_eq!(auth.body["issuerTlv"], "8a023035");
    let cheat = a.result(&order, "approved").await;
    assert_eq!((cheat.status, cheat.code()), (409, "not_authorized"));
    assert_eq!(a.result(&order, "declined").await.body["status"], "recorded");
    let q = pp_query(&env, &order).await;
    assert_eq!(q.status_field(), "FAILED");
    assert_eq!(q.biz["terminalResult"], "declined");
    assert_eq!(q.biz["resultCode"], "301002");
    assert_eq!(charges(&env, &order), 0);
}

#[tokio::test]
async fn a_sale_not_picked_up_in_time_closes_undelivered() {
    let env = start(0.01).await;
    let a = agent(&env).await;
    a.poll(0).await;
    let order = uid("O");
    pay(&env, &a, &order, "4.00").await;
    let messages = a.poll(0).await;
    assert_eq!(messages.len(), 1);
    let q = pp_wait_status(&env, &order, "CLOSED").await;
    assert_eq!(q.biz["terminalResult"], "undelivered");
    assert!(a.poll(0).await.is_empty(), "a closed sale leaves the inbox");
    let late = a.ack(&messages[0]["id"]).await;
    assert_eq!((late.status, late.code()), (409, "ended"));
    assert_eq!(late.body["recorded"], "undelivered");
    assert_eq!(charges(&env, &order), 0);
}

#[tokio::test]
async fn a_busy_or_unreachable_terminal_refuses_the_sale_without_an_order() {
    let env = start(0.01).await;
    // The built-in terminals wait for an agent too, and none polls.
    let order = uid("O");
    let r = pp(&env, PAY, &pp_card_pay(&order, &uid("R"), "5.00", "SANDBOX-T1", "PAX-A920")).await;
    assert_eq!(r.code(), "500000");
    assert_eq!(r.biz, json!({"terminalState": "UNREACHABLE", "lastSeenMs": null}));
    assert!(env.sandbox.order(Acquirer::PingPong, &order).unwrap().is_none());

    let a = agent(&env).await;
    let never = pay(&env, &a, &uid("O"), "5.00").await;
    assert_eq!(never.biz["terminalState"], "UNREACHABLE");
    a.poll(0).await;
    let first = uid("O");
    assert_eq!(pay(&env, &a, &first, "5.00").await.status_field(), "PROCESSING");
    let second = uid("O");
    let busy = pay(&env, &a, &second, "6.00").await;
    assert_eq!(busy.code(), "500000");
    assert_eq!(busy.biz, json!({"terminalState": "BUSY", "blockingTransactionId": first}));
    assert!(env.sandbox.order(Acquirer::PingPong, &second).unwrap().is_none());
    a.take(&first, "sale").await;
    assert_eq!(a.result(&first, "timed_out").await.status, 200);
    assert_eq!(pp_query(&env, &first).await.biz["terminalResult"], "timed_out");

    // 30 s of silence (0.3 s here) makes it unreachable again, with when it was last seen.
    let seen_before = now_ms();
    let gone = eventually(5, || async {
        let r = pay(&env, &a, &uid("O"), "5.00").await;
        (r.biz["terminalState"] == "UNREACHABLE").then_some(r)
    })
    .await;
    assert!(gone.biz["lastSeenMs"].as_i64().unwrap() <= seen_before);
    assert!(gone.description().contains("last seen"), "{}", gone.description());
}

#[tokio::test]
async fn a_cashier_cancel_ends_an_unacknowledged_sale_at_once() {
    let env = start(0.05).await;
    let a = agent(&env).await;
    a.poll(0).await;
    let order = uid("O");
    pay(&env, &a, &order, "7.00").await;
    let c = pp(&env, CANCEL, &json!({"merchantTransactionId": order})).await;
    assert_eq!(c.code(), "001000");
    assert_eq!(c.status_field(), "FAILED");
    assert_eq!(c.biz["terminalResult"], "cancelled_by_cashier");
    assert!(a.poll(0).await.is_empty());
    let q = pp_query(&env, &order).await;
    assert_eq!(
        (q.status_field(), q.biz["terminalResult"].as_str()),
        ("FAILED", Some("cancelled_by_cashier"))
    );
}

#[tokio::test]
async fn a_cashier_cancel_of_an_acknowledged_sale_waits_for_the_terminal() {
    let env = start(0.05).await;
    let a = agent(&env).await;
    a.poll(0).await;
    let order = uid("O");
    pay(&env, &a, &order, "7.00").await;
    a.take(&order, "sale").await;
    let c = pp(&env, CANCEL, &json!({"merchantTransactionId": order})).await;
    assert_eq!((c.code(), c.status_field()), ("001000", "PROCESSING"));
    // Cancelling again queues nothing more.
    pp(&env, CANCEL, &json!({"merchantTransactionId": order})).await;
    let cancel = a.poll(0).await;
    assert_eq!(cancel.len(), 1, "{cancel:?}");
    assert_eq!(cancel[0]["kind"], "cancel");
    assert!(cancel[0].get("amount").is_none());
    assert_eq!(a.ack(&cancel[0]["id"]).await.status, 200);
    assert_eq!(pp_query(&env, &order).await.status_field(), "PROCESSING");
    assert_eq!(a.result(&order, "cancelled_by_cashier").await.body["status"], "recorded");
    let q = pp_query(&env, &order).await;
    assert_eq!(
        (q.status_field(), q.biz["terminalResult"].as_str()),
        ("FAILED", Some("cancelled_by_cashier"))
    );

    // A result that comes before the cancel wins.
    let paid = uid("O");
    pay(&env, &a, &paid, "8.00").await;
    a.take(&paid, "sale").await;
    a.authorize(&paid, 800, "840").await;
    a.result(&paid, "approved").await;
    let late = pp(&env, CANCEL, &json!({"merchantTransactionId": paid})).await;
    assert_eq!(late.status_field(), "SUCCESS");
    assert_eq!(charges(&env, &paid), 1);
    // A payment that is not a card sale on an agent cannot be cancelled.
    let qr = uid("O");
    pp(&env, PAY, &pp_qr_pay(&qr, &uid("R"), "1.00")).await;
    assert_eq!(pp(&env, CANCEL, &json!({"merchantTransactionId": qr})).await.code(), "105000");
}

#[tokio::test]
async fn requests_that_are_replayed_stale_forged_or_revoked_are_refused() {
    let env = start(0.05).await;
    let a = agent(&env).await;
    let body = json!({"waitMs": 0}).to_string().into_bytes();
    let seq = a.next_seq();
    assert_eq!(a.send_raw("inbox", body.clone(), seq, now_ms(), None).await.status, 200);
    let replay = a.send_raw("inbox", body.clone(), seq, now_ms(), None).await;
    assert_eq!((replay.status, replay.code()), (409, "replayed"));
    let stale = a.send_raw("inbox", body.clone(), a.next_seq(), now_ms() - 600_000, None).await;
    assert_eq!((stale.status, stale.code()), (401, "stale"));
    let forged =
        a.send_raw("inbox", body.clone(), a.next_seq(), now_ms(), Some("00".repeat(32))).await;
    assert_eq!((forged.status, forged.code()), (401, "bad_signature"));
    // A refused request did not use up its seq.
    let s = a.next_seq();
    assert_eq!(a.send_raw("inbox", body.clone(), s, now_ms(), Some("ab".into())).await.status, 401);
    assert_eq!(a.send_raw("inbox", body.clone(), s, now_ms(), None).await.status, 200);

    let big = json!({"waitMs": 0, "pad": "x".repeat(17 * 1024)});
    assert_eq!(a.send("inbox", &big).await.status, 413);
    let bad = a.send("inbox", &json!({"waitMs": 40_000})).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (400, Some("waitMs")));
    let bad = a.send("result", &json!({"transactionId": "X", "result": "maybe"})).await;
    assert_eq!(bad.body["field"], "result");
    let bad = a
        .send("result", &json!({"transactionId": "X", "result": "failed", "maskedPan": PAN}))
        .await;
    assert_eq!(bad.body["field"], "maskedPan");
    let unknown = a.result("NO-SUCH-SALE", "failed").await;
    assert_eq!((unknown.status, unknown.code()), (404, "unknown_transaction"));

    // Registering again rotates the key: the old one is refused at once.
    let b = register(&env.sandbox.url(), &a.sn, &a.model).await;
    assert_ne!(a.key.key_id, b.key.key_id);
    let old = a.send("inbox", &json!({"waitMs": 0})).await;
    assert_eq!((old.status, old.code()), (401, "unknown_key"));
    assert_eq!(b.send("inbox", &json!({"waitMs": 0})).await.status, 200);
    let gone = env.http.delete(format!("{}/sandbox/terminals/{}", env.sandbox.url(), b.sn));
    assert_eq!(gone.send().await.unwrap().status().as_u16(), 204);
    assert_eq!(b.send("inbox", &json!({"waitMs": 0})).await.code(), "unknown_key");
}

fn forward(offline_id: &str, order: &str, amount: &str, at: i64, tlv: &str) -> Value {
    json!({
        "offlineId": offline_id, "transactionId": order, "amount": amount, "currency": "USD",
        "approvedAtMs": at, "maskedPan": "476173******0119", "aid": "A0000000031010",
        "clearingTlv": tlv,
    })
}

#[tokio::test]
async fn offline_approvals_are_recorded_once_and_card_data_is_refused() {
    let env = start(0.05).await;
    let a = agent(&env).await;
    let order = uid("OFF");
    let body = forward("off-1", &order, "9.00", now_ms(), &clearing(&[]));
    assert_eq!(a.send("offline", &body).await.body["status"], "recorded");
    assert_eq!(a.send("offline", &body).await.body["status"], "duplicate");
    let view = env.sandbox.order(Acquirer::PingPong, &order).unwrap().unwrap();
    assert_eq!((view.charges.len(), view.paid.as_str()), (1, "9.00"));
    assert_eq!(view.attempts[0].flow, tillkit_sandbox::Flow::CardOffline);
    let q = pp_query(&env, &order).await;
    assert_eq!(q.status_field(), "SUCCESS");

    let pan = forward("off-2", &uid("OFF"), "9.00", now_ms(), &clearing(&[(0x5A, PAN)]));
    let refused = a.send("offline", &pan).await;
    assert_eq!(refused.body["status"], "refused");
    assert!(refused.body["reason"].as_str().unwrap().contains("5A"), "{:?}", refused.body);
    let track = forward(
        "off-3",
        &uid("OFF"),
        "9.00",
        now_ms(),
        &clearing(&[(0x57, "4761739001010119D25121")]),
    );
    assert_eq!(a.send("offline", &track).await.body["status"], "refused");
    // 24 h scaled by 0.05 is 72 minutes.
    let old = forward("off-4", &uid("OFF"), "9.00", now_ms() - 2 * 3_600_000, &clearing(&[]));
    assert_eq!(a.send("offline", &old).await.body["status"], "refused");
    let bad = forward("off-5", &uid("OFF"), "9.001", now_ms(), &clearing(&[]));
    assert_eq!(a.send("offline", &bad).await.body["status"], "refused");

    // A sale routed to the terminal and approved offline by the card is settled by the forward.
    a.poll(0).await;
    let routed = uid("O");
    pay(&env, &a, &routed, "10.00").await;
    a.take(&routed, "sale").await;
    let fwd = forward("off-6", &routed, "10.00", now_ms(), &clearing(&[]));
    assert_eq!(a.send("offline", &fwd).await.body["status"], "recorded");
    assert_eq!(pp_query(&env, &routed).await.status_field(), "SUCCESS");
    assert_eq!(a.result(&routed, "approved_offline").await.body["status"], "already_recorded");
    assert_eq!(charges(&env, &routed), 1);
}

#[tokio::test]
async fn a_restarted_sandbox_still_accepts_the_agent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let config =
        SandboxConfig { db_path: Some(db.clone()), time_scale: 0.05, ..Default::default() };
    let first = Sandbox::start(config.clone()).await.unwrap();
    let a = register(&first.url(), "RESTART-1", "PAX-A920").await;
    assert!(a.poll(0).await.is_empty());
    first.shutdown().await;
    let second = Sandbox::start(config).await.unwrap();
    let a = a.moved_to(&second.url());
    assert!(a.poll(0).await.is_empty());
    // The sequence survived too: the last request is still refused as a replay.
    let body = json!({"waitMs": 0}).to_string().into_bytes();
    let last = a.next_seq() - 1;
    assert_eq!(a.send_raw("inbox", body, last, now_ms(), None).await.code(), "replayed");
    second.shutdown().await;
}

#[tokio::test]
async fn a_failed_card_payment_is_notified_with_its_terminal_result() {
    let env = start(0.05).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let _ = tx.send(body);
            async { "SUCCESS" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let a = agent(&env).await;
    a.poll(0).await;
    let order = uid("O");
    let mut biz = pp_card_pay(&order, &uid("R"), "6.00", &a.sn, &a.model);
    biz["notificationUrl"] = json!(hook);
    assert_eq!(pp(&env, PAY, &biz).await.status_field(), "PROCESSING");
    a.take(&order, "sale").await;
    assert_eq!(a.result(&order, "cancelled_at_terminal").await.status, 200);
    let body = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    let envelope: serde_json::Map<String, Value> = serde_json::from_str(&body).unwrap();
    let notified: Value = serde_json::from_str(envelope["bizContent"].as_str().unwrap()).unwrap();
    assert_eq!(notified["status"], "FAILED");
    assert_eq!(notified["terminalResult"], "cancelled_at_terminal");
}
