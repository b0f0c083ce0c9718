// CameraX frames to the core's live scanning session: the Y plane of each YUV_420_888 frame goes
// to CodeScanner.submitFrame read in place (the plane is a direct ByteBuffer that CameraX reuses
// from frame to frame: no copy, no per-frame allocation here). The core decodes one frame at a
// time and drops the ones arriving meanwhile, de-duplicates and validates; the app only forwards
// what it reports, on the main thread.
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
import io.tillkit.core.FrameResult
import io.tillkit.core.PixelFormat
import io.tillkit.core.ScanOutcome
import io.tillkit.core.CodeScanner
import io.tillkit.core.TillKitException
import java.util.concurrent.Executors

/** Hands each frame's luma plane to the core, in place; reports what the core found. */
class PaymentCodeAnalyzer(
    private val scanner: CodeScanner,
    private val onOutcome: (ScanOutcome) -> Unit,
) : ImageAnalysis.Analyzer {
    private var rotation = 0

    override fun analyze(image: ImageProxy) {
        // The plane's memory belongs to the image: it is read only inside use {}, before close.
        image.use {
            val plane = it.planes[0]
            val degrees = it.imageInfo.rotationDegrees
            try {
                if (degrees != rotation) {
                    scanner.setRotation(degrees)
                    rotation = degrees
                }
                // submitFrame reads from the buffer's start: make sure nothing moved its position.
                val buffer = plane.buffer.rewind() as java.nio.ByteBuffer
                val result = scanner.submitFrame(
                    buffer, it.width, it.height, plane.rowStride, PixelFormat.LUMA8,
                )
                val outcome = (result as? FrameResult.Found)?.outcome ?: return
                // The code goes to a sale now: shown again later, it is refused as used.
                if (outcome is ScanOutcome.PaymentCode) scanner.markUsed(outcome.code)
                onOutcome(outcome)
            } catch (e: TillKitException) {
                // A malformed frame from the camera: skip it, the next one comes in ~30 ms.
            }
        }
    }
}

/** The camera preview; every new payment code (or refusal) goes to [onOutcome], on the main thread. */
@Composable
fun CameraScanner(onOutcome: (ScanOutcome) -> Unit) {
    val context = LocalContext.current
    val lifecycle = LocalLifecycleOwner.current
    val scanner = remember { CodeScanner(false) }
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
                .also {
                    val main = ContextCompat.getMainExecutor(context)
                    it.setAnalyzer(executor, PaymentCodeAnalyzer(scanner) { outcome -> main.execute { onOutcome(outcome) } })
                }
            provider.unbindAll()
            provider.bindToLifecycle(lifecycle, CameraSelector.DEFAULT_BACK_CAMERA, preview, analysis)
        }, ContextCompat.getMainExecutor(context))
        onDispose {
            if (providerFuture.isDone) providerFuture.get().unbindAll()
            // An analysis may still be running on the executor: stop and close there, after it,
            // so the scanner is never closed under a running call and the main thread never
            // waits for a decode. Once stopped, a frame still delivered is not read.
            executor.execute {
                scanner.stop()
                scanner.close()
            }
            executor.shutdown()
        }
    }
    AndroidView(factory = { previewView }, modifier = Modifier.fillMaxWidth().height(280.dp))
}
