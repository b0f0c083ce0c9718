//! The hostile acquirer's honest ledger and answers, and how an answer is signed (or not).

use std::str::FromStr;

use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::{json, Map, Value};
use tillkit_core::sign::pingpong::sign_envelope;

use super::{Order, State};

/// The merchant the hostile acquirer answers as: the sandbox's published PingPong account.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// `accId`.
    pub acc_id: String,
    /// `clientId`.
    pub client_id: String,
    /// The salt.
    pub salt: SecretString,
}

impl Credentials {
    /// The sandbox's PingPong credentials.
    pub fn sandbox() -> Credentials {
        let c = tillkit_sandbox::SandboxCredentials::default().pingpong;
        Credentials { acc_id: c.acc_id, client_id: c.client_id, salt: c.salt }
    }
}

/// An answer before it is signed: top-level code and text, and the business payload.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub code: String,
    pub description: String,
    pub biz: Option<Map<String, Value>>,
}

impl Answer {
    pub(crate) fn error(code: &str, description: &str) -> Answer {
        Answer { code: code.into(), description: description.into(), biz: None }
    }

    fn ok(code: &str, biz: Map<String, Value>) -> Answer {
        Answer { code: code.into(), description: "ok".into(), biz: Some(biz) }
    }
}

/// How an answer's envelope is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signing {
    /// SHA256 with the right salt, for the right account.
    Honest,
    /// Correctly signed, but with MD5.
    Md5,
    /// No `sign` field.
    Unsigned,
    /// A `sign` that does not verify.
    Bad,
    /// Correctly signed, for another `accId`.
    OtherAccount,
}

/// The signed JSON body of an answer.
pub(crate) fn render(creds: &Credentials, answer: &Answer, signing: Signing) -> Vec<u8> {
    let mut env = Map::new();
    let acc =
        if signing == Signing::OtherAccount { "2018092714313010099999" } else { &creds.acc_id };
    env.insert("accId".into(), json!(acc));
    env.insert("clientId".into(), json!(creds.client_id));
    env.insert("signType".into(), json!(if signing == Signing::Md5 { "MD5" } else { "SHA256" }));
    env.insert("code".into(), json!(answer.code));
    env.insert("description".into(), json!(answer.description));
    if let Some(biz) = &answer.biz {
        env.insert("bizContent".into(), json!(Value::Object(biz.clone()).to_string()));
    }
    match (signing, sign_envelope(&creds.salt, &env)) {
        (Signing::Unsigned, _) | (_, Err(_)) => {}
        (Signing::Bad, Ok(sign)) => {
            let flipped = if sign.starts_with('A') { "B" } else { "A" };
            env.insert("sign".into(), json!(format!("{flipped}{}", &sign[1..])));
        }
        (_, Ok(sign)) => {
            env.insert("sign".into(), json!(sign));
        }
    }
    serde_json::to_vec(&env).unwrap_or_default()
}

/// A signed payment notification (`notifyType` RECHARGE) as PingPong would post it.
pub fn signed_notification(creds: &Credentials, biz: &Value) -> Vec<u8> {
    let mut env = Map::new();
    env.insert("accId".into(), json!(creds.acc_id));
    env.insert("clientId".into(), json!(creds.client_id));
    env.insert("signType".into(), json!("SHA256"));
    env.insert("version".into(), json!("1.0"));
    env.insert("bizContent".into(), json!(biz.to_string()));
    if let Ok(sign) = sign_envelope(&creds.salt, &env) {
        env.insert("sign".into(), json!(sign));
    }
    serde_json::to_vec(&env).unwrap_or_default()
}

/// PingPong answers amounts with six decimals.
pub(crate) fn six_decimals(text: &str) -> String {
    match Decimal::from_str(text) {
        Ok(mut d) => {
            d.rescale(6);
            d.to_string()
        }
        Err(_) => text.to_string(),
    }
}

