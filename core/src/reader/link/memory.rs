//! In-memory transports for tests, simulators and benches: a duplex pair that cuts what is sent
//! into chunks like Bluetooth LE does (20 to 244 bytes), may merge chunks on receipt like a USB
//! or socket read does, and may delay; and a connector/listener pair that makes a fresh duplex
//! for each connection, so that drops and reconnections can be played.

use std::time::Duration;

use tokio::sync::mpsc;

use super::transport::{ReaderTransport, TransportError};

/// How an in-memory connection behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryConfig {
    /// Smallest chunk a send is cut into (at least 1).
    pub min_chunk: usize,
    /// Largest chunk (at least `min_chunk`).
    pub max_chunk: usize,
    /// Whether a receive returns several waiting chunks at once (up to four).
    pub merge: bool,
    /// Time each send takes before its bytes can be received.
    pub delay: Option<Duration>,
    /// Seed of the chunk sizes, for reproducible runs.
    pub seed: u64,
}

impl MemoryConfig {
    /// Every chunk exactly `size` bytes (the last one of a send shorter), no merging, no delay.
    pub fn fixed(size: usize) -> Self {
        MemoryConfig { min_chunk: size, max_chunk: size, merge: false, delay: None, seed: 1 }
    }

    /// Chunks of 20 to 244 bytes, merged on receipt: what Bluetooth LE and USB stacks do.
    pub fn ble(seed: u64) -> Self {
        MemoryConfig { min_chunk: 20, max_chunk: 244, merge: true, delay: None, seed }
    }
}

/// Chunks in flight per direction; a sender waits beyond that.
const CHANNEL_CHUNKS: usize = 4096;

/// One end of an in-memory connection.
#[derive(Debug)]
pub struct MemoryEnd {
    tx: Option<mpsc::Sender<Vec<u8>>>,
    rx: Option<mpsc::Receiver<Vec<u8>>>,
    config: MemoryConfig,
    rng: u64,
}

/// Two connected ends.
pub fn duplex(config: MemoryConfig) -> (MemoryEnd, MemoryEnd) {
    let (a_tx, b_rx) = mpsc::channel(CHANNEL_CHUNKS);
    let (b_tx, a_rx) = mpsc::channel(CHANNEL_CHUNKS);
    let end = |tx, rx, seed: u64| MemoryEnd { tx: Some(tx), rx: Some(rx), config, rng: seed };
    (end(a_tx, a_rx, config.seed), end(b_tx, b_rx, config.seed ^ 0x9E37_79B9_7F4A_7C15))
}

impl MemoryEnd {
    fn next_chunk_len(&mut self) -> usize {
        let (min, max) =
            (self.config.min_chunk.max(1), self.config.max_chunk.max(self.config.min_chunk.max(1)));
        // splitmix64: reproducible sizes without a dependency.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        min + (z % (max - min + 1) as u64) as usize
    }
}

#[async_trait::async_trait]
impl ReaderTransport for MemoryEnd {
    async fn connect(&mut self) -> Result<(), TransportError> {
        if self.tx.is_some() {
            Ok(())
        } else {
            Err(TransportError::NotConnected)
        }
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        if let Some(delay) = self.config.delay {
            tokio::time::sleep(delay).await;
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = self.next_chunk_len().min(rest.len());
            let tx = self.tx.as_ref().ok_or(TransportError::NotConnected)?;
            tx.send(rest[..n].to_vec()).await.map_err(|_| TransportError::Closed)?;
            rest = &rest[n..];
        }
        Ok(())
    }

    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        let rx = self.rx.as_mut().ok_or(TransportError::NotConnected)?;
        let mut chunk = rx.recv().await.ok_or(TransportError::Closed)?;
        if self.config.merge {
            for _ in 0..3 {
                match rx.try_recv() {
                    Ok(more) => chunk.extend_from_slice(&more),
                    Err(_) => break,
                }
            }
        }
        Ok(chunk)
    }

    async fn close(&mut self) -> Result<(), TransportError> {
        self.tx = None;
        self.rx = None;
        Ok(())
    }
}

