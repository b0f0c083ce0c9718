//! The ledger's tables. Amounts are integers in minor units; times are epoch milliseconds.

use rusqlite::Connection;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters (name, value) VALUES ('ids', 0);

CREATE TABLE IF NOT EXISTS orders (
    acquirer TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (acquirer, merchant_transaction_id)
);

CREATE TABLE IF NOT EXISTS attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    acquirer TEXT NOT NULL,
    request_id TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    flow TEXT NOT NULL,
    method TEXT NOT NULL,
    code_masked TEXT,
    device_sn TEXT,
    device_model TEXT,
    cashier_device_id TEXT,
    scenario INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    initial_status TEXT NOT NULL,
    initial_reason TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    final_ms INTEGER,
    expires_ms INTEGER,
    next_ms INTEGER,
    next_status TEXT,
    next_reason TEXT,
    notify_url TEXT,
    close_notify_url TEXT,
    remark TEXT,
    UNIQUE (acquirer, request_id),
    UNIQUE (acquirer, transaction_id)
);
CREATE INDEX IF NOT EXISTS attempts_by_order ON attempts (acquirer, merchant_transaction_id, seq);
CREATE INDEX IF NOT EXISTS attempts_due ON attempts (status, next_ms);
CREATE INDEX IF NOT EXISTS attempts_by_terminal ON attempts (device_sn, device_model, status);

CREATE TABLE IF NOT EXISTS charges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    acquirer TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL UNIQUE,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS charges_by_order ON charges (acquirer, merchant_transaction_id);

CREATE TABLE IF NOT EXISTS refunds (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    acquirer TEXT NOT NULL,
    merchant_refund_id TEXT NOT NULL,
    refund_id TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    initial_status TEXT NOT NULL,
    next_ms INTEGER,
    next_status TEXT,
    kind TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    notify_url TEXT,
    remark TEXT,
    UNIQUE (acquirer, merchant_refund_id),
    UNIQUE (acquirer, refund_id)
);
CREATE INDEX IF NOT EXISTS refunds_by_order ON refunds (acquirer, merchant_transaction_id);
CREATE INDEX IF NOT EXISTS refunds_due ON refunds (status, next_ms);

CREATE TABLE IF NOT EXISTS used_codes (
    code TEXT PRIMARY KEY,
    acquirer TEXT NOT NULL,
    request_id TEXT NOT NULL,
    used_ms INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS faults_applied (
    acquirer TEXT NOT NULL,
    request_id TEXT NOT NULL,
    scenario INTEGER NOT NULL,
    applied_ms INTEGER NOT NULL,
    PRIMARY KEY (acquirer, request_id)
);

CREATE TABLE IF NOT EXISTS terminals (
    device_sn TEXT NOT NULL,
    device_model TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (device_sn, device_model)
);

CREATE TABLE IF NOT EXISTS device_keys (
    key_id TEXT PRIMARY KEY,
    device_sn TEXT NOT NULL,
    device_model TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    last_seq INTEGER,
    last_seen_ms INTEGER,
    polling_until_ms INTEGER,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS device_keys_by_terminal ON device_keys (device_sn, device_model, revoked);

CREATE TABLE IF NOT EXISTS device_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_sn TEXT NOT NULL,
    device_model TEXT NOT NULL,
    kind TEXT NOT NULL,
    request_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    amount_minor INTEGER,
    currency TEXT,
    deadline_ms INTEGER,
    acked INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS device_messages_inbox ON device_messages (device_sn, device_model, acked);

CREATE TABLE IF NOT EXISTS card_sales (
    request_id TEXT PRIMARY KEY,
    device_sn TEXT NOT NULL,
    device_model TEXT NOT NULL,
    merchant_transaction_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    authorized INTEGER,
    auth_code TEXT,
    masked_pan TEXT,
    aid TEXT,
    app_label TEXT,
    entry_mode TEXT,
    terminal_result TEXT,
    result_reason TEXT,
    cancel_queued INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS card_sales_by_order ON card_sales (merchant_transaction_id);

CREATE TABLE IF NOT EXISTS offline_approvals (
    device_sn TEXT NOT NULL,
    offline_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (device_sn, offline_id)
);

CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    acquirer TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    url TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at_ms INTEGER NOT NULL,
    last_error TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (state, next_at_ms);
";

/// Creates the tables if needed and sets the pragmas.
pub(super) fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    // WAL keeps readers (a test inspecting the file) from blocking the sandbox; NORMAL
    // durability is enough for a test acquirer and keeps the load figure honest about HTTP.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch(SCHEMA)?;
    // A ledger file from before the receipt fields gains them.
    for column in ["aid", "app_label", "entry_mode"] {
        let has: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM pragma_table_info('card_sales') WHERE name = ?1",
            [column],
            |r| r.get(0),
        )?;
        if !has {
            conn.execute_batch(&format!("ALTER TABLE card_sales ADD COLUMN {column} TEXT"))?;
        }
    }
    // Notifications being sent when a previous run stopped are sent again.
    conn.execute("UPDATE notifications SET state = 'pending' WHERE state = 'sending'", [])?;
    Ok(())
}
