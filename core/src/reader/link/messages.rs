//! The messages carried in DATA frames: what the core asks the reader, and what the reader
//! reports. The first byte is the message code; fields follow (see `docs/reader-link.md`).

use super::events::{get_amount, get_event, put_amount, put_event};
use super::wire::{MessageError, Reader, Writer};
use crate::reader::{OnlineResponse, ReaderEvent, ReaderRequest, ReaderStatus, ReaderTxKind};

/// The longest transaction id, in bytes.
pub const MAX_TRANSACTION_ID: usize = 64;
/// The longest authorisation code, in bytes.
pub const MAX_AUTH_CODE: usize = 12;

/// From the core to the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMessage {
    /// Start this transaction, or, if the reader knows its id, report it instead of starting.
    Begin(ReaderRequest),
    /// After a reconnection: report this transaction and send its events from `next_event` on.
    Resume {
        /// The transaction.
        transaction_id: String,
        /// Index of the first event the core has not received.
        next_event: u16,
    },
    /// The host's answer to the authorisation request.
    OnlineResponse {
        /// The transaction.
        transaction_id: String,
        /// The answer.
        response: OnlineResponse,
    },
    /// Stop the transaction.
    Cancel {
        /// The transaction.
        transaction_id: String,
    },
    /// Report the reader's status.
    StatusRequest,
}

/// Where a transaction stands, as the reader reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxState {
    /// Still running.
    Running,
    /// Ended; its last event is `Completed`.
    Completed,
}

/// Why the reader refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Another transaction is running.
    Busy,
    /// The reader does not know this transaction.
    UnknownTransaction,
    /// The message could not be decoded or its fields are not allowed.
    BadRequest,
    /// The message does not fit the transaction's state (an online response nobody waits for).
    NotExpected,
}

/// From the reader to the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderMessage {
    /// Answer to BEGIN and RESUME.
    TxState {
        /// The transaction.
        transaction_id: String,
        /// Running or completed.
        state: TxState,
        /// Events the reader has logged for it so far.
        events: u16,
    },
    /// One step of a transaction; `index` counts from 0 per transaction.
    Event {
        /// The transaction.
        transaction_id: String,
        /// Its position in the transaction's event log.
        index: u16,
        /// The step.
        event: ReaderEvent,
    },
    /// Answer to STATUS_REQUEST.
    Status(ReaderStatus),
    /// A refusal.
    Error {
        /// Why.
        code: ErrorCode,
        /// The transaction concerned, possibly empty.
        transaction_id: String,
        /// A short text for logs.
        detail: String,
    },
}

fn put_id(w: &mut Writer, id: &str) -> Result<(), MessageError> {
    check_id(id)?;
    w.str8("transaction id", id)?;
    Ok(())
}

fn get_id(r: &mut Reader<'_>) -> Result<String, MessageError> {
    let id = r.str8("transaction id")?;
    check_id(&id)?;
    Ok(id)
}

/// A transaction id is 1 to 64 printable ASCII characters.
pub fn check_id(id: &str) -> Result<(), MessageError> {
    if id.is_empty() || id.len() > MAX_TRANSACTION_ID || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(MessageError::Invalid {
            field: "transaction id",
            reason: format!("must be 1 to {MAX_TRANSACTION_ID} printable ASCII characters"),
        });
    }
    Ok(())
}

impl HostMessage {
    /// The bytes of the message.
    pub fn encode(&self) -> Result<Vec<u8>, MessageError> {
        Ok(match self {
            HostMessage::Begin(req) => {
                let mut w = Writer::new(0x10);
                put_id(&mut w, &req.transaction_id)?;
                w.u8(match req.kind {
                    ReaderTxKind::Sale => 0,
                    ReaderTxKind::Refund => 1,
                });
                put_amount(&mut w, &req.amount)?;
                w.finish()
            }
            HostMessage::Resume { transaction_id, next_event } => {
                let mut w = Writer::new(0x11);
                put_id(&mut w, transaction_id)?;
                w.u16(*next_event).finish()
            }
            HostMessage::OnlineResponse { transaction_id, response } => {
                let mut w = Writer::new(0x12);
                put_id(&mut w, transaction_id)?;
                let code = response.auth_code.as_deref().unwrap_or("");
                if code.len() > MAX_AUTH_CODE {
                    return Err(MessageError::Invalid {
                        field: "auth code",
                        reason: "longer than 12".into(),
                    });
                }
                let flags =
                    u8::from(response.approved) | (u8::from(response.unable_to_go_online) << 1);
                w.u8(flags).str8("auth code", code)?.bytes16("issuer tlv", &response.issuer_tlv)?;
                w.finish()
            }
            HostMessage::Cancel { transaction_id } => {
                let mut w = Writer::new(0x13);
                put_id(&mut w, transaction_id)?;
                w.finish()
            }
            HostMessage::StatusRequest => Writer::new(0x14).finish(),
        })
    }

