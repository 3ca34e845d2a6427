//! Kafka fidelity: behaviours where the simulator once differed from Kafka 4.x, each with a scenario of
//! its own whose outcome is what Kafka's source does (see `../shared/kafka-reference.md` and the comments
//! at each test). Each test failed before its fix.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use kafka_sim::sim::event::{EventKind, TraceEvent};
use kafka_sim::sim::golden::scenario_text;
use kafka_sim::sim::group::MemberStatus;
use kafka_sim::sim::ids::BrokerId;
use kafka_sim::sim::view::ClusterView;
use support::{drain, first_at, refused, run, sim};

fn isr_changes(events: &[TraceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::IsrChanged {
                topic,
                partition,
                isr,
                reason,
            } => Some(format!(
                "{:.1}s {topic}-{partition} {isr:?} {reason}",
                event.t_us as f64 / 1e6
            )),
            _ => None,
        })
        .collect()
}

fn under_replicated(view: &ClusterView) -> Vec<String> {
    view.topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .filter(|p| p.isr.len() < p.replicas.len())
                .map(move |p| format!("{}-{} isr {:?}", t.name, p.partition, p.isr))
        })
        .collect()
}

// ---- 1. ISR "caught up" rules (Replica.updateFetchStateOrThrow, Partition.maybeIncrementLeaderHW) ----

/// Small produce requests at high frequency: every follower fetch trails the leader's log end by the
/// records appended during its round trip (10 ms each way against a batch every 5 ms).
fn steady_small_produces(acks: &str, min_isr: u32) -> String {
    format!(
        r#"{{"version": 1, "seed": 3, "duration_ms": 120000,
        "cluster": {{"brokers": 3, "network_latency_ms": 10}},
        "topics": [{{"name": "t", "partitions": 1, "replication_factor": 3,
                     "config": {{"min.insync.replicas": "{min_isr}"}}}}],
        "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 200,
                        "config": {{"acks": "{acks}", "linger.ms": "0"}}}}],
        "groups": []}}"#
    )
}

#[test]
fn a_healthy_follower_never_leaves_the_isr_under_small_frequent_produces() {
    for (acks, min_isr) in [("1", 1), ("all", 2)] {
        let mut sim = sim(&steady_small_produces(acks, min_isr));
        let events = run(&mut sim, 120_000_000);
        let changes = isr_changes(&events);
        assert!(
            changes.is_empty(),
            "acks={acks} min.insync.replicas={min_isr}: no faults, yet {changes:#?}"
        );
        let view = sim.view();
        assert!(under_replicated(&view).is_empty());
        // The high watermark keeps up with the log end (one round trip behind at most).
        for p in &view.topics[0].partitions {
            assert!(p.high_watermark + 20 >= p.log_end_offset, "{p:?}");
            assert!(p.log_end_offset > 10_000);
        }
    }
}

#[test]
fn a_restarted_follower_is_back_in_every_isr_within_seconds_of_catching_up() {
    // The shipped example: broker 1 crashes at 10 s and restarts at 30 s, on 40 ms links.
    let mut sim = sim(scenario_text("acks-and-leader-crash"));
    let events = run(&mut sim, 40_000_000);
    let rejoined: Vec<&TraceEvent> = events
        .iter()
        .filter(|e| e.t_us > 30_000_000)
        .filter(|e| matches!(&e.kind, EventKind::IsrChanged { isr, .. } if isr.contains(&1)))
        .collect();
    assert_eq!(rejoined.len(), 6, "{:#?}", isr_changes(&events));
    assert!(
        rejoined.iter().all(|e| e.t_us < 35_000_000),
        "{:#?}",
        isr_changes(&events)
    );
    assert!(under_replicated(&sim.view()).is_empty());
}

// ---- 9. max.in.flight.requests.per.connection > 5 with idempotence on (Kafka 4.0, KAFKA-17927) ----

#[test]
fn more_than_five_in_flight_requests_with_idempotence_on_refuses_to_load() {
    let scenario = |config: &str| {
        format!(
            r#"{{"version": 1, "cluster": {{"brokers": 1}},
            "topics": [{{"name": "t", "partitions": 1, "replication_factor": 1}}],
            "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 10, "config": {{{config}}}}}],
            "groups": []}}"#
        )
    };
    for on in [
        r#""max.in.flight.requests.per.connection": "6""#,
        r#""max.in.flight.requests.per.connection": "6", "enable.idempotence": "true""#,
    ] {
        let error = refused(&scenario(on));
        assert_eq!(
            error.path, "producers[0].config.max.in.flight.requests.per.connection",
            "{error}"
        );
    }
    let off = sim(&scenario(
        r#""max.in.flight.requests.per.connection": "6", "enable.idempotence": "false""#,
    ));
    assert!(!off.view().producers[0].enable_idempotence);
}

// ---- 6. Retention deletes the active segment too (UnifiedLog.deletableSegments, deleteSegments) ----

