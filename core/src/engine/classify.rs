//! What an acquirer's answer (or its absence) means, in one place for sales and refunds.
//!
//! Adapters translate their vendor codes into [`AcquirerError`] kinds; this pure function
//! turns a kind into a [`Verdict`] that the sale and refund steps map onto their machines'
//! events. Nothing here knows an acquirer or does I/O, so every kind is tested below.

use crate::acquirer::{AcquirerError, UnknownCause};

/// Which request the answer is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    /// A payment (`pay`).
    Pay,
    /// A refund.
    Refund,
    /// A query of a payment or refund.
    Query,
    /// A cancel (void) of a payment.
    Cancel,
}

/// A signed answer that was about something else than what was asked: never applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    /// The field that differed.
    pub field: &'static str,
    /// What differed.
    pub detail: String,
}

/// What the answer says about the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict<T> {
    /// A result: the machine reads its status.
    Answered(T),
    /// Nothing was done and sending the same request again will not change that (declined,
    /// refused as invalid, unsupported, or a refund of an order the acquirer does not have).
    Refused {
        /// The acquirer's code, or TillKit's (`invalid_request`, `unsupported`).
        code: String,
        /// Why.
        description: String,
    },
    /// A query: the acquirer has no such order or refund.
    NotFound,
    /// Nothing was done; the same request may be sent again later.
    NotSent,
    /// The request may have taken effect: resolve it by query, never resend it as new.
    Unknown,
    /// A query or cancel answered without news of the outcome: nothing changes, ask again.
    NoNews,
    /// The acquirer will not cancel: stop asking, resolve the payment by query.
    CancelRefused,
    /// The outcome cannot be learned from the acquirer: a person must look. Nothing is resent.
    Unresolvable,
}

/// Whether the answer shows the acquirer reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// It answered.
    Online,
    /// It could not be reached.
    Offline,
    /// The failure says nothing either way (a local refusal, an HTTP error from a proxy).
    Unchanged,
}

/// An answer sorted: the verdict and what else the step must record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Classified<T> {
    /// What the answer means.
    pub verdict: Verdict<T>,
    /// Why nothing usable came back, when nothing did: the step is retried with backoff.
    pub failure: Option<String>,
    /// The answer did not match the request: flag the record, keep it unresolved.
    pub mismatch: Option<Mismatch>,
    /// An answer came back whose signature did not verify: flag the record.
    pub unverified: bool,
    /// Whether the acquirer is reachable, as far as this answer tells.
    pub reach: Reach,
}

/// Sorts an adapter's answer to `asked` (docs/acquirer-choices.md, "Result codes").
pub(crate) fn classify<T>(asked: Asked, answer: Result<T, AcquirerError>) -> Classified<T> {
    let e = match answer {
        Ok(result) => return settled(Verdict::Answered(result), Reach::Online),
        Err(e) => e,
    };
    let reach = reach_of(&e);
    let verdict = match (&e, asked) {
        // Definite, before or instead of acting: the same request will not change it.
        (AcquirerError::Rejected { code, description }, Asked::Pay | Asked::Refund)
        | (AcquirerError::Refused { code, description }, Asked::Pay | Asked::Refund)
        | (AcquirerError::NotFound { code, description }, Asked::Refund) => {
            return settled(Verdict::refused(code, description), reach)
        }
        (AcquirerError::InvalidRequest { field, reason }, Asked::Pay | Asked::Refund) => {
            return settled(
                Verdict::refused("invalid_request", &format!("{field}: {reason}")),
                reach,
            )
        }
        (AcquirerError::Unsupported { acquirer, operation }, Asked::Pay | Asked::Refund) => {
            let description = format!("{acquirer} does not support {operation}");
            return settled(Verdict::refused("unsupported", &description), reach);
        }
        (AcquirerError::NotFound { .. }, Asked::Query) => return settled(Verdict::NotFound, reach),
        (
            AcquirerError::Rejected { .. }
            | AcquirerError::Refused { .. }
            | AcquirerError::NotFound { .. },
            Asked::Cancel,
        ) => return settled(Verdict::CancelRefused, reach),
        // A query this cashier cannot even make will never resolve anything by itself.
        (
            AcquirerError::InvalidRequest { .. }
            | AcquirerError::Unsupported { .. }
            | AcquirerError::Unresolvable { .. },
            Asked::Query,
        ) => Verdict::Unresolvable,
        (AcquirerError::Unresolvable { .. }, _) => Verdict::Unresolvable,
        (AcquirerError::RetryLater { .. }, Asked::Pay | Asked::Refund) => Verdict::NotSent,
        (AcquirerError::NotSent { .. }, _) => Verdict::NotSent,
        // A mismatching answer is no answer: a sent request stays unresolved.
        (AcquirerError::AnswerMismatch { .. }, Asked::Pay | Asked::Refund) => Verdict::Unknown,
        (
            AcquirerError::AnswerMismatch { .. }
            | AcquirerError::Rejected { .. }
            | AcquirerError::Refused { .. }
            | AcquirerError::RetryLater { .. },
            Asked::Query | Asked::Cancel,
        ) => Verdict::NoNews,
        // "Not found" cannot answer a pay; a local refusal of a cancel changes nothing; an
        // unknown code, a duplicate, a broken answer, a lost connection: the outcome is unknown.
        (AcquirerError::NotFound { .. }, Asked::Pay)
        | (AcquirerError::InvalidRequest { .. } | AcquirerError::Unsupported { .. }, _)
        | (AcquirerError::OutcomeUnknown { .. }, _) => Verdict::Unknown,
    };
    let mismatch = match &e {
        AcquirerError::AnswerMismatch { field, detail } => {
            Some(Mismatch { field, detail: detail.clone() })
        }
        _ => None,
    };
    Classified {
        verdict,
        failure: Some(e.to_string()),
        mismatch,
        unverified: e.is_bad_signature(),
        reach,
    }
}

fn settled<T>(verdict: Verdict<T>, reach: Reach) -> Classified<T> {
    Classified { verdict, failure: None, mismatch: None, unverified: false, reach }
}

impl<T> Verdict<T> {
    fn refused(code: &str, description: &str) -> Self {
        Verdict::Refused { code: code.to_string(), description: description.to_string() }
    }
}

/// Whether a failure says the acquirer cannot be reached, answered, or neither.
fn reach_of(e: &AcquirerError) -> Reach {
    match e {
        AcquirerError::NotSent { .. }
        | AcquirerError::OutcomeUnknown {
            cause: UnknownCause::Timeout | UnknownCause::ConnectionLost,
            ..
        } => Reach::Offline,
        AcquirerError::AnswerMismatch { .. } => Reach::Online,
        _ if e.code_class().is_some() => Reach::Online,
        _ => Reach::Unchanged,
    }
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
