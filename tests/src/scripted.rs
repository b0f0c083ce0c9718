//! A scripted PingPong acquirer on 127.0.0.1: the test decides each answer (code, text and
//! payload), the server signs it with the sandbox's credentials. For the answers no honest
//! server gives on cue: a terminal busy, a query that finds nothing, a result at the terminal.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use secrecy::SecretString;
use serde_json::{json, Map, Value};
use tillkit_core::sign::pingpong::sign_envelope;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::hostile::{raw, read_request, Credentials, Op};

/// One answer: the top-level code and text, and `bizContent` when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// `code`.
    pub code: String,
    /// `description`.
    pub description: String,
    /// `bizContent`.
    pub biz: Option<Value>,
}

impl Reply {
    /// An answer without payload.
    pub fn error(code: &str, description: &str) -> Reply {
        Reply { code: code.into(), description: description.into(), biz: None }
    }

    /// A `000000` answer about the order and attempt asked about, for 2.00 CNY, in `status`,
    /// with `extra` fields added to the payload.
    pub fn payment(asked: &Map<String, Value>, status: &str, extra: Value) -> Reply {
        let mut biz = json!({
            "merchantTransactionId": asked.get("merchantTransactionId").cloned().unwrap_or_default(),
            "requestId": asked.get("requestId").cloned().unwrap_or_default(),
            "transactionId": "SCRIPTED-1",
            "amount": "2.000000",
            "currency": "CNY",
            "status": status,
        });
        if let (Some(b), Value::Object(more)) = (biz.as_object_mut(), extra) {
            b.extend(more);
        }
        Reply { code: "000000".into(), description: "ok".into(), biz: Some(biz) }
    }
}

/// Decides the answer to the `n`-th request (from 1) of an operation, given its `bizContent`.
pub type Script = dyn Fn(Op, u32, &Map<String, Value>) -> Reply + Send + Sync;

struct State {
    script: Box<Script>,
    creds: Credentials,
    counts: Mutex<HashMap<Op, u32>>,
}

/// A running scripted acquirer. Dropping it stops accepting connections.
pub struct Scripted {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Scripted {
    /// Starts a scripted acquirer on a free loopback port.
    pub async fn start(
        script: impl Fn(Op, u32, &Map<String, Value>) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<Scripted> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            script: Box::new(script),
            creds: Credentials::sandbox(),
            counts: Mutex::new(HashMap::new()),
        });
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(shared.clone(), stream));
            }
        });
        Ok(Scripted { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests of an operation arrived.
    pub fn requests(&self, op: Op) -> u32 {
        self.state.counts.lock().unwrap_or_else(|p| p.into_inner()).get(&op).copied().unwrap_or(0)
    }
}

async fn serve(state: Arc<State>, mut stream: TcpStream) {
    let Some((path, body)) = read_request(&mut stream).await else { return };
    let Some(op) = Op::of_path(&path) else {
        let _ = stream.write_all(&raw(404, "text/plain", b"no such path")).await;
        return;
    };
    let n = {
        let mut counts = state.counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(op).or_insert(0);
        *n += 1;
        *n
    };
    let asked = bizcontent(&body).unwrap_or_default();
    let reply = (state.script)(op, n, &asked);
    let body = render(&state.creds.acc_id, &state.creds.client_id, &state.creds.salt, &reply);
    let _ = stream.write_all(&raw(200, "application/json", &body)).await;
    let _ = stream.shutdown().await;
}

fn bizcontent(body: &[u8]) -> Option<Map<String, Value>> {
    let env: Map<String, Value> = serde_json::from_slice(body).ok()?;
    match serde_json::from_str(env.get("bizContent")?.as_str()?).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn render(acc_id: &str, client_id: &str, salt: &SecretString, reply: &Reply) -> Vec<u8> {
    let mut env = Map::new();
    env.insert("accId".into(), json!(acc_id));
    env.insert("clientId".into(), json!(client_id));
    env.insert("signType".into(), json!("SHA256"));
    env.insert("code".into(), json!(reply.code));
    env.insert("description".into(), json!(reply.description));
    if let Some(biz) = &reply.biz {
        env.insert("bizContent".into(), json!(biz.to_string()));
    }
    if let Ok(sign) = sign_envelope(salt, &env) {
        env.insert("sign".into(), json!(sign));
    }
    serde_json::to_vec(&env).unwrap_or_default()
}
