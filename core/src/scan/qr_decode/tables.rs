//! The QR Code tables the decoder needs (ISO/IEC 18004:2015): block structure per version and
//! error-correction level, and alignment-pattern positions.

/// Per version (1–40) and level (L, M, Q, H): error-correction codewords per block, blocks in
/// the first group, data codewords per first-group block, blocks in the second group (whose
/// blocks carry one data codeword more).
const BLOCKS: [[(u8, u8, u8, u8); 4]; 40] = [
    [(7, 1, 19, 0), (10, 1, 16, 0), (13, 1, 13, 0), (17, 1, 9, 0)], // 1
    [(10, 1, 34, 0), (16, 1, 28, 0), (22, 1, 22, 0), (28, 1, 16, 0)], // 2
    [(15, 1, 55, 0), (26, 1, 44, 0), (18, 2, 17, 0), (22, 2, 13, 0)], // 3
    [(20, 1, 80, 0), (18, 2, 32, 0), (26, 2, 24, 0), (16, 4, 9, 0)], // 4
    [(26, 1, 108, 0), (24, 2, 43, 0), (18, 2, 15, 2), (22, 2, 11, 2)], // 5
    [(18, 2, 68, 0), (16, 4, 27, 0), (24, 4, 19, 0), (28, 4, 15, 0)], // 6
    [(20, 2, 78, 0), (18, 4, 31, 0), (18, 2, 14, 4), (26, 4, 13, 1)], // 7
    [(24, 2, 97, 0), (22, 2, 38, 2), (22, 4, 18, 2), (26, 4, 14, 2)], // 8
    [(30, 2, 116, 0), (22, 3, 36, 2), (20, 4, 16, 4), (24, 4, 12, 4)], // 9
    [(18, 2, 68, 2), (26, 4, 43, 1), (24, 6, 19, 2), (28, 6, 15, 2)], // 10
    [(20, 4, 81, 0), (30, 1, 50, 4), (28, 4, 22, 4), (24, 3, 12, 8)], // 11
    [(24, 2, 92, 2), (22, 6, 36, 2), (26, 4, 20, 6), (28, 7, 14, 4)], // 12
    [(26, 4, 107, 0), (22, 8, 37, 1), (24, 8, 20, 4), (22, 12, 11, 4)], // 13
    [(30, 3, 115, 1), (24, 4, 40, 5), (20, 11, 16, 5), (24, 11, 12, 5)], // 14
    [(22, 5, 87, 1), (24, 5, 41, 5), (30, 5, 24, 7), (24, 11, 12, 7)], // 15
    [(24, 5, 98, 1), (28, 7, 45, 3), (24, 15, 19, 2), (30, 3, 15, 13)], // 16
    [(28, 1, 107, 5), (28, 10, 46, 1), (28, 1, 22, 15), (28, 2, 14, 17)], // 17
    [(30, 5, 120, 1), (26, 9, 43, 4), (28, 17, 22, 1), (28, 2, 14, 19)], // 18
    [(28, 3, 113, 4), (26, 3, 44, 11), (26, 17, 21, 4), (26, 9, 13, 16)], // 19
    [(28, 3, 107, 5), (26, 3, 41, 13), (30, 15, 24, 5), (28, 15, 15, 10)], // 20
    [(28, 4, 116, 4), (26, 17, 42, 0), (28, 17, 22, 6), (30, 19, 16, 6)], // 21
    [(28, 2, 111, 7), (28, 17, 46, 0), (30, 7, 24, 16), (24, 34, 13, 0)], // 22
    [(30, 4, 121, 5), (28, 4, 47, 14), (30, 11, 24, 14), (30, 16, 15, 14)], // 23
    [(30, 6, 117, 4), (28, 6, 45, 14), (30, 11, 24, 16), (30, 30, 16, 2)], // 24
    [(26, 8, 106, 4), (28, 8, 47, 13), (30, 7, 24, 22), (30, 22, 15, 13)], // 25
    [(28, 10, 114, 2), (28, 19, 46, 4), (28, 28, 22, 6), (30, 33, 16, 4)], // 26
    [(30, 8, 122, 4), (28, 22, 45, 3), (30, 8, 23, 26), (30, 12, 15, 28)], // 27
    [(30, 3, 117, 10), (28, 3, 45, 23), (30, 4, 24, 31), (30, 11, 15, 31)], // 28
    [(30, 7, 116, 7), (28, 21, 45, 7), (30, 1, 23, 37), (30, 19, 15, 26)], // 29
    [(30, 5, 115, 10), (28, 19, 47, 10), (30, 15, 24, 25), (30, 23, 15, 25)], // 30
    [(30, 13, 115, 3), (28, 2, 46, 29), (30, 42, 24, 1), (30, 23, 15, 28)], // 31
    [(30, 17, 115, 0), (28, 10, 46, 23), (30, 10, 24, 35), (30, 19, 15, 35)], // 32
    [(30, 17, 115, 1), (28, 14, 46, 21), (30, 29, 24, 19), (30, 11, 15, 46)], // 33
    [(30, 13, 115, 6), (28, 14, 46, 23), (30, 44, 24, 7), (30, 59, 16, 1)], // 34
    [(30, 12, 121, 7), (28, 12, 47, 26), (30, 39, 24, 14), (30, 22, 15, 41)], // 35
    [(30, 6, 121, 14), (28, 6, 47, 34), (30, 46, 24, 10), (30, 2, 15, 64)], // 36
    [(30, 17, 122, 4), (28, 29, 46, 14), (30, 49, 24, 10), (30, 24, 15, 46)], // 37
    [(30, 4, 122, 18), (28, 13, 46, 32), (30, 48, 24, 14), (30, 42, 15, 32)], // 38
    [(30, 20, 117, 4), (28, 40, 47, 7), (30, 43, 24, 22), (30, 10, 15, 67)], // 39
    [(30, 19, 118, 6), (28, 18, 47, 31), (30, 34, 24, 34), (30, 20, 15, 61)], // 40
];

