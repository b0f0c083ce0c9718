//! Offline card approvals on the terminal: the limits `terminal run` keeps them within, and
//! `tillkit terminal offline list|forward` to see the queue and drain it on demand.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::json;
use tillkit_core::agent::offline::{
    CurrencyLimit, OfflineLimits, OfflineQueue, QueuedApproval, StoreAndForward,
};
use tillkit_core::agent::{AgentStore, HttpDeviceChannel};
use tillkit_core::money::Currency;
use tillkit_core::sign::device::DeviceKey;

use crate::connect::ConnectArgs;
use crate::exit;
use crate::out::{self, CliError};

/// The offline limits of `terminal run`. Without `--offline-limit`, a card's offline approval
/// is declined.
#[derive(Debug, Clone, Args)]
pub struct OfflineArgs {
    /// Allow offline approvals in a currency, up to PER_SALE each and TOTAL stored
    /// unforwarded: `CNY:50.00:500.00`. Repeat for more currencies.
    #[arg(long = "offline-limit", value_parser = parse_limit)]
    limits: Vec<CurrencyLimit>,
    /// Most approvals stored unforwarded.
    #[arg(long, default_value_t = 100)]
    offline_max_count: u32,
    /// Stop approving offline once an approval has waited this many hours to be forwarded.
    #[arg(long, default_value_t = 24)]
    offline_max_age_hours: u64,
}

fn parse_limit(text: &str) -> Result<CurrencyLimit, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let [currency, per_sale, total] = parts.as_slice() else {
        return Err(format!("{text:?}: use CURRENCY:PER_SALE:TOTAL, e.g. CNY:50.00:500.00"));
    };
    let currency = Currency::from_code(currency).map_err(|e| e.to_string())?;
    let amount = |what: &str, v: &str| {
        tillkit_core::money::Amount::parse(v, currency.code())
            .map(|a| a.value())
            .map_err(|e| format!("{what} {v:?}: {e}"))
    };
    Ok(CurrencyLimit {
        currency,
        per_transaction: amount("per-sale limit", per_sale)?,
        total_stored: amount("total limit", total)?,
    })
}

impl OfflineArgs {
    fn limits(&self) -> OfflineLimits {
        OfflineLimits {
            currencies: self.limits.clone(),
            max_count: self.offline_max_count,
            max_age: Duration::from_secs(self.offline_max_age_hours.saturating_mul(3600)),
        }
    }
}

/// The queue key: random, made once, kept beside the journal readable by the owner only (on a
/// terminal this is the key store's job). It is not the device key, so re-registering the
/// terminal never locks its stored approvals away.
fn queue_key(dir: &Path) -> Result<Vec<u8>, CliError> {
    let path = dir.join("offline.key");
    let fail = |e: std::io::Error| CliError::internal(format!("{}: {e}", path.display()));
    match std::fs::read(&path) {
        Ok(key) => return Ok(key),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(fail(e)),
        Err(_) => {}
    }
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    tillkit_core::store::create_private_dir(dir).map_err(fail)?;
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| CliError::internal(format!("no randomness: {e}")))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(fail)?;
    file.write_all(&key).and_then(|()| file.sync_all()).map_err(fail)?;
    Ok(key.to_vec())
}

fn open_queue(dir: &Path) -> Result<Arc<OfflineQueue>, CliError> {
    let key = queue_key(dir)?;
    OfflineQueue::open(&dir.join("agent.db"), &key)
        .map(Arc::new)
        .map_err(|e| CliError::internal(e.to_string()))
}

/// Store and forward for `terminal run` of terminal `serial` in `dir`, forwarding under the
/// same name at every start (a restarted agent takes back the lease of one killed mid-drain).
pub fn store_and_forward(
    dir: &Path,
    args: &OfflineArgs,
    serial: &str,
) -> Result<Arc<StoreAndForward>, CliError> {
    let saf = StoreAndForward::new(open_queue(dir)?, args.limits());
    Ok(Arc::new(saf.with_holder(format!("agent-{serial}"))))
}

