//! From verified PingPong answers to the unified model.

use crate::acquirer::error::{cut, MAX_DESCRIPTION};
use crate::acquirer::expect::{same_amount, same_id, MAX_QR_BYTES};
use crate::acquirer::model::{
    CardDetails, CardSummary, PaymentResult, PaymentStatus, QrCode, RefundResult, RefundStatus,
};
use crate::acquirer::url::check_external_url;
use crate::acquirer::{
    AcquirerError, CodeClass, Notification, NotificationError, TerminalRefusal, TerminalResult,
    UnknownCause, MAX_BLOCKING_ID,
};
use crate::money::{Amount, Currency};
use crate::reader::EntryMode;

use super::codes;
use super::envelope::Answer;
use super::wire::{ActionWire, Loose, PaymentBiz, RefundBizAnswer};

fn payment_status(s: &str) -> Option<PaymentStatus> {
    Some(match s {
        "INIT" | "PROCESSING" | "AUTH_SUCCESS" => PaymentStatus::Processing,
        "SUCCESS" => PaymentStatus::Succeeded,
        "FAILED" => PaymentStatus::Failed,
        "CLOSED" => PaymentStatus::Closed,
        "CANCEL" => PaymentStatus::Cancelled,
        _ => return None,
    })
}

fn refund_status(s: &str) -> Option<RefundStatus> {
    Some(match s {
        "PROCESSING" | "ACCEPT_SUCCESS" => RefundStatus::Processing,
        "SUCCESS" => RefundStatus::Succeeded,
        "FAILED" => RefundStatus::Failed,
        _ => return None,
    })
}

fn amount(value: &Option<Loose>, currency: &Option<String>) -> Result<Option<Amount>, String> {
    let (Some(value), Some(currency)) = (value, currency) else { return Ok(None) };
    let currency = Currency::from_code(currency).map_err(|e| e.to_string())?;
    Amount::parse_acquirer(&value.text(), currency).map(Some).map_err(|e| e.to_string())
}

fn non_blank(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|v| !v.trim().is_empty()).cloned()
}

/// Longest acquirer id kept (PingPong's ids are String(64)).
const MAX_ID: usize = 64;

/// Why a payment payload cannot be used.
enum BizError {
    /// Malformed: what is wrong.
    Malformed(String),
    /// A field that may not be used, and why.
    BadField(&'static str, String),
}

impl From<String> for BizError {
    fn from(s: String) -> Self {
        BizError::Malformed(s)
    }
}

impl From<&str> for BizError {
    fn from(s: &str) -> Self {
        BizError::Malformed(s.to_string())
    }
}

impl BizError {
    fn into_acquirer(self) -> AcquirerError {
        match self {
            BizError::Malformed(detail) => AcquirerError::malformed(detail),
            BizError::BadField(field, reason) => AcquirerError::OutcomeUnknown {
                cause: UnknownCause::InvalidField(field),
                detail: format!("{field}: {reason}"),
            },
        }
    }

