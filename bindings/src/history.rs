//! What the history screen asks for and shows: the filter of [`crate::Cashier::history`] and
//! the lines of a sale's journal, with times as `Long` ms.

use tillkit_core::store::{HistoryFilter as CoreFilter, JournalLine as CoreLine};

use crate::error::TillKitError;
use crate::ints::{count_arg, long, ms_arg};
use crate::sale_status::SaleStatus;

/// Which sales [`crate::Cashier::history`] returns. Every field has a default:
/// `HistoryFilter()` is the newest 100 sales of every status.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct HistoryFilter {
    /// Only these statuses (empty: all).
    #[uniffi(default = [])]
    pub statuses: Vec<SaleStatus>,
    /// Created at or after, ms since the epoch.
    #[uniffi(default = None)]
    pub since_ms: Option<i64>,
    /// Created before, ms since the epoch.
    #[uniffi(default = None)]
    pub until_ms: Option<i64>,
    /// At most this many, newest first (`null`: 100).
    #[uniffi(default = None)]
    pub limit: Option<i32>,
    /// Also abandoned sales (without it they are left out, except those that need attention).
    #[uniffi(default = false)]
    pub include_abandoned: bool,
}

impl TryFrom<HistoryFilter> for CoreFilter {
    type Error = TillKitError;
    fn try_from(f: HistoryFilter) -> Result<Self, TillKitError> {
        Ok(CoreFilter {
            statuses: f.statuses,
            since: f.since_ms.map(|v| ms_arg("since_ms", v)).transpose()?,
            until: f.until_ms.map(|v| ms_arg("until_ms", v)).transpose()?,
            limit: f.limit.map(|v| count_arg("limit", v)).transpose()?,
            include_abandoned: f.include_abandoned,
        })
    }
}

/// One change in a sale's journal.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JournalLine {
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// What kind of change (`created`, `sent`, `answer`, …).
    pub kind: String,
    /// Details (codes masked).
    pub detail: String,
}

impl From<CoreLine> for JournalLine {
    fn from(l: CoreLine) -> Self {
        JournalLine { at_ms: long(l.at), kind: l.kind, detail: l.detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_filter_is_everything_and_negative_values_are_refused_by_name() {
        let all = CoreFilter::try_from(HistoryFilter::default()).expect("default");
        assert_eq!(all, CoreFilter::default());
        let bad = HistoryFilter { limit: Some(-1), ..HistoryFilter::default() };
        let err = CoreFilter::try_from(bad).expect_err("negative limit");
        assert!(matches!(err, TillKitError::InvalidInput { field, .. } if field == "limit"));
    }
}
