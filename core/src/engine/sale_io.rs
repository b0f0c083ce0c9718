//! The I/O of a sale step: the request sent for each step, and the acquirer's answer (or its
//! absence) sorted into an event for the attempt machine.

use super::classify::{classify, Asked, Mismatch, Verdict};
use super::error::CashierError;
use super::Inner;
use crate::acquirer::{
    AcquirerError, CancelRequest, PayRequest, PaymentMethod, PaymentQuery, PaymentResult,
    PaymentStatus, TerminalRefusal,
};
use crate::order::{AttemptEvent, SaleKind, SaleStep};
use crate::paycode::PaymentCode;
use crate::store::{AttemptRow, SaleRow};

/// What a step brought back.
#[derive(Default)]
pub(super) struct Outcome {
    pub event: Option<AttemptEvent>,
    pub result: Option<PaymentResult>,
    pub transport_failure: Option<String>,
    /// The cashier's cancel was refused by the acquirer: stop asking.
    pub cancel_refused: bool,
    /// The answer did not match the request: flag the sale, keep it unresolved.
    pub mismatch: Option<Mismatch>,
    /// An answer came back whose signature did not verify: flag the sale.
    pub unverified: bool,
    /// The acquirer offers no way to learn the outcome: flag the sale.
    pub unresolvable: bool,
    /// The step sent the payment request (a send's outcome replaces the terminal note).
    pub sent: bool,
    /// The send was refused because of the terminal: a hint kept with the attempt.
    pub terminal_refusal: Option<TerminalRefusal>,
}

impl Outcome {
    pub fn event(event: AttemptEvent) -> Self {
        Outcome { event: Some(event), ..Outcome::default() }
    }
}

/// The attempt machine's reading of an answer to `asked`, sorted by the shared classifier.
fn outcome(inner: &Inner, asked: Asked, answer: Result<PaymentResult, AcquirerError>) -> Outcome {
    // Only a pay can be refused for its terminal; the hint rides beside the verdict, which
    // stays "unknown" (the hint alone never ends a sale).
    let terminal_refusal = match (&answer, asked) {
        (Err(e), Asked::Pay) => e.terminal_refusal().cloned(),
        _ => None,
    };
    let c = classify(asked, answer);
    inner.note_reach(c.reach);
    let mut outcome = Outcome {
        transport_failure: c.failure,
        mismatch: c.mismatch,
        unverified: c.unverified,
        sent: asked == Asked::Pay,
        terminal_refusal,
        ..Outcome::default()
    };
    match c.verdict {
        Verdict::Answered(result) => {
            outcome.event = Some(AttemptEvent::Reported(result.status));
            outcome.result = Some(result);
        }
        Verdict::Refused { code, description } => {
            outcome.event = Some(AttemptEvent::Refused);
            outcome.result = Some(refused_result(code, description));
        }
        Verdict::NotFound => outcome.event = Some(AttemptEvent::NotFound),
        Verdict::NotSent => outcome.event = Some(AttemptEvent::NotSent),
        Verdict::Unknown => outcome.event = Some(AttemptEvent::OutcomeUnknown),
        Verdict::NoNews => {}
        Verdict::CancelRefused => {
            log::warn!("cancel refused: {}", outcome.transport_failure.as_deref().unwrap_or(""));
            outcome.cancel_refused = true;
        }
        Verdict::Unresolvable => outcome.unresolvable = true,
    }
    outcome
}

