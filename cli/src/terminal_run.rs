//! `tillkit terminal run`: this machine plays the POS terminal. The terminal agent polls the
//! acquirer's device channel for the card sales routed to `--serial`/`--model`, runs each on a
//! card reader (simulated, or the byte-level reader simulator over TCP) and reports the result.
//! One line per event; runs until Ctrl-C, or one transaction with `--once`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use serde_json::json;
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::agent::{
    register_with_sandbox, AgentConfig, AgentEvent, AgentStore, HttpDeviceChannel, TerminalAgent,
    TerminalResult,
};
use tillkit_core::reader::link::client::{LinkCardReader, LinkReaderConfig};
use tillkit_core::reader::link::tcp::TcpTransport;
use tillkit_core::reader::machine::ReaderProgress;
use tillkit_core::reader::sim::{SimScenario, SimulatedCardReader};
use tillkit_core::reader::CardReader;
use tillkit_core::sign::device::DeviceKey;

use crate::connect::ConnectArgs;
use crate::exit;
use crate::out::{self, CliError};

/// `tillkit terminal run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// This terminal's serial number (`deviceSn`).
    #[arg(long)]
    serial: String,
    /// This terminal's model (`deviceModel`).
    #[arg(long)]
    model: String,
    /// The card reader: `simulated`, `simulated:SCENARIO` (approve, card-declines, pin-retry,
    /// card-removed, no-card, offline-approve, slow, disconnect) or `link:ADDRESS` (the
    /// byte-level simulator of `tillkit reader simulate`).
    #[arg(long, default_value = "simulated", value_parser = parse_reader)]
    reader: ReaderChoice,
    /// The device key's id (with --key-hex or TILLKIT_DEVICE_KEY).
    #[arg(long, conflicts_with = "register")]
    key_id: Option<String>,
    /// The device key, 64 hex digits. Prefer the TILLKIT_DEVICE_KEY environment variable.
    #[arg(long, env = "TILLKIT_DEVICE_KEY", hide_env_values = true, conflicts_with = "register")]
    key_hex: Option<String>,
    /// Register with the sandbox for a new key (revokes the terminal's older key).
    #[arg(long)]
    register: bool,
    /// Where the agent's journal lives (default: DATA_DIR/terminal-SERIAL).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Exit after one transaction has run and been reported (exit 0 if approved, 3 if not).
    #[arg(long)]
    once: bool,
    /// Offline approvals: limits (none by default: declined).
    #[command(flatten)]
    offline: crate::terminal_offline::OfflineArgs,
}

/// Which card reader the agent drives.
#[derive(Debug, Clone)]
pub enum ReaderChoice {
    /// The in-process simulated reader.
    Simulated(SimScenario),
    /// An external reader simulator over TCP.
    Link(SocketAddr),
}

fn parse_reader(text: &str) -> Result<ReaderChoice, String> {
    if text == "simulated" {
        return Ok(ReaderChoice::Simulated(SimScenario::Approve));
    }
    if let Some(name) = text.strip_prefix("simulated:") {
        return SimScenario::from_name(name).map(ReaderChoice::Simulated).ok_or_else(|| {
            let names: Vec<_> = SimScenario::ALL.iter().map(|s| s.name()).collect();
            format!("unknown scenario {name:?}; one of {}", names.join(", "))
        });
    }
    if let Some(addr) = text.strip_prefix("link:") {
        return addr
            .parse()
            .map(ReaderChoice::Link)
            .map_err(|_| format!("{addr:?} is not an address like 127.0.0.1:7420"));
    }
    Err(format!("{text:?}: use simulated, simulated:SCENARIO or link:ADDRESS"))
}

/// Runs the agent until Ctrl-C (or one transaction with `--once`).
pub fn run(args: RunArgs, conn: &ConnectArgs) -> ExitCode {
    let json = conn.json;
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return CliError::internal(e.to_string()).report(json),
    };
    match rt.block_on(run_agent(args, conn)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => e.report(json),
    }
}

