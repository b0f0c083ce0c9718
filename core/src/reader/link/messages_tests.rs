use super::*;
use crate::money::{Amount, Currency};
use crate::reader::{EntryMode, ReaderOutcome};

fn sale(id: &str, minor: i64, currency: &str) -> ReaderRequest {
    let currency = Currency::from_code(currency).unwrap();
    ReaderRequest {
        transaction_id: id.into(),
        kind: ReaderTxKind::Sale,
        amount: Amount::from_minor_units(minor, currency).unwrap(),
    }
}

fn all_events() -> Vec<ReaderEvent> {
    vec![
        ReaderEvent::WaitingForCard,
        ReaderEvent::CardDetected { entry: EntryMode::Contactless },
        ReaderEvent::CardDetected { entry: EntryMode::Chip },
        ReaderEvent::CardDetected { entry: EntryMode::Swipe },
        ReaderEvent::ApplicationSelected {
            aid: "A0000000031010".into(),
            label: Some("VISA CREDIT".into()),
        },
        ReaderEvent::ApplicationSelected { aid: "A0000000041010".into(), label: None },
        ReaderEvent::PinRequested { attempts_left: Some(3) },
        ReaderEvent::PinRequested { attempts_left: None },
        ReaderEvent::PinEntered,
        ReaderEvent::PinIncorrect { attempts_left: 2 },
        ReaderEvent::AuthorizationRequest {
            tlv: vec![0x9F, 0x02, 0x06, 0, 0, 0, 0, 0x10, 0].into(),
        },
        ReaderEvent::Completed {
            outcome: ReaderOutcome::ApprovedOnline,
            tlv: vec![0x8A, 0x02, 0x30, 0x30].into(),
        },
        ReaderEvent::Completed { outcome: ReaderOutcome::TimedOut, tlv: vec![].into() },
        ReaderEvent::CardRemoved,
    ]
}

#[test]
fn every_host_message_round_trips() {
    let messages = vec![
        HostMessage::Begin(sale("sale-1", 1250, "CNY")),
        HostMessage::Begin(ReaderRequest { kind: ReaderTxKind::Refund, ..sale("r-9", 5, "KWD") }),
        HostMessage::Begin(sale("jpy", 1000, "JPY")),
        HostMessage::Resume { transaction_id: "sale-1".into(), next_event: 7 },
        HostMessage::OnlineResponse {
            transaction_id: "sale-1".into(),
            response: OnlineResponse {
                approved: true,
                auth_code: Some("123456".into()),
                issuer_tlv: vec![0x8A, 0x02, 0x30, 0x30],
                unable_to_go_online: false,
            },
        },
        HostMessage::OnlineResponse {
            transaction_id: "s".into(),
            response: OnlineResponse {
                approved: false,
                auth_code: None,
                issuer_tlv: vec![],
                unable_to_go_online: true,
            },
        },
        HostMessage::Cancel { transaction_id: "sale-1".into() },
        HostMessage::StatusRequest,
    ];
    for m in messages {
        assert_eq!(HostMessage::decode(&m.encode().unwrap()), Ok(m));
    }
}

#[test]
fn every_reader_message_and_event_round_trips() {
    let mut messages: Vec<ReaderMessage> = all_events()
        .into_iter()
        .enumerate()
        .map(|(i, event)| ReaderMessage::Event {
            transaction_id: "t".into(),
            index: i as u16,
            event,
        })
        .collect();
    messages.push(ReaderMessage::TxState {
        transaction_id: "t".into(),
        state: TxState::Completed,
        events: 9,
    });
    messages.push(ReaderMessage::Status(ReaderStatus {
        connected: true,
        battery_percent: Some(80),
        firmware: Some("1.2.3".into()),
        serial: None,
    }));
    messages.push(ReaderMessage::Error {
        code: ErrorCode::Busy,
        transaction_id: String::new(),
        detail: "x".into(),
    });
    for m in messages {
        assert_eq!(ReaderMessage::decode(&m.encode().unwrap()), Ok(m));
    }
}

#[test]
fn begin_carries_minor_units_and_both_currency_codes() {
    let bytes = HostMessage::Begin(sale("a", 1250, "CNY")).encode().unwrap();
    assert_eq!(
        bytes,
        [&[0x10, 1, b'a', 0][..], &1250u64.to_be_bytes(), &[0, 156], b"CNY", &[2]].concat()
    );
}

#[test]
fn malformed_messages_are_refused_naming_the_field() {
    let good = HostMessage::Begin(sale("a", 1250, "CNY")).encode().unwrap();
    for cut in 0..good.len() {
        assert!(
            matches!(HostMessage::decode(&good[..cut]), Err(MessageError::Truncated { .. })),
            "cut at {cut}"
        );
    }
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(HostMessage::decode(&trailing), Err(MessageError::Trailing { count: 1 }));
    let mut numeric = good.clone();
    numeric[13] = 157;
    assert!(matches!(
        HostMessage::decode(&numeric),
        Err(MessageError::Invalid { field: "currency", .. })
    ));
    let mut zero = good.clone();
    zero[4..12].copy_from_slice(&0u64.to_be_bytes());
    assert!(matches!(
        HostMessage::decode(&zero),
        Err(MessageError::Invalid { field: "amount", .. })
    ));
    let mut huge = good;
    huge[4..12].copy_from_slice(&u64::MAX.to_be_bytes());
    assert!(matches!(
        HostMessage::decode(&huge),
        Err(MessageError::Invalid { field: "amount", .. })
    ));
    assert_eq!(
        HostMessage::decode(&[0x99]),
        Err(MessageError::UnknownCode { field: "message", code: 0x99 })
    );
    assert!(matches!(
        HostMessage::decode(&[0x13, 0]),
        Err(MessageError::Invalid { field: "transaction id", .. })
    ));
    assert!(matches!(
        HostMessage::decode(&[0x13, 2, b'a', 0x07]),
        Err(MessageError::Invalid { .. })
    ));
    assert!(matches!(
        ReaderMessage::decode(&[0x21, 1, b't', 0, 0, 0x08, 0x07, 0, 0]),
        Err(MessageError::UnknownCode { field: "outcome", code: 7 })
    ));
    assert!(matches!(
        ReaderMessage::decode(&[0x21, 1, b't', 0, 0, 0x03, 1, 0xA0, 0]),
        Err(MessageError::Invalid { field: "aid", .. })
    ));
    assert!(matches!(
        ReaderMessage::decode(&[0x22, 1, 101, 0, 0]),
        Err(MessageError::Invalid { field: "battery", .. })
    ));
}

#[test]
fn ids_that_do_not_fit_are_refused_when_encoding() {
    let long = "x".repeat(MAX_TRANSACTION_ID + 1);
    assert!(HostMessage::Cancel { transaction_id: long }.encode().is_err());
    assert!(HostMessage::Cancel { transaction_id: "has space".into() }.encode().is_err());
    let event = ReaderEvent::ApplicationSelected { aid: "not hex".into(), label: None };
    assert!(ReaderMessage::Event { transaction_id: "t".into(), index: 0, event }.encode().is_err());
}

/// Every truncation of every valid message is an error, never a panic.
#[test]
fn every_truncation_of_every_reader_message_is_an_error() {
    for (i, event) in all_events().into_iter().enumerate() {
        let bytes = ReaderMessage::Event { transaction_id: "tx".into(), index: i as u16, event }
            .encode()
            .unwrap();
        for cut in 0..bytes.len() {
            assert!(ReaderMessage::decode(&bytes[..cut]).is_err());
        }
    }
}
