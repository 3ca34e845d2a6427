//! Kafka configuration properties, by Kafka's own names and value syntax, with Kafka 4.0 defaults
//! (`../shared/kafka-reference.md` §5). Scenario files carry them as string maps; this module turns a
//! map into a typed config, naming the property, the bad value and what is allowed when it cannot.

use super::sort;
use std::collections::BTreeMap;
use std::fmt;

/// A problem with a scenario or a command: where it is, and what is wrong with it. `message` is the
/// English text (the CLI's); `problem`, when there is one, is the same as a code and its fields, which the
/// page writes in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// Where the bad input is, e.g. `producers[0].config.acks`.
    pub path: String,
    pub message: String,
    pub problem: Option<Problem>,
}

impl InputError {
    /// An error whose text has no code (a JSON parser's message).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            path: path.into(),
            message: message.into(),
            problem: None,
        }
    }

    /// An error with a code: its English text is the code's template filled with the fields.
    pub fn of(path: impl Into<String>, problem: Problem) -> Self {
        InputError {
            path: path.into(),
            message: english(&problem),
            problem: Some(problem),
        }
    }

    /// The same problem at another path.
    pub fn at(self, path: impl Into<String>) -> Self {
        InputError {
            path: path.into(),
            ..self
        }
    }

    /// This error's problem wrapped in another code (`{inner}` in its template), at the same path.
    pub fn wrapped(self, code: Code, fields: Vec<(&'static str, String)>) -> Self {
        let inner = self
            .problem
            .unwrap_or_else(|| Problem::new(Code::Text, vec![("text", self.message)]));
        InputError::of(
            self.path,
            Problem {
                code,
                fields,
                inner: Some(Box::new(inner)),
            },
        )
    }
}

/// Fills a template's `{name}` placeholders with the values given (written with `Display`); an unknown
/// placeholder is left as it is. Shared by the core's English texts and the page's catalogues.
pub fn fill(template: &str, values: &[(&str, &dyn fmt::Display)]) -> String {
    use fmt::Write;
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| (close, *value))
        }) {
            Some((close, value)) => {
                let _ = write!(out, "{value}");
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

macro_rules! codes {
    ($($code:ident => $english:literal,)*) => {
        /// What is wrong with an input, as a code. Its English template is `english`; the page has a
        /// template per code in each catalogue, with the same placeholders (`tests/i18n.rs`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Code { $($code,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub fn english(self) -> &'static str {
                match self { $(Code::$code => $english,)* }
            }
        }
    };
}

