//! PingPong `bizContent` of answers and notifications, and the result codes (choices P12–P14).

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::ledger::model::{Attempt, CardOnFile, Flow, PaymentStatus, Reason, Refund};

/// The result code and description of an attempt in a given state.
///
/// Choice P12 pairs FAILED with `301002` (or `301003`), so every failure carries `301002` and
/// the description tells them apart.
pub(crate) fn result_code(status: PaymentStatus, reason: Reason) -> (&'static str, &'static str) {
    match (status, reason) {
        (PaymentStatus::Success, _) => ("000000", "Transaction succeeded"),
        (PaymentStatus::Processing, _) => ("002000", "Transaction processing"),
        (PaymentStatus::Closed, Reason::Undelivered) => {
            ("105000", "Transaction closed: the terminal did not pick it up")
        }
        (PaymentStatus::Closed, _) => ("105000", "Transaction expired: the order is closed"),
        (PaymentStatus::Cancel, _) => ("105000", "Transaction voided"),
        (_, Reason::CustomerCancelled) => {
            ("301002", "Do not honor: the customer cancelled the payment")
        }
        (_, Reason::CodeAlreadyUsed) => {
            ("301002", "Do not honor: the payment code has expired or was already used")
        }
        (_, Reason::CancelledAtTerminal) => {
            ("301002", "Do not honor: the customer cancelled at the terminal")
        }
        (_, Reason::CancelledByCashier) => ("301002", "Do not honor: the cashier cancelled"),
        (_, Reason::TimedOut) => ("301002", "Do not honor: no card was presented in time"),
        (_, Reason::TerminalFailed) => ("301002", "Do not honor: the terminal failed"),
        (_, _) => ("301002", "Do not honor"),
    }
}

/// PingPong's amount format: six decimals ("100.000000").
pub(crate) fn six_decimals(minor: i64, currency: &str) -> String {
    let exponent = tillkit_core::money::Currency::from_code(currency).map_or(2, |c| c.exponent());
    let mut d = Decimal::new(minor, exponent);
    d.rescale(6);
    d.to_string()
}

/// How the answer is used: the first (or replayed) unifiedPay answer, a query, a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// The state of the first answer, without result fields.
    FirstAnswer,
    /// The current state, with `resultCode` / `resultDescription`.
    Query,
    /// The current state, with `notifyType`.
    Notification,
}

/// The `bizContent` of a payment.
pub(crate) fn payment_biz(a: &Attempt, view: View, base_url: &str) -> Value {
    let (status, reason) = match view {
        View::FirstAnswer => (a.initial_status, a.initial_reason),
        View::Query | View::Notification => (a.status, a.reason),
    };
    let mut biz = Map::new();
    let mut put = |k: &str, v: Value| {
        biz.insert(k.to_string(), v);
    };
    put("transactionId", json!(a.transaction_id));
    put("merchantTransactionId", json!(a.merchant_transaction_id));
    put("requestId", json!(a.request_id));
    put("amount", json!(six_decimals(a.amount_minor, &a.currency)));
    put("currency", json!(a.currency));
    put("status", json!(status.as_str()));
    put("captureDelayHours", json!(0));
    put("transactionTime", json!(a.created_ms.to_string()));
    if status.is_final() {
        if let Some(end) = a.final_ms.or(Some(a.created_ms)) {
            put("transactionEndingTime", json!(end.to_string()));
        }
    }
    put("paymentMethod", json!({"type": a.method}));
    for (k, v) in [
        ("remark", &a.remark),
        ("deviceSn", &a.device_sn),
        ("deviceModel", &a.device_model),
        ("cashierDeviceId", &a.cashier_device_id),
    ] {
        if let Some(v) = v {
            put(k, json!(v));
        }
    }
    if a.flow == Flow::Qr && status == PaymentStatus::Processing {
        put("action", qr_action(a, base_url));
    }
    if matches!(a.flow, Flow::Card | Flow::CardOffline)
        && status.is_final()
        && view != View::FirstAnswer
    {
        if let Some(result) = reason.terminal_result() {
            put("terminalResult", json!(result));
        }
    }
    if let (Some(card), PaymentStatus::Success, false) =
        (&a.card, status, view == View::FirstAnswer)
    {
        put("cardInfo", card_info(card));
        if let Some(auth_code) = &card.auth_code {
            put("authCode", json!(auth_code));
        }
    }
    let (code, description) = result_code(status, reason);
    match view {
        View::FirstAnswer => {}
        View::Query => {
            put("resultCode", json!(code));
            put("resultDescription", json!(description));
        }
        View::Notification => {
            put("notifyType", json!("RECHARGE"));
            put("resultCode", json!(code));
            put("resultDescription", json!(description));
        }
    }
    Value::Object(biz)
}

/// `cardInfo` of a paid card sale: PingPong's masked parts (`firstSixDigits`,
/// `lastFourDigits`, `paymentBrand`) and TillKit's terminal-channel additions (`entryMode`,
/// `aid`, `applicationLabel`), see docs/terminal-channel.md.
fn card_info(card: &CardOnFile) -> Value {
    let pan = &card.masked_pan;
    let first: String = pan.chars().take(6).collect();
    let last: String = pan.chars().skip(pan.chars().count().saturating_sub(4)).collect();
    let mut info = Map::new();
    if first.chars().all(|c| c.is_ascii_digit()) {
        info.insert("firstSixDigits".into(), json!(first));
        if let Some(brand) = brand_of(&first) {
            info.insert("paymentBrand".into(), json!(brand));
        }
    }
    info.insert("lastFourDigits".into(), json!(last));
    if let Some(mode) = &card.entry_mode {
        info.insert("entryMode".into(), json!(mode.to_ascii_uppercase()));
    }
    if let Some(aid) = &card.aid {
        info.insert("aid".into(), json!(aid));
    }
    if let Some(label) = &card.label {
        info.insert("applicationLabel".into(), json!(label));
    }
    Value::Object(info)
}

