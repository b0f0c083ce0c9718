// The core reports codes; the words are the app's, in res/values*/strings.xml (English,
// Simplified and Traditional Chinese; scripts/check_strings.py keeps the three complete and
// covering every code). Each `when` is exhaustive: a code added to the core fails the build
// here until it has its words.
package io.tillkit.app

import android.content.Context
import io.tillkit.core.AttentionReason
import io.tillkit.core.NextStep
import io.tillkit.core.PrinterFault
import io.tillkit.core.ReaderFault
import io.tillkit.core.ReaderProgress
import io.tillkit.core.RefundState
import io.tillkit.core.SaleHint
import io.tillkit.core.ScanOutcome
import io.tillkit.core.TerminalStatus
import io.tillkit.core.TillKitException

object Words {
    fun hint(c: Context, hint: SaleHint): String = c.getString(
        when (hint) {
            SaleHint.WAITING_FOR_NETWORK -> R.string.hint_waiting_for_network
            SaleHint.SHOW_QR -> R.string.hint_show_qr
            SaleHint.WAITING_FOR_CUSTOMER -> R.string.hint_waiting_for_customer
            SaleHint.DO_NOT_CHARGE_AGAIN -> R.string.hint_do_not_charge_again
            SaleHint.CANCELLING -> R.string.hint_cancelling
            SaleHint.PAID -> R.string.hint_paid
            SaleHint.DECLINED -> R.string.hint_declined
            SaleHint.EXPIRED -> R.string.hint_expired
            SaleHint.CANCELLED -> R.string.hint_cancelled
            SaleHint.OFFLINE -> R.string.hint_offline
            SaleHint.TERMINAL_BUSY -> R.string.hint_terminal_busy
            SaleHint.TERMINAL_UNREACHABLE -> R.string.hint_terminal_unreachable
            SaleHint.CANCELLED_AT_TERMINAL -> R.string.hint_cancelled_at_terminal
            SaleHint.TIMED_OUT_AT_TERMINAL -> R.string.hint_timed_out_at_terminal
            SaleHint.UNDELIVERED -> R.string.hint_undelivered
            SaleHint.FAILED_AT_TERMINAL -> R.string.hint_failed_at_terminal
        },
    )

    fun next(c: Context, step: NextStep): String = c.getString(
        when (step) {
            NextStep.WAIT -> R.string.next_wait
            NextStep.DONE -> R.string.next_done
            NextStep.TRY_AGAIN -> R.string.next_try_again
            NextStep.USE_ANOTHER_TERMINAL -> R.string.next_use_another_terminal
            NextStep.CHECK_TERMINAL -> R.string.next_check_terminal
            NextStep.ANOTHER_PAYMENT_METHOD -> R.string.next_another_payment_method
        },
    )

    fun attention(c: Context, reason: AttentionReason): String = when (reason) {
        is AttentionReason.AnswerMismatch -> c.getString(R.string.attention_answer_mismatch, reason.field)
        AttentionReason.LateSuccess -> c.getString(R.string.attention_late_success)
        AttentionReason.NotResolved -> c.getString(R.string.attention_not_resolved)
        AttentionReason.ChargedAfterCancel -> c.getString(R.string.attention_charged_after_cancel)
        AttentionReason.UnverifiedAnswer -> c.getString(R.string.attention_unverified_answer)
        AttentionReason.Unresolvable -> c.getString(R.string.attention_unresolvable)
        AttentionReason.PaidAfterAbandon -> c.getString(R.string.attention_paid_after_abandon)
    }

    fun refund(c: Context, state: RefundState): String = c.getString(
        when (state) {
            RefundState.QUEUED -> R.string.refund_queued
            RefundState.UNKNOWN -> R.string.refund_unknown
            RefundState.PROCESSING -> R.string.refund_processing
            RefundState.SUCCEEDED -> R.string.refund_succeeded
            RefundState.FAILED -> R.string.refund_failed
            RefundState.EXPIRED -> R.string.refund_expired
        },
    )

    fun terminal(c: Context, status: TerminalStatus): String = c.getString(
        when (status) {
            TerminalStatus.UNKNOWN -> R.string.terminal_status_unknown
            TerminalStatus.READY -> R.string.terminal_status_ready
            TerminalStatus.BUSY -> R.string.terminal_status_busy
            TerminalStatus.UNREACHABLE -> R.string.terminal_status_unreachable
        },
    )

    fun scan(c: Context, outcome: ScanOutcome): String = c.getString(
        when (outcome) {
            is ScanOutcome.PaymentCode -> R.string.scan_payment_code
            ScanOutcome.AlreadyUsed -> R.string.scan_already_used
            is ScanOutcome.Refused -> R.string.scan_refused
        },
    )

    fun reader(c: Context, progress: ReaderProgress): String = c.getString(
        when (progress) {
            ReaderProgress.PresentCard -> R.string.reader_present_card
            is ReaderProgress.Reading -> R.string.reader_reading
            is ReaderProgress.EnterPin -> R.string.reader_enter_pin
            is ReaderProgress.PinIncorrect -> R.string.reader_pin_incorrect
            ReaderProgress.Authorizing -> R.string.reader_authorizing
            ReaderProgress.Cancelling -> R.string.reader_cancelling
            ReaderProgress.RemoveCard -> R.string.reader_remove_card
        },
    )

    fun readerFault(c: Context, fault: ReaderFault): String = c.getString(
        when (fault) {
            ReaderFault.DISCONNECTED -> R.string.reader_fault_disconnected
            ReaderFault.TIMEOUT -> R.string.reader_fault_timeout
            ReaderFault.BUSY -> R.string.reader_fault_busy
            ReaderFault.PROTOCOL -> R.string.reader_fault_protocol
            ReaderFault.DEVICE -> R.string.reader_fault_device
        },
    )

    fun printerFault(c: Context, fault: PrinterFault): String = c.getString(
        when (fault) {
            PrinterFault.PAPER_OUT -> R.string.printer_fault_paper_out
            PrinterFault.COVER_OPEN -> R.string.printer_fault_cover_open
            PrinterFault.OFFLINE -> R.string.printer_fault_offline
            PrinterFault.FAILED -> R.string.printer_fault_failed
        },
    )

    /**
     * A failure in the cashier's words. A TillKit error is named by its variant (`error_` and
     * the variant in snake case, one key per variant: the check script holds the list against
     * the bindings), so a variant added to the bindings needs only its strings; anything else
     * shows its message.
     */
    fun error(c: Context, e: Throwable): String {
        if (e !is TillKitException) return c.getString(R.string.error_other, e.message ?: e.javaClass.simpleName)
        return when (e) {
            is TillKitException.InvalidInput -> c.getString(R.string.error_invalid_input, e.field)
            is TillKitException.InvalidConfig -> c.getString(R.string.error_invalid_config, e.field)
            is TillKitException.Reader -> readerFault(c, e.fault)
            is TillKitException.Printer -> printerFault(c, e.fault)
            else -> {
                val key = "error_" + e.javaClass.simpleName.replace(Regex("(?<!^)(?=[A-Z])"), "_").lowercase()
                val id = c.resources.getIdentifier(key, "string", c.packageName)
                if (id != 0) c.getString(id) else c.getString(R.string.error_other, e.message ?: key)
            }
        }
    }
}
