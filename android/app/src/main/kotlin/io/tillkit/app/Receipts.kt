// A receipt's text as a picture: to print through the Android print framework (the built-in
// printer of a Sunmi or PAX terminal is a print service there) and to share as a PNG.
package io.tillkit.app

import android.content.Context
import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.graphics.Typeface
import android.net.Uri
import androidx.core.content.FileProvider
import androidx.print.PrintHelper
import java.io.File

object Receipts {
    /** 58 mm thermal printers are 384 dots wide. */
    private const val WIDTH = 384
    private const val MARGIN = 8f

    /** Monospaced lines, black on white. */
    fun render(text: String): Bitmap {
        val paint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
            typeface = Typeface.MONOSPACE
            textSize = 20f
            color = Color.BLACK
        }
        val lines = text.lines()
        val lineHeight = paint.fontSpacing
        val height = (lineHeight * lines.size + 2 * MARGIN).toInt().coerceAtLeast(1)
        val bitmap = Bitmap.createBitmap(WIDTH, height, Bitmap.Config.ARGB_8888)
        val canvas = Canvas(bitmap)
        canvas.drawColor(Color.WHITE)
        lines.forEachIndexed { i, line -> canvas.drawText(line, MARGIN, MARGIN + lineHeight * (i + 1) - paint.descent(), paint) }
        return bitmap
    }

    /** Prints [text]; false when the device has no printing at all. [context] must be an activity. */
    fun print(context: Context, text: String): Boolean {
        if (!PrintHelper.systemSupportsPrint()) return false
        PrintHelper(context).apply { scaleMode = PrintHelper.SCALE_MODE_FIT }.printBitmap("receipt", render(text))
        return true
    }

    /** Writes the picture to the cache and returns its content URI (see receipt_paths.xml). Does I/O. */
    fun writePng(context: Context, text: String): Uri {
        val dir = File(context.cacheDir, "receipts").apply { mkdirs() }
        val file = File(dir, "receipt.png")
        file.outputStream().use { render(text).compress(Bitmap.CompressFormat.PNG, 100, it) }
        return FileProvider.getUriForFile(context, context.packageName + ".receipts", file)
    }
}
