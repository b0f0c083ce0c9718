//! The terminal agent: the core running on a POS terminal. It takes the card sales and refunds
//! the acquirer routes to this terminal through a [`DeviceChannel`], drives the terminal's
//! [`crate::reader::CardReader`], and reports each result back. docs/terminal-channel.md
//! describes the channel the sandbox serves.

pub mod channel;
pub mod offline;

pub use channel::{
    ChannelError, DeviceChannel, ForwardAck, InboxKind, InboxMessage, OfflineApproval, ResultAck,
    ResultReport, TerminalProgress, TerminalResult,
};
