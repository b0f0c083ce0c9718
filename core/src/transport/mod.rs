//! The HTTP client the acquirer adapters and the terminal channel send through: either the
//! core's own (reqwest and rustls, feature `bundled-http`) or one the app provides.
//!
//! Apps on phones usually provide theirs (OkHttp or `HttpURLConnection` on Android,
//! `URLSession` on iOS): the platform's trust store, proxies, VPNs and certificate pinning then
//! apply, and the library ships without a TLS stack of its own (1.9 MB of the 6.4 MB
//! library). The core stays in charge of everything that decides a payment: it builds the
//! request, bounds the wait, checks the answer's size and status, and sorts failures into
//! "not sent" and "outcome unknown" from what the transport reports.

#[cfg(feature = "bundled-http")]
mod bundled;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// One request, as the core wants it sent. The body may hold payment codes and signed
/// amounts: an implementation must not log it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `POST` (the only method the core sends today) or `GET`.
    pub method: HttpMethod,
    /// The whole URL: the configured base URL (checked: https, or http to this machine) and a
    /// path.
    pub url: String,
    /// Headers to send, as (name, value) pairs.
    pub headers: Vec<(String, String)>,
    /// The body (empty for `GET`).
    pub body: Vec<u8>,
    /// How long to try to connect. A connection not made in this time is "not sent".
    pub connect_timeout: Duration,
    /// How long to wait for the whole answer, connection included.
    pub timeout: Duration,
    /// The largest answer body the core accepts; an implementation should stop reading beyond
    /// it (the core refuses a larger body in any case).
    pub max_answer_bytes: usize,
}

impl fmt::Debug for HttpRequest {
    // Never the body: it carries payment codes and signatures.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {} ({} body bytes)", self.method, self.url, self.body.len())
    }
}

/// The HTTP methods the core uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl HttpMethod {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// An answer of any status (the core decides what a status means).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code (100–599; anything else is taken for a broken transport).
    pub status: u16,
    /// The answer's headers as (name, value) pairs; names compare case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why a request got no answer. The difference between the first and the others decides
/// whether a payment may simply be sent again, so an implementation must say `NotConnected`
/// only when no byte of the request can have left the device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No connection was made (unknown host, refused, no network, connect timeout, TLS
    /// handshake refused before any request byte was written): the request was not sent.
    #[error("no connection: {0}")]
    NotConnected(String),
    /// The answer did not come in time; the request may have been acted on.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The connection broke after the request may have been sent, or anything else went wrong
    /// that does not prove the request was never sent.
    #[error("connection lost: {0}")]
    ConnectionLost(String),
}

/// Sends requests: the core's own client or the app's.
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends `request` and reads the whole answer, of any status. Follows no redirects.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// Which client carries a connection's requests.
#[derive(Clone, Default)]
pub enum Transport {
    /// The core's own client (reqwest with rustls); a build without the `bundled-http`
    /// feature refuses it when a connection is set up.
    #[default]
    Bundled,
    /// The app's client.
    App(Arc<dyn HttpTransport>),
}

impl PartialEq for Transport {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Transport::Bundled, Transport::Bundled) => true,
            (Transport::App(a), Transport::App(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Transport {}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Bundled => "Bundled",
            Transport::App(_) => "App",
        })
    }
}

/// True when this build carries its own HTTP client (feature `bundled-http`).
pub const HAS_BUNDLED_HTTP: bool = cfg!(feature = "bundled-http");

/// Why a transport could not be set up (the caller names the setting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetupError {
    /// The setting at fault: `http_transport`, `extra_roots`.
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// The transport for `choice`. `extra_roots` (PEM text) are trusted besides the public roots
/// by the bundled client; an app's client trusts what the platform is configured to trust,
/// so extra roots given with it are refused rather than silently ignored.
#[cfg_attr(not(feature = "bundled-http"), allow(unused_variables))]
pub(crate) fn open(
    choice: &Transport,
    extra_roots: &[String],
    connect_timeout: Duration,
) -> Result<Arc<dyn HttpTransport>, SetupError> {
    match choice {
        Transport::App(app) if extra_roots.is_empty() => Ok(Arc::clone(app)),
        Transport::App(_) => Err(SetupError {
            field: "extra_roots",
            reason: "the app's HTTP transport decides which certificates it trusts: configure \
                     the extra roots there (Android network security config, iOS trust \
                     settings), not here"
                .into(),
        }),
        #[cfg(feature = "bundled-http")]
        Transport::Bundled => {
            bundled::Bundled::new(extra_roots, connect_timeout).map(|b| Arc::new(b) as _)
        }
        #[cfg(not(feature = "bundled-http"))]
        Transport::Bundled => Err::<_, SetupError>(SetupError {
            field: "http_transport",
            reason: "this build of TillKit has no HTTP client of its own (feature \
                     `bundled-http`): pass the app's HTTP transport"
                .into(),
        }),
    }
}

/// Sends through `transport` with a backstop on the wait (the transport's own timeout plus a
/// grace period: a transport that never answers must not hold a sale forever), then checks
/// the status range and the body's size.
pub(crate) async fn send_bounded(
    transport: &dyn HttpTransport,
    request: HttpRequest,
) -> Result<HttpResponse, BoundedError> {
    const GRACE: Duration = Duration::from_secs(5);
    let max = request.max_answer_bytes;
    let wait = request.timeout.saturating_add(GRACE);
    let response = tokio::time::timeout(wait, transport.send(request))
        .await
        .map_err(|_| {
            BoundedError::Transport(TransportError::Timeout(format!(
                "no answer from the HTTP transport within {} s",
                wait.as_secs()
            )))
        })?
        .map_err(BoundedError::Transport)?;
    if !(100..=599).contains(&response.status) {
        return Err(BoundedError::BadAnswer(format!(
            "the HTTP transport reported status {}",
            response.status
        )));
    }
    if response.body.len() > max {
        return Err(BoundedError::BadAnswer(format!("answer larger than {}", size_text(max))));
    }
    Ok(response)
}

/// `1 MiB`, `64 KB`, `1000 bytes`: for logs and journals.
fn size_text(bytes: usize) -> String {
    const MIB: usize = 1 << 20;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= 1024 && b % 1024 == 0 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// What [`send_bounded`] fails with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BoundedError {
    /// The transport's own failure (or the backstop's timeout).
    Transport(TransportError),
    /// An answer came that cannot be a real one (status out of range, body too large): the
    /// request was sent and may have been acted on.
    BadAnswer(String),
}

#[cfg(test)]
mod tests;
