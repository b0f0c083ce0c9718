//! One step of a sale: ask the planner, talk to the acquirer, feed the outcome to the attempt
//! machine, and commit the result with the next step in one transaction.

use super::error::CashierError;
use super::events::CashierEvent;
use super::sale_io::{perform, Outcome};
use super::Inner;
use crate::acquirer::PaymentResult;
use crate::order::{plan_sale, AttemptEvent, Millis, SaleStatus, SaleStep, SaleView};
use crate::store::{self, AttemptRow, Entity, OutboxRow, SaleRow};

fn step_name(step: SaleStep) -> &'static str {
    match step {
        SaleStep::Send => "send",
        SaleStep::Query => "query",
        SaleStep::Cancel => "cancel",
        SaleStep::GiveUp => "give_up",
        SaleStep::Done => "done",
    }
}

fn view(
    sale: &SaleRow,
    attempt: &AttemptRow,
    outbox: Option<&OutboxRow>,
    can_cancel: bool,
) -> SaleView {
    SaleView {
        kind: sale.kind,
        attempt: attempt.status,
        created_at: sale.created_at,
        qr_expires_at: sale.qr.as_ref().and_then(|q| q.expires_at_unix_ms),
        cancel_requested: sale.cancel_requested,
        can_cancel,
        failures: outbox.map_or(0, |o| o.failures),
        last_try_at: outbox.map_or(0, |o| o.last_try_at),
    }
}

