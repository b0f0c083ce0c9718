// Card transactions end to end: a Kotlin CardReader (a scripted POS terminal SDK) and a Kotlin
// AuthorizationHost (a fake issuer), driven by the core's transaction machine through the
// bindings; plus the Rust simulator as an app developer without hardware would use it.
import io.tillkit.CardPayment
import io.tillkit.readerProgressListener
import io.tillkit.core.AuthorizationHost
import io.tillkit.core.CardAuthorization
import io.tillkit.core.CardReader
import io.tillkit.core.CardTransaction
import io.tillkit.core.EntryMode
import io.tillkit.core.OnlineResponse
import io.tillkit.core.ReaderEvent
import io.tillkit.core.ReaderFault
import io.tillkit.core.ReaderLimits
import io.tillkit.core.ReaderOutcome
import io.tillkit.core.ReaderProgress
import io.tillkit.core.ReaderRequest
import io.tillkit.core.ReaderStatus
import io.tillkit.core.ReaderTxKind
import io.tillkit.core.SimScenario
import io.tillkit.core.TillKitException
import io.tillkit.core.defaultReaderLimits
import io.tillkit.core.simulatedCardReader
import java.util.concurrent.CopyOnWriteArrayList
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.withContext

/** What the fake terminal's customer and SDK do. */
enum class Script { CHIP_PIN, PIN_RETRY, NO_CARD, SDK_CRASH_AFTER_CARD, LOST_AFTER_APPROVAL, BUSY }

/** EMV data of an authorisation request: AID, test PAN, cryptogram, CID, ATC. */
val ARQC = byteArrayOf(
    0x4F, 0x07, 0xA0.toByte(), 0x00, 0x00, 0x00, 0x03, 0x10, 0x10,
    0x5A, 0x08, 0x47, 0x61, 0x73, 0x00, 0x00, 0x00, 0x01, 0x19,
    0x9F.toByte(), 0x26, 0x08, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88.toByte(),
    0x9F.toByte(), 0x27, 0x01, 0x80.toByte(),
    0x9F.toByte(), 0x36, 0x02, 0x00, 0x2A,
)

/**
 * The card's authorisation data for a CNY request as a terminal's EMV kernel builds it: amount
 * (9F02, BCD minor units), currency (5F2A, 156), TVR (95), then the card's [ARQC] fields. The
 * core checks the amount and currency against the sale before the host is asked.
 */
fun arqcFor(request: ReaderRequest): ByteArray {
    val minor = request.amount.amount.replace(".", "").padStart(12, '0')
    val amount = ByteArray(6) { i -> (((minor[2 * i] - '0') shl 4) or (minor[2 * i + 1] - '0')).toByte() }
    return byteArrayOf(0x9F.toByte(), 0x02, 0x06) + amount +
        byteArrayOf(0x5F, 0x2A, 0x02, 0x01, 0x56, 0x95.toByte(), 0x05, 0, 0, 0, 0, 0) + ARQC
}

/**
 * A POS terminal's SDK as an app wraps it: the SDK's callbacks become events in a channel that
 * `nextEvent` reads; `cancel` may arrive while `nextEvent` waits.
 */
class FakeTerminal(private val script: Script) : CardReader {
    private val events = Channel<ReaderEvent>(Channel.UNLIMITED)
    val calls = CopyOnWriteArrayList<String>()
    @Volatile var response: OnlineResponse? = null

    override suspend fun status() = ReaderStatus(true, 80, "fake-1.0", "FAKE-0001")

    override suspend fun begin(request: ReaderRequest) {
        calls += "begin ${request.transactionId} ${request.amount.amount}"
        if (script == Script.BUSY) {
            throw TillKitException.Reader(ReaderFault.BUSY, "the terminal runs another sale")
        }
        events.send(ReaderEvent.WaitingForCard)
        if (script == Script.NO_CARD) return
        events.send(ReaderEvent.CardDetected(EntryMode.CHIP))
        events.send(ReaderEvent.ApplicationSelected("A0000000031010", "VISA CREDIT"))
        events.send(ReaderEvent.PinRequested(3))
        if (script == Script.PIN_RETRY) events.send(ReaderEvent.PinIncorrect(2))
        events.send(ReaderEvent.PinEntered)
        events.send(ReaderEvent.AuthorizationRequest(arqcFor(request)))
    }

