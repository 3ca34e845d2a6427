//! The engine's side of the controller: it builds the controller's `Quorum`, hands it the events and
//! commands that are its (a broker's session expiring, a preferred-leader balance, a new topic), and
//! carries each metadata change to the nodes it concerns, in order, as their metadata listeners would:
//! a new leader takes over and the old one lets go, followers start fetch sessions, the groups'
//! coordinators move. A broker's process starting and stopping (commands from outside) and the observer's
//! count of what an election loses are here too.

use super::Simulation;
use crate::controller::{FencedReplica, LeaderChange, Quorum, RegistrationAnswer};
use crate::event::EventKind;
use crate::ids::{BrokerId, GroupIx, Tp};
use crate::log::LostRange;
use crate::metadata::{Controller, Registration};
use crate::network::Node;
use crate::sort;

impl Simulation {
    /// The controller's handlers and what they reach (`controller::Quorum`).
    pub(crate) fn quorum(&mut self) -> (&mut Controller, Quorum<'_>) {
        let Simulation {
            k,
            topics,
            cluster,
            brokers,
            groups,
            controller,
            ..
        } = self;
        (
            controller,
            Quorum {
                k,
                topics,
                cluster,
                brokers,
                groups,
            },
        )
    }

    /// The controller's registration of `broker`.
    #[inline(always)]
    pub(crate) fn registration(&self, broker: BrokerId) -> &Registration {
        self.controller.registration(broker)
    }

