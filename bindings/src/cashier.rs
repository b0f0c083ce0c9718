//! The `Cashier` object: one register's durable payment engine. Each method converts its
//! arguments, forwards to the core and converts the answer; the behaviour lives in the core.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tillkit_core::engine::{Cashier as CoreCashier, RefundInput, SaleInput, SaleMethodInput};
use tillkit_core::money::Amount;

use crate::config::CashierConfig;
use crate::error::TillKitError;
use crate::events::{EventListener, Listeners, Subscription};
use crate::http::HttpTransport;
use crate::ints::{int_of, ms_arg};
use crate::money::Money;
use crate::platform::{KeyStore, KeyStoreBridge};
use crate::runtime::{blocking, detach, run};
use crate::terminals::Terminal;
use crate::types::{
    HistoryFilter, JournalLine, QueueStatus, Refund, Sale, TerminalId, WalletMethod,
};

type Result<T> = std::result::Result<T, TillKitError>;

/// One register's payment engine. Every sale and refund is written to its database before
/// anything is sent, and driven to its end in the background, even across app restarts.
///
/// Async calls run to completion even when the caller stops waiting (a cancelled coroutine or
/// task): the outcome then arrives as events. Closing the object (Kotlin `close()`/`use {}`,
/// Swift deinit) stops the background work; what is in flight resumes at the next `open`.
#[derive(uniffi::Object)]
pub struct Cashier {
    core: CoreCashier,
    listeners: Arc<Listeners>,
    /// The listener given to `open`, kept for the cashier's lifetime.
    _main: Subscription,
}

