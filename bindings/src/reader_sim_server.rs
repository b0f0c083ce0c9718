//! The byte-level card reader simulator on 127.0.0.1, for the Kotlin tests of external readers
//! (cargo feature `sandbox`, never shipped): the far end of an app's `ReaderTransport`.

use std::sync::{Arc, Mutex};

use tillkit_core::reader::link::sim::{ReaderSim, Scenario, SimConfig};
use tillkit_core::reader::link::tcp::TcpListenerTransport;

use crate::error::TillKitError;
use crate::runtime::run;

/// A simulated external reader listening on a free loopback port, playing one scenario
/// (`approve`, `decline`, `link-drop`, … as `tillkit reader simulate --help` lists them).
#[derive(uniffi::Object)]
pub struct ReaderSimulatorServer {
    sim: Mutex<Option<ReaderSim>>,
    port: u16,
}

#[uniffi::export(async_runtime = "tokio")]
impl ReaderSimulatorServer {
    /// Starts the simulator; it answers in chunks of `chunk` bytes (BLE: 20–244).
    #[uniffi::constructor]
    pub async fn start(scenario: String, chunk: i32) -> Result<Arc<Self>, TillKitError> {
        let scenario =
            Scenario::from_name(&scenario).ok_or_else(|| TillKitError::InvalidInput {
                field: "scenario".into(),
                reason: format!("no simulator scenario {scenario:?}"),
            })?;
        run(async move {
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
            let transport =
                TcpListenerTransport::bind(addr, usize::try_from(chunk.max(1)).unwrap_or(1))
                    .await
                    .map_err(|e| TillKitError::Internal { reason: e.to_string() })?;
            let port = transport
                .local_addr()
                .map_err(|e| TillKitError::Internal { reason: e.to_string() })?
                .port();
            let sim = ReaderSim::spawn(transport, SimConfig::new(scenario));
            Ok(Arc::new(ReaderSimulatorServer { sim: Mutex::new(Some(sim)), port }))
        })
        .await
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> i32 {
        i32::from(self.port)
    }

    /// Transactions the simulated reader started (a resumed one counts once).
    pub fn started(&self) -> i32 {
        crate::ints::int(self.sim.lock().map_or(0, |s| s.as_ref().map_or(0, ReaderSim::started)))
    }

    /// Transactions it approved.
    pub fn approved(&self) -> i32 {
        crate::ints::int(self.sim.lock().map_or(0, |s| s.as_ref().map_or(0, ReaderSim::approved)))
    }

    /// Stops the simulator.
    pub fn stop(&self) {
        if let Ok(mut sim) = self.sim.lock() {
            sim.take();
        }
    }
}
