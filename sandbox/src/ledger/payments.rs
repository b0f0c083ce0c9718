//! New payment attempts, their idempotency rules, and the Oceanpayment offline void.

use std::time::Duration;

use rusqlite::{OptionalExtension, Transaction};
use tillkit_core::money::Amount;
use tillkit_core::paycode::PaymentCode;

use super::devices::Presence;
use super::model::{Acquirer, Attempt, Flow, PaymentStatus, Reason, Terminal};
use super::plan::{next_transition, plan, Plan, Transition};
use super::{after_final, attempt_by, exec, latest_attempt, next_id, one, Ledger, LedgerError};
use crate::config::TerminalMode;
use crate::scenario::{Scenario, WireFault};

/// A payment request, validated by its wire layer.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// Which acquirer.
    pub acquirer: Acquirer,
    /// Idempotency key (PingPong `requestId`; Oceanpayment `order_number`).
    pub request_id: String,
    /// The order (PingPong `merchantTransactionId`; Oceanpayment `order_number`).
    pub merchant_transaction_id: String,
    /// How much.
    pub amount: Amount,
    /// How the customer pays.
    pub flow: Flow,
    /// The payment method as named on the wire.
    pub method: String,
    /// The customer-presented code (code flow).
    pub code: Option<PaymentCode>,
    /// The terminal that takes the card (card flow).
    pub terminal: Option<Terminal>,
    /// The cashier's device id.
    pub cashier_device_id: Option<String>,
    /// When an unpaid QR or card order closes, epoch ms, already scaled. `None`: the default.
    pub expires_ms: Option<i64>,
    /// Notification URL.
    pub notify_url: Option<String>,
    /// PingPong `closeNotificationUrl`.
    pub close_notify_url: Option<String>,
    /// Remark / order notes, echoed.
    pub remark: Option<String>,
}

/// What the ledger decided about a payment request.
#[derive(Debug, Clone)]
pub enum PaymentDecision {
    /// Answer with this attempt. `replay` is true when the request id was seen before; `fault` is
    /// the wire fault of the first answer (scenarios 55, 56, 58, 59).
    Answer {
        /// The attempt to answer with.
        attempt: Box<Attempt>,
        /// True for a repeated request id.
        replay: bool,
        /// Transport fault to inject into this answer.
        fault: Option<WireFault>,
    },
    /// Scenario 57: nothing was committed; answer HTTP 500.
    NotCommitted,
    /// Refused before anything was committed.
    Refused(Refusal),
}

/// Why a payment request was refused without committing anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The request id was used for another order or amount.
    RequestIdReused,
    /// The order is paid or being paid (PingPong 107000).
    OrderInProgress(PaymentStatus),
    /// The order is closed or voided (PingPong 105000).
    OrderFinal(PaymentStatus),
    /// No terminal with this serial number and model is registered.
    UnknownTerminal,
    /// The terminal is busy with another order's payment.
    TerminalBusy {
        /// The order it is busy with.
        merchant_transaction_id: String,
        /// The terminal is served by an agent (the answer carries `terminalState`).
        agent: bool,
    },
    /// The terminal's agent has not polled its inbox recently, or ever.
    TerminalUnreachable {
        /// Its last inbox poll, epoch ms.
        last_seen_ms: Option<i64>,
    },
}

/// What an Oceanpayment offline void did.
#[derive(Debug, Clone)]
pub enum VoidDecision {
    /// The unpaid order can no longer be paid, or the paid one was reversed in full.
    Voided(Attempt),
    /// The order cannot be voided (it failed or expired); the attempt is returned as it is.
    Refused(Attempt),
    /// No such order.
    UnknownOrder,
}

