//! Card readers across the FFI: the traits an app implements around its POS terminal's SDK
//! ([`CardReader`], [`AuthorizationHost`], [`ReaderProgressListener`]), the bridges that let the
//! core drive them, a simulated reader for development without hardware (cargo feature
//! `simulators`), and [`CardTransaction`], which runs one card sale or refund.
//!
//! Every foreign method returns `Result`, so an exception thrown by app code comes back as an
//! error the core's transaction machine handles (a lost reader, an unreachable host), never as
//! a panic.

mod events;
mod link;
mod transaction;
mod types;

use std::sync::Arc;

use tillkit_core::emv::AuthorizationData;
use tillkit_core::reader::session::AuthorizationHost as CoreHost;
#[cfg(any(feature = "simulators", test))]
use tillkit_core::reader::sim::SimulatedCardReader;
use tillkit_core::reader::{
    CardReader as CoreReader, EmvData, ReaderError, ReaderEvent as CoreEvent,
    ReaderRequest as CoreRequest, ReaderStatus as CoreStatus,
};

use crate::error::TillKitError;

pub use events::{ReaderEvent, ReaderProgress, ReaderStatus};
pub use link::{link_card_reader, ReaderTransport};
pub use transaction::CardTransaction;
#[cfg(any(feature = "simulators", test))]
pub use types::SimScenario;
pub use types::{
    default_reader_limits, CardAuthorization, CardRead, EntryMode, OnlineResponse, ReaderLimits,
    ReaderOutcome, ReaderRequest, ReaderResult, ReaderTxKind,
};

/// A card reader, as the app wraps its POS terminal's SDK (PAX, Sunmi, …). TillKit drives it:
/// `begin`, then `nextEvent` until `Completed`, answering an `AuthorizationRequest` with
/// `onlineResponse`; `cancel` may come at any time. TillKit applies the time limits, so these
/// methods may simply wait for the SDK.
///
/// Throw `TillKitError.Reader` with the right `fault` (busy, disconnected, …); any other
/// exception is taken as a device failure. `simulatedCardReader` (a development build with the
/// `simulators` feature) gives one without hardware.
#[uniffi::export(rust, foreign, async_runtime = "tokio")]
#[async_trait::async_trait]
pub trait CardReader: Send + Sync {
    /// The reader's status (connected, battery, firmware).
    async fn status(&self) -> Result<ReaderStatus, TillKitError>;
    /// Starts a transaction. Beginning the transaction id the reader already runs resumes it;
    /// another one while a transaction runs fails with fault `Busy`.
    async fn begin(&self, request: ReaderRequest) -> Result<(), TillKitError>;
    /// The next step of the running transaction; waits until there is one. Called again only
    /// after the previous call returned.
    async fn next_event(&self) -> Result<ReaderEvent, TillKitError>;
    /// Hands the host's answer to the card; the reader then reports `Completed`.
    async fn online_response(&self, response: OnlineResponse) -> Result<(), TillKitError>;
    /// Asks the reader to stop the running transaction. It still reports `Completed` (usually
    /// `Cancelled`) through `nextEvent`, which may be waiting at the same time.
    async fn cancel(&self) -> Result<(), TillKitError>;
}

/// The issuer side: takes the card's authorisation request and answers it (the terminal's
/// host, an acquirer's card API). Throwing, or answering `unableToGoOnline`, means the host
/// could not be reached: the card then decides.
// A callback interface, not a foreign trait: only apps implement it, and a foreign trait would
// also export a Rust-side call for each method that nothing can call (a few KiB each, async).
#[uniffi::export(callback_interface)]
#[async_trait::async_trait]
pub trait AuthorizationHost: Send + Sync {
    /// Authorises `request`. `card` is the card's authorisation request as TillKit read and
    /// checked it (the amount and currency are the sale's), with the card number masked: the
    /// full card number and track data never leave the core. A host that needs the encrypted
    /// card block takes it from the terminal's own SDK.
    async fn authorize(
        &self,
        request: ReaderRequest,
        card: CardAuthorization,
    ) -> Result<OnlineResponse, TillKitError>;
}

/// Receives what the screen should say during a card transaction. Called from TillKit's
/// threads: return quickly (post to the UI thread or a channel). An exception thrown here is
/// logged and dropped.
// A callback interface for the reason `AuthorizationHost` is.
#[uniffi::export(callback_interface)]
pub trait ReaderProgressListener: Send + Sync {
    /// The screen of transaction `transaction_id` should now say `progress`.
    fn on_progress(
        &self,
        transaction_id: String,
        progress: ReaderProgress,
    ) -> Result<(), TillKitError>;
}

/// The app's reader as the core sees it.
pub(crate) struct CardReaderBridge(pub Arc<dyn CardReader>);

#[async_trait::async_trait]
impl CoreReader for CardReaderBridge {
    async fn status(&self) -> Result<CoreStatus, ReaderError> {
        Ok(self.0.status().await?.into())
    }

    async fn begin(&self, request: &CoreRequest) -> Result<(), ReaderError> {
        Ok(self.0.begin(request.clone().into()).await?)
    }

    async fn next_event(&self) -> Result<CoreEvent, ReaderError> {
        CoreEvent::try_from(self.0.next_event().await?)
    }

    async fn online_response(&self, response: &OnlineResponse) -> Result<(), ReaderError> {
        Ok(self.0.online_response(response.clone()).await?)
    }

    async fn cancel(&self) -> Result<(), ReaderError> {
        Ok(self.0.cancel().await?)
    }
}

/// The app's host as the core sees it.
pub(crate) struct HostBridge(pub Box<dyn AuthorizationHost>);

#[async_trait::async_trait]
impl CoreHost for HostBridge {
    async fn authorize(
        &self,
        request: &CoreRequest,
        emv: &EmvData,
    ) -> Result<OnlineResponse, ReaderError> {
        let data = AuthorizationData::from_tlv(emv.as_bytes())
            .map_err(|e| ReaderError::Protocol(e.to_string()))?;
        let card =
            CardAuthorization::try_from(&data).map_err(|e| ReaderError::Protocol(e.to_string()))?;
        Ok(self.0.authorize(request.clone().into(), card).await?)
    }
}

/// A reader implemented in the core (an external reader over the link, the simulator) behind
/// the FFI trait.
pub(crate) struct CoreBacked<R>(pub R);

#[async_trait::async_trait]
impl<R: CoreReader> CardReader for CoreBacked<R> {
    async fn status(&self) -> Result<ReaderStatus, TillKitError> {
        Ok(self.0.status().await?.into())
    }

    async fn begin(&self, request: ReaderRequest) -> Result<(), TillKitError> {
        Ok(self.0.begin(&CoreRequest::try_from(request)?).await?)
    }

    async fn next_event(&self) -> Result<ReaderEvent, TillKitError> {
        Ok(self.0.next_event().await?.into())
    }

    async fn online_response(&self, response: OnlineResponse) -> Result<(), TillKitError> {
        Ok(self.0.online_response(&response).await?)
    }

    async fn cancel(&self) -> Result<(), TillKitError> {
        Ok(self.0.cancel().await?)
    }
}

/// A simulated card reader playing `scenario`, for developing and demonstrating an app without
/// hardware (and for tests). It behaves as a POS terminal's SDK would: a chip card, a PIN, an
/// authorisation request, the host's answer, "remove card". Never for production: only a
/// library built with the `simulators` feature has it.
#[cfg(feature = "simulators")]
#[uniffi::export]
pub fn simulated_card_reader(scenario: SimScenario) -> Arc<dyn CardReader> {
    Arc::new(CoreBacked(SimulatedCardReader::new(scenario)))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
