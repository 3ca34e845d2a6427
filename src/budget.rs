//! The page's memory budget: the simulation pauses before the wasm module's memory reaches 256 MiB, says
//! why, and offers ways out. Pure, tested natively; the page feeds it the wasm memory's size
//! (`ui::memory`), which grows only when the allocator has no free room left.
//!
//! The core's memory does not grow with the number of records (docs/logs.md),
//! so only a scenario that is large in other ways (many partitions written by many producers at once, with
//! long retention) can approach the budget. Then the run pauses at `PAUSE_AT`. The learner may go on
//! regardless, each time for another `STEP`, but not past `HARD_STOP`; or take a way out (a shorter
//! `retention.ms`, a lower rate, coarse time), which frees room inside the memory and lets the run go on
//! a step further, but never within a step of the budget.

pub const BUDGET_BYTES: usize = 256 << 20;
/// Trace events the simulation holds for the page, which reads them every frame into its own log: the
/// core's default (50,000) would only hold memory. `bench` holds the same.
pub const TRACE_EVENTS: usize = 512;
/// Event-log lines the page keeps (it shows the newest 150 that match the filter).
pub const EVENT_LOG_LINES: usize = 500;
pub const PAUSE_AT: usize = 160 << 20;
pub const STEP: usize = 16 << 20;
pub const HARD_STOP: usize = 208 << 20;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    Run,
    /// Pause and explain; `last` is true when the learner cannot go on without a way out.
    Pause {
        live: usize,
        last: bool,
    },
}

#[derive(Clone, Debug)]
pub struct Budget {
    hard: usize,
    pause_at: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(PAUSE_AT, HARD_STOP)
    }
}

impl Budget {
    pub const fn new(first: usize, hard: usize) -> Budget {
        Budget {
            hard: if hard > first { hard } else { first },
            pause_at: first,
        }
    }

    /// Checked before each frame the simulation runs, with the memory's size now.
    pub fn check(&mut self, live: usize) -> Verdict {
        if live < self.pause_at {
            return Verdict::Run;
        }
        // Pause now; if the learner goes on, the run may grow by one more step.
        self.pause_at = (live + STEP).min(self.hard);
        Verdict::Pause {
            live,
            last: live + STEP > self.hard,
        }
    }

    /// The learner took a way out (which frees room inside the memory without shrinking it): the run may
    /// go on for one more step, even past the hard stop, but never within a step of the budget.
    pub fn way_out(&mut self, live: usize) {
        self.pause_at = (live + STEP).min(BUDGET_BYTES - STEP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    #[test]
    fn pauses_at_the_first_threshold_then_in_steps_never_past_the_hard_stop() {
        let mut budget = Budget::default();
        assert_eq!(budget.check(100 * MIB), Verdict::Run);
        assert_eq!(
            budget.check(161 * MIB),
            Verdict::Pause {
                live: 161 * MIB,
                last: false
            }
        );
        // The learner goes on: the run grows by one step before the next pause.
        assert_eq!(budget.check(170 * MIB), Verdict::Run);
        assert!(matches!(
            budget.check(178 * MIB),
            Verdict::Pause { last: false, .. }
        ));
        assert!(matches!(
            budget.check(194 * MIB),
            Verdict::Pause { last: true, .. }
        ));
        // At the hard stop, every frame pauses: only a way out lets the run go on (memory freed is reused).
        assert!(matches!(
            budget.check(208 * MIB),
            Verdict::Pause { last: true, .. }
        ));
        assert!(matches!(
            budget.check(208 * MIB),
            Verdict::Pause { last: true, .. }
        ));
        const { assert!(HARD_STOP + 32 * MIB <= BUDGET_BYTES) };
        // A way out lets it go on one more step, never within a step of the budget.
        budget.way_out(208 * MIB);
        assert_eq!(budget.check(220 * MIB), Verdict::Run);
        assert!(matches!(
            budget.check(224 * MIB),
            Verdict::Pause { last: true, .. }
        ));
        budget.way_out(235 * MIB);
        assert!(matches!(budget.check(240 * MIB), Verdict::Pause { .. }));
    }
}
