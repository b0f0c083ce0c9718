//! One step of a refund: the same shape as a sale's, with the refund machine.

use super::classify::{classify, Asked, Mismatch, Verdict};
use super::error::CashierError;
use super::events::CashierEvent;
use super::Inner;
use crate::acquirer::{AcquirerError, RefundQuery, RefundRequest, RefundResult};
use crate::order::{plan_refund, AttentionReason, Millis, RefundEvent, RefundStep, RefundView};
use crate::store::{self, Entity, OutboxRow, RefundRow, SaleRow};

#[derive(Default)]
struct Outcome {
    event: Option<RefundEvent>,
    result: Option<RefundResult>,
    transport_failure: Option<String>,
    /// The answer did not match the refund: flag it, keep it unresolved.
    mismatch: Option<Mismatch>,
    /// An answer came back whose signature did not verify: flag the refund.
    unverified: bool,
    /// The acquirer offers no way to learn the refund's fate: flag it, never resend it.
    unresolvable: bool,
}

impl Outcome {
    fn reported(result: RefundResult) -> Self {
        Outcome {
            event: Some(RefundEvent::Reported(result.status)),
            result: Some(result),
            ..Outcome::default()
        }
    }
}

/// The refund machine's reading of an answer to `asked`, sorted by the shared classifier.
fn outcome(inner: &Inner, asked: Asked, answer: Result<RefundResult, AcquirerError>) -> Outcome {
    let c = classify(asked, answer);
    inner.note_reach(c.reach);
    let mut outcome = Outcome {
        transport_failure: c.failure,
        mismatch: c.mismatch,
        unverified: c.unverified,
        ..Outcome::default()
    };
    match c.verdict {
        Verdict::Answered(result) => return Outcome::reported(result),
        Verdict::Refused { code, description } => {
            outcome.event = Some(RefundEvent::Refused);
            outcome.result = Some(refused(code, description));
        }
        Verdict::NotFound => outcome.event = Some(RefundEvent::NotFound),
        Verdict::NotSent => outcome.event = Some(RefundEvent::NotSent),
        Verdict::Unknown => outcome.event = Some(RefundEvent::OutcomeUnknown),
        Verdict::NoNews | Verdict::CancelRefused => {}
        Verdict::Unresolvable => outcome.unresolvable = true,
    }
    outcome
}

fn step_name(step: RefundStep) -> &'static str {
    match step {
        RefundStep::Send => "send",
        RefundStep::Query => "query",
        RefundStep::GiveUp => "give_up",
        RefundStep::Done => "done",
    }
}

fn view(inner: &Inner, refund: &RefundRow, outbox: Option<&OutboxRow>, now: Millis) -> RefundView {
    RefundView {
        state: refund.state,
        created_at: refund.created_at,
        failures: outbox.map_or(0, |o| o.failures),
        last_try_at: outbox.map_or(0, |o| o.last_try_at),
        acquirer_age: inner.age_on_acquirer_clock(refund.created_at, now),
    }
}

