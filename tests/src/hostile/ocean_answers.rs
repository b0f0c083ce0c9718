//! The hostile Oceanpayment acquirer's honest ledger and its XML answers, in the sandbox's shapes
//! (choices O4–O6), and how an answer is signed (or not).

use std::collections::HashMap;

use secrecy::SecretString;
use tillkit_core::sign::oceanpayment::{sign, OceanMessage};

use super::ocean::OceanState;
use super::Order;

/// The merchant the hostile acquirer answers as: the sandbox's Oceanpayment account.
#[derive(Debug, Clone)]
pub struct OceanCredentials {
    /// `account`.
    pub account: String,
    /// `terminal`.
    pub terminal: String,
    /// The secure code that ends every `signValue`.
    pub secure_code: SecretString,
}

impl OceanCredentials {
    /// The sandbox's Oceanpayment credentials (995378 / 99537801).
    pub fn sandbox() -> OceanCredentials {
        let c = tillkit_sandbox::SandboxCredentials::default().oceanpayment;
        OceanCredentials { account: c.account, terminal: c.terminal, secure_code: c.secure_code }
    }
}

/// How an answer's `signValue` is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signing {
    /// Over the fields as sent, with the right secure code.
    Honest,
    /// No `signValue` element.
    Unsigned,
    /// A `signValue` that does not verify.
    Bad,
}

/// An answer before it is signed: its fields in order, and the message type that signs them.
#[derive(Debug, Clone)]
pub(crate) struct Xml {
    fields: Vec<(&'static str, String)>,
    message: OceanMessage,
    /// Query answers wrap the fields in one `<paymentInfo>`.
    payment_info: bool,
}

impl Xml {
    fn new(creds: &OceanCredentials, message: OceanMessage) -> Xml {
        let fields = vec![("account", creds.account.clone()), ("terminal", creds.terminal.clone())];
        Xml { fields, message, payment_info: message == OceanMessage::QueryResponse }
    }

    fn push(mut self, key: &'static str, value: impl Into<String>) -> Xml {
        self.fields.push((key, value.into()));
        self
    }

    /// Replaces a field's value (adds it when absent).
    pub(crate) fn set(&mut self, key: &'static str, value: &str) {
        match self.fields.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value.to_string(),
            None => self.fields.push((key, value.to_string())),
        }
    }

    /// Drops a field.
    pub(crate) fn remove(&mut self, key: &str) {
        self.fields.retain(|(k, _)| *k != key);
    }

    /// The XML document, signed over the fields as they are now.
    pub(crate) fn render(&self, creds: &OceanCredentials, signing: Signing) -> Vec<u8> {
        let values: HashMap<&str, &str> =
            self.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut value = sign(self.message, |k| values.get(k).copied(), &creds.secure_code);
        value = value.to_uppercase();
        if signing == Signing::Bad {
            let flipped = if value.starts_with('A') { "B" } else { "A" };
            value = format!("{flipped}{}", &value[1..]);
        }
        let mut body = String::new();
        for (k, v) in &self.fields {
            body.push_str(&format!("<{k}>{}</{k}>", escape(v)));
            if *k == "terminal" && signing != Signing::Unsigned {
                body.push_str(&format!("<signValue>{value}</signValue>"));
            }
        }
        if self.payment_info {
            body = format!("<paymentInfo>{body}</paymentInfo>");
        }
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>{body}</response>\n")
            .into_bytes()
    }
}

fn escape(v: &str) -> String {
    v.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The request's form, by key (first value wins).
pub(crate) type Form = HashMap<String, String>;

fn get<'a>(form: &'a Form, key: &str) -> &'a str {
    form.get(key).map_or("", String::as_str)
}

fn payment_id(order_number: &str) -> String {
    format!("P{order_number}")
}

fn refund_id(refund_number: &str) -> String {
    format!("OR{refund_number}")
}

/// `payment_status` and `payment_details` of an order as it is.
fn status_of(o: &Order) -> (&'static str, &'static str) {
    if o.charged {
        ("1", "20000:Success")
    } else {
        ("0", "20010:Transaction declined")
    }
}

fn pay_xml(creds: &OceanCredentials, order_number: &str, o: &Order, status: (&str, &str)) -> Xml {
    Xml::new(creds, OceanMessage::PayResponse)
        .push("response_type", "0")
        .push("methods", "")
        .push("order_number", order_number)
        .push("order_currency", o.currency.as_str())
        .push("order_amount", o.amount.as_str())
        .push("order_notes", "")
        .push("card_number", "")
        .push("payment_id", payment_id(order_number))
        .push("payment_authType", "0")
        .push("payment_status", status.0)
        .push("payment_details", status.1)
        .push("payment_risk", "")
}

