//! Test helpers: the published test merchant, and canned XML answers signed as Oceanpayment
//! would sign them (upper-case hex).

use secrecy::SecretString;

use super::{BillingDefaults, HttpSettings, Merchant, OceanpaymentConfig};
use crate::sign::oceanpayment::{sign, OceanMessage};

/// The public test account of the API notes' vectors.
pub(super) const ACCOUNT: &str = "995378";
pub(super) const TERMINAL: &str = "99537801";
pub(super) const SECURE_CODE: &str = "12345678";
pub(super) const ORDER: &str = "NO12345678";
pub(super) const PAYMENT_ID: &str = "230101000000000000001";

/// Field name and value, in document order.
pub(super) type Pairs = Vec<(String, String)>;

pub(super) fn secure_code() -> SecretString {
    SecretString::from(SECURE_CODE.to_string())
}

pub(super) fn merchant() -> Merchant {
    Merchant { account: ACCOUNT.into(), terminal: TERMINAL.into(), secure_code: secure_code() }
}

pub(super) fn billing() -> BillingDefaults {
    BillingDefaults {
        first_name: "test".into(),
        last_name: "test".into(),
        email: "test@gmail.com".into(),
        country: "CN".into(),
        state: "GD".into(),
        phone: None,
        city: None,
        address: None,
        zip: None,
        ip: None,
    }
}

pub(super) fn config(base_url: &str) -> OceanpaymentConfig {
    OceanpaymentConfig {
        http: HttpSettings::new(base_url),
        account: ACCOUNT.into(),
        terminal: TERMINAL.into(),
        secure_code: secure_code(),
        billing: billing(),
    }
}

pub(super) fn pairs(items: &[(&str, &str)]) -> Pairs {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Replaces a field's value, or appends the field.
pub(super) fn set(mut fields: Pairs, name: &str, value: &str) -> Pairs {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(slot) => slot.1 = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
    fields
}

/// Appends the `signValue` of `message` over `fields`, as Oceanpayment would.
pub(super) fn signed(message: OceanMessage, fields: Pairs) -> Pairs {
    let value = sign(
        message,
        |k| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()),
        &secure_code(),
    );
    set(fields, "signValue", &value.to_uppercase())
}

/// `<name>value</name>…`, values escaped.
pub(super) fn elements(fields: &Pairs) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("<{k}>{}</{k}>", quick_xml::escape::escape(v.as_str())))
        .collect()
}

pub(super) fn response(fields: &Pairs) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>{}</response>", elements(fields))
}

/// Pay-response fields (unsigned) for the test order.
pub(super) fn pay_fields(status: &str, details: &str) -> Pairs {
    pairs(&[
        ("response_type", "1"),
        ("account", ACCOUNT),
        ("terminal", TERMINAL),
        ("methods", "WeChatPay_Offline"),
        ("order_number", ORDER),
        ("order_currency", "CNY"),
        ("order_amount", "0.01"),
        ("order_notes", ""),
        ("card_number", ""),
        ("payment_id", PAYMENT_ID),
        ("payment_authType", "0"),
        ("payment_status", status),
        ("payment_details", details),
        ("payment_risk", ""),
    ])
}

/// A signed pay-response document.
pub(super) fn pay_xml(status: &str, details: &str) -> String {
    response(&signed(OceanMessage::PayResponse, pay_fields(status, details)))
}

/// Query `paymentInfo` fields (unsigned) for the test order.
pub(super) fn query_fields(results: &str, details: &str) -> Pairs {
    pairs(&[
        ("account", ACCOUNT),
        ("terminal", TERMINAL),
        ("order_number", ORDER),
        ("order_currency", "CNY"),
        ("order_amount", "0.01"),
        ("methods", "WeChatPay_Offline"),
        ("payment_id", PAYMENT_ID),
        ("payment_results", results),
        ("payment_details", details),
        ("refund_status", "0"),
    ])
}

/// A query answer with these (already signed) `paymentInfo` groups, newest first.
pub(super) fn query_xml(infos: &[Pairs]) -> String {
    let groups: String =
        infos.iter().map(|i| format!("<paymentInfo>{}</paymentInfo>", elements(i))).collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>{groups}</response>")
}

/// Refund-answer fields (unsigned) (O6).
pub(super) fn refund_fields(results: &str) -> Pairs {
    pairs(&[
        ("account", ACCOUNT),
        ("terminal", TERMINAL),
        ("payment_id", PAYMENT_ID),
        ("refund_id", "R900001"),
        ("refund_number", "RF-1"),
        ("refund_amount", "0.01"),
        ("refund_results", results),
        ("refund_description", "Refund"),
    ])
}

pub(super) fn refund_xml(results: &str) -> String {
    response(&signed(OceanMessage::RefundResponse, refund_fields(results)))
}

/// The fields of a form body, in order.
pub(super) fn form_fields(body: &str) -> Pairs {
    serde_urlencoded::from_str(body).unwrap_or_default()
}

pub(super) fn form_get<'a>(fields: &'a Pairs, name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}
