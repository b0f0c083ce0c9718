//! The terminal agent across the FFI: the core running on a POS terminal (PAX, Sunmi, …). It
//! takes the card sales and refunds the acquirer routes to this terminal, runs each on the app's
//! [`CardReader`], and reports the result (docs/terminal-agent.md). Thin: every method converts
//! and forwards to `tillkit_core::agent`.

#[cfg(feature = "sandbox")]
mod register;
mod types;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tillkit_core::acquirer::HttpSettings;
use tillkit_core::transport::Transport;

use crate::http::HttpTransport;
use tillkit_core::agent::offline::{
    open_with_key_store, OfflineLimits as CoreOfflineLimits, OfflineQueue, StoreAndForward,
};
use tillkit_core::agent::{
    AgentConfig, AgentEvent as CoreEvent, AgentStore, HttpDeviceChannel, ShutdownHandle,
    TerminalAgent as CoreAgent,
};
use tillkit_core::engine::KeyStore as _;
use tillkit_core::reader::session::ReaderLimits as CoreLimits;
use tillkit_core::sign::device::DeviceKey;

#[cfg(feature = "sandbox")]
pub use register::register_with_sandbox;
pub use types::{
    AgentEvent, ForwardSummary, OfflineApproval, OfflineCardLimits, OfflineCurrencyLimit,
    OfflineState, ResultAck, TerminalAgentConfig, TerminalResult,
};

use crate::error::TillKitError;
use crate::ints::duration_arg;
use crate::platform::{KeyStore, KeyStoreBridge};
use crate::reader::{CardReader, CardReaderBridge};
use crate::runtime::{blocking, run};

type Result<T> = std::result::Result<T, TillKitError>;

/// The journal and the offline queue, inside the agent's data directory.
const AGENT_DB: &str = "agent.db";

/// Receives a terminal agent's events. Called from TillKit's threads, on the agent's own task:
/// return quickly (post to the UI thread or a channel). An exception thrown here is logged and
/// dropped.
// A callback interface for the reason `AuthorizationHost` is: only apps implement it.
#[uniffi::export(callback_interface)]
pub trait AgentListener: Send + Sync {
    /// One event.
    fn on_event(&self, event: AgentEvent) -> std::result::Result<(), TillKitError>;
}

/// The terminal agent. Open it with the app's card reader, `run()` it (a Kotlin `suspend`
/// call, a Swift `async` one) until `stop()`. One transaction at a time; every step is
/// journaled in the data directory, so a killed app resumes correctly at the next `open`.
#[derive(uniffi::Object)]
pub struct TerminalAgent {
    agent: Arc<CoreAgent>,
    shutdown: ShutdownHandle,
    ran: AtomicBool,
    channel: Arc<HttpDeviceChannel>,
    queue: Arc<OfflineQueue>,
}

#[uniffi::export(async_runtime = "tokio")]
impl TerminalAgent {
    /// Opens the agent on `data_dir` (created if missing; one agent per directory): its
    /// journal, its offline queue, and the device key read from `key_store` under
    /// `config.deviceKeyName` (`Config` if it is missing or not 32 bytes). Nothing is sent yet.
    /// `http_transport` carries the requests; `null` uses the library's own client, which the
    /// Android and iOS libraries do not have (`hasBundledHttp`).
    #[uniffi::constructor(default(http_transport = None))]
    pub async fn open(
        config: TerminalAgentConfig,
        data_dir: String,
        key_store: Arc<dyn KeyStore>,
        reader: Arc<dyn CardReader>,
        listener: Box<dyn AgentListener>,
        http_transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Arc<Self>> {
        let listener: Arc<dyn AgentListener> = Arc::from(listener);
        let transport = crate::http::transport(http_transport);
        run(async move {
            open(config, PathBuf::from(data_dir), key_store, reader, listener, transport)
        })
        .await
    }

    /// Runs the agent until `stop()` (or until the coroutine or task awaiting it is cancelled,
    /// which stops it the same way). A transaction on the reader when it stops is cancelled and
    /// its result journaled; it is reported at the next run. Returns how many transactions
    /// ran. Fails only if the journal or the offline queue cannot be written (`Storage`). An
    /// agent runs once: to run again, open a new one.
    pub async fn run(&self) -> Result<i32> {
        if self.ran.swap(true, Ordering::SeqCst) {
            return Err(TillKitError::InvalidInput {
                field: "run".into(),
                reason: "this agent has already been run: open a new TerminalAgent".into(),
            });
        }
        // A dropped call (a cancelled coroutine) must not leave the agent running unseen.
        let _stop_when_dropped = StopOnDrop(self.shutdown.clone());
        let agent = Arc::clone(&self.agent);
        run(async move { Ok(crate::ints::int(agent.run().await?)) }).await
    }

    /// Asks the running agent to stop; `run()` then returns. Returns at once.
    pub fn stop(&self) {
        self.shutdown.shutdown();
    }

    /// The offline approvals kept on this terminal, oldest first (forwarded and refused ones
    /// included, with their state). Card numbers are masked.
    pub async fn offline_approvals(&self) -> Result<Vec<OfflineApproval>> {
        let queue = Arc::clone(&self.queue);
        blocking(move || Ok(queue.list()?.into_iter().map(OfflineApproval::from).collect())).await
    }

    /// Forwards the stored offline approvals now, each once by its offline id (the running
    /// agent also does this whenever the acquirer answers). Failing to reach the acquirer is
    /// not an error: the summary says what remains and why it stopped.
    pub async fn forward_offline(&self) -> Result<ForwardSummary> {
        // A forwarder of its own: it shares the queue's lease with the running agent's.
        let forwarder = StoreAndForward::new(Arc::clone(&self.queue), CoreOfflineLimits::default());
        let channel = Arc::clone(&self.channel);
        run(async move { Ok(forwarder.drain(channel.as_ref()).await?.into()) }).await
    }
}

struct StopOnDrop(ShutdownHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.shutdown();
    }
}

