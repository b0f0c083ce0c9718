//! [`LinkCardReader`]: the [`CardReader`] of an external reader, spoken to over the byte link.
//!
//! A dispatcher task sorts what the reader sends: events of the current transaction are kept in
//! order, exactly once (by their index, so that a replay after a reconnection adds nothing
//! twice); answers go to the call waiting for them. After every reconnection the dispatcher asks
//! the reader to resume the running transaction from the first event not yet received.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

use super::driver::{spawn_link, DriverConfig, DriverStats, LinkHandle, LinkItem};
use super::machine::Role;
use super::messages::{ErrorCode, HostMessage, ReaderMessage};
use super::transport::ReaderTransport;
use crate::reader::{
    CardReader, OnlineResponse, ReaderError, ReaderEvent, ReaderRequest, ReaderStatus,
};

/// Settings of a [`LinkCardReader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkReaderConfig {
    /// The link's settings (role is always initiator).
    pub driver: DriverConfig,
    /// How long `begin` and `status` wait for the reader's answer.
    pub reply_timeout: Duration,
    /// Events received but not yet taken; a reader sending more is in error.
    pub max_buffered_events: usize,
}

impl Default for LinkReaderConfig {
    fn default() -> Self {
        LinkReaderConfig {
            driver: DriverConfig::new(Role::Initiator),
            reply_timeout: Duration::from_secs(5),
            max_buffered_events: 256,
        }
    }
}

#[derive(Debug)]
struct Track {
    id: String,
    next_index: u16,
    completed: bool,
}

#[derive(Debug)]
enum Expect {
    Tx(String),
    Status,
}

#[derive(Debug, Default)]
struct State {
    tx: Option<Track>,
    events: VecDeque<ReaderEvent>,
    reply: Option<(Expect, oneshot::Sender<ReaderMessage>)>,
    problem: Option<ReaderError>,
    down: Option<String>,
    ended: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    notify: Notify,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A [`CardReader`] over a [`ReaderTransport`].
#[derive(Debug)]
pub struct LinkCardReader {
    link: LinkHandle,
    shared: Arc<Shared>,
    requests: tokio::sync::Mutex<()>,
    config: LinkReaderConfig,
    dispatcher: JoinHandle<()>,
}

impl Drop for LinkCardReader {
    fn drop(&mut self) {
        // The dispatcher holds a link handle; once it is gone the link task ends too.
        self.dispatcher.abort();
    }
}

impl LinkCardReader {
    /// Starts the link on `transport` (it connects at once). Needs a Tokio runtime.
    pub fn start<T: ReaderTransport + 'static>(transport: T, config: LinkReaderConfig) -> Self {
        let driver = DriverConfig { role: Role::Initiator, ..config.driver };
        let (link, items) = spawn_link(transport, driver);
        let shared = Arc::new(Shared::default());
        let dispatcher = tokio::spawn(dispatch(
            items,
            link.clone(),
            Arc::clone(&shared),
            config.max_buffered_events,
        ));
        LinkCardReader { link, shared, requests: tokio::sync::Mutex::new(()), config, dispatcher }
    }

    /// The link's counts (retransmissions, discarded bytes, reconnections...).
    pub fn link_stats(&self) -> DriverStats {
        self.link.stats()
    }

    /// Drops the connection as if it were lost; the link reconnects and resumes (for tests and
    /// diagnostics).
    pub async fn drop_connection(&self) -> Result<(), ReaderError> {
        self.link.drop_connection().await.map_err(|e| ReaderError::Disconnected(e.to_string()))
    }

    async fn send(&self, message: &HostMessage) -> Result<(), ReaderError> {
        let bytes = message.encode().map_err(|e| ReaderError::Protocol(e.to_string()))?;
        self.link.send(bytes).await.map_err(|e| ReaderError::Disconnected(e.to_string()))
    }

    /// Sends `message` and waits for the answer that `expect` describes.
    async fn request(
        &self,
        message: &HostMessage,
        expect: Expect,
    ) -> Result<ReaderMessage, ReaderError> {
        let (tx, rx) = oneshot::channel();
        self.shared.lock().reply = Some((expect, tx));
        self.send(message).await?;
        match tokio::time::timeout(self.config.reply_timeout, rx).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(_)) => Err(ReaderError::Disconnected("the link has ended".into())),
            Err(_) => {
                self.shared.lock().reply = None;
                Err(ReaderError::Timeout)
            }
        }
    }

    fn current_id(&self) -> Result<String, ReaderError> {
        let state = self.shared.lock();
        state
            .tx
            .as_ref()
            .map(|t| t.id.clone())
            .ok_or_else(|| ReaderError::Protocol("no transaction was begun".into()))
    }
}

#[async_trait::async_trait]
impl CardReader for LinkCardReader {
    async fn status(&self) -> Result<ReaderStatus, ReaderError> {
        let _one_at_a_time = self.requests.lock().await;
        match self.request(&HostMessage::StatusRequest, Expect::Status).await? {
            ReaderMessage::Status(status) => Ok(status),
            other => Err(ReaderError::Protocol(format!(
                "unexpected answer to a status request: {}",
                other.summary()
            ))),
        }
    }

