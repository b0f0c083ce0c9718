//! From Oceanpayment's XML answers and notifications to the unified model.
//!
//! Each answer is parsed, its `signValue` verified and its `account`/`terminal` compared with the
//! configuration before any other field is read. Note that Oceanpayment signs only some fields:
//! `pay_url`, `card_type` and `refund_amount`, for instance, are outside every signature.

use super::wire::{self, Outcome};
use super::xml::{Element, Fields, XmlError};
use super::Merchant;
use crate::acquirer::{
    AcquirerError, CardSummary, Notification, NotificationError, PaymentResult, PaymentStatus,
    QrCode, RefundResult, RefundStatus, UnknownCause,
};
use crate::money::{Amount, Currency};
use crate::sign::oceanpayment::{verify, OceanMessage};
use crate::sign::SignError;

/// What is wrong with an answer, before it is sorted into the caller's error type.
#[derive(Debug)]
enum AnswerError {
    /// Unreadable, incomplete or inconsistent.
    Malformed(String),
    /// The `signValue` does not verify.
    BadSignature(SignError),
    /// Signed, but for another account or terminal.
    WrongMerchant,
    /// Signed and readable, yet not a result: nothing may be concluded from it.
    Ambiguous(String),
    /// A signed answer with no result and an error code: the acquirer refused the request.
    Refused { code: String, description: String },
}

impl From<XmlError> for AnswerError {
    fn from(e: XmlError) -> Self {
        AnswerError::Malformed(e.to_string())
    }
}

impl From<AnswerError> for AcquirerError {
    fn from(e: AnswerError) -> Self {
        match e {
            AnswerError::Malformed(detail) => AcquirerError::malformed(detail),
            AnswerError::BadSignature(e) => AcquirerError::bad_signature(e),
            AnswerError::WrongMerchant => {
                AcquirerError::malformed("answer for another account or terminal")
            }
            AnswerError::Ambiguous(detail) => {
                AcquirerError::OutcomeUnknown { cause: UnknownCause::MalformedResponse, detail }
            }
            AnswerError::Refused { code, description } => {
                AcquirerError::Rejected { code, description }
            }
        }
    }
}

impl From<AnswerError> for NotificationError {
    fn from(e: AnswerError) -> Self {
        match e {
            AnswerError::Malformed(detail) | AnswerError::Ambiguous(detail) => {
                NotificationError::Malformed(detail)
            }
            AnswerError::BadSignature(e) => NotificationError::BadSignature(e),
            AnswerError::WrongMerchant => NotificationError::WrongAccount,
            AnswerError::Refused { code, .. } => {
                NotificationError::Malformed(format!("notification without a status ({code})"))
            }
        }
    }
}

/// Verifies the signature, then the merchant identity. Nothing else is read before this.
fn check_signed(
    merchant: &Merchant,
    fields: &Fields,
    message: OceanMessage,
) -> Result<(), AnswerError> {
    let received = fields.text("signValue");
    verify(message, |k| fields.get(k), &merchant.secure_code, received)
        .map_err(AnswerError::BadSignature)?;
    if fields.text("account") != merchant.account || fields.text("terminal") != merchant.terminal {
        return Err(AnswerError::WrongMerchant);
    }
    Ok(())
}

fn signed_root_fields(
    merchant: &Merchant,
    body: &[u8],
    message: OceanMessage,
) -> Result<Fields, AnswerError> {
    let fields = Element::parse(body)?.fields()?;
    check_signed(merchant, &fields, message)?;
    Ok(fields)
}

fn amount(value: Option<&str>, currency: Option<&str>) -> Result<Option<Amount>, AnswerError> {
    let Some(value) = value else { return Ok(None) };
    let code = currency.ok_or_else(|| AnswerError::Malformed("amount without currency".into()))?;
    let currency = Currency::from_code(code).map_err(|e| AnswerError::Malformed(e.to_string()))?;
    Amount::parse_acquirer(value, currency)
        .map(Some)
        .map_err(|e| AnswerError::Malformed(format!("amount: {e}")))
}