codes! {
    Text => "{text}",
    BadValue => "bad value {value}; allowed: {allowed}",
    BadInteger => "bad value {value}; allowed: an integer from {min} to {max}",
    UnknownConfig => "unknown config name; known here: {known}",
    IdempotenceNeedsRetries => "enable.idempotence=true conflicts with the other settings: retries must be greater than 0 (Kafka throws ConfigException)",
    IdempotenceNeedsAcksAll => "enable.idempotence=true conflicts with the other settings: acks must be all (Kafka throws ConfigException)",
    MaxInFlightExplicit => "to use the idempotent producer (enable.idempotence is true), it must be at most 5; current value is {value} (Kafka throws ConfigException; set enable.idempotence=false to allow more)",
    MaxInFlightDefault => "to use the idempotent producer (enable.idempotence is true by default), it must be at most 5; current value is {value} (Kafka throws ConfigException; set enable.idempotence=false to allow more)",
    HeartbeatInterval => "bad value {value}; allowed: less than session.timeout.ms ({session})",
    ScenarioTooBig => "the scenario is {bytes} bytes; allowed: at most {max}",
    NotAScenario => "not a valid scenario file: {error}",
    TopicsCount => "has {count} topics; allowed: 1 to {max}",
    DuplicateTopic => "duplicate topic name {name}",
    BrokersBound => "{inner} (the number of brokers)",
    PartitionsInAll => "{count} partitions in all; allowed: at most {max} over all topics",
    HasAtMost => "has {count}; allowed: at most {max}",
    DuplicateProducer => "duplicate producer id {name}",
    DuplicateGroup => "duplicate group id {name}",
    DuplicateMember => "duplicate member id {name}",
    DuplicateInstance => "duplicate group.instance.id {name}",
    TimelineCount => "has {count} entries; allowed: at most {max}",
    MembersInAll => "{count} members in all; allowed: at most {max} over all groups",
    MembersInAllAlready => "{count} members in all already; allowed: at most {max} over all groups",
    TimelineOrder => "timeline entries must be in time order",
    UnknownTopicKnownTopics => "unknown topic {name}; known topics: {known}",
    NoTopic => "a group subscribes to at least one topic",
    Range => "bad value {value}; allowed: {min} to {max}",
    ProcessingRange => "bad value {value}; allowed: 0 to {max} (milliseconds)",
    KeyTooLong => "a key of {chars} characters; allowed: at most {max}",
    KeysCount => "has {count} keys; allowed: 1 to {max}",
    TooLong => "{chars} characters; allowed: at most {max}",
    UnknownTopic => "unknown topic {name}; known: {known}",
    UnknownGroup => "unknown group {name}; known: {known}",
    UnknownProducer => "unknown producer {name}; known: {known}",
    UnknownTopicName => "unknown topic {name}",
    UnknownMemberOfGroup => "unknown member {name} of group {group}; known: {known}",
    UnknownMemberInGroup => "unknown member of group {group}: {name}; known: {known}",
    ConfigOf => "{name}: {inner}",
    MemberExists => "group {group} already has a member {member}",
    MaxMembersPerGroup => "allowed: at most {max} members per group",
    MaxGroups => "allowed: at most {max} groups",
    OnlyAdd => "{inner} (Kafka can only add partitions; {topic} has {current} by then)",
    BadName => "bad name {name}; allowed: 1 to 64 of the characters a-z A-Z 0-9 . _ -",
    LinkTooLong => "the link is {chars} characters; allowed: at most {max}",
    LinkBadCharacter => "the link is damaged: character {character} at {at} is not base64url",
    LinkNotUtf8 => "the link is damaged: not UTF-8 text",
    UnknownLanguage => "unknown language {name}; allowed: en, zh-CN",
    BadNode => "bad node {value}; allowed: controller, broker:N, producer:ID or member:GROUP/MEMBER",
    SameNode => "the same node as a: {value}",
    BWithoutA => "b is given without a",
    UnknownSink => "unknown sink {name}; known: {known}",
    SinkCapacity => "sink {name} has capacity_per_sec {other} in another group; here {value}",
    UnknownService => "unknown service {name}; known: {known}",
    DuplicateQueue => "duplicate queue id {name}",
    UnknownQueue => "unknown queue {name}; known: {known}",
    UnknownQueueConsumer => "unknown consumer {name} of queue {queue}; known: {known}",
}

/// A code and its fields (and, for a code that wraps another problem, that problem as `{inner}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: Code,
    pub fields: Vec<(&'static str, String)>,
    pub inner: Option<Box<Problem>>,
}

impl Problem {
    pub fn new(code: Code, fields: Vec<(&'static str, String)>) -> Self {
        Problem {
            code,
            fields,
            inner: None,
        }
    }

    /// The problem in words: `template(code)` for this code and, recursively, its inner problem.
    pub fn render(&self, template: &dyn Fn(Code) -> String) -> String {
        let inner = self
            .inner
            .as_ref()
            .map(|inner| inner.render(template))
            .unwrap_or_default();
        let mut values: Vec<(&str, &dyn fmt::Display)> = self
            .fields
            .iter()
            .map(|(name, value)| (*name, value as &dyn fmt::Display))
            .collect();
        values.push(("inner", &inner));
        fill(&template(self.code), &values)
    }
}

/// A coded problem's English text, for the CLI and the native tests. The page writes coded problems from
/// its catalogues (`markup::events::problem`) and never reads this text, so in the wasm module it is empty
/// and the module carries no English templates (about 1 KB gzipped).
pub fn english(problem: &Problem) -> String {
    if cfg!(target_arch = "wasm32") {
        String::new()
    } else {
        problem.to_string()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&|code| code.english().to_string()))
    }
}

