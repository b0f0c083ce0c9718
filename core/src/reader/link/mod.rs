//! The byte link to an external card reader (Bluetooth LE, USB): frames, acknowledgement and
//! retransmission, reconnection with the transaction kept, the messages of a transaction, and
//! [`LinkCardReader`], the [`crate::reader::CardReader`] the core drives over it. The protocol
//! is written down for reader vendors in `docs/reader-link.md`.
//!
//! Layers, from the bottom: a [`ReaderTransport`] moves bytes (the platform's part; in memory
//! and TCP here); [`frame`] and [`decoder`] turn them into frames; [`machine`] (pure) and
//! [`driver`] (its async task) make a reliable, ordered message link out of frames;
//! [`messages`] are what travels on it; [`client`] and [`sim`] are its two ends.

pub mod client;
pub mod decoder;
pub mod driver;
pub mod events;
pub mod frame;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod machine;
pub mod memory;
pub mod messages;
pub mod sim;
pub mod tcp;
pub mod transport;
pub mod wire;

pub use client::{LinkCardReader, LinkReaderConfig};
pub use transport::{ReaderTransport, TransportError};
