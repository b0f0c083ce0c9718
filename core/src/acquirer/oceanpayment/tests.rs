//! The adapter over HTTP, against a one-shot server on 127.0.0.1 that answers canned XML.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::testkit::*;
use super::*;
use crate::acquirer::{PaymentStatus, RefundStatus, UnknownCause, WalletMethod};
use crate::money::Amount;
use crate::paycode::PaymentCode;
use crate::sign::oceanpayment::OceanMessage;

/// What the server received: the request path and the form body.
struct Received {
    path: String,
    content_type: String,
    body: String,
}

/// Serves one request with `status` and `answer`, and hands back what it received.
async fn serve_once(status: u16, answer: String) -> (String, JoinHandle<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        let (head_len, content_length) = loop {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "client closed before sending a whole request");
            raw.extend_from_slice(&buf[..n]);
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                break (end + 4, length);
            }
        };
        while raw.len() < head_len + content_length {
            let n = socket.read(&mut buf).await.unwrap();
            raw.extend_from_slice(&buf[..n]);
        }
        let head = String::from_utf8_lossy(&raw[..head_len]).to_string();
        let reply = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{answer}",
            answer.len()
        );
        socket.write_all(reply.as_bytes()).await.unwrap();
        socket.shutdown().await.unwrap();
        Received {
            path: head.split_whitespace().nth(1).unwrap_or_default().to_string(),
            content_type: head
                .lines()
                .find_map(|l| l.to_lowercase().strip_prefix("content-type:").map(str::to_string))
                .unwrap_or_default()
                .trim()
                .to_string(),
            body: String::from_utf8(raw[head_len..].to_vec()).unwrap(),
        }
    });
    (base_url, task)
}

fn adapter(base_url: &str) -> Oceanpayment {
    Oceanpayment::new(config(base_url)).unwrap()
}

fn pay_request(method: PaymentMethod) -> PayRequest {
    PayRequest {
        merchant_transaction_id: ORDER.into(),
        request_id: "attempt-1".into(),
        amount: Amount::parse("0.01", "CNY").unwrap(),
        method,
        cashier_device_id: "till-1".into(),
        notification_url: None,
        expires_at_unix: None,
        remark: None,
    }
}

fn wechat_code() -> PaymentMethod {
    PaymentMethod::CustomerCode {
        code: PaymentCode::parse("134650720866361395").unwrap(),
        wallet: WalletMethod::WechatPay,
    }
}

#[tokio::test]
async fn customer_code_payment_round_trip() {
    let (url, server) = serve_once(200, pay_xml("1", "20000:Success")).await;
    let result = adapter(&url).pay(&pay_request(wechat_code())).await.unwrap();
    assert_eq!(result.status, PaymentStatus::Succeeded);
    assert_eq!(result.acquirer_transaction_id.as_deref(), Some(PAYMENT_ID));
    let got = server.await.unwrap();
    assert_eq!(got.path, paths::PAY);
    assert_eq!(got.content_type, "application/x-www-form-urlencoded");
    let form = form_fields(&got.body);
    assert_eq!(form_get(&form, "pay_accountNumber"), Some("134650720866361395"));
    assert_eq!(form_get(&form, "methods"), Some(""));
}

#[tokio::test]
async fn merchant_qr_payment_returns_the_qr() {
    let fields = set(pay_fields("-1", "20010:Waiting"), "pay_url", "weixin://wxpay/q1");
    let answer = response(&signed(OceanMessage::PayResponse, fields));
    let (url, server) = serve_once(200, answer).await;
    let qr = PaymentMethod::MerchantQr { wallet: WalletMethod::WechatPay };
    let result = adapter(&url).pay(&pay_request(qr)).await.unwrap();
    assert_eq!(result.status, PaymentStatus::Processing);
    assert_eq!(result.qr.map(|q| q.content), Some("weixin://wxpay/q1".into()));
    let form = form_fields(&server.await.unwrap().body);
    assert_eq!(form_get(&form, "methods"), Some("WeChatPay_Offline"));
}

#[tokio::test]
async fn query_refund_refund_query_and_cancel_use_their_paths() {
    let info = signed(OceanMessage::QueryResponse, query_fields("1", "20000:Success"));
    let (url, server) = serve_once(200, query_xml(&[info])).await;
    let query = PaymentQuery {
        merchant_transaction_id: ORDER.into(),
        request_id: None,
        acquirer_transaction_id: None,
        amount: Amount::parse("0.01", "CNY").unwrap(),
    };
    assert_eq!(adapter(&url).query(&query).await.unwrap().status, PaymentStatus::Succeeded);
    assert_eq!(server.await.unwrap().path, paths::QUERY);

    let (url, server) = serve_once(200, refund_xml("-1")).await;
    let refund = RefundRequest {
        merchant_transaction_id: ORDER.into(),
        acquirer_transaction_id: Some(PAYMENT_ID.into()),
        merchant_refund_id: "RF-1".into(),
        amount: Amount::parse("0.01", "CNY").unwrap(),
        full: true,
        reason: None,
        terminal: None,
        cashier_device_id: "till-1".into(),
        notification_url: None,
    };
    let r = adapter(&url).refund(&refund).await.unwrap();
    assert_eq!(
        (r.status, r.acquirer_refund_id.as_deref()),
        (RefundStatus::Processing, Some("R900001"))
    );
    assert_eq!(server.await.unwrap().path, paths::REFUND);

    let (url, server) = serve_once(200, refund_xml("1")).await;
    let refund_query = RefundQuery {
        merchant_transaction_id: ORDER.into(),
        merchant_refund_id: "RF-1".into(),
        acquirer_refund_id: Some("R900001".into()),
        amount: Amount::parse("0.01", "CNY").unwrap(),
    };
    let r = adapter(&url).refund_query(&refund_query).await.unwrap();
    assert_eq!(r.status, RefundStatus::Succeeded);
    assert_eq!(server.await.unwrap().path, paths::REFUND_QUERY);

    let (url, server) = serve_once(200, pay_xml("1", "20000:Voided")).await;
    let cancel = CancelRequest {
        merchant_transaction_id: ORDER.into(),
        acquirer_transaction_id: None,
        amount: Amount::parse("0.01", "CNY").unwrap(),
    };
    assert_eq!(adapter(&url).cancel(&cancel).await.unwrap().status, PaymentStatus::Cancelled);
    let got = server.await.unwrap();
    assert_eq!(got.path, paths::AUTH);
    assert_eq!(form_get(&form_fields(&got.body), "payment_authType"), Some("3"));
}