#[test]
fn a_topic_that_stops_receiving_data_is_emptied_once_retention_ms_has_passed() {
    let text = r#"{"version": 1, "seed": 1, "duration_ms": 40000,
        "cluster": {"brokers": 3, "config": {"log.retention.check.interval.ms": "1000"}},
        "topics": [{"name": "t", "partitions": 2, "replication_factor": 3,
                    "config": {"retention.ms": "10000"}}],
        "producers": [{"id": "p", "topic": "t", "rate_per_sec": 100, "keys": {"distinct": 10}}],
        "groups": [],
        "timeline": [{"at_ms": 5000, "action": "set_producer_rate", "producer": "p", "rate_per_sec": 0}]}"#;
    let mut sim = sim(text);
    run(&mut sim, 12_000_000);
    // 7 s after the last record: nothing has passed retention.ms yet.
    for p in &sim.view().topics[0].partitions {
        assert_eq!(p.log_start_offset, 0, "{p:?}");
    }
    run(&mut sim, 20_000_000);
    for p in &sim.view().topics[0].partitions {
        assert!(p.log_end_offset > 100, "{p:?}");
        for replica in &p.replica_logs {
            assert_eq!(
                (replica.log_start_offset, replica.high_watermark),
                (p.log_end_offset, p.log_end_offset),
                "partition {} on broker {}: {replica:?}",
                p.partition,
                replica.broker
            );
        }
    }
    // The log takes new records again from where it ended.
    sim.apply(kafka_sim::sim::Command::SetProducerRate {
        producer: "p".into(),
        rate_per_sec: 100,
    })
    .unwrap();
    let ended: Vec<u64> = sim.view().topics[0]
        .partitions
        .iter()
        .map(|p| p.log_end_offset)
        .collect();
    run(&mut sim, 23_000_000);
    for (p, ended) in sim.view().topics[0].partitions.iter().zip(ended) {
        assert_eq!(p.log_start_offset, ended);
        assert!(p.log_end_offset > ended);
    }
    kafka_sim::sim::invariants::check(&sim).unwrap();
}

// ---- 4. Automatic preferred-leader election (QuorumController.maybeBalancePartitionLeaders) ----

fn leaders(view: &ClusterView) -> Vec<(Option<u32>, u32)> {
    view.topics[0]
        .partitions
        .iter()
        .map(|p| (p.leader, p.replicas[0]))
        .collect()
}

#[test]
fn leadership_returns_to_the_preferred_replica_after_the_imbalance_check_interval() {
    let scenario = |config: &str| {
        format!(
            r#"{{"version": 1, "seed": 5, "duration_ms": 400000,
            "cluster": {{"brokers": 3, "config": {{{config}}}}},
            "topics": [{{"name": "t", "partitions": 3, "replication_factor": 3}}],
            "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 50, "keys": {{"distinct": 9}}}}],
            "groups": [],
            "timeline": [{{"at_ms": 5000, "action": "crash_broker", "broker": 1}},
                         {{"at_ms": 20000, "action": "restart_broker", "broker": 1}}]}}"#
        )
    };
    let mut balanced = sim(&scenario(""));
    run(&mut balanced, 30_000_000);
    // Broker 1 is back in every ISR, but leads nothing: its partitions moved when it was fenced.
    let view = balanced.view();
    assert!(under_replicated(&view).is_empty());
    let moved: Vec<_> = leaders(&view)
        .into_iter()
        .filter(|(l, p)| *l != Some(*p))
        .collect();
    assert!(
        !moved.is_empty() && moved.iter().all(|(_, preferred)| *preferred == 1),
        "{moved:?}"
    );
    // leader.imbalance.check.interval.seconds = 300: scheduled when the fencing moved them (about 12 s).
    run(&mut balanced, 300_000_000);
    assert!(leaders(&balanced.view())
        .iter()
        .any(|(l, p)| *l != Some(*p)));
    let events = run(&mut balanced, 330_000_000);
    assert!(
        leaders(&balanced.view())
            .iter()
            .all(|(l, p)| *l == Some(*p)),
        "{:?}",
        leaders(&balanced.view())
    );
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::LeaderElected {
            leader: Some(1),
            unclean: false,
            ..
        }
    )));
    assert!(under_replicated(&balanced.view()).is_empty());
    // Turned off, leadership stays where it went.
    let mut off = sim(&scenario(r#""auto.leader.rebalance.enable": "false""#));
    run(&mut off, 400_000_000);
    assert!(leaders(&off.view()).iter().any(|(l, p)| *l != Some(*p)));
}

// ---- 2. A quickly restarted broker is fenced first (ClusterControlManager.registerBroker) ----

fn crash_and_restart(crash_ms: u64, restart_ms: u64) -> String {
    format!(
        r#"{{"version": 1, "seed": 2, "duration_ms": 60000,
        "cluster": {{"brokers": 3}},
        "topics": [{{"name": "t", "partitions": 3, "replication_factor": 3}}],
        "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 50, "keys": {{"distinct": 9}}}}],
        "groups": [],
        "timeline": [{{"at_ms": {crash_ms}, "action": "crash_broker", "broker": 1}},
                     {{"at_ms": {restart_ms}, "action": "restart_broker", "broker": 1}}]}}"#
    )
}

#[test]
fn the_controller_fences_a_broker_session_timeout_after_its_last_heartbeat() {
    // Heartbeats every 2 s from registration at 0 s; the session lasts 9 s after the last one.
    for (crash_ms, fenced_ms) in [(10_000, 17_000), (11_000, 19_000), (11_500, 19_000)] {
        let mut run_of = sim(&crash_and_restart(crash_ms, 50_000));
        let events = run(&mut run_of, 30_000_000);
        assert_eq!(
            first_at(&events, "broker_fenced"),
            Some(fenced_ms * 1000),
            "crash at {crash_ms} ms"
        );
    }
}

#[test]
fn a_broker_restarted_before_it_was_fenced_registers_only_after_the_fencing() {
    let mut sim = sim(&crash_and_restart(10_000, 12_000));
    let led_by_1: Vec<u32> = sim.view().topics[0]
        .partitions
        .iter()
        .filter(|p| p.leader == Some(1))
        .map(|p| p.partition)
        .collect();
    assert!(!led_by_1.is_empty());
    let events = run(&mut sim, 25_000_000);
    assert_eq!(
        first_at(&events, "broker_registration_refused"),
        Some(12_000_000)
    );
    assert_eq!(first_at(&events, "broker_fenced"), Some(17_000_000));
    assert_eq!(first_at(&events, "broker_restarted"), Some(17_000_000));
    // The controller moved its leaderships when it fenced it; it follows them now, back in every ISR.
    let elected: Vec<u32> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::LeaderElected {
                partition,
                leader: Some(leader),
                ..
            } if *leader != 1 => {
                assert_eq!(e.t_us, 17_000_000);
                Some(*partition)
            }
            _ => None,
        })
        .collect();
    assert_eq!(elected, led_by_1);
    let view = sim.view();
    assert!(view.topics[0]
        .partitions
        .iter()
        .all(|p| p.leader != Some(1)));
    assert!(
        under_replicated(&view).is_empty(),
        "{:?}",
        under_replicated(&view)
    );
}

