//! A fault-injecting HTTP proxy for tests and the demo: sits between a client and the sandbox
//! on loopback and, per request, passes it, drops it, delays it, loses the answer after the
//! acquirer committed, resets or truncates the answer, or answers 5xx itself. It can also take
//! the whole network down (connections refused) and bring it back on the same port.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Forwarded untouched.
    Pass,
    /// The connection is closed before the request reaches the acquirer.
    DropRequest,
    /// The acquirer gets the request and commits; its answer is lost (connection closed).
    DropResponse,
    /// The answer is held back for the proxy's delay.
    Delay,
    /// Half the answer is sent, then the connection is reset.
    ResetMidResponse,
    /// Half the answer is sent, then the connection is closed cleanly.
    Truncate,
    /// The proxy answers `502 Bad Gateway` without forwarding.
    BadGateway,
}

/// A seeded mix of faults: weights per fault, drawn per request.
#[derive(Debug, Clone)]
pub struct FaultMix {
    /// (fault, weight) pairs.
    pub weights: Vec<(Fault, u32)>,
    /// Seed of the draw.
    pub seed: u64,
    /// Delay used by [`Fault::Delay`].
    pub delay: Duration,
}

impl FaultMix {
    /// Every request passes.
    pub fn none() -> Self {
        FaultMix { weights: vec![(Fault::Pass, 1)], seed: 1, delay: Duration::ZERO }
    }
}

/// Requests to hold back before forwarding: (path part, how long, how many more).
type Hold = Option<(String, Duration, u32)>;

struct State {
    mix: Mutex<(FaultMix, u64)>,
    hold: Mutex<Hold>,
    down: AtomicBool,
    counts: Mutex<std::collections::HashMap<Fault, u64>>,
    requests: AtomicU64,
}

/// A running proxy.
pub struct FaultProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    state: Arc<State>,
    listener_task: Mutex<Option<JoinHandle<()>>>,
}

fn draw(state: &State) -> (Fault, Duration) {
    let mut guard = state.mix.lock().unwrap_or_else(|p| p.into_inner());
    let (mix, rng) = &mut *guard;
    // xorshift64*: small, seeded, reproducible.
    *rng ^= *rng >> 12;
    *rng ^= *rng << 25;
    *rng ^= *rng >> 27;
    let r = rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
    let total: u64 = mix.weights.iter().map(|(_, w)| u64::from(*w)).sum::<u64>().max(1);
    let mut pick = r % total;
    for (fault, w) in &mix.weights {
        if pick < u64::from(*w) {
            return (*fault, mix.delay);
        }
        pick -= u64::from(*w);
    }
    (Fault::Pass, mix.delay)
}

async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

impl FaultProxy {
    /// Starts a proxy on 127.0.0.1 (a free port) in front of `upstream`.
    pub async fn start(upstream: SocketAddr, mix: FaultMix) -> std::io::Result<FaultProxy> {
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let seed = mix.seed.max(1);
        let state = Arc::new(State {
            mix: Mutex::new((mix, seed)),
            hold: Mutex::new(None),
            down: AtomicBool::new(false),
            counts: Mutex::new(Default::default()),
            requests: AtomicU64::new(0),
        });
        let proxy = FaultProxy { addr, upstream, state, listener_task: Mutex::new(None) };
        proxy.serve(listener);
        Ok(proxy)
    }

