//! Bad input never panics and always gets a typed, signed answer; the ledger survives restarts.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{json, Map, Value};
use tillkit_core::sign::oceanpayment::OceanMessage;
use tillkit_core::sign::pingpong::sign_envelope;
use tillkit_sandbox::{Acquirer, PaymentStatus, Sandbox, SandboxConfig};

const PAY: &str = "/v4/payment/unifiedPay";

/// Posts raw text to unifiedPay and returns the verified answer.
async fn raw(env: &Env, content_type: &str, body: String) -> PpAnswer {
    let (status, text) = post_raw(env, PAY, content_type, body).await;
    assert_eq!(status, 200, "{text}");
    pp_parse(env, status, &text)
}

/// A signed envelope with arbitrary top-level values.
fn envelope(env: &Env, fields: &[(&str, Value)]) -> String {
    let mut m: Map<String, Value> =
        fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    // Envelopes that cannot be signed (an object bizContent) get a placeholder signature.
    let sign =
        sign_envelope(&env.sandbox.credentials().pingpong.salt, &m).unwrap_or_else(|_| "00".into());
    m.insert("sign".into(), json!(sign));
    Value::Object(m).to_string()
}

fn good_biz() -> Value {
    pp_code_pay(&uid("O"), &uid("R"), "1.00", &wechat_code())
}

#[tokio::test]
async fn signature_and_credentials() {
    let env = start().await;
    let body = pp_body(&env, &good_biz());
    let tampered = body.replace("1.00", "0.01");
    let a = raw(&env, "application/json", tampered).await;
    assert_eq!((a.code(), a.description()), ("104000", "invalid signature"));
    assert!(a.biz.is_null());
    let c = env.sandbox.credentials().pingpong.clone();
    let wrong = envelope(
        &env,
        &[
            ("accId", json!("1")),
            ("clientId", json!(c.client_id)),
            ("signType", json!("SHA256")),
            ("version", json!("1.0")),
            ("bizContent", json!(good_biz().to_string())),
        ],
    );
    assert_eq!(raw(&env, "application/json", wrong).await.code(), "103000");
    // MD5 is accepted and the answer is signed with MD5.
    let md5 = envelope(
        &env,
        &[
            ("accId", json!(c.acc_id)),
            ("clientId", json!(c.client_id)),
            ("signType", json!("MD5")),
            ("version", json!("1.0")),
            ("bizContent", json!(good_biz().to_string())),
        ],
    );
    let a = raw(&env, "application/json", md5).await;
    assert_eq!((a.code(), a.envelope["signType"].as_str()), ("000000", Some("MD5")));
    // Unknown top-level keys take part in the signature and are otherwise ignored.
    let extra = envelope(
        &env,
        &[
            ("accId", json!(c.acc_id)),
            ("clientId", json!(c.client_id)),
            ("signType", json!("SHA256")),
            ("version", json!("1.0")),
            ("bizContent", json!(good_biz().to_string())),
            ("extra", json!("x")),
        ],
    );
    assert_eq!(raw(&env, "application/json", extra).await.code(), "000000");
}

#[tokio::test]
async fn malformed_envelopes_are_named() {
    let env = start().await;
    let c = env.sandbox.credentials().pingpong.clone();
    let good = pp_body(&env, &good_biz());
    let cases: Vec<(&str, String, &str)> = vec![
        ("application/json", good[..good.len() / 2].to_string(), "not valid JSON"),
        ("application/json", "[1,2]".into(), "JSON object"),
        ("application/json", "".into(), "not valid JSON"),
        ("text/plain", good.clone(), "Content-Type"),
        ("application/json", good.replace("\"sign\"", "\"sig\""), "missing field sign"),
        ("application/json", "x".repeat(70 * 1024), "too large"),
        (
            "application/json",
            envelope(
                &env,
                &[
                    ("accId", json!(c.acc_id)),
                    ("clientId", json!(c.client_id)),
                    ("signType", json!("SHA256")),
                    ("version", json!("1.0")),
                    ("bizContent", good_biz()),
                ],
            ),
            "bizContent must be a string",
        ),
        (
            "application/json",
            envelope(
                &env,
                &[
                    ("accId", json!(c.acc_id)),
                    ("clientId", json!(c.client_id)),
                    ("signType", json!("HMAC")),
                    ("version", json!("1.0")),
                    ("bizContent", json!("{}")),
                ],
            ),
            "signType",
        ),
        (
            "application/json",
            envelope(
                &env,
                &[
                    ("accId", json!(c.acc_id)),
                    ("clientId", json!(c.client_id)),
                    ("signType", json!("SHA256")),
                    ("version", json!("1.0")),
                    ("bizContent", json!("hello")),
                ],
            ),
            "bizContent is not valid JSON",
        ),
        (
            "application/json",
            envelope(
                &env,
                &[
                    ("accId", json!(c.acc_id)),
                    ("clientId", json!(c.client_id)),
                    ("signType", json!("SHA256")),
                    ("version", json!(1)),
                    ("bizContent", json!("{}")),
                ],
            ),
            "version must be a string",
        ),
    ];
    for (content_type, body, expected) in cases {
        let a = raw(&env, content_type, body).await;
        assert_eq!(a.code(), "102000", "{expected}: {}", a.description());
        assert!(a.description().contains(expected), "{expected}: {}", a.description());
    }
}

