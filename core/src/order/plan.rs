//! What to do next for a sale or a refund, and when: a pure function of what is known, the
//! policy and the clock. The engine performs the step and feeds the result back.

use std::time::Duration;

use super::attempt::AttemptStatus;
use super::refund::RefundState;

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

/// Timings per method (see the architecture notes); every one is configurable.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Shortest pause between two queries of a payment in progress.
    pub poll_min: Duration,
    /// Longest pause between two queries (the actual pause is jittered in between).
    pub poll_max: Duration,
    /// Pause between queries once a budget is spent and the sale needs attention.
    pub slow_poll: Duration,
    /// How long a customer-presented code stays valid: a code sale that cannot reach the
    /// acquirer within this fails as offline and is never sent later.
    pub code_validity: Duration,
    /// How long a code sale may wait for the customer ("user paying") before it is voided
    /// (where the acquirer can) or flagged for attention.
    pub user_paying_budget: Duration,
    /// How long a QR stays payable when the request does not say.
    pub qr_lifetime: Duration,
    /// Extra time after QR expiry before an unclosed order needs attention.
    pub qr_grace: Duration,
    /// How long a card sale may take on the terminal before it needs attention.
    pub terminal_timeout: Duration,
    /// How long a QR or card sale may wait to reach the acquirer before it fails as offline.
    pub sale_offline_budget: Duration,
    /// First retry delay after a transport failure.
    pub backoff_min: Duration,
    /// Largest retry delay.
    pub backoff_max: Duration,
    /// Longest a refund may wait unsent in the outbox before it is dropped (no money moved).
    pub refund_max_offline_age: Duration,
    /// How long a sale whose request may have left but was "not found" is still watched by
    /// query, counted from the last moment it could have been sent (see `docs/engine.md`):
    /// longer than a request can live in the network and at the acquirer.
    pub unseen_watch: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            poll_min: Duration::from_secs(3),
            poll_max: Duration::from_secs(5),
            slow_poll: Duration::from_secs(30),
            code_validity: Duration::from_secs(60),
            user_paying_budget: Duration::from_secs(60),
            qr_lifetime: Duration::from_secs(300),
            qr_grace: Duration::from_secs(30),
            terminal_timeout: Duration::from_secs(120),
            sale_offline_budget: Duration::from_secs(30),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            refund_max_offline_age: Duration::from_secs(24 * 3600),
            unseen_watch: Duration::from_secs(20 * 60),
        }
    }
}

impl Policy {
    /// Every duration multiplied by `factor`: tests run the real policy in milliseconds.
    pub fn scaled(&self, factor: f64) -> Policy {
        let s = |d: Duration| d.mul_f64(factor.max(0.0));
        Policy {
            poll_min: s(self.poll_min),
            poll_max: s(self.poll_max),
            slow_poll: s(self.slow_poll),
            code_validity: s(self.code_validity),
            user_paying_budget: s(self.user_paying_budget),
            qr_lifetime: s(self.qr_lifetime),
            qr_grace: s(self.qr_grace),
            terminal_timeout: s(self.terminal_timeout),
            sale_offline_budget: s(self.sale_offline_budget),
            backoff_min: s(self.backoff_min),
            backoff_max: s(self.backoff_max),
            refund_max_offline_age: s(self.refund_max_offline_age),
            unseen_watch: s(self.unseen_watch),
        }
    }

