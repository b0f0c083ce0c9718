//! Sales and their attempts as stored, and the SQL that reads and writes them.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::error::StoreError;
use super::values::{amount, bad, card_details, db_ms, entry_str, ms, parse_reason};
use crate::acquirer::{CardDetails, CardSummary, QrCode, TerminalId, WalletMethod};
use crate::money::Amount;
use crate::order::{AttemptStatus, AttentionReason, Millis, SaleKind, SaleStatus, TerminalNote};

/// A sale as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRow {
    /// The sale id, also the acquirer's merchant transaction id.
    pub id: String,
    /// Method kind.
    pub kind: SaleKind,
    /// Wallet, for code and QR sales.
    pub wallet: Option<WalletMethod>,
    /// Terminal, for card sales.
    pub terminal: Option<TerminalId>,
    /// Amount.
    pub amount: Amount,
    /// Status.
    pub status: SaleStatus,
    /// A person should look at it.
    pub attention: bool,
    /// Why, when known.
    pub attention_reason: Option<AttentionReason>,
    /// The cashier asked to cancel it.
    pub cancel_requested: bool,
    /// Free text.
    pub remark: Option<String>,
    /// QR to show (merchant-presented).
    pub qr: Option<QrCode>,
    /// The payment page an app may open instead of showing the QR (already checked: https).
    pub payment_redirect_url: Option<String>,
    /// The acquirer's transaction id.
    pub acquirer_transaction_id: Option<String>,
    /// The acquirer's last result code.
    pub result_code: Option<String>,
    /// The acquirer's last result text.
    pub result_description: Option<String>,
    /// Masked card data.
    pub card: Option<CardSummary>,
    /// The card's authorisation code and how it was read (for receipts).
    /// (Boxed: most sales have none, and rows travel in events.)
    pub card_details: Option<Box<CardDetails>>,
    /// The customer's payment code, masked (`mask_digits`), for receipts: the code itself is
    /// sealed and wiped once the sale ends.
    pub code_masked: Option<String>,
    /// Created, ms since the epoch.
    pub created_at: Millis,
    /// Last changed.
    pub updated_at: Millis,
    /// When the cashier abandoned it (it leaves the cashier's screen and is still resolved).
    pub abandoned_at: Option<Millis>,
}

/// An attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    /// The acquirer `requestId`.
    pub request_id: String,
    /// Its sale.
    pub sale_id: String,
    /// 1 for the first attempt of a sale.
    pub seq: u32,
    /// Status.
    pub status: AttemptStatus,
    /// The customer's payment code, sealed (code sales only).
    pub sealed_code: Option<Vec<u8>>,
    /// What the terminal said about it (a refusal hint, or how it ended there).
    pub terminal: Option<TerminalNote>,
    /// Created.
    pub created_at: Millis,
    /// Last changed.
    pub updated_at: Millis,
}

/// How a sale kind is stored: `code`, `qr`, `card` (and shown by `history`).
pub fn kind_str(k: SaleKind) -> &'static str {
    match k {
        SaleKind::CustomerCode => "code",
        SaleKind::MerchantQr => "qr",
        SaleKind::Card => "card",
    }
}

/// How a wallet is stored: `wechat`, `alipay_cn`, `alipay_hk` (and shown by `history`).
pub fn wallet_str(w: WalletMethod) -> &'static str {
    match w {
        WalletMethod::WechatPay => "wechat",
        WalletMethod::AlipayCn => "alipay_cn",
        WalletMethod::AlipayHk => "alipay_hk",
    }
}

/// A stored wallet name (`wechat`, `alipay_cn`, `alipay_hk`).
pub(crate) fn parse_wallet(s: &str) -> Result<WalletMethod, StoreError> {
    match s {
        "wechat" => Ok(WalletMethod::WechatPay),
        "alipay_cn" => Ok(WalletMethod::AlipayCn),
        "alipay_hk" => Ok(WalletMethod::AlipayHk),
        other => Err(bad("wallet", other)),
    }
}

