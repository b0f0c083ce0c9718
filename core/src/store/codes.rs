//! The lifetime of sealed payment codes: kept only while an attempt may still be sent, and
//! checked against the key at open.

use rusqlite::Connection;

use super::{Store, StoreError};

/// Attempt statuses after which the code is never needed again.
const SETTLED: &str = "('succeeded', 'failed', 'closed', 'cancelled', 'never_sent')";

impl Store {
    /// Erases the codes of settled attempts (a wallet code is single-use and short-lived: once
    /// the attempt is settled, keeping it only adds risk).
    pub fn purge_settled_codes(&self) -> Result<usize, StoreError> {
        self.write_relaxed(|tx, _| {
            let sql = format!(
                "UPDATE attempts SET sealed_code = NULL \
                 WHERE sealed_code IS NOT NULL AND status IN {SETTLED}"
            );
            Ok(tx.execute(&sql, [])?)
        })
    }

    /// How many sealed codes this store's key cannot open.
    pub fn unreadable_codes(&self) -> Result<usize, StoreError> {
        self.read(|c, cipher| {
            Ok(sealed_codes(c)?
                .iter()
                .filter(|(id, sealed)| cipher.open(id, sealed).is_err())
                .count())
        })
    }

    /// Erases the sealed codes this store's key cannot open, with a journal line for each
    /// sale. Their sales can then never be sent: they end "not sent, ask for a new code".
    pub fn erase_unreadable_codes(&self, now: crate::order::Millis) -> Result<usize, StoreError> {
        self.write(|tx, cipher| {
            let lost: Vec<(String, Vec<u8>)> = sealed_codes(tx)?
                .into_iter()
                .filter(|(id, sealed)| cipher.open(id, sealed).is_err())
                .collect();
            for (request_id, _) in &lost {
                let sale_id: String = tx.query_row(
                    "UPDATE attempts SET sealed_code = NULL WHERE request_id = ?1 RETURNING sale_id",
                    [request_id],
                    |r| r.get(0),
                )?;
                super::journal(
                    tx,
                    now,
                    super::Entity::Sale,
                    &sale_id,
                    "code_lost",
                    "the database key changed: the payment code cannot be opened",
                )?;
            }
            Ok(lost.len())
        })
    }
}

fn sealed_codes(c: &Connection) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let mut stmt = c.prepare_cached(
        "SELECT request_id, sealed_code FROM attempts WHERE sealed_code IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
