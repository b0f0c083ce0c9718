//! The terminal side of the end-to-end tests: a card reader the test controls (which scenario
//! plays for which sale, when the card is presented, when it was), and an agent wired the way
//! `tillkit terminal run` wires it, for the agent process (`agent-child`) and the bench.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tillkit_core::acquirer::HttpSettings;
use tillkit_core::agent::offline::{CurrencyLimit, OfflineLimits, OfflineQueue, StoreAndForward};
use tillkit_core::agent::{AgentConfig, AgentStore, HttpDeviceChannel, TerminalAgent};
use tillkit_core::money::Currency;
use tillkit_core::reader::sim::{SimScenario, SimulatedCardReader};
use tillkit_core::reader::{
    CardReader, OnlineResponse, ReaderError, ReaderEvent, ReaderRequest, ReaderStatus,
};
use tillkit_core::sign::device::DeviceKey;

/// Which simulated scenario plays for a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenarios {
    /// The same one for every sale.
    Fixed(SimScenario),
    /// By the amount's cents: 71 offline approval, 72 PIN retry, 73 no card, 74 the card
    /// declines, 75 card pulled out; anything else approve (the sandbox declines cents 51).
    ByCents,
}

impl Scenarios {
    /// Parses `SCENARIO` (a [`SimScenario`] name) or `by-cents`.
    pub fn parse(text: &str) -> Option<Scenarios> {
        if text == "by-cents" {
            return Some(Scenarios::ByCents);
        }
        SimScenario::from_name(text).map(Scenarios::Fixed)
    }

    /// The scenario for `request`.
    pub fn pick(self, request: &ReaderRequest) -> SimScenario {
        match self {
            Scenarios::Fixed(s) => s,
            Scenarios::ByCents => match request.amount.minor_units().rem_euclid(100) {
                71 => SimScenario::OfflineApprove,
                72 => SimScenario::PinRetryThenApprove,
                73 => SimScenario::NoCard,
                74 => SimScenario::CardDeclines,
                75 => SimScenario::CardRemovedEarly,
                _ => SimScenario::Approve,
            },
        }
    }
}

/// When the customer presents the card.
#[derive(Debug, Clone)]
pub enum Gate {
    /// At once.
    Open,
    /// Once the file `DIR/<transaction id>` or `DIR/all` exists (the test creates it).
    Files(PathBuf),
}

impl Gate {
    fn open_for(&self, transaction_id: &str) -> bool {
        match self {
            Gate::Open => true,
            Gate::Files(dir) => dir.join(transaction_id).exists() || dir.join("all").exists(),
        }
    }
}

/// Presents the card for `transaction_id` (a [`Gate::Files`] gate in `dir`).
pub fn present_card(dir: &Path, transaction_id: &str) {
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(dir.join(transaction_id), b"");
}

#[derive(Default)]
struct Current {
    transaction_id: String,
    reader: Option<Arc<SimulatedCardReader>>,
    /// An event taken from the simulated reader and not handed on yet (the card held back).
    pending: Option<ReaderEvent>,
    presented: bool,
}

/// A [`SimulatedCardReader`] per sale, with its scenario picked by [`Scenarios`], the card held
/// back until the [`Gate`] opens, and the moment each card was presented recorded.
pub struct GatedReader {
    scenarios: Scenarios,
    gate: Gate,
    current: Mutex<Current>,
    cancelled: AtomicBool,
    presented_at: Mutex<HashMap<String, Instant>>,
}

