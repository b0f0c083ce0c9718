// What every test needs: a sandbox acquirer, a key store, a recording listener, fresh codes.
import io.tillkit.core.AcquirerConfig
import io.tillkit.core.Cashier
import io.tillkit.core.CashierConfig
import io.tillkit.core.CashierEvent
import io.tillkit.core.EventListener
import io.tillkit.core.KeyStore
import io.tillkit.core.Money
import io.tillkit.core.PolicySettings
import io.tillkit.core.SandboxServer
import io.tillkit.core.SignType
import io.tillkit.core.TerminalId
import io.tillkit.core.defaultPolicy
import java.nio.file.Files
import java.util.Collections
import java.util.concurrent.ConcurrentHashMap
import kotlin.random.Random
import kotlinx.coroutines.runBlocking

const val SALT_KEY = "pingpong.salt"

/** One sandbox for the whole run, 20 times faster than real time. */
val sandbox: SandboxServer by lazy { runBlocking { SandboxServer.start(0.05) } }

val terminal = TerminalId("SANDBOX-T1", "PAX-A920")

fun cny(amount: String) = Money(amount, "CNY")

/** A fresh WeChat Pay code (each sandbox code can be used once). */
fun wechatCode(): String = "13" + (1..16).map { Random.nextInt(10) }.joinToString("")

/** Fast polling, so that the sandbox's scaled customers resolve within a test. */
val fastPolicy: PolicySettings =
    defaultPolicy().copy(pollMinMs = 100L, pollMaxMs = 200L, backoffMinMs = 100L, backoffMaxMs = 300L)

class MemoryKeyStore : KeyStore {
    val values = ConcurrentHashMap<String, ByteArray>()

    override fun get(name: String): ByteArray? = values[name]

    override fun put(name: String, value: ByteArray) {
        values[name] = value
    }
}

class RecordingListener : EventListener {
    val events: MutableList<CashierEvent> = Collections.synchronizedList(mutableListOf())

    override fun onEvent(event: CashierEvent) {
        events += event
    }

    fun snapshot(): List<CashierEvent> = synchronized(events) { events.toList() }
}

fun config(baseUrl: String = sandbox.url(), policy: PolicySettings = fastPolicy) =
    CashierConfig(
        acquirer = AcquirerConfig.PingPong(
            baseUrl = baseUrl,
            accId = sandbox.pingpongAccId(),
            clientId = sandbox.pingpongClientId(),
            signType = SignType.SHA256,
            saltKey = SALT_KEY,
        ),
        cashierDeviceId = "kotlin-test",
        alipayRegion = io.tillkit.core.AlipayRegion.MAINLAND,
        policy = policy,
        requestTimeoutMs = 3_000L,
        // The contract under test is Android's; PingPong hears `orderTerminal` 04.
        platform = io.tillkit.core.Platform.ANDROID,
    )

fun keyStoreWithSalt() = MemoryKeyStore().apply { put(SALT_KEY, sandbox.pingpongSalt().toByteArray()) }

fun newDataDir(): String = Files.createTempDirectory("tillkit-kotlin").toString()

/**
 * The HTTP client the tests pass: none when the library has its own (the debug build), else
 * Android's [io.tillkit.HttpUrlConnectionTransport] (the size-profile build, which has none,
 * like the shipped Android library).
 */
val appTransport: io.tillkit.core.HttpTransport? =
    if (io.tillkit.core.hasBundledHttp()) null else io.tillkit.HttpUrlConnectionTransport()

/** Opens a cashier on a fresh data directory against the sandbox. */
suspend fun openCashier(
    listener: EventListener = RecordingListener(),
    config: CashierConfig = config(),
    dataDir: String = newDataDir(),
    keyStore: KeyStore = keyStoreWithSalt(),
    transport: io.tillkit.core.HttpTransport? = appTransport,
): Cashier = Cashier.open(config, dataDir, keyStore, listener, transport)