    override suspend fun nextEvent(): ReaderEvent {
        val event = events.receive()
        if (script == Script.SDK_CRASH_AFTER_CARD && event is ReaderEvent.ApplicationSelected) {
            throw IllegalStateException("vendor SDK: service died")
        }
        return event
    }

    override suspend fun onlineResponse(response: OnlineResponse) {
        calls += "online approved=${response.approved} offline=${response.unableToGoOnline}"
        this.response = response
        if (script == Script.LOST_AFTER_APPROVAL) throw IllegalStateException("bluetooth gone")
        // The card follows the issuer; unable to go online, this card declines.
        val outcome = if (response.approved) ReaderOutcome.APPROVED_ONLINE else ReaderOutcome.DECLINED
        events.send(ReaderEvent.Completed(outcome, byteArrayOf()))
        events.send(ReaderEvent.CardRemoved)
    }

    override suspend fun cancel() {
        calls += "cancel"
        events.send(ReaderEvent.Completed(ReaderOutcome.CANCELLED, byteArrayOf()))
    }
}

enum class Issuer { APPROVE, DECLINE, UNREACHABLE }

/** Issuer data for the card: authorisation response code (8A) "0x". */
fun responseCode(last: Char) = byteArrayOf(0x8A.toByte(), 0x02, 0x30, last.code.toByte())

/**
 * The issuer: records what it was asked (assertions stay in the test: an AssertionError thrown
 * here is not an Exception, so it would never reach Rust), answers as told.
 */
class FakeIssuer(private val mode: Issuer) : AuthorizationHost {
    val asked = CopyOnWriteArrayList<String>()

    override suspend fun authorize(request: ReaderRequest, card: CardAuthorization): OnlineResponse {
        // The host sees the card's request read and checked by the core, the number masked.
        check(card.maskedPan == "476173******0119") { "masked: ${card.maskedPan}" }
        check(card.amount == request.amount) { "the sale's amount: ${card.amount}" }
        val kind = if (card.cryptogram == "1122334455667788" && card.cid == 0x80.toUByte()) "arqc" else "other emv"
        asked += "${request.kind} ${request.amount.amount} ${request.amount.currency} $kind"
        return when (mode) {
            Issuer.APPROVE -> OnlineResponse(true, "A1B2C3", responseCode('0'), false)
            Issuer.DECLINE -> OnlineResponse(false, null, responseCode('5'), false)
            Issuer.UNREACHABLE -> throw TillKitException.Offline("issuer host unreachable")
        }
    }
}

/** The cashier's screen: every progress, by name; [presentCard] completes on the first prompt. */
class Screen {
    val seen = CopyOnWriteArrayList<ReaderProgress>()
    val presentCard = CompletableDeferred<Unit>()
    val listener = readerProgressListener { progress ->
        seen += progress
        if (progress is ReaderProgress.PresentCard) presentCard.complete(Unit)
    }

    fun names(): List<String> = seen.map { it::class.simpleName ?: "?" }
}

fun saleRequest(id: String, amount: String = "25.00") =
    ReaderRequest(id, ReaderTxKind.SALE, cny(amount))

fun transaction(script: Script, issuer: Issuer, id: String, amount: String = "25.00") =
    CardTransaction(FakeTerminal(script), FakeIssuer(issuer), Screen().listener, saleRequest(id, amount))

suspend fun runCard(reader: CardReader, host: AuthorizationHost, screen: Screen, id: String) =
    CardTransaction(reader, host, screen.listener, saleRequest(id)).use { it.run() }

suspend fun runCard(script: Script, issuer: Issuer, id: String, screen: Screen = Screen()) =
    runCard(FakeTerminal(script), FakeIssuer(issuer), screen, id)

val CHIP_PIN_SCREENS =
    listOf("PresentCard", "Reading", "Reading", "EnterPin", "Reading", "Authorizing", "RemoveCard")

