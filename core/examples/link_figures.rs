//! Figures of the reader link: throughput and round trip of acknowledged frames over the
//! in-memory transport and loopback TCP, with 20- and 244-byte chunks, and the time of a
//! simulated sale from "card detected" to the result.
//!
//! `cargo run --release -p tillkit-core --example link_figures -- [FRAMES] [SALES]`

use std::time::{Duration, Instant};

use tillkit_core::money::{Amount, Currency};
use tillkit_core::reader::link::driver::{spawn_link, DriverConfig, LinkHandle, LinkItem};
use tillkit_core::reader::link::machine::Role;
use tillkit_core::reader::link::memory::{memory_link, MemoryConfig};
use tillkit_core::reader::link::sim::{ReaderSim, Scenario, SimConfig};
use tillkit_core::reader::link::tcp::{TcpListenerTransport, TcpTransport};
use tillkit_core::reader::link::{LinkCardReader, LinkReaderConfig, ReaderTransport};
use tillkit_core::reader::{CardReader, OnlineResponse, ReaderEvent, ReaderRequest, ReaderTxKind};
use tokio::sync::mpsc::Receiver;

const PAYLOAD: usize = 64;

async fn next_message(items: &mut Receiver<LinkItem>) -> Vec<u8> {
    loop {
        match items.recv().await {
            Some(LinkItem::Message(m)) => return m,
            Some(_) => {}
            None => panic!("link ended"),
        }
    }
}

/// (µs per acknowledged frame streaming one way, µs per request/answer round trip).
async fn link_figures<A, B>(host_t: A, reader_t: B, frames: usize) -> (f64, f64)
where
    A: ReaderTransport + 'static,
    B: ReaderTransport + 'static,
{
    let (host, mut host_items): (LinkHandle, _) =
        spawn_link(host_t, DriverConfig::new(Role::Initiator));
    let (reader, mut reader_items) = spawn_link(reader_t, DriverConfig::new(Role::Responder));
    // Warm up and wait for the session.
    host.send(vec![0; PAYLOAD]).await.expect("link figures");
    next_message(&mut reader_items).await;

    let sending = tokio::spawn(async move {
        for _ in 0..frames {
            host.send(vec![1; PAYLOAD]).await.expect("link figures");
        }
        host
    });
    let started = Instant::now();
    for _ in 0..frames {
        next_message(&mut reader_items).await;
    }
    let one_way = started.elapsed();
    let host = sending.await.expect("link figures");

    let started = Instant::now();
    for _ in 0..frames {
        host.send(vec![2; PAYLOAD]).await.expect("link figures");
        let m = next_message(&mut reader_items).await;
        reader.send(m).await.expect("link figures");
        next_message(&mut host_items).await;
    }
    let round_trip = started.elapsed();
    (micros(one_way) / frames as f64, micros(round_trip) / frames as f64)
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Mean and worst µs from "card detected" to "completed" over `sales` sales.
async fn sale_figures(reader: &LinkCardReader, sales: usize) -> (f64, f64) {
    let answer = OnlineResponse {
        approved: true,
        auth_code: Some("123456".into()),
        issuer_tlv: vec![],
        unable_to_go_online: false,
    };
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    for i in 0..sales {
        let request = ReaderRequest {
            transaction_id: format!("bench-{i}"),
            kind: ReaderTxKind::Sale,
            amount: Amount::from_minor_units(
                1250,
                Currency::from_code("CNY").expect("link figures"),
            )
            .expect("link figures"),
        };
        reader.begin(&request).await.expect("link figures");
        let mut detected = None;
        loop {
            match reader.next_event().await.expect("link figures") {
                ReaderEvent::CardDetected { .. } => detected = Some(Instant::now()),
                ReaderEvent::AuthorizationRequest { .. } => {
                    reader.online_response(&answer).await.expect("link figures")
                }
                ReaderEvent::Completed { .. } => break,
                _ => {}
            }
        }
        let took = detected.expect("card detected").elapsed();
        total += took;
        worst = worst.max(took);
    }
    (micros(total) / sales as f64, micros(worst))
}

fn sim_config() -> SimConfig {
    SimConfig { step_delay: Duration::ZERO, ..SimConfig::new(Scenario::Approve) }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let frames: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let sales: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    println!("{frames} frames of {PAYLOAD}-byte payload per row; {sales} simulated sales per row");
    println!("| transport | chunk | frames/s (one way, each ACKed) | µs per ACKed frame | µs per round trip (request + answer) | sale: card detected → result, mean µs | worst µs |");
    println!("|---|---|---|---|---|---|---|");
    for chunk in [20, 244] {
        let (a, b) = memory_link(MemoryConfig { merge: true, ..MemoryConfig::fixed(chunk) });
        let (per_frame, rtt) = link_figures(a, b, frames).await;
        let (connector, listener) =
            memory_link(MemoryConfig { merge: true, ..MemoryConfig::fixed(chunk) });
        let _sim = ReaderSim::spawn(listener, sim_config());
        let reader = LinkCardReader::start(connector, LinkReaderConfig::default());
        let (sale, worst) = sale_figures(&reader, sales).await;
        println!(
            "| memory | {chunk} | {:.0} | {per_frame:.1} | {rtt:.1} | {sale:.0} | {worst:.0} |",
            1e6 / per_frame
        );
    }
    for chunk in [20, 244] {
        let listener =
            TcpListenerTransport::bind("127.0.0.1:0".parse().expect("link figures"), chunk)
                .await
                .expect("link figures");
        let addr = listener.local_addr().expect("link figures");
        let (per_frame, rtt) = link_figures(TcpTransport::new(addr, chunk), listener, frames).await;
        let listener =
            TcpListenerTransport::bind("127.0.0.1:0".parse().expect("link figures"), chunk)
                .await
                .expect("link figures");
        let addr = listener.local_addr().expect("link figures");
        let _sim = ReaderSim::spawn(listener, sim_config());
        let reader =
            LinkCardReader::start(TcpTransport::new(addr, chunk), LinkReaderConfig::default());
        let (sale, worst) = sale_figures(&reader, sales).await;
        println!("| loopback TCP | {chunk} | {:.0} | {per_frame:.1} | {rtt:.1} | {sale:.0} | {worst:.0} |", 1e6 / per_frame);
    }
}
