//! The engine's side of the consumer clients: commands that act on a member from outside (add, crash,
//! close, restart, stall, reconfigure), the dispatch of a member's events to its handlers (`consumer`),
//! metadata and log changes the clients or the observer hear of, and the observer's accounting of what
//! the members processed (`accounting::GroupLedger`).

use super::Simulation;
use crate::config::{ConsumerConfig, InputError};
use crate::consumer::Client;
use crate::event::EventKind;
use crate::group::{Member, MemberStatus};
use crate::ids::{GroupIx, MemberSlot, Tp};
use crate::protocol::MemberEvent;
use crate::scenario::CommitMode;

impl Simulation {
    /// A member's handlers and what they reach (`consumer::Client`).
    pub(crate) fn client(
        &mut self,
        group: GroupIx,
        member: MemberSlot,
    ) -> (&mut Member, Client<'_>) {
        let Simulation {
            k,
            groups,
            consumers,
            topics,
            brokers,
            world,
            ..
        } = self;
        let (g, clients) = (&groups[group.index()], &mut consumers[group.index()]);
        let coordinator_alive = g
            .coordinator
            .is_some_and(|broker| brokers[broker.index()].alive);
        let coordinator_node = g.node();
        (
            &mut clients.members[member.index()],
            Client {
                k,
                group,
                me: member,
                group_id: &clients.id,
                config: &clients.config,
                processing_us_per_record: clients.processing_us_per_record,
                commit_mode: clients.commit_mode,
                topics,
                coordinator: g.coordinator,
                coordinator_alive,
                coordinator_epoch: g.coordinator_epoch,
                coordinator_node,
                world,
            },
        )
    }

    /// An event for a member's process (`incarnation`): dropped if that process is gone.
    pub(crate) fn member_event(
        &mut self,
        group: GroupIx,
        member: MemberSlot,
        incarnation: u32,
        event: MemberEvent,
    ) {
        let m = &self.consumers[group.index()].members[member.index()];
        if m.incarnation != incarnation || m.status != MemberStatus::Running {
            return;
        }
        let (m, mut c) = self.client(group, member);
        m.on_event(&mut c, event);
    }

    pub(crate) fn crash_member(&mut self, group: GroupIx, member: MemberSlot) {
        let (m, mut c) = self.client(group, member);
        m.crash(&mut c);
    }

    pub(crate) fn leave_member(&mut self, group: GroupIx, member: MemberSlot) {
        let (m, mut c) = self.client(group, member);
        m.close(&mut c);
    }

    pub(crate) fn stall_member(&mut self, group: GroupIx, member: MemberSlot, ms: u64) {
        let (m, mut c) = self.client(group, member);
        m.stall(&mut c, ms);
    }

    pub(crate) fn add_member_quietly(
        &mut self,
        group: GroupIx,
        id: &str,
        topics: Option<Vec<String>>,
    ) {
        let topics = topics.unwrap_or_else(|| self.consumers[group.index()].topics.clone());
        self.consumers[group.index()]
            .members
            .push(Member::new(id, topics));
        self.groups[group.index()]
            .memberships
            .push(Default::default());
        let member = self.consumers[group.index()].members.len() - 1;
        let (m, mut c) = self.client(group, MemberSlot::at(member));
        m.start(&mut c);
    }

    pub(crate) fn add_member(&mut self, group: GroupIx, id: &str, topics: Option<Vec<String>>) {
        if let Some(topics) = &topics {
            for topic in topics {
                let t = self.topic_index(topic).expect("checked");
                for partition in 0..self.topics[t].partitions.len() as u32 {
                    let tp = Tp {
                        topic: t,
                        partition,
                    };
                    let hw = self.high_watermark(tp);
                    self.group_ledgers[group.index()].track(tp, hw);
                }
            }
        }
        let group_id = self.groups[group.index()].id.clone();
        self.emit(EventKind::ConsumerAdded {
            group: group_id,
            member: id.to_string(),
        });
        self.add_member_quietly(group, id, topics);
        let spec = &mut self.scenario.scenario.groups[group.index()];
        spec.members.push(crate::scenario::MemberSpec {
            id: id.to_string(),
            topics: None,
            group_instance_id: None,
        });
    }

    pub(crate) fn restart_member(&mut self, group: GroupIx, member: MemberSlot) {
        if self.consumers[group.index()].members[member.index()].status == MemberStatus::Running {
            return;
        }
        let incarnation = self.consumers[group.index()].members[member.index()].incarnation + 1;
        // The coordinator's record of the previous process (`Group::memberships`) survives the restart.
        let (m, mut c) = self.client(group, member);
        m.start(&mut c);
        m.incarnation = incarnation;
        // Re-issue the start events under the new incarnation.
        m.begin_loops(&mut c);
        let (group_id, member_id) = self.member_names(group, member);
        self.emit(EventKind::ConsumerRestarted {
            group: group_id,
            member: member_id,
        });
    }