    fn into_notification(self) -> NotificationError {
        match self {
            BizError::Malformed(detail) => NotificationError::Malformed(detail),
            BizError::BadField(field, reason) => {
                NotificationError::Malformed(format!("{field}: {reason}"))
            }
        }
    }
}

/// The field in `action` (choice P4), else at the top level of `bizContent`.
fn either(action: &Option<String>, top: &Option<String>) -> Option<String> {
    non_blank(action).or_else(|| non_blank(top))
}

/// A URL from the answer, checked as external input (an app may open it).
fn checked_url(field: &'static str, value: Option<String>) -> Result<Option<String>, BizError> {
    match value {
        Some(v) => match check_external_url(&v) {
            Ok(()) => Ok(Some(v)),
            Err(e) => Err(BizError::BadField(field, e.to_string())),
        },
        None => Ok(None),
    }
}

/// The QR to show (choice P17): `qrCode`, else `paymentQrCode`, else the `qrUrl` itself when
/// the answer gives only a URL; `qrUrl` is also kept as the image URL.
fn qr_of(biz: &PaymentBiz, action: &ActionWire) -> Result<Option<QrCode>, BizError> {
    let image_url = checked_url("qrUrl", either(&action.qr_url, &biz.qr_url))?;
    let content = either(&action.qr_code, &biz.qr_code)
        .or_else(|| either(&action.payment_qr_code, &biz.payment_qr_code))
        .or_else(|| image_url.clone());
    if content.as_ref().is_some_and(|q| q.len() > MAX_QR_BYTES) {
        return Err(format!("QR content longer than a QR code holds ({MAX_QR_BYTES} bytes)").into());
    }
    Ok(content.map(|content| {
        let expiry = action.qr_code_expired.as_ref().or(biz.qr_code_expired.as_ref());
        QrCode {
            content,
            image_url,
            expires_at_unix_ms: expiry.and_then(|e| e.text().parse().ok()),
        }
    }))
}

/// Reads a payment payload whose order and amount were already checked (or, for a
/// notification, are checked by the engine).
fn payment_from_biz(biz: &PaymentBiz) -> Result<PaymentResult, BizError> {
    let status_text = biz.status.as_deref().ok_or("bizContent has no status")?;
    let status = payment_status(status_text)
        .ok_or_else(|| format!("unknown status {:?}", cut(status_text, 16)))?;
    let order = non_blank(&biz.merchant_transaction_id).ok_or("no merchantTransactionId")?;
    let action = biz.action.clone().unwrap_or_default();
    let qr = qr_of(biz, &action)?;
    let redirect = either(&action.payment_redirect_url, &biz.payment_redirect_url);
    let payment_redirect_url = checked_url("paymentRedirectUrl", redirect)?;
    let card = biz.card_info.as_ref().map(|c| CardSummary {
        brand: non_blank(&c.payment_brand),
        masked_number: match (non_blank(&c.first_six_digits), non_blank(&c.last_four_digits)) {
            (Some(first), Some(last)) => Some(format!("{first}******{last}")),
            (None, Some(last)) => Some(format!("************{last}")),
            _ => None,
        },
    });
    let card_details = card_details(biz);
    let ids = [&order, &biz.transaction_id.clone().unwrap_or_default()];
    if ids.iter().any(|id| id.len() > MAX_ID) {
        return Err(format!("an id longer than {MAX_ID} characters").into());
    }
    Ok(PaymentResult {
        status,
        merchant_transaction_id: order,
        request_id: non_blank(&biz.request_id),
        acquirer_transaction_id: non_blank(&biz.transaction_id),
        amount: amount(&biz.amount, &biz.currency)?,
        result_code: non_blank(&biz.result_code),
        result_description: non_blank(&biz.result_description).map(|d| cut(&d, MAX_DESCRIPTION)),
        qr,
        payment_redirect_url,
        card,
        card_details,
        terminal_result: (status == PaymentStatus::Failed)
            .then(|| biz.terminal_result.as_deref().map(terminal_result))
            .flatten(),
    })
}

/// The authorisation code and card application of a card payment. Each field is external
/// input shown on a receipt: kept only when it has the expected shape (else dropped, the
/// payment itself still read).
fn card_details(biz: &PaymentBiz) -> Option<Box<CardDetails>> {
    let printable = |s: &Option<String>, max: usize, ok: fn(char) -> bool| {
        non_blank(s).filter(|v| v.chars().count() <= max && v.chars().all(ok))
    };
    let info = biz.card_info.as_ref();
    let details = CardDetails {
        auth_code: printable(&biz.auth_code, 12, |c| c.is_ascii_alphanumeric()),
        entry_mode: info.and_then(|c| non_blank(&c.entry_mode)).and_then(|m| {
            match m.to_ascii_uppercase().as_str() {
                "CONTACTLESS" => Some(EntryMode::Contactless),
                "CHIP" => Some(EntryMode::Chip),
                "SWIPE" => Some(EntryMode::Swipe),
                _ => None,
            }
        }),
        aid: info
            .and_then(|c| printable(&c.aid, 32, |c| c.is_ascii_hexdigit()))
            .filter(|a| a.len() % 2 == 0 && a.len() >= 10),
        application_label: info.and_then(|c| {
            printable(&c.application_label, 16, |c| c.is_ascii_graphic() || c == ' ')
        }),
    };
    (!details.is_empty()).then(|| Box::new(details))
}

/// `terminalResult` of a FAILED card payment. A value this version does not know is still a
/// failure at the terminal (nothing charged), never taken for a decline of the card.
fn terminal_result(s: &str) -> TerminalResult {
    TerminalResult::parse(s).unwrap_or(TerminalResult::Failed)
}

/// `terminalState` of a refusal without an order (docs/terminal-channel.md): a hint for the
/// engine, `None` when absent or not one this version knows.
fn terminal_refusal(biz: &PaymentBiz) -> Option<TerminalRefusal> {
    match biz.terminal_state.as_deref()? {
        "BUSY" => Some(TerminalRefusal::Busy {
            blocking_transaction_id: biz
                .blocking_transaction_id
                .as_ref()
                .map(Loose::text)
                .filter(|id| !id.trim().is_empty() && !id.chars().any(char::is_control))
                .map(|id| cut(&id, MAX_BLOCKING_ID)),
        }),
        "UNREACHABLE" => Some(TerminalRefusal::Unreachable {
            last_seen_ms: biz.last_seen_ms.as_ref().and_then(|v| v.text().parse().ok()),
        }),
        _ => None,
    }
}

/// What a payment answer must be about.
pub(super) struct PaymentExpectation<'a> {
    /// Our order id.
    pub order: &'a str,
    /// Our attempt, when the request named one.
    pub request_id: Option<&'a str>,
    /// The sale's amount.
    pub amount: &'a Amount,
    /// A query answer reports the order's state as it is; a pay answer's FAILED is a decline
    /// only with a declining code.
    pub is_query: bool,
}

