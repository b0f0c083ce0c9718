//! Loopback TCP transports, for tests and for trying the link by hand with the CLI's reader
//! simulator: a client (the core's side) and a listener (the reader's side, one connection at a
//! time). Writes may be cut into chunks of a fixed size to imitate Bluetooth LE packets.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::transport::{ReaderTransport, TransportError};

/// The largest read at once.
const READ_BUF: usize = 4096;

/// The connection both sides hold: at most one stream, written in chunks.
#[derive(Debug)]
struct Connection {
    chunk: usize,
    stream: Option<TcpStream>,
}

impl Connection {
    fn new(chunk: usize) -> Self {
        Connection { chunk: chunk.max(1), stream: None }
    }

    fn open(&mut self, stream: TcpStream) -> Result<(), TransportError> {
        // Frames are small and latency matters more than packet count.
        stream.set_nodelay(true).map_err(|e| TransportError::Connect(e.to_string()))?;
        self.stream = Some(stream);
        Ok(())
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        let stream = self.stream.as_mut().ok_or(TransportError::NotConnected)?;
        for piece in bytes.chunks(self.chunk) {
            stream.write_all(piece).await.map_err(|e| TransportError::Io(e.to_string()))?;
        }
        Ok(())
    }

    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        let stream = self.stream.as_mut().ok_or(TransportError::NotConnected)?;
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

    async fn close(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
    }
}

/// Connects to a reader listening on a TCP address.
#[derive(Debug)]
pub struct TcpTransport {
    addr: SocketAddr,
    conn: Connection,
}

impl TcpTransport {
    /// A transport to `addr`, writing in pieces of at most `chunk` bytes (no connection yet).
    pub fn new(addr: SocketAddr, chunk: usize) -> Self {
        TcpTransport { addr, conn: Connection::new(chunk) }
    }
}

#[async_trait::async_trait]
impl ReaderTransport for TcpTransport {
    async fn connect(&mut self) -> Result<(), TransportError> {
        let stream = TcpStream::connect(self.addr)
            .await
            .map_err(|e| TransportError::Connect(e.to_string()))?;
        self.conn.open(stream)
    }
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.conn.send(bytes).await
    }
    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        self.conn.receive().await
    }
    async fn close(&mut self) -> Result<(), TransportError> {
        self.conn.close().await;
        Ok(())
    }
}

/// The reader's side: `connect` accepts the next connection on its listener.
#[derive(Debug)]
pub struct TcpListenerTransport {
    listener: TcpListener,
    conn: Connection,
}

impl TcpListenerTransport {
    /// Listens on `addr` (port 0 picks a free one), writing in pieces of at most `chunk` bytes.
    pub async fn bind(addr: SocketAddr, chunk: usize) -> Result<Self, TransportError> {
        let listener =
            TcpListener::bind(addr).await.map_err(|e| TransportError::Connect(e.to_string()))?;
        Ok(TcpListenerTransport { listener, conn: Connection::new(chunk) })
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
        self.conn.open(stream)
    }
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.conn.send(bytes).await
    }
    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        self.conn.receive().await
    }
    async fn close(&mut self) -> Result<(), TransportError> {
        self.conn.close().await;
        Ok(())
    }
}
