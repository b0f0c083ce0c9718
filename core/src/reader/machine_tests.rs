use super::*;

fn inputs() -> Vec<ReaderInput> {
    use ReaderEvent as E;
    vec![
        ReaderInput::Reader(E::WaitingForCard),
        ReaderInput::Reader(E::CardDetected { entry: EntryMode::Chip }),
        ReaderInput::Reader(E::CardDetected { entry: EntryMode::Contactless }),
        ReaderInput::Reader(E::ApplicationSelected { aid: "A0000000031010".into(), label: None }),
        ReaderInput::Reader(E::PinRequested { attempts_left: Some(3) }),
        ReaderInput::Reader(E::PinEntered),
        ReaderInput::Reader(E::PinIncorrect { attempts_left: 2 }),
        ReaderInput::Reader(E::AuthorizationRequest { tlv: EmvData::from(vec![0x9F, 0x26, 0]) }),
        ReaderInput::Reader(E::CardRemoved),
        ReaderInput::Reader(E::Completed {
            outcome: ReaderOutcome::ApprovedOnline,
            tlv: EmvData::from(vec![]),
        }),
        ReaderInput::Reader(E::Completed {
            outcome: ReaderOutcome::ApprovedOffline,
            tlv: EmvData::from(vec![]),
        }),
        ReaderInput::Reader(E::Completed {
            outcome: ReaderOutcome::Declined,
            tlv: EmvData::from(vec![]),
        }),
        ReaderInput::Reader(E::Completed {
            outcome: ReaderOutcome::Cancelled,
            tlv: EmvData::from(vec![]),
        }),
        ReaderInput::HostAnswered(HostVerdict::Approved),
        ReaderInput::HostAnswered(HostVerdict::Declined),
        ReaderInput::HostAnswered(HostVerdict::Unreachable),
        ReaderInput::Cancel,
        ReaderInput::TimedOut,
        ReaderInput::ReaderLost,
    ]
}

/// Checks the money invariants after each step of one sequence.
fn run(seq: &[usize], all: &[ReaderInput]) {
    let mut m = ReaderMachine::new();
    let mut finished: Option<Finish> = None;
    for &i in seq {
        let was_done = m.state() == ReaderState::Done;
        let (action, progress) = m.on(all[i].clone());
        if was_done {
            assert_eq!((action, progress), (ReaderAction::Wait, None), "{seq:?}: moved after done");
            continue;
        }
        if let ReaderAction::Finish(f) = action {
            assert!(finished.is_none(), "{seq:?}: finished twice");
            assert_eq!(m.state(), ReaderState::Done);
            let host = m.host();
            if f.outcome == ReaderOutcome::ApprovedOnline {
                assert_eq!(
                    host,
                    Some(HostVerdict::Approved),
                    "{seq:?}: online approval without the host"
                );
            }
            if f.outcome == ReaderOutcome::ApprovedOffline {
                assert!(matches!(host, None | Some(HostVerdict::Unreachable)), "{seq:?}");
            }
            assert_eq!(
                f.needs_reversal,
                host == Some(HostVerdict::Approved) && f.outcome != ReaderOutcome::ApprovedOnline,
                "{seq:?}"
            );
            finished = Some(f);
        } else {
            assert_ne!(m.state(), ReaderState::Done, "{seq:?}");
        }
    }
}

/// Every sequence of up to five inputs from every kind (19^5 ≈ 2.5 million): no panic, at
/// most one end, no approval the host did not give, every host approval either kept or
/// marked for reversal.
#[test]
fn every_short_sequence_keeps_the_money_invariants() {
    let all = inputs();
    let n = all.len();
    let mut seq = Vec::new();
    fn walk(seq: &mut Vec<usize>, depth: usize, n: usize, all: &[ReaderInput]) {
        run(seq, all);
        if depth == 0 {
            return;
        }
        for i in 0..n {
            seq.push(i);
            walk(seq, depth - 1, n, all);
            seq.pop();
        }
    }
    walk(&mut seq, 4, n, &all);
}

fn feed(
    m: &mut ReaderMachine,
    inputs: Vec<ReaderInput>,
) -> Vec<(ReaderAction, Option<ReaderProgress>)> {
    inputs.into_iter().map(|i| m.on(i)).collect()
}

#[test]
fn a_chip_sale_with_a_pin_retry_is_approved_and_asks_to_remove_the_card() {
    use ReaderEvent as E;
    let mut m = ReaderMachine::new();
    let steps = feed(
        &mut m,
        vec![
            ReaderInput::Reader(E::WaitingForCard),
            ReaderInput::Reader(E::CardDetected { entry: EntryMode::Chip }),
            ReaderInput::Reader(E::PinRequested { attempts_left: Some(3) }),
            ReaderInput::Reader(E::PinIncorrect { attempts_left: 2 }),
            ReaderInput::Reader(E::PinEntered),
            ReaderInput::Reader(E::AuthorizationRequest { tlv: EmvData::from(vec![1]) }),
            ReaderInput::HostAnswered(HostVerdict::Approved),
            ReaderInput::Reader(E::Completed {
                outcome: ReaderOutcome::ApprovedOnline,
                tlv: EmvData::from(vec![2]),
            }),
        ],
    );
    let progress: Vec<_> = steps.iter().filter_map(|(_, p)| p.clone()).collect();
    assert_eq!(
        progress,
        vec![
            ReaderProgress::PresentCard,
            ReaderProgress::Reading { entry: Some(EntryMode::Chip) },
            ReaderProgress::EnterPin { attempts_left: Some(3) },
            ReaderProgress::PinIncorrect { attempts_left: 2 },
            ReaderProgress::Reading { entry: None },
            ReaderProgress::Authorizing,
            ReaderProgress::RemoveCard,
        ]
    );
    assert_eq!(steps[5].0, ReaderAction::AskHost(EmvData::from(vec![1])));
    assert_eq!(steps[6].0, ReaderAction::Respond);
    let want = Finish {
        outcome: ReaderOutcome::ApprovedOnline,
        needs_reversal: false,
        tlv: EmvData::from(vec![2]),
    };
    assert_eq!(steps[7].0, ReaderAction::Finish(want));
}