/// A stored sale kind (`code`, `qr`, `card`).
pub(crate) fn parse_kind(s: &str) -> Result<SaleKind, StoreError> {
    match s {
        "code" => Ok(SaleKind::CustomerCode),
        "qr" => Ok(SaleKind::MerchantQr),
        "card" => Ok(SaleKind::Card),
        other => Err(bad("sale kind", other)),
    }
}

const SALE_COLUMNS: &str = "id, kind, wallet, terminal_serial, terminal_model, amount, currency, \
    status, attention, cancel_requested, remark, qr_content, qr_image_url, qr_expires_at, \
    acquirer_transaction_id, result_code, result_description, card_brand, card_masked, \
    created_at, updated_at, attention_reason, payment_redirect_url, abandoned_at_ms, \
    card_auth_code, card_entry_mode, card_aid, card_label, code_masked";

fn sale_from_row(r: &Row<'_>) -> Result<Result<SaleRow, StoreError>, rusqlite::Error> {
    let kind: String = r.get(1)?;
    let wallet: Option<String> = r.get(2)?;
    let serial: Option<String> = r.get(3)?;
    let model: Option<String> = r.get(4)?;
    let status: String = r.get(7)?;
    let qr_content: Option<String> = r.get(11)?;
    let card_brand: Option<String> = r.get(17)?;
    let card_masked: Option<String> = r.get(18)?;
    let values = (r.get::<_, String>(5)?, r.get::<_, String>(6)?);
    let (id, attention, cancel, remark) =
        (r.get::<_, String>(0)?, r.get::<_, bool>(8)?, r.get::<_, bool>(9)?, r.get(10)?);
    let (qr_url, qr_exp): (Option<String>, Option<i64>) = (r.get(12)?, r.get(13)?);
    let (txn, code, desc) = (r.get(14)?, r.get(15)?, r.get(16)?);
    let (created, updated): (i64, i64) = (r.get(19)?, r.get(20)?);
    let reason: Option<String> = r.get(21)?;
    let payment_redirect_url: Option<String> = r.get(22)?;
    let abandoned_at: Option<i64> = r.get(23)?;
    let details: [Option<String>; 4] = [r.get(24)?, r.get(25)?, r.get(26)?, r.get(27)?];
    let code_masked: Option<String> = r.get(28)?;
    Ok((|| {
        let kind = parse_kind(&kind)?;
        Ok(SaleRow {
            id,
            kind,
            wallet: wallet.as_deref().map(parse_wallet).transpose()?,
            terminal: match (serial, model) {
                (Some(serial), Some(model)) => Some(TerminalId { serial, model }),
                _ => None,
            },
            amount: amount(values.0, values.1)?,
            status: SaleStatus::parse(&status).ok_or_else(|| bad("sale status", &status))?,
            attention,
            attention_reason: parse_reason(reason)?,
            cancel_requested: cancel,
            remark,
            qr: qr_content.map(|content| QrCode {
                content,
                image_url: qr_url,
                expires_at_unix_ms: qr_exp.map(ms),
            }),
            payment_redirect_url,
            acquirer_transaction_id: txn,
            result_code: code,
            result_description: desc,
            card: (card_brand.is_some() || card_masked.is_some())
                .then_some(CardSummary { brand: card_brand, masked_number: card_masked }),
            card_details: card_details(details)?,
            code_masked,
            created_at: ms(created),
            updated_at: ms(updated),
            abandoned_at: abandoned_at.map(ms),
        })
    })())
}

