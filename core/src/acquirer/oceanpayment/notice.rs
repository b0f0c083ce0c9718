//! Oceanpayment's asynchronous notifications: payments (O9) and refunds (O12), each verified
//! with its own signature and checked against the configured merchant before anything is read.

use super::convert::{amount, check_signed, payment, AnswerError};
use super::wire;
use super::xml::{Element, Fields};
use super::Merchant;
use crate::acquirer::{Notification, NotificationError, RefundResult, RefundStatus};
use crate::sign::oceanpayment::OceanMessage;

/// An asynchronous notification: a payment's (O9, the pay-response XML with `response_type`
/// 1) or a refund's (O12). Amounts are checked by the engine against the stored records.
pub(super) fn notification(
    merchant: &Merchant,
    body: &[u8],
) -> Result<Notification, NotificationError> {
    let root = Element::parse(body).map_err(AnswerError::from)?;
    let fields = root.fields().map_err(AnswerError::from)?;
    // Only picks the message to verify: each signature covers its own kind.
    if wire::REFUND_NOTICE_TYPES.contains(&fields.text("notice_type")) {
        return refund_notification(merchant, &fields);
    }
    check_signed(merchant, &fields, OceanMessage::PayResponse)?;
    if fields.non_empty("response_type").is_some_and(|t| t != wire::NOTIFICATION_RESPONSE_TYPE) {
        return Err(NotificationError::Malformed("not an asynchronous notification".into()));
    }
    if fields.non_empty("notice_type").is_some_and(|t| t != wire::PAYMENT_NOTICE_TYPE) {
        return Err(NotificationError::Malformed("not a payment notification".into()));
    }
    Ok(Notification::Payment(payment(&fields, "payment_status", None)?))
}

/// A refund's business-order notification (O12): `push_id` is Oceanpayment's refund id,
/// `push_status` 1 success, 0 failure. `refund_number` (ours) and `refund_amount` are read when
/// present; they are outside the signature, so the engine checks them against the stored refund.
fn refund_notification(
    merchant: &Merchant,
    fields: &Fields,
) -> Result<Notification, NotificationError> {
    check_signed(merchant, fields, OceanMessage::RefundNotice)?;
    let malformed = |m: &str| NotificationError::Malformed(m.to_string());
    let order = fields.non_empty("order_number").ok_or_else(|| malformed("no order_number"))?;
    let push_id = fields.non_empty("push_id").ok_or_else(|| malformed("no push_id"))?;
    if order.len() > 50 || push_id.len() > 64 {
        return Err(malformed("order_number or push_id too long"));
    }
    let status = match fields.text("push_status") {
        "1" => RefundStatus::Succeeded,
        "0" => RefundStatus::Failed,
        _ => return Err(malformed("push_status must be 0 or 1")),
    };
    let refund_number = fields.non_empty("refund_number");
    if refund_number.is_some_and(|n| n.len() > 50) {
        return Err(malformed("refund_number too long"));
    }
    let amount = amount(fields.non_empty("refund_amount"), fields.non_empty("order_currency"))?;
    Ok(Notification::Refund {
        merchant_transaction_id: order.to_string(),
        result: RefundResult {
            status,
            merchant_refund_id: refund_number.map(str::to_string),
            acquirer_refund_id: Some(push_id.to_string()),
            amount,
            result_code: None,
            result_description: None,
        },
    })
}

#[cfg(test)]
#[path = "notice_tests.rs"]
mod tests;
