//! The HTTP edge shared by the adapters: one client with explicit timeouts, and the sorting of
//! transport failures into "not sent" and "outcome unknown".

use std::sync::Arc;
use std::time::Duration;

use super::error::{AcquirerError, UnknownCause};
use super::tls;
use crate::transport::TransportError;
use crate::transport::{self, BoundedError, HttpMethod, HttpRequest, HttpTransport, Transport};

/// Answers larger than this are refused: no acquirer answer comes near it.
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// Where and how patiently to talk to an acquirer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Base URL, e.g. `https://acquirer-payment.pingpongx.com` or the sandbox's `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// How long to wait for a connection (failing here means "not sent").
    pub connect_timeout: Duration,
    /// How long to wait for the whole answer (failing here means "outcome unknown").
    pub request_timeout: Duration,
    /// CA certificates to trust besides the usual public roots, as PEM text (each entry may
    /// hold several `CERTIFICATE` blocks): a private acquirer gateway, a test CA. The bundled
    /// client's only: an app's transport trusts what its platform is configured to trust.
    pub extra_roots: Vec<String>,
    /// The HTTP client requests go through (the bundled one by default).
    pub transport: Transport,
}

impl HttpSettings {
    /// Settings with the default timeouts (5 s to connect, 20 s for the answer) and the
    /// bundled client.
    pub fn new(base_url: impl Into<String>) -> Self {
        HttpSettings {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            extra_roots: Vec::new(),
            transport: Transport::Bundled,
        }
    }
}

/// A raw 2xx answer's body (other statuses are errors).
pub(crate) struct HttpAnswer {
    pub body: Vec<u8>,
}

/// The acquirer's clock as its last answer's `Date` header gave it: the reference for what the
/// acquirer enforces (QR expiry, refund age).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerDate {
    /// The acquirer's time, milliseconds since the Unix epoch (whole seconds).
    pub unix_ms: u64,
    /// When the answer was read, on the monotonic clock.
    pub received: std::time::Instant,
}

/// `Date` headers outside these bounds (2020-01-01, 2100-01-01) are absurd and ignored.
const DATE_SANE_MS: std::ops::Range<u64> = 1_577_836_800_000..4_102_444_800_000;

/// Reads an answer's `Date` header; missing, malformed and absurd ones give `None`.
pub fn parse_date_header(value: Option<&str>) -> Result<u64, &'static str> {
    let value = value.ok_or("no Date header")?;
    let time = httpdate::parse_http_date(value.trim()).map_err(|_| "malformed Date header")?;
    let ms = time
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_millis()).ok())
        .ok_or("Date header before 1970")?;
    if DATE_SANE_MS.contains(&ms) {
        Ok(ms)
    } else {
        Err("absurd Date header")
    }
}

pub(crate) struct HttpClient {
    transport: Arc<dyn HttpTransport>,
    base_url: String,
    connect_timeout: Duration,
    request_timeout: Duration,
    last_date: std::sync::Mutex<Option<AnswerDate>>,
    warned_date: std::sync::atomic::AtomicBool,
}

/// Checks the base URL (see [`tls::check_base_url`]) and sets up the settings' transport.
/// Returns it with the base URL, trailing slash removed. Shared with the terminal agent's
/// device channel, which talks to the same acquirer.
pub(crate) fn connect(
    settings: &HttpSettings,
) -> Result<(Arc<dyn HttpTransport>, String), AcquirerError> {
    let base_url = tls::check_base_url(&settings.base_url)?;
    let transport =
        transport::open(&settings.transport, &settings.extra_roots, settings.connect_timeout)
            .map_err(|e| AcquirerError::InvalidRequest { field: e.field, reason: e.reason })?;
    Ok((transport, base_url))
}

impl HttpClient {
    /// Checks the settings (see [`tls::check_base_url`]) and sets up the transport.
    pub fn new(settings: &HttpSettings) -> Result<Self, AcquirerError> {
        let (transport, base_url) = connect(settings)?;
        Ok(HttpClient {
            transport,
            base_url,
            connect_timeout: settings.connect_timeout,
            request_timeout: settings.request_timeout,
            last_date: std::sync::Mutex::new(None),
            warned_date: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The acquirer's clock from the last answer that carried a sane `Date` header.
    pub fn last_date(&self) -> Option<AnswerDate> {
        *self.last_date.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn note_date(&self, header: Option<&str>) {
        match parse_date_header(header) {
            Ok(unix_ms) => {
                let date = AnswerDate { unix_ms, received: std::time::Instant::now() };
                *self.last_date.lock().unwrap_or_else(|p| p.into_inner()) = Some(date);
            }
            Err(why) => {
                // Once per client: an acquirer without the header would fill the log.
                if !self.warned_date.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    log::warn!("acquirer answer: {why}; its clock is not learned from it");
                }
            }
        }
    }

    /// POSTs a body and reads the whole answer, sorting every failure by what it means.
    pub async fn post(
        &self,
        path: &str,
        content_type: &'static str,
        body: String,
    ) -> Result<HttpAnswer, AcquirerError> {
        let request = HttpRequest {
            method: HttpMethod::Post,
            url: format!("{}{}", self.base_url, path),
            headers: vec![
                ("Content-Type".into(), content_type.into()),
                ("Accept".into(), "application/json, application/xml".into()),
            ],
            body: body.into_bytes(),
            connect_timeout: self.connect_timeout,
            timeout: self.request_timeout,
            max_answer_bytes: MAX_RESPONSE_BYTES,
        };
        let response = match transport::send_bounded(self.transport.as_ref(), request).await {
            Ok(response) => response,
            Err(BoundedError::Transport(e)) => return Err(classify(e)),
            Err(BoundedError::BadAnswer(why)) => return Err(AcquirerError::malformed(why)),
        };
        self.note_date(response.header("date"));
        let status = response.status;
        if !(200..300).contains(&status) {
            return Err(AcquirerError::OutcomeUnknown {
                cause: UnknownCause::HttpStatus(status),
                detail: format!("POST {path} answered HTTP {status}"),
            });
        }
        Ok(HttpAnswer { body: response.body })
    }
}

/// A connection that was never made is "not sent"; anything after that is "unknown".
fn classify(e: TransportError) -> AcquirerError {
    match e {
        TransportError::NotConnected(reason) => AcquirerError::NotSent { reason },
        TransportError::Timeout(detail) => {
            AcquirerError::OutcomeUnknown { cause: UnknownCause::Timeout, detail }
        }
        TransportError::ConnectionLost(detail) => {
            AcquirerError::OutcomeUnknown { cause: UnknownCause::ConnectionLost, detail }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_date_header;

    #[test]
    fn date_headers_missing_malformed_or_absurd_are_refused() {
        assert_eq!(parse_date_header(Some("Tue, 14 Nov 2023 22:13:20 GMT")), Ok(1_700_000_000_000));
        for bad in [
            None,
            Some(""),
            Some("yesterday"),
            Some("Tue, 32 Nov 2023 22:13:20 GMT"),
            Some("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some("Mon, 01 Jan 1900 00:00:00 GMT"),
            Some("Fri, 01 Jan 2100 00:00:00 GMT"),
            Some("Fri, 31 Dec 9999 23:59:59 GMT"),
        ] {
            assert!(parse_date_header(bad).is_err(), "{bad:?}");
        }
    }
}
