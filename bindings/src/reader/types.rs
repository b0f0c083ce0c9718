//! What crosses the FFI about a card transaction. Core types whose shape fits are mirrored with
//! `uniffi::remote`; the request (money) and the time limits (durations) are FFI records with
//! one conversion each; the reader's status, events and progress are in [`super::events`].

use std::time::Duration;

#[cfg(any(feature = "simulators", test))]
pub use tillkit_core::reader::sim::SimScenario;
pub use tillkit_core::reader::{EntryMode, OnlineResponse, ReaderOutcome, ReaderTxKind};

use tillkit_core::emv::AuthorizationData;
use tillkit_core::money::Amount;
use tillkit_core::reader::session::ReaderLimits as CoreLimits;
use tillkit_core::reader::session::ReaderResult as CoreResult;
use tillkit_core::reader::ReaderRequest as CoreRequest;

use crate::error::TillKitError;
use crate::money::Money;

/// Whether the card is charged or refunded.
#[uniffi::remote(Enum)]
pub enum ReaderTxKind {
    /// A payment.
    Sale,
    /// A refund to the card.
    Refund,
}

/// How the card was read.
#[uniffi::remote(Enum)]
pub enum EntryMode {
    /// Tapped (contactless).
    Contactless,
    /// Inserted (contact chip).
    Chip,
    /// Swiped (magnetic stripe).
    Swipe,
}

/// How a reader transaction ended.
#[uniffi::remote(Enum)]
pub enum ReaderOutcome {
    /// Approved by the issuer online.
    ApprovedOnline,
    /// Approved by the card offline (chip, under the floor limit): to be stored and forwarded.
    ApprovedOffline,
    /// Declined by the issuer or the card.
    Declined,
    /// Cancelled (by the cashier, or at the reader).
    Cancelled,
    /// The card was removed before the transaction ended.
    CardRemoved,
    /// No card was presented in time, the card did not answer, or a step outran its limit.
    TimedOut,
}

/// The host's answer to an authorisation request, handed to the card.
#[uniffi::remote(Record)]
pub struct OnlineResponse {
    /// Whether the issuer approved.
    pub approved: bool,
    /// The issuer's authorisation code, when approved.
    pub auth_code: Option<String>,
    /// The issuer's data for the card (BER-TLV: 91, 71, 72, 8A), possibly empty.
    pub issuer_tlv: Vec<u8>,
    /// The host could not be reached: the card decides (decline, or approve offline).
    pub unable_to_go_online: bool,
}

/// What the simulated reader's customer and card do (`simulatedCardReader`).
#[cfg(feature = "simulators")]
#[uniffi::remote(Enum)]
pub enum SimScenario {
    /// A chip card with a PIN, approved if the host approves.
    Approve,
    /// A tapped card, declined by the card after the host's answer.
    CardDeclines,
    /// A wrong PIN, then the right one, then as the host says.
    PinRetryThenApprove,
    /// The chip card is pulled out while the host is asked.
    CardRemovedEarly,
    /// No card is ever presented.
    NoCard,
    /// A chip card approved offline, without asking the host.
    OfflineApprove,
    /// As `Approve`, with every step 300 ms late.
    Slow,
    /// The reader disconnects after the card is read.
    Disconnect,
}

/// What a reader is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReaderRequest {
    /// The id of this transaction (the sale or refund id): 1–48 characters of A–Z, a–z, 0–9,
    /// `-`, `_`. A reader asked to begin the id it already runs resumes it.
    pub transaction_id: String,
    /// Sale or refund.
    pub kind: ReaderTxKind,
    /// The amount, positive.
    pub amount: Money,
}

impl From<CoreRequest> for ReaderRequest {
    fn from(r: CoreRequest) -> Self {
        ReaderRequest { transaction_id: r.transaction_id, kind: r.kind, amount: r.amount.into() }
    }
}

impl TryFrom<ReaderRequest> for CoreRequest {
    type Error = TillKitError;
    fn try_from(r: ReaderRequest) -> Result<Self, TillKitError> {
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let id = &r.transaction_id;
        if id.is_empty() || id.len() > 48 || !id.chars().all(ok) {
            return Err(TillKitError::InvalidInput {
                field: "transaction_id".into(),
                reason: "1–48 characters of A–Z, a–z, 0–9, '-', '_'".into(),
            });
        }
        Ok(CoreRequest {
            transaction_id: r.transaction_id,
            kind: r.kind,
            amount: Amount::try_from(r.amount)?,
        })
    }
}

/// How long each step of a card transaction may take, in milliseconds. The defaults suit a
/// cashier's counter; each must be between 1 ms and 10 minutes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReaderLimits {
    /// For the customer to present a card (then the transaction ends `TimedOut`).
    #[uniffi(default = 60000)]
    pub card_wait_ms: i64,
    /// For the cardholder to enter a PIN.
    #[uniffi(default = 60000)]
    pub pin_entry_ms: i64,
    /// For any other reader step (starting, reading the card, completing).
    #[uniffi(default = 30000)]
    pub reader_step_ms: i64,
    /// For the host to answer (then the card decides as if the host were unreachable).
    #[uniffi(default = 30000)]
    pub host_ms: i64,
    /// For the reader to report the end after a cancel (then it is taken as lost).
    #[uniffi(default = 10000)]
    pub cancel_ms: i64,
}