    async fn begin(&self, request: &ReaderRequest) -> Result<(), ReaderError> {
        let _one_at_a_time = self.requests.lock().await;
        let id = request.transaction_id.clone();
        let (message, previous) = {
            let mut state = self.shared.lock();
            match state.tx.as_mut() {
                // Known here: ask for what is missing, never start it again. A completed one is
                // asked for its last event again, so that the caller sees the outcome.
                Some(t) if t.id == id => {
                    if t.completed {
                        t.completed = false;
                        t.next_index = t.next_index.saturating_sub(1);
                    }
                    (
                        HostMessage::Resume {
                            transaction_id: id.clone(),
                            next_event: t.next_index,
                        },
                        None,
                    )
                }
                _ => {
                    let fresh = Track { id: id.clone(), next_index: 0, completed: false };
                    let previous = (
                        state.tx.replace(fresh),
                        std::mem::take(&mut state.events),
                        state.problem.take(),
                    );
                    (HostMessage::Begin(request.clone()), Some(previous))
                }
            }
        };
        let refused = |reader: &Self, error: ReaderError| {
            // The reader keeps running the transaction it had; so does this side.
            if let Some((tx, events, problem)) = previous {
                let mut state = reader.shared.lock();
                (state.tx, state.events, state.problem) = (tx, events, problem);
            }
            Err(error)
        };
        match self.request(&message, Expect::Tx(id.clone())).await {
            Ok(ReaderMessage::TxState { .. }) => Ok(()),
            Ok(ReaderMessage::Error { code: ErrorCode::Busy, .. }) => {
                refused(self, ReaderError::Busy)
            }
            Ok(ReaderMessage::Error { code, detail, .. }) => refused(
                self,
                ReaderError::Protocol(format!(
                    "reader refused transaction {id}: {}: {detail}",
                    code.name()
                )),
            ),
            Ok(other) => refused(
                self,
                ReaderError::Protocol(format!("unexpected answer to begin: {}", other.summary())),
            ),
            Err(e) => Err(e),
        }
    }

    async fn next_event(&self) -> Result<ReaderEvent, ReaderError> {
        loop {
            {
                let mut state = self.shared.lock();
                if let Some(event) = state.events.pop_front() {
                    return Ok(event);
                }
                if let Some(problem) = state.problem.clone() {
                    return Err(problem);
                }
                if state.ended {
                    return Err(ReaderError::Disconnected("the link has ended".into()));
                }
                if let Some(reason) = state.down.clone() {
                    return Err(ReaderError::Disconnected(reason));
                }
                match state.tx.as_ref() {
                    None => return Err(ReaderError::Protocol("no transaction was begun".into())),
                    Some(t) if t.completed => {
                        return Err(ReaderError::Protocol(format!(
                            "transaction {} has completed",
                            t.id
                        )))
                    }
                    Some(_) => {}
                }
            }
            self.shared.notify.notified().await;
        }
    }

    async fn online_response(&self, response: &OnlineResponse) -> Result<(), ReaderError> {
        let transaction_id = self.current_id()?;
        self.send(&HostMessage::OnlineResponse { transaction_id, response: response.clone() }).await
    }

    async fn cancel(&self) -> Result<(), ReaderError> {
        let running = {
            let state = self.shared.lock();
            state.tx.as_ref().filter(|t| !t.completed).map(|t| t.id.clone())
        };
        match running {
            Some(transaction_id) => self.send(&HostMessage::Cancel { transaction_id }).await,
            None => Ok(()),
        }
    }
}

async fn dispatch(
    mut items: mpsc::Receiver<LinkItem>,
    link: LinkHandle,
    shared: Arc<Shared>,
    max_events: usize,
) {
    while let Some(item) = items.recv().await {
        match item {
            LinkItem::SessionStarted { number } => {
                let resume = {
                    let mut state = shared.lock();
                    state.down = None;
                    state.tx.as_ref().filter(|t| number > 1 && !t.completed).map(|t| {
                        HostMessage::Resume {
                            transaction_id: t.id.clone(),
                            next_event: t.next_index,
                        }
                    })
                };
                if let Some(Ok(bytes)) = resume.map(|m| m.encode()) {
                    if link.send(bytes).await.is_err() {
                        break;
                    }
                }
            }
            LinkItem::Down(reason) => shared.lock().down = Some(reason),
            LinkItem::Message(bytes) => match ReaderMessage::decode(&bytes) {
                Ok(message) => on_message(&mut shared.lock(), message, max_events),
                Err(e) => log::warn!("reader link: undecodable message from the reader: {e}"),
            },
        }
        shared.notify.notify_one();
    }
    shared.lock().ended = true;
    shared.notify.notify_one();
}

fn on_message(state: &mut State, message: ReaderMessage, max_events: usize) {
    if let ReaderMessage::Event { transaction_id, index, event } = message {
        let Some(track) = state.tx.as_mut() else { return };
        // Replays and events of another transaction are dropped: each event counts once.
        if track.id != transaction_id || index != track.next_index || track.completed {
            return;
        }
        if state.events.len() >= max_events {
            state.problem =
                Some(ReaderError::Protocol(format!("reader sent more than {max_events} events")));
            return;
        }
        track.next_index = track.next_index.saturating_add(1);
        track.completed = matches!(event, ReaderEvent::Completed { .. });
        state.events.push_back(event);
        return;
    }
    let answers = match (&state.reply, &message) {
        (Some((Expect::Status, _)), ReaderMessage::Status(_)) => true,
        (Some((Expect::Tx(id), _)), ReaderMessage::TxState { transaction_id, .. })
        | (Some((Expect::Tx(id), _)), ReaderMessage::Error { transaction_id, .. }) => {
            id == transaction_id
        }
        _ => false,
    };
    if answers {
        if let Some((_, reply)) = state.reply.take() {
            let _ = reply.send(message);
        }
        return;
    }
    // A resume the dispatcher sent on its own found the reader without the transaction.
    if let ReaderMessage::Error { code: ErrorCode::UnknownTransaction, transaction_id, .. } =
        &message
    {
        if state.tx.as_ref().is_some_and(|t| &t.id == transaction_id && !t.completed) {
            state.problem = Some(ReaderError::Protocol(format!(
                "reader does not know transaction {transaction_id}"
            )));
        }
    }
}
