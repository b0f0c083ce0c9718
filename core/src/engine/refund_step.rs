//! One step of a refund: the same shape as a sale's, with the refund machine.

use super::error::CashierError;
use super::events::CashierEvent;
use super::Inner;
use crate::acquirer::{AcquirerError, RefundQuery, RefundRequest, RefundResult};
use crate::order::{plan_refund, Millis, RefundEvent, RefundStep, RefundView};
use crate::store::{self, Entity, OutboxRow, RefundRow, SaleRow};

struct Outcome {
    event: Option<RefundEvent>,
    result: Option<RefundResult>,
    transport_failure: Option<String>,
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
    let (refund, outbox) = inner.store.read(|c, _| {
        Ok((store::load_refund(c, refund_id)?, store::outbox_of(c, Entity::Refund, refund_id)?))
    })?;
    let Some(refund) = refund else {
        inner.store.write(|tx, _| store::remove_outbox(tx, Entity::Refund, refund_id))?;
        return Ok(());
    };
    let Some(sale) = inner.store.read(|c, _| store::load_sale(c, &refund.sale_id))? else {
        return Err(CashierError::UnknownSale(refund.sale_id));
    };
    let refund_view = view(inner, &refund, outbox.as_ref(), now);
    let plan = plan_refund(&refund_view, &inner.config.policy, now, rand::random());
    let flags = (plan.step == RefundStep::Done, plan.step == RefundStep::GiveUp);
    if !inner.step_is_due(Entity::Refund, refund_id, outbox.clone(), plan.at, flags, now)? {
        return Ok(());
    }
    let outcome = match plan.step {
        RefundStep::Send => send(inner, &sale, &refund).await,
        RefundStep::Query => query(inner, &refund).await,
        RefundStep::GiveUp | RefundStep::Done => {
            Outcome { event: Some(RefundEvent::TooOld), result: None, transport_failure: None }
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
    commit(inner, refund, outbox, outcome, inner.now(), step_name(plan.step))?;
    Ok(())
}

fn transport(inner: &Inner, e: AcquirerError) -> Outcome {
    let event = match &e {
        AcquirerError::NotSent { .. } => RefundEvent::NotSent,
        _ => RefundEvent::OutcomeUnknown,
    };
    if super::sale_io::is_connectivity_failure(&e) {
        inner.set_online(false);
    }
    Outcome { event: Some(event), result: None, transport_failure: Some(e.to_string()) }
}

fn refused(code: String, description: String) -> Outcome {
    let result = RefundResult {
        status: crate::acquirer::RefundStatus::Failed,
        merchant_refund_id: None,
        acquirer_refund_id: None,
        amount: None,
        result_code: Some(code),
        result_description: Some(description),
    };
    Outcome { event: Some(RefundEvent::Refused), result: Some(result), transport_failure: None }
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
    match inner.acquirer.refund(&request).await {
        Ok(result) => {
            inner.set_online(true);
            Outcome {
                event: Some(RefundEvent::Reported(result.status)),
                result: Some(result),
                transport_failure: None,
            }
        }
        Err(AcquirerError::Rejected { code, description }) => {
            inner.set_online(true);
            refused(code, description)
        }
        Err(AcquirerError::InvalidRequest { field, reason }) => {
            refused("invalid_request".into(), format!("{field}: {reason}"))
        }
        Err(AcquirerError::Unsupported { acquirer, operation }) => {
            refused("unsupported".into(), format!("{acquirer} does not support {operation}"))
        }
        Err(e) => transport(inner, e),
    }
}

async fn query(inner: &Inner, refund: &RefundRow) -> Outcome {
    let q = RefundQuery {
        merchant_transaction_id: refund.sale_id.clone(),
        merchant_refund_id: refund.id.clone(),
        acquirer_refund_id: refund.acquirer_refund_id.clone(),
    };
    match inner.acquirer.refund_query(&q).await {
        Ok(result) => {
            inner.set_online(true);
            Outcome {
                event: Some(RefundEvent::Reported(result.status)),
                result: Some(result),
                transport_failure: None,
            }
        }
        Err(AcquirerError::Rejected { code, .. })
            if matches!(code.as_str(), "107001" | "20068") =>
        {
            inner.set_online(true);
            Outcome { event: Some(RefundEvent::NotFound), result: None, transport_failure: None }
        }
        Err(
            e @ (AcquirerError::Rejected { .. }
            | AcquirerError::InvalidRequest { .. }
            | AcquirerError::Unsupported { .. }),
        ) => Outcome { event: None, result: None, transport_failure: Some(e.to_string()) },
        Err(e) => transport(inner, e),
    }
}

fn commit(
    inner: &Inner,
    mut refund: RefundRow,
    outbox: Option<OutboxRow>,
    outcome: Outcome,
    now: Millis,
    step: &str,
) -> Result<Option<String>, CashierError> {
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
                    refund.attention = true;
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
    let write = |tx: &rusqlite::Transaction<'_>, _: &store::ColumnCipher| {
        if changed {
            store::update_refund(tx, &refund)?;
        }
        store::record_step(tx, Entity::Refund, &refund.id, now, &journal, next_outbox.as_ref())
    };
    // Everything here is the acquirer's word, which recovery can ask for again.
    inner.store.write_relaxed(write)?;
    if changed {
        inner.emit(CashierEvent::RefundChanged(refund));
    }
    if next_outbox.is_none() {
        inner.queue_changed();
    }
    Ok(refusal)
}

/// Applies a verified refund notification; news the refund machine refuses is an error, so
/// that it is not acknowledged.
pub(crate) fn apply_reported(
    inner: &Inner,
    result: RefundResult,
    now: Millis,
) -> Result<(), CashierError> {
    let id = result.merchant_refund_id.clone().ok_or_else(|| {
        CashierError::Notification("refund notification without merchantRefundId".into())
    })?;
    let (refund, outbox) = inner.store.read(|c, _| {
        Ok((store::load_refund(c, &id)?, store::outbox_of(c, Entity::Refund, &id)?))
    })?;
    let refund = refund.ok_or_else(|| CashierError::UnknownRefund(id.clone()))?;
    let result_is_processing = result.status == crate::acquirer::RefundStatus::Processing;
    let refund_was_final = refund.state.is_final();
    let outcome = Outcome {
        event: Some(RefundEvent::Reported(result.status)),
        result: Some(result),
        transport_failure: None,
    };
    let stale = result_is_processing && refund_was_final;
    match commit(inner, refund, outbox, outcome, now, "notification")? {
        Some(reason) if !stale => Err(CashierError::NotificationNotApplied { id, reason }),
        _ => Ok(()),
    }
}
