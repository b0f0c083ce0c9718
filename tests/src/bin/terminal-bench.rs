//! Terminal figures, run on demand (not in the test suite):
//!
//! ```sh
//! cargo build --release -p tillkit-tests --bin terminal-bench
//! target/release/terminal-bench latency [N] [BUSY_POLL_MS]  # card presented → paid, N sales
//! target/release/terminal-bench drain [N]                   # N offline approvals forwarded
//! ```
//!
//! `latency` runs the sandbox, the cashier and the terminal agent in one process so that both
//! ends are read on one clock: "card presented" is the moment the simulated reader hands its
//! `CardDetected` event to the agent; "paid" the moment the cashier's engine emits the sale as
//! paid (its `SaleChanged` event). The sandbox runs at time scale 0.01 (its own waits are
//! negligible) and notifies the cashier; the cashier also polls (every 30–50 ms). The agent runs
//! with its default pacing except the poll it makes while a sale runs (`BUSY_POLL_MS`, default:
//! the agent's own 2000 ms), which an authorisation may wait behind.
//!
//! `drain` fills an offline queue with N approvals as the agent stores them (sealed, with
//! clearing data) and times `StoreAndForward::drain` to the sandbox over loopback HTTP (the
//! sandbox's ledger in a SQLite file).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use tillkit_core::acquirer::TerminalId;
use tillkit_core::agent::offline::{OfflineQueue, StoreAndForward};
use tillkit_core::agent::{AgentConfig, AgentStore, HttpDeviceChannel, OfflineApproval};
use tillkit_core::engine::{CashierEvent, EventListener, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::SaleStatus;
use tillkit_core::reader::session::CardRead;
use tillkit_core::reader::{EntryMode, ReaderRequest, ReaderTxKind};
use tillkit_core::sign::device::DeviceKey;
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle, TerminalMode};
use tillkit_tests::terminal::{self, Gate, GatedReader, Scenarios};

const SERIAL: &str = "T-BENCH";
const MODEL: &str = "PAX-A920";

#[derive(Default)]
struct PaidAt(Mutex<HashMap<String, Instant>>);

impl EventListener for PaidAt {
    fn on_event(&self, event: CashierEvent) {
        if let CashierEvent::SaleChanged(sale) = event {
            if sale.status == SaleStatus::Paid {
                let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
                map.entry(sale.id).or_insert_with(Instant::now);
            }
        }
    }
}

async fn sandbox(db: Option<std::path::PathBuf>) -> SandboxHandle {
    let config = SandboxConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        db_path: db,
        time_scale: 0.01,
        tick: Duration::from_millis(2),
        terminals: TerminalMode::Agent,
        ..SandboxConfig::default()
    };
    Sandbox::start(config).await.expect("sandbox")
}

