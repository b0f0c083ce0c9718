use super::*;

fn bad_field(e: ChannelError) -> String {
    match e {
        ChannelError::BadAnswer(why) => why,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_inbox_reads_each_kind_and_skips_only_what_it_cannot_read() {
    let body = br#"{"messages": [
        {"id": "m-1", "seq": 1, "kind": "sale", "transactionId": "POS-1", "amount": "12.00",
         "currency": "CNY", "deadlineMs": 1765000000000, "newField": 1},
        {"id": "m-2", "seq": 2, "kind": "refund", "transactionId": "R-1", "amount": "1.50",
         "currency": "CNY", "originalTransactionId": "POS-0"},
        {"id": "m-3", "seq": 3, "kind": "cancel", "transactionId": "POS-1"},
        {"id": "m-4", "seq": 4, "kind": "sale", "transactionId": "POS-2", "amount": "1.234",
         "currency": "CNY"},
        {"id": "m-5", "seq": 5, "kind": "teleport", "transactionId": "POS-3"}
    ]}"#;
    let got = parse_inbox(body).unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].kind, InboxKind::Sale { amount: Amount::parse("12", "CNY").unwrap() });
    assert_eq!(got[0].deadline_ms, Some(1_765_000_000_000));
    assert!(matches!(got[1].kind, InboxKind::Refund { ref original_transaction_id, .. }
        if original_transaction_id == "POS-0"));
    assert_eq!(got[2].kind, InboxKind::Cancel);
    assert_eq!(
        bad_field(
            parse_message(
                &serde_json::json!({"id": "m", "seq": 1, "kind": "sale",
        "transactionId": "T", "amount": "1.234", "currency": "CNY"}),
                "m."
            )
            .unwrap_err()
        )
        .split(':')
        .next(),
        Some("m.amount")
    );
    assert!(bad_field(parse_inbox(b"{}").unwrap_err()).starts_with("messages: missing"));
    assert!(bad_field(parse_inbox(b"[1]").unwrap_err()).starts_with("body"));
    assert!(bad_field(parse_inbox(br#"{"messages": 3}"#).unwrap_err()).starts_with("messages"));
    let no_seq = serde_json::json!({"id": "m", "seq": -1, "kind": "cancel", "transactionId": "T"});
    assert!(bad_field(parse_message(&no_seq, "x.").unwrap_err()).starts_with("x.seq"));
}

#[test]
fn answers_are_read_strictly() {
    assert_eq!(parse_ok(br#"{"ok": true}"#), Ok(()));
    assert!(bad_field(parse_ok(br#"{"ok": "yes"}"#).unwrap_err()).starts_with("ok"));
    let a = parse_authorize(br#"{"approved": true, "authCode": "A1", "issuerTlv": "8A023030"}"#)
        .unwrap();
    assert!(a.approved && !a.unable_to_go_online);
    assert_eq!(a.issuer_tlv, vec![0x8A, 0x02, 0x30, 0x30]);
    assert!(bad_field(parse_authorize(br#"{"approved": 1}"#).unwrap_err()).starts_with("approved"));
    assert!(bad_field(parse_authorize(br#"{"approved": false, "issuerTlv": "zz"}"#).unwrap_err())
        .starts_with("issuerTlv"));
    assert_eq!(parse_result_ack(200, br#"{"status": "recorded"}"#), Some(Ok(ResultAck::Recorded)));
    assert_eq!(
        parse_result_ack(200, br#"{"status": "already_recorded"}"#),
        Some(Ok(ResultAck::AlreadyRecorded))
    );
    assert_eq!(
        parse_result_ack(409, br#"{"code": "conflict", "recorded": "declined"}"#),
        Some(Ok(ResultAck::Conflict { recorded: "declined".into() }))
    );
    assert_eq!(parse_result_ack(409, br#"{"code": "not_authorized", "message": "no"}"#), None);
    assert_eq!(
        error_answer(409, br#"{"code": "not_authorized", "message": "no"}"#),
        ChannelError::Refused { code: "not_authorized".into(), message: "no".into() }
    );
    assert!(matches!(error_answer(503, b""), ChannelError::Unreachable(_)));
    assert!(matches!(error_answer(400, b"oops"), ChannelError::BadAnswer(_)));
    assert_eq!(
        parse_forward_ack(br#"{"status": "refused", "reason": "too old"}"#),
        Ok(ForwardAck::Refused { reason: "too old".into() })
    );
}

#[test]
fn a_result_names_its_fields_as_the_channel_says() {
    let body = result_request(&ResultReport {
        transaction_id: "POS-1".into(),
        result: TerminalResult::Declined,
        card: None,
        reason: Some("offline approvals not enabled".into()),
    });
    assert_eq!(body["result"], "declined");
    assert_eq!(body["reason"], "offline approvals not enabled");
    assert!(body["authCode"].is_null() && body["maskedPan"].is_null());
    let failed = result_request(&ResultReport {
        transaction_id: "POS-1".into(),
        result: TerminalResult::Failed { reason: "reader gone".into() },
        card: None,
        reason: None,
    });
    assert_eq!(failed["reason"], "reader gone");
    // An approval carries what the receipt shows of the card.
    let approved = result_request(&ResultReport {
        transaction_id: "POS-1".into(),
        result: TerminalResult::Approved { auth_code: Some("A1B2C3".into()) },
        card: Some(crate::reader::session::CardRead {
            masked_pan: "476173******0119".into(),
            aid: "A0000000031010".into(),
            label: Some("VISA CREDIT".into()),
            entry: Some(crate::reader::EntryMode::Contactless),
        }),
        reason: None,
    });
    assert_eq!(approved["authCode"], "A1B2C3");
    assert_eq!(approved["maskedPan"], "476173******0119");
    assert_eq!(approved["aid"], "A0000000031010");
    assert_eq!(approved["applicationLabel"], "VISA CREDIT");
    assert_eq!(approved["entryMode"], "contactless");
}
