//! The PingPong adapter against the sandbox over real HTTP on 127.0.0.1: every scenario, the
//! idempotency rules, refunds, routing, QR expiry, and signature tampering both ways.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tillkit_core::acquirer::{
    Acquirer, AcquirerError, PayRequest, PaymentMethod, PaymentQuery, PaymentResult, PaymentStatus,
    RefundQuery, RefundRequest, RefundStatus, TerminalId, UnknownCause, WalletMethod,
};
use tillkit_core::money::Amount;
use tillkit_core::paycode::PaymentCode;
use tillkit_tests::*;

fn code_request(order: &str, amount: &str, code: &str, wallet: WalletMethod) -> PayRequest {
    PayRequest {
        merchant_transaction_id: order.into(),
        request_id: format!("{order}-1"),
        amount: Amount::parse(amount, "CNY").unwrap(),
        method: PaymentMethod::CustomerCode { code: PaymentCode::parse(code).unwrap(), wallet },
        cashier_device_id: "REG-1".into(),
        notification_url: None,
        expires_at_unix: None,
        remark: None,
    }
}

fn query_of(req: &PayRequest) -> PaymentQuery {
    PaymentQuery {
        merchant_transaction_id: req.merchant_transaction_id.clone(),
        request_id: Some(req.request_id.clone()),
        acquirer_transaction_id: None,
        amount: req.amount,
    }
}

