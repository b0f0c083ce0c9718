use super::*;

fn kinds() -> Vec<AcquirerError> {
    let code = |c: &str| (c.to_string(), "text".to_string());
    vec![
        AcquirerError::InvalidRequest { field: "amount", reason: "bad".into() },
        AcquirerError::NotSent { reason: "no route".into() },
        AcquirerError::OutcomeUnknown { cause: UnknownCause::Timeout, detail: "t".into() },
        AcquirerError::OutcomeUnknown { cause: UnknownCause::ConnectionLost, detail: "c".into() },
        AcquirerError::OutcomeUnknown { cause: UnknownCause::HttpStatus(502), detail: "h".into() },
        AcquirerError::malformed("m"),
        AcquirerError::OutcomeUnknown { cause: UnknownCause::BadSignature, detail: "s".into() },
        AcquirerError::OutcomeUnknown {
            cause: UnknownCause::AcquirerCode("X".into()),
            detail: "x".into(),
        },
        // A terminal's refusal is only a hint: classified like any unknown outcome.
        AcquirerError::OutcomeUnknown {
            cause: UnknownCause::TerminalRefused {
                code: "X".into(),
                refusal: crate::acquirer::TerminalRefusal::Busy { blocking_transaction_id: None },
            },
            detail: "busy".into(),
        },
        {
            let (code, description) = code("D");
            AcquirerError::Rejected { code, description }
        },
        {
            let (code, description) = code("I");
            AcquirerError::Refused { code, description }
        },
        {
            let (code, description) = code("N");
            AcquirerError::NotFound { code, description }
        },
        {
            let (code, description) = code("R");
            AcquirerError::RetryLater { code, description }
        },
        AcquirerError::AnswerMismatch { field: "amount", detail: "1.00 vs 2.00".into() },
        AcquirerError::Unresolvable { reason: "no id".into() },
        AcquirerError::Unsupported { acquirer: "x", operation: "cancel" },
    ]
}

const ASKED: [Asked; 4] = [Asked::Pay, Asked::Refund, Asked::Query, Asked::Cancel];

fn verdict(asked: Asked, e: AcquirerError) -> Verdict<()> {
    classify::<()>(asked, Err(e)).verdict
}

#[test]
fn an_answer_is_read_and_shows_the_acquirer_online() {
    for asked in ASKED {
        let c = classify(asked, Ok(7));
        assert_eq!(c.verdict, Verdict::Answered(7));
        assert_eq!(
            (c.failure, c.mismatch, c.unverified, c.reach),
            (None, None, false, Reach::Online)
        );
    }
}

/// The rule that keeps a charge from becoming a decline: only a definite refusal of a pay or
/// refund ends it as refused; every failure whose effect is unknown stays unknown.
#[test]
fn only_definite_refusals_end_a_pay_or_refund() {
    for asked in [Asked::Pay, Asked::Refund] {
        for e in kinds() {
            let definite = matches!(
                e,
                AcquirerError::Rejected { .. }
                    | AcquirerError::Refused { .. }
                    | AcquirerError::InvalidRequest { .. }
                    | AcquirerError::Unsupported { .. }
            ) || (asked == Asked::Refund
                && matches!(e, AcquirerError::NotFound { .. }));
            let v = verdict(asked, e.clone());
            assert_eq!(matches!(v, Verdict::Refused { .. }), definite, "{asked:?} {e:?}: {v:?}");
            if e.is_outcome_unknown() || matches!(e, AcquirerError::AnswerMismatch { .. }) {
                assert_eq!(v, Verdict::Unknown, "{asked:?} {e:?}");
            }
        }
    }
    assert_eq!(
        verdict(Asked::Pay, AcquirerError::NotFound { code: "N".into(), description: "".into() }),
        Verdict::Unknown
    );
}

#[test]
fn queries_move_only_on_an_answer_or_not_found() {
    for e in kinds() {
        let v = verdict(Asked::Query, e.clone());
        let expected = match e {
            AcquirerError::NotFound { .. } => Verdict::NotFound,
            AcquirerError::NotSent { .. } => Verdict::NotSent,
            AcquirerError::OutcomeUnknown { .. } => Verdict::Unknown,
            AcquirerError::InvalidRequest { .. }
            | AcquirerError::Unsupported { .. }
            | AcquirerError::Unresolvable { .. } => Verdict::Unresolvable,
            _ => Verdict::NoNews,
        };
        assert_eq!(v, expected, "{e:?}");
    }
}

#[test]
fn a_cancel_is_refused_only_by_the_acquirer() {
    for e in kinds() {
        let v = verdict(Asked::Cancel, e.clone());
        let by_acquirer = matches!(
            e,
            AcquirerError::Rejected { .. }
                | AcquirerError::Refused { .. }
                | AcquirerError::NotFound { .. }
        );
        assert_eq!(v == Verdict::CancelRefused, by_acquirer, "{e:?}");
    }
}

#[test]
fn nothing_unresolvable_is_ever_resent() {
    for asked in ASKED {
        let v = verdict(asked, AcquirerError::Unresolvable { reason: "r".into() });
        assert!(matches!(v, Verdict::Unresolvable), "{asked:?}");
    }
}

#[test]
fn failures_keep_their_reason_and_flags() {
    for asked in ASKED {
        for e in kinds() {
            let c = classify::<()>(asked, Err(e.clone()));
            let settled = matches!(
                c.verdict,
                Verdict::Refused { .. } | Verdict::NotFound | Verdict::CancelRefused
            );
            assert_eq!(c.failure.is_none(), settled, "{asked:?} {e:?}");
            assert_eq!(c.unverified, e.is_bad_signature());
            assert_eq!(c.mismatch.is_some(), matches!(e, AcquirerError::AnswerMismatch { .. }));
            let expected = match e {
                AcquirerError::NotSent { .. } => Reach::Offline,
                AcquirerError::OutcomeUnknown {
                    cause: UnknownCause::Timeout | UnknownCause::ConnectionLost,
                    ..
                } => Reach::Offline,
                AcquirerError::AnswerMismatch { .. } => Reach::Online,
                ref other if other.code_class().is_some() => Reach::Online,
                _ => Reach::Unchanged,
            };
            assert_eq!(c.reach, expected, "{e:?}");
        }
    }
}
