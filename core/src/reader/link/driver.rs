//! The thin async part of the link: one task per end that owns the transport, feeds the decoder
//! and the machine, keeps the machine's timers, and reconnects after a drop.
//!
//! The layer above talks to it through a [`LinkHandle`] (messages out) and a receiver of
//! [`LinkItem`]s (messages in, and "a session started", so that it can resume its transaction).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{sleep, sleep_until, Instant};

use super::decoder::{DecoderStats, FrameDecoder};
use super::machine::{LinkConfig, LinkMachine, LinkStats, Role};
use super::transport::ReaderTransport;

/// How the link task behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverConfig {
    /// The link's timers and bounds.
    pub link: LinkConfig,
    /// Initiator or responder.
    pub role: Role,
    /// Connection attempts in a row before the initiator reports the link down.
    pub connect_attempts: u32,
    /// Pause between two connection attempts.
    pub connect_delay: Duration,
}

impl DriverConfig {
    /// Defaults for the given role.
    pub fn new(role: Role) -> Self {
        DriverConfig {
            link: LinkConfig::default(),
            role,
            connect_attempts: 5,
            connect_delay: Duration::from_millis(200),
        }
    }
}

/// What the link delivers upwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkItem {
    /// A session started (the first, or one after a reconnection).
    SessionStarted {
        /// 1 for the first session, then counting.
        number: u64,
    },
    /// A message from the other end, in order, once per session.
    Message(Vec<u8>),
    /// Connecting failed every attempt; the next message sent makes the link try again.
    Down(String),
}

/// Counts of one link end, for diagnostics, tests and figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DriverStats {
    /// The machine's counts.
    pub link: LinkStats,
    /// The decoder's counts.
    pub decoder: DecoderStats,
    /// Connections made.
    pub connects: u64,
    /// Connections lost or dropped.
    pub drops: u64,
}

enum Command {
    Send(Vec<u8>),
    Drop,
}

/// Sends messages over a running link task. Dropping every handle ends the task.
#[derive(Debug, Clone)]
pub struct LinkHandle {
    commands: mpsc::Sender<Command>,
    stats: Arc<Mutex<DriverStats>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Command::Send(_) => "Send",
            Command::Drop => "Drop",
        })
    }
}

/// The link task has ended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the link has ended")]
pub struct LinkEnded;

impl LinkHandle {
    /// Queues a message; waits while the link's queue is full. Delivery is guaranteed in order,
    /// across reconnections, unless the link ends.
    pub async fn send(&self, message: Vec<u8>) -> Result<(), LinkEnded> {
        self.commands.send(Command::Send(message)).await.map_err(|_| LinkEnded)
    }

    /// Drops the current connection, as if it were lost (for simulators).
    pub async fn drop_connection(&self) -> Result<(), LinkEnded> {
        self.commands.send(Command::Drop).await.map_err(|_| LinkEnded)
    }

    /// The counts so far.
    pub fn stats(&self) -> DriverStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts the link task on `transport`; it connects at once.
pub fn spawn_link<T: ReaderTransport + 'static>(
    transport: T,
    config: DriverConfig,
) -> (LinkHandle, mpsc::Receiver<LinkItem>) {
    let (commands, command_rx) = mpsc::channel(16);
    let (items, item_rx) = mpsc::channel(64);
    let stats = Arc::new(Mutex::new(DriverStats::default()));
    let task = Task {
        transport,
        config,
        machine: LinkMachine::new(config.role, config.link),
        decoder: FrameDecoder::new(),
        items,
        stats: Arc::clone(&stats),
        counts: DriverStats::default(),
    };
    tokio::spawn(task.run(command_rx));
    (LinkHandle { commands, stats }, item_rx)
}

struct Task<T> {
    transport: T,
    config: DriverConfig,
    machine: LinkMachine,
    decoder: FrameDecoder,
    items: mpsc::Sender<LinkItem>,
    stats: Arc<Mutex<DriverStats>>,
    counts: DriverStats,
}

enum Step {
    Continue,
    Disconnect,
    End,
}

