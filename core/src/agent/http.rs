//! [`DeviceChannel`] over HTTP, as docs/terminal-channel.md describes and the sandbox serves:
//! every request signed with the terminal's key under a strictly increasing sequence number,
//! every answer's MAC checked before anything in it is believed.
//!
//! Requests go one at a time (a lock is held from choosing the sequence number until the
//! answer is read): the acquirer refuses a number at or below the last it accepted, so two
//! requests in flight could overtake each other and one be taken for a replay.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::channel::{ChannelError, DeviceChannel, ForwardAck, InboxMessage, OfflineApproval};
use super::channel::{ResultAck, ResultReport, TerminalProgress};
use super::wire;
use crate::acquirer::{connect, AcquirerError, HttpSettings};
use crate::reader::{EmvData, OnlineResponse, ReaderRequest};
use crate::sign::device::{self, DeviceKey, RequestHead};
use crate::transport::{self, HttpMethod, HttpRequest, HttpResponse, HttpTransport};

/// Answers larger than this are refused: the largest body the protocol allows is 16 KB.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Sequence numbers reserved on disk at a time, so that not every request writes the journal.
const SEQ_BLOCK: u64 = 1_000;

/// Where the channel keeps the highest sequence number it may have used, so that a restarted
/// agent never reuses one (the agent's journal implements it).
pub trait SeqStore: Send + Sync {
    /// The highest number reserved so far (0 at first).
    fn reserved(&self) -> Result<u64, String>;
    /// Durably records that numbers up to `upto` may be used.
    fn reserve(&self, upto: u64) -> Result<(), String>;
}

impl SeqStore for super::store::AgentStore {
    fn reserved(&self) -> Result<u64, String> {
        self.seq_reserved().map_err(|e| e.to_string())
    }
    fn reserve(&self, upto: u64) -> Result<(), String> {
        self.reserve_seq(upto).map_err(|e| e.to_string())
    }
}

struct SeqState {
    next: u64,
    reserved: u64,
}

/// The HTTP device channel.
pub struct HttpDeviceChannel {
    transport: Arc<dyn HttpTransport>,
    base_url: String,
    connect_timeout: Duration,
    request_timeout: Duration,
    key: DeviceKey,
    seqs: Arc<dyn SeqStore>,
    state: tokio::sync::Mutex<Option<SeqState>>,
}

impl std::fmt::Debug for HttpDeviceChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HttpDeviceChannel({}, {:?})", self.base_url, self.key)
    }
}

