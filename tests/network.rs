//! Network faults: `partition_network` and `heal_network` cut and heal links between nodes, and what Kafka
//! does about each cut is visible. A broker cut off from the controller is fenced; a leader cut off from its
//! followers shrinks the ISR; a consumer cut off from its coordinator loses its membership after
//! `session.timeout.ms`. Healed, each comes back.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use kafka_sim::sim::config::Code;
use kafka_sim::sim::event::{EventKind, Reason, TraceEvent};
use kafka_sim::sim::ids::{BrokerId, GroupIx, MemberSlot};
use kafka_sim::sim::network::Node;
use kafka_sim::sim::{Command, Simulation};
use support::{of_type, run_from_now as run};

/// Three brokers, one topic of two partitions on all three (`min.insync.replicas=2`), an acks=all
/// producer, and a group of two members with the Kafka 4.x defaults (session 45 s, heartbeat 3 s).
const SCENARIO: &str = r#"{"version": 1, "seed": 7, "duration_ms": 600000,
    "cluster": {"brokers": 3, "network_latency_ms": 2},
    "topics": [{"name": "t", "partitions": 2, "replication_factor": 3,
                "config": {"min.insync.replicas": "2"}}],
    "producers": [{"id": "p", "topic": "t", "rate_per_sec": 50, "config": {"acks": "all"}}],
    "groups": [{"id": "g", "topics": ["t"], "members": [{"id": "m1"}, {"id": "m2"}]}]}"#;

fn sim() -> Simulation {
    support::sim(SCENARIO)
}

fn cut(sim: &mut Simulation, a: &str, b: Option<&str>) {
    sim.apply(Command::PartitionNetwork {
        a: a.into(),
        b: b.map(String::from),
    })
    .unwrap();
}

fn heal(sim: &mut Simulation) {
    sim.apply(Command::HealNetwork { a: None, b: None })
        .unwrap();
}

fn leader_of(sim: &Simulation, partition: usize) -> u32 {
    sim.view().topics[0].partitions[partition]
        .leader
        .expect("a leader")
}

#[test]
fn a_broker_cut_off_from_the_controller_is_fenced_and_unfenced_when_the_network_heals() {
    let mut sim = sim();
    run(&mut sim, 10_000_000);
    let broker = leader_of(&sim, 0);
    cut(&mut sim, &format!("broker:{broker}"), Some("controller"));
    let events = run(&mut sim, 30_000_000);
    // Heartbeats every 2 s from registration at 0; the controller fences it 9 s after the last one that
    // arrived (at 8 s): at 17 s, as if it had crashed at 10 s.
    let fenced: Vec<u64> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::BrokerFenced { broker: b } if b == broker))
        .map(|e| e.t_us)
        .collect();
    assert_eq!(fenced, vec![17_000_000]);
    let view = sim.view();
    let b = &view.brokers[(broker - 1) as usize];
    assert!(b.alive && b.fenced, "{b:?}");
    assert_ne!(leader_of(&sim, 0), broker, "its leadership moved");
    assert!(!view.topics[0].partitions[0].isr.contains(&broker));
    assert_eq!(
        view.cuts,
        vec![(
            Node::Controller,
            Some(Node::Broker {
                broker: BrokerId(broker)
            })
        )]
    );

    heal(&mut sim);
    let events = run(&mut sim, 60_000_000);
    assert!(events
        .iter()
        .any(|e| e.kind == EventKind::BrokerUnfenced { broker } && e.t_us == 30_000_000));
    let view = sim.view();
    assert!(view.cuts.is_empty());
    assert!(!view.brokers[(broker - 1) as usize].fenced);
    for partition in &view.topics[0].partitions {
        assert_eq!(partition.isr.len(), 3, "back in every ISR: {partition:?}");
    }
}

