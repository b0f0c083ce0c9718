//! Cleaning, measuring and wrapping text in printer columns.

/// The text with every control character (C0, DEL, C1: among them ESC 0x1B, GS 0x1D, DLE 0x10
/// and FS 0x1C, which start ESC/POS commands) and every invisible formatting character
/// (zero-width, bidirectional overrides) replaced by a space, runs of spaces merged and the
/// ends trimmed.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = if c.is_control() || is_format(c) { ' ' } else { c };
        if c == ' ' {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Invisible characters that change how text shows without being text (Unicode `Cf` in the
/// ranges that matter on a receipt).
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB)
}

/// Columns a character takes on a printer: two for East Asian wide and full-width characters
/// (CJK, Hangul, full-width forms), one for the rest.
pub fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Columns a text takes.
pub fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// The text cut into lines of at most `columns` columns: at spaces where it can, inside a
/// word (or between CJK characters) where it must. Never an empty list for an empty text:
/// one empty line.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(2);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut width = 0;
    for word in text.split(' ') {
        let w = display_width(word);
        let sep = usize::from(!line.is_empty());
        if width + sep + w <= columns {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            width += sep + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            width = 0;
        }
        // A word longer than a line is cut where the line is full.
        for c in word.chars() {
            let cw = char_width(c);
            if width + cw > columns {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            line.push(c);
            width += cw;
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_commands_and_invisible_characters_are_removed() {
        let hostile = "Shop\x1b@\x1dV\x00A\x10\x04\x01\u{202e}evil\u{200b}\n\tname\u{9b}";
        let c = clean(hostile);
        assert!(c.chars().all(|c| !c.is_control() && !is_format(c)), "{c:?}");
        assert_eq!(c, "Shop @ V A evil name");
        assert_eq!(clean("  a   b  "), "a b");
    }

    #[test]
    fn cjk_is_two_columns_and_wraps_between_characters() {
        assert_eq!(display_width("茶餐厅 Café"), 11);
        let lines = wrap("香港九龍旺角彌敦道六百號地下茶餐廳", 8);
        assert!(lines.iter().all(|l| display_width(l) <= 8), "{lines:?}");
        assert_eq!(lines.concat(), "香港九龍旺角彌敦道六百號地下茶餐廳");
        assert_eq!(lines[0], "香港九龍");
    }

    #[test]
    fn words_wrap_at_spaces_and_long_words_are_cut() {
        assert_eq!(wrap("the quick brown fox", 10), ["the quick", "brown fox"]);
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("ab 中文字", 5), ["ab", "中文", "字"]);
    }
}
