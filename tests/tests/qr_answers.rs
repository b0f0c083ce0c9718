//! Seed 004 over real HTTP: every shape of PingPong's merchant-QR answer (`qrCode` only,
//! `qrUrl` only, the non-hosted `paymentQrCode` + `paymentRedirectUrl`, a redirect that is not
//! https), through the adapter and through the engine, and the QR lifetime of one sale.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::acquirer::{
    Acquirer, AcquirerError, PayRequest, PaymentMethod, PaymentQuery, PaymentResult, PaymentStatus,
    UnknownCause, WalletMethod,
};
use tillkit_core::engine::{Cashier, CashierError, NoListener, SaleHint, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::{FailReason, SaleStatus};
use tillkit_tests::*;

const SCALE: f64 = 0.01;
const LIMIT: Duration = Duration::from_secs(20);
const QR: SaleMethodInput = SaleMethodInput::MerchantQr(WalletMethod::WechatPay);

fn qr_request(amount: &str) -> PayRequest {
    let order = unique_id("QA");
    PayRequest {
        request_id: format!("{order}-1"),
        merchant_transaction_id: order,
        amount: Amount::parse(amount, "CNY").unwrap(),
        method: PaymentMethod::MerchantQr { wallet: WalletMethod::WechatPay },
        cashier_device_id: "REG-1".into(),
        notification_url: None,
        expires_at_unix: None,
        remark: None,
    }
}

/// Queries until final; an answer the adapter refuses (a bad field) is asked again.
async fn final_state(acq: &impl Acquirer, req: &PayRequest) -> PaymentResult {
    let query = PaymentQuery {
        merchant_transaction_id: req.merchant_transaction_id.clone(),
        request_id: Some(req.request_id.clone()),
        acquirer_transaction_id: None,
        amount: req.amount,
    };
    for _ in 0..500 {
        match acq.query(&query).await {
            Ok(r) if r.status.is_final() => return r,
            Ok(_)
            | Err(AcquirerError::OutcomeUnknown { cause: UnknownCause::InvalidField(_), .. }) => {}
            Err(e) => panic!("query failed: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{} never became final", req.merchant_transaction_id);
}

#[tokio::test]
async fn every_qr_answer_shape_gives_a_qr_to_show_and_keeps_the_payment_page() {
    let sb = sandbox(SCALE).await;
    let acq = pingpong(&sb, &sb.url(), Duration::from_secs(5));
    let qr_page = format!("{}/sandbox/qr/", sb.url());

    // 61: qrCode only.
    let req = qr_request("5.61");
    let r = acq.pay(&req).await.unwrap();
    let qr = r.qr.expect("a QR to show");
    assert!(qr.content.starts_with("tillkit-sandbox://pay/"), "{qr:?}");
    assert_eq!((qr.image_url, r.payment_redirect_url), (None, None));
    assert_eq!(final_state(&acq, &req).await.status, PaymentStatus::Succeeded);

    // 62: QR_URL with qrUrl only: the URL is what is shown, and the image URL too.
    let req = qr_request("5.62");
    let r = acq.pay(&req).await.unwrap();
    let qr = r.qr.expect("a QR to show from qrUrl alone");
    assert!(qr.content.starts_with(&qr_page), "{qr:?}");
    assert_eq!(qr.image_url.as_deref(), Some(qr.content.as_str()));
    assert!(qr.expires_at_unix_ms.is_some());
    assert_eq!(final_state(&acq, &req).await.status, PaymentStatus::Succeeded);

    // 63: the non-hosted APM answer: paymentQrCode shown, paymentRedirectUrl kept.
    let req = qr_request("5.63");
    let r = acq.pay(&req).await.unwrap();
    assert!(r.qr.expect("a QR to show").content.starts_with("tillkit-sandbox://pay/"));
    let page = r.payment_redirect_url.expect("the payment page");
    assert!(page.starts_with(&qr_page) && page.ends_with("?redirect=1"), "{page}");
    assert_eq!(final_state(&acq, &req).await.status, PaymentStatus::Succeeded);

    // 64: a payment page over plain http is refused, naming the field; the order is still
    // resolved by query and charged once.
    let req = qr_request("5.64");
    match acq.pay(&req).await {
        Err(AcquirerError::OutcomeUnknown { cause: UnknownCause::InvalidField(field), detail }) => {
            assert_eq!(field, "paymentRedirectUrl");
            assert!(detail.contains("https"), "{detail}");
        }
        other => panic!("expected the bad redirect to be refused: {other:?}"),
    }
    assert_eq!(final_state(&acq, &req).await.status, PaymentStatus::Succeeded);
    assert_eq!(charges(&sb, &req.merchant_transaction_id).await, 1);
    sb.shutdown().await;
}

async fn open(sb: &tillkit_sandbox::SandboxHandle, dir: &std::path::Path) -> Cashier {
    let mut config = cashier_config(sb, &sb.url(), SCALE);
    // The default lifetime is the longest PingPong takes (3 days, 43 min at the sandbox's
    // scale): a sale that closes within the test's limit closes by its own lifetime.
    config.policy.qr_lifetime = Duration::from_secs(3 * 24 * 3600);
    Cashier::open(config, dir, key_store(sb), Arc::new(NoListener)).await.unwrap()
}

#[tokio::test]
async fn the_engine_keeps_the_payment_page_and_survives_a_bad_one() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier = open(&sb, dir.path()).await;

    let url_only = unique_id("QU");
    let first = cashier.start_sale(sale_input(&url_only, "6.62", QR)).await.unwrap();
    assert_eq!(SaleHint::of(&first), SaleHint::ShowQr, "{first:?}");
    assert!(first.qr.as_ref().unwrap().content.starts_with(&sb.url()));

    let non_hosted = unique_id("QN");
    let first = cashier.start_sale(sale_input(&non_hosted, "6.63", QR)).await.unwrap();
    assert_eq!(SaleHint::of(&first), SaleHint::ShowQr, "{first:?}");
    let page = first.payment_redirect_url.clone().expect("the payment page is kept");
    let paid = wait_final(&cashier, &non_hosted, LIMIT).await;
    assert_eq!(paid.status, SaleStatus::Paid);
    assert_eq!(paid.payment_redirect_url.as_deref(), Some(page.as_str()), "stored with the sale");

    let bad = unique_id("QB");
    let first = cashier.start_sale(sale_input(&bad, "6.64", QR)).await.unwrap();
    assert_eq!(first.payment_redirect_url, None, "an http page is never kept");
    let done = wait_final(&cashier, &bad, LIMIT).await;
    assert_eq!((done.status, done.payment_redirect_url), (SaleStatus::Paid, None));
    assert_eq!(charges(&sb, &bad).await, 1);
    assert_eq!(wait_final(&cashier, &url_only, LIMIT).await.status, SaleStatus::Paid);
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_sale_closes_at_its_own_qr_lifetime() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier = open(&sb, dir.path()).await;
    let id = unique_id("QT");
    let mut input = sale_input(&id, "7.54", QR);
    input.qr_lifetime = Some(Duration::from_secs(65));
    let first = cashier.start_sale(input).await.unwrap();
    let expiry = first.qr.as_ref().and_then(|q| q.expires_at_unix_ms).unwrap();
    assert_eq!(expiry - first.created_at, 65_000, "the sale's own lifetime, not the default");
    // 65 s at the sandbox's scale is 0.65 s; the default (3 days) would outlast the limit.
    let done = wait_final(&cashier, &id, LIMIT).await;
    assert_eq!(done.status, SaleStatus::Failed(FailReason::Expired));
    assert_eq!(charges(&sb, &id).await, 0);
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn qr_lifetimes_outside_one_minute_to_three_days_are_refused_before_sending() {
    let sb = sandbox(SCALE).await;
    let dir = tempfile::tempdir().unwrap();
    let cashier = open(&sb, dir.path()).await;
    let three_days = Duration::from_secs(3 * 24 * 3600);
    let cases = [
        (QR, Duration::from_secs(59)),
        (QR, three_days + Duration::from_secs(1)),
        (SaleMethodInput::CustomerCode(wechat_code()), Duration::from_secs(120)),
    ];
    for (method, lifetime) in cases {
        let id = unique_id("QL");
        let mut input = sale_input(&id, "1.00", method);
        input.qr_lifetime = Some(lifetime);
        match cashier.start_sale(input).await {
            Err(CashierError::InvalidInput { field: "qr_lifetime", .. }) => {}
            other => panic!("{lifetime:?} accepted: {other:?}"),
        }
        assert!(cashier.sale(&id).unwrap().is_none(), "nothing stored");
        assert!(ledger_order(&sb, &id).await.is_none(), "nothing sent");
    }
    let mut edge = sale_input(&unique_id("QL"), "1.00", QR);
    edge.qr_lifetime = Some(three_days);
    assert!(cashier.start_sale(edge).await.is_ok(), "3 days is allowed");
    cashier.close().await;

    // The configured default is checked at open.
    for lifetime in [Duration::from_secs(30), three_days + Duration::from_secs(1)] {
        let mut config = cashier_config(&sb, &sb.url(), SCALE);
        config.policy.qr_lifetime = lifetime;
        let other = tempfile::tempdir().unwrap();
        match Cashier::open(config, other.path(), key_store(&sb), Arc::new(NoListener)).await {
            Err(CashierError::InvalidConfig { field: "policy.qr_lifetime", .. }) => {}
            Err(e) => panic!("{lifetime:?}: {e}"),
            Ok(_) => panic!("{lifetime:?} accepted"),
        }
    }
    sb.shutdown().await;
}