fn text(biz: &Map<String, Value>, key: &str) -> String {
    match biz.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn payment_biz(order_id: &str, o: &Order, status: &str, with_result: bool) -> Map<String, Value> {
    let mut biz = Map::new();
    biz.insert("transactionId".into(), json!(format!("T{order_id}")));
    biz.insert("merchantTransactionId".into(), json!(order_id));
    biz.insert("requestId".into(), json!(o.request_id));
    biz.insert("amount".into(), json!(six_decimals(&o.amount)));
    biz.insert("currency".into(), json!(o.currency));
    biz.insert("status".into(), json!(status));
    if with_result {
        let code = if status == "SUCCESS" { "000000" } else { "301002" };
        biz.insert("resultCode".into(), json!(code));
    }
    biz
}

fn status_of(o: &Order) -> &'static str {
    if o.charged {
        "SUCCESS"
    } else {
        "FAILED"
    }
}

/// `unifiedPay`: records the order (charged unless `decline`) and answers its state. A new
/// requestId on an existing order is a duplicated transaction (107000), as the real acquirer.
pub(crate) fn pay(state: &State, biz: &Map<String, Value>, decline: bool) -> Answer {
    let order_id = text(biz, "merchantTransactionId");
    let request_id = text(biz, "requestId");
    let mut orders = state.orders.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(o) = orders.get(&order_id) {
        if o.request_id != request_id {
            return Answer::error("107000", "duplicated transaction");
        }
        let status = status_of(o);
        return Answer::ok(
            if o.charged { "000000" } else { "301002" },
            payment_biz(&order_id, o, status, false),
        );
    }
    let order = Order {
        request_id,
        amount: text(biz, "amount"),
        currency: text(biz, "currency"),
        charged: !decline,
        refunds: Default::default(),
    };
    let answer = Answer::ok(
        if decline { "301002" } else { "000000" },
        payment_biz(&order_id, &order, status_of(&order), false),
    );
    orders.insert(order_id, order);
    answer
}

/// `payment/query`: the order's state, or 107001.
pub(crate) fn query(state: &State, biz: &Map<String, Value>) -> Answer {
    let order_id = text(biz, "merchantTransactionId");
    let orders = state.orders.lock().unwrap_or_else(|p| p.into_inner());
    match orders.get(&order_id) {
        Some(o) => Answer::ok("001000", payment_biz(&order_id, o, status_of(o), true)),
        None => Answer::error("107001", "transaction does not exist"),
    }
}

fn refund_biz(order_id: &str, refund_id: &str, amount: &str, currency: &str) -> Map<String, Value> {
    let mut biz = Map::new();
    biz.insert("merchantTransactionId".into(), json!(order_id));
    biz.insert("merchantRefundId".into(), json!(refund_id));
    biz.insert("refundId".into(), json!(format!("RF{refund_id}")));
    biz.insert("amount".into(), json!(six_decimals(amount)));
    biz.insert("currency".into(), json!(currency));
    biz.insert("status".into(), json!("SUCCESS"));
    biz
}

/// `payment/refund`: records and succeeds the refund of a charged order.
pub(crate) fn refund(state: &State, biz: &Map<String, Value>) -> Answer {
    let order_id = text(biz, "merchantTransactionId");
    let refund_id = text(biz, "merchantRefundId");
    let mut orders = state.orders.lock().unwrap_or_else(|p| p.into_inner());
    let Some(o) = orders.get_mut(&order_id).filter(|o| o.charged) else {
        return Answer::error("107002", "original transaction does not exist");
    };
    let (amount, currency) = o
        .refunds
        .entry(refund_id.clone())
        .or_insert_with(|| (text(biz, "amount"), text(biz, "currency")))
        .clone();
    Answer::ok("000000", refund_biz(&order_id, &refund_id, &amount, &currency))
}

/// `refund/query`: the refund's state, or 107001.
pub(crate) fn refund_query(state: &State, biz: &Map<String, Value>) -> Answer {
    let order_id = text(biz, "merchantTransactionId");
    let refund_id = text(biz, "merchantRefundId");
    let orders = state.orders.lock().unwrap_or_else(|p| p.into_inner());
    match orders.get(&order_id).and_then(|o| o.refunds.get(&refund_id)) {
        Some((amount, currency)) => {
            Answer::ok("001000", refund_biz(&order_id, &refund_id, amount, currency))
        }
        None => Answer::error("107001", "refund does not exist"),
    }
}
