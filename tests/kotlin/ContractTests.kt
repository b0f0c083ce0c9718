// The shape of the API an Android developer writes against (issue 14): error text and the
// retry flag, signed integers, store calls as suspend functions, records with defaults, the
// wrappers' fail-fast on unknown ids, and the CodeScanner name.
import io.tillkit.awaitFinal
import io.tillkit.awaitFinalRefund
import io.tillkit.core.CodeScanner
import io.tillkit.core.HistoryFilter
import io.tillkit.core.OfflineCardLimits
import io.tillkit.core.ReaderLimits
import io.tillkit.core.TillKitException
import io.tillkit.core.currencyDecimals
import io.tillkit.core.defaultPolicy
import io.tillkit.saleUpdates
import java.util.concurrent.Executors
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull

/** The current thread's name, without the coroutine that `-ea` (debug mode) appends. */
fun thread(): String = Thread.currentThread().name.substringBefore(" @")

/** Fails with [what] instead of hanging until the harness's timeout. */
suspend fun <T> promptly(what: String, block: suspend () -> T): T =
    withTimeoutOrNull(20_000) { block() } ?: throw Failure("$what: still waiting after 20 s")

fun registerContractTests() {
    Tests.test("an exception's toString() is the Rust Display text; message keeps the fields") {
        openCashier().use { cashier ->
            val e = assertThrows<TillKitException.UnknownSale>("no such sale") { cashier.refund("nope") }
            checkEq("no sale nope", e.toString(), "toString")
            checkEq("id=nope", e.message, "message")
            val bad = assertThrows<TillKitException.InvalidInput>("bad amount") {
                cashier.payByCode(cny("1.234"), wechatCode())
            }
            check(bad.toString().startsWith("invalid amount: ")) { "Display text: $bad" }
            checkEq("card reader timed out: x", TillKitException.Reader(io.tillkit.core.ReaderFault.TIMEOUT, "x").toString(), "reader text")
            cashier.shutdown()
        }
    }

    Tests.test("every exception says whether retrying can help") {
        check(TillKitException.Offline("no route").canRetry()) { "offline: retry" }
        check(TillKitException.StoreInUse("/d").canRetry()) { "store in use: retry" }
        check(!TillKitException.OutcomeUnknown("timeout").canRetry()) { "unknown outcome: never charge again" }
        check(!TillKitException.Declined("05", "no").canRetry()) { "declined: no" }
        openCashier().use { cashier ->
            val e = assertThrows<TillKitException>("unknown sale") { cashier.cancel("nope") }
            check(!e.canRetry()) { "an unknown id does not become known: $e" }
            cashier.shutdown()
        }
    }

    Tests.test("times are Long, counts and limits Int, and records have defaults") {
        openCashier().use { cashier ->
            val sale = cashier.payByCode(cny("3.00"), wechatCode())
            val created: Long = sale.createdAtMs
            val updated: Long = sale.updatedAtMs
            check(created in 1..updated) { "created $created, updated $updated" }
            val queue = cashier.queueStatus()
            val waiting: Int = queue.sales + queue.refunds + queue.unknown + queue.unsent
            check(waiting >= 0) { "counts: $queue" }
            val filter = HistoryFilter()
            checkEq(HistoryFilter(emptyList(), null, null, null, false), filter, "defaults")
            val limit: Int? = HistoryFilter(limit = 1).limit
            checkEq(listOf(sale.id), cashier.history(HistoryFilter(limit = limit, sinceMs = created)).map { it.id }, "limited")
            val journalAt: Long = cashier.journal(sale.id).first().atMs
            check(journalAt > 0) { "journal time $journalAt" }
            val bad = assertThrows<TillKitException.InvalidInput>("negative limit") {
                cashier.history(HistoryFilter(limit = -1))
            }
            checkEq("limit", bad.field, "field")
            cashier.shutdown()
        }
        val pollMs: Long = defaultPolicy().pollMinMs
        val cardWaitMs: Long = ReaderLimits().cardWaitMs
        val maxCount: Int = OfflineCardLimits().maxCount
        val decimals: Int = currencyDecimals("JPY")
        checkEq(0, decimals, "JPY decimals")
        check(pollMs > 0 && cardWaitMs > 0 && maxCount > 0) { "defaults: $pollMs $cardWaitMs $maxCount" }
    }

    Tests.test("store calls are suspend calls that resume on the caller's one thread") {
        // One thread, as the Android main thread: every call suspends instead of blocking it,
        // so all of them can be in flight together and each resumes on that thread.
        Executors.newSingleThreadExecutor { Thread(it, "ui") }.asCoroutineDispatcher().use { ui ->
            withContext(ui) {
                openCashier().use { cashier ->
                    val sale = cashier.payByCode(cny("4.00"), wechatCode())
                    val names = coroutineScope {
                        listOf(
                            async { cashier.sale(sale.id); thread() },
                            async { cashier.history(); thread() },
                            async { cashier.refundable(sale.id); thread() },
                            async { cashier.queueStatus(); thread() },
                            async { cashier.refunds(sale.id); thread() },
                            async { cashier.canCancel(sale.id); thread() },
                            async { cashier.terminals(); thread() },
                            async { cashier.journal(sale.id); thread() },
                            async { cashier.forwardNow(); thread() },
                        ).awaitAll()
                    }
                    checkEq(List(9) { "ui" }, names, "resumed on the caller's thread")
                    cashier.shutdown()
                }
            }
        }
    }

    Tests.test("awaitFinal, awaitFinalRefund and saleUpdates fail at once on an unknown id") {
        openCashier().use { cashier ->
            val sale = promptly("awaitFinal") {
                assertThrows<TillKitException.UnknownSale>("unknown sale") { cashier.awaitFinal("no-such-sale") }
            }
            checkEq("no-such-sale", sale.id, "id")
            val refund = promptly("awaitFinalRefund") {
                assertThrows<TillKitException.UnknownRefund>("unknown refund") { cashier.awaitFinalRefund("no-such-refund") }
            }
            checkEq("no-such-refund", refund.id, "id")
            promptly("saleUpdates") {
                assertThrows<TillKitException.UnknownSale>("flow") { cashier.saleUpdates("nope").first() }
            }
            // A known sale still works, and the failed flows left no listener behind.
            val paid = cashier.payByCode(cny("6.00"), wechatCode())
            checkEq(paid.id, promptly("known sale") { cashier.awaitFinal(paid.id) }.id, "known sale")
            cashier.shutdown()
        }
    }

    Tests.test("the scanning type is CodeScanner (no clash with Foundation.Scanner on iOS)") {
        CodeScanner(false).use { scanner ->
            val submitted: Long = scanner.stats().submitted
            checkEq(0L, submitted, "nothing submitted")
        }
    }
}
