//! The shift report rendered for a printer (ESC/POS bytes) or as an image (PNG) that a phone
//! can share, localised: thin converters over the core's `report_document` and renderers.

use tillkit_core::document::escpos::Charset;
use tillkit_core::document::{Document, Paper};
use tillkit_core::engine::Cashier as CoreCashier;
use tillkit_core::receipt::Locale;
use tillkit_core::report::{report_document, ShiftReport};

use crate::cashier::Cashier;
use crate::error::TillKitError;
use crate::ints::ms_arg;
use crate::receipt::{esc_pos, png};
use crate::report::ReportRequest;
use crate::report_api::{core_request, offset_arg};

type Result<T> = std::result::Result<T, TillKitError>;

fn paper_arg(mm: i32) -> Result<Paper> {
    match mm {
        58 => Ok(Paper::Mm58),
        80 => Ok(Paper::Mm80),
        other => Err(TillKitError::InvalidInput {
            field: "paper_mm".into(),
            reason: format!("{other}: 58 or 80"),
        }),
    }
}

fn charset_arg(name: &str) -> Result<Charset> {
    match name.trim().to_ascii_lowercase().as_str() {
        "gb18030" => Ok(Charset::Gb18030),
        "big5" => Ok(Charset::Big5),
        "ascii" => Ok(Charset::Ascii),
        _ => Err(TillKitError::InvalidInput {
            field: "charset".into(),
            reason: format!("{:?}: gb18030, big5 or ascii", name.escape_debug().to_string()),
        }),
    }
}

/// The language asked for, or the configured one.
fn locale(c: &CoreCashier, tag: Option<&str>) -> Locale {
    tag.map_or_else(|| c.receipt_locale(), Locale::from_tag)
}

fn document(c: &CoreCashier, r: &ShiftReport, tag: Option<&str>, offset: i32) -> Document {
    report_document(r, locale(c, tag), offset)
}

#[uniffi::export(async_runtime = "tokio")]
impl Cashier {
    /// The shift report of `request` (`null`: since the last close) as ESC/POS bytes for a
    /// receipt printer: `paperMm` 58 or 80, `charset` the printer's (`gb18030`, `big5` or
    /// `ascii`), `locale` `en`, `zh-Hans` or `zh-Hant` (`null`: the configured receipt
    /// language; another tag is English), times at `utcOffsetMinutes` east of UTC. Send them
    /// over any byte transport (Bluetooth, USB, TCP 9100).
    #[uniffi::method(default(
        request = None,
        locale = None,
        paper_mm = 80,
        charset = "gb18030",
        utc_offset_minutes = 0
    ))]
    pub async fn report_esc_pos(
        &self,
        request: Option<ReportRequest>,
        locale: Option<String>,
        paper_mm: i32,
        charset: String,
        utc_offset_minutes: i32,
    ) -> Result<Vec<u8>> {
        let req = core_request(request)?;
        let paper = paper_arg(paper_mm)?;
        let charset = charset_arg(&charset)?;
        let offset = offset_arg(utc_offset_minutes)?;
        self.store_call(move |c| {
            let doc = document(c, &c.shift_report(&req)?, locale.as_deref(), offset);
            Ok(esc_pos(&doc, paper, charset))
        })
        .await
    }

    /// The shift report of `request` as a PNG image (black on white, laid out like the
    /// `paperMm` 58 or 80 printout), localised and timed like [`Cashier::report_esc_pos`].
    #[uniffi::method(default(request = None, locale = None, paper_mm = 80, utc_offset_minutes = 0))]
    pub async fn report_png(
        &self,
        request: Option<ReportRequest>,
        locale: Option<String>,
        paper_mm: i32,
        utc_offset_minutes: i32,
    ) -> Result<Vec<u8>> {
        let req = core_request(request)?;
        let paper = paper_arg(paper_mm)?;
        let offset = offset_arg(utc_offset_minutes)?;
        self.store_call(move |c| {
            png(&document(c, &c.shift_report(&req)?, locale.as_deref(), offset), paper)
        })
        .await
    }

    /// Closed shift `seq` exactly as it was closed, as ESC/POS bytes (a reprint); the options
    /// as for [`Cashier::report_esc_pos`]. An unknown number is `InvalidInput` on `seq`.
    #[uniffi::method(default(
        locale = None,
        paper_mm = 80,
        charset = "gb18030",
        utc_offset_minutes = 0
    ))]
    pub async fn closed_report_esc_pos(
        &self,
        seq: i64,
        locale: Option<String>,
        paper_mm: i32,
        charset: String,
        utc_offset_minutes: i32,
    ) -> Result<Vec<u8>> {
        let seq = ms_arg("seq", seq)?;
        let paper = paper_arg(paper_mm)?;
        let charset = charset_arg(&charset)?;
        let offset = offset_arg(utc_offset_minutes)?;
        self.store_call(move |c| {
            let doc = document(c, &c.closed_report(seq)?, locale.as_deref(), offset);
            Ok(esc_pos(&doc, paper, charset))
        })
        .await
    }

    /// Closed shift `seq` exactly as it was closed, as a PNG image; the options as for
    /// [`Cashier::report_png`].
    #[uniffi::method(default(locale = None, paper_mm = 80, utc_offset_minutes = 0))]
    pub async fn closed_report_png(
        &self,
        seq: i64,
        locale: Option<String>,
        paper_mm: i32,
        utc_offset_minutes: i32,
    ) -> Result<Vec<u8>> {
        let seq = ms_arg("seq", seq)?;
        let paper = paper_arg(paper_mm)?;
        let offset = offset_arg(utc_offset_minutes)?;
        self.store_call(move |c| {
            png(&document(c, &c.closed_report(seq)?, locale.as_deref(), offset), paper)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_and_charset_are_checked_and_name_their_field() {
        assert_eq!(paper_arg(58), Ok(Paper::Mm58));
        assert_eq!(paper_arg(80), Ok(Paper::Mm80));
        let bad = paper_arg(57);
        assert!(
            matches!(bad, Err(TillKitError::InvalidInput { ref field, .. }) if field == "paper_mm")
        );
        assert_eq!(charset_arg("Big5"), Ok(Charset::Big5));
        let bad = charset_arg("utf-8\u{1b}");
        assert!(matches!(bad, Err(TillKitError::InvalidInput { ref field, ref reason })
            if field == "charset" && !reason.contains('\u{1b}')));
    }
}
