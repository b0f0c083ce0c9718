//! Order management: `service/check/normal` (query), `service/applyRefund`,
//! `service/queryRefund` (choices O4–O7).

use tillkit_core::money::Amount;
use tillkit_core::sign::oceanpayment::OceanMessage;

use super::form::{Form, OpError};
use super::pay::internal;
use super::render::status_and_details;
use super::xml::{amount, document, Elements};
use crate::ledger::model::{Acquirer, Attempt, PaymentStatus, Refund};
use crate::ledger::{NewRefund, OrderRef, RefundDecision, RefundRefusal};
use crate::state::AppState;

/// Oceanpayment queries at most 100 order numbers at once.
const MAX_ORDERS_PER_QUERY: usize = 100;

/// Answers a status query: one `paymentInfo` per order number, each signed (choice O4).
pub(crate) fn query(app: &AppState, form: &Form) -> String {
    let creds = &app.credentials.oceanpayment;
    let infos: Result<Vec<String>, OpError> = (|| {
        form.verify(creds, OceanMessage::Query)?;
        let numbers: Vec<&str> = form
            .required("order_number", 50 * MAX_ORDERS_PER_QUERY)?
            .split(',')
            .map(str::trim)
            .collect();
        if numbers.len() > MAX_ORDERS_PER_QUERY
            || numbers.iter().any(|n| n.is_empty() || n.len() > 50)
        {
            return Err(OpError::invalid(
                "parameter order_number: 1 to 100 order numbers of 1 to 50 characters",
            ));
        }
        numbers
            .into_iter()
            .map(|n| {
                let found =
                    app.ledger.latest_attempt(Acquirer::Oceanpayment, n).map_err(internal)?;
                Ok(match found {
                    Some(a) => payment_info(app, &a),
                    // Choice O5: unknown order → empty results, 20068.
                    None => missing_info(app, n, &OpError::new(20068, "Order does not exist")),
                })
            })
            .collect()
    })();
    let infos = infos.unwrap_or_else(|e| vec![missing_info(app, form.get("order_number"), &e)]);
    document(&format!("<response>{}</response>", infos.concat()))
}

fn payment_info(app: &AppState, a: &Attempt) -> String {
    let creds = &app.credentials.oceanpayment;
    let (results, details) = status_and_details(a.status, a.reason);
    let mut e = Elements::new(creds);
    e.push("order_number", a.merchant_transaction_id.as_str())
        .push("order_currency", a.currency.as_str())
        .push("order_amount", amount(a.amount_minor, &a.currency))
        .push("order_notes", a.remark.clone().unwrap_or_default())
        .push("methods", a.method.as_str())
        .push("payment_id", a.transaction_id.as_str())
        .push("payment_results", results)
        .push("payment_details", details)
        .push("payment_dateTime", a.final_ms.unwrap_or(a.created_ms).to_string());
    let refunds = app
        .ledger
        .order(Acquirer::Oceanpayment, &a.merchant_transaction_id)
        .ok()
        .flatten()
        .map(|o| o.refunds)
        .unwrap_or_default();
    e.push("refund_status", if refunds.is_empty() { "0" } else { "1" });
    e.sign(creds, OceanMessage::QueryResponse, false);
    let info = e.render("paymentInfo");
    // Choice O11: the order's refunds, outside the signature like the rest of the list.
    let list: String = refunds.iter().map(refund_item).collect();
    info.replacen("</paymentInfo>", &format!("<refundList>{list}</refundList></paymentInfo>"), 1)
}

/// One refund in an order query's `refundList` (choice O11).
fn refund_item(r: &Refund) -> String {
    let mut e = Elements::default();
    let results = match r.status {
        PaymentStatus::Success => "1",
        PaymentStatus::Processing => "-1",
        _ => "0",
    };
    e.push("refund_id", r.refund_id.as_str())
        .push("refund_number", r.merchant_refund_id.as_str())
        .push("refund_amount", amount(r.amount_minor, &r.currency))
        .push("refund_results", results);
    e.render("refund")
}

fn missing_info(app: &AppState, order_number: &str, err: &OpError) -> String {
    let creds = &app.credentials.oceanpayment;
    let mut e = Elements::new(creds);
    e.push("order_number", order_number)
        .push("order_currency", "")
        .push("order_amount", "")
        .push("payment_id", "")
        .push("payment_results", "")
        .push("payment_details", err.details());
    e.sign(creds, OceanMessage::QueryResponse, false);
    e.render("paymentInfo")
}