#[test]
fn a_leader_cut_off_from_its_followers_shrinks_the_isr_and_acks_all_fails_until_healed() {
    let mut sim = sim();
    run(&mut sim, 10_000_000);
    let leader = leader_of(&sim, 0);
    for follower in (1..=3).filter(|b| *b != leader) {
        cut(
            &mut sim,
            &format!("broker:{leader}"),
            Some(&format!("broker:{follower}")),
        );
    }
    let events = run(&mut sim, 60_000_000);
    // The followers' fetches are lost; replica.lag.time.max.ms (30 s) after their last fetch the leader
    // (still in touch with the controller) shrinks the ISR to itself.
    let shrunk = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::IsrChanged {
                partition: 0,
                isr,
                reason: Reason::FollowerOutOfSync,
                ..
            } if isr == &vec![leader] => Some(e.t_us),
            _ => None,
        })
        .expect("the ISR shrinks to the leader");
    assert!((40_000_000..=46_000_000).contains(&shrunk), "{shrunk}");
    // Below min.insync.replicas=2: acks=all produce requests fail with NOT_ENOUGH_REPLICAS.
    assert!(events.iter().any(|e| e.t_us > shrunk
        && matches!(
            &e.kind,
            EventKind::ProduceError {
                error: Reason::NotEnoughReplicas,
                ..
            }
        )));
    assert_eq!(leader_of(&sim, 0), leader, "the leader itself stays");

    heal(&mut sim);
    // The followers' lost fetches time out (replica.socket.timeout.ms, 30 s), back off 1 s, fetch again
    // and catch up.
    let events = run(&mut sim, 120_000_000);
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::IsrChanged {
            partition: 0,
            reason: Reason::FollowerCaughtUp,
            ..
        }
    )));
    assert_eq!(sim.view().topics[0].partitions[0].isr.len(), 3);
    assert_eq!(sim.view().producers[0].acknowledged_records_lost, 0);
}

#[test]
fn a_consumer_cut_off_from_its_coordinator_loses_its_membership_after_the_session_timeout() {
    let mut sim = sim();
    run(&mut sim, 20_000_000);
    assert!(sim.view().groups[0]
        .members
        .iter()
        .all(|m| !m.assignment.is_empty()));
    cut(&mut sim, "member:g/m1", None);
    let events = run(&mut sim, 90_000_000);
    // Heartbeats every 3 s; the coordinator removes it 45 s after the last that arrived.
    let left = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ConsumerLeft { member, reason, .. } if member == "m1" => {
                Some((e.t_us, reason.clone()))
            }
            _ => None,
        })
        .expect("m1 is removed");
    assert_eq!(left.1, Reason::SessionTimeoutExpired);
    assert!((62_000_000..=65_100_000).contains(&left.0), "{left:?}");
    let view = sim.view();
    let m2 = &view.groups[0].members[1];
    assert_eq!(m2.assignment.len(), 2, "m2 took both partitions: {m2:?}");

    heal(&mut sim);
    // Its next heartbeat is answered UNKNOWN_MEMBER_ID: it rejoins and gets a partition back.
    run(&mut sim, 150_000_000);
    let view = sim.view();
    assert!(
        view.groups[0]
            .members
            .iter()
            .all(|m| m.assignment.len() == 1),
        "{:?}",
        view.groups[0].members
    );
}

#[test]
fn a_lost_commit_times_out_and_a_lost_join_is_sent_again() {
    let mut sim = sim();
    run(&mut sim, 20_000_000);
    cut(&mut sim, "member:g/m1", None);
    // m1's auto-commits (every 5 s) are lost: each fails after request.timeout.ms (30 s).
    let events = run(&mut sim, 60_000_000);
    let timed_out: Vec<u64> = events
        .iter()
        .filter(|e| {
            matches!(&e.kind, EventKind::CommitFailed { member, error: Reason::RequestTimeout, .. } if member == "m1")
        })
        .map(|e| e.t_us)
        .collect();
    assert!(
        !timed_out.is_empty() && timed_out[0] >= 50_000_000,
        "{timed_out:?}"
    );
    // A new process of m1, still cut off, sends a JoinGroup that is lost: it is sent again each time
    // request.timeout.ms passes, and gets through once the network heals.
    for command in [
        Command::CrashConsumer {
            group: "g".into(),
            member: "m1".into(),
        },
        Command::RestartConsumer {
            group: "g".into(),
            member: "m1".into(),
        },
    ] {
        sim.apply(command).unwrap();
    }
    let events = run(&mut sim, 100_000_000);
    let retried: Vec<u64> = events
        .iter()
        .filter(|e| matches!(
            &e.kind,
            EventKind::CoordinatorRequestTimedOut { member, request, .. } if member == "m1" && request == "JoinGroup"
        ))
        .map(|e| e.t_us)
        .collect();
    assert_eq!(retried, vec![90_000_000], "sent at 60 s, retried at 90 s");
    heal(&mut sim);
    run(&mut sim, 200_000_000);
    assert!(sim.view().groups[0]
        .members
        .iter()
        .all(|m| m.assignment.len() == 1));
}

