//! Shared helpers for the end-to-end tests: a sandbox on 127.0.0.1, adapters and cashiers
//! pointed at it, unique wallet codes, and the sandbox's ledger.

pub mod agent_proc;
pub mod books;
pub mod hostile;
pub mod printer;
pub mod scripted;
pub mod terminal;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tillkit_core::acquirer::oceanpayment::{BillingDefaults, Oceanpayment, OceanpaymentConfig};
use tillkit_core::acquirer::pingpong::{PingPong, PingPongConfig, PingPongCredentials};
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierConfig, EventListener, MemoryKeyStore,
};
use tillkit_core::sign::pingpong::SignType;
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

/// Starts a sandbox on a free loopback port with its ledger in `dir`.
pub async fn sandbox(time_scale: f64) -> SandboxHandle {
    let config = SandboxConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        time_scale,
        // No terminal agent runs in these tests: the sandbox's terminals settle card sales.
        terminals: tillkit_sandbox::TerminalMode::AutoSettle,
        ..SandboxConfig::default()
    };
    Sandbox::start(config).await.expect("sandbox starts")
}

/// HTTP settings for `url` with short timeouts (the sandbox is local).
pub fn http(url: &str, request_timeout: Duration) -> HttpSettings {
    HttpSettings {
        base_url: url.to_string(),
        connect_timeout: Duration::from_secs(2),
        request_timeout,
        extra_roots: Vec::new(),
        transport: Default::default(),
    }
}

/// The sandbox's PingPong credentials for an adapter.
pub fn pingpong_credentials(sandbox: &SandboxHandle) -> PingPongCredentials {
    let c = &sandbox.credentials().pingpong;
    PingPongCredentials {
        acc_id: c.acc_id.clone(),
        client_id: c.client_id.clone(),
        salt: c.salt.clone(),
        sign_type: SignType::Sha256,
    }
}

/// A PingPong adapter talking to `url` (the sandbox, or a proxy in front of it).
pub fn pingpong(sandbox: &SandboxHandle, url: &str, timeout: Duration) -> PingPong {
    PingPong::new(PingPongConfig {
        http: http(url, timeout),
        credentials: pingpong_credentials(sandbox),
    })
    .expect("adapter")
}

/// An Oceanpayment adapter talking to the sandbox.
pub fn oceanpayment(sandbox: &SandboxHandle, timeout: Duration) -> Oceanpayment {
    let c = &sandbox.credentials().oceanpayment;
    Oceanpayment::new(OceanpaymentConfig {
        http: http(&sandbox.url(), timeout),
        account: c.account.clone(),
        terminal: c.terminal.clone(),
        secure_code: c.secure_code.clone(),
        billing: billing(),
    })
    .expect("adapter")
}

/// Billing fields for in-person Oceanpayment orders.
pub fn billing() -> BillingDefaults {
    BillingDefaults {
        first_name: "Walk".into(),
        last_name: "In".into(),
        email: "till@example.com".into(),
        country: "CN".into(),
        state: "SH".into(),
        phone: None,
        city: None,
        address: None,
        zip: None,
        ip: None,
    }
}

/// Name of the Oceanpayment secure code in the key store.
pub const OCEAN_SECURE_CODE_KEY: &str = "oceanpayment.secure_code";

/// Cashier settings for the sandbox's Oceanpayment credentials with the pay host at `pay_url`
/// (queries and refunds go where [`oceanpayment_for_cashier`] sends them).
pub fn ocean_cashier_config(
    credentials: &tillkit_sandbox::OceanpaymentCredentials,
    pay_url: &str,
    policy_scale: f64,
) -> CashierConfig {
    let mut config = CashierConfig::new(
        AcquirerSettings::Oceanpayment {
            http: http(pay_url, Duration::from_secs(2)),
            account: credentials.account.clone(),
            terminal: credentials.terminal.clone(),
            secure_code_key: OCEAN_SECURE_CODE_KEY.into(),
            billing: billing(),
            query_http: None,
        },
        "TEST-REGISTER",
    );
    config.policy = config.policy.scaled(policy_scale);
    config.policy.qr_lifetime = Duration::from_secs(90);
    config
}