    fn serve(&self, listener: TcpListener) {
        let state = self.state.clone();
        let upstream = self.upstream;
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let state = state.clone();
                tokio::spawn(async move {
                    let _ = handle(client, upstream, state).await;
                });
            }
        });
        *self.listener_task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
    }

    /// The proxy's URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the fault mix (and its seed).
    pub fn set_mix(&self, mix: FaultMix) {
        let seed = mix.seed.max(1);
        *self.state.mix.lock().unwrap_or_else(|p| p.into_inner()) = (mix, seed);
    }

    /// Holds the next `count` requests whose request line contains `path` for `hold`, then
    /// forwards them whatever became of the client: a network that delivers a request late,
    /// after the client has given up on it.
    pub fn hold_requests(&self, path: &str, hold: Duration, count: u32) {
        *self.state.hold.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((path.to_string(), hold, count));
    }

    /// Takes the network down: new connections are refused and open ones are cut.
    pub fn go_down(&self) {
        self.state.down.store(true, Ordering::SeqCst);
        if let Some(task) = self.listener_task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }

    /// Brings the network back on the same port.
    pub async fn come_up(&self) -> std::io::Result<()> {
        self.state.down.store(false, Ordering::SeqCst);
        let listener = bind(self.addr).await?;
        self.serve(listener);
        Ok(())
    }

    /// How many requests met each fault so far.
    pub fn counts(&self) -> std::collections::HashMap<Fault, u64> {
        self.state.counts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many requests the proxy has seen.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(task) = self.listener_task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

/// Reads one HTTP/1.1 message (headers and a Content-Length body) from `stream`, keeping what
/// follows in `buf`. `None` at EOF before a whole message.
async fn read_message(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Vec<u8>>> {
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            let total = end + 4 + len;
            while buf.len() < total {
                let mut chunk = [0u8; 8192];
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let request: Vec<u8> = buf.drain(..total).collect();
            return Ok(Some(request));
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 4 << 20 {
            return Ok(None);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Sends a request upstream on a kept-alive connection and reads the answer by its length.
async fn forward(
    upstream: &mut Option<(TcpStream, Vec<u8>)>,
    addr: SocketAddr,
    request: &[u8],
) -> std::io::Result<Vec<u8>> {
    if upstream.is_none() {
        *upstream = Some((TcpStream::connect(addr).await?, Vec::new()));
    }
    let Some((up, buf)) = upstream.as_mut() else {
        return Err(std::io::ErrorKind::NotConnected.into());
    };
    let answer = async {
        up.write_all(request).await?;
        read_message(up, buf)
            .await?
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))
    }
    .await;
    if answer.is_err() {
        *upstream = None;
    }
    answer
}

/// The hold for this request, if one is armed for its path (and counts it down).
fn take_hold(state: &State, request: &[u8]) -> Option<Duration> {
    let mut guard = state.hold.lock().unwrap_or_else(|p| p.into_inner());
    let (path, hold, count) = guard.as_mut()?;
    let line_end = find(request, b"\r\n").unwrap_or(request.len());
    let line = String::from_utf8_lossy(&request[..line_end]);
    if *count == 0 || !line.contains(path.as_str()) {
        return None;
    }
    *count -= 1;
    Some(*hold)
}

async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    state: Arc<State>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut upstream_conn: Option<(TcpStream, Vec<u8>)> = None;
    while let Some(request) = read_message(&mut client, &mut buf).await? {
        if state.down.load(Ordering::SeqCst) {
            return Ok(());
        }
        state.requests.fetch_add(1, Ordering::Relaxed);
        let (fault, delay) = draw(&state);
        *state.counts.lock().unwrap_or_else(|p| p.into_inner()).entry(fault).or_default() += 1;
        match fault {
            Fault::DropRequest => return Ok(()),
            Fault::BadGateway => {
                let body = b"bad gateway";
                let head = format!(
                    "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                client.write_all(head.as_bytes()).await?;
                client.write_all(body).await?;
                return Ok(());
            }
            _ => {}
        }
        if let Some(hold) = take_hold(&state, &request) {
            // Forwarded on its own task: the late request arrives even if the client is gone.
            let held = tokio::spawn(async move {
                tokio::time::sleep(hold).await;
                let mut conn = None;
                forward(&mut conn, upstream, &request).await
            });
            let Ok(Ok(response)) = held.await else { return Ok(()) };
            client.write_all(&response).await?;
            continue;
        }
        let Ok(response) = forward(&mut upstream_conn, upstream, &request).await else {
            return Ok(());
        };
        match fault {
            Fault::DropResponse => return Ok(()),
            Fault::ResetMidResponse => {
                client.write_all(&response[..response.len() / 2]).await?;
                // A zero linger makes the close send RST (never blocks: nothing is left to flush).
                #[allow(deprecated)]
                client.set_linger(Some(Duration::ZERO))?;
                return Ok(());
            }
            Fault::Truncate => {
                client.write_all(&response[..response.len() / 2]).await?;
                client.shutdown().await?;
                return Ok(());
            }
            Fault::Delay => tokio::time::sleep(delay).await,
            _ => {}
        }
        if state.down.load(Ordering::SeqCst) {
            return Ok(());
        }
        client.write_all(&response).await?;
    }
    Ok(())
}
