//! Scenario files: the documented JSON contract (`docs/scenario-format.md`) and the commands a user or a
//! timeline can apply to a running simulation. Everything here validates before the simulation sees it:
//! a scenario that parses is one the core can run.

use super::config::{
    field, ClusterConfig, Code, ConsumerConfig, InputError, Problem, ProducerConfig, Properties,
    TopicConfig,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

pub const SCENARIO_VERSION: u32 = 1;
pub const MAX_BROKERS: u32 = 9;
// A consumer marks the brokers it cannot fetch from in one `u64`, a bit per broker id (1..=MAX_BROKERS).
const _: () = assert!(MAX_BROKERS < 64);
pub const MAX_TOPICS: usize = 8;
pub const MAX_PARTITIONS: u32 = 64;
pub const MAX_PRODUCERS: usize = 16;
pub const MAX_GROUPS: usize = 8;
pub const MAX_MEMBERS: usize = 32;
/// Partitions over all topics, and members over all groups: what the page can draw and describe within a
/// frame (`tests/e2e/input-bench.mjs` measures the largest scenario these bounds accept).
pub const MAX_TOTAL_PARTITIONS: u32 = 64;
pub const MAX_TOTAL_MEMBERS: usize = 64;
pub const MAX_RATE_PER_SEC: u32 = 100_000;
pub const MAX_DURATION_MS: u64 = 7 * 24 * 3600 * 1000;
/// The coarsest time quantum: one second keeps heartbeats (3 s) and polls distinguishable.
pub const MAX_TIME_QUANTUM_MS: u64 = 1_000;
pub const MAX_PROCESSING_MS_PER_RECORD: f64 = 600_000.0;
pub const MAX_LATENCY_MS: u64 = 10_000;
pub const MAX_TIMELINE: usize = 2_000;
/// A scenario file or decoded link larger than this is refused before it is parsed.
pub const MAX_SCENARIO_BYTES: usize = 256 * 1024;
pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// Keys in a producer's `keys.list`, and the length of one key (`list` entries and `hot.key`).
pub const MAX_KEYS: usize = 1_000;
pub const MAX_KEY_CHARS: usize = 256;
/// The longest a member can stall (`stall_consumer`'s `ms`).
pub const MAX_STALL_MS: u64 = 3_600_000;
/// At most this many calls in a synchronous baseline, and this long a call or timeout.
pub const MAX_SYNC_CALLS: usize = 8;
pub const MAX_SYNC_MS: u64 = 600_000;
/// At most this many queues, and this many messages a queue's consumer holds unacknowledged.
pub const MAX_QUEUES: usize = 8;
pub const MAX_PREFETCH: u32 = 10_000;
/// A sink's capacity: at most this many writes a second.
pub const MAX_SINK_CAPACITY: u32 = 10_000_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "default_duration_ms")]
    pub duration_ms: u64,
    /// Coarse time: every event runs at a multiple of this many milliseconds, so requests that would
    /// follow each other within one quantum are answered together. 0 (the default) is exact time.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub time_quantum_ms: u64,
    pub cluster: ClusterSpec,
    pub topics: Vec<TopicSpec>,
    #[serde(default)]
    pub producers: Vec<ProducerSpec>,
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    /// Classic message queues beside the log (`queue`): RabbitMQ-like, fed by a producer's records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueSpec>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
}

/// A classic queue (RabbitMQ's semantics): bound to a producer's records from when it is declared, read
/// by competing consumers; a message is removed when acknowledged, and delivered again if its consumer
/// dies first. No replay: what was acknowledged, or published before the queue existed, is not there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub id: String,
    /// The producer whose every record is also published to the queue.
    pub producer: String,
    /// The competing consumers' names.
    pub consumers: Vec<String>,
    #[serde(default)]
    pub processing_ms_per_message: f64,
    /// How many unacknowledged messages a consumer holds at most (`basic.qos`); it acknowledges them
    /// together when it has processed them.
    #[serde(default = "default_prefetch")]
    pub prefetch: u32,
}

fn default_prefetch() -> u32 {
    10
}

fn default_duration_ms() -> u64 {
    60_000
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

fn default_latency_ms() -> u64 {
    1
}

fn default_one() -> u32 {
    1
}

fn default_record_bytes() -> u32 {
    100
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub brokers: u32,
    /// One-way latency of every network link, in milliseconds.
    #[serde(default = "default_latency_ms")]
    pub network_latency_ms: u64,
    /// Per-link overrides: `{ "between": ["broker-1", "group:email_group"], "ms": 50 }`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkSpec>,
    /// Broker properties for every broker (e.g. `replica.lag.time.max.ms`).
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub config: Properties,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// Broker ids (1-based) at both ends of the link.
    pub between: [u32; 2],
    pub ms: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    #[serde(default = "default_one")]
    pub replication_factor: u32,
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub config: Properties,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeySpec {
    /// Every record has a null key (sticky partitioning).
    #[default]
    None,
    /// Keys cycled from this list, in order.
    List(Vec<String>),
    /// Keys `key-0` … `key-(N-1)` cycled in order.
    Distinct(u32),
    /// `percent`% of records carry `key`, the others cycle over `distinct` keys `key-0`….
    Hot {
        key: String,
        percent: u32,
        distinct: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    pub id: String,
    pub topic: String,
    pub rate_per_sec: u32,
    #[serde(default)]
    pub keys: KeySpec,
    /// Serialized size of one record (key + value + overhead), used for batch.size and fetch limits.
    #[serde(default = "default_record_bytes")]
    pub record_bytes: u32,
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub config: Properties,
    /// The same requests as if the service called other services one after another instead of writing
    /// to Kafka (`world::Baseline`): a counterfactual measured beside the Kafka path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_baseline: Option<SyncBaselineSpec>,
}

/// The synchronous alternative to a producer: each of its requests calls `calls` in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncBaselineSpec {
    pub calls: Vec<SyncCallSpec>,
    /// The caller gives up (the request fails) when the calls take longer than this.
    #[serde(default = "default_sync_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_sync_timeout_ms() -> u64 {
    1_000
}

/// One downstream call of the synchronous path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncCallSpec {
    /// The service called (`crash_service` and `restart_service` name it).
    pub service: String,
    /// How long the call takes when the service is idle.
    pub ms: u64,
    /// The sink (a group's `sink.id`) whose capacity the service has: calls queue there when it is busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink: Option<String>,
    /// The consumer group that does this service's work on the Kafka path: `crash_service` crashes its
    /// members too, and `restart_service` restarts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// What a consumer group's processing writes to (a database, a mail server), with its capacity and the
/// group's way of keeping duplicates from taking effect twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkSpec {
    /// Groups naming the same id share the sink (and its capacity).
    pub id: String,
    /// Writes a second; each record processed is one write.
    pub capacity_per_sec: u32,
    #[serde(default)]
    pub idempotence: Idempotence,
}

/// How a consumer keeps a record processed twice from taking effect twice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Idempotence {
    /// Nothing: a record processed again is applied again.
    #[default]
    None,
    /// A unique key in the database (`INSERT IGNORE`): the second insert is refused.
    UniqueKey,
    /// A deduplication store (Redis `SETNX` on the record's id) checked before applying.
    DedupStore,
    /// A state machine (`UPDATE … WHERE status = 'UNPAID'`): the second transition finds nothing to do.
    StateMachine,
}

impl Idempotence {
    /// The scenario's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Idempotence::None => "none",
            Idempotence::UniqueKey => "unique_key",
            Idempotence::DedupStore => "dedup_store",
            Idempotence::StateMachine => "state_machine",
        }
    }
}

