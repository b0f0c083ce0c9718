//! The app's HTTP client, for builds without the bundled one (the Android and iOS libraries):
//! the app passes an [`HttpTransport`] to `Cashier.open`, `TerminalAgent.open` and
//! `registerWithSandbox`. The Android library ships one over `HttpURLConnection`
//! (`io.tillkit.HttpUrlConnectionTransport`), the Swift package one over `URLSession`.

use std::sync::Arc;
use std::time::Duration;

use tillkit_core::transport::{
    HttpRequest as CoreRequest, HttpResponse as CoreResponse, HttpTransport as CoreTransport,
    Transport, TransportError,
};

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// The header's name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A request TillKit asks the app's client to send. The body carries payment codes and
/// signatures: do not log it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    /// `POST` or `GET`.
    pub method: String,
    /// The whole URL (https, or http to this machine).
    pub url: String,
    /// Headers to send.
    pub headers: Vec<HttpHeader>,
    /// The body.
    pub body: Vec<u8>,
    /// How long to try to connect, in milliseconds.
    pub connect_timeout_ms: i64,
    /// How long to wait for the whole answer, connection included, in milliseconds.
    pub timeout_ms: i64,
    /// Stop reading an answer body beyond this many bytes (TillKit refuses it anyway).
    pub max_answer_bytes: i64,
}

/// An answer of any status: TillKit decides what the status means.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: i32,
    /// The answer's headers (TillKit reads `Date` and its own signature headers).
    pub headers: Vec<HttpHeader>,
    /// The whole body.
    pub body: Vec<u8>,
}

/// Why the app's client got no answer. Whether a payment may simply be sent again depends on
/// it: say `NotConnected` only when no byte of the request can have left the device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HttpTransportError {
    /// No connection was made: unknown host, connection refused, no network, connect timeout,
    /// TLS handshake failed.
    #[error("no connection: {reason}")]
    NotConnected {
        /// What failed.
        reason: String,
    },
    /// The answer did not come in time.
    #[error("timed out: {reason}")]
    Timeout {
        /// What timed out.
        reason: String,
    },
    /// Anything else, after the request may have been sent (the connection reset, a broken
    /// answer, an unexpected exception).
    #[error("connection lost: {reason}")]
    ConnectionLost {
        /// What failed.
        reason: String,
    },
}

// An exception the app's client did not sort counts as "may have been sent": the sale is then
// queried, never sent a second time blindly.
impl From<uniffi::UnexpectedUniFFICallbackError> for HttpTransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HttpTransportError::ConnectionLost { reason: e.reason }
    }
}

/// The app's HTTP client. Follow no redirects; return answers of every status.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends `request` and returns the whole answer.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpTransportError>;
}

/// True when this library carries its own HTTP client, so `httpTransport` may be left out;
/// the Android and iOS libraries do not, and need the app's.
#[uniffi::export]
pub fn has_bundled_http() -> bool {
    tillkit_core::transport::HAS_BUNDLED_HTTP
}

/// The transport for the core: the app's, or the bundled one when none is given.
pub(crate) fn transport(app: Option<Arc<dyn HttpTransport>>) -> Transport {
    match app {
        Some(app) => Transport::App(Arc::new(Bridge(app))),
        None => Transport::Bundled,
    }
}

struct Bridge(Arc<dyn HttpTransport>);

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn headers(list: Vec<(String, String)>) -> Vec<HttpHeader> {
    list.into_iter().map(|(name, value)| HttpHeader { name, value }).collect()
}

#[async_trait::async_trait]
impl CoreTransport for Bridge {
    async fn send(&self, request: CoreRequest) -> Result<CoreResponse, TransportError> {
        let request = HttpRequest {
            method: request.method.as_str().into(),
            url: request.url,
            headers: headers(request.headers),
            body: request.body,
            connect_timeout_ms: ms(request.connect_timeout),
            timeout_ms: ms(request.timeout),
            max_answer_bytes: i64::try_from(request.max_answer_bytes).unwrap_or(i64::MAX),
        };
        match self.0.send(request).await {
            Ok(answer) => Ok(CoreResponse {
                // Out of range: 0, which the core refuses as a broken transport.
                status: u16::try_from(answer.status).unwrap_or(0),
                headers: answer.headers.into_iter().map(|h| (h.name, h.value)).collect(),
                body: answer.body,
            }),
            Err(HttpTransportError::NotConnected { reason }) => {
                Err(TransportError::NotConnected(reason))
            }
            Err(HttpTransportError::Timeout { reason }) => Err(TransportError::Timeout(reason)),
            Err(HttpTransportError::ConnectionLost { reason }) => {
                Err(TransportError::ConnectionLost(reason))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use tillkit_core::acquirer::factory::acquirer_from_settings;
    use tillkit_core::acquirer::{AcquirerSettings, HttpSettings};
    use tillkit_core::engine::MemoryKeyStore;
    use tillkit_core::sign::pingpong::SignType;

    use super::*;

    fn pingpong(transport: Transport) -> AcquirerSettings {
        AcquirerSettings::PingPong {
            http: HttpSettings { transport, ..HttpSettings::new("http://127.0.0.1:1") },
            acc_id: "A1".into(),
            client_id: "C1".into(),
            sign_type: SignType::Sha256,
            salt_key: "salt".into(),
            order_terminal: Default::default(),
        }
    }

    struct Never;

    #[async_trait::async_trait]
    impl HttpTransport for Never {
        async fn send(&self, _: HttpRequest) -> Result<HttpResponse, HttpTransportError> {
            Err(HttpTransportError::NotConnected { reason: "test".into() })
        }
    }

    // Run with and without the feature (CI: `cargo test -p tillkit-ffi --no-default-features`).
    #[test]
    fn the_bundled_client_is_there_exactly_when_the_feature_is() {
        let keys = MemoryKeyStore::with("salt", b"s3cret");
        assert_eq!(has_bundled_http(), cfg!(feature = "bundled-http"));
        let bundled = acquirer_from_settings(&pingpong(transport(None)), &keys);
        match (bundled, cfg!(feature = "bundled-http")) {
            (Ok(_), true) => {}
            (Err(e), false) => assert!(e.to_string().contains("http_transport"), "{e}"),
            (other, _) => panic!("{:?}", other.map(|a| a.name())),
        }
        let app = acquirer_from_settings(&pingpong(transport(Some(Arc::new(Never)))), &keys);
        assert_eq!(app.map(|a| a.name()).ok(), Some("pingpong"));
    }
}