/// A verified payment message (pay answer, query `paymentInfo`, void answer, notification).
/// `status_field` is `payment_status`, or `payment_results` in query answers.
fn payment(
    fields: &Fields,
    status_field: &str,
    expected_order: Option<&str>,
) -> Result<PaymentResult, AnswerError> {
    let outcome = Outcome::parse(fields.text(status_field))
        .map_err(|e| AnswerError::Malformed(format!("{status_field}: {e}")))?;
    let (code, description) = wire::split_details(fields.text("payment_details"));
    if code.as_deref() == Some(wire::DUPLICATE_ORDER_CODE) {
        return Err(AnswerError::Ambiguous(format!(
            "{} duplicate order number: the order's state must be queried",
            wire::DUPLICATE_ORDER_CODE
        )));
    }
    let Some(outcome) = outcome else {
        return Err(match code {
            Some(code) => {
                AnswerError::Refused { code, description: description.unwrap_or_default() }
            }
            None => AnswerError::Malformed(format!("no {status_field} and no payment_details")),
        });
    };
    let order = match (fields.non_empty("order_number"), expected_order) {
        (Some(theirs), Some(ours)) if theirs != ours => {
            return Err(AnswerError::Malformed(format!(
                "answer is about order {:?}, not {ours:?}",
                theirs.chars().take(50).collect::<String>()
            )))
        }
        (Some(theirs), _) => theirs.to_string(),
        (None, _) => return Err(AnswerError::Malformed("no order_number".into())),
    };
    let status = match outcome {
        Outcome::Success => PaymentStatus::Succeeded,
        Outcome::Failure => PaymentStatus::Failed,
        Outcome::Pending => PaymentStatus::Processing,
    };
    let qr = fields.non_empty("pay_url").map(|url| QrCode {
        content: url.to_string(),
        image_url: None,
        // Oceanpayment sends no expiry (O3); the QR lives as long as the configured lifetime.
        expires_at_unix_ms: None,
    });
    let card = fields.non_empty("card_number").map(|number| CardSummary {
        brand: fields.non_empty("card_type").map(str::to_string),
        masked_number: Some(wire::mask_card_number(number)),
    });
    Ok(PaymentResult {
        status,
        merchant_transaction_id: order,
        request_id: None,
        acquirer_transaction_id: fields.non_empty("payment_id").map(str::to_string),
        amount: amount(fields.non_empty("order_amount"), fields.non_empty("order_currency"))?,
        result_code: code,
        result_description: description,
        qr,
        card,
    })
}

/// The answer to `directservice/pay`. A merchant-presented QR that is still pending must come
/// with its `pay_url` (O3): without it the customer has nothing to scan.
pub(super) fn pay_answer(
    merchant: &Merchant,
    body: &[u8],
    order: &str,
    wants_qr: bool,
) -> Result<PaymentResult, AcquirerError> {
    let fields = signed_root_fields(merchant, body, OceanMessage::PayResponse)?;
    let result = payment(&fields, "payment_status", Some(order))?;
    if wants_qr && result.status == PaymentStatus::Processing && result.qr.is_none() {
        return Err(AcquirerError::malformed("pending QR payment without pay_url"));
    }
    Ok(result)
}

/// The answer to `check/normal`: the first (newest) `paymentInfo` is the order's state.
pub(super) fn query_answer(
    merchant: &Merchant,
    body: &[u8],
    order: &str,
) -> Result<PaymentResult, AcquirerError> {
    let root = Element::parse(body).map_err(AnswerError::from)?;
    let newest = root
        .children_named("paymentInfo")
        .next()
        .ok_or_else(|| AcquirerError::malformed("query answer without paymentInfo"))?;
    let fields = newest.fields().map_err(AnswerError::from)?;
    check_signed(merchant, &fields, OceanMessage::QueryResponse)?;
    Ok(payment(&fields, "payment_results", Some(order))?)
}

/// The answer to the offline void (O8): `1` voided, `0` refused.
pub(super) fn void_answer(
    merchant: &Merchant,
    body: &[u8],
    order: &str,
) -> Result<PaymentResult, AcquirerError> {
    let fields = signed_root_fields(merchant, body, OceanMessage::PayResponse)?;
    let mut result = payment(&fields, "payment_status", Some(order))?;
    match result.status {
        PaymentStatus::Succeeded => {
            result.status = PaymentStatus::Cancelled;
            Ok(result)
        }
        PaymentStatus::Failed => Err(AcquirerError::Rejected {
            code: result.result_code.unwrap_or_else(|| "0".into()),
            description: result.result_description.unwrap_or_else(|| "void refused".into()),
        }),
        // O8 defines no pending void; guessing either way could lose or double a sale.
        _ => Err(AcquirerError::malformed("void answer with payment_status -1")),
    }
}

