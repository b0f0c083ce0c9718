//! The far end of the link: a simulated external card reader, speaking the byte protocol over
//! any [`ReaderTransport`] (in memory, loopback TCP), with scenarios for tests, the CLI and app
//! developers.
//!
//! It keeps a log of every transaction's events, so that a transaction begun again, or resumed
//! after a reconnection, is reported from its log and never run twice.

mod flow;
pub mod tamper;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

use super::driver::{spawn_link, DriverConfig, DriverStats, LinkHandle, LinkItem};
use super::machine::Role;
use super::messages::{ErrorCode, HostMessage, ReaderMessage, TxState};
use super::transport::ReaderTransport;
use crate::reader::{ReaderEvent, ReaderOutcome, ReaderStatus};
use tamper::{Faults, Tamper};

/// What the simulated card and cardholder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Tap, online authorisation, result as the host answers.
    Approve,
    /// Chip and PIN; the card declines offline.
    Decline,
    /// Chip; a wrong PIN, then the right one; online.
    PinRetry,
    /// Chip; the card is pulled out at the PIN prompt.
    CardRemovedEarly,
    /// Nobody presents a card; the reader gives up.
    NoCard,
    /// The reader waits for a card until the cashier cancels.
    CashierCancel,
    /// As approve, but the connection drops right after the online response arrives.
    LinkDrop,
    /// As approve, with junk bytes between frames and a damaged frame now and then.
    Garbage,
    /// As approve, with every step and every send slow.
    Slow,
    /// As approve, after a flood of junk at the start of each connection.
    Flood,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 10] = [
        Scenario::Approve,
        Scenario::Decline,
        Scenario::PinRetry,
        Scenario::CardRemovedEarly,
        Scenario::NoCard,
        Scenario::CashierCancel,
        Scenario::LinkDrop,
        Scenario::Garbage,
        Scenario::Slow,
        Scenario::Flood,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Approve => "approve",
            Scenario::Decline => "decline",
            Scenario::PinRetry => "pin-retry",
            Scenario::CardRemovedEarly => "card-removed",
            Scenario::NoCard => "no-card",
            Scenario::CashierCancel => "cancel",
            Scenario::LinkDrop => "link-drop",
            Scenario::Garbage => "garbage",
            Scenario::Slow => "slow",
            Scenario::Flood => "flood",
        }
    }

    /// The scenario of a name.
    pub fn from_name(name: &str) -> Option<Self> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// How the simulator runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    /// The scenario, for every transaction.
    pub scenario: Scenario,
    /// Time between two steps (card presented, application selected...).
    pub step_delay: Duration,
    /// How long the reader waits for a card (and for the host's answer) before timing out.
    pub card_wait: Duration,
    /// The slow scenario's extra time per step and per send.
    pub slow_delay: Duration,
    /// Junk bytes of the flood scenario.
    pub flood_bytes: usize,
}

impl SimConfig {
    /// Defaults for `scenario`: quick steps, a 30-second card wait (the CLI's pace is a person's).
    pub fn new(scenario: Scenario) -> Self {
        SimConfig {
            scenario,
            step_delay: Duration::from_millis(5),
            card_wait: Duration::from_secs(30),
            slow_delay: Duration::from_millis(120),
            flood_bytes: 256 * 1024,
        }
    }
}

/// What the simulated reader has done, for tests.
#[derive(Debug, Default)]
pub struct SimCounters {
    /// Transactions started (a begin of a known id does not count).
    pub started: AtomicU32,
    /// Transactions approved.
    pub approved: AtomicU32,
    /// Online responses accepted.
    pub online_responses: AtomicU32,
}

/// A running simulator.
#[derive(Debug)]
pub struct ReaderSim {
    counters: Arc<SimCounters>,
    link: LinkHandle,
    task: JoinHandle<()>,
}