impl Ledger {
    /// Decides and commits a payment request (see the module docs of the wire layers for how each
    /// decision is answered).
    pub fn begin_payment(&self, p: &NewPayment) -> Result<PaymentDecision, LedgerError> {
        self.write(|tx, now| {
            if let Some(seen) = attempt_by(tx, p.acquirer, "request_id", &p.request_id)? {
                let same = seen.merchant_transaction_id == p.merchant_transaction_id
                    && seen.amount_minor == p.amount.minor_units()
                    && seen.currency == p.amount.currency().code();
                return Ok(if same {
                    PaymentDecision::Answer { attempt: Box::new(seen), replay: true, fault: None }
                } else {
                    PaymentDecision::Refused(Refusal::RequestIdReused)
                });
            }
            if let Some(last) = latest_attempt(tx, p.acquirer, &p.merchant_transaction_id)? {
                match last.status {
                    PaymentStatus::Failed => {}
                    s @ (PaymentStatus::Success | PaymentStatus::Processing) => {
                        return Ok(PaymentDecision::Refused(Refusal::OrderInProgress(s)))
                    }
                    s @ (PaymentStatus::Closed | PaymentStatus::Cancel) => {
                        return Ok(PaymentDecision::Refused(Refusal::OrderFinal(s)))
                    }
                }
            }
            let mut agent = false;
            if let (Some(t), Flow::Card) = (&p.terminal, p.flow) {
                let presence = super::devices::presence(tx, t)?;
                agent = self.terminal_mode == TerminalMode::Agent || presence.keyed;
                if let Some(refusal) = terminal_refusal(self, tx, t, agent, presence, now)? {
                    return Ok(PaymentDecision::Refused(refusal));
                }
            }
            let scenario = Scenario::from_minor_units(p.amount.minor_units());
            let fault = match scenario.wire_fault() {
                Some(f) if first_fault(tx, p, scenario, now)? => Some(f),
                _ => None,
            };
            if fault == Some(WireFault::ServerError) {
                return Ok(PaymentDecision::NotCommitted);
            }
            let code_used = match &p.code {
                Some(code) => !claim_code(tx, p, code, now)?,
                None => false,
            };
            let attempt = insert_attempt(self, tx, p, scenario, code_used, agent, now)?;
            Ok(PaymentDecision::Answer { attempt: Box::new(attempt), replay: false, fault })
        })
        .inspect(|d| {
            if matches!(d, PaymentDecision::Answer { attempt, replay: false, .. }
                if attempt.flow == Flow::Card)
            {
                self.ring();
            }
        })
    }

    /// Oceanpayment offline void (`service/auth`, `payment_authType=3`) of an order's latest
    /// attempt. Voiding twice answers the void again.
    pub fn void(
        &self,
        acquirer: Acquirer,
        merchant_transaction_id: &str,
    ) -> Result<VoidDecision, LedgerError> {
        self.write(|tx, now| {
            let Some(last) = latest_attempt(tx, acquirer, merchant_transaction_id)? else {
                return Ok(VoidDecision::UnknownOrder);
            };
            match last.status {
                PaymentStatus::Cancel => return Ok(VoidDecision::Voided(last)),
                PaymentStatus::Failed | PaymentStatus::Closed => {
                    return Ok(VoidDecision::Refused(last))
                }
                PaymentStatus::Success => super::refunds::reverse_in_full(tx, &last, now)?,
                PaymentStatus::Processing => {}
            }
            exec(
                tx,
                "UPDATE attempts SET status = 'CANCEL', reason = ?3, final_ms = ?4, next_ms = NULL \
                 WHERE acquirer = ?1 AND request_id = ?2",
                (acquirer.as_str(), &last.request_id, Reason::Voided.as_str(), now),
            )?;
            exec(
                tx,
                "UPDATE orders SET status = 'CANCEL' \
                 WHERE acquirer = ?1 AND merchant_transaction_id = ?2",
                (acquirer.as_str(), merchant_transaction_id),
            )?;
            let voided = attempt_by(tx, acquirer, "request_id", &last.request_id)?;
            Ok(voided.map_or(VoidDecision::UnknownOrder, VoidDecision::Voided))
        })
    }
}

/// How long (simulated) a terminal's agent may stay silent and still be sent card sales.
const REACHABLE_FOR: Duration = Duration::from_secs(30);

/// How long (simulated) a terminal has to acknowledge a card sale.
const PICKUP_WITHIN: Duration = Duration::from_secs(60);

fn terminal_refusal(
    ledger: &Ledger,
    tx: &Transaction<'_>,
    t: &Terminal,
    agent: bool,
    presence: Presence,
    now: i64,
) -> Result<Option<Refusal>, LedgerError> {
    let known: Option<i64> = one(
        tx,
        "SELECT 1 FROM terminals WHERE device_sn = ?1 AND device_model = ?2",
        (&t.device_sn, &t.device_model),
        |r| r.get(0),
    )
    .optional()?;
    if known.is_none() {
        return Ok(Some(Refusal::UnknownTerminal));
    }
    let busy: Option<String> = one(
        tx,
        "SELECT merchant_transaction_id FROM attempts WHERE device_sn = ?1 AND device_model = ?2 \
             AND status = 'PROCESSING' AND flow = 'card' LIMIT 1",
        (&t.device_sn, &t.device_model),
        |r| r.get(0),
    )
    .optional()?;
    if let Some(merchant_transaction_id) = busy {
        return Ok(Some(Refusal::TerminalBusy { merchant_transaction_id, agent }));
    }
    let seen_since = now.saturating_sub(ledger.clock.scaled_ms(REACHABLE_FOR));
    let polling = presence.polling_until_ms.is_some_and(|until| until >= now);
    let recent = presence.last_seen_ms.is_some_and(|seen| seen >= seen_since);
    if agent && !polling && !recent {
        return Ok(Some(Refusal::TerminalUnreachable { last_seen_ms: presence.last_seen_ms }));
    }
    Ok(None)
}

