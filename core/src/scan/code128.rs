//! A fast scan-line Code 128 reader, built for payment codes.
//!
//! Wallets show their code as Code 128 in Code Set C (two digits a symbol). This reader
//! measures bar and space widths along a few scan lines ([`super::code128_lines`]) and decodes each
//! 11-module symbol by its *edge-to-edge* distances (bar+space and space+bar pairs), which blur
//! and ink spread do not shift. A line's result is kept only with a start code behind a quiet
//! zone, every symbol matched within tolerance, steady module size, a valid check symbol and a
//! stop pattern followed by a quiet zone; the text is returned only when two different lines
//! agree. Sets A and B and the function codes cost nothing extra per line, so they are read too
//! (labels, not just wallets); symbols longer than 40 characters are left to rxing.

use super::elements::Elements;

use super::code128_table::PATTERNS;

const START_A: u8 = 103;
const START_B: u8 = 104;
const START_C: u8 = 105;
const STOP: u8 = 106;
/// Longest symbol run considered (start + 24 digit pairs + check, with room for set changes).
const MAX_SYMBOLS: usize = 40;
/// Quiet zone required before the start and after the stop, in modules (the standard asks for
/// ten; real labels and screen crops often have less, and a symbol may touch the image border).
const QUIET_MODULES: f32 = 3.0;
/// Largest accepted distance between a measured and a table edge-to-edge width, in modules.
const MAX_EDGE_ERROR: f32 = 0.62;

/// What one scan line yields: the checked text of a Code 128 symbol.
pub(crate) type LineResult = String;

/// Matches six element widths by their edge-to-edge distances; returns the value and the
/// symbol's width in pixels.
fn match_symbol(w: &[f32; 6]) -> Option<(u8, f32)> {
    match_among(w, 0..=STOP)
}

/// Edge-to-edge sums run from 2 to 8 modules; a symbol's four sums index this table.
const SUMS: usize = 7;

/// Value + 1 of the symbol with the four edge-to-edge sums at each index, 0 for none.
static BY_EDGES: [u8; SUMS * SUMS * SUMS * SUMS] = {
    let mut table = [0u8; SUMS * SUMS * SUMS * SUMS];
    let mut value = 0;
    while value < PATTERNS.len() {
        let p = PATTERNS[value];
        let mut key = 0;
        let mut j = 0;
        while j < 4 {
            key = key * SUMS + (p[j] + p[j + 1]) as usize - 2;
            j += 1;
        }
        table[key] = value as u8 + 1;
        value += 1;
    }
    table
};

/// [`match_symbol`] restricted to the values in `values`. The rounded sums find the symbol
/// in one lookup; only sums close to a half module, where the tolerance reaches past the
/// rounding, need the search over the table.
fn match_among(w: &[f32; 6], values: std::ops::RangeInclusive<u8>) -> Option<(u8, f32)> {
    let total: f32 = w.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let scale = 11.0 / total;
    let e = [
        (w[0] + w[1]) * scale,
        (w[1] + w[2]) * scale,
        (w[2] + w[3]) * scale,
        (w[3] + w[4]) * scale,
    ];
    let mut key = 0;
    let mut near_half = false;
    for &x in &e {
        let rounded = x.round();
        near_half |= (x - rounded).abs() > 1.0 - MAX_EDGE_ERROR;
        if !(2.0..=8.0).contains(&rounded) {
            key = usize::MAX;
            break;
        }
        key = key * SUMS + rounded as usize - 2;
    }
    if let Some(&found) = BY_EDGES.get(key) {
        if found > 0 && values.contains(&(found - 1)) {
            return Some((found - 1, total));
        }
    }
    if !near_half {
        return None;
    }
    let mut best = (f32::MAX, 0u8);
    for value in values {
        let p = &PATTERNS[usize::from(value)];
        let mut worst = 0f32;
        let mut sum = 0f32;
        for j in 0..4 {
            let err = (e[j] - f32::from(p[j] + p[j + 1])).abs();
            worst = worst.max(err);
            sum += err;
        }
        if worst < MAX_EDGE_ERROR && sum < best.0 {
            best = (sum, value);
        }
    }
    (best.0 < f32::MAX).then_some((best.1, total))
}

/// Whether element `i` is quiet enough for a symbol of `total` pixels per 11 modules: wide
/// enough, or running to the line's end (a crop at the image border).
fn quiet(widths: &[f32], i: usize, total: f32) -> bool {
    i == 0 || i + 1 == widths.len() || widths[i] >= QUIET_MODULES * total / 11.0
}

