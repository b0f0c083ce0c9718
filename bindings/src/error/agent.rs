//! From the terminal agent's errors (journal, offline queue, device channel, device key) into
//! [`TillKitError`].

use tillkit_core::agent::offline::OfflineError;
use tillkit_core::agent::{AgentError, AgentStoreError, ChannelError};
use tillkit_core::sign::SignError;

use super::TillKitError;

impl From<AgentError> for TillKitError {
    fn from(e: AgentError) -> Self {
        match e {
            AgentError::Store(e) => e.into(),
            AgentError::Offline(e) => e.into(),
            AgentError::InUse { path } => TillKitError::StoreInUse { path },
        }
    }
}

impl From<AgentStoreError> for TillKitError {
    fn from(e: AgentStoreError) -> Self {
        TillKitError::Storage { reason: e.to_string() }
    }
}

impl From<OfflineError> for TillKitError {
    fn from(e: OfflineError) -> Self {
        match e {
            OfflineError::Refused(refusal) => {
                TillKitError::OfflineLimit { reason: refusal.to_string() }
            }
            // A lost or wrong key is the app's key store to fix, like the acquirer's secret.
            OfflineError::Key(_) => TillKitError::Config { reason: e.to_string() },
            OfflineError::Storage(_) | OfflineError::Corrupt { .. } => {
                TillKitError::Storage { reason: e.to_string() }
            }
        }
    }
}

impl From<ChannelError> for TillKitError {
    fn from(e: ChannelError) -> Self {
        match e {
            ChannelError::Unreachable(reason) => TillKitError::Offline { reason },
            ChannelError::Refused { code, message } => {
                TillKitError::Declined { code, description: message }
            }
            // An answer that is not believed may hide a request that acted.
            ChannelError::BadAnswer(_) => TillKitError::OutcomeUnknown { detail: e.to_string() },
        }
    }
}

/// Only the device key is checked through `SignError` here: the key store holds something that
/// is not a 32-byte key.
impl From<SignError> for TillKitError {
    fn from(e: SignError) -> Self {
        TillKitError::Config { reason: format!("device key: {e}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tillkit_core::agent::offline::OfflineRefusal;

    #[test]
    fn agent_errors_map_to_what_the_app_can_act_on() {
        let refused = OfflineError::Refused(OfflineRefusal::TooMany(3));
        assert!(matches!(TillKitError::from(refused), TillKitError::OfflineLimit { .. }));
        let lost = OfflineError::Key("q: missing".into());
        assert!(matches!(TillKitError::from(lost), TillKitError::Config { .. }));
        let down = ChannelError::Unreachable("connection refused".into());
        assert!(matches!(TillKitError::from(down), TillKitError::Offline { .. }));
        let bad = ChannelError::BadAnswer("signature".into());
        assert!(matches!(TillKitError::from(bad), TillKitError::OutcomeUnknown { .. }));
        let journal =
            AgentError::Store(AgentStoreError::Sqlite { path: "a".into(), reason: "full".into() });
        assert!(matches!(TillKitError::from(journal), TillKitError::Storage { .. }));
    }
}
