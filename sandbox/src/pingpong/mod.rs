//! PingPong Checkout v4: the four in-person endpoints and the notification bodies.
//!
//! Every request is verified (`104000` on a bad signature, `102000` naming the field on a bad
//! one) and every answer signed over accId, clientId, signType, code, description, bizContent.
//! Request errors carry no `bizContent` (choice P12).

mod cancel;
mod envelope;
mod fields;
mod payment;
mod refund;
mod render;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::{Map, Value};
use tillkit_core::sign::pingpong::SignType;

use crate::ledger::model::{Attempt, Refund};
use crate::reply::{deliver, Reply};
use crate::server::ConnectionKill;
use crate::state::{AppState, Shared};
use envelope::{error_answer, ApiError};

/// The PingPong routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v4/payment/unifiedPay", post(unified_pay))
        .route("/v4/payment/query", post(query))
        .route("/v4/payment/cancel", post(cancel))
        .route("/v4/payment/refund", post(refund))
        .route("/v4/refund/query", post(refund_query))
}

async fn query(s: State<Shared>, h: HeaderMap, b: Result<Bytes, BytesRejection>) -> Response {
    simple(s, h, b, payment::query).await
}

async fn cancel(s: State<Shared>, h: HeaderMap, b: Result<Bytes, BytesRejection>) -> Response {
    simple(s, h, b, cancel::cancel).await
}

async fn refund(s: State<Shared>, h: HeaderMap, b: Result<Bytes, BytesRejection>) -> Response {
    simple(s, h, b, refund::refund).await
}

async fn refund_query(
    s: State<Shared>,
    h: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Response {
    simple(s, h, b, refund::refund_query).await
}

type Handler = fn(&AppState, SignType, &Map<String, Value>) -> Result<Reply, ApiError>;

async fn simple(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    handler: Handler,
) -> Response {
    let creds = &app.credentials.pingpong;
    match envelope::parse(creds, &headers, body) {
        Err((e, st)) => error_answer(creds, st, &e).into_response(),
        Ok(v) => match handler(&app, v.sign_type, &v.biz) {
            Ok(reply) => reply.into_response(),
            Err(e) => error_answer(creds, v.sign_type, &e).into_response(),
        },
    }
}

async fn unified_pay(
    State(app): State<Shared>,
    kill: Option<Extension<ConnectionKill>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let creds = &app.credentials.pingpong;
    let v = match envelope::parse(creds, &headers, body) {
        Ok(v) => v,
        Err((e, st)) => return error_answer(creds, st, &e).into_response(),
    };
    match payment::unified_pay(&app, v.sign_type, &v.biz) {
        Ok((reply, fault)) => {
            let slow = app.clock.scaled(app.timings.slow_response);
            deliver(reply, fault, slow, kill.as_ref().map(|k| &k.0)).await
        }
        Err(e) => error_answer(creds, v.sign_type, &e).into_response(),
    }
}

/// The body of a payment notification (choice P15: request-shaped envelope, notifyType RECHARGE).
pub(crate) fn payment_notification(app: &AppState, attempt: &Attempt) -> String {
    let biz = render::payment_biz(attempt, render::View::Notification, &app.base_url);
    envelope::notification(&app.credentials.pingpong, &biz)
}

/// The body of a refund notification (notifyType REFUND).
pub(crate) fn refund_notification(app: &AppState, refund: &Refund) -> String {
    envelope::notification(
        &app.credentials.pingpong,
        &render::refund_biz(refund, render::View::Notification),
    )
}
