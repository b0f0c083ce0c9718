//! The HTTP device channel against a tiny acquirer in the test: it checks every request's MAC
//! and sequence number with `sign::device`, signs its answers, and tampers with some.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tillkit_core::acquirer::HttpSettings;
use tillkit_core::agent::{
    AgentStore, ChannelError, DeviceChannel, HttpDeviceChannel, InboxKind, ResultAck, ResultReport,
    TerminalProgress, TerminalResult,
};
use tillkit_core::money::Amount;
use tillkit_core::sign::device::{self, DeviceKey, RequestHead};

#[derive(Default)]
struct Acquirer {
    seqs: Mutex<Vec<u64>>,
    recorded: Mutex<Option<String>>,
    tamper: AtomicBool,
    unsigned: AtomicBool,
}

fn key() -> DeviceKey {
    DeviceKey::new("k-1", vec![9u8; 32]).unwrap()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn endpoint(
    State(acq): State<Arc<Acquirer>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = key();
    let seq: u64 = header(&headers, device::SEQ_HEADER).parse().unwrap_or(0);
    let issued_at_ms: i64 = header(&headers, device::ISSUED_AT_HEADER).parse().unwrap_or(0);
    let path = format!("/device/v1/{name}");
    let head = RequestHead { method: "POST", path: &path, seq, issued_at_ms };
    let signature = header(&headers, device::SIGNATURE_HEADER);
    let (status, answer) = if header(&headers, device::KEY_ID_HEADER) != key.key_id
        || device::verify_request(&key, &head, &body, signature).is_err()
    {
        (401, json!({"code": "bad_signature", "message": "MAC does not verify"}))
    } else if acq.seqs.lock().unwrap().last().is_some_and(|last| seq <= *last) {
        (409, json!({"code": "replayed", "message": "seq not above the last"}))
    } else {
        acq.seqs.lock().unwrap().push(seq);
        let request: Value = serde_json::from_slice(&body).unwrap();
        match name.as_str() {
            "inbox" => (
                200,
                json!({"messages": [{"id": "m-1", "seq": 1, "kind": "sale",
                "transactionId": "POS-1", "amount": "12.50", "currency": "CNY",
                "deadlineMs": 1_765_000_000_000i64}]}),
            ),
            "ack" if request["id"] == "m-1" => (200, json!({"ok": true})),
            "ack" => (404, json!({"code": "unknown_message", "message": "no such message"})),
            "progress" | "authorize" if request["transactionId"] != "POS-1" => {
                (400, json!({"code": "bad_input", "message": "unknown transaction"}))
            }
            "progress" => (200, json!({"ok": true})),
            "authorize" => {
                (200, json!({"approved": true, "authCode": "A1B2C3", "issuerTlv": "8A023030"}))
            }
            "result" => {
                let result = request["result"].as_str().unwrap_or("").to_string();
                let mut recorded = acq.recorded.lock().unwrap();
                match recorded.clone() {
                    None => {
                        *recorded = Some(result);
                        (200, json!({"status": "recorded"}))
                    }
                    Some(r) if r == result => (200, json!({"status": "already_recorded"})),
                    Some(r) => (409, json!({"code": "conflict", "recorded": r})),
                }
            }
            _ => (404, json!({"code": "not_found", "message": name})),
        }
    };
    let mut bytes = serde_json::to_vec(&answer).unwrap();
    let mac = device::sign_answer(&key, seq, status, &bytes);
    if acq.tamper.swap(false, Ordering::SeqCst) {
        bytes = serde_json::to_vec(&json!({"ok": true, "tampered": 1})).unwrap();
    }
    let code = StatusCode::from_u16(status).unwrap();
    if acq.unsigned.swap(false, Ordering::SeqCst) {
        return (code, bytes).into_response();
    }
    (code, [(device::SIGNATURE_HEADER, mac)], bytes).into_response()
}

async fn serve() -> (String, Arc<Acquirer>) {
    let acq = Arc::new(Acquirer::default());
    let app = Router::new().route("/device/v1/{name}", post(endpoint)).with_state(Arc::clone(&acq));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), acq)
}

fn channel(base: &str, store: &Arc<AgentStore>, key: DeviceKey) -> HttpDeviceChannel {
    HttpDeviceChannel::new(&HttpSettings::new(base), key, Arc::clone(store) as _).unwrap()
}

#[tokio::test]
async fn agent_http_channel_signs_requests_and_believes_only_signed_answers() {
    let (base, acq) = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(AgentStore::open(&dir.path().join("agent.db")).unwrap());
    let ch = channel(&base, &store, key());

    let messages = ch.poll(Duration::ZERO).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].kind,
        InboxKind::Sale { amount: Amount::parse("12.50", "CNY").unwrap() }
    );
    ch.ack("m-1").await.unwrap();
    assert_eq!(
        ch.ack("m-9").await,
        Err(ChannelError::Refused {
            code: "unknown_message".into(),
            message: "no such message".into()
        })
    );
    ch.progress("POS-1", TerminalProgress::Pin).await.unwrap();
    let request = tillkit_core::reader::ReaderRequest {
        transaction_id: "POS-1".into(),
        kind: tillkit_core::reader::ReaderTxKind::Sale,
        amount: Amount::parse("12.50", "CNY").unwrap(),
    };
    let emv = tillkit_core::reader::sim::authorization_tlv(&request);
    let answer = ch.authorize(&request, &emv).await.unwrap();
    assert!(answer.approved);
    assert_eq!(answer.auth_code.as_deref(), Some("A1B2C3"));

    let approved = ResultReport {
        transaction_id: "POS-1".into(),
        result: TerminalResult::Approved { auth_code: Some("A1B2C3".into()) },
        card: None,
        reason: None,
    };
    assert_eq!(ch.report(&approved).await, Ok(ResultAck::Recorded));
    assert_eq!(ch.report(&approved).await, Ok(ResultAck::AlreadyRecorded));
    let declined = ResultReport { result: TerminalResult::Declined, ..approved };
    assert_eq!(ch.report(&declined).await, Ok(ResultAck::Conflict { recorded: "approved".into() }));

    // An answer altered after signing, or not signed, is not believed.
    acq.tamper.store(true, Ordering::SeqCst);
    assert!(matches!(
        ch.progress("POS-1", TerminalProgress::Pin).await,
        Err(ChannelError::BadAnswer(_))
    ));
    acq.unsigned.store(true, Ordering::SeqCst);
    assert!(matches!(ch.ack("m-1").await, Err(ChannelError::BadAnswer(_))));

    // A restarted agent (a new channel on the same journal) continues above every used seq.
    drop(ch);
    let again = channel(&base, &store, key());
    again.ack("m-1").await.unwrap();
    let seqs = acq.seqs.lock().unwrap().clone();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert!(store.seq_reserved().unwrap() > *seqs.last().unwrap());

    // The wrong key: the acquirer refuses, and its answer does not verify for us either.
    let wrong = channel(&base, &store, DeviceKey::new("k-1", vec![1u8; 32]).unwrap());
    assert!(matches!(wrong.ack("m-1").await, Err(ChannelError::BadAnswer(_))));
}

#[tokio::test]
async fn agent_http_channel_unreachable_when_nobody_listens() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(AgentStore::open(&dir.path().join("agent.db")).unwrap());
    let ch = channel(&format!("http://{addr}"), &store, key());
    assert!(matches!(ch.poll(Duration::ZERO).await, Err(ChannelError::Unreachable(_))));
    assert!(HttpDeviceChannel::new(&HttpSettings::new("http://example.com"), key(), store).is_err());
}
