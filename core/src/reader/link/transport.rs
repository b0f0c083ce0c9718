//! What the platform provides for an external reader: a way to move bytes (Bluetooth LE, USB,
//! a socket). It knows nothing of frames; chunks may be split or merged arbitrarily.

/// Why the transport failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// There is no connection (never made, or closed).
    #[error("transport not connected")]
    NotConnected,
    /// The other end closed the connection, or it dropped.
    #[error("transport closed by the other end")]
    Closed,
    /// Connecting failed.
    #[error("transport could not connect: {0}")]
    Connect(String),
    /// Reading or writing failed.
    #[error("transport i/o failed: {0}")]
    Io(String),
}

/// Moves bytes to and from a reader.
///
/// `receive` must be cancel-safe (a chunk is never lost when its future is dropped before
/// completion): the link waits on it together with its timers.
#[async_trait::async_trait]
pub trait ReaderTransport: Send {
    /// Opens the connection (on the reader's side of a socket: accepts the next one). The link
    /// never drops this call while it runs (an app's attempt may outlive a dropped call).
    async fn connect(&mut self) -> Result<(), TransportError>;
    /// Drops the current connection, if any, and opens a new one.
    async fn reconnect(&mut self) -> Result<(), TransportError> {
        self.close().await?;
        self.connect().await
    }
    /// Sends bytes; the transport may split them into chunks as its medium requires.
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError>;
    /// Waits for the next chunk of bytes (never empty).
    async fn receive(&mut self) -> Result<Vec<u8>, TransportError>;
    /// Closes the connection; closing a closed transport is not an error.
    async fn close(&mut self) -> Result<(), TransportError>;
}

/// A boxed transport is a transport (so that simulators can wrap any of them).
#[async_trait::async_trait]
impl<T: ReaderTransport + ?Sized> ReaderTransport for Box<T> {
    async fn connect(&mut self) -> Result<(), TransportError> {
        (**self).connect().await
    }
    async fn reconnect(&mut self) -> Result<(), TransportError> {
        (**self).reconnect().await
    }
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        (**self).send(bytes).await
    }
    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        (**self).receive().await
    }
    async fn close(&mut self) -> Result<(), TransportError> {
        (**self).close().await
    }
}
