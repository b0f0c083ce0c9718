// FFI round-trip costs, measured from Kotlin and printed (figures for the README, not tests).
import io.tillkit.core.coreVersion
import io.tillkit.core.parseMoney

private fun timeIt(label: String, iterations: Int, call: () -> Unit) {
    repeat(iterations / 10) { call() } // warm up the JIT and JNA
    val started = System.nanoTime()
    repeat(iterations) { call() }
    val perCallUs = (System.nanoTime() - started) / 1000.0 / iterations
    println("bench $label: %.2f µs per call (%d calls)".format(perCallUs, iterations))
}

fun runBenchmarks() {
    timeIt("trivial call (coreVersion)", 100_000) { coreVersion() }
    timeIt("parseMoney (two strings in, a record out)", 100_000) { parseMoney("12.5", "CNY") }
    val (frame, _) = cameraFrame(11, padding = 0)
    io.tillkit.core.CodeScanner(false).use { scanner ->
        // An unoptimised library decodes ~100x slower: time a few calls only, and say which.
        val profile = System.getenv("TILLKIT_BENCH_PROFILE") ?: "debug"
        val calls = if (profile == "release") 200 else 5
        timeIt("scanFrame on a 1080p Y plane, $profile library", calls) { scanner.scanFrame(frame) }
    }
}

/**
 * Per-frame cost from Kotlin of a camera Y plane, over the decode itself (timed inside the
 * library, `stats().lastMicros`): the old path (the plane copied into a new ByteArray, then
 * `scanFrame`) against `submitFrame` reading the direct buffer in place; and what a frame with
 * nothing in it costs. On demand only (figures, not tests):
 * `TILLKIT_SCAN_BENCH=1 PROFILE=release scripts/kotlin-test.sh`.
 */
fun runScanBenchmarks() {
    val profile = System.getenv("TILLKIT_BENCH_PROFILE") ?: "debug"
    val calls = if (profile == "release") 200 else 3
    for ((width, height) in listOf(1920 to 1080, 1280 to 720)) {
        val (frame, _) = cameraFrame(31, padding = 0, width = width, height = height)
        val plane = directPlane(frame)
        val size = "${height}p"
        io.tillkit.core.CodeScanner(false).use { scanner ->
            frameOverhead("$size Y plane, copied to a ByteArray + scanFrame ($profile)", calls, scanner) {
                // What CameraScan.kt did per frame before: a frame-sized array and a copy.
                val bytes = ByteArray(frame.stride * height)
                plane.get(bytes, 0, minOf(plane.remaining(), bytes.size))
                plane.rewind()
                scanner.scanFrame(frame.copy(data = bytes))
            }
            frameOverhead("$size Y plane, direct ByteBuffer + submitFrame ($profile)", calls, scanner) {
                scanner.submitFrame(plane, frame.width, frame.height, frame.stride, io.tillkit.core.PixelFormat.LUMA8)
            }
        }
        for ((kind, bytes) in listOf("flat gray" to ByteArray(width * height) { 120 }, "smooth scene" to sceneBytes(width, height), "noise" to noiseBytes(width * height))) {
            val empty = java.nio.ByteBuffer.allocateDirect(bytes.size).put(bytes).flip() as java.nio.ByteBuffer
            io.tillkit.core.CodeScanner(false).use { scanner ->
                repeat(calls) { scanner.submitFrame(empty, width, height, width, io.tillkit.core.PixelFormat.LUMA8) }
                val stats = scanner.stats()
                println("bench empty $size frame ($kind, $profile): %.2f ms mean decode (%d frames)".format(stats.emptyFrameMicros.toDouble() / 1000, stats.empty.toLong()))
            }
        }
    }
}

private fun noiseBytes(n: Int) = ByteArray(n).also { java.util.Random(7).nextBytes(it) }

/** Something like a counter top: slow light and shade with a little sensor noise, no edges. */
private fun sceneBytes(width: Int, height: Int): ByteArray {
    val rnd = java.util.Random(9)
    return ByteArray(width * height) { i ->
        val (x, y) = (i % width).toDouble() to (i / width).toDouble()
        (110 + 60 * Math.sin(x / 97) * Math.cos(y / 61) + rnd.nextInt(9) - 4).toInt().toByte()
    }
}

private fun frameOverhead(label: String, calls: Int, scanner: io.tillkit.core.CodeScanner, call: () -> Unit) {
    repeat(maxOf(2, calls / 10)) { call() }
    val total = LongArray(calls)
    val over = LongArray(calls)
    for (i in 0 until calls) {
        val started = System.nanoTime()
        call()
        total[i] = System.nanoTime() - started
        over[i] = total[i] - scanner.stats().lastMicros.toLong() * 1000
    }
    total.sort()
    over.sort()
    println(
        "bench %s: %.2f ms per frame, %.3f ms over the Rust decode (medians of %d)".format(
            label, total[calls / 2] / 1e6, over[calls / 2] / 1e6, calls,
        ),
    )
}