/// Runs the refund's due step, if one is due. The caller holds the refund's lock.
pub(crate) async fn run_locked(inner: &Inner, refund_id: &str) -> Result<(), CashierError> {
    let now = inner.now();
    let (refund, outbox) = inner.store.read(|c, _| load(inner, c, refund_id))?;
    let Some(refund) = refund else {
        inner.store.write(|tx, _| store::remove_outbox(tx, Entity::Refund, refund_id))?;
        return Ok(());
    };
    let Some(sale) = inner.store.read(|c, _| store::load_sale(c, &refund.sale_id))? else {
        return Err(CashierError::UnknownSale(refund.sale_id));
    };
    let plan = plan_refund(
        &view(inner, &refund, outbox.as_ref(), now),
        &inner.config.policy,
        now,
        rand::random(),
    );
    let flags = (plan.step == RefundStep::Done, plan.step == RefundStep::GiveUp);
    if !inner.step_is_due(Entity::Refund, refund_id, outbox.clone(), plan.at, flags, now)? {
        return Ok(());
    }
    let outcome = match plan.step {
        RefundStep::Send => {
            mark_sending(inner, refund_id, outbox.as_ref(), now)?;
            send(inner, &sale, &refund).await
        }
        RefundStep::Query => query(inner, &refund).await,
        RefundStep::GiveUp | RefundStep::Done => {
            Outcome { event: Some(RefundEvent::TooOld), ..Outcome::default() }
        }
    };
    if plan.step != RefundStep::GiveUp {
        inner.emit(CashierEvent::Forwarded {
            entity: Entity::Refund,
            id: refund_id.into(),
            step: step_name(plan.step),
            answered: outcome.transport_failure.is_none(),
        });
    }
    let talked = !matches!(plan.step, RefundStep::GiveUp | RefundStep::Done);
    match commit(inner, refund_id, outcome, inner.now(), step_name(plan.step)).map(|_| ()) {
        Err(e) if talked => Err(inner.unconfirmed.failed(
            Entity::Refund,
            refund_id,
            plan.step == RefundStep::Send,
            e,
        )),
        other => other,
    }
}

/// The refund and its outbox row as the store holds them now, with the state this process
/// must assume (see `unconfirmed`).
fn load(
    inner: &Inner,
    c: &rusqlite::Connection,
    refund_id: &str,
) -> Result<(Option<RefundRow>, Option<OutboxRow>), store::StoreError> {
    let mut refund = store::load_refund(c, refund_id)?;
    if let Some(r) = &mut refund {
        r.state = inner.unconfirmed.refund(refund_id, r.state);
    }
    Ok((refund, store::outbox_of(c, Entity::Refund, refund_id)?))
}

fn refused(code: String, description: String) -> RefundResult {
    RefundResult {
        status: crate::acquirer::RefundStatus::Failed,
        merchant_refund_id: None,
        acquirer_refund_id: None,
        amount: None,
        result_code: Some(code),
        result_description: Some(description),
    }
}

/// Writes, durably, that the refund is about to leave: after a crash, recovery must ask about
/// it before anything else; without the mark it knows the refund never left (see `open`).
fn mark_sending(
    inner: &Inner,
    refund_id: &str,
    outbox: Option<&OutboxRow>,
    now: Millis,
) -> Result<(), CashierError> {
    let row = OutboxRow {
        step: store::SENDING.into(),
        ..outbox.cloned().unwrap_or_else(|| OutboxRow::first_send(Entity::Refund, refund_id, now))
    };
    inner.store.write(|tx, _| store::put_outbox(tx, &row))?;
    Ok(())
}

async fn send(inner: &Inner, sale: &SaleRow, refund: &RefundRow) -> Outcome {
    let request = RefundRequest {
        merchant_transaction_id: sale.id.clone(),
        acquirer_transaction_id: sale.acquirer_transaction_id.clone(),
        merchant_refund_id: refund.id.clone(),
        amount: refund.amount,
        full: refund.full,
        reason: refund.reason.clone(),
        terminal: sale.terminal.clone(),
        cashier_device_id: inner.config.cashier_device_id.clone(),
        notification_url: inner.config.notification_url.clone(),
    };
    outcome(inner, Asked::Refund, inner.acquirer.refund(&request).await)
}

async fn query(inner: &Inner, refund: &RefundRow) -> Outcome {
    let q = RefundQuery {
        merchant_transaction_id: refund.sale_id.clone(),
        merchant_refund_id: refund.id.clone(),
        acquirer_refund_id: refund.acquirer_refund_id.clone(),
        amount: refund.amount,
    };
    outcome(inner, Asked::Query, inner.acquirer.refund_query(&q).await)
}