// ---- 7. The initial rebalance delay (GroupMetadataManager.tryCompleteInitialRebalanceElseSchedule) ----

fn first_rebalance_completes_at(members_at: &[u64]) -> u64 {
    let members: Vec<String> = (0..members_at.iter().filter(|at| **at == 0).count())
        .map(|i| format!(r#"{{"id": "m{i}"}}"#))
        .collect();
    let timeline: Vec<String> = members_at
        .iter()
        .filter(|at| **at > 0)
        .enumerate()
        .map(|(i, at)| {
            format!(
                r#"{{"at_ms": {at}, "action": "add_consumer", "group": "g", "member": "late{i}"}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"version": 1, "seed": 1, "duration_ms": 30000,
        "cluster": {{"brokers": 1}},
        "topics": [{{"name": "t", "partitions": 4, "replication_factor": 1}}],
        "producers": [],
        "groups": [{{"id": "g", "topics": ["t"], "members": [{}]}}],
        "timeline": [{}]}}"#,
        members.join(", "),
        timeline.join(", ")
    );
    let mut sim = sim(&text);
    let events = run(&mut sim, 30_000_000);
    first_at(&events, "rebalance_completed").expect("a rebalance completed")
}

#[test]
fn a_member_joining_during_the_initial_delay_adds_a_whole_new_delay() {
    // group.initial.rebalance.delay.ms = 3000. Alone: the join completes when the delay ends.
    let alone = first_rebalance_completes_at(&[0]);
    assert!((3_000_000..3_100_000).contains(&alone), "{alone}");
    // A second member at 1 s: when the first delay ends (3 s) a new one starts, ending at about 6 s.
    let second = first_rebalance_completes_at(&[0, 1_000]);
    assert!((6_000_000..6_100_000).contains(&second), "{second}");
    // Members starting together: the first opens the delay, the others join during it.
    let together = first_rebalance_completes_at(&[0, 0]);
    assert!((6_000_000..6_100_000).contains(&together), "{together}");
    // Joins in each delay keep extending it: 0 s, 1 s, 4 s → 3 s, 6 s, 9 s.
    let three = first_rebalance_completes_at(&[0, 1_000, 4_000]);
    assert!((9_000_000..9_100_000).contains(&three), "{three}");
}

// ---- 8. max.poll.interval.ms is checked between heartbeats (AbstractCoordinator.HeartbeatThread) ----

#[test]
fn a_poll_timeout_is_noticed_within_retry_backoff_ms() {
    for (interval_ms, processing_ms) in [(10_000, 20_000), (10_050, 30_000), (7_777, 9_000)] {
        let text = format!(
            r#"{{"version": 1, "seed": 4, "duration_ms": 60000,
            "cluster": {{"brokers": 1}},
            "topics": [{{"name": "t", "partitions": 1, "replication_factor": 1}}],
            "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 2}}],
            "groups": [{{"id": "g", "topics": ["t"], "processing_ms_per_record": {processing_ms},
                         "config": {{"max.poll.records": "1", "max.poll.interval.ms": "{interval_ms}",
                                     "auto.offset.reset": "earliest"}},
                         "members": [{{"id": "m"}}]}}]}}"#
        );
        let mut slow = sim(&text);
        let events = run(&mut slow, 60_000_000);
        let since: Vec<u64> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::PollTimeoutExpired {
                    since_last_poll_ms, ..
                } => Some(*since_last_poll_ms),
                _ => None,
            })
            .collect();
        assert!(
            !since.is_empty(),
            "max.poll.interval.ms {interval_ms}: no poll timeout"
        );
        // The heartbeat thread wakes every retry.backoff.ms = 100 ms between heartbeats (every 3 s).
        assert!(
            since
                .iter()
                .all(|ms| *ms > interval_ms && *ms <= interval_ms + 100),
            "max.poll.interval.ms {interval_ms}: noticed after {since:?} ms"
        );
    }
}

// ---- Heartbeats during CompletingRebalance (GroupMetadataManager.classicGroupHeartbeat) ----

#[test]
fn a_heartbeat_while_the_group_completes_its_rebalance_does_not_start_another() {
    // Slow links: the leader's SyncGroup takes 400 ms to arrive, and members heartbeat every 300 ms, so
    // heartbeats reach the coordinator while the group is CompletingRebalance (answered as in Stable),
    // and answers of REBALANCE_IN_PROGRESS reach members that have already rejoined (ignored).
    for strategy in ["range", "cooperative-sticky"] {
        let text = format!(
            r#"{{"version": 1, "seed": 6, "duration_ms": 60000,
            "cluster": {{"brokers": 1, "network_latency_ms": 400}},
            "topics": [{{"name": "t", "partitions": 4, "replication_factor": 1}}],
            "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 20, "keys": {{"distinct": 8}}}}],
            "groups": [{{"id": "g", "topics": ["t"],
                         "config": {{"heartbeat.interval.ms": "300", "partition.assignment.strategy": "{strategy}"}},
                         "members": [{{"id": "a"}}, {{"id": "b"}}]}}],
            "timeline": [{{"at_ms": 20000, "action": "add_consumer", "group": "g", "member": "c"}}]}}"#
        );
        let mut slow = sim(&text);
        let events = run(&mut slow, 60_000_000);
        let started: Vec<String> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::RebalanceStarted { reason, .. } => {
                    Some(format!("{:.1}s {reason}", e.t_us as f64 / 1e6))
                }
                _ => None,
            })
            .collect();
        // Forming the group and adding c; cooperative-sticky adds its second round for the partitions
        // revoked in the first. Before: a rebalance every 1.5-2.5 s, forever.
        let expected = if strategy == "range" { 2 } else { 3 };
        assert_eq!(started.len(), expected, "{strategy}: {started:#?}");
        assert_eq!(slow.view().groups[0].state, "Stable", "{strategy}");
    }
}

