//! PingPong Checkout v4 adapter: `unifiedPay`, `query`, `refund`, `refund/query`.
//!
//! Every answer is checked against its request (order, `requestId` / `merchantRefundId`,
//! amount, currency, account, signature type) and every code classified through [`codes`].
//!
//! PingPong publishes no cancel for in-person orders (choice P8): unpaid QR orders close at
//! their expiry, which the engine waits for. A card sale on a terminal is cancelled through
//! TillKit's extension `payment/cancel` (docs/terminal-channel.md), which the sandbox serves:
//! its answer is the payment as a query shows it, and the terminal has the last word.

pub mod codes;
mod convert;
pub mod envelope;
pub mod wire;

#[cfg(test)]
mod terminal_tests;

use crate::acquirer::http::{HttpClient, HttpSettings};
use crate::acquirer::{
    Acquirer, AcquirerError, CancelRequest, Capabilities, Notification, NotificationError,
    PayRequest, PaymentMethod, PaymentQuery, PaymentResult, RefundQuery, RefundRequest,
    RefundResult,
};
use convert::{PaymentExpectation, RefundExpectation};
pub use envelope::PingPongCredentials;
pub use wire::OrderTerminal;
use wire::{
    CancelBiz, DeviceWire, PaymentMethodWire, QueryBiz, RefundBiz, RefundQueryBiz, UnifiedPayBiz,
    CARD_METHOD_TYPE, ORDER_TERMINAL,
};

/// API paths, relative to the base URL.
pub mod paths {
    /// Order and pay.
    pub const UNIFIED_PAY: &str = "/v4/payment/unifiedPay";
    /// Payment query.
    pub const QUERY: &str = "/v4/payment/query";
    /// Refund.
    pub const REFUND: &str = "/v4/payment/refund";
    /// Refund query.
    pub const REFUND_QUERY: &str = "/v4/refund/query";
    /// Cancel of a card sale on a terminal (TillKit's extension, choice P8).
    pub const CANCEL: &str = "/v4/payment/cancel";
}

/// Everything the adapter needs: where, and as whom.
#[derive(Debug, Clone)]
pub struct PingPongConfig {
    /// Base URL and timeouts.
    pub http: HttpSettings,
    /// Merchant credentials.
    pub credentials: PingPongCredentials,
}

/// The PingPong Checkout v4 adapter.
pub struct PingPong {
    http: HttpClient,
    creds: PingPongCredentials,
    order_terminal: wire::OrderTerminal,
}

impl PingPong {
    /// Builds the adapter (no network traffic yet). It says `device.orderTerminal` `02` (a
    /// desktop client) until [`PingPong::with_order_terminal`] says otherwise.
    pub fn new(config: PingPongConfig) -> Result<Self, AcquirerError> {
        Ok(PingPong {
            http: HttpClient::new(&config.http)?,
            creds: config.credentials,
            order_terminal: wire::OrderTerminal::default(),
        })
    }

    /// The platform `device.orderTerminal` reports (`03` in an iOS app, `04` in an Android one).
    pub fn with_order_terminal(mut self, order_terminal: wire::OrderTerminal) -> Self {
        self.order_terminal = order_terminal;
        self
    }

    async fn call(
        &self,
        path: &str,
        biz: &impl serde::Serialize,
    ) -> Result<envelope::Answer, AcquirerError> {
        let biz = serde_json::to_string(biz).map_err(|e| AcquirerError::InvalidRequest {
            field: "bizContent",
            reason: e.to_string(),
        })?;
        let body = envelope::signed_request(&self.creds, &biz)?;
        let answer = self.http.post(path, "application/json", body).await?;
        envelope::parse_answer(&self.creds, &answer.body)
    }
}

/// Identifiers travel in signed JSON and end up in logs and portals; PingPong advises against
/// punctuation in business values, so TillKit allows only a conservative set.
fn check_id(field: &'static str, value: &str, max: usize) -> Result<(), AcquirerError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if value.is_empty() || value.len() > max || !value.chars().all(ok_char) {
        return Err(AcquirerError::InvalidRequest {
            field,
            reason: format!("must be 1–{max} characters of A–Z, a–z, 0–9, '-', '_', '.'"),
        });
    }
    Ok(())
}

