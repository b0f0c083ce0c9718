//! The typed view of a reader's online authorisation request.

use rust_decimal::Decimal;

use super::tags::{self, lookup};
use super::tlv::{self, Tag, Tlv, TlvError, Value};
use crate::money::{Currency, MoneyError};
use crate::reader::EntryMode;

/// Why a reader's authorisation data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationError {
    /// The bytes are not valid BER-TLV.
    #[error("authorisation data: {0}")]
    Tlv(#[from] TlvError),
    /// A mandatory tag is absent.
    #[error("authorisation data lacks tag {tag} ({name})")]
    Missing {
        /// The tag (for alternatives, the first one).
        tag: Tag,
        /// What it is.
        name: &'static str,
    },
    /// A tag's value has the wrong length or format (never holds the value itself).
    #[error("authorisation data: tag {tag} ({name}) {problem}")]
    BadValue {
        /// The tag.
        tag: Tag,
        /// What it is.
        name: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// The currency code 5F2A is not one TillKit knows.
    #[error("authorisation data: {0}")]
    Currency(#[from] MoneyError),
}

/// What a reader hands over for online authorisation, checked and typed. Holds no full PAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationData {
    /// Amount, authorised (9F02), in `currency`'s major units.
    pub amount: Decimal,
    /// Transaction currency (5F2A).
    pub currency: Currency,
    /// The application's AID (4F, else 84, else 9F06), upper-case hex.
    pub aid: String,
    /// Application label (50), when given.
    pub label: Option<String>,
    /// The PAN masked first 6 / last 4 (from 5A, else track 2 57 or 9F6B, else track 1 56).
    pub masked_pan: String,
    /// PAN sequence number (5F34), when given.
    pub pan_sequence: Option<u8>,
    /// Expiry (5F24), `YYMM`, when given.
    pub expiry: Option<String>,
    /// Application cryptogram (9F26), upper-case hex.
    pub cryptogram: String,
    /// Cryptogram information data (9F27): `0x80` ARQC, `0x40` TC, `0x00` AAC.
    pub cid: u8,
    /// Application transaction counter (9F36).
    pub atc: u16,
    /// Terminal verification results (95).
    pub tvr: [u8; 5],
    /// Transaction status information (9B), when given (contactless often omits it).
    pub tsi: Option<[u8; 2]>,
    /// CVM results (9F34), when given.
    pub cvm_results: Option<[u8; 3]>,
    /// POS entry mode (9F39), the two digits as a number (`7` contactless, `5` chip).
    pub entry_mode: Option<u8>,
}

impl AuthorizationData {
    /// Parses a reader's BER-TLV and reads the authorisation fields out of it (at any depth).
    pub fn from_tlv(bytes: &[u8]) -> Result<Self, AuthorizationError> {
        Self::from_objects(&tlv::parse(bytes)?)
    }

    /// Reads the authorisation fields out of parsed objects (at any depth).
    pub fn from_objects(objects: &[Tlv]) -> Result<Self, AuthorizationError> {
        let get = |tag: Tag| tlv::find(objects, tag);
        let currency_digits = bcd(required(objects, tags::TRANSACTION_CURRENCY)?, 2)?;
        let numeric = u16::try_from(currency_digits)
            .map_err(|_| bad(tags::TRANSACTION_CURRENCY, "out of range"))?;
        let currency = Currency::from_numeric(numeric)?;
        let units = bcd(required(objects, tags::AMOUNT_AUTHORISED)?, 6)?;
        let amount = Decimal::from_i128_with_scale(i128::from(units), currency.exponent());
        let aid_object = [tags::AID, tags::DF_NAME, tags::AID_TERMINAL]
            .into_iter()
            .find_map(get)
            .ok_or_else(|| missing(tags::AID))?;
        let aid = primitive(aid_object)?;
        if !(5..=16).contains(&aid.len()) {
            return Err(bad(aid_object.tag(), "must be 5 to 16 bytes"));
        }
        let label = get(tags::APPLICATION_LABEL).map(text).transpose()?;
        let pan_sequence = get(tags::PAN_SEQUENCE).map(|o| bcd(o, 1)).transpose()?;
        let expiry = get(tags::EXPIRY_DATE).map(expiry).transpose()?;
        let cryptogram = fixed::<8>(required(objects, tags::APPLICATION_CRYPTOGRAM)?)?;
        let [cid] = fixed::<1>(required(objects, tags::CRYPTOGRAM_INFORMATION)?)?;
        let atc = fixed::<2>(required(objects, tags::ATC)?)?;
        let entry_mode = get(tags::POS_ENTRY_MODE).map(|o| bcd(o, 1)).transpose()?;
        Ok(AuthorizationData {
            amount,
            currency,
            aid: hex::encode_upper(aid),
            label,
            masked_pan: masked_pan(objects)?,
            pan_sequence: pan_sequence.map(|n| n as u8),
            expiry,
            cryptogram: hex::encode_upper(cryptogram),
            cid,
            atc: u16::from_be_bytes(atc),
            tvr: fixed::<5>(required(objects, tags::TVR)?)?,
            tsi: get(tags::TSI).map(fixed::<2>).transpose()?,
            cvm_results: get(tags::CVM_RESULTS).map(fixed::<3>).transpose()?,
            entry_mode: entry_mode.map(|n| n as u8),
        })
    }

    /// How the card was read, from the POS entry mode, when it says.
    pub fn entry(&self) -> Option<EntryMode> {
        match self.entry_mode? {
            5 | 95 => Some(EntryMode::Chip),
            7 | 91 => Some(EntryMode::Contactless),
            2 | 80 | 90 => Some(EntryMode::Swipe),
            _ => None,
        }
    }
}

fn name(tag: Tag) -> &'static str {
    lookup(tag).map_or("unknown", |info| info.name)
}

