//! The simulator's one source of randomness: a PCG generator (`rand_pcg::Pcg32`, value-stable and
//! identical on every platform), seeded from the scenario and passed explicitly. Only integer draws
//! are offered, and probabilities are exact ratios, so native and wasm32 runs agree bit for bit.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg32;

#[derive(Clone, Debug)]
pub struct SimRng(Pcg32);

impl SimRng {
    pub fn new(seed: u64) -> Self {
        SimRng(Pcg32::seed_from_u64(seed))
    }

    pub fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform integer in `0..bound` (Lemire's multiply-and-reject, unbiased). `bound` must be > 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "below(0) has no value");
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = (self.next_u64() as u128) * (bound as u128);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// True with probability `numerator / denominator`.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        denominator > 0 && self.below(denominator) < numerator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = SimRng::new(42);
        let mut b = SimRng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    // Pins the generator: a change of algorithm or seeding would silently change every trace.
    #[test]
    fn generator_is_pinned() {
        let mut rng = SimRng::new(42);
        let draws: Vec<u64> = (0..3).map(|_| rng.below(1000)).collect();
        let words = (rng.next_u32(), rng.next_u64());
        // Literal values: PCG32 seeded by `seed_from_u64(42)`, then Lemire's reduction.
        assert_eq!(draws, [779, 983, 646]);
        assert_eq!(words, (3_631_167_442, 16_929_002_254_469_265_519));
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SimRng::new(9);
        for bound in 1..50u64 {
            for _ in 0..20 {
                assert!(rng.below(bound) < bound);
            }
        }
    }
}
