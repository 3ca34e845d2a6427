//! The KRaft controller as a node: replica placement and the partitions' registrations, broker
//! registrations and fencing (`broker.session.timeout.ms`), leader elections (clean, or unclean when
//! enabled), preferred-leader balancing, and the leaders of the groups' offsets partitions. Its handlers
//! are `Controller` methods: they change the controller's state (its `Controller` record and the
//! partitions' registrations) and reach the rest through the kernel. What a change means for the
//! brokers and the groups (a new leader takes over, fetchers restart, a coordinator moves) the engine
//! carries to their handlers (`engine::metadata`), as the brokers' metadata listeners would.

use super::config::{ClusterConfig, TopicConfig};
use super::event::{EventKind, Reason};
use super::group::Group;
use super::host::Broker;
use super::ids::{BrokerId, GroupIx, Micros, Tp};
use super::kernel::Kernel;
use super::metadata::{Controller, Registration};
use super::network::Node;
use super::partition::{Partition, Topic, SUMMARIZE_EVERY};
use super::protocol::Ev;

/// What the controller's handlers reach besides its record: the kernel, the partitions' registrations
/// (its own to write), the cluster's configuration, and read-only the brokers (whether each process runs:
/// the simulator's shortcut for its heartbeats, so that no election picks a stopped broker the controller
/// has not fenced yet) and the groups (the replicas and leader of each one's offsets partition).
pub(crate) struct Quorum<'a> {
    pub k: &'a mut Kernel,
    pub topics: &'a mut Vec<Topic>,
    pub cluster: &'a ClusterConfig,
    pub brokers: &'a [Broker],
    pub groups: &'a [Group],
}

impl Quorum<'_> {
    #[inline(always)]
    fn partition(&self, tp: Tp) -> &Partition {
        &self.topics[tp.topic].partitions[tp.partition as usize]
    }

    #[inline(always)]
    fn partition_mut(&mut self, tp: Tp) -> &mut Partition {
        &mut self.topics[tp.topic].partitions[tp.partition as usize]
    }
}

/// A partition's leadership changed: what the brokers must learn of it (`Simulation::leader_changed`).
pub(crate) struct LeaderChange {
    pub tp: Tp,
    pub old_leader: Option<BrokerId>,
    pub new_leader: Option<BrokerId>,
    /// The new registration's replicas and ISR.
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
}

/// What fencing a broker does to one partition it hosts.
pub(crate) enum FencedReplica {
    /// Not a replica, or nothing to change.
    Untouched,
    /// It left the ISR (it was a follower): the leader may advance its high watermark.
    LeftIsr,
    /// It was the leader: a new one is elected.
    LeaderLost,
}

/// The controller's answer to a new broker process's registration.
pub(crate) enum RegistrationAnswer {
    /// The old process's session is still valid: refused, retried until it is fenced.
    Refused,
    /// A network fault cuts it off from the controller: it retries until the network heals.
    Unreachable,
    Registered,
}

/// Kafka's rack-unaware replica placement (`assignReplicasToBrokersRackUnaware`) with the random start
/// index and shift drawn from the run's generator.
pub(crate) fn place_replicas(
    brokers: u64,
    (first_partition, count): (u32, u32),
    replication_factor: u32,
    start: (u64, u64),
) -> Vec<Vec<BrokerId>> {
    let (start_index, mut shift) = start;
    let mut placements = Vec::new();
    for partition in first_partition..first_partition + count {
        let partition = partition as u64;
        if partition > 0 && partition % brokers == 0 {
            shift += 1;
        }
        let first = (partition + start_index) % brokers;
        let mut replicas = vec![BrokerId(first as u32 + 1)];
        for j in 0..(replication_factor as u64).saturating_sub(1) {
            let index = (first + 1 + (shift + j) % (brokers - 1).max(1)) % brokers;
            replicas.push(BrokerId(index as u32 + 1));
        }
        placements.push(replicas);
    }
    placements
}

/// The controller's handlers.
impl Controller {
    /// Its registration of `broker`.
    #[inline(always)]
    pub(crate) fn registration(&self, broker: BrokerId) -> &Registration {
        &self.registrations[broker.index()]
    }

