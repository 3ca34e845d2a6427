//! The KRaft controller: replica placement and topic creation, broker registrations and fencing
//! (`broker.session.timeout.ms`), leader elections (clean, or unclean when enabled), preferred-leader
//! balancing, and the data an election loses.

use super::metadata::Registration;
use super::partition::{Partition, Topic, SUMMARIZE_EVERY};
use crate::config::TopicConfig;
use crate::engine::Simulation;
use crate::event::{EventKind, Reason};
use crate::ids::{BrokerId, Micros, Tp};
use crate::log::LostRange;
use crate::network::Node;
use crate::protocol::Ev;
use crate::sort;

impl Simulation {
    /// The controller's registration of `broker`.
    #[inline(always)]
    pub(crate) fn registration(&self, broker: BrokerId) -> &Registration {
        &self.controller.registrations[broker.index()]
    }

    #[inline(always)]
    pub(crate) fn registration_mut(&mut self, broker: BrokerId) -> &mut Registration {
        &mut self.controller.registrations[broker.index()]
    }

    /// Whether `broker` may lead or join an ISR: running, and not fenced by the controller.
    #[inline(always)]
    pub(crate) fn can_lead(&self, broker: BrokerId) -> bool {
        self.broker(broker).alive && !self.registration(broker).fenced
    }

