//! One step of a sale: ask the planner, talk to the acquirer, feed the outcome to the attempt
//! machine, and commit the result with the next step in one transaction.
//!
//! The outcome is applied to the sale as it is inside the write transaction, never to the copy
//! read before the network call: whatever changed in between (a notification, a cancel, another
//! process) is kept, and the outcome is judged against it.

use super::error::CashierError;
use super::events::CashierEvent;
use super::sale_apply::{apply, step_name, view, Loaded};
use super::sale_io::{perform, Outcome};
use super::Inner;
use crate::acquirer::PaymentResult;
use crate::order::{plan_sale, AttemptEvent, Millis, SaleStatus, SaleStep};
use crate::store::{self, Entity, SaleRow};

fn load(c: &rusqlite::Connection, sale_id: &str) -> Result<Option<Loaded>, store::StoreError> {
    let sale = store::load_sale(c, sale_id)?;
    let attempt = store::current_attempt(c, sale_id)?;
    let outbox = store::outbox_of(c, Entity::Sale, sale_id)?;
    Ok(match (sale, attempt) {
        (Some(sale), Some(attempt)) => Some((sale, attempt, outbox)),
        _ => None,
    })
}

/// What a step read before it went to the network: the rows as stored, and the store's
/// stamp then (none when the caller read outside a stamped read).
struct Seen {
    stamp: Option<store::Stamp>,
    rows: Loaded,
}

/// Runs the sale's due step, if one is due. The caller holds the sale's lock.
pub(crate) async fn run_locked(inner: &Inner, sale_id: &str) -> Result<(), CashierError> {
    let now = inner.now();
    let (stamp, rows) = inner.store.read(|c, _| Ok((inner.store.stamp(c)?, load(c, sale_id)?)))?;
    let Some(rows) = rows else {
        // An outbox row without its sale cannot be worked: drop it rather than spin on it.
        inner.store.write(|tx, _| store::remove_outbox(tx, Entity::Sale, sale_id))?;
        return Ok(());
    };
    let (sale, mut attempt, outbox) = rows.clone();
    attempt.status = inner.unconfirmed.attempt(sale_id, attempt.status);
    let seen = Seen { stamp: Some(stamp), rows };
    let can_cancel = inner.can_cancel_kind(sale.kind);
    let plan = plan_sale(
        &view(&sale, attempt.status, outbox.as_ref(), can_cancel),
        &inner.config.policy,
        now,
        rand::random(),
    );
    let flags = (plan.step == SaleStep::Done, plan.step == SaleStep::GiveUp);
    if !inner.step_is_due(Entity::Sale, sale_id, outbox, plan.at, flags, now)? {
        return Ok(());
    }
    let outcome = perform(inner, &sale, &attempt, plan.step).await;
    if plan.step != SaleStep::GiveUp {
        inner.emit(CashierEvent::Forwarded {
            entity: Entity::Sale,
            id: sale_id.into(),
            step: step_name(plan.step),
            answered: outcome.transport_failure.is_none(),
        });
    }
    let talked = !matches!(plan.step, SaleStep::GiveUp | SaleStep::Done);
    let committed = commit(inner, &seen, outcome, inner.now(), step_name(plan.step));
    match committed.map(|_| ()) {
        Err(e) if talked => {
            Err(inner.unconfirmed.failed(Entity::Sale, sale_id, plan.step == SaleStep::Send, e))
        }
        other => other,
    }
}

/// Applies an outcome about the attempt the step saw and commits it with the next step: one
/// transaction, against the sale as it is inside that transaction (read again there unless the
/// store's stamp shows that nothing was committed since the step read it).
///
/// Returns the refusal when the machines refused the outcome's news (nothing changed then).
fn commit(
    inner: &Inner,
    seen: &Seen,
    outcome: Outcome,
    now: Millis,
    step: &str,
) -> Result<Option<String>, CashierError> {
    let (seen_sale, seen_attempt, _) = &seen.rows;
    let sale_id = seen_sale.id.as_str();
    // The cashier had cancelled when the step began: a charge now may be refunded
    // automatically, a decision of ours, committed durably.
    let seen_cancelled = cancelled(seen_sale);
    let write = |tx: &rusqlite::Transaction<'_>, _: &store::ColumnCipher| {
        let unchanged = match seen.stamp {
            Some(stamp) => inner.store.stamp(tx)? == stamp,
            None => false,
        };
        let loaded = if unchanged { Some(seen.rows.clone()) } else { load(tx, sale_id)? };
        let Some(mut loaded) = loaded else { return Ok(None) };
        let stored = loaded.1.status;
        loaded.1.status = inner.unconfirmed.attempt(sale_id, stored);
        if loaded.1.request_id != seen_attempt.request_id {
            // The outcome is about an attempt that is no longer current: it changes nothing.
            let request_id = &seen_attempt.request_id;
            store::journal(tx, now, Entity::Sale, sale_id, "stale_outcome", request_id)?;
            return Ok(None);
        }
        let loaded_note = loaded.1.terminal.clone();
        let applied = apply(inner, loaded, &outcome, now, step);
        if applied.attempt != stored {
            store::update_attempt(tx, &seen_attempt.request_id, applied.attempt, now)?;
        }
        if applied.note != loaded_note {
            store::set_attempt_note(tx, &seen_attempt.request_id, applied.note.as_ref())?;
        }
        let news = super::terminals::status_news(
            loaded_note.as_ref(),
            applied.note.as_ref(),
            stored,
            applied.attempt,
        );
        if let (Some(status), Some(t)) = (news, applied.sale.terminal.as_ref()) {
            store::note_terminal(tx, &t.serial, status, now)?;
        }
        if applied.changed {
            store::update_sale(tx, &applied.sale)?;
        }
        store::record_step(
            tx,
            Entity::Sale,
            sale_id,
            now,
            &applied.journal,
            applied.next_outbox.as_ref(),
        )?;
        let refund = match applied.auto_refund {
            true => super::late_charge::queue_refund(tx, &applied.sale, now)?,
            false => None,
        };
        Ok(Some((applied, refund)))
    };
    // What the acquirer said can be asked again: if a power cut loses this commit, recovery
    // finds the attempt unresolved and queries it. Only our own decisions must be on disk
    // before we go on (a process crash loses neither: the WAL is written either way). An
    // automatic refund is derived from the answer under a fixed id, so even it could be
    // derived again; it is made durable all the same, as a decision of ours.
    let auto_refund_possible = seen_cancelled && inner.config.refund_charged_after_cancel;
    let applied = if matches!(outcome.event, Some(AttemptEvent::Withdrawn)) || auto_refund_possible
    {
        inner.store.write(write)?
    } else {
        inner.store.write_relaxed(write)?
    };
    inner.unconfirmed.confirmed(Entity::Sale, sale_id);
    let Some((applied, refund)) = applied else { return Ok(None) };
    let refusal = applied.refusal.clone();
    if let Some(refund) = refund {
        inner.emit(CashierEvent::RefundChanged(refund));
        inner.queue_changed();
        inner.wake.notify_one();
    }
    if applied.changed {
        inner.emit(CashierEvent::SaleChanged(applied.sale));
    }
    if let Some(reason) = applied.attention {
        let sale_id = sale_id.to_string();
        inner.emit(CashierEvent::AttentionNeeded { sale_id, refund_id: None, reason });
    }
    if applied.next_outbox.is_none() {
        inner.queue_changed();
    }
    Ok(refusal)
}

