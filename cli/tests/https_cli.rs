//! `tillkit sandbox --tls-cert --tls-key` serves HTTPS, and `tillkit --ca-cert` trusts it: a
//! real HTTPS sale between two processes. Without the CA the sale is not sent (exit 5).
#![allow(clippy::unwrap_used)]

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use tillkit_sandbox::tls::TestCa;
use tillkit_sandbox::SandboxCredentials;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_https_sandbox(dir: &Path, ca: &TestCa) -> (Running, u16) {
    let identity = ca.issue(&["127.0.0.1", "localhost"]).unwrap();
    std::fs::write(dir.join("chain.pem"), &identity.cert_chain_pem).unwrap();
    std::fs::write(dir.join("key.pem"), identity.key_pem.expose_secret()).unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_tillkit"))
        .args(["sandbox", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--tls-cert")
        .arg(dir.join("chain.pem"))
        .arg("--tls-key")
        .arg(dir.join("key.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = Running(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "the sandbox did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (running, port)
}

fn pay(data: &Path, port: u16, ca: Option<&Path>, code: &str) -> Output {
    let c = SandboxCredentials::default().pingpong;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tillkit"));
    cmd.arg("--data-dir").arg(data).args(["--acquirer", "pingpong"]);
    cmd.args(["--base-url", &format!("https://127.0.0.1:{port}")]);
    cmd.args(["--acc-id", &c.acc_id, "--client-id", &c.client_id]);
    cmd.args(["--salt", c.salt.expose_secret(), "--max-wait", "3", "--json"]);
    if let Some(ca) = ca {
        cmd.arg("--ca-cert").arg(ca);
    }
    cmd.args(["pay", "--code", code, "--amount", "6.00"]);
    cmd.stdin(Stdio::null()).env_remove("TILLKIT_CONFIG").output().unwrap()
}

#[test]
fn an_https_sale_between_two_processes() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::generate("CLI test CA").unwrap();
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca.cert_pem()).unwrap();
    let (_sandbox, port) = start_https_sandbox(dir.path(), &ca);

    let paid = pay(&dir.path().join("a"), port, Some(&ca_path), "130000000000000102");
    let stdout = String::from_utf8_lossy(&paid.stdout);
    assert_eq!(paid.status.code(), Some(0), "{stdout} {}", String::from_utf8_lossy(&paid.stderr));
    assert!(stdout.contains("\"status\":\"paid\""), "{stdout}");

    let untrusted = pay(&dir.path().join("b"), port, None, "130000000000000110");
    let stdout = String::from_utf8_lossy(&untrusted.stdout);
    assert_eq!(untrusted.status.code(), Some(5), "not sent: {stdout}");
    assert!(stdout.contains("\"status\":\"queued\""), "{stdout}");

    std::fs::write(dir.path().join("bad.pem"), "not a certificate").unwrap();
    let bad =
        pay(&dir.path().join("c"), port, Some(&dir.path().join("bad.pem")), "130000000000000128");
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("extra_roots"), "{stdout}");
}
