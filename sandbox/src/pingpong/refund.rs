//! `POST /v4/payment/refund` and `POST /v4/refund/query` (choices P11, P13, P14).

use serde_json::{Map, Value};
use tillkit_core::sign::pingpong::SignType;

use super::envelope::{answer, ApiError};
use super::fields::Fields;
use super::payment::{currency, internal, url};
use super::render::{refund_biz, refund_code, View};
use crate::ledger::model::Acquirer;
use crate::ledger::{NewRefund, OrderRef, RefundDecision, RefundRefusal};
use crate::reply::Reply;
use crate::state::AppState;

/// Decides a verified refund request.
pub(crate) fn refund(
    app: &AppState,
    sign_type: SignType,
    biz: &Map<String, Value>,
) -> Result<Reply, ApiError> {
    let f = Fields::new(biz);
    let merchant_transaction_id = f.required("merchantTransactionId", 64)?;
    let merchant_refund_id = f.required("merchantRefundId", 64)?;
    let currency = currency(&f)?;
    let amount = f.amount("amount", currency.code())?;
    let request = NewRefund {
        acquirer: Acquirer::PingPong,
        merchant_refund_id: Some(merchant_refund_id.clone()),
        order: OrderRef::MerchantTransactionId(merchant_transaction_id.clone()),
        amount,
        full: false,
        notify_url: url(&f, "notificationUrl")?,
        remark: f.optional("remark", 255)?,
    };
    match app.ledger.refund(&request).map_err(internal)? {
        RefundDecision::Answer { refund, .. } => {
            let biz = refund_biz(&refund, View::FirstAnswer);
            let (code, description) = refund_code(refund.initial_status);
            Ok(answer(&app.credentials.pingpong, sign_type, code, description, Some(&biz), false))
        }
        RefundDecision::Refused(r) => {
            Err(refusal_error(&r, &merchant_transaction_id, &merchant_refund_id))
        }
    }
}

/// Answers a verified refund query.
pub(crate) fn refund_query(
    app: &AppState,
    sign_type: SignType,
    biz: &Map<String, Value>,
) -> Result<Reply, ApiError> {
    let f = Fields::new(biz);
    let merchant_transaction_id = f.required("merchantTransactionId", 64)?;
    let refund_id = f.optional("refundId", 64)?;
    let merchant_refund_id = f.optional("merchantRefundId", 64)?;
    if refund_id.is_none() && merchant_refund_id.is_none() {
        return Err(ApiError::invalid("missing field refundId or merchantRefundId"));
    }
    let found = app
        .ledger
        .find_refund(Acquirer::PingPong, merchant_refund_id.as_deref(), refund_id.as_deref())
        .map_err(internal)?
        .filter(|r| r.merchant_transaction_id == merchant_transaction_id)
        .filter(|r| merchant_refund_id.as_ref().is_none_or(|m| *m == r.merchant_refund_id));
    let refund = found.ok_or_else(|| ApiError::new("107001", "refund does not exist"))?;
    let biz = refund_biz(&refund, View::Query);
    Ok(answer(
        &app.credentials.pingpong,
        sign_type,
        "001000",
        "Successful request",
        Some(&biz),
        false,
    ))
}

fn refusal_error(r: &RefundRefusal, order: &str, refund_id: &str) -> ApiError {
    match r {
        RefundRefusal::UnknownOrder => {
            ApiError::new("107002", format!("original transaction {order} does not exist"))
        }
        RefundRefusal::NotPaid(status) => ApiError::new(
            "105000",
            format!("invalid transaction: order {order} is {}, not paid", status.as_str()),
        ),
        RefundRefusal::CurrencyMismatch { paid_in } => {
            ApiError::new("106000", format!("invalid currency: the payment was in {paid_in}"))
        }
        RefundRefusal::RefundIdReused => ApiError::new(
            "107000",
            format!("duplicated transaction: merchantRefundId {refund_id} was used with another amount or order"),
        ),
        RefundRefusal::ExceedsOriginal { paid_minor } => ApiError::new(
            "108000",
            format!("refund amount exceeds the original amount ({paid_minor} minor units)"),
        ),
        RefundRefusal::ExceedsRemaining { remaining_minor } => ApiError::new(
            "108003",
            format!("refund amount exceeds the refundable balance ({remaining_minor} minor units)"),
        ),
        RefundRefusal::FullRefundAmount { remaining_minor } => ApiError::new(
            "108001",
            format!("refund amount out of range ({remaining_minor} minor units remain)"),
        ),
    }
}
