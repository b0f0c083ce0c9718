//! The reader transaction machine: pure, no I/O. The session (`session.rs`) feeds it what the
//! reader, the host, the cashier and the clock say, and carries out the action it returns.
//!
//! The rule that matters for money: once the host has approved online, the transaction is not
//! "nothing happened" whatever the reader does next. A card that declines after an online
//! approval, a card pulled out, a cancel or a lost reader leaves an approval at the host that
//! must be reversed ([`Finish::needs_reversal`]), never silently forgotten.

use super::{EmvData, EntryMode, ReaderEvent, ReaderOutcome};

/// Where a reader transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReaderState {
    /// `begin` is being sent.
    Starting,
    /// The reader waits for a card.
    WaitingForCard,
    /// A card is being read (detected, application chosen).
    Reading,
    /// The cardholder is entering a PIN.
    Pin,
    /// The host is being asked.
    Authorizing,
    /// The host's answer is with the card; the reader will report the end.
    Completing,
    /// The cashier cancelled; the reader will report the end.
    Cancelling,
    /// Ended.
    Done,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderInput {
    /// The reader reported a step.
    Reader(ReaderEvent),
    /// The host answered the authorisation request (or could not be reached).
    HostAnswered(HostVerdict),
    /// The cashier asked to stop.
    Cancel,
    /// The current step outran its time limit.
    TimedOut,
    /// The reader is gone (disconnected, failed) and did not come back.
    ReaderLost,
}

/// What the host said to an authorisation request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostVerdict {
    /// Approved.
    Approved,
    /// Declined.
    Declined,
    /// Not reached: the card decides (decline, or approve offline).
    Unreachable,
}

/// What the session must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderAction {
    /// Wait for the reader's next step.
    Wait,
    /// Ask the host to authorise this EMV data.
    AskHost(EmvData),
    /// Hand the host's answer to the card, then wait.
    Respond,
    /// Ask the reader to stop, then wait for it to report the end.
    Cancel,
    /// The transaction is over.
    Finish(Finish),
}

/// How a transaction ended, for the sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// The outcome.
    pub outcome: ReaderOutcome,
    /// The host approved online, and the card or reader did not complete: the approval must be
    /// reversed at the host (or the sale flagged for a person).
    pub needs_reversal: bool,
    /// The final EMV data, when the reader gave it.
    pub tlv: EmvData,
}

/// What the cashier's screen should say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderProgress {
    /// "Present card".
    PresentCard,
    /// "Reading card…".
    Reading {
        /// How the card was presented, once known.
        entry: Option<EntryMode>,
    },
    /// "Enter PIN".
    EnterPin {
        /// Tries left, when known.
        attempts_left: Option<u8>,
    },
    /// "Wrong PIN, try again".
    PinIncorrect {
        /// Tries left.
        attempts_left: u8,
    },
    /// "Authorising…".
    Authorizing,
    /// "Cancelling…".
    Cancelling,
    /// "Remove card".
    RemoveCard,
}

/// The machine: its state, and what it has learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderMachine {
    state: ReaderState,
    host: Option<HostVerdict>,
    /// A chip card is in the reader (inserted, not yet removed).
    card_inserted: bool,
    /// The cancel was the machine's own, because a step outran its limit.
    timed_out: bool,
}

impl Default for ReaderMachine {
    fn default() -> Self {
        Self::new()
    }
}

impl ReaderMachine {
    /// A transaction about to be started.
    pub fn new() -> Self {
        ReaderMachine {
            state: ReaderState::Starting,
            host: None,
            card_inserted: false,
            timed_out: false,
        }
    }

    /// Where it stands.
    pub fn state(&self) -> ReaderState {
        self.state
    }

    /// What the host said, once asked.
    pub fn host(&self) -> Option<HostVerdict> {
        self.host
    }

