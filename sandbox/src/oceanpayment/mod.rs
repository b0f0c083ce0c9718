//! Oceanpayment in-person: pay (customer- and merchant-presented), query, refund, refund query
//! and the offline void. Requests are forms checked by `signValue`; answers are signed XML.
//!
//! Error answers keep each endpoint's shape (`payment_status` / `refund_results` 0) with
//! `code:message` details; the codes are listed in `README.md`.

mod form;
mod orders;
mod pay;
mod render;
mod xml;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};

use crate::ledger::model::Attempt;
use crate::reply::{deliver, Reply};
use crate::server::ConnectionKill;
use crate::state::{AppState, Shared};
use form::Form;

/// The Oceanpayment routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/gateway/directservice/pay", post(pay))
        .route("/service/check/normal", post(query))
        .route("/service/applyRefund", post(apply_refund))
        .route("/service/queryRefund", post(query_refund))
        .route("/gateway/service/auth", post(auth))
}

async fn pay(
    State(app): State<Shared>,
    kill: Option<Extension<ConnectionKill>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (reply, fault) = pay::pay(&app, &Form::parse(&headers, body));
    let slow = app.clock.scaled(app.timings.slow_response);
    deliver(reply, fault, slow, kill.as_ref().map(|k| &k.0)).await
}

type Handler = fn(&AppState, &Form) -> String;

fn simple(
    app: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    handler: Handler,
) -> Response {
    Reply::xml(handler(app, &Form::parse(headers, body))).into_response()
}

async fn query(
    State(app): State<Shared>,
    h: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Response {
    simple(&app, &h, b, orders::query)
}

async fn apply_refund(
    State(app): State<Shared>,
    h: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Response {
    simple(&app, &h, b, orders::apply_refund)
}

async fn query_refund(
    State(app): State<Shared>,
    h: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Response {
    simple(&app, &h, b, orders::query_refund)
}

async fn auth(
    State(app): State<Shared>,
    h: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Response {
    simple(&app, &h, b, pay::auth)
}

pub(crate) use orders::refund_notice;

/// The body of a payment notification (choice O9: the pay-response XML, `response_type` 1).
pub(crate) fn payment_notification(app: &AppState, attempt: &Attempt) -> String {
    render::pay_response(app, attempt, render::Use::Notification, false)
}