impl Default for ReaderLimits {
    fn default() -> Self {
        let ms = crate::ints::duration_ms;
        let core = CoreLimits::default();
        ReaderLimits {
            card_wait_ms: ms(core.card_wait),
            pin_entry_ms: ms(core.pin_entry),
            reader_step_ms: ms(core.reader_step),
            host_ms: ms(core.host),
            cancel_ms: ms(core.cancel),
        }
    }
}

/// The longest any limit may be: a step waiting longer than this is a stuck reader.
const MAX_LIMIT_MS: i64 = 10 * 60 * 1000;

impl TryFrom<ReaderLimits> for CoreLimits {
    type Error = TillKitError;
    fn try_from(l: ReaderLimits) -> Result<Self, TillKitError> {
        let check = |field: &str, ms: i64| {
            if !(1..=MAX_LIMIT_MS).contains(&ms) {
                return Err(TillKitError::InvalidInput {
                    field: format!("limits.{field}"),
                    reason: format!("{ms} ms is not between 1 ms and {MAX_LIMIT_MS} ms"),
                });
            }
            Ok(Duration::from_millis(ms.unsigned_abs()))
        };
        Ok(CoreLimits {
            card_wait: check("card_wait_ms", l.card_wait_ms)?,
            pin_entry: check("pin_entry_ms", l.pin_entry_ms)?,
            reader_step: check("reader_step_ms", l.reader_step_ms)?,
            host: check("host_ms", l.host_ms)?,
            cancel: check("cancel_ms", l.cancel_ms)?,
        })
    }
}

/// The default time limits of a card transaction.
#[uniffi::export]
pub fn default_reader_limits() -> ReaderLimits {
    ReaderLimits::default()
}

pub use tillkit_core::reader::EmvData;

// The reader's EMV bytes cross as a byte array (the app's SDK produced them). In Rust they are
// an `EmvData`, which never prints them and is wiped when dropped.
uniffi::custom_type!(EmvData, Vec<u8>, {
    remote,
    lower: |e| e.as_bytes().to_vec(),
    try_lift: |v| Ok(EmvData::new(v)),
});

/// A card's request for online authorisation, as TillKit read and checked it. The card number
/// is masked (first 6 / last 4); the full number and the track data stay in the core.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardAuthorization {
    /// The amount authorised (9F02) in the transaction currency (5F2A): the sale's.
    pub amount: Money,
    /// The application's AID, upper-case hex.
    pub aid: String,
    /// The application label, when given.
    pub label: Option<String>,
    /// The card number, first 6 and last 4 digits.
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
    /// Terminal verification results (95), upper-case hex.
    pub tvr: String,
    /// How the card was read, when the data says.
    pub entry: Option<EntryMode>,
}

impl TryFrom<&AuthorizationData> for CardAuthorization {
    type Error = tillkit_core::money::MoneyError;
    fn try_from(d: &AuthorizationData) -> Result<Self, Self::Error> {
        Ok(CardAuthorization {
            amount: Amount::new(d.amount, d.currency)?.into(),
            aid: d.aid.clone(),
            label: d.label.clone(),
            masked_pan: d.masked_pan.clone(),
            pan_sequence: d.pan_sequence,
            expiry: d.expiry.clone(),
            cryptogram: d.cryptogram.clone(),
            cid: d.cid,
            atc: d.atc,
            tvr: d.tvr.iter().map(|b| format!("{b:02X}")).collect(),
            entry: d.entry(),
        })
    }
}

/// What the card showed, masked (first 6 / last 4 digits): safe to show, keep and log.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardRead {
    /// The card number, first 6 and last 4 digits.
    pub masked_pan: String,
    /// The application's AID, upper-case hex.
    pub aid: String,
    /// The application label (`VISA CREDIT`), when the card gives one.
    pub label: Option<String>,
    /// How the card was read, when the card's data says.
    pub entry: Option<EntryMode>,
}

/// How a card transaction ended.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReaderResult {
    /// The outcome. Only `ApprovedOnline` and `ApprovedOffline` mean the customer paid.
    pub outcome: ReaderOutcome,
    /// The host approved online but the card or reader did not complete: the approval must be
    /// reversed at the host (or the sale flagged for a person). Never ignore it.
    pub needs_reversal: bool,
    /// What the card showed, masked, once its data was read.
    pub card: Option<CardRead>,
    /// Why TillKit stopped or refused the transaction (the card's data named another amount,
    /// say), when it did.
    pub problem: Option<String>,
}

impl From<CoreResult> for ReaderResult {
    fn from(r: CoreResult) -> Self {
        // The final EMV data stays in the core: it may hold the card number.
        ReaderResult {
            outcome: r.finish.outcome,
            needs_reversal: r.finish.needs_reversal,
            card: r.card.map(|c| CardRead {
                masked_pan: c.masked_pan,
                aid: c.aid,
                label: c.label,
                entry: c.entry,
            }),
            problem: r.problem,
        }
    }
}
