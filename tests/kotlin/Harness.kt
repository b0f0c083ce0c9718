// A tiny test runner: no JUnit (Maven Central is not reachable here). Each test runs under
// runBlocking with a timeout; the run ends with the line CI reads: "N passed, N failed".
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

class Failure(message: String) : AssertionError(message)

fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw Failure(message())
}

fun <T> checkEq(expected: T, actual: T, what: String) =
    check(expected == actual) { "$what: expected <$expected>, got <$actual>" }

/** Waits up to [timeoutMs] for [condition]: for effects that follow an event by a moment. */
suspend fun eventually(what: String, timeoutMs: Long = 5_000, condition: suspend () -> Boolean) {
    val deadline = System.currentTimeMillis() + timeoutMs
    while (!condition()) {
        if (System.currentTimeMillis() > deadline) throw Failure("$what: not within $timeoutMs ms")
        kotlinx.coroutines.delay(10)
    }
}

inline fun <reified E : Throwable> assertThrows(what: String, block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw Failure("$what: expected ${E::class.simpleName}, got $e")
    }
    throw Failure("$what: expected ${E::class.simpleName}, nothing was thrown")
}

object Tests {
    private val all = mutableListOf<Pair<String, suspend () -> Unit>>()

    fun test(name: String, body: suspend () -> Unit) {
        all += name to body
    }

    /** Runs every test; returns (passed, failed). */
    fun runAll(): Pair<Int, Int> {
        var passed = 0
        var failed = 0
        for ((name, body) in all) {
            val started = System.nanoTime()
            try {
                runBlocking { withTimeout(60_000) { body() } }
                passed++
                println("ok   $name (${(System.nanoTime() - started) / 1_000_000} ms)")
            } catch (e: Throwable) {
                failed++
                println("FAIL $name: $e")
                e.stackTrace.take(6).forEach { println("       at $it") }
            }
        }
        return passed to failed
    }
}

fun main() {
    registerMoneyTests()
    registerSaleTests()
    registerErrorTests()
    registerLifecycleTests()
    registerScanTests()
    registerLiveScanTests()
    registerHttpsTests()
    registerHttpTransportTests()
    registerReaderTests()
    registerReaderLinkTests()
    registerAgentTests()
    registerContractTests()
    registerReportTests()
    registerReceiptTests()
    val (passed, failed) = Tests.runAll()
    runBenchmarks()
    if (System.getenv("TILLKIT_SCAN_BENCH") == "1") runScanBenchmarks()
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
