//! What a reader reports and what the cashier's screen shows, with counts as `Int` (Kotlin) /
//! `Int32` (Swift): FFI mirrors of the core's reader status, events and progress, converted
//! both ways (apps' readers report them; readers implemented in Rust hand them out).

use tillkit_core::reader::machine::ReaderProgress as CoreProgress;
use tillkit_core::reader::{
    EntryMode, ReaderError, ReaderEvent as CoreEvent, ReaderOutcome, ReaderStatus as CoreStatus,
};

use super::types::EmvData;

/// The reader as it reports itself.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReaderStatus {
    /// Whether the reader can be used now.
    pub connected: bool,
    /// Battery charge in percent (0 to 100), when the reader has a battery.
    pub battery_percent: Option<i32>,
    /// Firmware version.
    pub firmware: Option<String>,
    /// The reader's serial number.
    pub serial: Option<String>,
}

impl From<CoreStatus> for ReaderStatus {
    fn from(s: CoreStatus) -> Self {
        ReaderStatus {
            connected: s.connected,
            battery_percent: s.battery_percent.map(i32::from),
            firmware: s.firmware,
            serial: s.serial,
        }
    }
}

impl From<ReaderStatus> for CoreStatus {
    fn from(s: ReaderStatus) -> Self {
        // A percent outside 0..=100 is the SDK's rounding or a placeholder: shown clamped.
        let percent = |p: i32| u8::try_from(p.clamp(0, 100)).unwrap_or(100);
        CoreStatus {
            connected: s.connected,
            battery_percent: s.battery_percent.map(percent),
            firmware: s.firmware,
            serial: s.serial,
        }
    }
}

/// A step a reader reports, in the order they happen. An app's `CardReader` returns these from
/// `nextEvent`, translated from its vendor SDK's callbacks.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ReaderEvent {
    /// The reader waits for a card (tap, insert, swipe).
    WaitingForCard,
    /// A card was presented.
    CardDetected {
        /// How it was read.
        entry: EntryMode,
    },
    /// The card application was chosen.
    ApplicationSelected {
        /// Its AID, upper-case hex.
        aid: String,
        /// Its label (`VISA CREDIT`), when the card gives one.
        label: Option<String>,
    },
    /// The cardholder is asked for a PIN.
    PinRequested {
        /// PIN tries left (0 to 255), when the card tells.
        attempts_left: Option<i32>,
    },
    /// The PIN was entered (its value never leaves the reader).
    PinEntered,
    /// The PIN was wrong; the cardholder is asked again.
    PinIncorrect {
        /// PIN tries left (0 to 255).
        attempts_left: i32,
    },
    /// The card asks for online authorisation: the EMV data (BER-TLV) for the host. TillKit
    /// answers with `CardReader.onlineResponse`.
    AuthorizationRequest {
        /// The EMV data, BER-TLV.
        tlv: EmvData,
    },
    /// The transaction ended.
    Completed {
        /// How.
        outcome: ReaderOutcome,
        /// The final EMV data (BER-TLV), possibly empty.
        tlv: EmvData,
    },
    /// The card was taken away.
    CardRemoved,
}

/// PIN tries as a reader reported them: a count the card cannot hold is a reader out of
/// protocol, not a number to show.
fn tries(n: i32) -> Result<u8, ReaderError> {
    u8::try_from(n).map_err(|_| ReaderError::Protocol(format!("attempts_left {n} is not 0 to 255")))
}

