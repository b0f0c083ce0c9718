// The typed exceptions an app catches, and their fields.
import io.tillkit.awaitFinal
import io.tillkit.core.AttentionReason
import io.tillkit.core.FailReason
import io.tillkit.core.attentionText
import io.tillkit.core.KeyStore
import io.tillkit.core.SaleStatus
import io.tillkit.core.TillKitException

fun registerErrorTests() {
    Tests.test("invalid input names the field") {
        openCashier().use { cashier ->
            val amount = assertThrows<TillKitException.InvalidInput>("too many decimals") {
                cashier.payByCode(cny("1.234"), wechatCode())
            }
            checkEq("amount", amount.field, "field")
            check(amount.reason.contains("decimals")) { "reason: ${amount.reason}" }
            val code = assertThrows<TillKitException.InvalidInput>("not a code") {
                cashier.payByCode(cny("1.00"), "12ab")
            }
            checkEq("payment_code", code.field, "field")
            val id = assertThrows<TillKitException.InvalidInput>("bad sale id") {
                cashier.payByCode(cny("1.00"), wechatCode(), saleId = "a b")
            }
            checkEq("sale_id", id.field, "field")
            cashier.shutdown()
        }
    }

    Tests.test("a sale id used again: the same sale, or IdInUse; never a second charge") {
        openCashier().use { cashier ->
            val first = cashier.payByCode(cny("7.00"), wechatCode(), saleId = "order-42")
            val again = cashier.payByCode(cny("7.00"), wechatCode(), saleId = "order-42")
            checkEq(first.id, again.id, "same sale")
            checkEq(first.acquirerTransactionId, again.acquirerTransactionId, "same charge")
            val e = assertThrows<TillKitException.IdInUse>("different amount") {
                cashier.payByCode(cny("9.00"), wechatCode(), saleId = "order-42")
            }
            checkEq("order-42", e.id, "id")
            checkEq("sale", e.entity, "entity")
            cashier.shutdown()
        }
    }

    Tests.test("refund errors: unknown sale, not paid, too large") {
        openCashier().use { cashier ->
            val unknown = assertThrows<TillKitException.UnknownSale>("no such sale") {
                cashier.refund("nope")
            }
            checkEq("nope", unknown.id, "id")
            val declined = cashier.payByCode(cny("2.51"), wechatCode())
            val notPaid = assertThrows<TillKitException.NotPaid>("declined sale") {
                cashier.refund(declined.id)
            }
            checkEq(declined.id, notPaid.saleId, "sale id")
            val paid = cashier.payByCode(cny("5.00"), wechatCode())
            val tooLarge = assertThrows<TillKitException.RefundTooLarge>("more than paid") {
                cashier.refund(paid.id, cny("5.01"))
            }
            checkEq("5.01 CNY", tooLarge.requested, "requested")
            checkEq("5.00 CNY", tooLarge.remaining, "remaining")
            val cannot = assertThrows<TillKitException.CannotCancel>("cancel a paid sale") {
                cashier.cancel(paid.id)
            }
            checkEq(paid.id, cannot.saleId, "sale id")
            cashier.shutdown()
        }
    }

    Tests.test("a forged notification is rejected and changes nothing") {
        openCashier().use { cashier ->
            val e = assertThrows<TillKitException.NotificationRejected>("garbage") {
                cashier.handleNotification("{\"x\":1}".toByteArray())
            }
            check(e.reason.isNotEmpty()) { "a reason is given" }
            cashier.shutdown()
        }
    }

    Tests.test("a missing salt is an InvalidConfig naming the salt at open") {
        val e = assertThrows<TillKitException.InvalidConfig>("no salt") {
            openCashier(keyStore = MemoryKeyStore())
        }
        checkEq("salt", e.field, "field")
        check(e.reason.contains(SALT_KEY)) { "names the secret: ${e.reason}" }
    }

    Tests.test("attention reasons come with the core's words") {
        checkEq("charged after cancel: refund or keep", attentionText(AttentionReason.ChargedAfterCancel), "text")
        check(attentionText(AttentionReason.AnswerMismatch("currency")).contains("currency")) { "names the field" }
    }

    Tests.test("a lost database key is KeyUnavailable, not a new key; acceptNewKey goes on") {
        val dataDir = newDataDir()
        val offline = config(baseUrl = "http://127.0.0.1:9", policy = fastPolicy.copy(codeValidityMs = 60_000L))
        val sale = openCashier(config = offline, dataDir = dataDir).use { c ->
            c.payByCode(cny("2.10"), wechatCode()).also { c.shutdown() }
        }
        val e = assertThrows<TillKitException.KeyUnavailable>("lost key") {
            openCashier(dataDir = dataDir)
        }
        check(e.reason.contains("sealed")) { "says why: ${e.reason}" }
        openCashier(config = config().copy(acceptNewKey = true), dataDir = dataDir).use { c ->
            val final = c.awaitFinal(sale.id)
            checkEq(SaleStatus.Failed(FailReason.OFFLINE), final.status, "not sent, never declined")
            checkEq(0, sandbox.pingpongCharges(sale.id), "nothing charged")
            c.shutdown()
        }
    }

    Tests.test("a key store that throws fails open with Config and the app's text, not a crash") {
        val broken = object : KeyStore {
            override fun get(name: String): ByteArray? = throw IllegalStateException("keystore locked")
            override fun put(name: String, value: ByteArray) = throw IllegalStateException("locked")
        }
        val e = assertThrows<TillKitException.Config>("throwing key store") {
            openCashier(keyStore = broken)
        }
        check(e.message.orEmpty().contains("keystore locked")) { "keeps the app's text: $e" }
    }
}
