//! The byte link over loopback TCP: an approval, a dropped and resumed transaction, and a
//! transaction begun again from a new connection.

#[path = "reader_link_support/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tillkit_core::reader::link::sim::{ReaderSim, Scenario};
use tillkit_core::reader::link::tcp::{TcpListenerTransport, TcpTransport};
use tillkit_core::reader::link::transport::{ReaderTransport, TransportError};
use tillkit_core::reader::link::{LinkCardReader, LinkReaderConfig};
use tillkit_core::reader::{CardReader, ReaderOutcome};

async fn sim(scenario: Scenario, chunk: usize) -> (SocketAddr, ReaderSim) {
    let listener = TcpListenerTransport::bind("127.0.0.1:0".parse().expect("address"), chunk)
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("bound address");
    (addr, ReaderSim::spawn(listener, sim_config(scenario)))
}

#[tokio::test]
async fn approve_over_loopback_tcp() {
    for chunk in [20, 244] {
        let (addr, sim) = sim(Scenario::Approve, chunk).await;
        let reader =
            LinkCardReader::start(TcpTransport::new(addr, chunk), LinkReaderConfig::default());
        reader.begin(&sale("tcp-1")).await.unwrap();
        let events = run_to_completion(&reader, &approval(), |_| async {}).await;
        assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
        assert_eq!((sim.started(), sim.approved()), (1, 1));
    }
}

#[tokio::test]
async fn link_drop_and_resume_over_loopback_tcp_approves_once() {
    for chunk in [20, 244] {
        let (addr, sim) = sim(Scenario::LinkDrop, chunk).await;
        let reader =
            LinkCardReader::start(TcpTransport::new(addr, chunk), LinkReaderConfig::default());
        reader.begin(&sale("tcp-drop")).await.unwrap();
        let events = run_to_completion(&reader, &approval(), |_| async {}).await;
        assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
        assert_eq!(completions(&events), 1);
        assert!(reader.link_stats().connects >= 2);
        assert_eq!((sim.started(), sim.approved()), (1, 1));
        drop(reader);
        // The app restarts and begins the same sale: it is told the outcome, nothing runs.
        let again =
            LinkCardReader::start(TcpTransport::new(addr, chunk), LinkReaderConfig::default());
        again.begin(&sale("tcp-drop")).await.unwrap();
        let replay = run_to_completion(&again, &approval(), |_| async {}).await;
        assert_eq!(replay, events);
        assert_eq!((sim.started(), sim.approved()), (1, 1));
    }
}

/// A transport as an app writes one (tests/kotlin/ReaderLinkTests.kt): blocking sockets on
/// threads of their own, which a dropped call does not stop, so an abandoned `connect` still
/// finishes and replaces the socket. Connecting takes a while, as a Bluetooth pairing does.
struct AppLikeTransport {
    addr: SocketAddr,
    socket: Arc<Mutex<Option<TcpStream>>>,
    connects_abandoned: Arc<AtomicU32>,
}

/// Counts a `connect` call dropped before it finished.
struct Abandoned(Option<Arc<AtomicU32>>);

impl Drop for Abandoned {
    fn drop(&mut self) {
        if let Some(count) = self.0.take() {
            count.fetch_add(1, Ordering::SeqCst);
        }
    }
}

type TransportResult<T> = Result<T, TransportError>;

#[async_trait::async_trait]
impl ReaderTransport for AppLikeTransport {
    async fn connect(&mut self) -> TransportResult<()> {
        let mut guard = Abandoned(Some(self.connects_abandoned.clone()));
        let (addr, slot) = (self.addr, self.socket.clone());
        let done = tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(300));
            let stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
            *slot.lock().map_err(|e| e.to_string())? = Some(stream);
            Ok::<_, String>(())
        });
        let result = done.await.map_err(|e| e.to_string()).and_then(|r| r);
        guard.0 = None;
        result.map_err(TransportError::Connect)
    }

    async fn send(&mut self, bytes: &[u8]) -> TransportResult<()> {
        let mut stream = self.stream()?;
        stream.write_all(bytes).map_err(|e| io_error(e.to_string()))
    }

    async fn receive(&mut self) -> TransportResult<Vec<u8>> {
        let mut stream = self.stream()?;
        // Blocking reads on a thread of their own, as a Kotlin transport does on Dispatchers.IO.
        tokio::task::spawn_blocking(move || {
            let mut buffer = [0u8; 20];
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => Err(TransportError::Closed),
                Ok(n) => Ok(buffer[..n].to_vec()),
            }
        })
        .await
        .map_err(|e| io_error(e.to_string()))?
    }

    async fn close(&mut self) -> TransportResult<()> {
        if let Some(stream) = self.socket.lock().map_err(|e| io_error(e.to_string()))?.take() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        Ok(())
    }
}

impl AppLikeTransport {
    fn stream(&self) -> TransportResult<TcpStream> {
        let slot = self.socket.lock().map_err(|e| io_error(e.to_string()))?;
        let stream = slot.as_ref().ok_or(TransportError::NotConnected)?;
        stream.try_clone().map_err(|e| io_error(e.to_string()))
    }
}

fn io_error(reason: String) -> TransportError {
    TransportError::Io(reason)
}

/// `begin` while the app's transport is still connecting: the attempt goes on and the message
/// waits for it. (Abandoning the attempt for the message made a second one; the first still
/// finished, the reader served it, the link spoke on the second, and every answer timed out —
/// the JVM test's occasional TIMEOUT on a loaded machine.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_while_connecting_waits_for_that_connection() {
    let (addr, sim) = sim(Scenario::Approve, 20).await;
    let abandoned = Arc::new(AtomicU32::new(0));
    let transport = AppLikeTransport {
        addr,
        socket: Default::default(),
        connects_abandoned: abandoned.clone(),
    };
    let reader = LinkCardReader::start(transport, LinkReaderConfig::default());
    reader.begin(&sale("slow-connect")).await.expect("begin answered on the one connection");
    let events = run_to_completion(&reader, &approval(), |_| async {}).await;
    assert_eq!(outcome(&events), ReaderOutcome::ApprovedOnline);
    assert_eq!((sim.started(), sim.approved()), (1, 1));
    assert_eq!(abandoned.load(Ordering::SeqCst), 0, "connect abandoned");
}
