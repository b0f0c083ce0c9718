//! A fake ESC/POS network printer on 127.0.0.1: it records every byte it receives and answers
//! real-time status requests (`DLE EOT n`) as a ready printer, one out of paper, one with its
//! cover open, or not at all (a printer that went silent).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the fake printer behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeMode {
    /// Ready: status bytes say online, paper present.
    Ready,
    /// Offline because the paper ran out.
    PaperOut,
    /// Offline because the cover is open.
    CoverOpen,
    /// Takes bytes, never answers.
    Silent,
}

impl FakeMode {
    /// The answer to `DLE EOT n`.
    fn status(self, n: u8) -> Option<u8> {
        match (self, n) {
            (FakeMode::Silent, _) => None,
            (FakeMode::Ready, _) => Some(0x12),
            (FakeMode::PaperOut | FakeMode::CoverOpen, 1) => Some(0x1A),
            (FakeMode::PaperOut, 2) => Some(0x32),
            (FakeMode::PaperOut, 4) => Some(0x72),
            (FakeMode::CoverOpen, 2) => Some(0x16),
            (_, _) => Some(0x12),
        }
    }
}

/// A running fake printer.
pub struct FakePrinter {
    /// Its `host:port`.
    pub addr: String,
    mode: Arc<Mutex<FakeMode>>,
    received: Arc<Mutex<Vec<u8>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakePrinter {
    /// Starts one on a free port.
    pub async fn start(mode: FakeMode) -> FakePrinter {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let mode = Arc::new(Mutex::new(mode));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (m, r) = (mode.clone(), received.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (m, r) = (m.clone(), r.clone());
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    // The tail of the previous read, in case a status request was split.
                    let mut tail: Vec<u8> = Vec::new();
                    loop {
                        let n = match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        r.lock().expect("lock").extend_from_slice(&buf[..n]);
                        let mut window = std::mem::take(&mut tail);
                        window.extend_from_slice(&buf[..n]);
                        let mut i = 0;
                        while i + 2 < window.len() {
                            if window[i] == 0x10 && window[i + 1] == 0x04 {
                                let mode = *m.lock().expect("lock");
                                if let Some(b) = mode.status(window[i + 2]) {
                                    if stream.write_all(&[b]).await.is_err() {
                                        return;
                                    }
                                }
                                i += 3;
                            } else {
                                i += 1;
                            }
                        }
                        tail = window[i..].to_vec();
                    }
                });
            }
        });
        FakePrinter { addr, mode, received, task }
    }

    /// Changes how it behaves from now on.
    pub fn set_mode(&self, mode: FakeMode) {
        *self.mode.lock().expect("lock") = mode;
    }

    /// Every byte received so far.
    pub fn received(&self) -> Vec<u8> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits until what was received satisfies `done` (the printer reads after the sender has
    /// finished writing), at most `limit`; then returns it either way.
    pub async fn received_when(
        &self,
        done: impl Fn(&[u8]) -> bool,
        limit: std::time::Duration,
    ) -> Vec<u8> {
        let until = std::time::Instant::now() + limit;
        loop {
            let bytes = self.received();
            if done(&bytes) || std::time::Instant::now() > until {
                return bytes;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Forgets what was received.
    pub fn clear(&self) {
        self.received.lock().expect("lock").clear();
    }
}

impl Drop for FakePrinter {
    fn drop(&mut self) {
        self.task.abort();
    }
}
