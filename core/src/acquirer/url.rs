//! URLs that come from an acquirer's answer (a QR image, a payment page to open) are external
//! input: an app may open them, so only a plain https URL of bounded length is kept.

/// Longest URL kept from an answer: far above any payment page's, far below what would fill
/// the store.
pub const MAX_URL_LEN: usize = 2048;

/// Why a URL from an answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Longer than [`MAX_URL_LEN`] bytes.
    #[error("longer than {MAX_URL_LEN} bytes")]
    TooLong,
    /// Control characters or whitespace (a URL to open never has them).
    #[error("contains control characters or whitespace")]
    ControlCharacters,
    /// Not a URL.
    #[error("not a URL")]
    NotUrl,
    /// Neither https nor http to this device (the sandbox).
    #[error("not an https URL (http only to a loopback address)")]
    Scheme,
}

/// Checks a URL from an answer: https, or http to a loopback host (the local sandbox); at
/// most [`MAX_URL_LEN`] bytes; no control characters or whitespace; with a host.
pub fn check_external_url(value: &str) -> Result<(), UrlError> {
    if value.len() > MAX_URL_LEN {
        return Err(UrlError::TooLong);
    }
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(UrlError::ControlCharacters);
    }
    let parsed = url::Url::parse(value).map_err(|_| UrlError::NotUrl)?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(UrlError::NotUrl),
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(UrlError::Scheme),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_of_bounded_length() {
        for ok in [
            "https://pay.example.com/p?x=1",
            "http://127.0.0.1:8080/sandbox/qr/1",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert_eq!(check_external_url(ok), Ok(()), "{ok}");
        }
        let long = format!("https://a.example/{}", "x".repeat(MAX_URL_LEN));
        for (bad, why) in [
            ("http://pay.example.com/p", UrlError::Scheme),
            ("http://127.0.0.1.evil.example/", UrlError::Scheme),
            ("javascript:alert(1)", UrlError::NotUrl),
            ("file:///etc/passwd", UrlError::NotUrl),
            ("intent://x#Intent;end", UrlError::Scheme),
            ("https://a.example/\u{0}x", UrlError::ControlCharacters),
            ("https://a.example/ x", UrlError::ControlCharacters),
            ("https://a.example/\nx", UrlError::ControlCharacters),
            ("not a url", UrlError::ControlCharacters),
            ("nope", UrlError::NotUrl),
            (long.as_str(), UrlError::TooLong),
        ] {
            assert_eq!(check_external_url(bad), Err(why), "{bad:?}");
        }
    }
}
