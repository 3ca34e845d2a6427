//! Scenario JSON → validation → `Simulation::new` → 5 simulated seconds, invariants checked after every
//! event. A rejection must name its field.
#![no_main]

use kafka_sim::sim::{invariants, Simulation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Simulation::from_json(text) {
        Ok(mut sim) => {
            let mut steps = 0;
            while let Some(at) = sim.next_event_at() {
                // Bounded work per input: 5 simulated seconds or 50,000 events.
                if at > 5_000_000 || steps >= 50_000 {
                    break;
                }
                sim.step();
                steps += 1;
                if let Err(violation) = invariants::check(&sim) {
                    panic!("t = {} µs: {violation}", sim.now_us());
                }
            }
        }
        Err(error) => assert!(
            !error.path.is_empty(),
            "a rejection without a field: {error}"
        ),
    }
});