    /// Kafka's rack-unaware replica placement (`assignReplicasToBrokersRackUnaware`) with the random start
    /// index and shift drawn from the run's generator.
    pub(crate) fn place_replicas(
        &mut self,
        first_partition: u32,
        count: u32,
        replication_factor: u32,
        start: (u64, u64),
    ) -> Vec<Vec<BrokerId>> {
        let brokers = self.brokers.len() as u64;
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

    pub(crate) fn create_topic(
        &mut self,
        name: &str,
        partitions: u32,
        replication_factor: u32,
        config: TopicConfig,
    ) {
        let brokers = self.brokers.len() as u64;
        let start = (self.k.rng.below(brokers), self.k.rng.below(brokers));
        let topic_index = self.topics.len();
        self.topics.push(Topic {
            name: name.to_string(),
            config,
            partitions: Vec::new(),
            placement_start: start,
        });
        self.grow_topic(topic_index, partitions, replication_factor);
    }

    pub(crate) fn grow_topic(&mut self, topic: usize, total: u32, replication_factor: u32) {
        let existing = self.topics[topic].partitions.len() as u32;
        let start = self.topics[topic].placement_start;
        for replicas in self.place_replicas(existing, total - existing, replication_factor, start) {
            let leader = replicas
                .iter()
                .copied()
                .find(|broker| self.broker(*broker).alive);
            let isr: Vec<BrokerId> = replicas
                .iter()
                .copied()
                .filter(|broker| self.broker(*broker).alive)
                .collect();
            let isr = if isr.is_empty() {
                vec![replicas[0]]
            } else {
                isr
            };
            self.led_by_broker = None;
            let tp = Tp {
                topic,
                partition: self.topics[topic].partitions.len() as u32,
            };
            for broker in &replicas {
                self.brokers[broker.index()]
                    .replicas
                    .host(tp, replicas.len());
            }
            self.topics[topic].partitions.push(Partition {
                replicas,
                leader,
                leader_epoch: 0,
                isr,
                recovering: false,
                summarize_at: SUMMARIZE_EVERY,
            });
        }
        self.ensure_all_fetchers();
    }

    pub(crate) fn add_partitions(&mut self, topic: usize, total: u32) {
        let replication_factor = self.topics[topic].partitions[0].replicas.len() as u32;
        self.grow_topic(topic, total, replication_factor);
        self.scenario.scenario.topics[topic].partitions = total;
        let name = self.topics[topic].name.clone();
        self.emit(EventKind::PartitionsAdded {
            topic: name,
            partitions: total,
        });
        self.partitions_changed_for_producers(topic);
        self.partitions_changed_for_groups(topic);
        self.partitions_changed_for_clients(topic);
    }

    pub(crate) fn topic_config_changed(&mut self, topic: usize) {
        for partition in 0..self.topics[topic].partitions.len() as u32 {
            let tp = Tp { topic, partition };
            if self.partition(tp).leader.is_none() {
                self.elect_leader(tp);
            }
            self.maybe_advance_high_watermark(tp);
        }
    }

    pub(crate) fn crash_broker(&mut self, broker: BrokerId) {
        if !self.broker(broker).alive {
            // A new process waiting to register dies too.
            self.broker_mut(broker).restart_pending = false;
            return;
        }
        let at = self.fence_at(broker, self.k.now);
        self.registration_mut(broker).cut_at = None;
        let b = self.broker_mut(broker);
        b.alive = false;
        b.incarnation += 1;
        let incarnation = b.incarnation;
        self.emit(EventKind::BrokerCrashed {
            broker: broker.get(),
        });
        // Its connections close: every fetch session to or from it ends.
        for peer in BrokerId::all(self.brokers.len() as u32) {
            self.broker_mut(peer).connection_closed(broker);
            self.broker_mut(broker).connection_closed(peer);
        }
        self.fail_requests_to_broker(broker);
        let (b, mut h) = self.host(broker);
        b.release_consumer_fetches(&mut h);
        self.schedule(
            at,
            Ev::BrokerFence {
                broker,
                incarnation,
            },
        );
    }

    /// When the controller fences a broker whose heartbeats stop arriving at `stopped`:
    /// `broker.session.timeout.ms` after its last heartbeat, which went at most
    /// `broker.heartbeat.interval.ms` before (ClusterControlManager, BrokerHeartbeatManager).
    pub(crate) fn fence_at(&self, broker: BrokerId, stopped: Micros) -> Micros {
        let registered_us = self.registration(broker).registered_us;
        let interval = self.cluster.broker_heartbeat_interval_ms * 1000;
        let since = stopped - registered_us;
        let last_heartbeat = registered_us + since.saturating_sub(1) / interval * interval;
        last_heartbeat + self.cluster.broker_session_timeout_ms * 1000
    }

    /// A network fault began or healed. A running broker newly cut off from the controller loses its
    /// heartbeats: the controller will fence it. One the controller fenced while it ran, reachable again,
    /// heartbeats again and is unfenced. A restarted process that could not register (cut off) registers.
    pub(crate) fn network_changed(&mut self) {
        for broker in BrokerId::all(self.brokers.len() as u32) {
            let cut = self
                .k
                .network
                .is_cut(Node::Broker { broker }, Node::Controller);
            let (b, registration) = (self.broker(broker), self.registration(broker));
            match (b.alive, registration.fenced, cut) {
                (true, false, true) if registration.cut_at.is_none() => {
                    let now = self.k.now;
                    let at = self.fence_at(broker, now);
                    self.registration_mut(broker).cut_at = Some(now);
                    let incarnation = self.broker(broker).incarnation;
                    self.schedule(
                        at,
                        Ev::BrokerFence {
                            broker,
                            incarnation,
                        },
                    );
                }
                (true, false, false) => self.registration_mut(broker).cut_at = None,
                (true, true, false) => self.unfence_broker(broker),
                (false, true, false) if b.restart_pending => self.restart_broker(broker),
                _ => {}
            }
        }
    }

    /// The controller's broker session expired (the broker crashed, or its heartbeats were lost to a
    /// network fault for `broker.session.timeout.ms`): fence it, move its leaderships, drop it from ISRs.
    pub(crate) fn broker_fence(&mut self, broker: BrokerId, incarnation: u32) {
        let (b, registration) = (self.broker(broker), self.registration(broker));
        let cut_off = registration
            .cut_at
            .is_some_and(|since| b.alive && self.k.now >= self.fence_at(broker, since));
        if (b.alive && !cut_off) || b.incarnation != incarnation || registration.fenced {
            return;
        }
        self.registration_mut(broker).fenced = true;
        self.emit(EventKind::BrokerFenced {
            broker: broker.get(),
        });
        for tp in self.all_partitions() {
            let partition = self.partition(tp);
            if !partition.replicas.contains(&broker) {
                continue;
            }
            let was_leader = partition.leader == Some(broker);
            if partition.isr.contains(&broker) && partition.isr.len() > 1 {
                self.partition_mut(tp)
                    .isr
                    .retain(|replica| *replica != broker);
                if !was_leader {
                    super::metadata::emit_isr_changed(
                        &self.topics,
                        &mut self.k,
                        tp,
                        Reason::BrokerFencedByController,
                    );
                    self.maybe_advance_high_watermark(tp);
                }
            }
            if was_leader {
                self.elect_leader(tp);
            }
        }
        self.elect_coordinators(false);
        if self.broker(broker).restart_pending {
            // The new process's registration, retried, now succeeds.
            self.restart_broker(broker);
        }
    }

    /// Leaders for the groups' `__consumer_offsets` partitions, whose leader is the group's coordinator.
    /// A leader the controller has not fenced keeps its place (unless `preferred`: a preferred-leader
    /// election moves it back to the first replica); otherwise the first live, unfenced replica leads, or
    /// none does (`Simulation::coordinator_moved`).
    pub(crate) fn elect_coordinators(&mut self, preferred: bool) {
        for group in 0..self.groups.len() {
            let g = &self.groups[group];
            let eligible = |broker: &BrokerId| self.can_lead(*broker);
            let keep = g
                .coordinator
                .filter(|broker| !self.registration(*broker).fenced);
            let first = g.offsets_replicas.iter().copied().find(eligible);
            let to = match keep {
                Some(_) if preferred && first == g.offsets_replicas.first().copied() => first,
                Some(current) => Some(current),
                None => first,
            };
            if to != g.coordinator {
                self.coordinator_moved(group, to);
                self.maybe_schedule_leader_balance();
            }
        }
    }

    /// A new broker process registers with the controller (`ClusterControlManager.registerBroker`). While
    /// the old process's session is valid (not fenced yet) the registration is refused and retried; it
    /// succeeds once the controller has fenced the old session (see `broker_fence`). Registered, the
    /// broker follows every partition it hosts, truncating where it diverges from the leader, and leads
    /// only what no one else could (an offline partition).
    pub(crate) fn restart_broker(&mut self, broker: BrokerId) {
        if self.broker(broker).alive {
            return;
        }
        if !self.registration(broker).fenced {
            if !self.broker(broker).restart_pending {
                self.broker_mut(broker).restart_pending = true;
                self.emit(EventKind::BrokerRegistrationRefused {
                    broker: broker.get(),
                });
            }
            return;
        }
        if self
            .k
            .network
            .is_cut(Node::Broker { broker }, Node::Controller)
        {
            // It cannot reach the controller to register: it retries until the network heals.
            self.broker_mut(broker).restart_pending = true;
            return;
        }
        let now = self.k.now;
        let registration = self.registration_mut(broker);
        registration.fenced = false;
        registration.registered_us = now;
        let b = self.broker_mut(broker);
        b.alive = true;
        b.restart_pending = false;
        b.incarnation += 1;
        self.emit(EventKind::BrokerRestarted {
            broker: broker.get(),
        });
        self.follow_partitions(broker);
    }

    /// A running broker the controller fenced, reachable again: its heartbeats are answered and the
    /// controller unfences it. It catches up as a follower, and leads what no one else could.
    pub(crate) fn unfence_broker(&mut self, broker: BrokerId) {
        let now = self.k.now;
        let registration = self.registration_mut(broker);
        registration.fenced = false;
        registration.registered_us = now;
        registration.cut_at = None;
        self.emit(EventKind::BrokerUnfenced {
            broker: broker.get(),
        });
        self.follow_partitions(broker);
    }

    /// A broker (re)registered: it follows every partition it hosts, and leads only what no one else
    /// could (an offline partition).
    fn follow_partitions(&mut self, broker: BrokerId) {
        for tp in self.all_partitions() {
            let partition = self.partition(tp);
            if !partition.replicas.contains(&broker) {
                continue;
            }
            // A follower truncates where its log diverges from the leader's on its first fetch's
            // answer (`divergingEpoch`). A leader kept while it was fenced is the last replica of its ISR.
            if partition.leader.is_none() {
                self.elect_leader(tp);
            }
        }
        self.ensure_all_fetchers();
        self.elect_coordinators(false);
    }

    pub(crate) fn all_partitions(&self) -> Vec<Tp> {
        let mut all = Vec::new();
        for (topic, t) in self.topics.iter().enumerate() {
            for partition in 0..t.partitions.len() as u32 {
                all.push(Tp { topic, partition });
            }
        }
        all
    }

    /// `QuorumController.maybeScheduleNextBalancePartitionLeaders`, after each leadership change: with
    /// `auto.leader.rebalance.enable`, when some partition is led by another replica than its preferred
    /// one (the first) and no balancing is scheduled, one is, `leader.imbalance.check.interval.seconds`
    /// later.
    pub(crate) fn maybe_schedule_leader_balance(&mut self) {
        if !self.cluster.auto_leader_rebalance_enable || self.controller.leader_balance_scheduled {
            return;
        }
        let imbalanced = self
            .topics
            .iter()
            .flat_map(|topic| &topic.partitions)
            .any(|p| p.leader != p.replicas.first().copied())
            || self
                .groups
                .iter()
                .any(|g| g.coordinator != g.offsets_replicas.first().copied());
        if imbalanced {
            self.controller.leader_balance_scheduled = true;
            let at = self.k.now + self.cluster.leader_imbalance_check_interval_ms * 1000;
            self.schedule(at, Ev::BalanceLeaders);
        }
    }

    /// `ReplicationControlManager.maybeBalancePartitionLeaders`: a preferred-leader election for each
    /// partition whose preferred replica is in the ISR and can lead but does not; then, if some partition
    /// is still not led by its preferred replica, the next check is scheduled.
    pub(crate) fn balance_leaders(&mut self) {
        self.controller.leader_balance_scheduled = false;
        for tp in self.all_partitions() {
            let partition = self.partition(tp);
            let Some(&preferred) = partition.replicas.first() else {
                continue;
            };
            if partition.leader != Some(preferred)
                && partition.isr.contains(&preferred)
                && self.can_lead(preferred)
            {
                self.change_leader(tp, Some(preferred), None);
            }
        }
        self.elect_coordinators(true);
        self.maybe_schedule_leader_balance();
    }

    /// `PartitionChangeBuilder.electAnyLeader`: the first replica in assignment order that is in the ISR
    /// and alive; failing that, with `unclean.leader.election.enable`, the first live replica outside it.
    pub(crate) fn elect_leader(&mut self, tp: Tp) {
        let unclean_allowed = self.topics[tp.topic].config.unclean_leader_election_enable;
        let partition = self.partition(tp);
        let acceptable = |broker: &BrokerId| self.can_lead(*broker);
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
            return;
        }
        self.change_leader(tp, new_leader, unclean);
    }

