//! `/sandbox/*`: health, the ledger and its refunds as JSON for tests, and terminal registration.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;

use crate::ledger::model::{Acquirer, Terminal};
use crate::state::Shared;

/// The inspection routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/sandbox/health", get(health))
        .route("/sandbox/ledger", get(ledger))
        .route("/sandbox/refunds", get(refunds))
        .route("/sandbox/orders/{merchant_transaction_id}", get(order))
        .route("/sandbox/notifications", get(notifications))
        .route("/sandbox/terminals", get(terminals).post(register_terminal))
        .route("/sandbox/terminals/{device_sn}", delete(remove_terminal))
        .route("/sandbox/qr/{transaction_id}", get(qr))
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

fn internal(e: crate::ledger::LedgerError) -> Response {
    log::error!("sandbox: {e}");
    error(StatusCode::INTERNAL_SERVER_ERROR, "ledger error")
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn ledger(State(app): State<Shared>) -> Response {
    match app.ledger.rows() {
        Ok(rows) => Json(rows).into_response(),
        Err(e) => internal(e),
    }
}

async fn refunds(State(app): State<Shared>) -> Response {
    match app.ledger.refunds() {
        Ok(rows) => Json(rows).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
struct Which {
    acquirer: Option<String>,
}

async fn order(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(which): Query<Which>,
) -> Response {
    let acquirers = match which.acquirer.as_deref() {
        None => vec![Acquirer::PingPong, Acquirer::Oceanpayment],
        Some(name) => match Acquirer::parse(name) {
            Some(a) => vec![a],
            None => {
                return error(StatusCode::BAD_REQUEST, "acquirer must be pingpong or oceanpayment")
            }
        },
    };
    let mut found = Vec::new();
    for acquirer in acquirers {
        match app.ledger.order(acquirer, &id) {
            Ok(Some(order)) => found.push(order),
            Ok(None) => {}
            Err(e) => return internal(e),
        }
    }
    match found.len() {
        0 => error(StatusCode::NOT_FOUND, format!("no order {id}")),
        1 => Json(found.remove(0)).into_response(),
        _ => error(StatusCode::CONFLICT, "both acquirers have this order: add ?acquirer="),
    }
}

/// What a merchant-presented QR code points at (the `qrUrl` / `pay_url` the sandbox hands out):
/// the payment it pays and its current state. The sandbox customer pays on its own schedule.
async fn qr(State(app): State<Shared>, Path(transaction_id): Path<String>) -> Response {
    for acquirer in [Acquirer::PingPong, Acquirer::Oceanpayment] {
        match app.ledger.attempt_by_transaction_id(acquirer, &transaction_id) {
            Ok(Some(a)) if a.flow == crate::ledger::model::Flow::Qr => {
                return Json(json!({
                    "acquirer": acquirer,
                    "transactionId": a.transaction_id,
                    "merchantTransactionId": a.merchant_transaction_id,
                    "amount": crate::ledger::major(a.amount_minor, &a.currency),
                    "currency": a.currency,
                    "method": a.method,
                    "status": a.status,
                    "expiresMs": a.expires_ms,
                }))
                .into_response()
            }
            Ok(_) => {}
            Err(e) => return internal(e),
        }
    }
    error(StatusCode::NOT_FOUND, format!("no QR payment {transaction_id}"))
}

async fn notifications(State(app): State<Shared>) -> Response {
    match app.ledger.notifications() {
        Ok(list) => Json(list).into_response(),
        Err(e) => internal(e),
    }
}

async fn terminals(State(app): State<Shared>) -> Response {
    match app.ledger.terminals() {
        Ok(list) => Json(list).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewTerminal {
    device_sn: String,
    device_model: String,
}

async fn register_terminal(
    State(app): State<Shared>,
    body: Result<Json<NewTerminal>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(t)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "expected JSON {\"deviceSn\": …, \"deviceModel\": …}",
        );
    };
    let valid = |s: &str| !s.trim().is_empty() && s.len() <= 64 && !s.chars().any(char::is_control);
    if !valid(&t.device_sn) || !valid(&t.device_model) {
        return error(StatusCode::BAD_REQUEST, "deviceSn and deviceModel: 1 to 64 characters");
    }
    let terminal = Terminal { device_sn: t.device_sn, device_model: t.device_model };
    match crate::device::keys::issue(&app.ledger, &app.device_master, &terminal) {
        // The key is shown once, here; the ledger keeps only its id.
        Ok(key) => (
            StatusCode::CREATED,
            Json(json!({
                "deviceSn": terminal.device_sn,
                "deviceModel": terminal.device_model,
                "keyId": key.key_id,
                "deviceKey": key.secret_hex().expose_secret(),
            })),
        )
            .into_response(),
        Err(e) => {
            log::error!("sandbox: {e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, "cannot issue a device key")
        }
    }
}

/// Removes a terminal (every model with this serial number) and revokes its keys.
async fn remove_terminal(State(app): State<Shared>, Path(device_sn): Path<String>) -> Response {
    match app.ledger.remove_terminal(&device_sn) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => error(StatusCode::NOT_FOUND, format!("no terminal {device_sn}")),
        Err(e) => internal(e),
    }
}
