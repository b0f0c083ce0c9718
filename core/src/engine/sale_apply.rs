//! The pure part of a sale step: an outcome applied to the sale as it is, through the attempt
//! machine, the sale's allowed changes and the planner. No I/O: `sale_step` reads the rows and
//! writes what this decides, in one transaction.

use super::sale_io::Outcome;
use super::Inner;
use crate::acquirer::PaymentResult;
use crate::order::{
    next_note, plan_sale, refine, AttemptEvent, AttemptStatus, AttentionReason, Millis, NoteNews,
    SaleStatus, SaleStep, SaleView, TerminalNote,
};
use crate::store::{Entity, OutboxRow, SaleRow};

/// The sale, its current attempt and its outbox row, as the store holds them.
pub(super) type Loaded = (SaleRow, crate::store::AttemptRow, Option<OutboxRow>);

pub(super) fn step_name(step: SaleStep) -> &'static str {
    match step {
        SaleStep::Send => "send",
        SaleStep::Query => "query",
        SaleStep::Cancel => "cancel",
        SaleStep::GiveUp => "give_up",
        SaleStep::Done => "done",
    }
}

pub(super) fn view(
    sale: &SaleRow,
    attempt: AttemptStatus,
    outbox: Option<&OutboxRow>,
    can_cancel: bool,
) -> SaleView {
    SaleView {
        kind: sale.kind,
        attempt,
        created_at: sale.created_at,
        qr_expires_at: sale.qr.as_ref().and_then(|q| q.expires_at_unix_ms),
        cancel_requested: sale.cancel_requested,
        abandoned: sale.abandoned_at.is_some(),
        can_cancel,
        failures: outbox.map_or(0, |o| o.failures),
        last_try_at: outbox.map_or(0, |o| o.last_try_at),
    }
}

/// What applying an outcome to a sale decided: the pure part of a commit.
pub(super) struct Applied {
    pub sale: SaleRow,
    pub attempt: AttemptStatus,
    /// What the terminal said about the attempt, after this outcome.
    pub note: Option<TerminalNote>,
    pub changed: bool,
    /// A reason for attention this outcome newly gave the sale.
    pub attention: Option<AttentionReason>,
    /// The machines refused the outcome's news (nothing changed then).
    pub refusal: Option<String>,
    /// Charged after the cashier cancelled, and the merchant wants such charges refunded.
    pub auto_refund: bool,
    pub journal: Vec<(String, String)>,
    pub next_outbox: Option<OutboxRow>,
}

