//! A simulated card reader (the [`CardReader`] a POS terminal's SDK would be), with scenarios,
//! for tests, the demo and app developers without hardware.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::mpsc;

use super::ReaderOutcome;
use super::{CardReader, EmvData, EntryMode, OnlineResponse, ReaderError, ReaderEvent};
use super::{ReaderRequest, ReaderStatus};

/// What the simulated customer and card do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimScenario {
    /// A chip card with a PIN, approved if the host approves.
    Approve,
    /// A tapped card, declined by the card after the host's answer.
    CardDeclines,
    /// A wrong PIN, then the right one, then as the host says.
    PinRetryThenApprove,
    /// The chip card is pulled out while the host is asked.
    CardRemovedEarly,
    /// No card is ever presented.
    NoCard,
    /// A chip card approved offline, without asking the host.
    OfflineApprove,
    /// As [`SimScenario::Approve`], with every step 300 ms late.
    Slow,
    /// The reader disconnects after the card is read.
    Disconnect,
}

impl SimScenario {
    /// Every scenario, for the CLI and tests.
    pub const ALL: [SimScenario; 8] = [
        SimScenario::Approve,
        SimScenario::CardDeclines,
        SimScenario::PinRetryThenApprove,
        SimScenario::CardRemovedEarly,
        SimScenario::NoCard,
        SimScenario::OfflineApprove,
        SimScenario::Slow,
        SimScenario::Disconnect,
    ];

    /// The name used by the CLI (`approve`, `card-declines`, …).
    pub fn name(self) -> &'static str {
        match self {
            SimScenario::Approve => "approve",
            SimScenario::CardDeclines => "card-declines",
            SimScenario::PinRetryThenApprove => "pin-retry",
            SimScenario::CardRemovedEarly => "card-removed",
            SimScenario::NoCard => "no-card",
            SimScenario::OfflineApprove => "offline-approve",
            SimScenario::Slow => "slow",
            SimScenario::Disconnect => "disconnect",
        }
    }

    /// Parses [`SimScenario::name`].
    pub fn from_name(name: &str) -> Option<SimScenario> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The simulated card's EMV data for `request` (BER-TLV): the amount and currency asked for,
/// a Visa AID and label, the test PAN 4761730000000119 (masked on parse), an ARQC, TVR and
/// entry mode chip.
pub fn authorization_tlv(request: &ReaderRequest) -> EmvData {
    use crate::emv::tags;
    use crate::emv::{encode, Tag, Tlv};
    let minor = request.amount.minor_units().unsigned_abs();
    let bcd = |digits: String| -> Vec<u8> {
        digits.as_bytes().chunks(2).map(|p| ((p[0] - b'0') << 4) | (p[1] - b'0')).collect()
    };
    let objects: Vec<(Tag, Vec<u8>)> = vec![
        (tags::AMOUNT_AUTHORISED, bcd(format!("{minor:012}"))),
        (tags::TRANSACTION_CURRENCY, bcd(format!("{:04}", request.amount.currency().numeric()))),
        (tags::AID, vec![0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10]),
        (tags::APPLICATION_LABEL, b"VISA CREDIT".to_vec()),
        (tags::PAN, vec![0x47, 0x61, 0x73, 0x00, 0x00, 0x00, 0x01, 0x19]),
        (tags::APPLICATION_CRYPTOGRAM, vec![0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]),
        (tags::CRYPTOGRAM_INFORMATION, vec![0x80]),
        (tags::ATC, vec![0x00, 0x2A]),
        (tags::TVR, vec![0; 5]),
        (tags::POS_ENTRY_MODE, vec![0x05]),
    ];
    let built: Result<Vec<Tlv>, _> =
        objects.into_iter().map(|(tag, value)| Tlv::primitive(tag, value)).collect();
    EmvData::new(built.and_then(|o| encode(&o)).unwrap_or_default())
}

/// A reader that plays a scenario. One transaction at a time; `begin` with the id of the
/// running transaction resumes it.
pub struct SimulatedCardReader {
    scenario: SimScenario,
    state: Mutex<Option<Running>>,
    events: tokio::sync::Mutex<Option<mpsc::UnboundedReceiver<ReaderEvent>>>,
}

struct Running {
    transaction_id: String,
    tx: mpsc::UnboundedSender<ReaderEvent>,
    ended: bool,
}

