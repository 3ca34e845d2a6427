//! Golden trace hashes: the example scenarios run to their end with per-record tracing, hashed (FNV-1a
//! over the JSON Lines). Native tests and the wasm32 browser test both compare against these constants,
//! so the two targets are proven to produce byte-identical traces.

use super::Simulation;

pub const GOLDEN_TRACE_HASHES: &[(&str, u64)] = &[
    ("order-service", 18165864592681277215),
    ("acks-and-leader-crash", 536340415688184099),
    ("slow-consumer-rebalance", 5097933914027391868),
];

pub fn scenario_text(name: &str) -> &'static str {
    match name {
        "order-service" => include_str!("../../public/scenarios/order-service.json"),
        "acks-and-leader-crash" => {
            include_str!("../../public/scenarios/acks-and-leader-crash.json")
        }
        "slow-consumer-rebalance" => {
            include_str!("../../public/scenarios/slow-consumer-rebalance.json")
        }
        _ => panic!("no golden scenario {name}"),
    }
}

/// FNV-1a (64-bit) over every trace line, each followed by a newline.
pub fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| {
        (hash ^ *byte as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// Runs the scenario to its `duration_ms` in 100 ms steps and hashes the full trace.
pub fn trace_hash(sim: &mut Simulation) -> u64 {
    sim.set_record_events(true);
    let end = sim.scenario().duration_ms * 1000;
    let mut hash = 0xcbf2_9ce4_8422_2325;
    let mut cursor = 0;
    let mut t = 0;
    while t < end {
        t = (t + 100_000).min(end);
        sim.advance_to(t);
        let (events, next) = sim.events_since(cursor);
        for event in events {
            hash = fnv1a(hash, event.to_json_line().as_bytes());
            hash = fnv1a(hash, b"\n");
        }
        cursor = next;
    }
    hash
}
