//! From Oceanpayment's XML answers and notifications to the unified model.
//!
//! Each answer is parsed, its `signValue` verified and its `account`/`terminal` compared with the
//! configuration before any other field is read; then it is checked against the request (order,
//! amount, currency, refund ids) and its code classified ([`codes`]). Note that Oceanpayment
//! signs only some fields: `pay_url`, `card_type`, `refund_amount` and `refund_details`, for
//! instance, are outside every signature.

use super::codes;
use super::wire::{self, Outcome};
use super::xml::{Element, Fields, XmlError};
use super::Merchant;
use crate::acquirer::error::{cut, MAX_DESCRIPTION};
use crate::acquirer::expect::{same_amount, same_id, MAX_QR_BYTES};
use crate::acquirer::{
    AcquirerError, CardSummary, CodeClass, NotificationError, PaymentResult, PaymentStatus, QrCode,
    RefundResult, RefundStatus,
};
use crate::money::{Amount, Currency};
use crate::sign::oceanpayment::{verify, OceanMessage};
use crate::sign::SignError;

/// What is wrong with an answer, before it is sorted into the caller's error type.
#[derive(Debug)]
pub(super) enum AnswerError {
    /// Unreadable, incomplete or inconsistent.
    Malformed(String),
    /// The `signValue` does not verify.
    BadSignature(SignError),
    /// Signed, but about something else than what was asked, or for another merchant.
    Mismatch(AcquirerError),
    /// A signed answer that is not a result: the acquirer's code says what it means.
    Code { class: CodeClass, code: String, description: String },
}

impl From<XmlError> for AnswerError {
    fn from(e: XmlError) -> Self {
        AnswerError::Malformed(e.to_string())
    }
}

impl From<AcquirerError> for AnswerError {
    fn from(e: AcquirerError) -> Self {
        AnswerError::Mismatch(e)
    }
}

impl From<AnswerError> for AcquirerError {
    fn from(e: AnswerError) -> Self {
        match e {
            AnswerError::Malformed(detail) => AcquirerError::malformed(detail),
            AnswerError::BadSignature(e) => AcquirerError::bad_signature(e),
            AnswerError::Mismatch(e) => e,
            AnswerError::Code { class, code, description } => {
                AcquirerError::from_code(class, &code, &description)
            }
        }
    }
}

impl From<AnswerError> for NotificationError {
    fn from(e: AnswerError) -> Self {
        match e {
            AnswerError::Malformed(detail) => NotificationError::Malformed(detail),
            AnswerError::BadSignature(e) => NotificationError::BadSignature(e),
            AnswerError::Mismatch(AcquirerError::AnswerMismatch { field, .. }) => {
                NotificationError::Mismatch { field }
            }
            AnswerError::Mismatch(other) => NotificationError::Malformed(other.to_string()),
            AnswerError::Code { code, .. } => {
                NotificationError::Malformed(format!("notification without a status ({code})"))
            }
        }
    }
}

/// Verifies the signature, then the merchant identity. Nothing else is read before this.
pub(super) fn check_signed(
    merchant: &Merchant,
    fields: &Fields,
    message: OceanMessage,
) -> Result<(), AnswerError> {
    let received = fields.text("signValue");
    verify(message, |k| fields.get(k), &merchant.secure_code, received)
        .map_err(AnswerError::BadSignature)?;
    same_id("account", Some(fields.text("account")), &merchant.account, true)?;
    same_id("terminal", Some(fields.text("terminal")), &merchant.terminal, true)?;
    Ok(())
}

fn signed_root_fields(
    merchant: &Merchant,
    body: &[u8],
    message: OceanMessage,
) -> Result<Fields, AnswerError> {
    let fields = Element::parse(body)?.fields()?;
    check_signed(merchant, &fields, message)?;
    Ok(fields)
}

