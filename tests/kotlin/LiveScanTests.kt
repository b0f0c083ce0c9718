// The live scanning session from Kotlin: frames handed over as direct ByteBuffers (read in
// place, as CameraX planes are), one decode in flight, drops while busy, stop and close while
// a decode runs, and bad buffers.
import io.tillkit.core.CameraFrame
import io.tillkit.core.FrameResult
import io.tillkit.core.PixelFormat
import io.tillkit.core.Roi
import io.tillkit.core.ScanOutcome
import io.tillkit.core.CodeScanner
import io.tillkit.core.TillKitException
import java.nio.ByteBuffer
import kotlin.concurrent.thread

/** The frame's bytes in a direct buffer at position 0, as a camera plane. */
fun directPlane(frame: CameraFrame): ByteBuffer =
    ByteBuffer.allocateDirect(frame.data.size).put(frame.data).flip() as ByteBuffer

/** A 1080p Y plane of noise: no code, and every decoding pass runs (the slowest frame). */
fun noisePlane(width: Int = 1920, height: Int = 1080): ByteBuffer {
    val rnd = java.util.Random(42)
    val bytes = ByteArray(width * height).also { rnd.nextBytes(it) }
    return ByteBuffer.allocateDirect(bytes.size).put(bytes).flip() as ByteBuffer
}

fun CodeScanner.submit(plane: ByteBuffer, frame: CameraFrame): FrameResult =
    submitFrame(plane, frame.width, frame.height, frame.stride, PixelFormat.LUMA8)

fun CodeScanner.submitNoise(plane: ByteBuffer): FrameResult = submitFrame(plane, 1920, 1080, 1920, PixelFormat.LUMA8)

/** Spins (no sleep: a release build decodes in milliseconds) until [scanner] is decoding. */
fun awaitBusy(scanner: CodeScanner, worker: Thread) {
    val deadline = System.nanoTime() + 10_000_000_000
    while (!scanner.stats().busy) {
        check(worker.isAlive && System.nanoTime() < deadline) { "the decode was never seen running" }
        Thread.onSpinWait()
    }
}

fun registerLiveScanTests() {
    Tests.test("a direct buffer is read in place: a code confirmed once, then nothing new") {
        CodeScanner(false).use { scanner ->
            val (frame, code) = cameraFrame(21)
            val plane = directPlane(frame)
            val first = scanner.submit(plane, frame)
            val found = (first as? FrameResult.Found)?.outcome as? ScanOutcome.PaymentCode
            checkEq(code, found?.code, "the code in $first")
            checkEq(FrameResult.Nothing, scanner.submit(plane, frame), "the same code in the next frame")
            checkEq(0, plane.position(), "the buffer is read, not consumed")
            val stats = scanner.stats()
            checkEq(2L, stats.decoded, "decoded")
            checkEq(0L, stats.dropped, "dropped")
        }
    }

    Tests.test("a used code is refused in a live session; a sliced buffer is read from its start") {
        CodeScanner(false).use { scanner ->
            val (frame, code) = cameraFrame(22)
            scanner.markUsed(code)
            // A plane behind a 100-byte header: slice() makes its start the buffer's start.
            val padded = ByteBuffer.allocateDirect(frame.data.size + 100)
            padded.position(100)
            padded.put(frame.data).position(100)
            val result = scanner.submit(padded.slice(), frame)
            checkEq(FrameResult.Found(ScanOutcome.AlreadyUsed), result, "refused")
        }
    }

    Tests.test("frames arriving during a decode are dropped at once, never queued") {
        CodeScanner(false).use { scanner ->
            val slow = noisePlane()
            var slowResult: FrameResult? = null
            val worker = thread { slowResult = scanner.submitNoise(slow) }
            awaitBusy(scanner, worker)
            val small = ByteBuffer.allocateDirect(64 * 64)
            val results = mutableListOf<FrameResult>()
            while (worker.isAlive) {
                results += scanner.submitFrame(small, 64, 64, 64, PixelFormat.LUMA8)
            }
            worker.join()
            val dropped = results.count { it == FrameResult.Dropped }
            check(dropped >= 1) { "a frame submitted while busy is dropped: ${results.take(3)}" }
            checkEq(FrameResult.Nothing, slowResult, "the running decode finished")
            val stats = scanner.stats()
            checkEq(dropped.toLong(), stats.dropped, "every drop counted")
            checkEq(false, stats.busy, "idle")
            checkEq(FrameResult.Nothing, scanner.submitFrame(small, 64, 64, 64, PixelFormat.LUMA8), "read once idle")
        }
    }

    Tests.test("stop during a decode waits for it, and no later frame is read; then close") {
        val scanner = CodeScanner(false)
        val slow = noisePlane()
        var slowResult: FrameResult? = null
        val worker = thread { slowResult = scanner.submitNoise(slow) }
        awaitBusy(scanner, worker)
        scanner.stop()
        checkEq(false, scanner.stats().busy, "no decode runs once stop returned")
        worker.join()
        checkEq(FrameResult.Stopped, slowResult, "the decode in flight reports nothing after stop")
        checkEq(FrameResult.Stopped, scanner.submitNoise(slow), "later frames are not read")
        scanner.close()
    }

    Tests.test("closing the scanner while a decode runs lets that decode finish") {
        val scanner = CodeScanner(false)
        val slow = noisePlane()
        var slowResult: Result<FrameResult>? = null
        val worker = thread { slowResult = runCatching { scanner.submitNoise(slow) } }
        awaitBusy(scanner, worker)
        scanner.close()
        worker.join()
        checkEq(FrameResult.Nothing, slowResult?.getOrNull(), "finished normally: $slowResult")
        assertThrows<IllegalStateException>("a call after close") { scanner.submitNoise(slow) }
    }

    Tests.test("bad direct buffers, rotations and regions are typed errors") {
        CodeScanner(false).use { scanner ->
            val heap = ByteBuffer.allocate(100)
            assertThrows<IllegalArgumentException>("a heap buffer has no address") {
                scanner.submitFrame(heap, 10, 10, 10, PixelFormat.LUMA8)
            }
            val small = ByteBuffer.allocateDirect(100)
            for ((w, h, stride) in listOf(Triple(0, 0, 0), Triple(20000, 20000, 20000), Triple(10, 10, 9), Triple(11, 10, 11))) {
                val e = assertThrows<TillKitException.InvalidInput>("$w x $h stride $stride") {
                    scanner.submitFrame(small, w, h, stride, PixelFormat.LUMA8)
                }
                checkEq("frame", e.field, "field")
            }
            val nv21 = assertThrows<TillKitException.InvalidInput>("NV21 needs chroma") {
                scanner.submitFrame(small, 10, 10, 10, PixelFormat.NV21)
            }
            checkEq("frame", nv21.field, "field")
            checkEq("rotation", assertThrows<TillKitException.InvalidInput>("45°") { scanner.setRotation(45) }.field, "field")
            checkEq("region", assertThrows<TillKitException.InvalidInput>("empty") { scanner.setRegion(Roi(0, 0, 0, 4)) }.field, "field")
            scanner.setRegion(Roi(8, 8, 4, 4))
            val outside = assertThrows<TillKitException.InvalidInput>("outside") {
                scanner.submitFrame(small, 10, 10, 10, PixelFormat.LUMA8)
            }
            checkEq("frame", outside.field, "field")
            scanner.setRegion(null)
            scanner.setRotation(90)
            checkEq(FrameResult.Nothing, scanner.submitFrame(small, 10, 10, 10, PixelFormat.LUMA8), "valid again")
        }
    }
}