    pub(crate) fn set_group_config(
        &mut self,
        group: GroupIx,
        name: String,
        value: String,
    ) -> Result<(), InputError> {
        let mut properties = self.scenario.scenario.groups[group.index()].config.clone();
        properties.insert(name.clone(), value.clone());
        let id = self.groups[group.index()].id.clone();
        let config = ConsumerConfig::parse(&format!("group {id}"), &properties)?;
        self.scenario.scenario.groups[group.index()].config = properties;
        self.scenario.groups[group.index()] = config.clone();
        let g = &mut self.consumers[group.index()];
        g.commit_mode = if config.enable_auto_commit {
            None
        } else {
            Some(g.commit_mode.unwrap_or(CommitMode::SyncAfterProcessing))
        };
        g.config = config;
        self.emit(EventKind::ConfigChanged {
            scope: "group".into(),
            id,
            name,
            value,
            problem: None,
        });
        Ok(())
    }

    /// Retention moved the partition's log start: what lies below can no longer be fetched. Records a
    /// running member already fetched (in its buffer, or being processed) will still be processed, as in
    /// Kafka, so they are settled only once the member is done with them (at a later log start move).
    pub(crate) fn log_start_advanced_for_groups(&mut self, tp: Tp, log_start_offset: u64) {
        self.produce_ledger.twice_below_gone(tp, log_start_offset);
        for (group, ledger) in self.consumers.iter().zip(&mut self.group_ledgers) {
            let held = group
                .members
                .iter()
                .filter(|m| m.status == MemberStatus::Running)
                .flat_map(|m| m.buffer.iter().chain(&m.in_hand))
                .filter(|(held, _, _)| *held == tp)
                .map(|(_, first, _)| *first)
                .min();
            if let Some(delivery) = ledger.delivery.get_mut(&tp) {
                delivery
                    .settle_below(held.map_or(log_start_offset, |held| held.min(log_start_offset)));
            }
        }
    }

    pub(crate) fn records_lost_for_groups(&mut self, tp: Tp, base_offset: u64, end_offset: u64) {
        for ledger in &mut self.group_ledgers {
            if let Some(delivery) = ledger.delivery.get_mut(&tp) {
                delivery.lose_range(base_offset, end_offset);
            }
        }
    }

    /// A topic got new partitions: each group's leader notices in its metadata and rejoins, so that the
    /// new partitions are assigned (`ConsumerCoordinator.rejoinNeededOrPending`).
    pub(crate) fn partitions_changed_for_clients(&mut self, topic: usize) {
        let name = &self.topics[topic].name;
        for g in &mut self.consumers {
            if !g.subscribes(name) {
                continue;
            }
            for m in &mut g.members {
                m.metadata_changed();
            }
        }
    }

    /// A member's group id and member id, for events.
    pub(crate) fn member_names(&self, group: GroupIx, member: MemberSlot) -> (String, String) {
        let g = &self.consumers[group.index()];
        (g.id.clone(), g.members[member.index()].id.clone())
    }

    /// The lowest offset of `tp` a group may still read or count: its committed offset, and each member's
    /// position, fetch position and records in hand.
    pub(crate) fn lowest_group_position(&self, group: GroupIx, tp: Tp) -> Option<u64> {
        let members = self.consumers[group.index()].members.iter().flat_map(|m| {
            let in_hand = m
                .in_hand
                .iter()
                .filter(move |(held, _, _)| *held == tp)
                .map(|(_, first, _)| *first);
            m.positions
                .get(&tp)
                .into_iter()
                .chain(m.fetch_positions.get(&tp))
                .copied()
                .chain(in_hand)
        });
        self.groups[group.index()]
            .committed
            .get(&tp)
            .copied()
            .into_iter()
            .chain(members)
            .min()
    }

    /// A group's delivery accounting, against each partition's high watermark.
    pub fn delivery_counts(&self, group: GroupIx) -> crate::accounting::DeliveryCounts {
        let mut counts = crate::accounting::DeliveryCounts::default();
        for (tp, delivery) in &self.group_ledgers[group.index()].delivery {
            counts += delivery.report(self.high_watermark(*tp));
        }
        counts
    }

    /// The records a member finished processing go to the observer's ledger of its group: which records
    /// were processed, their end-to-end latency, and which were a producer's second copy.
    pub(super) fn account_processed(&mut self, group: GroupIx, member: MemberSlot) {
        let m = &mut self.consumers[group.index()].members[member.index()];
        if m.processed.is_empty() {
            return;
        }
        let now = self.k.now;
        let mut processed = std::mem::take(&mut m.processed);
        for &(tp, first, end) in &processed {
            // End-to-end latency: the first and last records' creation times, averaged over the range.
            let created = self
                .leader_log(tp)
                .and_then(|log| log.created_us_span(first, end - 1));
            let ledger = &mut self.group_ledgers[group.index()];
            if let Some((oldest, newest)) = created {
                let average = now.saturating_sub(oldest) / 2 + now.saturating_sub(newest) / 2;
                ledger.latency_sum_us += average * (end - first);
                ledger.latency_records += end - first;
            }
            // Records processed before (the effects see them again).
            let mut again = 0;
            if let Some(delivery) = ledger.delivery.get_mut(&tp) {
                again = delivery.processed_within(first, end);
                delivery.mark_processed(first, end);
            }
            // Records the producer wrote twice: each copy is processed as a record of its own.
            let twice = self.produce_ledger.twice_within(tp, first, end);
            ledger.producer_duplicates_processed += twice;
            self.world
                .processed(group.index(), end - first, (again + twice).min(end - first));
        }
        processed.clear();
        self.consumers[group.index()].members[member.index()].processed = processed;
    }
}
