//! Notifications: the sandbox posting to a receiver that feeds the engine, and handcrafted ones
//! (bad signature, duplicate, out of order).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tillkit_core::acquirer::WalletMethod;
use tillkit_core::engine::{CashierError, NoListener, SaleInput, SaleMethodInput};
use tillkit_core::money::Amount;
use tillkit_core::order::SaleStatus;
use tillkit_tests::*;

fn notification(
    sb: &tillkit_sandbox::SandboxHandle,
    salt: &secrecy::SecretString,
    biz: serde_json::Value,
) -> Vec<u8> {
    pingpong_notification(sb, salt, &biz)
}

#[tokio::test]
async fn handcrafted_notifications_are_verified_and_idempotent() {
    let sb = sandbox(0.01).await;
    let dir = tempfile::tempdir().unwrap();
    // A slow policy so that only the notification moves the sale.
    let cashier =
        cashier(&sb, &sb.url(), dir.path(), key_store(&sb), Arc::new(NoListener), 10.0).await;
    let id = unique_id("N");
    let input = SaleInput {
        sale_id: Some(id.clone()),
        amount: Amount::parse("6.54", "CNY").unwrap(),
        method: SaleMethodInput::MerchantQr(WalletMethod::WechatPay),
        remark: None,
        qr_lifetime: None,
    };
    assert_eq!(cashier.start_sale(input).await.unwrap().status, SaleStatus::Processing);
    let salt = sb.credentials().pingpong.salt.clone();
    let paid = json!({"notifyType":"RECHARGE","merchantTransactionId":id,"requestId":format!("{id}-1"),"status":"SUCCESS","amount":"6.540000","currency":"CNY","transactionId":"T-N1"});

    let forged = notification(
        &sb,
        &secrecy::SecretString::from("WRONGSALT000000000000000".to_string()),
        paid.clone(),
    );
    assert!(matches!(
        cashier.handle_notification(&forged).await,
        Err(CashierError::Notification(_))
    ));
    assert_eq!(cashier.sale(&id).unwrap().unwrap().status, SaleStatus::Processing, "unchanged");
    assert!(cashier.handle_notification(b"{not json").await.is_err());

    let ack = cashier.handle_notification(&notification(&sb, &salt, paid.clone())).await.unwrap();
    assert_eq!(ack, "");
    assert_eq!(cashier.sale(&id).unwrap().unwrap().status, SaleStatus::Paid);
    // The same notification again, then an older one: nothing changes.
    cashier.handle_notification(&notification(&sb, &salt, paid)).await.unwrap();
    let older = json!({"notifyType":"RECHARGE","merchantTransactionId":id,"requestId":format!("{id}-1"),"status":"FAILED","amount":"6.540000","currency":"CNY"});
    // Refused news is not acknowledged: the acquirer keeps telling, nothing changes.
    assert!(matches!(
        cashier.handle_notification(&notification(&sb, &salt, older)).await,
        Err(CashierError::NotificationNotApplied { .. })
    ));
    let sale = cashier.sale(&id).unwrap().unwrap();
    assert_eq!(sale.status, SaleStatus::Paid);
    assert!(cashier.journal(&id).unwrap().iter().any(|l| l.kind == "refused_transition"));
    let unknown =
        json!({"notifyType":"RECHARGE","merchantTransactionId":"NOBODY","status":"SUCCESS"});
    assert!(matches!(
        cashier.handle_notification(&notification(&sb, &salt, unknown)).await,
        Err(CashierError::UnknownSale(_))
    ));
    cashier.close().await;
    sb.shutdown().await;
}

#[tokio::test]
async fn the_sandbox_notifies_the_engine() {
    let sb = sandbox(0.01).await;
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = cashier_config(&sb, &sb.url(), 10.0); // slow polling: the notification must do it
    config.notification_url = Some(format!("http://{}/notify", listener.local_addr().unwrap()));
    let c = tillkit_core::engine::Cashier::open(
        config,
        dir.path(),
        key_store(&sb),
        Arc::new(NoListener),
    )
    .await
    .unwrap();
    let server = notification_receiver(listener, c.clone());
    let id = unique_id("NQ");
    let input = SaleInput {
        sale_id: Some(id.clone()),
        amount: Amount::parse("6.00", "CNY").unwrap(),
        method: SaleMethodInput::MerchantQr(WalletMethod::AlipayCn),
        remark: None,
        qr_lifetime: None,
    };
    assert_eq!(c.start_sale(input).await.unwrap().status, SaleStatus::Processing);
    assert_eq!(wait_final(&c, &id, Duration::from_secs(20)).await.status, SaleStatus::Paid);
    assert!(
        c.journal(&id).unwrap().iter().any(|l| l.kind.starts_with("notification:")),
        "paid by the notification"
    );
    c.close().await;
    server.abort();
    sb.shutdown().await;
}
