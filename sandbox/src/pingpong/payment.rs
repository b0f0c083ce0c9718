//! `POST /v4/payment/unifiedPay` and `POST /v4/payment/query`.

use serde_json::{Map, Value};
use tillkit_core::money::Currency;
use tillkit_core::paycode::{PaymentCode, WalletFamily};
use tillkit_core::sign::pingpong::SignType;

use super::envelope::{answer, ApiError};
use super::fields::Fields;
use super::render::{payment_biz, result_code, View};
use crate::ledger::model::{Acquirer, Attempt, Flow, Terminal};
use crate::ledger::{NewPayment, PaymentDecision, Refusal};
use crate::reply::Reply;
use crate::scenario::WireFault;
use crate::state::AppState;

/// Shortest and longest `timeExpire` accepted (choice P6).
const EXPIRE_MIN_MS: i64 = 60_000;
const EXPIRE_MAX_MS: i64 = 3 * 24 * 3_600_000;

/// Decides a verified unifiedPay request: the answer and the fault to send it through.
pub(crate) fn unified_pay(
    app: &AppState,
    sign_type: SignType,
    biz: &Map<String, Value>,
) -> Result<(Reply, Option<WireFault>), ApiError> {
    let payment = new_payment(app, biz)?;
    let decision = app.ledger.begin_payment(&payment).map_err(internal)?;
    match decision {
        PaymentDecision::Refused(refusal) => {
            Err(refusal_error(&refusal, &payment, app.clock.now_ms()))
        }
        PaymentDecision::NotCommitted => Ok((Reply::server_error(), None)),
        PaymentDecision::Answer { attempt, fault, .. } => {
            let biz = payment_biz(&attempt, View::FirstAnswer, &app.base_url);
            let (code, description) = result_code(attempt.initial_status, attempt.initial_reason);
            let corrupt = fault == Some(WireFault::BadSignature);
            let creds = &app.credentials.pingpong;
            Ok((answer(creds, sign_type, code, description, Some(&biz), corrupt), fault))
        }
    }
}

/// Answers a verified query with the current state of an attempt.
pub(crate) fn query(
    app: &AppState,
    sign_type: SignType,
    biz: &Map<String, Value>,
) -> Result<Reply, ApiError> {
    let f = Fields::new(biz);
    let transaction_id = f.optional("transactionId", 64)?;
    let merchant_id = f.optional("merchantTransactionId", 64)?;
    let request_id = f.optional("requestId", 64)?;
    let ledger = &app.ledger;
    let found = match (&request_id, &transaction_id, &merchant_id) {
        (_, None, None) => {
            return Err(ApiError::invalid("missing field merchantTransactionId or transactionId"))
        }
        (Some(r), _, _) => ledger.attempt(Acquirer::PingPong, r),
        (None, Some(t), _) => ledger.attempt_by_transaction_id(Acquirer::PingPong, t),
        (None, None, Some(m)) => ledger.latest_attempt(Acquirer::PingPong, m),
    }
    .map_err(internal)?
    .filter(|a| transaction_id.as_ref().is_none_or(|t| *t == a.transaction_id))
    .filter(|a| merchant_id.as_ref().is_none_or(|m| *m == a.merchant_transaction_id));
    let attempt = found.ok_or_else(|| ApiError::new("107001", "transaction does not exist"))?;
    Ok(query_answer(app, sign_type, &attempt))
}

/// The signed answer that shows a payment as a query sees it (`001000`).
pub(crate) fn query_answer(app: &AppState, sign_type: SignType, attempt: &Attempt) -> Reply {
    let biz = payment_biz(attempt, View::Query, &app.base_url);
    answer(&app.credentials.pingpong, sign_type, "001000", "Successful request", Some(&biz), false)
}

pub(crate) fn internal(e: crate::ledger::LedgerError) -> ApiError {
    log::error!("sandbox: {e}");
    ApiError::new("500000", "internal error of the sandbox ledger")
}

fn new_payment(app: &AppState, biz: &Map<String, Value>) -> Result<NewPayment, ApiError> {
    let f = Fields::new(biz);
    let merchant_transaction_id = f.required("merchantTransactionId", 64)?;
    let request_id = f.required("requestId", 64)?;
    let currency = currency(&f)?;
    let amount = f.amount("amount", currency.code())?;
    match f.integer("captureDelayHours")? {
        None => return Err(ApiError::invalid("missing field captureDelayHours")),
        Some(0) => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "field captureDelayHours: the sandbox supports 0 (immediate capture) only",
            ))
        }
    }
    let pm = f
        .object("paymentMethod", "paymentMethod.")?
        .ok_or_else(|| ApiError::invalid("missing field paymentMethod"))?;
    let method = pm.required("type", 32)?;
    let scan_code = pm.optional("scanCodeId", 32)?;
    // Choice P1: on every in-person request, at the top level of bizContent.
    let cashier_device_id = f.required("cashierDeviceId", 64)?;
    let device_sn = f.optional("deviceSn", 64)?;
    let device_model = f.optional("deviceModel", 64)?;
    let (flow, code, terminal) = match method.as_str() {
        "Wechat-Offline" | "AlipayCN-Offline" | "AlipayHK-Offline" => {
            check_wallet_currency(&method, currency)?;
            match scan_code {
                // Choice P2: with scanCodeId a customer-presented code, without a merchant QR.
                Some(digits) => (Flow::Code, Some(wallet_code(&method, &digits)?), None),
                None => (Flow::Qr, None, None),
            }
        }
        "scheme" => {
            if pm.has("cardInfo") {
                return Err(ApiError::invalid(
                    "field paymentMethod.cardInfo: card-not-present payments are not emulated; \
                     send deviceSn and deviceModel for a card on a terminal",
                ));
            }
            // Choice P3: scheme without cardInfo, routed by deviceSn + deviceModel.
            let (Some(device_sn), Some(device_model)) = (device_sn.clone(), device_model.clone())
            else {
                return Err(ApiError::invalid("missing field deviceSn or deviceModel"));
            };
            (Flow::Card, None, Some(Terminal { device_sn, device_model }))
        }
        other => {
            return Err(ApiError::invalid(format!(
                "field paymentMethod.type: {other:?} is not emulated (Wechat-Offline, \
                 AlipayCN-Offline, AlipayHK-Offline, scheme)"
            )))
        }
    };
    Ok(NewPayment {
        acquirer: Acquirer::PingPong,
        request_id,
        merchant_transaction_id,
        amount,
        flow,
        method,
        code,
        terminal,
        cashier_device_id: Some(cashier_device_id),
        expires_ms: expiry(app, &f)?,
        notify_url: url(&f, "notificationUrl")?,
        close_notify_url: url(&f, "closeNotificationUrl")?,
        remark: f.optional("remark", 255)?,
    })
}

