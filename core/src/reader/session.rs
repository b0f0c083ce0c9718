//! Runs one reader transaction: the I/O around [`ReaderMachine`]. It starts the reader, keeps
//! one `next_event` call open at a time (never dropped half-way, so no step is lost), applies
//! the time limits, passes a cashier's cancel to the reader, asks the host, and reports progress.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::machine::{Finish, HostVerdict, ReaderAction, ReaderInput, ReaderMachine};
use super::machine::{ReaderProgress, ReaderState};
use super::{CardReader, EmvData, OnlineResponse, ReaderError, ReaderOutcome, ReaderRequest};
use crate::emv::AuthorizationData;

/// How long each step may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderLimits {
    /// For the customer to present a card.
    pub card_wait: Duration,
    /// For the cardholder to enter a PIN.
    pub pin_entry: Duration,
    /// For any other reader step (reading the card, completing).
    pub reader_step: Duration,
    /// For the host to answer an authorisation request (then the card decides offline).
    pub host: Duration,
    /// For the reader to report the end after a cancel (then it is taken as lost).
    pub cancel: Duration,
}

impl Default for ReaderLimits {
    fn default() -> Self {
        ReaderLimits {
            card_wait: Duration::from_secs(60),
            pin_entry: Duration::from_secs(60),
            reader_step: Duration::from_secs(30),
            host: Duration::from_secs(30),
            cancel: Duration::from_secs(10),
        }
    }
}

impl ReaderLimits {
    fn for_state(&self, state: ReaderState) -> Duration {
        match state {
            ReaderState::Starting | ReaderState::WaitingForCard => self.card_wait,
            ReaderState::Pin => self.pin_entry,
            ReaderState::Cancelling => self.cancel,
            _ => self.reader_step,
        }
    }
}

/// The issuer side of a card transaction: takes the card's authorisation request (EMV data)
/// and answers it. A POS terminal's host, the sandbox, or a test double.
#[async_trait::async_trait]
pub trait AuthorizationHost: Send + Sync {
    /// Authorises the request; an error means the host could not be reached.
    async fn authorize(
        &self,
        request: &ReaderRequest,
        emv: &EmvData,
    ) -> Result<OnlineResponse, ReaderError>;
}

/// Lets the cashier stop a running transaction from another task.
#[derive(Debug, Clone, Default)]
pub struct CancelHandle {
    inner: Arc<(AtomicBool, Notify)>,
}

impl CancelHandle {
    /// A handle nobody has used yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the transaction to stop; it still ends through the reader.
    pub fn cancel(&self) {
        self.inner.0.store(true, Ordering::SeqCst);
        self.inner.1.notify_waiters();
    }

    /// Whether a cancel was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.inner.0.load(Ordering::SeqCst)
    }

    /// Resolves once a cancel is asked for.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.1.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// What the card showed, masked: safe to keep, log and show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRead {
    /// The card number, first 6 and last 4 digits.
    pub masked_pan: String,
    /// The application's AID, upper-case hex.
    pub aid: String,
    /// The application label (`VISA CREDIT`), when the card gives one.
    pub label: Option<String>,
    /// How the card was read, when the card data says.
    pub entry: Option<super::EntryMode>,
}

impl From<&AuthorizationData> for CardRead {
    fn from(d: &AuthorizationData) -> Self {
        CardRead {
            masked_pan: d.masked_pan.clone(),
            aid: d.aid.clone(),
            label: d.label.clone(),
            entry: d.entry(),
        }
    }
}

/// How a reader transaction ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderResult {
    /// The outcome, whether an approval must be reversed, and the final EMV data.
    pub finish: Finish,
    /// What the card showed, masked, once its data was read.
    pub card: Option<CardRead>,
    /// Why the core stopped or refused the transaction (the card's data named another amount,
    /// say), when it did.
    pub problem: Option<String>,
}

/// Reads the card's authorisation data and checks it is about this sale: the same amount in
/// the same currency. A reader that reports another amount is never believed.
fn check_card_data(emv: &EmvData, request: &ReaderRequest) -> Result<AuthorizationData, String> {
    let data = AuthorizationData::from_tlv(emv.as_bytes()).map_err(|e| e.to_string())?;
    if data.currency != request.amount.currency() || data.amount != request.amount.value() {
        return Err(format!(
            "the card's data is for {} {}, the sale for {}",
            data.amount, data.currency, request.amount
        ));
    }
    Ok(data)
}

