//! `device.orderTerminal` on the wire: the platform the adapter was built for.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;
use crate::acquirer::WalletMethod;
use crate::money::Amount;
use crate::paycode::PaymentCode;

/// Takes one request, answers HTTP 500 (nothing committed) and gives the request's body.
async fn capture_one() -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        // The body is one JSON object: read until it closes.
        while !raw.ends_with(b"}") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "client closed before sending a whole request");
            raw.extend_from_slice(&buf[..n]);
        }
        let reply = "HTTP/1.1 500 X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        socket.write_all(reply.as_bytes()).await.unwrap();
        socket.shutdown().await.unwrap();
        String::from_utf8(raw).unwrap()
    });
    (url, task)
}

fn request() -> PayRequest {
    PayRequest {
        merchant_transaction_id: "T1".into(),
        request_id: "T1-1".into(),
        amount: Amount::parse("1.00", "CNY").unwrap(),
        method: PaymentMethod::CustomerCode {
            code: PaymentCode::parse("134650720866361395").unwrap(),
            wallet: WalletMethod::WechatPay,
        },
        cashier_device_id: "R1".into(),
        notification_url: None,
        expires_at_unix: None,
        remark: None,
    }
}

async fn sent_order_terminal(terminal: Option<OrderTerminal>) -> String {
    let (url, server) = capture_one().await;
    let mut adapter = PingPong::new(PingPongConfig {
        http: HttpSettings::new(url),
        credentials: PingPongCredentials {
            acc_id: "2018092714313010016291".into(),
            client_id: "2018092714313010016".into(),
            salt: secrecy::SecretString::from("F78BC96A55548B2319EE68E0".to_string()),
            sign_type: crate::sign::pingpong::SignType::Sha256,
        },
    })
    .unwrap();
    if let Some(t) = terminal {
        adapter = adapter.with_order_terminal(t);
    }
    assert!(adapter.pay(&request()).await.is_err(), "HTTP 500 is no answer");
    let body = server.await.unwrap();
    // `bizContent` is JSON inside a JSON string.
    let envelope: serde_json::Value =
        serde_json::from_str(&body[body.find('{').unwrap()..]).unwrap();
    let biz: serde_json::Value =
        serde_json::from_str(envelope["bizContent"].as_str().unwrap()).unwrap();
    biz["device"]["orderTerminal"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn each_platform_sends_its_documented_order_terminal() {
    assert_eq!(sent_order_terminal(None).await, "02");
    assert_eq!(sent_order_terminal(Some(OrderTerminal::Desktop)).await, "02");
    assert_eq!(sent_order_terminal(Some(OrderTerminal::Ios)).await, "03");
    assert_eq!(sent_order_terminal(Some(OrderTerminal::Android)).await, "04");
}