fn check_text(
    field: &'static str,
    value: &Option<String>,
    max: usize,
) -> Result<(), AcquirerError> {
    if let Some(v) = value {
        if v.chars().count() > max || v.contains(['<', '>']) || v.chars().any(char::is_control) {
            return Err(AcquirerError::InvalidRequest {
                field,
                reason: format!("at most {max} characters, no '<', '>' or control characters"),
            });
        }
    }
    Ok(())
}

fn check_notification_url(url: &Option<String>) -> Result<(), AcquirerError> {
    if let Some(u) = url {
        if !(u.starts_with("http://") || u.starts_with("https://"))
            || u.contains('?')
            || u.len() > 255
        {
            return Err(AcquirerError::InvalidRequest {
                field: "notification_url",
                reason: "an http(s) URL of at most 255 characters without a query string".into(),
            });
        }
    }
    Ok(())
}

fn unified_pay_biz(req: &PayRequest) -> Result<UnifiedPayBiz, AcquirerError> {
    check_id("merchant_transaction_id", &req.merchant_transaction_id, 64)?;
    check_id("request_id", &req.request_id, 64)?;
    check_id("cashier_device_id", &req.cashier_device_id, 64)?;
    check_notification_url(&req.notification_url)?;
    check_text("remark", &req.remark, 255)?;
    let (method, device_sn, device_model) = match &req.method {
        PaymentMethod::CustomerCode { code, wallet } => {
            crate::acquirer::check_code_matches_wallet(code, *wallet)?;
            let m = PaymentMethodWire {
                kind: wire::wallet_method_type(*wallet).into(),
                scan_code_id: Some(code.digits().into()),
            };
            (m, None, None)
        }
        PaymentMethod::MerchantQr { wallet } => {
            let m = PaymentMethodWire {
                kind: wire::wallet_method_type(*wallet).into(),
                scan_code_id: None,
            };
            (m, None, None)
        }
        PaymentMethod::CardOnTerminal { terminal } => {
            check_id("terminal.serial", &terminal.serial, 64)?;
            check_id("terminal.model", &terminal.model, 64)?;
            let m = PaymentMethodWire { kind: CARD_METHOD_TYPE.into(), scan_code_id: None };
            (m, Some(terminal.serial.clone()), Some(terminal.model.clone()))
        }
    };
    Ok(UnifiedPayBiz {
        amount: req.amount.to_major_string(),
        currency: req.amount.currency().code().into(),
        merchant_transaction_id: req.merchant_transaction_id.clone(),
        request_id: req.request_id.clone(),
        capture_delay_hours: 0,
        payment_method: method,
        device: DeviceWire { order_terminal: ORDER_TERMINAL.into() },
        device_sn,
        device_model,
        cashier_device_id: Some(req.cashier_device_id.clone()),
        time_expire: req.expires_at_unix.map(|t| t.to_string()),
        notification_url: req.notification_url.clone(),
        remark: req.remark.clone(),
    })
}

