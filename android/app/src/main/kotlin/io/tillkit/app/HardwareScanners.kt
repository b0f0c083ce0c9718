// The built-in scanners of handheld terminals and keyboard-wedge scan guns. Both only carry the
// code's characters: the core decides what they are (ScanGun validates, de-duplicates and
// refuses what is not a payment code), exactly as for the camera.
package io.tillkit.app

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.view.KeyEvent
import androidx.core.content.ContextCompat
import io.tillkit.core.ScanGun
import io.tillkit.core.ScanOutcome

/**
 * A scanner that broadcasts what it read: [action] is the intent's action, [extra] the string
 * extra holding the code. Terminals let the action be changed in their scanner settings; change
 * it here to match.
 */
data class BroadcastScanner(val vendor: String, val action: String, val extra: String)

/** The defaults of the terminals TillKit knows. */
val defaultBroadcastScanners = listOf(
    // Sunmi (V2, P2, L2): the scanner service's broadcast, always on.
    BroadcastScanner("Sunmi", "com.sunmi.scanner.ACTION_DATA_CODE_RECEIVED", "data"),
    // PAX handhelds with the system scanner service in broadcast output mode.
    BroadcastScanner("PAX", "com.android.server.scannerservice.broadcast", "scannerdata"),
    // Zebra DataWedge: a profile for this app with Intent output, delivery "Broadcast intent"
    // and this action (DataWedge lets each app choose its own).
    BroadcastScanner("Zebra", "io.tillkit.app.SCAN", "com.symbol.datawedge.data_string"),
)

/**
 * Listens to the [scanners]' broadcasts while started, and feeds what they read, line by line,
 * to a [ScanGun]; each outcome goes to [onOutcome] on the main thread.
 */
class BroadcastScanReceiver(
    private val scanners: List<BroadcastScanner> = defaultBroadcastScanners,
    private val onOutcome: (ScanOutcome) -> Unit,
) : BroadcastReceiver() {
    private val gun = ScanGun()
    private var registered = false

    fun start(context: Context) {
        if (registered) return
        val filter = IntentFilter().apply { scanners.forEach { addAction(it.action) } }
        // The scanner service is another app: the receiver must be exported to hear it.
        ContextCompat.registerReceiver(context, this, filter, ContextCompat.RECEIVER_EXPORTED)
        registered = true
    }

    fun stop(context: Context) {
        if (!registered) return
        context.unregisterReceiver(this)
        registered = false
    }

    override fun onReceive(context: Context, intent: Intent) {
        val scanner = scanners.firstOrNull { it.action == intent.action } ?: return
        val code = intent.getStringExtra(scanner.extra) ?: return
        // One broadcast is one complete read: the terminator ends it for the ScanGun.
        gun.push(code.trim() + "\n").forEach(onOutcome)
    }
}

/**
 * A keyboard-wedge scanner: a USB or Bluetooth scan gun that types the code and Enter. Feed it
 * the activity's key events; it takes those of physical keyboards only (the on-screen keyboard
 * and the manual code field are left alone) and returns true for the ones it consumed.
 */
class WedgeScanner(private val onOutcome: (ScanOutcome) -> Unit) {
    private val gun = ScanGun()

    fun onKeyEvent(event: KeyEvent): Boolean {
        val device = event.device ?: return false
        if (device.isVirtual || event.action != KeyEvent.ACTION_DOWN) return false
        val typed = when (event.keyCode) {
            KeyEvent.KEYCODE_ENTER, KeyEvent.KEYCODE_NUMPAD_ENTER, KeyEvent.KEYCODE_TAB -> "\n"
            else -> event.unicodeChar.takeIf { it != 0 }?.let { String(Character.toChars(it)) } ?: return false
        }
        gun.push(typed).forEach(onOutcome)
        return true
    }
}
