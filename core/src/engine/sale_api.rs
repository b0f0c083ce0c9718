//! Starting, cancelling and refunding sales: validation and the write-ahead commit, then the
//! first step at once so that the caller sees the acquirer's first answer (or the QR).

use std::time::Duration;

use rust_decimal::Decimal;

use super::config::AlipayRegion;
use super::error::CashierError;
use super::events::CashierEvent;
use super::Cashier;
use crate::acquirer::{TerminalId, WalletMethod};
use crate::money::Amount;
use crate::order::{AttemptEvent, AttemptStatus, Millis, RefundState, SaleKind, SaleStatus};
use crate::paycode::{PaymentCode, WalletFamily};
use crate::store::{self, AttemptRow, Entity, OutboxRow, RefundRow, SaleRow};

/// How the customer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaleMethodInput {
    /// A code scanned from the customer's wallet (digits; whitespace is ignored).
    CustomerCode(String),
    /// A QR for the customer to scan with this wallet.
    MerchantQr(WalletMethod),
    /// A card on this paired POS terminal (see `Cashier::add_terminal`): an empty model takes
    /// the paired one, an empty serial the default terminal.
    Card(TerminalId),
}

/// A sale to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleInput {
    /// The integrator's id for this sale (idempotency key): starting a sale with an id that
    /// exists returns that sale instead of charging again. Generated when `None`.
    pub sale_id: Option<String>,
    /// What to charge.
    pub amount: Amount,
    /// How.
    pub method: SaleMethodInput,
    /// Free text for the acquirer's portal.
    pub remark: Option<String>,
    /// How long the QR of a merchant-presented QR sale stays payable, within the lifetimes the
    /// acquirer accepts (PingPong's `timeExpire`: 1 minute to 3 days); `None` takes the
    /// policy's `qr_lifetime`. Only for [`SaleMethodInput::MerchantQr`].
    pub qr_lifetime: Option<Duration>,
}

/// A refund to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundInput {
    /// The integrator's id for this refund (idempotency key). Generated when `None`.
    pub refund_id: Option<String>,
    /// How much; `None` refunds everything that remains.
    pub amount: Option<Amount>,
    /// Why.
    pub reason: Option<String>,
}

fn check_id(field: &'static str, id: &str) -> Result<(), CashierError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if id.is_empty() || id.len() > 48 || !id.chars().all(ok) {
        return Err(CashierError::InvalidInput {
            field,
            reason: "1–48 characters of A–Z, a–z, 0–9, '-', '_'".into(),
        });
    }
    Ok(())
}

/// A fresh id: time then randomness, so ids sort by creation and never collide.
pub(crate) fn new_id(prefix: &str, now: Millis) -> String {
    format!("{prefix}{now:013}{:08x}", rand::random::<u32>())
}

fn wallet_for(code: &PaymentCode, region: AlipayRegion) -> WalletMethod {
    match (code.family(), region) {
        (WalletFamily::WechatPay, _) => WalletMethod::WechatPay,
        (_, AlipayRegion::Mainland) => WalletMethod::AlipayCn,
        (_, AlipayRegion::HongKong) => WalletMethod::AlipayHk,
    }
}