// ---- Accounting: records retention deletes after the consumer fetched them are processed, not missed ----

#[test]
fn records_deleted_by_retention_after_they_were_fetched_are_processed_not_missed() {
    // 100 records in 2 s, then nothing. The member starts after the initial rebalance delay (3 s) and
    // fetches them all; each takes 100 ms to process, so most wait in its buffer while retention (2 s
    // after the last append) deletes them on the broker.
    let text = r#"{"version": 1, "seed": 8, "duration_ms": 60000,
        "cluster": {"brokers": 1, "config": {"log.retention.check.interval.ms": "500"}},
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 1,
                    "config": {"retention.ms": "2000", "segment.bytes": "2000"}}],
        "producers": [{"id": "p", "topic": "t", "rate_per_sec": 50}],
        "groups": [{"id": "g", "topics": ["t"], "processing_ms_per_record": 100,
                    "config": {"auto.offset.reset": "earliest"}, "members": [{"id": "m"}]}],
        "timeline": [{"at_ms": 2000, "action": "set_producer_rate", "producer": "p", "rate_per_sec": 0}]}"#;
    let mut slow = sim(text);
    let events = run(&mut slow, 60_000_000);
    assert!(events
        .iter()
        .any(|e| e.kind.type_name() == "log_start_advanced"));
    let view = slow.view();
    let produced = view.producers[0].records_acknowledged;
    let delivery = view.groups[0].delivery;
    // Records deleted before the member's first fetch are missed (it starts at the log start then,
    // auto.offset.reset=earliest); every record it fetched is processed once.
    let started_at = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::OffsetReset { offset, .. } => Some(*offset),
            _ => None,
        })
        .expect("the member's position was reset");
    assert!(
        produced > 90 && started_at + 40 < produced,
        "{produced} {started_at}"
    );
    assert_eq!(delivery.missed, started_at, "{delivery:?}");
    assert_eq!(
        delivery.processed_once,
        produced - started_at,
        "{delivery:?}"
    );
    assert_eq!(view.topics[0].partitions[0].log_start_offset, produced);
}

// ---- A follower truncates when its fetch's answer says its log diverges (KIP-595 `divergingEpoch`) ----

#[test]
fn a_restarted_leader_truncates_its_unreplicated_records_one_fetch_round_trip_after_it_registers() {
    // Broker 1 leads with 40 ms links to its followers; it crashes at 10 s holding records they never
    // fetched, and registers again at 30 s. It learns of the new leader's epoch from the answer to its
    // first fetch (80 ms later), not from the election, and truncates then.
    let mut sim = sim(scenario_text("acks-and-leader-crash"));
    let events = run(&mut sim, 29_900_000);
    assert!(events.iter().all(|e| e.kind.type_name() != "log_truncated"));
    sim.advance_to(30_000_000);
    // Registered again, broker 1 still holds its whole log.
    let ends_at_registration: Vec<(String, u32, u64)> = sim
        .view()
        .topics
        .iter()
        .flat_map(|topic| {
            topic.partitions.iter().filter_map(|p| {
                let replica = p.replica_logs.iter().find(|replica| replica.broker == 1)?;
                Some((topic.name.clone(), p.partition, replica.log_end_offset))
            })
        })
        .collect();
    let events = run(&mut sim, 31_000_000);
    let truncated: Vec<&TraceEvent> = events
        .iter()
        .filter(|e| e.kind.type_name() == "log_truncated")
        .collect();
    assert!(!truncated.is_empty());
    for event in &truncated {
        assert!(
            event.t_us >= 30_080_000,
            "truncated before its fetch was answered: {event:?}"
        );
        let EventKind::LogTruncated {
            topic,
            partition,
            broker,
            from_offset,
            to_offset,
        } = &event.kind
        else {
            unreachable!()
        };
        assert_eq!(*broker, 1);
        assert!(to_offset < from_offset);
        assert!(
            ends_at_registration.contains(&(topic.clone(), *partition, *from_offset)),
            "truncated from the log end it registered with: {event:?} {ends_at_registration:?}"
        );
    }
}

// ---- A consumer's fetch is a FetchRequest to each leader, served from that broker's log ----

fn consumer_fetch_scenario(timeline: &str) -> String {
    format!(
        r#"{{"version": 1, "seed": 5, "duration_ms": 60000,
        "cluster": {{"brokers": 3}},
        "topics": [{{"name": "t", "partitions": 3, "replication_factor": 3}}],
        "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 30}}],
        "groups": [{{"id": "g", "topics": ["t"], "config": {{"auto.offset.reset": "earliest"}},
                     "members": [{{"id": "m"}}]}}],
        "timeline": [{timeline}]}}"#
    )
}

#[test]
fn a_consumer_sends_one_fetch_to_each_leader_of_its_partitions() {
    use kafka_sim::sim::network::{FlowKind, Node};
    let mut sim = sim(&consumer_fetch_scenario(""));
    run(&mut sim, 10_000_000);
    sim.set_flow_log(true);
    run(&mut sim, 12_000_000);
    let leaders: std::collections::BTreeSet<u32> = sim.view().topics[0]
        .partitions
        .iter()
        .filter_map(|p| p.leader)
        .collect();
    assert_eq!(leaders.len(), 3, "one partition led by each broker");
    let fetched_from: std::collections::BTreeSet<u32> = sim
        .take_sent_flows()
        .iter()
        .filter(|flow| flow.kind == FlowKind::ConsumerFetch)
        .map(|flow| match flow.to {
            Node::Broker { broker } => broker.get(),
            other => panic!("a consumer fetch goes to a broker, not {other:?}"),
        })
        .collect();
    assert_eq!(fetched_from, leaders);
}

