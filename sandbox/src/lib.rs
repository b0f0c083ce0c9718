//! TillKit's sandbox acquirer (temporary stub while building).
pub mod clock;
pub mod config;
pub mod ledger;
pub mod scenario;
