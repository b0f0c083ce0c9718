//! PingPong Checkout v4 signatures.
//!
//! `sign = HEX_UPPER(H(salt + "k1=v1&k2=v2…"))` over every top-level field except `sign`, keys
//! sorted by ASCII, values raw (bizContent is the exact string transmitted), null or blank values
//! skipped; `H` is MD5 or SHA-256 as `signType` says. Responses carry `code` and `description`
//! and no `version`; they are signed by the same rule over whatever fields they have.

use std::collections::BTreeMap;
use std::fmt;

use md5::Md5;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::{hex_digests_match, SignError};

/// The digest named by the envelope's `signType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignType {
    /// `MD5` (legacy, still accepted by PingPong).
    Md5,
    /// `SHA256` (recommended).
    Sha256,
}

impl SignType {
    /// The wire name (`MD5`, `SHA256`).
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::Sha256 => "SHA256",
        }
    }

    /// Parses the wire name.
    pub fn parse(name: &str) -> Result<Self, SignError> {
        match name {
            "MD5" => Ok(SignType::Md5),
            "SHA256" => Ok(SignType::Sha256),
            other => Err(SignError::UnsupportedSignType(other.chars().take(16).collect())),
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string that is hashed after the salt: sorted `k=v` pairs joined by `&`.
///
/// `sign` is excluded, null or blank values are skipped. A `BTreeMap` of `String` keys iterates
/// in byte order, which is the ASCII order the rule asks for.
pub fn sign_content<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let sorted: BTreeMap<&str, &str> =
        fields.into_iter().filter(|(k, v)| *k != "sign" && !v.trim().is_empty()).collect();
    let mut out = String::new();
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Signs string fields: the upper-case hex digest of `salt + sign_content(fields)`.
pub fn sign_fields<'a>(
    salt: &SecretString,
    sign_type: SignType,
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let content = sign_content(fields);
    let salt = salt.expose_secret().as_bytes();
    let digest = match sign_type {
        SignType::Md5 => {
            let mut h = Md5::new();
            h.update(salt);
            h.update(content.as_bytes());
            hex::encode_upper(h.finalize())
        }
        SignType::Sha256 => {
            let mut h = Sha256::new();
            h.update(salt);
            h.update(content.as_bytes());
            hex::encode_upper(h.finalize())
        }
    };
    digest
}

/// The top-level fields of a JSON envelope as strings, ready to sign.
///
/// Strings are taken raw; numbers and booleans by their JSON text; null is skipped; objects and
/// arrays are refused, as PingPong's own signer refuses them.
pub fn envelope_fields(
    envelope: &serde_json::Map<String, serde_json::Value>,
) -> Result<Vec<(&str, std::borrow::Cow<'_, str>)>, SignError> {
    use serde_json::Value;
    let mut out = Vec::with_capacity(envelope.len());
    for (k, v) in envelope {
        if k == "sign" {
            continue;
        }
        let text = match v {
            Value::Null => continue,
            Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
            Value::Number(n) => std::borrow::Cow::Owned(n.to_string()),
            Value::Bool(b) => std::borrow::Cow::Owned(b.to_string()),
            Value::Array(_) | Value::Object(_) => {
                return Err(SignError::NonStringField(k.chars().take(64).collect()))
            }
        };
        out.push((k.as_str(), text));
    }
    Ok(out)
}

/// Signs a JSON envelope (everything but `sign`) with the digest its `signType` names.
pub fn sign_envelope(
    salt: &SecretString,
    envelope: &serde_json::Map<String, serde_json::Value>,
) -> Result<String, SignError> {
    let sign_type = match envelope.get("signType") {
        Some(serde_json::Value::String(s)) => SignType::parse(s)?,
        Some(_) => return Err(SignError::NonStringField("signType".into())),
        None => return Err(SignError::UnsupportedSignType(String::new())),
    };
    let fields = envelope_fields(envelope)?;
    Ok(sign_fields(salt, sign_type, fields.iter().map(|(k, v)| (*k, v.as_ref()))))
}

/// Verifies a signed JSON envelope: a request, a response or a notification.
pub fn verify_envelope(
    salt: &SecretString,
    envelope: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), SignError> {
    let received = match envelope.get("sign") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
        _ => return Err(SignError::MissingSignature { field: "sign" }),
    };
    let expected = sign_envelope(salt, envelope)?;
    if hex_digests_match(&expected, received) {
        Ok(())
    } else {
        Err(SignError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    const SALT_A: &str = "F78BC96A55548B2319EE68E0";
    const SALT_B: &str = "BCE27A281029F5EAF3CC0E82";

    fn salt(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    fn envelope(acc: &str, sign_type: &str, biz: &str) -> Map<String, Value> {
        let v = json!({
            "accId": acc, "clientId": "2018092714313010016", "signType": sign_type,
            "version": "1.0", "bizContent": biz,
        });
        v.as_object().unwrap().clone()
    }

    const V1_BIZ: &str = r#"{"merchantTransactionId":"10019","trackingNumber":"423431241","logisticsCompany":"sf","logisticsCompanyUrl":"https://www.baidu.com"}"#;
    const V2_BIZ: &str = r#"{"captureDelayHours":0,"merchantSource":"0","amount":100,"currency":"USD","requestId":"PMT-9ICSCWF9H51695189441815","payCancelUrl":"https://test-acquirerpay.pingpongx.com/qa/notify","notificationUrl":"https://test-acquirerpay.pingpongx.com/qa/notify","merchantTransactionId":"PMT-9ICSCWF9H51695189441815","shopperIP":"192.168.1.1","paymentMethod":{"type":"scheme","cardInfo":{"number":"5204740000001002","holderFirstName":"James","holderLastName":"LeBron","expireMonth":"12","expireYear":"2027","cvv":"840"}},"customer":{"email":"pass@pingpongx.com"},"goods":{"name":"zhangsan","unitPrice":"10","number":"1","imgUrl":"https://m.baidu.com/s?word=%E7%99%BE%E5%BA%A6%E7%83%AD%E6%90%9C&tn&from=1020854c&sa=tre_dl_gh_logo_wj"},"billingAddress":{"street":"701 Brickell Avenue, Suite 2700","postcode":"84723","city":"Miami","state":"UT","country":"US"},"browserInfo":{"acceptHeader":"content-type=application/x-www-form-urlencoded;accept=*/*;cache-control=no-cache;postman-token=cf489264-5378-4d5d-a86c-72c86a408c03;accept-encoding=gzip, deflate;content-length=588;connection=keep-alive;","colorDepth":"32","jetLag":"480","screenHeight":"1980","screenWidth":"1080","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36","windowSize":"05"},"device":{"orderTerminal":"02"}}"#;
    const V4_BIZ: &str = r#"{"amount":"0.02","currency":"CNY","merchantTransactionId":"POS-0001","requestId":"REQ-0001","captureDelayHours":0,"paymentMethod":{"type":"Wechat-Offline","scanCodeId":"134650720866361395"},"device":{"orderTerminal":"02"}}"#;

    #[test]
    fn v1_md5_request_vector() {
        let env = envelope("2018092714313010016289", "MD5", V1_BIZ);
        assert_eq!(sign_envelope(&salt(SALT_B), &env).unwrap(), "055AD0B08E3A92A91475E24E1F0C005F");
    }

    #[test]
    fn v1_exact_bytes_matter() {
        let escaped = V1_BIZ.replace('/', "\\/");
        let env = envelope("2018092714313010016289", "MD5", &escaped);
        assert_eq!(sign_envelope(&salt(SALT_B), &env).unwrap(), "47A86331C64747B529B70E05121B7BEB");
    }

    #[test]
    fn v2_sha256_unified_pay_vector() {
        let env = envelope("2018092714313010016291", "SHA256", V2_BIZ);
        assert_eq!(
            sign_envelope(&salt(SALT_A), &env).unwrap(),
            "898A3CBE981B3E2BF4E2B8D1A817D7E23EF93BC4293993EE545E36F4C87F2E79"
        );
    }

    #[test]
    fn v4_synthetic_in_person_vectors() {
        let env = envelope("2018092714313010016291", "SHA256", V4_BIZ);
        assert_eq!(
            sign_envelope(&salt(SALT_A), &env).unwrap(),
            "B8D8FB7856C9D55B3400F3FBCF19D2FE9D9D1EC508CFC53F65B9A29746D2313C"
        );
        let env = envelope("2018092714313010016291", "MD5", V4_BIZ);
        assert_eq!(sign_envelope(&salt(SALT_A), &env).unwrap(), "6F5072CD9189B293726A29B4D84ED33C");
    }

    #[test]
    fn verify_accepts_own_signature_in_any_case_and_rejects_tampering() {
        let mut env = envelope("2018092714313010016291", "SHA256", V4_BIZ);
        let sig = sign_envelope(&salt(SALT_A), &env).unwrap();
        env.insert("sign".into(), Value::String(sig.to_lowercase()));
        assert_eq!(verify_envelope(&salt(SALT_A), &env), Ok(()));
        assert_eq!(verify_envelope(&salt(SALT_B), &env), Err(SignError::Mismatch));
        let mut tampered = env.clone();
        tampered.insert("bizContent".into(), Value::String(V4_BIZ.replace("0.02", "0.03")));
        assert_eq!(verify_envelope(&salt(SALT_A), &tampered), Err(SignError::Mismatch));
        let mut extra = env.clone();
        extra.insert("code".into(), Value::String("000000".into()));
        assert_eq!(verify_envelope(&salt(SALT_A), &extra), Err(SignError::Mismatch));
        env.remove("sign");
        assert_eq!(
            verify_envelope(&salt(SALT_A), &env),
            Err(SignError::MissingSignature { field: "sign" })
        );
    }

    #[test]
    fn blank_and_null_fields_are_skipped_objects_refused() {
        let base = sign_content([("a", "1"), ("b", "2")]);
        assert_eq!(base, "a=1&b=2");
        assert_eq!(sign_content([("b", "2"), ("c", " "), ("a", "1"), ("sign", "X")]), base);
        let mut env = envelope("1", "SHA256", "{}");
        env.insert("remark".into(), Value::Null);
        let with_null = sign_envelope(&salt(SALT_A), &env).unwrap();
        env.remove("remark");
        assert_eq!(sign_envelope(&salt(SALT_A), &env).unwrap(), with_null);
        env.insert("nested".into(), json!({"x": 1}));
        assert!(matches!(sign_envelope(&salt(SALT_A), &env), Err(SignError::NonStringField(_))));
    }

    #[test]
    fn keys_sort_by_ascii_not_alphabet() {
        // Upper-case letters sort before lower-case ones in ASCII.
        assert_eq!(sign_content([("b", "1"), ("Z", "2"), ("a", "3")]), "Z=2&a=3&b=1");
    }

    #[test]
    fn unknown_sign_type_is_refused() {
        let env = envelope("1", "HMAC", "{}");
        assert!(matches!(
            sign_envelope(&salt(SALT_A), &env),
            Err(SignError::UnsupportedSignType(_))
        ));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            /// Any change to any signed field, or to the salt, breaks verification.
            #[test]
            fn any_change_breaks_verification(
                biz in "[ -~]{1,200}",
                acc in "[0-9]{1,22}",
                field in 0usize..4,
                replacement in "[ -~]{1,40}",
                salt_s in "[A-F0-9]{24}",
                other_salt in "[A-F0-9]{24}",
                md5 in any::<bool>(),
            ) {
                let st = if md5 { "MD5" } else { "SHA256" };
                let mut env = envelope(&acc, st, &biz);
                let sig = sign_envelope(&salt(&salt_s), &env).unwrap();
                env.insert("sign".into(), Value::String(sig));
                prop_assert_eq!(verify_envelope(&salt(&salt_s), &env), Ok(()));
                if other_salt != salt_s {
                    prop_assert_eq!(verify_envelope(&salt(&other_salt), &env), Err(SignError::Mismatch));
                }
                let key = ["accId", "clientId", "version", "bizContent"][field];
                let old = env[key].as_str().unwrap().to_string();
                // Only a change that survives the "blank is skipped" rule is a change of the message.
                if replacement != old && !replacement.trim().is_empty() {
                    env.insert(key.into(), Value::String(replacement));
                    prop_assert_eq!(verify_envelope(&salt(&salt_s), &env), Err(SignError::Mismatch));
                }
            }
        }
    }
}
