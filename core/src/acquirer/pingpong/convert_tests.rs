//! Tests of the PingPong answer conversion and its checks against the request.

use super::*;

fn answer(code: &str, biz: Option<&str>) -> Answer {
    Answer { code: code.into(), description: "d".into(), biz: biz.map(str::to_string) }
}

fn cny(v: &str) -> Amount {
    Amount::parse(v, "CNY").unwrap()
}

fn pay_of(answer: &Answer, amount: &Amount) -> Result<PaymentResult, AcquirerError> {
    let expect =
        PaymentExpectation { order: "M1", request_id: Some("R1"), amount, is_query: false };
    payment_answer(answer, &expect)
}

/// A payment payload for order M1, attempt R1, 1.00 CNY, with `extra` fields added.
fn biz(status: &str, extra: &str) -> String {
    format!(
        r#"{{"merchantTransactionId":"M1","requestId":"R1","amount":"1.000000","currency":"CNY","status":"{status}"{extra}}}"#
    )
}

fn mismatch_field(r: Result<PaymentResult, AcquirerError>) -> &'static str {
    match r {
        Err(AcquirerError::AnswerMismatch { field, .. }) => field,
        other => panic!("not a mismatch: {other:?}"),
    }
}

#[test]
fn decline_is_a_result_and_refusals_follow_the_code_table() {
    let declined = answer("301002", Some(&biz("FAILED", "")));
    let r = pay_of(&declined, &cny("1.00")).unwrap();
    assert_eq!(r.status, PaymentStatus::Failed);
    assert_eq!(r.result_code.as_deref(), Some("301002"));
    let duplicate = pay_of(&answer("107000", None), &cny("1.00")).unwrap_err();
    assert_eq!(duplicate.code_class(), Some(CodeClass::OutcomeUnknown));
    let busy = pay_of(&answer("500000", None), &cny("1.00")).unwrap_err();
    assert_eq!(busy.code_class(), Some(CodeClass::OutcomeUnknown));
    let invalid = pay_of(&answer("104000", None), &cny("1.00")).unwrap_err();
    assert!(matches!(invalid, AcquirerError::Refused { .. }));
    assert!(pay_of(&answer("000000", None), &cny("1.00")).unwrap_err().is_outcome_unknown());
}