/// A field's value.
pub fn field(name: &'static str, value: impl fmt::Display) -> (&'static str, String) {
    (name, value.to_string())
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for InputError {}

pub type Properties = BTreeMap<String, String>;

/// Reads typed values out of a property map, remembering which names were known.
struct Reader<'a> {
    path: &'a str,
    properties: &'a Properties,
    known: Vec<&'static str>,
}

impl<'a> Reader<'a> {
    fn new(path: &'a str, properties: &'a Properties) -> Self {
        Reader {
            path,
            properties,
            known: Vec::new(),
        }
    }

    fn raw(&mut self, name: &'static str) -> Option<&'a str> {
        self.known.push(name);
        self.properties.get(name).map(|value| value.trim())
    }

    fn error(&self, name: &str, value: &str, allowed: &str) -> InputError {
        InputError::of(
            format!("{}.{}", self.path, name),
            Problem::new(
                Code::BadValue,
                vec![
                    field("value", format_args!("{value:?}")),
                    field("allowed", allowed),
                ],
            ),
        )
    }

    fn integer(
        &mut self,
        name: &'static str,
        default: i64,
        min: i64,
        max: i64,
    ) -> Result<i64, InputError> {
        match self.raw(name) {
            None => Ok(default),
            Some(value) => match value.parse::<i64>() {
                Ok(number) if (min..=max).contains(&number) => Ok(number),
                _ => Err(InputError::of(
                    format!("{}.{}", self.path, name),
                    Problem::new(
                        Code::BadInteger,
                        vec![
                            field("value", format_args!("{value:?}")),
                            field("min", min),
                            field("max", max),
                        ],
                    ),
                )),
            },
        }
    }

    fn boolean(&mut self, name: &'static str, default: bool) -> Result<(bool, bool), InputError> {
        match self.raw(name) {
            None => Ok((default, false)),
            Some(value) => match value.to_ascii_lowercase().as_str() {
                "true" => Ok((true, true)),
                "false" => Ok((false, true)),
                _ => Err(self.error(name, value, "true, false")),
            },
        }
    }

    fn choice<T: Copy>(
        &mut self,
        name: &'static str,
        default: T,
        options: &[(&str, T)],
    ) -> Result<(T, bool), InputError> {
        match self.raw(name) {
            None => Ok((default, false)),
            Some(value) => options
                .iter()
                .find(|(option, _)| option.eq_ignore_ascii_case(value))
                .map(|(_, parsed)| (*parsed, true))
                .ok_or_else(|| {
                    let allowed: Vec<&str> = options.iter().map(|(option, _)| *option).collect();
                    self.error(name, value, &allowed.join(", "))
                }),
        }
    }

    /// Every property must be one this reader asked for.
    fn finish(self) -> Result<(), InputError> {
        for name in self.properties.keys() {
            if !self.known.contains(&name.as_str()) {
                let mut known = self.known.clone();
                sort::sort(&mut known);
                return Err(InputError::of(
                    format!("{}.{}", self.path, name),
                    Problem::new(Code::UnknownConfig, vec![field("known", known.join(", "))]),
                ));
            }
        }
        Ok(())
    }
}

const MS_MAX: i64 = i32::MAX as i64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Acks {
    #[serde(rename = "0")]
    Zero,
    #[serde(rename = "1")]
    One,
    #[serde(rename = "all")]
    All,
}

impl Acks {
    pub fn kafka_value(self) -> &'static str {
        match self {
            Acks::Zero => "0",
            Acks::One => "1",
            Acks::All => "all",
        }
    }
}

/// Producer properties (`ProducerConfig`).
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerConfig {
    pub acks: Acks,
    pub linger_ms: u64,
    pub batch_size: u64,
    pub retries: u64,
    pub enable_idempotence: bool,
    pub max_in_flight_requests_per_connection: u64,
    pub delivery_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub retry_backoff_ms: u64,
    pub retry_backoff_max_ms: u64,
    /// `buffer.memory`: the accumulator's bytes (open batches and requests not yet answered).
    pub buffer_memory: u64,
    /// `max.block.ms`: how long `send()` blocks waiting for room in `buffer.memory` before it throws.
    pub max_block_ms: u64,
}

