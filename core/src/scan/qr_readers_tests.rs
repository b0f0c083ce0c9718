//! Our decoder against rxing's on every grid rxing's detectors sample from the shared QR
//! images: it must read each grid rxing reads, to the same text, and read nothing else.

use std::path::{Path, PathBuf};

use rxing::common::{BitMatrix, DetectorRXingResult, HybridBinarizer};
use rxing::qrcode::detector::Detector;
use rxing::{Binarizer, DecodeHints, Luma8Source};

use super::*;
use crate::scan::binarize::LocalBinarizer;
use crate::scan::frame::LumaImage;

fn shared() -> PathBuf {
    std::env::var_os("TILLKIT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
        .join("testdata/barcodes")
}

/// The QR images of the manifest (its first column where the second is QR_CODE).
fn qr_images() -> Vec<PathBuf> {
    let manifest = std::fs::read_to_string(shared().join("manifest.csv")).unwrap();
    manifest
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(',');
            let file = fields.next()?;
            (fields.next() == Some("QR_CODE")).then(|| shared().join(file))
        })
        .collect()
}

/// rxing's reading of a sampled grid.
fn rxing_text(bits: &BitMatrix) -> Option<String> {
    let result = rxing::qrcode::cpp_port::decoder::Decode(bits).ok()?;
    result.isValid().then(|| result.text())
}

#[test]
fn reads_every_grid_rxing_reads_and_no_other() {
    let (mut grids, mut read, mut differ) = (0, 0, Vec::new());
    let mut compare = |bits: &BitMatrix, file: &Path| {
        grids += 1;
        let (theirs, ours) = (rxing_text(bits), decode_bits(bits));
        read += usize::from(theirs.is_some());
        if theirs != ours {
            differ.push((file.to_owned(), theirs, ours));
        }
    };
    let images = qr_images();
    assert!(images.len() >= 100, "{} QR images", images.len());
    for file in &images {
        let image = LumaImage::open(file).unwrap();
        let (w, h) = (image.width(), image.height());
        let mut matrices = Vec::new();
        if let Some(local) = LocalBinarizer::new(image.pixels(), w as usize, h as usize) {
            matrices.extend(local.get_black_matrix().ok().cloned());
        }
        let source = Luma8Source::new_with_slice(image.pixels(), w, h).unwrap();
        matrices.extend(HybridBinarizer::new(source).get_black_matrix().ok().cloned());
        for m in &matrices {
            let mut patterns = FindFinderPatterns(m, true, 0);
            for set in GenerateFinderPatternSets(&mut patterns) {
                if let Ok(detected) = SampleQR(m, &set) {
                    compare(detected.getBits(), file);
                }
            }
            // The classic detector's grids too (no longer in the decoder): more to compare.
            let hints = DecodeHints { TryHarder: Some(true), ..DecodeHints::default() };
            if let Ok(detected) = Detector::new(m).detect_with_hints(&hints) {
                compare(detected.getBits(), file);
            }
        }
    }
    assert_eq!(differ, Vec::new(), "of {grids} grids, rxing read {read}");
    assert!(read >= 100, "rxing read {read} of {grids} grids");
}