/// When the application commits offsets (with `enable.auto.commit=false`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitMode {
    /// `commitSync()` after processing each poll's records: at-least-once.
    SyncAfterProcessing,
    /// `commitAsync()` after processing each poll's records: at-least-once, no wait.
    AsyncAfterProcessing,
    /// `commitSync()` right after `poll()`, before processing: at-most-once.
    SyncBeforeProcessing,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub id: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub processing_ms_per_record: f64,
    /// The application's commit call when `enable.auto.commit=false`; ignored with auto-commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitMode>,
    /// Processing is idempotent (e.g. deduplicated by record key + offset): duplicates have no effect.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idempotent: bool,
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub config: Properties,
    #[serde(default)]
    pub members: Vec<MemberSpec>,
    /// What the group's processing writes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink: Option<SinkSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    pub id: String,
    /// The member's own subscription; the group's `topics` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// `group.instance.id`: a static member, which keeps its assignment across a restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_instance_id: Option<String>,
}

/// Something a user (or a scenario timeline) does to a running simulation. In a scenario file it is written
/// flat, `{"at_ms": 5, "action": "crash_broker", "broker": 1}`; `TimelineEntry` converts that to and from
/// serde's external tagging (`{"crash_broker": {"broker": 1}}`), which compiles to far less code in the
/// wasm module than an internally tagged enum.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    CrashBroker {
        broker: u32,
    },
    RestartBroker {
        broker: u32,
    },
    /// The member's process dies: no LeaveGroup; the coordinator notices after `session.timeout.ms`.
    CrashConsumer {
        group: String,
        member: String,
    },
    /// The member calls `close()`: commits (with auto-commit) and sends LeaveGroup.
    LeaveConsumer {
        group: String,
        member: String,
    },
    /// A crashed or departed member starts again with the same id.
    RestartConsumer {
        group: String,
        member: String,
    },
    /// The member's processing thread hangs for `ms` (e.g. a slow downstream call); heartbeats continue.
    StallConsumer {
        group: String,
        member: String,
        ms: u64,
    },
    AddConsumer {
        group: String,
        member: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topics: Option<Vec<String>>,
    },
    AddGroup {
        group: GroupSpec,
    },
    SetProducerRate {
        producer: String,
        rate_per_sec: u32,
    },
    SetProducerKeys {
        producer: String,
        keys: KeySpec,
    },
    SetProducerConfig {
        producer: String,
        name: String,
        value: String,
    },
    SetGroupConfig {
        group: String,
        name: String,
        value: String,
    },
    SetProcessingTime {
        group: String,
        ms_per_record: f64,
    },
    SetTopicConfig {
        topic: String,
        name: String,
        value: String,
    },
    /// Grows the topic to `partitions` partitions (Kafka can only add partitions).
    AddPartitions {
        topic: String,
        partitions: u32,
    },
    /// Cuts the link between two nodes, or without `b` isolates `a` from every other node. A node is
    /// written `controller`, `broker:1`, `producer:ID` or `member:GROUP/MEMBER` (see `NodeName`).
    PartitionNetwork {
        a: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<String>,
    },
    /// Heals every cut; with `a`, every cut of `a`; with `a` and `b`, the link between them.
    HealNetwork {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        a: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<String>,
    },
    /// A service of the synchronous baselines goes down (their calls to it fail), and the members of the
    /// group that does its work on the Kafka path crash.
    CrashService {
        service: String,
    },
    /// The service is back, and the members of its group restart.
    RestartService {
        service: String,
    },
    /// A queue declared now: it gets the producer's records from now on.
    AddQueue {
        queue: QueueSpec,
    },
    /// A queue's consumer dies: its unacknowledged messages go back to the queue.
    CrashQueueConsumer {
        queue: String,
        consumer: String,
    },
    RestartQueueConsumer {
        queue: String,
        consumer: String,
    },
}

/// A node as network-fault commands name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeName<'a> {
    Controller,
    Broker(u32),
    Producer(&'a str),
    Member { group: &'a str, member: &'a str },
}

impl<'a> NodeName<'a> {
    /// Reads `controller`, `broker:N`, `producer:ID` or `member:GROUP/MEMBER`; `None` for anything else.
    pub fn parse(text: &'a str) -> Option<NodeName<'a>> {
        if text == "controller" {
            return Some(NodeName::Controller);
        }
        let (kind, rest) = text.split_once(':')?;
        match kind {
            "broker" if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => {
                rest.parse().ok().map(NodeName::Broker)
            }
            "producer" => Some(NodeName::Producer(rest)),
            "member" => {
                let (group, member) = rest.split_once('/')?;
                Some(NodeName::Member { group, member })
            }
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    pub at_ms: u64,
    pub command: Command,
}

impl Serialize for TimelineEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let tagged = serde_json::to_value(&self.command).map_err(S::Error::custom)?;
        let Some((action, fields)) = tagged.as_object().and_then(|object| object.iter().next())
        else {
            return Err(S::Error::custom(
                "a command serializes as one tagged object",
            ));
        };
        let empty = serde_json::Map::new();
        let fields = fields.as_object().unwrap_or(&empty);
        let mut map = serializer.serialize_map(Some(2 + fields.len()))?;
        map.serialize_entry("at_ms", &self.at_ms)?;
        map.serialize_entry("action", action)?;
        for (name, value) in fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for TimelineEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut value = serde_json::Value::deserialize(deserializer)?;
        let map = value
            .as_object_mut()
            .ok_or_else(|| D::Error::custom("a timeline entry is an object"))?;
        let at_ms = map
            .remove("at_ms")
            .ok_or_else(|| D::Error::missing_field("at_ms"))?
            .as_u64()
            .ok_or_else(|| {
                D::Error::custom("at_ms must be a non-negative integer (milliseconds)")
            })?;
        let action = match map.remove("action") {
            Some(serde_json::Value::String(action)) => action,
            Some(_) => return Err(D::Error::custom("action must be a string")),
            None => return Err(D::Error::missing_field("action")),
        };
        let fields = std::mem::take(map);
        let command = Command::read(&action, fields).map_err(D::Error::custom)?;
        Ok(TimelineEntry { at_ms, command })
    }
}

/// Every action a timeline entry may name, in the order `Command` declares them.
const ACTIONS: &str = "`crash_broker`, `restart_broker`, `crash_consumer`, `leave_consumer`, `restart_consumer`, \
`stall_consumer`, `add_consumer`, `add_group`, `set_producer_rate`, `set_producer_keys`, `set_producer_config`, \
`set_group_config`, `set_processing_time`, `set_topic_config`, `add_partitions`, `partition_network`, `heal_network`, \
`crash_service`, `restart_service`, `add_queue`, `crash_queue_consumer`, `restart_queue_consumer`";

/// A timeline entry's fields, read one by one; what is left at the end is an unknown field. Written by
/// hand rather than derived: serde's derive for a 17-variant enum took about 23 KB of the wasm module, and
/// the errors read as serde's do (`missing field`, `unknown field`, `invalid type`).
struct Fields(serde_json::Map<String, serde_json::Value>);

impl Fields {
    fn take<T: serde::de::DeserializeOwned>(&mut self, name: &str) -> Result<T, String> {
        match self.0.remove(name) {
            Some(value) => {
                serde_json::from_value(value).map_err(|error| format!("{name}: {error}"))
            }
            None => Err(format!("missing field `{name}`")),
        }
    }

    /// An optional field: missing and `null` are `None`.
    fn maybe<T: serde::de::DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, String> {
        match self.0.get(name) {
            None | Some(serde_json::Value::Null) => {
                self.0.remove(name);
                Ok(None)
            }
            Some(_) => self.take(name).map(Some),
        }
    }

    fn string(&mut self, name: &str) -> Result<String, String> {
        self.take(name)
    }

