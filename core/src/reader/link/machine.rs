//! The link machine: sequencing, acknowledgement, retransmission and session start, with no I/O
//! and no clock of its own (time is passed in), so that every rule is tested directly.
//!
//! Stop-and-wait in each direction: one DATA frame in flight, the next only after its ACK. A
//! card reader exchanges a handful of small messages per transaction, so a window would add
//! complexity without making a sale faster.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::decoder::Decoded;
use super::frame::{Frame, FrameType, MAX_PAYLOAD};

/// Which end of the link: the initiator (the core) starts every session with SYNC; the
/// responder (the reader) answers and sends nothing on a connection before that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Starts sessions (the phone or POS side).
    Initiator,
    /// Answers them (the reader).
    Responder,
}

/// Time limits and bounds of the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkConfig {
    /// How long to wait for an ACK (or SYNC-ACK) before sending again.
    pub ack_timeout: Duration,
    /// Retransmissions of one frame before the link is declared down.
    pub max_retransmits: u32,
    /// Messages waiting to be sent; more is refused.
    pub max_queue: usize,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig { ack_timeout: Duration::from_millis(250), max_retransmits: 5, max_queue: 64 }
    }
}

/// Why the link cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// A frame went unacknowledged through every retransmission.
    #[error("no acknowledgement after {attempts} transmissions")]
    RetriesExhausted {
        /// How many times it was sent.
        attempts: u32,
    },
    /// Too many messages wait to be sent.
    #[error("link send queue full ({max} messages)")]
    QueueFull {
        /// The bound.
        max: usize,
    },
    /// The message is larger than a frame carries.
    #[error("message of {len} bytes exceeds the frame payload maximum of {max}")]
    MessageTooLarge {
        /// Its length.
        len: usize,
        /// The maximum.
        max: usize,
    },
}

/// Counts of what the link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkStats {
    /// DATA frames sent the first time.
    pub data_sent: u64,
    /// DATA and SYNC frames sent again (timeout or NAK).
    pub retransmissions: u64,
    /// DATA frames delivered upwards.
    pub delivered: u64,
    /// DATA frames received twice (re-acknowledged, not delivered).
    pub duplicates: u64,
    /// DATA frames with an unexpected sequence number (answered with NAK).
    pub out_of_order: u64,
    /// NAKs sent for damaged frames or out-of-order ones.
    pub naks_sent: u64,
    /// Sessions started (SYNC completed).
    pub sessions: u64,
}

#[derive(Debug)]
struct Outstanding {
    frame: Frame,
    sent_at: Instant,
    attempts: u32,
}

/// The link machine of one end.
#[derive(Debug)]
pub struct LinkMachine {
    role: Role,
    config: LinkConfig,
    synced: bool,
    sync: Option<Outstanding>,
    session_nonce: Option<u32>,
    send_seq: u8,
    recv_expected: u8,
    in_flight: Option<Outstanding>,
    queue: VecDeque<Vec<u8>>,
    transmit: VecDeque<Frame>,
    delivered: VecDeque<Vec<u8>>,
    stats: LinkStats,
}

impl LinkMachine {
    /// A machine with no connection yet.
    pub fn new(role: Role, config: LinkConfig) -> Self {
        LinkMachine {
            role,
            config,
            synced: false,
            sync: None,
            session_nonce: None,
            send_seq: 0,
            recv_expected: 0,
            in_flight: None,
            queue: VecDeque::new(),
            transmit: VecDeque::new(),
            delivered: VecDeque::new(),
            stats: LinkStats::default(),
        }
    }

    /// What it did so far.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// Whether a session is established on the current connection.
    pub fn is_synced(&self) -> bool {
        self.synced
    }

    /// Messages not yet acknowledged (queued or in flight).
    pub fn pending(&self) -> usize {
        self.queue.len() + usize::from(self.in_flight.is_some())
    }

    /// Queues a message. It is sent when the frame before it is acknowledged, and survives
    /// reconnections until it is.
    pub fn send(&mut self, payload: Vec<u8>, now: Instant) -> Result<(), LinkError> {
        if payload.len() > MAX_PAYLOAD {
            return Err(LinkError::MessageTooLarge { len: payload.len(), max: MAX_PAYLOAD });
        }
        if self.queue.len() >= self.config.max_queue {
            return Err(LinkError::QueueFull { max: self.config.max_queue });
        }
        self.queue.push_back(payload);
        self.pump(now);
        Ok(())
    }

    /// The connection is gone: the frame in flight goes back to the head of the queue, to be
    /// sent again (with a new sequence number) in the next session.
    pub fn disconnected(&mut self) {
        self.synced = false;
        self.sync = None;
        self.transmit.clear();
        if let Some(out) = self.in_flight.take() {
            self.queue.push_front(out.frame.payload);
        }
    }

    /// A new connection: the initiator starts a session with `nonce` (fresh per connection).
    pub fn connected(&mut self, nonce: u32, now: Instant) {
        self.disconnected();
        if self.role == Role::Initiator {
            let frame =
                Frame { kind: FrameType::Sync, seq: 0, payload: nonce.to_be_bytes().to_vec() };
            self.transmit.push_back(frame.clone());
            self.sync = Some(Outstanding { frame, sent_at: now, attempts: 1 });
        }
    }