    /// Whether `broker` may lead or join an ISR: running, and not fenced by the controller.
    #[inline(always)]
    pub(crate) fn can_lead(&self, broker: BrokerId) -> bool {
        self.broker(broker).alive && !self.registration(broker).fenced
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

    // ---- topics ----

    pub(crate) fn create_topic(
        &mut self,
        name: &str,
        partitions: u32,
        replication_factor: u32,
        config: crate::config::TopicConfig,
    ) {
        let (c, mut q) = self.quorum();
        let topic = c.create_topic(&mut q, name, config);
        self.grow_topic(topic, partitions, replication_factor);
    }

    /// The controller registers the topic's new partitions; their replicas' brokers start hosting them,
    /// and the followers fetch.
    fn grow_topic(&mut self, topic: usize, total: u32, replication_factor: u32) {
        let (c, mut q) = self.quorum();
        let first = c.grow_topic(&mut q, topic, total, replication_factor);
        self.led_by_broker = None;
        for partition in first..total {
            let tp = Tp { topic, partition };
            let replicas = self.partition(tp).replicas.clone();
            for broker in &replicas {
                self.brokers[broker.index()]
                    .replicas
                    .host(tp, replicas.len());
            }
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

    /// A topic's configuration changed (e.g. `unclean.leader.election.enable`, `min.insync.replicas`):
    /// offline partitions may elect a leader, and high watermarks may advance.
    pub(crate) fn topic_config_changed(&mut self, topic: usize) {
        for partition in 0..self.topics[topic].partitions.len() as u32 {
            let tp = Tp { topic, partition };
            if self.partition(tp).leader.is_none() {
                self.elect_leader(tp);
            }
            self.maybe_advance_high_watermark(tp);
        }
    }

    // ---- a broker's process stops and starts ----

    pub(crate) fn crash_broker(&mut self, broker: BrokerId) {
        if !self.broker(broker).alive {
            // A new process waiting to register dies too.
            self.broker_mut(broker).restart_pending = false;
            return;
        }
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
        self.on_broker(broker, |b, h| b.release_consumer_fetches(h));
        let (c, mut q) = self.quorum();
        c.heartbeats_stopped(&mut q, broker, incarnation);
    }

    /// A new broker process starts and registers with the controller. Refused while the old process's
    /// session is valid (it retries, see `broker_fence`), or unreachable (it retries when the network
    /// heals); registered, it follows every partition it hosts, truncating where it diverges from the
    /// leader, and leads only what no one else could (an offline partition).
    pub(crate) fn restart_broker(&mut self, broker: BrokerId) {
        if self.broker(broker).alive {
            return;
        }
        let (c, mut q) = self.quorum();
        match c.register(&mut q, broker) {
            RegistrationAnswer::Refused => {
                if !self.broker(broker).restart_pending {
                    self.broker_mut(broker).restart_pending = true;
                    self.emit(EventKind::BrokerRegistrationRefused {
                        broker: broker.get(),
                    });
                }
            }
            RegistrationAnswer::Unreachable => self.broker_mut(broker).restart_pending = true,
            RegistrationAnswer::Registered => {
                let b = self.broker_mut(broker);
                b.alive = true;
                b.restart_pending = false;
                b.incarnation += 1;
                self.emit(EventKind::BrokerRestarted {
                    broker: broker.get(),
                });
                self.follow_partitions(broker);
            }
        }
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
            let incarnation = b.incarnation;
            match (b.alive, registration.fenced, cut) {
                (true, false, true) if registration.cut_at.is_none() => {
                    let (c, mut q) = self.quorum();
                    c.heartbeats_lost(&mut q, broker, incarnation);
                }
                (true, false, false) => self.controller.heartbeats_resumed(broker),
                (true, true, false) => {
                    let (c, mut q) = self.quorum();
                    c.unfence(&mut q, broker);
                    self.follow_partitions(broker);
                }
                (false, true, false) if b.restart_pending => self.restart_broker(broker),
                _ => {}
            }
        }
    }

    /// The controller's session for `broker` expired: fenced, it leaves the ISRs, its leaderships move,
    /// and so do the coordinators it ran.
    pub(crate) fn broker_fence(&mut self, broker: BrokerId, incarnation: u32) {
        let (c, mut q) = self.quorum();
        if !c.fence(&mut q, broker, incarnation) {
            return;
        }
        for tp in self.all_partitions() {
            let (c, mut q) = self.quorum();
            match c.remove_fenced(&mut q, tp, broker) {
                FencedReplica::Untouched => {}
                FencedReplica::LeftIsr => self.maybe_advance_high_watermark(tp),
                FencedReplica::LeaderLost => self.elect_leader(tp),
            }
        }
        self.elect_coordinators(false);
        if self.broker(broker).restart_pending {
            // The new process's registration, retried, now succeeds.
            self.restart_broker(broker);
        }
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

    // ---- leaders ----

    /// The controller elects a leader for `tp` (if there is one to elect) and the brokers learn of it.
    pub(crate) fn elect_leader(&mut self, tp: Tp) {
        let (c, mut q) = self.quorum();
        if let Some(change) = c.elect_leader(&mut q, tp) {
            self.leader_changed(change);
        }
    }

    /// The controller's preferred-leader balance (`ReplicationControlManager.maybeBalancePartitionLeaders`):
    /// each partition whose preferred replica is in the ISR and can lead but does not gets it back; then,
    /// if some partition is still not led by its preferred replica, the next check is scheduled.
    pub(crate) fn balance_leaders(&mut self) {
        self.controller.leader_balance_scheduled = false;
        for tp in self.all_partitions() {
            let (c, mut q) = self.quorum();
            if let Some(change) = c.elect_preferred_leader(&mut q, tp) {
                self.leader_changed(change);
            }
        }
        self.elect_coordinators(true);
        let (c, mut q) = self.quorum();
        c.maybe_schedule_leader_balance(&mut q);
    }

    /// A partition's new registration reaches the brokers: the new leader takes over, the old one fails
    /// the produce requests waiting on it and hands back the consumer fetches parked on it, and each
    /// follower with no fetch session going starts one (they learn of the new epoch from their next
    /// fetch's answer, and truncate then; what they will lose is counted now).
    fn leader_changed(&mut self, change: LeaderChange) {
        let LeaderChange {
            tp,
            old_leader,
            new_leader,
            replicas,
            isr,
        } = change;
        self.led_by_broker = None;
        if let Some(leader) = new_leader {
            self.make_leader(tp, leader, old_leader != Some(leader), (&replicas, &isr));
        }
        let parked = old_leader.map_or_else(Vec::new, |old| self.resign_leadership(tp, old));
        if let Some(old_leader) = old_leader {
            self.fail_pending_acks(tp, old_leader);
        }
        if let Some(leader) = new_leader {
            self.account_lost_batches(tp, leader);
        }
        if let Some(old_leader) = old_leader {
            for (group, member, _) in parked {
                self.answer_parked_consumer_fetch(old_leader, group, member);
            }
        }
        self.ensure_all_fetchers();
        self.maybe_advance_high_watermark(tp);
        let (c, mut q) = self.quorum();
        c.maybe_schedule_leader_balance(&mut q);
    }

    /// Leaders for the groups' `__consumer_offsets` partitions, whose leader is the group's coordinator
    /// (`Controller::offsets_leader_change`); a group whose coordinator moves learns of it
    /// (`Simulation::coordinator_moved`).
    pub(crate) fn elect_coordinators(&mut self, preferred: bool) {
        for group in 0..self.groups.len() {
            let (c, q) = self.quorum();
            if let Some(to) = c.offsets_leader_change(&q, GroupIx::at(group), preferred) {
                self.coordinator_moved(GroupIx::at(group), to);
                let (c, mut q) = self.quorum();
                c.maybe_schedule_leader_balance(&mut q);
            }
        }
    }

    // ---- what an election loses (the observer's count) ----

    /// Every batch some replica holds beyond where it diverges from the new leader will be truncated:
    /// the cluster has lost it. Counted once per batch.
    fn account_lost_batches(&mut self, tp: Tp, leader: BrokerId) {
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
                    .add_acknowledged_lost(range.producer, records as u64);
                let producer = self.producers[range.producer.index()].id.clone();
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