pub(super) fn amount(
    value: Option<&str>,
    currency: Option<&str>,
) -> Result<Option<Amount>, AnswerError> {
    let Some(value) = value else { return Ok(None) };
    let code = currency.ok_or_else(|| AnswerError::Malformed("amount without currency".into()))?;
    let currency = Currency::from_code(code).map_err(|e| AnswerError::Malformed(e.to_string()))?;
    Amount::parse_acquirer(value, currency)
        .map(Some)
        .map_err(|e| AnswerError::Malformed(format!("amount: {e}")))
}

/// What a payment answer must be about; `None` for a notification (the engine checks it
/// against the stored sale).
#[derive(Clone, Copy)]
pub(super) struct PaymentExpectation<'a> {
    /// Our order number.
    pub order: &'a str,
    /// The sale's amount.
    pub amount: &'a Amount,
    /// A query (or void) reports the order's state as it is; a pay answer's failure is a
    /// decline only with a declining code.
    pub is_query: bool,
}

fn code_error(class: CodeClass, code: Option<String>, description: Option<String>) -> AnswerError {
    AnswerError::Code {
        class,
        code: code.unwrap_or_default(),
        description: description.unwrap_or_default(),
    }
}

/// A verified payment message (pay answer, query `paymentInfo`, void answer, notification).
/// `status_field` is `payment_status`, or `payment_results` in query answers.
pub(super) fn payment(
    fields: &Fields,
    status_field: &str,
    expect: Option<PaymentExpectation<'_>>,
) -> Result<PaymentResult, AnswerError> {
    let outcome = Outcome::parse(fields.text(status_field))
        .map_err(|e| AnswerError::Malformed(format!("{status_field}: {e}")))?;
    let (code, description) = wire::split_details(fields.text("payment_details"));
    let description = description.map(|d| cut(&d, MAX_DESCRIPTION));
    let class = code.as_deref().map(codes::classify);
    if let Some(e) = expect {
        same_id("order_number", fields.non_empty("order_number"), e.order, true)?;
    }
    let Some(outcome) = outcome else {
        return Err(match class {
            Some(class) => code_error(class, code, description),
            None => AnswerError::Malformed(format!("no {status_field} and no payment_details")),
        });
    };
    let is_query = expect.is_none_or(|e| e.is_query);
    if outcome == Outcome::Failure
        && expect.is_some_and(|e| e.is_query)
        && code.as_deref().is_some_and(codes::is_listed_unknown)
    {
        // A query failing with an internal error (50000) tells nothing about the order: it may
        // be paid. Unlisted codes stay failures here: real declines carry many codes we lack.
        return Err(code_error(CodeClass::OutcomeUnknown, code, description));
    }
    if outcome == Outcome::Failure && !is_query && class != Some(CodeClass::Declined) {
        // A failure without a declining code (a duplicate order number, an internal error, a
        // code we do not know, none at all) is not a decline: the order's state is queried.
        let class = match class {
            Some(CodeClass::Accepted) | None => CodeClass::OutcomeUnknown,
            Some(other) => other,
        };
        return Err(code_error(class, code, description));
    }
    if let Some(e) = expect {
        same_amount(
            fields.non_empty("order_amount"),
            fields.non_empty("order_currency"),
            e.amount,
        )?;
    }
    let order = fields
        .non_empty("order_number")
        .map(|o| cut(o, 50))
        .ok_or_else(|| AnswerError::Malformed("no order_number".into()))?;
    let status = match outcome {
        Outcome::Success => PaymentStatus::Succeeded,
        Outcome::Failure => PaymentStatus::Failed,
        Outcome::Pending => PaymentStatus::Processing,
    };
    let pay_url = fields.non_empty("pay_url");
    if pay_url.is_some_and(|u| u.len() > MAX_QR_BYTES) {
        return Err(AnswerError::Malformed("pay_url longer than a QR code holds".into()));
    }
    let qr = pay_url.map(|url| QrCode {
        content: url.to_string(),
        image_url: None,
        // Oceanpayment sends no expiry (O3); the QR lives as long as the configured lifetime.
        expires_at_unix_ms: None,
    });
    let card = fields.non_empty("card_number").map(|number| CardSummary {
        brand: fields.non_empty("card_type").map(|b| cut(b, 32)),
        masked_number: Some(wire::mask_card_number(&cut(number, 32))),
    });
    Ok(PaymentResult {
        status,
        merchant_transaction_id: order,
        request_id: None,
        acquirer_transaction_id: fields.non_empty("payment_id").map(|id| cut(id, 64)),
        amount: amount(fields.non_empty("order_amount"), fields.non_empty("order_currency"))?,
        result_code: code,
        result_description: description,
        qr,
        payment_redirect_url: None,
        card,
        // Oceanpayment's `auth_code` is the wallet's payment code in its barcode flow, not an
        // issuer's authorisation: not taken.
        card_details: None,
        // Oceanpayment reports no terminal outcome (it has no card-on-terminal sales).
        terminal_result: None,
    })
}

