//! A partition as the controller registers it (`Partition`: its replicas, leader, ISR and leader epoch),
//! and a replica as the broker hosting it holds it (`Replica`: its log and, while it leads, its view of
//! each follower and its purgatories, kept in `Broker::replicas`); the fetch sessions between brokers;
//! and a topic's partitions.

use super::config::TopicConfig;
use super::ids::{BrokerId, BrokerProduceId, GroupIx, MemberSlot, Micros, ProducerRequestId, Tp};
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

/// A partition as the controller registers it (`PartitionRegistration`). The brokers read it as their
/// metadata image, which the simulator propagates at once.
#[derive(Clone, Debug)]
pub struct Partition {
    /// Replica brokers in assignment order (the first is the preferred leader).
    pub replicas: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: u32,
    pub isr: Vec<BrokerId>,
    /// Unclean election happened: `LeaderRecoveryState.RECOVERING`.
    pub recovering: bool,
    /// The leader's batch count at which the partition's logs are next summarised.
    pub(crate) summarize_at: usize,
}

impl Partition {
    #[inline(always)]
    pub fn replica_index(&self, broker: BrokerId) -> Option<usize> {
        self.replicas.iter().position(|replica| *replica == broker)
    }
}

/// A partition's replica as the broker hosting it holds it (Kafka's `Partition` on that broker, with its
/// `UnifiedLog`): its log, and the state it keeps while it leads.
#[derive(Clone, Debug, Default)]
pub struct Replica {
    pub log: ReplicaLog,
    /// While it leads: its view of each replica, in the partition's `replicas` order.
    pub followers: Vec<FollowerState>,
    /// While it leads: where its log ended when it became leader.
    pub leader_epoch_start_offset: u64,
    /// While it leads, acks=all batches waiting in its purgatory for the high watermark: (required
    /// offset, ProduceRequest id in `Broker::delayed_produces`, batch request id).
    pub(crate) pending_acks: Vec<(u64, BrokerProduceId, ProducerRequestId)>,
    /// While it leads, consumer fetches parked until data arrives: (group, member, incarnation).
    pub(crate) parked_consumers: Vec<(GroupIx, MemberSlot, u32)>,
}

/// The replicas one broker hosts, by topic and partition.
#[derive(Clone, Debug, Default)]
pub struct HostedReplicas(Vec<Vec<Option<Replica>>>);

impl HostedReplicas {
    #[inline(always)]
    pub fn get(&self, tp: Tp) -> Option<&Replica> {
        self.0.get(tp.topic)?.get(tp.partition as usize)?.as_ref()
    }

    #[inline(always)]
    pub fn get_mut(&mut self, tp: Tp) -> Option<&mut Replica> {
        self.0
            .get_mut(tp.topic)?
            .get_mut(tp.partition as usize)?
            .as_mut()
    }

    /// Starts hosting a replica of `tp`, of a partition with `replicas` replicas.
    pub fn host(&mut self, tp: Tp, replicas: usize) {
        if self.0.len() <= tp.topic {
            self.0.resize_with(tp.topic + 1, Vec::new);
        }
        let topic = &mut self.0[tp.topic];
        if topic.len() <= tp.partition as usize {
            topic.resize_with(tp.partition as usize + 1, || None);
        }
        topic[tp.partition as usize] = Some(Replica {
            followers: vec![FollowerState::default(); replicas],
            ..Replica::default()
        });
    }

    /// Every replica it hosts.
    pub fn iter(&self) -> impl Iterator<Item = &Replica> {
        self.0.iter().flatten().flatten()
    }
}

/// A follower broker's fetch session with one leader broker (a replica fetcher thread).
#[derive(Clone, Debug, Default)]
pub struct FetchSession {
    /// Bumped each time the follower sends a fetch, so that an answer to an older one is ignored.
    pub session: u64,
    pub active: bool,
}

/// A follower broker's fetch as the leader broker holds it while it waits for data.
#[derive(Clone, Debug, Default)]
pub struct ParkedReplicaFetch {
    /// The fetch's session and offsets, until data arrives or `replica.fetch.wait.max.ms`.
    pub parked: Option<(u64, Vec<FetchOffset>)>,
    /// When the parked fetch's wait ends.
    pub(crate) wait_deadline: Micros,
    /// The one wake-up event this follower's fetches have in the queue, if any. Most parked fetches are
    /// answered by new data long before their deadline, so instead of one timer per fetch the leader
    /// keeps a single timer per follower that, when it fires early, re-arms itself for the current
    /// deadline.
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
