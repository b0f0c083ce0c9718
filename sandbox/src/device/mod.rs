//! The device channel the sandbox serves to terminal agents (docs/terminal-channel.md):
//! `POST /device/v1/{inbox,ack,progress,authorize,result,offline}`, every request signed with
//! the terminal's device key and every answer signed back.

mod auth;
mod fields;
mod inbox;
pub(crate) mod keys;
mod offline;
mod sale;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde_json::{Map, Value};

use crate::state::{AppState, Shared};
use auth::{Caller, DeviceError};

/// Largest request body, in bytes.
pub(crate) const BODY_LIMIT: usize = 16 * 1024;

/// The device channel's routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(INBOX, post(inbox))
        .route(ACK, post(ack))
        .route(PROGRESS, post(progress))
        .route(AUTHORIZE, post(authorize))
        .route(RESULT, post(result))
        .route(OFFLINE, post(offline))
}

const INBOX: &str = "/device/v1/inbox";
const ACK: &str = "/device/v1/ack";
const PROGRESS: &str = "/device/v1/progress";
const AUTHORIZE: &str = "/device/v1/authorize";
const RESULT: &str = "/device/v1/result";
const OFFLINE: &str = "/device/v1/offline";

type Body = Result<Bytes, BytesRejection>;

/// A synchronous endpoint's work, after the request checked out.
type Handler = fn(&AppState, &Caller, &Map<String, Value>) -> Result<Value, DeviceError>;

/// A synchronous endpoint: checks the request, runs `handler`, signs what it answers.
fn serve(
    app: &AppState,
    path: &'static str,
    headers: &HeaderMap,
    body: Body,
    handler: Handler,
) -> Response {
    match auth::check(app, path, headers, body) {
        Err(refused) => *refused,
        Ok((caller, map)) => match handler(app, &caller, &map) {
            Ok(value) => caller.ok(&value),
            Err(e) => caller.error(&e),
        },
    }
}

async fn inbox(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    match auth::check(&app, INBOX, &headers, body) {
        Err(refused) => *refused,
        Ok((caller, map)) => match inbox::inbox(&app, &caller, &map).await {
            Ok(value) => caller.ok(&value),
            Err(e) => caller.error(&e),
        },
    }
}

async fn ack(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    serve(&app, ACK, &headers, body, inbox::ack)
}

async fn progress(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    serve(&app, PROGRESS, &headers, body, inbox::progress)
}

async fn authorize(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    serve(&app, AUTHORIZE, &headers, body, sale::authorize)
}

async fn result(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    serve(&app, RESULT, &headers, body, sale::result)
}

async fn offline(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    serve(&app, OFFLINE, &headers, body, offline::offline)
}
