//! Oceanpayment in-person adapter: WeChat Pay and Alipay offline, customer-presented codes and
//! merchant-presented QR codes.
//!
//! Requests are signed forms, answers and notifications signed XML (API notes §2). Where the
//! documentation is silent the adapter follows docs/acquirer-choices.md (O1–O9), gathered in
//! [`wire`]. Oceanpayment has no card-on-terminal payments and no request id: the order number
//! is the idempotency key of a payment.

pub mod codes;
mod convert;
mod form;
mod notice;
pub mod wire;
mod xml;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

use secrecy::SecretString;

use crate::acquirer::http::{HttpClient, HttpSettings};
use crate::acquirer::{
    Acquirer, AcquirerError, CancelRequest, Capabilities, Notification, NotificationError,
    PayRequest, PaymentMethod, PaymentQuery, PaymentResult, RefundQuery, RefundRequest,
    RefundResult,
};
use convert::{PaymentExpectation, RefundExpectation};
pub use wire::paths;

pub use crate::acquirer::settings::BillingDefaults;

/// Everything the adapter needs: where, as whom, and the billing defaults.
///
/// `Debug` shows the secure code as `[REDACTED]`.
#[derive(Debug, Clone)]
pub struct OceanpaymentConfig {
    /// Base URL and timeouts. Oceanpayment serves payments and voids from its `secure` host and
    /// queries and refunds from its `query` host; see [`Oceanpayment::with_query_http`].
    pub http: HttpSettings,
    /// Merchant account (`account`, 6 digits).
    pub account: String,
    /// Terminal number (`terminal`, 8–12 digits).
    pub terminal: String,
    /// The signing secret (`secureCode`). Never sent, logged or shown.
    pub secure_code: SecretString,
    /// Billing defaults for pay requests.
    pub billing: BillingDefaults,
}

/// Who the adapter speaks as; read by the form builder and the answer checks.
struct Merchant {
    account: String,
    terminal: String,
    secure_code: SecretString,
}

/// The Oceanpayment adapter.
pub struct Oceanpayment {
    /// `directservice/pay` and `service/auth`.
    secure_http: HttpClient,
    /// `check/normal`, `applyRefund` and `queryRefund`.
    query_http: HttpClient,
    merchant: Merchant,
    billing: BillingDefaults,
}

impl Oceanpayment {
    /// Builds the adapter (no network traffic yet). All requests go to `config.http`'s base
    /// URL, as the sandbox serves every endpoint on one host.
    ///
    /// Fails with [`AcquirerError::InvalidRequest`] on an unusable base URL, an empty account,
    /// terminal or secure code, or billing defaults that are empty once cleaned.
    pub fn new(config: OceanpaymentConfig) -> Result<Self, AcquirerError> {
        check_credential("account", &config.account)?;
        check_credential("terminal", &config.terminal)?;
        if secrecy::ExposeSecret::expose_secret(&config.secure_code).trim().is_empty() {
            return Err(AcquirerError::InvalidRequest {
                field: "secure_code",
                reason: "must not be empty".into(),
            });
        }
        Ok(Oceanpayment {
            secure_http: HttpClient::new(&config.http)?,
            query_http: HttpClient::new(&config.http)?,
            merchant: Merchant {
                account: config.account,
                terminal: config.terminal,
                secure_code: config.secure_code,
            },
            billing: form::clean_billing(&config.billing)?,
        })
    }

    /// The order query, read for the `refund_id` of our refund (choice O11).
    async fn refund_id_of(&self, query: &RefundQuery) -> Result<String, AcquirerError> {
        let order = &query.merchant_transaction_id;
        let body = form::query(&self.merchant, order)?;
        log::debug!("oceanpayment refund lookup order={order} refund={}", query.merchant_refund_id);
        let answer = self.query_http.post(paths::QUERY, wire::FORM_CONTENT_TYPE, body).await?;
        convert::refund_id_in_order(&self.merchant, &answer.body, order, &query.merchant_refund_id)
    }

    /// Sends queries and refunds to another host: in production Oceanpayment serves them from
    /// `https://query.oceanpayment.com`, while payments and voids stay on `config.http`.
    pub fn with_query_http(mut self, settings: &HttpSettings) -> Result<Self, AcquirerError> {
        self.query_http = HttpClient::new(settings)?;
        Ok(self)
    }
}

/// Credentials travel in every signed form; anything but plain visible ASCII is a typo.
fn check_credential(field: &'static str, value: &str) -> Result<(), AcquirerError> {
    if value.is_empty() || value.len() > 32 || !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AcquirerError::InvalidRequest {
            field,
            reason: "must be 1–32 visible ASCII characters".into(),
        });
    }
    Ok(())
}

