//! Golden trace hashes: the example scenarios run to their end with per-record tracing, hashed (FNV-1a
//! over the JSON Lines). Native tests and the wasm32 browser test both compare against these constants,
//! so the two targets are proven to produce byte-identical traces.

use super::Simulation;

pub const GOLDEN_TRACE_HASHES: &[(&str, u64)] = &[
    ("order-service", 3014825663996422002),
    ("acks-and-leader-crash", 10014045271876551994),
    ("slow-consumer-rebalance", 9719103446371795754),
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
    hash_on(sim, 0xcbf2_9ce4_8422_2325, 0, end).0
}

/// Hashes the trace from `cursor` on while advancing to `until_us` in 100 ms steps.
fn hash_on(sim: &mut Simulation, hash: u64, cursor: u64, until_us: u64) -> (u64, u64) {
    hash_advancing(sim, hash, cursor, until_us, |sim, t| sim.advance_to(t))
}

/// Hashes the trace from `cursor` on while `advance` runs the simulation to `until_us` in 100 ms steps
/// (to each step's end); returns the hash and the cursor to go on from.
pub fn hash_advancing(
    sim: &mut Simulation,
    mut hash: u64,
    mut cursor: u64,
    until_us: u64,
    mut advance: impl FnMut(&mut Simulation, u64),
) -> (u64, u64) {
    let mut t = sim.now_us();
    while t < until_us {
        t = (t + 100_000 - t % 100_000).min(until_us);
        advance(sim, t);
        let (events, next) = sim.events_since(cursor);
        for event in events {
            hash = fnv1a(hash, event.to_json_line().as_bytes());
            hash = fnv1a(hash, b"\n");
        }
        cursor = next;
    }
    (hash, cursor)
}

/// `trace_hash` through a snapshot: runs to `at_us`, takes a snapshot, runs to the end; then restores the
/// snapshot and runs to the end again. Returns both hashes of the full trace: each equals `trace_hash`.
pub fn trace_hash_through_snapshot(sim: &mut Simulation, at_us: u64) -> (u64, u64) {
    sim.set_record_events(true);
    let end = sim.scenario().duration_ms * 1000;
    let (prefix, cursor) = hash_on(sim, 0xcbf2_9ce4_8422_2325, 0, at_us);
    let snapshot = sim.snapshot();
    let (first, _) = hash_on(sim, prefix, cursor, end);
    sim.restore(&snapshot);
    let (second, _) = hash_on(sim, prefix, cursor, end);
    (first, second)
}
