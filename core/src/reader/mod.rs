//! Card readers: the trait a reader implements, what it reports, and (in submodules) the
//! transaction machine that drives it, the byte link to external readers and simulators.
//!
//! Two kinds of hardware are served. On a handheld POS terminal the vendor's SDK reads the card
//! and the app implements [`CardReader`] around it. An external reader (Bluetooth LE, USB) only
//! moves bytes; the core speaks the link protocol to it and implements [`CardReader`] itself.
//! Either way the core owns the transaction: it starts it, applies time limits, lets the cashier
//! cancel, hands the reader's online authorisation request to the host and the host's answer
//! back to the card, and reports progress a UI can show.
//!
//! Card data never leaves the core unmasked: the reader's EMV data is parsed by `crate::emv`,
//! which masks the PAN and track 2 on parse.

pub mod machine;
pub mod session;
pub mod sim;

use crate::money::Amount;

pub mod link;

/// Whether the card is charged or refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReaderTxKind {
    /// A payment.
    Sale,
    /// A refund to the card.
    Refund,
}

/// What the reader is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderRequest {
    /// The core's id of this reader transaction (the sale or refund id): a transaction that is
    /// resumed after a link drop is recognised by it, so it is never run twice.
    pub transaction_id: String,
    /// Sale or refund.
    pub kind: ReaderTxKind,
    /// The amount, in its currency.
    pub amount: Amount,
}

/// EMV data from a card (BER-TLV), as a reader hands it over. It holds the full card number
/// and track 2, so it never prints them: `Debug` shows only its length, it is not
/// serialisable, and it is wiped when dropped. Read it through `crate::emv`, which masks.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct EmvData(Vec<u8>);

impl EmvData {
    /// Wraps a reader's bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        EmvData(bytes)
    }

    /// The bytes, for the EMV parser or the host.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for EmvData {
    fn from(bytes: Vec<u8>) -> Self {
        EmvData(bytes)
    }
}

impl std::fmt::Debug for EmvData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EmvData({} bytes)", self.0.len())
    }
}

impl Drop for EmvData {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.0.zeroize();
    }
}

/// How the card was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryMode {
    /// Tapped (contactless).
    Contactless,
    /// Inserted (contact chip).
    Chip,
    /// Swiped (magnetic stripe).
    Swipe,
}

/// The reader as it reports itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReaderStatus {
    /// Whether the reader can be used now.
    pub connected: bool,
    /// Battery charge in percent, when the reader has a battery.
    pub battery_percent: Option<u8>,
    /// Firmware version.
    pub firmware: Option<String>,
    /// The reader's serial number.
    pub serial: Option<String>,
}

/// How a reader transaction ended, as the reader (and card) decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// No card was presented in time, or the card did not answer.
    TimedOut,
}

/// A step the reader reports, in the order they happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderEvent {
    /// The reader waits for a card (tap, insert, swipe).
    WaitingForCard,
    /// A card was presented.
    CardDetected {
        /// How it was read.
        entry: EntryMode,
    },
    /// The card application was chosen.
    ApplicationSelected {
        /// Its AID, upper-case hex.
        aid: String,
        /// Its label (`VISA CREDIT`), when the card gives one.
        label: Option<String>,
    },
    /// The cardholder is asked for a PIN.
    PinRequested {
        /// PIN tries left, when the card tells.
        attempts_left: Option<u8>,
    },
    /// The PIN was entered (its value never leaves the reader).
    PinEntered,
    /// The PIN was wrong; the cardholder is asked again.
    PinIncorrect {
        /// PIN tries left.
        attempts_left: u8,
    },
    /// The card asks for online authorisation: the EMV data (BER-TLV) for the host. The core
    /// answers with [`CardReader::online_response`].
    AuthorizationRequest {
        /// The EMV data, BER-TLV.
        tlv: EmvData,
    },
    /// The transaction ended.
    Completed {
        /// How.
        outcome: ReaderOutcome,
        /// The final EMV data (BER-TLV), possibly empty.
        tlv: EmvData,
    },
    /// The card was taken away.
    CardRemoved,
}

/// The host's answer to an authorisation request, handed to the card.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Why a reader call failed. The transaction machine decides what each means.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderError {
    /// The reader is not connected (or the link dropped).
    #[error("reader disconnected: {0}")]
    Disconnected(String),
    /// The reader did not answer in time.
    #[error("reader timed out")]
    Timeout,
    /// The reader is running another transaction.
    #[error("reader busy")]
    Busy,
    /// The reader answered something that does not fit the protocol.
    #[error("reader protocol error: {0}")]
    Protocol(String),
    /// The reader (or the app's SDK around it) failed.
    #[error("reader failed: {0}")]
    Device(String),
}

/// A card reader: the vendor SDK of a POS terminal (implemented by the app), or an external
/// reader driven over the byte link (implemented by the core).
///
/// One transaction at a time: [`CardReader::begin`], then [`CardReader::next_event`] until a
/// [`ReaderEvent::Completed`], answering an [`ReaderEvent::AuthorizationRequest`] with
/// [`CardReader::online_response`]. [`CardReader::cancel`] may be called at any time. The core
/// applies the time limits around these calls.
#[async_trait::async_trait]
pub trait CardReader: Send + Sync {
    /// The reader's status.
    async fn status(&self) -> Result<ReaderStatus, ReaderError>;
    /// Starts a transaction. Beginning a transaction id the reader already runs resumes it.
    async fn begin(&self, request: &ReaderRequest) -> Result<(), ReaderError>;
    /// The next step of the running transaction; waits until there is one.
    async fn next_event(&self) -> Result<ReaderEvent, ReaderError>;
    /// Hands the host's answer to the card.
    async fn online_response(&self, response: &OnlineResponse) -> Result<(), ReaderError>;
    /// Asks the reader to stop the running transaction. It still reports how it ended.
    async fn cancel(&self) -> Result<(), ReaderError>;
}
