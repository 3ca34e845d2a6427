//! The messages nodes send each other and the timers they set: what the event queue holds. Each message
//! is named for the Kafka API it mirrors where there is one (ProduceRequest/Response, Fetch from a
//! follower or a consumer, JoinGroup/SyncGroup, Heartbeat, LeaveGroup, OffsetCommit).

use super::assignor::{Assignor, Subscription};
use super::config::{Acks, AutoOffsetReset};
use super::event::Reason;
use super::ids::{
    BrokerId, FetchId, GroupIx, MemberId, MemberSlot, Micros, ProducerIx, ProducerRequestId,
    QueueConsumerIx, QueueIx, Tp,
};
use super::keys::KeyRun;
use super::log::BatchList;
use super::scenario::Command;

/// Everything that happens at an instant: a message arriving at a node (its Kafka API in the variant's
/// comment), a node's own timer, or a command. Variants carry incarnation numbers so that events of a crashed or restarted
/// actor are recognised as stale and dropped.
#[derive(Clone, Debug)]
pub enum Ev {
    Timeline(usize),
    UserCommand(Box<Command>),
    /// The application calls `send()` (the producer's rate) and the sender thread drains batches.
    ProducerTick {
        producer: ProducerIx,
    },
    /// One ProduceRequest to a broker: the batches drained for its partitions together, and the
    /// producer's `acks`.
    Produce {
        producer: ProducerIx,
        broker: BrokerId,
        acks: Acks,
        batches: Vec<ProduceBatch>,
    },
    /// One ProduceResponse: the outcome of each batch of the request.
    ProduceResponse {
        producer: ProducerIx,
        outcomes: Vec<(ProducerRequestId, ProduceOutcome)>,
    },
    /// The producer's one `request.timeout.ms` timer (see `Producer::timeouts`).
    ProduceTimeout {
        producer: ProducerIx,
    },
    ProduceRetry {
        producer: ProducerIx,
        request: ProducerRequestId,
    },
    /// A follower's FetchRequest (its fetch session with the leader) arriving at the leader.
    ReplicaFetch {
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
        offsets: Vec<FetchOffset>,
    },
    /// The leader's delayed-fetch timer for a parked follower fetch (`replica.fetch.wait.max.ms`).
    ReplicaFetchWait {
        follower: BrokerId,
        leader: BrokerId,
    },
    /// The leader's FetchResponse arriving at the follower.
    ReplicaFetchResponse {
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
        data: Vec<FetchedPartition>,
    },
    /// The follower's FetchRequest or its response was lost to a network fault: the request times out
    /// (`replica.socket.timeout.ms`) and the fetcher backs off (`replica.fetch.backoff.ms`) and fetches again.
    ReplicaFetchTimeout {
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
    },
    /// The leaders' `isr-expiration` task, every `replica.lag.time.max.ms` / 2.
    IsrExpiration,
    /// The controller's `maybeBalancePartitionLeaders` (see `Simulation::balance_leaders`).
    BalanceLeaders,
    /// The controller's session timer for a broker (`broker.session.timeout.ms`), renewed by its
    /// BrokerHeartbeats.
    BrokerFence {
        broker: BrokerId,
        incarnation: u32,
    },
    /// The log manager's retention task (`log.retention.check.interval.ms`).
    RetentionCheck,
    /// A classic queue's consumer has processed what it was given and acknowledges it (`queue`).
    QueueAck {
        queue: QueueIx,
        consumer: QueueConsumerIx,
        incarnation: u32,
    },
    /// Something arriving at, or a timer of, a consumer client (`MemberEvent`).
    Member {
        group: GroupIx,
        member: MemberSlot,
        incarnation: u32,
        event: MemberEvent,
    },
    /// A consumer's FetchRequest arriving at a broker that leads some of its partitions.
    ConsumerFetch {
        broker: BrokerId,
        request: Box<ConsumerFetchRequest>,
    },
    /// A broker's delayed-fetch timer for a consumer's parked fetch (`fetch.max.wait.ms`).
    ConsumerFetchWait {
        broker: BrokerId,
        group: GroupIx,
        member: MemberSlot,
    },
    /// A request arriving at, or a timer of, a group's coordinator (`CoordinatorEvent`). `broker` is the
    /// broker it was sent to (set on), and `epoch` the group's coordinator epoch then: a request that finds
    /// the coordinator moved is answered NOT_COORDINATOR by that broker, an old coordinator's timer lapses.
    Coordinator {
        group: GroupIx,
        broker: BrokerId,
        epoch: u32,
        event: CoordinatorEvent,
    },
}