/// The answer to `directservice/pay`. A merchant-presented QR that is still pending must come
/// with its `pay_url` (O3): without it the customer has nothing to scan.
pub(super) fn pay_answer(
    merchant: &Merchant,
    body: &[u8],
    expect: PaymentExpectation<'_>,
    wants_qr: bool,
) -> Result<PaymentResult, AcquirerError> {
    let fields = signed_root_fields(merchant, body, OceanMessage::PayResponse)?;
    let result = payment(&fields, "payment_status", Some(expect))?;
    if wants_qr && result.status == PaymentStatus::Processing && result.qr.is_none() {
        return Err(AcquirerError::malformed("pending QR payment without pay_url"));
    }
    Ok(result)
}

/// The answer to `check/normal`: the first (newest) `paymentInfo` is the order's state.
pub(super) fn query_answer(
    merchant: &Merchant,
    body: &[u8],
    expect: PaymentExpectation<'_>,
) -> Result<PaymentResult, AcquirerError> {
    let (_, fields) = newest_signed_info(merchant, body)?;
    Ok(payment(&fields, "payment_results", Some(PaymentExpectation { is_query: true, ..expect }))?)
}

/// The newest `paymentInfo` of a `check/normal` answer, whose signature is verified, with its
/// fields.
fn newest_signed_info(
    merchant: &Merchant,
    body: &[u8],
) -> Result<(Element, Fields), AcquirerError> {
    let root = Element::parse(body).map_err(AnswerError::from)?;
    let newest = root
        .into_children()
        .into_iter()
        .find(|c| c.name() == "paymentInfo")
        .ok_or_else(|| AcquirerError::malformed("query answer without paymentInfo"))?;
    let fields = newest.fields().map_err(AnswerError::from)?;
    check_signed(merchant, &fields, OceanMessage::QueryResponse)?;
    Ok((newest, fields))
}

/// The `refund_id` of our refund (`refund_number`) in a signed order query answer (O11). The
/// `refundList` is outside the signature, so the id is only a lead: the refund query that
/// follows is signed and must echo our `refund_number`. A readable answer that does not list
/// the refund leaves it unresolvable: absence from an unsigned list proves nothing.
pub(super) fn refund_id_in_order(
    merchant: &Merchant,
    body: &[u8],
    order: &str,
    refund_number: &str,
) -> Result<String, AcquirerError> {
    let (newest, fields) = newest_signed_info(merchant, body)?;
    same_id("order_number", fields.non_empty("order_number"), order, true)?;
    let listed = newest
        .children_named("refundList")
        .flat_map(|list| list.children_named("refund"))
        .filter_map(|refund| refund.fields().ok())
        .find(|f| f.non_empty("refund_number") == Some(refund_number));
    match listed.as_ref().and_then(|f| f.non_empty("refund_id")) {
        Some(id)
            if id.len() <= 64
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Ok(id.to_string())
        }
        Some(_) => Err(AcquirerError::malformed("refundList: unusable refund_id")),
        None => Err(AcquirerError::Unresolvable {
            reason: format!(
                "Oceanpayment queries refunds by refund_id, and the order query does not list \
                 refund {refund_number}"
            ),
        }),
    }
}

