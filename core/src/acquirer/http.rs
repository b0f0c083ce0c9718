//! The HTTP edge shared by the adapters: one client with explicit timeouts, and the sorting of
//! transport failures into "not sent" and "outcome unknown".

use std::sync::Once;
use std::time::Duration;

use super::error::{AcquirerError, UnknownCause};
use super::tls;

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
    /// hold several `CERTIFICATE` blocks): a private acquirer gateway, a test CA.
    pub extra_roots: Vec<String>,
}

impl HttpSettings {
    /// Settings with the default timeouts: 5 s to connect, 20 s for the answer.
    pub fn new(base_url: impl Into<String>) -> Self {
        HttpSettings {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            extra_roots: Vec::new(),
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
    client: reqwest::Client,
    base_url: String,
    last_date: std::sync::Mutex<Option<AnswerDate>>,
    warned_date: std::sync::atomic::AtomicBool,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    // Fails only when another provider is already installed, which is just as good.
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Checks the base URL (see [`tls::check_base_url`]) and builds a client with the settings'
/// timeouts and trust roots, no redirects. Returns it with the base URL, trailing slash removed.
/// Shared with the terminal agent's device channel, which talks to the same acquirer.
pub(crate) fn build_client(
    settings: &HttpSettings,
) -> Result<(reqwest::Client, String), AcquirerError> {
    let base_url = tls::check_base_url(&settings.base_url)?;
    let extra_roots = tls::parse_extra_roots(&settings.extra_roots)?;
    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.request_timeout)
        .redirect(reqwest::redirect::Policy::none());
    if tls::use_bundled_roots(&extra_roots) {
        builder = builder.tls_backend_preconfigured(tls::bundled_client_config(&extra_roots)?);
    }
    let client = builder.build().map_err(|e| AcquirerError::InvalidRequest {
        field: "http_client",
        reason: e.to_string(),
    })?;
    Ok((client, base_url))
}

impl HttpClient {
    /// Checks the settings (see [`tls::check_base_url`]) and builds the client.
    pub fn new(settings: &HttpSettings) -> Result<Self, AcquirerError> {
        let (client, base_url) = build_client(settings)?;
        Ok(HttpClient {
            client,
            base_url,
            last_date: std::sync::Mutex::new(None),
            warned_date: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The acquirer's clock from the last answer that carried a sane `Date` header.
    pub fn last_date(&self) -> Option<AnswerDate> {
        *self.last_date.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn note_date(&self, header: Option<&reqwest::header::HeaderValue>) {
        match parse_date_header(header.and_then(|v| v.to_str().ok())) {
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
        let url = format!("{}{}", self.base_url, path);
        let mut response = self
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(reqwest::header::ACCEPT, "application/json, application/xml")
            .body(body)
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let status = response.status().as_u16();
        self.note_date(response.headers().get(reqwest::header::DATE));
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                        return Err(AcquirerError::malformed("answer larger than 1 MiB"));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(classify(&e)),
            }
        }
        if !(200..300).contains(&status) {
            return Err(AcquirerError::OutcomeUnknown {
                cause: UnknownCause::HttpStatus(status),
                detail: format!("POST {path} answered HTTP {status}"),
            });
        }
        Ok(HttpAnswer { body })
    }
}

/// A connection that was never made is "not sent"; anything after that is "unknown".
fn classify(e: &reqwest::Error) -> AcquirerError {
    let detail = error_chain(e);
    if e.is_connect() {
        AcquirerError::NotSent { reason: detail }
    } else if e.is_timeout() {
        AcquirerError::OutcomeUnknown { cause: UnknownCause::Timeout, detail }
    } else {
        AcquirerError::OutcomeUnknown { cause: UnknownCause::ConnectionLost, detail }
    }
}

pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
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
