//! The core's own HTTP client: reqwest over rustls, HTTP/1.1, no redirects. Certificates are
//! checked by the platform verifier, or on Android (and with extra roots, or the
//! `bundled-roots` feature) against Mozilla's roots plus the extra ones (see
//! `acquirer::tls`).

use std::sync::Once;
use std::time::Duration;

use super::{HttpMethod, HttpRequest, HttpResponse, HttpTransport, SetupError, TransportError};
use crate::acquirer::tls;

/// The bundled client. reqwest keeps its connections alive between requests.
pub(crate) struct Bundled {
    client: reqwest::Client,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    // Fails only when another provider is already installed, which is just as good.
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Bundled {
    /// A client trusting the usual roots plus `extra_roots` (PEM text), giving up on a
    /// connection after `connect_timeout` (reqwest sets it per client, not per request).
    pub(crate) fn new(
        extra_roots: &[String],
        connect_timeout: Duration,
    ) -> Result<Self, SetupError> {
        let setup = |field, reason: String| SetupError { field, reason };
        let extra = tls::parse_extra_roots(extra_roots).map_err(|r| setup("extra_roots", r))?;
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .redirect(reqwest::redirect::Policy::none());
        if tls::use_bundled_roots(&extra) {
            let config = tls::bundled_client_config(&extra).map_err(|r| setup("extra_roots", r))?;
            builder = builder.tls_backend_preconfigured(config);
        }
        let client = builder.build().map_err(|e| setup("http_transport", e.to_string()))?;
        Ok(Bundled { client })
    }
}

#[async_trait::async_trait]
impl HttpTransport for Bundled {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
        };
        let mut builder = self.client.request(method, &request.url).timeout(request.timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let mut response = builder.body(request.body).send().await.map_err(|e| classify(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e))? {
            body.extend_from_slice(&chunk);
            if body.len() > request.max_answer_bytes {
                // Stop reading: the core refuses the answer for its size anyway.
                break;
            }
        }
        Ok(HttpResponse { status, headers, body })
    }
}

/// A connection that was never made is "not connected"; anything after that is a timeout or a
/// lost connection.
fn classify(e: &reqwest::Error) -> TransportError {
    let detail = error_chain(e);
    if e.is_connect() {
        TransportError::NotConnected(detail)
    } else if e.is_timeout() {
        TransportError::Timeout(detail)
    } else {
        TransportError::ConnectionLost(detail)
    }
}

/// The error and its sources, one after the other (reqwest's own text says little).
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
