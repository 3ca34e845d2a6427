//! The group coordinator, on the broker that leads the group's partition of `__consumer_offsets`: group
//! states and generations, JoinGroup and SyncGroup, the initial rebalance delay, session and rebalance
//! timeouts, OffsetCommit (the classic protocol, `GroupCoordinator` / `ClassicGroup` in Kafka). The
//! handlers are `Group`'s: each changes only the group as its coordinator holds it, and reaches the rest
//! of the run through `Coordinator` (the kernel for messages, timers and events; read-only, the group's
//! clients as their requests describe them, and the topics' metadata for the assignor).

use crate::assignor::{self, Subscription, TopicPartition};
use crate::consumer::pairs;
use crate::event::{EventKind, Reason};
use crate::group::{Group, GroupClients, GroupState};
use crate::ids::{BrokerId, GroupIx, MemberId, MemberSlot, Micros, Tp};
use crate::kernel::Kernel;
use crate::network::{FlowKind, Node};
use crate::partition::Topic;
use crate::protocol::{CoordinatorEvent, Ev, Lost, MemberEvent, CONSUMER_REQUEST_TIMEOUT_US};
use std::collections::BTreeMap;

/// Java's `String.hashCode`, for `__consumer_offsets` partition = `abs(hash) % 50`.
pub(crate) fn java_string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(unit as i32)
    })
}