/// Reads the six elements of the symbol at `pos`, in reading order (`reversed`: the line
/// crosses the symbol from its stop to its start).
fn group(widths: &[f32], pos: usize, reversed: bool) -> Option<[f32; 6]> {
    let s = widths.get(pos..pos + 6)?;
    let mut g = [s[0], s[1], s[2], s[3], s[4], s[5]];
    if reversed {
        g.reverse();
    }
    Some(g)
}

/// Tries to decode a symbol whose first bar (in reading order) is element `k` of `widths`.
/// Forward, the line reads start … stop; `reversed`, the symbol is upside down and the line
/// reads the stop's last bar, then the rest of the stop, check … start.
fn decode_at(widths: &[f32], k: usize, reversed: bool) -> Option<Vec<u8>> {
    // Allocated only past the first pattern: most candidates fail before it.
    let mut symbols;
    let mut pos = k;
    let before = k.checked_sub(1)?;
    if reversed {
        // The stop's final 2-module bar comes first, then its first six elements reversed.
        let stop = group(widths, k + 1, true)?;
        let total: f32 = stop.iter().sum();
        let bar = widths[k] * 11.0 / total;
        if !quiet(widths, before, total) || !(1.2..=2.9).contains(&bar) {
            return None;
        }
        match_among(&stop, STOP..=STOP)?;
        symbols = Vec::with_capacity(16);
        pos = k + 7;
        let mut last = total;
        loop {
            let (value, total) = match_symbol(&group(widths, pos, true)?)?;
            if !(0.75..=1.33).contains(&(total / last)) || symbols.len() > MAX_SYMBOLS {
                return None;
            }
            last = total;
            symbols.push(value);
            pos += 6;
            if (START_A..=START_C).contains(&value) {
                if pos >= widths.len() || !quiet(widths, pos, total) {
                    return None;
                }
                symbols.reverse();
                return Some(symbols);
            }
        }
    }
    let first = group(widths, pos, false)?;
    if !quiet(widths, before, first.iter().sum()) {
        return None;
    }
    let (start, total) = match_among(&first, START_A..=START_C)?;
    symbols = Vec::with_capacity(16);
    symbols.push(start);
    pos += 6;
    let mut last = total;
    loop {
        let (value, total) = match_symbol(&group(widths, pos, false)?)?;
        if !(0.75..=1.33).contains(&(total / last)) || symbols.len() > MAX_SYMBOLS {
            return None;
        }
        last = total;
        pos += 6;
        if value == STOP {
            let bar = widths.get(pos)? * 11.0 / total;
            if pos + 1 >= widths.len()
                || !(1.2..=2.9).contains(&bar)
                || !quiet(widths, pos + 1, total)
            {
                return None;
            }
            return Some(symbols);
        }
        if (START_A..=START_C).contains(&value) {
            return None;
        }
        symbols.push(value);
    }
}

/// Checks the check symbol and turns the data symbols into text. `None` = invalid.
///
/// Code Set C (digit pairs) is what wallets use; sets A and B, Shift, FNC1 (GS1: a leading
/// FNC1 is dropped, later ones become GS, 0x1D) and FNC4 (Latin-1 upper half) are read too, so
/// the fast path also covers labels, at no extra cost per line.
fn interpret(symbols: &[u8]) -> Option<LineResult> {
    let (&start, rest) = symbols.split_first()?;
    let (&check, data) = rest.split_last()?;
    if data.is_empty() {
        return None;
    }
    let sum = data
        .iter()
        .enumerate()
        .fold(u32::from(start), |acc, (i, &v)| acc + (i as u32 + 1) * u32::from(v));
    if sum % 103 != u32::from(check) {
        return None;
    }
    let mut text = String::with_capacity(data.len() * 2);
    let mut set = start;
    let (mut shift, mut upper_once, mut upper_latched, mut last_fnc4) =
        (false, false, false, false);
    for (i, &v) in data.iter().enumerate() {
        let current = match (shift, set) {
            (true, START_A) => START_B,
            (true, START_B) => START_A,
            _ => set,
        };
        shift = false;
        let fnc4 = matches!((current, v), (START_A, 101) | (START_B, 100));
        let ascii = match (current, v) {
            (START_C, 0..=99) => {
                text.push(char::from(b'0' + v / 10));
                text.push(char::from(b'0' + v % 10));
                None
            }
            (START_A, 0..=63) | (START_B, 0..=95) => Some(v + 32),
            (START_A, 64..=95) => Some(v - 64),
            (_, 102) => (i > 0).then_some(0x1D),
            (START_A | START_B, 98) => {
                shift = true;
                None
            }
            (START_A | START_B, 99) => {
                set = START_C;
                None
            }
            (START_A | START_C, 100) => {
                set = START_B;
                None
            }
            (START_B | START_C, 101) => {
                set = START_A;
                None
            }
            // FNC2 (message append) and FNC3 (reader initialisation) carry no text.
            _ => None,
        };
        if fnc4 {
            if last_fnc4 {
                upper_latched = !upper_latched;
                upper_once = false;
            } else {
                upper_once = true;
            }
        } else if let Some(byte) = ascii {
            let high = upper_latched != upper_once;
            text.push(char::from(if high { byte | 0x80 } else { byte }));
            upper_once = false;
        }
        last_fnc4 = fnc4;
    }
    if text.is_empty() {
        return None;
    }
    Some(text)
}