#[tokio::test]
async fn bad_business_fields_are_named() {
    let env = start().await;
    let long = "x".repeat(65);
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("requestId", json!(long), "102000", "requestId"),
        ("merchantTransactionId", Value::Null, "102000", "merchantTransactionId"),
        ("amount", json!("abc"), "102000", "amount"),
        ("amount", json!("-1"), "102000", "amount"),
        ("amount", json!("0"), "102000", "amount"),
        ("amount", json!("1.001"), "102000", "amount"),
        ("amount", json!({"v": 1}), "102000", "amount"),
        ("currency", json!("XXX"), "106000", "XXX"),
        ("currency", json!(12), "102000", "currency"),
        ("captureDelayHours", json!(-1), "102000", "captureDelayHours"),
        ("captureDelayHours", Value::Null, "102000", "captureDelayHours"),
        ("cashierDeviceId", Value::Null, "102000", "cashierDeviceId"),
        ("remark", json!("<script>"), "102000", "remark"),
        ("notificationUrl", json!("http://127.0.0.1/n?x=1"), "102000", "notificationUrl"),
        ("paymentMethod", json!("Wechat-Offline"), "102000", "paymentMethod"),
        ("paymentMethod", json!({"type": "Bitcoin"}), "102000", "paymentMethod.type"),
        ("paymentMethod", json!({"type": "scheme", "cardInfo": {}}), "102000", "cardInfo"),
        ("paymentMethod", json!({"type": "scheme"}), "102000", "deviceSn"),
        ("timeExpire", json!("soon"), "102000", "timeExpire"),
    ];
    for (field, value, code, named) in cases {
        let mut biz = good_biz();
        if value.is_null() {
            biz.as_object_mut().unwrap().remove(field);
        } else {
            biz[field] = value;
        }
        let a = pp(&env, PAY, &biz).await;
        assert_eq!(a.code(), code, "{field}: {}", a.description());
        assert!(a.description().contains(named), "{field}: {}", a.description());
    }
    // Unknown business keys are ignored.
    let mut biz = good_biz();
    biz["somethingNew"] = json!({"nested": [1, 2]});
    assert_eq!(pp(&env, PAY, &biz).await.code(), "000000");
    // Nothing above was committed.
    assert_eq!(env.sandbox.ledger_rows().unwrap().len(), 1);
}

#[tokio::test]
async fn mangled_bodies_never_break_the_sandbox() {
    let env = start().await;
    let good = pp_body(&env, &good_biz());
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..150 {
        let mut bytes = good.clone().into_bytes();
        for _ in 0..(next() % 4 + 1) {
            let i = (next() as usize) % bytes.len();
            bytes[i] = (next() % 256) as u8;
        }
        bytes.truncate((next() as usize) % (bytes.len() + 1));
        let resp = env
            .http
            .post(format!("{}{PAY}", env.sandbox.url()))
            .header("content-type", "application/json")
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let a = pp_parse(&env, 200, &resp.text().await.unwrap());
        assert!(["102000", "103000", "104000"].contains(&a.code()), "{}", a.description());
    }
    // Oceanpayment: broken forms get a signed error XML.
    for body in ["%zz=1&&==", "account=995378&terminal=99537801&signValue=", &"a=b&".repeat(20_000)]
    {
        let (status, xml) = post_raw(
            &env,
            "/gateway/directservice/pay",
            "application/x-www-form-urlencoded",
            body.into(),
        )
        .await;
        assert_eq!(status, 200);
        assert!(op_verify(&env, OceanMessage::PayResponse, &xml), "{xml}");
        assert_eq!(xml_get(&xml, "payment_status"), "0");
    }
    let (status, _) = post_raw(&env, "/sandbox/health", "text/plain", String::new()).await;
    assert_eq!(status, 405);
    let health =
        env.http.get(format!("{}/sandbox/health", env.sandbox.url())).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

#[tokio::test]
async fn the_ledger_survives_a_restart_and_time_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: Some(dir.path().join("ledger.sqlite")),
        time_scale: 0.01,
        timings: timings(),
        terminals: tillkit_sandbox::TerminalMode::AutoSettle,
        ..SandboxConfig::default()
    };
    let first = Sandbox::start(config.clone()).await.unwrap();
    let env = Env::wrap(first, tempfile::tempdir().unwrap());
    let (paid, pending) = (uid("O"), uid("O"));
    pp(&env, PAY, &pp_code_pay(&paid, &uid("R"), "3.00", &wechat_code())).await;
    pp(&env, PAY, &pp_qr_pay(&pending, &uid("R"), "3.00")).await;
    let Env { sandbox, .. } = env;
    sandbox.shutdown().await;

    let again = Sandbox::start(config).await.unwrap();
    let order = again.order(Acquirer::PingPong, &paid).unwrap().unwrap();
    assert_eq!((order.status, order.charges.len()), (PaymentStatus::Success, 1));
    let env = Env::wrap(again, dir);
    pp_wait_status(&env, &pending, "SUCCESS").await;
}

#[tokio::test]
async fn configuration_is_validated_and_the_banner_names_everything() {
    for scale in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = Sandbox::start(SandboxConfig { time_scale: scale, ..SandboxConfig::default() })
            .await
            .unwrap_err();
        assert!(matches!(err, tillkit_sandbox::SandboxError::Config(_)), "{err}");
    }
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let banner = tillkit_sandbox::banner(&sandbox);
    for needle in [
        sandbox.url().as_str(),
        "2018092714313010016291",
        "F78BC96A55548B2319EE68E0",
        "995378",
        "99537801",
        "12345678",
        "SANDBOX-T1/PAX-A920",
    ] {
        assert!(banner.contains(needle), "{needle} missing from:\n{banner}");
    }
    // A second sandbox cannot take the same port.
    let taken =
        Sandbox::start(SandboxConfig { listen: sandbox.addr(), ..SandboxConfig::default() })
            .await
            .unwrap_err();
    assert!(matches!(taken, tillkit_sandbox::SandboxError::Bind { .. }));
    sandbox.shutdown().await;
}
