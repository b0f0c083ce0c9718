//! Asynchronous notifications: delivery, the retry ladders, acknowledgements, loopback only.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use common::*;
use serde_json::{json, Map, Value};
use tillkit_core::sign::oceanpayment::OceanMessage;
use tillkit_sandbox::{NotificationState, Sandbox, SandboxConfig};

/// What the receiver got, and what it answers next, per path.
#[derive(Default)]
struct Receiver {
    got: Mutex<Vec<(String, String)>>,
    script: Mutex<HashMap<String, VecDeque<(u16, &'static str)>>>,
}

impl Receiver {
    fn script(&self, path: &str, answers: &[(u16, &'static str)]) {
        self.script.lock().unwrap().insert(path.into(), answers.iter().copied().collect());
    }

    fn bodies(&self, path: &str) -> Vec<String> {
        self.got.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, b)| b.clone()).collect()
    }
}

async fn receive(
    State(r): State<Arc<Receiver>>,
    Path(path): Path<String>,
    body: String,
) -> (StatusCode, &'static str) {
    r.got.lock().unwrap().push((path.clone(), body));
    let next = r.script.lock().unwrap().get_mut(&path).and_then(VecDeque::pop_front);
    let (status, text) = next.unwrap_or((200, ""));
    (StatusCode::from_u16(status).unwrap(), text)
}

/// Starts a receiver on 127.0.0.1; returns its base URL.
async fn receiver() -> (Arc<Receiver>, String) {
    let r = Arc::new(Receiver::default());
    let app = Router::new().route("/hook/{path}", post(receive)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, url)
}

fn pp_notification(env: &Env, body: &str) -> Value {
    let envelope: Map<String, Value> = serde_json::from_str(body).unwrap();
    let salt = &env.sandbox.credentials().pingpong.salt;
    tillkit_core::sign::pingpong::verify_envelope(salt, &envelope).unwrap();
    assert_eq!(envelope["version"], "1.0", "notifications are request-shaped (choice P15)");
    serde_json::from_str(envelope["bizContent"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn pingpong_payment_notification_is_retried_until_acknowledged() {
    let env = start().await;
    let (r, hook) = receiver().await;
    r.script("pay", &[(500, ""), (200, "FAIL")]);
    let order = uid("O");
    let mut biz = pp_code_pay(&order, &uid("R"), "7.00", &wechat_code());
    biz["notificationUrl"] = json!(format!("{hook}/pay"));
    assert_eq!(pp(&env, "/v4/payment/unifiedPay", &biz).await.code(), "000000");
    let n = eventually(5, || async {
        let all = env.sandbox.notifications().unwrap();
        all.into_iter().find(|n| n.state == NotificationState::Delivered)
    })
    .await;
    assert_eq!(n.attempts, 3, "500, then 2xx FAIL, then 2xx empty");
    let bodies = r.bodies("pay");
    assert_eq!(bodies.len(), 3);
    let biz = pp_notification(&env, &bodies[2]);
    assert_eq!(
        (biz["notifyType"].as_str(), biz["status"].as_str()),
        (Some("RECHARGE"), Some("SUCCESS"))
    );
    assert_eq!(biz["merchantTransactionId"], order.as_str());
    // Not sent again once acknowledged.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(r.bodies("pay").len(), 3);
}

#[tokio::test]
async fn pingpong_refund_and_close_notifications() {
    let env = start().await;
    let (r, hook) = receiver().await;
    let order = uid("O");
    pp(&env, "/v4/payment/unifiedPay", &pp_code_pay(&order, &uid("R"), "7.00", &wechat_code()))
        .await;
    let refund = json!({"merchantTransactionId": order, "merchantRefundId": uid("F"), "amount": "2.00",
        "currency": "CNY", "notificationUrl": format!("{hook}/refund")});
    assert_eq!(pp(&env, "/v4/payment/refund", &refund).await.code(), "000000");
    let body = eventually(5, || async { r.bodies("refund").into_iter().next() }).await;
    let biz = pp_notification(&env, &body);
    assert_eq!(
        (biz["notifyType"].as_str(), biz["amount"].as_str()),
        (Some("REFUND"), Some("2.000000"))
    );

    // A QR order that expires: CLOSED goes to closeNotificationUrl only.
    let qr = uid("O");
    let mut biz = pp_qr_pay(&qr, &uid("R"), "1.54");
    biz["notificationUrl"] = json!(format!("{hook}/qr"));
    biz["closeNotificationUrl"] = json!(format!("{hook}/closed"));
    pp(&env, "/v4/payment/unifiedPay", &biz).await;
    let body = eventually(5, || async { r.bodies("closed").into_iter().next() }).await;
    assert_eq!(pp_notification(&env, &body)["status"], "CLOSED");
    assert!(r.bodies("qr").is_empty());
}

#[tokio::test]
async fn declined_payment_is_notified_as_failed() {
    let env = start().await;
    let (r, hook) = receiver().await;
    let mut biz = pp_card_pay(&uid("O"), &uid("R"), "9.51", "SANDBOX-T1", "PAX-A920");
    biz["notificationUrl"] = json!(format!("{hook}/card"));
    pp(&env, "/v4/payment/unifiedPay", &biz).await;
    let body = eventually(5, || async { r.bodies("card").into_iter().next() }).await;
    let biz = pp_notification(&env, &body);
    assert_eq!(
        (biz["status"].as_str(), biz["resultCode"].as_str()),
        (Some("FAILED"), Some("301002"))
    );
}

#[tokio::test]
async fn oceanpayment_notification_needs_receive_ok() {
    let env = start().await;
    let (r, hook) = receiver().await;
    r.script("op", &[(200, "ok"), (200, ""), (200, "receive-ok")]);
    let order = uid("N");
    let code = wechat_code();
    let url = format!("{hook}/op");
    let mut fields = op_code_fields(&order, "4.00", &code);
    fields.push(("noticeUrl", &url));
    let (_, xml) = op(&env, "/gateway/directservice/pay", OceanMessage::PayRequest, &fields).await;
    assert_eq!(xml_get(&xml, "payment_status"), "1");
    // "ok" and "" are not acknowledgements: 5 s and 30 s later (scaled) comes the third try.
    let n = eventually(5, || async {
        env.sandbox
            .notifications()
            .unwrap()
            .into_iter()
            .find(|n| n.state == NotificationState::Delivered)
    })
    .await;
    assert_eq!(n.attempts, 3);
    let body = r.bodies("op").pop().unwrap();
    assert!(op_verify(&env, OceanMessage::PayResponse, &body), "{body}");
    assert_eq!(
        (xml_get(&body, "response_type"), xml_get(&body, "notice_type")),
        ("1".into(), "transaction".into())
    );
    assert_eq!(xml_get(&body, "order_number"), order);
}

#[tokio::test]
async fn gives_up_after_the_ladder_and_never_leaves_the_machine() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        db_path: Some(dir.path().join("l.sqlite")),
        time_scale: 0.0001,
        tick: Duration::from_millis(5),
        terminals: tillkit_sandbox::TerminalMode::AutoSettle,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let env = Env::wrap(sandbox, dir);
    let (r, hook) = receiver().await;
    r.script("never", &[(500, ""); 20]);
    let mut biz = pp_code_pay(&uid("O"), &uid("R"), "1.00", &wechat_code());
    biz["notificationUrl"] = json!(format!("{hook}/never"));
    pp(&env, "/v4/payment/unifiedPay", &biz).await;
    let mut off = pp_code_pay(&uid("O"), &uid("R"), "1.00", &wechat_code());
    off["notificationUrl"] = json!("http://example.com/notify");
    pp(&env, "/v4/payment/unifiedPay", &off).await;
    let failed = eventually(15, || async {
        env.sandbox
            .notifications()
            .unwrap()
            .into_iter()
            .find(|n| n.state == NotificationState::Failed)
    })
    .await;
    assert_eq!(failed.attempts, 13, "the first attempt and 12 retries");
    assert_eq!(r.bodies("never").len(), 13);
    let refused = env
        .sandbox
        .notifications()
        .unwrap()
        .into_iter()
        .find(|n| n.url.contains("example.com"))
        .unwrap();
    assert_eq!((refused.state, refused.attempts), (NotificationState::Refused, 0));
}
