use std::sync::Mutex;

use super::*;
use crate::money::Amount;
use crate::reader::machine::Finish;
use crate::reader::session::CardRead;
use crate::reader::{EmvData, ReaderTxKind};

fn request() -> ReaderRequest {
    ReaderRequest {
        transaction_id: "POS-1".into(),
        kind: ReaderTxKind::Sale,
        amount: Amount::parse("12.34", "HKD").unwrap(),
    }
}

fn ended(outcome: ReaderOutcome, needs_reversal: bool) -> ReaderResult {
    ReaderResult {
        finish: Finish { outcome, needs_reversal, tlv: EmvData::default() },
        card: Some(CardRead {
            masked_pan: "476173******0119".into(),
            aid: "A0000000031010".into(),
            label: None,
            entry: None,
        }),
        problem: None,
    }
}

fn map(outcome: ReaderOutcome, reversal: bool, cashier: bool) -> TerminalResult {
    to_report(&request(), Ok(ended(outcome, reversal)), cashier, Some("AC1".into()), None).result
}

#[test]
fn every_reader_outcome_maps_and_an_unfinished_approval_is_never_approved() {
    use ReaderOutcome as O;
    use TerminalResult as T;
    assert_eq!(map(O::ApprovedOnline, false, false), T::Approved { auth_code: Some("AC1".into()) });
    assert_eq!(map(O::Declined, false, false), T::Declined);
    assert_eq!(map(O::Cancelled, false, true), T::CancelledByCashier);
    assert_eq!(map(O::Cancelled, false, false), T::CancelledAtTerminal);
    assert_eq!(map(O::CardRemoved, false, false), T::CancelledAtTerminal);
    assert_eq!(map(O::TimedOut, false, false), T::TimedOut);
    for o in [O::ApprovedOnline, O::ApprovedOffline, O::Declined, O::Cancelled, O::CardRemoved] {
        let r = to_report(&request(), Ok(ended(o, true)), false, Some("AC1".into()), None);
        assert!(!matches!(r.result, T::Approved { .. } | T::ApprovedOffline { .. }), "{o:?}");
        let why = match &r.result {
            T::Failed { reason } => reason.clone(),
            _ => r.reason.clone().unwrap(),
        };
        assert!(why.contains("approval is released"), "{o:?}: {why}");
    }
    let failed = to_report(&request(), Err(ReaderError::Busy), false, None, None);
    assert!(matches!(failed.result, T::Failed { ref reason } if reason.contains("busy")));
}

#[test]
fn a_stopped_transaction_with_a_problem_is_failed_not_the_customers_cancel() {
    let mut e = ended(ReaderOutcome::Cancelled, false);
    e.problem = Some("the card's data is for 1.00 HKD".into());
    let r = to_report(&request(), Ok(e), false, None, None);
    assert_eq!(
        r.result,
        TerminalResult::Failed { reason: "the card's data is for 1.00 HKD".into() }
    );
}

struct Sink(Mutex<Vec<OfflineApproval>>, bool);

impl OfflineSink for Sink {
    fn store(&self, approval: OfflineApproval) -> Result<(), String> {
        if !self.1 {
            return Err("queue full".into());
        }
        self.0.lock().unwrap().push(approval);
        Ok(())
    }
}

#[test]
fn an_offline_approval_goes_to_the_sink_without_card_numbers_or_is_declined() {
    let mut e = ended(ReaderOutcome::ApprovedOffline, false);
    e.finish.tlv = crate::reader::sim::authorization_tlv(&request());
    let none = to_report(&request(), Ok(e.clone()), false, None, None);
    assert_eq!(none.result, TerminalResult::Declined);
    assert_eq!(none.reason.as_deref(), Some(OFFLINE_NOT_ENABLED));

    let sink = Sink(Mutex::new(Vec::new()), true);
    let kept = to_report(&request(), Ok(e.clone()), false, None, Some(&sink));
    let stored = sink.0.lock().unwrap().pop().unwrap();
    assert_eq!(
        kept.result,
        TerminalResult::ApprovedOffline { offline_id: stored.offline_id.clone() }
    );
    assert_eq!(stored.amount, request().amount);
    let objects = crate::emv::parse(&stored.clearing_tlv).unwrap();
    assert!(!objects.is_empty());
    assert!(objects.iter().all(|o| o.tag() != crate::emv::tags::PAN));
    let pan_bytes = [0x47, 0x61, 0x73, 0x00, 0x00, 0x00, 0x01, 0x19];
    assert!(!stored.clearing_tlv.windows(8).any(|w| w == pan_bytes));

    let refusing = Sink(Mutex::new(Vec::new()), false);
    let refused = to_report(&request(), Ok(e), false, None, Some(&refusing));
    assert_eq!(refused.result, TerminalResult::Declined);
    assert!(refused.reason.unwrap().contains("queue full"));
}
