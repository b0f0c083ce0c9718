//! From verified PingPong answers to the unified model.

use crate::acquirer::model::{
    CardSummary, PaymentResult, PaymentStatus, QrCode, RefundResult, RefundStatus,
};
use crate::acquirer::{AcquirerError, Notification, NotificationError};
use crate::money::{Amount, Currency};

use super::envelope::Answer;
use super::wire::{Loose, PaymentBiz, RefundBizAnswer};

fn payment_status(s: &str) -> Option<PaymentStatus> {
    Some(match s {
        "INIT" | "PROCESSING" | "AUTH_SUCCESS" => PaymentStatus::Processing,
        "SUCCESS" => PaymentStatus::Succeeded,
        "FAILED" => PaymentStatus::Failed,
        "CLOSED" => PaymentStatus::Closed,
        "CANCEL" => PaymentStatus::Cancelled,
        _ => return None,
    })
}

fn refund_status(s: &str) -> Option<RefundStatus> {
    Some(match s {
        "PROCESSING" | "ACCEPT_SUCCESS" => RefundStatus::Processing,
        "SUCCESS" => RefundStatus::Succeeded,
        "FAILED" => RefundStatus::Failed,
        _ => return None,
    })
}

fn amount(value: &Option<Loose>, currency: &Option<String>) -> Result<Option<Amount>, String> {
    let (Some(value), Some(currency)) = (value, currency) else { return Ok(None) };
    let currency = Currency::from_code(currency).map_err(|e| e.to_string())?;
    Amount::parse_acquirer(&value.text(), currency).map(Some).map_err(|e| e.to_string())
}

fn non_blank(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|v| !v.trim().is_empty()).cloned()
}

/// Reads a payment payload. `Err(String)` says what is malformed.
fn payment_from_biz(
    biz: &PaymentBiz,
    expected_order: Option<&str>,
) -> Result<PaymentResult, String> {
    let status_text = biz.status.as_deref().ok_or("bizContent has no status")?;
    let status =
        payment_status(status_text).ok_or_else(|| format!("unknown status {status_text:?}"))?;
    let order = match (non_blank(&biz.merchant_transaction_id), expected_order) {
        (Some(theirs), Some(ours)) if theirs != ours => {
            return Err(format!("answer is about order {theirs:?}, not {ours:?}"))
        }
        (Some(theirs), _) => theirs,
        (None, Some(ours)) => ours.to_string(),
        (None, None) => return Err("no merchantTransactionId".into()),
    };
    let action = biz.action.clone().unwrap_or_default();
    let qr_content = non_blank(&action.qr_code).or_else(|| non_blank(&biz.qr_code));
    let qr = qr_content.map(|content| {
        let expiry = action.qr_code_expired.as_ref().or(biz.qr_code_expired.as_ref());
        QrCode {
            content,
            image_url: non_blank(&action.qr_url).or_else(|| non_blank(&biz.qr_url)),
            expires_at_unix_ms: expiry.and_then(|e| e.text().parse().ok()),
        }
    });
    let card = biz.card_info.as_ref().map(|c| CardSummary {
        brand: non_blank(&c.payment_brand),
        masked_number: match (non_blank(&c.first_six_digits), non_blank(&c.last_four_digits)) {
            (Some(first), Some(last)) => Some(format!("{first}******{last}")),
            (None, Some(last)) => Some(format!("************{last}")),
            _ => None,
        },
    });
    Ok(PaymentResult {
        status,
        merchant_transaction_id: order,
        request_id: non_blank(&biz.request_id),
        acquirer_transaction_id: non_blank(&biz.transaction_id),
        amount: amount(&biz.amount, &biz.currency)?,
        result_code: non_blank(&biz.result_code),
        result_description: non_blank(&biz.result_description),
        qr,
        card,
    })
}