impl ProducerConfig {
    pub fn parse(path: &str, properties: &Properties) -> Result<Self, InputError> {
        let mut reader = Reader::new(path, properties);
        let (acks, _) = reader.choice(
            "acks",
            Acks::All,
            &[
                ("all", Acks::All),
                ("-1", Acks::All),
                ("0", Acks::Zero),
                ("1", Acks::One),
            ],
        )?;
        let linger_ms = reader.integer("linger.ms", 5, 0, MS_MAX)? as u64;
        let batch_size = reader.integer("batch.size", 16384, 0, MS_MAX)?.max(1) as u64;
        let retries = reader.integer("retries", i32::MAX as i64, 0, i32::MAX as i64)? as u64;
        let (idempotence, idempotence_explicit) = reader.boolean("enable.idempotence", true)?;
        let max_in_flight =
            reader.integer("max.in.flight.requests.per.connection", 5, 1, MS_MAX)? as u64;
        let delivery_timeout_ms = reader.integer("delivery.timeout.ms", 120_000, 0, MS_MAX)? as u64;
        let request_timeout_ms = reader.integer("request.timeout.ms", 30_000, 0, MS_MAX)? as u64;
        let retry_backoff_ms = reader.integer("retry.backoff.ms", 100, 0, MS_MAX)? as u64;
        let retry_backoff_max_ms = reader.integer("retry.backoff.max.ms", 1000, 0, MS_MAX)? as u64;
        let buffer_memory = reader.integer("buffer.memory", 33_554_432, 1, i64::MAX / 2)? as u64;
        let max_block_ms = reader.integer("max.block.ms", 60_000, 0, MS_MAX)? as u64;
        reader.finish()?;
        // ProducerConfig.postProcessAndValidateIdempotenceConfigs (Kafka 4.0): idempotence needs retries > 0
        // and acks=all; explicitly enabled with a conflict is a ConfigException, enabled only by default it
        // is silently turned off. More than 5 in-flight requests is a ConfigException whenever idempotence
        // is on, explicitly or by default (KAFKA-17927; before 4.0 it turned idempotence off).
        let conflict = if retries == 0 {
            Some(Code::IdempotenceNeedsRetries)
        } else if acks != Acks::All {
            Some(Code::IdempotenceNeedsAcksAll)
        } else {
            None
        };
        let enable_idempotence = match (idempotence, idempotence_explicit, conflict) {
            (true, true, Some(code)) => {
                return Err(InputError::of(
                    format!("{path}.enable.idempotence"),
                    Problem::new(code, Vec::new()),
                ))
            }
            (true, false, Some(_)) => false,
            (enabled, _, _) => enabled,
        };
        if idempotence && max_in_flight > 5 {
            return Err(InputError::of(
                format!("{path}.max.in.flight.requests.per.connection"),
                Problem::new(
                    if idempotence_explicit {
                        Code::MaxInFlightExplicit
                    } else {
                        Code::MaxInFlightDefault
                    },
                    vec![field("value", max_in_flight)],
                ),
            ));
        }
        Ok(ProducerConfig {
            acks,
            linger_ms,
            batch_size,
            retries,
            enable_idempotence,
            max_in_flight_requests_per_connection: max_in_flight,
            delivery_timeout_ms,
            request_timeout_ms,
            retry_backoff_ms,
            retry_backoff_max_ms,
            buffer_memory,
            max_block_ms,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoOffsetReset {
    Earliest,
    Latest,
    None,
}

/// Consumer properties (`ConsumerConfig`).
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerConfig {
    pub max_poll_records: u64,
    pub max_poll_interval_ms: u64,
    pub session_timeout_ms: u64,
    pub heartbeat_interval_ms: u64,
    /// Also how often the heartbeat thread wakes between heartbeats to check `max.poll.interval.ms`.
    pub retry_backoff_ms: u64,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: u64,
    pub auto_offset_reset: AutoOffsetReset,
    pub fetch_max_wait_ms: u64,
    pub max_partition_fetch_bytes: u64,
    pub fetch_max_bytes: u64,
    /// The assignors in preference order (`partition.assignment.strategy`).
    pub partition_assignment_strategy: Vec<super::assignor::Assignor>,
}

impl ConsumerConfig {
    pub fn parse(path: &str, properties: &Properties) -> Result<Self, InputError> {
        use super::assignor::Assignor;
        let mut reader = Reader::new(path, properties);
        let max_poll_records = reader.integer("max.poll.records", 500, 1, MS_MAX)? as u64;
        let max_poll_interval_ms =
            reader.integer("max.poll.interval.ms", 300_000, 1, MS_MAX)? as u64;
        // Brokers accept session timeouts within group.min/max.session.timeout.ms (6000 / 1800000).
        let session_timeout_ms =
            reader.integer("session.timeout.ms", 45_000, 6_000, 1_800_000)? as u64;
        let heartbeat_interval_ms =
            reader.integer("heartbeat.interval.ms", 3_000, 1, MS_MAX)? as u64;
        let retry_backoff_ms = reader.integer("retry.backoff.ms", 100, 1, MS_MAX)? as u64;
        let (enable_auto_commit, _) = reader.boolean("enable.auto.commit", true)?;
        let auto_commit_interval_ms =
            reader.integer("auto.commit.interval.ms", 5_000, 1, MS_MAX)? as u64;
        let (auto_offset_reset, _) = reader.choice(
            "auto.offset.reset",
            AutoOffsetReset::Latest,
            &[
                ("earliest", AutoOffsetReset::Earliest),
                ("latest", AutoOffsetReset::Latest),
                ("none", AutoOffsetReset::None),
            ],
        )?;
        let fetch_max_wait_ms = reader.integer("fetch.max.wait.ms", 500, 0, MS_MAX)? as u64;
        let max_partition_fetch_bytes =
            reader.integer("max.partition.fetch.bytes", 1_048_576, 1, MS_MAX)? as u64;
        let fetch_max_bytes = reader.integer("fetch.max.bytes", 52_428_800, 1, MS_MAX)? as u64;
        let partition_assignment_strategy = match reader.raw("partition.assignment.strategy") {
            None => vec![Assignor::Range, Assignor::CooperativeSticky],
            Some(value) => {
                let mut list = Vec::new();
                for name in value
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                {
                    match Assignor::from_kafka_name(name) {
                        Some(assignor) => list.push(assignor),
                        None => {
                            return Err(reader.error(
                                "partition.assignment.strategy",
                                value,
                                "a comma-separated list of range, roundrobin, sticky, cooperative-sticky",
                            ))
                        }
                    }
                }
                if list.is_empty() {
                    return Err(reader.error(
                        "partition.assignment.strategy",
                        value,
                        "at least one assignor",
                    ));
                }
                list
            }
        };
        reader.finish()?;
        if heartbeat_interval_ms >= session_timeout_ms {
            return Err(InputError::of(
                format!("{path}.heartbeat.interval.ms"),
                Problem::new(
                    Code::HeartbeatInterval,
                    vec![
                        field("value", heartbeat_interval_ms),
                        field("session", session_timeout_ms),
                    ],
                ),
            ));
        }
        Ok(ConsumerConfig {
            max_poll_records,
            max_poll_interval_ms,
            session_timeout_ms,
            heartbeat_interval_ms,
            retry_backoff_ms,
            enable_auto_commit,
            auto_commit_interval_ms,
            auto_offset_reset,
            fetch_max_wait_ms,
            max_partition_fetch_bytes,
            fetch_max_bytes,
            partition_assignment_strategy,
        })
    }

    /// The rebalance protocol: cooperative only when every configured assignor supports it
    /// (`ConsumerCoordinator` constructor).
    pub fn cooperative(&self) -> bool {
        self.partition_assignment_strategy
            .iter()
            .all(|assignor| assignor.supports_cooperative())
    }
}

/// Topic properties (`LogConfig`).
#[derive(Clone, Debug, PartialEq)]
pub struct TopicConfig {
    pub min_insync_replicas: u64,
    pub unclean_leader_election_enable: bool,
    /// `retention.ms`; `None` for -1 (keep forever).
    pub retention_ms: Option<u64>,
    /// `retention.bytes` per partition; `None` for -1 (unlimited).
    pub retention_bytes: Option<u64>,
    /// `segment.bytes`: retention deletes whole closed segments only.
    pub segment_bytes: u64,
    /// `segment.ms`: a segment is rolled when it is this old.
    pub segment_ms: u64,
}

impl TopicConfig {
    pub fn parse(path: &str, properties: &Properties) -> Result<Self, InputError> {
        let mut reader = Reader::new(path, properties);
        let min_insync_replicas = reader.integer("min.insync.replicas", 1, 1, MS_MAX)? as u64;
        let (unclean_leader_election_enable, _) =
            reader.boolean("unclean.leader.election.enable", false)?;
        let retention_ms = reader.integer("retention.ms", 604_800_000, -1, i64::MAX / 1000)?;
        let retention_bytes = reader.integer("retention.bytes", -1, -1, i64::MAX)?;
        let segment_bytes =
            reader.integer("segment.bytes", 1_073_741_824, 14, i32::MAX as i64)? as u64;
        let segment_ms = reader.integer("segment.ms", 604_800_000, 1, i64::MAX / 1000)? as u64;
        reader.finish()?;
        Ok(TopicConfig {
            min_insync_replicas,
            unclean_leader_election_enable,
            retention_ms: u64::try_from(retention_ms).ok(),
            retention_bytes: u64::try_from(retention_bytes).ok(),
            segment_bytes,
            segment_ms,
        })
    }
}

/// Broker and controller properties shared by the whole cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterConfig {
    pub replica_lag_time_max_ms: u64,
    pub broker_session_timeout_ms: u64,
    pub broker_heartbeat_interval_ms: u64,
    pub log_retention_check_interval_ms: u64,
    pub group_initial_rebalance_delay_ms: u64,
    pub replica_fetch_wait_max_ms: u64,
    pub replica_fetch_max_bytes: u64,
    /// The KRaft controller moves leadership back to each partition's preferred replica.
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.check.interval.seconds`, in milliseconds.
    pub leader_imbalance_check_interval_ms: u64,
}

impl ClusterConfig {
    pub fn parse(path: &str, properties: &Properties) -> Result<Self, InputError> {
        let mut reader = Reader::new(path, properties);
        let config = ClusterConfig {
            replica_lag_time_max_ms: reader.integer("replica.lag.time.max.ms", 30_000, 1, MS_MAX)?
                as u64,
            broker_session_timeout_ms: reader.integer(
                "broker.session.timeout.ms",
                9_000,
                1,
                MS_MAX,
            )? as u64,
            broker_heartbeat_interval_ms: reader.integer(
                "broker.heartbeat.interval.ms",
                2_000,
                1,
                MS_MAX,
            )? as u64,
            log_retention_check_interval_ms: reader.integer(
                "log.retention.check.interval.ms",
                300_000,
                1,
                MS_MAX,
            )? as u64,
            group_initial_rebalance_delay_ms: reader.integer(
                "group.initial.rebalance.delay.ms",
                3_000,
                0,
                MS_MAX,
            )? as u64,
            replica_fetch_wait_max_ms: reader.integer(
                "replica.fetch.wait.max.ms",
                500,
                0,
                MS_MAX,
            )? as u64,
            replica_fetch_max_bytes: reader.integer(
                "replica.fetch.max.bytes",
                1_048_576,
                1,
                MS_MAX,
            )? as u64,
            auto_leader_rebalance_enable: reader.boolean("auto.leader.rebalance.enable", true)?.0,
            leader_imbalance_check_interval_ms: reader.integer(
                "leader.imbalance.check.interval.seconds",
                300,
                1,
                MS_MAX / 1000,
            )? as u64
                * 1000,
        };
        reader.finish()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Properties {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kafka_4_defaults() {
        let producer = ProducerConfig::parse("p", &Properties::new()).unwrap();
        assert_eq!(producer.acks, Acks::All);
        assert_eq!(producer.linger_ms, 5);
        assert_eq!(producer.batch_size, 16384);
        assert!(producer.enable_idempotence);
        assert_eq!(producer.delivery_timeout_ms, 120_000);
        let consumer = ConsumerConfig::parse("c", &Properties::new()).unwrap();
        assert_eq!(consumer.max_poll_records, 500);
        assert_eq!(consumer.max_poll_interval_ms, 300_000);
        assert_eq!(consumer.session_timeout_ms, 45_000);
        assert_eq!(consumer.heartbeat_interval_ms, 3_000);
        assert!(consumer.enable_auto_commit);
        assert_eq!(consumer.auto_offset_reset, AutoOffsetReset::Latest);
        assert!(
            !consumer.cooperative(),
            "the default [range, cooperative-sticky] list is EAGER"
        );
        let topic = TopicConfig::parse("t", &Properties::new()).unwrap();
        assert_eq!(topic.min_insync_replicas, 1);
        assert_eq!(topic.retention_ms, Some(604_800_000));
        assert_eq!(topic.retention_bytes, None);
        assert!(!topic.unclean_leader_election_enable);
    }

    #[test]
    fn idempotence_disabled_silently_by_default_conflict_but_explicit_conflict_is_an_error() {
        let implicit = ProducerConfig::parse("p", &props(&[("acks", "1")])).unwrap();
        assert!(!implicit.enable_idempotence);
        let explicit = ProducerConfig::parse(
            "p",
            &props(&[("acks", "1"), ("enable.idempotence", "true")]),
        );
        assert!(explicit.unwrap_err().message.contains("ConfigException"));
    }

    #[test]
    fn more_than_five_in_flight_requests_with_idempotence_on_is_an_error() {
        // Kafka's ProducerConfigTest.testUpperboundCheckOfEnableIdempotence: on by default, 6 throws, 5 not.
        let six = ProducerConfig::parse(
            "producers[0].config",
            &props(&[("max.in.flight.requests.per.connection", "6")]),
        )
        .unwrap_err();
        assert_eq!(
            six.path,
            "producers[0].config.max.in.flight.requests.per.connection"
        );
        assert!(
            six.message.contains("at most 5") && six.message.contains("6"),
            "{six}"
        );
        let five = ProducerConfig::parse(
            "p",
            &props(&[("max.in.flight.requests.per.connection", "5")]),
        )
        .unwrap();
        assert!(five.enable_idempotence);
        // Explicitly on: still an error. Explicitly off: allowed.
        assert!(ProducerConfig::parse(
            "p",
            &props(&[
                ("max.in.flight.requests.per.connection", "6"),
                ("enable.idempotence", "true")
            ]),
        )
        .is_err());
        let off = ProducerConfig::parse(
            "p",
            &props(&[
                ("max.in.flight.requests.per.connection", "6"),
                ("enable.idempotence", "false"),
            ]),
        )
        .unwrap();
        assert!(!off.enable_idempotence);
        assert_eq!(off.max_in_flight_requests_per_connection, 6);
        // On by default with acks=1: Kafka 4.0 checks the in-flight limit before turning idempotence off.
        assert!(ProducerConfig::parse(
            "p",
            &props(&[
                ("max.in.flight.requests.per.connection", "6"),
                ("acks", "1")
            ]),
        )
        .is_err());
    }

    #[test]
    fn errors_name_the_property_the_value_and_what_is_allowed() {
        let error =
            ProducerConfig::parse("producers[0].config", &props(&[("acks", "2")])).unwrap_err();
        assert_eq!(error.path, "producers[0].config.acks");
        assert!(
            error.message.contains("\"2\"") && error.message.contains("all, -1, 0, 1"),
            "{error}"
        );
        let unknown =
            ConsumerConfig::parse("groups[0].config", &props(&[("max.poll.recods", "5")]))
                .unwrap_err();
        assert!(
            unknown.message.contains("unknown config name")
                && unknown.message.contains("max.poll.records")
        );
        let range =
            ConsumerConfig::parse("g", &props(&[("session.timeout.ms", "10")])).unwrap_err();
        assert!(range.message.contains("6000"), "{range}");
    }

    #[test]
    fn cooperative_only_when_every_assignor_supports_it() {
        let cooperative = ConsumerConfig::parse(
            "c",
            &props(&[("partition.assignment.strategy", "cooperative-sticky")]),
        )
        .unwrap();
        assert!(cooperative.cooperative());
        let full_name = ConsumerConfig::parse(
            "c",
            &props(&[(
                "partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            )]),
        )
        .unwrap();
        assert!(!full_name.cooperative());
    }
}