    /// Makes `new_leader` the partition's leader in a new leader epoch (`unclean`: the replica chosen from
    /// outside the ISR), counts what the followers will truncate, fails the requests waiting on the old
    /// leader and restarts the fetchers.
    pub(crate) fn change_leader(
        &mut self,
        tp: Tp,
        new_leader: Option<BrokerId>,
        unclean: Option<BrokerId>,
    ) {
        let old_leader = self.partition(tp).leader;
        self.led_by_broker = None;
        let partition = self.partition_mut(tp);
        partition.leader = new_leader;
        partition.leader_epoch += 1;
        if let Some(broker) = unclean {
            partition.isr = vec![broker];
            partition.recovering = true;
        }
        let (isr, replicas, leader_epoch) = (
            partition.isr.clone(),
            partition.replicas.clone(),
            partition.leader_epoch,
        );
        // The brokers apply the new registration at once: the new leader takes over, the old one lets go
        // of the consumer fetches parked on it.
        if let Some(leader) = new_leader {
            self.make_leader(tp, leader, old_leader != Some(leader), (&replicas, &isr));
        }
        let parked = old_leader.map_or_else(Vec::new, |old| self.resign_leadership(tp, old));
        let topic = self.topics[tp.topic].name.clone();
        self.emit(EventKind::LeaderElected {
            topic,
            partition: tp.partition,
            leader: new_leader.map(BrokerId::get),
            leader_epoch,
            isr: crate::ids::plain(&isr),
            unclean: unclean.is_some(),
        });
        if let Some(old_leader) = old_leader {
            self.fail_pending_acks(tp, old_leader);
        }
        if let Some(leader) = new_leader {
            // The followers learn of the new epoch from their next fetch's answer, and truncate then;
            // what they will lose is counted now.
            self.account_lost_batches(tp, leader);
        }
        if let Some(old_leader) = old_leader {
            for (group, member, _) in parked {
                self.answer_parked_consumer_fetch(old_leader, group, member);
            }
        }
        self.ensure_all_fetchers();
        self.maybe_advance_high_watermark(tp);
        self.maybe_schedule_leader_balance();
    }