/// The consumer's `request.timeout.ms` (30 s, `ConsumerConfig`): how long it waits for an answer. Only a
/// network fault makes it wait that long.
pub const CONSUMER_REQUEST_TIMEOUT_US: Micros = 30_000_000;

/// One record batch of a ProduceRequest, as the producer sent it.
#[derive(Clone, Debug)]
pub struct ProduceBatch {
    /// The producer's id for the batch, which the response names.
    pub request: ProducerRequestId,
    /// Which send of the batch this is (the response names it too: an answer to an earlier attempt is
    /// stale).
    pub attempt: u32,
    pub tp: Tp,
    pub records: u32,
    pub bytes: u64,
    /// An idempotent producer's `producerId` and `producerEpoch`.
    pub producer_id: Option<(u64, u32)>,
    pub base_sequence: u32,
    pub keys: Option<KeyRun>,
    pub created_us: Micros,
}

/// The Java client's own failures, as a producer callback would see them.
#[derive(Clone, Debug, PartialEq)]
pub struct ProduceOutcome {
    pub attempt: u32,
    pub result: Result<Option<u64>, Reason>,
}

/// One partition of a follower's FetchRequest: where its log ends, and the epoch of its last record
/// (`lastFetchedEpoch`), which the leader checks against its own log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FetchOffset {
    pub tp: Tp,
    pub fetch_offset: u64,
    pub last_fetched_epoch: Option<u32>,
}

/// One partition of the leader's FetchResponse to a follower.
#[derive(Clone, Debug)]
pub struct FetchedPartition {
    pub tp: Tp,
    pub leader_epoch: u32,
    pub fetch_offset: u64,
    pub batches: BatchList,
    pub high_watermark: u64,
    pub log_start_offset: u64,
    /// The follower's log diverges from the leader's (`divergingEpoch`): the largest epoch at most its
    /// `lastFetchedEpoch` that the leader holds (`None`: none that old) and where that epoch ends in the
    /// leader's log. The follower truncates and fetches again; no records come with it.
    pub diverging: Option<(Option<u32>, u64)>,
}

/// A consumer's FetchRequest to one broker: the partitions it leads, with where to read each, and the
/// request's limits (`fetch.max.wait.ms`, `fetch.max.bytes`, `max.partition.fetch.bytes`).
#[derive(Clone, Debug)]
pub struct ConsumerFetchRequest {
    pub group: GroupIx,
    pub member: MemberSlot,
    pub incarnation: u32,
    pub fetch: FetchId,
    pub sent_us: Micros,
    pub max_wait_us: Micros,
    pub max_bytes: u64,
    pub partition_max_bytes: u64,
    pub partitions: Vec<ConsumerFetchPartition>,
}

impl ConsumerFetchRequest {
    /// Who sent it: (group, member, process, fetch id).
    pub fn sender(&self) -> (GroupIx, MemberSlot, u32, FetchId) {
        (self.group, self.member, self.incarnation, self.fetch)
    }
}

/// Where a consumer reads a partition from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FetchFrom {
    Offset(u64),
    /// It has no position: the broker answers where `auto.offset.reset` puts it (ListOffsets, folded
    /// into the fetch) and reads from there.
    Reset(AutoOffsetReset),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConsumerFetchPartition {
    pub tp: Tp,
    pub from: FetchFrom,
    /// The epoch of the last records fetched, when the partition's leader epoch changed since: the broker
    /// checks where that epoch ends in its log (OffsetsForLeaderEpoch, KIP-320, folded into the fetch).
    pub validate: Option<u32>,
}

/// A broker's answer for one partition of a consumer's fetch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConsumerFetched {
    pub tp: Tp,
    pub from: FetchFrom,
    pub leader_epoch: u32,
    pub outcome: FetchOutcome,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FetchOutcome {
    /// Records `[first, end)` (none when `first == end`), the last one's leader epoch.
    Records {
        first: u64,
        end: u64,
        last_epoch: u32,
    },
    /// The position is outside the log (OFFSET_OUT_OF_RANGE): the consumer resets it.
    OutOfRange,
    /// This broker does not lead the partition (NOT_LEADER_OR_FOLLOWER).
    NotLeader,
    /// The epoch of the consumer's last records ends at `end_offset` in this log, below its position:
    /// the log it read was truncated.
    Diverging { end_offset: u64 },
}

