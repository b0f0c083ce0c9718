// The Cashier lives at application scope: one per data directory for the whole process, opened
// off the main thread, shared by every screen, closed when the process shuts down. A screen
// (ViewModel) that goes away never closes it, and a second ViewModel never opens a second one on
// the same store (the core would refuse it with StoreInUse).
package io.tillkit.app

import android.app.Application
import io.tillkit.AndroidKeyStore
import io.tillkit.LogcatLogger
import io.tillkit.core.Cashier
import io.tillkit.core.CashierConfig
import io.tillkit.core.HttpTransport
import io.tillkit.core.KeyStore
import io.tillkit.core.LogLevel
import io.tillkit.core.setLogger
import io.tillkit.eventListener
import java.io.File
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** One [Cashier] per data directory in this process. */
class CashierRegistry(private val keys: KeyStore) {
    // The registry outlives every screen: its own scope, on the IO dispatcher (opening reads the
    // key store and the database).
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private val lock = Mutex()
    private val open = HashMap<String, Deferred<Cashier>>()

    /**
     * The cashier of [dataDir], opened on first use with [config], sending through [http]. Every caller of the same
     * directory gets the same instance, even when they ask at the same time. A failed open is
     * forgotten, so the next call tries again.
     */
    suspend fun get(dataDir: File, config: () -> CashierConfig, http: () -> HttpTransport): Cashier {
        val path = dataDir.canonicalPath
        val opening = lock.withLock {
            open.getOrPut(path) {
                scope.async {
                    setLogger(LogcatLogger, LogLevel.INFO)
                    Cashier.open(config(), path, keys, eventListener {}, http())
                }
            }
        }
        return try {
            opening.await()
        } catch (e: Exception) {
            lock.withLock { if (open[path] === opening) open.remove(path) }
            throw e
        }
    }

    /** Shuts every cashier down (work in flight resumes at the next open) and closes it. */
    suspend fun closeAll() {
        val all = lock.withLock { open.values.toList().also { open.clear() } }
        for (opening in all) {
            val cashier = runCatching { opening.await() }.getOrNull() ?: continue
            runCatching { cashier.shutdown() }
            cashier.close()
        }
    }
}

class TillKitApp : Application() {
    /** The key store for TillKit's secrets (Android Keystore; every call does I/O). */
    val keys: KeyStore by lazy { AndroidKeyStore(this) }

    /** The process's cashiers. */
    val cashiers: CashierRegistry by lazy { CashierRegistry(keys) }

    /** The cashier's data: the store and its journal, never backed up (see the manifest). */
    val cashierDir: File get() = filesDir.resolve("tillkit")

    // Only emulators call onTerminate; on a device the process is killed, which the store is
    // built for (every change is journaled before it is acted on).
    override fun onTerminate() {
        runBlocking(Dispatchers.IO) { cashiers.closeAll() }
        super.onTerminate()
    }
}
