//! What every handler shares.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{SandboxCredentials, ScenarioTimings};
use crate::device::keys::DeviceMaster;
use crate::ledger::Ledger;

/// The sandbox's shared state.
#[derive(Debug)]
pub(crate) struct AppState {
    pub ledger: Arc<Ledger>,
    pub credentials: SandboxCredentials,
    pub clock: Clock,
    pub timings: ScenarioTimings,
    /// `http://127.0.0.1:PORT`, for the QR URLs the sandbox hands out.
    pub base_url: String,
    /// Derives every terminal's device key.
    pub device_master: DeviceMaster,
}

/// The state as axum hands it to handlers.
pub(crate) type Shared = Arc<AppState>;
