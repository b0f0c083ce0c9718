//! Loopback TCP transports, for tests and for trying the link by hand with the CLI's reader
//! simulator: a client (the core's side) and a listener (the reader's side, one connection at a
//! time). Writes may be cut into chunks of a fixed size to imitate Bluetooth LE packets.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::transport::{ReaderTransport, TransportError};

/// The largest read at once.
const READ_BUF: usize = 4096;

async fn write_chunked(
    stream: &mut TcpStream,
    bytes: &[u8],
    chunk: usize,
) -> Result<(), TransportError> {
    for piece in bytes.chunks(chunk.max(1)) {
        stream.write_all(piece).await.map_err(|e| TransportError::Io(e.to_string()))?;
    }
    Ok(())
}

async fn read_some(stream: &mut TcpStream) -> Result<Vec<u8>, TransportError> {
    let mut buf = vec![0u8; READ_BUF];
    // `read` is cancel-safe: nothing is consumed unless it completes.
    match stream.read(&mut buf).await {
        Ok(0) => Err(TransportError::Closed),
        Ok(n) => {
            buf.truncate(n);
            Ok(buf)
        }
        Err(e) => Err(TransportError::Io(e.to_string())),
    }
}

/// Connects to a reader listening on a TCP address.
#[derive(Debug)]
pub struct TcpTransport {
    addr: SocketAddr,
    chunk: usize,
    stream: Option<TcpStream>,
}

impl TcpTransport {
    /// A transport to `addr`, writing in pieces of at most `chunk` bytes (no connection yet).
    pub fn new(addr: SocketAddr, chunk: usize) -> Self {
        TcpTransport { addr, chunk, stream: None }
    }
}

#[async_trait::async_trait]
impl ReaderTransport for TcpTransport {
    async fn connect(&mut self) -> Result<(), TransportError> {
        let stream = TcpStream::connect(self.addr)
            .await
            .map_err(|e| TransportError::Connect(e.to_string()))?;
        // Frames are small and latency matters more than packet count.
        stream.set_nodelay(true).map_err(|e| TransportError::Connect(e.to_string()))?;
        self.stream = Some(stream);
        Ok(())
    }
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        write_chunked(self.stream.as_mut().ok_or(TransportError::NotConnected)?, bytes, self.chunk)
            .await
    }
    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        read_some(self.stream.as_mut().ok_or(TransportError::NotConnected)?).await
    }
    async fn close(&mut self) -> Result<(), TransportError> {
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
        Ok(())
    }
}

/// The reader's side: `connect` accepts the next connection on its listener.
#[derive(Debug)]
pub struct TcpListenerTransport {
    listener: TcpListener,
    chunk: usize,
    stream: Option<TcpStream>,
}

impl TcpListenerTransport {
    /// Listens on `addr` (port 0 picks a free one), writing in pieces of at most `chunk` bytes.
    pub async fn bind(addr: SocketAddr, chunk: usize) -> Result<Self, TransportError> {
        let listener =
            TcpListener::bind(addr).await.map_err(|e| TransportError::Connect(e.to_string()))?;
        Ok(TcpListenerTransport { listener, chunk, stream: None })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, TransportError> {
        self.listener.local_addr().map_err(|e| TransportError::Io(e.to_string()))
    }
}

#[async_trait::async_trait]
impl ReaderTransport for TcpListenerTransport {
    async fn connect(&mut self) -> Result<(), TransportError> {
        let (stream, _) =
            self.listener.accept().await.map_err(|e| TransportError::Connect(e.to_string()))?;
        stream.set_nodelay(true).map_err(|e| TransportError::Connect(e.to_string()))?;
        self.stream = Some(stream);
        Ok(())
    }
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        write_chunked(self.stream.as_mut().ok_or(TransportError::NotConnected)?, bytes, self.chunk)
            .await
    }
    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        read_some(self.stream.as_mut().ok_or(TransportError::NotConnected)?).await
    }
    async fn close(&mut self) -> Result<(), TransportError> {
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
        Ok(())
    }
}
