// The sale on screen, the history with refunds, the receipt and the end-of-day report.
package io.tillkit.app

import android.graphics.Bitmap
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Close
import androidx.compose.material.icons.filled.Info
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Button
import androidx.compose.material3.Icon
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import io.tillkit.core.Sale
import io.tillkit.core.SaleHint
import io.tillkit.core.SaleStatus

/** The icon beside a status: the words say it, the icon repeats it (never colour alone). */
private fun iconOf(hint: SaleHint): ImageVector = when (hint) {
    SaleHint.PAID -> Icons.Filled.CheckCircle
    SaleHint.DO_NOT_CHARGE_AGAIN -> Icons.Filled.Warning
    SaleHint.WAITING_FOR_NETWORK, SaleHint.SHOW_QR, SaleHint.WAITING_FOR_CUSTOMER, SaleHint.CANCELLING -> Icons.Filled.Info
    else -> Icons.Filled.Close
}

/** A sale's status as icon and words; changes are announced to screen readers (live region). */
@Composable
fun StatusLine(sale: Sale, announce: Boolean, fontSize: Int = 16) {
    val context = LocalContext.current
    val modifier = if (announce) Modifier.semantics { liveRegion = LiveRegionMode.Polite } else Modifier
    Row(modifier, horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        Icon(iconOf(sale.hint), contentDescription = null)
        Text(Words.hint(context, sale.hint), fontSize = fontSize.sp)
    }
}

@Composable
fun SaleScreen(model: CashierModel, sale: Sale) {
    val context = LocalContext.current
    Text("${sale.amount.amount} ${sale.amount.currency}", fontSize = 32.sp)
    StatusLine(sale, announce = true, fontSize = 24)
    if (sale.hint == SaleHint.SHOW_QR) sale.qr?.content?.takeIf { it.isNotEmpty() }?.let { QrImage(it) }
    if (sale.isFinal && sale.status != SaleStatus.Paid) Text(Words.next(context, sale.nextStep))
    // A person must look: a charge after cancel, an answer that did not match, a bad signature.
    sale.attentionReason?.let {
        Row {
            Icon(Icons.Filled.Warning, contentDescription = null)
            Text(stringResource(R.string.needs_attention, Words.attention(context, it)))
        }
    }
    if (model.canCancel) OutlinedButton(onClick = model::cancelSale) { Text(stringResource(R.string.cancel_sale)) }
    // Stuck (outcome unknown, or waiting on a terminal or a customer): the cashier may stop
    // waiting; the core keeps resolving it and flags a charge that comes later.
    if (!sale.isFinal && sale.hint != SaleHint.WAITING_FOR_NETWORK) {
        OutlinedButton(onClick = model::abandonSale) { Text(stringResource(R.string.abandon_sale)) }
        Text(stringResource(R.string.abandon_explained), fontSize = 12.sp)
    }
    if (sale.status == SaleStatus.Paid) {
        OutlinedButton(onClick = { model.showReceipt(sale.id) }) { Text(stringResource(R.string.receipt)) }
    }
    if (sale.isFinal) Button(onClick = model::newSale) { Text(stringResource(R.string.done)) }
}

@Composable
fun HistoryScreen(model: CashierModel) {
    LazyColumn {
        items(model.history, key = { it.id }) { s ->
            Row(Modifier.fillMaxWidth().padding(4.dp), horizontalArrangement = Arrangement.SpaceBetween) {
                Column {
                    Text("${s.amount.amount} ${s.amount.currency}")
                    StatusLine(s, announce = false)
                }
                if (s.status == SaleStatus.Paid) {
                    Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                        OutlinedButton(onClick = { model.openRefund(s) }) { Text(stringResource(R.string.refund)) }
                        OutlinedButton(onClick = { model.showReceipt(s.id) }) { Text(stringResource(R.string.receipt)) }
                    }
                }
            }
        }
    }
}

/** Partial or full refunds of a paid sale, with what was refunded and what remains. */
@Composable
fun RefundScreen(model: CashierModel, sale: Sale) {
    val context = LocalContext.current
    var amount by remember { mutableStateOf("") }
    Text("${sale.amount.amount} ${sale.amount.currency}", fontSize = 28.sp)
    model.refundView?.let { v ->
        Text(
            stringResource(R.string.refunded_total, "${v.refunded.amount} ${v.refunded.currency}", "${sale.amount.amount} ${sale.amount.currency}"),
            Modifier.semantics { liveRegion = LiveRegionMode.Polite },
        )
        Text(stringResource(R.string.refundable, "${v.refundable.amount} ${v.refundable.currency}"))
        v.refunds.forEach { r -> Text("${r.amount.amount} ${r.amount.currency} · ${Words.refund(context, r.state)}") }
    }
    OutlinedTextField(value = amount, onValueChange = { amount = it }, label = { Text(stringResource(R.string.refund_amount)) })
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Button(onClick = { model.refund(sale, amount); amount = "" }, enabled = amount.isNotBlank()) { Text(stringResource(R.string.refund)) }
        OutlinedButton(onClick = { model.refund(sale, "") }) { Text(stringResource(R.string.refund_all)) }
    }
}

@Composable
fun ReceiptScreen(model: CashierModel, saleId: String) {
    val context = LocalContext.current
    val text = model.receipt
    if (text == null) {
        Text(stringResource(R.string.receipt_unavailable))
        return
    }
    Text(text, fontFamily = FontFamily.Monospace)
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Button(onClick = { model.printReceipt(context, saleId) }) { Text(stringResource(R.string.print_receipt)) }
        OutlinedButton(onClick = { model.shareReceipt(context, saleId) }) { Text(stringResource(R.string.share_receipt)) }
    }
}

@Composable
fun ReportScreen(model: CashierModel) {
    Text(stringResource(R.string.report_title), fontSize = 24.sp)
    val text = model.report
    if (text == null) Text(stringResource(R.string.report_unavailable)) else Text(text, fontFamily = FontFamily.Monospace)
}

@Composable
private fun QrImage(content: String) {
    val bitmap = remember(content) {
        val matrix = QRCodeWriter().encode(content, BarcodeFormat.QR_CODE, 512, 512)
        // All pixels in one array and one call (setPixel per pixel would be 262,144 calls).
        val pixels = IntArray(512 * 512) { i -> if (matrix[i % 512, i / 512]) android.graphics.Color.BLACK else android.graphics.Color.WHITE }
        Bitmap.createBitmap(pixels, 512, 512, Bitmap.Config.RGB_565)
    }
    Image(bitmap.asImageBitmap(), contentDescription = stringResource(R.string.payment_qr), Modifier.size(280.dp))
}
