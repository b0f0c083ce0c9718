// HTTPS from Kotlin. With the library's own client (the debug build, with `bundled-roots`: the
// verifier it uses on Android, Mozilla's roots plus the configured extra roots); without one
// (the size build, like the shipped Android library), through HttpUrlConnectionTransport and
// the JVM's own certificate checks.
import io.tillkit.awaitFinal
import io.tillkit.core.FailReason
import io.tillkit.core.SaleHint
import io.tillkit.core.SaleStatus
import io.tillkit.core.SandboxServer
import kotlinx.coroutines.runBlocking

/** One HTTPS sandbox for the run, with a certificate from a CA generated at start. */
val httpsSandbox: SandboxServer by lazy { runBlocking { SandboxServer.startHttps(0.05) } }

fun registerHttpsTests() {
    Tests.test("an HTTPS sale trusting the test CA (extra root, or the app client's trust) is paid") {
        val url = httpsSandbox.url()
        check(url.startsWith("https://")) { url }
        val ca = httpsSandbox.caPem() ?: throw Failure("no CA")
        val (trusted, transport) = if (io.tillkit.core.hasBundledHttp()) {
            config(baseUrl = url).copy(extraRoots = listOf(ca)) to null
        } else {
            config(baseUrl = url) to io.tillkit.HttpUrlConnectionTransport.trustingOnly(listOf(ca))
        }
        openCashier(config = trusted, keyStore = httpsKeyStore(), transport = transport).use { cashier ->
            val sale = cashier.payByCode(cny("12.00"), wechatCode())
            checkEq(SaleStatus.Paid, cashier.awaitFinal(sale.id).status, "paid over HTTPS")
            checkEq(1, httpsSandbox.pingpongCharges(sale.id), "charged once")
            cashier.shutdown()
        }
    }

    Tests.test("an untrusted HTTPS certificate is refused: not sent, nothing charged") {
        val policy = fastPolicy.copy(codeValidityMs = 600L)
        val untrusted = config(baseUrl = httpsSandbox.url(), policy = policy)
        openCashier(config = untrusted, keyStore = httpsKeyStore()).use { cashier ->
            val sale = cashier.payByCode(cny("13.00"), wechatCode())
            checkEq(SaleHint.WAITING_FOR_NETWORK, sale.hint, "first answer: not sent")
            checkEq(false, cashier.online(), "the acquirer counts as unreachable")
            val final = cashier.awaitFinal(sale.id)
            checkEq(SaleStatus.Failed(FailReason.OFFLINE), final.status, "offline, never unknown")
            checkEq(0, httpsSandbox.pingpongCharges(sale.id), "nothing reached the acquirer")
            cashier.shutdown()
        }
    }

    Tests.test("plain HTTP to another host is refused at open") {
        val bad = config(baseUrl = "http://acquirer.example.com")
        val e = assertThrows<io.tillkit.core.TillKitException.InvalidConfig>("open") {
            runBlocking { openCashier(config = bad) }
        }
        checkEq("base_url", e.field, "field")
    }
}

fun httpsKeyStore() = MemoryKeyStore().apply { put(SALT_KEY, httpsSandbox.pingpongSalt().toByteArray()) }

