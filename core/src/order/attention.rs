//! Why a sale or refund needs a person to look at it.

/// The reason behind a sale's or refund's attention flag. Stored as text
/// ([`AttentionReason::as_db`]); a later reason replaces an earlier one only when it says more
/// ([`AttentionReason::outranks`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttentionReason {
    /// A signed answer or notification was about something else than what was asked (another
    /// amount, currency, order, request, account or signature type). It was not applied; the
    /// sale or refund stays unresolved and is queried again. An amount mismatch on a sale id
    /// usually means the id is already used at the acquirer for another amount.
    AnswerMismatch {
        /// The field that differed (`amount`, `currency`, `requestId`, `signType`, …).
        field: String,
    },
    /// The acquirer reported a charge (or refund) after the sale (or refund) had ended.
    LateSuccess,
    /// It outran its budget without a final answer (still being queried).
    NotResolved,
    /// The cashier cancelled the sale, and the acquirer charged it anyway (the request arrived
    /// late): recorded as paid. Refund it or keep it (refunded automatically where the merchant
    /// configured it).
    ChargedAfterCancel,
    /// An answer came back whose signature did not verify, so nothing in it was used and the
    /// outcome stays unknown. Most often the salt (or secure code) in the configuration is
    /// wrong; otherwise something between the device and the acquirer alters answers.
    UnverifiedAnswer,
    /// The acquirer offers no way to learn the outcome (Oceanpayment queries a refund by an id
    /// that a refund whose answer was lost never got, and its order query does not list it).
    /// Nothing is resent; it is still asked now and then. Look it up in the acquirer's back
    /// office before doing it again.
    Unresolvable,
    /// The cashier abandoned the sale (it left the screen) and the acquirer charged it later:
    /// it is paid, never refunded by itself. Hand the goods over, or refund it.
    PaidAfterAbandon,
}

impl AttentionReason {
    /// The stored text: `answer_mismatch:<field>`, `late_success`, `not_resolved`,
    /// `charged_after_cancel`, `unverified_answer`, `unresolvable`, `paid_after_abandon`.
    pub fn as_db(&self) -> String {
        match self {
            AttentionReason::AnswerMismatch { field } => format!("answer_mismatch:{field}"),
            AttentionReason::LateSuccess => "late_success".into(),
            AttentionReason::NotResolved => "not_resolved".into(),
            AttentionReason::ChargedAfterCancel => "charged_after_cancel".into(),
            AttentionReason::UnverifiedAnswer => "unverified_answer".into(),
            AttentionReason::Unresolvable => "unresolvable".into(),
            AttentionReason::PaidAfterAbandon => "paid_after_abandon".into(),
        }
    }

    /// Parses [`AttentionReason::as_db`]; `None` for anything else.
    pub fn parse_db(s: &str) -> Option<AttentionReason> {
        match s {
            "late_success" => Some(AttentionReason::LateSuccess),
            "not_resolved" => Some(AttentionReason::NotResolved),
            "charged_after_cancel" => Some(AttentionReason::ChargedAfterCancel),
            "unverified_answer" => Some(AttentionReason::UnverifiedAnswer),
            "unresolvable" => Some(AttentionReason::Unresolvable),
            "paid_after_abandon" => Some(AttentionReason::PaidAfterAbandon),
            other => other
                .strip_prefix("answer_mismatch:")
                .filter(|f| !f.is_empty())
                .map(|f| AttentionReason::AnswerMismatch { field: f.to_string() }),
        }
    }

    /// A short English text for the command line and logs (apps localise from the enum).
    pub fn text(&self) -> String {
        match self {
            AttentionReason::AnswerMismatch { field } if field == "amount" => {
                "the acquirer answered for another amount: not applied (is this sale id already \
                 used at the acquirer?)"
                    .into()
            }
            AttentionReason::AnswerMismatch { field } => {
                format!("the acquirer's answer names another {field}: not applied")
            }
            AttentionReason::LateSuccess => "charged after the sale had ended".into(),
            AttentionReason::NotResolved => "no final answer in time: still being asked".into(),
            AttentionReason::ChargedAfterCancel => "charged after cancel: refund or keep".into(),
            AttentionReason::UnverifiedAnswer => {
                "an answer failed its signature check: check the salt / secure code".into()
            }
            AttentionReason::Unresolvable => {
                "the acquirer cannot tell whether this went through: check its back office before \
                 doing it again"
                    .into()
            }
            AttentionReason::PaidAfterAbandon => {
                "paid after it was abandoned: hand the goods over or refund it".into()
            }
        }
    }

    /// Whether this reason should replace `other` on a record: a specific finding (a mismatch,
    /// a late success) replaces the generic "not resolved in time", never the reverse.
    pub fn outranks(&self, other: &AttentionReason) -> bool {
        self != other && *self != AttentionReason::NotResolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_round_trips() {
        for r in [
            AttentionReason::AnswerMismatch { field: "amount".into() },
            AttentionReason::LateSuccess,
            AttentionReason::NotResolved,
            AttentionReason::ChargedAfterCancel,
            AttentionReason::UnverifiedAnswer,
            AttentionReason::Unresolvable,
            AttentionReason::PaidAfterAbandon,
        ] {
            assert_eq!(AttentionReason::parse_db(&r.as_db()), Some(r));
        }
        for bad in ["", "answer_mismatch:", "paid", "LATE_SUCCESS"] {
            assert_eq!(AttentionReason::parse_db(bad), None, "{bad}");
        }
    }

    #[test]
    fn specific_reasons_replace_the_generic_one() {
        let mismatch = AttentionReason::AnswerMismatch { field: "amount".into() };
        assert!(mismatch.outranks(&AttentionReason::NotResolved));
        assert!(AttentionReason::LateSuccess.outranks(&mismatch));
        assert!(!AttentionReason::NotResolved.outranks(&mismatch));
        assert!(!mismatch.outranks(&mismatch.clone()));
    }
}
