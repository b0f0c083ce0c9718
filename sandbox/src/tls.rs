//! HTTPS for the sandbox: the listener's certificate and key, and (feature `test-ca`) a
//! certificate authority generated on the spot for tests, so nothing secret is committed.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::{ExposeSecret, SecretString};

use crate::SandboxError;

/// A certificate chain (leaf first) and its private key, as PEM text, for serving HTTPS.
#[derive(Debug, Clone)]
pub struct TlsIdentity {
    /// The certificate chain, leaf first.
    pub cert_chain_pem: String,
    /// The leaf's private key (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: SecretString,
}

impl TlsIdentity {
    /// Reads a certificate chain file and a key file, as `tillkit sandbox --tls-cert --tls-key`
    /// gives them.
    pub fn from_files(
        cert: &std::path::Path,
        key: &std::path::Path,
    ) -> Result<TlsIdentity, SandboxError> {
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p)
                .map_err(|e| SandboxError::Config(format!("cannot read {}: {e}", p.display())))
        };
        Ok(TlsIdentity { cert_chain_pem: read(cert)?, key_pem: SecretString::from(read(key)?) })
    }

    /// The rustls server configuration serving this identity over HTTP/1.1.
    pub(crate) fn acceptor(&self) -> Result<tokio_rustls::TlsAcceptor, SandboxError> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            SandboxError::Config(format!("tls {what}: {e}"))
        };
        let chain = CertificateDer::pem_slice_iter(self.cert_chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad("certificate", &e))?;
        if chain.is_empty() {
            return Err(SandboxError::Config("tls certificate: no PEM CERTIFICATE block".into()));
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.expose_secret().as_bytes())
            .map_err(|e| bad("key", &e))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad("versions", &e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| bad("identity", &e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    }
}

/// A certificate authority made at test time: trust [`TestCa::cert_pem`] in the client and
/// serve an identity from [`TestCa::issue`].
#[cfg(feature = "test-ca")]
pub struct TestCa {
    cert_pem: String,
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
}

#[cfg(feature = "test-ca")]
impl TestCa {
    /// A new CA with a fresh key; `name` is its common name.
    pub fn generate(name: &str) -> Result<TestCa, SandboxError> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(gen_error)?;
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages =
            vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
        let key = rcgen::KeyPair::generate().map_err(gen_error)?;
        let cert = params.self_signed(&key).map_err(gen_error)?;
        Ok(TestCa { cert_pem: cert.pem(), issuer: rcgen::Issuer::new(params, key) })
    }

    /// The CA certificate, PEM: what a client adds to its trusted roots.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// A server identity for `hosts` (IP addresses or DNS names) signed by this CA.
    pub fn issue(&self, hosts: &[&str]) -> Result<TlsIdentity, SandboxError> {
        let params = leaf_params(hosts)?;
        let key = rcgen::KeyPair::generate().map_err(gen_error)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(gen_error)?;
        Ok(TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: SecretString::from(key.serialize_pem()),
        })
    }
}

/// A self-signed server identity for `hosts`: trusted by nobody.
#[cfg(feature = "test-ca")]
pub fn self_signed(hosts: &[&str]) -> Result<TlsIdentity, SandboxError> {
    let params = leaf_params(hosts)?;
    let key = rcgen::KeyPair::generate().map_err(gen_error)?;
    let cert = params.self_signed(&key).map_err(gen_error)?;
    Ok(TlsIdentity { cert_chain_pem: cert.pem(), key_pem: SecretString::from(key.serialize_pem()) })
}

#[cfg(feature = "test-ca")]
fn leaf_params(hosts: &[&str]) -> Result<rcgen::CertificateParams, SandboxError> {
    let names: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).map_err(gen_error)?;
    params.distinguished_name.push(rcgen::DnType::CommonName, hosts.first().copied().unwrap_or(""));
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    Ok(params)
}

#[cfg(feature = "test-ca")]
fn gen_error(e: rcgen::Error) -> SandboxError {
    SandboxError::Config(format!("certificate generation: {e}"))
}
