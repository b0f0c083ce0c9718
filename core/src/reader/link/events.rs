//! The wire form of [`ReaderEvent`] and the currency fields of a transaction.

use super::wire::{MessageError, Reader, Writer};
use crate::money::{Amount, Currency};
use crate::reader::{EntryMode, ReaderEvent, ReaderOutcome};

/// Writes amount (u64 minor units), numeric code (u16), alphabetic code (3 bytes), exponent.
pub fn put_amount(w: &mut Writer, amount: &Amount) -> Result<(), MessageError> {
    let currency = amount.currency();
    let numeric = currency.numeric();
    let units = u64::try_from(amount.minor_units())
        .map_err(|_| MessageError::Invalid { field: "amount", reason: "negative".into() })?;
    // Exponents are 0..=3.
    w.u64(units).u16(numeric).raw(currency.code().as_bytes()).u8(currency.exponent() as u8);
    Ok(())
}

/// Reads what [`put_amount`] wrote, checking that the three currency fields agree.
pub fn get_amount(r: &mut Reader<'_>) -> Result<Amount, MessageError> {
    let units = r.u64("amount")?;
    let numeric = r.u16("currency numeric")?;
    let alpha = r.take("currency alpha", 3)?;
    let exponent = r.u8("currency exponent")?;
    let invalid = |field, reason: String| MessageError::Invalid { field, reason };
    let alpha =
        std::str::from_utf8(alpha).map_err(|_| invalid("currency alpha", "not ASCII".into()))?;
    let currency =
        Currency::from_code(alpha).map_err(|e| invalid("currency alpha", e.to_string()))?;
    if currency.numeric() != numeric || currency.exponent() != u32::from(exponent) {
        return Err(invalid(
            "currency",
            format!("{alpha} does not match numeric {numeric} / exponent {exponent}"),
        ));
    }
    let units = i64::try_from(units).map_err(|_| invalid("amount", "too large".into()))?;
    Amount::from_minor_units(units, currency).map_err(|e| invalid("amount", e.to_string()))
}

fn outcome_code(o: ReaderOutcome) -> u8 {
    match o {
        ReaderOutcome::ApprovedOnline => 1,
        ReaderOutcome::ApprovedOffline => 2,
        ReaderOutcome::Declined => 3,
        ReaderOutcome::Cancelled => 4,
        ReaderOutcome::CardRemoved => 5,
        ReaderOutcome::TimedOut => 6,
    }
}

fn outcome_of(code: u8) -> Result<ReaderOutcome, MessageError> {
    Ok(match code {
        1 => ReaderOutcome::ApprovedOnline,
        2 => ReaderOutcome::ApprovedOffline,
        3 => ReaderOutcome::Declined,
        4 => ReaderOutcome::Cancelled,
        5 => ReaderOutcome::CardRemoved,
        6 => ReaderOutcome::TimedOut,
        code => return Err(MessageError::UnknownCode { field: "outcome", code }),
    })
}

/// "Unknown" in a tries-left field.
const UNKNOWN_TRIES: u8 = 0xFF;

/// Writes an event: its code, then its fields.
pub fn put_event(w: &mut Writer, event: &ReaderEvent) -> Result<(), MessageError> {
    match event {
        ReaderEvent::WaitingForCard => {
            w.u8(0x01);
        }
        ReaderEvent::CardDetected { entry } => {
            w.u8(0x02).u8(match entry {
                EntryMode::Contactless => 1,
                EntryMode::Chip => 2,
                EntryMode::Swipe => 3,
            });
        }
        ReaderEvent::ApplicationSelected { aid, label } => {
            let aid = hex::decode(aid)
                .map_err(|_| MessageError::Invalid { field: "aid", reason: "not hex".into() })?;
            w.u8(0x03).bytes8("aid", &aid)?.str8("label", label.as_deref().unwrap_or(""))?;
        }
        ReaderEvent::PinRequested { attempts_left } => {
            w.u8(0x04).u8(attempts_left.unwrap_or(UNKNOWN_TRIES));
        }
        ReaderEvent::PinEntered => {
            w.u8(0x05);
        }
        ReaderEvent::PinIncorrect { attempts_left } => {
            w.u8(0x06).u8(*attempts_left);
        }
        ReaderEvent::AuthorizationRequest { tlv } => {
            w.u8(0x07).bytes16("tlv", tlv.as_bytes())?;
        }
        ReaderEvent::Completed { outcome, tlv } => {
            w.u8(0x08).u8(outcome_code(*outcome)).bytes16("tlv", tlv.as_bytes())?;
        }
        ReaderEvent::CardRemoved => {
            w.u8(0x09);
        }
    }
    Ok(())
}

/// Reads what [`put_event`] wrote.
pub fn get_event(r: &mut Reader<'_>) -> Result<ReaderEvent, MessageError> {
    Ok(match r.u8("event")? {
        0x01 => ReaderEvent::WaitingForCard,
        0x02 => ReaderEvent::CardDetected {
            entry: match r.u8("entry mode")? {
                1 => EntryMode::Contactless,
                2 => EntryMode::Chip,
                3 => EntryMode::Swipe,
                code => return Err(MessageError::UnknownCode { field: "entry mode", code }),
            },
        },
        0x03 => {
            let aid = r.bytes8("aid")?;
            if !(5..=16).contains(&aid.len()) {
                return Err(MessageError::Invalid {
                    field: "aid",
                    reason: format!("{} bytes, 5 to 16 expected", aid.len()),
                });
            }
            let label = r.str8("label")?;
            ReaderEvent::ApplicationSelected {
                aid: hex::encode_upper(aid),
                label: (!label.is_empty()).then_some(label),
            }
        }
        0x04 => {
            let n = r.u8("attempts left")?;
            ReaderEvent::PinRequested { attempts_left: (n != UNKNOWN_TRIES).then_some(n) }
        }
        0x05 => ReaderEvent::PinEntered,
        0x06 => ReaderEvent::PinIncorrect { attempts_left: r.u8("attempts left")? },
        0x07 => ReaderEvent::AuthorizationRequest { tlv: r.bytes16("tlv")?.to_vec().into() },
        0x08 => {
            let outcome = outcome_of(r.u8("outcome")?)?;
            ReaderEvent::Completed { outcome, tlv: r.bytes16("tlv")?.to_vec().into() }
        }
        0x09 => ReaderEvent::CardRemoved,
        code => return Err(MessageError::UnknownCode { field: "event", code }),
    })
}
