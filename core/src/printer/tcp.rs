//! Raw TCP to a network printer (port 9100, "JetDirect").

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{ByteLink, ByteTransport, PrinterError};

/// A printer at `host:port`.
#[derive(Debug, Clone)]
pub struct TcpTransport {
    addr: String,
    timeout: Duration,
}

impl TcpTransport {
    /// A printer at `addr` (`host:port`); connecting and each write give up after `timeout`.
    pub fn new(addr: impl Into<String>, timeout: Duration) -> Self {
        TcpTransport { addr: addr.into(), timeout }
    }
}

struct TcpLink {
    stream: TcpStream,
    timeout: Duration,
}

#[async_trait::async_trait]
impl ByteTransport for TcpTransport {
    async fn connect(&self) -> Result<Box<dyn ByteLink>, PrinterError> {
        let stream = tokio::time::timeout(self.timeout, TcpStream::connect(&self.addr))
            .await
            .map_err(|_| PrinterError::Offline(format!("no connection to {} in time", self.addr)))?
            .map_err(|e| PrinterError::Offline(format!("cannot connect to {}: {e}", self.addr)))?;
        // Small writes (a status query) must leave at once.
        stream.set_nodelay(true).map_err(|e| PrinterError::Failed(e.to_string()))?;
        Ok(Box::new(TcpLink { stream, timeout: self.timeout }))
    }
}

#[async_trait::async_trait]
impl ByteLink for TcpLink {
    async fn send(&mut self, bytes: &[u8]) -> Result<(), PrinterError> {
        let write = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        };
        tokio::time::timeout(self.timeout, write)
            .await
            .map_err(|_| PrinterError::Offline("the printer stopped taking data".into()))?
            .map_err(|e| PrinterError::Failed(format!("connection lost while sending: {e}")))
    }

    async fn receive(&mut self, timeout: Duration) -> Result<Option<u8>, PrinterError> {
        let mut byte = [0u8; 1];
        match tokio::time::timeout(timeout, self.stream.read(&mut byte)).await {
            Err(_) => Ok(None),
            Ok(Ok(0)) => Err(PrinterError::Offline("the printer closed the connection".into())),
            Ok(Ok(_)) => Ok(Some(byte[0])),
            Ok(Err(e)) => Err(PrinterError::Failed(format!("connection lost: {e}"))),
        }
    }
}
