//! Tests of the merchant-QR answer shapes (choice P17) and of the URLs they carry.

use super::*;

fn shown(extra: &str) -> Result<PaymentResult, AcquirerError> {
    let biz = format!(
        r#"{{"merchantTransactionId":"M1","requestId":"R1","amount":"1.00","currency":"CNY","status":"PROCESSING"{extra}}}"#
    );
    let answer = Answer { code: "002000".into(), description: String::new(), biz: Some(biz) };
    let amount = Amount::parse("1.00", "CNY").unwrap();
    let expect = PaymentExpectation {
        order: "M1",
        request_id: Some("R1"),
        amount: &amount,
        is_query: false,
    };
    payment_answer(&answer, &expect)
}

fn content(extra: &str) -> Option<String> {
    shown(extra).unwrap().qr.map(|q| q.content)
}

#[test]
fn the_qr_comes_from_qr_code_then_payment_qr_code_then_the_url() {
    let url = "https://pay.example/qr/1";
    let all =
        format!(r#","action":{{"qrCode":"A","paymentQrCode":"B","qrUrl":"{url}"}},"qrCode":"C""#);
    assert_eq!(content(&all).as_deref(), Some("A"));
    let top = format!(r#","action":{{"paymentQrCode":"B","qrUrl":"{url}"}},"qrCode":"C""#);
    assert_eq!(content(&top).as_deref(), Some("C"), "qrCode anywhere beats paymentQrCode");
    let apm = format!(r#","action":{{"paymentQrCode":"B","qrUrl":"{url}"}}"#);
    assert_eq!(content(&apm).as_deref(), Some("B"));
    assert_eq!(content(r#","paymentQrCode":"B""#).as_deref(), Some("B"));
    let only_url = format!(r#","action":{{"type":"QR_URL","qrUrl":"{url}"}}"#);
    let qr = shown(&only_url).unwrap().qr.unwrap();
    assert_eq!((qr.content.as_str(), qr.image_url.as_deref()), (url, Some(url)));
    assert_eq!(content(r#","action":{"qrCode":"  ","qrUrl":""}"#), None, "blank is absent");
    assert_eq!(content(""), None);
}

#[test]
fn the_payment_page_is_kept() {
    let page = "https://wallet.example/pay?o=1&s=2";
    let r = shown(&format!(r#","action":{{"paymentQrCode":"B","paymentRedirectUrl":"{page}"}}"#))
        .unwrap();
    assert_eq!(r.payment_redirect_url.as_deref(), Some(page));
    let top = shown(&format!(r#","paymentRedirectUrl":"{page}""#)).unwrap();
    assert_eq!(top.payment_redirect_url.as_deref(), Some(page));
    assert_eq!(top.qr, None, "a page without a code is nothing to scan");
}

#[test]
fn a_bad_url_is_an_unknown_outcome_naming_its_field() {
    let long = format!("https://a.example/{}", "x".repeat(3000));
    for (extra, field) in [
        (
            r#","action":{"qrCode":"A","paymentRedirectUrl":"http://wallet.example/p"}"#
                .to_string(),
            "paymentRedirectUrl",
        ),
        (r#","paymentRedirectUrl":"javascript:alert(1)""#.to_string(), "paymentRedirectUrl"),
        (
            r#","action":{"paymentRedirectUrl":"https://a.example/\u0007"}"#.to_string(),
            "paymentRedirectUrl",
        ),
        (format!(r#","action":{{"paymentRedirectUrl":"{long}"}}"#), "paymentRedirectUrl"),
        (r#","action":{"type":"QR_URL","qrUrl":"ftp://q.example/1"}"#.to_string(), "qrUrl"),
        (r#","action":{"qrCode":"A","qrUrl":"https://q.example/\n"}"#.to_string(), "qrUrl"),
    ] {
        match shown(&extra) {
            Err(AcquirerError::OutcomeUnknown { cause: UnknownCause::InvalidField(f), .. }) => {
                assert_eq!(f, field, "{extra}");
            }
            other => panic!("{extra}: {other:?}"),
        }
    }
}

#[test]
fn a_notification_with_a_bad_url_is_malformed() {
    let biz = r#"{"merchantTransactionId":"M1","status":"PROCESSING","paymentRedirectUrl":"http://x.example/"}"#;
    match notification(biz) {
        Err(NotificationError::Malformed(why)) => {
            assert!(why.contains("paymentRedirectUrl"), "{why}")
        }
        other => panic!("{other:?}"),
    }
}
