package io.tillkit.app

import android.Manifest
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.viewModels
import androidx.compose.material3.MaterialTheme

class MainActivity : ComponentActivity() {
    private val model: CashierModel by viewModels()

    // Without the camera the scan gun still works, so a refusal needs no handling here.
    private val askCamera = registerForActivityResult(ActivityResultContracts.RequestPermission()) {}

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        askCamera.launch(Manifest.permission.CAMERA)
        setContent { MaterialTheme { CashierApp(model) } }
    }
}
