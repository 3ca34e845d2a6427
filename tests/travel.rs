//! Time travel (`kafka_sim::travel`): seeking back and playing forward gives the state of the run that was
//! never interrupted, byte for byte; acting in the past forks a run that its link replays; charts do not
//! depend on how the run was advanced; checkpoints stay bounded.
// Native only: these drive the core and the CLI on the host (tests/web.rs is the browser suite).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use kafka_sim::sim::scenario::Scenario;
use kafka_sim::sim::{Command, Simulation};
use kafka_sim::travel::{MarkKind, Travel};
use support::sim_with_short_trace as sim;

const ORDER: &str = include_str!("../public/scenarios/order-service.json");
const ACKS: &str = include_str!("../public/scenarios/acks-and-leader-crash.json");

/// Everything the page shows of a run at an instant: the view (tables, picture, messages in flight), the
/// trace's cursor and the events processed. (A restored run holds the trace from its checkpoint on; the
/// traces themselves are compared by `golden_traces_through_a_seek_back`.)
fn fingerprint(sim: &Simulation) -> String {
    format!(
        "{}\n{} {}",
        serde_json::to_string(&sim.view()).expect("json"),
        sim.trace_end(),
        sim.events_processed
    )
}

/// Runs like the page: in uneven slices of at most `max_events` events, to `until_us`.
fn run(travel: &mut Travel, sim: &mut Simulation, until_us: u64, slice_us: u64) {
    loop {
        let target = (sim.now_us() + slice_us).min(until_us);
        if travel.advance(sim, target, 256) && target == until_us {
            break;
        }
    }
}

/// A run of the order service with three commands the user gave live (at 7 s, 12.5 s and 21 s).
fn order_run(until_us: u64) -> (Travel, Simulation) {
    let mut sim = sim(ORDER);
    let mut travel = Travel::with_spacing(&sim, 2_000, 8);
    let view = sim.view();
    let producer = view.producers[0].id.clone();
    let group = view.groups[0].group.clone();
    let member = view.groups[0].members[0].member.clone();
    let commands = [
        (7_000_000, Command::CrashBroker { broker: 2 }),
        (
            12_500_000,
            Command::SetProducerRate {
                producer,
                rate_per_sec: 40,
            },
        ),
        (21_000_000, Command::CrashConsumer { group, member }),
    ];
    for (at, command) in commands {
        if at > until_us {
            break;
        }
        run(&mut travel, &mut sim, at, 33_333);
        sim.schedule_command(command).expect("a valid command");
        travel.commands_changed(&sim);
    }
    run(&mut travel, &mut sim, until_us, 33_333);
    (travel, sim)
}

#[test]
fn seeking_back_and_playing_forward_gives_the_state_of_the_uninterrupted_run() {
    for t_prime in [9_000_000, 16_000_000, 24_000_000, 30_000_000] {
        let (_, reference) = order_run(t_prime);
        let expected = fingerprint(&reference);
        let (mut travel, mut sim) = order_run(40_000_000);
        assert!(travel.checkpoint_count() > 2, "checkpoints were taken");
        for back in [0, 3_000_000, 8_000_000, 13_000_000, t_prime - 1] {
            let back = back.min(t_prime);
            travel.seek(&mut sim, back, |_| {});
            assert_eq!(sim.now_us(), back);
            assert!(travel.in_past(&sim));
            run(&mut travel, &mut sim, t_prime, 50_000);
            assert_eq!(
                fingerprint(&sim),
                expected,
                "back to {back}, then to {t_prime}"
            );
            // Straight to t' (from a later instant: a restore).
            travel.seek(&mut sim, 39_000_000, |_| {});
            travel.seek(&mut sim, t_prime, |_| {});
            assert_eq!(fingerprint(&sim), expected, "seek to {t_prime}");
        }
        // Back to the frontier and on: the same as never stopping.
        travel.seek(&mut sim, 40_000_000, |_| {});
        assert!(!travel.in_past(&sim));
        run(&mut travel, &mut sim, 45_000_000, 20_000);
        let (_, straight) = order_run(45_000_000);
        assert_eq!(fingerprint(&sim), fingerprint(&straight));
    }
}

