//! The terminal's word in PingPong answers: `terminalState` on a refusal without an order,
//! `terminalResult` on a FAILED card payment (docs/terminal-channel.md, "The cashier's side").

use super::*;

fn answer(code: &str, biz: &str) -> Answer {
    Answer { code: code.into(), description: "d".into(), biz: Some(biz.into()) }
}

fn pay(answer: &Answer, is_query: bool) -> Result<PaymentResult, AcquirerError> {
    let amount = Amount::parse("1.00", "CNY").unwrap();
    let expect =
        PaymentExpectation { order: "M1", request_id: Some("R1"), amount: &amount, is_query };
    payment_answer(answer, &expect)
}

fn failed(extra: &str) -> String {
    format!(
        r#"{{"merchantTransactionId":"M1","requestId":"R1","amount":"1.000000","currency":"CNY","status":"FAILED","resultCode":"301002"{extra}}}"#
    )
}

#[test]
fn a_busy_or_unreachable_refusal_is_an_unknown_outcome_carrying_the_hint() {
    let busy = pay(
        &answer("500000", r#"{"terminalState":"BUSY","blockingTransactionId":"POS-1"}"#),
        false,
    )
    .unwrap_err();
    assert!(busy.is_outcome_unknown());
    assert_eq!(busy.code_class(), Some(CodeClass::OutcomeUnknown));
    assert_eq!(
        busy.terminal_refusal(),
        Some(&TerminalRefusal::Busy { blocking_transaction_id: Some("POS-1".into()) })
    );
    let unreachable =
        answer("500000", r#"{"terminalState":"UNREACHABLE","lastSeenMs":1765000000000}"#);
    assert_eq!(
        pay(&unreachable, false).unwrap_err().terminal_refusal(),
        Some(&TerminalRefusal::Unreachable { last_seen_ms: Some(1_765_000_000_000) })
    );
    // Never seen, a blank or hostile id, a garbage time: the hint stays, the extras go.
    let bare = answer("500000", r#"{"terminalState":"UNREACHABLE","lastSeenMs":"soon"}"#);
    assert_eq!(
        pay(&bare, false).unwrap_err().terminal_refusal(),
        Some(&TerminalRefusal::Unreachable { last_seen_ms: None })
    );
    let long = "x".repeat(500);
    let hostile = answer(
        "500000",
        &format!(r#"{{"terminalState":"BUSY","blockingTransactionId":"{long}"}}"#),
    );
    let Some(TerminalRefusal::Busy { blocking_transaction_id: Some(id) }) =
        pay(&hostile, false).unwrap_err().terminal_refusal().cloned()
    else {
        panic!("busy expected")
    };
    assert_eq!(id.len(), MAX_BLOCKING_ID);
}

#[test]
fn an_unknown_state_or_a_definite_code_carries_no_hint() {
    for biz in [r#"{"terminalState":"ASLEEP"}"#, r#"{"terminalState":7}"#, "{}"] {
        let e = pay(&answer("500000", biz), false);
        // A payload that does not parse is malformed, never a hint.
        let e = e.unwrap_err();
        assert!(e.is_outcome_unknown(), "{biz}");
        assert_eq!(e.terminal_refusal(), None, "{biz}");
    }
    // A declining or invalid code keeps its meaning whatever the payload says.
    let refused = pay(&answer("104000", r#"{"terminalState":"BUSY"}"#), false).unwrap_err();
    assert!(matches!(refused, AcquirerError::Refused { .. }));
    assert_eq!(refused.terminal_refusal(), None);
}

#[test]
fn terminal_results_of_a_failed_card_payment_are_read() {
    for (wire, want) in [
        ("declined", TerminalResult::Declined),
        ("cancelled_at_terminal", TerminalResult::CancelledAtTerminal),
        ("cancelled_by_cashier", TerminalResult::CancelledByCashier),
        ("timed_out", TerminalResult::TimedOut),
        ("failed", TerminalResult::Failed),
        ("undelivered", TerminalResult::Undelivered),
        // Unknown to this version: failed at the terminal, not a decline.
        ("melted", TerminalResult::Failed),
    ] {
        let a = answer("000000", &failed(&format!(r#","terminalResult":"{wire}""#)));
        let r = pay(&a, true).unwrap();
        assert_eq!(r.status, PaymentStatus::Failed);
        assert_eq!(r.terminal_result, Some(want), "{wire}");
        let note = notification(&failed(&format!(r#","terminalResult":"{wire}""#))).unwrap();
        let Notification::Payment(n) = note else { panic!("payment expected") };
        assert_eq!(n.terminal_result, Some(want), "{wire}");
    }
    // No field: nothing said about the terminal. A result on a success is ignored.
    assert_eq!(pay(&answer("000000", &failed("")), true).unwrap().terminal_result, None);
    let ok = failed(r#","terminalResult":"declined""#).replace("FAILED", "SUCCESS");
    assert_eq!(pay(&answer("000000", &ok), true).unwrap().terminal_result, None);
}
