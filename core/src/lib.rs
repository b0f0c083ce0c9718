//! TillKit core: everything a cashier app needs below the screen.
//!
//! Modules, from the bottom up: [`money`] (decimal amounts in ISO 4217 currencies), [`sign`]
//! (PingPong v4 and Oceanpayment signatures), [`paycode`] (customer-presented wallet codes),
//! [`scan`] (camera and scan-gun input of those codes) and [`acquirer`] (one protocol trait with
//! a PingPong and an Oceanpayment adapter). [`reader`] is the card-reader side, and [`emv`] the
//! card data it returns (BER-TLV, masked on parse). [`receipt`] builds a sale's or refund's
//! receipt, [`document`] renders it (text, ESC/POS, PNG) and [`printer`] prints it.

pub mod acquirer;
pub mod agent;
pub mod document;
pub mod emv;
pub mod engine;
pub mod money;
pub mod order;
pub mod paycode;
pub mod printer;
pub mod reader;
pub mod receipt;
pub mod report;
pub mod scan;
pub mod sign;
pub mod store;
pub mod transport;
pub mod wall_time;