/// The initiator's side of an in-memory link that can be reconnected: each `connect` makes a new
/// duplex and hands its other end to the [`MemoryListener`].
#[derive(Debug)]
pub struct MemoryConnector {
    config: MemoryConfig,
    accept: mpsc::Sender<MemoryEnd>,
    end: Option<MemoryEnd>,
    connections: u64,
}

impl Clone for MemoryConnector {
    /// Another, unconnected, initiator for the same listener (a second phone, or the app after a
    /// restart).
    fn clone(&self) -> Self {
        MemoryConnector {
            config: self.config,
            accept: self.accept.clone(),
            end: None,
            connections: self.connections + 1000,
        }
    }
}

/// The reader's side: `connect` waits for the next connection from the [`MemoryConnector`].
#[derive(Debug)]
pub struct MemoryListener {
    incoming: mpsc::Receiver<MemoryEnd>,
    end: Option<MemoryEnd>,
}

/// A connector and its listener.
pub fn memory_link(config: MemoryConfig) -> (MemoryConnector, MemoryListener) {
    let (accept, incoming) = mpsc::channel(4);
    (
        MemoryConnector { config, accept, end: None, connections: 0 },
        MemoryListener { incoming, end: None },
    )
}

#[async_trait::async_trait]
impl ReaderTransport for MemoryConnector {
    async fn connect(&mut self) -> Result<(), TransportError> {
        self.connections += 1;
        let config =
            MemoryConfig { seed: self.config.seed.wrapping_add(self.connections), ..self.config };
        let (near, far) = duplex(config);
        self.accept
            .send(far)
            .await
            .map_err(|_| TransportError::Connect("no reader is listening".into()))?;
        self.end = Some(near);
        Ok(())
    }
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.end.as_mut().ok_or(TransportError::NotConnected)?.send(bytes).await
    }
    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        self.end.as_mut().ok_or(TransportError::NotConnected)?.receive().await
    }
    async fn close(&mut self) -> Result<(), TransportError> {
        self.end = None;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ReaderTransport for MemoryListener {
    async fn connect(&mut self) -> Result<(), TransportError> {
        let end =
            self.incoming.recv().await.ok_or(TransportError::Connect("connector gone".into()))?;
        self.end = Some(end);
        Ok(())
    }
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.end.as_mut().ok_or(TransportError::NotConnected)?.send(bytes).await
    }
    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        self.end.as_mut().ok_or(TransportError::NotConnected)?.receive().await
    }
    async fn close(&mut self) -> Result<(), TransportError> {
        self.end = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sends_are_cut_into_chunks_within_bounds_and_arrive_whole() {
        let (mut a, mut b) = duplex(MemoryConfig { merge: false, ..MemoryConfig::ble(3) });
        let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        a.send(&data).await.unwrap();
        let mut got = Vec::new();
        while got.len() < data.len() {
            let chunk = b.receive().await.unwrap();
            assert!(
                chunk.len() <= 244 && (chunk.len() >= 20 || got.len() + chunk.len() == data.len())
            );
            got.extend(chunk);
        }
        assert_eq!(got, data);
    }

    #[tokio::test]
    async fn closing_one_end_is_seen_as_closed_by_the_other() {
        let (mut a, mut b) = duplex(MemoryConfig::fixed(20));
        a.close().await.unwrap();
        assert_eq!(b.receive().await, Err(TransportError::Closed));
        assert_eq!(a.send(b"x").await, Err(TransportError::NotConnected));
    }

    #[tokio::test]
    async fn a_connector_reconnects_to_its_listener() {
        let (mut host, mut reader) = memory_link(MemoryConfig::fixed(20));
        for round in 0..3u8 {
            host.connect().await.unwrap();
            reader.reconnect().await.unwrap();
            host.send(&[round]).await.unwrap();
            assert_eq!(reader.receive().await.unwrap(), vec![round]);
            host.close().await.unwrap();
            assert_eq!(reader.receive().await, Err(TransportError::Closed));
        }
    }
}
