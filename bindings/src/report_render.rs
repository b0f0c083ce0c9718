//! The shift report rendered for a printer (ESC/POS bytes) or as an image (PNG) that a phone
//! can share, localised: thin converters over the core's `report_document` and renderers.

use tillkit_core::document::escpos::Charset;
use tillkit_core::document::{Document, Paper};
use tillkit_core::engine::Cashier as CoreCashier;
use tillkit_core::receipt::Locale;
use tillkit_core::report::{report_document, ReportRequest as CoreRequest, ShiftReport};

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

/// Which shift report a call renders.
pub(crate) enum ReportOf {
    /// The report of a request (`null`: since the last close).
    Request(CoreRequest),
    /// Closed shift `seq`, exactly as it was closed.
    Closed(u64),
}

impl ReportOf {
    /// The report of `request`, checked.
    pub(crate) fn request(request: Option<ReportRequest>) -> Result<ReportOf> {
        Ok(ReportOf::Request(core_request(request)?))
    }

    /// Closed shift `seq`, checked (a negative number is `InvalidInput` on `seq`).
    pub(crate) fn closed(seq: i64) -> Result<ReportOf> {
        Ok(ReportOf::Closed(ms_arg("seq", seq)?))
    }

    fn read(&self, c: &CoreCashier) -> Result<ShiftReport> {
        Ok(match self {
            ReportOf::Request(req) => c.shift_report(req)?,
            ReportOf::Closed(seq) => c.closed_report(*seq)?,
        })
    }
}

impl Cashier {
    /// Checks the offset, reads the report off the caller's thread and hands it to `f` with
    /// the core cashier and the offset.
    pub(crate) async fn report_call<T, F>(
        &self,
        of: ReportOf,
        utc_offset_minutes: i32,
        f: F,
    ) -> Result<T>
    where
        F: FnOnce(&CoreCashier, &ShiftReport, i32) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let offset = offset_arg(utc_offset_minutes)?;
        self.store_call(move |c| f(c, &of.read(c)?, offset)).await
    }

    /// As [`Cashier::report_call`], handing `f` the report's printed document in `locale`
    /// (`null`: the configured receipt language), as the receipt's `document_call` does.
    pub(crate) async fn report_document_call<T, F>(
        &self,
        of: ReportOf,
        locale: Option<String>,
        utc_offset_minutes: i32,
        f: F,
    ) -> Result<T>
    where
        F: FnOnce(Document) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.report_call(of, utc_offset_minutes, move |c, r, offset| {
            let locale = locale.as_deref().map_or_else(|| c.receipt_locale(), Locale::from_tag);
            f(report_document(r, locale, offset))
        })
        .await
    }
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
        let of = ReportOf::request(request)?;
        let (paper, charset) = (paper_arg(paper_mm)?, charset_arg(&charset)?);
        self.report_document_call(of, locale, utc_offset_minutes, move |d| {
            Ok(esc_pos(&d, paper, charset))
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
        let of = ReportOf::request(request)?;
        let paper = paper_arg(paper_mm)?;
        self.report_document_call(of, locale, utc_offset_minutes, move |d| png(&d, paper)).await
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
        let of = ReportOf::closed(seq)?;
        let (paper, charset) = (paper_arg(paper_mm)?, charset_arg(&charset)?);
        self.report_document_call(of, locale, utc_offset_minutes, move |d| {
            Ok(esc_pos(&d, paper, charset))
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
        let of = ReportOf::closed(seq)?;
        let paper = paper_arg(paper_mm)?;
        self.report_document_call(of, locale, utc_offset_minutes, move |d| png(&d, paper)).await
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
