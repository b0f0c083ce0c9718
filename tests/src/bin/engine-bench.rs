//! Engine benchmarks, run on demand (not in the test suite):
//!
//! ```sh
//! cargo build --release -p tillkit-cli -p tillkit-tests
//! target/release/engine-bench overhead [N]   # engine vs bare adapter, per customer-code sale
//! target/release/engine-bench drain [N]      # N queued refunds forwarded after an outage
//! target/release/engine-bench open [N] [M]   # open a store with N sales, M of them in flight
//! ```
//!
//! The sandbox runs as a separate process (`tillkit sandbox`) so that the CPU time measured here
//! is the client's alone.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tillkit_core::acquirer::pingpong::{PingPong, PingPongConfig, PingPongCredentials};
use tillkit_core::acquirer::{Acquirer, HttpSettings, PayRequest, PaymentMethod, WalletMethod};
use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierConfig, MemoryKeyStore, NoListener, RefundInput, SaleInput,
    SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::order::SaleStatus;
use tillkit_core::paycode::PaymentCode;
use tillkit_core::sign::pingpong::SignType;
use tillkit_sandbox::proxy::{FaultMix, FaultProxy};
use tillkit_tests::{unique_id, wechat_code};

const ACC: &str = "2018092714313010016291";
const CLIENT: &str = "2018092714313010016";
const SALT: &str = "F78BC96A55548B2319EE68E0";

struct SandboxProcess {
    child: Child,
    addr: std::net::SocketAddr,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tillkit_bin() -> PathBuf {
    std::env::var_os("TILLKIT_BIN").map(PathBuf::from).unwrap_or_else(|| {
        let exe = std::env::current_exe().unwrap_or_default();
        exe.with_file_name("tillkit")
    })
}

fn start_sandbox(dir: &std::path::Path) -> SandboxProcess {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18787);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let child = Command::new(tillkit_bin())
        .args(["sandbox", "--listen", &addr.to_string(), "--time-scale", "0.01", "--db"])
        .arg(dir.join("ledger.db"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e} (build it with cargo build --release -p tillkit-cli)",
                tillkit_bin().display()
            )
        });
    let process = SandboxProcess { child, addr };
    for _ in 0..100 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return process;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the sandbox did not start");
}

fn http(url: &str) -> HttpSettings {
    HttpSettings {
        base_url: url.into(),
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
        extra_roots: Vec::new(),
        transport: Default::default(),
    }
}

fn config(url: &str) -> CashierConfig {
    let mut c = CashierConfig::new(
        AcquirerSettings::PingPong {
            http: http(url),
            acc_id: ACC.into(),
            client_id: CLIENT.into(),
            sign_type: SignType::Sha256,
            salt_key: "salt".into(),
            order_terminal: Default::default(),
        },
        "BENCH",
    );
    c.policy = c.policy.scaled(0.01);
    // PingPong's `timeExpire` range starts at 60 s (checked at open).
    c.policy.qr_lifetime = Duration::from_secs(90);
    c
}

fn keys() -> Arc<MemoryKeyStore> {
    Arc::new(MemoryKeyStore::with("salt", SALT.as_bytes()))
}

/// CPU seconds (user + system) of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(name: &str, mut ms: Vec<f64>, cpu: f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{name:<8} n={:<5} median {:.3} ms  p99 {:.3} ms  cpu {:.3} ms/sale",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        cpu * 1000.0 / ms.len().max(1) as f64
    );
}