    /// Handles what the decoder found.
    pub fn on_decoded(&mut self, decoded: Decoded, now: Instant) {
        match decoded {
            Decoded::Frame(frame) => self.on_frame(frame, now),
            Decoded::Corrupt { kind: FrameType::Data, .. } if self.synced => {
                self.stats.naks_sent += 1;
                self.transmit.push_back(Frame::control(FrameType::Nak, self.recv_expected));
            }
            // A damaged ACK, NAK or SYNC is left to the sender's timeout.
            Decoded::Corrupt { .. } => {}
        }
    }

    fn on_frame(&mut self, frame: Frame, now: Instant) {
        match (frame.kind, self.role) {
            (FrameType::Sync, Role::Responder) => self.on_sync(frame.payload, now),
            (FrameType::SyncAck, Role::Initiator) => {
                if self.sync.as_ref().is_some_and(|s| s.frame.payload == frame.payload) {
                    self.sync = None;
                    self.start_session(now);
                }
            }
            (FrameType::Sync | FrameType::SyncAck, _) => {}
            (_, _) if !self.synced => {}
            (FrameType::Data, _) => self.on_data(frame),
            (FrameType::Ack, _) => {
                if self.in_flight.as_ref().is_some_and(|o| o.frame.seq == frame.seq) {
                    self.in_flight = None;
                    self.pump(now);
                }
            }
            (FrameType::Nak, _) => {
                // Due at once; `on_tick` sends it again and counts the attempt against the bound.
                if let Some(out) = self.in_flight.as_mut() {
                    out.sent_at = now.checked_sub(self.config.ack_timeout).unwrap_or(now);
                }
            }
        }
    }

    fn on_sync(&mut self, nonce: Vec<u8>, now: Instant) {
        let Ok(bytes) = <[u8; 4]>::try_from(nonce.as_slice()) else { return };
        let nonce = u32::from_be_bytes(bytes);
        // A repeated SYNC (our SYNC-ACK was lost) must not restart a session already in use.
        if !(self.synced && self.session_nonce == Some(nonce)) {
            self.disconnected();
            self.session_nonce = Some(nonce);
            self.start_session(now);
        }
        self.transmit.push_front(Frame {
            kind: FrameType::SyncAck,
            seq: 0,
            payload: bytes.to_vec(),
        });
    }

    fn start_session(&mut self, now: Instant) {
        self.synced = true;
        self.send_seq = 0;
        self.recv_expected = 0;
        self.stats.sessions += 1;
        self.pump(now);
    }

    fn on_data(&mut self, frame: Frame) {
        if frame.seq == self.recv_expected {
            self.recv_expected = self.recv_expected.wrapping_add(1);
            self.stats.delivered += 1;
            self.delivered.push_back(frame.payload);
            self.transmit.push_back(Frame::control(FrameType::Ack, frame.seq));
        } else if frame.seq == self.recv_expected.wrapping_sub(1) {
            // Our ACK was lost: acknowledge again, deliver nothing.
            self.stats.duplicates += 1;
            self.transmit.push_back(Frame::control(FrameType::Ack, frame.seq));
        } else {
            self.stats.out_of_order += 1;
            self.stats.naks_sent += 1;
            self.transmit.push_back(Frame::control(FrameType::Nak, self.recv_expected));
        }
    }

    fn pump(&mut self, now: Instant) {
        if !self.synced || self.in_flight.is_some() {
            return;
        }
        if let Some(payload) = self.queue.pop_front() {
            let frame = Frame { kind: FrameType::Data, seq: self.send_seq, payload };
            self.send_seq = self.send_seq.wrapping_add(1);
            self.stats.data_sent += 1;
            self.transmit.push_back(frame.clone());
            self.in_flight = Some(Outstanding { frame, sent_at: now, attempts: 1 });
        }
    }

    /// When [`LinkMachine::on_tick`] must next be called.
    pub fn deadline(&self) -> Option<Instant> {
        let out = self.sync.as_ref().or(self.in_flight.as_ref())?;
        Some(out.sent_at + self.config.ack_timeout)
    }

    /// Sends again what is overdue; fails when a frame used up its retransmissions (the caller
    /// then drops the connection and reconnects).
    pub fn on_tick(&mut self, now: Instant) -> Result<(), LinkError> {
        let timeout = self.config.ack_timeout;
        let max = self.config.max_retransmits;
        let Some(out) = self.sync.as_mut().or(self.in_flight.as_mut()) else { return Ok(()) };
        if now < out.sent_at + timeout {
            return Ok(());
        }
        if out.attempts > max {
            return Err(LinkError::RetriesExhausted { attempts: out.attempts });
        }
        out.attempts += 1;
        out.sent_at = now;
        self.stats.retransmissions += 1;
        self.transmit.push_back(out.frame.clone());
        Ok(())
    }

    /// The next frame to put on the wire.
    pub fn pop_transmit(&mut self) -> Option<Frame> {
        self.transmit.pop_front()
    }

    /// The next message received, in order, once.
    pub fn pop_delivered(&mut self) -> Option<Vec<u8>> {
        self.delivered.pop_front()
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
