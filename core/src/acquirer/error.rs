//! Acquirer errors, split by what the caller may safely do next.
//!
//! The split that matters for "never charge twice" is between a request that never left
//! ([`AcquirerError::NotSent`]: safe to send again), one whose fate is unknown
//! ([`AcquirerError::OutcomeUnknown`]: query before anything else) and one the acquirer answered
//! ([`AcquirerError::Rejected`]: a definite no, with the acquirer's own code).

use super::codes::CodeClass;
use super::TerminalRefusal;
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
    /// The acquirer answered with a code that does not say whether the request took effect
    /// (a system error, a duplicate, or a code missing from the adapter's table).
    AcquirerCode(String),
    /// A verified answer carries a field that may not be used (a URL that is not https, too
    /// long, or with control characters): nothing in the answer is applied, the request is
    /// resolved by a later query.
    InvalidField(&'static str),
    /// The acquirer answered with a code that does not say whether the request took effect,
    /// and added that the terminal could not take the sale. The hint is not trusted alone: the
    /// request is resolved by query like any unknown outcome, and the engine uses the hint only
    /// when the query finds no order.
    TerminalRefused {
        /// The acquirer's code.
        code: String,
        /// What the acquirer said about the terminal.
        refusal: TerminalRefusal,
    },
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
    /// The acquirer declined, with its own code ([`CodeClass::Declined`]): nothing was charged
    /// or refunded, and the same request will not succeed. Final.
    #[error("acquirer declined: {code} {description}")]
    Rejected {
        /// The acquirer's code (`301002`, `20010`, …).
        code: String,
        /// The acquirer's text.
        description: String,
    },
    /// The acquirer refused the request as invalid before acting on it
    /// ([`CodeClass::InvalidRequest`]: parameters, credentials, signature).
    #[error("acquirer refused the request as invalid: {code} {description}")]
    Refused {
        /// The acquirer's code (`102000`, `104000`, `20001`, …).
        code: String,
        /// The acquirer's text.
        description: String,
    },
    /// The acquirer does not know the order or refund asked about ([`CodeClass::NotFound`]).
    #[error("acquirer has no such order or refund: {code} {description}")]
    NotFound {
        /// The acquirer's code (`107001`, `20068`, …).
        code: String,
        /// The acquirer's text.
        description: String,
    },
    /// The acquirer refused before acting, for a passing reason ([`CodeClass::RetrySafe`]):
    /// nothing was done, the same request may be sent again later.
    #[error("acquirer asks to retry later: {code} {description}")]
    RetryLater {
        /// The acquirer's code.
        code: String,
        /// The acquirer's text.
        description: String,
    },
    /// A verified answer is about something else than what was asked (another amount,
    /// currency, order, attempt, account, or a weaker signature type). It must not be applied:
    /// the request stays unresolved and the record is flagged for attention.
    #[error("answer does not match the request ({field}): {detail}")]
    AnswerMismatch {
        /// The field that differs (`amount`, `currency`, `merchantTransactionId`, `requestId`,
        /// `merchantRefundId`, `accId`, `account`, `terminal`, `signType`, …).
        field: &'static str,
        /// What differs (never secrets).
        detail: String,
    },
    /// The acquirer offers no way to learn this outcome (Oceanpayment queries a refund by an id
    /// that a refund whose answer was lost never received, and its order query does not list
    /// it). Nothing may be resent on this basis: a person must look it up.
    #[error("the outcome cannot be learned from the acquirer: {reason}")]
    Unresolvable {
        /// Why (never secrets).
        reason: String,
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
    /// True when an answer came back but its signature did not verify: a wrong salt or secure
    /// code in the configuration, or someone between the device and the acquirer.
    pub fn is_bad_signature(&self) -> bool {
        matches!(self, AcquirerError::OutcomeUnknown { cause: UnknownCause::BadSignature, .. })
    }

    /// True when the request may have taken effect and must be resolved by a query.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, AcquirerError::OutcomeUnknown { .. })
    }

    /// What the acquirer said about the terminal when it refused a card sale at once, if it
    /// did: a hint carried by an unknown outcome, never a result.
    pub fn terminal_refusal(&self) -> Option<&TerminalRefusal> {
        match self {
            AcquirerError::OutcomeUnknown {
                cause: UnknownCause::TerminalRefused { refusal, .. },
                ..
            } => Some(refusal),
            _ => None,
        }
    }

    /// The error for an acquirer's code of a given class (see [`CodeClass`]). `Accepted`
    /// without the payload that should come with it is a malformed answer.
    pub fn from_code(class: CodeClass, code: &str, description: &str) -> Self {
        let (code, description) = (code.to_string(), cut(description, MAX_DESCRIPTION));
        match class {
            CodeClass::Declined => AcquirerError::Rejected { code, description },
            CodeClass::InvalidRequest => AcquirerError::Refused { code, description },
            CodeClass::NotFound => AcquirerError::NotFound { code, description },
            CodeClass::RetrySafe => AcquirerError::RetryLater { code, description },
            CodeClass::OutcomeUnknown => AcquirerError::OutcomeUnknown {
                detail: format!("acquirer code {code}: {description}"),
                cause: UnknownCause::AcquirerCode(code),
            },
            CodeClass::Accepted => {
                AcquirerError::malformed(format!("code {code} without the answer's payload"))
            }
        }
    }

    /// The class of the acquirer's code this error carries, if it carries one.
    pub fn code_class(&self) -> Option<CodeClass> {
        Some(match self {
            AcquirerError::Rejected { .. } => CodeClass::Declined,
            AcquirerError::Refused { .. } => CodeClass::InvalidRequest,
            AcquirerError::NotFound { .. } => CodeClass::NotFound,
            AcquirerError::RetryLater { .. } => CodeClass::RetrySafe,
            AcquirerError::OutcomeUnknown {
                cause: UnknownCause::AcquirerCode(_) | UnknownCause::TerminalRefused { .. },
                ..
            } => CodeClass::OutcomeUnknown,
            _ => return None,
        })
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

/// Longest acquirer text kept (PingPong's `description` is String(500)).
pub(crate) const MAX_DESCRIPTION: usize = 500;

/// At most `max` characters of an acquirer's text: a hostile answer must not fill the store.
pub(crate) fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_round_trips_through_the_error() {
        for class in [
            CodeClass::Declined,
            CodeClass::InvalidRequest,
            CodeClass::NotFound,
            CodeClass::RetrySafe,
            CodeClass::OutcomeUnknown,
        ] {
            let e = AcquirerError::from_code(class, "123", "text");
            assert_eq!(e.code_class(), Some(class), "{e:?}");
        }
        let accepted = AcquirerError::from_code(CodeClass::Accepted, "000000", "");
        assert!(accepted.is_outcome_unknown());
        assert_eq!(accepted.code_class(), None);
        let long = AcquirerError::from_code(CodeClass::Declined, "1", &"x".repeat(10_000));
        assert!(long.to_string().len() < 600);
    }
}
