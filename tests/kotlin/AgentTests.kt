// The terminal agent end to end on the JVM: a sandbox whose card sales wait for an agent, a
// terminal registered with it (its key kept in the key store), a TerminalAgent running in a
// coroutine on a Kotlin CardReader (FakeTerminal, ReaderTests.kt), and a Cashier of the same
// test paying by card on that terminal.
import io.tillkit.awaitFinal
import io.tillkit.core.AgentEvent
import io.tillkit.core.AgentListener
import io.tillkit.core.Cashier
import io.tillkit.core.ReaderProgress
import io.tillkit.core.SaleStatus
import io.tillkit.core.SandboxServer
import io.tillkit.core.TerminalAgent
import io.tillkit.core.TerminalAgentConfig
import io.tillkit.core.TerminalId
import io.tillkit.core.TerminalResult
import io.tillkit.core.registerWithSandbox
import java.util.Collections
import kotlin.random.Random
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking

/** A sandbox of its own: card sales complete only when a terminal agent answers them. */
val agentSandbox: SandboxServer by lazy { runBlocking { SandboxServer.startWithTerminalAgents(0.05) } }

const val AGENT_MODEL = "PAX-A920"
const val DEVICE_KEY = "terminal.device_key"

class AgentEvents : AgentListener {
    private val events: MutableList<AgentEvent> = Collections.synchronizedList(mutableListOf())

    override fun onEvent(event: AgentEvent) {
        events += event
    }

    fun snapshot(): List<AgentEvent> = synchronized(events) { events.toList() }

    fun finished(id: String) = snapshot().filterIsInstance<AgentEvent.Finished>().firstOrNull { it.transactionId == id }

    fun reported(id: String) = snapshot().filterIsInstance<AgentEvent.Reported>().any { it.transactionId == id }

    fun connected() = snapshot().any { it is AgentEvent.Connected }
}

/** A terminal registered with the agent sandbox: its serial and key id (the key is in [keys]). */
class PairedTerminal(val serial: String, val keyId: String, val keys: MemoryKeyStore, val dataDir: String) {
    val id = TerminalId(serial, AGENT_MODEL)

    fun config() = TerminalAgentConfig(
        baseUrl = agentSandbox.url(), deviceSn = serial, deviceModel = AGENT_MODEL,
        keyId = keyId, deviceKeyName = DEVICE_KEY, pollWaitMs = 1_000L,
    )

    suspend fun open(reader: FakeTerminal, events: AgentEvents) =
        TerminalAgent.open(config(), dataDir, keys, reader, events, appTransport)
}

suspend fun pairTerminal(): PairedTerminal {
    val keys = MemoryKeyStore()
    val serial = "KT-AGENT-${Random.nextInt(1_000_000)}"
    val keyId = registerWithSandbox(agentSandbox.url(), serial, AGENT_MODEL, keys, DEVICE_KEY, httpTransport = appTransport)
    check(keys.get(DEVICE_KEY)?.size == 32) { "the device key is in the key store" }
    return PairedTerminal(serial, keyId, keys, newDataDir())
}

/** A cashier on the agent sandbox, with [terminal] paired. */
suspend fun agentCashier(terminal: PairedTerminal): Cashier {
    val acquirer = io.tillkit.core.AcquirerConfig.PingPong(
        baseUrl = agentSandbox.url(), accId = agentSandbox.pingpongAccId(),
        clientId = agentSandbox.pingpongClientId(), signType = io.tillkit.core.SignType.SHA256,
        saltKey = SALT_KEY,
    )
    val keys = MemoryKeyStore().apply { put(SALT_KEY, agentSandbox.pingpongSalt().toByteArray()) }
    val cashier = openCashier(config = config().copy(acquirer = acquirer), keyStore = keys)
    cashier.addTerminal(terminal.serial, AGENT_MODEL, "Counter 1")
    return cashier
}

/** Starts [agent] in a coroutine of this scope and waits until it has reached the acquirer. */
suspend fun kotlinx.coroutines.CoroutineScope.start(agent: TerminalAgent, events: AgentEvents): Deferred<Int> {
    val running = async { agent.run() }
    eventually("the agent reaches the sandbox", 10_000) { events.connected() || running.isCompleted }
    if (running.isCompleted) running.await() // throws what stopped it
    return running
}