/// Inserts a new sale.
pub fn insert_sale(c: &Connection, s: &SaleRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO sales ({SALE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
        ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"
    );
    let qr = s.qr.as_ref();
    let card = s.card.as_ref();
    let details = s.card_details.as_ref();
    c.prepare_cached(&sql)?
        .execute(params![
            s.id,
            kind_str(s.kind),
            s.wallet.map(wallet_str),
            s.terminal.as_ref().map(|t| &t.serial),
            s.terminal.as_ref().map(|t| &t.model),
            s.amount.to_major_string(),
            s.amount.currency().code(),
            s.status.as_str(),
            s.attention,
            s.cancel_requested,
            s.remark,
            qr.map(|q| &q.content),
            qr.and_then(|q| q.image_url.as_ref()),
            qr.and_then(|q| q.expires_at_unix_ms).map(db_ms),
            s.acquirer_transaction_id,
            s.result_code,
            s.result_description,
            card.and_then(|c| c.brand.as_ref()),
            card.and_then(|c| c.masked_number.as_ref()),
            db_ms(s.created_at),
            db_ms(s.updated_at),
            s.attention_reason.as_ref().map(AttentionReason::as_db),
            s.payment_redirect_url,
            s.abandoned_at.map(db_ms),
            details.and_then(|d| d.auth_code.as_ref()),
            details.and_then(|d| d.entry_mode).map(entry_str),
            details.and_then(|d| d.aid.as_ref()),
            details.and_then(|d| d.application_label.as_ref()),
            s.code_masked,
        ])
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                StoreError::Duplicate { entity: "sale", id: s.id.clone() }
            }
            other => other.into(),
        })?;
    Ok(())
}

/// Writes every mutable field of a sale.
pub fn update_sale(c: &Connection, s: &SaleRow) -> Result<(), StoreError> {
    let qr = s.qr.as_ref();
    let card = s.card.as_ref();
    let details = s.card_details.as_ref();
    c.prepare_cached(
        "UPDATE sales SET status = ?2, attention = ?3, cancel_requested = ?4, qr_content = ?5, \
         qr_image_url = ?6, qr_expires_at = ?7, acquirer_transaction_id = ?8, result_code = ?9, \
         result_description = ?10, card_brand = ?11, card_masked = ?12, updated_at = ?13, \
         attention_reason = ?14, payment_redirect_url = ?15, abandoned_at_ms = ?16, \
         card_auth_code = ?17, card_entry_mode = ?18, card_aid = ?19, card_label = ?20 \
         WHERE id = ?1",
    )?
    .execute(params![
        s.id,
        s.status.as_str(),
        s.attention,
        s.cancel_requested,
        qr.map(|q| &q.content),
        qr.and_then(|q| q.image_url.as_ref()),
        qr.and_then(|q| q.expires_at_unix_ms).map(db_ms),
        s.acquirer_transaction_id,
        s.result_code,
        s.result_description,
        card.and_then(|c| c.brand.as_ref()),
        card.and_then(|c| c.masked_number.as_ref()),
        db_ms(s.updated_at),
        s.attention_reason.as_ref().map(AttentionReason::as_db),
        s.payment_redirect_url,
        s.abandoned_at.map(db_ms),
        details.and_then(|d| d.auth_code.as_ref()),
        details.and_then(|d| d.entry_mode).map(entry_str),
        details.and_then(|d| d.aid.as_ref()),
        details.and_then(|d| d.application_label.as_ref()),
    ])?;
    Ok(())
}

/// One sale by id.
pub fn load_sale(c: &Connection, id: &str) -> Result<Option<SaleRow>, StoreError> {
    let sql = format!("SELECT {SALE_COLUMNS} FROM sales WHERE id = ?1");
    c.prepare_cached(&sql)?.query_row([id], sale_from_row).optional()?.transpose()
}

/// Filters for the sales history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Only these statuses (empty: all).
    pub statuses: Vec<SaleStatus>,
    /// Created at or after.
    pub since: Option<Millis>,
    /// Created before.
    pub until: Option<Millis>,
    /// At most this many, newest first (default 100).
    pub limit: Option<u32>,
    /// Also the sales the cashier abandoned. Without it they are left out, except those that
    /// need a person (an abandoned sale charged later stays listed until looked at).
    pub include_abandoned: bool,
}

