//! The hostile answer modes, and how each one bends the honest answer.

use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::answers::{self, Answer, Signing};
use super::{raw, Op, State};

/// How the hostile acquirer misbehaves. "Persistent" modes bend every answer of their kind;
/// transport modes spoil only the first pay answer, after the acquirer committed the charge, so
/// that the truth is "charged" and only a query can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Every answer honest (control).
    Honest,
    /// Persistent: the amount in pay and query answers is 250.00.
    WrongAmount,
    /// Persistent: the currency is USD.
    WrongCurrency,
    /// Persistent: the answers are about another order.
    OtherOrder,
    /// Persistent: the answers name another requestId.
    OtherRequestId,
    /// Persistent: correctly signed for another accId.
    OtherAccount,
    /// Persistent: correctly signed with MD5 while the cashier is configured for SHA256.
    Md5Downgrade,
    /// Persistent: no `sign`.
    Unsigned,
    /// Persistent: a `sign` that does not verify.
    BadSignature,
    /// Persistent: bizContent without `status`.
    MissingStatus,
    /// Persistent: `status` REVIEW.
    UnknownStatus,
    /// Persistent: `amount` 1e30 (a JSON number).
    HugeNumbers,
    /// Persistent: a PROCESSING QR answer whose `qrCode` is 600 kB; the order is never paid.
    HugeQr,
    /// First pay answer (committed): 200 with a garbage body.
    Garbage,
    /// First pay answer (committed): an HTML 403 page.
    Html403,
    /// First pay answer (committed): an HTML 500 page.
    Html500,
    /// First pay answer (committed): a 10 MB body.
    TenMegabytes,
    /// First pay answer (committed): the answer at one byte per second.
    Trickle,
    /// First pay answer (committed): never answers.
    NeverAnswers,
    /// First pay answer (committed): 302 to elsewhere.
    Redirect,
    /// First pay answer (committed): the connection is reset.
    ResetAfterCommit,
    /// First pay answer (committed): `500000` system error, no payload.
    SystemError,
    /// First pay answer (nothing committed): `500000` terminal busy, no payload.
    BusyNotCommitted,
    /// First pay answer (committed): an unknown code `999999`, no payload.
    UnknownCode,
    /// First pay answer (committed): status FAILED with code `500000`.
    FailedSystemError,
    /// Persistent: an honest decline `301002`, nothing charged (control).
    Decline,
    /// Persistent: refund and refund-query answers for 0.01 more than asked.
    RefundWrongAmount,
    /// Persistent: refund and refund-query answers about another merchantRefundId.
    RefundOtherId,
}

/// What to put on the wire.
pub(crate) enum Reply {
    /// A complete response.
    Bytes(Vec<u8>),
    /// A complete response, one byte per second.
    Trickle(Vec<u8>),
    /// Headers, then 10 MB of body.
    Huge,
    /// Nothing, ever.
    Hang,
    /// A TCP reset.
    Reset,
}

