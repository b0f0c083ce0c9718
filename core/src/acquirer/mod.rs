//! One acquirer trait, one unified model, and the PingPong v4 and Oceanpayment adapters.
//!
//! Every adapter verifies the signature of every answer before reading anything in it, checks
//! that the answer is about what was asked (order, attempt, amount, currency, account, signature
//! type), and sorts failures by what the caller may do next (see [`AcquirerError`] and
//! [`CodeClass`]).

pub mod codes;
mod error;
pub(crate) mod expect;
pub mod factory;
mod http;
mod model;
pub mod oceanpayment;
pub mod pingpong;
pub mod settings;
pub mod settings_check;
mod terminal;
pub(crate) mod tls;
pub mod url;

pub use codes::CodeClass;
pub use error::{AcquirerError, UnknownCause};
pub(crate) use http::connect;
pub use http::{parse_date_header, AnswerDate, HttpSettings};
pub use model::*;
pub use settings::AcquirerSettings;
pub use terminal::{TerminalRefusal, TerminalResult, MAX_BLOCKING_ID};

/// A WeChat code cannot be charged as Alipay and vice versa: refuse before sending, whatever the
/// acquirer would make of it.
pub(crate) fn check_code_matches_wallet(
    code: &crate::paycode::PaymentCode,
    wallet: WalletMethod,
) -> Result<(), AcquirerError> {
    use crate::paycode::WalletFamily;
    let fits = match wallet {
        WalletMethod::WechatPay => code.family() == WalletFamily::WechatPay,
        WalletMethod::AlipayCn | WalletMethod::AlipayHk => {
            matches!(code.family(), WalletFamily::Alipay | WalletFamily::AlipayPlus)
        }
    };
    if fits {
        Ok(())
    } else {
        Err(AcquirerError::InvalidRequest {
            field: "payment_code",
            reason: format!("a {} code cannot be charged as {wallet:?}", code.family().name()),
        })
    }
}

/// Why an incoming notification was not accepted. The state of the sale must not change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// The body is not a notification of this acquirer.
    #[error("malformed notification: {0}")]
    Malformed(String),
    /// The signature does not verify.
    #[error("notification signature invalid: {0}")]
    BadSignature(crate::sign::SignError),
    /// Signed, but not for this cashier: another merchant account, or a weaker signature type
    /// than the configured one. Not applied, not acknowledged.
    #[error("notification does not match this cashier ({field})")]
    Mismatch {
        /// `accId`, `clientId`, `account`, `terminal` or `signType`.
        field: &'static str,
    },
}

/// An acquirer: pay, query, refund, refund query and (where it exists) cancel.
///
/// Implementations are stateless apart from configuration; the caller owns idempotency by
/// choosing `request_id` and `merchant_refund_id`.
#[async_trait::async_trait]
pub trait Acquirer: Send + Sync {
    /// A short name for logs (`pingpong`, `oceanpayment`).
    fn name(&self) -> &'static str;

    /// What this acquirer can do.
    fn capabilities(&self) -> Capabilities;

    /// Creates and pays an order in one call (`unifiedPay`, `directservice/pay`).
    async fn pay(&self, request: &PayRequest) -> Result<PaymentResult, AcquirerError>;

    /// Asks for a payment's current state.
    async fn query(&self, query: &PaymentQuery) -> Result<PaymentResult, AcquirerError>;

    /// Refunds all or part of a paid order.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult, AcquirerError>;

    /// Asks for a refund's current state.
    async fn refund_query(&self, query: &RefundQuery) -> Result<RefundResult, AcquirerError>;

    /// Cancels (voids) an unfinished payment, where the acquirer has such an operation.
    async fn cancel(&self, request: &CancelRequest) -> Result<PaymentResult, AcquirerError>;

    /// Verifies and decodes an asynchronous notification body.
    fn parse_notification(&self, body: &[u8]) -> Result<Notification, NotificationError>;

    /// The body to answer an accepted notification with.
    fn notification_ack(&self) -> &'static str;

    /// The acquirer's clock as its last answer gave it, if any answer carried it.
    fn last_answer_date(&self) -> Option<AnswerDate> {
        None
    }
}
