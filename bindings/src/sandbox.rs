//! An in-process sandbox acquirer for the Kotlin tests (cargo feature `sandbox`, never shipped).

use std::sync::{Arc, Mutex};

use secrecy::ExposeSecret;
use tillkit_sandbox::tls::TestCa;
use tillkit_sandbox::{Sandbox, SandboxConfig, SandboxHandle, TerminalMode};

use crate::error::TillKitError;
use crate::runtime::run;

/// A sandbox acquirer on 127.0.0.1 (PingPong v4 and Oceanpayment, with the scenarios chosen by
/// the amount's cents). Terminals `SANDBOX-T1`/`PAX-A920` and `SANDBOX-T2`/`SUNMI-P2` exist and
/// settle card sales by themselves, unless started with [`Self::start_with_terminal_agents`].
#[derive(uniffi::Object)]
pub struct SandboxServer {
    handle: Mutex<Option<SandboxHandle>>,
    url: String,
    pingpong: [String; 3],
    /// Oceanpayment's account, terminal and secure code.
    oceanpayment: [String; 3],
    ca_pem: Option<String>,
}

#[uniffi::export(async_runtime = "tokio")]
impl SandboxServer {
    /// Starts a sandbox on a free port; `time_scale` below 1 makes its customers and terminals
    /// faster (0.05: a 5 s customer takes 0.25 s).
    #[uniffi::constructor]
    pub async fn start(time_scale: f64) -> Result<Arc<Self>, TillKitError> {
        Self::launch(
            SandboxConfig { time_scale, terminals: TerminalMode::AutoSettle, ..Default::default() },
            None,
        )
        .await
    }

    /// Starts a sandbox whose card sales complete only when a terminal agent answers them
    /// (`TerminalAgent`, paired with `registerWithSandbox`): a terminal whose agent is not
    /// polling is unreachable. [`Self::start`] keeps the old terminals that settle by themselves.
    #[uniffi::constructor]
    pub async fn start_with_terminal_agents(time_scale: f64) -> Result<Arc<Self>, TillKitError> {
        Self::launch(
            SandboxConfig { time_scale, terminals: TerminalMode::Agent, ..Default::default() },
            None,
        )
        .await
    }

    /// Starts a sandbox serving HTTPS on a free port, with a certificate for `127.0.0.1` and
    /// `localhost` from a certificate authority generated now: trust [`Self::ca_pem`] in the
    /// cashier's `extra_roots`, or leave it out to see an untrusted certificate refused.
    #[uniffi::constructor]
    pub async fn start_https(time_scale: f64) -> Result<Arc<Self>, TillKitError> {
        let config_error =
            |e: tillkit_sandbox::SandboxError| TillKitError::Config { reason: e.to_string() };
        let ca = TestCa::generate("TillKit Kotlin test CA").map_err(config_error)?;
        let identity = ca.issue(&["127.0.0.1", "localhost"]).map_err(config_error)?;
        let config = SandboxConfig {
            time_scale,
            tls: Some(identity),
            terminals: TerminalMode::AutoSettle,
            ..Default::default()
        };
        Self::launch(config, Some(ca.cert_pem().to_string())).await
    }

    /// The PEM certificate of the CA behind an HTTPS sandbox (`null` for plain HTTP).
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// The base URL, `http://127.0.0.1:PORT` (`https://` from [`Self::start_https`]).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The PingPong test store id (`accId`).
    pub fn pingpong_acc_id(&self) -> String {
        self.pingpong[0].clone()
    }

    /// The PingPong test merchant id (`clientId`).
    pub fn pingpong_client_id(&self) -> String {
        self.pingpong[1].clone()
    }

    /// The PingPong test salt (a published test value, not a secret).
    pub fn pingpong_salt(&self) -> String {
        self.pingpong[2].clone()
    }

    /// The Oceanpayment test merchant account.
    pub fn oceanpayment_account(&self) -> String {
        self.oceanpayment[0].clone()
    }

    /// The Oceanpayment test terminal.
    pub fn oceanpayment_terminal(&self) -> String {
        self.oceanpayment[1].clone()
    }

    /// The Oceanpayment test secure code (a published test value, not a secret).
    pub fn oceanpayment_secure_code(&self) -> String {
        self.oceanpayment[2].clone()
    }

    /// How many times the sandbox charged the PingPong order `sale_id` (0 when it never
    /// reached the sandbox).
    pub fn pingpong_charges(&self, sale_id: String) -> Result<i32, TillKitError> {
        let guard = self.handle.lock().unwrap_or_else(|p| p.into_inner());
        let handle = guard.as_ref().ok_or(TillKitError::Closed)?;
        let order = handle
            .order(tillkit_sandbox::Acquirer::PingPong, &sale_id)
            .map_err(|e| TillKitError::Config { reason: e.to_string() })?;
        Ok(order.map_or(0, |o| crate::ints::int_of(o.charges.len())))
    }

    /// Stops the sandbox and waits until it has stopped.
    pub async fn shutdown(&self) -> Result<(), TillKitError> {
        let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
        match handle {
            Some(h) => {
                run(async move {
                    h.shutdown().await;
                    Ok(())
                })
                .await
            }
            None => Ok(()),
        }
    }
}

impl SandboxServer {
    async fn launch(
        config: SandboxConfig,
        ca_pem: Option<String>,
    ) -> Result<Arc<Self>, TillKitError> {
        let handle = run(async move {
            Sandbox::start(config).await.map_err(|e| TillKitError::Config { reason: e.to_string() })
        })
        .await?;
        let c = &handle.credentials().pingpong;
        let pingpong = [c.acc_id.clone(), c.client_id.clone(), c.salt.expose_secret().to_string()];
        let o = &handle.credentials().oceanpayment;
        let oceanpayment =
            [o.account.clone(), o.terminal.clone(), o.secure_code.expose_secret().to_string()];
        Ok(Arc::new(SandboxServer {
            url: handle.url(),
            pingpong,
            oceanpayment,
            ca_pem,
            handle: Mutex::new(Some(handle)),
        }))
    }
}

/// A generated camera frame showing a payment code (tests only).
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyntheticFrame {
    /// 8-bit gray pixels, `width` bytes per row.
    pub pixels: Vec<u8>,
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
    /// The payment code the frame shows.
    pub code: String,
}

/// A phone-screen frame with a random valid payment code as Code 128 and QR, deterministic by
/// seed (tests only).
#[uniffi::export]
pub fn synthetic_payment_frame(seed: i64, width: i32, height: i32) -> Option<SyntheticFrame> {
    let (width, height) = (u32::try_from(width).ok()?, u32::try_from(height).ok()?);
    let frame = tillkit_core::scan::synth::payment_frame(seed.unsigned_abs(), 0, width, height)?;
    Some(SyntheticFrame {
        pixels: frame.image.pixels().to_vec(),
        width: crate::ints::int(frame.image.width()),
        height: crate::ints::int(frame.image.height()),
        code: frame.code,
    })
}