impl SimulatedCardReader {
    /// A reader playing `scenario`.
    pub fn new(scenario: SimScenario) -> Self {
        SimulatedCardReader {
            scenario,
            state: Mutex::new(None),
            events: tokio::sync::Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends an event of the running transaction, if it has not ended.
    fn push(&self, event: ReaderEvent) {
        let mut guard = self.lock();
        if let Some(r) = guard.as_mut().filter(|r| !r.ended) {
            r.ended = matches!(event, ReaderEvent::Completed { .. });
            let _ = r.tx.send(event);
        }
    }

    fn opening(&self, request: &ReaderRequest) -> Vec<ReaderEvent> {
        use ReaderEvent as E;
        let chip = E::CardDetected { entry: EntryMode::Chip };
        let app =
            E::ApplicationSelected { aid: "A0000000031010".into(), label: Some("VISA".into()) };
        let pin = E::PinRequested { attempts_left: Some(3) };
        let ask = E::AuthorizationRequest { tlv: authorization_tlv(request) };
        match self.scenario {
            SimScenario::NoCard => vec![E::WaitingForCard],
            SimScenario::CardDeclines => {
                vec![E::WaitingForCard, E::CardDetected { entry: EntryMode::Contactless }, app, ask]
            }
            SimScenario::PinRetryThenApprove => vec![
                E::WaitingForCard,
                chip,
                app,
                pin,
                E::PinIncorrect { attempts_left: 2 },
                E::PinEntered,
                ask,
            ],
            SimScenario::OfflineApprove => vec![
                E::WaitingForCard,
                chip,
                app,
                E::Completed {
                    outcome: ReaderOutcome::ApprovedOffline,
                    tlv: authorization_tlv(request),
                },
            ],
            SimScenario::Disconnect => vec![E::WaitingForCard, chip, app],
            SimScenario::Approve | SimScenario::Slow | SimScenario::CardRemovedEarly => {
                vec![E::WaitingForCard, chip, app, pin, E::PinEntered, ask]
            }
        }
    }
}

#[async_trait::async_trait]
impl CardReader for SimulatedCardReader {
    async fn status(&self) -> Result<ReaderStatus, ReaderError> {
        Ok(ReaderStatus {
            connected: true,
            battery_percent: Some(87),
            firmware: Some("sim-1.0".into()),
            serial: Some("SIM-0001".into()),
        })
    }

    async fn begin(&self, request: &ReaderRequest) -> Result<(), ReaderError> {
        {
            let guard = self.lock();
            if let Some(r) = guard.as_ref() {
                if r.transaction_id == request.transaction_id {
                    return Ok(());
                }
                if !r.ended {
                    return Err(ReaderError::Busy);
                }
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        *self.events.lock().await = Some(rx);
        *self.lock() =
            Some(Running { transaction_id: request.transaction_id.clone(), tx, ended: false });
        for event in self.opening(request) {
            self.push(event);
        }
        if self.scenario == SimScenario::Disconnect {
            // Dropping the sender: the events sent are read, then the link is gone.
            self.disconnect();
        }
        Ok(())
    }

    async fn next_event(&self) -> Result<ReaderEvent, ReaderError> {
        if self.scenario == SimScenario::Slow {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let mut events = self.events.lock().await;
        let rx = events.as_mut().ok_or(ReaderError::Protocol("no transaction".into()))?;
        match rx.recv().await {
            Some(event) => Ok(event),
            None => Err(ReaderError::Disconnected("simulated reader closed".into())),
        }
    }

    async fn online_response(&self, response: &OnlineResponse) -> Result<(), ReaderError> {
        use ReaderEvent as E;
        let outcome = match self.scenario {
            SimScenario::CardRemovedEarly => {
                self.push(E::CardRemoved);
                ReaderOutcome::CardRemoved
            }
            SimScenario::CardDeclines => ReaderOutcome::Declined,
            _ if response.approved => ReaderOutcome::ApprovedOnline,
            _ => ReaderOutcome::Declined,
        };
        self.push(E::Completed { outcome, tlv: EmvData::default() });
        if outcome != ReaderOutcome::CardRemoved {
            self.push(E::CardRemoved);
        }
        Ok(())
    }

    async fn cancel(&self) -> Result<(), ReaderError> {
        self.push(ReaderEvent::Completed {
            outcome: ReaderOutcome::Cancelled,
            tlv: EmvData::default(),
        });
        Ok(())
    }
}

impl SimulatedCardReader {
    /// Ends the link as a [`SimScenario::Disconnect`] reader does: every later call fails.
    pub fn disconnect(&self) {
        *self.lock() = None;
    }
}
