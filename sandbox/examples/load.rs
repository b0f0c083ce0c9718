//! Throughput of signed PingPong `unifiedPay` requests against an in-process sandbox on loopback.
//!
//! Every request is a new order paid with a new WeChat code (one SQLite transaction each, WAL,
//! file in a temp dir), built and SHA-256-signed by hand as a client would. Runs N concurrent
//! clients for a fixed time and prints requests/s and latency percentiles.
//!
//! ```text
//! cargo run --release -p tillkit-sandbox --example load -- [--seconds 5] [--clients 32]
//! ```
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use tillkit_core::sign::pingpong::sign_envelope;
use tillkit_sandbox::{Sandbox, SandboxConfig};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let seconds = arg("--seconds", 5);
    let clients = arg("--clients", 32);
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig {
        db_path: Some(dir.path().join("load.sqlite")),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let url = format!("{}/v4/payment/unifiedPay", sandbox.url());
    let creds = sandbox.credentials().pingpong.clone();
    let http = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(256).build().unwrap();
    let counter = Arc::new(AtomicU64::new(1));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();

    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, creds) = (http.clone(), url.clone(), creds.clone());
        let (counter, errors) = (counter.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let biz = json!({
                    "amount": "1.00", "currency": "CNY", "captureDelayHours": 0,
                    "merchantTransactionId": format!("LOAD-{n}"), "requestId": format!("REQ-{n}"),
                    "cashierDeviceId": "LOAD", "paymentMethod": {"type": "Wechat-Offline",
                    "scanCodeId": format!("13{n:016}")}
                });
                let mut env = Map::new();
                env.insert("accId".into(), json!(creds.acc_id));
                env.insert("clientId".into(), json!(creds.client_id));
                env.insert("signType".into(), json!("SHA256"));
                env.insert("version".into(), json!("1.0"));
                env.insert("bizContent".into(), json!(biz.to_string()));
                let sign = sign_envelope(&creds.salt, &env).unwrap();
                env.insert("sign".into(), json!(sign));
                let body = Value::Object(env).to_string();
                let t = Instant::now();
                let ok = match http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                {
                    Ok(resp) => resp.json::<Value>().await.is_ok_and(|v| v["code"] == "000000"),
                    Err(_) => false,
                };
                latencies.push(t.elapsed());
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{} requests in {:.2} s with {clients} clients: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, {} not 000000",
        all.len(),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        errors.load(Ordering::Relaxed),
    );
    let rows = sandbox.ledger_rows().unwrap();
    let double = rows.iter().filter(|r| r.successful_charges > 1).count();
    println!("ledger: {} orders, {double} with more than one charge", rows.len());
    sandbox.shutdown().await;
}