async fn poll_final(acq: &impl Acquirer, req: &PayRequest) -> PaymentResult {
    for _ in 0..200 {
        let r = acq.query(&query_of(req)).await.expect("query answers");
        if r.status.is_final() {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{} never became final", req.merchant_transaction_id);
}

async fn charges(sb: &tillkit_sandbox::SandboxHandle, order: &str) -> u64 {
    let o = ledger_order(sb, order).await.expect("order in the ledger");
    o["charges"]
        .as_u64()
        .or_else(|| o["charges"].as_array().map(|a| a.len() as u64))
        .expect("charges field")
}

#[tokio::test]
async fn wechat_and_alipay_codes_are_paid_once() {
    let sb = sandbox(0.01).await;
    let acq = pingpong(&sb, &sb.url(), Duration::from_secs(5));
    for (code, wallet) in
        [(wechat_code(), WalletMethod::WechatPay), (alipay_code(), WalletMethod::AlipayCn)]
    {
        let order = unique_id("PP");
        let req = code_request(&order, "12.50", &code, wallet);
        let r = acq.pay(&req).await.unwrap();
        assert_eq!(r.status, PaymentStatus::Succeeded, "{r:?}");
        assert_eq!(r.amount.unwrap().to_major_string(), "12.50");
        // Same requestId again: the stored answer, no second charge.
        let again = acq.pay(&req).await.unwrap();
        assert_eq!(again.status, PaymentStatus::Succeeded);
        assert_eq!(again.acquirer_transaction_id, r.acquirer_transaction_id);
        // A new attempt on a paid order is a duplicate: not a decline, the order must be asked.
        let mut second = req.clone();
        second.request_id = format!("{order}-2");
        assert!(
            matches!(acq.pay(&second).await, Err(AcquirerError::OutcomeUnknown { cause: UnknownCause::AcquirerCode(code), .. }) if code == "107000")
        );
        // Asked about with another amount (a second register with the same sale id), the
        // paid order is a mismatch, never this sale's payment.
        let mut twin = query_of(&req);
        twin.amount = Amount::parse("250.00", "CNY").unwrap();
        assert!(matches!(
            acq.query(&twin).await,
            Err(AcquirerError::AnswerMismatch { field: "amount", .. })
        ));
        assert_eq!(charges(&sb, &order).await, 1);
        // The code was used: a new order with it fails.
        let reuse = code_request(&unique_id("PP"), "1.00", &code, wallet);
        let r = acq.pay(&reuse).await;
        assert!(
            matches!(&r, Ok(p) if p.status == PaymentStatus::Failed)
                || matches!(&r, Err(AcquirerError::Rejected { .. })),
            "{r:?}"
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn decline_and_user_paying_scenarios() {
    let sb = sandbox(0.01).await;
    let acq = pingpong(&sb, &sb.url(), Duration::from_secs(5));
    let declined = code_request(&unique_id("PP"), "12.51", &wechat_code(), WalletMethod::WechatPay);
    let r = acq.pay(&declined).await.unwrap();
    assert_eq!(r.status, PaymentStatus::Failed);
    assert!(r.result_code.is_some());

    let paying = code_request(&unique_id("PP"), "12.52", &wechat_code(), WalletMethod::WechatPay);
    assert_eq!(acq.pay(&paying).await.unwrap().status, PaymentStatus::Processing);
    assert_eq!(poll_final(&acq, &paying).await.status, PaymentStatus::Succeeded);

    let walks_away =
        code_request(&unique_id("PP"), "12.53", &alipay_code(), WalletMethod::AlipayCn);
    assert_eq!(acq.pay(&walks_away).await.unwrap().status, PaymentStatus::Processing);
    assert_eq!(poll_final(&acq, &walks_away).await.status, PaymentStatus::Failed);

    let forever = code_request(&unique_id("PP"), "12.54", &wechat_code(), WalletMethod::WechatPay);
    assert_eq!(acq.pay(&forever).await.unwrap().status, PaymentStatus::Processing);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(acq.query(&query_of(&forever)).await.unwrap().status, PaymentStatus::Processing);
    sb.shutdown().await;
}

/// Each fault after commit leaves the outcome unknown; a query then tells the truth, and a
/// resend of the same requestId never charges twice.
#[tokio::test]
async fn faults_after_commit_are_unknown_and_resolved_by_query() {
    let sb = sandbox(0.1).await;
    let acq = pingpong(&sb, &sb.url(), Duration::from_millis(250));
    let cases = [
        ("12.55", UnknownCause::Timeout),
        ("12.56", UnknownCause::ConnectionLost),
        ("12.58", UnknownCause::MalformedResponse),
        ("12.59", UnknownCause::BadSignature),
    ];
    for (amount, cause) in cases {
        let req = code_request(&unique_id("PP"), amount, &wechat_code(), WalletMethod::WechatPay);
        match acq.pay(&req).await {
            Err(AcquirerError::OutcomeUnknown { cause: got, .. }) => {
                assert_eq!(got, cause, "{amount}")
            }
            other => panic!("{amount}: expected unknown, got {other:?}"),
        }
        let resolved = poll_final(&acq, &req).await;
        assert_eq!(resolved.status, PaymentStatus::Succeeded, "{amount}");
        let replay = acq.pay(&req).await.unwrap();
        assert_eq!(replay.status, PaymentStatus::Succeeded, "{amount}");
        assert_eq!(charges(&sb, &req.merchant_transaction_id).await, 1, "{amount}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_5xx_before_commit_leaves_nothing_and_the_resend_pays() {
    let sb = sandbox(0.01).await;
    let acq = pingpong(&sb, &sb.url(), Duration::from_secs(5));
    let req = code_request(&unique_id("PP"), "12.57", &wechat_code(), WalletMethod::WechatPay);
    assert!(matches!(
        acq.pay(&req).await,
        Err(AcquirerError::OutcomeUnknown { cause: UnknownCause::HttpStatus(500), .. })
    ));
    assert!(
        matches!(acq.query(&query_of(&req)).await, Err(AcquirerError::NotFound { code, .. }) if code == "107001")
    );
    // Only the first answer of a requestId fails: the resend is served normally.
    assert_eq!(acq.pay(&req).await.unwrap().status, PaymentStatus::Succeeded);
    sb.shutdown().await;
}

#[tokio::test]
async fn merchant_qr_is_shown_then_paid_or_closed_at_expiry() {
    let sb = sandbox(0.01).await;
    let acq = pingpong(&sb, &sb.url(), Duration::from_secs(5));
    let order = unique_id("QR");
    let mut req = code_request(&order, "23.00", &wechat_code(), WalletMethod::WechatPay);
    req.method = PaymentMethod::MerchantQr { wallet: WalletMethod::WechatPay };
    let r = acq.pay(&req).await.unwrap();
    assert_eq!(r.status, PaymentStatus::Processing);
    let qr = r.qr.expect("a QR to show");
    assert!(!qr.content.is_empty());
    assert!(qr.expires_at_unix_ms.is_some());
    assert_eq!(poll_final(&acq, &req).await.status, PaymentStatus::Succeeded);

    let mut never_paid = req.clone();
    never_paid.merchant_transaction_id = unique_id("QR");
    never_paid.request_id = format!("{}-1", never_paid.merchant_transaction_id);
    never_paid.amount = Amount::parse("23.54", "CNY").unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    never_paid.expires_at_unix = Some(now + 90);
    assert_eq!(acq.pay(&never_paid).await.unwrap().status, PaymentStatus::Processing);
    // 90 s at time scale 0.01 is 0.9 s.
    assert_eq!(poll_final(&acq, &never_paid).await.status, PaymentStatus::Closed);
    assert_eq!(charges(&sb, &never_paid.merchant_transaction_id).await, 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn card_sales_are_routed_to_a_registered_terminal() {
    let sb = sandbox(0.01).await;
    let acq = pingpong(&sb, &sb.url(), Duration::from_secs(5));
    let mut req =
        code_request(&unique_id("CARD"), "42.00", &wechat_code(), WalletMethod::WechatPay);
    req.method = PaymentMethod::CardOnTerminal {
        terminal: TerminalId { serial: "SANDBOX-T1".into(), model: "PAX-A920".into() },
    };
    assert_eq!(acq.pay(&req).await.unwrap().status, PaymentStatus::Processing);
    let done = poll_final(&acq, &req).await;
    assert_eq!(done.status, PaymentStatus::Succeeded);
    if let Some(card) = done.card.and_then(|c| c.masked_number) {
        assert!(card.contains('*'), "never a full card number: {card}");
    }
    let mut unknown = req.clone();
    unknown.merchant_transaction_id = unique_id("CARD");
    unknown.request_id = format!("{}-1", unknown.merchant_transaction_id);
    unknown.method = PaymentMethod::CardOnTerminal {
        terminal: TerminalId { serial: "NOPE".into(), model: "PAX-A920".into() },
    };
    assert!(
        matches!(acq.pay(&unknown).await, Err(AcquirerError::Refused { code, .. }) if code == "102000")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn refunds_are_partial_repeated_and_bounded() {
    let sb = sandbox(0.01).await;
    let acq = pingpong(&sb, &sb.url(), Duration::from_secs(5));
    let order = unique_id("RF");
    let paid = acq
        .pay(&code_request(&order, "10.00", &wechat_code(), WalletMethod::WechatPay))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    let refund = |id: &str, amount: &str| RefundRequest {
        merchant_transaction_id: order.clone(),
        acquirer_transaction_id: paid.acquirer_transaction_id.clone(),
        merchant_refund_id: id.into(),
        amount: Amount::parse(amount, "CNY").unwrap(),
        full: false,
        reason: Some("test".into()),
        terminal: None,
        cashier_device_id: "REG-1".into(),
        notification_url: None,
    };
    let r1 = acq.refund(&refund(&format!("{order}-R1"), "3.00")).await.unwrap();
    assert_ne!(r1.status, RefundStatus::Failed);
    let r2 = acq.refund(&refund(&format!("{order}-R2"), "4.00")).await.unwrap();
    assert_ne!(r2.status, RefundStatus::Failed);
    // Same refund id, same amount: the stored answer.
    assert_eq!(
        acq.refund(&refund(&format!("{order}-R1"), "3.00")).await.unwrap().status,
        r1.status
    );
    // More than the original, and more than what remains.
    assert!(
        matches!(acq.refund(&refund(&format!("{order}-R3"), "10.01")).await, Err(AcquirerError::Rejected { code, .. }) if code == "108000")
    );
    assert!(
        matches!(acq.refund(&refund(&format!("{order}-R4"), "3.01")).await, Err(AcquirerError::Rejected { code, .. }) if code == "108003")
    );
    let q = acq
        .refund_query(&RefundQuery {
            merchant_transaction_id: order.clone(),
            merchant_refund_id: format!("{order}-R2"),
            acquirer_refund_id: None,
            amount: Amount::parse("4.00", "CNY").unwrap(),
        })
        .await
        .unwrap();
    assert_eq!(q.amount.unwrap().to_major_string(), "4.00");
    sb.shutdown().await;
}

#[tokio::test]
async fn tampering_is_rejected_both_ways() {
    use secrecy::SecretString;
    let sb = sandbox(0.01).await;
    // Request signed with the wrong salt: the sandbox answers 104000 (signed with the right
    // one), so an adapter with the wrong salt cannot even trust that answer.
    let mut creds = pingpong_credentials(&sb);
    creds.salt = SecretString::from("0000000000000000DEADBEEF".to_string());
    let wrong = tillkit_core::acquirer::pingpong::PingPong::new(
        tillkit_core::acquirer::pingpong::PingPongConfig {
            http: http(&sb.url(), Duration::from_secs(5)),
            credentials: creds,
        },
    )
    .unwrap();
    let req = code_request(&unique_id("TM"), "1.00", &wechat_code(), WalletMethod::WechatPay);
    assert!(matches!(
        wrong.pay(&req).await,
        Err(AcquirerError::OutcomeUnknown { cause: UnknownCause::BadSignature, .. })
    ));
    // The same request, tampered after signing, read with the right salt: 104000.
    let body = tillkit_core::acquirer::pingpong::envelope::signed_request(
        &pingpong_credentials(&sb),
        r#"{"amount":"1.00","currency":"CNY","merchantTransactionId":"TAMPER1","requestId":"TAMPER1-1","captureDelayHours":0,"paymentMethod":{"type":"Wechat-Offline","scanCodeId":"134650720866361395"},"device":{"orderTerminal":"02"}}"#,
    )
    .unwrap()
    .replace("1.00", "0.01");
    let answer = reqwest::Client::new()
        .post(format!("{}/v4/payment/unifiedPay", sb.url()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let parsed = tillkit_core::acquirer::pingpong::envelope::parse_answer(
        &pingpong_credentials(&sb),
        &answer,
    )
    .unwrap();
    assert_eq!(parsed.code, "104000");
    assert!(ledger_order(&sb, "TAMPER1").await.is_none(), "nothing recorded for a bad signature");
    // Answers tampered on the way back (scenario 59) are refused by the adapter: tested above.
    sb.shutdown().await;
}