fun registerReaderTests() {
    Tests.test("card sale approved: Present card, Enter PIN, Authorizing, Remove card") {
        val terminal = FakeTerminal(Script.CHIP_PIN)
        val issuer = FakeIssuer(Issuer.APPROVE)
        val screen = Screen()
        val result = runCard(terminal, issuer, screen, "card-approve")
        checkEq(ReaderOutcome.APPROVED_ONLINE to false, result.outcome to result.needsReversal, "result")
        checkEq("476173******0119", result.card?.maskedPan, "the card, masked")
        checkEq(CHIP_PIN_SCREENS, screen.names(), "screens")
        checkEq(ReaderProgress.Reading(EntryMode.CHIP), screen.seen[1], "entry mode shown")
        checkEq(ReaderProgress.EnterPin(3), screen.seen[3], "tries shown")
        checkEq(listOf("SALE 25.00 CNY arqc"), issuer.asked.toList(), "host asked once")
        checkEq("begin card-approve 25.00", terminal.calls.first(), "begin")
        val response = terminal.response ?: throw Failure("no online response")
        checkEq("A1B2C3", response.authCode, "auth code handed to the card")
        check(response.issuerTlv.isNotEmpty()) { "issuer data handed to the card" }
    }

    Tests.test("card sale declined by the issuer") {
        val screen = Screen()
        val result = runCard(Script.CHIP_PIN, Issuer.DECLINE, "card-decline", screen)
        checkEq(ReaderOutcome.DECLINED to false, result.outcome to result.needsReversal, "result")
        checkEq(CHIP_PIN_SCREENS, screen.names(), "screens")
    }

    Tests.test("a wrong PIN, then the right one: Wrong PIN shown, then approved") {
        val screen = Screen()
        val result = runCard(Script.PIN_RETRY, Issuer.APPROVE, "card-pin", screen)
        checkEq(ReaderOutcome.APPROVED_ONLINE, result.outcome, "outcome")
        val screens = listOf(
            "PresentCard", "Reading", "Reading", "EnterPin", "PinIncorrect", "Reading",
            "Authorizing", "RemoveCard",
        )
        checkEq(screens, screen.names(), "screens")
        checkEq(ReaderProgress.PinIncorrect(2), screen.seen[4], "tries left shown")
    }

    Tests.test("the cashier cancels while the reader waits for a card") {
        val terminal = FakeTerminal(Script.NO_CARD)
        val screen = Screen()
        val issuer = FakeIssuer(Issuer.APPROVE)
        val tx = CardTransaction(terminal, issuer, screen.listener, saleRequest("card-cancel"))
        val result = tx.use {
            coroutineScope {
                val running = async { tx.run() }
                screen.presentCard.await()
                // The cashier's button: another coroutine, on another thread than run().
                withContext(Dispatchers.Default) { tx.cancel() }
                running.await()
            }
        }
        checkEq(ReaderOutcome.CANCELLED to false, result.outcome to result.needsReversal, "result")
        checkEq(listOf("PresentCard", "Cancelling"), screen.names(), "screens")
        check("cancel" in terminal.calls) { "the terminal was told to stop: ${terminal.calls}" }
    }

    Tests.test("no card within the card-wait limit: cancelled by TillKit, ends TimedOut") {
        val terminal = FakeTerminal(Script.NO_CARD)
        val screen = Screen()
        val limits = defaultReaderLimits().copy(cardWaitMs = 50L)
        checkEq(30_000L, limits.hostMs, "other limits keep their defaults")
        val issuer = FakeIssuer(Issuer.APPROVE)
        val request = saleRequest("card-nocard")
        val result = CardTransaction(terminal, issuer, screen.listener, request, limits).use { it.run() }
        checkEq(ReaderOutcome.TIMED_OUT to false, result.outcome to result.needsReversal, "result")
        checkEq(listOf("PresentCard", "Cancelling"), screen.names(), "screens")
        val zero = assertThrows<TillKitException.InvalidInput>("a zero limit") {
            val bad = ReaderLimits(pinEntryMs = 0L)
            CardTransaction(terminal, FakeIssuer(Issuer.APPROVE), screen.listener, saleRequest("z"), bad)
        }
        checkEq("limits.pin_entry_ms", zero.field, "field")
    }

    Tests.test("a reader SDK that throws mid-way ends the transaction; nothing crashes") {
        val issuer = FakeIssuer(Issuer.APPROVE)
        val screen = Screen()
        val result = runCard(FakeTerminal(Script.SDK_CRASH_AFTER_CARD), issuer, screen, "card-crash")
        checkEq(ReaderOutcome.CANCELLED to false, result.outcome to result.needsReversal, "lost before the host")
        checkEq(emptyList<String>(), issuer.asked.toList(), "host never asked")
        checkEq(listOf("PresentCard", "Reading", "RemoveCard"), screen.names(), "screens")
    }

    Tests.test("a reader lost after the issuer approved: the approval must be reversed") {
        val result = runCard(Script.LOST_AFTER_APPROVAL, Issuer.APPROVE, "card-lost")
        checkEq(ReaderOutcome.CANCELLED to true, result.outcome to result.needsReversal, "result")
    }

    Tests.test("a busy terminal: run fails with fault BUSY and nothing happened") {
        val issuer = FakeIssuer(Issuer.APPROVE)
        val screen = Screen()
        val e = assertThrows<TillKitException.Reader>("busy") {
            runCard(FakeTerminal(Script.BUSY), issuer, screen, "card-busy")
        }
        checkEq(ReaderFault.BUSY, e.fault, "fault")
        check(e.reason.contains("busy")) { "reason: ${e.reason}" }
        checkEq(0, screen.seen.size + issuer.asked.size, "no screen, no host")
    }

    Tests.test("the host unreachable: the card decides offline (this one declines)") {
        val terminal = FakeTerminal(Script.CHIP_PIN)
        val result = runCard(terminal, FakeIssuer(Issuer.UNREACHABLE), Screen(), "card-offline")
        checkEq(ReaderOutcome.DECLINED to false, result.outcome to result.needsReversal, "result")
        val response = terminal.response ?: throw Failure("no online response")
        check(response.unableToGoOnline && !response.approved) { "card told: unable to go online" }
    }

    Tests.test("bad request fields are InvalidInput naming the field; run only once") {
        val bad = assertThrows<TillKitException.InvalidInput>("id with a space") {
            transaction(Script.CHIP_PIN, Issuer.APPROVE, "a b")
        }
        checkEq("transaction_id", bad.field, "field")
        val amount = assertThrows<TillKitException.InvalidInput>("zero amount") {
            transaction(Script.CHIP_PIN, Issuer.APPROVE, "ok", "0")
        }
        checkEq("amount", amount.field, "field")
        transaction(Script.CHIP_PIN, Issuer.APPROVE, "card-once").use { tx ->
            checkEq(ReaderOutcome.APPROVED_ONLINE, tx.run().outcome, "first run")
            assertThrows<TillKitException.InvalidInput>("second run") {
                tx.run()
            }
        }
    }

    Tests.test("the Rust simulator (no hardware) approves a sale through a Kotlin host") {
        val reader = simulatedCardReader(SimScenario.APPROVE)
        val status = reader.status()
        check(status.connected) { "simulator connected" }
        checkEq("SIM-0001", status.serial, "serial")
        val issuer = FakeIssuer(Issuer.APPROVE)
        val screen = Screen()
        val result = runCard(reader, issuer, screen, "card-sim")
        checkEq(ReaderOutcome.APPROVED_ONLINE to false, result.outcome to result.needsReversal, "result")
        checkEq(CHIP_PIN_SCREENS, screen.names(), "screens")
        checkEq(listOf("SALE 25.00 CNY arqc"), issuer.asked.toList(), "host asked once")
    }

    Tests.test("CardPayment (android wrapper): progress as a Flow, then the result") {
        val issuer = FakeIssuer(Issuer.APPROVE)
        CardPayment(FakeTerminal(Script.CHIP_PIN), issuer, saleRequest("card-flow")).use { payment ->
            val result = coroutineScope {
                val screens = async { payment.progress.toList() }
                val result = payment.run()
                checkEq(CHIP_PIN_SCREENS, screens.await().map { it::class.simpleName }, "flow")
                result
            }
            checkEq(ReaderOutcome.APPROVED_ONLINE, result.outcome, "outcome")
        }
    }
}
