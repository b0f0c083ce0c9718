//! Tests of the Oceanpayment answer conversion and its checks against the request.

use super::*;
use crate::acquirer::oceanpayment::testkit::*;
use crate::acquirer::UnknownCause;

fn cent() -> Amount {
    Amount::parse("0.01", "CNY").unwrap()
}

fn expect(amount: &Amount) -> PaymentExpectation<'_> {
    PaymentExpectation { order: ORDER, amount, is_query: false }
}

fn pay(xml: &str) -> Result<PaymentResult, AcquirerError> {
    pay_answer(&merchant(), xml.as_bytes(), expect(&cent()), false)
}

fn mismatch_field(e: &AcquirerError) -> Option<&'static str> {
    match e {
        AcquirerError::AnswerMismatch { field, .. } => Some(field),
        _ => None,
    }
}

fn is_malformed(e: &AcquirerError) -> bool {
    matches!(e, AcquirerError::OutcomeUnknown { cause: UnknownCause::MalformedResponse, .. })
}

fn is_bad_signature(e: &AcquirerError) -> bool {
    matches!(e, AcquirerError::OutcomeUnknown { cause: UnknownCause::BadSignature, .. })
}

#[test]
fn test_kit_signs_like_the_published_response_vector() {
    let fields = signed(OceanMessage::PayResponse, pay_fields("1", "20000:Success"));
    assert_eq!(
        fields.iter().find(|(k, _)| k == "signValue").map(|(_, v)| v.to_lowercase()),
        Some("f5c61e296ed4a370ded1aaceb1f21446444584b70104491b94b6ee68f0252c7f".into())
    );
}

#[test]
fn pay_statuses_map_one_zero_minus_one() {
    let ok = pay(&pay_xml("1", "20000:Success")).unwrap();
    assert_eq!(ok.status, PaymentStatus::Succeeded);
    assert_eq!(ok.merchant_transaction_id, ORDER);
    assert_eq!(ok.acquirer_transaction_id.as_deref(), Some(PAYMENT_ID));
    assert_eq!(ok.amount.map(|a| a.to_major_string()), Some("0.01".into()));
    assert_eq!(ok.result_code.as_deref(), Some("20000"));
    assert_eq!(ok.result_description.as_deref(), Some("Success"));
    assert_eq!((ok.request_id, ok.qr, ok.card), (None, None, None));

    let failed = pay(&pay_xml("0", "20010:Transaction declined")).unwrap();
    assert_eq!(failed.status, PaymentStatus::Failed);
    assert_eq!(failed.result_code.as_deref(), Some("20010"));
    assert_eq!(failed.result_description.as_deref(), Some("Transaction declined"));
    // A failure with a code the table does not know, or with none, is not a decline.
    for details in ["80002:Insufficient balance", "", "50000:Internal error"] {
        let e = pay(&pay_xml("0", details)).unwrap_err();
        assert!(e.is_outcome_unknown(), "{details}: {e:?}");
    }

    let pending = pay(&pay_xml("-1", "20010:User paying")).unwrap();
    assert_eq!(pending.status, PaymentStatus::Processing);
}

#[test]
fn qr_comes_from_pay_url() {
    let fields =
        set(pay_fields("-1", "20010:Pending"), "pay_url", "weixin://wxpay/bizpayurl?pr=x&y=1");
    let xml = response(&signed(OceanMessage::PayResponse, fields));
    let r = pay_answer(&merchant(), xml.as_bytes(), expect(&cent()), true).unwrap();
    assert_eq!(r.status, PaymentStatus::Processing);
    let qr = r.qr.unwrap();
    assert_eq!(qr.content, "weixin://wxpay/bizpayurl?pr=x&y=1");
    assert_eq!(qr.expires_at_unix_ms, None);
    let no_url = pay_answer(&merchant(), pay_xml("-1", "").as_bytes(), expect(&cent()), true);
    assert!(is_malformed(&no_url.unwrap_err()));
}