#[derive(Clone, Debug)]
pub enum MemberEvent {
    Poll,
    /// A broker's FetchResponse arriving at the member.
    FetchResponse {
        broker: BrokerId,
        fetch: FetchId,
        data: Vec<ConsumerFetched>,
    },
    /// A fetch got no answer: the broker is down (the connection is refused or closed, which the client
    /// learns at once), or a network fault took the request or its answer (`request.timeout.ms`).
    FetchFailed {
        broker: BrokerId,
        fetch: FetchId,
    },
    /// The OffsetFetchResponse: the group's committed offsets of the partitions asked for.
    OffsetFetchResponse {
        offsets: Vec<(Tp, Option<u64>)>,
    },
    ProcessingDone {
        batch: u64,
    },
    HeartbeatTick,
    /// The heartbeat thread's wake-up between heartbeats that finds the poll timeout expired.
    PollTimeoutCheck,
    /// The application's `poll(Duration)` returned empty (see `Member::poll_timer_at`): it polls again.
    PollReturned,
    /// The HeartbeatResponse (`REBALANCE_IN_PROGRESS`, `UNKNOWN_MEMBER_ID`).
    HeartbeatResponse {
        rebalance_in_progress: bool,
        unknown_member: bool,
    },
    /// The JoinGroupResponse: the member's id and the new generation, and whether it leads the group.
    /// The leader's carries the members and their subscriptions, for it to run the assignor
    /// (`ConsumerCoordinator.onLeaderElected`); none when it is told to skip the assignment (a static
    /// leader's new process in a Stable group, KIP-814).
    JoinGroupResponse {
        member_id: MemberId,
        generation: i32,
        leader: bool,
        members: Option<Box<JoinedMembers>>,
    },
    /// The SyncGroupResponse: the member's partitions for the generation it synced, or the error that
    /// sends it back to JoinGroup.
    SyncGroupResponse {
        partitions: Vec<Tp>,
        error: Option<SyncError>,
    },
    /// The JoinGroupResponse MEMBER_ID_REQUIRED (KIP-394): a dynamic member joining with no member id is
    /// given one, and joins again with it.
    MemberIdRequired {
        member_id: MemberId,
    },
    /// The OffsetCommitResponse.
    OffsetCommitResponse {
        sync: bool,
        error: Option<Reason>,
    },
    /// A request to the coordinator failed: the coordinator moved (NOT_COORDINATOR), or there is none or
    /// its broker is down (COORDINATOR_NOT_AVAILABLE). The member looks the coordinator up again, and
    /// sends `lost` again once it is found.
    CoordinatorError {
        error: Reason,
        lost: Option<Lost>,
    },
    /// The FindCoordinatorResponse.
    CoordinatorFound,
    /// A request to the coordinator, or its answer, was lost to a network fault: `request.timeout.ms`
    /// after it was sent, the member gives up waiting (see `Lost`). Every SyncGroup has this timer, lost
    /// or not: the coordinator may hold it, and the member gives up on it all the same.
    RequestTimedOut {
        lost: Lost,
        sent_us: Micros,
    },
}

impl CoordinatorEvent {
    /// The member that sent this request, its process (the connection an answer goes back on), and what
    /// it waits for (`None` for the coordinator's timers).
    pub fn sender(&self) -> Option<(MemberSlot, u32, Option<Lost>)> {
        let (member, incarnation, lost) = match *self {
            CoordinatorEvent::JoinGroup {
                member,
                incarnation,
                ..
            } => (member, incarnation, Some(Lost::JoinGroup)),
            CoordinatorEvent::SyncGroup {
                member,
                incarnation,
                ..
            } => (member, incarnation, Some(Lost::SyncGroup)),
            CoordinatorEvent::OffsetCommit {
                member,
                incarnation,
                ..
            } => (member, incarnation, Some(Lost::OffsetCommit)),
            CoordinatorEvent::OffsetFetch {
                member,
                incarnation,
                ..
            } => (member, incarnation, Some(Lost::OffsetFetch)),
            CoordinatorEvent::Heartbeat {
                member,
                incarnation,
                ..
            }
            | CoordinatorEvent::LeaveGroup {
                member,
                incarnation,
                ..
            } => (member, incarnation, None),
            _ => return None,
        };
        Some((member, incarnation, lost))
    }
}

/// What a member waited for when a network fault took the request or its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lost {
    /// A JoinGroupRequest or its response: it joins again.
    JoinGroup,
    /// A SyncGroupRequest or its response: it joins again.
    SyncGroup,
    /// An OffsetCommitRequest or its response: the commit fails with a timeout.
    OffsetCommit,
    /// An OffsetFetchRequest or its response: the member asks again.
    OffsetFetch,
}

