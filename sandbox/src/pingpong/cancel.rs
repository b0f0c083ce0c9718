//! `POST /v4/payment/cancel`: the cashier's cancel of a card sale on a terminal served by an
//! agent (TillKit's extension, choice P8 in docs/acquirer-choices.md: PingPong publishes no
//! cancel for in-person orders).
//!
//! The answer is the payment as it stands after the cancel: ended at once
//! (`cancelled_by_cashier`) when the terminal had not acknowledged the sale, otherwise still
//! PROCESSING with a `cancel` queued to the terminal, whose result decides (a result that
//! arrived first wins). The cashier keeps querying until the payment is final.

use serde_json::{Map, Value};
use tillkit_core::sign::pingpong::SignType;

use super::envelope::ApiError;
use super::fields::Fields;
use super::payment::{internal, query_answer};
use crate::ledger::model::Acquirer;
use crate::ledger::CancelDecision;
use crate::reply::Reply;
use crate::state::AppState;

/// Answers a verified cancel request.
pub(crate) fn cancel(
    app: &AppState,
    sign_type: SignType,
    biz: &Map<String, Value>,
) -> Result<Reply, ApiError> {
    let f = Fields::new(biz);
    let order = f.required("merchantTransactionId", 64)?;
    let decision = app.ledger.cancel_card_sale(Acquirer::PingPong, &order).map_err(internal)?;
    let attempt = match decision {
        CancelDecision::Answer(a) => a,
        CancelDecision::NotCancellable(a) => {
            return Err(ApiError::new(
                "105000",
                format!(
                    "invalid transaction: order {order} is a {} payment ({}); only a card sale \
                     taken by a terminal agent can be cancelled",
                    a.flow.as_str(),
                    a.status.as_str()
                ),
            ))
        }
        CancelDecision::UnknownOrder => {
            return Err(ApiError::new("107001", "transaction does not exist"))
        }
    };
    Ok(query_answer(app, sign_type, &attempt))
}