fn device_key(sb: &SandboxHandle) -> DeviceKey {
    let (id, hex) = sb.register_device(SERIAL, MODEL).expect("register");
    DeviceKey::from_hex(id, hex.expose_secret()).expect("key")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn latency(n: usize, busy_poll: Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sb = sandbox(None).await;
    let paid = Arc::new(PaidAt::default());
    let mut config = tillkit_tests::cashier_config(&sb, &sb.url(), 0.01);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    config.notification_url =
        Some(format!("http://{}/notify", listener.local_addr().expect("addr")));
    let keys = tillkit_tests::key_store(&sb);
    let cashier =
        tillkit_core::engine::Cashier::open(config, &dir.path().join("cash"), keys, paid.clone())
            .await
            .expect("cashier");
    let _receiver = tillkit_tests::notification_receiver(listener, cashier.clone());
    cashier.add_terminal(SERIAL, MODEL, None).expect("terminal");
    let reader = Arc::new(GatedReader::new(
        Scenarios::Fixed(tillkit_core::reader::sim::SimScenario::Approve),
        Gate::Open,
    ));
    let agent_config = AgentConfig { busy_poll_wait: busy_poll, ..AgentConfig::default() };
    let limits = terminal::cny_limits("50.00", "500.00");
    let parts = terminal::build_agent(
        &sb.url(),
        &dir.path().join("agent"),
        device_key(&sb),
        reader.clone(),
        limits,
        agent_config,
    )
    .expect("agent");
    let stop = parts.agent.shutdown_handle();
    let agent = tokio::spawn(async move { parts.agent.run().await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let card = SaleMethodInput::Card(TerminalId { serial: SERIAL.into(), model: MODEL.into() });
    let mut times = Vec::with_capacity(n);
    let wall = Instant::now();
    for i in 0..n {
        let id = format!("BENCH{i:05}X{}", std::process::id());
        let input = tillkit_tests::sale_input(&id, "12.00", card.clone());
        cashier.start_sale(input).await.expect("sale");
        let end = tillkit_tests::wait_final(&cashier, &id, Duration::from_secs(60)).await;
        assert_eq!(end.status, SaleStatus::Paid, "{end:?}");
        // The event is emitted just after the store shows the sale paid.
        let mut paid_at = None;
        for _ in 0..1000 {
            paid_at = paid.0.lock().unwrap_or_else(|p| p.into_inner()).get(&id).copied();
            if paid_at.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        match (reader.presented_at(&id), paid_at) {
            (Some(presented), Some(paid)) => times.push(paid.saturating_duration_since(presented)),
            other => panic!("{id}: no timestamps {other:?}"),
        }
    }
    let wall = wall.elapsed();
    stop.shutdown();
    let _ = agent.await;
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "card presented -> paid, {n} sales, agent busy poll {busy_poll:?}: median {:.1?}, p99 \
         {:.1?}, mean {mean:.1?}, min {:.1?}, max {:.1?} (whole sales: {:.1?} each)",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[0],
        times[times.len() - 1],
        wall / n as u32,
    );
    cashier.close().await;
}

fn approval(i: usize, now_ms: i64) -> OfflineApproval {
    let amount = Amount::parse(&format!("{}.{:02}", 5 + i % 40, i % 100), "CNY").expect("amount");
    let id = format!("OFFBENCH{i:06}X{}", std::process::id());
    let request = ReaderRequest { transaction_id: id.clone(), kind: ReaderTxKind::Sale, amount };
    let tlv = tillkit_core::reader::sim::authorization_tlv(&request);
    OfflineApproval {
        offline_id: format!("off-bench-{i:06}-{}", std::process::id()),
        transaction_id: id,
        amount,
        approved_at_ms: now_ms - 1000 + i as i64,
        card: CardRead {
            masked_pan: "476173******0119".into(),
            aid: "A0000000031010".into(),
            label: Some("VISA CREDIT".into()),
            entry: Some(EntryMode::Chip),
        },
        clearing_tlv: tillkit_core::emv::without_card_data(tlv.as_bytes()).expect("clearing"),
    }
}

async fn drain(n: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sb = sandbox(Some(dir.path().join("ledger.db"))).await;
    let agent_dir = dir.path().join("agent");
    std::fs::create_dir_all(&agent_dir).expect("dir");
    let store = Arc::new(AgentStore::open(&agent_dir.join("agent.db")).expect("journal"));
    let queue =
        Arc::new(OfflineQueue::open(&agent_dir.join("agent.db"), &[7u8; 32]).expect("queue"));
    let limits = terminal::cny_limits("50.00", "1000000.00");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let filled = Instant::now();
    for i in 0..n {
        queue.store(&approval(i, now), &limits, now).expect("stored");
    }
    let filled = filled.elapsed();
    let settings = tillkit_core::acquirer::HttpSettings::new(sb.url());
    let channel = HttpDeviceChannel::new(&settings, device_key(&sb), store).expect("channel");
    let saf = StoreAndForward::new(queue, limits);
    let started = Instant::now();
    let summary = saf.drain(&channel).await.expect("drain");
    let took = started.elapsed();
    assert_eq!(summary.forwarded as usize, n, "{summary:?}");
    let rows = sb.ledger_rows().expect("ledger");
    let charged = rows.iter().filter(|r| r.successful_charges == 1).count();
    assert_eq!(charged, n, "every approval one charge");
    println!(
        "store and forward: {n} approvals stored in {filled:.1?}, drained in {took:.2?} = {:.0} \
         approvals/s ({:.2?} each); ledger: {charged} charged once",
        n as f64 / took.as_secs_f64(),
        took / n as u32,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let n = |i: usize, d: usize| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(d);
    match args.get(1).map(String::as_str) {
        Some("latency") => {
            let busy = Duration::from_millis(n(3, 2000) as u64);
            rt.block_on(latency(n(2, 200), busy))
        }
        Some("drain") => rt.block_on(drain(n(2, 1000))),
        _ => eprintln!("usage: terminal-bench latency [N] [BUSY_POLL_MS] | drain [N]"),
    }
}