async fn overhead(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sb = start_sandbox(dir.path());
    let url = format!("http://{}", sb.addr);
    let adapter = PingPong::new(PingPongConfig {
        http: http(&url),
        credentials: PingPongCredentials {
            acc_id: ACC.into(),
            client_id: CLIENT.into(),
            salt: secrecy::SecretString::from(SALT.to_string()),
            sign_type: SignType::Sha256,
        },
    })
    .expect("adapter");
    let cashier =
        Cashier::open(config(&url), &dir.path().join("cashier"), keys(), Arc::new(NoListener))
            .await
            .expect("cashier");
    // Warm up both paths (connections, caches), then alternate them so noise hits both alike.
    let (mut bare, mut engine) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut bare_cpu, mut engine_cpu) = (0.0, 0.0);
    let (commits_before, relaxed_before) = (cashier.commits(), cashier.relaxed_commits());
    for i in 0..n + 20 {
        let order = unique_id("BB");
        let request = PayRequest {
            merchant_transaction_id: order.clone(),
            request_id: format!("{order}-1"),
            amount: Amount::parse("12.50", "CNY").expect("amount"),
            method: PaymentMethod::CustomerCode {
                code: PaymentCode::parse(&wechat_code()).expect("code"),
                wallet: WalletMethod::WechatPay,
            },
            cashier_device_id: "BENCH".into(),
            notification_url: None,
            expires_at_unix: None,
            remark: None,
        };
        let (c0, t0) = (cpu_seconds(), Instant::now());
        let r = adapter.pay(&request).await.expect("bare sale");
        let (t_bare, c_bare) = (t0.elapsed(), cpu_seconds() - c0);
        assert!(r.status.is_final());
        let input = SaleInput {
            sale_id: None,
            amount: Amount::parse("12.50", "CNY").expect("amount"),
            method: SaleMethodInput::CustomerCode(wechat_code()),
            remark: None,
            qr_lifetime: None,
        };
        let (c0, t0) = (cpu_seconds(), Instant::now());
        let sale = cashier.start_sale(input).await.expect("engine sale");
        let (t_engine, c_engine) = (t0.elapsed(), cpu_seconds() - c0);
        assert_eq!(sale.status, SaleStatus::Paid);
        if i >= 20 {
            bare.push(t_bare.as_secs_f64() * 1000.0);
            engine.push(t_engine.as_secs_f64() * 1000.0);
            bare_cpu += c_bare;
            engine_cpu += c_engine;
        }
    }
    let commits = (cashier.commits() - commits_before) as f64 / (n + 20) as f64;
    let relaxed = (cashier.relaxed_commits() - relaxed_before) as f64 / (n + 20) as f64;
    println!(
        "customer-code sale, {n} each, alternating, sandbox in a separate process on loopback"
    );
    summary("adapter", bare, bare_cpu);
    summary("engine", engine, engine_cpu);
    println!(
        "per engine sale: {commits:.2} durable commits (one WAL fsync each), {relaxed:.2} relaxed"
    );
    cashier.close().await;
}

async fn drain(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sb = start_sandbox(dir.path());
    let proxy = FaultProxy::start(sb.addr, FaultMix::none()).await.expect("proxy");
    let mut cfg = config(&proxy.url());
    cfg.max_parallel_steps = 32;
    let cashier = Cashier::open(cfg, &dir.path().join("cashier"), keys(), Arc::new(NoListener))
        .await
        .expect("cashier");
    println!("paying {n} sales to refund...");
    let mut ids = Vec::with_capacity(n);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let c = cashier.clone();
        tasks.spawn(async move {
            let input = SaleInput {
                sale_id: None,
                amount: Amount::parse("3.00", "CNY").expect("amount"),
                method: SaleMethodInput::CustomerCode(wechat_code()),
                remark: None,
                qr_lifetime: None,
            };
            c.start_sale(input).await.expect("sale").id
        });
        if tasks.len() >= 32 {
            if let Some(Ok(id)) = tasks.join_next().await {
                ids.push(id);
            }
        }
    }
    while let Some(Ok(id)) = tasks.join_next().await {
        ids.push(id);
    }
    proxy.go_down();
    for id in &ids {
        cashier
            .refund(id, RefundInput { refund_id: None, amount: None, reason: None })
            .await
            .expect("refund queued");
    }
    let q = cashier.queue_status().expect("queue");
    println!("outage: {} refunds waiting ({} unsent)", q.refunds, q.unsent);
    let rss_before = rss_kib("VmRSS:");
    proxy.come_up().await.expect("network back");
    let t0 = Instant::now();
    cashier.forward_now().expect("forward");
    let mut rss_max = rss_before;
    loop {
        let q = cashier.queue_status().expect("queue");
        rss_max = rss_max.max(rss_kib("VmRSS:"));
        if q.refunds == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = t0.elapsed();
    println!("drained {n} refunds in {:.2} s ({:.0}/s); RSS {} KiB before, {} KiB max during; peak RSS of the process {} KiB",
        took.as_secs_f64(), n as f64 / took.as_secs_f64(), rss_before, rss_max, rss_kib("VmHWM:"));
    cashier.close().await;
}