#[async_trait::async_trait]
impl Acquirer for PingPong {
    fn name(&self) -> &'static str {
        "pingpong"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            card_on_terminal: true,
            merchant_qr: true,
            cancel: false,
            cancel_card_on_terminal: true,
        }
    }

    async fn pay(&self, request: &PayRequest) -> Result<PaymentResult, AcquirerError> {
        let mut biz = unified_pay_biz(request)?;
        biz.device.order_terminal = self.order_terminal.code().into();
        let answer = self.call(paths::UNIFIED_PAY, &biz).await?;
        let expect = PaymentExpectation {
            order: &request.merchant_transaction_id,
            request_id: Some(&request.request_id),
            amount: &request.amount,
            is_query: false,
        };
        convert::payment_answer(&answer, &expect)
    }

    async fn query(&self, query: &PaymentQuery) -> Result<PaymentResult, AcquirerError> {
        check_id("merchant_transaction_id", &query.merchant_transaction_id, 64)?;
        let biz = QueryBiz {
            merchant_transaction_id: query.merchant_transaction_id.clone(),
            transaction_id: query.acquirer_transaction_id.clone(),
            request_id: query.request_id.clone(),
        };
        let answer = self.call(paths::QUERY, &biz).await?;
        let expect = PaymentExpectation {
            order: &query.merchant_transaction_id,
            request_id: query.request_id.as_deref(),
            amount: &query.amount,
            is_query: true,
        };
        convert::payment_answer(&answer, &expect)
    }

    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult, AcquirerError> {
        check_id("merchant_transaction_id", &request.merchant_transaction_id, 64)?;
        check_id("merchant_refund_id", &request.merchant_refund_id, 64)?;
        check_id("cashier_device_id", &request.cashier_device_id, 64)?;
        check_notification_url(&request.notification_url)?;
        check_text("reason", &request.reason, 255)?;
        let biz = RefundBiz {
            merchant_transaction_id: request.merchant_transaction_id.clone(),
            merchant_refund_id: request.merchant_refund_id.clone(),
            amount: request.amount.to_major_string(),
            currency: request.amount.currency().code().into(),
            device_sn: request.terminal.as_ref().map(|t| t.serial.clone()),
            device_model: request.terminal.as_ref().map(|t| t.model.clone()),
            cashier_device_id: Some(request.cashier_device_id.clone()),
            notification_url: request.notification_url.clone(),
            remark: request.reason.clone(),
        };
        let answer = self.call(paths::REFUND, &biz).await?;
        let expect = RefundExpectation {
            order: &request.merchant_transaction_id,
            refund_id: &request.merchant_refund_id,
            amount: &request.amount,
            is_query: false,
        };
        convert::refund_answer(&answer, &expect)
    }

    async fn refund_query(&self, query: &RefundQuery) -> Result<RefundResult, AcquirerError> {
        check_id("merchant_transaction_id", &query.merchant_transaction_id, 64)?;
        check_id("merchant_refund_id", &query.merchant_refund_id, 64)?;
        let biz = RefundQueryBiz {
            merchant_transaction_id: query.merchant_transaction_id.clone(),
            merchant_refund_id: Some(query.merchant_refund_id.clone()),
            refund_id: query.acquirer_refund_id.clone(),
        };
        let answer = self.call(paths::REFUND_QUERY, &biz).await?;
        let expect = RefundExpectation {
            order: &query.merchant_transaction_id,
            refund_id: &query.merchant_refund_id,
            amount: &query.amount,
            is_query: true,
        };
        convert::refund_answer(&answer, &expect)
    }

    /// Only for a card sale on a terminal (the engine asks for no other, see
    /// [`Capabilities::cancel_card_on_terminal`]); the acquirer refuses any other order. The
    /// answer is the payment as it stands: still processing until the terminal has answered.
    async fn cancel(&self, request: &CancelRequest) -> Result<PaymentResult, AcquirerError> {
        check_id("merchant_transaction_id", &request.merchant_transaction_id, 64)?;
        let biz = CancelBiz { merchant_transaction_id: request.merchant_transaction_id.clone() };
        let answer = self.call(paths::CANCEL, &biz).await?;
        let expect = PaymentExpectation {
            order: &request.merchant_transaction_id,
            request_id: None,
            amount: &request.amount,
            is_query: true,
        };
        convert::payment_answer(&answer, &expect)
    }

    fn parse_notification(&self, body: &[u8]) -> Result<Notification, NotificationError> {
        let biz = envelope::parse_notification(&self.creds, body)?;
        convert::notification(&biz)
    }

    fn notification_ack(&self) -> &'static str {
        // PingPong takes an empty 2xx body as "received".
        ""
    }

    fn last_answer_date(&self) -> Option<crate::acquirer::AnswerDate> {
        self.http.last_date()
    }
}
