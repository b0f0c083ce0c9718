// The app's state: which screen, the amount being typed, the sale on screen. Every payment
// decision (amount rules, code rules, what a sale's state means, whether it can be cancelled)
// comes from the core. Nothing here does I/O on the main thread: the cashier's calls are
// suspending (the core runs them on its own threads) and the key store is used on
// Dispatchers.IO. Every failure is caught and shown as localised words (Words.kt).
package io.tillkit.app

import android.app.Application
import android.content.Context
import android.content.Intent
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import io.tillkit.HttpUrlConnectionTransport
import io.tillkit.core.AcquirerConfig
import io.tillkit.core.AlipayRegion
import io.tillkit.core.Cashier
import io.tillkit.core.CashierConfig
import io.tillkit.core.HistoryFilter
import io.tillkit.core.HttpTransport
import io.tillkit.core.Money
import io.tillkit.core.Platform
import io.tillkit.core.QueueStatus
import io.tillkit.core.ReceiptSettings
import io.tillkit.core.Refund
import io.tillkit.core.Sale
import io.tillkit.core.ScanOutcome
import io.tillkit.core.SignType
import io.tillkit.core.Terminal
import io.tillkit.core.TerminalId
import io.tillkit.core.WalletMethod
import io.tillkit.core.moneyFromMinorUnits
import io.tillkit.core.parseMoney
import io.tillkit.queueUpdates
import io.tillkit.saleUpdates
import java.util.UUID
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.catch
import kotlinx.coroutines.flow.emitAll
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

sealed interface Screen {
    data object Amount : Screen
    data class Method(val money: Money, val saleId: String) : Screen
    data class ScanCode(val money: Money, val saleId: String) : Screen
    data object Progress : Screen
    data object History : Screen
    data class RefundSale(val sale: Sale) : Screen
    data class Receipt(val saleId: String) : Screen
    data object Report : Screen
    data object Terminals : Screen
    data object Agent : Screen
}

/** What the refund screen shows about a sale: its refunds, what they add up to, what remains. */
data class RefundView(val refunds: List<Refund>, val refunded: Money, val refundable: Money)

class CashierModel(app: Application) : AndroidViewModel(app) {
    private val tillkit = app as TillKitApp

    /**
     * The process's cashier (opened on first use, then shared); a failed open is tried again at
     * the next action. Key-store I/O on Dispatchers.IO.
     */
    private suspend fun cashier(): Cashier = withContext(Dispatchers.IO) {
        // The sandbox's published test salt; a real app provisions its salt into the key store.
        if (tillkit.keys.get(SALT_KEY) == null) tillkit.keys.put(SALT_KEY, SANDBOX_SALT.toByteArray())
        tillkit.cashiers.get(tillkit.cashierDir, ::config, ::http)
    }

    /** The currencies the amount can be typed in (HKD for AlipayHK and Hong Kong shops). */
    val currencies = listOf("CNY", "HKD")
    var currency by mutableStateOf("CNY")
    var screen by mutableStateOf<Screen>(Screen.Amount)
    var amountUnits by mutableStateOf(0L)
    var sale by mutableStateOf<Sale?>(null)
    /** Whether the sale on screen can be cancelled now (the core decides). */
    var canCancel by mutableStateOf(false)
    var error by mutableStateOf<String?>(null)
    var history by mutableStateOf<List<Sale>>(emptyList())
    var refundView by mutableStateOf<RefundView?>(null)
    /** The paired terminals, the default first (card sales go only to these). */
    var terminals by mutableStateOf<List<Terminal>>(emptyList())
    /** What the last scan that started no sale said (a used code, not a payment code). */
    var scanMessage by mutableStateOf<String?>(null)
    var receipt by mutableStateOf<String?>(null)
    var report by mutableStateOf<String?>(null)

    val queue = flow { emitAll(cashier().queueUpdates()) }
        .catch { e -> error = Words.error(app, e) }
        .stateIn(viewModelScope, SharingStarted.Eagerly, null as QueueStatus?)

    private var following: Job? = null