/// Records that the request's one wire fault is being applied; false if it already was.
fn first_fault(
    tx: &Transaction<'_>,
    p: &NewPayment,
    scenario: Scenario,
    now: i64,
) -> Result<bool, LedgerError> {
    let inserted = exec(
        tx,
        "INSERT OR IGNORE INTO faults_applied (acquirer, request_id, scenario, applied_ms) \
         VALUES (?1, ?2, ?3, ?4)",
        (p.acquirer.as_str(), &p.request_id, scenario.number(), now),
    )?;
    Ok(inserted == 1)
}

/// Marks a customer-presented code as used; false if it was used before (by any acquirer).
fn claim_code(
    tx: &Transaction<'_>,
    p: &NewPayment,
    code: &PaymentCode,
    now: i64,
) -> Result<bool, LedgerError> {
    let inserted = exec(
        tx,
        "INSERT OR IGNORE INTO used_codes (code, acquirer, request_id, used_ms) VALUES (?1, ?2, ?3, ?4)",
        (code.digits(), p.acquirer.as_str(), &p.request_id, now),
    )?;
    Ok(inserted == 1)
}

/// Inserts a new attempt with its plan; a card sale served by an agent (`agent`) is queued to
/// its terminal and waits for the terminal instead of its scenario's plan.
pub(super) fn insert_attempt(
    ledger: &Ledger,
    tx: &Transaction<'_>,
    p: &NewPayment,
    scenario: Scenario,
    code_used: bool,
    agent: bool,
    now: i64,
) -> Result<Attempt, LedgerError> {
    let pickup_deadline = ledger.clock.after(now, PICKUP_WITHIN);
    let planned = if agent {
        Plan {
            status: PaymentStatus::Processing,
            reason: Reason::Pending,
            outcome: Some(Transition {
                at_ms: pickup_deadline,
                status: PaymentStatus::Closed,
                reason: Reason::Undelivered,
            }),
        }
    } else {
        plan(p.flow, scenario, code_used, now, &ledger.clock, &ledger.timings)
    };
    let expires_ms = match p.flow {
        // Customer-presented codes have no order expiry: scenario 54 stays PROCESSING.
        Flow::Code | Flow::CardOffline => None,
        Flow::Qr | Flow::Card => Some(
            p.expires_ms.unwrap_or_else(|| ledger.clock.after(now, ledger.timings.default_expiry)),
        ),
    };
    let next = if planned.status == PaymentStatus::Processing {
        next_transition(planned.outcome, expires_ms)
    } else {
        None
    };
    let width = if p.acquirer == Acquirer::Oceanpayment { 21 } else { 19 };
    let transaction_id = next_id(tx, now, width)?;
    let currency = p.amount.currency().code();
    exec(
        tx,
        "INSERT INTO orders (acquirer, merchant_transaction_id, currency, amount_minor, status, created_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT (acquirer, merchant_transaction_id) DO UPDATE SET status = excluded.status, \
         currency = excluded.currency, amount_minor = excluded.amount_minor",
        (
            p.acquirer.as_str(),
            &p.merchant_transaction_id,
            currency,
            p.amount.minor_units(),
            planned.status.as_str(),
            now,
        ),
    )?;
    let final_ms = planned.status.is_final().then_some(now);
    exec(
        tx,
        "INSERT INTO attempts (acquirer, request_id, merchant_transaction_id, transaction_id, \
         amount_minor, currency, flow, method, code_masked, device_sn, device_model, \
         cashier_device_id, scenario, status, reason, initial_status, initial_reason, created_ms, \
         final_ms, expires_ms, next_ms, next_status, next_reason, notify_url, close_notify_url, remark) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14, ?15, ?16, \
         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
        rusqlite::params![
            p.acquirer.as_str(),
            &p.request_id,
            &p.merchant_transaction_id,
            &transaction_id,
            p.amount.minor_units(),
            currency,
            p.flow.as_str(),
            &p.method,
            p.code.as_ref().map(PaymentCode::masked),
            p.terminal.as_ref().map(|t| &t.device_sn),
            p.terminal.as_ref().map(|t| &t.device_model),
            &p.cashier_device_id,
            scenario.number(),
            planned.status.as_str(),
            planned.reason.as_str(),
            now,
            final_ms,
            expires_ms,
            next.map(|t| t.at_ms),
            next.map(|t| t.status.as_str()),
            next.map(|t| t.reason.as_str()),
            &p.notify_url,
            &p.close_notify_url,
            &p.remark,
        ],
    )?;
    let attempt = attempt_by(tx, p.acquirer, "request_id", &p.request_id)?
        .ok_or(LedgerError::Storage(rusqlite::Error::QueryReturnedNoRows))?;
    if attempt.status.is_final() {
        after_final(tx, &attempt, now)?;
    }
    if let (true, Some(t)) = (agent, &p.terminal) {
        super::card_sales::queue(tx, &attempt, t, pickup_deadline, now)?;
    }
    Ok(attempt)
}
