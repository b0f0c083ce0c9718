//! The terminal agent: the core running on a POS terminal. It takes the card sales and refunds
//! the acquirer routes to this terminal through a [`DeviceChannel`], drives the terminal's
//! [`crate::reader::CardReader`], and reports each result back. docs/terminal-channel.md
//! describes the channel the sandbox serves; docs/terminal-agent.md the agent.

pub mod channel;
pub mod hooks;
pub mod host;
pub mod http;
pub mod offline;
pub mod outcome;
pub mod run;
pub mod store;
mod wire;

pub use channel::{
    ChannelError, DeviceChannel, ForwardAck, InboxKind, InboxMessage, OfflineApproval, ResultAck,
    ResultReport, TerminalProgress, TerminalResult,
};
pub use hooks::{AgentEvent, EventListener, OfflineSink, ShutdownHandle};
pub use http::{register_with_sandbox, HttpDeviceChannel, Registration, SeqStore};
pub use run::{AgentConfig, AgentError, TerminalAgent};
pub use store::{AgentStore, AgentStoreError, TxState};
