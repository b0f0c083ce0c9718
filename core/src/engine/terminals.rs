//! The terminal registry seen from the app: pair, rename, remove, choose the default. A card
//! sale is routed only to a paired terminal, under the model it was paired with: a mistyped
//! serial would route a payment to someone else's terminal.

use super::error::CashierError;
use super::Cashier;
use crate::acquirer::TerminalId;
use crate::acquirer::{TerminalRefusal, TerminalResult};
use crate::order::{AttemptStatus, TerminalNote};
use crate::store::{self, TerminalRow, TerminalStatus};

/// What an attempt's news says about its terminal, for the registry's status and last-seen
/// time: a payment it took, or one that ended at it, shows it ready; a busy or unreachable
/// refusal, or a sale it never picked up, says so. `None`: nothing new.
pub(super) fn status_news(
    before: Option<&TerminalNote>,
    after: Option<&TerminalNote>,
    attempt_before: AttemptStatus,
    attempt_after: AttemptStatus,
) -> Option<TerminalStatus> {
    if after != before {
        return match after? {
            TerminalNote::Refused(TerminalRefusal::Busy { .. }) => Some(TerminalStatus::Busy),
            TerminalNote::Refused(TerminalRefusal::Unreachable { .. })
            | TerminalNote::Ended(TerminalResult::Undelivered) => Some(TerminalStatus::Unreachable),
            TerminalNote::Ended(_) => Some(TerminalStatus::Ready),
        };
    }
    (attempt_after == AttemptStatus::Succeeded && attempt_before != AttemptStatus::Succeeded)
        .then_some(TerminalStatus::Ready)
}

/// A serial or model as the acquirer routes it: 1–64 characters of A–Z, a–z, 0–9, `-`, `_`, `.`.
fn terminal_id(field: &'static str, value: &str) -> Result<(), CashierError> {
    crate::acquirer::settings_check::id(field, value, 64)
        .map_err(|e| CashierError::InvalidInput { field: e.field, reason: e.reason })
}

impl Cashier {
    /// Pairs a terminal (or renames it, or corrects its model). The first one is the default.
    pub fn add_terminal(
        &self,
        serial: &str,
        model: &str,
        label: Option<&str>,
    ) -> Result<TerminalRow, CashierError> {
        terminal_id("serial", serial)?;
        terminal_id("model", model)?;
        if let Some(l) = label {
            if l.trim().is_empty() || l.chars().count() > 64 || l.chars().any(char::is_control) {
                return Err(CashierError::InvalidInput {
                    field: "label",
                    reason: "1–64 characters, no control characters".into(),
                });
            }
        }
        let now = self.inner.now();
        let row = TerminalRow {
            serial: serial.into(),
            model: model.into(),
            label: label.map(str::to_string),
            is_default: false,
            status: TerminalStatus::Unknown,
            last_seen_ms: None,
            created_at: now,
        };
        self.inner
            .store
            .write(|tx, _| {
                store::upsert_terminal(tx, &row)?;
                store::load_terminal(tx, serial)
            })?
            .ok_or_else(|| CashierError::UnknownTerminal(serial.into()))
    }

    /// Forgets a terminal. Sales already routed to it are not touched.
    pub fn remove_terminal(&self, serial: &str) -> Result<(), CashierError> {
        match self.inner.store.write(|tx, _| store::remove_terminal(tx, serial))? {
            true => Ok(()),
            false => Err(CashierError::UnknownTerminal(serial.into())),
        }
    }

    /// Makes a paired terminal the default for card sales.
    pub fn set_default_terminal(&self, serial: &str) -> Result<(), CashierError> {
        match self.inner.store.write(|tx, _| store::set_default_terminal(tx, serial))? {
            true => Ok(()),
            false => Err(CashierError::UnknownTerminal(serial.into())),
        }
    }

    /// The paired terminals, the default first.
    pub fn terminals(&self) -> Result<Vec<TerminalRow>, CashierError> {
        Ok(self.inner.store.read(|c, _| store::list_terminals(c))?)
    }
}

/// The paired terminal a card sale goes to: the one named (its model must be the paired one;
/// an empty model takes it), or the default when no serial is given.
pub(super) fn route(
    c: &rusqlite::Connection,
    wanted: &TerminalId,
) -> Result<TerminalId, CashierError> {
    let paired = if wanted.serial.trim().is_empty() {
        store::list_terminals(c)?.into_iter().find(|t| t.is_default)
    } else {
        store::load_terminal(c, &wanted.serial)?
    };
    let Some(t) = paired else {
        let name = if wanted.serial.trim().is_empty() { "(default)" } else { &wanted.serial };
        return Err(CashierError::UnknownTerminal(name.to_string()));
    };
    if !wanted.model.is_empty() && wanted.model != t.model {
        return Err(CashierError::InvalidInput {
            field: "terminal.model",
            reason: format!("{} is paired as {}, not {}", t.serial, t.model, wanted.model),
        });
    }
    Ok(TerminalId { serial: t.serial, model: t.model })
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttemptStatus::{Processing, Succeeded, Unknown};

    fn busy() -> TerminalNote {
        TerminalNote::Refused(TerminalRefusal::Busy { blocking_transaction_id: None })
    }

    #[test]
    fn each_kind_of_news_sets_the_status_it_means_and_nothing_else_does() {
        assert_eq!(
            status_news(None, Some(&busy()), Processing, Unknown),
            Some(TerminalStatus::Busy)
        );
        let unreachable =
            TerminalNote::Refused(TerminalRefusal::Unreachable { last_seen_ms: Some(5) });
        assert_eq!(
            status_news(None, Some(&unreachable), Processing, Unknown),
            Some(TerminalStatus::Unreachable)
        );
        let undelivered = TerminalNote::Ended(TerminalResult::Undelivered);
        assert_eq!(
            status_news(None, Some(&undelivered), Processing, Processing),
            Some(TerminalStatus::Unreachable)
        );
        for r in TerminalResult::ALL.into_iter().filter(|r| *r != TerminalResult::Undelivered) {
            let ended = TerminalNote::Ended(r);
            assert_eq!(
                status_news(None, Some(&ended), Processing, Processing),
                Some(TerminalStatus::Ready)
            );
        }
        assert_eq!(status_news(None, None, Processing, Succeeded), Some(TerminalStatus::Ready));
        // Already known: a repeat of the same news changes nothing.
        assert_eq!(status_news(Some(&busy()), Some(&busy()), Unknown, Unknown), None);
        assert_eq!(status_news(None, None, Succeeded, Succeeded), None);
        assert_eq!(status_news(None, None, Processing, Unknown), None);
        // A hint dropped by a query that found the order says nothing about the terminal.
        assert_eq!(status_news(Some(&busy()), None, Unknown, Processing), None);
    }
}