pub(crate) fn currency(f: &Fields<'_>) -> Result<Currency, ApiError> {
    let code = f.required("currency", 3)?;
    Currency::from_code(&code)
        .map_err(|_| ApiError::new("106000", format!("invalid currency {code}")))
}

/// PingPong's method table: Wechat-Offline CNY/HKD, AlipayCN-Offline CNY/USD, AlipayHK-Offline
/// HKD/USD.
fn check_wallet_currency(method: &str, currency: Currency) -> Result<(), ApiError> {
    let allowed: &[&str] = match method {
        "Wechat-Offline" => &["CNY", "HKD"],
        "AlipayCN-Offline" => &["CNY", "USD"],
        _ => &["HKD", "USD"],
    };
    if allowed.contains(&currency.code()) {
        Ok(())
    } else {
        Err(ApiError::new("106000", format!("{method} does not take {}", currency.code())))
    }
}

/// The code must be a valid code of the method's wallet.
fn wallet_code(method: &str, digits: &str) -> Result<PaymentCode, ApiError> {
    let code = PaymentCode::parse(digits)
        .map_err(|e| ApiError::invalid(format!("field paymentMethod.scanCodeId: {e}")))?;
    let wanted =
        if method == "Wechat-Offline" { WalletFamily::WechatPay } else { WalletFamily::Alipay };
    if code.family() != wanted {
        return Err(ApiError::invalid(format!(
            "field paymentMethod.scanCodeId: a {} code cannot pay with {method}",
            code.family().name()
        )));
    }
    Ok(code)
}

/// Choice P6: `timeExpire` is epoch seconds, 60 s to 3 days from now. The sandbox closes the
/// order after the same span compressed by the time scale.
fn expiry(app: &AppState, f: &Fields<'_>) -> Result<Option<i64>, ApiError> {
    let Some(seconds) = f.integer("timeExpire")? else { return Ok(None) };
    let now = app.clock.now_ms();
    let span = seconds.saturating_mul(1000).saturating_sub(now);
    if !(EXPIRE_MIN_MS..=EXPIRE_MAX_MS).contains(&span) {
        return Err(ApiError::invalid(
            "field timeExpire must be epoch seconds between 60 s and 3 days from now",
        ));
    }
    let span = std::time::Duration::from_millis(u64::try_from(span).unwrap_or(0));
    Ok(Some(app.clock.after(now, span)))
}

/// A notification URL: at most 255 characters, no query string (PingPong's rule).
pub(crate) fn url(f: &Fields<'_>, key: &str) -> Result<Option<String>, ApiError> {
    let url = f.optional(key, 255)?;
    if url.as_deref().is_some_and(|u| u.contains('?')) {
        return Err(ApiError::invalid(format!("field {key} must not have a query string")));
    }
    Ok(url)
}

fn refusal_error(refusal: &Refusal, p: &NewPayment, now: i64) -> ApiError {
    let order = &p.merchant_transaction_id;
    match refusal {
        Refusal::RequestIdReused => ApiError::new(
            "107000",
            format!(
                "duplicated transaction: requestId {} was used for another order or amount",
                p.request_id
            ),
        ),
        Refusal::OrderInProgress(s) => ApiError::new(
            "107000",
            format!("duplicated transaction: order {order} is {}", s.as_str()),
        ),
        Refusal::OrderFinal(s) => {
            ApiError::new("105000", format!("invalid transaction: order {order} is {}", s.as_str()))
        }
        Refusal::UnknownTerminal => {
            let (sn, model) = p
                .terminal
                .as_ref()
                .map_or(("", ""), |t| (t.device_sn.as_str(), t.device_model.as_str()));
            ApiError::invalid(format!(
                "field deviceSn/deviceModel: no terminal {sn}/{model} is registered"
            ))
        }
        Refusal::TerminalBusy { merchant_transaction_id, agent } => {
            let e = ApiError::new(
                "500000",
                format!(
                    "terminal busy: it is taking the payment of order {merchant_transaction_id}"
                ),
            );
            if *agent {
                e.with_biz(serde_json::json!({
                    "terminalState": "BUSY",
                    "blockingTransactionId": merchant_transaction_id,
                }))
            } else {
                e
            }
        }
        Refusal::TerminalUnreachable { last_seen_ms } => {
            let description = match last_seen_ms {
                Some(seen) => format!(
                    "terminal unreachable: last seen {} s ago",
                    now.saturating_sub(*seen).max(0) / 1000
                ),
                None => "terminal unreachable: its agent has never polled".to_string(),
            };
            ApiError::new("500000", description).with_biz(serde_json::json!({
                "terminalState": "UNREACHABLE",
                "lastSeenMs": last_seen_ms,
            }))
        }
    }
}
