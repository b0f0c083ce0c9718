//! External card readers (Bluetooth LE, USB) across the FFI: the platform only moves bytes
//! through [`ReaderTransport`]; the link protocol (docs/reader-link.md), the transaction and the
//! card data are TillKit's.

use std::sync::Arc;

use tillkit_core::reader::link::client::{LinkCardReader, LinkReaderConfig};
use tillkit_core::reader::link::transport::{ReaderTransport as CoreTransport, TransportError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{CardReader, CoreBacked};
use crate::error::{ReaderFault, TillKitError};

/// Moves bytes to and from an external reader: a BLE characteristic pair, a USB endpoint, a
/// socket. It knows nothing of frames; chunks may be any size (BLE: 20–244 bytes).
// A callback interface for the reason `AuthorizationHost` is: only apps implement it.
#[uniffi::export(callback_interface)]
#[async_trait::async_trait]
pub trait ReaderTransport: Send + Sync {
    /// Opens the connection (connect to the paired reader). TillKit waits for it to return
    /// and never calls it twice at once, so it may simply block until the reader answers.
    async fn connect(&self) -> Result<(), TillKitError>;
    /// Sends bytes, split into chunks as the medium needs.
    async fn send(&self, bytes: Vec<u8>) -> Result<(), TillKitError>;
    /// Waits for the next chunk of bytes from the reader. Throw `Reader(DISCONNECTED, …)` when
    /// the reader went away: TillKit reconnects and resumes the transaction.
    async fn receive(&self) -> Result<Vec<u8>, TillKitError>;
    /// Closes the connection; closing a closed transport is not an error. (Not `close`: that
    /// name is taken by `AutoCloseable` on the Kotlin side.)
    async fn disconnect(&self) -> Result<(), TillKitError>;
}

fn io(e: TillKitError) -> TransportError {
    match e {
        TillKitError::Reader { fault: ReaderFault::Disconnected, .. } => TransportError::Closed,
        other => TransportError::Io(other.to_string()),
    }
}

/// The app's transport as the link sees it. The link waits on `receive` together with its
/// timers, so `receive` must never lose a chunk when it is dropped: a pump task keeps one call
/// to the app's `receive` open and queues what it returns.
struct TransportBridge {
    app: Arc<dyn ReaderTransport>,
    chunks: Option<mpsc::Receiver<Result<Vec<u8>, TransportError>>>,
    pump: Option<JoinHandle<()>>,
}

impl TransportBridge {
    fn stop_pump(&mut self) {
        if let Some(pump) = self.pump.take() {
            pump.abort();
        }
        self.chunks = None;
    }
}

impl Drop for TransportBridge {
    fn drop(&mut self) {
        self.stop_pump();
    }
}

#[async_trait::async_trait]
impl CoreTransport for TransportBridge {
    async fn connect(&mut self) -> Result<(), TransportError> {
        self.stop_pump();
        self.app.connect().await.map_err(|e| TransportError::Connect(e.to_string()))?;
        let (tx, rx) = mpsc::channel(64);
        let app = Arc::clone(&self.app);
        self.pump = Some(tokio::spawn(async move {
            loop {
                let chunk = app.receive().await.map_err(io);
                let end = chunk.is_err();
                if tx.send(chunk).await.is_err() || end {
                    break;
                }
            }
        }));
        self.chunks = Some(rx);
        Ok(())
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        if self.chunks.is_none() {
            return Err(TransportError::NotConnected);
        }
        self.app.send(bytes.to_vec()).await.map_err(io)
    }

    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        let chunks = self.chunks.as_mut().ok_or(TransportError::NotConnected)?;
        loop {
            match chunks.recv().await {
                Some(Ok(chunk)) if chunk.is_empty() => continue,
                Some(result) => return result,
                None => return Err(TransportError::Closed),
            }
        }
    }

    async fn close(&mut self) -> Result<(), TransportError> {
        self.stop_pump();
        self.app.disconnect().await.map_err(io)
    }
}

/// The link's timings for an app's transport. A Bluetooth LE link answers within connection
/// intervals of up to tens of milliseconds, and every chunk crosses the FFI both ways, so
/// acknowledgements get a second (not the 250 ms of a socket) and answers fifteen seconds.
fn app_link_config() -> LinkReaderConfig {
    let mut config = LinkReaderConfig::default();
    config.driver.link.ack_timeout = std::time::Duration::from_secs(1);
    config.reply_timeout = std::time::Duration::from_secs(15);
    config
}

/// A card reader behind `transport`, driven over TillKit's link protocol: frames with CRCs,
/// acknowledgements and bounded retransmission, reconnection and resumption of the running
/// transaction after a drop (never run twice). Use it with `CardTransaction` like any reader.
#[uniffi::export]
pub fn link_card_reader(
    transport: Box<dyn ReaderTransport>,
) -> Result<Arc<dyn CardReader>, TillKitError> {
    let bridge = TransportBridge { app: Arc::from(transport), chunks: None, pump: None };
    let reader = crate::runtime::within(|| LinkCardReader::start(bridge, app_link_config()))?;
    Ok(Arc::new(CoreBacked(reader)))
}
