// The app's state: which screen, the amount being typed, the sale on screen. Every payment
// decision (amount rules, code rules, what a sale's state means) comes from the core.
package io.tillkit.app

import android.app.Application
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import io.tillkit.AndroidKeyStore
import io.tillkit.LogcatLogger
import io.tillkit.core.AcquirerConfig
import io.tillkit.core.AlipayRegion
import io.tillkit.core.Cashier
import io.tillkit.core.CashierConfig
import io.tillkit.core.HistoryFilter
import io.tillkit.core.LogLevel
import io.tillkit.core.Money
import io.tillkit.core.Platform
import io.tillkit.core.QueueStatus
import io.tillkit.core.Sale
import io.tillkit.core.SignType
import io.tillkit.core.Terminal
import io.tillkit.core.TerminalId
import io.tillkit.core.TillKitException
import io.tillkit.core.WalletMethod
import io.tillkit.core.moneyFromMinorUnits
import io.tillkit.core.setLogger
import io.tillkit.eventListener
import io.tillkit.queueUpdates
import io.tillkit.saleUpdates
import java.util.UUID
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.emitAll
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.launch

sealed interface Screen {
    data object Amount : Screen
    data class Method(val money: Money, val saleId: String) : Screen
    data class ScanCode(val money: Money, val saleId: String) : Screen
    data object Progress : Screen
    data object History : Screen
    data object Terminals : Screen
}

class CashierModel(app: Application) : AndroidViewModel(app) {
    val currency = "CNY"
    private val keys = AndroidKeyStore(app)

    private val cashier = viewModelScope.async {
        setLogger(LogcatLogger, LogLevel.INFO)
        if (keys.get(SALT_KEY) == null) keys.put(SALT_KEY, SANDBOX_SALT.toByteArray())
        Cashier.open(config(), app.filesDir.resolve("tillkit").path, keys, eventListener {})
    }

    var screen by mutableStateOf<Screen>(Screen.Amount)
    var amountUnits by mutableStateOf(0L)
    var sale by mutableStateOf<Sale?>(null)
    var error by mutableStateOf<String?>(null)
    var history by mutableStateOf<List<Sale>>(emptyList())
    /** The terminals paired in the core's store (card sales go only to these). */
    var terminals by mutableStateOf<List<Terminal>>(emptyList())

    val queue = flow { emitAll(cashier.await().queueUpdates()) }
        .stateIn(viewModelScope, SharingStarted.Eagerly, null as QueueStatus?)

    private var following: Job? = null

    /** The typed amount, formatted by the core for the currency, or null when zero. */
    fun money(): Money? = if (amountUnits == 0L) null else moneyFromMinorUnits(amountUnits, currency)

    fun digit(d: Int) {
        if (amountUnits < 100_000_000_000L) amountUnits = amountUnits * 10 + d
    }

    fun clear() { amountUnits = 0 }

    /** One sale id per checkout: a repeated tap or a retry returns the same sale, never a second charge. */
    fun checkout() = money()?.let { screen = Screen.Method(it, UUID.randomUUID().toString()) }

    fun payByCode(m: Screen.ScanCode, code: String) = start { it.payByCode(m.money, code, saleId = m.saleId) }
    fun payByQr(m: Screen.Method, wallet: WalletMethod) = start { it.payByQr(m.money, wallet, saleId = m.saleId) }
    fun payByCard(m: Screen.Method, t: Terminal) =
        start { it.payByCard(m.money, TerminalId(t.serial, t.model), saleId = m.saleId) }

    fun cancelSale() = act { c -> sale?.let { sale = c.cancel(it.id) } }

    fun refund(s: Sale) = act { c -> c.refund(s.id); showHistory() }

    fun showHistory() = act { c ->
        history = c.history(HistoryFilter(emptyList(), null, null, 100u))
        screen = Screen.History
    }

    /** Pairs a terminal in the core's registry; the core validates the serial and model. */
    fun pair(serial: String, model: String) = act { c ->
        terminals = withContext(Dispatchers.IO) {
            c.addTerminal(serial.trim(), model.trim(), null)
            c.terminals()
        }
    }

    init {
        act { c -> terminals = withContext(Dispatchers.IO) { c.terminals() } }
    }

    fun newSale() {
        following?.cancel()
        sale = null
        amountUnits = 0
        screen = Screen.Amount
    }

    private fun start(call: suspend (Cashier) -> Sale) = act { c ->
        val started = call(c)
        sale = started
        screen = Screen.Progress
        following?.cancel()
        following = viewModelScope.launch { c.saleUpdates(started.id).collect { sale = it } }
    }

    private fun act(block: suspend (Cashier) -> Unit) = viewModelScope.launch {
        error = null
        try {
            block(cashier.await())
        } catch (e: TillKitException) {
            error = e.message
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
        alipayRegion = AlipayRegion.MAINLAND,
        platform = Platform.ANDROID,
    )

    private companion object {
        const val SALT_KEY = "pingpong.salt"
        // The sandbox's published test salt; a real app provisions its salt into the key store.
        const val SANDBOX_SALT = "F78BC96A55548B2319EE68E0"
    }
}