#[test]
fn a_consumer_backs_off_a_crashed_leader_until_the_controller_moves_its_partition() {
    use kafka_sim::sim::network::{FlowKind, Node};
    let mut sim = sim(&consumer_fetch_scenario(
        r#"{"at_ms": 10000, "action": "crash_broker", "broker": 1}"#,
    ));
    run(&mut sim, 10_000_000);
    sim.set_flow_log(true);
    let events = run(&mut sim, 20_000_000);
    let fenced = events
        .iter()
        .find(|e| e.kind.type_name() == "broker_fenced")
        .expect("broker 1 is fenced")
        .t_us;
    let to_broker_1 = sim
        .take_sent_flows()
        .iter()
        .filter(|flow| {
            flow.kind == FlowKind::ConsumerFetch
                && flow.to
                    == Node::Broker {
                        broker: BrokerId(1),
                    }
        })
        .count();
    // Refused connections are retried after reconnect.backoff.ms (50 ms), doubling up to 1 s: about a
    // dozen in the seconds before the fencing moves the partition, not one every few milliseconds.
    assert!(fenced > 15_000_000, "fenced at {fenced}");
    assert!(
        (5..=20).contains(&to_broker_1),
        "{to_broker_1} fetches to broker 1"
    );
    // Its partition, led elsewhere now, is read again: nothing is missed.
    run(&mut sim, 40_000_000);
    let delivery = sim.view().groups[0].delivery;
    assert_eq!(delivery.missed, 0, "{delivery:?}");
    assert!(
        delivery.pending < 30 && delivery.processed_once > 1000,
        "caught up: {delivery:?}"
    );
}

// ---- Accounting: duplicates written by the producer (retries without idempotence) ----

#[test]
fn retries_without_idempotence_write_duplicates_that_are_counted() {
    // acks=all over 600 ms links between brokers: the high watermark needs more than request.timeout.ms
    // (1 s), so requests time out after their batch was appended, and are retried.
    let scenario = |idempotence: &str| {
        format!(
            r#"{{"version": 1, "seed": 9, "duration_ms": 30000,
            "cluster": {{"brokers": 2, "links": [{{"between": [1, 2], "ms": 600}}]}},
            "topics": [{{"name": "t", "partitions": 1, "replication_factor": 2}}],
            "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 20,
                            "config": {{"acks": "all", "enable.idempotence": "{idempotence}",
                                        "request.timeout.ms": "1000", "delivery.timeout.ms": "30000"}}}}],
            "groups": [{{"id": "g", "topics": ["t"], "config": {{"auto.offset.reset": "earliest"}},
                         "members": [{{"id": "m"}}]}}]}}"#
        )
    };
    let mut plain = sim(&scenario("false"));
    let events = run(&mut plain, 30_000_000);
    let view = plain.view();
    let written_twice = view.producers[0].records_written_twice;
    let in_trace: u64 = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::DuplicateBatchWritten { records, .. } => Some(*records as u64),
            _ => None,
        })
        .sum();
    assert!(written_twice > 20, "{:?}", view.producers[0]);
    assert_eq!(in_trace, written_twice);
    let g = &view.groups[0];
    assert!(
        g.producer_duplicates > 0 && g.producer_duplicates <= written_twice,
        "{g:?}"
    );
    // Each copy sits at its own offsets: the consumer processed each once.
    assert_eq!(g.delivery.duplicated, 0);
    // With idempotence the leader recognises the retries and writes nothing twice.
    let mut idempotent = sim(&scenario("true"));
    let events = run(&mut idempotent, 30_000_000);
    let view = idempotent.view();
    assert!(events
        .iter()
        .any(|e| e.kind.type_name() == "duplicate_batch_ignored"));
    assert_eq!(view.producers[0].records_written_twice, 0);
    assert_eq!(view.groups[0].producer_duplicates, 0);
}

#[test]
fn with_acks_0_a_batch_is_done_once_it_is_on_the_wire() {
    // Over 300 ms links a ProduceRequest spends 300 ms on the wire. With acks=0 the producer does not
    // wait for it (`NetworkClient` completes it when sent): its records are acknowledged and its memory
    // is free then, so no record is ever both acknowledged and still pending.
    let mut sim = sim(r#"{"version": 1, "seed": 3, "duration_ms": 10000,
        "cluster": {"brokers": 1, "network_latency_ms": 300},
        "topics": [{"name": "t", "partitions": 2, "replication_factor": 1}],
        "producers": [{"id": "p", "topic": "t", "rate_per_sec": 200,
                       "config": {"acks": "0", "linger.ms": "0"}}]}"#);
    let mut saw_on_the_wire = false;
    for step in 1..=100u64 {
        sim.advance_to(step * 50_000);
        saw_on_the_wire |= sim.flows().next().is_some();
        let p = &sim.view().producers[0];
        assert_eq!(
            p.records_acknowledged + p.records_pending + p.records_failed,
            p.records_generated,
            "at {} ms: {p:?}",
            step * 50
        );
    }
    assert!(saw_on_the_wire, "requests were on the wire");
    assert!(sim.view().producers[0].records_acknowledged > 500);
}

// ---- 5. A restarted consumer is a new member; the old one stays until its session expires ----