    /// Every batch some replica holds beyond where it diverges from the new leader will be truncated:
    /// the cluster has lost it. Counted once per batch.
    pub(crate) fn account_lost_batches(&mut self, tp: Tp, leader: BrokerId) {
        let replicas = &self.topics[tp.topic].partitions[tp.partition as usize].replicas;
        // The leader's log, taken out while the others are compared with it (and put back).
        let leader_log = std::mem::take(
            &mut self.brokers[leader.index()]
                .replicas
                .get_mut(tp)
                .expect("the leader's log")
                .log,
        );
        let mut candidates = Vec::new();
        for broker in replicas.iter().filter(|broker| **broker != leader) {
            let log = &mut self.brokers[broker.index()]
                .replicas
                .get_mut(tp)
                .expect("a replica's log")
                .log;
            let point = log.divergence_point(&leader_log);
            candidates.extend(log.lose_from(point, &mut self.batch_facts));
        }
        self.brokers[leader.index()]
            .replicas
            .get_mut(tp)
            .expect("the leader's log")
            .log = leader_log;
        // Replicas hold the same records in the same epoch at the same offsets: each counted once.
        let mut lost: Vec<LostRange> = Vec::new();
        for mut range in candidates {
            for taken in &lost {
                if taken.leader_epoch == range.leader_epoch
                    && taken.base_offset <= range.base_offset
                    && range.base_offset < taken.end_offset
                {
                    range.base_offset = taken.end_offset.min(range.end_offset);
                }
            }
            if range.base_offset < range.end_offset {
                lost.push(range);
            }
        }
        sort::sort_by_key(&mut lost, |range| range.base_offset);
        if let Some(first) = lost.first() {
            // Those offsets will hold other records.
            let lost_from = first.base_offset;
            self.produce_ledger.twice_above_gone(tp, lost_from);
        }
        for range in lost {
            let records = (range.end_offset - range.base_offset) as u32;
            if range.acknowledged {
                self.produce_ledger
                    .add_acknowledged_lost(range.producer as usize, records as u64);
                let producer = self.producers[range.producer as usize].id.clone();
                let topic = self.topics[tp.topic].name.clone();
                self.emit(EventKind::AcknowledgedRecordsLost {
                    producer,
                    topic,
                    partition: tp.partition,
                    base_offset: range.base_offset,
                    records,
                });
            }
            if range.reached_high_watermark {
                if !self.partition(tp).recovering && self.violations.len() < 10 {
                    let topic = &self.topics[tp.topic].name;
                    self.violations.push(format!(
                        "{topic}-{}: records {}..{} were below the high watermark and a clean election lost them",
                        tp.partition,
                        range.base_offset,
                        range.end_offset
                    ));
                }
                self.records_lost_for_groups(tp, range.base_offset, range.end_offset);
            }
        }
    }
}