impl TryFrom<ReaderEvent> for CoreEvent {
    type Error = ReaderError;
    fn try_from(e: ReaderEvent) -> Result<Self, ReaderError> {
        Ok(match e {
            ReaderEvent::WaitingForCard => CoreEvent::WaitingForCard,
            ReaderEvent::CardDetected { entry } => CoreEvent::CardDetected { entry },
            ReaderEvent::ApplicationSelected { aid, label } => {
                CoreEvent::ApplicationSelected { aid, label }
            }
            ReaderEvent::PinRequested { attempts_left } => {
                CoreEvent::PinRequested { attempts_left: attempts_left.map(tries).transpose()? }
            }
            ReaderEvent::PinEntered => CoreEvent::PinEntered,
            ReaderEvent::PinIncorrect { attempts_left } => {
                CoreEvent::PinIncorrect { attempts_left: tries(attempts_left)? }
            }
            ReaderEvent::AuthorizationRequest { tlv } => CoreEvent::AuthorizationRequest { tlv },
            ReaderEvent::Completed { outcome, tlv } => CoreEvent::Completed { outcome, tlv },
            ReaderEvent::CardRemoved => CoreEvent::CardRemoved,
        })
    }
}

impl From<CoreEvent> for ReaderEvent {
    fn from(e: CoreEvent) -> Self {
        match e {
            CoreEvent::WaitingForCard => ReaderEvent::WaitingForCard,
            CoreEvent::CardDetected { entry } => ReaderEvent::CardDetected { entry },
            CoreEvent::ApplicationSelected { aid, label } => {
                ReaderEvent::ApplicationSelected { aid, label }
            }
            CoreEvent::PinRequested { attempts_left } => {
                ReaderEvent::PinRequested { attempts_left: attempts_left.map(i32::from) }
            }
            CoreEvent::PinEntered => ReaderEvent::PinEntered,
            CoreEvent::PinIncorrect { attempts_left } => {
                ReaderEvent::PinIncorrect { attempts_left: i32::from(attempts_left) }
            }
            CoreEvent::AuthorizationRequest { tlv } => ReaderEvent::AuthorizationRequest { tlv },
            CoreEvent::Completed { outcome, tlv } => ReaderEvent::Completed { outcome, tlv },
            CoreEvent::CardRemoved => ReaderEvent::CardRemoved,
        }
    }
}

/// What the cashier's screen should say during a card transaction. TillKit decides it; apps
/// only localise it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
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
        attempts_left: Option<i32>,
    },
    /// "Wrong PIN, try again".
    PinIncorrect {
        /// Tries left.
        attempts_left: i32,
    },
    /// "Authorising…".
    Authorizing,
    /// "Cancelling…".
    Cancelling,
    /// "Remove card".
    RemoveCard,
}

impl From<CoreProgress> for ReaderProgress {
    fn from(p: CoreProgress) -> Self {
        match p {
            CoreProgress::PresentCard => ReaderProgress::PresentCard,
            CoreProgress::Reading { entry } => ReaderProgress::Reading { entry },
            CoreProgress::EnterPin { attempts_left } => {
                ReaderProgress::EnterPin { attempts_left: attempts_left.map(i32::from) }
            }
            CoreProgress::PinIncorrect { attempts_left } => {
                ReaderProgress::PinIncorrect { attempts_left: i32::from(attempts_left) }
            }
            CoreProgress::Authorizing => ReaderProgress::Authorizing,
            CoreProgress::Cancelling => ReaderProgress::Cancelling,
            CoreProgress::RemoveCard => ReaderProgress::RemoveCard,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_cross_both_ways_and_impossible_counts_are_protocol_errors() {
        let pin = CoreEvent::PinIncorrect { attempts_left: 2 };
        let ffi = ReaderEvent::from(pin.clone());
        assert_eq!(ffi, ReaderEvent::PinIncorrect { attempts_left: 2 });
        assert_eq!(CoreEvent::try_from(ffi), Ok(pin));
        let bad = ReaderEvent::PinRequested { attempts_left: Some(-1) };
        assert!(matches!(CoreEvent::try_from(bad), Err(ReaderError::Protocol(_))));
        let status = ReaderStatus {
            connected: true,
            battery_percent: Some(140),
            firmware: None,
            serial: None,
        };
        assert_eq!(CoreStatus::from(status).battery_percent, Some(100));
    }
}
