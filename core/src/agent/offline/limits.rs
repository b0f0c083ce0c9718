//! The limits on card approvals taken offline. The merchant carries the risk of every offline
//! approval (the issuer never saw it), so each is bounded: per transaction, in total per
//! currency while not forwarded, in number, and in age (an approval not forwarded within the
//! acquirer's window may be refused, so a terminal holding an old one stops taking new ones).

use std::time::Duration;

use rust_decimal::Decimal;

use crate::money::{Amount, Currency};

/// The limits of one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyLimit {
    /// The currency.
    pub currency: Currency,
    /// Largest amount one offline approval may have.
    pub per_transaction: Decimal,
    /// Largest sum of the approvals stored and not yet forwarded.
    pub total_stored: Decimal,
}

/// Every limit. A currency without a [`CurrencyLimit`] is never approved offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineLimits {
    /// Per-currency amounts.
    pub currencies: Vec<CurrencyLimit>,
    /// Most approvals stored and not yet forwarded.
    pub max_count: u32,
    /// Oldest an unforwarded approval may be before the terminal stops approving offline.
    pub max_age: Duration,
}

impl Default for OfflineLimits {
    /// No currency (offline approvals off), 100 approvals, 24 hours.
    fn default() -> Self {
        OfflineLimits {
            currencies: Vec::new(),
            max_count: 100,
            max_age: Duration::from_secs(86_400),
        }
    }
}

/// Why an approval may not be taken offline. Each names the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfflineRefusal {
    /// No limit is set for this currency: offline approvals are off for it.
    #[error("offline approvals are not enabled for {0}")]
    CurrencyNotEnabled(Currency),
    /// Over the per-transaction limit.
    #[error("{amount} is over the offline limit of {limit} per transaction")]
    OverTransactionLimit {
        /// The amount asked for.
        amount: Amount,
        /// The limit.
        limit: Decimal,
    },
    /// The stored sum would go over its limit.
    #[error(
        "{stored} {currency} is stored offline; {amount} more would pass the limit of {limit}"
    )]
    OverStoredTotal {
        /// The currency.
        currency: Currency,
        /// The sum stored now.
        stored: Decimal,
        /// The amount asked for.
        amount: Amount,
        /// The limit.
        limit: Decimal,
    },
    /// As many approvals as allowed are stored.
    #[error("{0} offline approvals are stored, the most allowed")]
    TooMany(u32),
    /// An approval waits longer than the age limit: forward it first.
    #[error("an offline approval has waited {waited_s} s to be forwarded, more than {max_s} s")]
    TooOld {
        /// How long the oldest one has waited, seconds.
        waited_s: u64,
        /// The limit, seconds.
        max_s: u64,
    },
}

/// What is stored now, for the limit check.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredTotals {
    /// Number of unforwarded approvals.
    pub count: u32,
    /// Their sum per currency.
    pub sums: Vec<(Currency, Decimal)>,
    /// When the oldest was approved, Unix ms.
    pub oldest_ms: Option<i64>,
}

impl StoredTotals {
    fn sum(&self, currency: Currency) -> Decimal {
        self.sums.iter().filter(|(c, _)| *c == currency).map(|(_, s)| *s).sum()
    }
}

impl OfflineLimits {
    /// Whether `amount` may be approved offline at `now_ms`, given what is stored.
    pub fn admit(
        &self,
        amount: &Amount,
        stored: &StoredTotals,
        now_ms: i64,
    ) -> Result<(), OfflineRefusal> {
        let currency = amount.currency();
        let limit = self
            .currencies
            .iter()
            .find(|l| l.currency == currency)
            .ok_or(OfflineRefusal::CurrencyNotEnabled(currency))?;
        if amount.value() > limit.per_transaction {
            return Err(OfflineRefusal::OverTransactionLimit {
                amount: *amount,
                limit: limit.per_transaction,
            });
        }
        let sum = stored.sum(currency);
        if sum + amount.value() > limit.total_stored {
            return Err(OfflineRefusal::OverStoredTotal {
                currency,
                stored: sum,
                amount: *amount,
                limit: limit.total_stored,
            });
        }
        if stored.count >= self.max_count {
            return Err(OfflineRefusal::TooMany(stored.count));
        }
        if let Some(oldest) = stored.oldest_ms {
            let waited_ms = now_ms.saturating_sub(oldest).max(0);
            let max_ms = i64::try_from(self.max_age.as_millis()).unwrap_or(i64::MAX);
            if waited_ms > max_ms {
                return Err(OfflineRefusal::TooOld {
                    waited_s: u64::try_from(waited_ms / 1000).unwrap_or(0),
                    max_s: self.max_age.as_secs(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(v: &str) -> Amount {
        Amount::parse(v, "CNY").unwrap()
    }

    fn limits() -> OfflineLimits {
        OfflineLimits {
            currencies: vec![CurrencyLimit {
                currency: Currency::from_code("CNY").unwrap(),
                per_transaction: "50.00".parse().unwrap(),
                total_stored: "100.00".parse().unwrap(),
            }],
            max_count: 3,
            max_age: Duration::from_secs(60),
        }
    }

    fn stored(count: u32, sum: &str, oldest_ms: Option<i64>) -> StoredTotals {
        StoredTotals {
            count,
            sums: vec![(Currency::from_code("CNY").unwrap(), sum.parse().unwrap())],
            oldest_ms,
        }
    }

    #[test]
    fn each_limit_is_enforced_at_its_edge() {
        let l = limits();
        let none = StoredTotals::default();
        assert_eq!(l.admit(&cny("50.00"), &none, 0), Ok(()));
        assert!(matches!(
            l.admit(&cny("50.01"), &none, 0),
            Err(OfflineRefusal::OverTransactionLimit { .. })
        ));
        assert_eq!(l.admit(&cny("40.00"), &stored(2, "60.00", Some(0)), 1_000), Ok(()));
        assert!(matches!(
            l.admit(&cny("40.01"), &stored(2, "60.00", Some(0)), 1_000),
            Err(OfflineRefusal::OverStoredTotal { .. })
        ));
        assert_eq!(
            l.admit(&cny("1.00"), &stored(3, "3.00", Some(0)), 0),
            Err(OfflineRefusal::TooMany(3))
        );
        assert_eq!(l.admit(&cny("1.00"), &stored(1, "1.00", Some(0)), 60_000), Ok(()));
        assert_eq!(
            l.admit(&cny("1.00"), &stored(1, "1.00", Some(0)), 60_001),
            Err(OfflineRefusal::TooOld { waited_s: 60, max_s: 60 })
        );
        let usd = Amount::parse("1.00", "USD").unwrap();
        assert!(matches!(l.admit(&usd, &none, 0), Err(OfflineRefusal::CurrencyNotEnabled(_))));
        assert!(matches!(
            OfflineLimits::default().admit(&cny("0.01"), &none, 0),
            Err(OfflineRefusal::CurrencyNotEnabled(_))
        ));
    }
}