#[test]
fn a_producer_cut_off_from_the_leader_times_out_and_delivers_once_healed() {
    let mut sim = sim();
    run(&mut sim, 10_000_000);
    cut(&mut sim, "producer:p", None);
    let before = sim.view().producers[0].records_acknowledged;
    let events = run(&mut sim, 50_000_000);
    assert_eq!(sim.view().producers[0].records_acknowledged, before);
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::ProduceError {
            error: Reason::RequestTimeout,
            ..
        }
    )));
    heal(&mut sim);
    run(&mut sim, 80_000_000);
    assert!(sim.view().producers[0].records_acknowledged > before);
}

#[test]
fn partial_heals_heal_only_what_they_name() {
    let mut sim = sim();
    cut(&mut sim, "broker:1", None);
    cut(&mut sim, "member:g/m1", Some("broker:2"));
    // Healing broker 1's link to the controller leaves it cut off from everything else.
    sim.apply(Command::HealNetwork {
        a: Some("broker:1".into()),
        b: Some("controller".into()),
    })
    .unwrap();
    let cuts = sim.view().cuts;
    assert!(!cuts.contains(&(
        Node::Broker {
            broker: BrokerId(1)
        },
        None
    )));
    assert!(cuts.contains(&(
        Node::Broker {
            broker: BrokerId(1)
        },
        Some(Node::Broker {
            broker: BrokerId(2)
        })
    )));
    assert!(cuts.contains(&(
        Node::Broker {
            broker: BrokerId(1)
        },
        Some(Node::Member {
            group: GroupIx(0),
            member: MemberSlot(0)
        })
    )));
    assert!(!cuts.contains(&(
        Node::Controller,
        Some(Node::Broker {
            broker: BrokerId(1)
        })
    )));
    // Healing broker 1 heals all its cuts; the member's cut to broker 2 stays.
    sim.apply(Command::HealNetwork {
        a: Some("broker:1".into()),
        b: None,
    })
    .unwrap();
    assert_eq!(
        sim.view().cuts,
        vec![(
            Node::Broker {
                broker: BrokerId(2)
            },
            Some(Node::Member {
                group: GroupIx(0),
                member: MemberSlot(0)
            })
        )]
    );
}

#[test]
fn network_fault_commands_name_the_bad_field() {
    let mut sim = sim();
    // The command, the field named, the problem's code and some of its fields.
    type Case = (
        Command,
        &'static str,
        Code,
        &'static [(&'static str, &'static str)],
    );
    let cases: [Case; 6] = [
        (
            Command::PartitionNetwork {
                a: "broker-1".into(),
                b: None,
            },
            "a",
            Code::BadNode,
            &[("value", "\"broker-1\"")],
        ),
        (
            Command::PartitionNetwork {
                a: "broker:4".into(),
                b: None,
            },
            "a",
            Code::Range,
            &[("value", "4"), ("min", "1"), ("max", "3")],
        ),
        (
            Command::PartitionNetwork {
                a: "controller".into(),
                b: Some("member:g/zz".into()),
            },
            "b",
            Code::UnknownMemberInGroup,
            &[("group", "g")],
        ),
        (
            Command::PartitionNetwork {
                a: "producer:p".into(),
                b: Some("producer:p".into()),
            },
            "b",
            Code::SameNode,
            &[],
        ),
        (
            Command::HealNetwork {
                a: None,
                b: Some("controller".into()),
            },
            "b",
            Code::BWithoutA,
            &[],
        ),
        (
            Command::HealNetwork {
                a: Some("producer:nope".into()),
                b: None,
            },
            "a",
            Code::UnknownProducer,
            &[],
        ),
    ];
    for (command, path, code, fields) in cases {
        let error = sim.apply(command.clone()).unwrap_err();
        assert!(
            error.path.ends_with(path)
                && support::code(&error) == Some(code)
                && fields
                    .iter()
                    .all(|(name, value)| support::field(&error, name) == Some(*value)),
            "{command:?}: {error:?}"
        );
    }
    assert!(sim.view().cuts.is_empty(), "nothing was applied");
}