/// The answer to the offline void (O8): `1` voided, `0` refused (a declining code or none),
/// anything else by its code's class.
pub(super) fn void_answer(
    merchant: &Merchant,
    body: &[u8],
    expect: PaymentExpectation<'_>,
) -> Result<PaymentResult, AcquirerError> {
    let fields = signed_root_fields(merchant, body, OceanMessage::PayResponse)?;
    let expect = PaymentExpectation { is_query: true, ..expect };
    let mut result = payment(&fields, "payment_status", Some(expect))?;
    match result.status {
        PaymentStatus::Succeeded => {
            result.status = PaymentStatus::Cancelled;
            Ok(result)
        }
        PaymentStatus::Failed => {
            let code = result.result_code.unwrap_or_else(|| "0".into());
            let class = match codes::classify(&code) {
                CodeClass::Accepted => CodeClass::OutcomeUnknown,
                _ if code == "0" => CodeClass::Declined,
                other => other,
            };
            let description = result.result_description.unwrap_or_else(|| "void refused".into());
            Err(AcquirerError::from_code(class, &code, &description))
        }
        // O8 defines no pending void; guessing either way could lose or double a sale.
        _ => Err(AcquirerError::malformed("void answer with payment_status -1")),
    }
}

/// What a refund answer must match.
pub(super) struct RefundExpectation<'a> {
    /// Our refund id, sent as `refund_number` (O7).
    pub merchant_refund_id: &'a str,
    /// The refunded payment, when known.
    pub payment_id: Option<&'a str>,
    /// The refund asked about, for refund queries.
    pub refund_id: Option<&'a str>,
    /// The refund's amount; `refund_amount` comes without a currency, it is in the payment's.
    pub amount: &'a Amount,
}

/// The answer to `applyRefund` or `queryRefund` (O6). The code of a failure comes in the
/// unsigned `refund_details`; the signed `refund_results` stays authoritative.
pub(super) fn refund_answer(
    merchant: &Merchant,
    body: &[u8],
    expect: &RefundExpectation<'_>,
) -> Result<RefundResult, AcquirerError> {
    let fields = signed_root_fields(merchant, body, OceanMessage::RefundResponse)?;
    let outcome = Outcome::parse(fields.text("refund_results"))
        .map_err(|e| AcquirerError::malformed(format!("refund_results: {e}")))?
        .ok_or_else(|| AcquirerError::malformed("no refund_results"))?;
    let (code, description) = wire::split_details(fields.text("refund_details"));
    let description = description.map(|d| cut(&d, MAX_DESCRIPTION));
    if outcome == Outcome::Failure {
        match code.as_deref().map(codes::classify) {
            None | Some(CodeClass::Declined) => {}
            Some(CodeClass::Accepted) => {
                return Err(code_error(CodeClass::OutcomeUnknown, code, description).into())
            }
            Some(class) => return Err(code_error(class, code, description).into()),
        }
    }
    if let Some(ours) = expect.payment_id {
        same_id("payment_id", fields.non_empty("payment_id"), ours, false)?;
    }
    if let Some(ours) = expect.refund_id {
        same_id("refund_id", fields.non_empty("refund_id"), ours, true)?;
    }
    same_id("refund_number", fields.non_empty("refund_number"), expect.merchant_refund_id, true)?;
    let currency = Some(expect.amount.currency().code());
    same_amount(fields.non_empty("refund_amount"), currency, expect.amount)?;
    Ok(RefundResult {
        status: match outcome {
            Outcome::Success => RefundStatus::Succeeded,
            Outcome::Failure => RefundStatus::Failed,
            Outcome::Pending => RefundStatus::Processing,
        },
        merchant_refund_id: fields.non_empty("refund_number").map(str::to_string),
        acquirer_refund_id: fields.non_empty("refund_id").map(|id| cut(id, 64)),
        amount: amount(fields.non_empty("refund_amount"), currency)?,
        result_code: code,
        result_description: description,
    })
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
