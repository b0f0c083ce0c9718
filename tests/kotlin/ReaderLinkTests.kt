// External readers (Bluetooth LE, USB) as an app connects them: the app only moves bytes
// (here over a socket to the byte-level reader simulator); the link protocol, the transaction
// and the card data are the core's.
import io.tillkit.core.ReaderFault
import io.tillkit.core.ReaderOutcome
import io.tillkit.core.ReaderSimulatorServer
import io.tillkit.core.ReaderTransport
import io.tillkit.core.TillKitException
import io.tillkit.core.linkCardReader
import java.io.IOException
import java.net.Socket
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/** A transport as an app writes one; a BLE transport moves the same bytes in 20–244-byte chunks. */
class SocketTransport(private val port: Int, private val chunk: Int = 20) : ReaderTransport {
    @Volatile private var socket: Socket? = null
    @Volatile var connects = 0

    private fun open(): Socket = socket ?: throw TillKitException.Reader(ReaderFault.DISCONNECTED, "not connected")

    override suspend fun connect() {
        withContext(Dispatchers.IO) {
            socket?.close()
            socket = Socket("127.0.0.1", port)
            connects += 1
        }
    }

    override suspend fun send(bytes: ByteArray) {
        withContext(Dispatchers.IO) {
            val out = open().getOutputStream()
            bytes.toList().chunked(chunk).forEach { out.write(it.toByteArray()) }
            out.flush()
        }
    }

    override suspend fun receive(): ByteArray = withContext(Dispatchers.IO) {
        val buffer = ByteArray(chunk)
        val n = try { open().getInputStream().read(buffer) } catch (e: IOException) { -1 }
        if (n < 0) throw TillKitException.Reader(ReaderFault.DISCONNECTED, "the reader closed the link")
        buffer.copyOf(n)
    }

    override suspend fun disconnect() {
        withContext(Dispatchers.IO) {
            socket?.close()
            socket = null
        }
    }
}

fun registerReaderLinkTests() {
    Tests.test("an external reader over the app's byte transport: approved once, card masked") {
        val sim = ReaderSimulatorServer.start("approve", 20)
        try {
            val transport = SocketTransport(sim.port())
            val issuer = FakeIssuer(Issuer.APPROVE)
            val screen = Screen()
            val result = runCard(linkCardReader(transport), issuer, screen, "link-approve")
            checkEq(ReaderOutcome.APPROVED_ONLINE to false, result.outcome to result.needsReversal, "result")
            checkEq("476173******0119", result.card?.maskedPan, "the card, masked")
            checkEq(listOf("SALE 25.00 CNY arqc"), issuer.asked.toList(), "host asked once")
            check("PresentCard" in screen.names()) { "screens: ${screen.names()}" }
            checkEq(1, sim.approved(), "approved once at the reader")
        } finally {
            sim.stop()
        }
    }

    Tests.test("an external reader whose link drops mid-sale: resumed, approved once") {
        val sim = ReaderSimulatorServer.start("link-drop", 20)
        try {
            val transport = SocketTransport(sim.port())
            val result = runCard(linkCardReader(transport), FakeIssuer(Issuer.APPROVE), Screen(), "link-drop")
            checkEq(ReaderOutcome.APPROVED_ONLINE, result.outcome, "approved after the reconnect")
            check(transport.connects >= 2) { "reconnected: ${transport.connects}" }
            checkEq(1, sim.started(), "the reader ran the transaction once")
            checkEq(1, sim.approved(), "approved once")
        } finally {
            sim.stop()
        }
    }
}
