//! The reader's authorisation host on a terminal: the acquirer, through the device channel.

use std::sync::{Arc, Mutex};

use super::channel::{ChannelError, DeviceChannel};
use crate::reader::session::AuthorizationHost;
use crate::reader::{EmvData, OnlineResponse, ReaderError, ReaderRequest};

/// Asks the acquirer through the channel and remembers the issuer's authorisation code.
///
/// An acquirer that could not be reached (or whose answer did not verify) leaves the card to
/// decide, as the reader protocol says. An acquirer that answered with a verified refusal
/// (the sale is no longer open, a replay) is a decline: the card must not approve offline a
/// sale the acquirer refused.
pub struct ChannelHost {
    channel: Arc<dyn DeviceChannel>,
    auth_code: Mutex<Option<String>>,
}

impl ChannelHost {
    /// A host over `channel`.
    pub fn new(channel: Arc<dyn DeviceChannel>) -> Self {
        ChannelHost { channel, auth_code: Mutex::new(None) }
    }

    /// The authorisation code of the last approval given, if any.
    pub fn auth_code(&self) -> Option<String> {
        self.auth_code.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait::async_trait]
impl AuthorizationHost for ChannelHost {
    async fn authorize(
        &self,
        request: &ReaderRequest,
        emv: &EmvData,
    ) -> Result<OnlineResponse, ReaderError> {
        match self.channel.authorize(request, emv).await {
            Ok(answer) => {
                if answer.approved {
                    *self.auth_code.lock().unwrap_or_else(|p| p.into_inner()) =
                        answer.auth_code.clone();
                }
                Ok(answer)
            }
            Err(ChannelError::Refused { code, message }) => {
                log::warn!(
                    "sale {}: the acquirer refused the authorisation: {code}: {message}",
                    request.transaction_id
                );
                Ok(OnlineResponse {
                    approved: false,
                    auth_code: None,
                    issuer_tlv: Vec::new(),
                    unable_to_go_online: false,
                })
            }
            Err(e) => {
                log::warn!("sale {}: authorisation: {e}", request.transaction_id);
                Err(ReaderError::Disconnected(e.to_string()))
            }
        }
    }
}
