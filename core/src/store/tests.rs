//! Store tests on real SQLite files in a temporary directory.

use super::*;
use crate::acquirer::{QrCode, WalletMethod};
use crate::money::Amount;
use crate::order::{AttemptStatus, RefundState, SaleKind, SaleStatus};

fn tmp() -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("tillkit-store-{}", new_key().map(hex::encode).unwrap()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const KEY: [u8; 32] = [7; 32];

fn sale(id: &str) -> SaleRow {
    SaleRow {
        id: id.into(),
        kind: SaleKind::MerchantQr,
        wallet: Some(WalletMethod::AlipayHk),
        terminal: None,
        amount: Amount::parse("12.50", "HKD").unwrap(),
        status: SaleStatus::Queued,
        attention: false,
        attention_reason: None,
        cancel_requested: false,
        remark: Some("r".into()),
        qr: Some(QrCode { content: "q".into(), image_url: None, expires_at_unix_ms: Some(9) }),
        payment_redirect_url: Some("https://pay.example/r".into()),
        acquirer_transaction_id: None,
        result_code: None,
        result_description: None,
        card: None,
        card_details: None,
        code_masked: None,
        created_at: 1,
        updated_at: 1,
        abandoned_at: None,
    }
}

#[test]
fn rows_round_trip_and_survive_reopen() {
    let dir = tmp();
    let path = dir.join("t.db");
    {
        let store = Store::open(&path, &KEY).unwrap();
        store
            .write(|tx, cipher| {
                insert_sale(tx, &sale("S1"))?;
                let sealed = cipher.seal("R1", b"134650720866361395")?;
                insert_attempt(
                    tx,
                    &AttemptRow {
                        request_id: "R1".into(),
                        sale_id: "S1".into(),
                        seq: 1,
                        status: AttemptStatus::Prepared,
                        sealed_code: Some(sealed),
                        terminal: None,
                        created_at: 1,
                        updated_at: 1,
                    },
                )?;
                journal(tx, 1, Entity::Sale, "S1", "created", "")
            })
            .unwrap();
        assert!(matches!(
            store.write(|tx, _| insert_sale(tx, &sale("S1"))),
            Err(StoreError::Duplicate { .. })
        ));
        assert_eq!(store.commits(), 1);
    }
    let store = Store::open(&path, &KEY).unwrap();
    let got = store.read(|c, _| load_sale(c, "S1")).unwrap().unwrap();
    assert_eq!(got, sale("S1"));
    let attempt = store.read(|c, _| current_attempt(c, "S1")).unwrap().unwrap();
    let code = store
        .read(|_, cipher| Ok(cipher.open("R1", attempt.sealed_code.as_ref().unwrap())?))
        .unwrap();
    assert_eq!(code, b"134650720866361395");
    // The code is not in the file in plain text.
    drop(store);
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.windows(18).any(|w| w == b"134650720866361395"));
    let wrong_key = Store::open(&path, &[8; 32]).unwrap();
    assert!(wrong_key
        .read(|_, c| Ok(c.open("R1", attempt.sealed_code.as_ref().unwrap())?))
        .is_err());
}

#[test]
fn the_journal_is_append_only() {
    let dir = tmp();
    let store = Store::open(&dir.join("j.db"), &KEY).unwrap();
    store.write(|tx, _| journal(tx, 1, Entity::Sale, "S", "k", "d")).unwrap();
    assert!(store.write(|tx, _| Ok(tx.execute("UPDATE journal SET kind = 'x'", [])?)).is_err());
    assert!(store.write(|tx, _| Ok(tx.execute("DELETE FROM journal", [])?)).is_err());
    assert_eq!(store.read(|c, _| journal_of(c, Entity::Sale, "S")).unwrap().len(), 1);
}