impl Drop for ReaderSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ReaderSim {
    /// Starts the simulator on the reader's side of `transport` (it waits for a connection).
    pub fn spawn<T: ReaderTransport + 'static>(transport: T, config: SimConfig) -> Self {
        let faults = Faults {
            garbage: config.scenario == Scenario::Garbage,
            flood_bytes: if config.scenario == Scenario::Flood { config.flood_bytes } else { 0 },
            send_delay: (config.scenario == Scenario::Slow).then_some(config.slow_delay / 4),
        };
        let (link, items) =
            spawn_link(Tamper::new(transport, faults), DriverConfig::new(Role::Responder));
        let counters = Arc::new(SimCounters::default());
        let device = Device {
            link: link.clone(),
            config,
            counters: Arc::clone(&counters),
            state: Arc::default(),
        };
        let task = tokio::spawn(device.run(items));
        ReaderSim { counters, link, task }
    }

    /// Transactions started, approved, online responses accepted.
    pub fn counters(&self) -> &SimCounters {
        &self.counters
    }

    /// Transactions started so far.
    pub fn started(&self) -> u32 {
        self.counters.started.load(Ordering::SeqCst)
    }

    /// Approvals so far.
    pub fn approved(&self) -> u32 {
        self.counters.approved.load(Ordering::SeqCst)
    }

    /// The reader end's link counts.
    pub fn link_stats(&self) -> DriverStats {
        self.link.stats()
    }

    /// Runs until the link ends.
    pub async fn join(mut self) {
        let _ = (&mut self.task).await;
    }
}

/// Transactions remembered; older completed ones are forgotten.
const REMEMBERED: usize = 64;

#[derive(Debug, Default)]
struct TxLog {
    events: Vec<ReaderEvent>,
    completed: bool,
}

#[derive(Debug, Default)]
struct DeviceState {
    txs: HashMap<String, TxLog>,
    order: VecDeque<String>,
    current: Option<(String, mpsc::Sender<flow::Input>)>,
}

/// The simulated reader. Events are logged and sent under one lock, so the link carries them in
/// log order even when a replay and a new step meet.
#[derive(Clone)]
struct Device {
    link: LinkHandle,
    config: SimConfig,
    counters: Arc<SimCounters>,
    state: Arc<Mutex<DeviceState>>,
}

impl Device {
    async fn run(self, mut items: mpsc::Receiver<LinkItem>) {
        while let Some(item) = items.recv().await {
            let LinkItem::Message(bytes) = item else { continue };
            let result = match HostMessage::decode(&bytes) {
                Ok(message) => self.handle(message).await,
                Err(e) => self.reply(error(ErrorCode::BadRequest, "", &e.to_string())).await,
            };
            if result.is_err() {
                return;
            }
        }
    }

    async fn reply(&self, message: ReaderMessage) -> Result<(), ()> {
        let bytes = message.encode().map_err(|_| ())?;
        self.link.send(bytes).await.map_err(|_| ())
    }

    async fn handle(&self, message: HostMessage) -> Result<(), ()> {
        match message {
            HostMessage::Begin(request) => {
                let id = request.transaction_id.clone();
                let mut state = self.state.lock().await;
                if state.txs.contains_key(&id) {
                    return self.replay(&state, &id, 0).await;
                }
                if state.current.is_some() {
                    drop(state);
                    return self
                        .reply(error(ErrorCode::Busy, &id, "another transaction is running"))
                        .await;
                }
                let (inputs, input_rx) = mpsc::channel(8);
                state.current = Some((id.clone(), inputs));
                state.txs.insert(id.clone(), TxLog::default());
                state.order.push_back(id.clone());
                forget_old(&mut state);
                self.counters.started.fetch_add(1, Ordering::SeqCst);
                self.reply(ReaderMessage::TxState {
                    transaction_id: id,
                    state: TxState::Running,
                    events: 0,
                })
                .await?;
                drop(state);
                tokio::spawn(flow::run(self.clone(), request, input_rx));
                Ok(())
            }
            HostMessage::Resume { transaction_id, next_event } => {
                let state = self.state.lock().await;
                if state.txs.contains_key(&transaction_id) {
                    return self.replay(&state, &transaction_id, usize::from(next_event)).await;
                }
                drop(state);
                self.reply(error(ErrorCode::UnknownTransaction, &transaction_id, "not known here"))
                    .await
            }
            HostMessage::OnlineResponse { transaction_id, response } => {
                self.input(&transaction_id, flow::Input::Online(response)).await
            }
            HostMessage::Cancel { transaction_id } => {
                self.input(&transaction_id, flow::Input::Cancel).await
            }
            HostMessage::StatusRequest => {
                let busy = self.state.lock().await.current.is_some();
                self.reply(ReaderMessage::Status(ReaderStatus {
                    connected: true,
                    battery_percent: Some(if busy { 86 } else { 87 }),
                    firmware: Some("tillkit-sim 1.0".into()),
                    serial: Some("SIM-0001".into()),
                }))
                .await
            }
        }
    }

