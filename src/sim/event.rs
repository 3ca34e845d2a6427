//! Trace events: everything the simulation does that a learner can see, in time order. The JSON Lines
//! trace (`docs/trace-format.md`) is these events serialized, one per line, with `t_us` and `type`.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

pub type TopicPartitionPair = (String, u32);

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceEvent {
    pub t_us: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Why something happened, or what failed: a code with its fields, never a sentence. The trace writes its
/// English text (`Display`; the CLI mirrors Kafka's tools, which speak English); the page writes it in the
/// reader's language. Kafka's exception names are part of the text in every language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    // Why the ISR changed.
    FollowerCaughtUp,
    FollowerOutOfSync,
    BrokerFencedByController,
    // Why a member joins.
    Joining,
    Rejoining,
    // Why a member left.
    MemberClosed,
    PollTimeoutExpired,
    SessionTimeoutExpired,
    RebalanceTimeoutExpired,
    SyncTimeoutExpired,
    // Why a rebalance started.
    JoinedEmptyGroup { member: String },
    NewMemberJoined { member: String },
    LeaderRejoined { member: String },
    MemberRejoined { member: String },
    MemberLeft { member: String, why: Box<Reason> },
    // Why a produce request failed.
    DeliveryTimeout,
    LeaderDown,
    NotLeaderOrFollower,
    NotEnoughReplicas,
    OutOfOrderSequence,
    ConnectionClosed,
    RequestTimeout,
    BufferExhausted,
    // Why a request to the group coordinator failed.
    NotCoordinator,
    CoordinatorNotAvailable,
    // Why a rebalance started again.
    CoordinatorMoved,
    // Why a commit failed.
    CommitNotMember,
    CommitUnknownMember,
    CommitRebalanceInProgress,
    CommitIllegalGeneration,
    // How a consumer moved its position (`auto.offset.reset`, KIP-320).
    ResetEarliest,
    ResetLatest,
    ResetNone,
    TruncationReset,
    TruncationNone,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Reason::*;
        let text = match self {
            JoinedEmptyGroup { member } => {
                return write!(f, "member {member} joined an empty group")
            }
            NewMemberJoined { member } => return write!(f, "new member {member} joined"),
            LeaderRejoined { member } => return write!(f, "leader {member} rejoined"),
            MemberRejoined { member } => return write!(f, "member {member} rejoined"),
            MemberLeft { member, why } => return write!(f, "member {member} left: {why}"),
            FollowerCaughtUp => "follower caught up with the leader",
            FollowerOutOfSync => "follower out of sync for longer than replica.lag.time.max.ms",
            BrokerFencedByController => "broker fenced by the controller",
            NotCoordinator => "NOT_COORDINATOR: the group's coordinator moved",
            CoordinatorNotAvailable => {
                "COORDINATOR_NOT_AVAILABLE: the group has no coordinator, or its broker is down"
            }
            CoordinatorMoved => "the group's coordinator moved during the rebalance",
            Joining => "joining the group",
            Rejoining => "rejoining for a rebalance",
            MemberClosed => "the member left the group (close)",
            PollTimeoutExpired => "consumer poll timeout has expired (max.poll.interval.ms)",
            SessionTimeoutExpired => {
                "session timeout expired (no heartbeat within session.timeout.ms)"
            }
            RebalanceTimeoutExpired => {
                "did not rejoin before the rebalance timeout (max.poll.interval.ms)"
            }
            SyncTimeoutExpired => {
                "sent no SyncGroup before the rebalance timeout (max.poll.interval.ms)"
            }
            DeliveryTimeout => "TimeoutException (delivery.timeout.ms expired)",
            LeaderDown => "NetworkException (the leader is down)",
            NotLeaderOrFollower => "NotLeaderOrFollowerException",
            NotEnoughReplicas => "NotEnoughReplicasException",
            OutOfOrderSequence => "OutOfOrderSequenceException",
            ConnectionClosed => "NetworkException (connection to the leader closed)",
            RequestTimeout => "TimeoutException (request.timeout.ms expired)",
            BufferExhausted => "TimeoutException: failed to allocate memory within max.block.ms",
            CommitNotMember => "CommitFailedException (not a member of the group any more)",
            CommitUnknownMember => {
                "CommitFailedException (UNKNOWN_MEMBER_ID: the member was removed from the group)"
            }
            CommitRebalanceInProgress => "RebalanceInProgressException",
            CommitIllegalGeneration => {
                "CommitFailedException (ILLEGAL_GENERATION: the group has already rebalanced)"
            }
            ResetEarliest => "earliest",
            ResetLatest => "latest",
            ResetNone => "none (NoOffsetForPartitionException; shown starting at the log start)",
            TruncationReset => "reset",
            TruncationNone => "none (LogTruncationException; shown moving back)",
        };
        f.write_str(text)
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// One record written to a partition leader's log (only with per-record tracing on).
    RecordAppended {
        topic: String,
        partition: u32,
        offset: u64,
        key: Option<String>,
        producer: String,
    },
    /// A produce request's batch appended by the leader.
    BatchAppended {
        topic: String,
        partition: u32,
        broker: u32,
        base_offset: u64,
        records: u32,
        producer: String,
    },
    /// A retry without idempotence whose first attempt the leader had appended: the records are in the
    /// log twice (at `first_base_offset` and at `base_offset`).
    DuplicateBatchWritten {
        topic: String,
        partition: u32,
        producer: String,
        base_offset: u64,
        records: u32,
        first_base_offset: u64,
    },
    /// An idempotent retry whose sequence numbers the leader already has: not written again.
    DuplicateBatchIgnored {
        topic: String,
        partition: u32,
        producer: String,
        base_offset: u64,
        records: u32,
    },
    ProduceAcknowledged {
        producer: String,
        topic: String,
        partition: u32,
        base_offset: Option<u64>,
        records: u32,
    },
    ProduceError {
        producer: String,
        topic: String,
        partition: u32,
        records: u32,
        error: Reason,
        retrying: bool,
    },
    /// Records an acknowledged produce request wrote that the cluster later lost.
    AcknowledgedRecordsLost {
        producer: String,
        topic: String,
        partition: u32,
        base_offset: u64,
        records: u32,
    },
    LeaderElected {
        topic: String,
        partition: u32,
        leader: Option<u32>,
        leader_epoch: u32,
        isr: Vec<u32>,
        unclean: bool,
    },
    IsrChanged {
        topic: String,
        partition: u32,
        isr: Vec<u32>,
        reason: Reason,
    },
    LogTruncated {
        topic: String,
        partition: u32,
        broker: u32,
        from_offset: u64,
        to_offset: u64,
    },
    LogStartAdvanced {
        topic: String,
        partition: u32,
        broker: u32,
        log_start_offset: u64,
    },
    BrokerCrashed {
        broker: u32,
    },
    BrokerFenced {
        broker: u32,
    },
    /// A restarted broker's registration refused: its old session is still valid
    /// (`DuplicateBrokerRegistrationException`); it registers once the controller has fenced the old one.
    BrokerRegistrationRefused {
        broker: u32,
    },
    BrokerRestarted {
        broker: u32,
    },
    /// A broker the controller had fenced while it ran (cut off from it) heartbeats again and is unfenced.
    BrokerUnfenced {
        broker: u32,
    },
    /// The group's coordinator moved: the controller elected another leader for the group's
    /// `__consumer_offsets` partition (`to`), or none (`to` null: COORDINATOR_NOT_AVAILABLE).
    CoordinatorMoved {
        group: String,
        from: Option<u32>,
        to: Option<u32>,
    },
    /// A member's request failed with `error` (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE): it marks the
    /// coordinator unknown and looks it up again.
    CoordinatorUnavailable {
        group: String,
        member: String,
        error: Reason,
    },
    /// A network fault: the link between `a` and `b` is cut, or without `b`, `a` is isolated.
    NetworkPartitioned {
        a: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<String>,
    },
    /// Cuts healed: all of them (no `a`), all of `a`'s, or the link between `a` and `b`.
    NetworkHealed {
        #[serde(skip_serializing_if = "Option::is_none")]
        a: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<String>,
    },
    /// A classic queue was declared (`add_queue`): it gets its producer's records from now on.
    QueueAdded {
        queue: String,
    },
    /// A queue's consumer died: `requeued` messages it held unacknowledged go back to the queue.
    QueueConsumerCrashed {
        queue: String,
        consumer: String,
        requeued: u64,
    },
    QueueConsumerRestarted {
        queue: String,
        consumer: String,
    },
    /// A service of the synchronous baselines went down (`crash_service`) or came back.
    ServiceDown {
        service: String,
    },
    ServiceUp {
        service: String,
    },
    /// A member got no answer from its coordinator within `request.timeout.ms` (the request or the answer
    /// was lost to a network fault): it looks the coordinator up again and sends `request` again.
    CoordinatorRequestTimedOut {
        group: String,
        member: String,
        request: String,
    },
    GroupStateChanged {
        group: String,
        state: String,
        generation: i32,
    },
    RebalanceStarted {
        group: String,
        generation: i32,
        reason: Reason,
    },
    RebalanceCompleted {
        group: String,
        generation: i32,
        protocol: String,
        assignor: String,
        leader: String,
        assignment: BTreeMap<String, Vec<TopicPartitionPair>>,
    },
    ConsumerJoining {
        group: String,
        member: String,
        reason: Reason,
    },
    ConsumerLeft {
        group: String,
        /// The member's id; for a restarted static member's replaced process, the id followed by
        /// " (previous process)" (`previous_process`).
        member: String,
        reason: Reason,
        /// The member that left is a restarted member's previous process (the page says so in the
        /// reader's language; the trace holds only `member`).
        #[serde(skip)]
        previous_process: bool,
    },
    ConsumerCrashed {
        group: String,
        member: String,
    },
    ConsumerRestarted {
        group: String,
        member: String,
    },
    ConsumerStalled {
        group: String,
        member: String,
        ms: u64,
    },
    PartitionsRevoked {
        group: String,
        member: String,
        partitions: Vec<TopicPartitionPair>,
    },
    PartitionsAssigned {
        group: String,
        member: String,
        partitions: Vec<TopicPartitionPair>,
    },
    PartitionsLost {
        group: String,
        member: String,
        partitions: Vec<TopicPartitionPair>,
    },
    PollTimeoutExpired {
        group: String,
        member: String,
        since_last_poll_ms: u64,
    },
    RecordsPolled {
        group: String,
        member: String,
        records: u32,
    },
    RecordsProcessed {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        first_offset: u64,
        last_offset: u64,
    },
    OffsetCommitted {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        offset: u64,
    },
    CommitFailed {
        group: String,
        member: String,
        error: Reason,
    },
    /// KIP-320: the consumer found the log it read from truncated (its position is past where its last
    /// fetched epoch ends on the new leader) and moved back to the first diverging offset.
    LogTruncationDetected {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        position: u64,
        diverging_offset: u64,
        strategy: Reason,
    },
    /// A static member's new process (same `group.instance.id`) replaced the old one; in a Stable group
    /// it gets its assignment back without a rebalance.
    StaticMemberRejoined {
        group: String,
        member: String,
        group_instance_id: String,
    },
    OffsetReset {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        offset: u64,
        strategy: Reason,
    },
    ConfigChanged {
        scope: String,
        id: String,
        name: String,
        value: String,
        /// For a command that was not applied (`scope` "error"): the problem as a code, which the page
        /// writes in the reader's language (`value` is its English text; the trace holds only that).
        #[serde(skip)]
        problem: Option<super::config::Problem>,
    },
    ProducerRateChanged {
        producer: String,
        rate_per_sec: u32,
    },
    /// `buffer.memory` is full: the application's `send()` blocks (back-pressure).
    ProducerBlocked {
        producer: String,
        buffer_memory: u64,
    },
    /// Room in `buffer.memory` again: `send()` returns after blocking this long.
    ProducerUnblocked {
        producer: String,
        blocked_ms: u64,
    },
    PartitionsAdded {
        topic: String,
        partitions: u32,
    },
    GroupAdded {
        group: String,
    },
    ConsumerAdded {
        group: String,
        member: String,
    },
}

