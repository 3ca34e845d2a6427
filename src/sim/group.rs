//! A consumer group's state: the coordinator's (`Group`: state, generation, its record of each member,
//! committed offsets), which `coordinator`'s handlers change, and each member client's (`Member`:
//! status, assignment, positions, what it holds and processes), which only `consumer`'s handlers change.

use super::assignor::Assignor;
use super::config::ConsumerConfig;
use super::ids::{BrokerId, FetchId, MemberId, MemberSlot, Micros, Tp};
use super::protocol::ConsumerFetchPartition;
use super::scenario::CommitMode;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Running,
    Crashed,
    Left,
}

/// The coordinator's record of a member (Kafka's `ClassicGroupMember`), by the member's slot. It
/// belongs to the coordinator: a restart of the client keeps it, and only the coordinator's handlers
/// change it.
#[derive(Clone, Debug, Default)]
pub struct Membership {
    pub in_group: bool,
    pub(crate) joined: bool,
    /// The process whose JoinGroup the coordinator answers: its JoinGroup and SyncGroup responses go back
    /// on that connection. The coordinator decides nothing on it; members are told apart by member id.
    pub(crate) connection: u32,
    pub(crate) last_heartbeat_us: Micros,
    /// The coordinator still holds this slot's previous process as a member (its member id and last
    /// heartbeat): a restarted consumer is a new member, and the old one stays until its session expires.
    pub(crate) ghost: Option<(MemberId, Micros)>,
    /// The `member.id` the coordinator gave the process that joined (`client.id` + "-" + a UUID,
    /// `ClassicGroup.generateMemberId`): a restarted process gets a new one when it joins. `None` before
    /// the first join and once the coordinator removed the member.
    pub member_id: Option<MemberId>,
    /// A member id given with MEMBER_ID_REQUIRED (KIP-394), waiting for the JoinGroup that uses it.
    pub(crate) pending_id: Option<MemberId>,
    /// The `group.instance.id` its JoinGroup named (a static member).
    pub(crate) group_instance_id: Option<String>,
    /// How many member ids this slot was given.
    pub(crate) ids_given: u32,
    /// Where the member is in the generation's SyncGroup phase.
    pub(crate) sync: SyncState,
}

/// A member's SyncGroup, as the coordinator sees it (Kafka's `ClassicGroup.pendingSyncMembers` and
/// `ClassicGroupMember.awaitingSyncFuture`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum SyncState {
    /// No SyncGroup expected from it, or it was answered.
    #[default]
    None,
    /// Its JoinGroup was answered with the new generation; its SyncGroup has not arrived.
    Pending,
    /// Its SyncGroup waits for the leader's assignment, to be answered on this connection.
    Held { connection: u32 },
}

/// Where a consumer client is in joining its group (Kafka's `AbstractCoordinator.MemberState`, and the
/// assignment waiting for the application's next poll). Every state but `Idle` is joining.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum JoinState {
    /// Not joining: in a generation (`Member::generation`), or out of the group.
    #[default]
    Idle,
    /// It sent a JoinGroupRequest (PREPARING_REBALANCE), or must send one again.
    Joining,
    /// It sent its SyncGroupRequest (COMPLETING_REBALANCE).
    Syncing(Syncing),
    /// The SyncGroupResponse's assignment, which the next poll takes (`onJoinComplete`).
    Assigned {
        generation: i32,
        partitions: Vec<Tp>,
        leader: bool,
    },
}

/// A SyncGroupRequest the member waits for an answer to (the client's COMPLETING_REBALANCE): when it was
/// sent, and what the JoinGroupResponse said (the generation, whether the member leads the group).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Syncing {
    pub sent_us: Micros,
    pub generation: i32,
    pub leader: bool,
}

/// Whether a consumer client knows its group's coordinator (`AbstractCoordinator.coordinatorUnknown`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum CoordinatorState {
    #[default]
    Known,
    /// It lost its coordinator (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a dead connection) and looks
    /// it up (one FindCoordinator on its way at a time): no heartbeats until it is found. The requests to
    /// send again once it is: a JoinGroup, a `commitSync`.
    Unknown {
        retry_join: bool,
        retry_commit: bool,
    },
}