impl<T: ReaderTransport> Task<T> {
    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        loop {
            match self.connect(&mut commands).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(()) => return,
            }
            let step = self.session(&mut commands).await;
            let _ = self.transport.close().await;
            if let Step::End = step {
                return;
            }
            self.machine.disconnected();
            self.counts.drops += 1;
            self.publish();
        }
    }

    /// Connects, queueing messages meanwhile. `Err`: the handles are gone, end.
    ///
    /// A connection attempt is never abandoned for a message: an app's transport may go on
    /// connecting after its call was dropped (a socket opened on a thread that cancellation does
    /// not reach), and a second attempt beside it would leave the reader serving a connection
    /// nobody reads, until every answer times out.
    async fn connect(&mut self, commands: &mut mpsc::Receiver<Command>) -> Result<bool, ()> {
        let attempts = match self.config.role {
            Role::Initiator => self.config.connect_attempts.max(1),
            Role::Responder => 1,
        };
        for attempt in 0..attempts {
            if attempt > 0 {
                sleep(self.config.connect_delay).await;
            }
            let connected = {
                let connecting = self.transport.connect();
                tokio::pin!(connecting);
                loop {
                    let room = self.machine.pending() < self.config.link.max_queue;
                    tokio::select! {
                        result = &mut connecting => break result.is_ok(),
                        command = commands.recv(), if room => match command {
                            None => return Err(()),
                            Some(Command::Send(m)) => {
                                let _ = self.machine.send(m, Instant::now().into_std());
                            }
                            // Nothing to drop yet.
                            Some(Command::Drop) => {}
                        },
                    }
                }
            };
            if connected {
                self.counts.connects += 1;
                self.decoder.reset();
                self.machine.connected(rand::random(), Instant::now().into_std());
                return Ok(true);
            }
        }
        let _ = self
            .items
            .send(LinkItem::Down(format!("no connection after {attempts} attempts")))
            .await;
        // Down until the layer above has something to send.
        match commands.recv().await {
            None => Err(()),
            Some(Command::Send(m)) => {
                let _ = self.machine.send(m, Instant::now().into_std());
                Ok(false)
            }
            Some(Command::Drop) => Ok(false),
        }
    }

    /// Runs one connection until it drops (`Disconnect`) or the handles are gone (`End`).
    async fn session(&mut self, commands: &mut mpsc::Receiver<Command>) -> Step {
        let mut was_synced = false;
        let mut decoded = Vec::new();
        loop {
            while let Some(frame) = self.machine.pop_transmit() {
                let Ok(bytes) = frame.encode() else { continue };
                if self.transport.send(&bytes).await.is_err() {
                    return Step::Disconnect;
                }
            }
            if self.machine.is_synced() && !was_synced {
                let number = self.machine.stats().sessions;
                if self.items.send(LinkItem::SessionStarted { number }).await.is_err() {
                    return Step::End;
                }
            }
            was_synced = self.machine.is_synced();
            while let Some(message) = self.machine.pop_delivered() {
                if self.items.send(LinkItem::Message(message)).await.is_err() {
                    return Step::End;
                }
            }
            self.publish();
            let deadline = self.machine.deadline().map(Instant::from_std);
            let room = self.machine.pending() < self.config.link.max_queue;
            let step = tokio::select! {
                chunk = self.transport.receive() => match chunk {
                    Ok(chunk) => {
                        self.decoder.feed(&chunk, &mut decoded);
                        let now = Instant::now().into_std();
                        for d in decoded.drain(..) {
                            self.machine.on_decoded(d, now);
                        }
                        Step::Continue
                    }
                    Err(_) => Step::Disconnect,
                },
                command = commands.recv(), if room => match command {
                    None => Step::End,
                    Some(Command::Send(m)) => {
                        // Cannot be full (checked above); an oversized message is dropped: the
                        // message layer never builds one.
                        let _ = self.machine.send(m, Instant::now().into_std());
                        Step::Continue
                    }
                    Some(Command::Drop) => Step::Disconnect,
                },
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    match self.machine.on_tick(Instant::now().into_std()) {
                        Ok(()) => Step::Continue,
                        Err(e) => {
                            log::warn!("reader link: {e}; reconnecting");
                            Step::Disconnect
                        }
                    }
                }
            };
            if !matches!(step, Step::Continue) {
                return step;
            }
        }
    }

    fn publish(&mut self) {
        self.counts.link = self.machine.stats();
        self.counts.decoder = self.decoder.stats();
        *self.stats.lock().unwrap_or_else(|e| e.into_inner()) = self.counts;
    }
}