async fn open_store(n: usize, in_flight: usize) {
    use tillkit_core::store::{self, AttemptRow, Entity, OutboxRow, SaleRow, Store};
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("cashier");
    let ks = keys();
    {
        // The database key, made and stored the way Cashier::open does.
        let key = tillkit_core::store::new_key().expect("key");
        use tillkit_core::engine::KeyStore;
        ks.put(tillkit_core::engine::DB_KEY_NAME, &key).expect("key store");
        std::fs::create_dir_all(&data).expect("dir");
        let s = Store::open(&data.join("tillkit.db"), &key).expect("store");
        let t0 = Instant::now();
        s.write(|tx, cipher| {
            for i in 0..n {
                let id = format!("H{i:08}");
                let live = i >= n - in_flight;
                let status = if live { SaleStatus::Processing } else { SaleStatus::Paid };
                store::insert_sale(
                    tx,
                    &SaleRow {
                        id: id.clone(),
                        kind: tillkit_core::order::SaleKind::CustomerCode,
                        wallet: Some(WalletMethod::WechatPay),
                        terminal: None,
                        amount: Amount::parse("12.50", "CNY").expect("amount"),
                        status,
                        attention: false,
                        attention_reason: None,
                        cancel_requested: false,
                        remark: None,
                        qr: None,
                        payment_redirect_url: None,
                        acquirer_transaction_id: Some(format!("T{i}")),
                        result_code: Some("000000".into()),
                        result_description: None,
                        card: None,
                        card_details: None,
                        code_masked: None,
                        created_at: 1_700_000_000_000 + i as u64,
                        updated_at: 1_700_000_000_000 + i as u64,
                        abandoned_at: None,
                    },
                )?;
                let request_id = format!("{id}-1");
                let sealed = cipher.seal(&request_id, b"134650720866361395")?;
                store::insert_attempt(
                    tx,
                    &AttemptRow {
                        request_id,
                        sale_id: id.clone(),
                        seq: 1,
                        status: if live {
                            tillkit_core::order::AttemptStatus::Processing
                        } else {
                            tillkit_core::order::AttemptStatus::Succeeded
                        },
                        sealed_code: Some(sealed),
                        terminal: None,
                        created_at: 0,
                        updated_at: 0,
                    },
                )?;
                store::journal(tx, 0, Entity::Sale, &id, "created", "")?;
                if live {
                    store::put_outbox(
                        tx,
                        &OutboxRow {
                            entity: Entity::Sale,
                            entity_id: id,
                            step: "query".into(),
                            due_at: u64::MAX / 4,
                            failures: 0,
                            last_try_at: 0,
                            created_at: 0,
                            last_error: None,
                        },
                    )?;
                }
            }
            Ok(())
        })
        .expect("fill");
        println!(
            "filled {n} sales ({in_flight} in flight) in {:.1} s; file {} MB",
            t0.elapsed().as_secs_f64(),
            std::fs::metadata(data.join("tillkit.db")).map(|m| m.len() / 1_000_000).unwrap_or(0)
        );
    }
    let mut times = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let c =
            Cashier::open(config("http://127.0.0.1:9"), &data, ks.clone(), Arc::new(NoListener))
                .await
                .expect("open");
        let q = c.queue_status().expect("queue");
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(q.sales as usize, in_flight);
        c.close().await;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!("open to ready (store open + integrity check + recovery + queue status), 5 runs: median {:.1} ms, max {:.1} ms", times[2], times[4]);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let num = |i: usize, d: usize| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(d);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    match args.get(1).map(String::as_str) {
        Some("overhead") => rt.block_on(overhead(num(2, 1000))),
        Some("drain") => rt.block_on(drain(num(2, 10_000))),
        Some("open") => rt.block_on(open_store(num(2, 100_000), num(3, 1_000))),
        _ => eprintln!("usage: engine-bench overhead [N] | drain [N] | open [N] [M]"),
    }
}
