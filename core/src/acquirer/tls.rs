//! Transport security of the acquirer connection: which base URLs are acceptable, and which
//! certificates are trusted.
//!
//! Payment codes and signed amounts travel in every request, so plain HTTP is allowed only to
//! this machine (the sandbox, a local proxy). `docs/transport.md` explains the trust choices.

use std::net::IpAddr;
#[cfg(feature = "bundled-http")]
use std::sync::Arc;

#[cfg(feature = "bundled-http")]
use rustls::pki_types::{pem::PemObject, CertificateDer};

use super::error::AcquirerError;

/// Checks a base URL and returns it without a trailing slash.
///
/// Refused: anything that does not parse, a scheme other than `https`/`http`, `http` to a host
/// that is not loopback, user info (credentials do not belong in a URL that ends up in logs), a
/// query string or a fragment (paths are appended to the base URL).
pub(crate) fn check_base_url(text: &str) -> Result<String, AcquirerError> {
    let invalid = |reason: String| AcquirerError::InvalidRequest { field: "base_url", reason };
    let url = url::Url::parse(text.trim())
        .map_err(|e| invalid(format!("{text:?} is not a valid URL: {e}")))?;
    let host = url.host().ok_or_else(|| invalid(format!("{text:?} has no host")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(invalid(format!(
                "{text:?} is plain http to a host that is not this machine: use https://"
            )))
        }
        other => return Err(invalid(format!("the scheme must be https, not {other:?}"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("user name or password in the URL: remove them".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!("{text:?} has a query string or fragment")));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Parses the configured extra roots: each entry is PEM text with one or more `CERTIFICATE`
/// blocks. The error says what is wrong with which entry.
#[cfg(feature = "bundled-http")]
pub(crate) fn parse_extra_roots(pems: &[String]) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut certs = Vec::new();
    for (i, pem) in pems.iter().enumerate() {
        let before = certs.len();
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            certs.push(cert.map_err(|e| format!("entry {i}: bad PEM: {e}"))?);
        }
        if certs.len() == before {
            return Err(format!("entry {i} holds no PEM CERTIFICATE block"));
        }
    }
    // A block that is PEM but not a certificate would only fail at the first handshake.
    let mut probe = rustls::RootCertStore::empty();
    for (i, cert) in certs.iter().enumerate() {
        probe.add(cert.clone()).map_err(|e| format!("certificate {i} is not a usable CA: {e}"))?;
    }
    Ok(certs)
}

/// True when the client must be built with [`bundled_client_config`] instead of reqwest's
/// platform verifier.
///
/// Android: `rustls-platform-verifier` panics there unless initialised through JNI with an
/// application `Context`, which a library loaded through JNA never gets, and it cannot take
/// extra roots either. Elsewhere the feature `bundled-roots` selects the same path (so desktop
/// tests run exactly what Android runs), and so do configured extra roots (one way of adding
/// them on every platform).
#[cfg(feature = "bundled-http")]
pub(crate) fn use_bundled_roots(extra: &[CertificateDer<'static>]) -> bool {
    cfg!(any(target_os = "android", feature = "bundled-roots")) || !extra.is_empty()
}

/// A rustls client configuration trusting Mozilla's root programme (as shipped by
/// `webpki-root-certs`) plus the configured extra roots, never touching the platform verifier.
#[cfg(feature = "bundled-http")]
pub(crate) fn bundled_client_config(
    extra: &[CertificateDer<'static>],
) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    for cert in extra {
        roots.add(cert.clone()).map_err(|e| e.to_string())?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // reqwest is built for HTTP/1.1 only; say so, as its own rustls path would.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        match check_base_url(url) {
            Err(AcquirerError::InvalidRequest { field: "base_url", reason }) => reason,
            other => panic!("{url} accepted: {other:?}"),
        }
    }

    #[test]
    fn https_anywhere_and_http_only_to_this_machine() {
        for ok in [
            "https://acquirer-payment.pingpongx.com",
            "https://example.com:8443/prefix/",
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:9/",
            "http://LOCALHOST",
            "http://[::1]:8080",
            "https://xn--bcher-kva.example",
        ] {
            let url = check_base_url(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(!url.ends_with('/'), "{url}");
        }
        assert!(refused("http://example.com").contains("https://"));
        assert!(refused("http://10.0.0.1:8080").contains("https://"));
        assert!(refused("http://[::2]").contains("https://"));
        assert!(refused("http://localhost.example.com").contains("https://"));
        refused("http://[::1");
        refused("ftp://127.0.0.1");
        refused("127.0.0.1:8080");
        refused("");
        refused("https://user:pw@example.com");
        refused("https://user@example.com");
        refused("https://example.com/?a=1");
        refused("https://example.com/#frag");
        // No Unicode IDNA tables in the build (idna_adapter 1.0): punycode only.
        assert!(refused("https://bücher.example").contains("not a valid URL"));
    }

    #[cfg(feature = "bundled-http")]
    #[test]
    fn extra_roots_must_be_certificates() {
        let reason = |pems: &[&str]| {
            let owned: Vec<String> = pems.iter().map(|s| s.to_string()).collect();
            match parse_extra_roots(&owned) {
                Err(reason) => reason,
                other => panic!("accepted: {other:?}"),
            }
        };
        assert!(reason(&["not pem at all"]).contains("entry 0 holds no PEM"));
        assert!(reason(&["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
            .contains("not a usable CA"));
        assert!(parse_extra_roots(&[]).unwrap().is_empty());
        let ca = rcgen::CertificateParams::new(Vec::<String>::new())
            .and_then(|p| p.self_signed(&rcgen::KeyPair::generate()?))
            .unwrap();
        let pem = ca.pem();
        assert_eq!(parse_extra_roots(&[pem.clone(), format!("{pem}{pem}")]).unwrap().len(), 3);
    }

    #[cfg(feature = "bundled-http")]
    #[test]
    fn the_bundled_configuration_builds_with_mozilla_roots() {
        let config = bundled_client_config(&[]).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(!use_bundled_roots(&[]) || cfg!(feature = "bundled-roots"));
    }
}
