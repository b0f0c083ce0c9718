//! Sign + verify of a 1 KB PingPong envelope, MD5 and SHA-256, and an Oceanpayment signValue.
//!
//! Run with `cargo bench -p tillkit-core --bench sign`.

use criterion::{criterion_group, criterion_main, Criterion};
use secrecy::SecretString;
use serde_json::{Map, Value};
use std::hint::black_box;
use tillkit_core::sign::oceanpayment::{self, OceanMessage};
use tillkit_core::sign::pingpong;

/// A realistic unifiedPay bizContent padded with a remark to exactly 1024 bytes of JSON.
fn envelope_1kb(sign_type: &str) -> Map<String, Value> {
    let head = r#"{"amount":"12.50","currency":"CNY","merchantTransactionId":"POS-20261122-000123","requestId":"POS-20261122-000123-1","captureDelayHours":0,"paymentMethod":{"type":"Wechat-Offline","scanCodeId":"134650720866361395"},"device":{"orderTerminal":"02"},"cashierDeviceId":"REGISTER-01","notificationUrl":"https://merchant.example/notify","remark":""#;
    let tail = r#""}"#;
    let pad = 1024 - head.len() - tail.len();
    let biz = format!("{head}{}{tail}", "x".repeat(pad));
    assert_eq!(biz.len(), 1024);
    let mut env = Map::new();
    for (k, v) in [
        ("accId", "2018092714313010016291"),
        ("clientId", "2018092714313010016"),
        ("signType", sign_type),
        ("version", "1.0"),
    ] {
        env.insert(k.into(), Value::String(v.into()));
    }
    env.insert("bizContent".into(), Value::String(biz));
    env
}

fn bench_sign(c: &mut Criterion) {
    let salt = SecretString::from("F78BC96A55548B2319EE68E0".to_string());
    for sign_type in ["SHA256", "MD5"] {
        let mut env = envelope_1kb(sign_type);
        c.bench_function(&format!("pingpong_sign_1kb_{sign_type}"), |b| {
            b.iter(|| pingpong::sign_envelope(&salt, black_box(&env)))
        });
        let sign = pingpong::sign_envelope(&salt, &env).expect("signable");
        env.insert("sign".into(), Value::String(sign));
        c.bench_function(&format!("pingpong_sign_and_verify_1kb_{sign_type}"), |b| {
            b.iter(|| {
                let s = pingpong::sign_envelope(&salt, black_box(&env)).expect("signable");
                black_box(s);
                pingpong::verify_envelope(&salt, black_box(&env))
            })
        });
    }
    let code = SecretString::from("12345678".to_string());
    let fields: Vec<(&str, &str)> = vec![
        ("account", "995378"),
        ("terminal", "99537801"),
        ("order_number", "NO12345678"),
        ("order_currency", "CNY"),
        ("order_amount", "0.01"),
        ("payment_id", "230101000000000000001"),
        ("payment_authType", "0"),
        ("payment_status", "1"),
        ("payment_details", "20000:Success"),
    ];
    c.bench_function("oceanpayment_sign_response", |b| {
        b.iter(|| {
            oceanpayment::sign(
                OceanMessage::PayResponse,
                |k| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| *v),
                &code,
            )
        })
    });
}

criterion_group!(benches, bench_sign);
criterion_main!(benches);
