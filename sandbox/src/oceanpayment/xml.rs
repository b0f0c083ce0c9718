//! Oceanpayment's XML answers, each signed in its documented (or chosen) field order.

use std::collections::HashMap;

use quick_xml::escape::escape;
use tillkit_core::money::{Amount, Currency};
use tillkit_core::sign::oceanpayment::{sign, OceanMessage};

use crate::config::OceanpaymentCredentials;
use crate::reply::corrupt_signature;

/// An ordered list of elements, signed as one message.
#[derive(Debug, Default)]
pub(crate) struct Elements {
    items: Vec<(&'static str, String)>,
}

impl Elements {
    pub(crate) fn new(creds: &OceanpaymentCredentials) -> Self {
        let mut e = Elements::default();
        e.push("account", &creds.account);
        e.push("terminal", &creds.terminal);
        e
    }

    pub(crate) fn push(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        self.items.push((name, value.into()));
        self
    }

    /// Inserts `signValue` after `terminal`, as Oceanpayment's answers place it.
    pub(crate) fn sign(
        &mut self,
        creds: &OceanpaymentCredentials,
        message: OceanMessage,
        corrupt: bool,
    ) {
        let values: HashMap<&str, &str> =
            self.items.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut value =
            sign(message, |k| values.get(k).copied(), &creds.secure_code).to_uppercase();
        if corrupt {
            value = corrupt_signature(&value);
        }
        let at = self.items.iter().position(|(k, _)| *k == "terminal").map_or(0, |i| i + 1);
        self.items.insert(at, ("signValue", value));
    }

    /// The elements as XML, wrapped in `<tag>`.
    pub(crate) fn render(&self, tag: &str) -> String {
        let mut out = format!("<{tag}>");
        for (k, v) in &self.items {
            out.push_str(&format!("<{k}>{}</{k}>", escape(v.as_str())));
        }
        out.push_str(&format!("</{tag}>"));
        out
    }
}

/// A whole document.
pub(crate) fn document(body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}\n")
}

/// An amount as Oceanpayment writes it: at most two decimals.
pub(crate) fn amount(minor: i64, currency: &str) -> String {
    Currency::from_code(currency)
        .ok()
        .and_then(|c| Amount::from_minor_units(minor, c).ok())
        .and_then(|a| a.to_oceanpayment_string().ok())
        .unwrap_or_else(|| minor.to_string())
}