impl EventKind {
    /// Events that happen for every record or batch. The simulation emits them only when asked
    /// (`Simulation::set_record_events`), and the UI lists them only when asked, so that rebalances,
    /// elections and errors stay readable.
    pub fn is_record_level(&self) -> bool {
        use EventKind::*;
        matches!(
            self,
            RecordAppended { .. }
                | BatchAppended { .. }
                | ProduceAcknowledged { .. }
                | RecordsPolled { .. }
                | RecordsProcessed { .. }
        )
    }

    /// The event's `type` string as it appears in the trace.
    pub fn type_name(&self) -> &'static str {
        use EventKind::*;
        match self {
            RecordAppended { .. } => "record_appended",
            BatchAppended { .. } => "batch_appended",
            DuplicateBatchIgnored { .. } => "duplicate_batch_ignored",
            ProduceAcknowledged { .. } => "produce_acknowledged",
            ProduceError { .. } => "produce_error",
            AcknowledgedRecordsLost { .. } => "acknowledged_records_lost",
            LeaderElected { .. } => "leader_elected",
            IsrChanged { .. } => "isr_changed",
            LogTruncated { .. } => "log_truncated",
            LogStartAdvanced { .. } => "log_start_advanced",
            BrokerCrashed { .. } => "broker_crashed",
            BrokerFenced { .. } => "broker_fenced",
            StaticMemberRejoined { .. } => "static_member_rejoined",
            LogTruncationDetected { .. } => "log_truncation_detected",
            DuplicateBatchWritten { .. } => "duplicate_batch_written",
            BrokerRegistrationRefused { .. } => "broker_registration_refused",
            BrokerRestarted { .. } => "broker_restarted",
            BrokerUnfenced { .. } => "broker_unfenced",
            CoordinatorMoved { .. } => "coordinator_moved",
            CoordinatorUnavailable { .. } => "coordinator_unavailable",
            NetworkPartitioned { .. } => "network_partitioned",
            NetworkHealed { .. } => "network_healed",
            ServiceDown { .. } => "service_down",
            QueueAdded { .. } => "queue_added",
            QueueConsumerCrashed { .. } => "queue_consumer_crashed",
            QueueConsumerRestarted { .. } => "queue_consumer_restarted",
            ServiceUp { .. } => "service_up",
            CoordinatorRequestTimedOut { .. } => "coordinator_request_timed_out",
            GroupStateChanged { .. } => "group_state_changed",
            RebalanceStarted { .. } => "rebalance_started",
            RebalanceCompleted { .. } => "rebalance_completed",
            ConsumerJoining { .. } => "consumer_joining",
            ConsumerLeft { .. } => "consumer_left",
            ConsumerCrashed { .. } => "consumer_crashed",
            ConsumerRestarted { .. } => "consumer_restarted",
            ConsumerStalled { .. } => "consumer_stalled",
            PartitionsRevoked { .. } => "partitions_revoked",
            PartitionsAssigned { .. } => "partitions_assigned",
            PartitionsLost { .. } => "partitions_lost",
            PollTimeoutExpired { .. } => "poll_timeout_expired",
            RecordsPolled { .. } => "records_polled",
            RecordsProcessed { .. } => "records_processed",
            OffsetCommitted { .. } => "offset_committed",
            CommitFailed { .. } => "commit_failed",
            OffsetReset { .. } => "offset_reset",
            ConfigChanged { .. } => "config_changed",
            ProducerRateChanged { .. } => "producer_rate_changed",
            ProducerBlocked { .. } => "producer_blocked",
            ProducerUnblocked { .. } => "producer_unblocked",
            PartitionsAdded { .. } => "partitions_added",
            GroupAdded { .. } => "group_added",
            ConsumerAdded { .. } => "consumer_added",
        }
    }
}

