//! The core's checks around any transport: lying, hanging and failing ones.

use std::sync::Mutex;

use super::*;

/// A transport that answers what it is told to, and keeps what it was asked.
struct Scripted {
    answer: Mutex<Option<Result<HttpResponse, TransportError>>>,
    hang: bool,
    seen: Mutex<Vec<HttpRequest>>,
}

impl Scripted {
    fn new(answer: Result<HttpResponse, TransportError>) -> Arc<Self> {
        Arc::new(Scripted { answer: Mutex::new(Some(answer)), hang: false, seen: Mutex::default() })
    }
}

#[async_trait::async_trait]
impl HttpTransport for Scripted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.seen.lock().unwrap().push(request);
        if self.hang {
            std::future::pending::<()>().await;
        }
        self.answer.lock().unwrap().take().expect("one request only")
    }
}

fn request(timeout_ms: u64, max: usize) -> HttpRequest {
    HttpRequest {
        method: HttpMethod::Post,
        url: "https://acquirer.example/v4/pay".into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: b"{\"authCode\":\"134567890123456789\"}".to_vec(),
        connect_timeout: Duration::from_millis(timeout_ms),
        timeout: Duration::from_millis(timeout_ms),
        max_answer_bytes: max,
    }
}

fn ok(status: u16, body: &[u8]) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse { status, headers: vec![("DATE".into(), "x".into())], body: body.to_vec() })
}

#[tokio::test]
async fn answers_within_bounds_pass_unchanged() {
    let t = Scripted::new(ok(404, b"{}"));
    let answer = send_bounded(t.as_ref(), request(1000, 2)).await.unwrap();
    assert_eq!((answer.status, answer.body.as_slice()), (404, &b"{}"[..]));
    assert_eq!(answer.header("date"), Some("x"));
    assert_eq!(t.seen.lock().unwrap()[0].url, "https://acquirer.example/v4/pay");
}

#[tokio::test]
async fn impossible_statuses_and_oversized_bodies_are_bad_answers() {
    for (status, body) in [(0, &b""[..]), (99, b""), (600, b""), (u16::MAX, b""), (200, b"abc")] {
        let t = Scripted::new(ok(status, body));
        match send_bounded(t.as_ref(), request(1000, 2)).await {
            Err(BoundedError::BadAnswer(why)) => {
                assert!(why.contains(if status == 200 { "larger than 2 bytes" } else { "status" }))
            }
            other => panic!("status {status}, {} bytes: {other:?}", body.len()),
        }
    }
}

#[tokio::test]
async fn transport_failures_keep_their_kind() {
    for e in [
        TransportError::NotConnected("refused".into()),
        TransportError::Timeout("slow".into()),
        TransportError::ConnectionLost("reset".into()),
    ] {
        let t = Scripted::new(Err(e.clone()));
        assert_eq!(
            send_bounded(t.as_ref(), request(1000, 2)).await,
            Err(BoundedError::Transport(e))
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_transport_that_never_answers_times_out_after_a_grace_period() {
    let t = Arc::new(Scripted { answer: Mutex::new(None), hang: true, seen: Mutex::default() });
    let started = tokio::time::Instant::now();
    match send_bounded(t.as_ref(), request(2000, 2)).await {
        Err(BoundedError::Transport(TransportError::Timeout(_))) => {}
        other => panic!("{other:?}"),
    }
    // The request's own timeout plus the grace period, on the paused clock.
    assert_eq!(started.elapsed(), Duration::from_secs(7));
}

#[test]
fn an_app_transport_refuses_extra_roots_and_the_debug_text_hides_the_body() {
    let app: Arc<dyn HttpTransport> = Scripted::new(ok(200, b""));
    let choice = Transport::App(Arc::clone(&app));
    assert!(open(&choice, &[], Duration::from_secs(1)).is_ok());
    let refused = open(&choice, &["-----BEGIN CERTIFICATE-----".into()], Duration::from_secs(1));
    assert_eq!(refused.err().map(|e| e.field), Some("extra_roots"));
    assert_eq!(choice, Transport::App(app));
    assert_ne!(choice, Transport::Bundled);
    let text = format!("{:?}", request(1, 1));
    assert!(!text.contains("134567890123456789"), "{text}");
}

#[test]
fn limits_read_as_people_write_them() {
    assert_eq!(size_text(1 << 20), "1 MiB");
    assert_eq!(size_text(64 * 1024), "64 KB");
    assert_eq!(size_text(1000), "1000 bytes");
}
