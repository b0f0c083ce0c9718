// The card terminals this register routes card sales to, kept in private preferences.
// (To move into the core's store with the terminal registry; see the bindings' README.)
package io.tillkit.app

import android.content.Context
import io.tillkit.core.TerminalId

class PairedTerminals(context: Context) {
    private val prefs = context.getSharedPreferences("tillkit.terminals", Context.MODE_PRIVATE)

    fun load(): List<TerminalId> =
        prefs.getStringSet(KEY, emptySet()).orEmpty().sorted().mapNotNull { entry ->
            entry.split('/', limit = 2).takeIf { it.size == 2 }?.let { TerminalId(it[0], it[1]) }
        }

    fun add(t: TerminalId): List<TerminalId> {
        if (t.serial.isNotEmpty() && t.model.isNotEmpty() && '/' !in t.serial) {
            val all = prefs.getStringSet(KEY, emptySet()).orEmpty() + "${t.serial}/${t.model}"
            prefs.edit().putStringSet(KEY, all).apply()
        }
        return load()
    }

    private companion object {
        const val KEY = "terminals"
    }
}