#[test]
fn a_failed_status_with_a_system_or_unknown_code_is_not_a_decline() {
    for code in ["500000", "999999", "000000"] {
        let e = pay_of(&answer(code, Some(&biz("FAILED", ""))), &cny("1.00")).unwrap_err();
        assert!(e.is_outcome_unknown(), "{code}: {e:?}");
    }
    // A query reports the order's state as it is.
    let expect =
        PaymentExpectation { order: "M1", request_id: None, amount: &cny("1.00"), is_query: true };
    let failed = answer("001000", Some(&biz("FAILED", r#","resultCode":"500000""#)));
    assert_eq!(payment_answer(&failed, &expect).unwrap().status, PaymentStatus::Failed);
}

#[test]
fn answers_about_something_else_are_mismatches() {
    let one = cny("1.00");
    let ok = answer("000000", Some(&biz("SUCCESS", "")));
    assert_eq!(pay_of(&ok, &one).unwrap().status, PaymentStatus::Succeeded);
    assert_eq!(mismatch_field(pay_of(&ok, &cny("250.00"))), "amount");
    assert_eq!(mismatch_field(pay_of(&ok, &Amount::parse("1.00", "USD").unwrap())), "currency");
    let cases = [
        (
            r#"{"merchantTransactionId":"M2","requestId":"R1","amount":"1","currency":"CNY","status":"SUCCESS"}"#,
            "merchantTransactionId",
        ),
        (
            r#"{"requestId":"R1","amount":"1","currency":"CNY","status":"SUCCESS"}"#,
            "merchantTransactionId",
        ),
        (
            r#"{"merchantTransactionId":"M1","requestId":"R2","amount":"1","currency":"CNY","status":"SUCCESS"}"#,
            "requestId",
        ),
        (
            r#"{"merchantTransactionId":"M1","amount":"1","currency":"CNY","status":"SUCCESS"}"#,
            "requestId",
        ),
        (
            r#"{"merchantTransactionId":"M1","requestId":"R1","currency":"CNY","status":"SUCCESS"}"#,
            "amount",
        ),
        (
            r#"{"merchantTransactionId":"M1","requestId":"R1","amount":1e30,"currency":"CNY","status":"SUCCESS"}"#,
            "amount",
        ),
        (
            r#"{"merchantTransactionId":"M1","requestId":"R1","amount":"1.005","currency":"CNY","status":"SUCCESS"}"#,
            "amount",
        ),
        (
            r#"{"merchantTransactionId":"M1","requestId":"R1","amount":"1","status":"SUCCESS"}"#,
            "currency",
        ),
        (
            r#"{"merchantTransactionId":"M1","requestId":"R1","amount":"1","currency":"XXX","status":"FAILED"}"#,
            "currency",
        ),
    ];
    for (biz, field) in cases {
        assert_eq!(mismatch_field(pay_of(&answer("000000", Some(biz)), &one)), field, "{biz}");
    }
}

#[test]
fn qr_amount_and_card_are_read() {
    let biz = r#"{"merchantTransactionId":"M1","requestId":"R1","transactionId":"T1","status":"PROCESSING",
        "amount":"12.500000","currency":"CNY",
        "action":{"type":"QR_CODE","qrCode":"weixin://x","qrUrl":"https://q.example/i.png","qrCodeExpired":"1700000000000"},
        "cardInfo":{"firstSixDigits":"520474","lastFourDigits":"1002","paymentBrand":"MASTERCARD"},
        "somethingNew":{"ignored":true}}"#;
    let r = pay_of(&answer("002000", Some(biz)), &cny("12.50")).unwrap();
    assert_eq!(r.amount.unwrap().to_major_string(), "12.50");
    let qr = r.qr.unwrap();
    assert_eq!(qr.content, "weixin://x");
    assert_eq!(qr.image_url.as_deref(), Some("https://q.example/i.png"));
    assert_eq!(qr.expires_at_unix_ms, Some(1_700_000_000_000));
    assert_eq!(r.card.unwrap().masked_number.as_deref(), Some("520474******1002"));
}

#[test]
fn card_details_are_read_and_malformed_ones_dropped() {
    let biz = |auth: &str, info: &str| {
        format!(
            r#"{{"merchantTransactionId":"M1","requestId":"R1","transactionId":"T1","status":"SUCCESS",
            "amount":"12.50","currency":"CNY","authCode":"{auth}",
            "cardInfo":{{"firstSixDigits":"476173","lastFourDigits":"0119","paymentBrand":"VISA",{info}}}}}"#
        )
    };
    let good = biz(
        "A1B2C3",
        r#""entryMode":"CHIP","aid":"A0000000031010","applicationLabel":"VISA CREDIT""#,
    );
    let r = pay_of(&answer("000000", Some(&good)), &cny("12.50")).unwrap();
    let d = r.card_details.unwrap();
    assert_eq!(d.auth_code.as_deref(), Some("A1B2C3"));
    assert_eq!(d.entry_mode, Some(crate::reader::EntryMode::Chip));
    assert_eq!(d.aid.as_deref(), Some("A0000000031010"));
    assert_eq!(d.application_label.as_deref(), Some("VISA CREDIT"));
    // A printer command in a label, a non-hex AID, an auth code with symbols: each dropped,
    // the payment still read.
    let bad = biz(
        "A1;B2",
        r#""entryMode":"WAVE","aid":"A0000000Z31010","applicationLabel":"VISA\u001b@""#,
    );
    let r = pay_of(&answer("000000", Some(&bad)), &cny("12.50")).unwrap();
    assert_eq!(r.card_details, None);
    assert_eq!(r.card.unwrap().brand.as_deref(), Some("VISA"));
}

