//! A small terminal agent for the device channel tests: signs requests with its device key and
//! verifies every answer (tillkit_core::sign::device).
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tillkit_core::emv::{encode, Tag, Tlv};
use tillkit_core::sign::device::{
    sign_request, verify_answer, DeviceKey, RequestHead, ISSUED_AT_HEADER, KEY_ID_HEADER,
    SEQ_HEADER, SIGNATURE_HEADER,
};

/// The card number in the test EMV data: it must never reach the ledger unmasked.
pub const PAN: &str = "4761739001010119";

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// A terminal agent speaking the device channel.
pub struct Agent {
    pub key: DeviceKey,
    pub sn: String,
    pub model: String,
    base: String,
    http: reqwest::Client,
    seq: AtomicU64,
}

/// A verified device answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

/// Registers a terminal over HTTP and returns its agent.
pub async fn register(base: &str, sn: &str, model: &str) -> Agent {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = http
        .post(format!("{base}/sandbox/terminals"))
        .json(&json!({"deviceSn": sn, "deviceModel": model}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["deviceSn"], sn);
    let key =
        DeviceKey::from_hex(body["keyId"].as_str().unwrap(), body["deviceKey"].as_str().unwrap())
            .unwrap();
    Agent::new(base, sn, model, key)
}

impl Agent {
    pub fn new(base: &str, sn: &str, model: &str, key: DeviceKey) -> Agent {
        let micros = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros() as u64;
        Agent {
            key,
            sn: sn.into(),
            model: model.into(),
            base: base.into(),
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            seq: AtomicU64::new(micros),
        }
    }

    /// The same agent pointed at another base URL (a restarted sandbox).
    pub fn moved_to(self, base: &str) -> Agent {
        Agent { base: base.into(), ..self }
    }

    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Sends a request signed normally.
    pub async fn send(&self, endpoint: &str, body: &Value) -> Answer {
        let seq = self.next_seq();
        self.send_raw(endpoint, body.to_string().into_bytes(), seq, now_ms(), None).await
    }

    /// Sends a request with this seq, issue time and (optionally) a forged signature; checks
    /// that the answer verifies.
    pub async fn send_raw(
        &self,
        endpoint: &str,
        body: Vec<u8>,
        seq: u64,
        issued_at_ms: i64,
        signature: Option<String>,
    ) -> Answer {
        let path = format!("/device/v1/{endpoint}");
        let head = RequestHead { method: "POST", path: &path, seq, issued_at_ms };
        let sig = signature.unwrap_or_else(|| sign_request(&self.key, &head, &body));
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header(KEY_ID_HEADER, &self.key.key_id)
            .header(SEQ_HEADER, seq.to_string())
            .header(ISSUED_AT_HEADER, issued_at_ms.to_string())
            .header(SIGNATURE_HEADER, sig)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let answer_sig =
            resp.headers().get(SIGNATURE_HEADER).map(|v| v.to_str().unwrap().to_string());
        let bytes = resp.bytes().await.unwrap();
        let answer_sig = answer_sig.expect("every answer is signed");
        verify_answer(&self.key, seq, status, &bytes, &answer_sig).expect("the answer verifies");
        let body = serde_json::from_slice(&bytes).unwrap();
        Answer { status, body }
    }

    /// Polls the inbox; returns its messages.
    pub async fn poll(&self, wait_ms: u64) -> Vec<Value> {
        let a = self.send("inbox", &json!({"waitMs": wait_ms})).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        a.body["messages"].as_array().unwrap().clone()
    }

    /// Acknowledges a message.
    pub async fn ack(&self, id: &Value) -> Answer {
        self.send("ack", &json!({"id": id})).await
    }

    /// Polls until a message for `transaction_id` arrives; acknowledges it; returns it.
    pub async fn take(&self, transaction_id: &str, kind: &str) -> Value {
        for _ in 0..50 {
            let messages = self.poll(200).await;
            if let Some(m) = messages
                .into_iter()
                .find(|m| m["transactionId"] == transaction_id && m["kind"] == kind)
            {
                let a = self.ack(&m["id"]).await;
                assert_eq!(a.status, 200, "{:?}", a.body);
                return m;
            }
        }
        panic!("no {kind} message for {transaction_id}");
    }

    pub async fn authorize(
        &self,
        transaction_id: &str,
        minor: u64,
        currency_numeric: &str,
    ) -> Answer {
        let emv = hex::encode(emv(minor, currency_numeric));
        self.send("authorize", &json!({"transactionId": transaction_id, "emv": emv})).await
    }

    pub async fn result(&self, transaction_id: &str, result: &str) -> Answer {
        let body = json!({
            "transactionId": transaction_id, "result": result, "authCode": null,
            "offlineId": null, "reason": null, "maskedPan": "476173******0119",
        });
        self.send("result", &body).await
    }
}

/// A card's online authorisation request (BER-TLV) for `minor` units of a currency.
pub fn emv(minor: u64, currency_numeric: &str) -> Vec<u8> {
    let amount = format!("{minor:012}");
    let objects: Vec<(u32, String)> = vec![
        (0x9F02, amount),
        (0x5F2A, format!("0{currency_numeric}")),
        (0x4F, "A0000000031010".into()),
        (0x5A, PAN.into()),
        (0x5F24, "251231".into()),
        (0x9F26, "0123456789ABCDEF".into()),
        (0x9F27, "80".into()),
        (0x9F36, "001C".into()),
        (0x95, "0000008000".into()),
        (0x9F39, "07".into()),
    ];
    let tlvs: Vec<Tlv> = objects
        .into_iter()
        .map(|(t, v)| Tlv::primitive(Tag::new(t).unwrap(), hex::decode(v).unwrap()).unwrap())
        .collect();
    encode(&tlvs).unwrap()
}

/// Clearing data for an offline approval, with `extra` objects added.
pub fn clearing(extra: &[(u32, &str)]) -> String {
    let mut objects = vec![
        Tlv::primitive(Tag::new(0x9F26).unwrap(), hex::decode("0123456789ABCDEF").unwrap())
            .unwrap(),
        Tlv::primitive(Tag::new(0x9F27).unwrap(), vec![0x40]).unwrap(),
    ];
    for (t, v) in extra {
        objects.push(Tlv::primitive(Tag::new(*t).unwrap(), hex::decode(v).unwrap()).unwrap());
    }
    hex::encode(encode(&objects).unwrap())
}
