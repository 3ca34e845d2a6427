//! Random command sequences applied to a running simulation (order-service), as the page sends them:
//! each is accepted or refused with a field named, the invariants hold, and the run's link loads.
#![no_main]

use kafka_sim::sim::scenario::{Command, GroupSpec, KeySpec, MemberSpec};
use kafka_sim::sim::{invariants, Simulation};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "orders",
    "email_group",
    "inventory_group",
    "email-1",
    "email-2",
    "inventory-1",
    "order-service",
    "nope",
    "controller",
    "broker:1",
    "broker:9",
    "member:email_group/email-1",
    "producer:order-service",
    "g2",
    "g2-1",
    "<img src=x onerror=alert(1)>",
    "",
];
const CONFIGS: &[(&str, &[&str])] = &[
    ("acks", &["0", "1", "all", "x"]),
    ("enable.idempotence", &["true", "false"]),
    ("linger.ms", &["0", "5", "-1"]),
    ("max.in.flight.requests.per.connection", &["1", "5", "6"]),
    ("max.poll.records", &["1", "500", "0"]),
    ("session.timeout.ms", &["6000", "1"]),
    (
        "partition.assignment.strategy",
        &["range", "cooperative-sticky", "x"],
    ),
    ("enable.auto.commit", &["true", "false"]),
    ("min.insync.replicas", &["1", "2", "3"]),
    ("retention.ms", &["1000", "-1"]),
    ("unclean.leader.election.enable", &["true", "false"]),
    ("bogus", &["1"]),
];

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        *first
    }
    fn number(&mut self) -> u64 {
        u64::from_le_bytes(std::array::from_fn(|_| self.byte()))
    }
    fn name(&mut self) -> String {
        NAMES[self.byte() as usize % NAMES.len()].to_string()
    }
}

fn command(b: &mut Bytes) -> Command {
    let (config, values) = CONFIGS[b.byte() as usize % CONFIGS.len()];
    let value = values[b.byte() as usize % values.len()].to_string();
    match b.byte() % 17 {
        0 => Command::CrashBroker {
            broker: b.byte() as u32 % 5,
        },
        1 => Command::RestartBroker {
            broker: b.byte() as u32 % 5,
        },
        2 => Command::CrashConsumer {
            group: b.name(),
            member: b.name(),
        },
        3 => Command::LeaveConsumer {
            group: b.name(),
            member: b.name(),
        },
        4 => Command::RestartConsumer {
            group: b.name(),
            member: b.name(),
        },
        5 => Command::StallConsumer {
            group: b.name(),
            member: b.name(),
            ms: b.number(),
        },
        6 => Command::AddConsumer {
            group: b.name(),
            member: b.name(),
            topics: None,
        },
        7 => Command::AddGroup {
            group: GroupSpec {
                id: b.name(),
                topics: vec![b.name()],
                processing_ms_per_record: b.byte() as f64,
                commit: None,
                idempotent: false,
                config: [(config.to_string(), value)].into_iter().collect(),
                members: vec![MemberSpec {
                    group_instance_id: None,
                    id: b.name(),
                    topics: None,
                }],
            },
        },
        8 => Command::SetProducerRate {
            producer: b.name(),
            rate_per_sec: b.number() as u32,
        },
        9 => Command::SetProducerKeys {
            producer: b.name(),
            keys: match b.byte() % 4 {
                0 => KeySpec::None,
                1 => KeySpec::List(vec![b.name(), b.name()]),
                2 => KeySpec::Distinct(b.number() as u32),
                _ => KeySpec::Hot {
                    key: b.name(),
                    percent: b.byte() as u32,
                    distinct: 3,
                },
            },
        },
        10 => Command::SetProducerConfig {
            producer: b.name(),
            name: config.into(),
            value,
        },
        11 => Command::SetGroupConfig {
            group: b.name(),
            name: config.into(),
            value,
        },
        12 => Command::SetProcessingTime {
            group: b.name(),
            ms_per_record: f64::from_bits(b.number()),
        },
        13 => Command::SetTopicConfig {
            topic: b.name(),
            name: config.into(),
            value,
        },
        14 => Command::AddPartitions {
            topic: b.name(),
            partitions: b.byte() as u32,
        },
        15 => Command::PartitionNetwork {
            a: b.name(),
            b: (b.byte() % 2 == 0).then(|| b.name()),
        },
        _ => Command::HealNetwork {
            a: (b.byte() % 2 == 0).then(|| b.name()),
            b: (b.byte() % 2 == 0).then(|| b.name()),
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let mut sim =
        Simulation::from_json(include_str!("../../../public/scenarios/order-service.json"))
            .unwrap();
    let mut bytes = Bytes(data);
    for _ in 0..16 {
        if bytes.0.is_empty() {
            break;
        }
        let gap = (bytes.byte() as u64) * 2_000;
        let target = sim.now_us() + gap;
        sim.advance_to(target);
        if let Err(error) = sim.schedule_command(command(&mut bytes)) {
            assert!(
                !error.path.is_empty(),
                "a rejection without a field: {error}"
            );
        }
        if let Err(violation) = invariants::check(&sim) {
            panic!("t = {} µs: {violation}", sim.now_us());
        }
    }
    let link = kafka_sim::share::encode_fragment(&sim.replay_scenario());
    assert!(
        kafka_sim::share::decode_fragment(&link).is_ok_and(|s| s.is_some()),
        "the run's link does not load"
    );
});