/// A pay or query answer. A payload with a status is a result (a decline is a result, not an
/// error) once it is checked against the request; an answer without one is classified by its
/// code ([`codes`]).
pub(super) fn payment_answer(
    answer: &Answer,
    expect: &PaymentExpectation<'_>,
) -> Result<PaymentResult, AcquirerError> {
    let class = codes::classify(&answer.code);
    let Some(biz_text) = &answer.biz else {
        return Err(AcquirerError::from_code(class, &answer.code, &answer.description));
    };
    let biz: PaymentBiz = serde_json::from_str(biz_text)
        .map_err(|e| AcquirerError::malformed(format!("bizContent: {e}")))?;
    if biz.status.is_none() && class != CodeClass::Accepted {
        let error = AcquirerError::from_code(class, &answer.code, &answer.description);
        return Err(match (error, terminal_refusal(&biz)) {
            (AcquirerError::OutcomeUnknown { detail, .. }, Some(refusal)) => {
                let code = answer.code.clone();
                let cause = UnknownCause::TerminalRefused { code, refusal };
                AcquirerError::OutcomeUnknown { cause, detail }
            }
            (error, _) => error,
        });
    }
    same_id("merchantTransactionId", biz.merchant_transaction_id.as_deref(), expect.order, true)?;
    if let Some(ours) = expect.request_id {
        same_id("requestId", biz.request_id.as_deref(), ours, true)?;
    }
    let amount_text = biz.amount.as_ref().map(Loose::text);
    same_amount(amount_text.as_deref(), biz.currency.as_deref(), expect.amount)?;
    let mut result = payment_from_biz(&biz).map_err(BizError::into_acquirer)?;
    if result.result_code.is_none() {
        result.result_code = Some(answer.code.clone());
        result.result_description = Some(answer.description.clone()).filter(|d| !d.is_empty());
    }
    if result.status == PaymentStatus::Failed && !expect.is_query {
        check_decline(result.result_code.as_deref().unwrap_or_default(), &answer.description)?;
    }
    Ok(result)
}

/// A FAILED pay or refund answer is a decline only when its code is a declining one; a
/// system error (`500000`) or an unknown code dressed as FAILED is an unknown outcome.
fn check_decline(code: &str, description: &str) -> Result<(), AcquirerError> {
    match codes::classify(code) {
        CodeClass::Declined => Ok(()),
        CodeClass::Accepted => Err(AcquirerError::from_code(
            CodeClass::OutcomeUnknown,
            code,
            "FAILED with a success code",
        )),
        other => Err(AcquirerError::from_code(other, code, description)),
    }
}

