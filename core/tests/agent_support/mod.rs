//! An in-memory device channel for the terminal agent's tests: an inbox that repeats messages
//! until acknowledged (as the acquirer does), with faults to inject.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tillkit_core::agent::{
    AgentConfig, AgentEvent, AgentStore, ChannelError, DeviceChannel, ForwardAck, InboxKind,
    InboxMessage, OfflineApproval, ResultAck, ResultReport, TerminalAgent, TerminalProgress,
    TerminalResult,
};
use tillkit_core::money::Amount;
use tillkit_core::reader::session::ReaderLimits;
use tillkit_core::reader::sim::{SimScenario, SimulatedCardReader};
use tillkit_core::reader::{EmvData, OnlineResponse, ReaderRequest};
use tokio::sync::Notify;

/// The fake acquirer side.
#[derive(Default)]
pub struct FakeChannel {
    pub inbox: Mutex<Vec<InboxMessage>>,
    pub acked: Mutex<Vec<String>>,
    pub authorized: Mutex<Vec<String>>,
    pub progress: Mutex<Vec<(String, TerminalProgress)>>,
    /// Results as the acquirer recorded them.
    pub recorded: Mutex<HashMap<String, TerminalResult>>,
    pub report_calls: AtomicU32,
    /// Report calls still to fail as unreachable.
    pub fail_reports: AtomicU32,
    /// Acks still to apply and then lose the answer of.
    pub lose_ack_answers: AtomicU32,
    /// The issuer declines.
    pub decline: std::sync::atomic::AtomicBool,
    wake: Notify,
}

impl FakeChannel {
    pub fn push(&self, m: InboxMessage) {
        self.inbox.lock().unwrap().push(m);
        self.wake.notify_waiters();
    }

    pub fn result_of(&self, id: &str) -> Option<TerminalResult> {
        self.recorded.lock().unwrap().get(id).cloned()
    }

    pub fn was_acked(&self, message_id: &str) -> bool {
        self.acked.lock().unwrap().iter().any(|a| a == message_id)
    }
}

#[async_trait::async_trait]
impl DeviceChannel for FakeChannel {
    async fn poll(&self, wait: Duration) -> Result<Vec<InboxMessage>, ChannelError> {
        // A real channel always waits for the network at least once.
        tokio::task::yield_now().await;
        let woken = self.wake.notified();
        let now = self.inbox.lock().unwrap().clone();
        if !now.is_empty() {
            return Ok(now);
        }
        let _ = tokio::time::timeout(wait, woken).await;
        Ok(self.inbox.lock().unwrap().clone())
    }

    async fn ack(&self, message_id: &str) -> Result<(), ChannelError> {
        self.inbox.lock().unwrap().retain(|m| m.id != message_id);
        self.acked.lock().unwrap().push(message_id.to_string());
        let lose = self.lose_ack_answers.load(Ordering::SeqCst);
        if lose > 0 {
            self.lose_ack_answers.store(lose - 1, Ordering::SeqCst);
            return Err(ChannelError::Unreachable("ack answer lost".into()));
        }
        Ok(())
    }

    async fn progress(&self, id: &str, step: TerminalProgress) -> Result<(), ChannelError> {
        self.progress.lock().unwrap().push((id.to_string(), step));
        Ok(())
    }

    async fn authorize(
        &self,
        request: &ReaderRequest,
        _emv: &EmvData,
    ) -> Result<OnlineResponse, ChannelError> {
        self.authorized.lock().unwrap().push(request.transaction_id.clone());
        let approved = !self.decline.load(Ordering::SeqCst);
        Ok(OnlineResponse {
            approved,
            auth_code: approved.then(|| "A1B2C3".into()),
            issuer_tlv: Vec::new(),
            unable_to_go_online: false,
        })
    }

    async fn report(&self, report: &ResultReport) -> Result<ResultAck, ChannelError> {
        self.report_calls.fetch_add(1, Ordering::SeqCst);
        let fail = self.fail_reports.load(Ordering::SeqCst);
        if fail > 0 {
            self.fail_reports.store(fail - 1, Ordering::SeqCst);
            return Err(ChannelError::Unreachable("connection reset".into()));
        }
        let mut recorded = self.recorded.lock().unwrap();
        Ok(match recorded.get(&report.transaction_id) {
            None => {
                recorded.insert(report.transaction_id.clone(), report.result.clone());
                ResultAck::Recorded
            }
            Some(r) if *r == report.result => ResultAck::AlreadyRecorded,
            Some(r) => ResultAck::Conflict { recorded: format!("{r:?}") },
        })
    }

    async fn forward_offline(&self, _: &OfflineApproval) -> Result<ForwardAck, ChannelError> {
        Ok(ForwardAck::Recorded)
    }
}

pub fn sale(message: &str, id: &str, amount: &str) -> InboxMessage {
    InboxMessage {
        id: message.into(),
        seq: 1,
        transaction_id: id.into(),
        kind: InboxKind::Sale { amount: Amount::parse(amount, "CNY").unwrap() },
        deadline_ms: None,
    }
}

pub fn cancel(message: &str, id: &str) -> InboxMessage {
    InboxMessage {
        id: message.into(),
        seq: 2,
        transaction_id: id.into(),
        kind: InboxKind::Cancel,
        deadline_ms: None,
    }
}

pub fn config(card_wait: Duration, max: Option<u32>) -> AgentConfig {
    AgentConfig {
        poll_wait: Duration::from_millis(200),
        busy_poll_wait: Duration::from_millis(50),
        limits: ReaderLimits {
            card_wait,
            pin_entry: Duration::from_secs(5),
            reader_step: Duration::from_secs(5),
            host: Duration::from_secs(5),
            cancel: Duration::from_secs(5),
        },
        backoff_min: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        max_transactions: max,
    }
}

/// An agent and the events it emitted.
pub struct Harness {
    pub agent: Arc<TerminalAgent>,
    pub events: Arc<Mutex<Vec<AgentEvent>>>,
}

pub fn agent(
    channel: &Arc<FakeChannel>,
    scenario: SimScenario,
    store: &std::path::Path,
    config: AgentConfig,
) -> Harness {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let agent = TerminalAgent::new(
        Arc::clone(channel) as Arc<dyn DeviceChannel>,
        Arc::new(SimulatedCardReader::new(scenario)),
        Arc::new(AgentStore::open(store).unwrap()),
        config,
    )
    .with_listener(Arc::new(move |e: &AgentEvent| sink.lock().unwrap().push(e.clone())));
    Harness { agent: Arc::new(agent), events }
}

/// Waits (at most 20 s, a guard against hanging, not a timing claim) until `done` holds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never happened: {what}");
}