/// Runs a transaction to its end. `progress` is told what the screen should say. Fails only
/// when the reader could not start it (busy, not connected): then nothing happened.
pub async fn run_transaction(
    reader: &dyn CardReader,
    host: &dyn AuthorizationHost,
    request: &ReaderRequest,
    limits: &ReaderLimits,
    cancel: &CancelHandle,
    progress: &(dyn Fn(ReaderProgress) + Send + Sync),
) -> Result<ReaderResult, ReaderError> {
    tokio::time::timeout(limits.reader_step, reader.begin(request))
        .await
        .map_err(|_| ReaderError::Timeout)??;
    let mut machine = ReaderMachine::new();
    let mut pending = Box::pin(reader.next_event());
    let mut deadline = tokio::time::Instant::now() + limits.for_state(machine.state());
    let mut cancel_seen = false;
    let (mut card, mut problem) = (None, None);
    loop {
        let input = tokio::select! {
            event = &mut pending => {
                pending = Box::pin(reader.next_event());
                match event {
                    Ok(e) => ReaderInput::Reader(e),
                    Err(ReaderError::Timeout) => ReaderInput::TimedOut,
                    Err(e) => {
                        log::warn!("reader {}: {e}", request.transaction_id);
                        ReaderInput::ReaderLost
                    }
                }
            }
            () = cancel.cancelled(), if !cancel_seen => {
                cancel_seen = true;
                ReaderInput::Cancel
            }
            () = tokio::time::sleep_until(deadline) => ReaderInput::TimedOut,
        };
        let before = machine.state();
        let mut step = machine.on(input);
        loop {
            if let Some(p) = step.1.take() {
                progress(p);
            }
            match step.0 {
                ReaderAction::Wait => break,
                ReaderAction::Finish(mut finish) => {
                    if finish.outcome == ReaderOutcome::ApprovedOffline {
                        // An offline approval is forwarded later: it must be about this sale.
                        match check_card_data(&finish.tlv, request) {
                            Ok(data) => card = Some(CardRead::from(&data)),
                            Err(why) => {
                                log::warn!("reader {}: {why}", request.transaction_id);
                                finish.outcome = ReaderOutcome::Declined;
                                problem = Some(why);
                            }
                        }
                    }
                    return Ok(ReaderResult { finish, card, problem });
                }
                ReaderAction::Cancel => {
                    if let Err(e) = reader.cancel().await {
                        log::warn!("reader {}: cancel: {e}", request.transaction_id);
                    }
                    break;
                }
                ReaderAction::AskHost(emv) => {
                    match check_card_data(&emv, request) {
                        Ok(data) => card = Some(CardRead::from(&data)),
                        Err(why) => {
                            log::warn!("reader {}: {why}", request.transaction_id);
                            problem = Some(why);
                            step = machine.on(ReaderInput::Cancel);
                            continue;
                        }
                    }
                    let answer = tokio::time::timeout(limits.host, host.authorize(request, &emv));
                    let response = match answer.await {
                        Ok(Ok(r)) => r,
                        Ok(Err(_)) | Err(_) => OnlineResponse {
                            approved: false,
                            auth_code: None,
                            issuer_tlv: Vec::new(),
                            unable_to_go_online: true,
                        },
                    };
                    let verdict = match (response.unable_to_go_online, response.approved) {
                        (true, _) => HostVerdict::Unreachable,
                        (false, true) => HostVerdict::Approved,
                        (false, false) => HostVerdict::Declined,
                    };
                    step = machine.on(ReaderInput::HostAnswered(verdict));
                    if step.0 == ReaderAction::Respond {
                        if let Err(e) = reader.online_response(&response).await {
                            log::warn!("reader {}: online response: {e}", request.transaction_id);
                            step = machine.on(ReaderInput::ReaderLost);
                        } else {
                            step.0 = ReaderAction::Wait;
                        }
                    }
                }
                ReaderAction::Respond => break,
            }
        }
        if machine.state() != before {
            deadline = tokio::time::Instant::now() + limits.for_state(machine.state());
        }
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