#[test]
fn seeking_into_a_run_with_a_leader_crash_gives_its_state() {
    let mut reference = sim(ACKS);
    reference.advance_to(12_345_000);
    let expected = fingerprint(&reference);
    let mut sim = sim(ACKS);
    let mut travel = Travel::with_spacing(&sim, 5_000, 6);
    run(&mut travel, &mut sim, 40_000_000, 16_667);
    assert!(travel.checkpoint_count() <= 6, "thinned to at most 6");
    assert_eq!(travel.checkpoint_times()[0], 0, "the start is kept");
    travel.seek(&mut sim, 12_345_000, |_| {});
    assert_eq!(fingerprint(&sim), expected);
    // The marks: the crash at 10 s, the elections it caused, the ISR shrinking, then growing again after
    // the restart at 30 s.
    let kinds: Vec<MarkKind> = travel.marks().iter().map(|m| m.kind).collect();
    for kind in [
        MarkKind::BrokerCrashed,
        MarkKind::LeaderElected,
        MarkKind::IsrShrunk,
        MarkKind::IsrExpanded,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    let crash = travel
        .marks()
        .iter()
        .find(|m| m.kind == MarkKind::BrokerCrashed)
        .expect("a crash");
    assert_eq!(crash.t_us, 10_000_000);
}

#[test]
fn charts_do_not_depend_on_how_the_run_was_advanced() {
    let mut a = sim(ORDER);
    let mut travel_a = Travel::new(&a);
    run(&mut travel_a, &mut a, 30_000_000, 16_667);
    let mut b = sim(ORDER);
    let mut travel_b = Travel::new(&b);
    let mut slice = 1_000;
    loop {
        let target = (b.now_us() + slice).min(30_000_000);
        // Seven events at most: an instant is often split over calls, as over frames.
        if travel_b.advance(&mut b, target, 7) && target == 30_000_000 {
            break;
        }
        slice = slice * 7 % 2_345_678 + 1;
    }
    assert_eq!(
        travel_a.samples().len(),
        31,
        "one a second, from 0 s to 30 s"
    );
    assert_eq!(travel_a.samples(), travel_b.samples());
    assert!(travel_a.samples().last().expect("samples").produced > 0);
    // A sample holds what the view shows at that instant.
    let view = a.view();
    let last = travel_a.samples().last().expect("samples");
    let lag: Vec<u64> = view.groups.iter().map(|g| g.total_lag).collect();
    assert_eq!(last.lag, lag);
    assert!(lag.iter().any(|lag| *lag > 0), "{lag:?}");
    let latency: Vec<(u64, u64)> = view
        .groups
        .iter()
        .map(|g| (g.latency_sum_us, g.latency_records))
        .collect();
    assert_eq!(last.latency_cum, latency);
    let produced: u64 = view.producers.iter().map(|p| p.records_acknowledged).sum();
    let consumed: u64 = view
        .groups
        .iter()
        .flat_map(|g| &g.members)
        .map(|m| m.records_processed)
        .sum();
    assert_eq!((last.produced, last.consumed), (produced, consumed));
    // After a seek, the samples up to the instant shown are the uninterrupted run's.
    travel_a.seek(&mut a, 12_500_000, |_| {});
    let shown = travel_a.samples_until(a.now_us(), 300);
    assert_eq!(shown.len(), 13);
    assert_eq!(shown, &travel_b.samples()[..13]);
}

#[test]
fn acting_in_the_past_forks_a_run_its_link_replays_and_the_future_can_come_back() {
    let (mut travel, mut sim) = order_run(30_000_000);
    let (_, original_at_10) = order_run(10_000_000);
    travel.seek(&mut sim, 10_000_000, |_| {});
    assert_eq!(fingerprint(&sim), fingerprint(&original_at_10));
    // Crash broker 3 at 10 s: the future (the commands at 12.5 s and 21 s) is set aside.
    assert!(travel.fork(&mut sim, |_| {}).is_some());
    assert_eq!(travel.discarded_at(), Some(10_000_000));
    assert_eq!(travel.frontier().us, 10_000_000);
    sim.schedule_command(Command::CrashBroker { broker: 3 })
        .expect("a valid command");
    travel.commands_changed(&sim);
    run(&mut travel, &mut sim, 25_000_000, 40_000);
    // The link (the replay scenario) holds the crash at 7 s and the new one, not the discarded ones.
    let replay = sim.replay_scenario();
    let json = serde_json::to_string(&replay).expect("json");
    let loaded = Scenario::from_json(&json).expect("the link loads");
    let mut reloaded = Simulation::new(loaded, replay.seed);
    reloaded.set_trace_capacity(512);
    reloaded.advance_to(25_000_000);
    assert_eq!(fingerprint(&reloaded), fingerprint(&sim));
    // The scenario's own timeline (a consumer crash at 10 s, its restart at 20 s), the crash at 7 s and the
    // new one; not the rate change at 12.5 s nor the consumer crash at 21 s.
    let actions: Vec<(u64, String)> = replay
        .timeline
        .iter()
        .map(|e| {
            let json = serde_json::to_value(e).expect("json");
            (
                e.at_ms,
                json["action"].as_str().expect("an action").to_string(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            (7_001, "crash_broker"),
            (10_000, "crash_consumer"),
            (10_001, "crash_broker"),
            (20_000, "restart_consumer")
        ]
        .map(|(at, action)| (at, action.to_string()))
    );
    // Seeking inside the fork works as in any run.
    travel.seek(&mut sim, 11_000_000, |_| {});
    run(&mut travel, &mut sim, 25_000_000, 40_000);
    assert_eq!(fingerprint(&reloaded), fingerprint(&sim));
    // Back to the future set aside: the original run, at the instant of the fork, and on from there.
    travel.back_to_future(&mut sim, |_| {}).expect("a future");
    assert_eq!(sim.now_us(), 10_000_000);
    assert_eq!(fingerprint(&sim), fingerprint(&original_at_10));
    run(&mut travel, &mut sim, 30_000_000, 40_000);
    let (_, original_at_30) = order_run(30_000_000);
    assert_eq!(fingerprint(&sim), fingerprint(&original_at_30));
    assert_eq!(travel.discarded_at(), None);
}

#[test]
fn stepping_back_and_forward_lands_on_instants_with_events() {
    let (mut travel, mut sim) = order_run(20_000_000);
    travel.seek(&mut sim, 15_000_000, |_| {});
    let before = travel
        .previous_instant(&sim, false)
        .expect("an instant before");
    assert!(before < 15_000_000 && before > 14_000_000, "{before}");
    let kafka = travel
        .previous_instant(&sim, true)
        .expect("a Kafka-level event before");
    assert!(kafka < 15_000_000, "{kafka}");
    travel.seek(&mut sim, kafka, |_| {});
    let (events, _) = sim.events_since(0);
    assert!(events
        .iter()
        .any(|e| e.t_us == kafka && !e.kind.is_record_level()));
    assert!(travel.step_forward(&mut sim, true));
    assert!(sim.now_us() > kafka);
    let (events, _) = sim.events_since(0);
    let now = sim.now_us();
    assert!(events
        .iter()
        .any(|e| e.t_us == now && !e.kind.is_record_level()));
    assert!(travel.step_forward(&mut sim, false));
    let now = sim.now_us();
    let (events, _) = sim.events_since(0);
    assert!(events.iter().any(|e| e.t_us == now));
    // Stepping never goes before time 0.
    travel.seek(&mut sim, 0, |_| {});
    assert_eq!(travel.previous_instant(&sim, false), None);
}

#[test]
fn golden_traces_through_a_seek_back() {
    use kafka_sim::sim::golden::{scenario_text, GOLDEN_TRACE_HASHES};
    for (name, expected) in GOLDEN_TRACE_HASHES {
        for back in [1_000_000, 9_999_000, 25_000_000] {
            let mut sim = support::sim(scenario_text(name));
            let hashes = kafka_sim::travel::trace_hash_through_seek(&mut sim, back);
            assert_eq!(hashes, (*expected, *expected), "{name}, back to {back}");
        }
    }
}

#[test]
fn checkpoints_stay_within_their_memory_budget_and_seeks_stay_exact() {
    let mut reference = sim(ACKS);
    reference.advance_to(33_333_000);
    let expected = fingerprint(&reference);
    let mut sim = sim(ACKS);
    let mut travel = Travel::with_spacing(&sim, 2_000, 1_000);
    let budget = 3 * sim_bytes_at(ACKS, 20_000_000);
    travel.set_checkpoint_bytes(budget);
    let mut most = 0;
    while sim.now_us() < 60_000_000 {
        let target = sim.now_us() + 1_000_000;
        run(&mut travel, &mut sim, target, 50_000);
        most = most.max(travel.checkpoint_bytes());
    }
    assert!(most <= budget, "{most} > {budget}");
    assert!(
        travel.checkpoint_count() >= 2,
        "{:?}",
        travel.checkpoint_times()
    );
    travel.seek(&mut sim, 33_333_000, |_| {});
    assert_eq!(fingerprint(&sim), expected);
}

fn sim_bytes_at(json: &str, t_us: u64) -> usize {
    let mut sim = sim(json);
    sim.advance_to(t_us);
    sim.approx_bytes()
}

/// `kafka-sim bench --seek` runs a scenario through time travel and prints the seek times.
#[test]
fn the_cli_benchmarks_seeking() {
    let (code, out, _) = support::cli(&[
        "bench",
        "--seek",
        "--sim-seconds",
        "30",
        "--scenario",
        "public/scenarios/order-service.json",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("checkpoints at") && out.contains("seeks: p50"),
        "{out}"
    );
}