/// Members a and b of group g (10 s sessions, 1 s heartbeats) on topic t; a crashes at 20 s and its new
/// process starts at 22 s.
fn crash_and_restart_consumer_a(partitions: u32) -> String {
    format!(
        r#"{{"version": 1, "seed": 10, "duration_ms": 60000,
        "cluster": {{"brokers": 1}},
        "topics": [{{"name": "t", "partitions": {partitions}, "replication_factor": 1}}],
        "producers": [{{"id": "p", "topic": "t", "rate_per_sec": 20, "keys": {{"distinct": 8}}}}],
        "groups": [{{"id": "g", "topics": ["t"],
                    "config": {{"session.timeout.ms": "10000", "heartbeat.interval.ms": "1000"}},
                    "members": [{{"id": "a"}}, {{"id": "b"}}]}}],
        "timeline": [{{"at_ms": 20000, "action": "crash_consumer", "group": "g", "member": "a"}},
                     {{"at_ms": 22000, "action": "restart_consumer", "group": "g", "member": "a"}}]}}"#
    )
}

#[test]
fn a_restarted_consumer_joins_as_a_new_member_and_the_rebalance_waits_for_the_old_session() {
    let text = &crash_and_restart_consumer_a(4);
    let mut restarted = sim(text);
    let events = run(&mut restarted, 45_000_000);
    let after = |kind: &str| {
        events
            .iter()
            .filter(|e| e.t_us > 20_000_000 && e.kind.type_name() == kind)
            .map(|e| e.t_us)
            .collect::<Vec<u64>>()
    };
    // The new process's JoinGroup starts a rebalance at once...
    let started = after("rebalance_started");
    assert!(
        !started.is_empty() && started[0] < 22_100_000,
        "{started:?}"
    );
    // ...which completes only when the old process's session (10 s after its last heartbeat, at most
    // 1 s before the crash) has expired and the coordinator has removed it.
    let left = after("consumer_left");
    assert_eq!(left.len(), 1, "{left:?}");
    assert!((29_000_000..=30_100_000).contains(&left[0]), "{left:?}");
    let completed = after("rebalance_completed");
    assert!(
        !completed.is_empty() && completed[0] >= left[0],
        "{completed:?} {left:?}"
    );
    let view = restarted.view();
    assert_eq!(view.groups[0].state, "Stable");
    assert!(view.groups[0]
        .members
        .iter()
        .all(|m| !m.assignment.is_empty()));
}

/// The assignor gets the members as Kafka's coordinator hands them over: by member id, static members
/// first by `group.instance.id` (`AbstractPartitionAssignor.MemberInfo`). So with the range assignor the
/// static member "b" takes partition 0 although "a" sorts first by name.
#[test]
fn the_range_assignor_puts_static_members_first() {
    let mut sim = sim(r#"{"version": 1, "seed": 3, "duration_ms": 10000,
        "cluster": {"brokers": 1},
        "topics": [{"name": "t", "partitions": 2, "replication_factor": 1}],
        "producers": [],
        "groups": [{"id": "g", "topics": ["t"], "config": {"partition.assignment.strategy": "range"},
                    "members": [{"id": "a"}, {"id": "b", "group_instance_id": "b-host"}]}]}"#);
    run(&mut sim, 8_000_000);
    let view = sim.view();
    let assigned = |name: &str| {
        view.groups[0]
            .members
            .iter()
            .find(|m| m.member == name)
            .map(|m| m.assignment.clone())
            .unwrap_or_default()
    };
    assert_eq!(assigned("b"), vec![("t".to_string(), 0)]);
    assert_eq!(assigned("a"), vec![("t".to_string(), 1)]);
}

