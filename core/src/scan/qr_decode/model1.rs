//! Codeword placement of QR Code Model 1 (the original model: no alignment patterns,
//! extension patterns along the right and bottom edges instead). Codewords are 2×4-module
//! blocks in the columns right of the finders and left of them below the top-left one, and
//! 4×2-module blocks in between, each read from its bottom-right module.

use super::{data_bit, Modules, QrDecodeError};

/// The codewords of a Model 1 symbol on `modules` (side 21 to 73), unmasked.
pub(super) fn read_codewords(
    modules: &Modules,
    mirrored: bool,
    mask: usize,
    total: usize,
) -> Result<Vec<u8>, QrDecodeError> {
    let side = modules.side;
    if !(21..=73).contains(&side) {
        return Err(QrDecodeError::Side(side));
    }
    let mut codewords = Vec::with_capacity(total);
    // Eight bits from (x, y) leftwards then upwards in rows `width` modules wide.
    let mut block = |x: usize, y: usize, width: usize| {
        let byte = (0..8).fold(0u8, |byte, b| {
            byte << 1 | u8::from(data_bit(modules, x - b % width, y - b / width, mirrored, mask))
        });
        codewords.push(byte);
    };
    let columns = side / 4 + 3;
    for j in 0..columns {
        if j <= 1 {
            // The two 2-module columns at the right edge, from the bottom up to the top-right
            // finder; the outer one skips the extension patterns.
            let rows = (side - 8) / 4;
            for i in 0..rows {
                if j == 0 && i % 2 == 0 && i > 0 && i < rows - 1 {
                    continue;
                }
                block(side - 1 - 2 * j, side - 1 - 4 * i, 2);
            }
        } else if columns - j <= 4 {
            // The four 2-module columns left of the timing column, between the left finders.
            let rows = (side - 16) / 4;
            let x = (columns - j - 1) * 2 + 1 + usize::from(columns - j == 4);
            for i in 0..rows {
                block(x, side - 9 - 4 * i, 2);
            }
        } else {
            // 4-module columns from the bottom edge up, two rows a codeword, stepping over the
            // timing row; the first stops at the bottom-right alignment of finders and skips
            // extension patterns along the bottom edge as its neighbours do.
            let rows = side / 2;
            let x = side - 5 - (j - 2) * 4;
            for i in 0..rows {
                if (j == 2 && i >= rows - 4) || (i == 0 && j % 2 == 1 && j + 1 != columns - 4) {
                    continue;
                }
                block(x, side - 1 - 2 * i - usize::from(i >= rows - 3), 4);
            }
        }
    }
    // The first codeword's top half lies under the corner: only its low four bits are data.
    if let Some(first) = codewords.first_mut() {
        *first &= 0x0F;
    }
    if codewords.len() != total {
        return Err(QrDecodeError::Side(side));
    }
    Ok(codewords)
}
