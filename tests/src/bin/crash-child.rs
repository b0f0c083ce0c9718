//! The process the crash test kills. Two modes:
//!
//! - `crash-child sandbox ADDR DB`: runs the sandbox acquirer (a separate process, so that it
//!   survives the kills of the cashier).
//! - `crash-child run DIR URL SEED ACQUIRER`: opens the cashier on DIR (recovering whatever the
//!   last kill left) and makes sales and refunds until it is killed. ACQUIRER is `pingpong` or
//!   `oceanpayment`.
//! - `crash-child settle DIR URL ACQUIRER`: opens the cashier, lets it finish everything in
//!   flight, and prints every sale as `S id status` and every refund as
//!   `R id sale_id state amount attention`.

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::engine::{
    Cashier, CashierConfig, MemoryKeyStore, NoListener, RefundInput, SaleInput, SaleMethodInput,
    SystemClock,
};
use tillkit_core::money::Amount;
use tillkit_core::order::{RefundState, SaleStatus};
use tillkit_core::store::HistoryFilter;

const SALT: &str = "F78BC96A55548B2319EE68E0";

fn ocean() -> tillkit_sandbox::OceanpaymentCredentials {
    tillkit_sandbox::SandboxCredentials::default().oceanpayment
}

fn config(url: &str, acquirer: &str) -> CashierConfig {
    use tillkit_core::engine::AcquirerSettings;
    let mut c = if acquirer == "oceanpayment" {
        tillkit_tests::ocean_cashier_config(&ocean(), url, 1.0)
    } else {
        CashierConfig::new(
            AcquirerSettings::PingPong {
                http: tillkit_tests::http(url, Duration::from_secs(2)),
                acc_id: "2018092714313010016291".into(),
                client_id: "2018092714313010016".into(),
                sign_type: tillkit_core::sign::pingpong::SignType::Sha256,
                salt_key: "salt".into(),
                order_terminal: Default::default(),
            },
            "CRASH-REG",
        )
    };
    c.cashier_device_id = "CRASH-REG".into();
    c.policy = c.policy.scaled(0.01);
    c.policy.code_validity = Duration::from_secs(10);
    c.policy.qr_lifetime = Duration::from_secs(90);
    c
}

/// Opens the cashier on `dir` for `acquirer` (Oceanpayment: pay and query hosts both at `url`).
async fn open(dir: &std::path::Path, url: &str, acquirer: &str) -> Cashier {
    let keys = keys(dir);
    if acquirer == "oceanpayment" {
        let adapter = tillkit_tests::oceanpayment_for_cashier(&ocean(), url, url);
        let (listener, clock) = (Arc::new(NoListener), Arc::new(SystemClock));
        Cashier::open_with(config(url, acquirer), dir, keys, listener, adapter, clock).await
    } else {
        Cashier::open(config(url, acquirer), dir, keys, Arc::new(NoListener)).await
    }
    .expect("open")
}

/// The database key must survive restarts: keep it in a file beside the store.
fn keys(dir: &std::path::Path) -> Arc<MemoryKeyStore> {
    let path = dir.join("db.key");
    let key = match std::fs::read(&path) {
        Ok(k) if k.len() == 32 => k,
        _ => {
            let k = tillkit_core::store::new_key().expect("randomness").to_vec();
            std::fs::create_dir_all(dir).expect("dir");
            let tmp = dir.join("db.key.tmp");
            std::fs::write(&tmp, &k).expect("key file");
            std::fs::rename(&tmp, &path).expect("key file");
            k
        }
    };
    let ks = MemoryKeyStore::with("salt", SALT.as_bytes());
    {
        use secrecy::ExposeSecret;
        let code = ocean().secure_code.expose_secret().as_bytes().to_vec();
        use tillkit_core::engine::KeyStore;
        ks.put(tillkit_tests::OCEAN_SECURE_CODE_KEY, &code).expect("key store");
    }
    use tillkit_core::engine::KeyStore;
    ks.put(tillkit_core::engine::DB_KEY_NAME, &key).expect("key store");
    Arc::new(ks)
}