/// What a refund answer must match.
pub(super) struct RefundExpectation<'a> {
    /// Our refund id, sent as `refund_number` (O7).
    pub merchant_refund_id: &'a str,
    /// The refunded payment, when known.
    pub payment_id: Option<&'a str>,
    /// The refund asked about, for refund queries.
    pub refund_id: Option<&'a str>,
    /// The refund's currency, when known: `refund_amount` comes without one.
    pub currency: Option<Currency>,
}

/// The answer to `applyRefund` or `queryRefund` (O6).
pub(super) fn refund_answer(
    merchant: &Merchant,
    body: &[u8],
    expect: &RefundExpectation<'_>,
) -> Result<RefundResult, AcquirerError> {
    let fields = signed_root_fields(merchant, body, OceanMessage::RefundResponse)?;
    let outcome = Outcome::parse(fields.text("refund_results"))
        .map_err(|e| AcquirerError::malformed(format!("refund_results: {e}")))?
        .ok_or_else(|| AcquirerError::malformed("no refund_results"))?;
    let mismatch = |field: &str, theirs: Option<&str>, ours: Option<&str>| match (theirs, ours) {
        (Some(t), Some(o)) if t != o => Err(AcquirerError::malformed(format!(
            "{field} in the answer is not the one asked about"
        ))),
        _ => Ok(()),
    };
    mismatch("payment_id", fields.non_empty("payment_id"), expect.payment_id)?;
    mismatch("refund_id", fields.non_empty("refund_id"), expect.refund_id)?;
    mismatch("refund_number", fields.non_empty("refund_number"), Some(expect.merchant_refund_id))?;
    let amount = match expect.currency {
        Some(c) => amount(fields.non_empty("refund_amount"), Some(c.code()))?,
        None => None,
    };
    Ok(RefundResult {
        status: match outcome {
            Outcome::Success => RefundStatus::Succeeded,
            Outcome::Failure => RefundStatus::Failed,
            Outcome::Pending => RefundStatus::Processing,
        },
        merchant_refund_id: fields.non_empty("refund_number").map(str::to_string),
        acquirer_refund_id: fields.non_empty("refund_id").map(str::to_string),
        amount,
        result_code: None,
        result_description: None,
    })
}

