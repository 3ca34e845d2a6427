//! Pacing: how much simulated time each animation frame runs.
//!
//! Every frame owes the simulation `wall time × speed` of simulated time. The page pays that debt in
//! slices, and stops once the core has used its budget for the frame (`core_budget_ms`); what is left is
//! paid in the next frames. So a frame that would need more than the budget (a burst of events) spreads
//! over several, and the page stays smooth. A device too slow for the chosen speed runs slower instead of
//! falling ever further behind: the debt never exceeds `MAX_OWED_WALL_MS` of wall time, and the page shows
//! the speed it reaches (`effective_speed`).
//!
//! Running the core in slices never changes the run: `Simulation::advance_to` gives the same trace
//! whether it is called once or many times.

use std::collections::VecDeque;

/// The core's time per frame at speeds up to 1×. The target is 2 ms; the last slice of a frame overshoots
/// the budget a little, and the browser's clock is coarse (0.1 ms), so the budget leaves a margin.
pub const CORE_BUDGET_MS: f64 = 1.5;
/// Above 1× the budget grows with the speed, up to half a 60 Hz frame, so fast-forwarding stays smooth.
pub const MAX_CORE_BUDGET_MS: f64 = 8.0;
/// The most simulated time owed, in wall milliseconds at the current speed.
pub const MAX_OWED_WALL_MS: f64 = 250.0;
/// Slices of simulated time, adapted so that one slice costs a small part of the budget.
const MIN_SLICE_US: u64 = 100;
const MAX_SLICE_US: u64 = 10_000_000;
/// The effective speed is measured over about this much wall time.
const SPEED_WINDOW_MS: f64 = 1000.0;

/// The core's time budget per frame at `speed` (1.0 is real time).
pub fn core_budget_ms(speed: f64) -> f64 {
    (CORE_BUDGET_MS * speed.max(1.0)).min(MAX_CORE_BUDGET_MS)
}

#[derive(Debug)]
pub struct Pacer {
    owed_us: f64,
    slice_us: u64,
    /// Recent frames: (wall ms, simulated µs run).
    recent: VecDeque<(f64, f64)>,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            owed_us: 0.0,
            slice_us: 2_000,
            recent: VecDeque::new(),
        }
    }
}

impl Pacer {
    /// A frame passed: the simulation owes `wall_ms × speed` more simulated time (capped).
    pub fn owe(&mut self, wall_ms: f64, speed: f64) {
        let cap = MAX_OWED_WALL_MS * 1000.0 * speed;
        self.owed_us = (self.owed_us + wall_ms * 1000.0 * speed).min(cap);
    }

    /// Paused: nothing is owed.
    pub fn forgive(&mut self) {
        self.owed_us = 0.0;
        self.recent.clear();
    }

    /// Simulated time owed and not run yet, in µs.
    pub fn owed_us(&self) -> f64 {
        self.owed_us
    }

    /// Pays what is owed in slices (`advance_by(µs)`, which returns the simulated µs it ran: less than asked
    /// when it stopped inside a heavy instant), until it is paid or `clock_ms` says the budget is spent.
    /// Returns the simulated µs run.
    pub fn run(
        &mut self,
        budget_ms: f64,
        mut clock_ms: impl FnMut() -> f64,
        mut advance_by: impl FnMut(u64) -> u64,
    ) -> u64 {
        let started = clock_ms();
        let mut before = started;
        let mut ran = 0;
        loop {
            let slice = self.slice_us.min(self.owed_us as u64);
            if slice == 0 {
                break;
            }
            let advanced = advance_by(slice).min(slice);
            let after = clock_ms();
            ran += advanced;
            self.owed_us -= advanced as f64;
            // Keep one slice at a small part of the budget, so stopping at the budget overshoots little.
            let took = after - before;
            before = after;
            if took > budget_ms / 8.0 {
                self.slice_us = (self.slice_us / 2).max(MIN_SLICE_US);
            } else if took < budget_ms / 32.0 && slice == self.slice_us {
                self.slice_us = (self.slice_us * 2).min(MAX_SLICE_US);
            }
            if after - started >= budget_ms {
                break;
            }
        }
        ran
    }

