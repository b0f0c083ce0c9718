//! Oceanpayment (stub).
use crate::ledger::model::Attempt;
use crate::state::{AppState, Shared};
use axum::Router;
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
}
pub(crate) fn payment_notification(_app: &AppState, _a: &Attempt) -> String {
    String::new()
}