    init {
        act { c -> terminals = c.terminals() }
    }

    /** The typed amount, formatted by the core for the currency, or null when zero. */
    fun money(): Money? = if (amountUnits == 0L) null else runCatching { moneyFromMinorUnits(amountUnits, currency) }.getOrNull()

    fun digit(d: Int) {
        if (amountUnits < 100_000_000_000L) amountUnits = amountUnits * 10 + d
    }

    fun clear() { amountUnits = 0 }

    fun chooseCurrency(code: String) { currency = code; amountUnits = 0 }

    /** One sale id per checkout: a repeated tap or a retry returns the same sale, never a second charge. */
    fun checkout() = money()?.let { screen = Screen.Method(it, UUID.randomUUID().toString()) }

    fun payByCode(m: Screen.ScanCode, code: String) = start { it.payByCode(m.money, code, saleId = m.saleId) }
    fun payByQr(m: Screen.Method, wallet: WalletMethod) = start { it.payByQr(m.money, wallet, saleId = m.saleId) }
    fun payByCard(m: Screen.Method, t: Terminal) =
        start { it.payByCard(m.money, TerminalId(t.serial, t.model), saleId = m.saleId) }

    /** A code from the camera, a terminal's scanner or a scan gun; only the scan screen takes it. */
    fun onScanned(outcome: ScanOutcome) {
        val m = screen as? Screen.ScanCode ?: return
        if (outcome is ScanOutcome.PaymentCode) {
            scanMessage = null
            payByCode(m, outcome.code)
        } else {
            scanMessage = Words.scan(getApplication<Application>(), outcome)
        }
    }

    fun cancelSale() = act { c -> sale?.let { show(c, c.cancel(it.id)) } }

    /** Stops waiting for a stuck sale: it leaves the screen and is still resolved in the background. */
    fun abandonSale() = act { c -> sale?.let { show(c, c.abandonSale(it.id)) } }

    fun showHistory() = act { c ->
        history = c.history(HistoryFilter(limit = 100))
        screen = Screen.History
    }

    fun openRefund(s: Sale) = act { c ->
        refundView = refundViewOf(c, s)
        screen = Screen.RefundSale(s)
    }

    /** Refunds [amountText] of the sale (everything that remains when blank); the core checks the amount. */
    fun refund(s: Sale, amountText: String) = act { c ->
        val amount = amountText.trim().takeIf { it.isNotEmpty() }?.let { parseMoney(it, s.amount.currency) }
        c.refund(s.id, amount = amount)
        refundView = refundViewOf(c, s)
    }

    fun showReceipt(saleId: String) = act { c ->
        receipt = c.receiptText(saleId, locale = localeTag())
        screen = Screen.Receipt(saleId)
    }

    fun showReport() = act { c ->
        report = reportText(c)
        screen = Screen.Report
    }

    /** Pairs a terminal in the core's registry; the core validates the serial and model. */
    fun pair(serial: String, model: String, label: String) = act { c ->
        c.addTerminal(serial.trim(), model.trim(), label.trim().ifEmpty { null })
        terminals = c.terminals()
    }

    fun makeDefault(t: Terminal) = act { c -> c.setDefaultTerminal(t.serial); terminals = c.terminals() }

    fun unpair(t: Terminal) = act { c -> c.removeTerminal(t.serial); terminals = c.terminals() }

    fun newSale() {
        following?.cancel()
        sale = null
        amountUnits = 0
        screen = Screen.Amount
    }

    /**
     * Prints on the device's printer (a terminal's built-in printer is a print service); a
     * printer fault shows as an error and the sale stays as it is.
     */
    fun printReceipt(context: Context, saleId: String) = act { c ->
        c.printReceipt(saleId, Receipts.SystemPrinter(context), locale = localeTag())
    }

