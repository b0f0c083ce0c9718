// CameraX frames to the core: the Y plane of each YUV_420_888 frame goes to Scanner.scanFrame,
// which decodes, de-duplicates and validates. The app only forwards the code it reports.
package io.tillkit.app

import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalLifecycleOwner
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import io.tillkit.core.CameraFrame
import io.tillkit.core.PixelFormat
import io.tillkit.core.ScanOutcome
import io.tillkit.core.Scanner
import io.tillkit.core.TillKitException
import java.util.concurrent.Executors

/** Hands each frame's luma plane to the core; reports what the core found. */
class PaymentCodeAnalyzer(
    private val scanner: Scanner,
    private val onOutcome: (ScanOutcome) -> Unit,
) : ImageAnalysis.Analyzer {
    override fun analyze(image: ImageProxy) {
        image.use {
            val plane = it.planes[0]
            val stride = plane.rowStride
            // The last row of a Y plane may be shorter than the stride: give the core full rows.
            val bytes = ByteArray(stride * it.height)
            val buffer = plane.buffer
            buffer.get(bytes, 0, minOf(buffer.remaining(), bytes.size))
            val frame = CameraFrame(
                bytes, it.width.toUInt(), it.height.toUInt(), stride.toUInt(),
                PixelFormat.LUMA8, it.imageInfo.rotationDegrees, null,
            )
            try {
                val outcome = scanner.scanFrame(frame) ?: return
                // The code goes to a sale now: shown again later, it is refused as used.
                if (outcome is ScanOutcome.PaymentCode) scanner.markUsed(outcome.code)
                onOutcome(outcome)
            } catch (e: TillKitException) {
                // A malformed frame from the camera: skip it, the next one comes in ~30 ms.
            }
        }
    }
}

/** The camera preview; every new payment code (or refusal) goes to [onOutcome]. */
@Composable
fun CameraScanner(onOutcome: (ScanOutcome) -> Unit) {
    val context = LocalContext.current
    val lifecycle = LocalLifecycleOwner.current
    val scanner = remember { Scanner(false) }
    val executor = remember { Executors.newSingleThreadExecutor() }
    val previewView = remember { PreviewView(context) }
    DisposableEffect(lifecycle) {
        val providerFuture = ProcessCameraProvider.getInstance(context)
        providerFuture.addListener({
            val provider = providerFuture.get()
            val preview = Preview.Builder().build().also { it.surfaceProvider = previewView.surfaceProvider }
            val analysis = ImageAnalysis.Builder()
                .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                .build()
                .also { it.setAnalyzer(executor, PaymentCodeAnalyzer(scanner, onOutcome)) }
            provider.unbindAll()
            provider.bindToLifecycle(lifecycle, CameraSelector.DEFAULT_BACK_CAMERA, preview, analysis)
        }, ContextCompat.getMainExecutor(context))
        onDispose {
            if (providerFuture.isDone) providerFuture.get().unbindAll()
            executor.shutdown()
            scanner.close()
        }
    }
    AndroidView(factory = { previewView }, modifier = Modifier.fillMaxWidth().height(280.dp))
}
