//! Helpers shared by the sandbox's integration tests: a sandbox on a temp-dir SQLite file, and
//! hand-built, hand-signed requests (no dependency on the core adapters).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{json, Map, Value};
use tempfile::TempDir;
use tillkit_core::sign::oceanpayment::{self, OceanMessage};
use tillkit_core::sign::pingpong::{sign_envelope, verify_envelope};
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle, ScenarioTimings, TerminalMode};

/// A running sandbox, its temp dir and an HTTP client.
pub struct Env {
    pub sandbox: SandboxHandle,
    pub http: reqwest::Client,
    _dir: TempDir,
}

/// Simulated durations used by the tests, at time scale 0.01.
pub fn timings() -> ScenarioTimings {
    ScenarioTimings {
        qr_customer_pays_after: Duration::from_secs(5), // 50 ms
        card_terminal_takes: Duration::from_secs(3),    // 30 ms
        user_paying: Duration::from_secs(10),           // 100 ms
        slow_response: Duration::from_secs(50),         // 500 ms
        default_expiry: Duration::from_secs(100),       // 1 s
    }
}

pub async fn start() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        db_path: Some(dir.path().join("ledger.sqlite")),
        time_scale: 0.01,
        timings: timings(),
        tick: Duration::from_millis(10),
        terminals: TerminalMode::AutoSettle,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    Env { sandbox, http, _dir: dir }
}

