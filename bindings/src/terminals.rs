//! The terminal registry across the FFI: the POS terminals card sales may go to.

use tillkit_core::store::TerminalRow;
pub use tillkit_core::store::TerminalStatus;

use crate::ints::long;

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
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    pub last_seen_ms: Option<i64>,
    /// When it was paired, ms since the Unix epoch.
    pub created_at_ms: i64,
}

impl From<TerminalRow> for Terminal {
    fn from(t: TerminalRow) -> Self {
        Terminal {
            serial: t.serial,
            model: t.model,
            label: t.label,
            is_default: t.is_default,
            status: t.status,
            last_seen_ms: t.last_seen_ms.map(long),
            created_at_ms: long(t.created_at),
        }
    }
}