    /// Exponential backoff with jitter after `failures` consecutive transport failures.
    pub fn backoff(&self, failures: u32, jitter: f64) -> Duration {
        let exp = self.backoff_min.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
        let capped = exp.min(self.backoff_max);
        // "Equal jitter": half fixed, half random, so retries spread but never collapse to 0.
        capped / 2 + (capped / 2).mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// A poll pause between `poll_min` and `poll_max`.
    pub fn poll(&self, jitter: f64) -> Duration {
        let span = self.poll_max.saturating_sub(self.poll_min);
        self.poll_min + span.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

fn ms(d: Duration) -> Millis {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The kind of sale, which decides its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleKind {
    /// Customer-presented wallet code.
    CustomerCode,
    /// Merchant-presented QR.
    MerchantQr,
    /// Card on a POS terminal.
    Card,
}

/// What the planner needs to know about a sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleView {
    /// The method's kind.
    pub kind: SaleKind,
    /// Its current attempt.
    pub attempt: AttemptStatus,
    /// When the sale was created.
    pub created_at: Millis,
    /// When the QR stops being payable (merchant-presented QR only).
    pub qr_expires_at: Option<Millis>,
    /// The cashier asked to cancel it.
    pub cancel_requested: bool,
    /// The cashier abandoned it: still resolved, never sent (again).
    pub abandoned: bool,
    /// The acquirer offers a cancel/void.
    pub can_cancel: bool,
    /// Consecutive transport failures of the last step (0 after any answer).
    pub failures: u32,
    /// When the last step was tried (0: never).
    pub last_try_at: Millis,
}

/// One step of a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaleStep {
    /// Send (or resend, same requestId) the payment request.
    Send,
    /// Query the attempt's state.
    Query,
    /// Cancel (void) at the acquirer.
    Cancel,
    /// Give the unsent attempt up: too old to send (a wallet code expired offline).
    GiveUp,
    /// Nothing left to do.
    Done,
}

/// A step and when to take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan<S> {
    /// What.
    pub step: S,
    /// When (milliseconds since the epoch).
    pub at: Millis,
    /// Whether the sale or refund has outrun its budget and a person should look at it.
    pub attention: bool,
}

fn retry_at(
    view_last_try: Millis,
    failures: u32,
    policy: &Policy,
    jitter: f64,
    now: Millis,
) -> Millis {
    if failures == 0 {
        now
    } else {
        (view_last_try + ms(policy.backoff(failures, jitter))).max(now.min(view_last_try))
    }
}

/// Plans a sale's next step. `jitter` is a uniform random number in [0, 1).
pub fn plan_sale(view: &SaleView, policy: &Policy, now: Millis, jitter: f64) -> Plan<SaleStep> {
    let plan = |step, at| Plan { step, at, attention: false };
    let after = |d: Duration| view.last_try_at.saturating_add(ms(d));
    match view.attempt {
        AttemptStatus::Prepared => {
            // A cancel holds: an unsent sale the cashier cancelled or abandoned is never sent.
            if view.cancel_requested || view.abandoned {
                return plan(SaleStep::GiveUp, now);
            }
            let deadline = send_deadline(view, policy);
            if now >= deadline {
                return plan(SaleStep::GiveUp, now);
            }
            let at = retry_at(view.last_try_at, view.failures, policy, jitter, now);
            // Never let a backoff carry a sale past its deadline: give up on time instead.
            if at >= deadline {
                plan(SaleStep::GiveUp, deadline)
            } else {
                plan(SaleStep::Send, at)
            }
        }
        AttemptStatus::Unseen => plan_unseen(view, policy, now, jitter),
        AttemptStatus::Unknown => plan(
            SaleStep::Query,
            retry_at(view.last_try_at, view.failures.max(1), policy, jitter, now),
        ),
        AttemptStatus::Processing => {
            if view.failures > 0 {
                let at = retry_at(view.last_try_at, view.failures, policy, jitter, now);
                let step = if view.cancel_requested && view.can_cancel {
                    SaleStep::Cancel
                } else {
                    SaleStep::Query
                };
                return plan(step, at);
            }
            if view.cancel_requested && view.can_cancel {
                // A terminal's cancel stays "processing" until the terminal answers; each cancel
                // answer is the payment's state, as a query's, so it is repeated at the polling
                // pace. The first goes at once: asking for the cancel makes the sale due.
                let at = match view.kind {
                    SaleKind::Card => after(policy.poll(jitter)),
                    _ => now,
                };
                return plan(SaleStep::Cancel, at);
            }
            let age = now.saturating_sub(view.created_at);
            let over_budget = match view.kind {
                SaleKind::CustomerCode => age >= ms(policy.user_paying_budget),
                SaleKind::Card => age >= ms(policy.terminal_timeout),
                SaleKind::MerchantQr => {
                    view.qr_expires_at
                        .unwrap_or_else(|| view.created_at.saturating_add(ms(policy.qr_lifetime)))
                        .saturating_add(ms(policy.qr_grace))
                        <= now
                }
            };
            if over_budget && view.kind == SaleKind::CustomerCode && view.can_cancel {
                // The customer walked away or the wallet hangs: void so it cannot charge later.
                return plan(SaleStep::Cancel, now);
            }
            if over_budget {
                let at = after(policy.slow_poll).max(now.min(after(policy.slow_poll)));
                return Plan { step: SaleStep::Query, at, attention: true };
            }
            let mut at = after(policy.poll(jitter));
            if let (SaleKind::MerchantQr, Some(expiry)) = (view.kind, view.qr_expires_at) {
                // Ask once right at expiry, so the QR closes on time on screen.
                if view.last_try_at < expiry && at > expiry {
                    at = expiry;
                }
            }
            plan(SaleStep::Query, at)
        }
        _ => plan(SaleStep::Done, now),
    }
}

/// The last moment a sale's request may be sent: a wallet code's validity, or the time a QR or
/// card sale may take to reach the acquirer.
fn send_deadline(view: &SaleView, policy: &Policy) -> Millis {
    let budget = match view.kind {
        SaleKind::CustomerCode => policy.code_validity,
        SaleKind::MerchantQr | SaleKind::Card => policy.sale_offline_budget,
    };
    view.created_at.saturating_add(ms(budget))
}

/// An attempt that may have left and that the acquirer has not seen yet. Resent (same
/// `requestId`, which the acquirer deduplicates) only while the sale is wanted and can still be
/// made; otherwise queried, ever less often, until the watch window has passed.
fn plan_unseen(view: &SaleView, policy: &Policy, now: Millis, jitter: f64) -> Plan<SaleStep> {
    let plan = |step, at| Plan { step, at, attention: false };
    let deadline = send_deadline(view, policy);
    let watch_end = deadline.saturating_add(ms(policy.unseen_watch));
    if now >= watch_end {
        return plan(SaleStep::GiveUp, now);
    }
    let retry = retry_at(view.last_try_at, view.failures, policy, jitter, now);
    // An abandoned sale is no longer wanted: watched, never resent to a terminal nobody
    // is standing at.
    if !view.cancel_requested && !view.abandoned && retry < deadline {
        return plan(SaleStep::Send, retry);
    }
    // Paced by the attempt's age: a 20-minute watch costs a few dozen queries, not hundreds.
    let age = view.last_try_at.saturating_sub(view.created_at);
    let pace =
        (age / 4).clamp(ms(policy.poll_min), ms(policy.backoff_max).max(ms(policy.poll_min)));
    let at = view.last_try_at.saturating_add(pace).max(retry).min(watch_end);
    plan(SaleStep::Query, at)
}

/// One step of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStep {
    /// Send (or resend, same merchantRefundId) the refund.
    Send,
    /// Query it.
    Query,
    /// Drop it: unsent for longer than the offline limit.
    GiveUp,
    /// Nothing left to do.
    Done,
}

