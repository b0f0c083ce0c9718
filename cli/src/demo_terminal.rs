//! The demo's card sales through a POS terminal: cashier → sandbox → terminal agent → simulated
//! card reader and back; then a chip card approved offline while the terminal's line is down,
//! stored, and forwarded once the line is back.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use tillkit_core::acquirer::{HttpSettings, PaymentMethod, PaymentStatus, TerminalId};
use tillkit_core::agent::offline::{CurrencyLimit, OfflineLimits, OfflineQueue, StoreAndForward};
use tillkit_core::agent::{AgentConfig, AgentEvent, AgentStore, HttpDeviceChannel, TerminalAgent};
use tillkit_core::money::Currency;
use tillkit_core::reader::sim::{SimScenario, SimulatedCardReader};
use tillkit_core::sign::device::DeviceKey;
use tillkit_sandbox::proxy::{FaultMix, FaultProxy};
use tillkit_sandbox::SandboxHandle;

use crate::demo::{DemoResult, DemoRun};

/// One terminal agent running in this process, reaching the sandbox through `url`.
struct RunningAgent {
    stop: tillkit_core::agent::ShutdownHandle,
    task: tokio::task::JoinHandle<()>,
}

impl RunningAgent {
    async fn stop(self) {
        self.stop.shutdown();
        let _ = self.task.await;
    }
}

/// The offline limits of the demo terminal: CNY up to 50.00 a sale, 500.00 in all.
fn limits() -> DemoResult<OfflineLimits> {
    Ok(OfflineLimits {
        currencies: vec![CurrencyLimit {
            currency: Currency::from_code("CNY")?,
            per_transaction: "50.00".parse()?,
            total_stored: "500.00".parse()?,
        }],
        ..OfflineLimits::default()
    })
}

async fn start_agent(
    sandbox: &SandboxHandle,
    url: String,
    serial: &str,
    scenario: SimScenario,
    dir: &Path,
    on_event: impl Fn(&AgentEvent) + Send + Sync + 'static,
) -> DemoResult<RunningAgent> {
    let (key_id, key_hex) = sandbox.register_device(serial, "PAX-A920")?;
    let key = DeviceKey::from_hex(key_id, key_hex.expose_secret())?;
    std::fs::create_dir_all(dir)?;
    let store = Arc::new(AgentStore::open(&dir.join("agent.db"))?);
    let channel = HttpDeviceChannel::new(&HttpSettings::new(url), key, Arc::clone(&store) as _)?;
    let mut queue_key = [0u8; 32];
    getrandom::fill(&mut queue_key).map_err(|e| e.to_string())?;
    let queue = Arc::new(OfflineQueue::open(&dir.join("agent.db"), &queue_key)?);
    let config = AgentConfig {
        poll_wait: Duration::from_secs(2),
        backoff_max: Duration::from_millis(400),
        ..AgentConfig::default()
    };
    let connected = Arc::new(tokio::sync::Notify::new());
    let seen = Arc::clone(&connected);
    let agent = TerminalAgent::new(
        Arc::new(channel),
        Arc::new(SimulatedCardReader::new(scenario)),
        store,
        config,
    )
    .with_store_and_forward(Arc::new(StoreAndForward::new(queue, limits()?)))
    .with_listener(Arc::new(move |e: &AgentEvent| {
        if matches!(e, AgentEvent::Connected) {
            seen.notify_one();
        }
        on_event(e);
    }));
    let stop = agent.shutdown_handle();
    let task = tokio::spawn(async move {
        if let Err(e) = agent.run().await {
            eprintln!("  terminal agent stopped: {e}");
        }
    });
    // A sale to a terminal whose agent has not polled yet is refused as unreachable.
    tokio::time::timeout(Duration::from_secs(10), connected.notified())
        .await
        .map_err(|_| format!("terminal {serial} did not reach the sandbox"))?;
    Ok(RunningAgent { stop, task })
}

/// What the terminal's screen and log would show, for the demo's output.
fn show(serial: &'static str) -> impl Fn(&AgentEvent) + Send + Sync + 'static {
    move |e: &AgentEvent| match e {
        AgentEvent::Finished { result, .. } => {
            println!("  {serial}: {}", crate::terminal_run::result_text(result))
        }
        AgentEvent::OfflineForwarded { summary } => println!(
            "  {serial}: forwarded {} offline approval(s) after the outage",
            summary.forwarded + summary.duplicates
        ),
        _ => {}
    }
}

/// Runs both card sales.
pub(crate) async fn terminal_sales(
    sandbox: &SandboxHandle,
    run: &DemoRun<'_>,
    dir: &Path,
) -> DemoResult<()> {
    // Online: the agent asks the issuer (through the sandbox) and reports the approval.
    let online = start_agent(
        sandbox,
        sandbox.url(),
        "DEMO-T1",
        SimScenario::Approve,
        &dir.join("t1"),
        show("DEMO-T1"),
    )
    .await?;
    let terminal = TerminalId { serial: "DEMO-T1".into(), model: "PAX-A920".into() };
    run.sale("card on DEMO-T1 (agent)", PaymentMethod::CardOnTerminal { terminal }, "42.00")
        .await?;
    online.stop().await;

    // Offline: the terminal's line goes down as soon as it picks the sale up; the chip card
    // approves offline under the floor limit; the approval is forwarded when the line is back.
    let proxy = Arc::new(FaultProxy::start(sandbox.addr(), FaultMix::none()).await?);
    let cut = Arc::clone(&proxy);
    let went_down = Arc::new(tokio::sync::Notify::new());
    let down = Arc::clone(&went_down);
    let show_t2 = show("DEMO-T2");
    let offline = start_agent(
        sandbox,
        proxy.url(),
        "DEMO-T2",
        SimScenario::OfflineApprove,
        &dir.join("t2"),
        move |e: &AgentEvent| {
            if matches!(e, AgentEvent::Started { .. }) {
                println!("  DEMO-T2: sale picked up; the terminal's line goes down");
                cut.go_down();
                down.notify_one();
            }
            show_t2(e);
        },
    )
    .await?;
    let terminal = TerminalId { serial: "DEMO-T2".into(), model: "PAX-A920".into() };
    let reconnect = Arc::clone(&proxy);
    let restore = tokio::spawn(async move {
        // The outage lasts a moment after it began; then the line comes back.
        went_down.notified().await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        println!("  DEMO-T2: the line is back");
        reconnect.come_up().await
    });
    let result = run
        .sale("card on DEMO-T2 (offline)", PaymentMethod::CardOnTerminal { terminal }, "18.00")
        .await?;
    restore.await??;
    offline.stop().await;
    if result.status != PaymentStatus::Succeeded {
        return Err(format!(
            "the offline approval ended {}",
            crate::render::payment_status_name(result.status)
        )
        .into());
    }
    Ok(())
}
