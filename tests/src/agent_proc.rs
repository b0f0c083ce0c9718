//! The terminal agent as a process (`agent-child`), for tests that kill it: started with its
//! device key in the environment, its event lines collected as they come.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How to start an agent process.
#[derive(Debug, Clone)]
pub struct AgentSpec {
    /// The `agent-child` binary (`env!("CARGO_BIN_EXE_agent-child")` in a test).
    pub exe: PathBuf,
    /// The acquirer's URL (the sandbox, or a proxy in front of it).
    pub url: String,
    /// The agent's directory (journal, offline queue).
    pub dir: PathBuf,
    /// `sim:SCENARIO`, `sim:by-cents` or `link:ADDR`.
    pub reader: String,
    /// `CNY:PER_SALE:TOTAL` or `none`.
    pub offline_limit: String,
    /// The device key's id and hex.
    pub key: (String, String),
    /// Cards held back until presented (see `terminal::present_card`).
    pub gate: Option<PathBuf>,
    /// How long the reader waits for a card.
    pub card_wait: Duration,
}

/// A running agent process; killed when dropped.
pub struct AgentProcess {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl AgentProcess {
    /// Starts the agent of `spec`.
    pub fn start(spec: &AgentSpec) -> std::io::Result<AgentProcess> {
        let mut command = Command::new(&spec.exe);
        command
            .arg(&spec.url)
            .arg(&spec.dir)
            .arg(&spec.reader)
            .arg(&spec.offline_limit)
            .env("TILLKIT_DEVICE_KEY_ID", &spec.key.0)
            .env("TILLKIT_DEVICE_KEY", &spec.key.1)
            .env("TILLKIT_CARD_WAIT_MS", spec.card_wait.as_millis().to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(gate) = &spec.gate {
            command.env("TILLKIT_GATE_DIR", gate);
        }
        let mut child = command.spawn()?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        if let Some(out) = child.stdout.take() {
            let sink = Arc::clone(&lines);
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                    sink.lock().unwrap_or_else(|p| p.into_inner()).push(line);
                }
            });
        }
        Ok(AgentProcess { child, lines })
    }

    /// Every line printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether a line equal to `line` was printed.
    pub fn saw(&self, line: &str) -> bool {
        self.lines().iter().any(|l| l == line)
    }

    /// Waits until a line starting with `prefix` is printed; `None` after `limit`.
    pub async fn wait_line(&self, prefix: &str, limit: Duration) -> Option<String> {
        let start = Instant::now();
        loop {
            if let Some(l) = self.lines().into_iter().find(|l| l.starts_with(prefix)) {
                return Some(l);
            }
            if start.elapsed() > limit {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// SIGKILL, and waits for the process to end.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process has ended by itself.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Registers terminal `serial` (model `model`) with the sandbox at `url` over HTTP
/// (`POST /sandbox/terminals`): its key id and hex.
pub async fn register(url: &str, serial: &str, model: &str) -> Result<(String, String), String> {
    let body = serde_json::json!({"deviceSn": serial, "deviceModel": model});
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/sandbox/terminals"))
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let field = |f: &str| answer[f].as_str().map(str::to_string).ok_or(format!("no {f}: {answer}"));
    Ok((field("keyId")?, field("deviceKey")?))
}

/// The agent directory's offline queue, listed from outside the agent.
pub fn offline_list(
    dir: &Path,
) -> Result<Vec<tillkit_core::agent::offline::QueuedApproval>, String> {
    crate::terminal::open_queue(dir)?.list().map_err(|e| e.to_string())
}

/// The cashier's sales and refunds whose ids start with `prefix`, checked against the ledger of
/// the sandbox at `url` (see [`crate::books::check`]).
pub async fn cashier_books(
    cashier: &tillkit_core::engine::Cashier,
    url: &str,
    prefix: &str,
) -> crate::books::Tally {
    use crate::books::{LocalRefund, LocalSale, Rules};
    let all = tillkit_core::store::HistoryFilter {
        limit: Some(1_000_000),
        include_abandoned: true,
        ..Default::default()
    };
    let mut sales = Vec::new();
    let mut refunds = Vec::new();
    for s in cashier.history(&all).expect("history") {
        for r in cashier.refunds(&s.id).expect("refunds") {
            refunds.push(LocalRefund {
                id: r.id.clone(),
                sale_id: s.id.clone(),
                state: r.state,
                amount: r.amount.value(),
                attention: r.attention,
            });
        }
        sales.push(LocalSale { id: s.id, status: s.status });
    }
    let get = |path: &'static str| async move {
        let answer = reqwest::get(format!("{url}{path}")).await.expect("the ledger answers");
        answer.json::<serde_json::Value>().await.expect("ledger JSON")
    };
    let (rows, ledger_refunds) = (get("/sandbox/ledger").await, get("/sandbox/refunds").await);
    let rules = Rules {
        acquirer: "pingpong",
        prefix: prefix.to_string(),
        unresolved_refunds_allowed: false,
        offline_never_reached: false,
    };
    crate::books::check(&rules, &sales, &refunds, &rows, &ledger_refunds)
}