#[uniffi::export(async_runtime = "tokio")]
impl Cashier {
    /// Opens the cashier on `data_dir` (created if missing): the database, the acquirer's
    /// secret from `key_store`, then recovery of anything in flight. `listener` receives every
    /// event from now on. `http_transport` sends the requests to the acquirer; `null` uses the
    /// library's own client, which the Android and iOS libraries do not have (`hasBundledHttp`).
    #[uniffi::constructor(default(http_transport = None))]
    pub async fn open(
        config: CashierConfig,
        data_dir: String,
        key_store: Arc<dyn KeyStore>,
        listener: Arc<dyn EventListener>,
        http_transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Arc<Self>> {
        let config = config.into_core(crate::http::transport(http_transport))?;
        let listeners = Arc::new(Listeners::default());
        let main = listeners.add(listener);
        let keys = Arc::new(KeyStoreBridge(key_store));
        let core_listener = listeners.clone();
        let core = run(async move {
            Ok(CoreCashier::open(config, &PathBuf::from(data_dir), keys, core_listener).await?)
        })
        .await?;
        Ok(Arc::new(Cashier { core, listeners, _main: main }))
    }

    /// Charges a code scanned from the customer's wallet. Returns the sale as the acquirer's
    /// first answer left it: paid, declined, or waiting for the customer (then events follow).
    /// `sale_id` makes the call idempotent: the same id returns the same sale, never a second
    /// charge.
    #[uniffi::method(default(sale_id = None, remark = None))]
    pub async fn pay_by_code(
        &self,
        amount: Money,
        code: String,
        sale_id: Option<String>,
        remark: Option<String>,
    ) -> Result<Sale> {
        self.start(amount, SaleMethodInput::CustomerCode(code), sale_id, remark, None).await
    }

    /// Asks the acquirer for a QR code for the customer to scan with `wallet`. The returned
    /// sale carries the QR to show (`hint` = `SHOW_QR`); the payment arrives as events.
    /// `qr_lifetime_ms` (60 000 to 259 200 000, one minute to three days) is how long this QR
    /// stays payable; `null` takes the configured `qr_lifetime_ms`.
    #[uniffi::method(default(sale_id = None, remark = None, qr_lifetime_ms = None))]
    pub async fn pay_by_qr(
        &self,
        amount: Money,
        wallet: WalletMethod,
        sale_id: Option<String>,
        remark: Option<String>,
        qr_lifetime_ms: Option<i64>,
    ) -> Result<Sale> {
        let lifetime = qr_lifetime_ms
            .map(|v| ms_arg("qr_lifetime_ms", v))
            .transpose()?
            .map(Duration::from_millis);
        self.start(amount, SaleMethodInput::MerchantQr(wallet), sale_id, remark, lifetime).await
    }

    /// Routes a card sale to a paired POS terminal (`addTerminal`): its serial, with its model
    /// or an empty model (the paired one is used); an empty serial means the default terminal.
    /// An unpaired terminal is refused with `UnknownTerminal` before anything is sent. The
    /// returned sale waits for the card; the outcome arrives as events.
    #[uniffi::method(default(sale_id = None, remark = None))]
    pub async fn pay_by_card(
        &self,
        amount: Money,
        terminal: TerminalId,
        sale_id: Option<String>,
        remark: Option<String>,
    ) -> Result<Sale> {
        self.start(amount, SaleMethodInput::Card(terminal), sale_id, remark, None).await
    }

    /// Cancels a sale that is not paid: at once if unsent, else through the acquirer where it
    /// has a cancel. A paid sale is refunded instead.
    pub async fn cancel(&self, sale_id: String) -> Result<Sale> {
        let core = self.core.clone();
        run(async move { Ok(core.cancel(&sale_id).await?.into()) }).await
    }

    /// Abandons a card or QR sale that is stuck (not ended): it leaves the cashier's list
    /// (`Sale.abandonedAtMs` is set; `history` leaves it out unless `includeAbandoned`) and is
    /// still resolved in the background, never sent again. A charge that comes later ends it
    /// paid with `AttentionReason.PaidAfterAbandon`. A sale that has ended cannot be abandoned
    /// (`CannotAbandon`).
    pub async fn abandon_sale(&self, sale_id: String) -> Result<Sale> {
        let core = self.core.clone();
        run(async move { Ok(core.abandon_sale(&sale_id).await?.into()) }).await
    }

    /// Refunds `amount` of a paid sale, or everything that remains when `amount` is `null`.
    /// `refund_id` makes the call idempotent. While offline the refund waits in the queue.
    #[uniffi::method(default(amount = None, refund_id = None, reason = None))]
    pub async fn refund(
        &self,
        sale_id: String,
        amount: Option<Money>,
        refund_id: Option<String>,
        reason: Option<String>,
    ) -> Result<Refund> {
        let amount = amount.map(Amount::try_from).transpose()?;
        let input = RefundInput { refund_id, amount, reason };
        let core = self.core.clone();
        run(async move { Ok(core.refund(&sale_id, input).await?.into()) }).await
    }

    /// The sale with this id, or `null`.
    pub async fn sale(&self, id: String) -> Result<Option<Sale>> {
        self.store_call(move |c| Ok(c.sale(&id)?.map(Sale::from))).await
    }

    /// The refunds of a sale, oldest first.
    pub async fn refunds(&self, sale_id: String) -> Result<Vec<Refund>> {
        self.store_call(move |c| Ok(c.refunds(&sale_id)?.into_iter().map(Refund::from).collect()))
            .await
    }

    /// The refund with this id, or `null`.
    pub async fn refund_by_id(&self, id: String) -> Result<Option<Refund>> {
        self.store_call(move |c| Ok(c.refund_by_id(&id)?.map(Refund::from))).await
    }

    /// Sales, newest first (`HistoryFilter()`: the newest 100).
    #[uniffi::method(default(filter = None))]
    pub async fn history(&self, filter: Option<HistoryFilter>) -> Result<Vec<Sale>> {
        let filter = filter.unwrap_or_default().try_into()?;
        self.store_call(move |c| Ok(c.history(&filter)?.into_iter().map(Sale::from).collect()))
            .await
    }

    /// What remains refundable of a sale (zero unless paid; waiting refunds count), so that the
    /// UI never computes it. An unknown sale is `UnknownSale`.
    pub async fn refundable(&self, sale_id: String) -> Result<Money> {
        self.store_call(move |c| {
            let sale = c.sale(&sale_id)?.ok_or(TillKitError::UnknownSale { id: sale_id })?;
            let remaining = c.refundable_of(&sale)?;
            Ok(Money {
                amount: remaining.to_string(),
                currency: sale.amount.currency().code().to_string(),
            })
        })
        .await
    }

    /// Whether `cancel` can stop this sale now (the UI shows its Cancel button from this).
    pub async fn can_cancel(&self, sale_id: String) -> Result<bool> {
        self.store_call(move |c| {
            let sale = c.sale(&sale_id)?.ok_or(TillKitError::UnknownSale { id: sale_id })?;
            Ok(c.can_cancel(&sale))
        })
        .await
    }

    /// Every change of a sale, oldest first.
    pub async fn journal(&self, sale_id: String) -> Result<Vec<JournalLine>> {
        self.store_call(move |c| {
            Ok(c.journal(&sale_id)?.into_iter().map(JournalLine::from).collect())
        })
        .await
    }

    /// Pairs a POS terminal (or renames it, or corrects its model); the first one paired is the
    /// default. Card sales go only to paired terminals.
    #[uniffi::method(default(label = None))]
    pub async fn add_terminal(
        &self,
        serial: String,
        model: String,
        label: Option<String>,
    ) -> Result<Terminal> {
        self.store_call(move |c| Ok(c.add_terminal(&serial, &model, label.as_deref())?.into()))
            .await
    }

    /// Forgets a terminal.
    pub async fn remove_terminal(&self, serial: String) -> Result<()> {
        self.store_call(move |c| Ok(c.remove_terminal(&serial)?)).await
    }

    /// Makes a paired terminal the default (`payByCard` with an empty serial goes there).
    pub async fn set_default_terminal(&self, serial: String) -> Result<()> {
        self.store_call(move |c| Ok(c.set_default_terminal(&serial)?)).await
    }

    /// The paired terminals, the default first.
    pub async fn terminals(&self) -> Result<Vec<Terminal>> {
        self.store_call(|c| Ok(c.terminals()?.into_iter().map(Terminal::from).collect())).await
    }

    /// What waits in the outbox (the queue badge).
    pub async fn queue_status(&self) -> Result<QueueStatus> {
        self.store_call(|c| Ok(c.queue_status()?.into())).await
    }

    /// Sends everything waiting now (e.g. when the app sees the network come back). Returns how
    /// many steps were waiting.
    pub async fn forward_now(&self) -> Result<i32> {
        self.store_call(|c| Ok(int_of(c.forward_now()?))).await
    }

    /// Whether the acquirer answered the last request (`null` before any request).
    pub fn online(&self) -> Option<bool> {
        self.core.online()
    }

    /// Verifies and applies an asynchronous notification the app's server received from the
    /// acquirer (the raw body). Returns the body to answer the acquirer with.
    pub async fn handle_notification(&self, body: Vec<u8>) -> Result<String> {
        let core = self.core.clone();
        run(async move { Ok(core.handle_notification(&body).await?) }).await
    }

    /// Adds a listener until the returned handle is cancelled or closed.
    pub fn subscribe(&self, listener: Arc<dyn EventListener>) -> Arc<Subscription> {
        Arc::new(self.listeners.add(listener))
    }

    /// Stops the background work and waits for it; what is in flight resumes at the next `open`.
    /// Call it before reopening the same data directory, then stop using this object.
    pub async fn shutdown(&self) -> Result<()> {
        let core = self.core.clone();
        run(async move {
            core.close().await;
            Ok(())
        })
        .await
    }
}

impl Cashier {
    /// Runs a store call of the core off the caller's thread.
    pub(crate) async fn store_call<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&CoreCashier) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let core = self.core.clone();
        blocking(move || f(&core)).await
    }

    async fn start(
        &self,
        amount: Money,
        method: SaleMethodInput,
        sale_id: Option<String>,
        remark: Option<String>,
        qr_lifetime: Option<Duration>,
    ) -> Result<Sale> {
        let amount = Amount::try_from(amount)?;
        let input = SaleInput { sale_id, amount, method, remark, qr_lifetime };
        let core = self.core.clone();
        run(async move { Ok(core.start_sale(input).await?.into()) }).await
    }
}

impl Drop for Cashier {
    fn drop(&mut self) {
        let core = self.core.clone();
        detach(async move { core.close().await });
    }
}