#[test]
fn unknown_status_huge_qr_and_broken_payloads_are_malformed() {
    let huge_qr = format!(r#","action":{{"qrCode":"{}"}}"#, "Q".repeat(MAX_QR_BYTES + 1));
    for biz in [
        biz("REVIEW", ""),
        biz("PROCESSING", &huge_qr),
        biz("SUCCESS", &format!(r#","transactionId":"{}""#, "9".repeat(65))),
        r#"{"merchantTransactionId":"M1","requestId":"R1","amount":"1","currency":"CNY"}"#.into(),
        r#"{"merchantTransactionId":"M1","status":7}"#.into(),
        r#"[1,2]"#.into(),
        r#"{"merchantTransactionId":"M1""#.into(),
    ] {
        let err = pay_of(&answer("000000", Some(&biz)), &cny("1.00")).unwrap_err();
        assert!(err.is_outcome_unknown(), "{}: {err:?}", &biz[..biz.len().min(80)]);
    }
}

#[test]
fn refund_answers_are_checked_against_the_refund() {
    let expect =
        RefundExpectation { order: "M1", refund_id: "RF1", amount: &cny("0.50"), is_query: false };
    let refund = |extra: &str, status: &str| {
        format!(
            r#"{{"merchantTransactionId":"M1","merchantRefundId":"RF1","amount":"0.500000","currency":"CNY","status":"{status}"{extra}}}"#
        )
    };
    let ok = refund_answer(&answer("000000", Some(&refund("", "SUCCESS"))), &expect).unwrap();
    assert_eq!(ok.status, RefundStatus::Succeeded);
    let failed = refund_answer(&answer("303000", Some(&refund("", "FAILED"))), &expect).unwrap();
    assert_eq!(failed.status, RefundStatus::Failed);
    let system = refund_answer(&answer("500000", Some(&refund("", "FAILED"))), &expect);
    assert!(system.unwrap_err().is_outcome_unknown());
    let other_amount = RefundExpectation { amount: &cny("0.40"), ..expect };
    let e = refund_answer(&answer("000000", Some(&refund("", "SUCCESS"))), &other_amount);
    assert!(matches!(e, Err(AcquirerError::AnswerMismatch { field: "amount", .. })));
    let other_id = refund("", "SUCCESS").replace("RF1", "RF2");
    let e = refund_answer(&answer("000000", Some(&other_id)), &expect);
    assert!(matches!(e, Err(AcquirerError::AnswerMismatch { field: "merchantRefundId", .. })));
    let e = refund_answer(&answer("108000", None), &expect).unwrap_err();
    assert!(matches!(e, AcquirerError::Rejected { .. }));
    let e = refund_answer(&answer("107001", None), &expect).unwrap_err();
    assert!(matches!(e, AcquirerError::NotFound { .. }));
}

#[test]
fn notifications_split_payments_and_refunds() {
    let pay = r#"{"notifyType":"RECHARGE","merchantTransactionId":"M1","status":"SUCCESS","amount":"1.000000","currency":"CNY"}"#;
    assert!(
        matches!(notification(pay), Ok(Notification::Payment(p)) if p.status == PaymentStatus::Succeeded)
    );
    let refund = r#"{"notifyType":"REFUND","merchantTransactionId":"M1","merchantRefundId":"R1","status":"SUCCESS"}"#;
    assert!(
        matches!(notification(refund), Ok(Notification::Refund { result, .. }) if result.status == RefundStatus::Succeeded)
    );
    assert!(notification(r#"{"notifyType":"REFUND","status":"SUCCESS"}"#).is_err());
    assert!(notification("nope").is_err());
}

#[test]
fn wallet_must_match_code() {
    use crate::acquirer::{check_code_matches_wallet, WalletMethod};
    use crate::paycode::PaymentCode;
    let wechat = PaymentCode::parse("134650720866361395").unwrap();
    assert!(check_code_matches_wallet(&wechat, WalletMethod::WechatPay).is_ok());
    assert!(check_code_matches_wallet(&wechat, WalletMethod::AlipayCn).is_err());
    let alipay = PaymentCode::parse("2865072086636139").unwrap();
    assert!(check_code_matches_wallet(&alipay, WalletMethod::AlipayHk).is_ok());
    assert!(check_code_matches_wallet(&alipay, WalletMethod::WechatPay).is_err());
}
