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
    io.tillkit.core.Scanner(false).use { scanner ->
        // An unoptimised library decodes ~100x slower: time a few calls only, and say which.
        val profile = System.getenv("TILLKIT_BENCH_PROFILE") ?: "debug"
        val calls = if (profile == "release") 200 else 5
        timeIt("scanFrame on a 1080p Y plane, $profile library", calls) { scanner.scanFrame(frame) }
    }
}
