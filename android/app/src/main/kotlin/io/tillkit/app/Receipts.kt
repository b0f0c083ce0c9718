// Receipts on the device: the built-in printer of a Sunmi or PAX terminal (a print service of
// the Android print framework there) as a TillKit ReceiptPrinter, and the receipt's PNG (drawn
// by TillKit) in the cache for the share sheet. A Sunmi app that binds InnerPrinter directly
// would instead pass `job.escPos(Paper.MM58)` to `sendRAWData`; a PAX app `job.png(Paper.MM58)`.
package io.tillkit.app

import android.content.Context
import android.graphics.BitmapFactory
import android.net.Uri
import androidx.core.content.FileProvider
import androidx.print.PrintHelper
import io.tillkit.core.Paper
import io.tillkit.core.PrintJob
import io.tillkit.core.PrinterFault
import io.tillkit.core.ReceiptPrinter
import io.tillkit.core.TillKitException
import java.io.File
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

object Receipts {
    /** The device's printer through the print framework. [context] must be an activity. */
    class SystemPrinter(private val context: Context) : ReceiptPrinter {
        override suspend fun print(job: PrintJob) {
            if (!PrintHelper.systemSupportsPrint()) {
                throw TillKitException.Printer(PrinterFault.OFFLINE, "this device has no printing")
            }
            val png = job.png(Paper.MM58)
            val bitmap = BitmapFactory.decodeByteArray(png, 0, png.size)
                ?: throw TillKitException.Printer(PrinterFault.FAILED, "the receipt image did not decode")
            withContext(Dispatchers.Main) {
                PrintHelper(context).apply { scaleMode = PrintHelper.SCALE_MODE_FIT }.printBitmap("receipt", bitmap)
            }
        }
    }

    /** Writes [png] to the cache and returns its content URI (see receipt_paths.xml). Does I/O. */
    fun writePng(context: Context, png: ByteArray): Uri {
        val dir = File(context.cacheDir, "receipts").apply { mkdirs() }
        val file = File(dir, "receipt.png")
        file.writeBytes(png)
        return FileProvider.getUriForFile(context, context.packageName + ".receipts", file)
    }
}
