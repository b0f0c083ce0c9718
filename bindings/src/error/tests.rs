//! The mapping's contract: what the UI can tell apart.

use super::*;
use tillkit_core::acquirer::AcquirerError;
use tillkit_core::engine::CashierError;
use tillkit_core::money::Amount;
use tillkit_core::paycode::PaymentCodeError;
use tillkit_core::reader::ReaderError;
use tillkit_core::store::StoreError;

#[test]
fn invalid_input_names_the_field() {
    let e: TillKitError = Amount::parse("1.234", "CNY").map(|_| ()).unwrap_err().into();
    assert!(matches!(e, TillKitError::InvalidInput { ref field, .. } if field == "amount"));
    let e: TillKitError = Amount::parse("1", "XXX").map(|_| ()).unwrap_err().into();
    assert!(matches!(e, TillKitError::InvalidInput { ref field, .. } if field == "currency"));
    let e: TillKitError = PaymentCodeError::Empty.into();
    assert!(matches!(e, TillKitError::InvalidInput { ref field, .. } if field == "payment_code"));
}

#[test]
fn acquirer_errors_keep_the_never_charge_twice_distinction() {
    let sent = AcquirerError::NotSent { reason: "no route".into() };
    assert!(matches!(TillKitError::from(sent), TillKitError::Offline { .. }));
    let unknown = AcquirerError::OutcomeUnknown {
        cause: tillkit_core::acquirer::UnknownCause::Timeout,
        detail: "20 s".into(),
    };
    let mapped = TillKitError::from(CashierError::Acquirer(unknown));
    assert!(matches!(mapped, TillKitError::OutcomeUnknown { .. }));
    assert!(mapped.to_string().contains("do not charge again"));
    let no = AcquirerError::Rejected { code: "104000".into(), description: "no".into() };
    assert_eq!(
        TillKitError::from(no),
        TillKitError::Declined { code: "104000".into(), description: "no".into() }
    );
}

#[test]
fn reader_faults_survive_the_round_trip_and_app_exceptions_are_device_failures() {
    for e in [
        ReaderError::Disconnected("ble".into()),
        ReaderError::Timeout,
        ReaderError::Busy,
        ReaderError::Protocol("bad".into()),
        ReaderError::Device("sdk".into()),
    ] {
        let ffi = TillKitError::from(e.clone());
        let TillKitError::Reader { fault, .. } = &ffi else { panic!("not a reader error") };
        let back = ReaderError::from(TillKitError::Reader { fault: *fault, reason: "x".into() });
        assert_eq!(std::mem::discriminant(&back), std::mem::discriminant(&e));
    }
    let busy = TillKitError::from(ReaderError::Busy);
    assert!(matches!(busy, TillKitError::Reader { fault: ReaderFault::Busy, .. }));
    let thrown = TillKitError::from(uniffi::UnexpectedUniFFICallbackError {
        reason: "NullPointerException".into(),
    });
    assert!(
        matches!(ReaderError::from(thrown), ReaderError::Device(r) if r.contains("NullPointer"))
    );
}

#[test]
fn a_full_disk_is_its_own_variant() {
    let e = TillKitError::from(CashierError::Store(StoreError::Full));
    assert_eq!(e, TillKitError::StorageFull);
    let e = TillKitError::from(CashierError::Store(StoreError::ReadOnly("ro".into())));
    assert!(matches!(e, TillKitError::Storage { .. }));
}

#[test]
fn refund_too_large_shows_amounts_as_text() {
    let requested = Amount::parse("12.5", "CNY").expect("valid");
    let e = TillKitError::from(CashierError::RefundTooLarge {
        requested,
        remaining: "2.50 CNY".into(),
    });
    assert_eq!(
        e,
        TillKitError::RefundTooLarge {
            requested: "12.50 CNY".into(),
            remaining: "2.50 CNY".into()
        }
    );
}

#[test]
fn retrying_helps_only_where_something_outside_the_call_can_change() {
    let offline = TillKitError::Offline { reason: "no route".into() };
    assert!(offline.can_retry());
    assert!(TillKitError::StoreInUse { path: "/d".into() }.can_retry());
    let unknown = TillKitError::OutcomeUnknown { detail: "timeout".into() };
    assert!(!unknown.can_retry(), "an unknown outcome must never invite a second charge");
    assert!(!TillKitError::Declined { code: "1".into(), description: "no".into() }.can_retry());
    assert!(!TillKitError::UnknownSale { id: "s".into() }.can_retry());
    assert!(TillKitError::from(ReaderError::Timeout).can_retry());
    assert!(!TillKitError::from(ReaderError::Protocol("bad".into())).can_retry());
}

#[test]
fn display_texts_are_sentences_without_debug_formatting() {
    let e = TillKitError::from(ReaderError::Disconnected("ble".into()));
    assert_eq!(
        e.to_string(),
        format!("card reader disconnected: {}", ReaderError::Disconnected("ble".into()))
    );
    assert_eq!(TillKitError::UnknownSale { id: "s-1".into() }.to_string(), "no sale s-1");
    assert_eq!(ReaderFault::Busy.to_string(), "busy");
}

#[test]
fn report_errors_map_to_what_the_screen_acts_on() {
    use tillkit_core::report::ReportError;
    let raced = ReportError::AlreadyClosed { seq: 3, register: "till-2".into(), closed_ms: 9 };
    let e = TillKitError::from(raced);
    assert_eq!(
        e,
        TillKitError::ShiftAlreadyClosed { seq: 3, register: "till-2".into(), closed_ms: 9 }
    );
    assert!(!e.can_retry());
    let bad = ReportError::InvalidRange { field: "operator", reason: "too long".into() };
    assert!(
        matches!(TillKitError::from(bad), TillKitError::InvalidInput { ref field, .. } if field == "operator")
    );
    let unknown = TillKitError::from(ReportError::UnknownClose(7));
    assert!(matches!(unknown, TillKitError::InvalidInput { ref field, .. } if field == "seq"));
    assert_eq!(TillKitError::from(ReportError::Closed), TillKitError::Closed);
    let full = TillKitError::from(ReportError::Store(StoreError::Full));
    assert_eq!(full, TillKitError::StorageFull);
}

#[test]
fn printer_errors_keep_their_fault_and_say_whether_printing_again_helps() {
    use tillkit_core::printer::PrinterError;
    let cases = [
        (PrinterError::PaperOut, PrinterFault::PaperOut, true),
        (PrinterError::CoverOpen, PrinterFault::CoverOpen, true),
        (PrinterError::Offline("no answer".into()), PrinterFault::Offline, true),
        (PrinterError::Failed("jam".into()), PrinterFault::Failed, false),
    ];
    for (core, fault, retry) in cases {
        let text = core.to_string();
        let e = TillKitError::from(core);
        assert_eq!(e, TillKitError::Printer { fault, reason: text });
        assert_eq!(e.can_retry(), retry, "{fault}");
    }
    let e = TillKitError::from(PrinterError::PaperOut);
    assert_eq!(e.to_string(), "printer out of paper: printer out of paper");
}
