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

pub(crate) struct HttpClient {
    client: reqwest::Client,
    base_url: String,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    // Fails only when another provider is already installed, which is just as good.
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl HttpClient {
    /// Checks the settings (see [`tls::check_base_url`]) and builds the client.
    pub fn new(settings: &HttpSettings) -> Result<Self, AcquirerError> {
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
        Ok(HttpClient { client, base_url })
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

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