/// The scheme of a card by its first digits, as an acquirer names it.
fn brand_of(bin: &str) -> Option<&'static str> {
    let two: u32 = bin.get(..2)?.parse().ok()?;
    let four: u32 = bin.get(..4)?.parse().ok()?;
    match two {
        _ if bin.starts_with('4') => Some("VISA"),
        51..=55 => Some("MASTERCARD"),
        _ if (2221..=2720).contains(&four) => Some("MASTERCARD"),
        62 => Some("UNIONPAY"),
        34 | 37 => Some("AMEX"),
        35 => Some("JCB"),
        _ => None,
    }
}

/// The shape of a merchant-QR answer (choices P4, P17), by the amount's cents like the
/// scenarios (the payment itself succeeds as for any other cents): 61 `qrCode` only, 62 `qrUrl`
/// only (`QR_URL`), 63 the non-hosted APM answer (`paymentQrCode` + `paymentRedirectUrl`), 64
/// the same with a `paymentRedirectUrl` that is not https; anything else `qrCode` + `qrUrl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QrShape {
    Both,
    CodeOnly,
    UrlOnly,
    NonHosted,
    BadRedirect,
}

impl QrShape {
    pub(crate) fn of(amount_minor: i64) -> Self {
        match amount_minor.rem_euclid(100) {
            61 => QrShape::CodeOnly,
            62 => QrShape::UrlOnly,
            63 => QrShape::NonHosted,
            64 => QrShape::BadRedirect,
            _ => QrShape::Both,
        }
    }
}

/// Choice P4/P5: `action = {type, qrCode, qrUrl, qrCodeExpired (epoch ms string)}`, or one of
/// the other shapes of [`QrShape`].
fn qr_action(a: &Attempt, base_url: &str) -> Value {
    let code = qr_content(&a.transaction_id);
    let url = format!("{base_url}/sandbox/qr/{}", a.transaction_id);
    let mut action = match QrShape::of(a.amount_minor) {
        QrShape::Both => json!({"type": "QR_CODE", "qrCode": code, "qrUrl": url}),
        QrShape::CodeOnly => json!({"type": "QR_CODE", "qrCode": code}),
        QrShape::UrlOnly => json!({"type": "QR_URL", "qrUrl": url}),
        QrShape::NonHosted => json!({
            "type": "PAYMENT_REDIRECT_URL",
            "paymentQrCode": code,
            "paymentRedirectUrl": format!("{url}?redirect=1"),
        }),
        QrShape::BadRedirect => json!({
            "type": "PAYMENT_REDIRECT_URL",
            "paymentQrCode": code,
            "paymentRedirectUrl": format!("http://pay.example.com/{}", a.transaction_id),
        }),
    };
    if let (Some(expires), Value::Object(map)) = (a.expires_ms, &mut action) {
        map.insert("qrCodeExpired".into(), json!(expires.to_string()));
    }
    action
}

/// What the customer's wallet would scan.
pub(crate) fn qr_content(transaction_id: &str) -> String {
    format!("tillkit-sandbox://pay/{transaction_id}")
}

/// The result code and description of a refund (choice P14).
pub(crate) fn refund_code(status: PaymentStatus) -> (&'static str, &'static str) {
    match status {
        PaymentStatus::Success => ("000000", "Refund succeeded"),
        PaymentStatus::Processing => ("002000", "Refund processing"),
        _ => ("303000", "Refund failed"),
    }
}

/// The `bizContent` of a refund: its first state for the refund answer and its replays
/// (choice P11), the current one for queries and notifications (`notifyType = REFUND`).
pub(crate) fn refund_biz(r: &Refund, view: View) -> Value {
    let status = if view == View::FirstAnswer { r.initial_status } else { r.status };
    let mut biz = Map::new();
    let mut put = |k: &str, v: Value| {
        biz.insert(k.to_string(), v);
    };
    put("transactionId", json!(r.transaction_id));
    put("merchantTransactionId", json!(r.merchant_transaction_id));
    put("merchantRefundId", json!(r.merchant_refund_id));
    put("refundId", json!(r.refund_id));
    put("currency", json!(r.currency));
    put("amount", json!(six_decimals(r.amount_minor, &r.currency)));
    put("status", json!(status.as_str()));
    put("refundTime", json!(r.created_ms.to_string()));
    if status.is_final() {
        put("refundEndingTime", json!(r.created_ms.to_string()));
    }
    if let Some(remark) = &r.remark {
        put("remark", json!(remark));
    }
    let (code, description) = refund_code(status);
    put("resultCode", json!(code));
    put("resultDescription", json!(description));
    if view == View::Notification {
        put("notifyType", json!("REFUND"));
    }
    Value::Object(biz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_six_decimals() {
        assert_eq!(six_decimals(10000, "USD"), "100.000000");
        assert_eq!(six_decimals(151, "JPY"), "151.000000");
        assert_eq!(six_decimals(1, "CNY"), "0.010000");
        assert_eq!(six_decimals(1250, "KWD"), "1.250000");
    }

    #[test]
    fn codes_follow_the_choices() {
        assert_eq!(result_code(PaymentStatus::Success, Reason::Approved).0, "000000");
        assert_eq!(result_code(PaymentStatus::Processing, Reason::Pending).0, "002000");
        assert_eq!(result_code(PaymentStatus::Failed, Reason::Declined).0, "301002");
    }
}
