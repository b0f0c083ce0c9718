//! The pay-response XML (pay answers, void answers, notifications) and its `payment_details`.

use tillkit_core::sign::oceanpayment::OceanMessage;

use super::form::{Form, OpError};
use super::xml::{amount, document, Elements};
use crate::ledger::model::{Attempt, Flow, PaymentStatus, Reason};
use crate::state::AppState;

/// `payment_status` (1 / 0 / -1) and `payment_details` (`code:message`) of an attempt's state.
/// The codes are the sandbox's own (README); 20090 is choice O3.
pub(crate) fn status_and_details(
    status: PaymentStatus,
    reason: Reason,
) -> (&'static str, &'static str) {
    match (status, reason) {
        (PaymentStatus::Success, _) => ("1", "20000:Success"),
        (PaymentStatus::Processing, _) => ("-1", "20020:Pending, waiting for the customer"),
        (_, Reason::Declined) => ("0", "20010:Transaction declined"),
        (_, Reason::CustomerCancelled) => ("0", "20011:Customer cancelled the payment"),
        (_, Reason::CodeAlreadyUsed) => ("0", "20012:Payment code already used"),
        (PaymentStatus::Closed, _) => ("0", "20090:Order closed"),
        (PaymentStatus::Cancel, _) => ("0", "20091:Order voided"),
        (_, _) => ("0", "20019:Transaction failed"),
    }
}

/// How a pay-response is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// The synchronous answer to a pay request (`response_type` 0).
    Answer,
    /// An asynchronous notification (`response_type` 1, `notice_type` transaction).
    Notification,
}

/// The pay-response XML for an attempt in its current state.
pub(crate) fn pay_response(app: &AppState, a: &Attempt, used: Use, corrupt: bool) -> String {
    let (status, details) = status_and_details(a.status, a.reason);
    pay_xml(app, a, "0", status, details, used, corrupt)
}

/// The answer to an offline void (choice O8): `payment_status` 1 voided, 0 refused.
pub(crate) fn void_response(app: &AppState, a: &Attempt, voided: bool) -> String {
    if voided {
        pay_xml(app, a, "3", "1", "20000:Success", Use::Answer, false)
    } else {
        let details = format!("20092:Order cannot be voided ({})", a.status.as_str());
        pay_xml(app, a, "3", "0", &details, Use::Answer, false)
    }
}

fn pay_xml(
    app: &AppState,
    a: &Attempt,
    auth_type: &str,
    status: &str,
    details: &str,
    used: Use,
    corrupt: bool,
) -> String {
    let creds = &app.credentials.oceanpayment;
    let mut e = Elements::new(creds);
    if used == Use::Notification {
        e.push("notice_type", "transaction").push("push_dateTime", app.clock.now_ms().to_string());
    }
    e.push("response_type", if used == Use::Notification { "1" } else { "0" })
        .push("methods", a.method.as_str())
        .push("order_number", a.merchant_transaction_id.as_str())
        .push("order_currency", a.currency.as_str())
        .push("order_amount", amount(a.amount_minor, &a.currency))
        .push("order_notes", a.remark.clone().unwrap_or_default())
        .push("card_number", "")
        .push("payment_id", a.transaction_id.as_str())
        .push("payment_authType", auth_type)
        .push("payment_status", status)
        .push("payment_details", details)
        .push("payment_risk", "");
    if a.flow == Flow::Qr && a.status == PaymentStatus::Processing {
        // Choice O3: the QR content in pay_url.
        e.push("pay_url", format!("{}/sandbox/qr/{}", app.base_url, a.transaction_id));
    }
    if let Some(code) = &a.code_masked {
        e.push("pay_barCode", code.as_str());
    }
    e.sign(creds, OceanMessage::PayResponse, corrupt);
    document(&e.render("response"))
}

/// A refused pay or void request: the pay-response shape, `payment_status` 0, fields echoed.
pub(crate) fn pay_error(app: &AppState, form: &Form, auth_type: &str, err: &OpError) -> String {
    let creds = &app.credentials.oceanpayment;
    let mut e = Elements::new(creds);
    e.push("response_type", "0")
        .push("methods", form.get("methods"))
        .push("order_number", form.get("order_number"))
        .push("order_currency", form.get("order_currency"))
        .push("order_amount", form.get("order_amount"))
        .push("order_notes", form.get("order_notes"))
        .push("card_number", "")
        .push("payment_id", "")
        .push("payment_authType", auth_type)
        .push("payment_status", "0")
        .push("payment_details", err.details())
        .push("payment_risk", "");
    e.sign(creds, OceanMessage::PayResponse, false);
    document(&e.render("response"))
}
