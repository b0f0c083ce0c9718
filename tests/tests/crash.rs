//! Crash test: a child process makes sales and refunds and is killed with SIGKILL at seeded
//! random points, at least 200 times; every restart recovers. Then the books must balance
//! against the sandbox (a separate process that outlives the kills): every sale final, no sale
//! charged twice, every charge recorded locally, refunds agreeing.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHILD: &str = env!("CARGO_BIN_EXE_crash-child");

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn two_hundred_kills_and_the_books_balance() {
    let kills: usize =
        std::env::var("TILLKIT_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seed: u64 =
        std::env::var("TILLKIT_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0xC0FFEE);
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let url = format!("http://{addr}");
    let _sandbox = Killed(
        Command::new(CHILD)
            .args(["sandbox", &addr])
            .arg(dir.path().join("ledger.db"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "sandbox did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let data = dir.path().join("cashier");
    let mut rng = seed;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for i in 0..kills {
        let mut child = Command::new(CHILD)
            .args(["run"])
            .arg(&data)
            .args([&url, &format!("{}", seed.wrapping_add(i as u64) | 1)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Anywhere from before the store is open to well into a batch of sales.
        std::thread::sleep(Duration::from_millis(next() % 250));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "run {i} exited by itself: {status:?}");
    }
    let out = Command::new(CHILD)
        .args(["settle"])
        .arg(&data)
        .arg(&url)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "settle failed");
    let local: Vec<(String, String, String, usize)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].to_string(), f[1].to_string(), f[2].to_string(), f[3].parse().unwrap())
        })
        .collect();
    let ledger: serde_json::Value = reqwest::blocking_get(&format!("{url}/sandbox/ledger"));
    let ledger: HashMap<String, (i64, String)> = ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["merchantTransactionId"].as_str().unwrap().to_string(),
                (
                    r["successfulCharges"].as_i64().unwrap(),
                    r["refunded"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    let mut statuses: HashMap<&str, usize> = HashMap::new();
    for (id, status, refunded, unsettled_refunds) in &local {
        *statuses.entry(status.as_str()).or_default() += 1;
        assert!(
            matches!(status.as_str(), "paid" | "declined" | "expired" | "cancelled" | "offline"),
            "{id} not final: {status}"
        );
        assert_eq!(*unsettled_refunds, 0, "{id} has unsettled refunds");
        let (charges, ledger_refunded) = ledger.get(id).cloned().unwrap_or((0, "0".into()));
        assert!(charges <= 1, "{id} charged {charges} times");
        assert_eq!(
            charges == 1,
            status == "paid",
            "{id}: local {status}, ledger charges {charges}"
        );
        let dec = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(dec(refunded), dec(&ledger_refunded), "{id}: refunds disagree");
    }
    let known: std::collections::HashSet<&str> = local.iter().map(|l| l.0.as_str()).collect();
    for (id, (charges, _)) in &ledger {
        assert!(
            *charges == 0 || known.contains(id.as_str()),
            "{id} charged at the acquirer but unknown locally"
        );
    }
    let refunded_sales = local.iter().filter(|l| l.2 != "0").count();
    eprintln!("{kills} kills, {} sales: {statuses:?}; {refunded_sales} with refunds", local.len());
    assert!(refunded_sales > 0, "the runs made refunds");
    assert!(local.len() > kills / 2, "the runs made sales");
}

mod reqwest {
    /// A blocking GET of JSON over loopback, without pulling in a blocking HTTP client.
    pub fn blocking_get(url: &str) -> serde_json::Value {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap();
        let mut s = std::net::TcpStream::connect(host).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
        let mut body = Vec::new();
        s.read_to_end(&mut body).unwrap();
        let start = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        serde_json::from_slice(&body[start..]).unwrap()
    }
}
