// Listeners, subscriptions, logging, close()/use {}, cancellation, offline and restarts.
import io.tillkit.awaitFinal
import io.tillkit.core.CashierEvent
import io.tillkit.core.FailReason
import io.tillkit.core.LogLevel
import io.tillkit.core.Logger
import io.tillkit.core.SaleHint
import io.tillkit.core.SaleStatus
import io.tillkit.core.setLogger
import io.tillkit.eventListener
import io.tillkit.events
import java.util.Collections
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeoutOrNull

fun registerLifecycleTests() {
    Tests.test("the listener hears the sale change and the queue, in order") {
        val listener = RecordingListener()
        openCashier(listener).use { cashier ->
            val sale = cashier.payByCode(cny("1.52"), wechatCode())
            cashier.awaitFinal(sale.id)
            val hints = listener.snapshot().filterIsInstance<CashierEvent.SaleChanged>()
                .filter { it.sale.id == sale.id }.map { it.sale.hint }
            checkEq(SaleHint.WAITING_FOR_NETWORK, hints.first(), "first event: committed, unsent")
            checkEq(SaleHint.PAID, hints.last(), "last event")
            check(SaleHint.WAITING_FOR_CUSTOMER in hints) { "saw the customer paying: $hints" }
            // The queue event follows the final sale event once the sale leaves the outbox.
            eventually("a queue event with an empty queue") {
                listener.snapshot().any { it is CashierEvent.QueueChanged && it.status.sales == 0 }
            }
            check(listener.snapshot().any { it is CashierEvent.Forwarded }) { "forward events" }
            cashier.shutdown()
        }
    }

    Tests.test("a cancelled subscription hears nothing more; a throwing listener breaks nothing") {
        openCashier().use { cashier ->
            val heard = RecordingListener()
            val subscription = cashier.subscribe(heard)
            cashier.subscribe(eventListener { throw IllegalStateException("bad listener") }).use {
                cashier.payByCode(cny("1.00"), wechatCode())
            }
            // The queue event trails the sale's last event; count from after it.
            eventually("the first sale left the queue") {
                heard.snapshot().any { it is CashierEvent.QueueChanged && it.status.sales == 0 }
            }
            val before = heard.snapshot().size
            check(before > 0) { "the subscriber heard the first sale" }
            subscription.cancel()
            cashier.payByCode(cny("1.00"), wechatCode())
            checkEq(before, heard.snapshot().size, "events after cancel")
            cashier.shutdown()
        }
    }

    Tests.test("events() is a Flow of this cashier's events") {
        openCashier().use { cashier ->
            val collected = coroutineScope {
                // UNDISPATCHED: the flow is subscribed before the sale starts.
                val waiter = async(start = CoroutineStart.UNDISPATCHED) {
                    cashier.events().filterIsInstance<CashierEvent.SaleChanged>()
                        .first { it.sale.status == SaleStatus.Paid }
                }
                // The flow subscribes on a coroutine of its own: a sale paid before that is not
                // seen (events are not replayed), so pay until one is.
                while (waiter.isActive) {
                    cashier.payByCode(cny("2.00"), wechatCode())
                    withTimeoutOrNull(2_000) { waiter.await() }
                }
                waiter.await()
            }
            checkEq(cny("2.00"), collected.sale.amount, "the paid sale")
            cashier.shutdown()
        }
    }

    Tests.test("cancelling a suspended call stops the wait, not the sale") {
        openCashier().use { cashier ->
            val started = System.nanoTime()
            // Scenario 55: the sandbox holds its answer back; the caller gives up after 50 ms.
            val result = withTimeoutOrNull(50) {
                cashier.payByCode(cny("9.55"), wechatCode(), saleId = "slow-1")
            }
            val waitedMs = (System.nanoTime() - started) / 1_000_000
            checkEq(null, result, "the call was cancelled")
            check(waitedMs < 200) { "cancellation is prompt: $waitedMs ms" }
            val final = cashier.awaitFinal("slow-1")
            checkEq(SaleStatus.Paid, final.status, "the sale went on and was paid")
            cashier.shutdown()
        }
    }

    Tests.test("close() and use {}: the object is released; the data stays for the next open") {
        val dataDir = newDataDir()
        val keys = keyStoreWithSalt()
        val cashier = openCashier(dataDir = dataDir, keyStore = keys)
        val sale = cashier.use {
            it.payByCode(cny("11.00"), wechatCode()).also { _ -> it.shutdown() }
        }
        assertThrows<IllegalStateException>("a call after close") { cashier.sale(sale.id) }
        cashier.close() // closing twice is harmless
        openCashier(dataDir = dataDir, keyStore = keys).use { reopened ->
            checkEq(SaleStatus.Paid, reopened.sale(sale.id)?.status, "the sale survived")
            reopened.shutdown()
        }
    }

    Tests.test("one cashier per data directory; shutdown() frees it while the object lives on") {
        val dataDir = newDataDir()
        val keys = keyStoreWithSalt()
        val first = openCashier(dataDir = dataDir, keyStore = keys)
        val e = assertThrows<io.tillkit.core.TillKitException.StoreInUse>("second open") {
            openCashier(dataDir = dataDir, keyStore = keys)
        }
        checkEq(dataDir, e.path, "names the directory")
        first.shutdown() // the Kotlin object is not closed yet: the lock must be free anyway
        openCashier(dataDir = dataDir, keyStore = keys).use { it.shutdown() }
        first.close()
    }

    Tests.test("offline: the code sale waits for the network, then fails as offline, uncharged") {
        val listener = RecordingListener()
        val policy = fastPolicy.copy(codeValidityMs = 600L)
        val offline = config(baseUrl = "http://127.0.0.1:9", policy = policy)
        openCashier(listener, config = offline).use { cashier ->
            val sale = cashier.payByCode(cny("3.00"), wechatCode())
            checkEq(SaleHint.WAITING_FOR_NETWORK, sale.hint, "first answer")
            checkEq(false, cashier.online(), "offline")
            val queued = cashier.queueStatus()
            check(queued.unsent >= 1) { "queued: $queued" }
            val final = cashier.awaitFinal(sale.id)
            checkEq(SaleStatus.Failed(FailReason.OFFLINE), final.status, "gave up")
            checkEq(SaleHint.OFFLINE, final.hint, "hint")
            val connectivity = listener.snapshot().filterIsInstance<CashierEvent.ConnectivityChanged>()
            checkEq(listOf(false), connectivity.map { it.online }.distinct(), "connectivity events")
            checkEq(0, cashier.queueStatus().sales, "nothing left in the queue")
            cashier.shutdown()
        }
    }

    Tests.test("the logger receives the core's lines, with codes masked") {
        val lines = Collections.synchronizedList(mutableListOf<String>())
        setLogger(object : Logger {
            override fun log(level: LogLevel, target: String, message: String) {
                lines += "$level $target $message"
            }
        }, LogLevel.DEBUG)
        val code = wechatCode()
        openCashier().use { cashier ->
            cashier.payByCode(cny("1.00"), code)
            cashier.shutdown()
        }
        setLogger(object : Logger {
            override fun log(level: LogLevel, target: String, message: String) {}
        }, LogLevel.WARN)
        val copy = synchronized(lines) { lines.toList() }
        check(copy.any { it.contains("tillkit_core") }) { "core lines arrive: ${copy.take(5)}" }
        check(copy.none { it.contains(code) }) { "the payment code never appears in full" }
    }
}