#[tokio::test]
async fn a_refund_without_its_id_is_looked_up_by_order_and_a_card_is_refused() {
    // Nothing listens here: the order query that looks the refund up is not sent.
    let a = adapter("http://127.0.0.1:9");
    let refund_query = RefundQuery {
        merchant_transaction_id: ORDER.into(),
        merchant_refund_id: "RF-1".into(),
        acquirer_refund_id: None,
        amount: Amount::parse("0.01", "CNY").unwrap(),
    };
    assert!(matches!(a.refund_query(&refund_query).await, Err(AcquirerError::NotSent { .. })));
    let card = PaymentMethod::CardOnTerminal {
        terminal: crate::acquirer::TerminalId { serial: "S".into(), model: "M".into() },
    };
    assert!(matches!(a.pay(&pay_request(card)).await, Err(AcquirerError::Unsupported { .. })));
}

#[tokio::test]
async fn transport_failures_are_sorted() {
    let (url, server) = serve_once(500, "oops".into()).await;
    let e = adapter(&url).pay(&pay_request(wechat_code())).await.unwrap_err();
    assert_eq!(
        e,
        AcquirerError::OutcomeUnknown {
            cause: UnknownCause::HttpStatus(500),
            detail: "POST /gateway/directservice/pay answered HTTP 500".into()
        }
    );
    server.await.unwrap();

    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let e = adapter(&url).pay(&pay_request(wechat_code())).await.unwrap_err();
    assert!(matches!(e, AcquirerError::NotSent { .. }), "{e:?}");

    let (url, server) = serve_once(200, "<html>gateway error</html>".into()).await;
    let e = adapter(&url).pay(&pay_request(wechat_code())).await.unwrap_err();
    assert!(matches!(e, AcquirerError::OutcomeUnknown { cause: UnknownCause::BadSignature, .. }));
    server.await.unwrap();
}

#[tokio::test]
async fn queries_can_go_to_a_separate_host() {
    let info = signed(OceanMessage::QueryResponse, query_fields("0", "80002:Declined"));
    let (query_url, server) = serve_once(200, query_xml(&[info])).await;
    let a = adapter("http://127.0.0.1:9").with_query_http(&HttpSettings::new(query_url)).unwrap();
    let query = PaymentQuery {
        merchant_transaction_id: ORDER.into(),
        request_id: None,
        acquirer_transaction_id: None,
        amount: Amount::parse("0.01", "CNY").unwrap(),
    };
    assert_eq!(a.query(&query).await.unwrap().status, PaymentStatus::Failed);
    assert_eq!(server.await.unwrap().path, paths::QUERY);
}

#[test]
fn configuration_is_checked_and_the_secret_stays_hidden() {
    let c = config("https://test-secure.oceanpayment.com");
    assert!(!format!("{c:?}").contains(SECURE_CODE));
    let a = Oceanpayment::new(c.clone()).unwrap();
    assert_eq!(a.name(), "oceanpayment");
    assert_eq!(a.notification_ack(), "receive-ok");
    assert_eq!(
        a.capabilities(),
        Capabilities {
            card_on_terminal: false,
            merchant_qr: true,
            cancel: true,
            cancel_card_on_terminal: false
        }
    );
    let field = |c: OceanpaymentConfig| match Oceanpayment::new(c) {
        Err(AcquirerError::InvalidRequest { field, .. }) => field,
        other => panic!("accepted: {:?}", other.err()),
    };
    assert_eq!(field(OceanpaymentConfig { account: String::new(), ..c.clone() }), "account");
    assert_eq!(field(OceanpaymentConfig { terminal: "9953 7801".into(), ..c.clone() }), "terminal");
    assert_eq!(
        field(OceanpaymentConfig { secure_code: String::new().into(), ..c.clone() }),
        "secure_code"
    );
    assert_eq!(
        field(OceanpaymentConfig { http: HttpSettings::new("ftp://x"), ..c.clone() }),
        "base_url"
    );
    let mut no_email = c;
    no_email.billing.email = " ".into();
    assert_eq!(field(no_email), "billing.email");
}

#[test]
fn notifications_through_the_trait() {
    let a = adapter("https://test-secure.oceanpayment.com");
    let n = a.parse_notification(pay_xml("0", "80002:Declined").as_bytes()).unwrap();
    assert!(matches!(n, Notification::Payment(p) if p.status == PaymentStatus::Failed));
    assert!(a.parse_notification(b"\x00\xff garbage").is_err());
}