#[test]
fn card_numbers_are_masked() {
    let fields = set(pay_fields("1", "20000:Success"), "card_number", "5204740000001002");
    let fields = set(fields, "card_type", "Mastercard");
    let r = pay(&response(&signed(OceanMessage::PayResponse, fields))).unwrap();
    let card = r.card.unwrap();
    assert_eq!(card.masked_number.as_deref(), Some("520474******1002"));
    assert_eq!(card.brand.as_deref(), Some("Mastercard"));
}

#[test]
fn error_answer_without_status_is_a_rejection() {
    let e = pay(&pay_xml("", "20001:signValue error")).unwrap_err();
    assert_eq!(
        e,
        AcquirerError::Refused { code: "20001".into(), description: "signValue error".into() }
    );
    let e = pay(&pay_xml("0", "20002:parameter order_amount")).unwrap_err();
    assert!(matches!(e, AcquirerError::Refused { .. }), "{e:?}");
    assert!(is_malformed(&pay(&pay_xml("", "")).unwrap_err()));
}

#[test]
fn duplicate_order_number_is_not_a_decline() {
    // Plugins treat 20061 as "already submitted": the first submission may be paid.
    let e = pay(&pay_xml("0", "20061:Order number repeated")).unwrap_err();
    assert!(e.is_outcome_unknown(), "{e:?}");
}

#[test]
fn tampered_or_unsigned_answers_are_bad_signatures() {
    let tampered = pay_xml("0", "80002:Declined")
        .replace("<payment_status>0</payment_status>", "<payment_status>1</payment_status>");
    assert!(is_bad_signature(&pay(&tampered).unwrap_err()));
    let unsigned = response(&pay_fields("1", "20000:Success"));
    assert!(is_bad_signature(&pay(&unsigned).unwrap_err()));
    let other_code = Merchant { secure_code: "87654321".to_string().into(), ..merchant() };
    let e =
        pay_answer(&other_code, pay_xml("1", "").as_bytes(), expect(&cent()), false).unwrap_err();
    assert!(is_bad_signature(&e));
}

#[test]
fn answers_for_another_merchant_or_order_are_refused() {
    let other_account = set(pay_fields("1", ""), "account", "111111");
    let e = pay(&response(&signed(OceanMessage::PayResponse, other_account))).unwrap_err();
    assert_eq!(mismatch_field(&e), Some("account"));
    let other_terminal = set(pay_fields("1", ""), "terminal", "11111101");
    let e = pay(&response(&signed(OceanMessage::PayResponse, other_terminal))).unwrap_err();
    assert_eq!(mismatch_field(&e), Some("terminal"));
    let other = PaymentExpectation { order: "OTHER", amount: &cent(), is_query: false };
    let e = pay_answer(&merchant(), pay_xml("1", "").as_bytes(), other, false).unwrap_err();
    assert_eq!(mismatch_field(&e), Some("order_number"));
    let more = Amount::parse("250.00", "CNY").unwrap();
    let e = pay_answer(&merchant(), pay_xml("1", "").as_bytes(), expect(&more), false);
    assert_eq!(mismatch_field(&e.unwrap_err()), Some("amount"));
    let dollars = Amount::parse("0.01", "USD").unwrap();
    let e = pay_answer(&merchant(), pay_xml("1", "").as_bytes(), expect(&dollars), false);
    assert_eq!(mismatch_field(&e.unwrap_err()), Some("currency"));
    // 2.00 and 2.000000 are the same amount.
    let fields = set(pay_fields("1", "20000:Success"), "order_amount", "0.010000");
    assert!(pay(&response(&signed(OceanMessage::PayResponse, fields))).is_ok());
}

