//! Pure geometry for the picture: where brokers, partitions, producers and group members sit, and where a
//! message in flight is at a given instant. No web crates; tested natively.

/// Fraction of the way a message sent at `sent_us` and arriving at `arrive_us` has travelled at `now_us`,
/// clamped to [0, 1]. Positions come from simulated times only, so pausing or changing speed is exact.
pub fn progress(sent_us: u64, arrive_us: u64, now_us: u64) -> f64 {
    if arrive_us <= sent_us {
        return 1.0;
    }
    let done = now_us.saturating_sub(sent_us) as f64 / (arrive_us - sent_us) as f64;
    done.clamp(0.0, 1.0)
}

/// A point on the picture, in SVG user units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The point `fraction` of the way from `from` to `to`.
pub fn lerp(from: Point, to: Point, fraction: f64) -> Point {
    Point {
        x: from.x + (to.x - from.x) * fraction,
        y: from.y + (to.y - from.y) * fraction,
    }
}

/// Vertical slots: `count` items spread over `[top, top + height]`, centred in equal bands.
pub fn slots(count: usize, top: f64, height: f64) -> Vec<f64> {
    if count == 0 {
        return Vec::new();
    }
    let band = height / count as f64;
    (0..count)
        .map(|index| top + band * (index as f64 + 0.5))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_clamped_and_exact_under_pause() {
        assert_eq!(progress(1000, 3000, 500), 0.0);
        assert_eq!(progress(1000, 3000, 2000), 0.5);
        assert_eq!(progress(1000, 3000, 9000), 1.0);
        assert_eq!(progress(1000, 1000, 1000), 1.0);
    }

    #[test]
    fn lerp_midpoint() {
        let mid = lerp(Point { x: 0.0, y: 0.0 }, Point { x: 10.0, y: 20.0 }, 0.5);
        assert_eq!(mid, Point { x: 5.0, y: 10.0 });
    }

    #[test]
    fn slots_are_centred_bands() {
        assert_eq!(slots(2, 0.0, 100.0), vec![25.0, 75.0]);
        assert!(slots(0, 0.0, 100.0).is_empty());
    }
}
