//! The simulated card and cardholder: the steps of each scenario.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{sleep, timeout};

use super::{Device, Scenario};
use crate::reader::{EntryMode, OnlineResponse, ReaderEvent, ReaderOutcome, ReaderRequest};

/// What the host sends into a running transaction.
#[derive(Debug)]
pub(super) enum Input {
    Online(OnlineResponse),
    Cancel,
}

/// Why a flow stopped early.
enum Stop {
    /// The cashier cancelled: complete as cancelled.
    Cancelled,
    /// The link is gone for good: nothing more to say.
    Gone,
}

struct Flow {
    device: Device,
    id: String,
    inputs: mpsc::Receiver<Input>,
    delay: Duration,
}

impl Flow {
    async fn emit(&self, event: ReaderEvent) -> Result<(), Stop> {
        self.device.emit(&self.id, event).await.map_err(|()| Stop::Gone)
    }

    /// Waits one step, then reports `event`; a cancel meanwhile ends the flow.
    async fn step(&mut self, event: ReaderEvent) -> Result<(), Stop> {
        self.pause(self.delay).await?;
        self.emit(event).await
    }

    /// Waits `d`, listening for a cancel (anything else is not expected now and is dropped).
    async fn pause(&mut self, d: Duration) -> Result<(), Stop> {
        if d.is_zero() {
            // Tokio's timer has millisecond ticks: a zero wait must not cost one.
            return match self.inputs.try_recv() {
                Ok(Input::Cancel) => Err(Stop::Cancelled),
                Err(mpsc::error::TryRecvError::Disconnected) => Err(Stop::Gone),
                _ => Ok(()),
            };
        }
        let deadline = tokio::time::Instant::now() + d;
        loop {
            match tokio::time::timeout_at(deadline, self.inputs.recv()).await {
                Err(_) => return Ok(()),
                Ok(Some(Input::Cancel)) => return Err(Stop::Cancelled),
                Ok(Some(Input::Online(_))) => {}
                Ok(None) => return Err(Stop::Gone),
            }
        }
    }

    async fn complete(&self, outcome: ReaderOutcome, tlv: Vec<u8>) -> Result<(), Stop> {
        self.emit(ReaderEvent::Completed { outcome, tlv: tlv.into() }).await
    }
}

pub(super) async fn run(device: Device, request: ReaderRequest, inputs: mpsc::Receiver<Input>) {
    let config = device.config;
    let delay = config.step_delay
        + if config.scenario == Scenario::Slow { config.slow_delay } else { Duration::ZERO };
    let mut flow = Flow { device, id: request.transaction_id.clone(), inputs, delay };
    let result = steps(&mut flow, &request, config.scenario, config.card_wait).await;
    if let Err(Stop::Cancelled) = result {
        let _ = flow.complete(ReaderOutcome::Cancelled, Vec::new()).await;
    }
}

async fn steps(
    f: &mut Flow,
    request: &ReaderRequest,
    scenario: Scenario,
    card_wait: Duration,
) -> Result<(), Stop> {
    f.emit(ReaderEvent::WaitingForCard).await?;
    match scenario {
        Scenario::NoCard => {
            f.pause(card_wait.min(Duration::from_secs(2))).await?;
            return f.complete(ReaderOutcome::TimedOut, Vec::new()).await;
        }
        Scenario::CashierCancel => {
            f.pause(card_wait).await?;
            return f.complete(ReaderOutcome::TimedOut, Vec::new()).await;
        }
        _ => {}
    }
    let chip =
        matches!(scenario, Scenario::Decline | Scenario::PinRetry | Scenario::CardRemovedEarly);
    let entry = if chip { EntryMode::Chip } else { EntryMode::Contactless };
    f.step(ReaderEvent::CardDetected { entry }).await?;
    let (aid, label) =
        if chip { ("A0000000041010", "MASTERCARD") } else { ("A0000000031010", "VISA CREDIT") };
    f.step(ReaderEvent::ApplicationSelected { aid: aid.into(), label: Some(label.into()) }).await?;
    if chip {
        f.step(ReaderEvent::PinRequested { attempts_left: Some(3) }).await?;
        match scenario {
            Scenario::CardRemovedEarly => {
                f.step(ReaderEvent::CardRemoved).await?;
                return f.complete(ReaderOutcome::CardRemoved, Vec::new()).await;
            }
            Scenario::PinRetry => {
                f.step(ReaderEvent::PinIncorrect { attempts_left: 2 }).await?;
                f.step(ReaderEvent::PinRequested { attempts_left: Some(2) }).await?;
            }
            _ => {}
        }
        f.step(ReaderEvent::PinEntered).await?;
        if scenario == Scenario::Decline {
            // The card refuses offline: an AAC, cryptogram information data 0x00.
            return f.complete(ReaderOutcome::Declined, vec![0x9F, 0x27, 0x01, 0x00]).await;
        }
    }
    let arqc = crate::reader::sim::authorization_tlv(request);
    f.step(ReaderEvent::AuthorizationRequest { tlv: arqc }).await?;
    let answer = match timeout(card_wait, f.inputs.recv()).await {
        Err(_) => return f.complete(ReaderOutcome::TimedOut, Vec::new()).await,
        Ok(None) => return Err(Stop::Gone),
        Ok(Some(Input::Cancel)) => return Err(Stop::Cancelled),
        Ok(Some(Input::Online(answer))) => answer,
    };
    f.device.counters.online_responses.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    if scenario == Scenario::LinkDrop {
        // The answer arrived; the result is not yet sent when the connection goes.
        let _ = f.device.link.drop_connection().await;
        sleep(Duration::from_millis(20)).await;
    }
    f.pause(f.delay).await.ok();
    let (outcome, cid) = if answer.approved {
        (ReaderOutcome::ApprovedOnline, 0x40) // TC
    } else {
        (ReaderOutcome::Declined, 0x00) // AAC
    };
    let mut tlv = vec![
        0x9F, 0x27, 0x01, cid, 0x9F, 0x26, 0x08, 0x1F, 0x2E, 0x3D, 0x4C, 0x5B, 0x6A, 0x79, 0x88,
    ];
    if let Some(code) = answer.auth_code.filter(|c| c.len() <= 6) {
        tlv.extend([0x89, code.len() as u8]);
        tlv.extend(code.as_bytes());
    }
    f.complete(outcome, tlv).await
}
