// Scanning from Kotlin: camera bytes in, a payment code out; the scan gun; bad frames.
import io.tillkit.core.CameraFrame
import io.tillkit.core.PixelFormat
import io.tillkit.core.Roi
import io.tillkit.core.ScanGun
import io.tillkit.core.ScanOutcome
import io.tillkit.core.CodeScanner
import io.tillkit.core.TillKitException
import io.tillkit.core.WalletFamily
import io.tillkit.core.syntheticPaymentFrame

/** A generated frame (1080p unless told), as the Y plane of a camera with a row stride wider than the image. */
fun cameraFrame(seed: Long, padding: Int = 64, width: Int = 1920, height: Int = 1080): Pair<CameraFrame, String> {
    val synth = syntheticPaymentFrame(seed, width, height) ?: error("no frame for seed $seed")
    val width = synth.width
    val stride = width + padding
    val plane = ByteArray(stride * synth.height)
    for (row in 0 until synth.height) {
        System.arraycopy(synth.pixels, row * width, plane, row * stride, width)
    }
    return CameraFrame(plane, synth.width, synth.height, stride, PixelFormat.LUMA8, 0, null) to synth.code
}

fun registerScanTests() {
    Tests.test("a 1080p camera frame from Kotlin bytes gives its payment code once") {
        CodeScanner(false).use { scanner ->
            val (frame, code) = cameraFrame(7)
            val first = scanner.scanFrame(frame)
            check(first is ScanOutcome.PaymentCode) { "decoded: $first" }
            val got = first as ScanOutcome.PaymentCode
            checkEq(code, got.code, "the code")
            check(got.family == WalletFamily.WECHAT_PAY || got.family == WalletFamily.ALIPAY) { "a wallet: ${got.family}" }
            checkEq(null, scanner.scanFrame(frame), "the same code in the next frame is not reported again")
        }
    }

    Tests.test("a code used in a sale is refused when scanned again") {
        CodeScanner(false).use { scanner ->
            val (frame, code) = cameraFrame(8)
            scanner.markUsed(code)
            checkEq(ScanOutcome.AlreadyUsed, scanner.scanFrame(frame), "refused")
        }
    }

    Tests.test("bad frames are typed errors naming the frame, never a crash") {
        CodeScanner(false).use { scanner ->
            val short = CameraFrame(ByteArray(100), 1920, 1080, 1920, PixelFormat.LUMA8, 0, null)
            val e = assertThrows<TillKitException.InvalidInput>("short buffer") { scanner.scanFrame(short) }
            checkEq("frame", e.field, "field")
            val rotated = CameraFrame(ByteArray(100), 10, 10, 10, PixelFormat.LUMA8, 45, null)
            assertThrows<TillKitException.InvalidInput>("rotation") { scanner.scanFrame(rotated) }
            val outside = CameraFrame(ByteArray(100), 10, 10, 10, PixelFormat.LUMA8, 0, Roi(5, 5, 10, 10))
            assertThrows<TillKitException.InvalidInput>("roi") { scanner.scanFrame(outside) }
            checkEq(null, scanner.scanFrame(CameraFrame(ByteArray(100), 10, 10, 10, PixelFormat.LUMA8, 0, null)), "nothing in noise")
        }
    }

    Tests.test("a scan gun's keys: full-width digits, a terminator, a refusal with its reason") {
        ScanGun().use { gun ->
            checkEq(emptyList<ScanOutcome>(), gun.push("１３４６５０７２"), "no terminator yet")
            val done = gun.push("0866361395\n")
            checkEq(1, done.size, "one code")
            checkEq("134650720866361395", (done[0] as ScanOutcome.PaymentCode).code, "normalised")
            val refused = gun.push("6212345678901234567\r")
            check(refused.single() is ScanOutcome.Refused) { "UnionPay is refused: $refused" }
        }
    }
}
