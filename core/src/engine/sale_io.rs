//! The I/O of a sale step: the request sent for each step, and the acquirer's answer (or its
//! absence) sorted into an event for the attempt machine.

use super::error::CashierError;
use super::Inner;
use crate::acquirer::{
    AcquirerError, CancelRequest, PayRequest, PaymentMethod, PaymentQuery, PaymentResult,
    PaymentStatus, UnknownCause,
};
use crate::order::{AttemptEvent, SaleKind, SaleStep};
use crate::paycode::PaymentCode;
use crate::store::{AttemptRow, SaleRow};

/// A signed answer that was about something else than what was asked: never applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Mismatch {
    /// The field that differed.
    pub field: &'static str,
    /// What differed.
    pub detail: String,
}

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
}

impl Outcome {
    /// The acquirer answered with a payment result.
    fn reported(result: PaymentResult) -> Self {
        Outcome {
            event: Some(AttemptEvent::Reported(result.status)),
            result: Some(result),
            ..Outcome::default()
        }
    }

    pub fn event(event: AttemptEvent) -> Self {
        Outcome { event: Some(event), ..Outcome::default() }
    }

    /// Nothing moves; the step is retried with backoff, `e` noted as the reason.
    fn retry(event: Option<AttemptEvent>, e: &AcquirerError) -> Self {
        Outcome {
            event,
            transport_failure: Some(e.to_string()),
            unverified: e.is_bad_signature(),
            ..Outcome::default()
        }
    }

    /// A mismatching answer: treated as no answer (`event`), and flagged.
    fn mismatch(event: Option<AttemptEvent>, e: &AcquirerError) -> Self {
        let mismatch = match e {
            AcquirerError::AnswerMismatch { field, detail } => {
                Some(Mismatch { field, detail: detail.clone() })
            }
            _ => None,
        };
        Outcome { mismatch, ..Outcome::retry(event, e) }
    }

    fn refused(code: String, description: String) -> Self {
        Outcome {
            event: Some(AttemptEvent::Refused),
            result: Some(refused_result(code, description)),
            ..Outcome::default()
        }
    }
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
            Ok(request) => from_pay(inner, inner.acquirer.pay(&request).await),
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
            from_query(inner, inner.acquirer.query(&query).await)
        }
        SaleStep::Cancel => {
            let request = CancelRequest {
                merchant_transaction_id: sale.id.clone(),
                acquirer_transaction_id: sale.acquirer_transaction_id.clone(),
                amount: sale.amount,
            };
            from_cancel(inner, &sale.id, inner.acquirer.cancel(&request).await)
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

/// Whether a failure says the acquirer cannot be reached (as opposed to a broken answer).
pub(super) fn is_connectivity_failure(e: &AcquirerError) -> bool {
    matches!(
        e,
        AcquirerError::NotSent { .. }
            | AcquirerError::OutcomeUnknown {
                cause: UnknownCause::Timeout | UnknownCause::ConnectionLost,
                ..
            }
    )
}

/// Whether the acquirer itself answered (a code, a signed answer), as opposed to the network
/// failing on the way.
fn acquirer_answered(e: &AcquirerError) -> bool {
    e.code_class().is_some() || matches!(e, AcquirerError::AnswerMismatch { .. })
}

fn transport(inner: &Inner, e: AcquirerError) -> Outcome {
    let event = match &e {
        AcquirerError::NotSent { .. } => AttemptEvent::NotSent,
        _ => AttemptEvent::OutcomeUnknown,
    };
    if is_connectivity_failure(&e) {
        inner.set_online(false);
    } else if acquirer_answered(&e) {
        inner.set_online(true);
    }
    Outcome::retry(Some(event), &e)
}

/// A pay answer, by the class of what came back (docs/acquirer-choices.md, "Result codes").
fn from_pay(inner: &Inner, answer: Result<PaymentResult, AcquirerError>) -> Outcome {
    match answer {
        Ok(result) => {
            inner.set_online(true);
            Outcome::reported(result)
        }
        // A definite no, or a request the acquirer refused before acting: nothing charged.
        Err(AcquirerError::Rejected { code, description })
        | Err(AcquirerError::Refused { code, description }) => {
            inner.set_online(true);
            Outcome::refused(code, description)
        }
        Err(AcquirerError::InvalidRequest { field, reason }) => {
            Outcome::refused("invalid_request".into(), format!("{field}: {reason}"))
        }
        Err(AcquirerError::Unsupported { acquirer, operation }) => Outcome::refused(
            "unsupported".into(),
            format!("{acquirer} does not support {operation}"),
        ),
        // Refused before acting, for a passing reason: still unsent, send again later.
        Err(e @ AcquirerError::RetryLater { .. }) => {
            inner.set_online(true);
            Outcome::retry(Some(AttemptEvent::NotSent), &e)
        }
        // Never applied: the attempt may have charged, so it is resolved by query.
        Err(e @ AcquirerError::AnswerMismatch { .. }) => {
            inner.set_online(true);
            Outcome::mismatch(Some(AttemptEvent::OutcomeUnknown), &e)
        }
        // "Not found" cannot answer a pay; an unknown code, a duplicate, a broken answer, a
        // lost connection: the outcome is unknown.
        Err(e) => transport(inner, e),
    }
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
    }
}

fn from_query(inner: &Inner, answer: Result<PaymentResult, AcquirerError>) -> Outcome {
    match answer {
        Ok(result) => {
            inner.set_online(true);
            Outcome::reported(result)
        }
        Err(AcquirerError::NotFound { .. }) => {
            inner.set_online(true);
            Outcome::event(AttemptEvent::NotFound)
        }
        // A mismatching answer says nothing about our attempt: no change, ask again later.
        Err(e @ AcquirerError::AnswerMismatch { .. }) => {
            inner.set_online(true);
            Outcome::mismatch(None, &e)
        }
        // Any other refusal of a query says nothing about the charge: keep asking.
        Err(
            e @ (AcquirerError::Rejected { .. }
            | AcquirerError::Refused { .. }
            | AcquirerError::RetryLater { .. }),
        ) => {
            inner.set_online(true);
            Outcome::retry(None, &e)
        }
        Err(e) => transport(inner, e),
    }
}

fn from_cancel(
    inner: &Inner,
    sale_id: &str,
    answer: Result<PaymentResult, AcquirerError>,
) -> Outcome {
    match answer {
        Ok(result) => {
            inner.set_online(true);
            Outcome::reported(result)
        }
        // The acquirer will not cancel (declined, invalid, no such order): stop asking; the
        // attempt itself is resolved by query as before.
        Err(
            e @ (AcquirerError::Rejected { .. }
            | AcquirerError::Refused { .. }
            | AcquirerError::NotFound { .. }),
        ) => {
            inner.set_online(true);
            log::warn!("sale {sale_id}: cancel refused: {e}");
            Outcome { cancel_refused: true, ..Outcome::default() }
        }
        Err(e @ AcquirerError::AnswerMismatch { .. }) => {
            inner.set_online(true);
            Outcome::mismatch(None, &e)
        }
        Err(e) => transport(inner, e),
    }
}