#[test]
fn damaged_files_are_refused_never_reset() {
    let dir = tmp();
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(Store::open(&empty, &KEY), Err(StoreError::Corrupt { .. })));
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "never written over");

    let garbage = dir.join("garbage.db");
    std::fs::write(&garbage, vec![0x42; 8192]).unwrap();
    assert!(matches!(Store::open(&garbage, &KEY), Err(StoreError::Corrupt { .. })));

    // A real store with many rows, cut in half.
    let full = dir.join("full.db");
    {
        let store = Store::open(&full, &KEY).unwrap();
        store
            .write(|tx, _| {
                for i in 0..2000 {
                    insert_sale(tx, &sale(&format!("S{i}")))?;
                }
                Ok(())
            })
            .unwrap();
        store.read(|c, _| Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?)).unwrap();
    }
    let bytes = std::fs::read(&full).unwrap();
    let truncated = dir.join("truncated.db");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let err = Store::open(&truncated, &KEY).err().expect("a truncated store must not open");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");

    // Flip bytes in the middle of a page.
    let mut flipped = bytes.clone();
    for b in &mut flipped[bytes.len() / 2..bytes.len() / 2 + 64] {
        *b ^= 0xff;
    }
    let damaged = dir.join("damaged.db");
    std::fs::write(&damaged, &flipped).unwrap();
    let err = Store::open(&damaged, &KEY).err().expect("a damaged store must not open");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");

    // Another application's SQLite database.
    let other = dir.join("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    assert!(matches!(Store::open(&other, &KEY), Err(StoreError::Corrupt { .. })));
}

#[test]
fn newer_schema_is_refused() {
    let dir = tmp();
    let path = dir.join("new.db");
    drop(Store::open(&path, &KEY).unwrap());
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    assert!(matches!(Store::open(&path, &KEY), Err(StoreError::NewerSchema { found: 99, .. })));
}

#[test]
fn read_only_directory_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let ro = dir.join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores directory permissions; the test is only meaningful when they apply.
    if std::fs::write(ro.join("probe"), b"x").is_ok() {
        let _ = std::fs::remove_file(ro.join("probe"));
        eprintln!("running as root: simulating a read-only store with a read-only file instead");
        let path = dir.join("ro.db");
        drop(Store::open(&path, &KEY).unwrap());
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let err = conn.execute(
            "INSERT INTO journal (at, entity, entity_id, kind) VALUES (1,'sale','x','k')",
            [],
        );
        let err: StoreError = err.unwrap_err().into();
        assert!(matches!(err, StoreError::ReadOnly(_)), "{err:?}");
        return;
    }
    let err = Store::open(&ro.join("x.db"), &KEY).err().expect("no store in a read-only directory");
    assert!(matches!(err, StoreError::Unavailable { .. } | StoreError::ReadOnly(_)), "{err:?}");
}

#[test]
fn a_full_disk_writes_nothing() {
    let dir = tmp();
    let store = Store::open(&dir.join("f.db"), &KEY).unwrap();
    let used: i64 =
        store.read(|c, _| Ok(c.query_row("PRAGMA page_count", [], |r| r.get(0))?)).unwrap();
    store.set_max_pages(used as u64).unwrap();
    let err = store
        .write(|tx, _| {
            for i in 0..500 {
                insert_sale(tx, &sale(&format!("F{i}")))?;
            }
            Ok(())
        })
        .unwrap_err();
    assert_eq!(err, StoreError::Full);
    assert_eq!(store.read(|c, _| load_sale(c, "F0")).unwrap(), None, "rolled back whole");
}

