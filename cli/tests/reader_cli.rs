//! `tillkit reader simulate` as a user runs it: a real process on a loopback port, driven by the
//! core's `LinkCardReader` over TCP.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use tillkit_core::money::{Amount, Currency};
use tillkit_core::reader::link::tcp::TcpTransport;
use tillkit_core::reader::link::{LinkCardReader, LinkReaderConfig};
use tillkit_core::reader::{
    CardReader, OnlineResponse, ReaderEvent, ReaderOutcome, ReaderRequest, ReaderTxKind,
};

/// Kills the simulator when the test ends, however it ends.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(scenario: &str) -> (Sim, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .args([
            "reader",
            "simulate",
            "--scenario",
            scenario,
            "--listen",
            "127.0.0.1:0",
            "--chunk",
            "20",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("tillkit runs");
    let stdout = child.stdout.take().expect("piped stdout");
    let sim = Sim(child);
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).expect("a first line");
    let words: Vec<&str> = first.split_whitespace().collect();
    assert_eq!((words[0], words[2], words[3]), ("listening", "scenario", scenario), "{first}");
    (sim, words[1].parse().expect("an address"))
}

#[tokio::test]
async fn an_approved_sale_through_the_simulator_process() {
    let (_sim, addr) = start("approve");
    let reader = LinkCardReader::start(TcpTransport::new(addr, 20), LinkReaderConfig::default());
    let status = reader.status().await.expect("status");
    assert_eq!(status.serial.as_deref(), Some("SIM-0001"));
    let request = ReaderRequest {
        transaction_id: "cli-sale-1".into(),
        kind: ReaderTxKind::Sale,
        amount: Amount::from_minor_units(4200, Currency::from_code("EUR").unwrap()).unwrap(),
    };
    reader.begin(&request).await.expect("begin");
    let approve = OnlineResponse {
        approved: true,
        auth_code: Some("A1B2C3".into()),
        issuer_tlv: vec![],
        unable_to_go_online: false,
    };
    let mut steps = Vec::new();
    let outcome = loop {
        let event = tokio::time::timeout(std::time::Duration::from_secs(30), reader.next_event())
            .await
            .expect("not hung")
            .expect("an event");
        steps.push(event.clone());
        match event {
            ReaderEvent::AuthorizationRequest { .. } => {
                reader.online_response(&approve).await.expect("answer")
            }
            ReaderEvent::Completed { outcome, tlv } => {
                // The authorisation code came back in EMV tag 89.
                assert!(tlv
                    .as_bytes()
                    .windows(8)
                    .any(|w| w == [0x89, 6, b'A', b'1', b'B', b'2', b'C', b'3']));
                break outcome;
            }
            _ => {}
        }
    };
    assert_eq!(outcome, ReaderOutcome::ApprovedOnline);
    assert_eq!(steps.len(), 5, "{steps:?}");
}

#[test]
fn unknown_scenarios_and_non_loopback_addresses_are_refused() {
    for args in [
        &["reader", "simulate", "--scenario", "teleport"][..],
        &["reader", "simulate", "--listen", "0.0.0.0:7420"],
        &["reader", "simulate", "--listen", "localhost"],
        &["reader", "simulate", "--chunk", "0"],
    ] {
        let out =
            Command::new(env!("CARGO_BIN_EXE_tillkit")).args(args).output().expect("tillkit runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}