/// Applies an event that did not come from a step of ours (a cashier withdrawing an unsent
/// sale, a notification); `source` labels it in the journal.
pub(crate) fn apply_event(
    inner: &Inner,
    sale_id: &str,
    event: AttemptEvent,
    result: Option<PaymentResult>,
    now: Millis,
    source: &str,
) -> Result<Option<String>, CashierError> {
    let Some(rows) = inner.store.read(|c, _| load(c, sale_id))? else {
        return Err(CashierError::UnknownSale(sale_id.into()));
    };
    log::info!("sale {sale_id}: {event:?} from {source}");
    let outcome = Outcome { event: Some(event), result, ..Outcome::default() };
    commit(inner, &Seen { stamp: None, rows }, outcome, now, source)
}

/// Whether the cashier has cancelled the sale (asked for, or done).
fn cancelled(sale: &SaleRow) -> bool {
    sale.cancel_requested || sale.status == SaleStatus::Failed(crate::order::FailReason::Cancelled)
}

/// Marks a sale for cancellation; the driver sends the cancel.
pub(crate) fn request_cancel(
    inner: &Inner,
    sale_id: &str,
    now: Millis,
) -> Result<(), CashierError> {
    let sale = inner.store.write(|tx, _| {
        let Some(mut sale) = store::load_sale(tx, sale_id)? else { return Ok(None) };
        if sale.cancel_requested {
            return Ok(Some(None));
        }
        sale.cancel_requested = true;
        if sale.status == SaleStatus::Processing {
            sale.status = SaleStatus::Cancelling;
        }
        sale.updated_at = now;
        store::update_sale(tx, &sale)?;
        store::journal(tx, now, Entity::Sale, sale_id, "cancel_requested", "")?;
        store::make_due(tx, Entity::Sale, sale_id, now)?;
        Ok(Some(Some(sale)))
    })?;
    match sale {
        None => Err(CashierError::UnknownSale(sale_id.into())),
        Some(None) => Ok(()),
        Some(Some(sale)) => {
            inner.emit(CashierEvent::SaleChanged(sale));
            Ok(())
        }
    }
}

/// Applies a verified payment notification to the sale's current attempt, once its amount is
/// the sale's (otherwise it is refused and the sale flagged). News the machines refuse is an
/// error (and a journal line), so the caller does not acknowledge it and the acquirer sends it
/// again.
pub(crate) fn apply_reported(
    inner: &Inner,
    result: PaymentResult,
    now: Millis,
) -> Result<(), CashierError> {
    let sale_id = result.merchant_transaction_id.clone();
    let (sale, attempt) = inner
        .store
        .read(|c, _| Ok((store::load_sale(c, &sale_id)?, store::current_attempt(c, &sale_id)?)))?;
    let (Some(sale), Some(attempt)) = (sale, attempt) else {
        return Err(CashierError::UnknownSale(sale_id));
    };
    if let Err(m) = super::mismatch::check_amount(&sale.amount, result.amount.as_ref()) {
        return Err(super::mismatch::reject_for_sale(inner, &sale_id, m, now));
    }
    if let Some(rid) = &result.request_id {
        if *rid != attempt.request_id {
            let reason = format!("for attempt {rid}, current is {}", attempt.request_id);
            log::warn!("sale {sale_id}: notification {reason}");
            inner.store.write_relaxed(|tx, _| {
                store::journal(tx, now, Entity::Sale, &sale_id, "refused_notification", &reason)
            })?;
            return Err(CashierError::NotificationNotApplied { id: sale_id, reason });
        }
    }
    // "Still processing" about an attempt already settled is old news: acknowledged.
    let stale =
        result.status == crate::acquirer::PaymentStatus::Processing && attempt.status.is_final();
    let event = AttemptEvent::Reported(result.status);
    match apply_event(inner, &sale_id, event, Some(result), now, "notification")? {
        Some(reason) if !stale => Err(CashierError::NotificationNotApplied { id: sale_id, reason }),
        _ => Ok(()),
    }
}