#[test]
fn a_card_that_declines_after_the_host_approved_needs_a_reversal() {
    use ReaderEvent as E;
    for last in [
        ReaderInput::Reader(E::Completed {
            outcome: ReaderOutcome::Declined,
            tlv: EmvData::from(vec![]),
        }),
        ReaderInput::Reader(E::Completed {
            outcome: ReaderOutcome::CardRemoved,
            tlv: EmvData::from(vec![]),
        }),
        ReaderInput::ReaderLost,
    ] {
        let mut m = ReaderMachine::new();
        let steps = feed(
            &mut m,
            vec![
                ReaderInput::Reader(E::CardDetected { entry: EntryMode::Contactless }),
                ReaderInput::Reader(E::AuthorizationRequest { tlv: EmvData::from(vec![]) }),
                ReaderInput::HostAnswered(HostVerdict::Approved),
                last.clone(),
            ],
        );
        let Some((ReaderAction::Finish(f), progress)) = steps.last().cloned() else {
            panic!("{last:?}: not finished")
        };
        assert!(f.needs_reversal, "{last:?}");
        assert_ne!(f.outcome, ReaderOutcome::ApprovedOnline);
        assert_eq!(progress, None, "a tapped card has nothing to remove");
    }
}

#[test]
fn a_cancel_while_the_host_is_asked_keeps_the_host_s_approval_for_reversal() {
    use ReaderEvent as E;
    let mut m = ReaderMachine::new();
    let steps = feed(
        &mut m,
        vec![
            ReaderInput::Reader(E::CardDetected { entry: EntryMode::Chip }),
            ReaderInput::Reader(E::AuthorizationRequest { tlv: EmvData::from(vec![]) }),
            ReaderInput::Cancel,
            ReaderInput::HostAnswered(HostVerdict::Approved),
            ReaderInput::Reader(E::Completed {
                outcome: ReaderOutcome::Cancelled,
                tlv: EmvData::from(vec![]),
            }),
        ],
    );
    assert_eq!(steps[2], (ReaderAction::Cancel, Some(ReaderProgress::Cancelling)));
    let (ReaderAction::Finish(f), _) = &steps[4] else { panic!("{steps:?}") };
    assert_eq!((f.outcome, f.needs_reversal), (ReaderOutcome::Cancelled, true));
}

#[test]
fn no_card_in_time_is_cancelled_then_ends_as_timed_out() {
    let mut m = ReaderMachine::new();
    let steps = feed(
        &mut m,
        vec![
            ReaderInput::Reader(ReaderEvent::WaitingForCard),
            ReaderInput::TimedOut,
            ReaderInput::TimedOut,
        ],
    );
    assert_eq!(steps[1].0, ReaderAction::Cancel);
    let (ReaderAction::Finish(f), _) = &steps[2] else { panic!("{steps:?}") };
    assert_eq!((f.outcome, f.needs_reversal), (ReaderOutcome::TimedOut, false));
    // Cancelled by the reader after the machine's own cancel: still a timeout.
    let mut m = ReaderMachine::new();
    let cancelled =
        ReaderEvent::Completed { outcome: ReaderOutcome::Cancelled, tlv: EmvData::from(vec![]) };
    let steps = feed(&mut m, vec![ReaderInput::TimedOut, ReaderInput::Reader(cancelled)]);
    assert!(matches!(&steps[1].0, ReaderAction::Finish(f) if f.outcome == ReaderOutcome::TimedOut));
}

#[test]
fn offline_approvals_stand_only_when_the_host_was_not_asked_or_not_reached() {
    use ReaderEvent as E;
    let offline = ReaderInput::Reader(E::Completed {
        outcome: ReaderOutcome::ApprovedOffline,
        tlv: EmvData::from(vec![]),
    });
    let mut m = ReaderMachine::new();
    let steps = feed(
        &mut m,
        vec![ReaderInput::Reader(E::CardDetected { entry: EntryMode::Chip }), offline.clone()],
    );
    assert!(
        matches!(&steps[1].0, ReaderAction::Finish(f) if f.outcome == ReaderOutcome::ApprovedOffline)
    );
    for (verdict, want) in [
        (HostVerdict::Unreachable, ReaderOutcome::ApprovedOffline),
        (HostVerdict::Declined, ReaderOutcome::Declined),
    ] {
        let mut m = ReaderMachine::new();
        let steps = feed(
            &mut m,
            vec![
                ReaderInput::Reader(E::CardDetected { entry: EntryMode::Chip }),
                ReaderInput::Reader(E::AuthorizationRequest { tlv: EmvData::from(vec![]) }),
                ReaderInput::HostAnswered(verdict),
                offline.clone(),
            ],
        );
        assert!(matches!(&steps[3].0, ReaderAction::Finish(f) if f.outcome == want), "{verdict:?}");
    }
}
