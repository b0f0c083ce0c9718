//! The schema, as numbered migrations. `PRAGMA user_version` holds the number applied.

/// Migrations in order; migration `i` brings the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: sales, attempts, refunds, the outbox and the append-only journal.
    r#"
    CREATE TABLE sales (
        id                       TEXT PRIMARY KEY,
        kind                     TEXT NOT NULL CHECK (kind IN ('code', 'qr', 'card')),
        wallet                   TEXT,
        terminal_serial          TEXT,
        terminal_model           TEXT,
        amount                   TEXT NOT NULL,
        currency                 TEXT NOT NULL,
        status                   TEXT NOT NULL,
        attention                INTEGER NOT NULL DEFAULT 0,
        cancel_requested         INTEGER NOT NULL DEFAULT 0,
        remark                   TEXT,
        qr_content               TEXT,
        qr_image_url             TEXT,
        qr_expires_at            INTEGER,
        acquirer_transaction_id  TEXT,
        result_code              TEXT,
        result_description       TEXT,
        card_brand               TEXT,
        card_masked              TEXT,
        created_at               INTEGER NOT NULL,
        updated_at               INTEGER NOT NULL
    );
    CREATE INDEX sales_by_created ON sales (created_at);
    CREATE TABLE attempts (
        request_id   TEXT PRIMARY KEY,
        sale_id      TEXT NOT NULL REFERENCES sales (id),
        seq          INTEGER NOT NULL,
        status       TEXT NOT NULL,
        sealed_code  BLOB,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL,
        UNIQUE (sale_id, seq)
    );
    CREATE TABLE refunds (
        id                  TEXT PRIMARY KEY,
        sale_id             TEXT NOT NULL REFERENCES sales (id),
        amount              TEXT NOT NULL,
        currency            TEXT NOT NULL,
        state               TEXT NOT NULL,
        full_refund         INTEGER NOT NULL,
        reason              TEXT,
        acquirer_refund_id  TEXT,
        result_code         TEXT,
        result_description  TEXT,
        attention           INTEGER NOT NULL DEFAULT 0,
        created_at          INTEGER NOT NULL,
        updated_at          INTEGER NOT NULL
    );
    CREATE INDEX refunds_by_sale ON refunds (sale_id);
    -- One row per unsettled sale or refund: its next acquirer step and when it is due.
    CREATE TABLE outbox (
        entity       TEXT NOT NULL CHECK (entity IN ('sale', 'refund')),
        entity_id    TEXT NOT NULL,
        step         TEXT NOT NULL,
        due_at       INTEGER NOT NULL,
        failures     INTEGER NOT NULL DEFAULT 0,
        last_try_at  INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL,
        last_error   TEXT,
        PRIMARY KEY (entity, entity_id)
    );
    CREATE INDEX outbox_by_due ON outbox (due_at);
    CREATE TABLE journal (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        at         INTEGER NOT NULL,
        entity     TEXT NOT NULL,
        entity_id  TEXT NOT NULL,
        kind       TEXT NOT NULL,
        detail     TEXT
    );
    CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    "#,
    // 2: why a sale or refund needs attention (`AttentionReason::as_db`).
    r#"
    ALTER TABLE sales ADD COLUMN attention_reason TEXT;
    ALTER TABLE refunds ADD COLUMN attention_reason TEXT;
    "#,
    // 3: what the engine knows about clocks: the acquirer's offset (the reference for what it
    // enforces) as last learned, kept across opens.
    r#"
    CREATE TABLE clock (
        name   TEXT PRIMARY KEY,
        value  INTEGER NOT NULL
    );
    "#,
    // 4: the payment page an app may open instead of showing a QR (PingPong
    // `paymentRedirectUrl`, checked as external input before it is stored).
    r#"
    ALTER TABLE sales ADD COLUMN payment_redirect_url TEXT;
    "#,
    // 5: a refund send is marked `sending` on disk before it leaves (`store::SENDING`), so
    // that recovery tells a refund that may have been sent from one that never was. Refunds
    // queued by an earlier version carry no mark: they are taken as maybe sent.
    r#"
    UPDATE outbox SET step = 'sending' WHERE entity = 'refund'
        AND entity_id IN (SELECT id FROM refunds WHERE state = 'queued');
    "#,
    // 6: the POS terminals this cashier may route card sales to (`store::terminals`).
    r#"
    CREATE TABLE terminals (
        serial        TEXT PRIMARY KEY,
        model         TEXT NOT NULL,
        label         TEXT,
        is_default    INTEGER NOT NULL DEFAULT 0,
        status        TEXT NOT NULL DEFAULT 'unknown',
        last_seen_ms  INTEGER,
        created_at    INTEGER NOT NULL
    );
    "#,
    // 7: what the terminal said about an attempt (`order::TerminalNote::as_db`: a busy or
    // unreachable refusal kept across restarts until a query settles it, or how the payment
    // ended at the terminal), and when the cashier abandoned a sale (it leaves the screen and
    // is still resolved).
    r#"
    ALTER TABLE attempts ADD COLUMN terminal_note TEXT;
    ALTER TABLE sales ADD COLUMN abandoned_at_ms INTEGER;
    "#,
    // 8: closed shifts (`report::close_shift`): each covers the rows stored after the previous
    // one (up to its rowid marks) and keeps the report as it was at its close (`snapshot`,
    // JSON), never changed. `after_seq` is unique: two closes never follow the same one. The
    // indexes serve a report's refunds by time and its late changes.
    r#"
    CREATE TABLE shift_closes (
        seq           INTEGER PRIMARY KEY,
        after_seq     INTEGER NOT NULL UNIQUE,
        since_ms      INTEGER NOT NULL,
        until_ms      INTEGER NOT NULL,
        sales_mark    INTEGER NOT NULL,
        refunds_mark  INTEGER NOT NULL,
        register      TEXT NOT NULL,
        operator      TEXT,
        snapshot      TEXT NOT NULL,
        CHECK (until_ms > since_ms AND seq > after_seq)
    );
    CREATE TRIGGER shift_closes_no_update BEFORE UPDATE ON shift_closes
        BEGIN SELECT RAISE(ABORT, 'a closed shift is never changed'); END;
    CREATE TRIGGER shift_closes_no_delete BEFORE DELETE ON shift_closes
        BEGIN SELECT RAISE(ABORT, 'a closed shift is never changed'); END;
    CREATE INDEX refunds_by_created ON refunds (created_at);
    CREATE INDEX sales_by_updated ON sales (updated_at);
    CREATE INDEX refunds_by_updated ON refunds (updated_at);
    "#,
    // 9 (receipts): what a receipt shows that the sale did not keep: the card's authorisation
    // code, entry mode, AID and application label (never more of the card than the masked
    // number already stored), and the customer's payment code masked (the code itself is
    // sealed and wiped once the sale ends).
    r#"
    ALTER TABLE sales ADD COLUMN card_auth_code TEXT;
    ALTER TABLE sales ADD COLUMN card_entry_mode TEXT;
    ALTER TABLE sales ADD COLUMN card_aid TEXT;
    ALTER TABLE sales ADD COLUMN card_label TEXT;
    ALTER TABLE sales ADD COLUMN code_masked TEXT;
    "#,
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;