/// Runs the sale's due step, if one is due. The caller holds the sale's lock.
pub(crate) async fn run_locked(inner: &Inner, sale_id: &str) -> Result<(), CashierError> {
    let now = inner.now();
    let loaded = inner.store.read(|c, _| {
        Ok((
            store::load_sale(c, sale_id)?,
            store::current_attempt(c, sale_id)?,
            store::outbox_of(c, Entity::Sale, sale_id)?,
        ))
    })?;
    let (Some(sale), Some(attempt), outbox) = loaded else {
        // An outbox row without its sale cannot be worked: drop it rather than spin on it.
        inner.store.write(|tx, _| store::remove_outbox(tx, Entity::Sale, sale_id))?;
        return Ok(());
    };
    let can_cancel = inner.acquirer.capabilities().cancel;
    let plan = plan_sale(
        &view(&sale, &attempt, outbox.as_ref(), can_cancel),
        &inner.config.policy,
        now,
        rand::random(),
    );
    let flags = (plan.step == SaleStep::Done, plan.step == SaleStep::GiveUp);
    if !inner.step_is_due(Entity::Sale, sale_id, outbox.clone(), plan.at, flags, now)? {
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
    commit(inner, sale, attempt, outbox, outcome, inner.now(), step_name(plan.step))?;
    Ok(())
}

/// Applies an outcome and commits it with the next step: one transaction. Returns the
/// refusal when the machines refused the outcome's news (nothing changed then).
fn commit(
    inner: &Inner,
    mut sale: SaleRow,
    attempt: AttemptRow,
    outbox: Option<OutboxRow>,
    outcome: Outcome,
    now: Millis,
    step: &str,
) -> Result<Option<String>, CashierError> {
    let before = sale.clone();
    let mut new_attempt = attempt.status;
    let mut journal: Vec<(String, String)> = Vec::new();
    let mut refusal = None;
    if let Some(event) = outcome.event {
        match attempt.status.on(event) {
            Ok(next) => new_attempt = next,
            Err(refused) => {
                log::warn!("sale {}: {refused}", sale.id);
                journal.push(("refused_transition".into(), refused.to_string()));
                refusal = Some(refused.to_string());
            }
        }
    }
    if let Some(result) = &outcome.result {
        merge_result(&mut sale, result);
    }
    if outcome.cancel_refused {
        sale.cancel_requested = false;
        journal.push(("cancel_refused".into(), String::new()));
    }
    let to = SaleStatus::derive(new_attempt, sale.cancel_requested);
    let charged_after_cancel = super::late_charge::detect(&before, to) && refusal.is_none();
    match sale.status.check(to) {
        Ok(()) => {
            if matches!(before.status, SaleStatus::Failed(_)) && to == SaleStatus::Paid {
                // The acquirer charged after all: record it and make sure a person looks.
                sale.attention = true;
                journal.push(("late_success".into(), "charged after the sale had ended".into()));
            }
            sale.status = to;
        }
        Err(refused) => {
            log::warn!("sale {}: {refused}", sale.id);
            journal.push(("refused_transition".into(), refused.to_string()));
            refusal = Some(refused.to_string());
            new_attempt = attempt.status;
        }
    }
    let charged_after_cancel = charged_after_cancel && refusal.is_none();
    if charged_after_cancel {
        log::warn!("sale {}: charged after the cashier cancelled it", sale.id);
        sale.attention = true;
        journal.push((super::late_charge::KIND.into(), "refund or keep".into()));
    }
    let auto_refund = charged_after_cancel && inner.config.refund_charged_after_cancel;
    let failures = match &outcome.transport_failure {
        Some(_) => outbox.as_ref().map_or(0, |o| o.failures) + 1,
        None => 0,
    };
    let mut next_view =
        view(&sale, &attempt, outbox.as_ref(), inner.acquirer.capabilities().cancel);
    next_view.attempt = new_attempt;
    next_view.failures = failures;
    next_view.last_try_at = now;
    let plan = plan_sale(&next_view, &inner.config.policy, now, rand::random());
    sale.attention |= plan.attention;
    let changed = sale != before || new_attempt != attempt.status;
    if changed {
        sale.updated_at = now;
        journal.push((format!("{step}:{}", sale.status.as_str()), describe(&sale, &outcome)));
    }
    let next_outbox = (plan.step != crate::order::SaleStep::Done).then(|| OutboxRow {
        step: step_name(plan.step).into(),
        due_at: plan.at,
        failures,
        last_error: outcome.transport_failure.clone(),
        ..OutboxRow::after_step(outbox.as_ref(), Entity::Sale, &sale.id, now)
    });
    let write = |tx: &rusqlite::Transaction<'_>, _: &store::ColumnCipher| {
        if new_attempt != attempt.status {
            store::update_attempt(tx, &attempt.request_id, new_attempt, now)?;
        }
        if changed {
            store::update_sale(tx, &sale)?;
        }
        store::record_step(tx, Entity::Sale, &sale.id, now, &journal, next_outbox.as_ref())?;
        if auto_refund {
            return super::late_charge::queue_refund(tx, &sale, now);
        }
        Ok(None)
    };
    // What the acquirer said can be asked again: if a power cut loses this commit, recovery
    // finds the attempt unresolved and queries it. Only our own decisions must be on disk
    // before we go on (a process crash loses neither: the WAL is written either way).
    // The automatic refund of a charge after cancel is our decision too.
    let refund = if matches!(outcome.event, Some(AttemptEvent::Withdrawn)) || auto_refund {
        inner.store.write(write)?
    } else {
        inner.store.write_relaxed(write)?
    };
    let sale_id = sale.id.clone();
    if changed {
        inner.emit(CashierEvent::SaleChanged(sale));
    }
    if charged_after_cancel {
        inner.emit(CashierEvent::ChargedAfterCancel { sale_id });
    }
    if let Some(refund) = refund {
        inner.emit(CashierEvent::RefundChanged(refund));
        inner.queue_changed();
        inner.wake.notify_one();
    }
    if next_outbox.is_none() {
        inner.queue_changed();
    }
    Ok(refusal)
}