    fn done(self, command: Command, known: &str) -> Result<Command, String> {
        match self.0.keys().next() {
            Some(unknown) => Err(format!("unknown field `{unknown}`, expected {known}")),
            None => Ok(command),
        }
    }
}

impl Command {
    /// The command a timeline entry names by `action`, from its other fields.
    pub fn read(
        action: &str,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Command, String> {
        let mut f = Fields(fields);
        let (command, known) = match action {
            "crash_broker" => (
                Command::CrashBroker {
                    broker: f.take("broker")?,
                },
                "`broker`",
            ),
            "restart_broker" => (
                Command::RestartBroker {
                    broker: f.take("broker")?,
                },
                "`broker`",
            ),
            "crash_consumer" | "leave_consumer" | "restart_consumer" => {
                let (group, member) = (f.string("group")?, f.string("member")?);
                let command = match action {
                    "crash_consumer" => Command::CrashConsumer { group, member },
                    "leave_consumer" => Command::LeaveConsumer { group, member },
                    _ => Command::RestartConsumer { group, member },
                };
                (command, "`group`, `member`")
            }
            "stall_consumer" => (
                Command::StallConsumer {
                    group: f.string("group")?,
                    member: f.string("member")?,
                    ms: f.take("ms")?,
                },
                "`group`, `member`, `ms`",
            ),
            "add_consumer" => (
                Command::AddConsumer {
                    group: f.string("group")?,
                    member: f.string("member")?,
                    topics: f.maybe("topics")?,
                },
                "`group`, `member`, `topics`",
            ),
            "add_group" => (
                Command::AddGroup {
                    group: f.take("group")?,
                },
                "`group`",
            ),
            "set_producer_rate" => (
                Command::SetProducerRate {
                    producer: f.string("producer")?,
                    rate_per_sec: f.take("rate_per_sec")?,
                },
                "`producer`, `rate_per_sec`",
            ),
            "set_producer_keys" => (
                Command::SetProducerKeys {
                    producer: f.string("producer")?,
                    keys: f.take("keys")?,
                },
                "`producer`, `keys`",
            ),
            "set_producer_config" | "set_group_config" | "set_topic_config" => {
                let (owner, known) = match action {
                    "set_producer_config" => ("producer", "`producer`, `name`, `value`"),
                    "set_group_config" => ("group", "`group`, `name`, `value`"),
                    _ => ("topic", "`topic`, `name`, `value`"),
                };
                let id = f.string(owner)?;
                let (name, value) = (f.string("name")?, f.string("value")?);
                let command = match owner {
                    "producer" => Command::SetProducerConfig {
                        producer: id,
                        name,
                        value,
                    },
                    "group" => Command::SetGroupConfig {
                        group: id,
                        name,
                        value,
                    },
                    _ => Command::SetTopicConfig {
                        topic: id,
                        name,
                        value,
                    },
                };
                (command, known)
            }
            "set_processing_time" => (
                Command::SetProcessingTime {
                    group: f.string("group")?,
                    ms_per_record: f.take("ms_per_record")?,
                },
                "`group`, `ms_per_record`",
            ),
            "add_partitions" => (
                Command::AddPartitions {
                    topic: f.string("topic")?,
                    partitions: f.take("partitions")?,
                },
                "`topic`, `partitions`",
            ),
            "partition_network" => (
                Command::PartitionNetwork {
                    a: f.string("a")?,
                    b: f.maybe("b")?,
                },
                "`a`, `b`",
            ),
            "heal_network" => (
                Command::HealNetwork {
                    a: f.maybe("a")?,
                    b: f.maybe("b")?,
                },
                "`a`, `b`",
            ),
            "add_queue" => (
                Command::AddQueue {
                    queue: f.take("queue")?,
                },
                "`queue`",
            ),
            "crash_queue_consumer" | "restart_queue_consumer" => {
                let (queue, consumer) = (f.string("queue")?, f.string("consumer")?);
                let command = if action == "crash_queue_consumer" {
                    Command::CrashQueueConsumer { queue, consumer }
                } else {
                    Command::RestartQueueConsumer { queue, consumer }
                };
                (command, "`queue`, `consumer`")
            }
            "crash_service" | "restart_service" => {
                let service = f.string("service")?;
                let command = if action == "crash_service" {
                    Command::CrashService { service }
                } else {
                    Command::RestartService { service }
                };
                (command, "`service`")
            }
            _ => {
                return Err(format!(
                    "unknown variant `{action}`, expected one of {ACTIONS}"
                ))
            }
        };
        f.done(command, known)
    }
}

/// Everything a scenario configures, typed and checked.
#[derive(Clone, Debug)]
pub struct ValidScenario {
    pub scenario: Scenario,
    pub cluster: ClusterConfig,
    pub topics: Vec<TopicConfig>,
    pub producers: Vec<ProducerConfig>,
    pub groups: Vec<ConsumerConfig>,
}

impl Scenario {
    /// Parses and validates a scenario file.
    pub fn from_json(text: &str) -> Result<ValidScenario, InputError> {
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(InputError::of(
                "scenario",
                Problem::new(
                    Code::ScenarioTooBig,
                    vec![field("bytes", text.len()), field("max", MAX_SCENARIO_BYTES)],
                ),
            ));
        }
        let scenario: Scenario = serde_json::from_str(text).map_err(|error| {
            let path = json_path_at(text, error.line(), error.column());
            InputError::of(
                if path.is_empty() { "scenario" } else { &path },
                Problem::new(Code::NotAScenario, vec![field("error", error)]),
            )
        })?;
        scenario.validate()
    }

    /// Indented JSON for people (exported files). Written by re-indenting the compact form, so the wasm
    /// module carries one JSON serializer for scenarios instead of two.
    pub fn to_json_pretty(&self) -> String {
        indent_json(
            &serde_json::to_string(self).unwrap_or_else(|_| panic!("a scenario always serializes")),
        )
    }

