//! Closing shifts: the next report starts at the close, a closed report reprints exactly, a
//! late resolution shows in the next report, and two connections never close the same rows.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Barrier};

use super::tests::{put, refund, run, sale, store, D1, DAY};
use super::*;
use crate::order::{RefundState, SaleStatus};
use crate::store::{load_sale, update_sale, Store};

fn close(st: &Store, now: u64, expected: Option<ReportRange>) -> Result<ShiftReport, ReportError> {
    close_shift(st, now, "R1", &CloseRequest { operator: Some("Ann".into()), expected })
}

#[test]
fn the_next_report_starts_at_the_close_and_a_closed_report_reprints_exactly() {
    let (_dir, st) = store();
    put(&st, &[sale("A", D1, "10.00", "CNY", SaleStatus::Paid)], &[]);
    let preview = run(&st, None, None, D1 + 100);
    let closed = close(&st, D1 + 100, Some(preview.range.clone())).unwrap();
    let info = closed.closed.clone().unwrap();
    assert_eq!((info.seq, info.closed_ms, info.operator.as_deref()), (1, D1 + 100, Some("Ann")));
    assert_eq!(closed.currencies[0].paid.total.to_string(), "10.00");
    assert_eq!((closed.range.since_ms, closed.range.until_ms), (0, D1 + 100));

    // Stored after the close, though its time is older (a sale started just before the close
    // committed just after it): it belongs to the next shift, not to none.
    let s = sale("B", D1 + 50, "2.00", "CNY", SaleStatus::Paid);
    put(
        &st,
        std::slice::from_ref(&s),
        &[refund("F1", &s, D1 + 200, "1.00", RefundState::Succeeded)],
    );
    let next = run(&st, None, None, D1 + 300);
    assert_eq!((next.range.since_ms, next.range.after_close), (D1 + 100, Some(1)));
    assert_eq!(next.currencies[0].paid.count, 1);
    assert_eq!(next.currencies[0].net.to_string(), "1.00");

    let again = st.read(|c, _| closed_report(c, 1)).unwrap().unwrap();
    assert_eq!(again, closed);
    let second = close(&st, D1 + 400, None).unwrap();
    assert_eq!(second.currencies[0].paid.total.to_string(), "2.00");
    let list = st.read(|c, _| closed_shifts(c, 10)).unwrap();
    assert_eq!(
        list.iter().map(|c| (c.info.seq, c.since_ms, c.info.closed_ms)).collect::<Vec<_>>(),
        [(2, D1 + 100, D1 + 400), (1, 0, D1 + 100)]
    );
    // After the second close nothing is left.
    assert!(run(&st, None, None, D1 + 500).currencies.is_empty());
}

#[test]
fn a_late_resolution_shows_in_the_next_report_and_not_in_the_closed_one() {
    let (_dir, st) = store();
    put(&st, &[sale("U", D1, "5.00", "CNY", SaleStatus::Unknown)], &[]);
    let closed = close(&st, D1 + DAY, None).unwrap();
    assert_eq!(closed.open_items[0].id, "U");
    // The acquirer settles it the next morning.
    st.write(|tx, _| {
        let mut s = load_sale(tx, "U")?.unwrap();
        (s.status, s.updated_at) = (SaleStatus::Paid, D1 + DAY + 3_600_000);
        update_sale(tx, &s)
    })
    .unwrap();
    let next = run(&st, None, None, D1 + 2 * DAY);
    assert!(next.currencies.is_empty(), "taken before the range: not in its totals");
    let late = &next.late_changes[0];
    assert_eq!(
        (late.id.as_str(), late.status.as_str(), late.status_at_close.as_deref()),
        ("U", "paid", Some("unknown"))
    );
    assert!(render_text(&next, 0).contains("sale U  5.00 CNY  unknown -> paid"));
    // The closed shift still reads as it was printed.
    let reprint = st.read(|c, _| closed_report(c, 1)).unwrap().unwrap();
    assert_eq!(reprint.open_items[0].status, "unknown");
    assert_eq!(reprint, closed);
}