impl TraceEvent {
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| panic!("trace events always serialize"))
    }
}

/// A bounded, cursor-addressed buffer of trace events. Cursor `n` is the n-th event ever recorded;
/// events older than the capacity are dropped from the front (the UI reads often, the CLI drains).
#[derive(Debug)]
pub struct Trace {
    events: VecDeque<TraceEvent>,
    first_cursor: u64,
    capacity: usize,
}

/// A copy of a trace (in a snapshot) keeps its cursors and capacity, not the events already recorded:
/// a reader of a restored run reads on from the cursor it had (events from the snapshot's instant on are
/// recorded again as the run replays). Copying the events cost the page's module 2.5 KB gzipped.
impl Clone for Trace {
    fn clone(&self) -> Self {
        Trace {
            events: VecDeque::new(),
            first_cursor: self.end_cursor(),
            capacity: self.capacity,
        }
    }
}

impl Trace {
    pub fn new(capacity: usize) -> Self {
        Trace {
            events: VecDeque::new(),
            first_cursor: 0,
            capacity: capacity.max(1),
        }
    }

    pub fn push(&mut self, event: TraceEvent) {
        if self.events.len() == self.capacity {
            self.events.pop_front();
            self.first_cursor += 1;
        }
        self.events.push_back(event);
    }

