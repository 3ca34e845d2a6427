//! Numbers as text without the standard library's float formatting. `{}` and `{:.N}` on an `f64` pull in
//! about 12 KB of wasm (`float_to_decimal_common_shortest` and `_exact` and their tables); the page only
//! needs a few decimals of values far below 2^53 (coordinates, seconds, ratios) and the shortest form of a
//! configured number, which serde_json's own float writer gives.

use std::fmt;

/// A number with N decimals (`Fixed(x, 1)`: one), rounded half to even like `{:.N}`, written with
/// integer arithmetic.
/// Exact for magnitudes below 2^53 / 10^N; a non-finite number is written as 0.
#[derive(Clone, Copy, Debug)]
pub struct Fixed(pub f64, pub u8);

impl fmt::Display for Fixed {
    /// Honours a width and alignment (`{:>8}`), as `{:>8.3}` would.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        let scale = 10u64.pow(self.1 as u32);
        let scaled = (self.0 * scale as f64).round_ties_even();
        let n = if scaled.is_finite() {
            scaled.abs() as u64
        } else {
            0
        };
        let mut text = String::new();
        if scaled < 0.0 && n != 0 {
            text.push('-');
        }
        write!(text, "{}", n / scale)?;
        if self.1 > 0 {
            write!(text, ".{:0width$}", n % scale, width = self.1 as usize)?;
        }
        f.pad(&text)
    }
}

/// The shortest text that reads back as the same number, as `{}` writes it (`1.5`, `10`, `NaN`).
#[derive(Clone, Copy, Debug)]
pub struct Shortest(pub f64);

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.0;
        if value.is_nan() {
            return f.write_str("NaN");
        }
        if value.is_infinite() {
            return f.write_str(if value > 0.0 { "inf" } else { "-inf" });
        }
        let text = serde_json::to_string(&value).unwrap_or_default();
        f.write_str(text.strip_suffix(".0").unwrap_or(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_writes_what_the_standard_precision_formatting_writes() {
        for i in 0..20_000 {
            let value = (i as f64 - 10_000.0) * 0.0371;
            for decimals in 0..=3u8 {
                let scaled = value * 10f64.powi(decimals as i32);
                let near_tie = (scaled.abs().fract() - 0.5).abs() < 1e-6;
                let expected = format!("{value:.*}", decimals as usize);
                // `{:.N}` keeps the sign of a negative number that rounds to zero; Fixed does not.
                let expected = match expected.strip_prefix('-') {
                    Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
                    _ => expected,
                };
                if !near_tie {
                    assert_eq!(
                        Fixed(value, decimals).to_string(),
                        expected,
                        "{value} {decimals}"
                    );
                }
            }
        }
        assert_eq!(Fixed(1.25, 1).to_string(), "1.2");
        assert_eq!(Fixed(1234.5678, 3).to_string(), "1234.568");
        assert_eq!(Fixed(f64::NAN, 1).to_string(), "0.0");
        assert_eq!(format!("{:>8}s", Fixed(12.3456, 3)), "  12.346s");
    }

    #[test]
    fn shortest_writes_what_display_writes() {
        for value in [
            0.0,
            1.0,
            1.5,
            10.0,
            0.25,
            0.001,
            123.456,
            600_000.0,
            2000.0,
            0.1,
            1.0 / 3.0,
            -2.5,
        ] {
            assert_eq!(Shortest(value).to_string(), value.to_string(), "{value}");
        }
        for i in 0..10_000 {
            let value = i as f64 * 0.013;
            assert_eq!(Shortest(value).to_string(), value.to_string(), "{value}");
        }
        assert_eq!(Shortest(f64::NAN).to_string(), "NaN");
        assert_eq!(Shortest(f64::INFINITY).to_string(), "inf");
    }
}
