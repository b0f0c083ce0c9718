//! The signed JSON envelope around every PingPong message.

use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::acquirer::error::{cut, MAX_DESCRIPTION};
use crate::acquirer::expect::mismatch;
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

/// Parses and verifies an answer. Nothing is read before the signature type, the signature and
/// the account check out.
pub fn parse_answer(creds: &PingPongCredentials, body: &[u8]) -> Result<Answer, AcquirerError> {
    let env: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|e| AcquirerError::malformed(format!("answer is not a JSON object: {e}")))?;
    check_sign_type(creds, &env).map_err(|(field, detail)| mismatch(field, detail))?;
    verify_envelope(&creds.salt, &env).map_err(AcquirerError::bad_signature)?;
    check_account(creds, &env).map_err(|(field, detail)| mismatch(field, detail))?;
    let code = text(&env, "code").ok_or_else(|| AcquirerError::malformed("answer has no code"))?;
    Ok(Answer {
        code: cut(&code, 16),
        description: cut(&text(&env, "description").unwrap_or_default(), MAX_DESCRIPTION),
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
    check_sign_type(creds, &env).map_err(|(field, _)| NotificationError::Mismatch { field })?;
    verify_envelope(&creds.salt, &env).map_err(NotificationError::BadSignature)?;
    check_account(creds, &env).map_err(|(field, _)| NotificationError::Mismatch { field })?;
    text(&env, "bizContent")
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| NotificationError::Malformed("no bizContent".into()))
}

/// No downgrade: a message must be signed with the configured digest. Checked before any digest
/// is computed. A missing or unreadable `signType` is left to the signature check, which
/// refuses it.
fn check_sign_type(
    creds: &PingPongCredentials,
    env: &Map<String, Value>,
) -> Result<(), (&'static str, String)> {
    match env.get("signType") {
        Some(Value::String(s)) if s != creds.sign_type.as_str() => Err((
            "signType",
            format!(
                "signed with {:?}, this cashier is configured for {}",
                cut(s, 16),
                creds.sign_type
            ),
        )),
        _ => Ok(()),
    }
}

/// Every answer and notification names the merchant (API notes §1.2): it must be this one.
fn check_account(
    creds: &PingPongCredentials,
    env: &Map<String, Value>,
) -> Result<(), (&'static str, String)> {
    for (field, ours) in [("accId", &creds.acc_id), ("clientId", &creds.client_id)] {
        match text(env, field) {
            Some(theirs) if theirs == *ours => {}
            Some(theirs) => {
                return Err((field, format!("{:?} is not this merchant's", cut(&theirs, 64))))
            }
            None => return Err((field, format!("the answer has no {field}"))),
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
    fn a_weaker_signature_type_is_refused_even_when_correctly_signed() {
        let fields = [
            ("accId", "2018092714313010016291"),
            ("clientId", "2018092714313010016"),
            ("signType", "MD5"),
            ("code", "000000"),
            ("description", "ok"),
            ("bizContent", "{}"),
        ];
        let md5 = signed_answer(&fields);
        assert!(matches!(
            parse_answer(&creds(), &md5).unwrap_err(),
            AcquirerError::AnswerMismatch { field: "signType", .. }
        ));
        let mut notification = fields.to_vec();
        notification.retain(|(k, _)| !matches!(*k, "code" | "description"));
        notification.push(("version", "1.0"));
        assert_eq!(
            parse_notification(&creds(), &signed_answer(&notification)),
            Err(NotificationError::Mismatch { field: "signType" })
        );
        // The configured MD5 is accepted (a merchant may be set up with it).
        let md5_creds = PingPongCredentials { sign_type: SignType::Md5, ..creds() };
        assert!(parse_answer(&md5_creds, &md5).is_ok());
        // No client id: not this merchant's answer.
        let mut no_client = fields.to_vec();
        no_client.retain(|(k, _)| *k != "clientId");
        no_client[1] = ("signType", "SHA256");
        assert!(matches!(
            parse_answer(&creds(), &signed_answer(&no_client)).unwrap_err(),
            AcquirerError::AnswerMismatch { field: "clientId", .. }
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
        assert!(matches!(
            parse_answer(&creds(), &other).unwrap_err(),
            AcquirerError::AnswerMismatch { field: "accId", .. }
        ));
        for garbage in [&b""[..], b"{", b"[]", b"null", b"{\"code\":1}", &[0xff, 0xfe]] {
            assert!(parse_answer(&creds(), garbage).unwrap_err().is_outcome_unknown());
            assert!(parse_notification(&creds(), garbage).is_err());
        }
    }
}
