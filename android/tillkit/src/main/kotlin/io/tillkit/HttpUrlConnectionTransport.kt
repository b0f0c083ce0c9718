// TillKit's requests over the platform's HTTP stack. Pure JVM (java.net): the Kotlin tests run
// this same file against the sandbox on the desktop.
package io.tillkit

import io.tillkit.core.HttpHeader
import io.tillkit.core.HttpRequest
import io.tillkit.core.HttpResponse
import io.tillkit.core.HttpTransport
import io.tillkit.core.HttpTransportException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runInterruptible
import java.io.IOException
import java.io.InputStream
import java.net.HttpURLConnection
import java.net.SocketTimeoutException
import java.net.URL
import javax.net.ssl.HttpsURLConnection
import javax.net.ssl.SSLSocketFactory

/**
 * Sends TillKit's requests with [HttpURLConnection] (OkHttp underneath on Android), so the
 * device's trust store, network security config, proxies and VPNs apply. Pass it to
 * `Cashier.open` and `TerminalAgent.open`; the Android library has no HTTP client of its own.
 *
 * [sslSocketFactory] replaces the platform's trust for these requests (a private gateway's CA,
 * certificate pinning); `null` keeps the platform's.
 *
 * A failure before the connection is up (unknown host, refused, connect timeout, TLS handshake)
 * is [HttpTransportException.NotConnected]: TillKit then knows the request was not sent. After
 * that, a slow answer is [HttpTransportException.Timeout] and anything else
 * [HttpTransportException.ConnectionLost]: the sale is then queried, never charged blindly again.
 */
class HttpUrlConnectionTransport(
    private val sslSocketFactory: SSLSocketFactory? = null,
) : HttpTransport {
    // Blocking I/O on the IO pool; a cancelled coroutine interrupts the waiting thread.
    override suspend fun send(request: HttpRequest): HttpResponse =
        runInterruptible(Dispatchers.IO) { exchange(request) }

    private fun exchange(request: HttpRequest): HttpResponse {
        val connection = open(request)
        try {
            try {
                connection.connect()
            } catch (e: IOException) {
                throw HttpTransportException.NotConnected(describe(e))
            }
            // From here on the request may reach the acquirer.
            try {
                if (request.body.isNotEmpty()) connection.outputStream.use { it.write(request.body) }
                val status = connection.responseCode
                val stream = if (status >= 400) connection.errorStream else connection.inputStream
                val body = stream?.use { readAtMost(it, request.maxAnswerBytes) } ?: ByteArray(0)
                val headers = connection.headerFields.flatMap { (name, values) ->
                    if (name == null) emptyList() else values.map { HttpHeader(name, it) }
                }
                return HttpResponse(status, headers, body)
            } catch (e: SocketTimeoutException) {
                throw HttpTransportException.Timeout(describe(e))
            } catch (e: IOException) {
                throw HttpTransportException.ConnectionLost(describe(e))
            }
        } finally {
            connection.disconnect()
        }
    }

    private fun open(request: HttpRequest): HttpURLConnection {
        val connection = try {
            URL(request.url).openConnection() as HttpURLConnection
        } catch (e: Exception) {
            throw HttpTransportException.NotConnected(describe(e))
        }
        connection.instanceFollowRedirects = false
        connection.useCaches = false
        connection.connectTimeout = millis(request.connectTimeoutMs)
        // Between two reads; TillKit bounds the whole exchange itself.
        connection.readTimeout = millis(request.timeoutMs)
        connection.requestMethod = request.method
        if (connection is HttpsURLConnection && sslSocketFactory != null) {
            connection.sslSocketFactory = sslSocketFactory
        }
        for (header in request.headers) connection.addRequestProperty(header.name, header.value)
        if (request.body.isNotEmpty()) {
            connection.doOutput = true
            connection.setFixedLengthStreamingMode(request.body.size)
        }
        return connection
    }

    companion object {
        /**
         * A transport trusting only the CA certificates in [caPems] (PEM text): a private
         * gateway's, or the sandbox's served over HTTPS on the Wi-Fi.
         */
        fun trustingOnly(caPems: List<String>): HttpUrlConnectionTransport {
            val factory = java.security.cert.CertificateFactory.getInstance("X.509")
            val keys = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType())
            keys.load(null)
            caPems.flatMap { factory.generateCertificates(it.byteInputStream()) }
                .forEachIndexed { i, cert -> keys.setCertificateEntry("ca-$i", cert) }
            val trust = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm(),
            )
            trust.init(keys)
            val context = javax.net.ssl.SSLContext.getInstance("TLS")
            context.init(null, trust.trustManagers, null)
            return HttpUrlConnectionTransport(context.socketFactory)
        }

        private fun millis(ms: Long): Int = ms.coerceIn(1L, Int.MAX_VALUE.toLong()).toInt()

        // One byte past the limit is enough for TillKit to refuse the answer. (No
        // `readNBytes`: Android has it from API 33 only.)
        private fun readAtMost(stream: InputStream, limit: Long): ByteArray {
            val cap = limit.coerceIn(0L, Int.MAX_VALUE - 1L).toInt() + 1
            val out = java.io.ByteArrayOutputStream()
            val buffer = ByteArray(8192)
            while (out.size() < cap) {
                val n = stream.read(buffer, 0, minOf(buffer.size, cap - out.size()))
                if (n < 0) break
                out.write(buffer, 0, n)
            }
            return out.toByteArray()
        }

        // The exception's class and message: never the request, which holds payment codes.
        private fun describe(e: Exception): String = "${e.javaClass.simpleName}: ${e.message ?: ""}"
    }
}
