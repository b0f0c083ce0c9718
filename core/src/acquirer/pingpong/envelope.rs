//! The signed JSON envelope around every PingPong message.

use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::acquirer::{AcquirerError, NotificationError};
use crate::sign::pingpong::{sign_envelope, verify_envelope, SignType};

/// Merchant credentials. The salt is a secret: it never appears in `Debug` output or errors.
#[derive(Debug, Clone)]
pub struct PingPongCredentials {
    /// Merchant store id (`accId`).
    pub acc_id: String,
    /// Merchant id (`clientId`).
    pub client_id: String,
    /// The signing salt.
    pub salt: SecretString,
    /// MD5 or SHA256 (recommended).
    pub sign_type: SignType,
}

/// A verified answer: the acquirer's top-level code and text, and the business payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// `code` (`000000`, `001000`, `104000`, …).
    pub code: String,
    /// `description`.
    pub description: String,
    /// `bizContent`, when present and not blank.
    pub biz: Option<String>,
}

/// Builds the request body: `bizContent` is the exact string that is signed and sent.
pub fn signed_request(creds: &PingPongCredentials, biz: &str) -> Result<String, AcquirerError> {
    let mut env = Map::new();
    env.insert("accId".into(), Value::String(creds.acc_id.clone()));
    env.insert("clientId".into(), Value::String(creds.client_id.clone()));
    env.insert("signType".into(), Value::String(creds.sign_type.as_str().into()));
    env.insert("version".into(), Value::String("1.0".into()));
    env.insert("bizContent".into(), Value::String(biz.into()));
    let sign = sign_envelope(&creds.salt, &env)
        .map_err(|e| AcquirerError::InvalidRequest { field: "envelope", reason: e.to_string() })?;
    env.insert("sign".into(), Value::String(sign));
    serde_json::to_string(&env)
        .map_err(|e| AcquirerError::InvalidRequest { field: "envelope", reason: e.to_string() })
}

/// Parses and verifies an answer. Nothing is read before the signature checks out.
pub fn parse_answer(creds: &PingPongCredentials, body: &[u8]) -> Result<Answer, AcquirerError> {
    let env: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|e| AcquirerError::malformed(format!("answer is not a JSON object: {e}")))?;
    verify_envelope(&creds.salt, &env).map_err(AcquirerError::bad_signature)?;
    check_account(creds, &env).map_err(AcquirerError::malformed)?;
    let code = text(&env, "code").ok_or_else(|| AcquirerError::malformed("answer has no code"))?;
    Ok(Answer {
        code,
        description: text(&env, "description").unwrap_or_default(),
        biz: text(&env, "bizContent").filter(|b| !b.trim().is_empty()),
    })
}

/// Parses and verifies a notification; returns its `bizContent`.
pub fn parse_notification(
    creds: &PingPongCredentials,
    body: &[u8],
) -> Result<String, NotificationError> {
    let env: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|e| NotificationError::Malformed(format!("not a JSON object: {e}")))?;
    verify_envelope(&creds.salt, &env).map_err(NotificationError::BadSignature)?;
    check_account(creds, &env).map_err(|_| NotificationError::WrongAccount)?;
    text(&env, "bizContent")
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| NotificationError::Malformed("no bizContent".into()))
}

fn check_account(creds: &PingPongCredentials, env: &Map<String, Value>) -> Result<(), String> {
    for (field, ours) in [("accId", &creds.acc_id), ("clientId", &creds.client_id)] {
        if let Some(theirs) = text(env, field) {
            if theirs != *ours {
                return Err(format!("{field} {theirs:?} is not this merchant's"));
            }
        }
    }
    Ok(())
}

fn text(env: &Map<String, Value>, key: &str) -> Option<String> {
    match env.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acquirer::UnknownCause;

    pub(crate) fn creds() -> PingPongCredentials {
        PingPongCredentials {
            acc_id: "2018092714313010016291".into(),
            client_id: "2018092714313010016".into(),
            salt: SecretString::from("F78BC96A55548B2319EE68E0".to_string()),
            sign_type: SignType::Sha256,
        }
    }

    fn signed_answer(fields: &[(&str, &str)]) -> Vec<u8> {
        let mut env = Map::new();
        for (k, v) in fields {
            env.insert((*k).into(), Value::String((*v).into()));
        }
        let sign = sign_envelope(&creds().salt, &env).unwrap();
        env.insert("sign".into(), Value::String(sign));
        serde_json::to_vec(&env).unwrap()
    }

    #[test]
    fn request_round_trips_through_verification() {
        let body = signed_request(&creds(), r#"{"a":"b"}"#).unwrap();
        let env: Map<String, Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(verify_envelope(&creds().salt, &env), Ok(()));
        assert_eq!(env["bizContent"], r#"{"a":"b"}"#);
        assert!(!body.contains("F78BC96A55548B2319EE68E0"));
    }

    #[test]
    fn answers_are_verified_before_use() {
        let ok = signed_answer(&[
            ("accId", "2018092714313010016291"),
            ("clientId", "2018092714313010016"),
            ("signType", "SHA256"),
            ("code", "000000"),
            ("description", "ok"),
            ("bizContent", "{}"),
        ]);
        let answer = parse_answer(&creds(), &ok).unwrap();
        assert_eq!(answer.code, "000000");
        let tampered = String::from_utf8(ok).unwrap().replace("000000", "301002");
        let err = parse_answer(&creds(), tampered.as_bytes()).unwrap_err();
        assert!(matches!(
            err,
            AcquirerError::OutcomeUnknown { cause: UnknownCause::BadSignature, .. }
        ));
    }

    #[test]
    fn foreign_account_and_garbage_are_refused() {
        let other = signed_answer(&[
            ("accId", "999"),
            ("signType", "SHA256"),
            ("code", "000000"),
            ("bizContent", "{}"),
        ]);
        assert!(parse_answer(&creds(), &other).unwrap_err().is_outcome_unknown());
        for garbage in [&b""[..], b"{", b"[]", b"null", b"{\"code\":1}", &[0xff, 0xfe]] {
            assert!(parse_answer(&creds(), garbage).unwrap_err().is_outcome_unknown());
            assert!(parse_notification(&creds(), garbage).is_err());
        }
    }
}
