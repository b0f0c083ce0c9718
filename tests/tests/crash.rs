//! Crash test, per acquirer: a child process makes sales and refunds and is killed with SIGKILL
//! at seeded random points (PingPong 200 times, `TILLKIT_CRASH_KILLS`; Oceanpayment 150,
//! `TILLKIT_CRASH_KILLS_OCEANPAYMENT`); every restart recovers. Then the books must balance
//! against the sandbox (a separate process that outlives the kills): every sale final, no sale
//! charged twice, every charge recorded locally, no refund executed twice, refunded totals equal.

#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tillkit_core::order::{RefundState, SaleStatus};
use tillkit_tests::books::{self, LocalRefund, LocalSale, Rules};

const CHILD: &str = env!("CARGO_BIN_EXE_crash-child");

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until the child says its store is open (or exits, or `limit` passes).
fn wait_for_open(child: &mut Child, limit: Duration) {
    use std::io::BufRead;
    let Some(out) = child.stdout.take() else { return };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(out).read_line(&mut line);
        let _ = tx.send(line);
    });
    let _ = rx.recv_timeout(limit);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Kills a cashier for `acquirer` `kills` times, settles, and checks the books.
fn kills_and_the_books_balance(acquirer: &'static str, kills: usize) {
    let started = Instant::now();
    let seed: u64 = env("TILLKIT_CRASH_SEED", 0xC0FFEE);
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
            .args([&url, &format!("{}", seed.wrapping_add(i as u64) | 1), acquirer])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Anywhere from before the store is open to well into a batch of sales: every other
        // run from its start, the others from the moment its store is open (so that a loaded
        // machine, where opening takes longer than the window, still kills runs mid-sale).
        if i % 2 == 1 {
            wait_for_open(&mut child, Duration::from_secs(20));
        }
        std::thread::sleep(Duration::from_millis(next() % 250));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "run {i} exited by itself: {status:?}");
    }
    let out = Command::new(CHILD)
        .args(["settle"])
        .arg(&data)
        .args([&url, acquirer])
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "settle failed");
    let mut sales = Vec::new();
    let mut refunds = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let f: Vec<&str> = line.split(' ').collect();
        match f[0] {
            "S" => sales
                .push(LocalSale { id: f[1].to_string(), status: SaleStatus::parse(f[2]).unwrap() }),
            "R" => refunds.push(LocalRefund {
                id: f[1].to_string(),
                sale_id: f[2].to_string(),
                state: RefundState::parse(f[3]).unwrap(),
                amount: f[4].parse().unwrap(),
                attention: f[5] == "true",
            }),
            _ => panic!("settle printed {line:?}"),
        }
    }
    let rows = reqwest::blocking_get(&format!("{url}/sandbox/ledger"));
    let ledger_refunds = reqwest::blocking_get(&format!("{url}/sandbox/refunds"));
    let rules = Rules {
        acquirer,
        prefix: String::new(),
        unresolved_refunds_allowed: acquirer == "oceanpayment",
        offline_never_reached: false,
    };
    let tally = books::check(&rules, &sales, &refunds, &rows, &ledger_refunds);
    eprintln!(
        "{acquirer}: {kills} kills, seed {seed:#x}, {} sales: {:?}; {} refunds on {} sales: {:?}; \
         {} unresolved (of which {} executed at the acquirer); {:.1?}",
        sales.len(),
        tally.sales,
        refunds.len(),
        tally.refunded_sales,
        tally.refunds,
        tally.unresolved_refunds,
        tally.unresolved_executed,
        started.elapsed(),
    );
    tally.assert_clean(&format!("{acquirer} crash test, seed {seed:#x}"));
    assert!(tally.refunded_sales > 0, "the runs made refunds");
    assert!(sales.len() > kills / 2, "the runs made sales");
}

#[test]
fn pingpong_two_hundred_kills_and_the_books_balance() {
    kills_and_the_books_balance("pingpong", env("TILLKIT_CRASH_KILLS", 200));
}

#[test]
fn oceanpayment_kills_and_the_books_balance() {
    kills_and_the_books_balance("oceanpayment", env("TILLKIT_CRASH_KILLS_OCEANPAYMENT", 150));
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