    /// Reads a message, strictly.
    pub fn decode(bytes: &[u8]) -> Result<Self, MessageError> {
        let mut r = Reader::new(bytes);
        let message = match r.u8("message")? {
            0x10 => {
                let transaction_id = get_id(&mut r)?;
                let kind = match r.u8("kind")? {
                    0 => ReaderTxKind::Sale,
                    1 => ReaderTxKind::Refund,
                    code => return Err(MessageError::UnknownCode { field: "kind", code }),
                };
                HostMessage::Begin(ReaderRequest {
                    transaction_id,
                    kind,
                    amount: get_amount(&mut r)?,
                })
            }
            0x11 => HostMessage::Resume {
                transaction_id: get_id(&mut r)?,
                next_event: r.u16("next event")?,
            },
            0x12 => {
                let transaction_id = get_id(&mut r)?;
                let flags = r.u8("flags")?;
                if flags & !0b11 != 0 {
                    return Err(MessageError::UnknownCode { field: "flags", code: flags });
                }
                let code = r.str8("auth code")?;
                if code.len() > MAX_AUTH_CODE {
                    return Err(MessageError::Invalid {
                        field: "auth code",
                        reason: "longer than 12".into(),
                    });
                }
                let response = OnlineResponse {
                    approved: flags & 1 != 0,
                    auth_code: (!code.is_empty()).then_some(code),
                    issuer_tlv: r.bytes16("issuer tlv")?.to_vec(),
                    unable_to_go_online: flags & 2 != 0,
                };
                HostMessage::OnlineResponse { transaction_id, response }
            }
            0x13 => HostMessage::Cancel { transaction_id: get_id(&mut r)? },
            0x14 => HostMessage::StatusRequest,
            code => return Err(MessageError::UnknownCode { field: "message", code }),
        };
        r.end()?;
        Ok(message)
    }
}

fn error_code(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::Busy => 1,
        ErrorCode::UnknownTransaction => 2,
        ErrorCode::BadRequest => 3,
        ErrorCode::NotExpected => 4,
    }
}

impl ErrorCode {
    /// The code's name, as docs/reader-link.md writes it.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Busy => "busy",
            ErrorCode::UnknownTransaction => "unknown transaction",
            ErrorCode::BadRequest => "bad request",
            ErrorCode::NotExpected => "not expected",
        }
    }
}

impl ReaderMessage {
    /// The message's name for an error text (an ERROR's code and detail too). Not `Debug`:
    /// formatting whole messages would carry the derived `Debug` of every event and status
    /// type into the shipped library for a text nobody acts on.
    pub fn summary(&self) -> String {
        match self {
            ReaderMessage::TxState { .. } => "TX_STATE".into(),
            ReaderMessage::Event { .. } => "EVENT".into(),
            ReaderMessage::Status(_) => "STATUS".into(),
            ReaderMessage::Error { code, detail, .. } => format!("ERROR {}: {detail}", code.name()),
        }
    }

    /// The bytes of the message.
    pub fn encode(&self) -> Result<Vec<u8>, MessageError> {
        Ok(match self {
            ReaderMessage::TxState { transaction_id, state, events } => {
                let mut w = Writer::new(0x20);
                put_id(&mut w, transaction_id)?;
                w.u8(match state {
                    TxState::Running => 1,
                    TxState::Completed => 2,
                })
                .u16(*events)
                .finish()
            }
            ReaderMessage::Event { transaction_id, index, event } => {
                let mut w = Writer::new(0x21);
                put_id(&mut w, transaction_id)?;
                w.u16(*index);
                put_event(&mut w, event)?;
                w.finish()
            }
            ReaderMessage::Status(s) => {
                let mut w = Writer::new(0x22);
                w.u8(u8::from(s.connected)).u8(s.battery_percent.unwrap_or(0xFF));
                w.str8("firmware", s.firmware.as_deref().unwrap_or(""))?;
                w.str8("serial", s.serial.as_deref().unwrap_or(""))?;
                w.finish()
            }
            ReaderMessage::Error { code, transaction_id, detail } => {
                let mut w = Writer::new(0x23);
                w.u8(error_code(*code))
                    .str8("transaction id", transaction_id)?
                    .str8("detail", detail)?;
                w.finish()
            }
        })
    }

    /// Reads a message, strictly.
    pub fn decode(bytes: &[u8]) -> Result<Self, MessageError> {
        let mut r = Reader::new(bytes);
        let message = match r.u8("message")? {
            0x20 => {
                let transaction_id = get_id(&mut r)?;
                let state = match r.u8("state")? {
                    1 => TxState::Running,
                    2 => TxState::Completed,
                    code => return Err(MessageError::UnknownCode { field: "state", code }),
                };
                ReaderMessage::TxState { transaction_id, state, events: r.u16("events")? }
            }
            0x21 => {
                let transaction_id = get_id(&mut r)?;
                let index = r.u16("index")?;
                ReaderMessage::Event { transaction_id, index, event: get_event(&mut r)? }
            }
            0x22 => {
                let connected = match r.u8("connected")? {
                    0 => false,
                    1 => true,
                    code => return Err(MessageError::UnknownCode { field: "connected", code }),
                };
                let battery = r.u8("battery")?;
                if battery > 100 && battery != 0xFF {
                    return Err(MessageError::Invalid {
                        field: "battery",
                        reason: format!("{battery} %"),
                    });
                }
                let opt = |s: String| (!s.is_empty()).then_some(s);
                ReaderMessage::Status(ReaderStatus {
                    connected,
                    battery_percent: (battery != 0xFF).then_some(battery),
                    firmware: opt(r.str8("firmware")?),
                    serial: opt(r.str8("serial")?),
                })
            }
            0x23 => {
                let code = match r.u8("error")? {
                    1 => ErrorCode::Busy,
                    2 => ErrorCode::UnknownTransaction,
                    3 => ErrorCode::BadRequest,
                    4 => ErrorCode::NotExpected,
                    code => return Err(MessageError::UnknownCode { field: "error", code }),
                };
                ReaderMessage::Error {
                    code,
                    transaction_id: r.str8("transaction id")?,
                    detail: r.str8("detail")?,
                }
            }
            code => return Err(MessageError::UnknownCode { field: "message", code }),
        };
        r.end()?;
        Ok(message)
    }
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