    pub fn validate(self) -> Result<ValidScenario, InputError> {
        if self.version != SCENARIO_VERSION {
            return Err(InputError::of(
                "version",
                Problem::new(
                    Code::BadValue,
                    vec![
                        field("value", self.version),
                        field("allowed", SCENARIO_VERSION),
                    ],
                ),
            ));
        }
        check_text("name", self.name.as_deref(), MAX_NAME_CHARS)?;
        check_text(
            "description",
            self.description.as_deref(),
            MAX_DESCRIPTION_CHARS,
        )?;
        check_range("duration_ms", self.duration_ms, 1, MAX_DURATION_MS)?;
        check_range(
            "time_quantum_ms",
            self.time_quantum_ms,
            0,
            MAX_TIME_QUANTUM_MS,
        )?;
        check_range(
            "cluster.brokers",
            self.cluster.brokers as u64,
            1,
            MAX_BROKERS as u64,
        )?;
        check_range(
            "cluster.network_latency_ms",
            self.cluster.network_latency_ms,
            0,
            MAX_LATENCY_MS,
        )?;
        for (index, link) in self.cluster.links.iter().enumerate() {
            for broker in link.between {
                check_range(
                    &format!("cluster.links[{index}].between"),
                    broker as u64,
                    1,
                    self.cluster.brokers as u64,
                )?;
            }
            check_range(
                &format!("cluster.links[{index}].ms"),
                link.ms,
                0,
                MAX_LATENCY_MS,
            )?;
        }
        let cluster = ClusterConfig::parse("cluster.config", &self.cluster.config)?;
        if self.topics.is_empty() || self.topics.len() > MAX_TOPICS {
            return Err(InputError::of(
                "topics",
                Problem::new(
                    Code::TopicsCount,
                    vec![field("count", self.topics.len()), field("max", MAX_TOPICS)],
                ),
            ));
        }
        let mut topics = Vec::new();
        for (index, topic) in self.topics.iter().enumerate() {
            let path = format!("topics[{index}]");
            check_name(&format!("{path}.name"), &topic.name)?;
            if self.topics[..index]
                .iter()
                .any(|other| other.name == topic.name)
            {
                return Err(InputError::of(
                    format!("{path}.name"),
                    Problem::new(
                        Code::DuplicateTopic,
                        vec![field("name", format_args!("{:?}", topic.name))],
                    ),
                ));
            }
            check_range(
                &format!("{path}.partitions"),
                topic.partitions as u64,
                1,
                MAX_PARTITIONS as u64,
            )?;
            check_range(
                &format!("{path}.replication_factor"),
                topic.replication_factor as u64,
                1,
                self.cluster.brokers as u64,
            )
            .map_err(|error| error.wrapped(Code::BrokersBound, Vec::new()))?;
            topics.push(TopicConfig::parse(
                &format!("{path}.config"),
                &topic.config,
            )?);
        }
        let partitions: u32 = self.topics.iter().map(|topic| topic.partitions).sum();
        if partitions > MAX_TOTAL_PARTITIONS {
            return Err(InputError::of(
                "topics",
                Problem::new(
                    Code::PartitionsInAll,
                    vec![
                        field("count", partitions),
                        field("max", MAX_TOTAL_PARTITIONS),
                    ],
                ),
            ));
        }
        if self.producers.len() > MAX_PRODUCERS {
            return Err(InputError::of(
                "producers",
                Problem::new(
                    Code::HasAtMost,
                    vec![
                        field("count", self.producers.len()),
                        field("max", MAX_PRODUCERS),
                    ],
                ),
            ));
        }
        let mut producers = Vec::new();
        for (index, producer) in self.producers.iter().enumerate() {
            let path = format!("producers[{index}]");
            check_name(&format!("{path}.id"), &producer.id)?;
            if self.producers[..index]
                .iter()
                .any(|other| other.id == producer.id)
            {
                return Err(InputError::of(
                    format!("{path}.id"),
                    Problem::new(
                        Code::DuplicateProducer,
                        vec![field("name", format_args!("{:?}", producer.id))],
                    ),
                ));
            }
            self.check_topic(&format!("{path}.topic"), &producer.topic)?;
            check_range(
                &format!("{path}.rate_per_sec"),
                producer.rate_per_sec as u64,
                0,
                MAX_RATE_PER_SEC as u64,
            )?;
            check_range(
                &format!("{path}.record_bytes"),
                producer.record_bytes as u64,
                1,
                1_000_000,
            )?;
            check_keys(&format!("{path}.keys"), &producer.keys)?;
            producers.push(ProducerConfig::parse(
                &format!("{path}.config"),
                &producer.config,
            )?);
        }
        if self.groups.len() > MAX_GROUPS {
            return Err(InputError::of(
                "groups",
                Problem::new(
                    Code::HasAtMost,
                    vec![field("count", self.groups.len()), field("max", MAX_GROUPS)],
                ),
            ));
        }
        let mut groups = Vec::new();
        for (index, group) in self.groups.iter().enumerate() {
            let path = format!("groups[{index}]");
            if self.groups[..index]
                .iter()
                .any(|other| other.id == group.id)
            {
                return Err(InputError::of(
                    format!("{path}.id"),
                    Problem::new(
                        Code::DuplicateGroup,
                        vec![field("name", format_args!("{:?}", group.id))],
                    ),
                ));
            }
            groups.push(self.check_group(&path, group)?);
        }
        if self.queues.len() > MAX_QUEUES {
            return Err(InputError::of(
                "queues",
                Problem::new(
                    Code::HasAtMost,
                    vec![field("count", self.queues.len()), field("max", MAX_QUEUES)],
                ),
            ));
        }
        for (index, queue) in self.queues.iter().enumerate() {
            let path = format!("queues[{index}]");
            if self.queues[..index]
                .iter()
                .any(|other| other.id == queue.id)
            {
                return Err(InputError::of(
                    format!("{path}.id"),
                    Problem::new(
                        Code::DuplicateQueue,
                        vec![field("name", format_args!("{:?}", queue.id))],
                    ),
                ));
            }
            self.check_queue(&path, queue)?;
        }
        for (index, producer) in self.producers.iter().enumerate() {
            if let Some(baseline) = &producer.sync_baseline {
                self.check_baseline(&format!("producers[{index}].sync_baseline"), baseline)?;
            }
        }
        if self.timeline.len() > MAX_TIMELINE {
            return Err(InputError::of(
                "timeline",
                Problem::new(
                    Code::TimelineCount,
                    vec![
                        field("count", self.timeline.len()),
                        field("max", MAX_TIMELINE),
                    ],
                ),
            ));
        }
        let members: usize = self.groups.iter().map(|group| group.members.len()).sum();
        if members > MAX_TOTAL_MEMBERS {
            return Err(InputError::of(
                "groups",
                Problem::new(
                    Code::MembersInAll,
                    vec![field("count", members), field("max", MAX_TOTAL_MEMBERS)],
                ),
            ));
        }
        for (index, entry) in self.timeline.iter().enumerate() {
            check_range(
                &format!("timeline[{index}].at_ms"),
                entry.at_ms,
                0,
                MAX_DURATION_MS,
            )?;
            if index > 0 && entry.at_ms < self.timeline[index - 1].at_ms {
                return Err(InputError::of(
                    format!("timeline[{index}].at_ms"),
                    Problem::new(Code::TimelineOrder, Vec::new()),
                ));
            }
        }
        TimelineCheck::new(&self).run(&self.timeline)?;
        Ok(ValidScenario {
            scenario: self,
            cluster,
            topics,
            producers,
            groups,
        })
    }

    fn check_topic(&self, path: &str, name: &str) -> Result<(), InputError> {
        if self.topics.iter().any(|topic| topic.name == name) {
            Ok(())
        } else {
            let known: Vec<&str> = self
                .topics
                .iter()
                .map(|topic| topic.name.as_str())
                .collect();
            Err(InputError::of(
                path,
                Problem::new(
                    Code::UnknownTopicKnownTopics,
                    vec![
                        field("name", format_args!("{name:?}")),
                        field("known", known.join(", ")),
                    ],
                ),
            ))
        }
    }

