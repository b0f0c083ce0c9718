//! What an acquirer says about a POS terminal, in neutral terms: why it refused a card sale
//! at once, and how a card payment ended unpaid there. Adapters translate their wire fields
//! into these; the engine never sees a vendor's names.

/// Longest terminal-supplied id kept (an order id of the sale blocking the terminal).
pub const MAX_BLOCKING_ID: usize = 64;

/// Why the acquirer refused a card sale at once, without creating an order, because of the
/// terminal. A hint only: it comes with a code that may also mean a system error, so the sale
/// stays unknown until a query confirms that no order exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TerminalRefusal {
    /// The terminal is taking another payment.
    Busy {
        /// The order the terminal is busy with, when the acquirer names it.
        blocking_transaction_id: Option<String>,
    },
    /// The terminal has not been in touch with the acquirer lately (or ever).
    Unreachable {
        /// When the acquirer last heard from it, ms since the Unix epoch (acquirer's clock).
        last_seen_ms: Option<u64>,
    },
}

/// How a card payment ended unpaid at the terminal, as the acquirer reports it beside a
/// failed status. Nothing was charged in any of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TerminalResult {
    /// The card or its issuer declined.
    Declined,
    /// The customer or a clerk cancelled on the terminal.
    CancelledAtTerminal,
    /// The cashier's cancel reached the terminal and stopped it.
    CancelledByCashier,
    /// The terminal gave up waiting for the card.
    TimedOut,
    /// The terminal failed (card read error, terminal fault), or gave a result this version
    /// does not know: nothing was charged, the reason is not a decline.
    Failed,
    /// The order closed before the terminal picked it up.
    Undelivered,
}

impl TerminalResult {
    /// Every result, for exhaustive tests.
    pub const ALL: [TerminalResult; 6] = [
        TerminalResult::Declined,
        TerminalResult::CancelledAtTerminal,
        TerminalResult::CancelledByCashier,
        TerminalResult::TimedOut,
        TerminalResult::Failed,
        TerminalResult::Undelivered,
    ];

    /// A stable name for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            TerminalResult::Declined => "declined",
            TerminalResult::CancelledAtTerminal => "cancelled_at_terminal",
            TerminalResult::CancelledByCashier => "cancelled_by_cashier",
            TerminalResult::TimedOut => "timed_out",
            TerminalResult::Failed => "failed",
            TerminalResult::Undelivered => "undelivered",
        }
    }

    /// Parses [`TerminalResult::as_str`].
    pub fn parse(s: &str) -> Option<TerminalResult> {
        TerminalResult::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in TerminalResult::ALL {
            assert_eq!(TerminalResult::parse(r.as_str()), Some(r));
        }
        assert_eq!(TerminalResult::parse("DECLINED"), None);
    }
}
