//! A rendered answer, and the transport faults of scenarios 55–59 applied to it.

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::scenario::WireFault;
use crate::server::ConnectionKill;

/// An answer body with its content type, before any fault.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: String,
}

impl Reply {
    pub(crate) fn json(body: String) -> Self {
        Reply { status: StatusCode::OK, content_type: "application/json;charset=UTF-8", body }
    }

    pub(crate) fn xml(body: String) -> Self {
        Reply { status: StatusCode::OK, content_type: "application/xml;charset=UTF-8", body }
    }

    /// Scenario 57's answer: nothing was committed.
    pub(crate) fn server_error() -> Self {
        Reply {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            content_type: "text/plain;charset=UTF-8",
            body: "Internal Server Error (sandbox scenario 57: nothing was committed)".into(),
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        (self.status, [(header::CONTENT_TYPE, self.content_type)], self.body).into_response()
    }
}

/// Sends `reply` through `fault`. A bad signature is the renderer's job (it signs wrongly); here
/// it is just sent.
pub(crate) async fn deliver(
    reply: Reply,
    fault: Option<WireFault>,
    slow: Duration,
    kill: Option<&ConnectionKill>,
) -> Response {
    match fault {
        None | Some(WireFault::BadSignature) => reply.into_response(),
        Some(WireFault::Slow) => {
            tokio::time::sleep(slow).await;
            reply.into_response()
        }
        Some(WireFault::ServerError) => Reply::server_error().into_response(),
        Some(WireFault::Garbled) => {
            let mut cut = reply.body.len() / 2;
            while !reply.body.is_char_boundary(cut) {
                cut -= 1;
            }
            Reply { body: reply.body[..cut].to_string(), ..reply }.into_response()
        }
        Some(WireFault::Drop) => match kill {
            Some(kill) => {
                kill.kill();
                // The connection task drops this future with the connection.
                std::future::pending::<Response>().await
            }
            // Not served by our accept loop (cannot happen in the sandbox): the closest thing.
            None => Reply::server_error().into_response(),
        },
    }
}

/// A signature that will not verify: the real one with its first hex digit changed.
pub(crate) fn corrupt_signature(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    if let Some(first) = chars.first_mut() {
        *first = if *first == '0' { '1' } else { '0' };
    }
    chars.into_iter().collect()
}
