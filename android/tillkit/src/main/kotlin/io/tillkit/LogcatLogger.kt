// TillKit's log lines to Logcat. The core never passes secrets (codes are masked).
package io.tillkit

import android.util.Log
import io.tillkit.core.LogLevel
import io.tillkit.core.Logger

object LogcatLogger : Logger {
    override fun log(level: LogLevel, target: String, message: String) {
        val tag = "TillKit"
        val line = "$target: $message"
        when (level) {
            LogLevel.ERROR -> Log.e(tag, line)
            LogLevel.WARN -> Log.w(tag, line)
            LogLevel.INFO -> Log.i(tag, line)
            LogLevel.DEBUG, LogLevel.TRACE -> Log.d(tag, line)
        }
    }
}