/// The group's leader notices new partitions in its metadata and rejoins, and the new partitions are
/// assigned (`ConsumerCoordinator.rejoinNeededOrPending`); the other members do not trigger it.
#[test]
fn the_groups_leader_rejoins_when_a_topic_gets_new_partitions() {
    let mut sim = sim(r#"{"version": 1, "seed": 3, "duration_ms": 30000,
        "cluster": {"brokers": 1},
        "topics": [{"name": "t", "partitions": 2, "replication_factor": 1}],
        "producers": [{"id": "p", "topic": "t", "rate_per_sec": 10}],
        "groups": [{"id": "g", "topics": ["t"], "members": [{"id": "a"}, {"id": "b"}]}],
        "timeline": [{"at_ms": 10000, "action": "add_partitions", "topic": "t", "partitions": 4}]}"#);
    let events = run(&mut sim, 20_000_000);
    let rebalances: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::RebalanceStarted { reason, .. } if e.t_us > 10_000_000 => {
                Some(reason.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(rebalances.len(), 1, "{rebalances:?}");
    let view = sim.view();
    let assigned: usize = view.groups[0]
        .members
        .iter()
        .map(|m| m.assignment.len())
        .sum();
    assert_eq!(assigned, 4, "{:?}", view.groups[0].members);
}

/// KIP-394: a dynamic member's first JoinGroup carries no member id; the coordinator answers
/// MEMBER_ID_REQUIRED with one, and the member joins again with it. So the group's first rebalance starts
/// three network hops after the member starts (join, answer, join), not one; a static member
/// (`group.instance.id`) is given its id at once.
#[test]
fn a_new_dynamic_member_joins_twice_first_to_be_given_its_member_id() {
    let scenario = |instance: &str| {
        format!(
            r#"{{"version": 1, "seed": 3, "duration_ms": 10000,
            "cluster": {{"brokers": 1, "network_latency_ms": 100}},
            "topics": [{{"name": "t", "partitions": 1, "replication_factor": 1}}],
            "producers": [],
            "groups": [{{"id": "g", "topics": ["t"], "members": [{{"id": "m"{instance}}}]}}]}}"#
        )
    };
    let started = |json: &str| {
        let mut sim = sim(json);
        let events = run(&mut sim, 5_000_000);
        first_at(&events, "rebalance_started").expect("the group rebalances")
    };
    assert_eq!(started(&scenario("")), 300_000);
    assert_eq!(
        started(&scenario(r#", "group_instance_id": "m-host""#)),
        100_000
    );
}

#[test]
fn member_ids_are_the_client_id_and_a_uuid_and_a_restarted_consumer_gets_a_new_one() {
    // ClassicGroup.generateMemberId: clientId + "-" + UUID.randomUUID(); kafka-consumer-groups.sh shows it
    // as CONSUMER-ID beside CLIENT-ID.
    let text = &crash_and_restart_consumer_a(2);
    let mut s = sim(text);
    run(&mut s, 19_000_000);
    let view = s.view();
    let ids: Vec<String> = view.groups[0]
        .members
        .iter()
        .map(|m| m.member_id.clone().expect("joined"))
        .collect();
    for (id, name) in ids.iter().zip(["a", "b"]) {
        let uuid = id
            .strip_prefix(&format!("{name}-"))
            .expect("client.id first");
        let parts: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(parts, vec![8, 4, 4, 4, 12], "{id}");
        assert!(
            uuid.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
            "{id}"
        );
        assert_eq!(&uuid[14..15], "4", "a version 4 UUID: {id}");
    }
    assert_ne!(ids[0], ids[1]);
    for row in &view.groups[0].partitions {
        let owner = row.client_id.as_deref().expect("owned");
        let expected = if owner == "a" { &ids[0] } else { &ids[1] };
        assert_eq!(row.consumer_id.as_ref(), Some(expected));
    }
    // The same seed gives the same ids; another seed other ids.
    let mut again = sim(text);
    run(&mut again, 19_000_000);
    assert_eq!(
        again.view().groups[0].members[0].member_id,
        Some(ids[0].clone())
    );
    let mut other = sim(&text.replace(r#""seed": 10"#, r#""seed": 11"#));
    run(&mut other, 19_000_000);
    assert_ne!(
        other.view().groups[0].members[0].member_id,
        Some(ids[0].clone())
    );
    // The coordinator's record outlives the crashed process: restarted at 22 s, until the new process
    // has joined, the describe table still names the old member id as the owner.
    run(&mut s, 22_000_000);
    assert_eq!(s.view().groups[0].members[0].status, MemberStatus::Running);
    let view = s.view();
    let row = view.groups[0]
        .partitions
        .iter()
        .find(|r| r.client_id.as_deref() == Some("a"))
        .expect("a still owns a partition");
    assert_eq!(row.consumer_id.as_ref(), Some(&ids[0]));
    // The restarted process joins with a new member id.
    run(&mut s, 45_000_000);
    let view = s.view();
    let restarted = view.groups[0].members[0]
        .member_id
        .clone()
        .expect("rejoined");
    assert!(restarted.starts_with("a-"));
    assert_ne!(restarted, ids[0]);
    assert_eq!(view.groups[0].members[1].member_id.as_ref(), Some(&ids[1]));
}

// ---- 3. Log truncation detection in the consumer (KIP-320, SubscriptionState.maybeCompleteValidation) ----

#[test]
fn a_consumer_detects_the_truncation_of_an_unclean_election_and_reads_the_reused_offsets() {
    // Broker 1 follows broker 2 (the leader, by placement) over a 3 s link and drops out of the ISR;
    // broker 2 crashes and broker 1 is elected uncleanly, without the last seconds of records, and
    // writes new ones at those offsets.
    let text = r#"{"version": 1, "seed": 11, "duration_ms": 60000,
        "cluster": {"brokers": 2, "links": [{"between": [1, 2], "ms": 3000}],
                    "config": {"replica.lag.time.max.ms": "2000"}},
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 2,
                    "config": {"unclean.leader.election.enable": "true"}}],
        "producers": [{"id": "p", "topic": "t", "rate_per_sec": 20, "config": {"acks": "1"}}],
        "groups": [{"id": "g", "topics": ["t"], "config": {"auto.offset.reset": "earliest"},
                    "members": [{"id": "m"}]}],
        "timeline": [{"at_ms": 20000, "action": "crash_broker", "broker": 2}]}"#;
    let mut unclean = sim(text);
    unclean.set_record_events(true);
    let events = run(&mut unclean, 40_000_000);
    assert!(events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::LeaderElected { unclean: true, .. })));
    let (at, position, diverging) = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::LogTruncationDetected {
                position,
                diverging_offset,
                ..
            } => Some((e.t_us, *position, *diverging_offset)),
            _ => None,
        })
        .expect("the consumer detects the truncation");
    assert!(diverging < position, "{diverging} {position}");
    // It reads what the new leader wrote at the reused offsets instead of skipping them.
    let reread = events.iter().any(|e| {
        e.t_us > at
            && matches!(&e.kind, EventKind::RecordsProcessed { first_offset, .. } if *first_offset <= diverging)
    });
    assert!(
        reread,
        "no record at {diverging}.. processed after the truncation"
    );
}

// ---- 5 (static members). A static member's restart keeps its assignment, with no rebalance ----