async fn run_agent(args: RunArgs, conn: &ConnectArgs) -> Result<u8, CliError> {
    let json = conn.json;
    let settings = http_settings(conn)?;
    let key = device_key(&args, &settings).await?;
    let dir =
        args.dir.clone().unwrap_or_else(|| conn.data_dir.join(format!("terminal-{}", args.serial)));
    let store = Arc::new(
        AgentStore::open(&dir.join("agent.db")).map_err(|e| CliError::internal(e.to_string()))?,
    );
    let key_id = key.key_id.clone();
    let channel = HttpDeviceChannel::new(&settings, key, Arc::clone(&store) as _)
        .map_err(|e| CliError::bad_input("invalid_config", e.to_string()))?;
    let reader: Arc<dyn CardReader> = match args.reader {
        ReaderChoice::Simulated(scenario) => Arc::new(SimulatedCardReader::new(scenario)),
        ReaderChoice::Link(addr) => Arc::new(LinkCardReader::start(
            TcpTransport::new(addr, 244),
            LinkReaderConfig::default(),
        )),
    };
    let config = AgentConfig { max_transactions: args.once.then_some(1), ..AgentConfig::default() };
    let last = Arc::new(Mutex::new(None::<TerminalResult>));
    let seen = Arc::clone(&last);
    // Always attached: without limits every offline approval is declined, and approvals kept
    // by an earlier run are still forwarded.
    let saf = crate::terminal_offline::store_and_forward(&dir, &args.offline, &args.serial)?;
    let agent = TerminalAgent::new(Arc::new(channel), reader, store, config)
        .with_store_and_forward(saf)
        .with_listener(Arc::new(move |e: &AgentEvent| {
            if let AgentEvent::Finished { result, .. } = e {
                *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(result.clone());
            }
            out::line(if json { event_json(e).to_string() } else { event_text(e) });
        }));
    out::line(if json {
        json!({"event": "started", "serial": args.serial, "model": args.model, "keyId": key_id})
            .to_string()
    } else {
        format!("terminal {} ({}) key {key_id}: waiting for sales", args.serial, args.model)
    });
    let shutdown = agent.shutdown_handle();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            shutdown.shutdown();
        }
    });
    agent.run().await.map_err(|e| match e {
        tillkit_core::agent::AgentError::InUse { .. } => {
            CliError { exit: exit::STORE_IN_USE, kind: "store_in_use", message: e.to_string() }
        }
        e => CliError::internal(e.to_string()),
    })?;
    let last = last.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Ok(match last {
        Some(TerminalResult::Approved { .. } | TerminalResult::ApprovedOffline { .. }) | None => {
            exit::OK
        }
        Some(_) if args.once => exit::DECLINED,
        Some(_) => exit::OK,
    })
}

/// The acquirer's HTTP settings from the connection flags (`--base-url` is required).
pub(crate) fn http_settings(conn: &ConnectArgs) -> Result<HttpSettings, CliError> {
    let base_url = conn.base_url.clone().ok_or_else(|| {
        CliError::bad_input("usage", "--base-url is required (the acquirer's or sandbox's URL)")
    })?;
    let mut settings = HttpSettings::new(base_url);
    settings.request_timeout = Duration::from_secs(conn.request_timeout.max(1));
    for path in &conn.ca_certs {
        let pem = std::fs::read_to_string(path).map_err(|e| {
            CliError::bad_input("ca_cert", format!("cannot read {}: {e}", path.display()))
        })?;
        settings.extra_roots.push(pem);
    }
    Ok(settings)
}

async fn device_key(args: &RunArgs, settings: &HttpSettings) -> Result<DeviceKey, CliError> {
    if args.register {
        let registered = register_with_sandbox(settings, &args.serial, &args.model)
            .await
            .map_err(|e| CliError::internal(format!("registration failed: {e}")))?;
        return Ok(registered.key);
    }
    match (&args.key_id, &args.key_hex) {
        (Some(id), Some(hex)) => DeviceKey::from_hex(id.as_str(), hex)
            .map_err(|_| CliError::bad_input("device_key", "the device key must be 64 hex digits")),
        _ => Err(CliError::bad_input(
            "device_key",
            "give --key-id with --key-hex (or TILLKIT_DEVICE_KEY), or --register (sandbox)",
        )),
    }
}