    async fn input(&self, id: &str, input: flow::Input) -> Result<(), ()> {
        let target = {
            let state = self.state.lock().await;
            state.current.as_ref().filter(|(cur, _)| cur == id).map(|(_, tx)| tx.clone())
        };
        match target {
            Some(tx) if tx.try_send(input).is_ok() => Ok(()),
            _ => self.reply(error(ErrorCode::NotExpected, id, "no such running transaction")).await,
        }
    }

    /// The transaction's state, then its events from `from` on.
    async fn replay(&self, state: &DeviceState, id: &str, from: usize) -> Result<(), ()> {
        let Some(log) = state.txs.get(id) else { return Ok(()) };
        let tx_state = if log.completed { TxState::Completed } else { TxState::Running };
        let events = u16::try_from(log.events.len()).unwrap_or(u16::MAX);
        self.reply(ReaderMessage::TxState { transaction_id: id.into(), state: tx_state, events })
            .await?;
        for (index, event) in log.events.iter().enumerate().skip(from) {
            let index = u16::try_from(index).map_err(|_| ())?;
            let message =
                ReaderMessage::Event { transaction_id: id.into(), index, event: event.clone() };
            self.reply(message).await?;
        }
        Ok(())
    }

    /// Logs and sends one event of the current transaction.
    async fn emit(&self, id: &str, event: ReaderEvent) -> Result<(), ()> {
        let mut state = self.state.lock().await;
        let log = state.txs.get_mut(id).ok_or(())?;
        let index = u16::try_from(log.events.len()).map_err(|_| ())?;
        if let ReaderEvent::Completed { outcome, .. } = &event {
            log.completed = true;
            if matches!(outcome, ReaderOutcome::ApprovedOnline | ReaderOutcome::ApprovedOffline) {
                self.counters.approved.fetch_add(1, Ordering::SeqCst);
            }
        }
        let completed = log.completed;
        // The kind of step only: the EMV data holds a card number.
        log::info!("reader sim: {id} step {index}: {}", event_name(&event));
        log.events.push(event.clone());
        if completed {
            state.current = None;
        }
        self.reply(ReaderMessage::Event { transaction_id: id.into(), index, event }).await
    }
}

fn event_name(event: &ReaderEvent) -> String {
    match event {
        ReaderEvent::AuthorizationRequest { tlv } => {
            format!("authorization request ({} bytes of EMV data)", tlv.as_bytes().len())
        }
        ReaderEvent::Completed { outcome, .. } => format!("completed {outcome:?}"),
        other => format!("{other:?}"),
    }
}

fn forget_old(state: &mut DeviceState) {
    while state.order.len() > REMEMBERED {
        let Some(pos) =
            state.order.iter().position(|id| state.txs.get(id).is_some_and(|t| t.completed))
        else {
            return;
        };
        if let Some(id) = state.order.remove(pos) {
            state.txs.remove(&id);
        }
    }
}

fn error(code: ErrorCode, id: &str, detail: &str) -> ReaderMessage {
    ReaderMessage::Error {
        code,
        transaction_id: id.chars().take(64).collect(),
        detail: detail.into(),
    }
}
