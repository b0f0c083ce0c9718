package io.tillkit.app

import android.Manifest
import android.os.Bundle
import android.view.KeyEvent
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.viewModels
import androidx.compose.material3.MaterialTheme

class MainActivity : ComponentActivity() {
    private val model: CashierModel by viewModels()
    private val agent: TerminalAgentModel by viewModels()

    // Without the camera the terminal's scanner and a scan gun still work: a refusal needs no handling.
    private val askCamera = registerForActivityResult(ActivityResultContracts.RequestPermission()) {}

    // The terminal's built-in scanner (Sunmi, PAX, Zebra broadcasts) and a keyboard-wedge scan
    // gun; the model takes their codes on the scan screen only.
    private val builtInScanner by lazy { BroadcastScanReceiver(onOutcome = { model.onScanned(it) }) }
    private val wedge by lazy { WedgeScanner { model.onScanned(it) } }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        askCamera.launch(Manifest.permission.CAMERA)
        setContent { MaterialTheme { CashierApp(model, agent) } }
    }

    override fun onResume() {
        super.onResume()
        builtInScanner.start(this)
    }

    override fun onPause() {
        builtInScanner.stop(this)
        super.onPause()
    }

    override fun dispatchKeyEvent(event: KeyEvent): Boolean {
        if (model.screen is Screen.ScanCode && wedge.onKeyEvent(event)) return true
        return super.dispatchKeyEvent(event)
    }
}