#[test]
fn malformed_answers_are_typed_errors() {
    let variants: Vec<(&str, Pairs)> = vec![
        ("unknown status", pay_fields("2", "")),
        ("word status", pay_fields("success", "")),
        ("huge pay_url", set(pay_fields("-1", ""), "pay_url", &"u".repeat(3000))),
    ];
    for (name, fields) in variants {
        let e = pay(&response(&signed(OceanMessage::PayResponse, fields))).unwrap_err();
        assert!(is_malformed(&e), "{name}: {e:?}");
    }
    let mismatches: Vec<(&str, Pairs, &str)> = vec![
        ("three decimals", set(pay_fields("1", ""), "order_amount", "0.001"), "amount"),
        ("not a number", set(pay_fields("1", ""), "order_amount", "1e3"), "amount"),
        ("negative", set(pay_fields("1", ""), "order_amount", "-1"), "amount"),
        ("no amount", set(pay_fields("1", ""), "order_amount", ""), "amount"),
        ("unknown currency", set(pay_fields("1", ""), "order_currency", "XXX"), "currency"),
        ("no currency", set(pay_fields("1", ""), "order_currency", ""), "currency"),
        ("no order", set(pay_fields("1", ""), "order_number", ""), "order_number"),
    ];
    for (name, fields, field) in mismatches {
        let e = pay(&response(&signed(OceanMessage::PayResponse, fields))).unwrap_err();
        assert_eq!(mismatch_field(&e), Some(field), "{name}: {e:?}");
    }
    let good = pay_xml("1", "20000:Success");
    let truncated = &good[..good.len() - 20];
    for body in [truncated, "", "garbage", "<response>", "{\"payment_status\":1}"] {
        assert!(pay(body).unwrap_err().is_outcome_unknown(), "{body:?}");
    }
    let huge = format!("<response>{}</response>", "<a>x</a>".repeat(200_000));
    assert!(is_malformed(&pay(&huge).unwrap_err()));
}

#[test]
fn query_takes_the_newest_payment_info() {
    let newest = signed(OceanMessage::QueryResponse, query_fields("1", "20000:Success"));
    let older = signed(OceanMessage::QueryResponse, query_fields("0", "80002:Declined"));
    let xml = query_xml(&[newest, older]);
    let r = query_answer(&merchant(), xml.as_bytes(), expect(&cent())).unwrap();
    assert_eq!(r.status, PaymentStatus::Succeeded);
    assert_eq!(r.acquirer_transaction_id.as_deref(), Some(PAYMENT_ID));

    let pending = query_xml(&[signed(OceanMessage::QueryResponse, query_fields("-1", ""))]);
    let r = query_answer(&merchant(), pending.as_bytes(), expect(&cent())).unwrap();
    assert_eq!(r.status, PaymentStatus::Processing);
}

#[test]
fn query_of_an_unknown_order_is_not_found_20068() {
    let fields = pairs(&[
        ("account", ACCOUNT),
        ("terminal", TERMINAL),
        ("order_number", ORDER),
        ("payment_results", ""),
        ("payment_details", "20068:Order does not exist"),
    ]);
    let xml = query_xml(&[signed(OceanMessage::QueryResponse, fields)]);
    let e = query_answer(&merchant(), xml.as_bytes(), expect(&cent())).unwrap_err();
    assert_eq!(
        e,
        AcquirerError::NotFound {
            code: "20068".into(),
            description: "Order does not exist".into()
        }
    );
}