/// The Oceanpayment adapter a cashier opened with `Cashier::open_with` uses: payments and voids
/// to `pay_url`, queries and refunds to `query_url` (two hosts, as in production).
pub fn oceanpayment_for_cashier(
    credentials: &tillkit_sandbox::OceanpaymentCredentials,
    pay_url: &str,
    query_url: &str,
) -> Arc<dyn tillkit_core::acquirer::Acquirer> {
    let adapter = Oceanpayment::new(OceanpaymentConfig {
        http: http(pay_url, Duration::from_secs(2)),
        account: credentials.account.clone(),
        terminal: credentials.terminal.clone(),
        secure_code: credentials.secure_code.clone(),
        billing: billing(),
    })
    .and_then(|a| a.with_query_http(&http(query_url, Duration::from_secs(2))))
    .expect("adapter");
    Arc::new(adapter)
}

/// A key store holding the Oceanpayment secure code.
pub fn ocean_key_store(
    credentials: &tillkit_sandbox::OceanpaymentCredentials,
) -> Arc<MemoryKeyStore> {
    use secrecy::ExposeSecret;
    let code = credentials.secure_code.expose_secret().as_bytes().to_vec();
    Arc::new(MemoryKeyStore::with(OCEAN_SECURE_CODE_KEY, &code))
}

/// Cashier settings for the sandbox's PingPong endpoint at `url`.
pub fn cashier_config(sandbox: &SandboxHandle, url: &str, policy_scale: f64) -> CashierConfig {
    let c = &sandbox.credentials().pingpong;
    let mut config = CashierConfig::new(
        AcquirerSettings::PingPong {
            http: http(url, Duration::from_secs(2)),
            acc_id: c.acc_id.clone(),
            client_id: c.client_id.clone(),
            sign_type: SignType::Sha256,
            salt_key: "pingpong.salt".into(),
            order_terminal: Default::default(),
        },
        "TEST-REGISTER",
    );
    config.policy = config.policy.scaled(policy_scale);
    // PingPong accepts QR lifetimes of 60 s to 3 days; the sandbox compresses the lifetime by
    // its own time scale, so the order still closes quickly.
    config.policy.qr_lifetime = Duration::from_secs(90);
    config
}

/// A key store holding the sandbox's salt.
pub fn key_store(sandbox: &SandboxHandle) -> Arc<MemoryKeyStore> {
    use secrecy::ExposeSecret;
    let salt = sandbox.credentials().pingpong.salt.expose_secret().as_bytes().to_vec();
    Arc::new(MemoryKeyStore::with("pingpong.salt", &salt))
}

/// Opens a cashier on `dir` against `url`.
pub async fn cashier(
    sandbox: &SandboxHandle,
    url: &str,
    dir: &std::path::Path,
    keys: Arc<MemoryKeyStore>,
    listener: Arc<dyn EventListener>,
    policy_scale: f64,
) -> Cashier {
    Cashier::open(cashier_config(sandbox, url, policy_scale), dir, keys, listener)
        .await
        .expect("cashier opens")
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn unique_digits(n: usize) -> String {
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mixed =
        (nanos as u64) ^ (seq.wrapping_mul(0x9E37_79B9_7F4A_7C15)) ^ u64::from(std::process::id());
    let digits =
        format!("{:020}", mixed % 10u64.pow(19)) + &format!("{:010}", seq % 10_000_000_000);
    digits.chars().rev().take(n).collect()
}

/// A fresh, valid WeChat Pay code (18 digits, prefix 13): codes are usable once.
pub fn wechat_code() -> String {
    format!("13{}", unique_digits(16))
}

/// A fresh, valid Alipay code (18 digits, prefix 28).
pub fn alipay_code() -> String {
    format!("28{}", unique_digits(16))
}

/// A fresh id with a prefix.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}{}", unique_digits(16))
}

/// The sandbox's ledger entry of an order, as its inspection endpoint shows it.
pub async fn ledger_order(sandbox: &SandboxHandle, order: &str) -> Option<serde_json::Value> {
    let url = format!("{}/sandbox/orders/{order}", sandbox.url());
    let response = reqwest::get(&url).await.expect("inspection endpoint answers");
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return None;
    }
    Some(response.json().await.expect("inspection JSON"))
}

/// The whole ledger (every order with its charge count and totals).
pub async fn ledger(sandbox: &SandboxHandle) -> serde_json::Value {
    let url = format!("{}/sandbox/ledger", sandbox.url());
    reqwest::get(&url).await.expect("ledger answers").json().await.expect("ledger JSON")
}