fn missing(tag: Tag) -> AuthorizationError {
    AuthorizationError::Missing { tag, name: name(tag) }
}

fn bad(tag: Tag, problem: &'static str) -> AuthorizationError {
    AuthorizationError::BadValue { tag, name: name(tag), problem }
}

fn required(objects: &[Tlv], tag: Tag) -> Result<&Tlv, AuthorizationError> {
    tlv::find(objects, tag).ok_or_else(|| missing(tag))
}

fn primitive(object: &Tlv) -> Result<&[u8], AuthorizationError> {
    object.bytes().ok_or_else(|| bad(object.tag(), "is not a plain value"))
}

fn fixed<const N: usize>(object: &Tlv) -> Result<[u8; N], AuthorizationError> {
    let bytes = primitive(object)?;
    <[u8; N]>::try_from(bytes).map_err(|_| bad(object.tag(), "has the wrong length"))
}

/// A format `n` value of exactly `len` bytes as a number: every nibble must be a digit.
fn bcd(object: &Tlv, len: usize) -> Result<u64, AuthorizationError> {
    let bytes = primitive(object)?;
    if bytes.len() != len {
        return Err(bad(object.tag(), "has the wrong length"));
    }
    bcd_digits(bytes).ok_or_else(|| bad(object.tag(), "is not BCD digits"))
}

/// BCD bytes as a number; `None` when a nibble is not 0-9. At most 6 bytes are ever read here,
/// so 12 digits always fit.
fn bcd_digits(bytes: &[u8]) -> Option<u64> {
    bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]).try_fold(0u64, |acc, d| {
        (d <= 9).then(|| acc.saturating_mul(10).saturating_add(u64::from(d)))
    })
}

fn text(object: &Tlv) -> Result<String, AuthorizationError> {
    let bytes = primitive(object)?;
    if bytes.is_empty() || !bytes.iter().all(|b| (0x20..=0x7E).contains(b)) {
        return Err(bad(object.tag(), "is not printable text"));
    }
    Ok(bytes.iter().map(|b| char::from(*b)).collect())
}

/// 5F24, `YYMMDD`, to `YYMM`.
fn expiry(object: &Tlv) -> Result<String, AuthorizationError> {
    let bytes = fixed::<3>(object)?;
    bcd_digits(&bytes).ok_or_else(|| bad(object.tag(), "is not BCD digits"))?;
    let month = bcd_digits(&bytes[1..2]).unwrap_or(0);
    if !(1..=12).contains(&month) {
        return Err(bad(object.tag(), "has no valid month"));
    }
    Ok(hex::encode_upper(&bytes[..2]))
}

/// The masked PAN from 5A, else from track 2 (57, 9F6B), else track 1 (56).
fn masked_pan(objects: &[Tlv]) -> Result<String, AuthorizationError> {
    let sources = [tags::PAN, tags::TRACK2_EQUIVALENT, tags::TRACK2_DATA, tags::TRACK1_DATA];
    let object = sources
        .into_iter()
        .find_map(|tag| tlv::find(objects, tag))
        .ok_or_else(|| missing(tags::PAN))?;
    match object.value() {
        Value::Masked(m) => m.masked_pan().map(str::to_owned),
        _ => None,
    }
    .ok_or_else(|| bad(object.tag(), "does not hold a well-formed PAN"))
}