#[test]
fn a_close_after_another_close_is_refused_not_doubled() {
    let (dir, a) = store();
    let b = Store::open(&dir.path().join("t.db"), &[0; 32]);
    // Another connection needs the same key only for sealed columns; the report reads none.
    let b = b.unwrap();
    put(&a, &[sale("A", D1, "1.00", "CNY", SaleStatus::Paid)], &[]);
    let seen_by_a = run(&a, None, None, D1 + 10).range;
    let seen_by_b = run(&b, None, None, D1 + 10).range;
    close(&a, D1 + 20, Some(seen_by_a)).unwrap();
    let e = close(&b, D1 + 30, Some(seen_by_b)).unwrap_err();
    assert!(
        matches!(e, ReportError::AlreadyClosed { seq: 1, ref register, .. } if register == "R1"),
        "{e:?}"
    );
    assert!(e.to_string().contains("nothing was closed"), "{e}");
    assert_eq!(a.read(|c, _| closed_shifts(c, 10)).unwrap().len(), 1);
}

#[test]
fn two_connections_closing_at_once_close_once() {
    let (dir, st) = store();
    put(&st, &[sale("A", D1, "1.00", "CNY", SaleStatus::Paid)], &[]);
    let seen = run(&st, None, None, D1 + 10).range;
    let path = dir.path().join("t.db");
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (path, barrier, seen) = (path.clone(), barrier.clone(), seen.clone());
            std::thread::spawn(move || {
                let own = Store::open(&path, &[0; 32]).unwrap();
                barrier.wait();
                close(&own, D1 + 20 + i, Some(seen))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    assert!(results.iter().all(|r| matches!(r, Ok(_) | Err(ReportError::AlreadyClosed { .. }))));
    assert_eq!(st.read(|c, _| closed_shifts(c, 10)).unwrap().len(), 1);
}

#[test]
fn closes_never_go_back_in_time_and_are_never_changed() {
    let (_dir, st) = store();
    close(&st, D1, None).unwrap();
    // The wall clock was set back: the close still ends after the previous one.
    let second = close(&st, D1 - DAY, None).unwrap();
    assert_eq!((second.range.since_ms, second.range.until_ms), (D1, D1 + 1));
    let edit = st.write(|tx, _| Ok(tx.execute("UPDATE shift_closes SET register = 'x'", [])?));
    assert!(edit.is_err());
    let drop = st.write(|tx, _| Ok(tx.execute("DELETE FROM shift_closes", [])?));
    assert!(drop.is_err());
    // A close covers everything since the last close: a time range cannot be closed.
    let timed = run(&st, Some(D1 - DAY), None, D1 + 5).range;
    let e = close(&st, D1 + 5, Some(timed)).unwrap_err();
    assert!(matches!(e, ReportError::InvalidRange { field: "since", .. }), "{e:?}");
    let e = close_shift(
        &st,
        D1 + 6,
        "R1",
        &CloseRequest { operator: Some("\u{1b}[2J".into()), expected: None },
    );
    assert!(matches!(e, Err(ReportError::InvalidRange { field: "operator", .. })));
    // An until before the last close, without since, is refused by the report.
    let e = report(&st, &ReportRequest { since: None, until: Some(D1 - 1) }, D1 + 7, "R1");
    assert!(matches!(e, Err(ReportError::InvalidRange { field: "until", .. })), "{e:?}");
}

struct Broken;

impl std::io::Write for Broken {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("disk full"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_close_writes_exactly_its_rows_or_closes_nothing() {
    let (_dir, st) = store();
    put(&st, &[sale("A", D1, "1.00", "CNY", SaleStatus::Paid)], &[]);
    close(&st, D1 + 10, None).unwrap();
    put(&st, &[sale("B", D1 + 20, "2.00", "CNY", SaleStatus::Paid)], &[]);
    let req = CloseRequest::default();
    let e = close_shift_exporting(&st, D1 + 30, "R1", &req, Some((&mut Broken, 0))).unwrap_err();
    assert!(matches!(e, ReportError::Write(ref m) if m.contains("disk full")), "{e:?}");
    assert_eq!(st.read(|c, _| closed_shifts(c, 10)).unwrap().len(), 1, "nothing closed");
    let mut out = Vec::new();
    let closed = close_shift_exporting(&st, D1 + 40, "R1", &req, Some((&mut out, 0))).unwrap();
    assert_eq!(closed.closed.map(|c| c.seq), Some(2));
    let text = String::from_utf8(out).unwrap();
    let ids: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(ids, ["B"]);
}