/// Applies an outcome to the sale as loaded: the attempt machine, the sale's allowed changes,
/// the planner's next step. No I/O.
pub(super) fn apply(
    inner: &Inner,
    (mut sale, attempt, outbox): Loaded,
    outcome: &Outcome,
    now: Millis,
    step: &str,
) -> Applied {
    let before = sale.clone();
    let mut new_attempt = attempt.status;
    let mut journal: Vec<(String, String)> = Vec::new();
    let mut refusal = None;
    let mut note = next_note(attempt.terminal.as_ref(), attempt.status, &note_news(outcome));
    if note != attempt.terminal {
        let text = note.as_ref().map_or_else(String::new, TerminalNote::as_db);
        journal.push(("terminal".into(), text));
    }
    // A "not found" after the terminal refused the send ends the sale; otherwise it is only
    // "not seen yet".
    if let Some(event) = outcome.event.map(|e| refine(e, attempt.terminal.as_ref())) {
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
    if let Some(m) = &outcome.mismatch {
        log::warn!("sale {}: answer mismatch on {}: {}", sale.id, m.field, m.detail);
        journal.push(("answer_mismatch".into(), format!("{}: {}", m.field, m.detail)));
        flag(&mut sale, AttentionReason::AnswerMismatch { field: m.field.to_string() });
    }
    if outcome.unresolvable {
        flag(&mut sale, AttentionReason::Unresolvable);
    }
    if outcome.unverified {
        flag(&mut sale, AttentionReason::UnverifiedAnswer);
    }
    let to = SaleStatus::derive_noted(new_attempt, sale.cancel_requested, note.as_ref());
    match sale.status.check(to) {
        Ok(()) => {
            if matches!(before.status, SaleStatus::Failed(_)) && to == SaleStatus::Paid {
                // The acquirer charged after all: record it and make sure a person looks.
                flag(&mut sale, AttentionReason::LateSuccess);
                journal.push(("late_success".into(), "charged after the sale had ended".into()));
            }
            if before.abandoned_at.is_some() && before.status != to && to == SaleStatus::Paid {
                // Off the cashier's screen, yet charged: kept as paid, never refunded by
                // itself, and back in front of a person.
                flag(&mut sale, AttentionReason::PaidAfterAbandon);
                journal
                    .push(("paid_after_abandon".into(), "charged after it was abandoned".into()));
            }
            sale.status = to;
        }
        Err(refused) => {
            log::warn!("sale {}: {refused}", sale.id);
            journal.push(("refused_transition".into(), refused.to_string()));
            refusal = Some(refused.to_string());
            new_attempt = attempt.status;
            note = attempt.terminal.clone();
        }
    }
    let charged_after_cancel =
        refusal.is_none() && super::late_charge::detect(&before, sale.status);
    if charged_after_cancel {
        log::warn!("sale {}: charged after the cashier cancelled it", sale.id);
        flag(&mut sale, AttentionReason::ChargedAfterCancel);
        journal.push((super::late_charge::KIND.into(), "refund or keep".into()));
    }
    let auto_refund = charged_after_cancel && inner.config.refund_charged_after_cancel;
    let failures = match &outcome.transport_failure {
        Some(_) => outbox.as_ref().map_or(0, |o| o.failures) + 1,
        None => 0,
    };
    let can_cancel = inner.can_cancel_kind(sale.kind);
    let mut next_view = view(&sale, new_attempt, outbox.as_ref(), can_cancel);
    next_view.failures = failures;
    next_view.last_try_at = now;
    let plan = plan_sale(&next_view, &inner.config.policy, now, rand::random());
    if plan.attention {
        flag(&mut sale, AttentionReason::NotResolved);
    }
    let changed = sale != before || new_attempt != attempt.status || note != attempt.terminal;
    if changed {
        sale.updated_at = now;
        journal.push((format!("{step}:{}", sale.status.as_str()), describe(&sale, outcome)));
    }
    let next_outbox = (plan.step != SaleStep::Done).then(|| OutboxRow {
        step: step_name(plan.step).into(),
        due_at: plan.at,
        failures,
        last_error: outcome.transport_failure.clone(),
        ..OutboxRow::after_step(outbox.as_ref(), Entity::Sale, &sale.id, now)
    });
    let attention = (sale.attention_reason != before.attention_reason)
        .then(|| sale.attention_reason.clone())
        .flatten();
    Applied {
        sale,
        attempt: new_attempt,
        note,
        changed,
        attention,
        refusal,
        auto_refund,
        journal,
        next_outbox,
    }
}

/// What an outcome tells about the terminal.
fn note_news(outcome: &Outcome) -> NoteNews {
    let reported = match outcome.event {
        Some(AttemptEvent::Reported(status)) => {
            Some((status, outcome.result.as_ref().and_then(|r| r.terminal_result)))
        }
        _ => None,
    };
    NoteNews { sent: outcome.sent, refusal: outcome.terminal_refusal.clone(), reported }
}

/// Sets the attention flag and its reason, unless the sale already has a more telling one.
pub(super) fn flag(sale: &mut SaleRow, reason: AttentionReason) {
    sale.attention = true;
    if sale.attention_reason.as_ref().is_none_or(|old| reason.outranks(old)) {
        sale.attention_reason = Some(reason);
    }
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
    if r.payment_redirect_url.is_some() {
        sale.payment_redirect_url = r.payment_redirect_url.clone();
    }
    if r.card.is_some() {
        sale.card = r.card.clone();
    }
    if r.card_details.as_ref().is_some_and(|d| !d.is_empty()) {
        sale.card_details = r.card_details.clone();
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
