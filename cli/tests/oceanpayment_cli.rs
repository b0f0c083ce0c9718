//! `tillkit --acquirer oceanpayment` against `tillkit sandbox` as a separate process: its pay
//! host and query host both point at the sandbox (or the query host elsewhere, to show which
//! requests go where), and what the commands report is checked against the sandbox's ledger.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use serde_json::Value;
use tillkit_sandbox::SandboxCredentials;

const OK: i32 = 0;
const BAD_INPUT: i32 = 2;
const UNKNOWN: i32 = 4;
const OFFLINE: i32 = 5;
const SECURE_CODE_ENV: &str = "TILLKIT_OCEANPAYMENT_SECURE_CODE";

struct Sandbox {
    child: Child,
    url: String,
    port: u16,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sandbox(dir: &Path) -> Sandbox {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .args(["sandbox", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--db")
        .arg(dir.join("ledger.db"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let sandbox = Sandbox { child, url: format!("http://127.0.0.1:{port}"), port };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "the sandbox did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    sandbox
}

fn secure_code() -> String {
    SandboxCredentials::default().oceanpayment.secure_code.expose_secret().to_string()
}

/// `tillkit` with no Oceanpayment settings from the environment or a config file.
fn tillkit(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tillkit"));
    cmd.arg("--data-dir").arg(data).env("NO_COLOR", "1");
    for var in ["TILLKIT_CONFIG", "TILLKIT_QUERY_URL", "TILLKIT_BASE_URL", SECURE_CODE_ENV] {
        cmd.env_remove(var);
    }
    cmd.env_remove("TILLKIT_OCEANPAYMENT_ACCOUNT").env_remove("TILLKIT_OCEANPAYMENT_TERMINAL");
    cmd
}

/// `tillkit --acquirer oceanpayment` with the sandbox's test merchant, its secure code in the
/// environment as a script would pass it.
fn ocean(data: &Path, pay_url: &str, query_url: &str) -> Command {
    let c = SandboxCredentials::default().oceanpayment;
    let mut cmd = tillkit(data);
    cmd.args(["--acquirer", "oceanpayment", "--base-url", pay_url, "--query-url", query_url])
        .args(["--account", &c.account, "--terminal", &c.terminal])
        .args(["--max-wait", "5", "--request-timeout", "2", "--json"])
        .env(SECURE_CODE_ENV, secure_code());
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("tillkit runs")
}

fn json_of(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_else(|| panic!("no output; stderr: {}", stderr(out)));
    assert!(lines.next().is_none(), "one JSON object on stdout: {stdout}");
    serde_json::from_str(first).unwrap_or_else(|e| panic!("{e}: {first}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The sandbox's ledger view of an Oceanpayment order (`Null` when it has none).
fn ledger_order(sandbox: &Sandbox, id: &str) -> Value {
    let mut stream = TcpStream::connect(("127.0.0.1", sandbox.port)).unwrap();
    write!(
        stream,
        "GET /sandbox/orders/{id}?acquirer=oceanpayment HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    if answer.starts_with("HTTP/1.1 404") {
        return Value::Null;
    }
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

#[test]
fn a_code_sale_its_refund_and_the_queue_through_both_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start_sandbox(dir.path());
    let data = dir.path().join("c");
    let cli = || ocean(&data, &sb.url, &sb.url);

    let paid = run(cli()
        .args(["pay", "--code", "134650720866361395", "--amount", "10.00"])
        .args(["--sale-id", "OC-1"]));
    assert_eq!(paid.status.code(), Some(OK), "{}", stderr(&paid));
    let sale = json_of(&paid);
    assert_eq!(sale["status"], "paid", "{sale}");
    assert_eq!(sale["id"], "OC-1");
    let payment_id = sale["acquirer_transaction_id"].as_str().unwrap().to_string();

    let shown = json_of(&run(cli().args(["sale", "OC-1"])));
    assert_eq!((shown["status"].as_str(), shown["amount"].as_str()), (Some("paid"), Some("10.00")));
    let history = json_of(&run(cli().args(["history", "--limit", "5"])));
    assert!(history.to_string().contains("OC-1"), "{history}");

    let refunded = run(cli().args(["refund", "OC-1", "--amount", "2.50", "--refund-id", "OR-1"]));
    assert_eq!(refunded.status.code(), Some(OK), "{}", stderr(&refunded));
    assert_eq!(json_of(&refunded)["state"], "succeeded");

    let queue = run(cli().arg("queue"));
    assert_eq!(queue.status.code(), Some(OK), "{}", stderr(&queue));
    let queue = json_of(&queue);
    assert_eq!((queue["sales"].as_u64(), queue["refunds"].as_u64()), (Some(0), Some(0)), "{queue}");
    let forward = run(cli().args(["forward", "--timeout", "5"]));
    assert_eq!(forward.status.code(), Some(OK), "{}", stderr(&forward));

    // What the commands said is what the acquirer holds: one charge, one refund of 2.50.
    let order = ledger_order(&sb, "OC-1");
    assert_eq!(order["charges"].as_array().unwrap().len(), 1, "{order}");
    assert_eq!(order["charges"][0]["transactionId"], payment_id.as_str());
    assert_eq!((order["paid"].as_str(), order["refunded"].as_str()), (Some("10.00"), Some("2.50")));
}

#[test]
fn payments_go_to_the_pay_host_and_refunds_to_the_query_host() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start_sandbox(dir.path());
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let data = dir.path().join("c");
    let pay = |id: &str, code: &str| {
        ["pay", "--code", code, "--amount", "4.00", "--sale-id", id].map(str::to_string)
    };

    // Paid although the query host is down; not sent while the pay host is down.
    let paid = run(ocean(&data, &sb.url, &nowhere).args(pay("OC-2", "134650720866361403")));
    assert_eq!(paid.status.code(), Some(OK), "{}", stderr(&paid));
    let unsent = run(ocean(&data, &nowhere, &sb.url).args(pay("OC-5", "134650720866361437")));
    assert_eq!(unsent.status.code(), Some(OFFLINE), "{}", stderr(&unsent));
    assert_eq!(ledger_order(&sb, "OC-5"), Value::Null);

    // Refunded although the pay host is down; not sent while the query host is down.
    let refunded =
        run(ocean(&data, &nowhere, &sb.url).args(["refund", "OC-2", "--amount", "1.00"]));
    assert_eq!(refunded.status.code(), Some(OK), "{}", stderr(&refunded));
    assert_eq!(json_of(&refunded)["state"], "succeeded");
    let queued = run(ocean(&data, &sb.url, &nowhere).args(["refund", "OC-2", "--amount", "1.00"]));
    assert_eq!(queued.status.code(), Some(OFFLINE), "{}", stderr(&queued));
    assert_eq!(json_of(&queued)["state"], "queued");
    assert_eq!(ledger_order(&sb, "OC-2")["refunded"], "1.00");
    let queue = json_of(&run(ocean(&data, &sb.url, &nowhere).arg("queue")));
    assert_eq!(queue["refunds"].as_u64(), Some(1), "{queue}");

    // The queued refund never left: the next process, with the query host back, sends it once.
    let forward = run(ocean(&data, &sb.url, &sb.url).args(["forward", "--timeout", "10"]));
    assert_eq!(forward.status.code(), Some(OK), "{}", stderr(&forward));
    assert_eq!(ledger_order(&sb, "OC-2")["refunded"], "2.00");
    let queue = json_of(&run(ocean(&data, &sb.url, &sb.url).arg("queue")));
    assert_eq!(queue["refunds"].as_u64(), Some(0), "{queue}");
}

#[test]
fn a_missing_setting_is_a_usage_error_naming_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("c");
    let pay = ["--json", "pay", "--code", "134650720866361395", "--amount", "1.00"];
    let full =
        ["--base-url", "http://127.0.0.1:9", "--account", "995378", "--terminal", "99537801"];
    let cases: [(&[&str], &str); 4] = [
        (&full, "--secure-code"),
        (&full[2..], "--base-url"),
        (&[&full[..2], &full[4..]].concat(), "--account"),
        (&full[..4], "--terminal"),
    ];
    for (flags, missing) in cases {
        let mut cmd = tillkit(&data);
        cmd.args(["--acquirer", "oceanpayment"]).args(flags);
        if missing != "--secure-code" {
            cmd.env(SECURE_CODE_ENV, "12345678");
        }
        let out = run(cmd.args(pay));
        assert_eq!(out.status.code(), Some(BAD_INPUT), "{missing}: {}", stderr(&out));
        let e = json_of(&out);
        assert_eq!(e["error"]["kind"], "usage", "{e}");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.contains(missing), "{missing}: {message}");
    }
    assert!(!data.join("tillkit.db").exists(), "nothing opened before the settings are whole");
}

#[test]
fn a_wrong_secure_code_is_neither_paid_nor_declined_and_stays_secret() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start_sandbox(dir.path());
    let wrong = "not-the-secure-code-42";
    let out = run(ocean(&dir.path().join("c"), &sb.url, &sb.url)
        .env(SECURE_CODE_ENV, wrong)
        .args(["pay", "--code", "134650720866361411", "--amount", "3.00", "--sale-id", "OC-3"]));
    assert_eq!(out.status.code(), Some(UNKNOWN), "{}", stderr(&out));
    let sale = json_of(&out);
    // The sandbox refused the request's signature, and signed its refusal with the real secure
    // code: an answer that does not verify here says nothing, so the sale is neither paid nor
    // declined but unknown, flagged, and not to be charged again.
    assert_eq!(sale["status"], "unknown", "{sale}");
    assert_eq!(sale["attention"], true, "{sale}");
    assert_eq!(sale["attention_reason"], "unverified_answer", "{sale}");
    assert!(sale["next"].as_str().unwrap().contains("do NOT charge again"), "{sale}");
    assert_eq!(ledger_order(&sb, "OC-3"), Value::Null, "nothing charged");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(!printed.contains(wrong), "the secure code is never printed: {printed}");
}

#[test]
fn an_oceanpayment_json_config() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start_sandbox(dir.path());
    let c = SandboxCredentials::default().oceanpayment;
    let config = serde_json::json!({
        "acquirer": "oceanpayment",
        "base_url": sb.url,
        "query_url": sb.url,
        "account": c.account,
        "terminal": c.terminal,
        "secure_code": secure_code(),
        "cashier_device_id": "JSON-REG",
        "billing": {"first_name": "Ada", "last_name": "Shop", "email": "till@shop.example",
                    "country": "HK", "state": "HK"}
    });
    let path = dir.path().join("ocean.json");
    std::fs::write(&path, config.to_string()).unwrap();
    let data = dir.path().join("c");
    let paid = run(tillkit(&data).arg("--config").arg(&path).args([
        "--json",
        "pay",
        "--code",
        "134650720866361429",
        "--amount",
        "6.00",
        "--sale-id",
        "OC-4",
    ]));
    assert_eq!(paid.status.code(), Some(OK), "{}", stderr(&paid));
    assert_eq!(json_of(&paid)["status"], "paid");
    let refunded =
        run(tillkit(&data).arg("--config").arg(&path).args(["--json", "refund", "OC-4"]));
    assert_eq!(refunded.status.code(), Some(OK), "{}", stderr(&refunded));
    assert_eq!(ledger_order(&sb, "OC-4")["refunded"], "6.00");

    // An unknown key is refused, not ignored.
    std::fs::write(&path, r#"{"acquirer": "oceanpayment", "secure_kode": "x"}"#).unwrap();
    let bad = run(tillkit(&data).arg("--config").arg(&path).args(["--json", "queue"]));
    assert_eq!(bad.status.code(), Some(BAD_INPUT), "{}", stderr(&bad));
    assert_eq!(json_of(&bad)["error"]["kind"], "config");
}

#[test]
fn the_demo_runs_an_oceanpayment_sale_and_refund_through_the_engine() {
    let out = run(Command::new(env!("CARGO_BIN_EXE_tillkit")).arg("demo"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(OK), "{stdout}{}", stderr(&out));
    let ocean = &stdout[stdout.find("-- Oceanpayment through the engine").unwrap()..];
    let lines: Vec<&str> = ocean.lines().skip(1).take(2).collect();
    assert!(lines[0].contains("15.00 CNY -> paid (paid) payment_id 1"), "{ocean}");
    assert!(lines[1].contains("5.00 CNY of 15.00 CNY -> succeeded refund_id 1"), "{ocean}");
}
