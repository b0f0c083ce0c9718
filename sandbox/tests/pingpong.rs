//! PingPong Checkout v4 emulation over real HTTP: flows, scenarios, idempotency, queries.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tillkit_sandbox::{Acquirer, PaymentStatus};

const PAY: &str = "/v4/payment/unifiedPay";

fn charges(env: &Env, order: &str) -> usize {
    env.sandbox.order(Acquirer::PingPong, order).unwrap().map_or(0, |o| o.charges.len())
}

#[tokio::test]
async fn code_payment_succeeds_and_replays_idempotently() {
    let env = start().await;
    let (order, req, code) = (uid("O"), uid("R"), wechat_code());
    let first = pp(&env, PAY, &pp_code_pay(&order, &req, "12.00", &code)).await;
    assert_eq!((first.status, first.code()), (200, "000000"));
    assert_eq!(first.status_field(), "SUCCESS");
    assert_eq!(first.biz["amount"], "12.000000");
    assert_eq!(first.biz["merchantTransactionId"], order.as_str());
    assert!(first.biz["transactionTime"].as_str().unwrap().parse::<i64>().is_ok());

    // Same requestId: the stored answer again, and still one charge.
    let replay = pp(&env, PAY, &pp_code_pay(&order, &req, "12.00", &code)).await;
    assert_eq!(replay.code(), "000000");
    assert_eq!(replay.biz, first.biz);

    // New requestId on a paid order: 107000, nothing charged.
    let again = pp(&env, PAY, &pp_code_pay(&order, &uid("R"), "12.00", &wechat_code())).await;
    assert_eq!(again.code(), "107000");
    assert!(again.biz.is_null());
    assert_eq!(charges(&env, &order), 1);

    // Same requestId, other amount: refused too.
    let other = pp(&env, PAY, &pp_code_pay(&order, &req, "13.00", &code)).await;
    assert_eq!(other.code(), "107000");

    let q = pp_query(&env, &order).await;
    assert_eq!((q.code(), q.biz["resultCode"].as_str()), ("001000", Some("000000")));
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn amounts_may_be_json_numbers_and_jpy_scenarios_use_yen() {
    let env = start().await;
    let mut biz = pp_code_pay(&uid("O"), &uid("R"), "", &wechat_code());
    biz["amount"] = json!(12.5);
    assert_eq!(pp(&env, PAY, &biz).await.biz["amount"], "12.500000");
    // 151 JPY is scenario 51 (WeChat takes CNY/HKD only, so a card pays in JPY).
    let mut card = pp_card_pay(&uid("O"), &uid("R"), "151", "SANDBOX-T2", "SUNMI-P2");
    card["currency"] = json!("JPY");
    let order = card["merchantTransactionId"].as_str().unwrap().to_string();
    assert_eq!(pp(&env, PAY, &card).await.status_field(), "PROCESSING");
    let done = pp_wait_status(&env, &order, "FAILED").await;
    assert_eq!(done.biz["resultCode"], "301002");
}

#[tokio::test]
async fn a_payment_code_is_usable_once_and_must_match_the_wallet() {
    let env = start().await;
    let code = wechat_code();
    assert_eq!(
        pp(&env, PAY, &pp_code_pay(&uid("O"), &uid("R"), "1.00", &code)).await.code(),
        "000000"
    );
    let reused = pp(&env, PAY, &pp_code_pay(&uid("O"), &uid("R"), "1.00", &code)).await;
    assert_eq!((reused.code(), reused.status_field()), ("301002", "FAILED"));
    assert!(reused.description().contains("already used"));

    let alipay = pp(&env, PAY, &pp_code_pay(&uid("O"), &uid("R"), "1.00", &alipay_code())).await;
    assert_eq!(alipay.code(), "102000");
    assert!(alipay.description().contains("paymentMethod.scanCodeId"), "{}", alipay.description());
    let garbage = pp(&env, PAY, &pp_code_pay(&uid("O"), &uid("R"), "1.00", "12345")).await;
    assert_eq!(garbage.code(), "102000");
    let mut hkd = pp_code_pay(&uid("O"), &uid("R"), "1.00", &wechat_code());
    hkd["currency"] = json!("USD");
    assert_eq!(pp(&env, PAY, &hkd).await.code(), "106000");
}

#[tokio::test]
async fn decline_then_a_new_attempt_on_the_same_order() {
    let env = start().await;
    let order = uid("O");
    let declined = pp(&env, PAY, &pp_code_pay(&order, &uid("R"), "12.51", &wechat_code())).await;
    assert_eq!((declined.code(), declined.status_field()), ("301002", "FAILED"));
    // After FAILED a new requestId may pay the same order (default "failure non-final" mode).
    let retry = pp(&env, PAY, &pp_code_pay(&order, &uid("R"), "12.50", &wechat_code())).await;
    assert_eq!(retry.code(), "000000");
    let view = env.sandbox.order(Acquirer::PingPong, &order).unwrap().unwrap();
    assert_eq!((view.attempts.len(), view.charges.len()), (2, 1));
}

#[tokio::test]
async fn customer_paying_then_success_or_cancel() {
    let env = start().await;
    let (paid, cancelled) = (uid("O"), uid("O"));
    let a = pp(&env, PAY, &pp_code_pay(&paid, &uid("R"), "10.52", &wechat_code())).await;
    let b = pp(&env, PAY, &pp_code_pay(&cancelled, &uid("R"), "10.53", &wechat_code())).await;
    assert_eq!((a.code(), a.status_field()), ("002000", "PROCESSING"));
    assert_eq!(b.status_field(), "PROCESSING");
    assert_eq!(pp_wait_status(&env, &paid, "SUCCESS").await.biz["resultCode"], "000000");
    let c = pp_wait_status(&env, &cancelled, "FAILED").await;
    assert_eq!(c.biz["resultCode"], "301002");
    assert!(c.biz["resultDescription"].as_str().unwrap().contains("cancelled"));
    assert_eq!((charges(&env, &paid), charges(&env, &cancelled)), (1, 0));
}

#[tokio::test]
async fn processing_forever_code_stays_and_qr_closes_at_expiry() {
    let env = start().await;
    let (code_order, qr_order) = (uid("O"), uid("O"));
    pp(&env, PAY, &pp_code_pay(&code_order, &uid("R"), "1.54", &wechat_code())).await;
    let qr = pp(&env, PAY, &pp_qr_pay(&qr_order, &uid("R"), "1.54")).await;
    assert_eq!(qr.status_field(), "PROCESSING");
    let closed = pp_wait_status(&env, &qr_order, "CLOSED").await;
    assert_eq!(closed.biz["resultCode"], "105000");
    assert_eq!(pp_query(&env, &code_order).await.status_field(), "PROCESSING");
    // A closed order takes no new attempt.
    let again = pp(&env, PAY, &pp_qr_pay(&qr_order, &uid("R"), "1.00")).await;
    assert_eq!(again.code(), "105000");
}

#[tokio::test]
async fn merchant_qr_carries_the_code_and_is_paid_by_the_sandbox_customer() {
    let env = start().await;
    let order = uid("O");
    let mut biz = pp_qr_pay(&order, &uid("R"), "3.00");
    let expire =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 300;
    biz["timeExpire"] = json!(expire.to_string());
    let a = pp(&env, PAY, &biz).await;
    assert_eq!((a.code(), a.status_field()), ("002000", "PROCESSING"));
    let action = &a.biz["action"];
    assert_eq!(action["type"], "QR_CODE");
    assert!(action["qrCode"].as_str().unwrap().contains(a.biz["transactionId"].as_str().unwrap()));
    assert!(action["qrUrl"].as_str().unwrap().starts_with(&env.sandbox.url()));
    assert!(action["qrCodeExpired"].as_str().unwrap().parse::<i64>().is_ok());
    let qr_url = action["qrUrl"].as_str().unwrap().to_string();
    let page: serde_json::Value = env.http.get(&qr_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (page["merchantTransactionId"].as_str(), page["amount"].as_str()),
        (Some(order.as_str()), Some("3.00"))
    );
    let done = pp_wait_status(&env, &order, "SUCCESS").await;
    assert!(done.biz.get("action").is_none());
    assert_eq!(charges(&env, &order), 1);

    // timeExpire outside 60 s .. 3 days is refused.
    let mut bad = pp_qr_pay(&uid("O"), &uid("R"), "3.00");
    bad["timeExpire"] = json!("1683530496");
    let refused = pp(&env, PAY, &bad).await;
    assert_eq!(refused.code(), "102000");
    assert!(refused.description().contains("timeExpire"));
}

#[tokio::test]
async fn card_payments_are_routed_to_registered_idle_terminals() {
    let env = start().await;
    let order = uid("O");
    let a = pp(&env, PAY, &pp_card_pay(&order, &uid("R"), "20.00", "SANDBOX-T1", "PAX-A920")).await;
    assert_eq!(a.status_field(), "PROCESSING");
    assert_eq!(a.biz["deviceSn"], "SANDBOX-T1");
    // Busy while another card payment is in flight (54 keeps it busy until expiry).
    let slow = uid("O");
    let first =
        pp(&env, PAY, &pp_card_pay(&slow, &uid("R"), "20.54", "SANDBOX-T2", "SUNMI-P2")).await;
    assert_eq!(first.status_field(), "PROCESSING");
    let busy =
        pp(&env, PAY, &pp_card_pay(&uid("O"), &uid("R"), "5.00", "SANDBOX-T2", "SUNMI-P2")).await;
    assert_eq!(busy.code(), "500000");
    assert!(busy.description().contains("busy"), "{}", busy.description());
    pp_wait_status(&env, &order, "SUCCESS").await;
    pp_wait_status(&env, &slow, "CLOSED").await;

    let unknown =
        pp(&env, PAY, &pp_card_pay(&uid("O"), &uid("R"), "5.00", "NOPE", "PAX-A920")).await;
    assert_eq!(unknown.code(), "102000");
    assert!(unknown.description().contains("deviceSn"), "{}", unknown.description());

    // A terminal registered in the ledger alone (no device key) settles by itself here.
    env.sandbox.register_terminal("SHOP-8", "PAX-A77").unwrap();
    let other = uid("O");
    let ok = pp(&env, PAY, &pp_card_pay(&other, &uid("R"), "5.00", "SHOP-8", "PAX-A77")).await;
    assert_eq!(ok.status_field(), "PROCESSING");
    pp_wait_status(&env, &other, "SUCCESS").await;

    // Registered over HTTP, a terminal gets a device key and waits for its agent, which has
    // not polled yet: unreachable, and no order is created.
    let resp = env
        .http
        .post(format!("{}/sandbox/terminals", env.sandbox.url()))
        .json(&json!({"deviceSn": "SHOP-9", "deviceModel": "PAX-A77"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["deviceKey"].as_str().map(str::len), Some(64), "{body}");
    let third = uid("O");
    let refused = pp(&env, PAY, &pp_card_pay(&third, &uid("R"), "5.00", "SHOP-9", "PAX-A77")).await;
    assert_eq!(refused.code(), "500000");
    assert!(refused.description().contains("unreachable"), "{}", refused.description());
    assert!(env.sandbox.order(tillkit_sandbox::Acquirer::PingPong, &third).unwrap().is_none());
}

#[tokio::test]
async fn slow_answer_is_committed_first_and_delayed() {
    let env = start().await;
    let (order, req, code) = (uid("O"), uid("R"), wechat_code());
    let body = pp_body(&env, &pp_code_pay(&order, &req, "1.55", &code));
    let started = Instant::now();
    let url = format!("{}{PAY}", env.sandbox.url());
    let slow = tokio::spawn({
        let http = env.http.clone();
        async move { http.post(url).header("content-type", "application/json").body(body).send().await }
    });
    // Committed before the answer arrives.
    eventually(2, || async { (charges(&env, &order) == 1).then_some(()) }).await;
    let resp = slow.await.unwrap().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(450));
    let a = pp_parse(&env, resp.status().as_u16(), &resp.text().await.unwrap());
    assert_eq!(a.code(), "000000");
    // The replay answers at once.
    let again = Instant::now();
    assert_eq!(pp(&env, PAY, &pp_code_pay(&order, &req, "1.55", &code)).await.code(), "000000");
    assert!(again.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn dropped_connection_after_commit_then_replay_recovers() {
    let env = start().await;
    let (order, req, code) = (uid("O"), uid("R"), wechat_code());
    let body = pp_body(&env, &pp_code_pay(&order, &req, "1.56", &code));
    let sent = env
        .http
        .post(format!("{}{PAY}", env.sandbox.url()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    assert!(sent.is_err(), "the connection must close without an answer");
    assert_eq!(charges(&env, &order), 1, "the acquirer committed");
    let replay = pp(&env, PAY, &pp_code_pay(&order, &req, "1.56", &code)).await;
    assert_eq!((replay.code(), replay.status_field()), ("000000", "SUCCESS"));
    assert_eq!(charges(&env, &order), 1);
}

#[tokio::test]
async fn server_error_commits_nothing_and_the_retry_succeeds() {
    let env = start().await;
    let (order, req, code) = (uid("O"), uid("R"), wechat_code());
    let body = pp_body(&env, &pp_code_pay(&order, &req, "1.57", &code));
    let (status, _) = post_raw(&env, PAY, "application/json", body).await;
    assert_eq!(status, 500);
    assert!(env.sandbox.order(Acquirer::PingPong, &order).unwrap().is_none());
    assert_eq!(pp_query(&env, &order).await.code(), "107001");
    // The code was not consumed either: the same request goes through.
    let retry = pp(&env, PAY, &pp_code_pay(&order, &req, "1.57", &code)).await;
    assert_eq!(retry.code(), "000000");
    assert_eq!(charges(&env, &order), 1);
}

#[tokio::test]
async fn garbled_answer_after_commit_then_query_answers_normally() {
    let env = start().await;
    let (order, req) = (uid("O"), uid("R"));
    let body = pp_body(&env, &pp_code_pay(&order, &req, "1.58", &wechat_code()));
    let (status, text) = post_raw(&env, PAY, "application/json", body).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err(), "{text}");
    let q = pp_query(&env, &order).await;
    assert_eq!(q.status_field(), "SUCCESS");
}

#[tokio::test]
async fn bad_signature_after_commit_then_replay_is_signed() {
    let env = start().await;
    let (order, req, code) = (uid("O"), uid("R"), wechat_code());
    let body = pp_body(&env, &pp_code_pay(&order, &req, "1.59", &code));
    let (_, text) = post_raw(&env, PAY, "application/json", body).await;
    let envelope: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let salt = &env.sandbox.credentials().pingpong.salt;
    assert!(tillkit_core::sign::pingpong::verify_envelope(salt, &envelope).is_err());
    assert_eq!(envelope["code"], "000000");
    // pp() verifies the signature.
    assert_eq!(pp(&env, PAY, &pp_code_pay(&order, &req, "1.59", &code)).await.code(), "000000");
    assert_eq!(charges(&env, &order), 1);
}

#[tokio::test]
async fn concurrent_requests_never_charge_an_order_twice() {
    let env = start().await;
    let order = uid("O");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let body = pp_body(&env, &pp_code_pay(&order, &uid("R"), "8.00", &wechat_code()));
        let http = env.http.clone();
        let url = format!("{}{PAY}", env.sandbox.url());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            r.text().await.unwrap()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        let text = t.await.unwrap();
        codes.push(pp_parse(&env, 200, &text).code().to_string());
    }
    assert_eq!(codes.iter().filter(|c| *c == "000000").count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| *c == "107000").count(), 15);
    let view = env.sandbox.order(Acquirer::PingPong, &order).unwrap().unwrap();
    assert_eq!((view.charges.len(), view.status), (1, PaymentStatus::Success));
}

#[tokio::test]
async fn inspection_endpoints() {
    let env = start().await;
    let order = uid("O");
    pp(&env, PAY, &pp_code_pay(&order, &uid("R"), "2.00", &wechat_code())).await;
    let get = |path: String| {
        let http = env.http.clone();
        let url = format!("{}{path}", env.sandbox.url());
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    assert_eq!(get("/sandbox/health".into()).await, (200, json!({"status": "ok"})));
    let (status, view) = get(format!("/sandbox/orders/{order}")).await;
    assert_eq!(status, 200);
    assert_eq!(view["charges"].as_array().unwrap().len(), 1);
    assert_eq!(view["attempts"][0]["status"], "SUCCESS");
    assert_eq!(get("/sandbox/orders/unknown".into()).await.0, 404);
    let (_, rows) = get("/sandbox/ledger".into()).await;
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["merchantTransactionId"] == order.as_str())
        .unwrap();
    assert_eq!((row["successfulCharges"].as_i64(), row["paid"].as_str()), (Some(1), Some("2.00")));
}

#[tokio::test]
async fn card_scenarios_cancel_close_and_free_the_terminal() {
    let env = start().await;
    env.sandbox.register_terminal("CARD-53", "PAX-A920").unwrap();
    env.sandbox.register_terminal("CARD-54", "PAX-A920").unwrap();
    let (cancelled, forever) = (uid("O"), uid("O"));
    pp(&env, PAY, &pp_card_pay(&cancelled, &uid("R"), "4.53", "CARD-53", "PAX-A920")).await;
    pp(&env, PAY, &pp_card_pay(&forever, &uid("R"), "4.54", "CARD-54", "PAX-A920")).await;
    assert_eq!(pp_wait_status(&env, &cancelled, "FAILED").await.biz["resultCode"], "301002");
    assert_eq!(pp_wait_status(&env, &forever, "CLOSED").await.biz["resultCode"], "105000");
    // Both terminals are free again.
    let next =
        pp(&env, PAY, &pp_card_pay(&uid("O"), &uid("R"), "1.00", "CARD-54", "PAX-A920")).await;
    assert_eq!(next.status_field(), "PROCESSING");
}

#[tokio::test]
async fn card_dropped_connection_replays_the_processing_answer() {
    let env = start().await;
    let (order, req) = (uid("O"), uid("R"));
    let biz = pp_card_pay(&order, &req, "4.56", "SANDBOX-T1", "PAX-A920");
    let sent = env
        .http
        .post(format!("{}{PAY}", env.sandbox.url()))
        .header("content-type", "application/json")
        .body(pp_body(&env, &biz))
        .send()
        .await;
    assert!(sent.is_err());
    pp_wait_status(&env, &order, "SUCCESS").await;
    // Choice P9: the replay is the stored first answer (PROCESSING), the query the current state.
    let replay = pp(&env, PAY, &biz).await;
    assert_eq!((replay.code(), replay.status_field()), ("002000", "PROCESSING"));
    assert_eq!(charges(&env, &order), 1);
}

#[tokio::test]
async fn query_by_request_or_transaction_id() {
    let env = start().await;
    let order = uid("O");
    let (declined, paid) = (uid("R"), uid("R"));
    pp(&env, PAY, &pp_code_pay(&order, &declined, "6.51", &wechat_code())).await;
    let ok = pp(&env, PAY, &pp_code_pay(&order, &paid, "6.50", &wechat_code())).await;
    let by_request = pp(
        &env,
        "/v4/payment/query",
        &json!({"merchantTransactionId": order, "requestId": declined}),
    )
    .await;
    assert_eq!(by_request.biz["status"], "FAILED");
    let by_id =
        pp(&env, "/v4/payment/query", &json!({"transactionId": ok.biz["transactionId"]})).await;
    assert_eq!(
        (by_id.biz["status"].as_str(), by_id.biz["requestId"].as_str()),
        (Some("SUCCESS"), Some(paid.as_str()))
    );
    let mismatch = pp(
        &env,
        "/v4/payment/query",
        &json!({"merchantTransactionId": "other", "requestId": paid}),
    )
    .await;
    assert_eq!(mismatch.code(), "107001");
    let neither = pp(&env, "/v4/payment/query", &json!({"requestId": paid})).await;
    assert_eq!(neither.code(), "102000");
}