/// What a refund answer must be about.
pub(super) struct RefundExpectation<'a> {
    /// The refunded order.
    pub order: &'a str,
    /// Our refund id.
    pub refund_id: &'a str,
    /// The refund's amount.
    pub amount: &'a Amount,
    /// Whether this answers a refund query (its status is the refund's state as it is).
    pub is_query: bool,
}

/// A refund or refund query answer.
pub(super) fn refund_answer(
    answer: &Answer,
    expect: &RefundExpectation<'_>,
) -> Result<RefundResult, AcquirerError> {
    let class = codes::classify(&answer.code);
    let Some(biz_text) = &answer.biz else {
        return Err(AcquirerError::from_code(class, &answer.code, &answer.description));
    };
    let biz: RefundBizAnswer = serde_json::from_str(biz_text)
        .map_err(|e| AcquirerError::malformed(format!("bizContent: {e}")))?;
    if biz.status.is_none() && class != CodeClass::Accepted {
        return Err(AcquirerError::from_code(class, &answer.code, &answer.description));
    }
    same_id("merchantTransactionId", biz.merchant_transaction_id.as_deref(), expect.order, true)?;
    same_id("merchantRefundId", biz.merchant_refund_id.as_deref(), expect.refund_id, true)?;
    let amount_text = biz.amount.as_ref().map(Loose::text);
    same_amount(amount_text.as_deref(), biz.currency.as_deref(), expect.amount)?;
    let mut result = refund_from_biz(&biz).map_err(AcquirerError::malformed)?;
    if result.result_code.is_none() {
        result.result_code = Some(answer.code.clone());
        result.result_description = Some(answer.description.clone()).filter(|d| !d.is_empty());
    }
    if result.status == RefundStatus::Failed && !expect.is_query {
        check_decline(result.result_code.as_deref().unwrap_or_default(), &answer.description)?;
    }
    Ok(result)
}

fn refund_from_biz(biz: &RefundBizAnswer) -> Result<RefundResult, String> {
    let status_text = biz.status.as_deref().ok_or("bizContent has no status")?;
    let status = refund_status(status_text)
        .ok_or_else(|| format!("unknown refund status {:?}", cut(status_text, 16)))?;
    Ok(RefundResult {
        status,
        merchant_refund_id: non_blank(&biz.merchant_refund_id),
        acquirer_refund_id: non_blank(&biz.refund_id).map(|id| cut(&id, MAX_ID)),
        amount: amount(&biz.amount, &biz.currency)?,
        result_code: non_blank(&biz.result_code),
        result_description: non_blank(&biz.result_description).map(|d| cut(&d, MAX_DESCRIPTION)),
    })
}

/// A verified notification's payload: `notifyType` `REFUND` is a refund, anything else a payment.
pub(super) fn notification(biz_text: &str) -> Result<Notification, NotificationError> {
    let malformed = |e: String| NotificationError::Malformed(e);
    let value: serde_json::Value =
        serde_json::from_str(biz_text).map_err(|e| malformed(format!("bizContent: {e}")))?;
    // The text is parsed again into the struct rather than converted from `value`: a second
    // deserializer per struct (serde_json's `Value` one) would cost more of the shipped
    // library than a notification's second parse costs time.
    if value.get("notifyType").and_then(|v| v.as_str()) == Some("REFUND") {
        let biz: RefundBizAnswer =
            serde_json::from_str(biz_text).map_err(|e| malformed(format!("bizContent: {e}")))?;
        let order = non_blank(&biz.merchant_transaction_id)
            .ok_or_else(|| malformed("refund notification without merchantTransactionId".into()))?;
        let result = refund_from_biz(&biz).map_err(malformed)?;
        return Ok(Notification::Refund { merchant_transaction_id: order, result });
    }
    let biz: PaymentBiz =
        serde_json::from_str(biz_text).map_err(|e| malformed(format!("bizContent: {e}")))?;
    payment_from_biz(&biz).map(Notification::Payment).map_err(BizError::into_notification)
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "qr_answer_tests.rs"]
mod qr_answer_tests;

#[cfg(test)]
#[path = "terminal_state_tests.rs"]
mod terminal_state_tests;