    /// Applies an input; returns the action and, when the screen should change, what it says.
    pub fn on(&mut self, input: ReaderInput) -> (ReaderAction, Option<ReaderProgress>) {
        use ReaderInput as I;
        use ReaderState as S;
        if self.state == S::Done {
            return (ReaderAction::Wait, None);
        }
        match (self.state, input) {
            (_, I::Reader(ReaderEvent::Completed { outcome, tlv })) => self.finish(outcome, tlv),
            (_, I::ReaderLost) => self.finish(self.lost_outcome(), EmvData::default()),
            // A step that outran its limit: ask the reader to stop, it still reports the end.
            (S::Cancelling, I::TimedOut) => self.finish(self.lost_outcome(), EmvData::default()),
            (_, cause @ (I::TimedOut | I::Cancel)) => {
                self.timed_out = cause == I::TimedOut;
                self.state = S::Cancelling;
                (ReaderAction::Cancel, Some(ReaderProgress::Cancelling))
            }
            (S::Cancelling, I::Reader(ReaderEvent::CardRemoved)) => {
                self.card_inserted = false;
                (ReaderAction::Wait, None)
            }
            // The host's word counts even after a cancel: an approval must then be reversed.
            (S::Cancelling, I::HostAnswered(verdict)) => {
                self.host = Some(verdict);
                (ReaderAction::Wait, None)
            }
            (S::Cancelling, I::Reader(_)) => (ReaderAction::Wait, None),
            (S::Starting | S::WaitingForCard, I::Reader(ReaderEvent::WaitingForCard)) => {
                self.state = S::WaitingForCard;
                (ReaderAction::Wait, Some(ReaderProgress::PresentCard))
            }
            (S::Starting | S::WaitingForCard, I::Reader(ReaderEvent::CardDetected { entry })) => {
                self.state = S::Reading;
                self.card_inserted = entry == EntryMode::Chip;
                (ReaderAction::Wait, Some(ReaderProgress::Reading { entry: Some(entry) }))
            }
            (S::Reading, I::Reader(ReaderEvent::ApplicationSelected { .. })) => {
                (ReaderAction::Wait, Some(ReaderProgress::Reading { entry: None }))
            }
            (S::Reading | S::Pin, I::Reader(ReaderEvent::PinRequested { attempts_left })) => {
                self.state = S::Pin;
                (ReaderAction::Wait, Some(ReaderProgress::EnterPin { attempts_left }))
            }
            (S::Pin, I::Reader(ReaderEvent::PinEntered)) => {
                self.state = S::Reading;
                (ReaderAction::Wait, Some(ReaderProgress::Reading { entry: None }))
            }
            (S::Pin | S::Reading, I::Reader(ReaderEvent::PinIncorrect { attempts_left })) => {
                self.state = S::Pin;
                (ReaderAction::Wait, Some(ReaderProgress::PinIncorrect { attempts_left }))
            }
            (S::Reading | S::Pin, I::Reader(ReaderEvent::AuthorizationRequest { tlv })) => {
                self.state = S::Authorizing;
                (ReaderAction::AskHost(tlv), Some(ReaderProgress::Authorizing))
            }
            (S::Authorizing, I::HostAnswered(verdict)) => {
                self.host = Some(verdict);
                self.state = S::Completing;
                (ReaderAction::Respond, None)
            }
            (_, I::HostAnswered(_)) => (ReaderAction::Wait, None),
            // Pulled out mid-way: the reader reports how that ended.
            (_, I::Reader(ReaderEvent::CardRemoved)) => {
                self.card_inserted = false;
                (ReaderAction::Wait, None)
            }
            // Anything else is out of order: the reader is not doing what it said. Stop it.
            _ => {
                self.state = S::Cancelling;
                (ReaderAction::Cancel, Some(ReaderProgress::Cancelling))
            }
        }
    }

    /// The end the reader did not report (it was lost, or never answered the cancel).
    fn lost_outcome(&self) -> ReaderOutcome {
        match self.state {
            ReaderState::Starting | ReaderState::WaitingForCard => ReaderOutcome::TimedOut,
            _ => ReaderOutcome::Cancelled,
        }
    }

    fn finish(
        &mut self,
        reported: ReaderOutcome,
        tlv: EmvData,
    ) -> (ReaderAction, Option<ReaderProgress>) {
        use HostVerdict as H;
        self.state = ReaderState::Done;
        // An approval is believed only where the host's word allows it: online only after the
        // host approved, offline only when the host was not asked or not reached.
        let outcome = match (reported, self.host) {
            (ReaderOutcome::ApprovedOnline, Some(H::Approved)) => ReaderOutcome::ApprovedOnline,
            (ReaderOutcome::ApprovedOnline, _) => ReaderOutcome::Declined,
            (ReaderOutcome::ApprovedOffline, Some(H::Approved)) => ReaderOutcome::ApprovedOnline,
            (ReaderOutcome::ApprovedOffline, Some(H::Declined)) => ReaderOutcome::Declined,
            (ReaderOutcome::Cancelled, _) if self.timed_out => ReaderOutcome::TimedOut,
            (other, _) => other,
        };
        let needs_reversal =
            self.host == Some(H::Approved) && outcome != ReaderOutcome::ApprovedOnline;
        let progress = self.card_inserted.then_some(ReaderProgress::RemoveCard);
        (ReaderAction::Finish(Finish { outcome, needs_reversal, tlv }), progress)
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
