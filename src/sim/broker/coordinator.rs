//! The group coordinator, on the broker that leads the group's partition of `__consumer_offsets`: group
//! states and generations, JoinGroup and SyncGroup, the initial rebalance delay, session and rebalance
//! timeouts, OffsetCommit (the classic protocol, `GroupCoordinator` / `ClassicGroup` in Kafka).

use crate::accounting::GroupLedger;
use crate::assignor::{self, Subscription, TopicPartition};
use crate::config::ConsumerConfig;
use crate::consumer::pairs;
use crate::engine::Simulation;
use crate::event::{EventKind, Reason};
use crate::group::{Group, GroupClients, GroupState};
use crate::ids::{BrokerId, MemberId, Micros, Tp};
use crate::network::{FlowKind, Node};
use crate::protocol::{CoordinatorEvent, Ev, Lost, MemberEvent};
use crate::scenario::{ms_to_us, CommitMode, GroupSpec};
use std::collections::BTreeMap;

/// Java's `String.hashCode`, for `__consumer_offsets` partition = `abs(hash) % 50`.
pub(crate) fn java_string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(unit as i32)
    })
}

impl Simulation {
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
        let coordinator = offsets_replicas
            .iter()
            .copied()
            .find(|b| self.broker(*b).alive && !self.broker(*b).fenced);
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
                ledger.track(tp, self.partition(tp).high_watermark());
            }
        }
        self.groups.push(group);
        self.consumers.push(clients);
        self.group_ledgers.push(ledger);
        for member in &spec.members {
            self.add_member_quietly(index, &member.id, member.topics.clone());
            let last = self.consumers[index].members.len() - 1;
            self.consumers[index].members[last].group_instance_id =
                member.group_instance_id.clone();
        }
    }

    /// Where the group's coordinator is drawn: its broker, or without one its preferred broker.
    pub(crate) fn coordinator_node(&self, group: usize) -> Node {
        let g = &self.groups[group];
        Node::Broker {
            broker: g.coordinator.unwrap_or(g.offsets_replicas[0]),
        }
    }

    /// `ClassicGroup.generateMemberId`: the coordinator gives a member's client a new member id.
    pub(crate) fn next_member_id(&mut self, group: usize, member: usize) -> MemberId {
        let membership = &mut self.groups[group].memberships[member];
        membership.ids_given += 1;
        MemberId::nth(membership.ids_given)
    }

    /// A member id's text: the `client.id` (the member's name), "-", and a random (version 4) UUID. The
    /// UUID comes from the run's seed, the member and the id's number, not from the run's random
    /// generator: giving an id draws nothing, so it changes no other choice of the run.
    pub fn member_id_text(&self, group: usize, member: usize, id: MemberId) -> String {
        let mut state = self.seed
            ^ (group as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            ^ (member as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9)
            ^ (id.0.get() as u64).wrapping_mul(0x94d0_49bb_1331_11eb);
        let mut next = || {
            // SplitMix64.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let (a, b) = (next(), next());
        format!(
            "{}-{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            self.consumers[group].members[member].id,
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 | (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }

    /// A member's request failed at the coordinator's end (`error`): the answer, or the broken
    /// connection, reaches the member a network hop later.
    pub(crate) fn coordinator_error(
        &mut self,
        group: usize,
        (member, connection): (usize, u32),
        error: Reason,
        lost: Option<Lost>,
    ) {
        let at =
            self.k.now + self.latency(self.coordinator_node(group), Node::Member { group, member });
        self.process_ev(
            (group, member, connection),
            at,
            MemberEvent::CoordinatorError { error, lost },
        );
    }

    /// The coordinator's session timer for a member's process (`session.timeout.ms`), checked at `at`.
    fn session_timer(&mut self, group: usize, member: usize, member_id: MemberId, at: Micros) {
        self.coordinator_timer(
            group,
            at,
            CoordinatorEvent::SessionCheck { member, member_id },
        );
    }

    /// A timer of the group's current coordinator: it lapses if the coordinator moves first.
    pub(crate) fn coordinator_timer(&mut self, group: usize, at: Micros, event: CoordinatorEvent) {
        let epoch = self.groups[group].coordinator_epoch;
        self.schedule(
            at,
            Ev::Coordinator {
                group,
                epoch,
                event,
            },
        );
    }

    /// The controller elected another leader for a group's `__consumer_offsets` partition (or none): the
    /// group's coordinator moves there (`GroupCoordinator.onElection` / `onResignation`). The new one loads
    /// the group from the partition: members, generation, assignment and committed offsets survive, and
    /// every member gets a whole session from now to find it. A rebalance in progress is lost with the old
    /// coordinator's memory: it starts again, and the members waiting on their JoinGroup learn that the
    /// coordinator moved and send it again.
    pub(crate) fn coordinator_moved(&mut self, group: usize, to: Option<BrokerId>) {
        let now = self.k.now;
        let g = &mut self.groups[group];
        let from = g.coordinator;
        if from == to {
            return;
        }
        g.coordinator = to;
        g.coordinator_epoch += 1;
        let id = g.id.clone();
        self.emit(EventKind::CoordinatorMoved {
            group: id,
            from: from.map(BrokerId::get),
            to: to.map(BrokerId::get),
        });
        if to.is_none() {
            return;
        }
        let session = self.consumers[group].config.session_timeout_ms * 1000;
        let rebalancing = matches!(
            self.groups[group].state,
            GroupState::PreparingRebalance | GroupState::CompletingRebalance
        );
        for member in 0..self.consumers[group].members.len() {
            let membership = &mut self.groups[group].memberships[member];
            let mut sessions = Vec::new();
            if let (true, Some(id)) = (membership.in_group, membership.member_id) {
                membership.last_heartbeat_us = now;
                sessions.push(id);
            }
            if let Some((id, _)) = membership.ghost {
                membership.ghost = Some((id, now));
                sessions.push(id);
            }
            // The JoinGroups the old coordinator held unanswered get NOT_COORDINATOR.
            let waiting = rebalancing && membership.in_group && membership.joined;
            let connection = membership.connection;
            for id in sessions {
                self.session_timer(group, member, id, now + session);
            }
            if waiting {
                self.coordinator_error(
                    group,
                    (member, connection),
                    Reason::NotCoordinator,
                    Some(Lost::Join),
                );
            }
        }
        if matches!(
            self.groups[group].state,
            GroupState::PreparingRebalance | GroupState::CompletingRebalance
        ) {
            self.begin_rebalance(group, Reason::CoordinatorMoved);
        }
    }

    /// An answer from the coordinator to a member's process (`connection`: the process that sent the
    /// request; a restarted client does not get its predecessor's answers).
    pub(crate) fn send_to_member(
        &mut self,
        group: usize,
        (member, connection): (usize, u32),
        kind: FlowKind,
        records: u32,
        event: MemberEvent,
    ) {
        let from = self.coordinator_node(group);
        let incarnation = connection;
        let lost = match event {
            MemberEvent::Assignment { .. } | MemberEvent::MemberIdRequired { .. } => {
                Some(Lost::Join)
            }
            MemberEvent::CommitResponse { .. } => Some(Lost::Commit),
            MemberEvent::OffsetFetchResponse { .. } => Some(Lost::OffsetFetch),
            _ => None,
        };
        let sent = self.send(
            from,
            Node::Member { group, member },
            kind,
            records,
            Ev::Member {
                group,
                member,
                incarnation,
                event,
            },
        );
        if let (false, Some(lost)) = (sent, lost) {
            self.request_lost(group, member, lost);
        }
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
                let hw = self.partition(tp).high_watermark();
                self.group_ledgers[group].track(tp, hw);
            }
        }
    }

    pub(crate) fn coordinator_event(&mut self, group: usize, epoch: u32, event: CoordinatorEvent) {
        let g = &self.groups[group];
        let here = g.coordinator.filter(|_| g.coordinator_epoch == epoch);
        match (here, event.sender()) {
            // A request to a coordinator that has moved: NOT_COORDINATOR, or no answer from a dead broker.
            (None, Some((member, connection, lost))) => {
                return self.coordinator_error(
                    group,
                    (member, connection),
                    Reason::NotCoordinator,
                    lost,
                )
            }
            (Some(broker), Some((member, connection, lost))) if !self.broker(broker).alive => {
                return self.coordinator_error(
                    group,
                    (member, connection),
                    Reason::CoordinatorNotAvailable,
                    lost,
                )
            }
            // An old coordinator's timer, or the timer of one whose broker is down.
            (None, None) => return,
            (Some(broker), None) if !self.broker(broker).alive => return,
            _ => {}
        }
        match event {
            CoordinatorEvent::Join {
                member,
                incarnation,
                member_id,
                group_instance_id,
            } => self.handle_join(group, (member, incarnation), member_id, group_instance_id),
            CoordinatorEvent::Heartbeat {
                member,
                incarnation,
                member_id,
            } => {
                let state = self.groups[group].state;
                let m = &mut self.groups[group].memberships[member];
                let known = m.in_group && m.member_id == Some(member_id);
                if known {
                    m.last_heartbeat_us = self.k.now;
                    let session = self.consumers[group].config.session_timeout_ms * 1000;
                    self.session_timer(group, member, member_id, self.k.now + session);
                }
                // `classicGroupHeartbeat`: REBALANCE_IN_PROGRESS only while members must rejoin; during
                // CompletingRebalance a heartbeat is answered as in Stable.
                let rebalance_in_progress = state == GroupState::PreparingRebalance;
                if !known || rebalance_in_progress {
                    self.send_to_member(
                        group,
                        (member, incarnation),
                        FlowKind::Heartbeat,
                        0,
                        MemberEvent::HeartbeatResponse {
                            rebalance_in_progress,
                            unknown_member: !known,
                        },
                    );
                }
            }
            CoordinatorEvent::Leave {
                member,
                member_id,
                reason,
                ..
            } => {
                let m = &self.groups[group].memberships[member];
                if m.in_group && m.member_id == Some(member_id) {
                    self.remove_member(group, member, *reason);
                }
            }
            CoordinatorEvent::SessionCheck { member, member_id } => {
                let session = self.consumers[group].config.session_timeout_ms * 1000;
                let m = &self.groups[group].memberships[member];
                if let Some((ghost, last_heartbeat)) = m.ghost {
                    if ghost == member_id && self.k.now >= last_heartbeat + session {
                        self.remove_ghost(group, member, Reason::SessionTimeoutExpired);
                        return;
                    }
                }
                let m = &self.groups[group].memberships[member];
                if m.in_group
                    && m.member_id == Some(member_id)
                    && self.k.now >= m.last_heartbeat_us + session
                {
                    self.remove_member(group, member, Reason::SessionTimeoutExpired);
                }
            }
            CoordinatorEvent::OffsetFetch {
                member,
                incarnation,
                partitions,
            } => {
                // `GroupCoordinator.handleFetchOffsets`: the committed offsets, whoever asks.
                let committed = &self.groups[group].committed;
                let offsets = partitions
                    .into_iter()
                    .map(|tp| (tp, committed.get(&tp).copied()))
                    .collect();
                self.send_to_member(
                    group,
                    (member, incarnation),
                    FlowKind::GroupProtocol,
                    0,
                    MemberEvent::OffsetFetchResponse { offsets },
                );
            }
            CoordinatorEvent::Commit {
                member,
                incarnation,
                member_id,
                generation,
                offsets,
                sync,
            } => self.handle_commit(
                group,
                (member, incarnation),
                member_id,
                generation,
                offsets,
                sync,
            ),
            CoordinatorEvent::InitialDelayExpired { round } => {
                // `tryCompleteInitialRebalanceElseSchedule`: if a member joined during the delay and
                // rebalance time remains, a whole new delay starts; otherwise the join completes.
                let now = self.k.now;
                let g = &mut self.groups[group];
                if g.round != round || g.state != GroupState::PreparingRebalance {
                    return;
                }
                let (delay, remaining) = g.initial_delay;
                if g.new_member_added && remaining != 0 {
                    g.new_member_added = false;
                    let initial = self.cluster.group_initial_rebalance_delay_ms * 1000;
                    let next = initial.min(remaining);
                    g.initial_delay = (next, remaining.saturating_sub(delay));
                    g.initial_delay_until = Some(now + next);
                    self.coordinator_timer(
                        group,
                        now + next,
                        CoordinatorEvent::InitialDelayExpired { round },
                    );
                } else {
                    g.initial_delay_until = None;
                    self.complete_join(group);
                }
            }
            CoordinatorEvent::RebalanceTimeout { round } => {
                let g = &self.groups[group];
                if g.round == round && g.state == GroupState::PreparingRebalance {
                    self.groups[group].initial_delay_until = None;
                    self.complete_join(group);
                }
            }
            CoordinatorEvent::SyncDone { generation } => self.sync_done(group, generation),
        }
    }

    pub(crate) fn set_group_state(&mut self, group: usize, state: GroupState) {
        let g = &mut self.groups[group];
        if g.state == state {
            return;
        }
        g.state = state;
        let (id, generation) = (g.id.clone(), g.generation);
        self.emit(EventKind::GroupStateChanged {
            group: id,
            state: state.name().into(),
            generation,
        });
    }

    pub(crate) fn rebalance_timeout_us(&self, group: usize) -> Micros {
        self.consumers[group].config.max_poll_interval_ms * 1000
    }

    pub(crate) fn begin_rebalance(&mut self, group: usize, reason: Reason) {
        let from_empty = self.groups[group].state == GroupState::Empty;
        let now = self.k.now;
        let g = &mut self.groups[group];
        g.round += 1;
        g.rebalance_started_us = now;
        for membership in &mut g.memberships {
            membership.joined = false;
        }
        let (id, generation, round) = (g.id.clone(), g.generation, g.round);
        self.set_group_state(group, GroupState::PreparingRebalance);
        self.emit(EventKind::RebalanceStarted {
            group: id,
            generation,
            reason,
        });
        let timeout = self.rebalance_timeout_us(group);
        self.coordinator_timer(
            group,
            now + timeout,
            CoordinatorEvent::RebalanceTimeout { round },
        );
        if from_empty {
            // The group is new: more time for members to join (KIP-134).
            let delay = self.cluster.group_initial_rebalance_delay_ms * 1000;
            let g = &mut self.groups[group];
            g.initial_delay_until = Some(now + delay);
            g.initial_delay = (delay, timeout.saturating_sub(delay));
            g.new_member_added = false;
            self.coordinator_timer(
                group,
                now + delay,
                CoordinatorEvent::InitialDelayExpired { round },
            );
        }
    }

    /// A JoinGroupRequest (`classicGroupJoin`). A dynamic member with no member id is given one and asked
    /// to join again with it (MEMBER_ID_REQUIRED, KIP-394); one whose id the coordinator does not know
    /// is treated the same way (Kafka answers UNKNOWN_MEMBER_ID, and the client joins again with none). A
    /// static member with no id is given one at once. A process with a new id where the group holds an
    /// older one is a new member: the older one stays until its session expires, and a rebalance waits
    /// for it (`removeMemberAndUpdateClassicGroup`); a static member's new process takes the old one's
    /// place instead (`updateStaticMemberAndRebalance`).
    pub(crate) fn handle_join(
        &mut self,
        group: usize,
        (member, connection): (usize, u32),
        member_id: Option<MemberId>,
        group_instance_id: Option<String>,
    ) {
        let now = self.k.now;
        let static_member = group_instance_id.is_some();
        let membership = &self.groups[group].memberships[member];
        let known = membership.in_group && member_id.is_some() && membership.member_id == member_id;
        let member_id = match member_id {
            _ if known => member_id.expect("known"),
            Some(id) if membership.pending_id == Some(id) => id,
            _ if static_member => self.next_member_id(group, member),
            _ => {
                let id = self.next_member_id(group, member);
                self.groups[group].memberships[member].pending_id = Some(id);
                return self.send_to_member(
                    group,
                    (member, connection),
                    FlowKind::GroupProtocol,
                    0,
                    MemberEvent::MemberIdRequired { member_id: id },
                );
            }
        };
        let m = &mut self.groups[group].memberships[member];
        m.pending_id = None;
        m.connection = connection;
        m.group_instance_id.clone_from(&group_instance_id);
        let replaces = m.in_group && !known;
        if replaces && static_member {
            // In a Stable group the new process gets its assignment back with no rebalance.
            let session = self.consumers[group].config.session_timeout_ms * 1000;
            let m = &mut self.groups[group].memberships[member];
            m.joined = true;
            m.member_id = Some(member_id);
            m.last_heartbeat_us = now;
            self.session_timer(group, member, member_id, now + session);
            let g = &self.groups[group];
            self.emit(EventKind::StaticMemberRejoined {
                group: g.id.clone(),
                member: self.consumers[group].members[member].id.clone(),
                group_instance_id: group_instance_id.unwrap_or_default(),
            });
            let g = &self.groups[group];
            if g.state == GroupState::Stable {
                let (generation, partitions, leader) = (
                    g.generation,
                    g.assignment.get(&member).cloned().unwrap_or_default(),
                    g.leader == Some(member),
                );
                self.send_to_member(
                    group,
                    (member, connection),
                    FlowKind::GroupProtocol,
                    0,
                    MemberEvent::Assignment {
                        member_id,
                        generation,
                        partitions,
                        leader,
                    },
                );
            }
            self.try_complete_join(group);
            return;
        }
        if replaces {
            let old = m.member_id.expect("a member in the group has an id");
            m.ghost = Some((old, m.last_heartbeat_us));
        }
        let m = &self.groups[group].memberships[member];
        let new_member = !m.in_group || replaces;
        let is_leader = self.groups[group].leader == Some(member) && !replaces;
        match self.groups[group].state {
            GroupState::Empty | GroupState::Dead => self.begin_rebalance(
                group,
                Reason::JoinedEmptyGroup {
                    member: self.consumers[group].members[member].id.clone(),
                },
            ),
            GroupState::Stable | GroupState::CompletingRebalance => {
                let member = self.consumers[group].members[member].id.clone();
                let reason = if new_member {
                    Reason::NewMemberJoined { member }
                } else if is_leader {
                    Reason::LeaderRejoined { member }
                } else {
                    Reason::MemberRejoined { member }
                };
                self.begin_rebalance(group, reason);
            }
            GroupState::PreparingRebalance => {
                // A new member during the initial rebalance's delay extends it when the delay ends.
                let g = &mut self.groups[group];
                if new_member && g.initial_delay_until.is_some() {
                    g.new_member_added = true;
                }
            }
        }
        let session = self.consumers[group].config.session_timeout_ms * 1000;
        let m = &mut self.groups[group].memberships[member];
        m.in_group = true;
        m.joined = true;
        m.member_id = Some(member_id);
        m.last_heartbeat_us = now;
        self.session_timer(group, member, member_id, now + session);
        self.try_complete_join(group);
    }

    pub(crate) fn try_complete_join(&mut self, group: usize) {
        let g = &self.groups[group];
        if g.state != GroupState::PreparingRebalance || g.initial_delay_until.is_some() {
            return;
        }
        if g.memberships.iter().all(|membership| {
            (!membership.in_group || membership.joined) && membership.ghost.is_none()
        }) {
            self.complete_join(group);
        }
    }

    /// The coordinator drops a restarted consumer's previous process (see `Member::ghost`).
    pub(crate) fn remove_ghost(&mut self, group: usize, member: usize, reason: Reason) {
        let g = &mut self.groups[group];
        g.memberships[member].ghost = None;
        let (group_id, member_id) = (
            g.id.clone(),
            self.consumers[group].members[member].id.clone(),
        );
        self.emit(EventKind::ConsumerLeft {
            group: group_id,
            member: format!("{member_id} (previous process)"),
            reason,
            previous_process: true,
        });
        self.try_complete_join(group);
    }

    pub(crate) fn remove_member(&mut self, group: usize, member: usize, reason: Reason) {
        let g = &mut self.groups[group];
        let m = &mut g.memberships[member];
        m.in_group = false;
        m.joined = false;
        m.member_id = None;
        if g.leader == Some(member) {
            g.leader = None;
        }
        g.assignment.remove(&member);
        let (group_id, member_id) = (
            g.id.clone(),
            self.consumers[group].members[member].id.clone(),
        );
        self.emit(EventKind::ConsumerLeft {
            group: group_id,
            member: member_id.clone(),
            reason: reason.clone(),
            previous_process: false,
        });
        match self.groups[group].state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.begin_rebalance(
                    group,
                    Reason::MemberLeft {
                        member: member_id,
                        why: Box::new(reason),
                    },
                );
                self.try_complete_join(group);
            }
            GroupState::PreparingRebalance => self.try_complete_join(group),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    /// `completeClassicGroupJoin`: drop members that did not rejoin, start the next generation, and have
    /// the leader run the assignor.
    pub(crate) fn complete_join(&mut self, group: usize) {
        for member in 0..self.consumers[group].members.len() {
            if self.groups[group].memberships[member]
                .ghost
                .take()
                .is_some()
            {
                let g = &self.groups[group];
                let (group_id, member_id) = (
                    g.id.clone(),
                    self.consumers[group].members[member].id.clone(),
                );
                self.emit(EventKind::ConsumerLeft {
                    group: group_id,
                    member: format!("{member_id} (previous process)"),
                    reason: Reason::RebalanceTimeoutExpired,
                    previous_process: true,
                });
            }
        }
        let missing: Vec<usize> = self.groups[group]
            .memberships
            .iter()
            .enumerate()
            .filter(|(_, m)| m.in_group && !m.joined)
            .map(|(i, _)| i)
            .collect();
        for member in missing {
            let g = &mut self.groups[group];
            g.memberships[member].in_group = false;
            if g.leader == Some(member) {
                g.leader = None;
            }
            let (group_id, member_id) = (
                g.id.clone(),
                self.consumers[group].members[member].id.clone(),
            );
            self.emit(EventKind::ConsumerLeft {
                group: group_id,
                member: member_id,
                reason: Reason::RebalanceTimeoutExpired,
                previous_process: false,
            });
        }
        let g = &mut self.groups[group];
        g.generation += 1;
        g.initial_delay_until = None;
        let members: Vec<usize> = g
            .memberships
            .iter()
            .enumerate()
            .filter(|(_, m)| m.in_group)
            .map(|(i, _)| i)
            .collect();
        if members.is_empty() {
            g.assignment.clear();
            g.leader = None;
            self.set_group_state(group, GroupState::Empty);
            return;
        }
        // selectProtocol: every member votes for its first assignor that all members support.
        let protocol = self.consumers[group].config.partition_assignment_strategy[0];
        g.protocol = Some(protocol);
        if g.leader.is_none_or(|leader| !members.contains(&leader)) {
            g.leader = Some(members[0]);
        }
        let mut partitions_per_topic: BTreeMap<String, u32> = BTreeMap::new();
        partitions_per_topic.extend(
            self.topics
                .iter()
                .map(|t| (t.name.clone(), t.partitions.len() as u32)),
        );
        let g = &self.groups[group];
        let subscriptions: Vec<Subscription> = members
            .iter()
            .map(|index| {
                let (m, membership) = (
                    &self.consumers[group].members[*index],
                    &g.memberships[*index],
                );
                let owned = g.assignment.get(index).cloned().unwrap_or_default();
                let id = membership
                    .member_id
                    .expect("a member in the group has an id");
                Subscription {
                    member_id: self.member_id_text(group, *index, id),
                    group_instance_id: membership.group_instance_id.clone(),
                    topics: m.topics.clone(),
                    owned_partitions: owned
                        .iter()
                        .map(|tp| TopicPartition {
                            topic: self.topics[tp.topic].name.clone(),
                            partition: tp.partition,
                        })
                        .collect(),
                    generation: Some(g.generation - 1),
                }
            })
            .collect();
        let result = assignor::assign(protocol, &partitions_per_topic, &subscriptions);
        let mut assignment = BTreeMap::new();
        for (index, subscription) in members.iter().zip(&subscriptions) {
            let list: Vec<Tp> = result
                .get(&subscription.member_id)
                .into_iter()
                .flatten()
                .filter_map(|tp| {
                    self.topic_index(&tp.topic).map(|topic| Tp {
                        topic,
                        partition: tp.partition,
                    })
                })
                .collect();
            assignment.insert(*index, list);
        }
        self.groups[group].assignment = assignment;
        self.set_group_state(group, GroupState::CompletingRebalance);
        // The JoinGroup responses go out; the leader sends its SyncGroup with the assignment.
        let generation = self.groups[group].generation;
        let round_trip = 2 * self.latency(
            Node::Broker {
                broker: BrokerId(1),
            },
            Node::Member { group, member: 0 },
        );
        self.coordinator_timer(
            group,
            self.k.now + round_trip,
            CoordinatorEvent::SyncDone { generation },
        );
    }

    pub(crate) fn sync_done(&mut self, group: usize, generation: i32) {
        let g = &self.groups[group];
        if g.state != GroupState::CompletingRebalance || g.generation != generation {
            return;
        }
        self.set_group_state(group, GroupState::Stable);
        let g = &self.groups[group];
        let protocol = if self.consumers[group].cooperative() {
            "COOPERATIVE"
        } else {
            "EAGER"
        };
        let assignor = g.protocol.map_or("", |a| a.kafka_name()).to_string();
        let leader = g.leader.map_or(String::new(), |l| {
            self.consumers[group].members[l].id.clone()
        });
        let mut shown = BTreeMap::new();
        for (member, partitions) in &g.assignment {
            shown.insert(
                self.consumers[group].members[*member].id.clone(),
                pairs(&self.topics, partitions),
            );
        }
        let id = g.id.clone();
        let assignment = g.assignment.clone();
        self.emit(EventKind::RebalanceCompleted {
            group: id,
            generation,
            protocol: protocol.into(),
            assignor,
            leader,
            assignment: shown,
        });
        for (member, partitions) in assignment {
            let g = &self.groups[group];
            let membership = &g.memberships[member];
            let (connection, member_id, is_leader) = (
                membership.connection,
                membership.member_id.expect("an assigned member has an id"),
                g.leader == Some(member),
            );
            self.send_to_member(
                group,
                (member, connection),
                FlowKind::GroupProtocol,
                0,
                MemberEvent::Assignment {
                    member_id,
                    generation,
                    partitions,
                    leader: is_leader,
                },
            );
        }
    }

    pub(crate) fn handle_commit(
        &mut self,
        group: usize,
        (member, connection): (usize, u32),
        member_id: Option<MemberId>,
        generation: i32,
        offsets: Vec<(Tp, u64)>,
        sync: bool,
    ) {
        let g = &self.groups[group];
        let (m, membership) = (
            &self.consumers[group].members[member],
            &g.memberships[member],
        );
        let error = if !membership.in_group || membership.member_id != member_id {
            Some(Reason::CommitUnknownMember)
        } else if g.state == GroupState::CompletingRebalance {
            Some(Reason::CommitRebalanceInProgress)
        } else if generation != g.generation {
            Some(Reason::CommitIllegalGeneration)
        } else {
            None
        };
        if error.is_none() {
            let (group_id, member_id) = (g.id.clone(), m.id.clone());
            for (tp, offset) in offsets {
                let g = &mut self.groups[group];
                g.committed.insert(tp, offset);
                if let Some(delivery) = self.group_ledgers[group].delivery.get_mut(&tp) {
                    delivery.committed(offset);
                }
                let topic = self.topics[tp.topic].name.clone();
                self.emit(EventKind::OffsetCommitted {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    topic,
                    partition: tp.partition,
                    offset,
                });
            }
        }
        self.send_to_member(
            group,
            (member, connection),
            FlowKind::Commit,
            0,
            MemberEvent::CommitResponse { sync, error },
        );
    }
}
