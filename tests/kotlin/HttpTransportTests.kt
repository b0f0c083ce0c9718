// The app's HTTP client (io.tillkit.HttpUrlConnectionTransport, the one the Android library
// ships) against the sandbox, in every build; and clients that fail or lie.
import io.tillkit.HttpUrlConnectionTransport
import io.tillkit.awaitFinal
import io.tillkit.core.FailReason
import io.tillkit.core.HttpRequest
import io.tillkit.core.HttpResponse
import io.tillkit.core.HttpTransport
import io.tillkit.core.SaleHint
import io.tillkit.core.SaleStatus
import io.tillkit.core.TillKitException
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.runBlocking

/** Sends through the real client, then lies about the first answer as [lie] says. */
class LyingTransport(private val lie: (HttpResponse) -> HttpResponse) : HttpTransport {
    private val real = HttpUrlConnectionTransport()
    val calls = AtomicInteger()

    override suspend fun send(request: HttpRequest): HttpResponse {
        val answer = real.send(request)
        return if (calls.incrementAndGet() == 1) lie(answer) else answer
    }
}

fun registerHttpTransportTests() {
    Tests.test("a sale through the app's HTTP client is paid, once") {
        openCashier(transport = HttpUrlConnectionTransport()).use { cashier ->
            val sale = cashier.payByCode(cny("21.00"), wechatCode())
            checkEq(SaleStatus.Paid, cashier.awaitFinal(sale.id).status, "paid")
            checkEq(1, sandbox.pingpongCharges(sale.id), "charged once")
            cashier.shutdown()
        }
    }

    Tests.test("an acquirer the app's client cannot connect to: not sent, nothing charged") {
        // A port nothing listens on: the connection is refused before any byte is sent.
        val closed = java.net.ServerSocket(0).use { it.localPort }
        val policy = fastPolicy.copy(codeValidityMs = 600L)
        val unreachable = config(baseUrl = "http://127.0.0.1:$closed", policy = policy)
        openCashier(config = unreachable, transport = HttpUrlConnectionTransport()).use { cashier ->
            val sale = cashier.payByCode(cny("22.00"), wechatCode())
            checkEq(SaleHint.WAITING_FOR_NETWORK, sale.hint, "first answer: not sent")
            checkEq(SaleStatus.Failed(FailReason.OFFLINE), cashier.awaitFinal(sale.id).status, "offline")
            cashier.shutdown()
        }
    }

    val lies = listOf<Pair<String, (HttpResponse) -> HttpResponse>>(
        "status 0" to { it.copy(status = 0) },
        "status 1000" to { it.copy(status = 1000) },
        "a body over the limit" to { it.copy(body = ByteArray(2 shl 20)) },
        "an exception after sending" to { throw IllegalStateException("lost in the app") },
    )
    for ((lie, how) in lies) {
        Tests.test("a client answering the charge with $lie: queried, paid, charged once") {
            val transport = LyingTransport(how)
            openCashier(transport = transport).use { cashier ->
                val sale = cashier.payByCode(cny("23.00"), wechatCode())
                checkEq(SaleStatus.Paid, cashier.awaitFinal(sale.id).status, "paid after a query")
                checkEq(1, sandbox.pingpongCharges(sale.id), "charged once")
                check(transport.calls.get() >= 2) { "the sale was queried" }
                cashier.shutdown()
            }
        }
    }

    Tests.test("extra roots with the app's client are refused at open") {
        val withRoots = config().copy(extraRoots = listOf("-----BEGIN CERTIFICATE-----"))
        val e = assertThrows<TillKitException.InvalidConfig>("open") {
            runBlocking { openCashier(config = withRoots, transport = HttpUrlConnectionTransport()) }
        }
        checkEq("extra_roots", e.field, "field")
    }

    Tests.test("without a client of its own the library needs the app's") {
        if (io.tillkit.core.hasBundledHttp()) {
            openCashier(transport = null).use { it.shutdown() }
        } else {
            val e = assertThrows<TillKitException.InvalidConfig>("open") {
                runBlocking { openCashier(transport = null) }
            }
            checkEq("http_transport", e.field, "field")
        }
    }
}