impl Cashier {
    /// Starts a sale: validates, commits it (write-ahead), then sends it and returns the sale
    /// as the acquirer's first answer left it. The driver takes it from there.
    pub async fn start_sale(&self, input: SaleInput) -> Result<SaleRow, CashierError> {
        let inner = &self.inner;
        inner.check_open()?;
        let now = inner.now();
        let id = match &input.sale_id {
            Some(id) => {
                check_id("sale_id", id)?;
                id.clone()
            }
            None => new_id("S", now),
        };
        let (kind, wallet, terminal, code) = match &input.method {
            SaleMethodInput::CustomerCode(text) => {
                let code = PaymentCode::parse(text)?;
                (
                    SaleKind::CustomerCode,
                    Some(wallet_for(&code, inner.config.alipay_region)),
                    None,
                    Some(code),
                )
            }
            SaleMethodInput::MerchantQr(w) => (SaleKind::MerchantQr, Some(*w), None, None),
            SaleMethodInput::Card(t) => {
                let routed = inner.store.read(|c, _| Ok(super::terminals::route(c, t)))??;
                (SaleKind::Card, None, Some(routed), None)
            }
        };
        if let Some(remark) = &input.remark {
            if remark.chars().count() > 255 {
                return Err(CashierError::InvalidInput {
                    field: "remark",
                    reason: "at most 255 characters".into(),
                });
            }
        }
        let qr_lifetime = match input.qr_lifetime {
            Some(_) if kind != SaleKind::MerchantQr => {
                return Err(CashierError::InvalidInput {
                    field: "qr_lifetime",
                    reason: "only a merchant-presented QR sale has a QR lifetime".into(),
                })
            }
            Some(d) => {
                inner.config.acquirer.check_qr_lifetime(d).map_err(|reason| {
                    CashierError::InvalidInput { field: "qr_lifetime", reason }
                })?;
                d
            }
            None => inner.config.policy.qr_lifetime,
        };
        let qr_expiry = (kind == SaleKind::MerchantQr).then(|| {
            now.saturating_add(u64::try_from(qr_lifetime.as_millis()).unwrap_or(u64::MAX))
        });
        let sale = SaleRow {
            id: id.clone(),
            kind,
            wallet,
            terminal,
            amount: input.amount,
            status: SaleStatus::Queued,
            attention: false,
            attention_reason: None,
            cancel_requested: false,
            remark: input.remark.clone(),
            qr: qr_expiry.map(|t| crate::acquirer::QrCode {
                content: String::new(),
                image_url: None,
                expires_at_unix_ms: Some(t),
            }),
            payment_redirect_url: None,
            acquirer_transaction_id: None,
            result_code: None,
            result_description: None,
            card: None,
            card_details: None,
            code_masked: code.as_ref().map(PaymentCode::masked),
            created_at: now,
            updated_at: now,
            abandoned_at: None,
        };
        // Hold the sale before it exists, so the driver cannot race the first send.
        let guard = inner.locks.lock(Entity::Sale, &id).await;
        let inserted = inner.store.write(|tx, cipher| {
            if let Some(existing) = store::load_sale(tx, &id)? {
                return Ok(Some(existing));
            }
            let request_id = format!("{id}-1");
            let sealed = match &code {
                Some(c) => Some(cipher.seal(&request_id, c.digits().as_bytes())?),
                None => None,
            };
            store::insert_sale(tx, &sale)?;
            store::insert_attempt(
                tx,
                &AttemptRow {
                    request_id,
                    sale_id: id.clone(),
                    seq: 1,
                    status: AttemptStatus::Prepared,
                    sealed_code: sealed,
                    terminal: None,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            store::put_outbox(tx, &OutboxRow::first_send(Entity::Sale, &id, now))?;
            let detail = format!(
                "{} {:?}{}",
                sale.amount,
                kind,
                code.as_ref().map(|c| format!(" code {}", c.masked())).unwrap_or_default()
            );
            store::journal(tx, now, Entity::Sale, &id, "created", &detail)?;
            Ok(None)
        })?;
        if let Some(existing) = inserted {
            drop(guard);
            return same_sale(existing, &sale);
        }
        inner.emit(CashierEvent::SaleChanged(sale.clone()));
        inner.queue_changed();
        super::sale_step::run_locked(inner, &id).await?;
        drop(guard);
        inner.wake.notify_one();
        self.sale(&id)?.ok_or(CashierError::UnknownSale(id))
    }

    /// Cancels a sale: an unsent one at once; one in progress by the acquirer's cancel/void
    /// where it has one. A paid sale is refunded instead.
    pub async fn cancel(&self, sale_id: &str) -> Result<SaleRow, CashierError> {
        let inner = &self.inner;
        inner.check_open()?;
        let guard = inner.locks.lock(Entity::Sale, sale_id).await;
        let now = inner.now();
        let sale = self.sale(sale_id)?.ok_or_else(|| CashierError::UnknownSale(sale_id.into()))?;
        let cannot =
            |reason: &str| CashierError::CannotCancel { id: sale_id.into(), reason: reason.into() };
        match sale.status {
            SaleStatus::Queued => {
                super::sale_step::apply_event(
                    inner,
                    sale_id,
                    AttemptEvent::Withdrawn,
                    None,
                    now,
                    "withdrawn",
                )?;
            }
            // The outcome is unknown: the cancel holds (nothing is ever resent) and the sale
            // stays watched, with or without an acquirer cancel.
            SaleStatus::Unknown => {
                super::sale_step::request_cancel(inner, sale_id, now)?;
                inner.wake.notify_one();
            }
            SaleStatus::Processing | SaleStatus::Cancelling => {
                if !inner.can_cancel_kind(sale.kind) {
                    return Err(cannot(
                        "the acquirer has no cancel; the order closes at its expiry",
                    ));
                }
                super::sale_step::request_cancel(inner, sale_id, now)?;
                inner.wake.notify_one();
            }
            SaleStatus::Paid => return Err(cannot("the sale is paid: refund it instead")),
            SaleStatus::Failed(_) => return Err(cannot("the sale has already ended")),
        }
        drop(guard);
        self.sale(sale_id)?.ok_or_else(|| CashierError::UnknownSale(sale_id.into()))
    }

    /// Refunds all or part of a paid sale. Bounded by what remains; waits in the outbox while
    /// the acquirer is unreachable (within the offline limits) and is never dropped silently.
    pub async fn refund(
        &self,
        sale_id: &str,
        input: RefundInput,
    ) -> Result<RefundRow, CashierError> {
        let inner = &self.inner;
        inner.check_open()?;
        let now = inner.now();
        let sale = self.sale(sale_id)?.ok_or_else(|| CashierError::UnknownSale(sale_id.into()))?;
        if sale.status != SaleStatus::Paid {
            return Err(CashierError::NotPaid(sale_id.into()));
        }
        let id = match &input.refund_id {
            Some(id) => {
                check_id("refund_id", id)?;
                id.clone()
            }
            None => new_id("R", now),
        };
        let guard = inner.locks.lock(Entity::Refund, &id).await;
        let existing = self.refunds(sale_id)?;
        if let Some(same) = existing.iter().find(|r| r.id == id) {
            return match input.amount {
                Some(a) if a != same.amount => Err(CashierError::IdInUse { entity: "refund", id }),
                _ => Ok(same.clone()),
            };
        }
        if self.refund_by_id(&id)?.is_some() {
            return Err(CashierError::IdInUse { entity: "refund", id });
        }
        let held =
            existing.iter().filter(|r| r.state.holds_amount()).try_fold(Decimal::ZERO, |acc, r| {
                if r.amount.currency() == sale.amount.currency() {
                    Ok(acc + r.amount.value())
                } else {
                    Err(())
                }
            });
        let held = held.map_err(|_| CashierError::Config("refund in another currency".into()))?;
        let remaining = sale.amount.value() - held;
        let amount = match input.amount {
            Some(a) => a,
            None if remaining > Decimal::ZERO => Amount::new(remaining, sale.amount.currency())?,
            None => {
                return Err(CashierError::RefundTooLarge {
                    requested: sale.amount,
                    remaining: format!("0 {}", sale.amount.currency()),
                })
            }
        };
        if amount.currency() != sale.amount.currency() {
            return Err(CashierError::InvalidInput {
                field: "amount",
                reason: format!("the sale is in {}", sale.amount.currency()),
            });
        }
        if amount.value() > remaining {
            return Err(CashierError::RefundTooLarge {
                requested: amount,
                remaining: format!("{remaining} {}", sale.amount.currency()),
            });
        }
        if inner.online() == Some(false) {
            super::queue::check_offline_limits(inner, &amount)?;
        }
        let refund = RefundRow {
            id: id.clone(),
            sale_id: sale_id.into(),
            amount,
            state: RefundState::Queued,
            full: held.is_zero() && amount.value() == sale.amount.value(),
            reason: input.reason.clone(),
            acquirer_refund_id: None,
            result_code: None,
            result_description: None,
            attention: false,
            attention_reason: None,
            created_at: now,
            updated_at: now,
        };
        let raced = inner.store.write(|tx, _| {
            // Checked again inside the transaction: another refund of this sale (another id,
            // so another lock) may have been committed since the check above.
            let held_now = store::refunds_held(tx, sale_id)?;
            if held_now + amount.value() > sale.amount.value() {
                return Ok(Some(held_now));
            }
            store::queue_new_refund(tx, &refund, now, "")?;
            Ok(None)
        })?;
        if let Some(held_now) = raced {
            return Err(CashierError::RefundTooLarge {
                requested: amount,
                remaining: format!("{} {}", sale.amount.value() - held_now, sale.amount.currency()),
            });
        }
        inner.emit(CashierEvent::RefundChanged(refund));
        inner.queue_changed();
        match super::refund_step::run_locked(inner, &id).await {
            Ok(()) => {}
            // A store failure before anything left (the `sending` mark could not be written on
            // a full disk): the refund is written and waits, queued, for the driver. A failure
            // after the request left is `OutcomeUnknown`, never a store error.
            Err(CashierError::Store(e)) => log::warn!("refund {id}: first step not run: {e}"),
            Err(e) => return Err(e),
        }
        drop(guard);
        inner.wake.notify_one();
        self.refund_by_id(&id)?.ok_or(CashierError::UnknownRefund(id))
    }
}

/// A sale id used again: the same sale is returned (no second charge); a different one is an
/// error.
fn same_sale(existing: SaleRow, asked: &SaleRow) -> Result<SaleRow, CashierError> {
    if existing.amount == asked.amount && existing.kind == asked.kind {
        Ok(existing)
    } else {
        Err(CashierError::IdInUse { entity: "sale", id: existing.id })
    }
}
