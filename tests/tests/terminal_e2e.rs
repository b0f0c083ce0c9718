//! Card sales end to end: a cashier (the engine over real HTTP and a real SQLite store), the
//! terminal agent as a separate process (`agent-child`, a simulated reader or the byte-level
//! reader simulator over TCP) and the sandbox on 127.0.0.1 serving the device channel. Each test
//! ends with the books checked against the sandbox's ledger: one charge per paid sale, none for
//! the others, refunds within charges, and every offline approval forwarded exactly once.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::ExposeSecret;
use tillkit_core::acquirer::TerminalId;
use tillkit_core::engine::{Cashier, CashierError, NextStep, RefundInput, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::{FailReason, SaleStatus};
use tillkit_core::reader::link::sim::{ReaderSim, Scenario, SimConfig};
use tillkit_core::reader::link::tcp::TcpListenerTransport;
use tillkit_sandbox::proxy::{FaultMix, FaultProxy};
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle, TerminalMode};
use tillkit_tests::agent_proc::{cashier_books, offline_list, AgentProcess, AgentSpec};
use tillkit_tests::books;
use tillkit_tests::terminal::present_card;
use tillkit_tests::{cashier, charges, key_store, ledger_order, sale_input, unique_id, Recorder};

const AGENT: &str = env!("CARGO_BIN_EXE_agent-child");
const MODEL: &str = "PAX-A920";
const LIMIT: Duration = Duration::from_secs(30);
/// The sandbox's waits (terminal unreachable after 3 s without a poll, pickup within 6 s, card
/// orders expire after 30 s) and the cashier's policy (polls every 60–100 ms).
const SANDBOX_SCALE: f64 = 0.1;
const POLICY_SCALE: f64 = 0.02;

struct World {
    sb: SandboxHandle,
    dir: tempfile::TempDir,
    cashier: Cashier,
    serial: String,
    key: (String, String),
    prefix: String,
}

impl World {
    async fn new(serial: &str, prefix: &str) -> World {
        let config = SandboxConfig {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            time_scale: SANDBOX_SCALE,
            terminals: TerminalMode::Agent,
            ..SandboxConfig::default()
        };
        let sb = Sandbox::start(config).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let listener = Recorder::new();
        let cashier = cashier(
            &sb,
            &sb.url(),
            &dir.path().join("cash"),
            key_store(&sb),
            listener,
            POLICY_SCALE,
        )
        .await;
        cashier.add_terminal(serial, MODEL, None).unwrap();
        let (key_id, hex) = sb.register_device(serial, MODEL).unwrap();
        let key = (key_id, hex.expose_secret().to_string());
        World { sb, dir, cashier, serial: serial.into(), key, prefix: prefix.into() }
    }

    fn gate(&self) -> PathBuf {
        self.dir.path().join("gate")
    }

    fn agent_dir(&self) -> PathBuf {
        self.dir.path().join("agent")
    }

    fn spec(&self, url: &str, reader: &str, gated: bool) -> AgentSpec {
        AgentSpec {
            exe: AGENT.into(),
            url: url.into(),
            dir: self.agent_dir(),
            reader: reader.into(),
            offline_limit: "CNY:50.00:500.00".into(),
            key: self.key.clone(),
            gate: gated.then(|| self.gate()),
            card_wait: Duration::from_millis(1500),
        }
    }

    async fn agent(&self, reader: &str, gated: bool) -> AgentProcess {
        start(&self.spec(&self.sb.url(), reader, gated)).await
    }

    fn card(&self) -> SaleMethodInput {
        SaleMethodInput::Card(TerminalId { serial: self.serial.clone(), model: MODEL.into() })
    }

    fn id(&self) -> String {
        unique_id(&self.prefix)
    }

    async fn sell(&self, id: &str, amount: &str) -> SaleStatus {
        self.cashier.start_sale(sale_input(id, amount, self.card())).await.unwrap().status
    }

    async fn final_status(&self, id: &str) -> SaleStatus {
        tillkit_tests::wait_final(&self.cashier, id, LIMIT).await.status
    }