#[test]
fn query_answers_are_verified_and_complete() {
    let m = merchant();
    let cent = cent();
    let q = expect(&cent);
    let empty = "<response></response>";
    assert!(is_malformed(&query_answer(&m, empty.as_bytes(), q).unwrap_err()));
    // Signed as a pay response, not as a query response.
    let wrong_order =
        query_xml(&[signed(OceanMessage::PayResponse, query_fields("1", "20000:Success"))]);
    assert!(is_bad_signature(&query_answer(&m, wrong_order.as_bytes(), q).unwrap_err()));
    let unknown = query_xml(&[signed(OceanMessage::QueryResponse, query_fields("9", ""))]);
    assert!(is_malformed(&query_answer(&m, unknown.as_bytes(), q).unwrap_err()));
    // A query reports a failed order as failed, whatever its declining or unlisted code...
    let failed = query_xml(&[signed(OceanMessage::QueryResponse, query_fields("0", "8:x"))]);
    assert_eq!(query_answer(&m, failed.as_bytes(), q).unwrap().status, PaymentStatus::Failed);
    // ...but an internal error is no verdict on the order: it may be paid.
    let internal =
        query_xml(&[signed(OceanMessage::QueryResponse, query_fields("0", "50000:internal"))]);
    let e = query_answer(&m, internal.as_bytes(), q).unwrap_err();
    assert!(e.is_outcome_unknown(), "{e:?}");
    let more = Amount::parse("0.02", "CNY").unwrap();
    let paid = query_xml(&[signed(OceanMessage::QueryResponse, query_fields("1", ""))]);
    let e = query_answer(&m, paid.as_bytes(), expect(&more)).unwrap_err();
    assert_eq!(mismatch_field(&e), Some("amount"));
}

fn apply_expectation(amount: &Amount) -> RefundExpectation<'_> {
    RefundExpectation {
        merchant_refund_id: "RF-1",
        payment_id: Some(PAYMENT_ID),
        refund_id: None,
        amount,
    }
}

#[test]
fn refund_results_map_one_zero_minus_one() {
    let m = merchant();
    let cent = cent();
    let expect = apply_expectation(&cent);
    for (value, status) in [
        ("1", RefundStatus::Succeeded),
        ("0", RefundStatus::Failed),
        ("-1", RefundStatus::Processing),
    ] {
        let r = refund_answer(&m, refund_xml(value).as_bytes(), &expect).unwrap();
        assert_eq!(r.status, status);
        assert_eq!(r.acquirer_refund_id.as_deref(), Some("R900001"));
        assert_eq!(r.merchant_refund_id.as_deref(), Some("RF-1"));
        assert_eq!(r.amount.map(|a| a.to_major_string()), Some("0.01".into()));
    }
}

#[test]
fn refund_query_checks_the_refund_id() {
    let m = merchant();
    let cent = cent();
    let mut expect = RefundExpectation {
        merchant_refund_id: "RF-1",
        payment_id: None,
        refund_id: Some("R900001"),
        amount: &cent,
    };
    let r = refund_answer(&m, refund_xml("1").as_bytes(), &expect).unwrap();
    assert_eq!((r.status, r.amount), (RefundStatus::Succeeded, Some(cent)));
    expect.refund_id = Some("R900002");
    let e = refund_answer(&m, refund_xml("1").as_bytes(), &expect).unwrap_err();
    assert_eq!(mismatch_field(&e), Some("refund_id"));
}

#[test]
fn refund_answers_are_verified_and_complete() {
    let m = merchant();
    let cent = cent();
    let expect = apply_expectation(&cent);
    let check = |fields: Pairs| {
        let xml = response(&signed(OceanMessage::RefundResponse, fields));
        refund_answer(&m, xml.as_bytes(), &expect).unwrap_err()
    };
    assert!(is_malformed(&check(refund_fields(""))));
    assert!(is_malformed(&check(refund_fields("2"))));
    let field = |fields| mismatch_field(&check(fields));
    assert_eq!(field(set(refund_fields("1"), "payment_id", "999")), Some("payment_id"));
    assert_eq!(field(set(refund_fields("1"), "refund_number", "RF-2")), Some("refund_number"));
    assert_eq!(field(set(refund_fields("1"), "refund_number", "")), Some("refund_number"));
    assert_eq!(field(set(refund_fields("1"), "refund_amount", "0.005")), Some("amount"));
    assert_eq!(field(set(refund_fields("1"), "refund_amount", "")), Some("amount"));
    assert_eq!(field(set(refund_fields("1"), "account", "111111")), Some("account"));
    // The code of a failed refund is in the unsigned refund_details.
    let with_details = |d: &str| set(refund_fields("0"), "refund_details", d);
    let xml = |f| response(&signed(OceanMessage::RefundResponse, f));
    let failed = refund_answer(&m, xml(with_details("20031:Refund failed")).as_bytes(), &expect);
    assert_eq!(failed.unwrap().status, RefundStatus::Failed);
    let busy = refund_answer(&m, xml(with_details("50000:Internal")).as_bytes(), &expect);
    assert!(busy.unwrap_err().is_outcome_unknown());
    let gone = refund_answer(&m, xml(with_details("20068:No order")).as_bytes(), &expect);
    assert!(matches!(gone, Err(AcquirerError::NotFound { .. })));
    let tampered = refund_xml("0")
        .replace("<refund_results>0</refund_results>", "<refund_results>1</refund_results>");
    let e = refund_answer(&m, tampered.as_bytes(), &expect).unwrap_err();
    assert!(is_bad_signature(&e));
}

