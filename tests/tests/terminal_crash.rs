//! Crash test of the terminal agent: the agent process (`agent-child`) is killed with SIGKILL
//! at seeded random points (100 times, `TILLKIT_AGENT_CRASH_KILLS`; seed `TILLKIT_CRASH_SEED`)
//! while a cashier keeps sending card sales to its terminal, some approved offline by the card
//! so that kills land in store and forward too. Then the agent runs until everything is
//! reported and forwarded, the cashier resolves every sale, and: every sale is final, none is
//! charged twice, every charge in the ledger is a paid sale at the cashier (and every paid sale
//! a charge), every offline approval was forwarded and charged once, and the agent's journal
//! holds nothing unreported.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use tillkit_core::acquirer::TerminalId;
use tillkit_core::agent::offline::OfflineState;
use tillkit_core::agent::{AgentStore, TxState};
use tillkit_core::engine::{Cashier, SaleMethodInput};
use tillkit_core::store::HistoryFilter;
use tillkit_sandbox::{Sandbox, SandboxConfig, TerminalMode};
use tillkit_tests::agent_proc::{cashier_books, offline_list, AgentProcess, AgentSpec};
use tillkit_tests::{cashier, charges, key_store, sale_input, Recorder};

const AGENT: &str = env!("CARGO_BIN_EXE_agent-child");
const SERIAL: &str = "T-CRASH";
const MODEL: &str = "PAX-A920";

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Sends one card sale at a time (now and then a second at once, which finds the terminal
/// busy), waiting up to 1.5 s for each to end before the next; the rest resolve meanwhile.
async fn keep_selling(cashier: Cashier, stop: Arc<AtomicBool>, sent: Arc<AtomicUsize>, seed: u64) {
    // Cents pick the card (`Scenarios::ByCents`): 71 approved offline, 72 a PIN retry; the
    // sandbox declines 51; the rest approve.
    const AMOUNTS: [&str; 8] = ["5.00", "5.71", "5.51", "5.72", "5.71", "6.00", "6.71", "5.10"];
    let card = SaleMethodInput::Card(TerminalId { serial: SERIAL.into(), model: MODEL.into() });
    let mut rng = seed | 1;
    let mut n = 0u64;
    while !stop.load(Ordering::SeqCst) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        n += 1;
        let id = format!("KT{seed:x}N{n:05}");
        let amount = AMOUNTS[(rng % AMOUNTS.len() as u64) as usize];
        if cashier.start_sale(sale_input(&id, amount, card.clone())).await.is_err() {
            continue;
        }
        sent.fetch_add(1, Ordering::SeqCst);
        if rng.is_multiple_of(11) {
            continue;
        }
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(1500) && !stop.load(Ordering::SeqCst) {
            if cashier.sale(&id).unwrap().is_some_and(|s| s.status.is_final()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_killed_at_random_points_and_every_sale_balances() {
    let started = Instant::now();
    let kills: usize = env("TILLKIT_AGENT_CRASH_KILLS", 100);
    let seed: u64 = env("TILLKIT_CRASH_SEED", 0xC0FFEE);
    let config = SandboxConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        time_scale: 0.1,
        terminals: TerminalMode::Agent,
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier =
        cashier(&sb, &sb.url(), &dir.path().join("cash"), key_store(&sb), Recorder::new(), 0.02)
            .await;
    cashier.add_terminal(SERIAL, MODEL, None).unwrap();
    let (key_id, hex) = sb.register_device(SERIAL, MODEL).unwrap();
    let spec = AgentSpec {
        exe: AGENT.into(),
        url: sb.url(),
        dir: dir.path().join("agent"),
        reader: "sim:by-cents".into(),
        offline_limit: "CNY:50.00:5000.00".into(),
        key: (key_id, hex.expose_secret().to_string()),
        gate: None,
        card_wait: Duration::from_secs(2),
    };

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let seller = tokio::spawn(keep_selling(cashier.clone(), stop.clone(), sent.clone(), seed));
    let mut rng = seed;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for i in 0..kills {
        let mut agent = AgentProcess::start(&spec).unwrap();
        // From before the journal is open to well into a sale, its report or a forward.
        tokio::time::sleep(Duration::from_millis(next() % 400)).await;
        assert!(!agent.exited(), "run {i} ended by itself: {:#?}", agent.lines());
        agent.kill();
    }
    stop.store(true, Ordering::SeqCst);
    seller.await.unwrap();

    // The last run: until every result is reported, every approval forwarded, every sale final.
    let agent = AgentProcess::start(&spec).unwrap();
    let all =
        HistoryFilter { limit: Some(1_000_000), include_abandoned: true, ..Default::default() };
    let settle = Instant::now();
    loop {
        let sales = cashier.history(&all).unwrap();
        let queue = offline_list(&spec.dir).unwrap();
        let settled = sales.iter().all(|s| s.status.is_final())
            && queue.iter().all(|a| a.state != OfflineState::Stored);
        if settled {
            break;
        }
        assert!(
            settle.elapsed() < Duration::from_secs(90),
            "not settled: {:?}\n{:#?}",
            sales.iter().filter(|s| !s.status.is_final()).collect::<Vec<_>>(),
            agent.lines().iter().rev().take(30).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let store = AgentStore::open(&spec.dir.join("agent.db")).unwrap();
    let settle_journal = Instant::now();
    while !store.unreported().unwrap().is_empty() {
        assert!(settle_journal.elapsed() < Duration::from_secs(30), "results left unreported");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(agent);

    let sales = cashier.history(&all).unwrap();
    let tally = cashier_books(&cashier, &sb.url(), "KT").await;
    let mut problems = tally.problems.clone();
    // Every offline approval forwarded, and its sale charged once and paid at the cashier.
    let queue = offline_list(&spec.dir).unwrap();
    let mut offline: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &queue {
        let label = match (a.state, a.last_error.as_deref()) {
            (OfflineState::Forwarded, Some("duplicate")) => "forwarded (duplicate)",
            (OfflineState::Forwarded, _) => "forwarded",
            (OfflineState::Stored, _) => "stored",
            (OfflineState::Refused, _) => "refused",
        };
        *offline.entry(label).or_default() += 1;
        if a.state != OfflineState::Forwarded {
            problems.push(format!("offline {} of {}: {:?}", a.offline_id, a.transaction_id, a));
        }
        let n = charges(&sb, &a.transaction_id).await;
        let paid = sales
            .iter()
            .any(|s| s.id == a.transaction_id && s.status == tillkit_core::order::SaleStatus::Paid);
        if n != 1 || !paid {
            problems.push(format!("offline {}: {n} charges, paid {paid}", a.transaction_id));
        }
    }
    // The journal: nothing unreported, nothing mid-way, nothing refused by the acquirer.
    let mut journal: BTreeMap<String, usize> = BTreeMap::new();
    for s in &sales {
        let state = store.get(&s.id).unwrap().map(|t| t.state);
        *journal.entry(format!("{state:?}")).or_default() += 1;
        if !matches!(state, None | Some(TxState::Reported | TxState::Dropped)) {
            problems
                .push(format!("{}: {:?} at the cashier, {state:?} in the journal", s.id, s.status));
        }
    }
    eprintln!(
        "terminal agent: {kills} kills, seed {seed:#x}, {} sales sent: {:?}; offline approvals: \
         {:?}; agent journal: {journal:?}; {:.1?}",
        sent.load(Ordering::SeqCst),
        tally.sales,
        offline,
        started.elapsed(),
    );
    if !problems.is_empty() {
        panic!("{} problems:\n{:#?}", problems.len(), &problems[..problems.len().min(25)]);
    }
    assert!(sales.len() > kills / 2, "the cashier made sales");
    assert!(tally.sales.get("paid").is_some_and(|&n| n > 0), "{:?}", tally.sales);
    assert!(!queue.is_empty(), "some sales were approved offline");
    cashier.close().await;
}
