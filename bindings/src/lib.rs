//! uniffi bindings of the TillKit core, for the Kotlin (Android) and Swift (iOS) apps.
//!
//! Thin by design: every item converts, forwards to `tillkit-core` and converts back. Errors
//! are mapped in one place ([`error`]); money crosses as decimal strings with a currency code.
//! The exported surface:
//! - [`Cashier`]: open, sales by code, QR and card, cancel, refund, lookups, history, queue,
//!   notifications, subscriptions, and the end-of-day report ([`ShiftReport`]: report, close,
//!   reprint, text, CSV), and receipts ([`Receipt`]: data, text, ESC/POS, PNG, printing on a
//!   [`ReceiptPrinter`] or a [`network_printer`]);
//! - free functions for money and payment codes ([`money`]) and the engine's default timings;
//! - [`CodeScanner`] for camera frames (a live session; `submit_frame` reads the platform's buffer
//!   in place, without a copy) and [`ScanGun`] for keyboard-wedge scanners ([`scan`]);
//! - card readers ([`reader`]): [`CardTransaction`] runs a card sale or refund on a
//!   [`CardReader`] (the app's wrapper of its terminal's SDK, an external reader behind
//!   `link_card_reader`, or with the `simulators` feature `simulated_card_reader`);
//! - the terminal agent ([`agent`]): [`TerminalAgent`] runs on a POS terminal, taking the card
//!   sales the acquirer routes to it and running them on the app's [`CardReader`];
//! - traits the app implements: [`HttpTransport`] (needed where the library has no HTTP client
//!   of its own: [`has_bundled_http`]), [`KeyStore`], [`EventListener`], [`Logger`], [`CardReader`],
//!   [`AuthorizationHost`], [`ReaderProgressListener`], [`AgentListener`], [`ReceiptPrinter`] (on iOS `Logger` is
//!   also `os.Logger`: Swift code names ours `TillKitCore.Logger`);
//! - every call that reads or writes the store or talks to the network is `async` (Kotlin
//!   `suspend`, Swift `async`); integers are signed (`Long`/`Int`, `Int64`/`Int32`).
//! - with the `sandbox` feature (tests only), [`sandbox::SandboxServer`].

uniffi::setup_scaffolding!();

pub mod agent;
mod attention;
mod cashier;
mod config;
mod error;
mod events;
mod history;
mod http;
mod ints;
pub mod money;
pub use http::{
    has_bundled_http, HttpHeader, HttpRequest, HttpResponse, HttpTransport, HttpTransportError,
};
mod platform;
mod printer;
pub mod reader;
#[cfg(feature = "sandbox")]
pub mod reader_sim_server;
mod receipt;
mod report;
mod report_api;
mod report_render;
mod runtime;
mod sale_status;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod scan;
mod terminals;
mod types;

#[cfg(feature = "sandbox")]
pub use agent::register_with_sandbox;
pub use agent::{AgentEvent, AgentListener, TerminalAgent, TerminalAgentConfig};
pub use attention::AttentionReason;
pub use cashier::Cashier;
pub use config::{
    default_policy, AcquirerConfig, CashierConfig, OfflineLimits, Platform, PolicySettings,
};
pub use error::{PrinterFault, ReaderFault, TillKitError};
pub use events::{EventListener, Subscription};
pub use history::{HistoryFilter, JournalLine};
pub use money::{Money, PaymentCodeInfo};
pub use platform::{set_logger, KeyStore, LogLevel, Logger};
pub use printer::{network_printer, PrintJob, ReceiptPrinter};
#[cfg(feature = "simulators")]
pub use reader::simulated_card_reader;
pub use reader::{AuthorizationHost, CardReader, CardTransaction, ReaderProgressListener};
pub use receipt::{Receipt, ReceiptCard, ReceiptRefund, ReceiptSettings};
pub use report::{
    CloseInfo, ClosedShift, CurrencySummary, LateChange, MethodTotal, OpenItem, OutboxSummary,
    ReportRange, ReportRequest, ReportTally, ShiftReport, StatusTotal,
};
pub use scan::{CameraFrame, CodeScanner, FrameResult, ScanGun, ScanOutcome, ScanStats};
pub use terminals::{Terminal, TerminalStatus};
pub use types::{CashierEvent, QrCode, QueueStatus, Refund, Sale};

/// The version of the TillKit core this library was built from.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