impl GatedReader {
    /// A reader playing `scenarios` behind `gate`.
    pub fn new(scenarios: Scenarios, gate: Gate) -> Self {
        GatedReader {
            scenarios,
            gate,
            current: Mutex::new(Current::default()),
            cancelled: AtomicBool::new(false),
            presented_at: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn reader(&self) -> Result<Arc<SimulatedCardReader>, ReaderError> {
        self.lock().reader.clone().ok_or(ReaderError::Protocol("no transaction".into()))
    }

    /// When the card of `transaction_id` was presented (its `CardDetected` event handed on).
    pub fn presented_at(&self, transaction_id: &str) -> Option<Instant> {
        self.presented_at.lock().unwrap_or_else(|p| p.into_inner()).get(transaction_id).copied()
    }
}

#[async_trait::async_trait]
impl CardReader for GatedReader {
    async fn status(&self) -> Result<ReaderStatus, ReaderError> {
        let current = self.lock().reader.clone();
        match current {
            Some(r) => r.status().await,
            None => SimulatedCardReader::new(SimScenario::Approve).status().await,
        }
    }

    async fn begin(&self, request: &ReaderRequest) -> Result<(), ReaderError> {
        let reader = {
            let mut c = self.lock();
            match &c.reader {
                Some(r) if c.transaction_id == request.transaction_id => Arc::clone(r),
                _ => {
                    let r = Arc::new(SimulatedCardReader::new(self.scenarios.pick(request)));
                    *c = Current {
                        transaction_id: request.transaction_id.clone(),
                        reader: Some(Arc::clone(&r)),
                        pending: None,
                        presented: false,
                    };
                    self.cancelled.store(false, Ordering::SeqCst);
                    r
                }
            }
        };
        reader.begin(request).await
    }

    /// Cancel-safe: an event taken while the card is held back waits in `pending`.
    async fn next_event(&self) -> Result<ReaderEvent, ReaderError> {
        let reader = self.reader()?;
        loop {
            let taken = self.lock().pending.take();
            let event = match taken {
                Some(e) => e,
                None => reader.next_event().await?,
            };
            let (id, presented) = {
                let c = self.lock();
                (c.transaction_id.clone(), c.presented)
            };
            if presented {
                return Ok(event);
            }
            // The cashier cancelled before any card: the reader ends the transaction.
            if self.cancelled.load(Ordering::SeqCst) {
                if matches!(event, ReaderEvent::Completed { .. }) {
                    return Ok(event);
                }
                continue;
            }
            if !matches!(event, ReaderEvent::CardDetected { .. }) {
                return Ok(event);
            }
            if self.gate.open_for(&id) {
                self.lock().presented = true;
                self.presented_at
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id, Instant::now());
                return Ok(event);
            }
            self.lock().pending = Some(event);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn online_response(&self, response: &OnlineResponse) -> Result<(), ReaderError> {
        self.reader()?.online_response(response).await
    }

    async fn cancel(&self) -> Result<(), ReaderError> {
        let reader = self.reader()?;
        if !self.lock().presented {
            self.cancelled.store(true, Ordering::SeqCst);
        }
        reader.cancel().await
    }
}

/// The offline queue's key in `dir` (made once, kept beside the journal), as `tillkit terminal
/// run` keeps it.
pub fn queue_key(dir: &Path) -> std::io::Result<Vec<u8>> {
    let path = dir.join("offline.key");
    match std::fs::read(&path) {
        Ok(key) if key.len() == 32 => Ok(key),
        _ => {
            std::fs::create_dir_all(dir)?;
            let key: [u8; 32] = rand::random();
            let tmp = dir.join("offline.key.tmp");
            std::fs::write(&tmp, key)?;
            std::fs::rename(&tmp, &path)?;
            Ok(key.to_vec())
        }
    }
}

/// Opens the agent's offline queue in `dir`.
pub fn open_queue(dir: &Path) -> Result<Arc<OfflineQueue>, String> {
    let key = queue_key(dir).map_err(|e| e.to_string())?;
    OfflineQueue::open(&dir.join("agent.db"), &key).map(Arc::new).map_err(|e| e.to_string())
}

/// Offline approvals allowed in CNY up to `per_sale` each and `total` stored.
pub fn cny_limits(per_sale: &str, total: &str) -> OfflineLimits {
    let amount = |v: &str| v.parse().unwrap_or_default();
    OfflineLimits {
        currencies: vec![CurrencyLimit {
            currency: Currency::from_code("CNY").unwrap_or_else(|_| unreachable!("CNY is known")),
            per_transaction: amount(per_sale),
            total_stored: amount(total),
        }],
        max_count: 10_000,
        ..OfflineLimits::default()
    }
}

/// Quick pacing for tests: short polls while busy, short backoff, short reader limits.
pub fn quick_config(card_wait: Duration) -> AgentConfig {
    let mut config = AgentConfig {
        poll_wait: Duration::from_secs(1),
        busy_poll_wait: Duration::from_millis(200),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
        ..AgentConfig::default()
    };
    config.limits.card_wait = card_wait;
    config
}

/// Everything an agent is made of, for the agent process and the bench.
pub struct AgentParts {
    /// The agent, not yet running.
    pub agent: TerminalAgent,
    /// Its journal.
    pub store: Arc<AgentStore>,
    /// Its store and forward.
    pub store_and_forward: Arc<StoreAndForward>,
}

/// Builds an agent in `dir` talking to `url` with `key`, on `reader`.
pub fn build_agent(
    url: &str,
    dir: &Path,
    key: DeviceKey,
    reader: Arc<dyn CardReader>,
    limits: OfflineLimits,
    config: AgentConfig,
) -> Result<AgentParts, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let store = Arc::new(AgentStore::open(&dir.join("agent.db")).map_err(|e| e.to_string())?);
    let mut settings = HttpSettings::new(url.to_string());
    settings.request_timeout = Duration::from_secs(10);
    settings.connect_timeout = Duration::from_secs(2);
    let channel = HttpDeviceChannel::new(&settings, key, Arc::clone(&store) as _)
        .map_err(|e| e.to_string())?;
    // One name across restarts: a restarted agent takes back its own forwarding lease.
    let store_and_forward =
        Arc::new(StoreAndForward::new(open_queue(dir)?, limits).with_holder("test-agent"));
    let agent = TerminalAgent::new(Arc::new(channel), reader, Arc::clone(&store), config)
        .with_store_and_forward(Arc::clone(&store_and_forward));
    Ok(AgentParts { agent, store, store_and_forward })
}
