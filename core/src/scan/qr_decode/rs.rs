//! Reed–Solomon error correction over GF(256) as QR Code uses it: field polynomial
//! x^8 + x^4 + x^3 + x^2 + 1, generator roots α^0 … α^(n−1).

/// α^i for i in 0..510 (doubled so a sum of two logarithms needs no reduction), and log α^i = i.
const TABLES: ([u8; 512], [u8; 256]) = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11D;
        }
        i += 1;
    }
    (exp, log)
};

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    TABLES.0[usize::from(TABLES.1[usize::from(a)]) + usize::from(TABLES.1[usize::from(b)])]
}

/// a / b for b ≠ 0 (the callers divide only by values known to be non-zero).
fn div(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    let (la, lb) = (usize::from(TABLES.1[usize::from(a)]), usize::from(TABLES.1[usize::from(b)]));
    TABLES.0[la + 255 - lb]
}

/// α^e.
fn pow(e: usize) -> u8 {
    TABLES.0[e % 255]
}

/// `poly` (lowest degree first) at `x`.
fn eval(poly: &[u8], x: u8) -> u8 {
    poly.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// Why a block could not be corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsError {
    /// More errors than the block's error-correction codewords can fix.
    TooManyErrors,
}

/// Corrects `block` (data then `ec` error-correction codewords, highest degree first) in
/// place; returns how many codewords were wrong. Up to `ec / 2` errors are corrected.
pub(crate) fn correct(block: &mut [u8], ec: usize) -> Result<usize, RsError> {
    let n = block.len();
    if ec == 0 || ec >= n || n > 255 {
        return Err(RsError::TooManyErrors);
    }
    let syndromes = syndromes_of(block, ec);
    if syndromes.iter().all(|&s| s == 0) {
        return Ok(0);
    }
    let sigma = berlekamp_massey(&syndromes);
    let errors = sigma.len() - 1;
    if errors == 0 || errors > ec / 2 {
        return Err(RsError::TooManyErrors);
    }
    // Ω(x) = S(x)·σ(x) mod x^ec.
    let mut omega = vec![0u8; ec];
    for (i, &s) in syndromes.iter().enumerate() {
        for (j, &c) in sigma.iter().enumerate() {
            if i + j < ec {
                omega[i + j] ^= mul(s, c);
            }
        }
    }
    // σ'(x): in characteristic 2 only the odd terms survive.
    let derivative: Vec<u8> =
        sigma.iter().enumerate().skip(1).map(|(i, &c)| if i % 2 == 1 { c } else { 0 }).collect();
    let mut found = 0;
    for (i, codeword) in block.iter_mut().enumerate() {
        // Position i holds the coefficient of x^(n−1−i): its locator is X = α^(n−1−i).
        let power = n - 1 - i;
        let x_inv = pow(255 - power % 255);
        if eval(&sigma, x_inv) != 0 {
            continue;
        }
        let denominator = eval(&derivative, x_inv);
        if denominator == 0 {
            return Err(RsError::TooManyErrors);
        }
        // Forney (first root α^0): Y = X·Ω(X⁻¹)/σ'(X⁻¹).
        *codeword ^= mul(pow(power), div(eval(&omega, x_inv), denominator));
        found += 1;
    }
    // A locator whose roots are not all inside the block, or a correction that leaves
    // non-zero syndromes, means more errors than the code can see.
    if found != errors || syndromes_of(block, ec).iter().any(|&s| s != 0) {
        return Err(RsError::TooManyErrors);
    }
    Ok(errors)
}

/// S_j = r(α^j) for j in 0..ec, by Horner's rule. The codewords are the outer loop so that
/// the `ec` chains are independent of each other (a lookup chain per syndrome, one after the
/// other, was a sixth of a clean symbol's decode).
fn syndromes_of(block: &[u8], ec: usize) -> Vec<u8> {
    let mut syndromes = vec![0u8; ec];
    for &c in block {
        for (j, s) in syndromes.iter_mut().enumerate() {
            *s = times_alpha_to(*s, j) ^ c;
        }
    }
    syndromes
}

