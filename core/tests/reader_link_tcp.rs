//! The byte link over loopback TCP: an approval, a dropped and resumed transaction, and a
//! transaction begun again from a new connection.

#[path = "reader_link_support/mod.rs"]
mod common;

use std::net::SocketAddr;

use common::*;
use tillkit_core::reader::link::sim::{ReaderSim, Scenario};
use tillkit_core::reader::link::tcp::{TcpListenerTransport, TcpTransport};
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