/// What the planner needs to know about a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundView {
    /// Its state.
    pub state: RefundState,
    /// When it was created.
    pub created_at: Millis,
    /// Consecutive transport failures of the last step.
    pub failures: u32,
    /// When the last step was tried (0: never).
    pub last_try_at: Millis,
    /// How long it has existed on the acquirer's clock, when that is known (the local clock
    /// may have been set since it was created).
    pub acquirer_age: Option<Millis>,
}

/// Plans a refund's next step.
pub fn plan_refund(
    view: &RefundView,
    policy: &Policy,
    now: Millis,
    jitter: f64,
) -> Plan<RefundStep> {
    let plan = |step, at| Plan { step, at, attention: false };
    match view.state {
        RefundState::Queued => {
            let limit = ms(policy.refund_max_offline_age);
            let retry = retry_at(view.last_try_at, view.failures, policy, jitter, now);
            match view.acquirer_age {
                Some(age) if age >= limit => plan(RefundStep::GiveUp, now),
                // Too old by this device's clock alone: ask the acquirer (its answer carries
                // its clock) before dropping what the merchant asked for.
                None if now.saturating_sub(view.created_at) >= limit => {
                    plan(RefundStep::Query, retry)
                }
                _ => plan(RefundStep::Send, retry),
            }
        }
        RefundState::Unknown => plan(
            RefundStep::Query,
            retry_at(view.last_try_at, view.failures.max(1), policy, jitter, now),
        ),
        RefundState::Processing => {
            let at = if view.failures > 0 {
                retry_at(view.last_try_at, view.failures, policy, jitter, now)
            } else {
                view.last_try_at.saturating_add(ms(policy.poll(jitter)))
            };
            plan(RefundStep::Query, at)
        }
        _ => plan(RefundStep::Done, now),
    }
}