impl HttpDeviceChannel {
    /// A channel to the acquirer at `settings.base_url` (https, or http to this machine),
    /// signing with `key`, keeping its sequence numbers in `seqs`.
    pub fn new(
        settings: &HttpSettings,
        key: DeviceKey,
        seqs: Arc<dyn SeqStore>,
    ) -> Result<Self, AcquirerError> {
        let (transport, base_url) = connect(settings)?;
        Ok(HttpDeviceChannel {
            transport,
            base_url,
            connect_timeout: settings.connect_timeout,
            request_timeout: settings.request_timeout,
            key,
            seqs,
            state: tokio::sync::Mutex::new(None),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The next sequence number: above the last one used and, at the first request of a run,
    /// above both the last reserved on disk and the time in microseconds.
    fn next_seq(&self, state: &mut Option<SeqState>) -> Result<u64, ChannelError> {
        let journal = |e: String| ChannelError::Unreachable(format!("agent journal: {e}"));
        let s = match state {
            Some(s) => s,
            None => {
                let reserved = self.seqs.reserved().map_err(journal)?;
                let now_us = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
                let next = reserved.max(now_us).saturating_add(1);
                state.insert(SeqState { next, reserved })
            }
        };
        let seq = s.next;
        if seq >= s.reserved {
            let upto = seq.saturating_add(SEQ_BLOCK);
            self.seqs.reserve(upto).map_err(journal)?;
            s.reserved = upto;
        }
        s.next = seq.saturating_add(1);
        Ok(seq)
    }

    /// POSTs `body` to `path`, signed; returns the status and body of a verified answer.
    async fn call(
        &self,
        path: &str,
        body: &Value,
        extra_wait: Duration,
    ) -> Result<(u16, Vec<u8>), ChannelError> {
        let body = serde_json::to_vec(body)
            .map_err(|e| ChannelError::Unreachable(format!("cannot encode the request: {e}")))?;
        let mut state = self.state.lock().await;
        let seq = self.next_seq(&mut state)?;
        let issued_at_ms = super::store::now_ms();
        let head = RequestHead { method: "POST", path, seq, issued_at_ms };
        let signature = device::sign_request(&self.key, &head, &body);
        let request = HttpRequest {
            method: HttpMethod::Post,
            url: format!("{}{path}", self.base_url),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                (device::KEY_ID_HEADER.into(), self.key.key_id.clone()),
                (device::SEQ_HEADER.into(), seq.to_string()),
                (device::ISSUED_AT_HEADER.into(), issued_at_ms.to_string()),
                (device::SIGNATURE_HEADER.into(), signature),
            ],
            body,
            connect_timeout: self.connect_timeout,
            timeout: self.request_timeout + extra_wait,
            max_answer_bytes: MAX_ANSWER_BYTES,
        };
        let response = send(self.transport.as_ref(), request, path).await?;
        let mac = response.header(device::SIGNATURE_HEADER).map(str::to_string);
        let (status, answer) = (response.status, response.body);
        drop(state);
        let mac = mac.ok_or_else(|| {
            ChannelError::BadAnswer(format!("{path}: HTTP {status} answer without a signature"))
        })?;
        device::verify_answer(&self.key, seq, status, &answer, &mac).map_err(|_| {
            ChannelError::BadAnswer(format!(
                "{path}: HTTP {status} answer signature does not verify"
            ))
        })?;
        Ok((status, answer))
    }

    /// A call whose only good answer is 2xx.
    async fn call_ok(
        &self,
        path: &str,
        body: &Value,
        wait: Duration,
    ) -> Result<Vec<u8>, ChannelError> {
        let (status, answer) = self.call(path, body, wait).await?;
        if (200..300).contains(&status) {
            Ok(answer)
        } else {
            Err(wire::error_answer(status, &answer))
        }
    }
}

#[async_trait::async_trait]
impl DeviceChannel for HttpDeviceChannel {
    async fn poll(&self, wait: Duration) -> Result<Vec<InboxMessage>, ChannelError> {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).min(30_000);
        let body = wire::inbox_request(wait_ms);
        let answer =
            self.call_ok("/device/v1/inbox", &body, Duration::from_millis(wait_ms)).await?;
        wire::parse_inbox(&answer)
    }

    async fn ack(&self, message_id: &str) -> Result<(), ChannelError> {
        let body = serde_json::json!({ "id": message_id });
        wire::parse_ok(&self.call_ok("/device/v1/ack", &body, Duration::ZERO).await?)
    }

    async fn progress(
        &self,
        transaction_id: &str,
        step: TerminalProgress,
    ) -> Result<(), ChannelError> {
        let body = serde_json::json!({
            "transactionId": transaction_id,
            "step": wire::step_name(step),
        });
        wire::parse_ok(&self.call_ok("/device/v1/progress", &body, Duration::ZERO).await?)
    }

    async fn authorize(
        &self,
        request: &ReaderRequest,
        emv: &EmvData,
    ) -> Result<OnlineResponse, ChannelError> {
        // The hex of the card data lives only in this body, which is dropped after sending.
        let body = serde_json::json!({
            "transactionId": request.transaction_id,
            "emv": hex::encode(emv.as_bytes()),
        });
        wire::parse_authorize(&self.call_ok("/device/v1/authorize", &body, Duration::ZERO).await?)
    }

    async fn report(&self, report: &ResultReport) -> Result<ResultAck, ChannelError> {
        let body = wire::result_request(report);
        let (status, answer) = self.call("/device/v1/result", &body, Duration::ZERO).await?;
        match wire::parse_result_ack(status, &answer) {
            Some(ack) => ack,
            None => Err(wire::error_answer(status, &answer)),
        }
    }

    async fn forward_offline(
        &self,
        approval: &OfflineApproval,
    ) -> Result<ForwardAck, ChannelError> {
        let body = wire::offline_request(approval);
        wire::parse_forward_ack(&self.call_ok("/device/v1/offline", &body, Duration::ZERO).await?)
    }
}

/// A terminal registered with the sandbox: its key (shown once).
#[derive(Debug)]
pub struct Registration {
    /// The key and its id, to keep in the terminal's key store.
    pub key: DeviceKey,
}

/// Registers a terminal with the sandbox (`POST {base}/sandbox/terminals`), which issues a new
/// key and revokes any older one. A sandbox convenience: a real acquirer issues keys its own way.
pub async fn register_with_sandbox(
    settings: &HttpSettings,
    serial: &str,
    model: &str,
) -> Result<Registration, ChannelError> {
    let (transport, base_url) =
        connect(settings).map_err(|e| ChannelError::Unreachable(e.to_string()))?;
    let body = serde_json::json!({ "deviceSn": serial, "deviceModel": model });
    let request = HttpRequest {
        method: HttpMethod::Post,
        url: format!("{base_url}/sandbox/terminals"),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: serde_json::to_vec(&body)
            .map_err(|e| ChannelError::Unreachable(format!("cannot encode the request: {e}")))?,
        connect_timeout: settings.connect_timeout,
        timeout: settings.request_timeout,
        max_answer_bytes: MAX_ANSWER_BYTES,
    };
    let response = send(transport.as_ref(), request, "register").await?;
    let (status, answer) = (response.status, response.body);
    if !(200..300).contains(&status) {
        return Err(wire::error_answer(status, &answer));
    }
    let value = wire::parse_body(&answer)?;
    let field = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| ChannelError::BadAnswer(format!("{k}: missing or not a string")))
    };
    let key = DeviceKey::from_hex(field("keyId")?, field("deviceKey")?)
        .map_err(|e| ChannelError::BadAnswer(format!("deviceKey: {e}")))?;
    Ok(Registration { key })
}

/// Sends through the transport; every failure is "unreachable" or a bad answer (the channel's
/// callers retry by message id, so "not sent" needs no separate treatment here).
async fn send(
    transport: &dyn HttpTransport,
    request: HttpRequest,
    what: &str,
) -> Result<HttpResponse, ChannelError> {
    transport::send_bounded(transport, request).await.map_err(|e| match e {
        transport::BoundedError::Transport(e) => ChannelError::Unreachable(format!("{what}: {e}")),
        transport::BoundedError::BadAnswer(why) => {
            ChannelError::BadAnswer(format!("{what}: {why}"))
        }
    })
}
