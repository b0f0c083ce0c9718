//! A hostile PingPong acquirer on 127.0.0.1: it keeps an honest ledger of what it charged and
//! refunded, and answers through one of [`Mode`]'s faults, signed with the sandbox's credentials
//! so that only the fault itself is wrong.
//!
//! The server speaks raw HTTP/1.1 over TCP (one request per connection) so that it can do what no
//! well-behaved server framework would: trickle, hang, reset after committing, send 10 MB.

mod answers;
mod modes;
mod ocean;
mod ocean_answers;
pub mod verdict;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub use answers::{signed_notification, Credentials};
pub use modes::Mode;
pub use ocean::{OceanCredentials, OceanHostile, OceanMode};

/// What the acquirer really did with an order: its truth, whatever it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The attempt that created it.
    pub request_id: String,
    /// As asked, in the request's text.
    pub amount: String,
    /// As asked.
    pub currency: String,
    /// Whether the customer was charged.
    pub charged: bool,
    /// Refunds by merchantRefundId: (amount text, currency).
    pub refunds: HashMap<String, (String, String)>,
}

/// Which PingPong operation a request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `unifiedPay`.
    Pay,
    /// `payment/query`.
    Query,
    /// `payment/refund`.
    Refund,
    /// `refund/query`.
    RefundQuery,
}

impl Op {
    pub(crate) fn of_path(path: &str) -> Option<Op> {
        Some(match path {
            "/v4/payment/unifiedPay" => Op::Pay,
            "/v4/payment/query" => Op::Query,
            "/v4/payment/refund" => Op::Refund,
            "/v4/refund/query" => Op::RefundQuery,
            _ => return None,
        })
    }
}

pub(crate) struct State {
    mode: Mode,
    creds: Credentials,
    orders: Mutex<HashMap<String, Order>>,
    counts: Mutex<HashMap<Op, u32>>,
    connections: AtomicU32,
}

impl State {
    fn count(&self, op: Op) -> u32 {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(op).or_insert(0);
        *n += 1;
        *n
    }
}

/// A running hostile acquirer. Dropping it stops accepting connections.
pub struct Hostile {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Starts a hostile acquirer answering in `mode` on a free loopback port.
    pub async fn start(mode: Mode) -> std::io::Result<Hostile> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            mode,
            creds: Credentials::sandbox(),
            orders: Mutex::new(HashMap::new()),
            counts: Mutex::new(HashMap::new()),
            connections: AtomicU32::new(0),
        });
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                shared.connections.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(serve(shared.clone(), stream));
            }
        });
        Ok(Hostile { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The acquirer's truth about an order.
    pub fn order(&self, merchant_transaction_id: &str) -> Option<Order> {
        self.state
            .orders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(merchant_transaction_id)
            .cloned()
    }

    /// How many requests of an operation arrived.
    pub fn requests(&self, op: Op) -> u32 {
        self.state.counts.lock().unwrap_or_else(|p| p.into_inner()).get(&op).copied().unwrap_or(0)
    }
}

/// Longest request the server reads; the cashier's requests are a few hundred bytes.
const MAX_REQUEST: usize = 256 * 1024;

async fn serve(state: Arc<State>, mut stream: TcpStream) {
    let Some((path, body)) = read_request(&mut stream).await else { return };
    let Some(op) = Op::of_path(&path) else {
        let _ = stream.write_all(&raw(404, "text/plain", b"no such path")).await;
        return;
    };
    let n = state.count(op);
    let reply = modes::decide(&state, op, n, &body);
    modes::send(stream, reply).await;
}

/// Reads one request: the path and the body (by `Content-Length`).
pub(crate) async fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_REQUEST {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let path = head.split_whitespace().nth(1)?.to_string();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0)
        .min(MAX_REQUEST);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some((path, body))
}

/// A complete HTTP/1.1 response that closes the connection.
pub(crate) fn raw(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}