    /// Whether `broker` may lead or join an ISR: running, and not fenced.
    #[inline(always)]
    pub(crate) fn can_lead(&self, q: &Quorum<'_>, broker: BrokerId) -> bool {
        q.brokers[broker.index()].alive && !self.registration(broker).fenced
    }

    // ---- topics ----

    /// CreateTopics: a topic with no partitions yet, and the placement's random start drawn for it.
    /// Returns its index.
    pub(crate) fn create_topic(
        &mut self,
        q: &mut Quorum<'_>,
        name: &str,
        config: TopicConfig,
    ) -> usize {
        let brokers = q.brokers.len() as u64;
        let start = (q.k.rng.below(brokers), q.k.rng.below(brokers));
        q.topics.push(Topic {
            name: name.to_string(),
            config,
            partitions: Vec::new(),
            placement_start: start,
        });
        q.topics.len() - 1
    }

    /// CreatePartitions: `topic` grows to `total` partitions of `replication_factor` replicas, each led
    /// by its first running replica, with the running ones in its ISR. Returns the first new partition.
    pub(crate) fn grow_topic(
        &mut self,
        q: &mut Quorum<'_>,
        topic: usize,
        total: u32,
        replication_factor: u32,
    ) -> u32 {
        let existing = q.topics[topic].partitions.len() as u32;
        let start = q.topics[topic].placement_start;
        let placements = place_replicas(
            q.brokers.len() as u64,
            (existing, total - existing),
            replication_factor,
            start,
        );
        for replicas in placements {
            let alive = |broker: &BrokerId| q.brokers[broker.index()].alive;
            let leader = replicas.iter().copied().find(alive);
            let isr: Vec<BrokerId> = replicas.iter().copied().filter(alive).collect();
            let isr = if isr.is_empty() {
                vec![replicas[0]]
            } else {
                isr
            };
            q.topics[topic].partitions.push(Partition {
                replicas,
                leader,
                leader_epoch: 0,
                isr,
                recovering: false,
                summarize_at: SUMMARIZE_EVERY,
            });
        }
        existing
    }

    // ---- broker registrations and heartbeats ----

    /// When the controller fences a broker whose heartbeats stop arriving at `stopped`:
    /// `broker.session.timeout.ms` after its last heartbeat, which went at most
    /// `broker.heartbeat.interval.ms` before (ClusterControlManager, BrokerHeartbeatManager).
    pub(crate) fn fence_at(&self, q: &Quorum<'_>, broker: BrokerId, stopped: Micros) -> Micros {
        let registered_us = self.registration(broker).registered_us;
        let interval = q.cluster.broker_heartbeat_interval_ms * 1000;
        let since = stopped - registered_us;
        let last_heartbeat = registered_us + since.saturating_sub(1) / interval * interval;
        last_heartbeat + q.cluster.broker_session_timeout_ms * 1000
    }

    /// `broker`'s heartbeats stopped now (its process, `incarnation`, stopped): its session expires at
    /// `fence_at`.
    pub(crate) fn heartbeats_stopped(
        &mut self,
        q: &mut Quorum<'_>,
        broker: BrokerId,
        incarnation: u32,
    ) {
        let at = self.fence_at(q, broker, q.k.now);
        self.registrations[broker.index()].cut_at = None;
        q.k.schedule(
            at,
            Ev::BrokerFence {
                broker,
                incarnation,
            },
        );
    }

    /// A network fault cut running `broker` (`incarnation`) off: its heartbeats are lost from now on,
    /// and its session expires at `fence_at`.
    pub(crate) fn heartbeats_lost(
        &mut self,
        q: &mut Quorum<'_>,
        broker: BrokerId,
        incarnation: u32,
    ) {
        let now = q.k.now;
        let at = self.fence_at(q, broker, now);
        self.registrations[broker.index()].cut_at = Some(now);
        q.k.schedule(
            at,
            Ev::BrokerFence {
                broker,
                incarnation,
            },
        );
    }