// ---- group coordinator failover: the coordinator is the leader of the group's __consumer_offsets partition ----

fn coordinator(sim: &Simulation) -> Option<u32> {
    sim.view().groups[0].coordinator
}

#[test]
fn when_the_coordinators_broker_fails_the_coordinator_moves_and_the_group_keeps_its_members_and_offsets(
) {
    let mut sim = sim();
    run(&mut sim, 20_000_000);
    let old = coordinator(&sim).expect("a coordinator");
    let committed_before: Vec<Option<u64>> = sim.view().groups[0]
        .partitions
        .iter()
        .map(|r| r.current_offset)
        .collect();
    sim.apply(Command::CrashBroker { broker: old }).unwrap();
    let events = run(&mut sim, 60_000_000);
    // Until the controller fences the broker (9 s after its last heartbeat, at 18 s) its offsets partition
    // keeps its leader: the members' requests find the broker down (COORDINATOR_NOT_AVAILABLE) and they
    // look the coordinator up again.
    let unavailable = of_type(&events, "coordinator_unavailable");
    assert!(!unavailable.is_empty());
    assert!(unavailable.iter().all(|e| matches!(
        &e.kind,
        EventKind::CoordinatorUnavailable {
            error: Reason::CoordinatorNotAvailable,
            ..
        }
    )));
    let moved = of_type(&events, "coordinator_moved");
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(
        moved[0].t_us, 27_000_000,
        "fenced 9 s after the last heartbeat at 18 s"
    );
    let new = coordinator(&sim).expect("a new coordinator");
    assert_ne!(new, old);
    assert_eq!(
        moved[0].kind,
        EventKind::CoordinatorMoved {
            group: "g".into(),
            from: Some(old),
            to: Some(new)
        }
    );
    // The new coordinator loaded the group: no member left, no rebalance, and the committed offsets went
    // on from where they were (commits reach it after the move).
    assert!(of_type(&events, "consumer_left").is_empty());
    assert!(of_type(&events, "rebalance_started").is_empty());
    assert!(of_type(&events, "offset_committed")
        .iter()
        .any(|e| e.t_us > moved[0].t_us));
    let view = sim.view();
    assert_eq!(view.groups[0].state, "Stable");
    for (row, before) in view.groups[0].partitions.iter().zip(committed_before) {
        assert!(row.current_offset >= before, "{row:?}");
    }
    // `kafka-sim run --json` names the coordinator.
    let json = kafka_sim::sim::report::json(&view);
    assert_eq!(json["groups"][0]["coordinator"], serde_json::json!(new));
}

