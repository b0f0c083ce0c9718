//! Card sales the card approved offline, forwarded by the terminal's agent: idempotent by the
//! agent's offline id, settling the sale routed to the terminal or recording a new payment.

use std::time::Duration;

use rusqlite::{OptionalExtension, Transaction};
use tillkit_core::money::Amount;

use super::card_sales::of_terminal;
use super::model::{Acquirer, Flow, PaymentStatus, Reason, Terminal};
use super::payments::{insert_attempt, NewPayment};
use super::plan::Transition;
use super::{exec, finish_attempt, latest_attempt, one, Ledger, LedgerError};
use crate::scenario::Scenario;

/// How old (simulated time) an offline approval may be when it is forwarded.
const MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// An offline approval, validated by the channel layer (its clearing data already checked).
#[derive(Debug, Clone)]
pub struct OfflineSale {
    /// The agent's id for it.
    pub offline_id: String,
    /// The sale's id (the cashier's `merchantTransactionId`, or the terminal's own).
    pub transaction_id: String,
    /// What the card approved.
    pub amount: Amount,
    /// When, epoch ms.
    pub approved_at_ms: i64,
}

/// What a forward did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineDecision {
    /// Recorded now: one charge.
    Recorded,
    /// Already recorded under this offline id: nothing more charged.
    Duplicate,
    /// Refused, never to be resent.
    Refused(String),
}

fn stored(
    tx: &Transaction<'_>,
    t: &Terminal,
    offline_id: &str,
) -> Result<Option<OfflineDecision>, LedgerError> {
    let row: Option<(String, Option<String>)> = one(
        tx,
        "SELECT status, reason FROM offline_approvals WHERE device_sn = ?1 AND offline_id = ?2",
        (&t.device_sn, offline_id),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    Ok(row.map(|(status, reason)| match status.as_str() {
        "refused" => OfflineDecision::Refused(reason.unwrap_or_default()),
        _ => OfflineDecision::Duplicate,
    }))
}

fn store(
    tx: &Transaction<'_>,
    t: &Terminal,
    o: &OfflineSale,
    decision: &OfflineDecision,
    now: i64,
) -> Result<(), LedgerError> {
    let (status, reason) = match decision {
        OfflineDecision::Refused(why) => ("refused", Some(why.as_str())),
        _ => ("recorded", None),
    };
    exec(
        tx,
        "INSERT INTO offline_approvals (device_sn, offline_id, transaction_id, status, reason, \
         created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (&t.device_sn, &o.offline_id, &o.transaction_id, status, reason, now),
    )?;
    Ok(())
}

impl Ledger {
    /// Records an offline approval forwarded by terminal `t`'s agent.
    pub fn record_offline(
        &self,
        t: &Terminal,
        o: &OfflineSale,
    ) -> Result<OfflineDecision, LedgerError> {
        self.write(|tx, now| {
            if let Some(seen) = stored(tx, t, &o.offline_id)? {
                return Ok(seen);
            }
            let decision = decide(self, tx, t, o, now)?;
            store(tx, t, o, &decision, now)?;
            Ok(decision)
        })
    }
}

fn decide(
    ledger: &Ledger,
    tx: &Transaction<'_>,
    t: &Terminal,
    o: &OfflineSale,
    now: i64,
) -> Result<OfflineDecision, LedgerError> {
    let oldest = now.saturating_sub(ledger.clock.scaled_ms(MAX_AGE));
    if o.approved_at_ms < oldest {
        return Ok(OfflineDecision::Refused("older than 24 h".into()));
    }
    if o.approved_at_ms > now.saturating_add(5 * 60_000) {
        return Ok(OfflineDecision::Refused("approvedAtMs is in the future".into()));
    }
    let currency = o.amount.currency().code();
    if let Some(sale) = of_terminal(tx, t, &o.transaction_id)? {
        let a = &sale.attempt;
        let same = a.amount_minor == o.amount.minor_units() && a.currency == currency;
        if a.status == PaymentStatus::Processing && sale.stage != "queued" && same {
            exec(
                tx,
                "UPDATE card_sales SET terminal_result = 'approved_offline' WHERE request_id = ?1",
                [&a.request_id],
            )?;
            let approved =
                Transition { at_ms: now, status: PaymentStatus::Success, reason: Reason::Approved };
            finish_attempt(tx, Acquirer::PingPong, &a.request_id, approved)?;
            return Ok(OfflineDecision::Recorded);
        }
    }
    if let Some(last) = latest_attempt(tx, Acquirer::PingPong, &o.transaction_id)? {
        if matches!(last.status, PaymentStatus::Success | PaymentStatus::Processing) {
            return Ok(OfflineDecision::Refused(format!(
                "transaction {} is another payment that is {}",
                o.transaction_id,
                last.status.as_str()
            )));
        }
    }
    let payment = NewPayment {
        acquirer: Acquirer::PingPong,
        request_id: format!("offline-{}-{}", t.device_sn, o.offline_id),
        merchant_transaction_id: o.transaction_id.clone(),
        amount: o.amount,
        flow: Flow::CardOffline,
        method: "scheme".into(),
        code: None,
        terminal: Some(t.clone()),
        cashier_device_id: None,
        expires_ms: None,
        notify_url: None,
        close_notify_url: None,
        remark: None,
    };
    insert_attempt(ledger, tx, &payment, Scenario::Success, false, false, now)?;
    Ok(OfflineDecision::Recorded)
}