/// `tillkit terminal offline …`.
#[derive(Debug, Subcommand)]
pub enum OfflineCommand {
    /// List the offline approvals kept on this terminal, oldest first.
    List(QueueArgs),
    /// Forward the stored approvals now (each once, by its offline id).
    Forward {
        /// Where the queue is.
        #[command(flatten)]
        queue: QueueArgs,
        /// The device key's id.
        #[arg(long)]
        key_id: String,
        /// The device key, 64 hex digits. Prefer the TILLKIT_DEVICE_KEY environment variable.
        #[arg(long, env = "TILLKIT_DEVICE_KEY", hide_env_values = true)]
        key_hex: String,
    },
}

/// Which terminal's queue.
#[derive(Debug, Args)]
pub struct QueueArgs {
    /// The terminal's serial number (its queue is in DATA_DIR/terminal-SERIAL).
    #[arg(long)]
    serial: String,
    /// The agent's directory, if not the default.
    #[arg(long)]
    dir: Option<PathBuf>,
}

impl QueueArgs {
    fn dir(&self, conn: &ConnectArgs) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| conn.data_dir.join(format!("terminal-{}", self.serial)))
    }
}

fn as_json(a: &QueuedApproval) -> serde_json::Value {
    json!({
        "offline_id": a.offline_id, "transaction_id": a.transaction_id,
        "amount": a.amount.value().to_string(), "currency": a.amount.currency().code(),
        "approved_at_ms": a.approved_at_ms, "card": a.masked_pan,
        "state": a.state.as_str(), "attempts": a.attempts,
        "last_error": a.last_error,
    })
}

/// Runs an offline command.
pub fn run(command: OfflineCommand, conn: &ConnectArgs) -> ExitCode {
    let json = conn.json;
    match execute(command, conn) {
        Ok(code) => ExitCode::from(code),
        Err(e) => e.report(json),
    }
}

fn execute(command: OfflineCommand, conn: &ConnectArgs) -> Result<u8, CliError> {
    let json = conn.json;
    match command {
        OfflineCommand::List(q) => {
            let all =
                open_queue(&q.dir(conn))?.list().map_err(|e| CliError::internal(e.to_string()))?;
            if json {
                out::line(serde_json::Value::Array(all.iter().map(as_json).collect()));
            } else if all.is_empty() {
                out::line("no offline approval stored");
            }
            for a in all.iter().filter(|_| !json) {
                out::line(format!(
                    "{:<36} {:<24} {:>12} {:<16} {}{}",
                    a.offline_id,
                    a.transaction_id,
                    a.amount.to_string(),
                    a.masked_pan,
                    a.state.as_str(),
                    a.last_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
                ));
            }
            Ok(exit::OK)
        }
        OfflineCommand::Forward { queue, key_id, key_hex } => {
            let dir = queue.dir(conn);
            let key = DeviceKey::from_hex(key_id, &key_hex).map_err(|_| {
                CliError::bad_input("device_key", "the device key must be 64 hex digits")
            })?;
            let settings = crate::terminal_run::http_settings(conn)?;
            let store = Arc::new(
                AgentStore::open(&dir.join("agent.db"))
                    .map_err(|e| CliError::internal(e.to_string()))?,
            );
            let channel = HttpDeviceChannel::new(&settings, key, store)
                .map_err(|e| CliError::bad_input("invalid_config", e.to_string()))?;
            let saf = StoreAndForward::new(open_queue(&dir)?, OfflineLimits::default());
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::internal(e.to_string()))?;
            let s =
                rt.block_on(saf.drain(&channel)).map_err(|e| CliError::internal(e.to_string()))?;
            out::line(if json {
                json!({"forwarded": s.forwarded, "duplicates": s.duplicates, "refused": s.refused,
                       "remaining": s.remaining, "stopped_by": s.stopped_by})
                .to_string()
            } else {
                format!(
                    "forwarded {}, already recorded {}, refused {}, still stored {}{}",
                    s.forwarded,
                    s.duplicates,
                    s.refused,
                    s.remaining,
                    s.stopped_by.map(|w| format!(" (stopped: {w})")).unwrap_or_default()
                )
            });
            Ok(if s.remaining == 0 { exit::OK } else { exit::OFFLINE })
        }
    }
}
