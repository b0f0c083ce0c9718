//! Deterministic scenarios, chosen by the cents of the amount: `minor units mod 100`.
//!
//! 12.51 CNY and 151 JPY both select scenario 51. The table is documented in `README.md`.

/// What the sandbox does with a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Anything not listed below: the payment succeeds (after the flow's usual wait).
    Success,
    /// 51: declined by the issuer or wallet.
    Decline,
    /// 52: the customer is paying for a while, then it succeeds.
    UserPaying,
    /// 53: the customer is paying for a while, then cancels: FAILED.
    UserCancels,
    /// 54: PROCESSING until the order expires (QR, card) or forever (codes).
    ProcessingForever,
    /// 55: committed, answer held back.
    SlowResponse,
    /// 56: committed, connection closed without an answer.
    DroppedConnection,
    /// 57: HTTP 500, nothing committed.
    ServerError,
    /// 58: committed, answer truncated.
    GarbledBody,
    /// 59: committed, answer with a wrong signature.
    BadSignature,
}

impl Scenario {
    /// The scenario of an amount given in minor units.
    pub fn from_minor_units(units: i64) -> Self {
        match units.rem_euclid(100) {
            51 => Scenario::Decline,
            52 => Scenario::UserPaying,
            53 => Scenario::UserCancels,
            54 => Scenario::ProcessingForever,
            55 => Scenario::SlowResponse,
            56 => Scenario::DroppedConnection,
            57 => Scenario::ServerError,
            58 => Scenario::GarbledBody,
            59 => Scenario::BadSignature,
            _ => Scenario::Success,
        }
    }

    /// The number stored in the ledger (`minor units mod 100`, or 0 for plain success).
    pub fn number(self) -> i64 {
        match self {
            Scenario::Success => 0,
            Scenario::Decline => 51,
            Scenario::UserPaying => 52,
            Scenario::UserCancels => 53,
            Scenario::ProcessingForever => 54,
            Scenario::SlowResponse => 55,
            Scenario::DroppedConnection => 56,
            Scenario::ServerError => 57,
            Scenario::GarbledBody => 58,
            Scenario::BadSignature => 59,
        }
    }

    /// The fault applied to the first answer of a request, if any (scenarios 55–59).
    pub fn wire_fault(self) -> Option<WireFault> {
        match self {
            Scenario::SlowResponse => Some(WireFault::Slow),
            Scenario::DroppedConnection => Some(WireFault::Drop),
            Scenario::ServerError => Some(WireFault::ServerError),
            Scenario::GarbledBody => Some(WireFault::Garbled),
            Scenario::BadSignature => Some(WireFault::BadSignature),
            _ => None,
        }
    }
}

/// A transport-level failure injected into one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFault {
    /// Hold the answer back for the configured slow-response time.
    Slow,
    /// Close the connection without writing an answer.
    Drop,
    /// Answer HTTP 500 (the request was not committed).
    ServerError,
    /// Answer HTTP 200 with a truncated body.
    Garbled,
    /// Answer with a signature that does not verify.
    BadSignature,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_is_minor_units_mod_100() {
        assert_eq!(Scenario::from_minor_units(1251), Scenario::Decline);
        assert_eq!(Scenario::from_minor_units(151), Scenario::Decline);
        assert_eq!(Scenario::from_minor_units(1200), Scenario::Success);
        assert_eq!(Scenario::from_minor_units(57), Scenario::ServerError);
        assert_eq!(Scenario::from_minor_units(60), Scenario::Success);
        for n in 51..=59 {
            assert_eq!(Scenario::from_minor_units(n).number(), n);
        }
    }

    #[test]
    fn only_55_to_59_touch_the_wire() {
        assert_eq!(Scenario::Decline.wire_fault(), None);
        assert_eq!(Scenario::ProcessingForever.wire_fault(), None);
        assert_eq!(Scenario::DroppedConnection.wire_fault(), Some(WireFault::Drop));
    }
}