#[test]
fn a_static_member_restarted_within_its_session_gets_its_assignment_back_without_a_rebalance() {
    let text = r#"{"version": 1, "seed": 12, "duration_ms": 60000,
        "cluster": {"brokers": 1},
        "topics": [{"name": "t", "partitions": 4, "replication_factor": 1}],
        "producers": [{"id": "p", "topic": "t", "rate_per_sec": 20, "keys": {"distinct": 8}}],
        "groups": [{"id": "g", "topics": ["t"],
                    "config": {"session.timeout.ms": "10000", "heartbeat.interval.ms": "1000"},
                    "members": [{"id": "a", "group_instance_id": "a-host"}, {"id": "b", "group_instance_id": "b-host"}]}],
        "timeline": [{"at_ms": 20000, "action": "crash_consumer", "group": "g", "member": "a"},
                     {"at_ms": 22000, "action": "restart_consumer", "group": "g", "member": "a"}]}"#;
    let mut restarted = sim(text);
    run(&mut restarted, 19_000_000);
    let before = restarted.view().groups[0].members[0].assignment.clone();
    let generation = restarted.view().groups[0].generation;
    let id_before = restarted.view().groups[0].members[0].member_id.clone();
    assert!(!before.is_empty());
    let events = run(&mut restarted, 45_000_000);
    let kinds: Vec<&str> = events
        .iter()
        .filter(|e| e.t_us > 19_000_000)
        .map(|e| e.kind.type_name())
        .collect();
    assert!(kinds.contains(&"static_member_rejoined"), "{kinds:?}");
    assert!(
        !kinds.contains(&"rebalance_started"),
        "a static member's restart needs no rebalance"
    );
    assert!(!kinds.contains(&"consumer_left"));
    let view = restarted.view();
    assert_eq!(view.groups[0].generation, generation);
    assert_eq!(view.groups[0].members[0].assignment, before);
    assert!(view.groups[0].members[0].records_processed > 0);
    // The new process has a new member id (KIP-345: the coordinator maps group.instance.id to it).
    let id_after = view.groups[0].members[0].member_id.clone().expect("joined");
    assert_ne!(Some(id_after), id_before);
    // A scenario naming an instance id twice is refused.
    let twice = text.replace("b-host", "a-host");
    let error = refused(&twice);
    assert_eq!(error.path, "groups[0].members[1].group_instance_id");
}

#[test]
fn a_static_member_that_leaves_sends_no_leave_group_and_is_removed_when_its_session_expires() {
    // AbstractCoordinator.maybeLeaveGroup: only dynamic members send LeaveGroup on close.
    let scenario = |instance: &str| {
        format!(
            r#"{{"version": 1, "seed": 13, "duration_ms": 60000,
            "cluster": {{"brokers": 1}},
            "topics": [{{"name": "t", "partitions": 4, "replication_factor": 1}}],
            "producers": [],
            "groups": [{{"id": "g", "topics": ["t"],
                         "config": {{"session.timeout.ms": "10000", "heartbeat.interval.ms": "1000"}},
                         "members": [{{"id": "a"{instance}}}, {{"id": "b"}}]}}],
            "timeline": [{{"at_ms": 20000, "action": "leave_consumer", "group": "g", "member": "a"}}]}}"#
        )
    };
    let left_at = |text: &str| {
        let mut leaving = sim(text);
        let events = run(&mut leaving, 40_000_000);
        events
            .iter()
            .find(|e| e.t_us > 20_000_000 && e.kind.type_name() == "consumer_left")
            .map(|e| e.t_us)
            .expect("a leaves the group")
    };
    // Dynamic: LeaveGroup at once. Static: removed 10 s after its last heartbeat (at most 1 s before).
    assert!(left_at(&scenario("")) < 20_100_000);
    let static_left = left_at(&scenario(r#", "group_instance_id": "a-host""#));
    assert!(
        (29_000_000..=30_100_000).contains(&static_left),
        "{static_left}"
    );
}

// ---- 10. buffer.memory and max.block.ms (BufferPool.allocate, KafkaProducer.doSend) ----

/// With no leader to send to, batches pile up in the accumulator until `buffer.memory` is full. Then
/// `send()` blocks; after `max.block.ms` it throws a TimeoutException for that record; once the leader
/// is back the backlog drains and `send()` returns. The accumulator never holds more than the buffer.
#[test]
fn a_full_buffer_memory_blocks_send_and_times_out_after_max_block_ms() {
    let mut s = sim(r#"{"version": 1, "seed": 1, "duration_ms": 60000,
        "cluster": {"brokers": 1},
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 1}],
        "producers": [{"id": "p", "topic": "t", "rate_per_sec": 1000, "record_bytes": 100,
                       "config": {"buffer.memory": "10000", "max.block.ms": "2000"}}],
        "groups": [],
        "timeline": [{"at_ms": 1000, "action": "crash_broker", "broker": 1},
                     {"at_ms": 20000, "action": "restart_broker", "broker": 1}]}"#);
    let mut events = Vec::new();
    let mut most_pending = 0;
    let mut cursor = 0;
    for step in 1..=400u64 {
        s.advance_to(step * 100_000);
        events.extend(drain(&s, &mut cursor));
        let pending = s.view().producers[0].records_pending;
        most_pending = most_pending.max(pending);
    }
    assert!(
        most_pending <= 100,
        "the accumulator held {most_pending} records of 100 bytes in a 10,000-byte buffer"
    );
    let blocked = first_at(&events, "producer_blocked").expect("send() blocks on a full buffer");
    assert!(
        (1_000_000..3_000_000).contains(&blocked),
        "blocked at {blocked} µs"
    );
    let timeouts: Vec<u64> = events
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                EventKind::ProduceError {
                    error: kafka_sim::sim::event::Reason::BufferExhausted,
                    ..
                }
            )
        })
        .map(|e| e.t_us)
        .collect();
    assert!(
        !timeouts.is_empty(),
        "max.block.ms passes while the broker is down"
    );
    assert!(
        timeouts[0] >= blocked + 2_000_000,
        "the first TimeoutException comes max.block.ms after blocking"
    );
    for pair in timeouts.windows(2) {
        assert!(
            pair[1] - pair[0] >= 2_000_000,
            "one record per max.block.ms: {timeouts:?}"
        );
    }
    let unblocked =
        first_at(&events, "producer_unblocked").expect("send() returns once the backlog drains");
    assert!(
        unblocked > 20_000_000,
        "unblocked at {unblocked} µs, after the restart"
    );
    let view = s.view();
    assert!(view.producers[0].records_acknowledged > 0);
}
