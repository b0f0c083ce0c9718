//! The terminal registry across the FFI: the POS terminals card sales may go to.

pub use tillkit_core::store::{TerminalRow as Terminal, TerminalStatus};

/// What the cashier last learnt about a terminal.
#[uniffi::remote(Enum)]
pub enum TerminalStatus {
    /// Not used since it was paired.
    Unknown,
    /// Its last sale reached it.
    Ready,
    /// It was running another sale.
    Busy,
    /// The acquirer could not reach it.
    Unreachable,
}

/// A paired POS terminal.
#[uniffi::remote(Record)]
pub struct Terminal {
    /// Serial number (`deviceSn`).
    pub serial: String,
    /// Model (`deviceModel`).
    pub model: String,
    /// A name for the screen.
    pub label: Option<String>,
    /// Card sales without a terminal go here.
    pub is_default: bool,
    /// What was last learnt.
    pub status: TerminalStatus,
    /// When a sale last reached it, ms since the Unix epoch.
    pub last_seen_ms: Option<u64>,
    /// When it was paired, ms since the Unix epoch.
    pub created_at: u64,
}
