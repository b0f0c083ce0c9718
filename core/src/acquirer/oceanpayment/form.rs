//! Signed form bodies for Oceanpayment requests, and the checks on what goes into them.
//!
//! Every check runs before anything is sent, so a refused request is always
//! [`AcquirerError::InvalidRequest`] and never leaves the device.

use secrecy::SecretString;

use super::wire;
use super::{BillingDefaults, Merchant};
use crate::acquirer::{AcquirerError, PayRequest, PaymentMethod, RefundRequest};
use crate::sign::oceanpayment::{sign, OceanMessage};

/// `order_number` is 1–50 characters.
const MAX_ORDER_NUMBER: usize = 50;
/// TillKit's own bound for `refund_number`; Oceanpayment documents none.
const MAX_REFUND_NUMBER: usize = 50;
/// Oceanpayment's ids (`payment_id`, `refund_id`) are about 21 digits; this only bounds garbage.
const MAX_ACQUIRER_ID: usize = 64;
/// `noticeUrl` is 1–500 characters.
const MAX_NOTICE_URL: usize = 500;
const MAX_FREE_TEXT: usize = 200;
/// `refund_description` is signed and, from the published examples, expected to be filled.
const DEFAULT_REFUND_DESCRIPTION: &str = "Refund";

/// A form under construction: fields in sending order.
struct Form {
    fields: Vec<(&'static str, String)>,
}

impl Form {
    fn new(merchant: &Merchant) -> Self {
        let fields =
            vec![("account", merchant.account.clone()), ("terminal", merchant.terminal.clone())];
        Form { fields }
    }

