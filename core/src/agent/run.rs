//! The terminal agent's loop: poll the inbox, journal and acknowledge each sale or refund, run
//! it on the card reader, journal the result, report it until the acquirer has it.
//!
//! One transaction at a time. While one runs, the inbox is polled briefly (so a cashier's
//! cancel gets through) and any other sale is left unacknowledged: the acquirer repeats it
//! until the reader is free, or closes it as undelivered (nothing charged).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::channel::{ChannelError, DeviceChannel, InboxKind, InboxMessage, TerminalProgress};
use super::channel::{ResultAck, ResultReport, TerminalResult};
use super::hooks::{AgentEvent, EventListener, OfflineSink, ShutdownHandle};
use super::offline::{OfflineError, StoreAndForward};
use super::store::{AgentStore, AgentStoreError, TxState};

#[path = "run_reader.rs"]
mod reader_side;
use crate::reader::machine::ReaderProgress;
use crate::reader::session::{CancelHandle, ReaderLimits};
use crate::reader::CardReader;

/// How the agent paces itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentConfig {
    /// How long an idle poll waits for a message (the long poll).
    pub poll_wait: Duration,
    /// How long a poll waits while a transaction runs. The channel carries one request at a
    /// time (sequence numbers must arrive in order), so this bounds how long an authorisation
    /// may wait behind a poll.
    pub busy_poll_wait: Duration,
    /// The reader's time limits.
    pub limits: ReaderLimits,
    /// The first wait after the acquirer could not be reached; it doubles up to `backoff_max`.
    pub backoff_min: Duration,
    /// The longest wait between attempts.
    pub backoff_max: Duration,
    /// Stop after this many transactions have run and been reported (`--once`).
    pub max_transactions: Option<u32>,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            poll_wait: Duration::from_secs(25),
            busy_poll_wait: Duration::from_secs(2),
            limits: ReaderLimits::default(),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_transactions: None,
        }
    }
}

