// "This device is the terminal": the terminal agent (TerminalAgentModel) takes the card sales the
// acquirer routes to this device's serial, on a card reader reached over TillKit's link
// protocol. The reader here is a TCP socket (`tillkit reader simulate` on the development
// machine, or a reader bridge); a terminal app wraps its vendor SDK as a CardReader instead.
package io.tillkit.app

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
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import io.tillkit.core.AgentEvent
import io.tillkit.core.ReaderFault
import io.tillkit.core.ReaderTransport
import io.tillkit.core.TillKitException
import io.tillkit.core.linkCardReader
import java.io.IOException
import java.net.InetSocketAddress
import java.net.Socket
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/** A reader's byte stream over TCP. Blocking socket calls run on Dispatchers.IO. */
class SocketReaderTransport(private val host: String, private val port: Int) : ReaderTransport {
    @Volatile private var socket: Socket? = null
    // One read at a time (the link's pump): the buffer is reused, only the bytes read are copied.
    private val buffer = ByteArray(4096)

    override suspend fun connect() {
        withContext(Dispatchers.IO) {
            closeSocket()
            socket = try {
                Socket().apply { connect(InetSocketAddress(host, port), 5_000) }
            } catch (e: IOException) {
                throw disconnected(e)
            }
        }
    }

    override suspend fun send(bytes: ByteArray) {
        withContext(Dispatchers.IO) {
            val s = socket ?: throw disconnected(null)
            try {
                s.getOutputStream().write(bytes)
                s.getOutputStream().flush()
            } catch (e: IOException) {
                throw disconnected(e)
            }
        }
    }

    override suspend fun receive(): ByteArray = withContext(Dispatchers.IO) {
        val s = socket ?: throw disconnected(null)
        val n = try { s.getInputStream().read(buffer) } catch (e: IOException) { throw disconnected(e) }
        if (n < 0) throw disconnected(null)
        buffer.copyOf(n)
    }

    // Closing the socket also ends a receive() blocked in read().
    override suspend fun disconnect() {
        withContext(Dispatchers.IO) { closeSocket() }
    }

    private fun closeSocket() {
        socket?.let { runCatching { it.close() } }
        socket = null
    }

    private fun disconnected(e: IOException?) =
        TillKitException.Reader(ReaderFault.DISCONNECTED, e?.message ?: "the reader closed the connection")
}

@Composable
fun AgentScreen(agent: TerminalAgentModel) {
    val context = LocalContext.current
    val event by agent.event.collectAsState()
    val failure by agent.error.collectAsState()
    var baseUrl by remember { mutableStateOf(BuildConfig.ACQUIRER_URL) }
    var serial by remember { mutableStateOf("") }
    var deviceModel by remember { mutableStateOf("") }
    var keyId by remember { mutableStateOf("") }
    var reader by remember { mutableStateOf("127.0.0.1:7420") }
    Text(stringResource(R.string.agent_title))
    OutlinedTextField(value = baseUrl, onValueChange = { baseUrl = it }, label = { Text(stringResource(R.string.agent_base_url)) })
    OutlinedTextField(value = serial, onValueChange = { serial = it }, label = { Text(stringResource(R.string.serial)) })
    OutlinedTextField(value = deviceModel, onValueChange = { deviceModel = it }, label = { Text(stringResource(R.string.model)) })
    OutlinedTextField(value = keyId, onValueChange = { keyId = it }, label = { Text(stringResource(R.string.agent_key_id)) })
    OutlinedTextField(value = reader, onValueChange = { reader = it }, label = { Text(stringResource(R.string.agent_reader_address)) })
    Button(onClick = {
        val host = reader.substringBeforeLast(':')
        val port = reader.substringAfterLast(':').toIntOrNull()
        if (port == null) {
            agent.reportFailure(context.getString(R.string.error_invalid_input, "reader"))
        } else {
            agent.start(TerminalPairing(baseUrl.trim(), serial.trim(), deviceModel.trim(), keyId.trim())) {
                linkCardReader(SocketReaderTransport(host, port))
            }
        }
    }) { Text(stringResource(R.string.agent_start)) }
    OutlinedButton(onClick = agent::stop) { Text(stringResource(R.string.agent_stop)) }
    val line = when (val e = event) {
        null -> null
        AgentEvent.Connected -> stringResource(R.string.agent_connected)
        is AgentEvent.Unreachable -> stringResource(R.string.agent_unreachable)
        is AgentEvent.Started -> stringResource(R.string.agent_started, "${e.amount.amount} ${e.amount.currency}")
        is AgentEvent.Progress -> Words.reader(context, e.progress)
        is AgentEvent.Finished -> stringResource(R.string.agent_finished)
        else -> null
    }
    line?.let { Text(it, Modifier.semantics { liveRegion = LiveRegionMode.Polite }) }
    failure?.let { Text(it, Modifier.semantics { liveRegion = LiveRegionMode.Assertive }) }
}
