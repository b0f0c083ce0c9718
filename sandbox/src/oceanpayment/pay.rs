//! `POST /gateway/directservice/pay` and the offline void `POST /gateway/service/auth`.

use tillkit_core::money::Amount;
use tillkit_core::paycode::{PaymentCode, WalletFamily};
use tillkit_core::sign::oceanpayment::OceanMessage;

use super::form::{Form, OpError};
use super::render::{pay_error, pay_response, void_response, Use};
use crate::ledger::model::{Acquirer, Flow};
use crate::ledger::{NewPayment, PaymentDecision, VoidDecision};
use crate::reply::Reply;
use crate::scenario::WireFault;
use crate::state::AppState;

const WECHAT: &str = "WeChatPay_Offline";
const ALIPAY: &str = "Alipay_Offline";

/// Decides a pay request: the answer and the fault to send it through.
pub(crate) fn pay(app: &AppState, form: &Form) -> (Reply, Option<WireFault>) {
    match decide(app, form) {
        Ok(answer) => answer,
        Err(e) => (Reply::xml(pay_error(app, form, "0", &e)), None),
    }
}

fn decide(app: &AppState, form: &Form) -> Result<(Reply, Option<WireFault>), OpError> {
    form.verify(&app.credentials.oceanpayment, OceanMessage::PayRequest)?;
    let payment = new_payment(form)?;
    match app.ledger.begin_payment(&payment).map_err(internal)? {
        PaymentDecision::NotCommitted => Ok((Reply::server_error(), None)),
        // The order number is the request id, so the only refusal is its reuse with another
        // amount or currency (terminals play no part here).
        PaymentDecision::Refused(_) => Err(OpError::new(
            20061,
            "Duplicate order number: this order_number was used with another amount or currency",
        )),
        PaymentDecision::Answer { attempt, fault, .. } => {
            let corrupt = fault == Some(WireFault::BadSignature);
            Ok((Reply::xml(pay_response(app, &attempt, Use::Answer, corrupt)), fault))
        }
    }
}

pub(crate) fn internal(e: crate::ledger::LedgerError) -> OpError {
    log::error!("sandbox: {e}");
    OpError::new(50000, "internal error of the sandbox ledger")
}

fn new_payment(form: &Form) -> Result<NewPayment, OpError> {
    let order_number = form.required("order_number", 50)?.to_string();
    let currency = form.required("order_currency", 3)?;
    let amount = Amount::parse(form.required("order_amount", 10)?, currency)
        .map_err(|e| OpError::invalid(format!("parameter order_amount: {e}")))?;
    amount
        .to_oceanpayment_string()
        .map_err(|e| OpError::invalid(format!("parameter order_amount: {e}")))?;
    for key in ["billing_firstName", "billing_lastName", "billing_email"] {
        form.optional(key, 50)?;
    }
    let methods = form.optional("methods", 50)?;
    let (flow, method, code) = match form.optional("pay_accountNumber", 32)? {
        // Choice O2: a customer-presented code; the wallet follows from the code.
        Some(digits) => {
            let code = PaymentCode::parse(digits)
                .map_err(|e| OpError::invalid(format!("parameter pay_accountNumber: {e}")))?;
            let method = match code.family() {
                WalletFamily::WechatPay => WECHAT,
                WalletFamily::Alipay => ALIPAY,
                WalletFamily::AlipayPlus => {
                    return Err(OpError::invalid(
                        "parameter pay_accountNumber: Alipay+ codes are not accepted",
                    ))
                }
            };
            if methods.is_some_and(|m| m != method) {
                return Err(OpError::new(
                    20013,
                    format!("Payment code does not match methods {method}"),
                ));
            }
            (Flow::Code, method, Some(code))
        }
        None => match methods {
            Some(m @ (WECHAT | ALIPAY)) => (Flow::Qr, m, None),
            Some(other) => {
                return Err(OpError::invalid(format!(
                    "parameter methods: {other:?} is not emulated ({WECHAT}, {ALIPAY})"
                )))
            }
            None => return Err(OpError::invalid("missing parameter pay_accountNumber or methods")),
        },
    };
    let notice_url = form.optional("noticeUrl", 500)?.map(str::to_string);
    Ok(NewPayment {
        acquirer: Acquirer::Oceanpayment,
        request_id: order_number.clone(),
        merchant_transaction_id: order_number,
        amount,
        flow,
        method: method.to_string(),
        code,
        terminal: None,
        cashier_device_id: None,
        // Choice O3: no expiry field; the configured QR lifetime applies.
        expires_ms: None,
        notify_url: notice_url,
        close_notify_url: None,
        remark: form.optional("order_notes", 500)?.map(str::to_string),
    })
}

/// Answers `service/auth`; only `payment_authType=3` (offline void) is emulated.
pub(crate) fn auth(app: &AppState, form: &Form) -> String {
    let attempt = (|| {
        form.verify(&app.credentials.oceanpayment, OceanMessage::Void)?;
        if form.get("payment_authType") != "3" {
            return Err(OpError::invalid(
                "parameter payment_authType: only 3 (offline void) is emulated",
            ));
        }
        let order_number = form.required("order_number", 50)?;
        app.ledger.void(Acquirer::Oceanpayment, order_number).map_err(internal)
    })();
    match attempt {
        Ok(VoidDecision::Voided(a)) => void_response(app, &a, true),
        Ok(VoidDecision::Refused(a)) => void_response(app, &a, false),
        Ok(VoidDecision::UnknownOrder) => {
            pay_error(app, form, "3", &OpError::new(20068, "Order does not exist"))
        }
        Err(e) => pay_error(app, form, "3", &e),
    }
}