#[test]
fn outbox_and_refunds() {
    let dir = tmp();
    let store = Store::open(&dir.join("o.db"), &KEY).unwrap();
    store
        .write(|tx, _| {
            insert_sale(tx, &sale("S1"))?;
            insert_refund(
                tx,
                &RefundRow {
                    id: "F1".into(),
                    sale_id: "S1".into(),
                    amount: Amount::parse("1", "HKD").unwrap(),
                    state: RefundState::Queued,
                    full: false,
                    reason: None,
                    acquirer_refund_id: None,
                    result_code: None,
                    result_description: None,
                    attention: false,
                    attention_reason: None,
                    created_at: 5,
                    updated_at: 5,
                },
            )?;
            for (e, id, due) in [(Entity::Sale, "S1", 10), (Entity::Refund, "F1", 20)] {
                put_outbox(
                    tx,
                    &OutboxRow {
                        entity: e,
                        entity_id: id.into(),
                        step: "send".into(),
                        due_at: due,
                        failures: 0,
                        last_try_at: 0,
                        created_at: 1,
                        last_error: None,
                    },
                )?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(store.read(|c, _| due_outbox(c, 15, 10)).unwrap().len(), 1);
    assert_eq!(store.read(|c, _| next_due(c)).unwrap(), Some(10));
    store.write(|tx, _| make_all_due(tx, 12)).unwrap();
    assert_eq!(store.read(|c, _| due_outbox(c, 12, 10)).unwrap().len(), 2);
    store.write(|tx, _| remove_outbox(tx, Entity::Sale, "S1")).unwrap();
    assert_eq!(store.read(|c, _| all_outbox(c)).unwrap().len(), 1);
    assert_eq!(store.read(|c, _| refunds_of(c, "S1")).unwrap()[0].state, RefundState::Queued);
    // Foreign keys are on: a refund of an unknown sale is refused.
    let orphan = store.write(|tx, _| {
        Ok(tx.execute(
            "INSERT INTO refunds (id, sale_id, amount, currency, state, full_refund, created_at, updated_at) \
             VALUES ('X', 'nope', '1', 'HKD', 'queued', 0, 1, 1)",
            [],
        )?)
    });
    assert!(orphan.is_err());
}

#[test]
fn a_stamp_changes_with_any_commit_from_this_handle_or_another_connection() {
    let path = tmp().join("t.db");
    let store = Store::open(&path, &KEY).unwrap();
    let stamp = || store.read(|c, _| store.stamp(c)).unwrap();
    let first = stamp();
    assert_eq!(stamp(), first, "reads change nothing");
    store.write(|tx, _| insert_sale(tx, &sale("S1"))).unwrap();
    let after_own = stamp();
    assert_ne!(after_own, first, "our own commit");
    // Another connection (another process, or a tool) commits behind our back.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute("UPDATE sales SET remark = 'changed' WHERE id = 'S1'", []).unwrap();
    assert_ne!(stamp(), after_own, "another connection's commit");
}

#[test]
fn sales_are_counted_per_status_past_the_history_page_and_abandoned_ones_too() {
    let store = Store::open(&tmp().join("c.db"), &KEY).unwrap();
    store
        .write(|tx, _| {
            // More than one page of the history (100), so a count cannot be a page's length.
            for i in 0..101 {
                let abandoned_at = (i == 0).then_some(7);
                let s = SaleRow {
                    status: SaleStatus::Processing,
                    abandoned_at,
                    ..sale(&format!("P{i}"))
                };
                insert_sale(tx, &s)?;
            }
            insert_sale(tx, &sale("Q1"))
        })
        .unwrap();
    let count = |s| store.read(|c, _| count_sales(c, s)).unwrap();
    assert_eq!(count(SaleStatus::Processing), 101);
    assert_eq!(count(SaleStatus::Queued), 1);
    assert_eq!(count(SaleStatus::Paid), 0);
}

#[test]
fn the_refunds_of_a_list_of_sales_come_in_one_read_grouped_by_sale_oldest_first() {
    let store = Store::open(&tmp().join("r.db"), &KEY).unwrap();
    let refund = |id: &str, sale_id: &str, created_at| RefundRow {
        id: id.into(),
        sale_id: sale_id.into(),
        amount: Amount::parse("1", "HKD").unwrap(),
        state: RefundState::Succeeded,
        full: false,
        reason: None,
        acquirer_refund_id: None,
        result_code: None,
        result_description: None,
        attention: false,
        attention_reason: None,
        created_at,
        updated_at: created_at,
    };
    store
        .write(|tx, _| {
            for id in ["S1", "S2", "S3", "S4"] {
                insert_sale(tx, &sale(id))?;
            }
            insert_refund(tx, &refund("F2", "S1", 9))?;
            insert_refund(tx, &refund("F1", "S1", 3))?;
            insert_refund(tx, &refund("F3", "S2", 5))?;
            // S4 is not asked for: its refund must not come.
            insert_refund(tx, &refund("F4", "S4", 1))
        })
        .unwrap();
    // More ids than one SQLite statement takes (so several queries), one of them twice: every
    // refund still comes, once.
    let mut ids: Vec<String> = (0..40_000).map(|i| format!("none-{i}")).collect();
    ids.extend(["S1", "S2", "S3", "S1"].map(String::from));
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let got = store.read(|c, _| refunds_of_sales(c, &ids)).unwrap();
    let of = |s: &str| got.get(s).map(|v| v.iter().map(|r| r.id.as_str()).collect::<Vec<_>>());
    assert_eq!(of("S1"), Some(vec!["F1", "F2"]));
    assert_eq!(of("S2"), Some(vec!["F3"]));
    assert_eq!(of("S3"), None);
    assert_eq!(got.len(), 2);
    assert_eq!(got["S1"], store.read(|c, _| refunds_of(c, "S1")).unwrap());
}