    /// Records a frame (its wall time and the simulated time it ran) and returns the speed reached over
    /// the last second, once a second has been measured.
    pub fn effective_speed(&mut self, wall_ms: f64, ran_us: u64) -> Option<f64> {
        self.recent.push_back((wall_ms, ran_us as f64));
        let mut wall: f64 = self.recent.iter().map(|(wall, _)| wall).sum();
        while wall - self.recent.front().map_or(0.0, |(w, _)| *w) >= SPEED_WINDOW_MS {
            wall -= self.recent.pop_front().map_or(0.0, |(w, _)| w);
        }
        let ran: f64 = self.recent.iter().map(|(_, ran)| ran).sum();
        (wall >= SPEED_WINDOW_MS * 0.9).then(|| ran / 1000.0 / wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// Runs `frames` 60 Hz frames at `speed` against a fake clock where simulating costs
    /// `cost_ms_per_sim_s` per simulated second, plus `burst_ms` in every tenth frame. Returns the core
    /// time of each frame and the simulated seconds run.
    fn simulate(
        speed: f64,
        cost_ms_per_sim_s: f64,
        burst_ms: f64,
        frames: usize,
    ) -> (Vec<f64>, f64) {
        let clock = Cell::new(0.0);
        let mut pacer = Pacer::default();
        let mut core = Vec::new();
        let mut simulated_us = 0u64;
        for frame in 0..frames {
            pacer.owe(16.667, speed);
            let started = clock.get();
            let mut burst = if frame % 10 == 0 { burst_ms } else { 0.0 };
            simulated_us += pacer.run(
                core_budget_ms(speed),
                || clock.get(),
                |us| {
                    clock.set(clock.get() + us as f64 / 1e6 * cost_ms_per_sim_s + burst);
                    burst = 0.0;
                    us
                },
            );
            core.push(clock.get() - started);
        }
        (core, simulated_us as f64 / 1e6)
    }

    #[test]
    fn a_core_that_keeps_up_runs_at_the_chosen_speed() {
        // 75 ms of core work per simulated second: 1.25 ms per frame at 1×.
        let (core, simulated) = simulate(1.0, 75.0, 0.0, 600);
        assert!((simulated - 10.0).abs() < 0.02, "simulated {simulated} s");
        assert!(
            core.iter().all(|ms| *ms <= CORE_BUDGET_MS * 1.25),
            "{core:?}"
        );
    }

    #[test]
    fn bursts_spread_over_frames_and_time_is_caught_up() {
        // Every tenth frame has 3 ms of extra work; the budget defers the rest to the next frames.
        let (core, simulated) = simulate(1.0, 75.0, 3.0, 600);
        assert!(simulated > 9.9, "simulated {simulated} s");
        let over = core.iter().filter(|ms| **ms > 2.0).count();
        // Only the burst itself (one slice) can exceed the budget; everything else waits.
        assert!(over <= 60, "{over} frames over 2 ms");
    }

    #[test]
    fn a_core_too_slow_for_the_speed_runs_slower_within_budget() {
        // 300 ms per simulated second: at 1× a frame would need 5 ms.
        let (core, simulated) = simulate(1.0, 300.0, 0.0, 600);
        assert!(core.iter().all(|ms| *ms <= CORE_BUDGET_MS * 1.25));
        assert!(
            simulated > 3.0 && simulated < 4.5,
            "simulated {simulated} s"
        );
        let mut pacer = Pacer::default();
        pacer.owe(10_000.0, 1.0);
        assert!(pacer.owed_us() <= MAX_OWED_WALL_MS * 1000.0);
    }

    #[test]
    fn a_heavy_instant_stopped_in_pieces_spreads_over_frames() {
        // The first instant holds 60 ms of events; the core stops every 0.5 ms of them without advancing
        // the clock, as `Simulation::advance_toward` does. Afterwards 75 ms per simulated second.
        let clock = Cell::new(0.0);
        let mut pacer = Pacer::default();
        let mut instant_left_ms = 60.0;
        let mut core = Vec::new();
        let mut simulated_us = 0;
        for _ in 0..600 {
            pacer.owe(16.667, 1.0);
            let started = clock.get();
            simulated_us += pacer.run(
                core_budget_ms(1.0),
                || clock.get(),
                |us| {
                    if instant_left_ms > 0.0 {
                        instant_left_ms -= 0.5;
                        clock.set(clock.get() + 0.5);
                        return 0;
                    }
                    clock.set(clock.get() + us as f64 / 1e6 * 75.0);
                    us
                },
            );
            core.push(clock.get() - started);
        }
        assert!(
            core.iter().all(|ms| *ms <= CORE_BUDGET_MS + 0.5),
            "{core:?}"
        );
        assert!(core.iter().take(40).filter(|ms| **ms > 0.0).count() >= 40);
        // Nothing was lost: after the instant the simulation runs at 1× again (owed time is capped).
        assert!(simulated_us > 9_000_000, "simulated {simulated_us} µs");
    }

    #[test]
    fn fast_forward_gets_a_larger_budget() {
        assert_eq!(core_budget_ms(0.1), CORE_BUDGET_MS);
        assert_eq!(core_budget_ms(1.0), CORE_BUDGET_MS);
        assert_eq!(core_budget_ms(100.0), MAX_CORE_BUDGET_MS);
        let (_, simulated) = simulate(100.0, 1.0, 0.0, 60);
        assert!((simulated - 100.0).abs() < 1.0, "simulated {simulated} s");
    }

    #[test]
    fn effective_speed_is_measured_over_a_second() {
        let mut pacer = Pacer::default();
        assert_eq!(pacer.effective_speed(16.0, 16_000), None);
        let mut speed = None;
        for _ in 0..100 {
            speed = pacer.effective_speed(16.0, 8_000);
        }
        let speed = speed.expect("a second measured");
        assert!((speed - 0.5).abs() < 0.01, "{speed}");
    }
}