/// Decides a refund request (choices O6, O7).
pub(crate) fn apply_refund(app: &AppState, form: &Form) -> String {
    let outcome = (|| {
        form.verify(&app.credentials.oceanpayment, OceanMessage::Refund)?;
        let payment_id = form.required("payment_id", 32)?;
        let full = match form.required("refund_type", 1)? {
            "1" => true,
            "2" => false,
            _ => {
                return Err(OpError::invalid(
                    "parameter refund_type must be 1 (full) or 2 (partial)",
                ))
            }
        };
        let refund_number = form.optional("refund_number", 50)?.map(str::to_string);
        let remark = form.optional("refund_description", 500)?.map(str::to_string);
        let attempt = app
            .ledger
            .attempt_by_transaction_id(Acquirer::Oceanpayment, payment_id)
            .map_err(internal)?
            .ok_or_else(|| OpError::new(20068, "Order does not exist"))?;
        // A refund has no currency of its own: it is in the payment's.
        let amount = Amount::parse(form.required("refund_amount", 10)?, &attempt.currency)
            .map_err(|e| OpError::invalid(format!("parameter refund_amount: {e}")))?;
        let request = NewRefund {
            acquirer: Acquirer::Oceanpayment,
            merchant_refund_id: refund_number,
            order: OrderRef::TransactionId(payment_id.to_string()),
            amount,
            full,
            // Choice O12: refund notices go where the order's notices go (Oceanpayment sends
            // business-order notifications to the merchant's configured address).
            notify_url: attempt.notify_url.clone(),
            remark,
        };
        match app.ledger.refund(&request).map_err(internal)? {
            RefundDecision::Answer { refund, .. } => Ok(refund),
            RefundDecision::Refused(r) => Err(refusal(&r)),
        }
    })();
    match outcome {
        Ok(refund) => refund_response(app, &refund),
        Err(e) => refund_error(app, form, &e),
    }
}

/// Answers a refund query.
pub(crate) fn query_refund(app: &AppState, form: &Form) -> String {
    let outcome = (|| {
        form.verify(&app.credentials.oceanpayment, OceanMessage::RefundQuery)?;
        let refund_id = form.required("refund_id", 32)?;
        app.ledger
            .find_refund(Acquirer::Oceanpayment, None, Some(refund_id))
            .map_err(internal)?
            .ok_or_else(|| OpError::new(20106, "Refund does not exist"))
    })();
    match outcome {
        Ok(refund) => refund_response(app, &refund),
        Err(e) => refund_error(app, form, &e),
    }
}

/// A refund's business-order notification (choice O12): `push_id` is the refund id,
/// `push_status` 1 success, 0 failure; pending refunds are not notified.
pub(crate) fn refund_notice(app: &AppState, r: &Refund, full: bool) -> String {
    let creds = &app.credentials.oceanpayment;
    let mut e = Elements::new(creds);
    let status = if r.status == PaymentStatus::Success { "1" } else { "0" };
    e.push("order_number", r.merchant_transaction_id.as_str())
        .push("notice_type", if full { "refund" } else { "partialRefund" })
        .push("push_id", r.refund_id.as_str())
        .push("push_status", status)
        .push("push_dateTime", app.clock.now_ms().to_string())
        .push("refund_number", r.merchant_refund_id.as_str())
        .push("refund_amount", amount(r.amount_minor, &r.currency))
        .push("order_currency", r.currency.as_str());
    e.sign(creds, OceanMessage::RefundNotice, false);
    document(&e.render("response"))
}

/// A refund's current state (choice O6): `refund_results` 1 success, -1 pending, 0 failed.
fn refund_response(app: &AppState, r: &Refund) -> String {
    let (results, details) = match r.status {
        PaymentStatus::Success => ("1", "20000:Success"),
        PaymentStatus::Processing => ("-1", "20030:Refund pending"),
        _ => ("0", "20031:Refund failed"),
    };
    let creds = &app.credentials.oceanpayment;
    let mut e = Elements::new(creds);
    e.push("payment_id", r.transaction_id.as_str())
        .push("refund_id", r.refund_id.as_str())
        .push("refund_number", r.merchant_refund_id.as_str())
        .push("refund_amount", amount(r.amount_minor, &r.currency))
        .push("refund_results", results)
        .push("refund_description", r.remark.clone().unwrap_or_default())
        .push("refund_details", details);
    e.sign(creds, OceanMessage::RefundResponse, false);
    document(&e.render("response"))
}

fn refund_error(app: &AppState, form: &Form, err: &OpError) -> String {
    let creds = &app.credentials.oceanpayment;
    let mut e = Elements::new(creds);
    e.push("payment_id", form.get("payment_id"))
        .push("refund_id", form.get("refund_id"))
        .push("refund_number", form.get("refund_number"))
        .push("refund_amount", form.get("refund_amount"))
        .push("refund_results", "0")
        .push("refund_description", form.get("refund_description"))
        .push("refund_details", err.details());
    e.sign(creds, OceanMessage::RefundResponse, false);
    document(&e.render("response"))
}

fn refusal(r: &RefundRefusal) -> OpError {
    match r {
        RefundRefusal::UnknownOrder => OpError::new(20068, "Order does not exist"),
        RefundRefusal::NotPaid(s) => {
            OpError::new(20105, format!("Order is not paid ({})", s.as_str()))
        }
        RefundRefusal::CurrencyMismatch { paid_in } => {
            OpError::invalid(format!("refund currency differs from the payment's {paid_in}"))
        }
        RefundRefusal::RefundIdReused => {
            OpError::new(20104, "refund_number was used with another amount or order")
        }
        RefundRefusal::ExceedsOriginal { .. } => {
            OpError::new(20101, "Refund amount exceeds the payment amount")
        }
        RefundRefusal::ExceedsRemaining { .. } => {
            OpError::new(20102, "Refund amount exceeds the refundable balance")
        }
        RefundRefusal::FullRefundAmount { .. } => OpError::new(
            20103,
            "refund_type 1 (full) needs refund_amount equal to the refundable balance",
        ),
    }
}
