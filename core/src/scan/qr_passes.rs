//! The decoder's QR passes behind the fast path's first try: rxing's QR detector on our
//! binarizations, gated by what our finder search saw, the classic-threshold second opinion,
//! try-harder, and the last resorts.

use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::{Binarizer, BinaryBitmap, Luma8Source};

use super::binarize::LocalBinarizer;
use super::decoder::{BarcodeFormat, Symbol};
use super::frame::LumaImage;
use super::qr_fast::{self, Candidates};
use super::qr_readers;

pub(super) fn binarize(image: &LumaImage) -> Option<LocalBinarizer<'_>> {
    LocalBinarizer::new(image.pixels(), image.width() as usize, image.height() as usize)
}

/// Binarizes the image (kept in `binarized` for rxing's detector) and runs the fast QR path;
/// `finders` gets the finder-pattern candidates it saw.
pub(super) fn fast_qr_pass<'a>(
    image: &'a LumaImage,
    binarized: &mut Option<Option<LocalBinarizer<'a>>>,
    finders: &mut Option<Candidates>,
) -> Option<Symbol> {
    let binarizer = binarize(image);
    let matrix = binarizer.as_ref().and_then(|b| b.get_black_matrix().ok());
    let (text, count) = match matrix {
        Some(m) => qr_fast::decode_counting(m, qr_fast::ROW_STEP),
        None => (None, Candidates::default()),
    };
    *finders = binarizer.is_some().then_some(count);
    *binarized = Some(binarizer);
    text.map(|text| Symbol { format: BarcodeFormat::QrCode, text })
}

/// rxing's QR detector (no try-harder) on the binarized image, or with rxing's own binarizer
/// when the image was too small for ours. `finders`: what the fast path counted on it.
pub(super) fn rxing_qr(
    image: &LumaImage,
    binarizer: Option<LocalBinarizer<'_>>,
    finders: Option<Candidates>,
) -> Option<String> {
    match binarizer {
        Some(binarizer) => {
            read_qr(BinaryBitmap::new(binarizer), false, finders, &mut Candidates::default())
        }
        None => {
            let source =
                Luma8Source::new_with_slice(image.pixels(), image.width(), image.height()).ok()?;
            let bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
            read_qr(bitmap, false, None, &mut Candidates::default())
        }
    }
}

/// rxing's QR detector in try-harder mode, upright and inverted, on the fast [`LocalBinarizer`]
/// (rxing's own for images under 40 pixels a side); `seen` gets the finder candidates of the
/// upright pass.
pub(super) fn qr_try_harder(image: &LumaImage, seen: &mut Candidates) -> Option<Symbol> {
    let text = match binarize(image) {
        Some(binarizer) => read_qr(BinaryBitmap::new(binarizer), true, None, seen),
        None => {
            let source =
                Luma8Source::new_with_slice(image.pixels(), image.width(), image.height()).ok()?;
            read_qr(BinaryBitmap::new(HybridBinarizer::new(source)), true, None, seen)
        }
    }?;
    Some(Symbol { format: BarcodeFormat::QrCode, text })
}

/// The cheap pass again on ZXing's classic thresholds, a second opinion: they keep some
/// blurred and dim symbols whole that zxing-cpp 3's break into specks.
pub(super) fn classic_qr(image: &LumaImage) -> Option<String> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let binarizer = LocalBinarizer::classic(image.pixels(), w, h)?;
    read_qr(BinaryBitmap::new(binarizer), false, None, &mut Candidates::default())
}

