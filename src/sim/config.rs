//! Kafka configuration properties, by Kafka's own names and value syntax, with Kafka 4.0 defaults
//! (`../shared/kafka-reference.md` §5). Scenario files carry them as string maps; this module turns a
//! map into a typed config, naming the property, the bad value and what is allowed when it cannot.

use super::sort;
use std::collections::BTreeMap;
use std::fmt;

/// A problem with a scenario or a command: where it is, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// Where the bad input is, e.g. `producers[0].config.acks`.
    pub path: String,
    pub message: String,
}

impl InputError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            path: path.into(),
            message: message.into(),
        }
    }
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
        InputError::new(
            format!("{}.{}", self.path, name),
            format!("bad value {value:?}; allowed: {allowed}"),
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
                _ => Err(self.error(name, value, &format!("an integer from {min} to {max}"))),
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
                return Err(InputError::new(
                    format!("{}.{}", self.path, name),
                    format!("unknown config name; known here: {}", known.join(", ")),
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
            Some("retries must be greater than 0")
        } else if acks != Acks::All {
            Some("acks must be all")
        } else {
            None
        };
        let enable_idempotence = match (idempotence, idempotence_explicit, conflict) {
            (true, true, Some(reason)) => {
                return Err(InputError::new(
                    format!("{path}.enable.idempotence"),
                    format!("enable.idempotence=true conflicts with the other settings: {reason} (Kafka throws ConfigException)"),
                ))
            }
            (true, false, Some(_)) => false,
            (enabled, _, _) => enabled,
        };
        if idempotence && max_in_flight > 5 {
            return Err(InputError::new(
                format!("{path}.max.in.flight.requests.per.connection"),
                format!("to use the idempotent producer (enable.idempotence is true{}), it must be at most 5; current value is {max_in_flight} (Kafka throws ConfigException; set enable.idempotence=false to allow more)", if idempotence_explicit { "" } else { " by default" }),
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
            return Err(InputError::new(
                format!("{path}.heartbeat.interval.ms"),
                format!("bad value {heartbeat_interval_ms}; allowed: less than session.timeout.ms ({session_timeout_ms})"),
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