#[test]
fn void_maps_one_to_cancelled_and_zero_to_rejected() {
    let m = merchant();
    let cent = cent();
    let order = expect(&cent);
    let r = void_answer(&m, pay_xml("1", "20000:Voided").as_bytes(), order).unwrap();
    assert_eq!(r.status, PaymentStatus::Cancelled);
    let e = void_answer(&m, pay_xml("0", "20105:Order already paid").as_bytes(), order);
    assert_eq!(
        e.unwrap_err(),
        AcquirerError::Rejected { code: "20105".into(), description: "Order already paid".into() }
    );
    let e = void_answer(&m, pay_xml("-1", "").as_bytes(), order).unwrap_err();
    assert!(is_malformed(&e));
    let e = void_answer(&m, pay_xml("0", "50000:Internal").as_bytes(), order).unwrap_err();
    assert!(e.is_outcome_unknown());
}

fn order_with_refunds(refunds: &str) -> String {
    let info = signed(OceanMessage::QueryResponse, query_fields("1", "20000:Success"));
    let xml = query_xml(&[info]);
    xml.replace("</paymentInfo>", &format!("<refundList>{refunds}</refundList></paymentInfo>"))
}

#[test]
fn a_refund_id_is_found_in_the_order_query_by_our_refund_number() {
    let m = merchant();
    let list = "<refund><refund_id>R1</refund_id><refund_number>RF-1</refund_number></refund>\
                <refund><refund_id>R2</refund_id><refund_number>RF-2</refund_number></refund>";
    let body = order_with_refunds(list);
    assert_eq!(refund_id_in_order(&m, body.as_bytes(), ORDER, "RF-2").unwrap(), "R2");
    // Not listed: unresolvable, never "not found" (absence from an unsigned list proves nothing).
    let e = refund_id_in_order(&m, body.as_bytes(), ORDER, "RF-9").unwrap_err();
    assert!(matches!(e, AcquirerError::Unresolvable { .. }), "{e:?}");
    let none = order_with_refunds("");
    let e = refund_id_in_order(&m, none.as_bytes(), ORDER, "RF-1").unwrap_err();
    assert!(matches!(e, AcquirerError::Unresolvable { .. }), "{e:?}");
    // Another order's answer, an unsigned one, a hostile id: never read as ours.
    let e = refund_id_in_order(&m, body.as_bytes(), "OTHER", "RF-1").unwrap_err();
    assert_eq!(mismatch_field(&e), Some("order_number"));
    let unsigned = body.replace("<signValue>", "<x>").replace("</signValue>", "</x>");
    assert!(is_bad_signature(
        &refund_id_in_order(&m, unsigned.as_bytes(), ORDER, "RF-1").unwrap_err()
    ));
    let hostile = order_with_refunds(
        "<refund><refund_id>../../x</refund_id><refund_number>RF-1</refund_number></refund>",
    );
    assert!(is_malformed(&refund_id_in_order(&m, hostile.as_bytes(), ORDER, "RF-1").unwrap_err()));
}
