// The screens: each shows the model's state and calls one model action. No payment logic.
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
import androidx.compose.foundation.text.KeyboardActions
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Badge
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import io.tillkit.core.ScanOutcome
import io.tillkit.core.Sale
import io.tillkit.core.SaleHint
import io.tillkit.core.SaleStatus
import io.tillkit.core.WalletMethod
import io.tillkit.core.attentionText

@Composable
fun CashierApp(model: CashierModel) {
    val queue by model.queue.collectAsState()
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedButton(onClick = model::newSale) { Text("New sale") }
            OutlinedButton(onClick = model::showHistory) { Text("History") }
            OutlinedButton(onClick = { model.screen = Screen.Terminals }) { Text("Terminals") }
            val waiting = queue?.let { it.sales + it.refunds } ?: 0u
            if (waiting > 0u) Badge { Text("$waiting queued") }
        }
        model.error?.let { Text(it, color = androidx.compose.ui.graphics.Color.Red) }
        when (val s = model.screen) {
            Screen.Amount -> AmountScreen(model)
            is Screen.Method -> MethodScreen(model, s)
            is Screen.ScanCode -> ScanCodeScreen(model, s)
            Screen.Progress -> model.sale?.let { SaleScreen(model, it) }
            Screen.History -> HistoryScreen(model)
            Screen.Terminals -> TerminalsScreen(model)
        }
    }
}

@Composable
private fun AmountScreen(model: CashierModel) {
    Text("${model.money()?.amount ?: "0"} ${model.currency}", fontSize = 40.sp)
    for (row in listOf(listOf(1, 2, 3), listOf(4, 5, 6), listOf(7, 8, 9))) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            row.forEach { d -> Button(onClick = { model.digit(d) }) { Text("$d", fontSize = 24.sp) } }
        }
    }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedButton(onClick = model::clear) { Text("C", fontSize = 24.sp) }
        Button(onClick = { model.digit(0) }) { Text("0", fontSize = 24.sp) }
        Button(onClick = { model.checkout() }, enabled = model.amountUnits > 0) { Text("Charge") }
    }
}

@Composable
private fun MethodScreen(model: CashierModel, m: Screen.Method) {
    Text("${m.money.amount} ${m.money.currency}", fontSize = 32.sp)
    Button(onClick = { model.screen = Screen.ScanCode(m.money, m.saleId) }) { Text("Scan customer's code") }
    Button(onClick = { model.payByQr(m, WalletMethod.WECHAT_PAY) }) { Text("Show WeChat Pay QR") }
    Button(onClick = { model.payByQr(m, WalletMethod.ALIPAY_CN) }) { Text("Show Alipay QR") }
    model.terminals.forEach { t ->
        Button(onClick = { model.payByCard(m, t) }) { Text("Card on ${t.serial} (${t.model})") }
    }
}

/** The camera, or a scan gun typing the code followed by Enter; the core validates both. */
@Composable
private fun ScanCodeScreen(model: CashierModel, m: Screen.ScanCode) {
    var code by remember { mutableStateOf("") }
    var refusal by remember { mutableStateOf<String?>(null) }
    Text("Scan the customer's payment code", fontSize = 20.sp)
    CameraScanner { outcome ->
        when (outcome) {
            is ScanOutcome.PaymentCode -> model.payByCode(m, outcome.code)
            is ScanOutcome.AlreadyUsed -> refusal = "This code was used: ask the customer to refresh it"
            is ScanOutcome.Refused -> refusal = outcome.reason
        }
    }
    refusal?.let { Text(it) }
    OutlinedTextField(
        value = code,
        onValueChange = { code = it },
        singleLine = true,
        keyboardOptions = KeyboardOptions(imeAction = ImeAction.Done),
        keyboardActions = KeyboardActions(onDone = { model.payByCode(m, code) }),
    )
    Button(onClick = { model.payByCode(m, code) }, enabled = code.isNotBlank()) { Text("Charge") }
}

