//! The messages nodes send each other and the timers they set: what the event queue holds. Each message
//! is named for the Kafka API it mirrors where there is one (ProduceRequest/Response, Fetch from a
//! follower or a consumer, JoinGroup/SyncGroup, Heartbeat, LeaveGroup, OffsetCommit).

use super::config::Acks;
use super::event::Reason;
use super::ids::{BrokerId, Micros, Tp};
use super::keys::KeyRun;
use super::log::BatchData;
use super::scenario::Command;
use std::rc::Rc;

/// Everything that happens at an instant: a message arriving at a node (its Kafka API in the variant's
/// comment), a node's own timer, or a command. Variants carry incarnation numbers so that events of a crashed or restarted
/// actor are recognised as stale and dropped.
#[derive(Clone, Debug)]
pub enum Ev {
    Timeline(usize),
    UserCommand(Box<Command>),
    /// The application calls `send()` (the producer's rate) and the sender thread drains batches.
    ProducerTick {
        producer: usize,
    },
    /// One ProduceRequest to a broker: the batches drained for its partitions together, and the
    /// producer's `acks`.
    ProduceArrive {
        producer: usize,
        broker: BrokerId,
        acks: Acks,
        batches: Vec<ProduceBatch>,
    },
    /// One ProduceResponse: the outcome of each batch of the request.
    ProduceResponse {
        producer: usize,
        outcomes: Vec<(u64, ProduceOutcome)>,
    },
    /// The producer's one `request.timeout.ms` timer (see `Producer::timeouts`).
    ProduceTimeout {
        producer: usize,
    },
    ProduceRetry {
        producer: usize,
        request: u64,
    },
    /// A follower's FetchRequest (its fetch session with the leader) arriving at the leader.
    ReplicaFetchArrive {
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
    /// Something arriving at, or a timer of, a consumer client (`MemberEvent`).
    Member {
        group: usize,
        member: usize,
        incarnation: u32,
        event: MemberEvent,
    },
    /// A request arriving at, or a timer of, a group's coordinator (`CoordinatorEvent`). `epoch` is the
    /// group's coordinator epoch when it was sent or set: a request that finds the coordinator moved is
    /// answered NOT_COORDINATOR, an old coordinator's timer lapses.
    Coordinator {
        group: usize,
        epoch: u32,
        event: CoordinatorEvent,
    },
}

/// One record batch of a ProduceRequest, as the producer sent it.
#[derive(Clone, Debug)]
pub struct ProduceBatch {
    /// The producer's id for the batch, which the response names.
    pub request: u64,
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
    pub batches: Vec<Rc<BatchData>>,
    pub high_watermark: u64,
    pub log_start_offset: u64,
    /// The follower's log diverges from the leader's (`divergingEpoch`): the largest epoch at most its
    /// `lastFetchedEpoch` that the leader holds (`None`: none that old) and where that epoch ends in the
    /// leader's log. The follower truncates and fetches again; no records come with it.
    pub diverging: Option<(Option<u32>, u64)>,
}

#[derive(Clone, Debug)]
pub enum MemberEvent {
    Poll,
    /// The member's FetchRequest arriving at the partitions' leaders.
    FetchArrive {
        fetch: u64,
    },
    /// The member's one fetch-wait timer (see `Member::wait_timer_at`).
    FetchWaitExpired,
    /// The FetchResponse arriving at the member.
    FetchResponse {
        fetch: u64,
        data: Vec<(Tp, u64, u64)>,
    },
    ProcessingDone {
        batch: u64,
    },
    HeartbeatTick,
    /// The heartbeat thread's wake-up between heartbeats that finds the poll timeout expired.
    PollTimeoutCheck,
    /// The HeartbeatResponse (`REBALANCE_IN_PROGRESS`, `UNKNOWN_MEMBER_ID`).
    HeartbeatResponse {
        rebalance_in_progress: bool,
        unknown_member: bool,
    },
    /// The SyncGroupResponse: the member's partitions for the generation.
    Assignment {
        generation: i32,
        partitions: Vec<Tp>,
    },
    /// The OffsetCommitResponse.
    CommitResponse {
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
    /// after it was sent, the member gives up waiting (see `Lost`).
    RequestTimedOut {
        lost: Lost,
        sent_us: Micros,
    },
}

impl CoordinatorEvent {
    /// The member that sent this request, and what it waits for (`None` for the coordinator's timers).
    pub fn sender(&self) -> Option<(usize, Option<Lost>)> {
        match self {
            CoordinatorEvent::Join { member, .. } => Some((*member, Some(Lost::Join))),
            CoordinatorEvent::Commit { member, .. } => Some((*member, Some(Lost::Commit))),
            CoordinatorEvent::Heartbeat { member, .. } | CoordinatorEvent::Leave { member, .. } => {
                Some((*member, None))
            }
            _ => None,
        }
    }
}

/// What a member waited for when a network fault took the request or its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lost {
    /// A JoinGroupRequest, or the SyncGroupResponse that ends the join: it joins again.
    Join,
    /// An OffsetCommitRequest or its response: the commit fails with a timeout.
    Commit,
}

#[derive(Clone, Debug)]
pub enum CoordinatorEvent {
    /// A JoinGroupRequest.
    Join {
        member: usize,
        incarnation: u32,
    },
    /// A HeartbeatRequest.
    Heartbeat {
        member: usize,
        incarnation: u32,
    },
    /// A LeaveGroupRequest.
    Leave {
        member: usize,
        incarnation: u32,
        reason: Reason,
    },
    /// An OffsetCommitRequest.
    Commit {
        member: usize,
        incarnation: u32,
        generation: i32,
        offsets: Vec<(Tp, u64)>,
        sync: bool,
    },
    /// The coordinator's session timer for a member (`session.timeout.ms`).
    SessionCheck {
        member: usize,
        incarnation: u32,
    },
    InitialDelayExpired {
        round: u64,
    },
    RebalanceTimeout {
        round: u64,
    },
    SyncDone {
        generation: i32,
    },
}

/// A broker's answer to one ProduceRequest while it is being built or waits in the purgatory
/// (acks=all): the outcomes so far and the batches still waiting for the high watermark.
#[derive(Clone, Debug)]
pub struct DelayedProduce {
    pub producer: usize,
    pub broker: BrokerId,
    pub outcomes: Vec<(u64, ProduceOutcome)>,
    /// The records of the batches in `outcomes` (the response's size on the picture).
    pub records: u32,
    /// acks=all batches waiting for the high watermark: (request, attempt, records, base offset).
    pub waiting: Vec<(u64, u32, u32, u64)>,
}