    fn check_baseline(&self, path: &str, baseline: &SyncBaselineSpec) -> Result<(), InputError> {
        if baseline.calls.is_empty() || baseline.calls.len() > MAX_SYNC_CALLS {
            return Err(InputError::of(
                format!("{path}.calls"),
                Problem::new(
                    Code::Range,
                    vec![
                        field("value", baseline.calls.len()),
                        field("min", 1),
                        field("max", MAX_SYNC_CALLS),
                    ],
                ),
            ));
        }
        check_range(
            &format!("{path}.timeout_ms"),
            baseline.timeout_ms,
            1,
            MAX_SYNC_MS,
        )?;
        for (index, call) in baseline.calls.iter().enumerate() {
            let call_path = format!("{path}.calls[{index}]");
            check_name(&format!("{call_path}.service"), &call.service)?;
            check_range(&format!("{call_path}.ms"), call.ms, 0, MAX_SYNC_MS)?;
            if let Some(sink) = &call.sink {
                let known: Vec<&str> = self
                    .groups
                    .iter()
                    .filter_map(|group| group.sink.as_ref())
                    .map(|sink| sink.id.as_str())
                    .collect();
                if !known.contains(&sink.as_str()) {
                    return Err(InputError::of(
                        format!("{call_path}.sink"),
                        Problem::new(
                            Code::UnknownSink,
                            vec![
                                field("name", format_args!("{sink:?}")),
                                field("known", known.join(", ")),
                            ],
                        ),
                    ));
                }
            }
            if let Some(group) = &call.group {
                if !self.groups.iter().any(|g| &g.id == group) {
                    let known: Vec<&str> = self.groups.iter().map(|g| g.id.as_str()).collect();
                    return Err(InputError::of(
                        format!("{call_path}.group"),
                        Problem::new(
                            Code::UnknownGroup,
                            vec![
                                field("name", format_args!("{group:?}")),
                                field("known", known.join(", ")),
                            ],
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A queue's own fields: its id, producer, consumers, processing time and prefetch.
    pub(crate) fn check_queue(&self, path: &str, queue: &QueueSpec) -> Result<(), InputError> {
        check_name(&format!("{path}.id"), &queue.id)?;
        if !self.producers.iter().any(|p| p.id == queue.producer) {
            let known: Vec<&str> = self.producers.iter().map(|p| p.id.as_str()).collect();
            return Err(TimelineCheck::unknown(
                format!("{path}.producer"),
                Code::UnknownProducer,
                &queue.producer,
                &known,
            ));
        }
        if queue.consumers.is_empty() || queue.consumers.len() > MAX_MEMBERS {
            return Err(InputError::of(
                format!("{path}.consumers"),
                Problem::new(
                    Code::Range,
                    vec![
                        field("value", queue.consumers.len()),
                        field("min", 1),
                        field("max", MAX_MEMBERS),
                    ],
                ),
            ));
        }
        for (index, consumer) in queue.consumers.iter().enumerate() {
            let consumer_path = format!("{path}.consumers[{index}]");
            check_name(&consumer_path, consumer)?;
            if queue.consumers[..index].contains(consumer) {
                return Err(InputError::of(
                    consumer_path,
                    Problem::new(
                        Code::DuplicateMember,
                        vec![field("name", format_args!("{consumer:?}"))],
                    ),
                ));
            }
        }
        check_processing(
            &format!("{path}.processing_ms_per_message"),
            queue.processing_ms_per_message,
        )?;
        check_range(
            &format!("{path}.prefetch"),
            queue.prefetch as u64,
            1,
            MAX_PREFETCH as u64,
        )
    }

    /// A group's sink: a good id and capacity, the same capacity as other groups' sink of that id.
    fn check_sink(&self, path: &str, group: &str, sink: &SinkSpec) -> Result<(), InputError> {
        check_name(&format!("{path}.id"), &sink.id)?;
        check_range(
            &format!("{path}.capacity_per_sec"),
            sink.capacity_per_sec as u64,
            1,
            MAX_SINK_CAPACITY as u64,
        )?;
        let other = self
            .groups
            .iter()
            .filter(|other| other.id != group)
            .filter_map(|other| other.sink.as_ref())
            .find(|other| other.id == sink.id && other.capacity_per_sec != sink.capacity_per_sec);
        match other {
            Some(other) => Err(InputError::of(
                format!("{path}.capacity_per_sec"),
                Problem::new(
                    Code::SinkCapacity,
                    vec![
                        field("name", format_args!("{:?}", sink.id)),
                        field("value", sink.capacity_per_sec),
                        field("other", other.capacity_per_sec),
                    ],
                ),
            )),
            None => Ok(()),
        }
    }

    pub(crate) fn check_group(
        &self,
        path: &str,
        group: &GroupSpec,
    ) -> Result<ConsumerConfig, InputError> {
        check_name(&format!("{path}.id"), &group.id)?;
        if group.topics.is_empty() {
            return Err(InputError::of(
                format!("{path}.topics"),
                Problem::new(Code::NoTopic, Vec::new()),
            ));
        }
        for topic in &group.topics {
            self.check_topic(&format!("{path}.topics"), topic)?;
        }
        check_processing(
            &format!("{path}.processing_ms_per_record"),
            group.processing_ms_per_record,
        )?;
        if group.members.len() > MAX_MEMBERS {
            return Err(InputError::of(
                format!("{path}.members"),
                Problem::new(
                    Code::HasAtMost,
                    vec![
                        field("count", group.members.len()),
                        field("max", MAX_MEMBERS),
                    ],
                ),
            ));
        }
        for (member_index, member) in group.members.iter().enumerate() {
            let member_path = format!("{path}.members[{member_index}]");
            check_name(&format!("{member_path}.id"), &member.id)?;
            if group.members[..member_index]
                .iter()
                .any(|other| other.id == member.id)
            {
                return Err(InputError::of(
                    format!("{member_path}.id"),
                    Problem::new(
                        Code::DuplicateMember,
                        vec![field("name", format_args!("{:?}", member.id))],
                    ),
                ));
            }
            for topic in member.topics.iter().flatten() {
                self.check_topic(&format!("{member_path}.topics"), topic)?;
            }
            if let Some(instance) = &member.group_instance_id {
                let field = format!("{member_path}.group_instance_id");
                check_name(&field, instance)?;
                if group.members[..member_index]
                    .iter()
                    .any(|other| other.group_instance_id.as_ref() == Some(instance))
                {
                    return Err(InputError::of(
                        field,
                        Problem::new(
                            Code::DuplicateInstance,
                            vec![self::field("name", format_args!("{instance:?}"))],
                        ),
                    ));
                }
            }
        }
        if let Some(sink) = &group.sink {
            self.check_sink(&format!("{path}.sink"), &group.id, sink)?;
        }
        ConsumerConfig::parse(&format!("{path}.config"), &group.config)
    }
}

pub(crate) fn check_range(path: &str, value: u64, min: u64, max: u64) -> Result<(), InputError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(InputError::of(
            path,
            Problem::new(
                Code::Range,
                vec![field("value", value), field("min", min), field("max", max)],
            ),
        ))
    }
}

pub(crate) fn check_processing(path: &str, value: f64) -> Result<(), InputError> {
    if value.is_finite() && (0.0..=MAX_PROCESSING_MS_PER_RECORD).contains(&value) {
        Ok(())
    } else {
        Err(InputError::of(
            path,
            Problem::new(
                Code::ProcessingRange,
                vec![
                    field("value", crate::num::Shortest(value)),
                    field("max", crate::num::Shortest(MAX_PROCESSING_MS_PER_RECORD)),
                ],
            ),
        ))
    }
}

pub(crate) fn check_keys(path: &str, keys: &KeySpec) -> Result<(), InputError> {
    let check_key = |path: String, key: &str| {
        let chars = key.chars().count();
        if chars > MAX_KEY_CHARS {
            Err(InputError::of(
                path,
                Problem::new(
                    Code::KeyTooLong,
                    vec![field("chars", chars), field("max", MAX_KEY_CHARS)],
                ),
            ))
        } else {
            Ok(())
        }
    };
    match keys {
        KeySpec::None => Ok(()),
        KeySpec::List(list) if list.is_empty() || list.len() > MAX_KEYS => Err(InputError::of(
            format!("{path}.list"),
            Problem::new(
                Code::KeysCount,
                vec![field("count", list.len()), field("max", MAX_KEYS)],
            ),
        )),
        KeySpec::List(list) => match list
            .iter()
            .position(|key| key.len() > MAX_KEY_CHARS && key.chars().count() > MAX_KEY_CHARS)
        {
            Some(index) => check_key(format!("{path}.list[{index}]"), &list[index]),
            None => Ok(()),
        },
        KeySpec::Distinct(count) => {
            check_range(&format!("{path}.distinct"), *count as u64, 1, 1_000_000)
        }
        KeySpec::Hot {
            key,
            percent,
            distinct,
        } => {
            check_key(format!("{path}.hot.key"), key)?;
            check_range(&format!("{path}.hot.percent"), *percent as u64, 0, 100)?;
            check_range(
                &format!("{path}.hot.distinct"),
                *distinct as u64,
                1,
                1_000_000,
            )
        }
    }
}

/// `path.field`, or `field` alone for a command that is not in a timeline.
fn at(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// Free text (a scenario's `name` and `description`): bounded, and only ever shown as text.
fn check_text(path: &str, text: Option<&str>, max: usize) -> Result<(), InputError> {
    let chars = text.map_or(0, |text| text.chars().count());
    if chars > max {
        Err(InputError::of(
            path,
            Problem::new(
                Code::TooLong,
                vec![field("chars", chars), field("max", max)],
            ),
        ))
    } else {
        Ok(())
    }
}

/// Checks a timeline at load against the names the scenario has at each entry: the groups, members and
/// topics it starts with plus those earlier entries add, its producers and brokers, and each config map
/// as earlier entries left it. So a timeline naming something unknown, or setting an unknown config
/// name or a bad value, is refused when it is loaded, with the entry's field, the bad value and what is
/// allowed, instead of failing when the entry fires.
pub(crate) struct TimelineCheck<'a> {
    scenario: &'a Scenario,
    /// Borrowed from the scenario until an entry changes them (a live command checks against the
    /// running scenario without copying it).
    topics: Vec<(&'a str, u32, Cow<'a, Properties>)>,
    producers: Vec<(&'a str, Cow<'a, Properties>)>,
    groups: Vec<GroupNames<'a>>,
    /// Each queue's id and consumers.
    queues: Vec<(Cow<'a, str>, Vec<Cow<'a, str>>)>,
    /// The sinks of groups that earlier entries added: (id, capacity), which a later group's sink of the
    /// same id must match (the scenario's own groups are checked by `check_sink`).
    added_sinks: Vec<(String, u32)>,
}

/// A group's id, its members' ids and its config, as a timeline check sees them.
type GroupNames<'a> = (Cow<'a, str>, Vec<Cow<'a, str>>, Cow<'a, Properties>);

impl<'a> TimelineCheck<'a> {
    fn new(scenario: &'a Scenario) -> Self {
        TimelineCheck {
            scenario,
            added_sinks: Vec::new(),
            queues: scenario
                .queues
                .iter()
                .map(|q| {
                    (
                        Cow::Borrowed(q.id.as_str()),
                        q.consumers
                            .iter()
                            .map(|c| Cow::Borrowed(c.as_str()))
                            .collect(),
                    )
                })
                .collect(),
            topics: scenario
                .topics
                .iter()
                .map(|t| (t.name.as_str(), t.partitions, Cow::Borrowed(&t.config)))
                .collect(),
            producers: scenario
                .producers
                .iter()
                .map(|p| (p.id.as_str(), Cow::Borrowed(&p.config)))
                .collect(),
            groups: scenario
                .groups
                .iter()
                .map(|g| {
                    (
                        Cow::Borrowed(g.id.as_str()),
                        g.members
                            .iter()
                            .map(|m| Cow::Borrowed(m.id.as_str()))
                            .collect(),
                        Cow::Borrowed(&g.config),
                    )
                })
                .collect(),
        }
    }

    fn run(mut self, timeline: &[TimelineEntry]) -> Result<(), InputError> {
        for (index, entry) in timeline.iter().enumerate() {
            self.entry(&format!("timeline[{index}]"), &entry.command)?;
        }
        Ok(())
    }

    /// Checks one command against the scenario as it is now (the engine's running copy, which every
    /// applied command keeps current); errors name the command's own fields.
    pub(crate) fn command(scenario: &Scenario, command: &Command) -> Result<(), InputError> {
        TimelineCheck::new(scenario).entry("", command)
    }

    fn check_total_members(&self, path: &str, more: usize) -> Result<(), InputError> {
        let members: usize = self
            .groups
            .iter()
            .map(|(_, members, _)| members.len())
            .sum();
        if members + more > MAX_TOTAL_MEMBERS {
            return Err(InputError::of(
                path,
                Problem::new(
                    Code::MembersInAllAlready,
                    vec![field("count", members), field("max", MAX_TOTAL_MEMBERS)],
                ),
            ));
        }
        Ok(())
    }

    fn unknown(path: String, what: Code, value: &str, known: &[&str]) -> InputError {
        InputError::of(
            path,
            Problem::new(
                what,
                vec![
                    field("name", format_args!("{value:?}")),
                    field(
                        "known",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        },
                    ),
                ],
            ),
        )
    }

    fn group(&self, path: &str, group: &str) -> Result<usize, InputError> {
        self.groups
            .iter()
            .position(|(id, _, _)| id == group)
            .ok_or_else(|| {
                let known: Vec<&str> = self.groups.iter().map(|(id, _, _)| id.as_ref()).collect();
                Self::unknown(at(path, "group"), Code::UnknownGroup, group, &known)
            })
    }

    fn member(&self, path: &str, group: &str, member: &str) -> Result<(), InputError> {
        let g = self.group(path, group)?;
        let members = &self.groups[g].1;
        if members.iter().any(|m| m == member) {
            Ok(())
        } else {
            let known: Vec<&str> = members.iter().map(|m| m.as_ref()).collect();
            let mut error = Self::unknown(
                at(path, "member"),
                Code::UnknownMemberInGroup,
                member,
                &known,
            );
            if let Some(problem) = &mut error.problem {
                problem.fields.push(field("group", group));
                error.message = crate::config::english(problem);
            }
            Err(error)
        }
    }

    /// A node named by a network-fault command (`NodeName`): it must exist by then.
    fn node(&self, path: &str, name: &str, text: &str) -> Result<(), InputError> {
        let field_path = at(path, name);
        match NodeName::parse(text) {
            None => Err(InputError::of(
                field_path,
                Problem::new(
                    Code::BadNode,
                    vec![field("value", format_args!("{text:?}"))],
                ),
            )),
            Some(NodeName::Controller) => Ok(()),
            Some(NodeName::Broker(broker)) => check_range(
                &field_path,
                broker as u64,
                1,
                self.scenario.cluster.brokers as u64,
            ),
            Some(NodeName::Producer(producer)) => self
                .producer(path, producer)
                .map(|_| ())
                .map_err(|error| error.at(field_path)),
            Some(NodeName::Member { group, member }) => self
                .member(path, group, member)
                .map_err(|error| error.at(field_path)),
        }
    }

    fn producer(&self, path: &str, producer: &str) -> Result<usize, InputError> {
        self.producers
            .iter()
            .position(|(id, _)| *id == producer)
            .ok_or_else(|| {
                let known: Vec<&str> = self.producers.iter().map(|(id, _)| *id).collect();
                Self::unknown(
                    at(path, "producer"),
                    Code::UnknownProducer,
                    producer,
                    &known,
                )
            })
    }

    fn topic(&self, path: &str, field: &str, topic: &str) -> Result<usize, InputError> {
        self.topics
            .iter()
            .position(|(name, _, _)| *name == topic)
            .ok_or_else(|| {
                let known: Vec<&str> = self.topics.iter().map(|(name, _, _)| *name).collect();
                Self::unknown(at(path, field), Code::UnknownTopic, topic, &known)
            })
    }

    /// Sets `name` to `value` in `properties` if `parse` accepts the result; errors name the entry's
    /// `name` field (an unknown config name) or its `value` field (a bad value).
    fn config<T>(
        path: &str,
        properties: &mut Cow<'_, Properties>,
        name: &str,
        value: &str,
        parse: fn(&str, &Properties) -> Result<T, InputError>,
    ) -> Result<(), InputError> {
        let mut alone = Properties::new();
        alone.insert(name.to_string(), value.to_string());
        if let Err(error) = parse("config", &alone) {
            let bad = if error.problem.as_ref().map(|p| p.code) == Some(Code::UnknownConfig) {
                "name"
            } else {
                "value"
            };
            return Err(error
                .at(at(path, bad))
                .wrapped(Code::ConfigOf, vec![field("name", name)]));
        }
        let mut updated = properties.as_ref().clone();
        updated.insert(name.to_string(), value.to_string());
        parse("config", &updated).map_err(|error| {
            error
                .at(at(path, "value"))
                .wrapped(Code::ConfigOf, vec![field("name", name)])
        })?;
        *properties = Cow::Owned(updated);
        Ok(())
    }

    fn entry(&mut self, path: &str, command: &Command) -> Result<(), InputError> {
        let brokers = self.scenario.cluster.brokers as u64;
        match command {
            Command::CrashBroker { broker } | Command::RestartBroker { broker } => {
                check_range(&at(path, "broker"), *broker as u64, 1, brokers)
            }
            Command::CrashConsumer { group, member }
            | Command::LeaveConsumer { group, member }
            | Command::RestartConsumer { group, member } => self.member(path, group, member),
            Command::StallConsumer { group, member, ms } => {
                self.member(path, group, member)?;
                check_range(&at(path, "ms"), *ms, 1, MAX_STALL_MS)
            }
            Command::AddConsumer {
                group,
                member,
                topics,
            } => {
                let g = self.group(path, group)?;
                check_name(&at(path, "member"), member)?;
                let members = &self.groups[g].1;
                if members.iter().any(|m| m == member) {
                    return Err(InputError::of(
                        at(path, "member"),
                        Problem::new(
                            Code::MemberExists,
                            vec![
                                field("group", group),
                                field("member", format_args!("{member:?}")),
                            ],
                        ),
                    ));
                }
                if members.len() >= MAX_MEMBERS {
                    return Err(InputError::of(
                        at(path, "member"),
                        Problem::new(Code::MaxMembersPerGroup, vec![field("max", MAX_MEMBERS)]),
                    ));
                }
                self.check_total_members(&at(path, "member"), 1)?;
                for topic in topics.iter().flatten() {
                    self.topic(path, "topics", topic)?;
                }
                self.groups[g].1.push(Cow::Owned(member.clone()));
                Ok(())
            }
            Command::AddGroup { group } => {
                if self.groups.len() >= MAX_GROUPS {
                    return Err(InputError::of(
                        at(path, "group"),
                        Problem::new(Code::MaxGroups, vec![field("max", MAX_GROUPS)]),
                    ));
                }
                if self.groups.iter().any(|(id, _, _)| *id == group.id) {
                    return Err(InputError::of(
                        at(path, "group.id"),
                        Problem::new(
                            Code::DuplicateGroup,
                            vec![field("name", format_args!("{:?}", group.id))],
                        ),
                    ));
                }
                self.scenario.check_group(&at(path, "group"), group)?;
                if let Some(sink) = &group.sink {
                    let other = self.added_sinks.iter().find(|(id, capacity)| {
                        *id == sink.id && *capacity != sink.capacity_per_sec
                    });
                    if let Some((_, other)) = other {
                        return Err(InputError::of(
                            at(path, "group.sink.capacity_per_sec"),
                            Problem::new(
                                Code::SinkCapacity,
                                vec![
                                    field("name", format_args!("{:?}", sink.id)),
                                    field("value", sink.capacity_per_sec),
                                    field("other", other),
                                ],
                            ),
                        ));
                    }
                    self.added_sinks
                        .push((sink.id.clone(), sink.capacity_per_sec));
                }
                self.check_total_members(&at(path, "group"), group.members.len())?;
                self.groups.push((
                    Cow::Owned(group.id.clone()),
                    group
                        .members
                        .iter()
                        .map(|m| Cow::Owned(m.id.clone()))
                        .collect(),
                    Cow::Owned(group.config.clone()),
                ));
                Ok(())
            }
            Command::SetProducerRate {
                producer,
                rate_per_sec,
            } => {
                self.producer(path, producer)?;
                check_range(
                    &at(path, "rate_per_sec"),
                    *rate_per_sec as u64,
                    0,
                    MAX_RATE_PER_SEC as u64,
                )
            }
            Command::SetProducerKeys { producer, keys } => {
                self.producer(path, producer)?;
                check_keys(&at(path, "keys"), keys)
            }
            Command::SetProducerConfig {
                producer,
                name,
                value,
            } => {
                let p = self.producer(path, producer)?;
                Self::config(
                    path,
                    &mut self.producers[p].1,
                    name,
                    value,
                    ProducerConfig::parse,
                )
            }
            Command::SetGroupConfig { group, name, value } => {
                let g = self.group(path, group)?;
                Self::config(
                    path,
                    &mut self.groups[g].2,
                    name,
                    value,
                    ConsumerConfig::parse,
                )
            }
            Command::SetProcessingTime {
                group,
                ms_per_record,
            } => {
                self.group(path, group)?;
                check_processing(&at(path, "ms_per_record"), *ms_per_record)
            }
            Command::SetTopicConfig { topic, name, value } => {
                let t = self.topic(path, "topic", topic)?;
                Self::config(path, &mut self.topics[t].2, name, value, TopicConfig::parse)
            }
            Command::PartitionNetwork { a, b } => {
                self.node(path, "a", a)?;
                if let Some(b) = b {
                    self.node(path, "b", b)?;
                    if NodeName::parse(a) == NodeName::parse(b) {
                        return Err(InputError::of(
                            at(path, "b"),
                            Problem::new(
                                Code::SameNode,
                                vec![field("value", format_args!("{b:?}"))],
                            ),
                        ));
                    }
                }
                Ok(())
            }
            Command::HealNetwork { a, b } => {
                match (a, b) {
                    (None, Some(_)) => {
                        return Err(InputError::of(
                            at(path, "b"),
                            Problem::new(Code::BWithoutA, vec![]),
                        ))
                    }
                    (Some(a), b) => {
                        self.node(path, "a", a)?;
                        if let Some(b) = b {
                            self.node(path, "b", b)?;
                        }
                    }
                    (None, None) => {}
                }
                Ok(())
            }
            Command::AddQueue { queue } => {
                let queue_path = at(path, "queue");
                if self.queues.iter().any(|(id, _)| *id == queue.id) {
                    return Err(InputError::of(
                        format!("{queue_path}.id"),
                        Problem::new(
                            Code::DuplicateQueue,
                            vec![field("name", format_args!("{:?}", queue.id))],
                        ),
                    ));
                }
                if self.queues.len() >= MAX_QUEUES {
                    return Err(InputError::of(
                        queue_path,
                        Problem::new(
                            Code::HasAtMost,
                            vec![
                                field("count", self.queues.len() + 1),
                                field("max", MAX_QUEUES),
                            ],
                        ),
                    ));
                }
                self.scenario.check_queue(&queue_path, queue)?;
                self.queues.push((
                    Cow::Owned(queue.id.clone()),
                    queue
                        .consumers
                        .iter()
                        .map(|c| Cow::Owned(c.clone()))
                        .collect(),
                ));
                Ok(())
            }
            Command::CrashQueueConsumer { queue, consumer }
            | Command::RestartQueueConsumer { queue, consumer } => {
                let Some((_, consumers)) = self.queues.iter().find(|(id, _)| *id == queue.as_str())
                else {
                    let known: Vec<&str> = self.queues.iter().map(|(id, _)| id.as_ref()).collect();
                    return Err(Self::unknown(
                        at(path, "queue"),
                        Code::UnknownQueue,
                        queue,
                        &known,
                    ));
                };
                if consumers.iter().any(|c| *c == consumer.as_str()) {
                    return Ok(());
                }
                let known: Vec<&str> = consumers.iter().map(|c| c.as_ref()).collect();
                let mut error = Self::unknown(
                    at(path, "consumer"),
                    Code::UnknownQueueConsumer,
                    consumer,
                    &known,
                );
                if let Some(problem) = error.problem.as_mut() {
                    problem.fields.push(("queue", queue.clone()));
                }
                Err(error)
            }
            Command::CrashService { service } | Command::RestartService { service } => {
                let mut known: Vec<&str> = Vec::new();
                let calls = self
                    .scenario
                    .producers
                    .iter()
                    .filter_map(|p| p.sync_baseline.as_ref())
                    .flat_map(|baseline| &baseline.calls);
                for call in calls {
                    if !known.contains(&call.service.as_str()) {
                        known.push(&call.service);
                    }
                }
                if known.contains(&service.as_str()) {
                    return Ok(());
                }
                Err(InputError::of(
                    at(path, "service"),
                    Problem::new(
                        Code::UnknownService,
                        vec![
                            field("name", format_args!("{service:?}")),
                            field("known", known.join(", ")),
                        ],
                    ),
                ))
            }
            Command::AddPartitions { topic, partitions } => {
                let t = self.topic(path, "topic", topic)?;
                let current = self.topics[t].1;
                let elsewhere: u32 =
                    self.topics.iter().map(|(_, count, _)| count).sum::<u32>() - current;
                check_range(
                    &at(path, "partitions"),
                    *partitions as u64,
                    current as u64 + 1,
                    MAX_PARTITIONS.min(MAX_TOTAL_PARTITIONS - elsewhere) as u64,
                )
                .map_err(|error| {
                    error.wrapped(
                        Code::OnlyAdd,
                        vec![field("topic", topic), field("current", current)],
                    )
                })?;
                self.topics[t].1 = *partitions;
                Ok(())
            }
        }
    }
}

pub(crate) fn check_name(path: &str, name: &str) -> Result<(), InputError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(InputError::of(
            path,
            Problem::new(Code::BadName, vec![field("name", format_args!("{name:?}"))]),
        ))
    }
}

/// Milliseconds (possibly fractional) to whole microseconds.
pub(crate) fn ms_to_us(ms: f64) -> u64 {
    (ms * 1000.0).round() as u64
}

/// The JSON path (`producers[0].rate_per_sec`) of the value being read at 1-based `line` and byte
/// `column` of `text`, so that a parse error names its field; empty at the top level.
pub fn json_path_at(text: &str, line: usize, column: usize) -> String {
    enum Frame {
        Object {
            key: Option<String>,
            expecting_key: bool,
        },
        Array {
            index: usize,
        },
    }
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let end = (line_start + column).min(text.len());
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut at = 0;
    while at < end {
        match bytes[at] {
            b'"' => {
                let start = at + 1;
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object {
                    key,
                    expecting_key: expecting @ true,
                }) = stack.last_mut()
                {
                    *key = Some(
                        text.get(start..at.min(text.len()))
                            .unwrap_or("")
                            .to_string(),
                    );
                    *expecting = false;
                }
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        at += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// Re-indents compact JSON (as `serde_json::to_string` writes it) with two spaces, like `to_string_pretty`.
pub fn indent_json(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    out.push(chars.next().expect("peeked"));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: &str) -> Result<TimelineEntry, String> {
        serde_json::from_str(json).map_err(|error| error.to_string())
    }

    #[test]
    fn every_action_reads_back_what_it_writes() {
        let group = GroupSpec {
            id: "g".into(),
            topics: vec!["t".into()],
            processing_ms_per_record: 1.5,
            commit: None,
            idempotent: false,
            config: Default::default(),
            members: vec![MemberSpec {
                id: "m".into(),
                topics: None,
                group_instance_id: Some("i".into()),
            }],
            sink: None,
        };
        let (g, m, s) = (|| "g".to_string(), || "m".to_string(), || "s".to_string());
        let commands = [
            Command::CrashBroker { broker: 1 },
            Command::RestartBroker { broker: 2 },
            Command::CrashConsumer {
                group: g(),
                member: m(),
            },
            Command::LeaveConsumer {
                group: g(),
                member: m(),
            },
            Command::RestartConsumer {
                group: g(),
                member: m(),
            },
            Command::StallConsumer {
                group: g(),
                member: m(),
                ms: 7,
            },
            Command::AddConsumer {
                group: g(),
                member: m(),
                topics: None,
            },
            Command::AddConsumer {
                group: g(),
                member: m(),
                topics: Some(vec![s()]),
            },
            Command::AddGroup { group },
            Command::SetProducerRate {
                producer: s(),
                rate_per_sec: 9,
            },
            Command::SetProducerKeys {
                producer: s(),
                keys: KeySpec::Distinct(4),
            },
            Command::SetProducerConfig {
                producer: s(),
                name: m(),
                value: g(),
            },
            Command::SetGroupConfig {
                group: s(),
                name: m(),
                value: g(),
            },
            Command::SetTopicConfig {
                topic: s(),
                name: m(),
                value: g(),
            },
            Command::SetProcessingTime {
                group: g(),
                ms_per_record: 0.25,
            },
            Command::AddPartitions {
                topic: s(),
                partitions: 5,
            },
            Command::PartitionNetwork {
                a: "controller".into(),
                b: None,
            },
            Command::PartitionNetwork {
                a: "broker:1".into(),
                b: Some("member:g/m".into()),
            },
            Command::HealNetwork { a: None, b: None },
            Command::HealNetwork {
                a: Some("broker:1".into()),
                b: Some("controller".into()),
            },
            Command::CrashService {
                service: "email".into(),
            },
            Command::RestartService {
                service: "email".into(),
            },
            Command::AddQueue {
                queue: QueueSpec {
                    id: "q".into(),
                    producer: "p".into(),
                    consumers: vec!["c".into()],
                    processing_ms_per_message: 2.5,
                    prefetch: 3,
                },
            },
            Command::CrashQueueConsumer {
                queue: "q".into(),
                consumer: "c".into(),
            },
            Command::RestartQueueConsumer {
                queue: "q".into(),
                consumer: "c".into(),
            },
        ];
        for command in commands {
            let written = serde_json::to_string(&TimelineEntry {
                at_ms: 3,
                command: command.clone(),
            })
            .unwrap();
            assert_eq!(entry(&written).map(|e| e.command), Ok(command), "{written}");
        }
    }

    #[test]
    fn bad_entries_are_refused_with_serdes_words() {
        for (json, error) in [
            (
                r#"{"at_ms": 1, "action": "explode"}"#,
                "unknown variant `explode`, expected one of `crash_broker`",
            ),
            (
                r#"{"at_ms": 1, "action": "crash_broker"}"#,
                "missing field `broker`",
            ),
            (
                r#"{"at_ms": 1, "action": "crash_broker", "broker": 1, "x": 2}"#,
                "unknown field `x`, expected `broker`",
            ),
            (
                r#"{"at_ms": 1, "action": "set_group_config", "group": "g", "name": "n", "value": "v", "x": 2}"#,
                "unknown field `x`, expected `group`, `name`, `value`",
            ),
            (
                r#"{"at_ms": 1, "action": "crash_broker", "broker": -1}"#,
                "broker: invalid value: integer `-1`, expected u32",
            ),
            (
                r#"{"at_ms": 1, "action": "set_processing_time", "group": "g", "ms_per_record": null}"#,
                "ms_per_record: invalid type: null, expected f64",
            ),
            (
                r#"{"at_ms": 1, "action": "heal_network", "a": 3}"#,
                "a: invalid type: integer `3`, expected a string",
            ),
        ] {
            let got = entry(json).unwrap_err();
            assert!(got.starts_with(error), "{json}: {got}");
        }
    }
}
