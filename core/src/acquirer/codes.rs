//! What an acquirer's result code means for the cashier, in one vocabulary for every acquirer.
//!
//! Each adapter keeps one table from its own codes to a [`CodeClass`] (`pingpong::codes`,
//! `oceanpayment::codes`); the engine reads only the class, never a vendor code. The tables and
//! the reasons for each entry are in docs/acquirer-choices.md ("Result codes").

/// What a result code says about the request it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeClass {
    /// The request was accepted (success or still processing); the payload carries the state.
    Accepted,
    /// A definite no to this payment or refund: nothing was charged or refunded, and the same
    /// request will not succeed. Final.
    Declined,
    /// The request may have taken effect (system errors, timeouts inside the acquirer,
    /// duplicates): resolve by query, never by resending as new. Also the class of every code
    /// missing from a table.
    OutcomeUnknown,
    /// The acquirer does not know the order or refund asked about.
    NotFound,
    /// The acquirer refused the request before acting on it for a passing reason: nothing was
    /// done and the same request may be sent again later.
    RetrySafe,
    /// The request itself is wrong (parameters, credentials, signature, configuration): nothing
    /// was done, and sending it again as it is will not help.
    InvalidRequest,
}

impl CodeClass {
    /// A stable name for docs, logs and journals.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeClass::Accepted => "accepted",
            CodeClass::Declined => "declined",
            CodeClass::OutcomeUnknown => "outcome_unknown",
            CodeClass::NotFound => "not_found",
            CodeClass::RetrySafe => "retry_safe",
            CodeClass::InvalidRequest => "invalid_request",
        }
    }
}

/// Looks a code up in an adapter's table; a code the table does not list is
/// [`CodeClass::OutcomeUnknown`], so that an unexpected code can never turn a charge into a
/// decline.
pub(crate) fn lookup(table: &[(&str, CodeClass)], code: &str) -> CodeClass {
    table.iter().find(|(c, _)| *c == code).map_or(CodeClass::OutcomeUnknown, |(_, class)| *class)
}
