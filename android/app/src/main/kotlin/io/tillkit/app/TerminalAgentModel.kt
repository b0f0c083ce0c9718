// Runs TillKit's terminal agent on the POS terminal itself (PAX, Sunmi): the card sales the
// acquirer routes to this terminal run on the terminal's reader, through the app's CardReader
// wrapper of its SDK (AgentScreen.kt shows it and starts it with a reader over TCP). Scoped to a
// ViewModel of the terminal's main screen: it runs while the app is up and stops when the
// screen's ViewModel is cleared. Nothing here runs on the main
// thread: open() reads the key store and opens the journal on Dispatchers.IO, and run()
// suspends without blocking.
package io.tillkit.app

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import io.tillkit.HttpUrlConnectionTransport
import io.tillkit.core.AgentEvent
import io.tillkit.core.AgentListener
import io.tillkit.core.CardReader
import io.tillkit.core.OfflineCardLimits
import io.tillkit.core.OfflineCurrencyLimit
import io.tillkit.core.TerminalAgent
import io.tillkit.core.TerminalAgentConfig
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch

/** The name of the device key in the app's key store (32 bytes, from the acquirer's pairing). */
const val DEVICE_KEY_NAME = "tillkit.terminal.device_key"

/**
 * How this terminal is known to the acquirer, saved by the app's pairing step together with
 * `keys.put(DEVICE_KEY_NAME, key)`. The key itself is never in here.
 */
data class TerminalPairing(val baseUrl: String, val serial: String, val model: String, val keyId: String)

class TerminalAgentModel(app: Application) : AndroidViewModel(app) {
    private val keys = (app as TillKitApp).keys
    private val dataDir = app.filesDir.resolve("tillkit-agent").path
    private var running: Job? = null

    private val latest = MutableStateFlow<AgentEvent?>(null)
    private val failure = MutableStateFlow<String?>(null)

    /** The agent's latest event, for the terminal's screen ("Present card", "Approved", …). */
    val event: StateFlow<AgentEvent?> = latest

    /** Why the agent could not start or stopped by itself (no device key, storage), if it did. */
    val error: StateFlow<String?> = failure

    /**
     * Starts the agent with the reader [reader] makes (the app's wrapper of its terminal SDK, see
     * `CardReader`, or `linkCardReader`), made off the main thread. Does nothing if it already
     * runs. The device key must be in the key store under [DEVICE_KEY_NAME] (the pairing step).
     */
    fun start(pairing: TerminalPairing, reader: () -> CardReader) {
        if (running?.isActive == true) return
        failure.value = null
        running = viewModelScope.launch(Dispatchers.IO) {
            try {
                TerminalAgent.open(
                    config(pairing), dataDir, keys, reader(), listener, HttpUrlConnectionTransport(),
                ).use { agent ->
                    agent.run()
                }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                failure.value = Words.error(getApplication<Application>(), e)
            }
        }
    }

    /** Shows why the agent was not started (a bad reader address). */
    fun reportFailure(message: String) {
        failure.value = message
    }

    /**
     * Stops the agent. Cancelling the coroutine that awaits `run()` stops it as `stop()` does:
     * a sale on the reader is cancelled, its result journaled and reported at the next start.
     * The ViewModel's scope does the same when it is cleared.
     */
    fun stop() {
        running?.cancel()
        running = null
    }

    // Called on TillKit's threads: a StateFlow takes the value from any thread at once.
    private val listener = object : AgentListener {
        override fun onEvent(event: AgentEvent) {
            latest.value = event
        }
    }

    private fun config(p: TerminalPairing) = TerminalAgentConfig(
        baseUrl = p.baseUrl,
        deviceSn = p.serial,
        deviceModel = p.model,
        keyId = p.keyId,
        deviceKeyName = DEVICE_KEY_NAME,
        // Chip cards may approve offline up to 50 CNY each, 500 CNY waiting to be forwarded.
        offlineLimits = OfflineCardLimits(
            currencies = listOf(OfflineCurrencyLimit("CNY", "50.00", "500.00")),
        ),
    )
}