    /// Holds at most `capacity` events from now on (the oldest are dropped first).
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.events.len() > self.capacity {
            self.events.pop_front();
            self.first_cursor += 1;
        }
        self.events.shrink_to_fit();
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The cursor just past the newest event.
    pub fn end_cursor(&self) -> u64 {
        self.first_cursor + self.events.len() as u64
    }

    /// Events from `cursor` on (those still held), and the cursor to ask from next time.
    pub fn since(&self, cursor: u64) -> (impl Iterator<Item = &TraceEvent>, u64) {
        let skip = cursor
            .saturating_sub(self.first_cursor)
            .min(self.events.len() as u64) as usize;
        (self.events.iter().skip(skip), self.end_cursor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(t_us: u64) -> TraceEvent {
        TraceEvent {
            t_us,
            kind: EventKind::BrokerCrashed { broker: 1 },
        }
    }

    /// A smaller capacity drops the oldest events and keeps the cursors: a reader asking from an old cursor
    /// gets what is still held, and the next cursor is unchanged.
    #[test]
    fn a_smaller_capacity_keeps_the_newest_events_and_the_cursors() {
        let mut trace = Trace::new(10);
        for t in 0..8 {
            trace.push(event(t));
        }
        trace.set_capacity(3);
        assert_eq!(trace.len(), 3);
        assert_eq!(trace.end_cursor(), 8);
        let (held, next) = trace.since(0);
        assert_eq!(held.map(|e| e.t_us).collect::<Vec<_>>(), [5, 6, 7]);
        assert_eq!(next, 8);
        trace.push(event(8));
        let (held, _) = trace.since(6);
        assert_eq!(held.map(|e| e.t_us).collect::<Vec<_>>(), [6, 7, 8]);
    }
}
