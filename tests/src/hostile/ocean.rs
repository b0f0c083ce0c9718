//! A hostile Oceanpayment acquirer on 127.0.0.1: the same raw-TCP server and honest ledger as
//! the PingPong one, speaking Oceanpayment's wire (signed forms in, signed XML out), signed with
//! the sandbox's credentials so that only the fault itself is wrong.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tillkit_core::sign::oceanpayment::{verify, OceanMessage};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use super::modes::{self, Reply};
pub use super::ocean_answers::OceanCredentials;
use super::ocean_answers::{self as answers, Form, Signing, Xml};
use super::{raw, read_request, Op, Order};

/// How the hostile Oceanpayment acquirer misbehaves. "Persistent" modes bend every answer of
/// their kind (pay and query answers alike); "first pay" modes spoil only the first pay answer,
/// after the acquirer committed the charge, so that the truth is "charged" and only a query
/// can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OceanMode {
    /// Every answer honest (control).
    Honest,
    /// Persistent: `order_amount` 250.00.
    WrongAmount,
    /// Persistent: `order_currency` USD.
    WrongCurrency,
    /// Persistent: the answers are about order `OTHER-1`.
    OtherOrder,
    /// Persistent: correctly signed for another `account`.
    OtherAccount,
    /// Persistent: correctly signed for another `terminal`.
    OtherTerminal,
    /// Persistent: a `signValue` that does not verify.
    BadSignature,
    /// Persistent: no `signValue`.
    Unsigned,
    /// Persistent: no `payment_status` / `payment_results` (signed as sent).
    MissingStatus,
    /// Persistent: `payment_status` / `payment_results` `2`.
    UnknownStatus,
    /// First pay answer (committed): 200 with a UTF-8 body that is not XML.
    Garbage,
    /// First pay answer (committed): an HTML 500 page.
    Html500,
    /// First pay answer (committed): a 10 MB body.
    TenMegabytes,
    /// First pay answer (committed): the honest signed XML behind a DOCTYPE that defines an
    /// entity (the start of "billion laughs" and external-entity attacks).
    Doctype,
    /// First pay answer (committed): the honest signed XML cut off in the middle.
    Truncated,
    /// First pay answer (committed): `payment_status` 0 with `50000` internal error.
    FailedSystemError,
    /// First pay answer (committed): `payment_status` 0 with an unknown code `99999`.
    FailedUnknownCode,
    /// First pay answer (committed): `payment_status` 0 with no `payment_details`.
    FailedNoCode,
    /// First pay answer lost (HTML 500, committed), then every query answer for 250.00.
    QueryWrongAmount,
    /// First pay answer lost (HTML 500, committed), then every query answer unsigned.
    QueryUnsigned,
    /// First pay answer lost (HTML 500, committed), then every query answer
    /// `payment_results` 0 with `50000` internal error.
    QueryFailedSystemError,
    /// Persistent: an honest decline `20010`, nothing charged (control).
    Decline,
    /// Persistent: refund and refund-query answers for 0.01 more than asked.
    RefundWrongAmount,
}

/// The hostile acquirer's shared state: its mode, its truth, what it was asked.
pub(crate) struct OceanState {
    mode: OceanMode,
    pub(crate) creds: OceanCredentials,
    pub(crate) orders: Mutex<HashMap<String, Order>>,
    counts: Mutex<HashMap<Op, u32>>,
}

impl OceanState {
    fn count(&self, op: Op) -> u32 {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(op).or_insert(0);
        *n += 1;
        *n
    }
}

/// A running hostile Oceanpayment acquirer. Dropping it stops accepting connections.
pub struct OceanHostile {
    addr: SocketAddr,
    state: Arc<OceanState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for OceanHostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl OceanHostile {
    /// Starts a hostile Oceanpayment acquirer answering in `mode` on a free loopback port.
    pub async fn start(mode: OceanMode) -> std::io::Result<OceanHostile> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(OceanState {
            mode,
            creds: OceanCredentials::sandbox(),
            orders: Mutex::new(HashMap::new()),
            counts: Mutex::new(HashMap::new()),
        });
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(shared.clone(), stream));
            }
        });
        Ok(OceanHostile { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The acquirer's truth about an order (by `order_number`).
    pub fn order(&self, order_number: &str) -> Option<Order> {
        self.state.orders.lock().unwrap_or_else(|p| p.into_inner()).get(order_number).cloned()
    }

    /// How many requests of an operation arrived (with a valid signature or not).
    pub fn requests(&self, op: Op) -> u32 {
        self.state.counts.lock().unwrap_or_else(|p| p.into_inner()).get(&op).copied().unwrap_or(0)
    }
}

fn op_of_path(path: &str) -> Option<(Op, OceanMessage)> {
    Some(match path {
        "/gateway/directservice/pay" => (Op::Pay, OceanMessage::PayRequest),
        "/service/check/normal" => (Op::Query, OceanMessage::Query),
        "/service/applyRefund" => (Op::Refund, OceanMessage::Refund),
        "/service/queryRefund" => (Op::RefundQuery, OceanMessage::RefundQuery),
        _ => return None,
    })
}

async fn serve(state: Arc<OceanState>, mut stream: TcpStream) {
    let Some((path, body)) = read_request(&mut stream).await else { return };
    let Some((op, message)) = op_of_path(&path) else {
        let _ = stream.write_all(&raw(404, "text/plain", b"no such path")).await;
        return;
    };
    let n = state.count(op);
    let reply = match parse_form(&state, &body, message) {
        Ok(form) => decide(&state, op, n, &form),
        // The cashier's own request is wrong: a test failure, told in a readable way.
        Err(why) => Reply::Bytes(raw(400, "text/plain", why.as_bytes())),
    };
    modes::send(stream, reply).await;
}

/// The request's form, after checking that the cashier signed it as the real acquirer would.
fn parse_form(state: &OceanState, body: &[u8], message: OceanMessage) -> Result<Form, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| format!("not a form: {e}"))?;
    let mut form = Form::new();
    for (k, v) in pairs {
        form.entry(k).or_insert(v);
    }
    let sign_value = form.get("signValue").cloned().unwrap_or_default();
    verify(message, |k| form.get(k).map(String::as_str), &state.creds.secure_code, &sign_value)
        .map_err(|e| format!("request signValue: {e}"))?;
    Ok(form)
}