/// QR Code Model 1 (versions 1–14, ISO/IEC 18004:2000 Annex M), per level: error-correction
/// codewords per block, blocks, data codewords per block.
const MODEL1_BLOCKS: [[(u8, u8, u8); 4]; 14] = [
    [(7, 1, 19), (10, 1, 16), (13, 1, 13), (17, 1, 9)], // 1
    [(10, 1, 36), (16, 1, 30), (22, 1, 24), (30, 1, 16)], // 2
    [(15, 1, 57), (28, 1, 44), (36, 1, 36), (48, 1, 24)], // 3
    [(20, 1, 80), (40, 1, 60), (50, 1, 50), (66, 1, 34)], // 4
    [(26, 1, 108), (52, 1, 82), (66, 1, 68), (44, 2, 23)], // 5
    [(34, 1, 136), (32, 2, 53), (42, 2, 43), (56, 2, 29)], // 6
    [(42, 1, 170), (40, 2, 66), (52, 2, 54), (46, 3, 24)], // 7
    [(24, 2, 104), (48, 2, 80), (64, 2, 64), (56, 3, 29)], // 8
    [(30, 2, 123), (60, 2, 93), (50, 3, 52), (68, 3, 34)], // 9
    [(34, 2, 145), (68, 2, 111), (58, 3, 61), (58, 4, 31)], // 10
    [(40, 2, 168), (40, 4, 64), (52, 4, 52), (54, 5, 29)], // 11
    [(46, 2, 192), (46, 4, 73), (58, 4, 61), (62, 5, 33)], // 12
    [(36, 3, 144), (52, 4, 83), (66, 4, 69), (58, 6, 32)], // 13
    [(40, 3, 163), (60, 4, 92), (60, 5, 62), (66, 6, 35)], // 14
];

/// An error-correction level, in the order of [`BLOCKS`]' columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    L = 0,
    M = 1,
    Q = 2,
    H = 3,
}

impl Level {
    /// The level of a format information's two level bits (01 L, 00 M, 11 Q, 10 H).
    pub(crate) fn from_bits(bits: u16) -> Level {
        match bits & 3 {
            0 => Level::M,
            1 => Level::L,
            2 => Level::H,
            _ => Level::Q,
        }
    }
}

/// The block structure of one version and level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Blocks {
    /// Error-correction codewords per block.
    pub ec: usize,
    /// Blocks of `short` data codewords, then blocks of `short + 1`.
    pub short_blocks: usize,
    pub short: usize,
    pub long_blocks: usize,
}

impl Blocks {
    /// The structure of `version` (1–40) at `level`, or `None` for another version.
    pub(crate) fn of(version: usize, level: Level) -> Option<Blocks> {
        let &(ec, short_blocks, short, long_blocks) =
            BLOCKS.get(version.checked_sub(1)?)?.get(level as usize)?;
        Some(Blocks {
            ec: ec.into(),
            short_blocks: short_blocks.into(),
            short: short.into(),
            long_blocks: long_blocks.into(),
        })
    }

    /// The structure of Model 1 `version` (1–14) at `level`, or `None` for another version.
    pub(crate) fn model1(version: usize, level: Level) -> Option<Blocks> {
        let &(ec, blocks, data) =
            MODEL1_BLOCKS.get(version.checked_sub(1)?)?.get(level as usize)?;
        Some(Blocks {
            ec: ec.into(),
            short_blocks: blocks.into(),
            short: data.into(),
            long_blocks: 0,
        })
    }

    /// Number of blocks.
    pub(crate) fn count(self) -> usize {
        self.short_blocks + self.long_blocks
    }

    /// Data codewords in block `i`.
    pub(crate) fn data_len(self, i: usize) -> usize {
        self.short + usize::from(i >= self.short_blocks)
    }

    /// All codewords of the symbol, data and error correction.
    pub(crate) fn total(self) -> usize {
        self.count() * (self.short + self.ec) + self.long_blocks
    }
}

/// Alignment-pattern centre coordinates (each row and column) of `version` (2–40): 6, then
/// evenly spaced up to `side - 7` with an even step, the remainder taken off the first gap.
pub(crate) fn alignment_positions(version: usize) -> Vec<usize> {
    if version < 2 {
        return Vec::new();
    }
    let count = version / 7 + 2;
    let last = 4 * version + 10;
    let step = if version == 32 { 26 } else { (4 * version + 2 * count + 1) / (2 * count - 2) * 2 };
    let mut positions: Vec<usize> = (0..count - 1).map(|i| last - i * step).collect();
    positions.push(6);
    positions.reverse();
    positions
}
