//! Acquirer errors, split by what the caller may safely do next.
//!
//! The split that matters for "never charge twice" is between a request that never left
//! ([`AcquirerError::NotSent`]: safe to send again), one whose fate is unknown
//! ([`AcquirerError::OutcomeUnknown`]: query before anything else) and one the acquirer answered
//! ([`AcquirerError::Rejected`]: a definite no, with the acquirer's own code).

use crate::money::MoneyError;
use crate::sign::SignError;

/// Why the outcome of a sent request is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownCause {
    /// No answer within the request timeout.
    Timeout,
    /// The connection broke after the request was sent.
    ConnectionLost,
    /// The server answered with an HTTP error status (it may have acted before failing).
    HttpStatus(u16),
    /// The answer could not be parsed.
    MalformedResponse,
    /// The answer's signature did not verify, so nothing in it can be trusted.
    BadSignature,
}

/// An acquirer call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcquirerError {
    /// The request was invalid before sending; nothing left the device.
    #[error("invalid request: {field}: {reason}")]
    InvalidRequest {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The request never reached the acquirer (no connection). Safe to send again.
    #[error("request not sent: {reason}")]
    NotSent {
        /// What failed.
        reason: String,
    },
    /// The request was sent but its outcome is unknown. Query before doing anything else.
    #[error("outcome unknown ({cause:?}): {detail}")]
    OutcomeUnknown {
        /// Why.
        cause: UnknownCause,
        /// Details for logs (never secrets).
        detail: String,
    },
    /// The acquirer answered no, with its own code.
    #[error("acquirer rejected the request: {code} {description}")]
    Rejected {
        /// The acquirer's code (`104000`, `107001`, `20068`, …).
        code: String,
        /// The acquirer's text.
        description: String,
    },
    /// The acquirer has no such operation (PingPong has no cancel for in-person orders).
    #[error("{acquirer} does not support {operation}")]
    Unsupported {
        /// Which acquirer.
        acquirer: &'static str,
        /// Which operation.
        operation: &'static str,
    },
}

impl AcquirerError {
    /// True when the request may have taken effect and must be resolved by a query.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, AcquirerError::OutcomeUnknown { .. })
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        AcquirerError::OutcomeUnknown {
            cause: UnknownCause::MalformedResponse,
            detail: detail.into(),
        }
    }

    pub(crate) fn bad_signature(err: SignError) -> Self {
        AcquirerError::OutcomeUnknown { cause: UnknownCause::BadSignature, detail: err.to_string() }
    }

    pub(crate) fn money(field: &'static str, err: MoneyError) -> Self {
        AcquirerError::InvalidRequest { field, reason: err.to_string() }
    }
}
