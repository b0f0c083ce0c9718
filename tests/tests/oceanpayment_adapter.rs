//! The Oceanpayment adapter against the sandbox over real HTTP on 127.0.0.1.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tillkit_core::acquirer::{
    Acquirer, AcquirerError, CancelRequest, PayRequest, PaymentMethod, PaymentQuery, PaymentStatus,
    RefundQuery, RefundRequest, RefundStatus, UnknownCause, WalletMethod,
};
use tillkit_core::money::Amount;
use tillkit_core::paycode::PaymentCode;
use tillkit_tests::*;

fn request(order: &str, amount: &str, method: PaymentMethod) -> PayRequest {
    PayRequest {
        merchant_transaction_id: order.into(),
        request_id: format!("{order}-1"),
        amount: Amount::parse(amount, "CNY").unwrap(),
        method,
        cashier_device_id: "REG-1".into(),
        notification_url: None,
        expires_at_unix: None,
        remark: None,
    }
}

fn code(c: &str, wallet: WalletMethod) -> PaymentMethod {
    PaymentMethod::CustomerCode { code: PaymentCode::parse(c).unwrap(), wallet }
}

fn query(order: &str, amount: &str) -> PaymentQuery {
    PaymentQuery {
        merchant_transaction_id: order.into(),
        request_id: None,
        acquirer_transaction_id: None,
        amount: Amount::parse(amount, "CNY").unwrap(),
    }
}

#[tokio::test]
async fn code_sales_query_refund_and_decline() {
    let sb = sandbox(0.01).await;
    let acq = oceanpayment(&sb, Duration::from_secs(5));
    let order = unique_id("OP");
    let paid = acq
        .pay(&request(&order, "10.00", code(&wechat_code(), WalletMethod::WechatPay)))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded, "{paid:?}");
    let payment_id = paid.acquirer_transaction_id.clone().expect("payment_id");
    assert_eq!(acq.query(&query(&order, "10.00")).await.unwrap().status, PaymentStatus::Succeeded);
    // The same order number for another amount (a second register): a duplicate, not a decline.
    let twin = acq
        .pay(&request(&order, "250.00", code(&wechat_code(), WalletMethod::WechatPay)))
        .await
        .unwrap_err();
    assert!(twin.is_outcome_unknown(), "{twin:?}");
    let other = acq.query(&query(&order, "250.00")).await;
    assert!(
        matches!(other, Err(AcquirerError::AnswerMismatch { field: "amount", .. })),
        "{other:?}"
    );

    let refund = acq
        .refund(&RefundRequest {
            merchant_transaction_id: order.clone(),
            acquirer_transaction_id: Some(payment_id),
            merchant_refund_id: format!("{order}-R1"),
            amount: Amount::parse("4.00", "CNY").unwrap(),
            full: false,
            reason: None,
            terminal: None,
            cashier_device_id: "REG-1".into(),
            notification_url: None,
        })
        .await
        .unwrap();
    assert_ne!(refund.status, RefundStatus::Failed);
    let refund_id = refund.acquirer_refund_id.clone().expect("refund_id");
    let q = acq
        .refund_query(&RefundQuery {
            merchant_transaction_id: order.clone(),
            merchant_refund_id: format!("{order}-R1"),
            acquirer_refund_id: Some(refund_id),
            amount: Amount::parse("4.00", "CNY").unwrap(),
        })
        .await
        .unwrap();
    assert_ne!(q.status, RefundStatus::Failed);

    let declined = acq
        .pay(&request(&unique_id("OP"), "10.51", code(&alipay_code(), WalletMethod::AlipayCn)))
        .await
        .unwrap();
    assert_eq!(declined.status, PaymentStatus::Failed);
    assert!(
        matches!(acq.query(&query("NO-SUCH-ORDER", "1.00")).await, Err(AcquirerError::NotFound { code, .. }) if code == "20068")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn user_paying_then_void_cancels_it() {
    let sb = sandbox(0.01).await;
    let acq = oceanpayment(&sb, Duration::from_secs(5));
    let order = unique_id("OP");
    let r = acq
        .pay(&request(&order, "10.54", code(&wechat_code(), WalletMethod::WechatPay)))
        .await
        .unwrap();
    assert_eq!(r.status, PaymentStatus::Processing);
    let v = acq
        .cancel(&CancelRequest {
            merchant_transaction_id: order.clone(),
            acquirer_transaction_id: r.acquirer_transaction_id,
            amount: Amount::parse("10.54", "CNY").unwrap(),
        })
        .await
        .unwrap();
    assert_eq!(v.status, PaymentStatus::Cancelled);
    let after = acq.query(&query(&order, "10.54")).await.unwrap();
    assert_ne!(after.status, PaymentStatus::Succeeded);
    sb.shutdown().await;
}

#[tokio::test]
async fn merchant_qr_and_faults() {
    let sb = sandbox(0.01).await;
    let acq = oceanpayment(&sb, Duration::from_secs(5));
    let order = unique_id("OQ");
    let r = acq
        .pay(&request(&order, "5.00", PaymentMethod::MerchantQr { wallet: WalletMethod::AlipayCn }))
        .await
        .unwrap();
    assert_eq!(r.status, PaymentStatus::Processing);
    assert!(!r.qr.expect("pay_url").content.is_empty());
    let mut final_status = PaymentStatus::Processing;
    for _ in 0..200 {
        final_status = acq.query(&query(&order, "5.00")).await.unwrap().status;
        if final_status.is_final() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(final_status, PaymentStatus::Succeeded);

    let garbled = unique_id("OP");
    let r =
        acq.pay(&request(&garbled, "5.58", code(&wechat_code(), WalletMethod::WechatPay))).await;
    assert!(
        matches!(
            r,
            Err(AcquirerError::OutcomeUnknown { cause: UnknownCause::MalformedResponse, .. })
        ),
        "{r:?}"
    );
    assert_eq!(acq.query(&query(&garbled, "5.58")).await.unwrap().status, PaymentStatus::Succeeded);

    let unsigned = unique_id("OP");
    let r =
        acq.pay(&request(&unsigned, "5.59", code(&wechat_code(), WalletMethod::WechatPay))).await;
    assert!(
        matches!(r, Err(AcquirerError::OutcomeUnknown { cause: UnknownCause::BadSignature, .. })),
        "{r:?}"
    );
    sb.shutdown().await;
}