/// Decodes the first valid Code 128 symbol along one line's elements, reading both ways.
pub(crate) fn decode_line(elements: &Elements) -> Option<LineResult> {
    let widths = &elements.widths;
    if widths.len() < 3 + 6 * 3 {
        return None;
    }
    // Candidates are dark elements with an element (the quiet zone) before them.
    let first_bar = if elements.is_dark(0) { 2 } else { 1 };
    for k in (first_bar..widths.len()).step_by(2) {
        if let Some(result) = decode_at(widths, k, false).and_then(|s| interpret(&s)) {
            return Some(result);
        }
    }
    // An upside-down symbol reads, left to right, as the reversed stop first.
    for k in (first_bar..widths.len()).step_by(2) {
        if let Some(result) = decode_at(widths, k, true).and_then(|s| interpret(&s)) {
            return Some(result);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders symbol values as element widths at `module` pixels, with quiet zones.
    fn render(values: &[u8], module: f32) -> Vec<f32> {
        let mut w = vec![12.0 * module];
        for &v in values {
            w.extend(PATTERNS[v as usize].iter().map(|&m| f32::from(m) * module));
        }
        w.push(2.0 * module);
        w.push(12.0 * module);
        w
    }

    fn with_check(start: u8, data: &[u8]) -> Vec<u8> {
        let sum = data
            .iter()
            .enumerate()
            .fold(u32::from(start), |a, (i, &v)| a + (i as u32 + 1) * u32::from(v));
        let mut s = vec![start];
        s.extend_from_slice(data);
        s.push((sum % 103) as u8);
        s.push(STOP);
        s
    }

    fn elements(widths: Vec<f32>) -> Elements {
        Elements::from_widths(widths, false)
    }

    #[test]
    fn edge_distances_identify_every_symbol() {
        for (value, p) in PATTERNS.iter().enumerate() {
            let w = p.map(|m| f32::from(m) * 3.0 + 0.8); // ink spread: every element wider
            let mut widths = w;
            // Spread widens bars and narrows spaces by the same amount.
            for (i, x) in widths.iter_mut().enumerate() {
                *x = if i % 2 == 0 { *x } else { *x - 1.6 };
            }
            assert_eq!(match_symbol(&widths).map(|m| m.0), Some(value as u8), "value {value}");
        }
    }

    #[test]
    fn decodes_set_c_forward_and_backward() {
        let symbols = with_check(START_C, &[13, 46, 50, 72, 8, 66, 36, 13, 95]);
        let mut widths = render(&symbols, 2.5);
        let expected = Some("134650720866361395".to_owned());
        assert_eq!(decode_line(&elements(widths.clone())), expected);
        widths.reverse();
        assert_eq!(decode_line(&elements(widths)), expected);
    }

    #[test]
    fn odd_lengths_letters_and_function_codes() {
        // Start C "28 65" then Code B "7": 28657.
        let symbols = with_check(START_C, &[28, 65, 100, 23]);
        assert_eq!(decode_line(&elements(render(&symbols, 2.0))), Some("28657".to_owned()));
        // Start B "A1", Shift to set A for a tab, FNC1 (GS) and FNC4 + "i" (Latin-1 "é" is 0xE9).
        let symbols = with_check(START_B, &[33, 17, 98, 73, 102, 100, 73]);
        assert_eq!(
            decode_line(&elements(render(&symbols, 2.0))),
            Some("A1\t\u{1d}\u{e9}".to_owned())
        );
    }

    #[test]
    fn a_wrong_check_symbol_or_missing_quiet_zone_is_refused() {
        let mut symbols = with_check(START_C, &[13, 46, 50, 72]);
        let check = symbols.len() - 2;
        symbols[check] = (symbols[check] + 1) % 103;
        assert_eq!(decode_line(&elements(render(&symbols, 2.0))), None);
        let symbols = with_check(START_C, &[13, 46, 50, 72]);
        // A bar one module before the start: no quiet zone, and not the line's border either.
        let mut widths = vec![24.0, 6.0, 2.0];
        widths.extend_from_slice(&render(&symbols, 2.0)[1..]);
        assert_eq!(decode_line(&elements(widths)), None);
    }
}