    fn field(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    fn optional(self, name: &'static str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.field(name, v),
            None => self,
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    /// Signs the fields `message` names and encodes the form: what is signed is what is sent.
    fn signed(
        mut self,
        message: OceanMessage,
        secure_code: &SecretString,
    ) -> Result<String, AcquirerError> {
        let sign_value = sign(message, |k| self.get(k), secure_code);
        self.fields.push(("signValue", sign_value));
        serde_urlencoded::to_string(&self.fields)
            .map_err(|e| AcquirerError::InvalidRequest { field: "form", reason: e.to_string() })
    }
}

/// The `directservice/pay` body. There is no request id: the order number is the idempotency
/// key, so a retry of the same attempt must send the same `merchant_transaction_id`.
pub(super) fn pay(
    merchant: &Merchant,
    billing: &BillingDefaults,
    request: &PayRequest,
) -> Result<String, AcquirerError> {
    let (methods, code) = match &request.method {
        PaymentMethod::CustomerCode { code, wallet } => {
            // Oceanpayment picks the wallet from the code, so a mismatch cannot charge the wrong
            // wallet; it still means the selection or configuration is wrong: refuse.
            crate::acquirer::check_code_matches_wallet(code, *wallet)?;
            (wire::CUSTOMER_CODE_METHODS, Some(code.digits()))
        }
        PaymentMethod::MerchantQr { wallet } => (wire::qr_methods(*wallet), None),
        PaymentMethod::CardOnTerminal { .. } => {
            return Err(AcquirerError::Unsupported {
                acquirer: "oceanpayment",
                operation: "card payment on a POS terminal",
            })
        }
    };
    check_id("merchant_transaction_id", &request.merchant_transaction_id, MAX_ORDER_NUMBER)?;
    check_notice_url(request.notification_url.as_deref())?;
    check_text("remark", request.remark.as_deref(), MAX_FREE_TEXT)?;
    let amount =
        request.amount.to_oceanpayment_string().map_err(|e| AcquirerError::money("amount", e))?;
    Form::new(merchant)
        .field("order_number", &request.merchant_transaction_id)
        .field("order_currency", request.amount.currency().code())
        .field("order_amount", amount)
        .field("methods", methods)
        .optional("pay_accountNumber", code)
        .optional("noticeUrl", request.notification_url.as_deref())
        .optional("order_notes", request.remark.as_deref())
        .field("billing_firstName", &billing.first_name)
        .field("billing_lastName", &billing.last_name)
        .field("billing_email", &billing.email)
        .field("billing_country", &billing.country)
        .field("billing_state", &billing.state)
        .optional("billing_phone", billing.phone.as_deref())
        .optional("billing_city", billing.city.as_deref())
        .optional("billing_address", billing.address.as_deref())
        .optional("billing_zip", billing.zip.as_deref())
        .optional("billing_ip", billing.ip.as_deref())
        .signed(OceanMessage::PayRequest, &merchant.secure_code)
}

/// The `check/normal` body for one order.
pub(super) fn query(merchant: &Merchant, order_number: &str) -> Result<String, AcquirerError> {
    check_id("merchant_transaction_id", order_number, MAX_ORDER_NUMBER)?;
    Form::new(merchant)
        .field("order_number", order_number)
        .signed(OceanMessage::Query, &merchant.secure_code)
}

/// The `applyRefund` body. Oceanpayment refunds by its own `payment_id`.
pub(super) fn refund(
    merchant: &Merchant,
    request: &RefundRequest,
) -> Result<String, AcquirerError> {
    let payment_id = request.acquirer_transaction_id.as_deref().ok_or_else(|| {
        AcquirerError::InvalidRequest {
            field: "acquirer_transaction_id",
            reason: "Oceanpayment refunds by payment_id; query the payment to learn it".into(),
        }
    })?;
    check_id("acquirer_transaction_id", payment_id, MAX_ACQUIRER_ID)?;
    check_id("merchant_refund_id", &request.merchant_refund_id, MAX_REFUND_NUMBER)?;
    check_text("reason", request.reason.as_deref(), MAX_FREE_TEXT)?;
    let amount =
        request.amount.to_oceanpayment_string().map_err(|e| AcquirerError::money("amount", e))?;
    let refund_type = if request.full { wire::REFUND_TYPE_FULL } else { wire::REFUND_TYPE_PARTIAL };
    let description = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(DEFAULT_REFUND_DESCRIPTION);
    Form::new(merchant)
        .field("payment_id", payment_id)
        .field("refund_type", refund_type)
        .field("refund_amount", amount)
        .field("refund_description", description)
        .field("refund_number", &request.merchant_refund_id)
        .signed(OceanMessage::Refund, &merchant.secure_code)
}

/// The `queryRefund` body, by Oceanpayment's refund id.
pub(super) fn refund_query(merchant: &Merchant, refund_id: &str) -> Result<String, AcquirerError> {
    check_id("acquirer_refund_id", refund_id, MAX_ACQUIRER_ID)?;
    Form::new(merchant)
        .field("refund_id", refund_id)
        .signed(OceanMessage::RefundQuery, &merchant.secure_code)
}

/// The `service/auth` body voiding an offline order (O8).
pub(super) fn void(merchant: &Merchant, order_number: &str) -> Result<String, AcquirerError> {
    check_id("merchant_transaction_id", order_number, MAX_ORDER_NUMBER)?;
    Form::new(merchant)
        .field("order_number", order_number)
        .field("payment_authType", wire::VOID_AUTH_TYPE)
        .signed(OceanMessage::Void, &merchant.secure_code)
}

/// Cleans the configured billing defaults once, as the docs ask for values that are signed:
/// trimmed, without `"`, `<`, `>` or `'`. Required ones must stay non-empty.
pub(super) fn clean_billing(billing: &BillingDefaults) -> Result<BillingDefaults, AcquirerError> {
    let required = |field: &'static str, value: &str, max: usize| {
        let v = clean(value);
        if v.is_empty() || v.chars().count() > max {
            return Err(AcquirerError::InvalidRequest {
                field,
                reason: format!("must be 1–{max} characters after removing quotes and brackets"),
            });
        }
        Ok(v)
    };
    let optional = |field: &'static str, value: &Option<String>, max: usize| {
        let v = value.as_deref().map(clean).filter(|v| !v.is_empty());
        match v {
            Some(v) if v.chars().count() > max => Err(AcquirerError::InvalidRequest {
                field,
                reason: format!("at most {max} characters"),
            }),
            v => Ok(v),
        }
    };
    Ok(BillingDefaults {
        first_name: required("billing.first_name", &billing.first_name, 50)?,
        last_name: required("billing.last_name", &billing.last_name, 50)?,
        email: required("billing.email", &billing.email, 50)?,
        country: required("billing.country", &billing.country, 100)?,
        state: required("billing.state", &billing.state, 100)?,
        phone: optional("billing.phone", &billing.phone, 50)?,
        city: optional("billing.city", &billing.city, 100)?,
        address: optional("billing.address", &billing.address, 200)?,
        zip: optional("billing.zip", &billing.zip, 20)?,
        ip: optional("billing.ip", &billing.ip, 50)?,
    })
}

fn clean(value: &str) -> String {
    value
        .trim()
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | '\'') && !c.is_control())
        .collect()
}

/// Identifiers end up in signed forms, XML answers and portals: a conservative alphabet.
pub(super) fn check_id(field: &'static str, value: &str, max: usize) -> Result<(), AcquirerError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if value.is_empty() || value.len() > max || !value.chars().all(ok_char) {
        return Err(AcquirerError::InvalidRequest {
            field,
            reason: format!("must be 1–{max} characters of A–Z, a–z, 0–9, '-', '_', '.'"),
        });
    }
    Ok(())
}