impl Env {
    /// Wraps a sandbox started with a custom configuration.
    pub fn wrap(sandbox: SandboxHandle, dir: TempDir) -> Env {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Env { sandbox, http, _dir: dir }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A unique id for orders and requests.
pub fn uid(prefix: &str) -> String {
    format!("{prefix}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A fresh WeChat Pay code (18 digits, prefix 13).
pub fn wechat_code() -> String {
    format!("13{:016}", COUNTER.fetch_add(1, Ordering::Relaxed) * 7919 + std::process::id() as u64)
}

/// A fresh Alipay code (18 digits, prefix 28).
pub fn alipay_code() -> String {
    format!("28{:016}", COUNTER.fetch_add(1, Ordering::Relaxed) * 7919 + std::process::id() as u64)
}

/// Polls `f` until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "condition not reached in {secs} s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

// ---------------------------------------------------------------- PingPong

/// A signed PingPong request body.
pub fn pp_body(env: &Env, biz: &Value) -> String {
    let c = &env.sandbox.credentials().pingpong;
    let mut m = Map::new();
    m.insert("accId".into(), json!(c.acc_id));
    m.insert("clientId".into(), json!(c.client_id));
    m.insert("signType".into(), json!("SHA256"));
    m.insert("version".into(), json!("1.0"));
    m.insert("bizContent".into(), json!(biz.to_string()));
    let sign = sign_envelope(&c.salt, &m).unwrap();
    m.insert("sign".into(), json!(sign));
    Value::Object(m).to_string()
}

/// A PingPong answer: the envelope and its parsed bizContent (Null when absent).
#[derive(Debug)]
pub struct PpAnswer {
    pub status: u16,
    pub envelope: Map<String, Value>,
    pub biz: Value,
}

impl PpAnswer {
    pub fn code(&self) -> &str {
        self.envelope["code"].as_str().unwrap()
    }
    pub fn description(&self) -> &str {
        self.envelope["description"].as_str().unwrap()
    }
    pub fn status_field(&self) -> &str {
        self.biz["status"].as_str().unwrap()
    }
}

/// Posts a raw body; returns the HTTP status and the body text.
pub async fn post_raw(env: &Env, path: &str, content_type: &str, body: String) -> (u16, String) {
    let resp = env
        .http
        .post(format!("{}{path}", env.sandbox.url()))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// Parses and verifies a PingPong answer (panics on a bad signature).
pub fn pp_parse(env: &Env, status: u16, text: &str) -> PpAnswer {
    let envelope: Map<String, Value> = serde_json::from_str(text).unwrap();
    verify_envelope(&env.sandbox.credentials().pingpong.salt, &envelope).expect("answer signature");
    assert!(envelope.get("version").is_none(), "answers carry no version");
    let biz = match envelope.get("bizContent") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap(),
        _ => Value::Null,
    };
    PpAnswer { status, envelope, biz }
}

/// Signs, posts and verifies.
pub async fn pp(env: &Env, path: &str, biz: &Value) -> PpAnswer {
    let (status, text) = post_raw(env, path, "application/json", pp_body(env, biz)).await;
    pp_parse(env, status, &text)
}

/// A customer-presented WeChat payment bizContent.
pub fn pp_code_pay(order: &str, request: &str, amount: &str, code: &str) -> Value {
    json!({
        "amount": amount, "currency": "CNY", "merchantTransactionId": order, "requestId": request,
        "captureDelayHours": 0, "cashierDeviceId": "TILL-1",
        "paymentMethod": {"type": "Wechat-Offline", "scanCodeId": code},
        "device": {"orderTerminal": "02"}
    })
}

/// A merchant-presented QR bizContent.
pub fn pp_qr_pay(order: &str, request: &str, amount: &str) -> Value {
    json!({
        "amount": amount, "currency": "CNY", "merchantTransactionId": order, "requestId": request,
        "captureDelayHours": 0, "cashierDeviceId": "TILL-1",
        "paymentMethod": {"type": "AlipayCN-Offline"}
    })
}

/// A card-on-terminal bizContent.
pub fn pp_card_pay(order: &str, request: &str, amount: &str, sn: &str, model: &str) -> Value {
    json!({
        "amount": amount, "currency": "USD", "merchantTransactionId": order, "requestId": request,
        "captureDelayHours": 0, "cashierDeviceId": "TILL-1", "deviceSn": sn, "deviceModel": model,
        "paymentMethod": {"type": "scheme"}
    })
}

pub async fn pp_query(env: &Env, order: &str) -> PpAnswer {
    pp(env, "/v4/payment/query", &json!({"merchantTransactionId": order})).await
}

/// Polls the query until the payment status is `status`.
pub async fn pp_wait_status(env: &Env, order: &str, status: &str) -> PpAnswer {
    eventually(5, || async {
        let a = pp_query(env, order).await;
        (a.biz["status"] == status).then_some(a)
    })
    .await
}

// ---------------------------------------------------------------- Oceanpayment

/// A signed Oceanpayment form: `fields` plus account, terminal and signValue for `message`.
pub fn op_form(env: &Env, message: OceanMessage, fields: &[(&str, &str)]) -> String {
    let c = &env.sandbox.credentials().oceanpayment;
    let mut all: Vec<(String, String)> =
        vec![("account".into(), c.account.clone()), ("terminal".into(), c.terminal.clone())];
    all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let map: HashMap<String, String> = all.iter().cloned().collect();
    let sign = oceanpayment::sign(message, |k| map.get(k).map(String::as_str), &c.secure_code);
    all.push(("signValue".into(), sign));
    serde_urlencoded::to_string(&all).unwrap()
}

/// Posts a signed Oceanpayment form and returns status and XML text.
pub async fn op(
    env: &Env,
    path: &str,
    message: OceanMessage,
    fields: &[(&str, &str)],
) -> (u16, String) {
    post_raw(env, path, "application/x-www-form-urlencoded", op_form(env, message, fields)).await
}

/// The text of every `<name>` element of an XML document, in order (tests only: no nesting of
/// same-named elements).
pub fn xml_all(xml: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(after[..j].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
        rest = &after[j + close.len()..];
    }
    out
}

/// The first `<name>` of an XML document, or "" when absent.
pub fn xml_get(xml: &str, name: &str) -> String {
    xml_all(xml, name).into_iter().next().unwrap_or_default()
}

/// Verifies the signValue of an XML message (whole document or one `paymentInfo`).
pub fn op_verify(env: &Env, message: OceanMessage, xml: &str) -> bool {
    let c = &env.sandbox.credentials().oceanpayment;
    let values: HashMap<&str, String> =
        message.fields().iter().map(|f| (*f, xml_get(xml, f))).collect();
    oceanpayment::verify(
        message,
        |k| values.get(k).map(String::as_str),
        &c.secure_code,
        &xml_get(xml, "signValue"),
    )
    .is_ok()
}

/// A customer-presented Oceanpayment pay form.
pub fn op_code_fields<'a>(
    order: &'a str,
    amount: &'a str,
    code: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("order_number", order),
        ("order_currency", "CNY"),
        ("order_amount", amount),
        ("billing_firstName", "test"),
        ("billing_lastName", "test"),
        ("billing_email", "test@example.com"),
        ("methods", ""),
        ("pay_accountNumber", code),
    ]
}