fn merge_result(sale: &mut SaleRow, r: &PaymentResult) {
    if let Some(id) = &r.acquirer_transaction_id {
        sale.acquirer_transaction_id = Some(id.clone());
    }
    if r.result_code.is_some() {
        sale.result_code = r.result_code.clone();
        sale.result_description = r.result_description.clone();
    }
    if let Some(qr) = &r.qr {
        // Ours is on the engine's time line, the acquirer's on its own clock: keep ours.
        let expiry = sale.qr.as_ref().and_then(|q| q.expires_at_unix_ms).or(qr.expires_at_unix_ms);
        sale.qr = Some(crate::acquirer::QrCode { expires_at_unix_ms: expiry, ..qr.clone() });
    }
    if r.card.is_some() {
        sale.card = r.card.clone();
    }
}

fn describe(sale: &SaleRow, outcome: &Outcome) -> String {
    match (&outcome.transport_failure, &sale.result_code) {
        (Some(e), _) => e.chars().take(200).collect(),
        (None, Some(code)) => {
            format!("{code} {}", sale.result_description.as_deref().unwrap_or(""))
        }
        (None, None) => String::new(),
    }
}

/// Applies an event that did not come from a step of ours (a cashier withdrawing an unsent
/// sale, a notification); `source` labels it in the journal. Returns the refusal when the
/// machines refused it.
pub(crate) fn apply_event(
    inner: &Inner,
    sale_id: &str,
    event: AttemptEvent,
    result: Option<PaymentResult>,
    now: Millis,
    source: &str,
) -> Result<Option<String>, CashierError> {
    let (sale, attempt, outbox) = inner.store.read(|c, _| {
        Ok((
            store::load_sale(c, sale_id)?,
            store::current_attempt(c, sale_id)?,
            store::outbox_of(c, Entity::Sale, sale_id)?,
        ))
    })?;
    let (Some(sale), Some(attempt)) = (sale, attempt) else {
        return Err(CashierError::UnknownSale(sale_id.into()));
    };
    log::info!("sale {sale_id}: {event:?} from {source}");
    let outcome =
        Outcome { event: Some(event), result, transport_failure: None, cancel_refused: false };
    commit(inner, sale, attempt, outbox, outcome, now, source)
}

/// Marks a sale for cancellation; the driver sends the cancel.
pub(crate) fn request_cancel(
    inner: &Inner,
    sale_id: &str,
    now: Millis,
) -> Result<(), CashierError> {
    let Some(mut sale) = inner.store.read(|c, _| store::load_sale(c, sale_id))? else {
        return Err(CashierError::UnknownSale(sale_id.into()));
    };
    if sale.cancel_requested {
        return Ok(());
    }
    sale.cancel_requested = true;
    if sale.status == SaleStatus::Processing {
        sale.status = SaleStatus::Cancelling;
    }
    sale.updated_at = now;
    inner.store.write(|tx, _| {
        store::update_sale(tx, &sale)?;
        store::journal(tx, now, Entity::Sale, sale_id, "cancel_requested", "")?;
        tx.execute(
            "UPDATE outbox SET due_at = ?2 WHERE entity = 'sale' AND entity_id = ?1",
            rusqlite::params![sale_id, now as i64],
        )?;
        Ok(())
    })?;
    inner.emit(CashierEvent::SaleChanged(sale));
    Ok(())
}

/// Applies a verified payment notification to the sale's current attempt. News the machines
/// refuse is an error (and a journal line), so the caller does not acknowledge it and the
/// acquirer sends it again; only a "still processing" about an attempt already settled is
/// old news, acknowledged.
pub(crate) fn apply_reported(
    inner: &Inner,
    result: PaymentResult,
    now: Millis,
) -> Result<(), CashierError> {
    let sale_id = result.merchant_transaction_id.clone();
    let attempt = inner.store.read(|c, _| store::current_attempt(c, &sale_id))?;
    let Some(attempt) = attempt else { return Err(CashierError::UnknownSale(sale_id)) };
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
    let stale =
        result.status == crate::acquirer::PaymentStatus::Processing && attempt.status.is_final();
    let event = AttemptEvent::Reported(result.status);
    match apply_event(inner, &sale_id, event, Some(result), now, "notification")? {
        Some(reason) if !stale => Err(CashierError::NotificationNotApplied { id: sale_id, reason }),
        _ => Ok(()),
    }
}