/// What the member's application thread is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Inside `poll()`, waiting for a fetch to return records.
    Polling,
    /// Processing the records the last poll returned, until `until_us`.
    Processing {
        until_us: Micros,
    },
    /// Blocked in `commitSync()`.
    Committing,
    Stopped,
}

#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub topics: Vec<String>,
    pub incarnation: u32,
    pub status: MemberStatus,
    /// The member id the client holds (from MEMBER_ID_REQUIRED or its JoinGroup's answer); a new process
    /// has none.
    pub(crate) member_id: Option<MemberId>,
    /// `group.instance.id`: a static member (KIP-345).
    pub group_instance_id: Option<String>,
    // The client's view.
    pub generation: Option<i32>,
    /// Where it is in joining the group.
    pub(crate) join: JoinState,
    pub assigned: Vec<Tp>,
    pub positions: BTreeMap<Tp, u64>,
    pub(crate) fetch_positions: BTreeMap<Tp, u64>,
    /// Per partition: the leader epoch of the last batch fetched, and the partition's leader epoch the
    /// position was last validated against (KIP-320).
    pub(crate) fetched_epochs: BTreeMap<Tp, (u32, u32)>,
    pub(crate) buffer: VecDeque<(Tp, u64, u64)>,
    /// FetchRequests on their way or waiting at a broker: at most one per broker, by broker.
    pub(crate) fetches: Vec<(BrokerId, FetchId)>,
    /// The id its next FetchRequest gets.
    pub(crate) next_fetch: FetchId,
    /// `send_fetches`' working list (empty between calls; kept for its allocation).
    pub(crate) fetch_wanted: Vec<(BrokerId, ConsumerFetchPartition)>,
    /// Brokers whose connection failed: until when the client waits before it connects again
    /// (`reconnect.backoff.ms`), and how many times in a row it failed.
    pub(crate) fetch_backoff: Vec<(BrokerId, Micros, u32)>,
    /// Partitions with no position and no committed offset: the next fetch asks the leader to reset them
    /// (`auto.offset.reset`).
    pub(crate) resets: Vec<Tp>,
    /// An OffsetFetchRequest is on its way, sent at this time.
    pub(crate) offset_fetch_sent: Option<Micros>,
    /// The one wake-up of the application's poll loop in the queue: `poll(Duration)` returns empty
    /// after `APP_POLL_TIMEOUT_US` when no records came, and the application calls it again (which
    /// runs auto-commit). It re-arms itself when the member polled since.
    pub(crate) poll_timer_at: Option<Micros>,
    /// It was chosen the group's leader in its last join: it watches the metadata of every subscribed
    /// topic, and rejoins when a topic's partitions change.
    pub(crate) leader: bool,
    pub(crate) rejoin_needed: bool,
    pub activity: Activity,
    pub(crate) in_hand: Vec<(Tp, u64, u64)>,
    /// Records it finished processing, for the observer's accounting (`accounting::GroupLedger`), which
    /// the engine takes after each of its events.
    pub(crate) processed: Vec<(Tp, u64, u64)>,
    pub(crate) batch: u64,
    pub stalled_until_us: Micros,
    pub last_poll_us: Micros,
    pub(crate) next_auto_commit_us: Micros,
    pub records_processed: u64,
    /// When it last sent a JoinGroupRequest, and an OffsetCommitRequest: a timeout for a request lost to a
    /// network fault acts only if no newer one was sent since (`MemberEvent::RequestTimedOut`).
    pub(crate) join_sent_us: Micros,
    pub(crate) commit_sent_us: Micros,
    /// Whether the client knows its coordinator.
    pub(crate) coordinator: CoordinatorState,
}

impl Member {
    pub(crate) fn new(id: &str, topics: Vec<String>) -> Self {
        Member {
            id: id.to_string(),
            topics,
            incarnation: 0,
            status: MemberStatus::Running,
            member_id: None,
            group_instance_id: None,
            generation: None,
            join: JoinState::Idle,
            assigned: Vec::new(),
            positions: BTreeMap::new(),
            fetch_positions: BTreeMap::new(),
            fetched_epochs: BTreeMap::new(),
            buffer: VecDeque::new(),
            fetches: Vec::new(),
            next_fetch: FetchId::default(),
            fetch_wanted: Vec::new(),
            fetch_backoff: Vec::new(),
            resets: Vec::new(),
            offset_fetch_sent: None,
            poll_timer_at: None,
            leader: false,
            rejoin_needed: false,
            activity: Activity::Stopped,
            in_hand: Vec::new(),
            processed: Vec::new(),
            batch: 0,
            stalled_until_us: 0,
            last_poll_us: 0,
            next_auto_commit_us: 0,
            join_sent_us: 0,
            commit_sent_us: 0,
            coordinator: CoordinatorState::Known,
            records_processed: 0,
        }
    }