fn bizcontent(body: &[u8]) -> Option<Map<String, Value>> {
    let env: Map<String, Value> = serde_json::from_slice(body).ok()?;
    let biz = env.get("bizContent")?.as_str()?;
    match serde_json::from_str(biz).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn json_reply(state: &State, answer: &Answer, signing: Signing) -> Reply {
    Reply::Bytes(raw(200, "application/json", &answers::render(&state.creds, answer, signing)))
}

fn bend(answer: &mut Answer, key: &str, value: Value) {
    if let Some(biz) = answer.biz.as_mut() {
        biz.insert(key.into(), value);
    }
}

/// Decides the reply to the `n`-th request of `op`.
pub(crate) fn decide(state: &State, op: Op, n: u32, body: &[u8]) -> Reply {
    let Some(biz) = bizcontent(body) else {
        return json_reply(state, &Answer::error("102000", "bad request"), Signing::Honest);
    };
    let mode = state.mode;
    let first_pay = op == Op::Pay && n == 1;
    if first_pay && mode == Mode::BusyNotCommitted {
        return json_reply(state, &Answer::error("500000", "terminal busy"), Signing::Honest);
    }
    let mut answer = match op {
        Op::Pay => answers::pay(state, &biz, mode == Mode::Decline),
        Op::Query => answers::query(state, &biz),
        Op::Refund => answers::refund(state, &biz),
        Op::RefundQuery => answers::refund_query(state, &biz),
    };
    let payment = matches!(op, Op::Pay | Op::Query);
    let refund = !payment;
    let mut signing = Signing::Honest;
    match mode {
        Mode::WrongAmount if payment => bend(&mut answer, "amount", json!("250.000000")),
        Mode::WrongCurrency if payment => bend(&mut answer, "currency", json!("USD")),
        Mode::OtherOrder if payment => bend(&mut answer, "merchantTransactionId", json!("OTHER-1")),
        Mode::OtherRequestId if payment => bend(&mut answer, "requestId", json!("OTHER-REQ-1")),
        Mode::OtherAccount => signing = Signing::OtherAccount,
        Mode::Md5Downgrade => signing = Signing::Md5,
        Mode::Unsigned => signing = Signing::Unsigned,
        Mode::BadSignature => signing = Signing::Bad,
        Mode::MissingStatus if payment => {
            if let Some(b) = answer.biz.as_mut() {
                b.remove("status");
            }
        }
        Mode::UnknownStatus if payment => bend(&mut answer, "status", json!("REVIEW")),
        Mode::HugeNumbers if payment => bend(&mut answer, "amount", json!(1e30)),
        Mode::HugeQr if payment => {
            bend(&mut answer, "status", json!("PROCESSING"));
            let qr = json!({"type": "QR_CODE", "qrCode": "Q".repeat(600_000)});
            bend(&mut answer, "action", qr);
            mark_unpaid(state, &biz);
        }
        Mode::RefundWrongAmount if refund => bend(&mut answer, "amount", json!("0.020000")),
        Mode::RefundOtherId if refund => bend(&mut answer, "merchantRefundId", json!("OTHER-RF-1")),
        Mode::SystemError if first_pay => answer = Answer::error("500000", "system error"),
        Mode::UnknownCode if first_pay => answer = Answer::error("999999", "something new"),
        Mode::FailedSystemError if first_pay => {
            answer.code = "500000".into();
            bend(&mut answer, "status", json!("FAILED"));
        }
        _ if first_pay => return transport_fault(state, mode, &answer),
        _ => {}
    }
    json_reply(state, &answer, signing)
}

/// The HugeQr order is shown a QR nobody can scan: in truth it stays unpaid.
fn mark_unpaid(state: &State, biz: &Map<String, Value>) {
    let id = biz.get("merchantTransactionId").and_then(Value::as_str).unwrap_or_default();
    if let Some(o) = state.orders.lock().unwrap_or_else(|p| p.into_inner()).get_mut(id) {
        o.charged = false;
    }
}

fn transport_fault(state: &State, mode: Mode, answer: &Answer) -> Reply {
    let html = |status| Reply::Bytes(raw(status, "text/html", b"<html><body>nope</body></html>"));
    match mode {
        Mode::Garbage => Reply::Bytes(raw(200, "application/json", b"\x00garbage\xff{{")),
        Mode::Html403 => html(403),
        Mode::Html500 => html(500),
        Mode::TenMegabytes => Reply::Huge,
        Mode::Trickle => Reply::Trickle(raw(
            200,
            "application/json",
            &answers::render(&state.creds, answer, Signing::Honest),
        )),
        Mode::NeverAnswers => Reply::Hang,
        Mode::Redirect => Reply::Bytes(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
                .as_bytes()
                .to_vec(),
        ),
        Mode::ResetAfterCommit => Reply::Reset,
        _ => json_reply(state, answer, Signing::Honest),
    }
}

/// Writes a reply; write errors (the cashier gave up) end the connection quietly.
pub(crate) async fn send(mut stream: TcpStream, reply: Reply) {
    match reply {
        Reply::Bytes(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::Trickle(bytes) => {
            for b in bytes {
                if stream.write_all(&[b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Reply::Huge => {
            let size = 10 * 1024 * 1024;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\
                 Connection: close\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let block = vec![b'x'; 64 * 1024];
            for _ in 0..(size / block.len()) {
                if stream.write_all(&block).await.is_err() {
                    return;
                }
            }
        }
        Reply::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
        Reply::Reset => {
            // SO_LINGER 0: closing sends RST instead of FIN. tokio deprecates set_linger because
            // a non-zero linger blocks the thread on drop; a zero one does not block.
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
    }
}