/// The slow QR passes for what nothing else read: the image as one pure symbol (a crop with
/// a thin quiet zone and one-pixel modules), a global-histogram binarizer (uneven contrast
/// that local thresholds break up), then small images at twice their size.
pub(super) fn qr_last_resorts(image: &LumaImage) -> Option<String> {
    count_last_resort();
    let source = Luma8Source::new_with_slice(image.pixels(), image.width(), image.height()).ok()?;
    let bitmap = BinaryBitmap::new(GlobalHistogramBinarizer::new(source.clone()));
    if let Some(text) = qr_readers::pure_reader(bitmap.get_black_matrix()) {
        return Some(text);
    }
    if let Some(text) = read_qr(bitmap, true, None, &mut Candidates::default()) {
        return Some(text);
    }
    if image.width().max(image.height()) > 400 {
        return None;
    }
    let (w, h) = (image.width() as usize, image.height() as usize);
    let doubled: Vec<u8> = (0..h * 2)
        .flat_map(|y| image.pixels()[(y / 2) * w..(y / 2 + 1) * w].iter().flat_map(|&p| [p, p]))
        .collect();
    let binarizer = LocalBinarizer::new(&doubled, w * 2, h * 2)?;
    read_qr(BinaryBitmap::new(binarizer), true, None, &mut Candidates::default())
}

/// The QR readers on `bitmap`, upright then (try-harder) inverted. Each pass: our fast path,
/// which also gathers finder-pattern candidates (`upright_finders`: already gathered on this
/// binarization; `seen` gets the upright pass's), then the zxing-cpp port's detector — only
/// when three candidates exist that it could take for finder patterns (of two-pixel modules
/// or more in the cheap pass, which tells it to skip smaller ones): it tests the same
/// 1:1:3:1:1 runs and needs three patterns, and on frames without a code it was the largest
/// cost. rxing's classic reader used to follow in the cheap pass; it read nothing the others
/// did not on any image of the benchmark sets (710), and its detector cost about 15 KB.
fn read_qr<B: Binarizer>(
    mut bitmap: BinaryBitmap<B>,
    try_harder: bool,
    upright_finders: Option<Candidates>,
    seen: &mut Candidates,
) -> Option<String> {
    let passes = if try_harder { 2 } else { 1 };
    // Try-harder looks for modules under two pixels too: a finder of one-pixel modules has a
    // three-row centre, which every second row meets.
    let finder_rows = if try_harder { 2 } else { qr_fast::ROW_STEP };
    for pass in 0..passes {
        if pass == 1 {
            bitmap.invert();
        }
        let finders = match (pass, upright_finders) {
            (0, Some(count)) => count,
            _ => match qr_fast::decode_counting(bitmap.get_black_matrix(), finder_rows) {
                (Some(text), _) => return Some(text),
                (None, count) => count,
            },
        };
        if pass == 0 {
            *seen = finders;
        }
        if !finders.enough(!try_harder) {
            continue;
        }
        count_reader_run();
        // The fast pass skips modules under two pixels (it then scans half the rows for
        // finder patterns); try-harder reads those.
        let min_module = if try_harder { 0 } else { 2 };
        if let Some(text) =
            qr_readers::cpp_reader(bitmap.get_black_matrix(), try_harder, min_module)
        {
            return Some(text);
        }
    }
    None
}

#[cfg(test)]
thread_local! {
    /// How many times `read_qr` handed a binarization to rxing's QR readers on this thread.
    static READER_RUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts a run of rxing's QR readers (tests check the gates by it; nothing in release).
fn count_reader_run() {
    #[cfg(test)]
    READER_RUNS.with(|runs| runs.set(runs.get() + 1));
}

#[cfg(test)]
thread_local! {
    /// How many times the QR last resorts ran on this thread.
    static LAST_RESORTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts a run of the QR last resorts (for tests, as [`count_reader_run`]).
fn count_last_resort() {
    #[cfg(test)]
    LAST_RESORTS.with(|runs| runs.set(runs.get() + 1));
}

/// QR last-resort runs on this thread so far.
#[cfg(test)]
pub(super) fn last_resorts() -> usize {
    LAST_RESORTS.with(std::cell::Cell::get)
}

/// rxing QR reader runs on this thread so far.
#[cfg(test)]
pub(super) fn reader_runs() -> usize {
    READER_RUNS.with(std::cell::Cell::get)
}