#[derive(Clone, Debug)]
pub enum CoordinatorEvent {
    /// A JoinGroupRequest: the member id the client has (none for a new process), and its
    /// `group.instance.id` if it is a static member.
    JoinGroup {
        member: MemberSlot,
        incarnation: u32,
        member_id: Option<MemberId>,
        group_instance_id: Option<String>,
    },
    /// A SyncGroupRequest of the generation the member joined: the leader's carries the assignment it
    /// computed, by member (`ConsumerCoordinator.onLeaderElected`); a follower's carries none.
    SyncGroup {
        member: MemberSlot,
        incarnation: u32,
        member_id: MemberId,
        generation: i32,
        assignment: Option<Box<LeaderAssignment>>,
    },
    /// A HeartbeatRequest.
    Heartbeat {
        member: MemberSlot,
        incarnation: u32,
        member_id: MemberId,
    },
    /// A LeaveGroupRequest (the reason boxed: a Leave is rare, and every message pays for the largest).
    LeaveGroup {
        member: MemberSlot,
        incarnation: u32,
        member_id: MemberId,
        reason: Box<Reason>,
    },
    /// An OffsetFetchRequest: the committed offsets of partitions the member has no position for.
    OffsetFetch {
        member: MemberSlot,
        incarnation: u32,
        partitions: Vec<Tp>,
    },
    /// An OffsetCommitRequest.
    OffsetCommit {
        member: MemberSlot,
        incarnation: u32,
        member_id: Option<MemberId>,
        generation: i32,
        offsets: Vec<(Tp, u64)>,
        sync: bool,
    },
    /// The coordinator's session timer for a member (`session.timeout.ms`).
    SessionCheck {
        member: MemberSlot,
        member_id: MemberId,
    },
    InitialDelayExpired {
        round: u64,
    },
    RebalanceTimeout {
        round: u64,
    },
    /// The rebalance timeout after a generation's JoinGroup responses went out: members that have not
    /// sent their SyncGroup by then are removed (`GroupMetadataManager.expirePendingSync`).
    PendingSyncExpired {
        generation: i32,
    },
}

/// The assignment a group's leader sends in its SyncGroup: each member's partitions, by member slot.
pub type LeaderAssignment = Vec<(MemberSlot, Vec<Tp>)>;

/// What the group's leader needs to run the assignor, from its JoinGroupResponse: the protocol the
/// coordinator selected and every member's subscription (with the partitions it owned), by member slot.
#[derive(Clone, Debug)]
pub struct JoinedMembers {
    pub protocol: Assignor,
    pub members: Vec<(MemberSlot, Subscription)>,
}

/// A SyncGroupResponse's error (`AbstractCoordinator.SyncGroupResponseHandler`): each sends the member
/// back to JoinGroup. NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE come as `MemberEvent::CoordinatorError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncError {
    /// REBALANCE_IN_PROGRESS: the group began another rebalance.
    RebalanceInProgress,
    /// UNKNOWN_MEMBER_ID: the coordinator no longer has the member; it joins with no member id.
    UnknownMember,
    /// ILLEGAL_GENERATION: the group is at another generation.
    IllegalGeneration,
}

/// A broker's answer to one ProduceRequest while it is being built or waits in the purgatory
/// (acks=all): the outcomes so far and the batches still waiting for the high watermark.
#[derive(Clone, Debug)]
pub struct DelayedProduce {
    pub producer: ProducerIx,
    pub broker: BrokerId,
    pub outcomes: Vec<(ProducerRequestId, ProduceOutcome)>,
    /// The records of the batches in `outcomes` (the response's size on the picture).
    pub records: u32,
    /// acks=all batches waiting for the high watermark: (request, attempt, records, base offset).
    pub waiting: Vec<(ProducerRequestId, u32, u32, u64)>,
}

/// A consumer's fetch parked at a broker (`DelayedFetch`), one slot per (broker, group, member).
#[derive(Clone, Debug, Default)]
pub struct ParkedConsumerFetch {
    pub(crate) request: Option<Box<ConsumerFetchRequest>>,
    pub(crate) deadline: Micros,
    /// The one wake-up event this slot has in the queue, if any: most parked fetches are answered by new
    /// data long before their deadline, so instead of one timer per fetch the slot keeps a single timer
    /// that, when it fires early, re-arms itself for the current deadline.
    pub(crate) timer_at: Option<Micros>,
}

#[cfg(test)]
mod size_test {
    /// Every queued event takes the room of the largest variant, so the event queue's memory traffic grows
    /// with it: keep it at 64 bytes, and box what is rare.
    #[test]
    fn an_event_fits_in_64_bytes() {
        assert!(std::mem::size_of::<super::Ev>() <= 64);
        assert!(std::mem::size_of::<super::CoordinatorEvent>() <= 48);
    }
}