#[async_trait::async_trait]
impl Acquirer for Oceanpayment {
    fn name(&self) -> &'static str {
        "oceanpayment"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            card_on_terminal: false,
            merchant_qr: true,
            cancel: true,
            cancel_card_on_terminal: false,
        }
    }

    /// `directservice/pay`. Oceanpayment has no request id: resending the same attempt (after a
    /// timeout, say) reuses the order number, which is what keeps it from charging twice.
    async fn pay(&self, request: &PayRequest) -> Result<PaymentResult, AcquirerError> {
        let body = form::pay(&self.merchant, &self.billing, request)?;
        let wants_qr = matches!(request.method, PaymentMethod::MerchantQr { .. });
        log::info!(
            "oceanpayment pay order={} amount={} qr={wants_qr}",
            request.merchant_transaction_id,
            request.amount
        );
        let answer = self.secure_http.post(paths::PAY, wire::FORM_CONTENT_TYPE, body).await?;
        let expect = PaymentExpectation {
            order: &request.merchant_transaction_id,
            amount: &request.amount,
            is_query: false,
        };
        convert::pay_answer(&self.merchant, &answer.body, expect, wants_qr)
    }

    /// `check/normal` by order number.
    async fn query(&self, query: &PaymentQuery) -> Result<PaymentResult, AcquirerError> {
        let order = &query.merchant_transaction_id;
        let body = form::query(&self.merchant, order)?;
        log::debug!("oceanpayment query order={order}");
        let answer = self.query_http.post(paths::QUERY, wire::FORM_CONTENT_TYPE, body).await?;
        let expect = PaymentExpectation { order, amount: &query.amount, is_query: true };
        convert::query_answer(&self.merchant, &answer.body, expect)
    }

    /// `applyRefund`, by the payment's `payment_id` (`acquirer_transaction_id`, required).
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult, AcquirerError> {
        let body = form::refund(&self.merchant, request)?;
        log::info!(
            "oceanpayment refund order={} refund={} amount={}",
            request.merchant_transaction_id,
            request.merchant_refund_id,
            request.amount
        );
        let answer = self.query_http.post(paths::REFUND, wire::FORM_CONTENT_TYPE, body).await?;
        let expect = RefundExpectation {
            merchant_refund_id: &request.merchant_refund_id,
            payment_id: request.acquirer_transaction_id.as_deref(),
            refund_id: None,
            amount: &request.amount,
        };
        convert::refund_answer(&self.merchant, &answer.body, &expect)
    }

    /// `queryRefund`, by Oceanpayment's refund id. A refund whose answer was lost has none:
    /// it is looked up in the order query's `refundList` by our `refund_number` first
    /// (choice O11); the answer that counts is still `queryRefund`'s, which is signed.
    async fn refund_query(&self, query: &RefundQuery) -> Result<RefundResult, AcquirerError> {
        let found;
        let refund_id = match query.acquirer_refund_id.as_deref() {
            Some(id) => id,
            None => {
                found = self.refund_id_of(query).await?;
                found.as_str()
            }
        };
        let body = form::refund_query(&self.merchant, refund_id)?;
        log::debug!("oceanpayment refund query refund_id={refund_id}");
        let answer =
            self.query_http.post(paths::REFUND_QUERY, wire::FORM_CONTENT_TYPE, body).await?;
        let expect = RefundExpectation {
            merchant_refund_id: &query.merchant_refund_id,
            payment_id: None,
            refund_id: Some(refund_id),
            amount: &query.amount,
        };
        convert::refund_answer(&self.merchant, &answer.body, &expect)
    }

    /// The offline void (`service/auth`, `payment_authType=3`): `Cancelled` when voided,
    /// [`AcquirerError::Rejected`] with Oceanpayment's code when refused (other codes by their
    /// class).
    async fn cancel(&self, request: &CancelRequest) -> Result<PaymentResult, AcquirerError> {
        let order = &request.merchant_transaction_id;
        let body = form::void(&self.merchant, order)?;
        log::info!("oceanpayment void order={order}");
        let answer = self.secure_http.post(paths::AUTH, wire::FORM_CONTENT_TYPE, body).await?;
        let expect = PaymentExpectation { order, amount: &request.amount, is_query: true };
        convert::void_answer(&self.merchant, &answer.body, expect)
    }

    fn parse_notification(&self, body: &[u8]) -> Result<Notification, NotificationError> {
        notice::notification(&self.merchant, body)
    }

    /// Oceanpayment expects `receive-ok`, and its docs ask for it even when a notification is
    /// dropped; that choice belongs to the caller.
    fn notification_ack(&self) -> &'static str {
        wire::NOTIFICATION_ACK
    }

    fn last_answer_date(&self) -> Option<crate::acquirer::AnswerDate> {
        // Two endpoints, one acquirer clock: the latest answer of either.
        [self.secure_http.last_date(), self.query_http.last_date()]
            .into_iter()
            .flatten()
            .max_by_key(|d| d.received)
    }
}