fn required(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(TillKitError::InvalidConfig { field: field.into(), reason: "empty".into() });
    }
    Ok(())
}

fn open(
    config: TerminalAgentConfig,
    dir: PathBuf,
    key_store: Arc<dyn KeyStore>,
    reader: Arc<dyn CardReader>,
    listener: Arc<dyn AgentListener>,
    transport: Transport,
) -> Result<Arc<TerminalAgent>> {
    required("device_sn", &config.device_sn)?;
    required("device_model", &config.device_model)?;
    required("key_id", &config.key_id)?;
    if !(1..=30_000).contains(&config.poll_wait_ms) {
        return Err(TillKitError::InvalidConfig {
            field: "poll_wait_ms".into(),
            reason: format!("{} is not between 1 and 30000", config.poll_wait_ms),
        });
    }
    let limits = CoreOfflineLimits::try_from(config.offline_limits)?;
    let reader_limits = match config.reader_limits {
        Some(l) => CoreLimits::try_from(l)?,
        None => CoreLimits::default(),
    };
    let keys = KeyStoreBridge(key_store);
    let secret = keys.get(&config.device_key_name).map_err(|e| TillKitError::Config {
        reason: format!("key store: {}: {e}", config.device_key_name),
    })?;
    let secret = secret.ok_or_else(|| TillKitError::Config {
        reason: format!(
            "no device key named {:?} in the key store: register the terminal first",
            config.device_key_name
        ),
    })?;
    let key = DeviceKey::new(config.key_id, secret)?;
    let path = dir.join(AGENT_DB);
    let store = Arc::new(AgentStore::open(&path)?);
    let queue = Arc::new(open_with_key_store(&path, &keys, &config.offline_key_name)?);
    let settings = HttpSettings {
        base_url: config.base_url,
        connect_timeout: duration_arg("connect_timeout_ms", config.connect_timeout_ms)?,
        request_timeout: duration_arg("request_timeout_ms", config.request_timeout_ms)?,
        extra_roots: config.extra_roots,
        transport,
    };
    let channel = Arc::new(HttpDeviceChannel::new(&settings, key, Arc::clone(&store) as _)?);
    let agent_config = AgentConfig {
        poll_wait: duration_arg("poll_wait_ms", config.poll_wait_ms)?,
        limits: reader_limits,
        ..AgentConfig::default()
    };
    // A name kept across restarts: a restarted agent takes back at once the forwarding lease
    // its killed predecessor held.
    let holder = format!("agent-{}", config.device_sn);
    let forwarder = Arc::new(StoreAndForward::new(Arc::clone(&queue), limits).with_holder(holder));
    let agent = CoreAgent::new(
        Arc::clone(&channel) as _,
        Arc::new(CardReaderBridge(reader)),
        store,
        agent_config,
    )
    .with_store_and_forward(forwarder)
    .with_listener(Arc::new(move |e: &CoreEvent| {
        if let Err(e) = listener.on_event(AgentEvent::from(e)) {
            log::warn!("agent listener failed: {e}");
        }
    }));
    log::info!(
        "terminal agent for {} ({}) opened on {}",
        config.device_sn,
        config.device_model,
        settings.base_url
    );
    Ok(Arc::new(TerminalAgent {
        shutdown: agent.shutdown_handle(),
        agent: Arc::new(agent),
        ran: AtomicBool::new(false),
        channel,
        queue,
    }))
}

#[cfg(test)]
mod tests;