#[test]
fn without_a_live_replica_of_its_offsets_partition_a_group_has_no_coordinator_until_one_returns() {
    let text = SCENARIO
        .replace(r#""brokers": 3"#, r#""brokers": 1"#)
        .replace(
            r#""replication_factor": 3,
                "config": {"min.insync.replicas": "2"}"#,
            r#""replication_factor": 1"#,
        );
    let mut sim = support::sim(&text);
    run(&mut sim, 20_000_000);
    assert_eq!(coordinator(&sim), Some(1));
    sim.apply(Command::CrashBroker { broker: 1 }).unwrap();
    run(&mut sim, 30_000_000);
    assert_eq!(coordinator(&sim), None, "COORDINATOR_NOT_AVAILABLE");
    sim.apply(Command::RestartBroker { broker: 1 }).unwrap();
    let events = run(&mut sim, 60_000_000);
    assert_eq!(coordinator(&sim), Some(1));
    assert!(events.iter().any(|e| e.kind
        == EventKind::CoordinatorMoved {
            group: "g".into(),
            from: None,
            to: Some(1)
        }));
    // The members had no coordinator for 10 s; the one that loads the group gives them a whole session
    // to find it, so no one is dropped.
    assert!(of_type(&events, "consumer_left").is_empty(), "{events:?}");
    assert_eq!(sim.view().groups[0].state, "Stable");
}

#[test]
fn a_coordinator_that_moves_during_a_rebalance_starts_it_again_and_completes_it() {
    let mut sim = sim();
    run(&mut sim, 20_000_000);
    let old = coordinator(&sim).unwrap();
    // Cut off from the controller at 26 s, the coordinator's broker is fenced at 33 s while it still runs.
    // A member joining at 26 s starts a rebalance that m2, its processing thread stalled for 20 s, cannot
    // rejoin before the coordinator moves.
    run(&mut sim, 26_000_000);
    cut_coordinator_during_a_join(&mut sim, old);
    let events = run(&mut sim, 80_000_000);
    let restarted = events.iter().find(|e| {
        matches!(
            &e.kind,
            EventKind::RebalanceStarted {
                reason: Reason::CoordinatorMoved,
                ..
            }
        )
    });
    assert!(
        restarted.is_some(),
        "{:?}",
        of_type(&events, "rebalance_started")
    );
    // The members whose JoinGroup the old coordinator held learn NOT_COORDINATOR and send it again.
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::CoordinatorUnavailable {
            error: Reason::NotCoordinator,
            ..
        }
    )));
    assert_ne!(coordinator(&sim), Some(old));
    let view = sim.view();
    assert_eq!(view.groups[0].state, "Stable");
    assert_eq!(view.groups[0].members.len(), 3);
    assert!(
        view.groups[0]
            .members
            .iter()
            .filter(|m| !m.assignment.is_empty())
            .count()
            >= 2
    );
}

#[test]
fn the_network_faults_example_tells_the_story_its_description_tells() {
    let mut sim = support::sim(include_str!("../public/scenarios/network-faults.json"));
    let events = run(&mut sim, 150_000_000);
    let at = |kind: &str| -> Vec<u64> { of_type(&events, kind).iter().map(|e| e.t_us).collect() };
    // Broker 2, cut off from the controller at 10 s, is fenced 9 s after its last heartbeat (at 8 s).
    assert!(events
        .iter()
        .any(|e| e.kind == EventKind::BrokerFenced { broker: 2 } && e.t_us == 17_000_000));
    assert!(events
        .iter()
        .any(|e| e.kind == EventKind::BrokerUnfenced { broker: 2 } && e.t_us == 30_000_000));
    // email-1, cut off from every node at 40 s, is removed about session.timeout.ms later.
    let left = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ConsumerLeft { member, reason, .. } if member == "email-1" => {
                Some((e.t_us, reason.clone()))
            }
            _ => None,
        })
        .expect("email-1 is removed");
    assert_eq!(left.1, Reason::SessionTimeoutExpired);
    assert!((82_000_000..=85_100_000).contains(&left.0), "{left:?}");
    assert!(!at("network_healed").is_empty());
    // Healed at 100 s, it rejoins: by the end both members own partitions, and no acknowledged record is
    // lost (acks=all, min.insync.replicas=2).
    let view = sim.view();
    let email = support::group(&view, "email_group");
    assert!(
        email.members.iter().all(|m| !m.assignment.is_empty()),
        "{email:?}"
    );
    assert_eq!(view.producers[0].acknowledged_records_lost, 0);
    assert!(view.brokers.iter().all(|b| b.alive && !b.fenced));
    assert!(view.cuts.is_empty());
}

/// Runs instant by instant until the group's join completes (the JoinGroup responses go out) and returns
/// that instant.
fn run_to_completing_rebalance(sim: &mut Simulation) -> u64 {
    while sim.view().groups[0].state != "CompletingRebalance" {
        assert!(sim.step(), "the join completes");
    }
    sim.now_us()
}