/// a·α^j for j < 255 (the doubled table takes log a + j without reduction).
fn times_alpha_to(a: u8, j: usize) -> u8 {
    if a == 0 {
        return 0;
    }
    TABLES.0[usize::from(TABLES.1[usize::from(a)]) + j]
}

/// The error locator σ(x) (lowest degree first, σ_0 = 1) of the syndromes, trimmed to its
/// degree.
fn berlekamp_massey(syndromes: &[u8]) -> Vec<u8> {
    let mut c = vec![1u8];
    let mut b = vec![1u8];
    let (mut l, mut m, mut last) = (0usize, 1usize, 1u8);
    for n in 0..syndromes.len() {
        let d = (1..=l).fold(syndromes[n], |acc, i| {
            acc ^ mul(c.get(i).copied().unwrap_or(0), syndromes[n - i])
        });
        if d == 0 {
            m += 1;
            continue;
        }
        let factor = div(d, last);
        let mut next = c.clone();
        if next.len() < b.len() + m {
            next.resize(b.len() + m, 0);
        }
        for (i, &bi) in b.iter().enumerate() {
            next[i + m] ^= mul(factor, bi);
        }
        if 2 * l <= n {
            l = n + 1 - l;
            b = std::mem::replace(&mut c, next);
            last = d;
            m = 1;
        } else {
            c = next;
            m += 1;
        }
    }
    c.resize(l + 1, 0);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Data followed by `ec` error-correction codewords (the remainder of data·x^ec divided
    /// by the generator), as an encoder writes them.
    fn encode(data: &[u8], ec: usize) -> Vec<u8> {
        let mut generator = vec![1u8];
        for i in 0..ec {
            // × (x − α^i), highest degree first.
            let mut next = vec![0u8; generator.len() + 1];
            for (j, &g) in generator.iter().enumerate() {
                next[j] ^= g;
                next[j + 1] ^= mul(g, pow(i));
            }
            generator = next;
        }
        let mut rest: Vec<u8> = data.iter().copied().chain(std::iter::repeat_n(0, ec)).collect();
        for i in 0..data.len() {
            let lead = rest[i];
            if lead != 0 {
                for (j, &g) in generator.iter().enumerate() {
                    rest[i + j] ^= mul(lead, g);
                }
            }
        }
        data.iter().copied().chain(rest[data.len()..].iter().copied()).collect()
    }

    #[test]
    fn corrects_up_to_half_the_ec_codewords_and_no_more() {
        let data: Vec<u8> = (0..26u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
        for ec in [7usize, 10, 17, 22, 30] {
            let clean = encode(&data, ec);
            let mut copy = clean.clone();
            assert_eq!(correct(&mut copy, ec), Ok(0));
            for errors in 1..=ec / 2 {
                let mut damaged = clean.clone();
                for k in 0..errors {
                    damaged[k * 3 + 1] ^= 0x5A ^ k as u8;
                }
                assert_eq!(correct(&mut damaged, ec), Ok(errors), "ec {ec}, {errors} errors");
                assert_eq!(damaged, clean);
            }
            // One more than it can fix: never "corrected" back to the original.
            let mut damaged = clean.clone();
            for k in 0..=ec / 2 {
                damaged[k * 3] ^= 0xA5;
            }
            assert_ne!(correct(&mut damaged, ec).ok().map(|_| damaged.clone()), Some(clean));
        }
    }

    #[test]
    fn rejects_blocks_it_cannot_hold() {
        assert_eq!(correct(&mut [1, 2, 3], 0), Err(RsError::TooManyErrors));
        assert_eq!(correct(&mut [1, 2, 3], 3), Err(RsError::TooManyErrors));
        assert_eq!(correct(&mut vec![1; 256], 10), Err(RsError::TooManyErrors));
    }
}