/// Sales newest first, filtered.
pub fn list_sales(c: &Connection, f: &HistoryFilter) -> Result<Vec<SaleRow>, StoreError> {
    let mut sql =
        format!("SELECT {SALE_COLUMNS} FROM sales WHERE created_at >= ?1 AND created_at < ?2");
    if !f.statuses.is_empty() {
        let list: Vec<String> = f.statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
        sql.push_str(&format!(" AND status IN ({})", list.join(",")));
    }
    if !f.include_abandoned {
        sql.push_str(" AND (abandoned_at_ms IS NULL OR attention = 1)");
    }
    // The order sales were stored in, not their times: a wall clock set back must not make
    // the newest sale look old.
    sql.push_str(" ORDER BY rowid DESC LIMIT ?3");
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            db_ms(f.since.unwrap_or(0)),
            db_ms(f.until.unwrap_or(u64::MAX / 2)),
            f.limit.unwrap_or(100)
        ],
        sale_from_row,
    )?;
    rows.map(|r| r.map_err(StoreError::from).and_then(|x| x)).collect()
}

/// Inserts an attempt.
pub fn insert_attempt(c: &Connection, a: &AttemptRow) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO attempts (request_id, sale_id, seq, status, sealed_code, created_at, updated_at, \
         terminal_note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?.execute(params![a.request_id, a.sale_id, a.seq, a.status.as_str(), a.sealed_code, db_ms(a.created_at), db_ms(a.updated_at), a.terminal.as_ref().map(TerminalNote::as_db)],
    )?;
    Ok(())
}

/// Sets an attempt's status (and erases its sealed code once it is settled).
pub fn update_attempt(
    c: &Connection,
    request_id: &str,
    status: AttemptStatus,
    at: Millis,
) -> Result<(), StoreError> {
    // A settled attempt's code is never needed again: it is erased in the same statement.
    c.prepare_cached(
        "UPDATE attempts SET status = ?2, updated_at = ?3, \
         sealed_code = CASE WHEN ?4 THEN NULL ELSE sealed_code END WHERE request_id = ?1",
    )?
    .execute(params![request_id, status.as_str(), db_ms(at), status.is_final()])?;
    Ok(())
}

/// Sets what the terminal said about an attempt.
pub fn set_attempt_note(
    c: &Connection,
    request_id: &str,
    note: Option<&TerminalNote>,
) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE attempts SET terminal_note = ?2 WHERE request_id = ?1")?
        .execute(params![request_id, note.map(TerminalNote::as_db)])?;
    Ok(())
}

/// The newest attempt of a sale.
pub fn current_attempt(c: &Connection, sale_id: &str) -> Result<Option<AttemptRow>, StoreError> {
    c.prepare_cached(
        "SELECT request_id, sale_id, seq, status, sealed_code, created_at, updated_at, terminal_note \
         FROM attempts WHERE sale_id = ?1 ORDER BY seq DESC LIMIT 1")?.query_row([sale_id],
        |r| {
            let status: String = r.get(3)?;
            let note: Option<String> = r.get(7)?;
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, (status, note), r.get(4)?, r.get::<_, i64>(5)?, r.get::<_, i64>(6)?))
        },
    )
    .optional()?
    .map(|(request_id, sale_id, seq, (status, note), sealed_code, created, updated)| {
        Ok(AttemptRow {
            request_id,
            sale_id,
            seq,
            status: AttemptStatus::parse(&status).ok_or_else(|| bad("attempt status", &status))?,
            sealed_code,
            terminal: note
                .map(|n| TerminalNote::parse_db(&n).ok_or_else(|| bad("terminal note", &n)))
                .transpose()?,
            created_at: ms(created),
            updated_at: ms(updated),
        })
    })
    .transpose()
}

/// Every attempt in one of `statuses`, for recovery.
pub fn attempts_in(c: &Connection, status: AttemptStatus) -> Result<Vec<String>, StoreError> {
    let mut stmt = c.prepare_cached("SELECT request_id FROM attempts WHERE status = ?1")?;
    let rows = stmt.query_map([status.as_str()], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The sale an attempt belongs to.
pub fn sale_of_attempt(c: &Connection, request_id: &str) -> Result<Option<String>, StoreError> {
    let mut stmt = c.prepare_cached("SELECT sale_id FROM attempts WHERE request_id = ?1")?;
    Ok(stmt.query_row([request_id], |r| r.get::<_, String>(0)).optional()?)
}
