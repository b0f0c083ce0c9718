//! A transport wrapper that misbehaves on purpose, for the simulator's scenarios: garbage
//! between frames and a damaged frame now and then, a flood of junk, slow answers.

use std::time::Duration;

use super::super::frame::{crc8, START};
use super::super::transport::{ReaderTransport, TransportError};

/// How the wrapper misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Faults {
    /// Before every third send, junk bytes (start bytes and broken headers among them); every
    /// seventh send has one bit of its CRC flipped.
    pub garbage: bool,
    /// Before the first send of each connection, this many bytes of junk.
    pub flood_bytes: usize,
    /// Wait this long before each send.
    pub send_delay: Option<Duration>,
}

/// Wraps a transport with [`Faults`].
#[derive(Debug)]
pub struct Tamper<T> {
    inner: T,
    faults: Faults,
    sends: u64,
    rng: u32,
}

impl<T> Tamper<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, faults: Faults) -> Self {
        Tamper { inner, faults, sends: 0, rng: 0x2545_F491 }
    }

    fn junk(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| {
                self.rng ^= self.rng << 13;
                self.rng ^= self.rng >> 17;
                self.rng ^= self.rng << 5;
                // Plenty of start bytes, so the receiver keeps trying headers and must resync.
                if i % 5 == 0 {
                    START
                } else {
                    self.rng as u8
                }
            })
            .collect()
    }
}

/// A header that passes its check and announces the largest payload: the receiver then waits
/// for a whole frame's worth of junk before the CRC fails.
fn plausible_header() -> Vec<u8> {
    let mut h = vec![START, 0x01, 0x00, 0x04, 0x00];
    h.push(crc8(&h[1..5]));
    h
}

#[async_trait::async_trait]
impl<T: ReaderTransport> ReaderTransport for Tamper<T> {
    async fn connect(&mut self) -> Result<(), TransportError> {
        self.sends = 0;
        self.inner.connect().await
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        if let Some(delay) = self.faults.send_delay {
            tokio::time::sleep(delay).await;
        }
        self.sends += 1;
        if self.sends == 1 && self.faults.flood_bytes > 0 {
            let mut flood = plausible_header();
            flood.extend(self.junk(self.faults.flood_bytes));
            self.inner.send(&flood).await?;
        }
        if self.faults.garbage && self.sends.is_multiple_of(3) {
            let mut junk = self.junk(17);
            junk.extend(plausible_header());
            junk.truncate(20);
            self.inner.send(&junk).await?;
        }
        if self.faults.garbage && self.sends.is_multiple_of(7) && bytes.len() > 4 {
            let mut damaged = bytes.to_vec();
            let last = damaged.len() - 1;
            damaged[last] ^= 0x10;
            return self.inner.send(&damaged).await;
        }
        self.inner.send(bytes).await
    }

    async fn receive(&mut self) -> Result<Vec<u8>, TransportError> {
        self.inner.receive().await
    }

    async fn close(&mut self) -> Result<(), TransportError> {
        self.inner.close().await
    }
}