    /// It is joining the group (from `onJoinPrepare` until `onJoinComplete`).
    pub fn joining(&self) -> bool {
        self.join != JoinState::Idle
    }

    /// Records fetched but not yet returned by `poll()`.
    pub fn buffered_records(&self) -> u64 {
        self.buffer.iter().map(|(_, first, end)| end - first).sum()
    }

    /// The records being processed right now.
    pub fn in_hand(&self) -> &[(Tp, u64, u64)] {
        &self.in_hand
    }
}

/// A group's consumer clients: the application's settings for them and its consumer instances, the
/// members. Only `consumer`'s handlers change a member; the coordinator reads the settings and each
/// member's `client.id` and subscription as its JoinGroup would carry them.
#[derive(Clone, Debug)]
pub struct GroupClients {
    /// `group.id`.
    pub id: String,
    pub config: ConsumerConfig,
    pub topics: Vec<String>,
    pub processing_us_per_record: u64,
    pub commit_mode: Option<CommitMode>,
    pub idempotent: bool,
    /// By member slot (a slot is one `client.id`; a restart is a new process in the same slot).
    pub members: Vec<Member>,
}

impl GroupClients {
    pub fn cooperative(&self) -> bool {
        self.config.cooperative()
    }

    pub(crate) fn subscribes(&self, topic: &str) -> bool {
        self.members
            .iter()
            .any(|member| member.topics.iter().any(|t| t == topic))
            || self.topics.iter().any(|t| t == topic)
    }
}

/// A group as its coordinator holds it: state, generation, its record of each member, the assignment and
/// the committed offsets. Only the coordinator's handlers change it.
#[derive(Clone, Debug)]
pub struct Group {
    /// `group.id`.
    pub id: String,
    pub state: GroupState,
    pub generation: i32,
    pub protocol: Option<Assignor>,
    pub leader: Option<MemberSlot>,
    /// The coordinator's record of each member, by member slot: it survives the client's restart.
    pub memberships: Vec<Membership>,
    pub committed: BTreeMap<Tp, u64>,
    /// The assignment of the current generation, by member index.
    pub assignment: BTreeMap<MemberSlot, Vec<Tp>>,
    /// The broker that coordinates the group: the leader of its `__consumer_offsets` partition, `None`
    /// while that partition has no leader (COORDINATOR_NOT_AVAILABLE).
    pub coordinator: Option<BrokerId>,
    /// The replicas of the group's `__consumer_offsets` partition, the preferred leader first. The
    /// partition's records (the group's metadata and committed offsets) are not simulated: they are the
    /// state of this struct, which a new coordinator loads.
    pub(crate) offsets_replicas: Vec<BrokerId>,
    /// Counts the group's coordinators: a request sent to, or a timer set by, an earlier one finds the
    /// coordinator moved.
    pub(crate) coordinator_epoch: u32,
    pub(crate) round: u64,
    /// While the initial rebalance's delay runs: when it ends.
    pub(crate) initial_delay_until: Option<Micros>,
    /// The delay running and what is left of the rebalance timeout after it
    /// (`tryCompleteInitialRebalanceElseSchedule`'s `delayMs` and `remainingMs`).
    pub(crate) initial_delay: (Micros, Micros),
    /// A member joined during the initial rebalance's delay (`ClassicGroup.newMemberAdded`).
    pub(crate) new_member_added: bool,
    pub(crate) rebalance_started_us: Micros,
    /// Offsets committed by the event being handled, for the observer's accounting
    /// (`accounting::GroupLedger`), which the engine takes after each of the coordinator's events.
    pub(crate) commits: Vec<(Tp, u64)>,
}