    /// `broker`'s heartbeats arrive again before its session expired.
    pub(crate) fn heartbeats_resumed(&mut self, broker: BrokerId) {
        self.registrations[broker.index()].cut_at = None;
    }

    /// The session of `broker`'s process `incarnation` expired (it stopped, or its heartbeats were lost
    /// to a network fault for `broker.session.timeout.ms`): fence it. Returns whether it did (a session
    /// that heartbeats again, or of an older process, is left alone).
    pub(crate) fn fence(&mut self, q: &mut Quorum<'_>, broker: BrokerId, incarnation: u32) -> bool {
        let (b, registration) = (&q.brokers[broker.index()], self.registration(broker));
        let cut_off = registration
            .cut_at
            .is_some_and(|since| b.alive && q.k.now >= self.fence_at(q, broker, since));
        if (b.alive && !cut_off) || b.incarnation != incarnation || registration.fenced {
            return false;
        }
        self.registrations[broker.index()].fenced = true;
        q.k.emit(EventKind::BrokerFenced {
            broker: broker.get(),
        });
        true
    }

    /// Fenced `broker` leaves `tp`'s ISR (unless it is the last one there); if it led `tp`, a new leader
    /// is to be elected.
    pub(crate) fn remove_fenced(
        &mut self,
        q: &mut Quorum<'_>,
        tp: Tp,
        broker: BrokerId,
    ) -> FencedReplica {
        let partition = q.partition(tp);
        if !partition.replicas.contains(&broker) {
            return FencedReplica::Untouched;
        }
        let was_leader = partition.leader == Some(broker);
        let mut outcome = FencedReplica::Untouched;
        if partition.isr.contains(&broker) && partition.isr.len() > 1 {
            q.partition_mut(tp).isr.retain(|replica| *replica != broker);
            if !was_leader {
                super::metadata::emit_isr_changed(
                    q.topics,
                    q.k,
                    tp,
                    Reason::BrokerFencedByController,
                );
                outcome = FencedReplica::LeftIsr;
            }
        }
        if was_leader {
            FencedReplica::LeaderLost
        } else {
            outcome
        }
    }

    /// A new broker process registers (`ClusterControlManager.registerBroker`). While the old process's
    /// session is valid (not fenced yet) the registration is refused; once it is fenced, it succeeds
    /// (if it reaches the controller).
    pub(crate) fn register(&mut self, q: &mut Quorum<'_>, broker: BrokerId) -> RegistrationAnswer {
        let registration = &mut self.registrations[broker.index()];
        if !registration.fenced {
            return RegistrationAnswer::Refused;
        }
        if q.k
            .network
            .is_cut(Node::Broker { broker }, Node::Controller)
        {
            return RegistrationAnswer::Unreachable;
        }
        registration.fenced = false;
        registration.registered_us = q.k.now;
        RegistrationAnswer::Registered
    }

    /// A running broker it fenced, reachable again: its heartbeats are answered and it is unfenced.
    pub(crate) fn unfence(&mut self, q: &mut Quorum<'_>, broker: BrokerId) {
        let registration = &mut self.registrations[broker.index()];
        registration.fenced = false;
        registration.registered_us = q.k.now;
        registration.cut_at = None;
        q.k.emit(EventKind::BrokerUnfenced {
            broker: broker.get(),
        });
    }

    // ---- leaders ----

    /// `PartitionChangeBuilder.electAnyLeader`: the first replica in assignment order that is in the ISR
    /// and alive; failing that, with `unclean.leader.election.enable`, the first live replica outside it.
    pub(crate) fn elect_leader(&mut self, q: &mut Quorum<'_>, tp: Tp) -> Option<LeaderChange> {
        let unclean_allowed = q.topics[tp.topic].config.unclean_leader_election_enable;
        let partition = q.partition(tp);
        let acceptable = |broker: &BrokerId| self.can_lead(q, *broker);
        let clean = partition
            .replicas
            .iter()
            .copied()
            .find(|replica| partition.isr.contains(replica) && acceptable(replica));
        let unclean = if clean.is_none() && unclean_allowed {
            partition
                .replicas
                .iter()
                .copied()
                .find(|replica| !partition.isr.contains(replica) && acceptable(replica))
        } else {
            None
        };
        let new_leader = clean.or(unclean);
        if new_leader.is_none() && partition.leader.is_none() {
            return None;
        }
        Some(self.change_leader(q, tp, new_leader, unclean))
    }