fun registerAgentTests() {
    Tests.test("agent: a card sale on the terminal is paid, run by the agent and reported") {
        val terminal = pairTerminal()
        val events = AgentEvents()
        val reader = FakeTerminal(Script.CHIP_PIN)
        terminal.open(reader, events).use { agent ->
            coroutineScope {
                val running = start(agent, events)
                agentCashier(terminal).use { cashier ->
                    val sale = cashier.payByCard(cny("20.00"), terminal.id)
                    checkEq(SaleStatus.Paid, cashier.awaitFinal(sale.id).status, "paid on the terminal")
                    val finished = events.finished(sale.id) ?: throw Failure("no Finished: ${events.snapshot()}")
                    check(finished.result is TerminalResult.Approved) { "approved: $finished" }
                    eventually("reported") { events.reported(sale.id) }
                    checkEq(1, agentSandbox.pingpongCharges(sale.id), "charged once")
                    checkEq("begin ${sale.id} 20.00", reader.calls.first(), "the reader ran the sale")
                    val screens = events.snapshot().filterIsInstance<AgentEvent.Progress>().map { it.progress }
                    check(ReaderProgress.PresentCard in screens) { "the terminal's screens: $screens" }
                    cashier.shutdown()
                }
                agent.stop()
                checkEq(1, running.await(), "one transaction ran")
            }
            checkEq(emptyList(), agent.offlineApprovals(), "nothing stored offline")
        }
    }

    Tests.test("agent: a card the issuer declines ends the sale declined, nothing charged") {
        val terminal = pairTerminal()
        val events = AgentEvents()
        terminal.open(FakeTerminal(Script.CHIP_PIN), events).use { agent ->
            coroutineScope {
                val running = start(agent, events)
                agentCashier(terminal).use { cashier ->
                    // Cents 51: the sandbox's issuer declines.
                    val sale = cashier.payByCard(cny("20.51"), terminal.id)
                    val final = cashier.awaitFinal(sale.id)
                    check(final.status is SaleStatus.Failed) { "not paid: ${final.status}" }
                    checkEq(TerminalResult.Declined, events.finished(sale.id)?.result, "declined at the terminal")
                    checkEq(0, agentSandbox.pingpongCharges(sale.id), "nothing charged")
                    cashier.shutdown()
                }
                agent.stop()
                running.await()
            }
        }
    }

    Tests.test("agent: stop() while the reader waits for a card cancels it; the next run reports it") {
        val terminal = pairTerminal()
        val events = AgentEvents()
        val reader = FakeTerminal(Script.NO_CARD)
        agentCashier(terminal).use { cashier ->
            val saleId = terminal.open(reader, events).use { agent ->
                coroutineScope {
                    val running = start(agent, events)
                    val sale = cashier.payByCard(cny("20.00"), terminal.id)
                    eventually("the terminal asks for a card", 10_000) {
                        events.snapshot().any { it is AgentEvent.Progress && it.progress == ReaderProgress.PresentCard }
                    }
                    agent.stop()
                    checkEq(1, running.await(), "run() returned after stop()")
                    check("cancel" in reader.calls) { "the reader was cancelled: ${reader.calls}" }
                    val finished = events.finished(sale.id) ?: throw Failure("journaled: ${events.snapshot()}")
                    check(finished.result !is TerminalResult.Approved) { "not approved: $finished" }
                    sale.id
                }
            }
            // The journaled result goes out at the next run, from the same data directory.
            val later = AgentEvents()
            terminal.open(FakeTerminal(Script.NO_CARD), later).use { agent ->
                coroutineScope {
                    val running = start(agent, later)
                    eventually("reported at the next run", 10_000) { later.reported(saleId) }
                    val final = cashier.awaitFinal(saleId)
                    check(final.status is SaleStatus.Failed) { "not paid: ${final.status}" }
                    checkEq(0, agentSandbox.pingpongCharges(saleId), "nothing charged")
                    agent.stop()
                    checkEq(0, running.await(), "nothing ran again")
                }
            }
            cashier.shutdown()
        }
    }
}