fn check_text(field: &'static str, value: Option<&str>, max: usize) -> Result<(), AcquirerError> {
    if let Some(v) = value {
        if v.chars().count() > max || v.contains(['<', '>']) || v.chars().any(char::is_control) {
            return Err(AcquirerError::InvalidRequest {
                field,
                reason: format!("at most {max} characters, no '<', '>' or control characters"),
            });
        }
    }
    Ok(())
}

fn check_notice_url(url: Option<&str>) -> Result<(), AcquirerError> {
    if let Some(u) = url {
        let scheme_ok = u.starts_with("http://") || u.starts_with("https://");
        if !scheme_ok
            || u.len() > MAX_NOTICE_URL
            || u.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(AcquirerError::InvalidRequest {
                field: "notification_url",
                reason: format!("an http(s) URL of at most {MAX_NOTICE_URL} characters"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acquirer::oceanpayment::testkit::*;
    use crate::acquirer::TerminalId;
    use crate::acquirer::WalletMethod;
    use crate::money::Amount;
    use crate::paycode::PaymentCode;

    fn pay_request(method: PaymentMethod) -> PayRequest {
        PayRequest {
            merchant_transaction_id: ORDER.into(),
            request_id: "attempt-1".into(),
            amount: Amount::parse("0.01", "CNY").unwrap(),
            method,
            cashier_device_id: "till-1".into(),
            notification_url: Some("https://shop.example/notify".into()),
            expires_at_unix: None,
            remark: Some("table 4".into()),
        }
    }

    fn wechat_code() -> PaymentMethod {
        PaymentMethod::CustomerCode {
            code: PaymentCode::parse("134650720866361395").unwrap(),
            wallet: WalletMethod::WechatPay,
        }
    }

    fn refund_request() -> RefundRequest {
        RefundRequest {
            merchant_transaction_id: ORDER.into(),
            acquirer_transaction_id: Some(PAYMENT_ID.into()),
            merchant_refund_id: "RF-1".into(),
            amount: Amount::parse("0.01", "CNY").unwrap(),
            full: true,
            reason: Some("ProductDamage".into()),
            terminal: None,
            cashier_device_id: "till-1".into(),
            notification_url: None,
        }
    }

    fn invalid_field(result: Result<String, AcquirerError>) -> &'static str {
        match result {
            Err(AcquirerError::InvalidRequest { field, .. }) => field,
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }

    #[test]
    fn customer_code_pay_form_matches_the_synthetic_vector() {
        let body = pay(&merchant(), &billing(), &pay_request(wechat_code())).unwrap();
        let f = form_fields(&body);
        assert_eq!(
            form_get(&f, "signValue"),
            Some("3166ad328b6f8f73009f3b63284f29072d00e743fe192f3e3a972f7124ce81cf")
        );
        for (name, value) in [
            ("account", ACCOUNT),
            ("terminal", TERMINAL),
            ("order_number", ORDER),
            ("order_currency", "CNY"),
            ("order_amount", "0.01"),
            ("methods", ""),
            ("pay_accountNumber", "134650720866361395"),
            ("noticeUrl", "https://shop.example/notify"),
            ("order_notes", "table 4"),
            ("billing_firstName", "test"),
            ("billing_lastName", "test"),
            ("billing_email", "test@gmail.com"),
            ("billing_country", "CN"),
            ("billing_state", "GD"),
        ] {
            assert_eq!(form_get(&f, name), Some(value), "{name}");
        }
        assert_eq!(form_get(&f, "billing_phone"), None);
        assert!(f.iter().all(|(k, v)| v != SECURE_CODE && !k.to_lowercase().contains("secure")));
    }

    #[test]
    fn merchant_qr_pay_form_names_the_offline_method() {
        let qr = PaymentMethod::MerchantQr { wallet: WalletMethod::AlipayCn };
        let f = form_fields(&pay(&merchant(), &billing(), &pay_request(qr)).unwrap());
        assert_eq!(form_get(&f, "methods"), Some("Alipay_Offline"));
        assert_eq!(form_get(&f, "pay_accountNumber"), None);
        // O1: methods and pay_accountNumber are outside the signature.
        assert_eq!(
            form_get(&f, "signValue"),
            Some("3166ad328b6f8f73009f3b63284f29072d00e743fe192f3e3a972f7124ce81cf")
        );
    }

    #[test]
    fn pay_requests_are_checked_before_sending() {
        let card = PaymentMethod::CardOnTerminal {
            terminal: TerminalId { serial: "S1".into(), model: "M1".into() },
        };
        assert!(matches!(
            pay(&merchant(), &billing(), &pay_request(card)),
            Err(AcquirerError::Unsupported { acquirer: "oceanpayment", .. })
        ));
        let m = merchant();
        let b = billing();
        let mut r = pay_request(wechat_code());
        r.merchant_transaction_id = "x".repeat(51);
        assert_eq!(invalid_field(pay(&m, &b, &r)), "merchant_transaction_id");
        r.merchant_transaction_id = "NO 1".into();
        assert_eq!(invalid_field(pay(&m, &b, &r)), "merchant_transaction_id");
        let mut r = pay_request(wechat_code());
        r.amount = Amount::parse("1.005", "KWD").unwrap();
        assert_eq!(invalid_field(pay(&m, &b, &r)), "amount");
        let mut r = pay_request(wechat_code());
        r.notification_url = Some("ftp://x".into());
        assert_eq!(invalid_field(pay(&m, &b, &r)), "notification_url");
        let mut r = pay_request(wechat_code());
        r.remark = Some("<script>".into());
        assert_eq!(invalid_field(pay(&m, &b, &r)), "remark");
        let alipay_for_wechat = PaymentMethod::CustomerCode {
            code: PaymentCode::parse("134650720866361395").unwrap(),
            wallet: WalletMethod::AlipayCn,
        };
        assert_eq!(invalid_field(pay(&m, &b, &pay_request(alipay_for_wechat))), "payment_code");
    }

    #[test]
    fn query_form_matches_the_published_vector() {
        let f = form_fields(&query(&merchant(), "ae866").unwrap());
        assert_eq!(
            f,
            pairs(&[
                ("account", ACCOUNT),
                ("terminal", TERMINAL),
                ("order_number", "ae866"),
                ("signValue", "2e27426ca627e4734ca9c43bd18e593c4af1848688486a3c167d39f7f75cf7b2"),
            ])
        );
    }

    #[test]
    fn refund_form_is_signed_over_what_is_sent() {
        let f = form_fields(&refund(&merchant(), &refund_request()).unwrap());
        assert_eq!(form_get(&f, "payment_id"), Some(PAYMENT_ID));
        assert_eq!(form_get(&f, "refund_type"), Some("1"));
        assert_eq!(form_get(&f, "refund_amount"), Some("0.01"));
        assert_eq!(form_get(&f, "refund_description"), Some("ProductDamage"));
        assert_eq!(form_get(&f, "refund_number"), Some("RF-1"));
        let expected = sign(OceanMessage::Refund, |k| form_get(&f, k), &secure_code());
        assert_eq!(form_get(&f, "signValue"), Some(expected.as_str()));

        let mut partial = refund_request();
        partial.full = false;
        partial.reason = None;
        let f = form_fields(&refund(&merchant(), &partial).unwrap());
        assert_eq!(form_get(&f, "refund_type"), Some("2"));
        assert_eq!(form_get(&f, "refund_description"), Some(DEFAULT_REFUND_DESCRIPTION));

        let mut no_payment_id = refund_request();
        no_payment_id.acquirer_transaction_id = None;
        assert_eq!(invalid_field(refund(&merchant(), &no_payment_id)), "acquirer_transaction_id");
    }

    #[test]
    fn refund_query_and_void_forms() {
        let f = form_fields(&refund_query(&merchant(), "R900001").unwrap());
        assert_eq!(form_get(&f, "refund_id"), Some("R900001"));
        let expected = sign(OceanMessage::RefundQuery, |k| form_get(&f, k), &secure_code());
        assert_eq!(form_get(&f, "signValue"), Some(expected.as_str()));

        let f = form_fields(&void(&merchant(), ORDER).unwrap());
        assert_eq!(form_get(&f, "order_number"), Some(ORDER));
        assert_eq!(form_get(&f, "payment_authType"), Some("3"));
        let expected = sign(OceanMessage::Void, |k| form_get(&f, k), &secure_code());
        assert_eq!(form_get(&f, "signValue"), Some(expected.as_str()));
        assert_eq!(invalid_field(void(&merchant(), "")), "merchant_transaction_id");
    }

    #[test]
    fn billing_defaults_are_cleaned_once() {
        let mut b = billing();
        b.first_name = "  O'Brien \"Jr\" <x> ".into();
        b.city = Some("  ".into());
        let cleaned = clean_billing(&b).unwrap();
        assert_eq!(cleaned.first_name, "OBrien Jr x");
        assert_eq!(cleaned.city, None);
        b.last_name = "<'\">".into();
        assert!(matches!(
            clean_billing(&b),
            Err(AcquirerError::InvalidRequest { field: "billing.last_name", .. })
        ));
    }
}