    /// A preferred-leader election for `tp`, if its preferred replica (the first) is in the ISR and can
    /// lead but does not.
    pub(crate) fn elect_preferred_leader(
        &mut self,
        q: &mut Quorum<'_>,
        tp: Tp,
    ) -> Option<LeaderChange> {
        let partition = q.partition(tp);
        let preferred = *partition.replicas.first()?;
        if partition.leader != Some(preferred)
            && partition.isr.contains(&preferred)
            && self.can_lead(q, preferred)
        {
            Some(self.change_leader(q, tp, Some(preferred), None))
        } else {
            None
        }
    }

    /// Makes `new_leader` the partition's leader in a new leader epoch (`unclean`: the replica chosen from
    /// outside the ISR, which becomes the whole ISR).
    fn change_leader(
        &mut self,
        q: &mut Quorum<'_>,
        tp: Tp,
        new_leader: Option<BrokerId>,
        unclean: Option<BrokerId>,
    ) -> LeaderChange {
        let partition = q.partition_mut(tp);
        let old_leader = partition.leader;
        partition.leader = new_leader;
        partition.leader_epoch += 1;
        if let Some(broker) = unclean {
            partition.isr = vec![broker];
            partition.recovering = true;
        }
        let change = LeaderChange {
            tp,
            old_leader,
            new_leader,
            replicas: partition.replicas.clone(),
            isr: partition.isr.clone(),
        };
        let leader_epoch = partition.leader_epoch;
        let topic = q.topics[tp.topic].name.clone();
        q.k.emit(EventKind::LeaderElected {
            topic,
            partition: tp.partition,
            leader: new_leader.map(BrokerId::get),
            leader_epoch,
            isr: crate::ids::plain(&change.isr),
            unclean: unclean.is_some(),
        });
        change
    }

    /// The leader of `group`'s `__consumer_offsets` partition (its coordinator), if it should change: a
    /// leader the controller has not fenced keeps its place (unless `preferred`: a preferred-leader
    /// election moves it back to the first replica); otherwise the first live, unfenced replica leads, or
    /// none does.
    pub(crate) fn offsets_leader_change(
        &self,
        q: &Quorum<'_>,
        group: GroupIx,
        preferred: bool,
    ) -> Option<Option<BrokerId>> {
        let g = &q.groups[group.index()];
        let keep = g
            .coordinator
            .filter(|broker| !self.registration(*broker).fenced);
        let first = g
            .offsets_replicas
            .iter()
            .copied()
            .find(|broker| self.can_lead(q, *broker));
        let to = match keep {
            Some(_) if preferred && first == g.offsets_replicas.first().copied() => first,
            Some(current) => Some(current),
            None => first,
        };
        (to != g.coordinator).then_some(to)
    }

    // ---- preferred-leader balancing ----

    /// `QuorumController.maybeScheduleNextBalancePartitionLeaders`, after each leadership change: with
    /// `auto.leader.rebalance.enable`, when some partition is led by another replica than its preferred
    /// one (the first) and no balancing is scheduled, one is, `leader.imbalance.check.interval.seconds`
    /// later.
    pub(crate) fn maybe_schedule_leader_balance(&mut self, q: &mut Quorum<'_>) {
        if !q.cluster.auto_leader_rebalance_enable || self.leader_balance_scheduled {
            return;
        }
        let imbalanced = q
            .topics
            .iter()
            .flat_map(|topic| &topic.partitions)
            .any(|p| p.leader != p.replicas.first().copied())
            || q.groups
                .iter()
                .any(|g| g.coordinator != g.offsets_replicas.first().copied());
        if imbalanced {
            self.leader_balance_scheduled = true;
            let at = q.k.now + q.cluster.leader_imbalance_check_interval_ms * 1000;
            q.k.schedule(at, Ev::BalanceLeaders);
        }
    }
}
