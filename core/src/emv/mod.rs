//! EMV data: BER-TLV parsing and building, a dictionary of the common tags, masking of card
//! data on parse, and a typed view of what a reader returns for online authorisation.
//!
//! The parser is the only way a reader's EMV bytes enter the core, and it never hands back a
//! full PAN: the PAN (5A), the track data (56, 57, 9F6B), the cardholder name (5F20) and the
//! discretionary data (9F1F, 9F20, 9F0B) come out as [`Value::Masked`] text (first 6 / last 4
//! digits of the PAN, the rest stars). Nothing in the public tree holds their raw bytes, so they
//! cannot be stored, logged or sent over FFI by mistake. `docs/emv.md` lists the limits and rules.
//!
//! Every bound is explicit: [`MAX_INPUT`] bytes in, [`MAX_ELEMENTS`] objects, [`MAX_DEPTH`]
//! nested templates, [`MAX_TAG_BYTES`]-byte tags, four length bytes. Input past them is a
//! [`TlvError`] naming the byte offset, never a panic or an unbounded allocation.

mod auth;
mod clearing;
mod error;
mod mask;
pub mod tags;
mod tlv;

pub use auth::{AuthorizationData, AuthorizationError};
pub use clearing::without_card_data;
pub use tags::{Format, MaskRule, TagInfo};
pub use tlv::{
    encode, parse, Masked, Tag, Tlv, TlvError, Value, MAX_DEPTH, MAX_ELEMENTS, MAX_INPUT,
    MAX_TAG_BYTES,
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_auth;