/// The times each member's request timed out, for `request`.
fn timed_out(events: &[TraceEvent], request: &str) -> Vec<(String, u64)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CoordinatorRequestTimedOut {
                member, request: r, ..
            } if r == request => Some((member.clone(), e.t_us)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_leader_cut_off_from_its_coordinator_during_the_sync_stalls_the_rebalance_until_the_network_heals(
) {
    let mut sim = sim();
    run(&mut sim, 20_000_000);
    let broker = coordinator(&sim).expect("a coordinator");
    sim.apply(Command::AddConsumer {
        group: "g".into(),
        member: "m3".into(),
        topics: None,
    })
    .unwrap();
    // The join completes: the JoinGroup responses are on their way, the leader's with the members. Cut
    // then, the leader gets its answer but its SyncGroup, carrying the assignment, is lost.
    let joined = run_to_completing_rebalance(&mut sim);
    let view = sim.view();
    let (generation, leader) = (
        view.groups[0].generation,
        view.groups[0].leader.clone().expect("a leader"),
    );
    cut(
        &mut sim,
        &format!("member:g/{leader}"),
        Some(&format!("broker:{broker}")),
    );
    let events = run(&mut sim, joined + 20_000_000);
    // The followers' SyncGroups wait at the coordinator for the leader's: no generation is Stable, no
    // member has its partitions.
    assert!(
        of_type(&events, "rebalance_completed").is_empty(),
        "{:?}",
        of_type(&events, "rebalance_completed")
    );
    assert!(of_type(&events, "partitions_assigned").is_empty());
    let view = sim.view();
    assert_eq!(view.groups[0].state, "CompletingRebalance");
    assert_eq!(view.groups[0].generation, generation);
    assert!(view.groups[0].members.iter().all(|m| m.joining));

    heal(&mut sim);
    let events = run(&mut sim, joined + 60_000_000);
    // request.timeout.ms (30 s) after they were sent (one network hop after the join completed), every
    // member gives up on its SyncGroup and joins again; the coordinator answers each with the same
    // generation, and the leader, reaching it again, sends its assignment.
    let sent = joined + 2_000;
    let mut gave_up = timed_out(&events, "SyncGroup");
    gave_up.sort();
    assert_eq!(
        gave_up,
        vec![
            ("m1".to_string(), sent + 30_000_000),
            ("m2".to_string(), sent + 30_000_000),
            ("m3".to_string(), sent + 30_000_000),
        ]
    );
    let completed = of_type(&events, "rebalance_completed");
    assert_eq!(completed.len(), 1, "{completed:?}");
    assert!(completed[0].t_us > sent + 30_000_000);
    match &completed[0].kind {
        EventKind::RebalanceCompleted {
            generation: g,
            leader: l,
            ..
        } => assert_eq!((*g, l), (generation, &leader)),
        other => panic!("{other:?}"),
    }
    assert!(of_type(&events, "consumer_left").is_empty());
    assert!(of_type(&events, "rebalance_started").is_empty());
    let view = sim.view();
    assert_eq!(view.groups[0].state, "Stable");
    assert_eq!(view.groups[0].generation, generation);
    // Every member took the generation's assignment: the two partitions, to two of the three.
    let members = &view.groups[0].members;
    assert!(
        members.iter().all(|m| m.generation == Some(generation))
            && members.iter().map(|m| m.assignment.len()).sum::<usize>() == 2,
        "{members:?}"
    );
}

#[test]
fn a_not_coordinator_answer_across_a_cut_is_lost_and_the_member_times_out() {
    let mut sim = sim();
    run(&mut sim, 26_000_000);
    let old = coordinator(&sim).unwrap();
    // As in `a_coordinator_that_moves_during_a_rebalance_starts_it_again_and_completes_it`: the
    // coordinator's broker, cut off from the controller at 26 s, is fenced at 33 s, while m1's and m3's
    // JoinGroups wait there for m2 (stalled).
    cut_coordinator_during_a_join(&mut sim, old);
    let events = run(&mut sim, 30_000_000);
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::ConsumerJoining { member, .. } if member == "m1"
    )));
    // m1 is cut off from the old coordinator after its JoinGroup got there.
    cut(&mut sim, "member:g/m1", Some(&format!("broker:{old}")));
    let events = run(&mut sim, 80_000_000);
    let moved = of_type(&events, "coordinator_moved");
    assert_eq!(moved.len(), 1);
    let moved_at = moved[0].t_us;
    // The old coordinator answers both NOT_COORDINATOR: m3 hears it a hop later, m1's answer is lost.
    let not_coordinator: Vec<(&str, u64)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CoordinatorUnavailable {
                member,
                error: Reason::NotCoordinator,
                ..
            } => Some((member.as_str(), e.t_us)),
            _ => None,
        })
        .collect();
    assert_eq!(not_coordinator, vec![("m3", moved_at + 2_000)]);
    // m1 waits request.timeout.ms for the answer, then sends its JoinGroup again, to the new coordinator.
    assert_eq!(
        timed_out(&events, "JoinGroup"),
        vec![("m1".to_string(), moved_at + 30_000_000)]
    );
    let view = sim.view();
    assert_ne!(coordinator(&sim), Some(old));
    assert_eq!(view.groups[0].state, "Stable");
    let members = &view.groups[0].members;
    assert!(
        members.iter().all(|m| m.in_group)
            && members.iter().map(|m| m.assignment.len()).sum::<usize>() == 2,
        "{members:?}"
    );
}

