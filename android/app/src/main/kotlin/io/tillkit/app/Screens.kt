// The screens: each shows the model's state and calls one model action. No payment logic; every
// word comes from res/values*/strings.xml.
package io.tillkit.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardActions
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Badge
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Icon
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
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import io.tillkit.core.WalletMethod

@OptIn(ExperimentalLayoutApi::class)
@Composable
fun CashierApp(model: CashierModel, agent: TerminalAgentModel) {
    val queue by model.queue.collectAsState()
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedButton(onClick = model::newSale) { Text(stringResource(R.string.new_sale)) }
            OutlinedButton(onClick = model::showHistory) { Text(stringResource(R.string.history)) }
            OutlinedButton(onClick = { model.screen = Screen.Terminals }) { Text(stringResource(R.string.terminals)) }
            OutlinedButton(onClick = model::showReport) { Text(stringResource(R.string.end_of_day)) }
            OutlinedButton(onClick = { model.screen = Screen.Agent }) { Text(stringResource(R.string.this_terminal)) }
        }
        queue?.let { q ->
            // What waits for the network apart from what waits for a customer.
            val network = q.unsent + q.unknown
            if (network > 0) Badge { Text(stringResource(R.string.queue_network, network)) }
        }
        // Errors are announced and carry an icon: never told by the colour alone.
        model.error?.let {
            Row(Modifier.semantics { liveRegion = LiveRegionMode.Assertive }) {
                Icon(Icons.Filled.Warning, contentDescription = null)
                Text(it)
            }
        }
        when (val s = model.screen) {
            Screen.Amount -> AmountScreen(model)
            is Screen.Method -> MethodScreen(model, s)
            is Screen.ScanCode -> ScanCodeScreen(model, s)
            Screen.Progress -> model.sale?.let { SaleScreen(model, it) }
            Screen.History -> HistoryScreen(model)
            is Screen.RefundSale -> RefundScreen(model, s.sale)
            is Screen.Receipt -> ReceiptScreen(model, s.saleId)
            Screen.Report -> ReportScreen(model)
            Screen.Terminals -> TerminalsScreen(model)
            Screen.Agent -> AgentScreen(agent)
        }
    }
}

@Composable
private fun AmountScreen(model: CashierModel) {
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        model.currencies.forEach { code ->
            FilterChip(selected = model.currency == code, onClick = { model.chooseCurrency(code) }, label = { Text(code) })
        }
    }
    Text("${model.money()?.amount ?: "0"} ${model.currency}", fontSize = 40.sp)
    for (row in listOf(listOf(1, 2, 3), listOf(4, 5, 6), listOf(7, 8, 9))) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            row.forEach { d -> Button(onClick = { model.digit(d) }) { Text("$d", fontSize = 24.sp) } }
        }
    }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedButton(onClick = model::clear) { Text(stringResource(R.string.clear)) }
        Button(onClick = { model.digit(0) }) { Text("0", fontSize = 24.sp) }
        Button(onClick = { model.checkout() }, enabled = model.amountUnits > 0) { Text(stringResource(R.string.charge)) }
    }
}

@Composable
private fun MethodScreen(model: CashierModel, m: Screen.Method) {
    Text("${m.money.amount} ${m.money.currency}", fontSize = 32.sp)
    Button(onClick = { model.screen = Screen.ScanCode(m.money, m.saleId) }) { Text(stringResource(R.string.scan_customer_code)) }
    Button(onClick = { model.payByQr(m, WalletMethod.WECHAT_PAY) }) { Text(stringResource(R.string.show_qr_wechat)) }
    Button(onClick = { model.payByQr(m, WalletMethod.ALIPAY_CN) }) { Text(stringResource(R.string.show_qr_alipay_cn)) }
    Button(onClick = { model.payByQr(m, WalletMethod.ALIPAY_HK) }) { Text(stringResource(R.string.show_qr_alipay_hk)) }
    model.terminals.forEach { t ->
        Button(onClick = { model.payByCard(m, t) }) { Text(stringResource(R.string.card_on_terminal, t.label ?: t.serial)) }
    }
}

/**
 * The camera; a terminal's built-in scanner and a scan gun reach the model through
 * MainActivity; the field is for typing a code by hand. The core validates all of them.
 */
@Composable
private fun ScanCodeScreen(model: CashierModel, m: Screen.ScanCode) {
    var code by remember { mutableStateOf("") }
    Text(stringResource(R.string.scan_title), fontSize = 20.sp)
    CameraScanner(onOutcome = model::onScanned)
    model.scanMessage?.let { Text(it, Modifier.semantics { liveRegion = LiveRegionMode.Polite }) }
    OutlinedTextField(
        value = code,
        onValueChange = { code = it },
        label = { Text(stringResource(R.string.scan_field_hint)) },
        singleLine = true,
        keyboardOptions = KeyboardOptions(imeAction = ImeAction.Done),
        keyboardActions = KeyboardActions(onDone = { model.payByCode(m, code) }),
    )
    Button(onClick = { model.payByCode(m, code) }, enabled = code.isNotBlank()) { Text(stringResource(R.string.charge)) }
}

@Composable
private fun TerminalsScreen(model: CashierModel) {
    val context = LocalContext.current
    var serial by remember { mutableStateOf("") }
    var deviceModel by remember { mutableStateOf("") }
    var label by remember { mutableStateOf("") }
    if (model.terminals.isEmpty()) Text(stringResource(R.string.no_terminal))
    model.terminals.forEach { t ->
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Text("${t.label ?: t.serial} (${t.model}) · ${Words.terminal(context, t.status)}")
            if (t.isDefault) {
                Text(stringResource(R.string.default_terminal))
            } else {
                OutlinedButton(onClick = { model.makeDefault(t) }) { Text(stringResource(R.string.make_default)) }
            }
            OutlinedButton(onClick = { model.unpair(t) }) { Text(stringResource(R.string.remove)) }
        }
    }
    OutlinedTextField(value = serial, onValueChange = { serial = it }, label = { Text(stringResource(R.string.serial)) })
    OutlinedTextField(value = deviceModel, onValueChange = { deviceModel = it }, label = { Text(stringResource(R.string.model)) })
    OutlinedTextField(value = label, onValueChange = { label = it }, label = { Text(stringResource(R.string.label)) })
    Button(onClick = { model.pair(serial, deviceModel, label) }, enabled = serial.isNotBlank() && deviceModel.isNotBlank()) {
        Text(stringResource(R.string.pair))
    }
}
