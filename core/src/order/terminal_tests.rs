//! The terminal note: its stored text, the "not found" it turns into an end, and how each
//! outcome moves it.

use super::*;
use crate::acquirer::PaymentStatus as P;

/// No note, and every shape of note.
pub(crate) fn all_notes() -> Vec<Option<TerminalNote>> {
    let mut v = vec![
        None,
        Some(TerminalNote::Refused(TerminalRefusal::Busy { blocking_transaction_id: None })),
        Some(TerminalNote::Refused(TerminalRefusal::Busy {
            blocking_transaction_id: Some("POS:1".into()),
        })),
        Some(TerminalNote::Refused(TerminalRefusal::Unreachable { last_seen_ms: None })),
        Some(TerminalNote::Refused(TerminalRefusal::Unreachable { last_seen_ms: Some(42) })),
    ];
    v.extend(TerminalResult::ALL.into_iter().map(|r| Some(TerminalNote::Ended(r))));
    v
}

#[test]
fn stored_text_round_trips_and_garbage_is_refused() {
    for note in all_notes().into_iter().flatten() {
        assert_eq!(TerminalNote::parse_db(&note.as_db()), Some(note.clone()), "{note:?}");
    }
    let long = format!("busy:{}", "x".repeat(MAX_BLOCKING_ID + 1));
    for bad in ["", "busy:", "unreachable:soon", "ended:", "ended:melted", "BUSY", "idle", &long] {
        assert_eq!(TerminalNote::parse_db(bad), None, "{bad}");
    }
}

#[test]
fn only_a_refusal_turns_not_found_into_an_end() {
    for note in all_notes() {
        let refined = refine(AttemptEvent::NotFound, note.as_ref());
        let ends = note.as_ref().is_some_and(TerminalNote::is_refusal);
        let want = if ends { AttemptEvent::NotFoundAfterRefusal } else { AttemptEvent::NotFound };
        assert_eq!(refined, want, "{note:?}");
        // Every other event passes through untouched.
        for e in [AttemptEvent::OutcomeUnknown, AttemptEvent::Reported(P::Failed)] {
            assert_eq!(refine(e, note.as_ref()), e);
        }
    }
}

fn busy() -> TerminalRefusal {
    TerminalRefusal::Busy { blocking_transaction_id: Some("POS-1".into()) }
}

/// Every note, attempt state and kind of news: the table of [`next_note`].
#[test]
fn every_outcome_moves_the_note_as_documented() {
    let news = [
        NoteNews { sent: true, refusal: None, reported: None },
        NoteNews { sent: true, refusal: Some(busy()), reported: None },
        NoteNews { sent: false, refusal: None, reported: Some((P::Processing, None)) },
        NoteNews { sent: false, refusal: None, reported: Some((P::Succeeded, None)) },
        NoteNews { sent: false, refusal: None, reported: Some((P::Failed, None)) },
        NoteNews {
            sent: false,
            refusal: None,
            reported: Some((P::Failed, Some(TerminalResult::CancelledAtTerminal))),
        },
        NoteNews::default(),
    ];
    for attempt in AttemptStatus::ALL {
        for note in all_notes() {
            for n in &news {
                let next = next_note(note.as_ref(), attempt, n);
                let want = if attempt.is_final() {
                    note.clone()
                } else if n.sent {
                    n.refusal.clone().map(TerminalNote::Refused)
                } else {
                    match &n.reported {
                        Some((P::Failed, Some(r))) => Some(TerminalNote::Ended(*r)),
                        Some(_) if note.as_ref().is_some_and(TerminalNote::is_refusal) => None,
                        _ => note.clone(),
                    }
                };
                assert_eq!(next, want, "{attempt:?} {note:?} {n:?}");
            }
        }
    }
    // The cases that matter, spelled out: a hint survives a failed query, a found order
    // drops it, a resend without a refusal forgets an older one.
    let hint = Some(TerminalNote::Refused(busy()));
    assert_eq!(next_note(hint.as_ref(), AttemptStatus::Unknown, &NoteNews::default()), hint);
    let found = NoteNews { reported: Some((P::Processing, None)), ..NoteNews::default() };
    assert_eq!(next_note(hint.as_ref(), AttemptStatus::Unknown, &found), None);
    let resent = NoteNews { sent: true, ..NoteNews::default() };
    assert_eq!(next_note(hint.as_ref(), AttemptStatus::Unseen, &resent), None);
}
