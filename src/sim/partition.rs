//! A partition as the cluster knows it: its replicas, leader, ISR and leader epoch, each replica's log and
//! the leader's view of each follower; the fetch sessions between brokers; and a topic's partitions. The
//! state the broker and controller handlers work on (`broker::replica_manager`, `controller`).

use super::config::TopicConfig;
use super::ids::{BrokerId, Micros};
use super::log::ReplicaLog;
use super::protocol::FetchOffset;

#[derive(Clone, Debug, Default)]
pub struct FollowerState {
    /// The follower's log end offset as the leader last heard it (from its fetch offset).
    pub log_end_offset: u64,
    /// The last time the follower was known to have caught up with the leader's log end.
    pub last_caught_up_us: Micros,
    /// The leader's log end offset when the follower's previous fetch arrived, and when that was.
    pub last_fetch_leader_leo: u64,
    pub last_fetch_us: Micros,
}

impl FollowerState {
    /// `Replica.updateFetchStateOrThrow`: a fetch from `offset` arrives at `now`, when the leader's log
    /// ends at `leader_leo`. The follower has caught up now if the fetch reaches the leader's log end, and
    /// as of its previous fetch if it reaches the log end the leader had then. So a follower whose fetches
    /// always trail the log end by what arrived during the round trip (small produce requests at high
    /// frequency) still counts as caught up.
    pub fn update_fetch_state(&mut self, offset: u64, now: Micros, leader_leo: u64) {
        if offset >= leader_leo {
            self.last_caught_up_us = self.last_caught_up_us.max(now);
        } else if offset >= self.last_fetch_leader_leo {
            self.last_caught_up_us = self.last_caught_up_us.max(self.last_fetch_us);
        }
        self.log_end_offset = offset;
        self.last_fetch_leader_leo = leader_leo;
        self.last_fetch_us = now;
    }

    /// `ReplicaState.isCaughtUp`: at the leader's log end, or caught up within `max_lag_us`.
    pub fn is_caught_up(&self, leader_leo: u64, now: Micros, max_lag_us: Micros) -> bool {
        self.log_end_offset == leader_leo
            || now.saturating_sub(self.last_caught_up_us) <= max_lag_us
    }

    /// `Replica.resetReplicaState` when `leader` takes over at `now` with log end `leader_leo`: a new
    /// leader knows nothing of the follower yet; a re-elected one keeps its log end. Either way the
    /// follower counts as caught up now if it is in the ISR.
    pub fn reset(&mut self, now: Micros, leader_leo: u64, new_leader: bool, in_sync: bool) {
        let caught_up = if in_sync { now } else { 0 };
        if new_leader {
            *self = FollowerState {
                last_caught_up_us: caught_up,
                ..FollowerState::default()
            };
        } else {
            self.last_caught_up_us = caught_up;
            self.last_fetch_leader_leo = leader_leo;
            self.last_fetch_us = caught_up;
        }
    }
}

/// Batches a log keeps below the high watermark for readers that lag; the rest become runs.
pub const DETAIL_BATCHES: usize = 1024;
/// A partition's logs are summarised each time its leader's log holds this many more batches.
pub(crate) const SUMMARIZE_EVERY: usize = 256;

#[derive(Clone, Debug)]
pub struct Partition {
    /// Replica brokers in assignment order (the first is the preferred leader).
    pub replicas: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    pub isr: Vec<BrokerId>,
    /// One log per replica, in `replicas` order.
    pub logs: Vec<ReplicaLog>,
    /// The leader's view of each replica, in `replicas` order.
    pub followers: Vec<FollowerState>,
    pub leader_epoch_start_offset: u64,
    /// Unclean election happened: `LeaderRecoveryState.RECOVERING`.
    pub recovering: bool,
    /// acks=all batches waiting in the purgatory for the high watermark: (required offset, ProduceRequest
    /// id in `Simulation::delayed_produces`, batch request id).
    pub(crate) pending_acks: Vec<(u64, u64, u64)>,
    /// Consumer fetches parked at the leader until data arrives: (group, member, incarnation).
    pub(crate) parked_consumers: Vec<(usize, usize, u32)>,
    /// The leader's batch count at which the partition's logs are next summarised.
    pub(crate) summarize_at: usize,
}

impl Partition {
    #[inline(always)]
    pub fn replica_index(&self, broker: BrokerId) -> Option<usize> {
        self.replicas.iter().position(|replica| *replica == broker)
    }

    #[inline(always)]
    pub fn log_of(&self, broker: BrokerId) -> Option<&ReplicaLog> {
        self.replica_index(broker).map(|index| &self.logs[index])
    }

    #[inline(always)]
    pub fn log_of_mut(&mut self, broker: BrokerId) -> Option<&mut ReplicaLog> {
        self.replica_index(broker)
            .map(move |index| &mut self.logs[index])
    }

    /// The high watermark consumers see (the leader's), 0 without a leader's log.
    pub fn high_watermark(&self) -> u64 {
        self.leader
            .and_then(|leader| self.log_of(leader))
            .map_or(0, |log| log.high_watermark)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Fetcher {
    pub session: u64,
    pub active: bool,
    /// A fetch parked at the leader: its offsets, until data arrives or `replica.fetch.wait.max.ms`.
    pub parked: Option<Vec<FetchOffset>>,
    /// When the parked fetch's wait ends.
    pub(crate) wait_deadline: Micros,
    /// The one wake-up event this session has in the queue, if any. Most parked fetches are answered by
    /// new data long before their deadline, so instead of one timer per fetch the session keeps a single
    /// timer that, when it fires early, re-arms itself for the current deadline.
    pub(crate) timer_at: Option<Micros>,
}

#[derive(Clone, Debug)]
pub struct Topic {
    pub name: String,
    pub config: TopicConfig,
    pub partitions: Vec<Partition>,
    /// Replica placement's random start index and shift, kept so added partitions continue the pattern.
    pub(crate) placement_start: (u64, u64),
}