    /// The register's books against the sandbox's ledger.
    async fn check_books(&self) -> books::Tally {
        let tally = cashier_books(&self.cashier, &self.sb.url(), &self.prefix).await;
        tally.assert_clean("terminal books");
        tally
    }
}

async fn start(spec: &AgentSpec) -> AgentProcess {
    let agent = AgentProcess::start(spec).unwrap();
    assert!(agent.wait_line("connected", LIMIT).await.is_some(), "{:?}", agent.lines());
    agent
}

async fn line(agent: &AgentProcess, prefix: &str) -> String {
    match agent.wait_line(prefix, LIMIT).await {
        Some(l) => l,
        None => panic!("no {prefix:?} from the agent: {:#?}", agent.lines()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_decline_pin_retry_card_removed_and_reader_timeout() {
    let w = World::new("T-OUT", "EO").await;
    let agent = w.agent("sim:by-cents", false).await;
    // Cents pick the simulated card (see `Scenarios::ByCents`); 51 the sandbox's decline.
    let cases = [
        ("12.00", SaleStatus::Paid, "approved"),
        ("12.51", SaleStatus::Failed(FailReason::Declined), "declined"),
        ("12.72", SaleStatus::Paid, "approved"),
        ("12.74", SaleStatus::Failed(FailReason::Declined), "declined"),
        ("12.75", SaleStatus::Failed(FailReason::CancelledAtTerminal), "cancelled_at_terminal"),
        ("12.73", SaleStatus::Failed(FailReason::TimedOutAtTerminal), "timed_out"),
    ];
    for (amount, status, result) in cases {
        let id = w.id();
        w.sell(&id, amount).await;
        assert_eq!(w.final_status(&id).await, status, "{amount}");
        assert!(agent.saw(&format!("finished {id} {result}")), "{amount}: {:#?}", agent.lines());
        if amount == "12.72" {
            let pin = format!("progress {id} PinIncorrect");
            assert!(agent.lines().iter().any(|l| l.starts_with(&pin)), "a wrong PIN first");
        }
        assert_eq!(charges(&w.sb, &id).await, u64::from(status == SaleStatus::Paid), "{amount}");
    }
    let tally = w.check_books().await;
    assert_eq!(tally.sales.get("paid"), Some(&2), "{:?}", tally.sales);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cashier_cancels_while_the_terminal_waits_for_a_card() {
    let w = World::new("T-CAN", "EC").await;
    let agent = w.agent("sim:approve", true).await;
    let id = w.id();
    w.sell(&id, "8.00").await;
    line(&agent, &format!("progress {id} PresentCard")).await;
    let cancelling = w.cashier.cancel(&id).await.unwrap();
    assert!(!cancelling.status.is_final(), "the terminal decides: {cancelling:?}");
    assert_eq!(w.final_status(&id).await, SaleStatus::Failed(FailReason::Cancelled));
    assert!(agent.saw(&format!("finished {id} cancelled_by_cashier")), "{:#?}", agent.lines());
    // A card presented now is too late: nothing is charged.
    present_card(&w.gate(), &id);
    line(&agent, &format!("reported {id}")).await;
    assert_eq!(charges(&w.sb, &id).await, 0);
    // The terminal takes the next sale.
    let next = w.id();
    present_card(&w.gate(), &next);
    w.sell(&next, "8.00").await;
    assert_eq!(w.final_status(&next).await, SaleStatus::Paid);
    w.check_books().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_terminal_refuses_a_second_sale_and_charges_nothing() {
    let w = World::new("T-BSY", "EB").await;
    let agent = w.agent("sim:approve", true).await;
    let first = w.id();
    w.sell(&first, "9.00").await;
    line(&agent, &format!("progress {first} PresentCard")).await;
    let second = w.id();
    w.sell(&second, "9.50").await;
    let end = tillkit_tests::wait_final(&w.cashier, &second, LIMIT).await;
    assert_eq!(end.status, SaleStatus::Failed(FailReason::TerminalBusy), "{end:?}");
    assert_eq!(NextStep::of(end.status), NextStep::UseAnotherTerminal);
    assert_eq!(charges(&w.sb, &second).await, 0);
    assert!(!agent.lines().iter().any(|l| l.contains(&second)), "never reached the terminal");
    present_card(&w.gate(), &first);
    assert_eq!(w.final_status(&first).await, SaleStatus::Paid);
    w.check_books().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_terminal_is_refused_before_anything_is_sent() {
    let w = World::new("T-KNOWN", "EU").await;
    let agent = w.agent("sim:approve", false).await;
    let id = w.id();
    // A terminal the sandbox knows and serves, but this cashier never paired.
    w.sb.register_device("T-OTHER", MODEL).unwrap();
    let unpaired = TerminalId { serial: "T-OTHER".into(), model: MODEL.into() };
    let e = w.cashier.start_sale(sale_input(&id, "4.00", SaleMethodInput::Card(unpaired))).await;
    assert!(matches!(e, Err(CashierError::UnknownTerminal(ref s)) if s == "T-OTHER"), "{e:?}");
    assert!(w.cashier.sale(&id).unwrap().is_none(), "nothing stored");
    assert_eq!(ledger_order(&w.sb, &id).await, None, "nothing sent");
    // The paired one works, and the agent never heard of the refused sale.
    let ok = w.id();
    w.sell(&ok, "4.00").await;
    assert_eq!(w.final_status(&ok).await, SaleStatus::Paid);
    assert!(!agent.lines().iter().any(|l| l.contains(&id)));
    w.check_books().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_of_a_terminal_card_sale_stays_within_the_charge() {
    let w = World::new("T-REF", "ER").await;
    let _agent = w.agent("sim:approve", false).await;
    let id = w.id();
    w.sell(&id, "20.00").await;
    assert_eq!(w.final_status(&id).await, SaleStatus::Paid);
    let part = |v: &str| RefundInput {
        refund_id: None,
        amount: Some(Amount::parse(v, "CNY").unwrap()),
        reason: None,
    };
    for amount in ["5.00", "15.00"] {
        let r = w.cashier.refund(&id, part(amount)).await.unwrap();
        let done = tillkit_tests::wait_refund_final(&w.cashier, &r.id, LIMIT).await;
        assert_eq!(done.state, tillkit_core::order::RefundState::Succeeded, "{done:?}");
    }
    let e = w.cashier.refund(&id, part("0.01")).await;
    assert!(matches!(e, Err(CashierError::RefundTooLarge { .. })), "{e:?}");
    let tally = w.check_books().await;
    assert_eq!(tally.refunded_sales, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_link_drops_mid_transaction_and_reconnects() {
    let w = World::new("T-LNK", "EL").await;
    let transport = TcpListenerTransport::bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), 64)
        .await
        .unwrap();
    let addr = transport.local_addr().unwrap();
    // The link drops right after the online response reaches the reader.
    let sim = ReaderSim::spawn(transport, SimConfig::new(Scenario::LinkDrop));
    let agent = w.agent(&format!("link:{addr}"), false).await;
    let id = w.id();
    w.sell(&id, "6.00").await;
    assert_eq!(w.final_status(&id).await, SaleStatus::Paid, "{:#?}", agent.lines());
    assert_eq!(sim.started(), 1, "run once on the reader");
    assert_eq!(sim.approved(), 1);
    let stats = sim.link_stats();
    assert!(stats.connects >= 2 && stats.drops >= 1, "the link dropped and came back: {stats:?}");
    assert_eq!(charges(&w.sb, &id).await, 1);
    w.check_books().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_killed_mid_transaction_restarts_and_nothing_is_charged_twice() {
    let w = World::new("T-KIL", "EK").await;
    let spec = w.spec(&w.sb.url(), "sim:approve", true);
    // Killed while the terminal waits for the card: the restarted agent reports it failed.
    let mut agent = start(&spec).await;
    let waiting = w.id();
    w.sell(&waiting, "7.00").await;
    line(&agent, &format!("progress {waiting} PresentCard")).await;
    agent.kill();
    let agent = start(&spec).await;
    assert_eq!(w.final_status(&waiting).await, SaleStatus::Failed(FailReason::FailedAtTerminal));
    assert!(agent.saw(&format!("recovered {waiting}")), "{:#?}", agent.lines());
    drop(agent);
    // Killed at points after the card is presented: paid or failed at the terminal, never twice.
    let mut ends = Vec::new();
    for delay_ms in [0u64, 3, 8, 15, 30, 60] {
        let mut agent = start(&spec).await;
        let id = w.id();
        w.sell(&id, "7.00").await;
        line(&agent, &format!("progress {id} PresentCard")).await;
        present_card(&w.gate(), &id);
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        agent.kill();
        let t = std::time::Instant::now();
        let _agent = start(&spec).await;
        let status = w.final_status(&id).await;
        eprintln!("{delay_ms}: {status:?} after {:?}", t.elapsed());
        assert!(
            matches!(status, SaleStatus::Paid | SaleStatus::Failed(FailReason::FailedAtTerminal)),
            "{delay_ms} ms: {status:?}"
        );
        ends.push(status);
    }
    eprintln!("kills after the card was presented ended: {ends:?}");
    w.check_books().await;
}

/// Waits until the agent's queue holds `n` approvals in `state`.
async fn queue_holds(dir: &Path, n: usize, state: tillkit_core::agent::offline::OfflineState) {
    let start = std::time::Instant::now();
    loop {
        let list = offline_list(dir).unwrap();
        if list.iter().filter(|a| a.state == state).count() == n {
            return;
        }
        assert!(start.elapsed() < LIMIT, "queue: {list:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_approvals_are_forwarded_after_an_outage_even_when_the_agent_dies_forwarding() {
    use tillkit_core::agent::offline::OfflineState;
    let w = World::new("T-OFF", "EF").await;
    // The agent reaches the sandbox through a proxy that can take the network down; the
    // cashier talks to the sandbox directly.
    let proxy = FaultProxy::start(w.sb.addr(), FaultMix::none()).await.unwrap();
    let spec = w.spec(&proxy.url(), "sim:offline-approve", true);
    let mut agent = start(&spec).await;
    let mut ids = Vec::new();
    for round in 0..4 {
        let id = w.id();
        w.sell(&id, "30.00").await;
        line(&agent, &format!("progress {id} PresentCard")).await;
        // Cut off: the card approves offline, the approval is stored, nothing can be sent.
        proxy.go_down();
        present_card(&w.gate(), &id);
        line(&agent, &format!("finished {id} approved_offline")).await;
        queue_holds(&spec.dir, 1, OfflineState::Stored).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let waiting = w.cashier.sale(&id).unwrap().unwrap();
        assert!(!waiting.status.is_final(), "not charged before forwarded: {waiting:?}");
        assert_eq!(charges(&w.sb, &id).await, 0);
        if round == 3 {
            // Killed while forwarding: the forward reaches the sandbox after the agent died.
            let before = proxy.requests();
            proxy.hold_requests("/device/v1/offline", Duration::from_millis(1500), 1);
            proxy.come_up().await.unwrap();
            let started = std::time::Instant::now();
            while proxy.requests() == before {
                assert!(started.elapsed() < LIMIT, "no forward after the outage");
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            agent.kill();
            tokio::time::sleep(Duration::from_millis(2000)).await;
            assert_eq!(charges(&w.sb, &id).await, 1, "the held forward was recorded");
            agent = start(&spec).await;
        } else {
            proxy.come_up().await.unwrap();
        }
        assert_eq!(w.final_status(&id).await, SaleStatus::Paid, "{:#?}", agent.lines());
        line(&agent, &format!("reported {id}")).await;
        ids.push(id);
    }
    // No lost approval: every one forwarded, each a single charge of its sale.
    let list = offline_list(&spec.dir).unwrap();
    assert_eq!(list.len(), ids.len(), "{list:#?}");
    for a in &list {
        assert_eq!(a.state, OfflineState::Forwarded, "{a:?}");
        assert!(ids.contains(&a.transaction_id));
        assert_eq!(charges(&w.sb, &a.transaction_id).await, 1, "{a:?}");
    }
    assert!(list.iter().any(|a| a.last_error.as_deref() == Some("duplicate")), "{list:#?}");
    w.check_books().await;
}