fn xml_reply(state: &OceanState, xml: &Xml, signing: Signing) -> Reply {
    Reply::Bytes(raw(200, "text/xml;charset=UTF-8", &xml.render(&state.creds, signing)))
}

fn html_500() -> Reply {
    Reply::Bytes(raw(500, "text/html", b"<html><body>nope</body></html>"))
}

/// Decides the reply to the `n`-th request of `op`.
fn decide(state: &OceanState, op: Op, n: u32, form: &Form) -> Reply {
    use OceanMode as M;
    let mode = state.mode;
    let first_pay = op == Op::Pay && n == 1;
    let mut xml = match op {
        Op::Pay => answers::pay(state, form, mode == M::Decline),
        Op::Query => answers::query(state, form),
        Op::Refund => answers::refund(state, form),
        Op::RefundQuery => answers::refund_query(state, form),
    };
    let payment = matches!(op, Op::Pay | Op::Query);
    let status = if op == Op::Query { "payment_results" } else { "payment_status" };
    let mut signing = Signing::Honest;
    match mode {
        M::WrongAmount if payment => xml.set("order_amount", "250.00"),
        M::WrongCurrency if payment => xml.set("order_currency", "USD"),
        M::OtherOrder if payment => xml.set("order_number", "OTHER-1"),
        M::OtherAccount => xml.set("account", "995379"),
        M::OtherTerminal => xml.set("terminal", "99537899"),
        M::BadSignature => signing = Signing::Bad,
        M::Unsigned => signing = Signing::Unsigned,
        M::MissingStatus if payment => xml.remove(status),
        M::UnknownStatus if payment => xml.set(status, "2"),
        M::Garbage if first_pay => {
            return Reply::Bytes(raw(200, "text/xml", b"<response><<garbage>> &bogus; {{"))
        }
        M::Html500 | M::QueryWrongAmount | M::QueryUnsigned | M::QueryFailedSystemError
            if first_pay =>
        {
            return html_500()
        }
        M::TenMegabytes if first_pay => return Reply::Huge,
        M::Doctype | M::Truncated if first_pay => {
            let body = xml.render(&state.creds, Signing::Honest);
            let body = if mode == M::Truncated {
                body[..body.len() / 2].to_vec()
            } else {
                let text = String::from_utf8_lossy(&body);
                let root = text.find("<response").unwrap_or(0);
                let dtd =
                    "<!DOCTYPE response [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>";
                format!("{}{dtd}{}", &text[..root], &text[root..]).into_bytes()
            };
            return Reply::Bytes(raw(200, "text/xml;charset=UTF-8", &body));
        }
        M::FailedSystemError | M::FailedUnknownCode | M::FailedNoCode if first_pay => {
            let details = match mode {
                M::FailedSystemError => "50000:internal error",
                M::FailedUnknownCode => "99999:something new",
                _ => "",
            };
            xml.set("payment_status", "0");
            xml.set("payment_details", details);
        }
        M::QueryWrongAmount if op == Op::Query => xml.set("order_amount", "250.00"),
        M::QueryUnsigned if op == Op::Query => signing = Signing::Unsigned,
        M::QueryFailedSystemError if op == Op::Query => {
            xml.set("payment_results", "0");
            xml.set("payment_details", "50000:internal error");
        }
        M::RefundWrongAmount if !payment => {
            let asked = form.get("refund_amount").map_or("", String::as_str);
            let more = rust_decimal::Decimal::from_str_exact(asked)
                .map(|d| (d + rust_decimal::Decimal::new(1, 2)).to_string())
                .unwrap_or_else(|_| "999.99".into());
            xml.set("refund_amount", &more);
        }
        _ => {}
    }
    xml_reply(state, &xml, signing)
}