#[test]
fn a_member_whose_sync_group_never_arrives_is_removed_after_the_rebalance_timeout() {
    // A session longer than the rebalance timeout (max.poll.interval.ms), so that the session does not
    // remove the member first.
    let text = SCENARIO.replace(
        r#""groups": [{"id": "g", "topics": ["t"],"#,
        r#""groups": [{"id": "g", "topics": ["t"], "config": {"session.timeout.ms": "60000", "max.poll.interval.ms": "20000"},"#,
    );
    let mut sim = Simulation::from_json(&text).unwrap();
    run(&mut sim, 20_000_000);
    let broker = coordinator(&sim).unwrap();
    sim.apply(Command::AddConsumer {
        group: "g".into(),
        member: "m3".into(),
        topics: None,
    })
    .unwrap();
    let joined = run_to_completing_rebalance(&mut sim);
    let view = sim.view();
    let generation = view.groups[0].generation;
    let follower = ["m1", "m2", "m3"]
        .into_iter()
        .find(|m| view.groups[0].leader.as_deref() != Some(*m))
        .unwrap();
    // The follower gets its JoinGroup answer, but its SyncGroup is lost; the leader's makes the group
    // Stable without it.
    cut(
        &mut sim,
        &format!("member:g/{follower}"),
        Some(&format!("broker:{broker}")),
    );
    let events = run(&mut sim, joined + 30_000_000);
    let completed: Vec<(u64, i32)> = of_type(&events, "rebalance_completed")
        .iter()
        .map(|e| match &e.kind {
            EventKind::RebalanceCompleted { generation, .. } => (e.t_us, *generation),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(completed[0], (joined + 4_000, generation));
    // `expirePendingSync`: the rebalance timeout after the join completed, it is removed and the group
    // rebalances.
    let left: Vec<(u64, Reason)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ConsumerLeft { member, reason, .. } if member == follower => {
                Some((e.t_us, reason.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        left,
        vec![(joined + 20_000_000, Reason::SyncTimeoutExpired)]
    );
    assert!(events.iter().any(|e| e.t_us == joined + 20_000_000
        && matches!(&e.kind, EventKind::RebalanceStarted { generation: g, .. } if *g == generation)));
    // The others join the next generation without it.
    assert_eq!(completed.len(), 2, "{completed:?}");
    assert_eq!(completed[1].1, generation + 1);
    let view = sim.view();
    assert_eq!(view.groups[0].state, "Stable");
    assert_eq!(view.groups[0].generation, generation + 1);
}

/// Cuts the coordinator's broker `old` off from the controller (it is fenced and the coordinator moves)
/// while a rebalance waits there: m2 stalls for 20 s and m3 joins.
fn cut_coordinator_during_a_join(sim: &mut Simulation, old: u32) {
    sim.apply(Command::PartitionNetwork {
        a: format!("broker:{old}"),
        b: Some("controller".into()),
    })
    .unwrap();
    sim.apply(Command::StallConsumer {
        group: "g".into(),
        member: "m2".into(),
        ms: 20_000,
    })
    .unwrap();
    sim.apply(Command::AddConsumer {
        group: "g".into(),
        member: "m3".into(),
        topics: None,
    })
    .unwrap();
}
