//! The terminal agent process of the end-to-end and crash tests:
//!
//! `agent-child URL DIR READER LIMIT`, with the device key in `TILLKIT_DEVICE_KEY_ID` and
//! `TILLKIT_DEVICE_KEY` (64 hex digits). READER is `sim:SCENARIO` (a simulated-reader scenario,
//! or `by-cents`: see `tillkit_tests::terminal::Scenarios`) or `link:ADDR` (the byte-level
//! reader simulator). LIMIT is `CNY:PER_SALE:TOTAL` for offline approvals, or `none`.
//! `TILLKIT_GATE_DIR` holds each card back until the test presents it
//! (`tillkit_tests::terminal::present_card`); `TILLKIT_CARD_WAIT_MS` is how long the reader waits
//! for a card.
//!
//! Prints one line per agent event (`started ID`, `finished ID RESULT`, `reported ID`,
//! `forwarded N`, ...) and runs until killed.

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::agent::offline::OfflineLimits;
use tillkit_core::agent::AgentEvent;
use tillkit_core::reader::link::client::{LinkCardReader, LinkReaderConfig};
use tillkit_core::reader::link::tcp::TcpTransport;
use tillkit_core::reader::CardReader;
use tillkit_core::sign::device::DeviceKey;
use tillkit_tests::terminal::{self, Gate, GatedReader, Scenarios};

fn line(e: &AgentEvent) -> String {
    match e {
        AgentEvent::Connected => "connected".into(),
        AgentEvent::Unreachable { .. } => "unreachable".into(),
        AgentEvent::Started { transaction_id, .. } => format!("started {transaction_id}"),
        AgentEvent::Progress { transaction_id, step } => {
            format!("progress {transaction_id} {step:?}")
        }
        AgentEvent::CancelAsked { transaction_id } => format!("cancel {transaction_id}"),
        AgentEvent::Finished { transaction_id, result, .. } => {
            format!("finished {transaction_id} {}", result.wire_name())
        }
        AgentEvent::Reported { transaction_id, .. } => format!("reported {transaction_id}"),
        AgentEvent::Flagged { transaction_id, note } => format!("flagged {transaction_id} {note}"),
        AgentEvent::OfflineForwarded { summary } => format!(
            "forwarded {} duplicates {} refused {} remaining {}",
            summary.forwarded, summary.duplicates, summary.refused, summary.remaining
        ),
        AgentEvent::Recovered { transaction_id, .. } => format!("recovered {transaction_id}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, dir, reader, limit] = args.as_slice() else {
        eprintln!("usage: agent-child URL DIR READER LIMIT");
        std::process::exit(2);
    };
    let key_id = std::env::var("TILLKIT_DEVICE_KEY_ID").expect("TILLKIT_DEVICE_KEY_ID");
    let key_hex = std::env::var("TILLKIT_DEVICE_KEY").expect("TILLKIT_DEVICE_KEY");
    let key = DeviceKey::from_hex(key_id, &key_hex).expect("a device key of 64 hex digits");
    let card_wait = std::env::var("TILLKIT_CARD_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(20), Duration::from_millis);
    let gate = std::env::var("TILLKIT_GATE_DIR").map_or(Gate::Open, |d| Gate::Files(d.into()));
    let limits = match limit.split(':').collect::<Vec<_>>().as_slice() {
        ["CNY", per_sale, total] => terminal::cny_limits(per_sale, total),
        _ => OfflineLimits::default(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let reader: Arc<dyn CardReader> = if let Some(addr) = reader.strip_prefix("link:") {
            let addr = addr.parse().expect("a reader address");
            Arc::new(LinkCardReader::start(
                TcpTransport::new(addr, 244),
                LinkReaderConfig::default(),
            ))
        } else {
            let name = reader.strip_prefix("sim:").unwrap_or(reader);
            let scenarios = Scenarios::parse(name).expect("a scenario");
            Arc::new(GatedReader::new(scenarios, gate))
        };
        let config = terminal::quick_config(card_wait);
        let parts =
            terminal::build_agent(url, dir.as_ref(), key, reader, limits, config).expect("agent");
        let agent = parts.agent.with_listener(Arc::new(|e: &AgentEvent| println!("{}", line(e))));
        println!("ready");
        agent.run().await.expect("agent runs");
    });
}
