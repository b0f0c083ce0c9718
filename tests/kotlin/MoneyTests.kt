// Money and payment codes: the rules live in the core; Kotlin only passes strings.
import io.tillkit.core.TillKitException
import io.tillkit.core.WalletFamily
import io.tillkit.core.classifyPaymentCode
import io.tillkit.core.coreVersion
import io.tillkit.core.currencyDecimals
import io.tillkit.core.moneyFromMinorUnits
import io.tillkit.core.parseMoney

fun registerMoneyTests() {
    Tests.test("money is normalised to the currency's decimals") {
        checkEq(cny("12.50"), parseMoney("12.5", "CNY"), "CNY")
        checkEq("1000", parseMoney("1000", "JPY").amount, "JPY")
        checkEq("12.50", moneyFromMinorUnits(1250, "CNY").amount, "keypad CNY")
        checkEq("1.250", moneyFromMinorUnits(1250, "KWD").amount, "keypad KWD")
        checkEq(3, currencyDecimals("KWD"), "KWD decimals")
        check(coreVersion().isNotEmpty()) { "a version" }
    }

    Tests.test("bad money is refused with the field named") {
        val e = assertThrows<TillKitException.InvalidInput>("zero") { parseMoney("0", "CNY") }
        checkEq("amount", e.field, "field")
        val c = assertThrows<TillKitException.InvalidInput>("unknown currency") { parseMoney("1", "XYZ") }
        checkEq("currency", c.field, "field")
        assertThrows<TillKitException.InvalidInput>("float-looking") { parseMoney("1e3", "CNY") }
    }

    Tests.test("payment codes are classified and masked") {
        val wechat = classifyPaymentCode("1345 6789 0123 4513 95")
        checkEq(WalletFamily.WECHAT_PAY, wechat.family, "family")
        checkEq("WeChat Pay", wechat.walletName, "name")
        checkEq("1345**********1395", wechat.masked, "masked")
        checkEq(WalletFamily.ALIPAY, classifyPaymentCode("2812345678901234").family, "alipay")
        val unionPay = assertThrows<TillKitException.InvalidInput>("UnionPay") {
            classifyPaymentCode("6212345678901234567")
        }
        checkEq("payment_code", unionPay.field, "field")
        check(unionPay.reason.contains("UnionPay")) { "reason: ${unionPay.reason}" }
    }
}