/// Applies an outcome and commits it with the next step: one transaction, against the refund
/// as it is inside that transaction. Returns the refusal when the refund machine refused the
/// outcome's news (nothing changed then).
fn commit(
    inner: &Inner,
    refund_id: &str,
    outcome: Outcome,
    now: Millis,
    step: &str,
) -> Result<Option<String>, CashierError> {
    let write = |tx: &rusqlite::Transaction<'_>, _: &store::ColumnCipher| {
        let Some(stored) = store::load_refund(tx, refund_id)? else { return Ok(None) };
        let outbox = store::outbox_of(tx, Entity::Refund, refund_id)?;
        let mut refund = stored.clone();
        refund.state = inner.unconfirmed.refund(refund_id, stored.state);
        let applied = apply(inner, refund, outbox, &outcome, now, step);
        if applied.refund != stored {
            store::update_refund(tx, &applied.refund)?;
        }
        store::record_step(
            tx,
            Entity::Refund,
            refund_id,
            now,
            &applied.journal,
            applied.next_outbox.as_ref(),
        )?;
        Ok(Some(applied))
    };
    // Everything here is the acquirer's word, which recovery can ask for again.
    let applied = inner.store.write_relaxed(write)?;
    inner.unconfirmed.confirmed(Entity::Refund, refund_id);
    let Some(applied) = applied else { return Ok(None) };
    let refusal = applied.refusal.clone();
    if let Some(reason) = applied.attention.clone() {
        let (sale_id, refund_id) =
            (applied.refund.sale_id.clone(), Some(applied.refund.id.clone()));
        inner.emit(CashierEvent::AttentionNeeded { sale_id, refund_id, reason });
    }
    if applied.changed {
        inner.emit(CashierEvent::RefundChanged(applied.refund));
    }
    if applied.next_outbox.is_none() {
        inner.queue_changed();
    }
    Ok(refusal)
}

/// What applying an outcome to a refund decided: the pure part of a commit.
struct Applied {
    refund: RefundRow,
    changed: bool,
    /// A reason for attention this outcome newly gave the refund.
    attention: Option<AttentionReason>,
    /// The refund machine refused the outcome's news.
    refusal: Option<String>,
    journal: Vec<(String, String)>,
    next_outbox: Option<OutboxRow>,
}

fn apply(
    inner: &Inner,
    mut refund: RefundRow,
    outbox: Option<OutboxRow>,
    outcome: &Outcome,
    now: Millis,
    step: &str,
) -> Applied {
    let before = refund.clone();
    let mut journal: Vec<(String, String)> = Vec::new();
    let mut refusal = None;
    if let Some(event) = outcome.event {
        match refund.state.on(event) {
            Ok(next) => {
                if matches!(
                    before.state,
                    crate::order::RefundState::Failed | crate::order::RefundState::Expired
                ) && next == crate::order::RefundState::Succeeded
                {
                    flag(&mut refund, AttentionReason::LateSuccess);
                    journal.push(("late_success".into(), "refunded after it had failed".into()));
                }
                refund.state = next;
            }
            Err(refused) => {
                log::warn!("refund {}: {refused}", refund.id);
                journal.push(("refused_transition".into(), refused.to_string()));
                refusal = Some(refused.to_string());
            }
        }
    }
    if let Some(m) = &outcome.mismatch {
        log::warn!("refund {}: answer mismatch on {}: {}", refund.id, m.field, m.detail);
        journal.push(("answer_mismatch".into(), format!("{}: {}", m.field, m.detail)));
        flag(&mut refund, AttentionReason::AnswerMismatch { field: m.field.to_string() });
    }
    if outcome.unverified {
        flag(&mut refund, AttentionReason::UnverifiedAnswer);
    }
    if outcome.unresolvable {
        if refund.attention_reason != Some(AttentionReason::Unresolvable) {
            let why = outcome.transport_failure.clone().unwrap_or_default();
            log::warn!("refund {}: {why}", refund.id);
            journal.push(("unresolvable".into(), why));
        }
        flag(&mut refund, AttentionReason::Unresolvable);
    }
    if let Some(r) = &outcome.result {
        if r.acquirer_refund_id.is_some() {
            refund.acquirer_refund_id = r.acquirer_refund_id.clone();
        }
        if r.result_code.is_some() {
            refund.result_code = r.result_code.clone();
            refund.result_description = r.result_description.clone();
        }
    }
    let failures = match &outcome.transport_failure {
        Some(_) => outbox.as_ref().map_or(0, |o| o.failures) + 1,
        None => 0,
    };
    let mut next_view = view(inner, &refund, outbox.as_ref(), now);
    next_view.failures = failures;
    next_view.last_try_at = now;
    let plan = plan_refund(&next_view, &inner.config.policy, now, rand::random());
    let changed = refund != before;
    if changed {
        refund.updated_at = now;
        journal.push((
            format!("{step}:{}", refund.state.as_str()),
            outcome.transport_failure.clone().unwrap_or_default(),
        ));
    }
    let next_outbox = (plan.step != RefundStep::Done).then(|| OutboxRow {
        step: step_name(plan.step).into(),
        due_at: plan.at,
        failures,
        last_error: outcome.transport_failure.clone(),
        ..OutboxRow::after_step(outbox.as_ref(), Entity::Refund, &refund.id, now)
    });
    let attention = (refund.attention_reason != before.attention_reason)
        .then(|| refund.attention_reason.clone())
        .flatten();
    Applied { refund, changed, attention, refusal, journal, next_outbox }
}