/// A member id's text: the `client.id` (the member's name), "-", and a random (version 4) UUID. The
/// UUID comes from the run's seed, the member and the id's number, not from the run's random generator:
/// giving an id draws nothing, so it changes no other choice of the run.
pub(crate) fn member_id_text(
    seed: u64,
    (group, member): (GroupIx, MemberSlot),
    client_id: &str,
    id: MemberId,
) -> String {
    let mut state = seed
        ^ (group.0 as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ (member.0 as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9)
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
        client_id,
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 | (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// What a group coordinator's handlers reach besides the group: the kernel (clock, messages, timers,
/// events), which group it is, and, read-only, the group's clients (their settings, `client.id`s and
/// subscriptions, as their JoinGroups carry them) and the topics (for the assignor's metadata).
pub(crate) struct Coordinator<'a> {
    pub k: &'a mut Kernel,
    pub group: GroupIx,
    pub clients: &'a GroupClients,
    pub topics: &'a [Topic],
    /// Whether the coordinator's broker is up.
    pub broker_alive: bool,
    /// `group.initial.rebalance.delay.ms`, in µs (a broker setting).
    pub initial_rebalance_delay_us: Micros,
    /// The run's seed, for member ids' UUIDs.
    pub seed: u64,
}

impl Coordinator<'_> {
    fn member_id_text(&self, member: MemberSlot, id: MemberId) -> String {
        let client_id = &self.clients.members[member.index()].id;
        member_id_text(self.seed, (self.group, member), client_id, id)
    }

    fn topic_index(&self, name: &str) -> Option<usize> {
        self.topics.iter().position(|topic| topic.name == name)
    }

    /// The coordinator's answer to a member's request was lost to a network fault: the member's wait
    /// for it times out after `request.timeout.ms` (the client's own timer, set here because only the
    /// network knows the answer will not come).
    fn member_request_lost(&mut self, member: MemberSlot, lost: Lost) {
        let m = &self.clients.members[member.index()];
        let event = m.request_timeout(lost);
        let at = self.k.now + CONSUMER_REQUEST_TIMEOUT_US;
        self.k.schedule(
            at,
            Ev::Member {
                group: self.group,
                member,
                incarnation: m.incarnation,
                event,
            },
        );
    }
}

/// The group coordinator's handlers.
impl Group {
    /// Where the group's coordinator is drawn: its broker, or without one its preferred broker.
    pub(crate) fn node(&self) -> Node {
        Node::Broker {
            broker: self.coordinator.unwrap_or(self.offsets_replicas[0]),
        }
    }

    /// `ClassicGroup.generateMemberId`: the coordinator gives a member's client a new member id.
    pub(crate) fn next_member_id(&mut self, member: MemberSlot) -> MemberId {
        let membership = &mut self.memberships[member.index()];
        membership.ids_given += 1;
        MemberId::nth(membership.ids_given)
    }

    /// A member's request failed at the coordinator's end (`error`): the answer, or the broken
    /// connection, reaches the member a network hop later.
    pub(crate) fn coordinator_error(
        &mut self,
        c: &mut Coordinator<'_>,
        (member, connection): (MemberSlot, u32),
        error: Reason,
        lost: Option<Lost>,
    ) {
        let at = c.k.now
            + c.k.latency(
                self.node(),
                Node::Member {
                    group: c.group,
                    member,
                },
            );
        c.k.schedule(
            at,
            Ev::Member {
                group: c.group,
                member,
                incarnation: connection,
                event: MemberEvent::CoordinatorError { error, lost },
            },
        );
    }

    /// The coordinator's session timer for a member's process (`session.timeout.ms`), checked at `at`.
    fn session_timer(
        &mut self,
        c: &mut Coordinator<'_>,
        member: MemberSlot,
        member_id: MemberId,
        at: Micros,
    ) {
        self.coordinator_timer(c, at, CoordinatorEvent::SessionCheck { member, member_id });
    }

    /// A timer of the group's current coordinator: it lapses if the coordinator moves first.
    pub(crate) fn coordinator_timer(
        &mut self,
        c: &mut Coordinator<'_>,
        at: Micros,
        event: CoordinatorEvent,
    ) {
        let epoch = self.coordinator_epoch;
        c.k.schedule(
            at,
            Ev::Coordinator {
                group: c.group,
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
    pub(crate) fn moved(&mut self, c: &mut Coordinator<'_>, to: Option<BrokerId>) {
        let now = c.k.now;
        let from = self.coordinator;
        if from == to {
            return;
        }
        self.coordinator = to;
        self.coordinator_epoch += 1;
        let id = self.id.clone();
        c.k.emit(EventKind::CoordinatorMoved {
            group: id,
            from: from.map(BrokerId::get),
            to: to.map(BrokerId::get),
        });
        if to.is_none() {
            return;
        }
        let session = c.clients.config.session_timeout_ms * 1000;
        let rebalancing = matches!(
            self.state,
            GroupState::PreparingRebalance | GroupState::CompletingRebalance
        );
        for index in 0..c.clients.members.len() {
            let member = MemberSlot::at(index);
            let membership = &mut self.memberships[index];
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
                self.session_timer(c, member, id, now + session);
            }
            if waiting {
                self.coordinator_error(
                    c,
                    (member, connection),
                    Reason::NotCoordinator,
                    Some(Lost::JoinGroup),
                );
            }
        }
        if matches!(
            self.state,
            GroupState::PreparingRebalance | GroupState::CompletingRebalance
        ) {
            self.begin_rebalance(c, Reason::CoordinatorMoved);
        }
    }

    /// An answer from the coordinator to a member's process (`connection`: the process that sent the
    /// request; a restarted client does not get its predecessor's answers).
    pub(crate) fn send_to_member(
        &mut self,
        c: &mut Coordinator<'_>,
        (member, connection): (MemberSlot, u32),
        kind: FlowKind,
        records: u32,
        event: MemberEvent,
    ) {
        let from = self.node();
        let incarnation = connection;
        let lost = match event {
            MemberEvent::SyncGroupResponse { .. } | MemberEvent::MemberIdRequired { .. } => {
                Some(Lost::JoinGroup)
            }
            MemberEvent::OffsetCommitResponse { .. } => Some(Lost::OffsetCommit),
            MemberEvent::OffsetFetchResponse { .. } => Some(Lost::OffsetFetch),
            _ => None,
        };
        let sent = c.k.send(
            from,
            Node::Member {
                group: c.group,
                member,
            },
            kind,
            records,
            Ev::Member {
                group: c.group,
                member,
                incarnation,
                event,
            },
        );
        if let (false, Some(lost)) = (sent, lost) {
            c.member_request_lost(member, lost);
        }
    }

    pub(crate) fn on_event(
        &mut self,
        c: &mut Coordinator<'_>,
        epoch: u32,
        event: CoordinatorEvent,
    ) {
        let here = self.coordinator.filter(|_| self.coordinator_epoch == epoch);
        match (here, event.sender()) {
            // A request to a coordinator that has moved: NOT_COORDINATOR, or no answer from a dead broker.
            (None, Some((member, connection, lost))) => {
                return self.coordinator_error(
                    c,
                    (member, connection),
                    Reason::NotCoordinator,
                    lost,
                )
            }
            (Some(_), Some((member, connection, lost))) if !c.broker_alive => {
                return self.coordinator_error(
                    c,
                    (member, connection),
                    Reason::CoordinatorNotAvailable,
                    lost,
                )
            }
            // An old coordinator's timer, or the timer of one whose broker is down.
            (None, None) => return,
            (Some(_), None) if !c.broker_alive => return,
            _ => {}
        }
        match event {
            CoordinatorEvent::JoinGroup {
                member,
                incarnation,
                member_id,
                group_instance_id,
            } => self.handle_join(c, (member, incarnation), member_id, group_instance_id),
            CoordinatorEvent::Heartbeat {
                member,
                incarnation,
                member_id,
            } => {
                let state = self.state;
                let m = &mut self.memberships[member.index()];
                let known = m.in_group && m.member_id == Some(member_id);
                if known {
                    m.last_heartbeat_us = c.k.now;
                    let session = c.clients.config.session_timeout_ms * 1000;
                    self.session_timer(c, member, member_id, c.k.now + session);
                }
                // `classicGroupHeartbeat`: REBALANCE_IN_PROGRESS only while members must rejoin; during
                // CompletingRebalance a heartbeat is answered as in Stable.
                let rebalance_in_progress = state == GroupState::PreparingRebalance;
                if !known || rebalance_in_progress {
                    self.send_to_member(
                        c,
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
            CoordinatorEvent::LeaveGroup {
                member,
                member_id,
                reason,
                ..
            } => {
                let m = &self.memberships[member.index()];
                if m.in_group && m.member_id == Some(member_id) {
                    self.remove_member(c, member, *reason);
                }
            }
            CoordinatorEvent::SessionCheck { member, member_id } => {
                let session = c.clients.config.session_timeout_ms * 1000;
                let m = &self.memberships[member.index()];
                if let Some((ghost, last_heartbeat)) = m.ghost {
                    if ghost == member_id && c.k.now >= last_heartbeat + session {
                        self.remove_ghost(c, member, Reason::SessionTimeoutExpired);
                        return;
                    }
                }
                let m = &self.memberships[member.index()];
                if m.in_group
                    && m.member_id == Some(member_id)
                    && c.k.now >= m.last_heartbeat_us + session
                {
                    self.remove_member(c, member, Reason::SessionTimeoutExpired);
                }
            }
            CoordinatorEvent::OffsetFetch {
                member,
                incarnation,
                partitions,
            } => {
                // `GroupCoordinator.handleFetchOffsets`: the committed offsets, whoever asks.
                let committed = &self.committed;
                let offsets = partitions
                    .into_iter()
                    .map(|tp| (tp, committed.get(&tp).copied()))
                    .collect();
                self.send_to_member(
                    c,
                    (member, incarnation),
                    FlowKind::GroupProtocol,
                    0,
                    MemberEvent::OffsetFetchResponse { offsets },
                );
            }
            CoordinatorEvent::OffsetCommit {
                member,
                incarnation,
                member_id,
                generation,
                offsets,
                sync,
            } => self.handle_commit(
                c,
                (member, incarnation),
                member_id,
                generation,
                offsets,
                sync,
            ),
            CoordinatorEvent::InitialDelayExpired { round } => {
                // `tryCompleteInitialRebalanceElseSchedule`: if a member joined during the delay and
                // rebalance time remains, a whole new delay starts; otherwise the join completes.
                let now = c.k.now;
                if self.round != round || self.state != GroupState::PreparingRebalance {
                    return;
                }
                let (delay, remaining) = self.initial_delay;
                if self.new_member_added && remaining != 0 {
                    self.new_member_added = false;
                    let initial = c.initial_rebalance_delay_us;
                    let next = initial.min(remaining);
                    self.initial_delay = (next, remaining.saturating_sub(delay));
                    self.initial_delay_until = Some(now + next);
                    self.coordinator_timer(
                        c,
                        now + next,
                        CoordinatorEvent::InitialDelayExpired { round },
                    );
                } else {
                    self.initial_delay_until = None;
                    self.complete_join(c);
                }
            }
            CoordinatorEvent::RebalanceTimeout { round } => {
                if self.round == round && self.state == GroupState::PreparingRebalance {
                    self.initial_delay_until = None;
                    self.complete_join(c);
                }
            }
            CoordinatorEvent::SyncDone { generation } => self.sync_done(c, generation),
        }
    }

    pub(crate) fn set_group_state(&mut self, c: &mut Coordinator<'_>, state: GroupState) {
        if self.state == state {
            return;
        }
        self.state = state;
        let (id, generation) = (self.id.clone(), self.generation);
        c.k.emit(EventKind::GroupStateChanged {
            group: id,
            state: state.name().into(),
            generation,
        });
    }

    pub(crate) fn rebalance_timeout_us(&self, c: &Coordinator<'_>) -> Micros {
        c.clients.config.max_poll_interval_ms * 1000
    }

    pub(crate) fn begin_rebalance(&mut self, c: &mut Coordinator<'_>, reason: Reason) {
        let from_empty = self.state == GroupState::Empty;
        let now = c.k.now;
        self.round += 1;
        self.rebalance_started_us = now;
        for membership in &mut self.memberships {
            membership.joined = false;
        }
        let (id, generation, round) = (self.id.clone(), self.generation, self.round);
        self.set_group_state(c, GroupState::PreparingRebalance);
        c.k.emit(EventKind::RebalanceStarted {
            group: id,
            generation,
            reason,
        });
        let timeout = self.rebalance_timeout_us(c);
        self.coordinator_timer(
            c,
            now + timeout,
            CoordinatorEvent::RebalanceTimeout { round },
        );
        if from_empty {
            // The group is new: more time for members to join (KIP-134).
            let delay = c.initial_rebalance_delay_us;
            self.initial_delay_until = Some(now + delay);
            self.initial_delay = (delay, timeout.saturating_sub(delay));
            self.new_member_added = false;
            self.coordinator_timer(
                c,
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
        c: &mut Coordinator<'_>,
        (member, connection): (MemberSlot, u32),
        member_id: Option<MemberId>,
        group_instance_id: Option<String>,
    ) {
        let now = c.k.now;
        let static_member = group_instance_id.is_some();
        let membership = &self.memberships[member.index()];
        let known = membership.in_group && member_id.is_some() && membership.member_id == member_id;
        let member_id = match member_id {
            _ if known => member_id.expect("known"),
            Some(id) if membership.pending_id == Some(id) => id,
            _ if static_member => self.next_member_id(member),
            _ => {
                let id = self.next_member_id(member);
                self.memberships[member.index()].pending_id = Some(id);
                return self.send_to_member(
                    c,
                    (member, connection),
                    FlowKind::GroupProtocol,
                    0,
                    MemberEvent::MemberIdRequired { member_id: id },
                );
            }
        };
        let m = &mut self.memberships[member.index()];
        m.pending_id = None;
        m.connection = connection;
        m.group_instance_id.clone_from(&group_instance_id);
        let replaces = m.in_group && !known;
        if replaces && static_member {
            // In a Stable group the new process gets its assignment back with no rebalance.
            let session = c.clients.config.session_timeout_ms * 1000;
            let m = &mut self.memberships[member.index()];
            m.joined = true;
            m.member_id = Some(member_id);
            m.last_heartbeat_us = now;
            self.session_timer(c, member, member_id, now + session);
            c.k.emit(EventKind::StaticMemberRejoined {
                group: self.id.clone(),
                member: c.clients.members[member.index()].id.clone(),
                group_instance_id: group_instance_id.unwrap_or_default(),
            });
            if self.state == GroupState::Stable {
                let partitions = self.assignment.get(&member).cloned().unwrap_or_default();
                self.send_assignment(c, (member, connection), member_id, partitions);
            }
            self.try_complete_join(c);
            return;
        }
        if replaces {
            let old = m.member_id.expect("a member in the group has an id");
            m.ghost = Some((old, m.last_heartbeat_us));
        }
        let m = &self.memberships[member.index()];
        let new_member = !m.in_group || replaces;
        let is_leader = self.leader == Some(member) && !replaces;
        match self.state {
            GroupState::Empty | GroupState::Dead => self.begin_rebalance(
                c,
                Reason::JoinedEmptyGroup {
                    member: c.clients.members[member.index()].id.clone(),
                },
            ),
            GroupState::Stable | GroupState::CompletingRebalance => {
                let member = c.clients.members[member.index()].id.clone();
                let reason = if new_member {
                    Reason::NewMemberJoined { member }
                } else if is_leader {
                    Reason::LeaderRejoined { member }
                } else {
                    Reason::MemberRejoined { member }
                };
                self.begin_rebalance(c, reason);
            }
            GroupState::PreparingRebalance => {
                // A new member during the initial rebalance's delay extends it when the delay ends.
                if new_member && self.initial_delay_until.is_some() {
                    self.new_member_added = true;
                }
            }
        }
        let session = c.clients.config.session_timeout_ms * 1000;
        let m = &mut self.memberships[member.index()];
        m.in_group = true;
        m.joined = true;
        m.member_id = Some(member_id);
        m.last_heartbeat_us = now;
        self.session_timer(c, member, member_id, now + session);
        self.try_complete_join(c);
    }

    pub(crate) fn try_complete_join(&mut self, c: &mut Coordinator<'_>) {
        if self.state != GroupState::PreparingRebalance || self.initial_delay_until.is_some() {
            return;
        }
        if self.memberships.iter().all(|membership| {
            (!membership.in_group || membership.joined) && membership.ghost.is_none()
        }) {
            self.complete_join(c);
        }
    }

    /// The coordinator drops a restarted consumer's previous process (see `Membership::ghost`).
    pub(crate) fn remove_ghost(
        &mut self,
        c: &mut Coordinator<'_>,
        member: MemberSlot,
        reason: Reason,
    ) {
        self.memberships[member.index()].ghost = None;
        let (group_id, member_id) = (
            self.id.clone(),
            c.clients.members[member.index()].id.clone(),
        );
        c.k.emit(EventKind::ConsumerLeft {
            group: group_id,
            member: format!("{member_id} (previous process)"),
            reason,
            previous_process: true,
        });
        self.try_complete_join(c);
    }

    pub(crate) fn remove_member(
        &mut self,
        c: &mut Coordinator<'_>,
        member: MemberSlot,
        reason: Reason,
    ) {
        let m = &mut self.memberships[member.index()];
        m.in_group = false;
        m.joined = false;
        m.member_id = None;
        if self.leader == Some(member) {
            self.leader = None;
        }
        self.assignment.remove(&member);
        let (group_id, member_id) = (
            self.id.clone(),
            c.clients.members[member.index()].id.clone(),
        );
        c.k.emit(EventKind::ConsumerLeft {
            group: group_id,
            member: member_id.clone(),
            reason: reason.clone(),
            previous_process: false,
        });
        match self.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.begin_rebalance(
                    c,
                    Reason::MemberLeft {
                        member: member_id,
                        why: Box::new(reason),
                    },
                );
                self.try_complete_join(c);
            }
            GroupState::PreparingRebalance => self.try_complete_join(c),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    /// `completeClassicGroupJoin`: drop members that did not rejoin, start the next generation, and have
    /// the leader run the assignor.
    pub(crate) fn complete_join(&mut self, c: &mut Coordinator<'_>) {
        for member in 0..c.clients.members.len() {
            if self.memberships[member].ghost.take().is_some() {
                let (group_id, member_id) = (self.id.clone(), c.clients.members[member].id.clone());
                c.k.emit(EventKind::ConsumerLeft {
                    group: group_id,
                    member: format!("{member_id} (previous process)"),
                    reason: Reason::RebalanceTimeoutExpired,
                    previous_process: true,
                });
            }
        }
        let missing: Vec<MemberSlot> = self
            .memberships
            .iter()
            .enumerate()
            .filter(|(_, m)| m.in_group && !m.joined)
            .map(|(i, _)| MemberSlot::at(i))
            .collect();
        for member in missing {
            self.memberships[member.index()].in_group = false;
            if self.leader == Some(member) {
                self.leader = None;
            }
            let (group_id, member_id) = (
                self.id.clone(),
                c.clients.members[member.index()].id.clone(),
            );
            c.k.emit(EventKind::ConsumerLeft {
                group: group_id,
                member: member_id,
                reason: Reason::RebalanceTimeoutExpired,
                previous_process: false,
            });
        }
        self.generation += 1;
        self.initial_delay_until = None;
        let members: Vec<MemberSlot> = self
            .memberships
            .iter()
            .enumerate()
            .filter(|(_, m)| m.in_group)
            .map(|(i, _)| MemberSlot::at(i))
            .collect();
        if members.is_empty() {
            self.assignment.clear();
            self.leader = None;
            self.set_group_state(c, GroupState::Empty);
            return;
        }
        // selectProtocol: every member votes for its first assignor that all members support.
        let protocol = c.clients.config.partition_assignment_strategy[0];
        self.protocol = Some(protocol);
        if self.leader.is_none_or(|leader| !members.contains(&leader)) {
            self.leader = Some(members[0]);
        }
        let mut partitions_per_topic: BTreeMap<String, u32> = BTreeMap::new();
        partitions_per_topic.extend(
            c.topics
                .iter()
                .map(|t| (t.name.clone(), t.partitions.len() as u32)),
        );
        let subscriptions: Vec<Subscription> = members
            .iter()
            .map(|index| {
                let (m, membership) = (
                    &c.clients.members[index.index()],
                    &self.memberships[index.index()],
                );
                let owned = self.assignment.get(index).cloned().unwrap_or_default();
                let id = membership
                    .member_id
                    .expect("a member in the group has an id");
                Subscription {
                    member_id: c.member_id_text(*index, id),
                    group_instance_id: membership.group_instance_id.clone(),
                    topics: m.topics.clone(),
                    owned_partitions: owned
                        .iter()
                        .map(|tp| TopicPartition {
                            topic: c.topics[tp.topic].name.clone(),
                            partition: tp.partition,
                        })
                        .collect(),
                    generation: Some(self.generation - 1),
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
                    c.topic_index(&tp.topic).map(|topic| Tp {
                        topic,
                        partition: tp.partition,
                    })
                })
                .collect();
            assignment.insert(*index, list);
        }
        self.assignment = assignment;
        self.set_group_state(c, GroupState::CompletingRebalance);
        // The JoinGroup responses go out; the leader sends its SyncGroup with the assignment.
        let generation = self.generation;
        let round_trip = 2 * c.k.latency(
            Node::Broker {
                broker: BrokerId(1),
            },
            Node::Member {
                group: c.group,
                member: MemberSlot(0),
            },
        );
        self.coordinator_timer(
            c,
            c.k.now + round_trip,
            CoordinatorEvent::SyncDone { generation },
        );
    }

    /// SyncGroup's answer to a member's process: the generation's assignment for it, and whether it
    /// leads the group.
    fn send_assignment(
        &mut self,
        c: &mut Coordinator<'_>,
        (member, connection): (MemberSlot, u32),
        member_id: MemberId,
        partitions: Vec<Tp>,
    ) {
        let (generation, leader) = (self.generation, self.leader == Some(member));
        self.send_to_member(
            c,
            (member, connection),
            FlowKind::GroupProtocol,
            0,
            MemberEvent::SyncGroupResponse {
                member_id,
                generation,
                partitions,
                leader,
            },
        );
    }

    pub(crate) fn sync_done(&mut self, c: &mut Coordinator<'_>, generation: i32) {
        if self.state != GroupState::CompletingRebalance || self.generation != generation {
            return;
        }
        self.set_group_state(c, GroupState::Stable);
        let protocol = if c.clients.cooperative() {
            "COOPERATIVE"
        } else {
            "EAGER"
        };
        let assignor = self.protocol.map_or("", |a| a.kafka_name()).to_string();
        let leader = self
            .leader
            .map_or(String::new(), |l| c.clients.members[l.index()].id.clone());
        let mut shown = BTreeMap::new();
        for (member, partitions) in &self.assignment {
            shown.insert(
                c.clients.members[member.index()].id.clone(),
                pairs(c.topics, partitions),
            );
        }
        let id = self.id.clone();
        let assignment = self.assignment.clone();
        c.k.emit(EventKind::RebalanceCompleted {
            group: id,
            generation,
            protocol: protocol.into(),
            assignor,
            leader,
            assignment: shown,
        });
        for (member, partitions) in assignment {
            let membership = &self.memberships[member.index()];
            let (connection, member_id) = (
                membership.connection,
                membership.member_id.expect("an assigned member has an id"),
            );
            self.send_assignment(c, (member, connection), member_id, partitions);
        }
    }

    pub(crate) fn handle_commit(
        &mut self,
        c: &mut Coordinator<'_>,
        (member, connection): (MemberSlot, u32),
        member_id: Option<MemberId>,
        generation: i32,
        offsets: Vec<(Tp, u64)>,
        sync: bool,
    ) {
        let (m, membership) = (
            &c.clients.members[member.index()],
            &self.memberships[member.index()],
        );
        let error = if !membership.in_group || membership.member_id != member_id {
            Some(Reason::CommitUnknownMember)
        } else if self.state == GroupState::CompletingRebalance {
            Some(Reason::CommitRebalanceInProgress)
        } else if generation != self.generation {
            Some(Reason::CommitIllegalGeneration)
        } else {
            None
        };
        if error.is_none() {
            let (group_id, member_id) = (self.id.clone(), m.id.clone());
            for (tp, offset) in offsets {
                self.committed.insert(tp, offset);
                self.commits.push((tp, offset));
                let topic = c.topics[tp.topic].name.clone();
                c.k.emit(EventKind::OffsetCommitted {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    topic,
                    partition: tp.partition,
                    offset,
                });
            }
        }
        self.send_to_member(
            c,
            (member, connection),
            FlowKind::Commit,
            0,
            MemberEvent::OffsetCommitResponse { sync, error },
        );
    }
}
