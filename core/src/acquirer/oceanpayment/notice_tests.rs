use super::*;
use crate::acquirer::oceanpayment::testkit::*;
use crate::acquirer::PaymentStatus;
use crate::money::Amount;
use crate::sign::SignError;

#[test]
fn notifications_are_verified() {
    let m = merchant();
    let n = notification(&m, pay_xml("1", "20000:Success").as_bytes()).unwrap();
    let Notification::Payment(p) = n else { panic!("not a payment: {n:?}") };
    assert_eq!((p.status, p.merchant_transaction_id.as_str()), (PaymentStatus::Succeeded, ORDER));

    let tampered = pay_xml("0", "")
        .replace("<payment_status>0</payment_status>", "<payment_status>1</payment_status>");
    assert!(matches!(
        notification(&m, tampered.as_bytes()),
        Err(NotificationError::BadSignature(SignError::Mismatch))
    ));
    let unsigned = response(&pay_fields("1", ""));
    assert!(matches!(
        notification(&m, unsigned.as_bytes()),
        Err(NotificationError::BadSignature(SignError::MissingSignature { .. }))
    ));
    let other =
        response(&signed(OceanMessage::PayResponse, set(pay_fields("1", ""), "account", "111111")));
    assert_eq!(
        notification(&m, other.as_bytes()),
        Err(NotificationError::Mismatch { field: "account" })
    );
    let browser = response(&signed(
        OceanMessage::PayResponse,
        set(pay_fields("1", ""), "response_type", "0"),
    ));
    assert!(matches!(notification(&m, browser.as_bytes()), Err(NotificationError::Malformed(_))));
    for body in ["", "receive-ok", "<response>", "<response/>"] {
        assert!(
            matches!(
                notification(&m, body.as_bytes()),
                Err(NotificationError::Malformed(_) | NotificationError::BadSignature(_))
            ),
            "{body:?}"
        );
    }
    let unknown = pay_xml("7", "");
    assert!(matches!(notification(&m, unknown.as_bytes()), Err(NotificationError::Malformed(_))));
}

fn refund_notice_fields(notice_type: &str, push_status: &str) -> Pairs {
    pairs(&[
        ("account", ACCOUNT),
        ("terminal", TERMINAL),
        ("order_number", ORDER),
        ("notice_type", notice_type),
        ("push_id", "R900001"),
        ("push_status", push_status),
        ("refund_number", "RF-1"),
        ("refund_amount", "0.01"),
        ("order_currency", "CNY"),
    ])
}

fn refund_notice(notice_type: &str, push_status: &str) -> String {
    response(&signed(OceanMessage::RefundNotice, refund_notice_fields(notice_type, push_status)))
}

#[test]
fn refund_notices_full_and_partial_are_read() {
    let m = merchant();
    for (kind, status, want) in [
        ("refund", "1", RefundStatus::Succeeded),
        ("partialRefund", "1", RefundStatus::Succeeded),
        ("partialRefund", "0", RefundStatus::Failed),
    ] {
        let n = notification(&m, refund_notice(kind, status).as_bytes()).unwrap();
        let Notification::Refund { merchant_transaction_id, result } = n else {
            panic!("not a refund: {n:?}")
        };
        assert_eq!(merchant_transaction_id, ORDER);
        assert_eq!(result.status, want, "{kind} {status}");
        assert_eq!(result.acquirer_refund_id.as_deref(), Some("R900001"));
        assert_eq!(result.merchant_refund_id.as_deref(), Some("RF-1"));
        assert_eq!(result.amount, Some(Amount::parse("0.01", "CNY").unwrap()));
    }
}

#[test]
fn refund_notices_get_the_payment_checks() {
    let m = merchant();
    // Signed as a payment notice, or tampered: the refund signature does not verify.
    let as_payment =
        response(&signed(OceanMessage::PayResponse, refund_notice_fields("refund", "1")));
    assert!(matches!(
        notification(&m, as_payment.as_bytes()),
        Err(NotificationError::BadSignature(_))
    ));
    let flipped = refund_notice("refund", "0").replace("<push_status>0<", "<push_status>1<");
    assert!(matches!(
        notification(&m, flipped.as_bytes()),
        Err(NotificationError::BadSignature(_))
    ));
    // Another merchant's notice is refused.
    let other = response(&signed(
        OceanMessage::RefundNotice,
        set(refund_notice_fields("refund", "1"), "terminal", "11111111"),
    ));
    assert_eq!(
        notification(&m, other.as_bytes()),
        Err(NotificationError::Mismatch { field: "terminal" })
    );
    // A status that is neither 0 nor 1, no refund id, an amount without currency.
    for (field, value) in [("push_status", "-1"), ("push_id", ""), ("order_currency", "")] {
        let body = response(&signed(
            OceanMessage::RefundNotice,
            set(refund_notice_fields("refund", "1"), field, value),
        ));
        assert!(
            matches!(notification(&m, body.as_bytes()), Err(NotificationError::Malformed(_))),
            "{field}={value:?}"
        );
    }
    // DOCTYPE and entities are refused before anything is read.
    let doctype = format!("<!DOCTYPE r [<!ENTITY x \"y\">]>{}", refund_notice("refund", "1"));
    assert!(matches!(notification(&m, doctype.as_bytes()), Err(NotificationError::Malformed(_))));
}
