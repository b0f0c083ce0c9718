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

/// What a step brought back.
pub(super) struct Outcome {
    pub event: Option<AttemptEvent>,
    pub result: Option<PaymentResult>,
    pub transport_failure: Option<String>,
    /// The cashier's cancel was refused by the acquirer: stop asking.
    pub cancel_refused: bool,
}

impl Outcome {
    /// The acquirer answered with a payment result.
    fn reported(result: PaymentResult) -> Self {
        Outcome {
            event: Some(AttemptEvent::Reported(result.status)),
            result: Some(result),
            transport_failure: None,
            cancel_refused: false,
        }
    }

    pub fn event(event: AttemptEvent) -> Self {
        Outcome { event: Some(event), result: None, transport_failure: None, cancel_refused: false }
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
            Err(e) => {
                log::error!("sale {}: cannot build the request: {e}", sale.id);
                Outcome::event(AttemptEvent::Refused)
            }
        },
        SaleStep::Query => {
            let query = PaymentQuery {
                merchant_transaction_id: sale.id.clone(),
                request_id: Some(attempt.request_id.clone()),
                acquirer_transaction_id: sale.acquirer_transaction_id.clone(),
            };
            from_query(inner, inner.acquirer.query(&query).await)
        }
        SaleStep::Cancel => {
            let request = CancelRequest {
                merchant_transaction_id: sale.id.clone(),
                acquirer_transaction_id: sale.acquirer_transaction_id.clone(),
            };
            match inner.acquirer.cancel(&request).await {
                Ok(result) => {
                    inner.set_online(true);
                    Outcome {
                        event: Some(AttemptEvent::Reported(result.status)),
                        result: Some(result),
                        transport_failure: None,
                        cancel_refused: false,
                    }
                }
                Err(AcquirerError::Rejected { code, description }) => {
                    inner.set_online(true);
                    log::warn!("sale {}: cancel refused: {code} {description}", sale.id);
                    Outcome {
                        event: None,
                        result: None,
                        transport_failure: None,
                        cancel_refused: true,
                    }
                }
                Err(e) => transport(inner, e),
            }
        }
        SaleStep::GiveUp => Outcome::event(AttemptEvent::TooOld),
        SaleStep::Done => {
            Outcome { event: None, result: None, transport_failure: None, cancel_refused: false }
        }
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

fn transport(inner: &Inner, e: AcquirerError) -> Outcome {
    let event = match &e {
        AcquirerError::NotSent { .. } => AttemptEvent::NotSent,
        _ => AttemptEvent::OutcomeUnknown,
    };
    if is_connectivity_failure(&e) {
        inner.set_online(false);
    }
    Outcome {
        event: Some(event),
        result: None,
        transport_failure: Some(e.to_string()),
        cancel_refused: false,
    }
}

fn from_pay(inner: &Inner, answer: Result<PaymentResult, AcquirerError>) -> Outcome {
    match answer {
        Ok(result) => {
            inner.set_online(true);
            Outcome::reported(result)
        }
        // "Duplicated transaction": the acquirer has this order in some state; find out which.
        Err(AcquirerError::Rejected { code, .. }) if code == "107000" => {
            inner.set_online(true);
            Outcome::event(AttemptEvent::OutcomeUnknown)
        }
        Err(AcquirerError::Rejected { code, description }) => {
            inner.set_online(true);
            let result = refused_result(code, description);
            Outcome {
                event: Some(AttemptEvent::Refused),
                result: Some(result),
                transport_failure: None,
                cancel_refused: false,
            }
        }
        Err(AcquirerError::InvalidRequest { field, reason }) => {
            let result = refused_result("invalid_request".into(), format!("{field}: {reason}"));
            Outcome {
                event: Some(AttemptEvent::Refused),
                result: Some(result),
                transport_failure: None,
                cancel_refused: false,
            }
        }
        Err(AcquirerError::Unsupported { acquirer, operation }) => {
            let result = refused_result(
                "unsupported".into(),
                format!("{acquirer} does not support {operation}"),
            );
            Outcome {
                event: Some(AttemptEvent::Refused),
                result: Some(result),
                transport_failure: None,
                cancel_refused: false,
            }
        }
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
        card: None,
    }
}

/// Codes that say the acquirer has never seen the order.
pub(super) fn is_not_found(code: &str) -> bool {
    matches!(code, "107001" | "20068")
}

fn from_query(inner: &Inner, answer: Result<PaymentResult, AcquirerError>) -> Outcome {
    match answer {
        Ok(result) => {
            inner.set_online(true);
            Outcome::reported(result)
        }
        Err(AcquirerError::Rejected { code, .. }) if is_not_found(&code) => {
            inner.set_online(true);
            Outcome::event(AttemptEvent::NotFound)
        }
        // Any other refusal of a query says nothing about the charge: keep asking.
        Err(e @ AcquirerError::Rejected { .. }) => {
            inner.set_online(true);
            Outcome {
                event: None,
                result: None,
                transport_failure: Some(e.to_string()),
                cancel_refused: false,
            }
        }
        Err(e) => transport(inner, e),
    }
}