/// A listener that keeps every event, for assertions.
#[derive(Default)]
pub struct Recorder {
    events: std::sync::Mutex<Vec<tillkit_core::engine::CashierEvent>>,
}

impl Recorder {
    /// A new recorder behind an `Arc`.
    pub fn new() -> Arc<Self> {
        Arc::new(Recorder::default())
    }

    /// Everything received so far.
    pub fn events(&self) -> Vec<tillkit_core::engine::CashierEvent> {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl EventListener for Recorder {
    fn on_event(&self, event: tillkit_core::engine::CashierEvent) {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }
}

/// Polls `read` every 10 ms until it gives a value that `done` accepts; panics after `limit`,
/// naming `what` and its last state.
async fn wait_until<T: std::fmt::Debug>(
    what: &str,
    limit: Duration,
    read: impl Fn() -> T,
    done: impl Fn(&T) -> bool,
) -> T {
    let start = std::time::Instant::now();
    loop {
        let value = read();
        if done(&value) {
            return value;
        }
        if start.elapsed() > limit {
            panic!("{what} not final after {limit:?}: {value:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the sale is final (or panics after `limit`).
pub async fn wait_final(
    cashier: &Cashier,
    id: &str,
    limit: Duration,
) -> tillkit_core::store::SaleRow {
    let read = || cashier.sale(id).expect("store readable").expect("sale exists");
    wait_until(&format!("sale {id}"), limit, read, |s| s.status.is_final()).await
}

/// Waits until the refund is final.
pub async fn wait_refund_final(
    cashier: &Cashier,
    id: &str,
    limit: Duration,
) -> tillkit_core::store::RefundRow {
    let read = || cashier.refund_by_id(id).expect("store readable").expect("refund exists");
    wait_until(&format!("refund {id}"), limit, read, |r| r.state.is_final()).await
}

/// A CNY sale with the given id, amount and method.
pub fn sale_input(
    id: &str,
    amount: &str,
    method: tillkit_core::engine::SaleMethodInput,
) -> tillkit_core::engine::SaleInput {
    tillkit_core::engine::SaleInput {
        sale_id: Some(id.into()),
        amount: tillkit_core::money::Amount::parse(amount, "CNY").expect("a valid amount"),
        method,
        remark: None,
        qr_lifetime: None,
    }
}

/// How many times the sandbox charged an order (0 when it never saw it).
pub async fn charges(sandbox: &SandboxHandle, order: &str) -> u64 {
    match ledger_order(sandbox, order).await {
        None => 0,
        Some(o) => o["charges"]
            .as_u64()
            .or_else(|| o["charges"].as_array().map(|a| a.len() as u64))
            .unwrap_or(0),
    }
}

/// A PingPong notification body for `biz`, signed with `salt` (the sandbox's, or a wrong one).
pub fn pingpong_notification(
    sandbox: &SandboxHandle,
    salt: &secrecy::SecretString,
    biz: &serde_json::Value,
) -> Vec<u8> {
    use serde_json::json;
    let c = &sandbox.credentials().pingpong;
    let mut env = serde_json::Map::new();
    env.insert("accId".into(), json!(c.acc_id));
    env.insert("clientId".into(), json!(c.client_id));
    env.insert("signType".into(), json!("SHA256"));
    env.insert("version".into(), json!("1.0"));
    env.insert("bizContent".into(), json!(biz.to_string()));
    let sign = tillkit_core::sign::pingpong::sign_envelope(salt, &env).expect("signable");
    env.insert("sign".into(), json!(sign));
    serde_json::to_vec(&env).expect("serialisable")
}

/// A minimal HTTP receiver on `listener`: every POST body is handed to the cashier and answered
/// with its ack (or 400 `FAIL`, so that the sandbox retries).
pub fn notification_receiver(
    listener: tokio::net::TcpListener,
    cashier: tillkit_core::engine::Cashier,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let cashier = cashier.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let body = loop {
                    let Ok(n) = tokio::io::AsyncReadExt::read(&mut sock, &mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break buf[end + 4..end + 4 + len].to_vec();
                    }
                };
                let (status, ack) = match cashier.handle_notification(&body).await {
                    Ok(ack) => ("200 OK", ack),
                    Err(_) => ("400 Bad Request", "FAIL".to_string()),
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{ack}",
                    ack.len()
                );
                let _ = tokio::io::AsyncWriteExt::write_all(&mut sock, reply.as_bytes()).await;
            });
        }
    })
}