async fn run(dir: &std::path::Path, url: &str, seed: u64, acquirer: &str) {
    let cashier = open(dir, url, acquirer).await;
    // The parent times half of its kills from here: on a loaded machine, opening alone can
    // take longer than its whole kill window.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "open").and_then(|()| out.flush());
    }
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut paid: Vec<String> = cashier
        .history(&HistoryFilter {
            statuses: vec![SaleStatus::Paid],
            limit: Some(50),
            ..HistoryFilter::default()
        })
        .expect("history")
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let r = next();
        if r % 5 == 0 && !paid.is_empty() {
            let id = paid[(r as usize / 5) % paid.len()].clone();
            let c = cashier.clone();
            tasks.spawn(async move {
                let amount = Amount::parse("1.00", "CNY").ok();
                let _ = c.refund(&id, RefundInput { refund_id: None, amount, reason: None }).await;
                None
            });
        } else {
            let id = format!("K{seed:x}X{:x}", next() % 0xFFFF_FFFF);
            let amount = ["5.00", "5.52", "5.56", "5.57", "5.58", "5.51", "5.59"][(r % 7) as usize];
            let method = if r % 7 == 0 {
                SaleMethodInput::MerchantQr(tillkit_core::acquirer::WalletMethod::WechatPay)
            } else {
                SaleMethodInput::CustomerCode(tillkit_tests::wechat_code())
            };
            let c = cashier.clone();
            tasks.spawn(async move {
                let input = SaleInput {
                    sale_id: Some(id),
                    amount: Amount::parse(amount, "CNY").ok()?,
                    method,
                    remark: None,
                    qr_lifetime: None,
                };
                c.start_sale(input)
                    .await
                    .ok()
                    .filter(|s| s.status == SaleStatus::Paid)
                    .map(|s| s.id)
            });
        }
        while tasks.len() >= 8 {
            if let Some(Ok(Some(id))) = tasks.join_next().await {
                paid.push(id);
            }
        }
        tokio::time::sleep(Duration::from_millis(next() % 10)).await;
    }
}

/// Oceanpayment cannot resolve a refund whose answer was lost (its refund query needs the
/// acquirer's `refund_id`): such a refund stays unknown or is flagged, and settling stops
/// waiting for it.
fn unresolvable(acquirer: &str, r: &tillkit_core::store::RefundRow) -> bool {
    acquirer == "oceanpayment"
        && (r.attention || (r.state == RefundState::Unknown && r.acquirer_refund_id.is_none()))
}

async fn settle(dir: &std::path::Path, url: &str, acquirer: &str) {
    let cashier = open(dir, url, acquirer).await;
    cashier.forward_now().expect("forward");
    let all = HistoryFilter { limit: Some(1_000_000), ..HistoryFilter::default() };
    let mut only_stuck_since: Option<std::time::Instant> = None;
    for _ in 0..1200 {
        let q = cashier.queue_status().expect("queue");
        if q.sales + q.refunds == 0 {
            break;
        }
        let mut moving = q.sales as usize;
        for s in cashier.history(&all).expect("history") {
            moving += cashier
                .refunds(&s.id)
                .expect("refunds")
                .iter()
                .filter(|r| !r.state.is_final() && !unresolvable(acquirer, r))
                .count();
        }
        if moving == 0 {
            let since = *only_stuck_since.get_or_insert_with(std::time::Instant::now);
            if since.elapsed() > Duration::from_secs(3) {
                break;
            }
        } else {
            only_stuck_since = None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for s in cashier.history(&all).expect("history") {
        println!("S {} {}", s.id, s.status.as_str());
        for r in cashier.refunds(&s.id).expect("refunds") {
            let (id, state, amount) = (&r.id, r.state.as_str(), r.amount.value());
            println!("R {id} {} {state} {amount} {}", s.id, r.attention);
        }
    }
    cashier.close().await;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    match args.get(1).map(String::as_str) {
        Some("sandbox") => rt.block_on(async {
            let config = tillkit_sandbox::SandboxConfig {
                listen: args[2].parse().expect("address"),
                db_path: Some(args[3].clone().into()),
                time_scale: 0.01,
                terminals: tillkit_sandbox::TerminalMode::AutoSettle,
                ..tillkit_sandbox::SandboxConfig::default()
            };
            tillkit_sandbox::run_until_ctrl_c(config).await.expect("sandbox");
        }),
        Some("run") => rt.block_on(run(
            args[2].as_ref(),
            &args[3],
            args[4].parse().expect("seed"),
            &args[5],
        )),
        Some("settle") => rt.block_on(settle(args[2].as_ref(), &args[3], &args[4])),
        _ => eprintln!(
            "usage: crash-child sandbox ADDR DB | run DIR URL SEED ACQUIRER | settle DIR URL ACQUIRER"
        ),
    }
}