fn progress_text(p: &ReaderProgress) -> String {
    match p {
        ReaderProgress::PresentCard => "present card".into(),
        ReaderProgress::Reading { .. } => "reading card".into(),
        ReaderProgress::EnterPin { .. } => "enter PIN".into(),
        ReaderProgress::PinIncorrect { attempts_left } => {
            format!("wrong PIN, {attempts_left} tries left")
        }
        ReaderProgress::Authorizing => "authorising".into(),
        ReaderProgress::Cancelling => "cancelling".into(),
        ReaderProgress::RemoveCard => "remove card".into(),
    }
}

/// What the acquirer said to a reported result.
fn ack_text(ack: &tillkit_core::agent::ResultAck) -> String {
    use tillkit_core::agent::ResultAck;
    match ack {
        ResultAck::Recorded => "recorded".into(),
        ResultAck::AlreadyRecorded => "already recorded".into(),
        ResultAck::Conflict { recorded } => format!("not applied: {recorded} is recorded"),
    }
}

/// A terminal result in words.
pub(crate) fn result_text(r: &TerminalResult) -> String {
    match r {
        TerminalResult::Approved { auth_code } => {
            format!("approved (auth {})", auth_code.as_deref().unwrap_or("-"))
        }
        TerminalResult::ApprovedOffline { offline_id } => {
            format!("approved offline ({offline_id})")
        }
        TerminalResult::Declined => "declined".into(),
        TerminalResult::CancelledAtTerminal => "cancelled at the terminal".into(),
        TerminalResult::CancelledByCashier => "cancelled by the cashier".into(),
        TerminalResult::TimedOut => "timed out".into(),
        TerminalResult::Failed { reason } => format!("failed: {reason}"),
    }
}

fn event_text(e: &AgentEvent) -> String {
    match e {
        AgentEvent::Connected => "connected".into(),
        AgentEvent::Unreachable { reason, retry_ms } => {
            format!("unreachable: {reason}; retrying in {retry_ms} ms")
        }
        AgentEvent::Started { transaction_id, amount, refund } => {
            let what = if *refund { "refund" } else { "sale" };
            format!("{what} {transaction_id} {amount}: started")
        }
        AgentEvent::Progress { transaction_id, step } => {
            format!("sale {transaction_id}: {}", progress_text(step))
        }
        AgentEvent::CancelAsked { transaction_id } => {
            format!("sale {transaction_id}: the cashier cancelled")
        }
        AgentEvent::Finished { transaction_id, result, reason } => match reason {
            Some(why) => format!("sale {transaction_id}: {} ({why})", result_text(result)),
            None => format!("sale {transaction_id}: {}", result_text(result)),
        },
        AgentEvent::Reported { transaction_id, ack } => {
            format!("sale {transaction_id}: reported ({})", ack_text(ack))
        }
        AgentEvent::Flagged { transaction_id, note } => {
            format!("sale {transaction_id}: FLAGGED: {note}")
        }
        AgentEvent::Recovered { transaction_id, note } => format!("sale {transaction_id}: {note}"),
        AgentEvent::OfflineForwarded { summary } => format!(
            "offline approvals forwarded: {} recorded, {} already recorded, {} refused, {} still stored",
            summary.forwarded, summary.duplicates, summary.refused, summary.remaining
        ),
    }
}

fn event_json(e: &AgentEvent) -> serde_json::Value {
    match e {
        AgentEvent::Finished { transaction_id, result, reason } => json!({
            "event": "finished", "transactionId": transaction_id,
            "result": result_text(result), "reason": reason,
        }),
        other => json!({ "event": event_text(other) }),
    }
}