@Composable
private fun SaleScreen(model: CashierModel, sale: Sale) {
    Text("${sale.amount.amount} ${sale.amount.currency}", fontSize = 32.sp)
    Text(hintText(sale.hint), fontSize = 24.sp)
    if (sale.hint == SaleHint.SHOW_QR) sale.qr?.content?.takeIf { it.isNotEmpty() }?.let { QrImage(it) }
    sale.resultDescription?.let { Text(it) }
    // A person must look: a charge after cancel, an answer that did not match, a bad signature.
    sale.attentionReason?.let { Text("Needs attention: ${attentionText(it)}") }
    if (!sale.isFinal && !sale.cancelRequested) {
        OutlinedButton(onClick = model::cancelSale) { Text("Cancel sale") }
    }
    if (sale.isFinal) Button(onClick = model::newSale) { Text("Done") }
}

@Composable
private fun HistoryScreen(model: CashierModel) {
    LazyColumn {
        items(model.history, key = { it.id }) { s ->
            Row(Modifier.fillMaxWidth().padding(4.dp), horizontalArrangement = Arrangement.SpaceBetween) {
                Text("${s.amount.amount} ${s.amount.currency}  ${hintText(s.hint)}")
                if (s.status == SaleStatus.Paid) OutlinedButton(onClick = { model.refund(s) }) { Text("Refund") }
            }
        }
    }
}

@Composable
private fun TerminalsScreen(model: CashierModel) {
    var serial by remember { mutableStateOf("") }
    var deviceModel by remember { mutableStateOf("") }
    model.terminals.forEach { Text("${it.serial} (${it.model})") }
    OutlinedTextField(value = serial, onValueChange = { serial = it }, label = { Text("Serial (deviceSn)") })
    OutlinedTextField(value = deviceModel, onValueChange = { deviceModel = it }, label = { Text("Model") })
    Button(onClick = { model.pair(serial, deviceModel) }) { Text("Pair") }
}

/** The screen's words for the core's hint (localise here, decide nothing). */
private fun hintText(hint: SaleHint): String = when (hint) {
    SaleHint.WAITING_FOR_NETWORK -> "Waiting for the network…"
    SaleHint.SHOW_QR -> "Ask the customer to scan"
    SaleHint.WAITING_FOR_CUSTOMER -> "Waiting for the customer…"
    SaleHint.DO_NOT_CHARGE_AGAIN -> "Checking the payment. Do NOT charge again."
    SaleHint.CANCELLING -> "Cancelling…"
    SaleHint.PAID -> "Paid"
    SaleHint.DECLINED -> "Declined"
    SaleHint.EXPIRED -> "Expired, not paid"
    SaleHint.CANCELLED -> "Cancelled"
    SaleHint.OFFLINE -> "No connection: not charged"
    SaleHint.TERMINAL_BUSY -> "Terminal busy with another payment: not charged. Use another terminal or try again."
    SaleHint.TERMINAL_UNREACHABLE -> "Terminal not reachable: not charged. Check the terminal, then try again."
    SaleHint.CANCELLED_AT_TERMINAL -> "Cancelled on the terminal: not charged"
    SaleHint.TIMED_OUT_AT_TERMINAL -> "The terminal timed out: not charged. Try again."
    SaleHint.UNDELIVERED -> "The terminal never took the sale: not charged. Check the terminal."
    SaleHint.FAILED_AT_TERMINAL -> "The terminal failed: not charged. Try again."
}

@Composable
private fun QrImage(content: String) {
    val bitmap = remember(content) {
        val matrix = QRCodeWriter().encode(content, BarcodeFormat.QR_CODE, 512, 512)
        Bitmap.createBitmap(512, 512, Bitmap.Config.RGB_565).apply {
            for (x in 0 until 512) for (y in 0 until 512) {
                setPixel(x, y, if (matrix[x, y]) android.graphics.Color.BLACK else android.graphics.Color.WHITE)
            }
        }
    }
    Image(bitmap.asImageBitmap(), contentDescription = "Payment QR", Modifier.size(280.dp))
}