pub(super) async fn perform(
    inner: &Inner,
    sale: &SaleRow,
    attempt: &AttemptRow,
    step: SaleStep,
) -> Outcome {
    if step == SaleStep::Send && sale.kind == SaleKind::MerchantQr {
        learn_clock_first(inner, sale, attempt).await;
    }
    match step {
        SaleStep::Send => match pay_request(inner, sale, attempt) {
            Ok(request) => outcome(inner, Asked::Pay, inner.acquirer.pay(&request).await),
            // Nothing can be sent (the sealed code cannot be opened after a key change, or a
            // stored field is unusable): the sale ends unsent, never as a decline.
            Err(e) => {
                log::error!("sale {}: cannot build the request: {e}", sale.id);
                Outcome {
                    result: Some(refused_result(
                        "not_sent".into(),
                        format!("not sent, ask the customer for a new code: {e}"),
                    )),
                    ..Outcome::event(AttemptEvent::TooOld)
                }
            }
        },
        SaleStep::Query => {
            let query = PaymentQuery {
                merchant_transaction_id: sale.id.clone(),
                request_id: Some(attempt.request_id.clone()),
                acquirer_transaction_id: sale.acquirer_transaction_id.clone(),
                amount: sale.amount,
            };
            outcome(inner, Asked::Query, inner.acquirer.query(&query).await)
        }
        SaleStep::Cancel => {
            let request = CancelRequest {
                merchant_transaction_id: sale.id.clone(),
                acquirer_transaction_id: sale.acquirer_transaction_id.clone(),
                amount: sale.amount,
            };
            outcome(inner, Asked::Cancel, inner.acquirer.cancel(&request).await)
        }
        SaleStep::GiveUp => Outcome::event(AttemptEvent::TooOld),
        SaleStep::Done => Outcome::default(),
    }
}

/// A QR's expiry is enforced on the acquirer's clock: when it is not known since this open,
/// one cheap query of the (unsent) sale gets an answer, and its clock, first.
async fn learn_clock_first(inner: &Inner, sale: &SaleRow, attempt: &AttemptRow) {
    if inner.acquirer_time.offset().is_some() {
        return;
    }
    let query = PaymentQuery {
        merchant_transaction_id: sale.id.clone(),
        request_id: Some(attempt.request_id.clone()),
        acquirer_transaction_id: None,
        amount: sale.amount,
    };
    let _ = inner.acquirer.query(&query).await;
    inner.learn_acquirer_clock();
}

fn pay_request(
    inner: &Inner,
    sale: &SaleRow,
    attempt: &AttemptRow,
) -> Result<PayRequest, CashierError> {
    let missing = |what: &str| CashierError::Config(format!("sale {} has no {what}", sale.id));
    let method = match sale.kind {
        SaleKind::CustomerCode => {
            let sealed = attempt.sealed_code.as_ref().ok_or_else(|| missing("payment code"))?;
            let digits =
                inner.store.read(|_, cipher| Ok(cipher.open(&attempt.request_id, sealed)?))?;
            let digits = String::from_utf8(digits).map_err(|_| missing("readable payment code"))?;
            let code = PaymentCode::parse(&digits)?;
            PaymentMethod::CustomerCode {
                code,
                wallet: sale.wallet.ok_or_else(|| missing("wallet"))?,
            }
        }
        SaleKind::MerchantQr => {
            PaymentMethod::MerchantQr { wallet: sale.wallet.ok_or_else(|| missing("wallet"))? }
        }
        SaleKind::Card => PaymentMethod::CardOnTerminal {
            terminal: sale.terminal.clone().ok_or_else(|| missing("terminal"))?,
        },
    };
    Ok(PayRequest {
        merchant_transaction_id: sale.id.clone(),
        request_id: attempt.request_id.clone(),
        amount: sale.amount,
        method,
        cashier_device_id: inner.config.cashier_device_id.clone(),
        notification_url: inner.config.notification_url.clone(),
        // On the acquirer's clock, which enforces it.
        expires_at_unix: match sale.qr.as_ref().and_then(|q| q.expires_at_unix_ms) {
            Some(at) => Some(inner.time_expire(at, inner.now())?),
            None => None,
        },
        remark: sale.remark.clone(),
    })
}

fn refused_result(code: String, description: String) -> PaymentResult {
    PaymentResult {
        status: PaymentStatus::Failed,
        merchant_transaction_id: String::new(),
        request_id: None,
        acquirer_transaction_id: None,
        amount: None,
        result_code: Some(code),
        result_description: Some(description),
        qr: None,
        payment_redirect_url: None,
        card: None,
        card_details: None,
        terminal_result: None,
    }
}