/// Why the agent stopped on its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentError {
    /// The journal could not be written: the agent cannot promise anything, so it stops.
    #[error(transparent)]
    Store(#[from] AgentStoreError),
    /// The offline queue could not be read or written.
    #[error(transparent)]
    Offline(#[from] OfflineError),
    /// Another agent runs on this journal (in this or another process): two would take the
    /// same sales.
    #[error("another terminal agent is running on {path}")]
    InUse {
        /// The journal's directory.
        path: String,
    },
}

/// The terminal agent. See the module documentation and docs/terminal-agent.md.
pub struct TerminalAgent {
    channel: Arc<dyn DeviceChannel>,
    reader: Arc<dyn CardReader>,
    store: Arc<AgentStore>,
    config: AgentConfig,
    offline: Option<Arc<dyn OfflineSink>>,
    forwarder: Option<Arc<StoreAndForward>>,
    listener: Option<EventListener>,
    shutdown: ShutdownHandle,
}

impl TerminalAgent {
    /// An agent over a channel, a reader and its journal.
    pub fn new(
        channel: Arc<dyn DeviceChannel>,
        reader: Arc<dyn CardReader>,
        store: Arc<AgentStore>,
        config: AgentConfig,
    ) -> Self {
        TerminalAgent {
            channel,
            reader,
            store,
            config,
            offline: None,
            forwarder: None,
            listener: None,
            shutdown: ShutdownHandle::new(),
        }
    }

    /// Sends offline approvals to `sink` (without one they are declined).
    pub fn with_offline_sink(mut self, sink: Arc<dyn OfflineSink>) -> Self {
        self.offline = Some(sink);
        self
    }

    /// Keeps offline approvals in `store_and_forward` and forwards them whenever the acquirer
    /// answers, before any result is reported (an `approved_offline` result is accepted only
    /// once its approval has been forwarded).
    pub fn with_store_and_forward(mut self, store_and_forward: Arc<StoreAndForward>) -> Self {
        self.offline = Some(Arc::clone(&store_and_forward) as Arc<dyn OfflineSink>);
        self.forwarder = Some(store_and_forward);
        self
    }

    /// Tells `listener` about every step.
    pub fn with_listener(mut self, listener: EventListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// The handle that stops [`TerminalAgent::run`].
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    fn emit(&self, event: AgentEvent) {
        if let Some(listener) = &self.listener {
            listener(&event);
        }
    }

    /// Runs until shut down (or `max_transactions` ran and were reported). Returns how many
    /// transactions ran. Fails only if the journal cannot be written.
    pub async fn run(&self) -> Result<u32, AgentError> {
        let _running = self.store.run_lock()?;
        for id in self.store.recover()? {
            let note = self.recover_offline_approval(&id)?;
            self.emit(AgentEvent::Recovered {
                transaction_id: id,
                note: note.unwrap_or(super::store::INTERRUPTED).into(),
            });
        }
        let mut ran = 0u32;
        let mut backoff = self.config.backoff_min;
        let mut connected = false;
        while !self.shutdown.is_shutdown() {
            if let Some(reason) = self.forward_offline().await? {
                connected = false;
                self.back_off(&mut backoff, reason).await;
                continue;
            }
            if let Some(reason) = self.report_all().await? {
                connected = false;
                self.back_off(&mut backoff, reason).await;
                continue;
            }
            if self.config.max_transactions.is_some_and(|max| ran >= max) {
                break;
            }
            if let Some(tx) = self.store.next_to_run()? {
                match self.start(&tx).await? {
                    Ok(true) => ran += 1,
                    Ok(false) => {}
                    Err(reason) => self.back_off(&mut backoff, reason).await,
                }
                continue;
            }
            let polled = tokio::select! {
                r = self.channel.poll(self.config.poll_wait) => r,
                () = self.shutdown.wait() => break,
            };
            match polled {
                Ok(messages) => {
                    backoff = self.config.backoff_min;
                    if !connected {
                        connected = true;
                        self.emit(AgentEvent::Connected);
                    }
                    for m in messages {
                        self.accept(&m).await?;
                    }
                }
                Err(e) => {
                    connected = false;
                    self.back_off(&mut backoff, e.to_string()).await;
                }
            }
        }
        Ok(ran)
    }

    /// A transaction interrupted after the card approved it offline and the approval was
    /// kept, but before its result was journaled: the queue knows how it ended, so it is
    /// reported `approved_offline` (the approval is forwarded anyway; a `failed` result would
    /// only conflict with it). `Some(note)` when so.
    fn recover_offline_approval(&self, id: &str) -> Result<Option<&'static str>, AgentError> {
        let Some(forwarder) = &self.forwarder else { return Ok(None) };
        let kept =
            forwarder.queue().list()?.into_iter().find(|a| {
                a.transaction_id == id && a.state != super::offline::OfflineState::Refused
            });
        let Some(approval) = kept else { return Ok(None) };
        self.store.finish(&ResultReport {
            transaction_id: id.into(),
            result: TerminalResult::ApprovedOffline { offline_id: approval.offline_id },
            card: None,
            reason: Some(RECOVERED_OFFLINE.into()),
        })?;
        Ok(Some(RECOVERED_OFFLINE))
    }

    async fn back_off(&self, backoff: &mut Duration, reason: String) {
        let wait = *backoff;
        self.emit(AgentEvent::Unreachable {
            reason,
            retry_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        });
        *backoff = (wait * 2).min(self.config.backoff_max);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = self.shutdown.wait() => {}
        }
    }

    /// Forwards stored offline approvals; `Some(why)` when the drain stopped before the end.
    async fn forward_offline(&self) -> Result<Option<String>, AgentError> {
        let Some(forwarder) = &self.forwarder else { return Ok(None) };
        let summary = forwarder.drain(self.channel.as_ref()).await?;
        let stopped = summary.stopped_by.clone();
        if summary.forwarded + summary.duplicates + summary.refused > 0 {
            self.emit(AgentEvent::OfflineForwarded { summary });
        }
        Ok(stopped)
    }

    /// Reports every journaled result; `Some(why)` when the acquirer could not be reached.
    async fn report_all(&self) -> Result<Option<String>, AgentError> {
        for report in self.store.unreported()? {
            let id = report.transaction_id.clone();
            match self.channel.report(&report).await {
                Ok(ResultAck::Conflict { recorded }) => {
                    let note = format!("the acquirer holds another result: {recorded}");
                    log::warn!("transaction {id}: {note}");
                    self.store.mark_flagged(&id, &note)?;
                    self.emit(AgentEvent::Flagged { transaction_id: id, note });
                }
                Ok(ack) => {
                    self.store.mark_reported(&id)?;
                    self.emit(AgentEvent::Reported { transaction_id: id, ack });
                }
                // About the request, not the result: the next attempt is a new request.
                // About the request, or an offline approval not forwarded yet: later.
                Err(ChannelError::Refused { code, message })
                    if code == "stale" || code == "replayed" || code == "not_forwarded" =>
                {
                    return Ok(Some(format!("result refused: {code}: {message}")));
                }
                Err(ChannelError::Refused { code, message }) => {
                    let note = format!("the acquirer refused the result: {code}: {message}");
                    log::warn!("transaction {id}: {note}");
                    self.store.mark_flagged(&id, &note)?;
                    self.emit(AgentEvent::Flagged { transaction_id: id, note });
                }
                Err(e) => return Ok(Some(e.to_string())),
            }
        }
        Ok(None)
    }

    /// Takes a message from an idle poll.
    async fn accept(&self, m: &InboxMessage) -> Result<(), AgentError> {
        if m.kind == InboxKind::Cancel {
            return self.on_cancel(m, None).await;
        }
        match self.store.get(&m.transaction_id)? {
            None => {
                // One at a time: a second new sale waits, unacknowledged, for a later poll.
                if self.store.next_to_run()?.is_none() {
                    self.store.insert_received(m)?;
                }
            }
            Some(known) if known.state == TxState::Received => {}
            Some(_) => self.ack_again(m).await,
        }
        Ok(())
    }

    /// A message for a transaction already acknowledged: acknowledged again so the acquirer
    /// stops repeating it, never run again.
    async fn ack_again(&self, m: &InboxMessage) {
        log::info!("transaction {}: delivered again; not run again", m.transaction_id);
        if let Err(e) = self.channel.ack(&m.id).await {
            log::warn!("transaction {}: ack of a repeat: {e}", m.transaction_id);
        }
    }

    async fn on_cancel(
        &self,
        m: &InboxMessage,
        running: Option<(&str, &CancelHandle, &AtomicBool)>,
    ) -> Result<(), AgentError> {
        let id = m.transaction_id.as_str();
        match running {
            Some((running_id, handle, asked)) if running_id == id => {
                self.store.set_cancel_asked(id)?;
                asked.store(true, Ordering::SeqCst);
                handle.cancel();
                self.emit(AgentEvent::CancelAsked { transaction_id: id.into() });
            }
            _ => match self.store.get(id)? {
                Some(tx) if tx.state == TxState::Acked => {
                    self.store.set_cancel_asked(id)?;
                    self.store.finish(&ResultReport {
                        transaction_id: id.into(),
                        result: TerminalResult::CancelledByCashier,
                        card: None,
                        reason: None,
                    })?;
                }
                // The acquirer ends a sale it has no acknowledgement for at once.
                Some(tx) if tx.state == TxState::Received => {
                    self.store.set_state(id, TxState::Dropped)?;
                }
                _ => {}
            },
        }
        if let Err(e) = self.channel.ack(&m.id).await {
            log::warn!("cancel of {id}: ack: {e}");
        }
        Ok(())
    }
}

/// Why a transaction interrupted by a restart is reported approved offline.
pub const RECOVERED_OFFLINE: &str =
    "interrupted after the card approved offline: reported from the offline queue";

/// The step the acquirer is told for what the screen says (none for "cancelling", "remove
/// card").
pub fn terminal_step(p: &ReaderProgress) -> Option<TerminalProgress> {
    match p {
        ReaderProgress::PresentCard => Some(TerminalProgress::WaitingForCard),
        ReaderProgress::Reading { .. } => Some(TerminalProgress::Reading),
        ReaderProgress::EnterPin { .. } | ReaderProgress::PinIncorrect { .. } => {
            Some(TerminalProgress::Pin)
        }
        ReaderProgress::Authorizing => Some(TerminalProgress::Authorizing),
        ReaderProgress::Cancelling | ReaderProgress::RemoveCard => None,
    }
}
