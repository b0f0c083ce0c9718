//! Real HTTPS between the engine and the sandbox: a certificate from a CA given as an extra
//! root is trusted, a self-signed certificate or one for another host is refused before any
//! request leaves, so the sale is "not sent" (queued, then offline) and nothing is charged.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::acquirer::pingpong::{PingPong, PingPongConfig};
use tillkit_core::acquirer::{
    Acquirer as _, AcquirerError, PayRequest, PaymentMethod, WalletMethod,
};
use tillkit_core::engine::{
    AcquirerSettings, Cashier, CashierError, NoListener, SaleInput, SaleMethodInput,
};
use tillkit_core::money::Amount;
use tillkit_core::order::{FailReason, SaleStatus};
use tillkit_sandbox::tls::{self_signed, TestCa, TlsIdentity};
use tillkit_sandbox::{Acquirer, Sandbox, SandboxConfig, SandboxHandle};
use tillkit_tests::*;

const SCALE: f64 = 0.01;
const LIMIT: Duration = Duration::from_secs(20);

async fn https_sandbox(identity: TlsIdentity) -> SandboxHandle {
    let config = SandboxConfig {
        time_scale: SCALE,
        tls: Some(identity),
        terminals: tillkit_sandbox::TerminalMode::AutoSettle,
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.expect("sandbox starts");
    assert!(sb.url().starts_with("https://127.0.0.1:"), "{}", sb.url());
    sb
}

async fn open(sb: &SandboxHandle, dir: &std::path::Path, roots: Vec<String>) -> Cashier {
    let mut config = cashier_config(sb, &sb.url(), SCALE);
    if let AcquirerSettings::PingPong { http, .. } = &mut config.acquirer {
        http.extra_roots = roots;
    }
    Cashier::open(config, dir, key_store(sb), Arc::new(NoListener)).await.expect("cashier opens")
}

fn code_sale(id: &str) -> SaleInput {
    SaleInput {
        sale_id: Some(id.into()),
        amount: Amount::parse("12.00", "CNY").unwrap(),
        method: SaleMethodInput::CustomerCode(wechat_code()),
        remark: None,
        qr_lifetime: None,
    }
}

#[tokio::test]
async fn a_sale_over_https_with_the_test_ca_as_extra_root_is_paid() {
    let ca = TestCa::generate("TillKit test CA").unwrap();
    let sb = https_sandbox(ca.issue(&["127.0.0.1", "localhost"]).unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier = open(&sb, dir.path(), vec![ca.cert_pem().to_string()]).await;
    let id = unique_id("TLS");
    let first = cashier.start_sale(code_sale(&id)).await.unwrap();
    assert_ne!(first.status, SaleStatus::Queued, "the first request went through: {first:?}");
    assert_eq!(wait_final(&cashier, &id, LIMIT).await.status, SaleStatus::Paid);
    let order = sb.order(Acquirer::PingPong, &id).unwrap().expect("the acquirer has the order");
    assert_eq!(order.charges.len(), 1);
    cashier.close().await;
    sb.shutdown().await;
}

/// The sale never reaches the acquirer: queued at first, offline at the end, never unknown,
/// and the sandbox has no trace of it.
async fn assert_refused_as_not_sent(sb: &SandboxHandle, cashier: &Cashier) {
    let id = unique_id("TLSX");
    let first = cashier.start_sale(code_sale(&id)).await.unwrap();
    assert_eq!(first.status, SaleStatus::Queued, "{first:?}");
    assert_eq!(cashier.online(), Some(false));
    let last = wait_final(cashier, &id, LIMIT).await;
    assert_eq!(last.status, SaleStatus::Failed(FailReason::Offline), "{last:?}");
    let journal = cashier.journal(&id).unwrap();
    assert!(
        !journal.iter().any(|l| format!("{l:?}").to_lowercase().contains("unknown")),
        "never unknown: {journal:?}"
    );
    assert!(sb.order(Acquirer::PingPong, &id).unwrap().is_none(), "nothing reached the acquirer");
    assert!(sb.ledger_rows().unwrap().is_empty(), "nothing charged");
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_as_not_sent() {
    let sb = https_sandbox(self_signed(&["127.0.0.1", "localhost"]).unwrap()).await;
    // Through the platform verifier (no extra roots) …
    let dir = tempfile::tempdir().unwrap();
    let cashier = open(&sb, dir.path(), Vec::new()).await;
    assert_refused_as_not_sent(&sb, &cashier).await;
    cashier.close().await;
    // … and through the bundled roots with an unrelated CA added.
    let other = TestCa::generate("Another CA").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cashier = open(&sb, dir.path(), vec![other.cert_pem().to_string()]).await;
    assert_refused_as_not_sent(&sb, &cashier).await;
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_certificate_for_another_host_is_refused_as_not_sent() {
    let ca = TestCa::generate("TillKit test CA").unwrap();
    let sb = https_sandbox(ca.issue(&["acquirer.example.com"]).unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier = open(&sb, dir.path(), vec![ca.cert_pem().to_string()]).await;
    assert_refused_as_not_sent(&sb, &cashier).await;
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_failed_handshake_is_classified_not_sent() {
    let ca = TestCa::generate("TillKit test CA").unwrap();
    for (identity, roots) in [
        (self_signed(&["127.0.0.1"]).unwrap(), vec![]),
        (ca.issue(&["acquirer.example.com"]).unwrap(), vec![ca.cert_pem().to_string()]),
    ] {
        let sb = https_sandbox(identity).await;
        let mut http = http(&sb.url(), Duration::from_secs(2));
        http.extra_roots = roots;
        let adapter =
            PingPong::new(PingPongConfig { http, credentials: pingpong_credentials(&sb) }).unwrap();
        let request = PayRequest {
            merchant_transaction_id: unique_id("H"),
            request_id: unique_id("Q"),
            amount: Amount::parse("1.00", "CNY").unwrap(),
            method: PaymentMethod::CustomerCode {
                wallet: WalletMethod::WechatPay,
                code: tillkit_core::paycode::PaymentCode::parse(&wechat_code()).unwrap(),
            },
            cashier_device_id: "T".into(),
            notification_url: None,
            expires_at_unix: None,
            remark: None,
        };
        let e = adapter.pay(&request).await.unwrap_err();
        assert!(matches!(e, AcquirerError::NotSent { .. }), "{e:?}");
        assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");
        sb.shutdown().await;
    }
}

#[tokio::test]
async fn plain_http_to_another_host_and_bad_roots_are_refused_before_anything_is_written() {
    let sb = sandbox(SCALE).await;
    let cases: [(&str, Vec<String>, &str); 4] = [
        ("http://acquirer.example.com", vec![], "base_url"),
        ("http://[::1", vec![], "base_url"),
        ("https://user:secret@acquirer.example.com", vec![], "base_url"),
        ("https://acquirer.example.com", vec!["not a certificate".into()], "extra_roots"),
    ];
    for (url, roots, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut config = cashier_config(&sb, url, SCALE);
        if let AcquirerSettings::PingPong { http, .. } = &mut config.acquirer {
            http.extra_roots = roots;
        }
        let e = Cashier::open(config, &data, key_store(&sb), Arc::new(NoListener))
            .await
            .err()
            .unwrap_or_else(|| panic!("{url} accepted"));
        assert!(
            matches!(e, CashierError::InvalidConfig { field, .. } if field == expected),
            "{url}: {e:?}"
        );
        assert!(!e.to_string().contains("secret"), "the password is not echoed: {e}");
        assert!(!data.exists(), "{url}: nothing written");
    }
    sb.shutdown().await;
}