/// `directservice/pay`: records the order (charged unless `decline`) and answers its state. The
/// order number is the idempotency key: a resend answers the order's state, another amount on
/// it is 20061, as the sandbox.
pub(crate) fn pay(state: &OceanState, form: &Form, decline: bool) -> Xml {
    let order_number = get(form, "order_number").to_string();
    let asked = Order {
        request_id: order_number.clone(),
        amount: get(form, "order_amount").to_string(),
        currency: get(form, "order_currency").to_string(),
        charged: !decline,
        refunds: HashMap::new(),
    };
    let mut orders = state.orders.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(o) = orders.get(&order_number) {
        if o.amount != asked.amount || o.currency != asked.currency {
            let refused = ("0", "20061:Duplicate order number");
            let mut xml = pay_xml(&state.creds, &order_number, &asked, refused);
            xml.set("payment_id", "");
            return xml;
        }
        return pay_xml(&state.creds, &order_number, o, status_of(o));
    }
    let xml = pay_xml(&state.creds, &order_number, &asked, status_of(&asked));
    orders.insert(order_number, asked);
    xml
}

/// `check/normal`: one `paymentInfo` with the order's state, or 20068 (choice O5).
pub(crate) fn query(state: &OceanState, form: &Form) -> Xml {
    let order_number = get(form, "order_number");
    let orders = state.orders.lock().unwrap_or_else(|p| p.into_inner());
    let xml =
        Xml::new(&state.creds, OceanMessage::QueryResponse).push("order_number", order_number);
    match orders.get(order_number) {
        Some(o) => {
            let (results, details) = status_of(o);
            xml.push("order_currency", o.currency.as_str())
                .push("order_amount", o.amount.as_str())
                .push("payment_id", payment_id(order_number))
                .push("payment_results", results)
                .push("payment_details", details)
        }
        None => xml
            .push("order_currency", "")
            .push("order_amount", "")
            .push("payment_id", "")
            .push("payment_results", "")
            .push("payment_details", "20068:Order does not exist"),
    }
}

fn refund_xml(creds: &OceanCredentials, payment: &str, number: &str, amount: &str) -> Xml {
    Xml::new(creds, OceanMessage::RefundResponse)
        .push("payment_id", payment)
        .push("refund_id", refund_id(number))
        .push("refund_number", number)
        .push("refund_amount", amount)
        .push("refund_results", "1")
        .push("refund_description", "Refund")
        .push("refund_details", "20000:Success")
}

fn refund_error(creds: &OceanCredentials, form: &Form, details: &str) -> Xml {
    Xml::new(creds, OceanMessage::RefundResponse)
        .push("payment_id", get(form, "payment_id"))
        .push("refund_id", get(form, "refund_id"))
        .push("refund_number", get(form, "refund_number"))
        .push("refund_amount", get(form, "refund_amount"))
        .push("refund_results", "0")
        .push("refund_description", "")
        .push("refund_details", details)
}

/// `applyRefund`: records and succeeds the refund of a charged order, by its `payment_id`.
pub(crate) fn refund(state: &OceanState, form: &Form) -> Xml {
    let payment = get(form, "payment_id");
    let number = get(form, "refund_number");
    let mut orders = state.orders.lock().unwrap_or_else(|p| p.into_inner());
    let found = orders.iter_mut().find(|(id, o)| o.charged && payment_id(id) == payment);
    let Some((_, o)) = found else {
        return refund_error(&state.creds, form, "20068:Order does not exist");
    };
    let currency = o.currency.clone();
    let (amount, _) = o
        .refunds
        .entry(number.to_string())
        .or_insert_with(|| (get(form, "refund_amount").to_string(), currency))
        .clone();
    refund_xml(&state.creds, payment, number, &amount)
}

/// `queryRefund`: the refund's state by Oceanpayment's refund id, or 20106.
pub(crate) fn refund_query(state: &OceanState, form: &Form) -> Xml {
    let wanted = get(form, "refund_id");
    let orders = state.orders.lock().unwrap_or_else(|p| p.into_inner());
    for (order_number, o) in orders.iter() {
        for (number, (amount, _)) in &o.refunds {
            if refund_id(number) == wanted {
                return refund_xml(&state.creds, &payment_id(order_number), number, amount);
            }
        }
    }
    refund_error(&state.creds, form, "20106:Refund does not exist")
}