/// A pay or query answer. A payload with a status is a result (a decline is a result, not an
/// error); an answer without one is the acquirer refusing the request.
pub(super) fn payment_answer(
    answer: &Answer,
    order: &str,
    ok_codes: &[&str],
) -> Result<PaymentResult, AcquirerError> {
    let Some(biz_text) = &answer.biz else {
        return Err(refusal_or_malformed(answer, ok_codes, "no bizContent"));
    };
    let biz: PaymentBiz = serde_json::from_str(biz_text)
        .map_err(|e| AcquirerError::malformed(format!("bizContent: {e}")))?;
    if biz.status.is_none() && !ok_codes.contains(&answer.code.as_str()) {
        return Err(rejected(answer));
    }
    let mut result = payment_from_biz(&biz, Some(order)).map_err(AcquirerError::malformed)?;
    if result.result_code.is_none() {
        result.result_code = Some(answer.code.clone());
        result.result_description = Some(answer.description.clone()).filter(|d| !d.is_empty());
    }
    Ok(result)
}

/// A refund or refund query answer.
pub(super) fn refund_answer(
    answer: &Answer,
    ok_codes: &[&str],
) -> Result<RefundResult, AcquirerError> {
    let Some(biz_text) = &answer.biz else {
        return Err(refusal_or_malformed(answer, ok_codes, "no bizContent"));
    };
    let biz: RefundBizAnswer = serde_json::from_str(biz_text)
        .map_err(|e| AcquirerError::malformed(format!("bizContent: {e}")))?;
    if biz.status.is_none() && !ok_codes.contains(&answer.code.as_str()) {
        return Err(rejected(answer));
    }
    let mut result = refund_from_biz(&biz).map_err(AcquirerError::malformed)?;
    if result.result_code.is_none() {
        result.result_code = Some(answer.code.clone());
        result.result_description = Some(answer.description.clone()).filter(|d| !d.is_empty());
    }
    Ok(result)
}

fn refund_from_biz(biz: &RefundBizAnswer) -> Result<RefundResult, String> {
    let status_text = biz.status.as_deref().ok_or("bizContent has no status")?;
    let status = refund_status(status_text)
        .ok_or_else(|| format!("unknown refund status {status_text:?}"))?;
    Ok(RefundResult {
        status,
        merchant_refund_id: non_blank(&biz.merchant_refund_id),
        acquirer_refund_id: non_blank(&biz.refund_id),
        amount: amount(&biz.amount, &biz.currency)?,
        result_code: non_blank(&biz.result_code),
        result_description: non_blank(&biz.result_description),
    })
}

fn rejected(answer: &Answer) -> AcquirerError {
    AcquirerError::Rejected { code: answer.code.clone(), description: answer.description.clone() }
}

/// A success code with nothing in it is a broken answer; any other code is a refusal.
fn refusal_or_malformed(answer: &Answer, ok_codes: &[&str], what: &str) -> AcquirerError {
    if ok_codes.contains(&answer.code.as_str()) {
        AcquirerError::malformed(format!("code {} with {what}", answer.code))
    } else {
        rejected(answer)
    }
}

