//! Our own QR Code decoder for a sampled module grid (ISO/IEC 18004): format information,
//! unmasking, codeword order, block de-interleaving, Reed–Solomon over GF(256) and the
//! segments payment and receipt codes use. It replaces rxing's decoders, which pulled in every
//! character-set decoder of `encoding_rs`; a symbol read mirrored (transposed) is decoded too.
//! Anything it does not read is a typed [`QrDecodeError`], never a panic.

mod model1;
mod rs;
mod segments;
mod tables;
mod text;

use segments::SegmentError;
use tables::{alignment_positions, Blocks, Level};

/// A square grid of modules, `true` dark, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Modules {
    side: usize,
    dark: Vec<bool>,
}

/// Module (x, y) of `modules` as unmasked data: read transposed when `mirrored`, inverted
/// where mask `mask` applies.
fn data_bit(modules: &Modules, x: usize, y: usize, mirrored: bool, mask: usize) -> bool {
    modules.at(x, y, mirrored) ^ masked(mask, x, y)
}

impl Modules {
    /// A `side`-module grid with module (x, y) dark where `dark(x, y)`.
    pub(crate) fn from_fn(side: usize, mut dark: impl FnMut(usize, usize) -> bool) -> Modules {
        let dark = (0..side * side).map(|i| dark(i % side, i / side)).collect();
        Modules { side, dark }
    }

    /// A `side`-module grid from its modules row by row (`true` dark); `None` unless there
    /// are `side`² of them.
    pub(crate) fn new(side: usize, dark: Vec<bool>) -> Option<Modules> {
        (dark.len() == side * side).then_some(Modules { side, dark })
    }

    /// Module (x, y) of the symbol, read transposed when `mirrored`.
    fn at(&self, x: usize, y: usize, mirrored: bool) -> bool {
        let (x, y) = if mirrored { (y, x) } else { (x, y) };
        self.dark[y * self.side + x]
    }
}

/// Why a grid did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum QrDecodeError {
    /// The side is not 21, 25, … 177 modules.
    #[error("{0} modules a side is no QR Code version")]
    Side(usize),
    /// Neither copy of the format information is within three bits of a valid one.
    #[error("unreadable format information")]
    Format,
    /// A block has more errors than its error-correction codewords can fix.
    #[error("too many codeword errors")]
    Codewords,
    /// The corrected data is not text this decoder reads.
    #[error("bad data: {0}")]
    Data(#[from] SegmentError),
}

/// The text of the symbol on `modules`, read as sampled or mirrored (transposed): first the
/// way its format information reads with fewer wrong bits (as sampled on a tie), then the
/// other if its format information reads at all.
pub(crate) fn decode(modules: &Modules) -> Result<String, QrDecodeError> {
    let side = modules.side;
    if !(21..=177).contains(&side) || side % 4 != 1 || modules.dark.len() != side * side {
        return Err(QrDecodeError::Side(side));
    }
    let (upright, mirrored) = (read_format(modules, false), read_format(modules, true));
    let mut ways: Vec<(Format, bool)> = [(upright, false), (mirrored, true)]
        .into_iter()
        .filter_map(|(f, m)| Some((f.ok()?, m)))
        .collect();
    ways.sort_by_key(|&(format, mirrored)| (format.distance, mirrored));
    let mut error = QrDecodeError::Format;
    for (format, mirrored) in ways {
        match decode_oriented(modules, format, mirrored) {
            Ok(text) => return Ok(text),
            Err(e) if error == QrDecodeError::Format => error = e,
            Err(_) => {}
        }
    }
    Err(error)
}

fn decode_oriented(
    modules: &Modules,
    format: Format,
    mirrored: bool,
) -> Result<String, QrDecodeError> {
    let side = modules.side;
    let Format { model, level, mask, .. } = format;
    let version = (side - 17) / 4;
    let (blocks, codewords) = match model {
        Model::Two => {
            let blocks = Blocks::of(version, level).ok_or(QrDecodeError::Side(side))?;
            (blocks, read_codewords(modules, mirrored, version, mask, blocks.total())?)
        }
        Model::One => {
            let blocks = Blocks::model1(version, level).ok_or(QrDecodeError::Side(side))?;
            (blocks, model1::read_codewords(modules, mirrored, mask, blocks.total())?)
        }
    };
    let data = correct_blocks(&codewords, blocks)?;
    Ok(segments::decode(&data, version, model == Model::One)?)
}

/// The 15-bit format information of each 5-bit value (level and mask), BCH-coded, unmasked.
const FORMATS: [u16; 32] = {
    let mut codes = [0u16; 32];
    let mut data = 0;
    while data < 32 {
        let mut rest = (data as u32) << 10;
        let mut bit = 14;
        while bit >= 10 {
            if rest & (1 << bit) != 0 {
                rest ^= 0x537 << (bit - 10);
            }
            bit -= 1;
        }
        codes[data] = ((data as u32) << 10 | rest) as u16;
        data += 1;
    }
    codes
};

/// Which QR Code a symbol is: Model 2 (today's), or the original Model 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    One,
    Two,
}

/// The masks format information is XORed with: Model 2's, none (some Model 2 encoders leave
/// it unmasked; ZXing reads those), and Model 1's. The nearest code wins, in this order on ties.
const FORMAT_MASKS: [(u16, Model); 3] =
    [(0x5412, Model::Two), (0, Model::Two), (0x2825, Model::One)];

/// What a symbol's format information tells, and how many bits of it were wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Format {
    model: Model,
    level: Level,
    mask: usize,
    distance: u32,
}