    /** Shares the receipt as TillKit's PNG (written off the main thread) through the share sheet. */
    fun shareReceipt(context: Context, saleId: String) = viewModelScope.launch {
        try {
            val png = cashier().receiptPng(saleId, locale = localeTag())
            val uri = withContext(Dispatchers.IO) { Receipts.writePng(context, png) }
            val send = Intent(Intent.ACTION_SEND)
                .setType("image/png")
                .putExtra(Intent.EXTRA_STREAM, uri)
                .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
            context.startActivity(Intent.createChooser(send, context.getString(R.string.share_receipt)))
        } catch (e: Exception) {
            error = Words.error(context, e)
        }
    }

    /** The device's language for receipts (`zh-Hant-TW`, `en-GB`…); TillKit takes the nearest. */
    private fun localeTag(): String = java.util.Locale.getDefault().toLanguageTag()

    /** The merchant's current offset from UTC, for receipt times (follows summer time at open). */
    private fun utcOffsetMinutes(): Int =
        java.util.TimeZone.getDefault().getOffset(System.currentTimeMillis()) / 60_000

    /** The open shift's report (since the last close) as text, times in the device's zone. */
    private suspend fun reportText(c: Cashier): String? {
        val offsetMs = java.util.TimeZone.getDefault().getOffset(System.currentTimeMillis())
        return c.reportText(utcOffsetMinutes = offsetMs / 60_000)
    }

    private suspend fun refundViewOf(c: Cashier, s: Sale): RefundView {
        val refunds = c.refunds(s.id)
        val refundable = c.refundable(s.id)
        // What is held by refunds is the sale less what remains; the core did the arithmetic.
        val refunded = parseMoney(
            (s.amount.amount.toBigDecimal() - refundable.amount.toBigDecimal()).toPlainString(),
            s.amount.currency,
        )
        return RefundView(refunds, refunded, refundable)
    }

    private suspend fun show(c: Cashier, s: Sale) {
        sale = s
        canCancel = !s.isFinal && c.canCancel(s.id)
    }

    private fun start(call: suspend (Cashier) -> Sale) = act { c ->
        val started = call(c)
        show(c, started)
        screen = Screen.Progress
        following?.cancel()
        following = viewModelScope.launch {
            c.saleUpdates(started.id)
                .catch { e -> error = Words.error(getApplication<Application>(), e) }
                .collect { show(c, it) }
        }
    }

    private fun act(block: suspend (Cashier) -> Unit) = viewModelScope.launch {
        error = null
        try {
            block(cashier())
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            error = Words.error(getApplication<Application>(), e)
        }
    }

    private fun config() = CashierConfig(
        acquirer = AcquirerConfig.PingPong(
            baseUrl = BuildConfig.ACQUIRER_URL,
            accId = "2018092714313010016291",
            clientId = "2018092714313010016",
            signType = SignType.SHA256,
            saltKey = SALT_KEY,
        ),
        cashierDeviceId = "android-demo",
        // Alipay codes scanned in a Hong Kong shop are AlipayHK; the merchant QR picks its wallet.
        alipayRegion = AlipayRegion.MAINLAND,
        platform = Platform.ANDROID,
        receipt = ReceiptSettings(
            merchantName = "TillKit Demo",
            utcOffsetMinutes = utcOffsetMinutes(),
            locale = localeTag(),
        ),
    )

    /**
     * The platform's HTTP stack (the library has none of its own), trusting the CA of a sandbox
     * served over HTTPS to phones on the Wi-Fi when the build carries one.
     */
    private fun http(): HttpTransport =
        sandboxRoots().takeIf { it.isNotEmpty() }?.let { HttpUrlConnectionTransport.trustingOnly(it) }
            ?: HttpUrlConnectionTransport()

    /** The CA of a sandbox served over HTTPS to phones on the Wi-Fi, when the build carries one. */
    private fun sandboxRoots(): List<String> =
        runCatching { getApplication<Application>().assets.open("sandbox-ca.pem").bufferedReader().use { it.readText() } }
            .map { listOf(it) }
            .getOrDefault(emptyList())

    private companion object {
        const val SALT_KEY = "pingpong.salt"
        const val SANDBOX_SALT = "F78BC96A55548B2319EE68E0"
    }
}