/// An asynchronous payment notification (O9): the pay-response XML with `response_type` 1.
pub(super) fn notification(
    merchant: &Merchant,
    body: &[u8],
) -> Result<Notification, NotificationError> {
    let fields = signed_root_fields(merchant, body, OceanMessage::PayResponse)?;
    if fields.non_empty("response_type").is_some_and(|t| t != wire::NOTIFICATION_RESPONSE_TYPE) {
        return Err(NotificationError::Malformed("not an asynchronous notification".into()));
    }
    if fields.non_empty("notice_type").is_some_and(|t| t != wire::PAYMENT_NOTICE_TYPE) {
        return Err(NotificationError::Malformed("not a payment notification".into()));
    }
    Ok(Notification::Payment(payment(&fields, "payment_status", None)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acquirer::oceanpayment::testkit::*;

    fn pay(xml: &str) -> Result<PaymentResult, AcquirerError> {
        pay_answer(&merchant(), xml.as_bytes(), ORDER, false)
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

        let failed = pay(&pay_xml("0", "80002:Insufficient balance")).unwrap();
        assert_eq!(failed.status, PaymentStatus::Failed);
        assert_eq!(failed.result_code.as_deref(), Some("80002"));
        assert_eq!(failed.result_description.as_deref(), Some("Insufficient balance"));

        let pending = pay(&pay_xml("-1", "20010:User paying")).unwrap();
        assert_eq!(pending.status, PaymentStatus::Processing);
    }

    #[test]
    fn qr_comes_from_pay_url() {
        let fields =
            set(pay_fields("-1", "20010:Pending"), "pay_url", "weixin://wxpay/bizpayurl?pr=x&y=1");
        let xml = response(&signed(OceanMessage::PayResponse, fields));
        let r = pay_answer(&merchant(), xml.as_bytes(), ORDER, true).unwrap();
        assert_eq!(r.status, PaymentStatus::Processing);
        let qr = r.qr.unwrap();
        assert_eq!(qr.content, "weixin://wxpay/bizpayurl?pr=x&y=1");
        assert_eq!(qr.expires_at_unix_ms, None);
        let no_url = pay_answer(&merchant(), pay_xml("-1", "").as_bytes(), ORDER, true);
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
        let e = pay(&pay_xml("", "20022:signValue error")).unwrap_err();
        assert_eq!(
            e,
            AcquirerError::Rejected { code: "20022".into(), description: "signValue error".into() }
        );
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
        let e = pay_answer(&other_code, pay_xml("1", "").as_bytes(), ORDER, false).unwrap_err();
        assert!(is_bad_signature(&e));
    }

    #[test]
    fn answers_for_another_merchant_or_order_are_refused() {
        let other_account = set(pay_fields("1", ""), "account", "111111");
        let e = pay(&response(&signed(OceanMessage::PayResponse, other_account))).unwrap_err();
        assert!(is_malformed(&e));
        let other_terminal = set(pay_fields("1", ""), "terminal", "11111101");
        let e = pay(&response(&signed(OceanMessage::PayResponse, other_terminal))).unwrap_err();
        assert!(is_malformed(&e));
        let e = pay_answer(&merchant(), pay_xml("1", "").as_bytes(), "OTHER", false).unwrap_err();
        assert!(is_malformed(&e));
    }

    #[test]
    fn malformed_answers_are_typed_errors() {
        let variants: Vec<(&str, Pairs)> = vec![
            ("unknown status", pay_fields("2", "")),
            ("word status", pay_fields("success", "")),
            ("three decimals", set(pay_fields("1", ""), "order_amount", "0.001")),
            ("not a number", set(pay_fields("1", ""), "order_amount", "1e3")),
            ("negative", set(pay_fields("1", ""), "order_amount", "-1")),
            ("unknown currency", set(pay_fields("1", ""), "order_currency", "XXX")),
            ("no currency", set(pay_fields("1", ""), "order_currency", "")),
            ("no order", set(pay_fields("1", ""), "order_number", "")),
        ];
        for (name, fields) in variants {
            let e = pay(&response(&signed(OceanMessage::PayResponse, fields))).unwrap_err();
            assert!(is_malformed(&e), "{name}: {e:?}");
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
        let r = query_answer(&merchant(), xml.as_bytes(), ORDER).unwrap();
        assert_eq!(r.status, PaymentStatus::Succeeded);
        assert_eq!(r.acquirer_transaction_id.as_deref(), Some(PAYMENT_ID));

        let pending = query_xml(&[signed(OceanMessage::QueryResponse, query_fields("-1", ""))]);
        let r = query_answer(&merchant(), pending.as_bytes(), ORDER).unwrap();
        assert_eq!(r.status, PaymentStatus::Processing);
    }

    #[test]
    fn query_of_an_unknown_order_is_rejected_20068() {
        let fields = pairs(&[
            ("account", ACCOUNT),
            ("terminal", TERMINAL),
            ("order_number", ORDER),
            ("payment_results", ""),
            ("payment_details", "20068:Order does not exist"),
        ]);
        let xml = query_xml(&[signed(OceanMessage::QueryResponse, fields)]);
        let e = query_answer(&merchant(), xml.as_bytes(), ORDER).unwrap_err();
        assert_eq!(
            e,
            AcquirerError::Rejected {
                code: "20068".into(),
                description: "Order does not exist".into()
            }
        );
    }

    #[test]
    fn query_answers_are_verified_and_complete() {
        let m = merchant();
        let empty = "<response></response>";
        assert!(is_malformed(&query_answer(&m, empty.as_bytes(), ORDER).unwrap_err()));
        // Signed as a pay response, not as a query response.
        let wrong_order =
            query_xml(&[signed(OceanMessage::PayResponse, query_fields("1", "20000:Success"))]);
        assert!(is_bad_signature(&query_answer(&m, wrong_order.as_bytes(), ORDER).unwrap_err()));
        let unknown = query_xml(&[signed(OceanMessage::QueryResponse, query_fields("9", ""))]);
        assert!(is_malformed(&query_answer(&m, unknown.as_bytes(), ORDER).unwrap_err()));
    }

    fn apply_expectation() -> RefundExpectation<'static> {
        RefundExpectation {
            merchant_refund_id: "RF-1",
            payment_id: Some(PAYMENT_ID),
            refund_id: None,
            currency: Some(Currency::from_code("CNY").unwrap()),
        }
    }

    #[test]
    fn refund_results_map_one_zero_minus_one() {
        let m = merchant();
        let expect = apply_expectation();
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
        let mut expect = RefundExpectation {
            merchant_refund_id: "RF-1",
            payment_id: None,
            refund_id: Some("R900001"),
            currency: None,
        };
        let r = refund_answer(&m, refund_xml("1").as_bytes(), &expect).unwrap();
        assert_eq!((r.status, r.amount), (RefundStatus::Succeeded, None));
        expect.refund_id = Some("R900002");
        assert!(is_malformed(&refund_answer(&m, refund_xml("1").as_bytes(), &expect).unwrap_err()));
    }

    #[test]
    fn refund_answers_are_verified_and_complete() {
        let m = merchant();
        let expect = apply_expectation();
        let check = |fields: Pairs| {
            let xml = response(&signed(OceanMessage::RefundResponse, fields));
            refund_answer(&m, xml.as_bytes(), &expect).unwrap_err()
        };
        assert!(is_malformed(&check(refund_fields(""))));
        assert!(is_malformed(&check(refund_fields("2"))));
        assert!(is_malformed(&check(set(refund_fields("1"), "payment_id", "999"))));
        assert!(is_malformed(&check(set(refund_fields("1"), "refund_number", "RF-2"))));
        assert!(is_malformed(&check(set(refund_fields("1"), "refund_amount", "0.005"))));
        assert!(is_malformed(&check(set(refund_fields("1"), "account", "111111"))));
        let tampered = refund_xml("0")
            .replace("<refund_results>0</refund_results>", "<refund_results>1</refund_results>");
        let e = refund_answer(&m, tampered.as_bytes(), &expect).unwrap_err();
        assert!(is_bad_signature(&e));
    }

    #[test]
    fn void_maps_one_to_cancelled_and_zero_to_rejected() {
        let m = merchant();
        let r = void_answer(&m, pay_xml("1", "20000:Voided").as_bytes(), ORDER).unwrap();
        assert_eq!(r.status, PaymentStatus::Cancelled);
        let e = void_answer(&m, pay_xml("0", "20105:Order already paid").as_bytes(), ORDER);
        assert_eq!(
            e.unwrap_err(),
            AcquirerError::Rejected {
                code: "20105".into(),
                description: "Order already paid".into()
            }
        );
        let e = void_answer(&m, pay_xml("-1", "").as_bytes(), ORDER).unwrap_err();
        assert!(is_malformed(&e));
    }

    #[test]
    fn notifications_are_verified() {
        let m = merchant();
        let n = notification(&m, pay_xml("1", "20000:Success").as_bytes()).unwrap();
        let Notification::Payment(p) = n else { panic!("not a payment: {n:?}") };
        assert_eq!(
            (p.status, p.merchant_transaction_id.as_str()),
            (PaymentStatus::Succeeded, ORDER)
        );

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
        let other = response(&signed(
            OceanMessage::PayResponse,
            set(pay_fields("1", ""), "account", "111111"),
        ));
        assert_eq!(notification(&m, other.as_bytes()), Err(NotificationError::WrongAccount));
        let browser = response(&signed(
            OceanMessage::PayResponse,
            set(pay_fields("1", ""), "response_type", "0"),
        ));
        assert!(matches!(
            notification(&m, browser.as_bytes()),
            Err(NotificationError::Malformed(_))
        ));
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
        assert!(matches!(
            notification(&m, unknown.as_bytes()),
            Err(NotificationError::Malformed(_))
        ));
    }
}