/// The nearest valid format information to either copy, within three bits.
fn read_format(modules: &Modules, mirrored: bool) -> Result<Format, QrDecodeError> {
    let side = modules.side;
    let bit = |x: usize, y: usize| u16::from(modules.at(x, y, mirrored));
    // Around the top-left finder: along row 8 (skipping the timing column), then up column 8.
    let mut first = 0u16;
    for (x, y) in
        (0..6).map(|x| (x, 8)).chain([(7, 8), (8, 8), (8, 7)]).chain((0..6).rev().map(|y| (8, y)))
    {
        first = first << 1 | bit(x, y);
    }
    // Split between the other two finders: up column 8 by the bottom-left, along row 8 by the
    // top-right.
    let mut second = 0u16;
    for (x, y) in (side - 7..side).rev().map(|y| (8, y)).chain((side - 8..side).map(|x| (x, 8))) {
        second = second << 1 | bit(x, y);
    }
    let (distance, _, model, data) = FORMAT_MASKS
        .iter()
        .enumerate()
        .flat_map(|(order, &(mask, model))| {
            (0..32).flat_map(move |data| {
                [first, second]
                    .map(|read| ((read ^ FORMATS[data] ^ mask).count_ones(), order, model, data))
            })
        })
        .min_by_key(|&(distance, order, _, data)| (distance, order, data))
        .ok_or(QrDecodeError::Format)?;
    if distance > 3 {
        return Err(QrDecodeError::Format);
    }
    Ok(Format { model, level: Level::from_bits((data >> 3) as u16), mask: data & 7, distance })
}

/// Whether mask `mask` inverts the module in row `y`, column `x`.
fn masked(mask: usize, x: usize, y: usize) -> bool {
    match mask {
        0 => (x + y).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (x + y).is_multiple_of(3),
        4 => (y / 2 + x / 3).is_multiple_of(2),
        5 => (x * y) % 2 + (x * y) % 3 == 0,
        6 => ((x * y) % 2 + (x * y) % 3).is_multiple_of(2),
        _ => ((x + y) % 2 + (x * y) % 3).is_multiple_of(2),
    }
}

/// The function modules of a version: finders with separators and format information,
/// timing patterns, alignment patterns and (version 7 on) version information.
fn function_modules(version: usize) -> Vec<bool> {
    let side = 17 + 4 * version;
    let mut function = vec![false; side * side];
    let mut mark = |x0: usize, y0: usize, width: usize, height: usize| {
        for y in y0..y0 + height {
            function[y * side + x0..y * side + x0 + width].fill(true);
        }
    };
    mark(0, 0, 9, 9);
    mark(side - 8, 0, 8, 9);
    mark(0, side - 8, 9, 8);
    mark(6, 0, 1, side);
    mark(0, 6, side, 1);
    if version >= 7 {
        mark(side - 11, 0, 3, 6);
        mark(0, side - 11, 6, 3);
    }
    let aligned = alignment_positions(version);
    for &ay in &aligned {
        for &ax in &aligned {
            let on_finder = (ax == 6 && (ay == 6 || ay == side - 7)) || (ax == side - 7 && ay == 6);
            if !on_finder {
                mark(ax - 2, ay - 2, 5, 5);
            }
        }
    }
    function
}

/// The data modules of a version in placement order: two-module columns from the right,
/// upwards and downwards in turn, skipping the vertical timing pattern and function modules.
fn data_positions(version: usize) -> Vec<(usize, usize)> {
    let side = 17 + 4 * version;
    let function = function_modules(version);
    let mut order = Vec::with_capacity(side * side);
    let (mut right, mut upward) = (side - 1, true);
    loop {
        if right == 6 {
            right = 5;
        }
        for i in 0..side {
            let y = if upward { side - 1 - i } else { i };
            for x in [right, right - 1] {
                if !function[y * side + x] {
                    order.push((x, y));
                }
            }
        }
        upward = !upward;
        if right < 3 {
            break;
        }
        right -= 2;
    }
    order
}

/// The symbol's first `total` codewords in placement order, unmasked.
fn read_codewords(
    modules: &Modules,
    mirrored: bool,
    version: usize,
    mask: usize,
    total: usize,
) -> Result<Vec<u8>, QrDecodeError> {
    let positions = data_positions(version);
    if positions.len() / 8 < total {
        return Err(QrDecodeError::Side(modules.side));
    }
    Ok(positions
        .chunks_exact(8)
        .take(total)
        .map(|byte| {
            byte.iter().fold(0u8, |acc, &(x, y)| {
                acc << 1 | u8::from(data_bit(modules, x, y, mirrored, mask))
            })
        })
        .collect())
}

/// De-interleaves the codewords into blocks, corrects each and returns the data codewords.
fn correct_blocks(codewords: &[u8], blocks: Blocks) -> Result<Vec<u8>, QrDecodeError> {
    let count = blocks.count();
    let mut split: Vec<Vec<u8>> =
        (0..count).map(|i| Vec::with_capacity(blocks.data_len(i) + blocks.ec)).collect();
    let mut next = codewords.iter().copied();
    for k in 0..=blocks.short {
        for (i, block) in split.iter_mut().enumerate() {
            if k < blocks.data_len(i) {
                block.push(next.next().ok_or(QrDecodeError::Codewords)?);
            }
        }
    }
    for _ in 0..blocks.ec {
        for block in &mut split {
            block.push(next.next().ok_or(QrDecodeError::Codewords)?);
        }
    }
    let mut data = Vec::with_capacity(codewords.len());
    for (i, block) in split.iter_mut().enumerate() {
        rs::correct(block, blocks.ec).map_err(|_| QrDecodeError::Codewords)?;
        data.extend_from_slice(&block[..blocks.data_len(i)]);
    }
    Ok(data)
}

#[cfg(test)]
mod tests;