/// A verified notification's payload: `notifyType` `REFUND` is a refund, anything else a payment.
pub(super) fn notification(biz_text: &str) -> Result<Notification, NotificationError> {
    let malformed = |e: String| NotificationError::Malformed(e);
    let value: serde_json::Value =
        serde_json::from_str(biz_text).map_err(|e| malformed(format!("bizContent: {e}")))?;
    if value.get("notifyType").and_then(|v| v.as_str()) == Some("REFUND") {
        let biz: RefundBizAnswer =
            serde_json::from_value(value).map_err(|e| malformed(format!("bizContent: {e}")))?;
        let order = non_blank(&biz.merchant_transaction_id)
            .ok_or_else(|| malformed("refund notification without merchantTransactionId".into()))?;
        let result = refund_from_biz(&biz).map_err(malformed)?;
        return Ok(Notification::Refund { merchant_transaction_id: order, result });
    }
    let biz: PaymentBiz =
        serde_json::from_value(value).map_err(|e| malformed(format!("bizContent: {e}")))?;
    payment_from_biz(&biz, None).map(Notification::Payment).map_err(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: &str, biz: Option<&str>) -> Answer {
        Answer { code: code.into(), description: "d".into(), biz: biz.map(str::to_string) }
    }

    #[test]
    fn decline_is_a_result_and_refusal_is_an_error() {
        let declined =
            answer("301002", Some(r#"{"merchantTransactionId":"M1","status":"FAILED"}"#));
        let r = payment_answer(&declined, "M1", &["000000", "002000"]).unwrap();
        assert_eq!(r.status, PaymentStatus::Failed);
        assert_eq!(r.result_code.as_deref(), Some("301002"));
        let refused = answer("107000", None);
        assert!(matches!(
            payment_answer(&refused, "M1", &["000000"]),
            Err(AcquirerError::Rejected { code, .. }) if code == "107000"
        ));
        assert!(payment_answer(&answer("000000", None), "M1", &["000000"])
            .unwrap_err()
            .is_outcome_unknown());
    }

    #[test]
    fn qr_amount_and_card_are_read() {
        let biz = r#"{"merchantTransactionId":"M1","transactionId":"T1","status":"PROCESSING",
            "amount":"12.500000","currency":"CNY",
            "action":{"type":"QR_CODE","qrCode":"weixin://x","qrUrl":"http://q","qrCodeExpired":"1700000000000"},
            "cardInfo":{"firstSixDigits":"520474","lastFourDigits":"1002","paymentBrand":"MASTERCARD"},
            "somethingNew":{"ignored":true}}"#;
        let r = payment_answer(&answer("002000", Some(biz)), "M1", &["002000"]).unwrap();
        assert_eq!(r.amount.unwrap().to_major_string(), "12.50");
        let qr = r.qr.unwrap();
        assert_eq!(qr.content, "weixin://x");
        assert_eq!(qr.expires_at_unix_ms, Some(1_700_000_000_000));
        assert_eq!(r.card.unwrap().masked_number.as_deref(), Some("520474******1002"));
    }

    #[test]
    fn unknown_status_wrong_order_and_bad_amount_are_malformed() {
        for biz in [
            r#"{"merchantTransactionId":"M1","status":"REVIEW"}"#,
            r#"{"merchantTransactionId":"M2","status":"SUCCESS"}"#,
            r#"{"merchantTransactionId":"M1","status":"SUCCESS","amount":"1.005","currency":"CNY"}"#,
            r#"{"merchantTransactionId":"M1","status":"SUCCESS","amount":"1","currency":"XXX"}"#,
            r#"{"merchantTransactionId":"M1","status":7}"#,
            r#"[1,2]"#,
            r#"{"merchantTransactionId":"M1""#,
        ] {
            let err = payment_answer(&answer("000000", Some(biz)), "M1", &["000000"]).unwrap_err();
            assert!(err.is_outcome_unknown(), "{biz}: {err:?}");
        }
    }

    #[test]
    fn notifications_split_payments_and_refunds() {
        let pay = r#"{"notifyType":"RECHARGE","merchantTransactionId":"M1","status":"SUCCESS","amount":"1.000000","currency":"CNY"}"#;
        assert!(
            matches!(notification(pay), Ok(Notification::Payment(p)) if p.status == PaymentStatus::Succeeded)
        );
        let refund = r#"{"notifyType":"REFUND","merchantTransactionId":"M1","merchantRefundId":"R1","status":"SUCCESS"}"#;
        assert!(
            matches!(notification(refund), Ok(Notification::Refund { result, .. }) if result.status == RefundStatus::Succeeded)
        );
        assert!(notification(r#"{"notifyType":"REFUND","status":"SUCCESS"}"#).is_err());
        assert!(notification("nope").is_err());
    }

    #[test]
    fn wallet_must_match_code() {
        use crate::acquirer::{check_code_matches_wallet, WalletMethod};
        use crate::paycode::PaymentCode;
        let wechat = PaymentCode::parse("134650720866361395").unwrap();
        assert!(check_code_matches_wallet(&wechat, WalletMethod::WechatPay).is_ok());
        assert!(check_code_matches_wallet(&wechat, WalletMethod::AlipayCn).is_err());
        let alipay = PaymentCode::parse("2865072086636139").unwrap();
        assert!(check_code_matches_wallet(&alipay, WalletMethod::AlipayHk).is_ok());
        assert!(check_code_matches_wallet(&alipay, WalletMethod::WechatPay).is_err());
    }
}
