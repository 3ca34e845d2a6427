//! The engine's side of the group coordinators: creating a group, the dispatch of a coordinator's
//! events to its handlers (`coordinator`), the controller's news that a group's coordinator
//! moved, and the observer's accounting of commits and new partitions.

use super::Simulation;
use crate::accounting::GroupLedger;
use crate::config::ConsumerConfig;
use crate::coordinator::{java_string_hash, member_id_text, Coordinator};
use crate::group::{Group, GroupClients, GroupState};
use crate::ids::{BrokerId, GroupIx, MemberId, MemberSlot, Tp};
use crate::protocol::CoordinatorEvent;
use crate::scenario::{ms_to_us, CommitMode, GroupSpec};
use std::collections::BTreeMap;

impl Simulation {
    /// A group's coordinator handlers and what they reach (`coordinator::Coordinator`).
    pub(crate) fn coordinator(&mut self, group: GroupIx) -> (&mut Group, Coordinator<'_>) {
        let Simulation {
            k,
            groups,
            consumers,
            topics,
            brokers,
            cluster,
            seed,
            ..
        } = self;
        let g = &mut groups[group.index()];
        let broker_alive = g
            .coordinator
            .is_some_and(|broker| brokers[broker.index()].alive);
        (
            g,
            Coordinator {
                k,
                group,
                clients: &consumers[group.index()],
                topics,
                broker_alive,
                initial_rebalance_delay_us: cluster.group_initial_rebalance_delay_ms * 1000,
                seed: *seed,
            },
        )
    }

    /// A request arriving at, or a timer of, a group's coordinator (`broker` and `epoch`: the broker and
    /// coordinator it was sent to or set by); then the observer accounts the offsets it committed.
    pub(crate) fn coordinator_event(
        &mut self,
        group: GroupIx,
        broker: BrokerId,
        epoch: u32,
        event: CoordinatorEvent,
    ) {
        let alive = self.brokers[broker.index()].alive;
        let (g, mut c) = self.coordinator(group);
        g.on_event(&mut c, (broker, alive), epoch, event);
        self.account_commits(group);
    }

    /// The controller elected another leader for a group's `__consumer_offsets` partition (or none).
    pub(crate) fn coordinator_moved(&mut self, group: GroupIx, to: Option<BrokerId>) {
        let (g, mut c) = self.coordinator(group);
        g.moved(&mut c, to);
        self.account_commits(group);
    }

    fn account_commits(&mut self, group: GroupIx) {
        let g = &mut self.groups[group.index()];
        if g.commits.is_empty() {
            return;
        }
        let ledger = &mut self.group_ledgers[group.index()];
        for (tp, offset) in g.commits.drain(..) {
            if let Some(delivery) = ledger.delivery.get_mut(&tp) {
                delivery.committed(offset);
            }
        }
    }

    pub(crate) fn add_group(&mut self, spec: &GroupSpec, config: ConsumerConfig) {
        let index = self.groups.len();
        // The coordinator is the leader of __consumer_offsets partition abs(hash(group.id)) % 50
        // (`offsets.topic.num.partitions`), whose replicas (`offsets.topic.replication.factor` 3, at most
        // the brokers there are) are modelled as placed round-robin over the brokers.
        let offsets_partition = (java_string_hash(&spec.id) as i64).unsigned_abs() % 50;
        let brokers = self.brokers.len() as u64;
        let offsets_replicas: Vec<BrokerId> = (0..brokers.min(3))
            .map(|i| BrokerId(((offsets_partition + i) % brokers) as u32 + 1))
            .collect();
        let coordinator = offsets_replicas.iter().copied().find(|b| self.can_lead(*b));
        let commit_mode = if config.enable_auto_commit {
            None
        } else {
            Some(spec.commit.unwrap_or(CommitMode::SyncAfterProcessing))
        };
        let mut ledger = GroupLedger::default();
        let clients = GroupClients {
            id: spec.id.clone(),
            config,
            topics: spec.topics.clone(),
            processing_us_per_record: ms_to_us(spec.processing_ms_per_record),
            commit_mode,
            idempotent: spec.idempotent,
            members: Vec::new(),
        };
        let group = Group {
            id: spec.id.clone(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            memberships: Vec::new(),
            committed: BTreeMap::new(),
            assignment: BTreeMap::new(),
            coordinator,
            offsets_replicas,
            coordinator_epoch: 0,
            round: 0,
            initial_delay_until: None,
            initial_delay: (0, 0),
            new_member_added: false,
            rebalance_started_us: 0,
            commits: Vec::new(),
        };
        for tp in self.all_partitions() {
            if clients.subscribes(&self.topics[tp.topic].name)
                || spec.members.iter().any(|m| {
                    m.topics
                        .iter()
                        .flatten()
                        .any(|t| *t == self.topics[tp.topic].name)
                })
            {
                ledger.track(tp, self.high_watermark(tp));
            }
        }
        self.groups.push(group);
        self.consumers.push(clients);
        self.group_ledgers.push(ledger);
        self.world.add_group(spec.sink.as_ref());
        for member in &spec.members {
            self.add_member_quietly(GroupIx::at(index), &member.id, member.topics.clone());
            let last = self.consumers[index].members.len() - 1;
            self.consumers[index].members[last].group_instance_id =
                member.group_instance_id.clone();
        }
    }

    /// A member id's text: the `client.id` (the member's name), "-", and a random (version 4) UUID (see
    /// `coordinator::member_id_text`).
    pub fn member_id_text(&self, group: GroupIx, member: MemberSlot, id: MemberId) -> String {
        let client_id = &self.consumers[group.index()].members[member.index()].id;
        member_id_text(self.seed, (group, member), client_id, id)
    }

    /// A topic got new partitions: the groups' delivery accounting covers them from their high watermark.
    pub(crate) fn partitions_changed_for_groups(&mut self, topic: usize) {
        let name = self.topics[topic].name.clone();
        for group in 0..self.groups.len() {
            if !self.consumers[group].subscribes(&name) {
                continue;
            }
            for partition in 0..self.topics[topic].partitions.len() as u32 {
                let tp = Tp { topic, partition };
                let hw = self.high_watermark(tp);
                self.group_ledgers[group].track(tp, hw);
            }
        }
    }
}
