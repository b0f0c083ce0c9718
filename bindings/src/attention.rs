//! Why a sale or refund needs a person: the core's reason, mirrored as it is.

pub use tillkit_core::order::AttentionReason;

/// Why a sale or refund was flagged for attention.
#[uniffi::remote(Enum)]
pub enum AttentionReason {
    /// A signed answer or notification was about something else than what was asked (another
    /// amount, currency, order, request, account or signature type). It was not applied; the
    /// sale stays "do not charge again" and is asked about again. On `amount`: the sale id is
    /// probably already used at the acquirer for another amount.
    AnswerMismatch {
        /// The field that differed (`amount`, `currency`, `requestId`, `signType`, …).
        field: String,
    },
    /// The acquirer reported a charge (or refund) after it had ended.
    LateSuccess,
    /// It outran its time budget without a final answer (still being asked about).
    NotResolved,
    /// The cashier cancelled the sale and the acquirer charged it anyway (the request arrived
    /// late): it is paid. Show "charged after cancel: refund or keep" (refunded automatically
    /// where `CashierConfig.refundChargedAfterCancel` is set).
    ChargedAfterCancel,
    /// An answer came back whose signature did not verify: nothing in it was used and the
    /// outcome stays unknown. Check the salt / secure code in the configuration.
    UnverifiedAnswer,
    /// The acquirer offers no way to learn whether it went through (an Oceanpayment refund
    /// whose answer was lost): nothing is resent. Ask a person to check the acquirer's back
    /// office before doing it again.
    Unresolvable,
    /// The cashier abandoned the sale and the acquirer charged it later: it is paid (never
    /// refunded by itself). Hand the goods over, or refund it.
    PaidAfterAbandon,
}

/// A short English text for an attention reason ("charged after cancel: refund or keep"), for
/// apps that show the core's wording; apps that localise switch on the enum instead.
#[uniffi::export]
pub fn attention_text(reason: AttentionReason) -> String {
    reason.text()
}