/// Applies a verified refund notification about `sale_id`'s refund `id`; news the refund
/// machine refuses is an error, so that it is not acknowledged. A notification must name the
/// refund's sale, and its amount must be the refund's — unless it carries none and names the
/// refund by the acquirer's own (signed) refund id that this refund already holds.
pub(crate) fn apply_reported(
    inner: &Inner,
    sale_id: &str,
    id: &str,
    result: RefundResult,
    now: Millis,
) -> Result<(), CashierError> {
    let Some(refund) = inner.store.read(|c, _| store::load_refund(c, id))? else {
        return Err(CashierError::UnknownRefund(id.to_string()));
    };
    let reject =
        |field, detail: String| super::mismatch::reject_for_refund(inner, id, (field, detail), now);
    if refund.sale_id != sale_id {
        return Err(reject("order", format!("the notification is about sale {sale_id}")));
    }
    let theirs = result.acquirer_refund_id.as_deref();
    match (refund.acquirer_refund_id.as_deref(), theirs) {
        (Some(ours), Some(t)) if ours != t => {
            return Err(reject("refund_id", format!("the notification names refund {t}")))
        }
        (Some(_), Some(_)) if result.amount.is_none() => {}
        _ if result.amount.is_none() && theirs.is_some() => {
            // Which refund this is cannot be proven yet: not applied, not acknowledged, so the
            // acquirer sends it again; meanwhile the refund's query learns its id.
            return Err(CashierError::Notification(
                "refund notification without amount for a refund whose id is not known yet".into(),
            ));
        }
        _ => {
            if let Err(m) = super::mismatch::check_amount(&refund.amount, result.amount.as_ref()) {
                return Err(super::mismatch::reject_for_refund(inner, id, m, now));
            }
        }
    }
    // "Still processing" about a refund already settled is old news: acknowledged.
    let stale =
        result.status == crate::acquirer::RefundStatus::Processing && refund.state.is_final();
    match commit(inner, id, Outcome::reported(result), now, "notification")? {
        Some(reason) if !stale => {
            Err(CashierError::NotificationNotApplied { id: id.to_string(), reason })
        }
        _ => Ok(()),
    }
}

/// Sets the attention flag and its reason, unless the refund already has a more telling one.
pub(super) fn flag(refund: &mut RefundRow, reason: AttentionReason) {
    refund.attention = true;
    if refund.attention_reason.as_ref().is_none_or(|old| reason.outranks(old)) {
        refund.attention_reason = Some(reason);
    }
}
