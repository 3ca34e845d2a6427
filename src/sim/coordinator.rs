//! The group coordinator, on the broker that leads the group's partition of `__consumer_offsets`: group
//! states and generations, JoinGroup and SyncGroup, the initial rebalance delay, session and rebalance
//! timeouts, OffsetCommit (the classic protocol, `GroupCoordinator` / `ClassicGroup` in Kafka). The
//! handlers are `Group`'s: each changes only the group as its coordinator holds it, and reaches the rest
//! of the run through `Coordinator` (the kernel for messages, timers and events; read-only, the group's
//! clients as their requests describe them, and the topics' metadata).
//!
//! A rebalance is Kafka's message exchange (`GroupMetadataManager.completeClassicGroupJoin` and
//! `classicGroupSync`; the client's `AbstractCoordinator.JoinGroupResponseHandler` and
//! `SyncGroupResponseHandler`). When the join completes, the coordinator answers every member's JoinGroup;
//! the leader's answer carries the members' subscriptions, and the leader runs the assignor on its side
//! (`ConsumerCoordinator.onLeaderElected`) and sends the assignment in its SyncGroup. Followers send a
//! SyncGroup with none, which the coordinator holds until the leader's arrives; the leader's makes the
//! group Stable and answers them all. Every answer, NOT_COORDINATOR from a broker the group moved away from
//! included, is a message (`Kernel::send`): across a network cut it is lost and the client's own
//! `request.timeout.ms` runs out. So a leader cut off from its coordinator stalls the sync: the followers'
//! SyncGroups time out and they join again (answered with the same generation), the leader's times out and
//! it joins again; the members' sessions, and the rebalance timeout for a SyncGroup that never comes
//! (`expirePendingSync`), remove those that stay away.

use crate::assignor::{Subscription, TopicPartition};
use crate::consumer::pairs;
use crate::event::{EventKind, Reason};
use crate::group::{Group, GroupClients, GroupState, SyncState};
use crate::ids::{BrokerId, GroupIx, MemberId, MemberSlot, Micros, Tp};
use crate::kernel::Kernel;
use crate::network::{FlowKind, Node};
use crate::partition::Topic;
use crate::protocol::{
    CoordinatorEvent, Ev, JoinedMembers, LeaderAssignment, Lost, MemberEvent, SyncError,
    CONSUMER_REQUEST_TIMEOUT_US,
};
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

    /// The coordinator's answer to a member's request was lost to a network fault: the member's wait
    /// for it times out after `request.timeout.ms` (the client's own timer, set here because only the
    /// network knows the answer will not come).
    fn member_request_lost(&mut self, member: MemberSlot, lost: Lost) {
        if lost == Lost::SyncGroup {
            // Every SyncGroup has its own timer on the client (the coordinator may hold it).
            return;
        }
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

    /// The broker the group's coordinator runs on, or without one its preferred broker.
    fn broker(&self) -> BrokerId {
        self.coordinator.unwrap_or(self.offsets_replicas[0])
    }

    /// NOT_COORDINATOR from `broker`, which no longer coordinates the group, to a member's request: a
    /// message like any answer, lost across a cut (the member's `request.timeout.ms` then runs out).
    fn not_coordinator(
        &mut self,
        c: &mut Coordinator<'_>,
        broker: BrokerId,
        (member, connection): (MemberSlot, u32),
        lost: Option<Lost>,
    ) {
        let sent = c.k.send(
            Node::Broker { broker },
            Node::Member {
                group: c.group,
                member,
            },
            FlowKind::GroupProtocol,
            0,
            Ev::Member {
                group: c.group,
                member,
                incarnation: connection,
                event: MemberEvent::CoordinatorError {
                    error: Reason::NotCoordinator,
                    lost,
                },
            },
        );
        if let (false, Some(lost)) = (sent, lost) {
            c.member_request_lost(member, lost);
        }
    }

    /// A member's request to a broker whose process is down, or whose connection it had went with the
    /// process: no message comes back, the client learns at once that its connection failed (the network
    /// hop aside) and looks the coordinator up again (`error`).
    fn connection_failed(
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
        let (broker, epoch) = (self.broker(), self.coordinator_epoch);
        c.k.schedule(
            at,
            Ev::Coordinator {
                group: c.group,
                broker,
                epoch,
                event,
            },
        );
    }

    /// The controller elected another leader for a group's `__consumer_offsets` partition (or none): the
    /// group's coordinator moves there (`GroupCoordinator.onElection` / `onResignation`). The new one loads
    /// the group from the partition: members, generation, assignment and committed offsets survive, and
    /// every member gets a whole session from now to find it. A rebalance in progress is lost with the old
    /// coordinator's memory: it starts again. The old one answers the requests it held
    /// NOT_COORDINATOR (`GroupMetadataManager.onUnloaded`: the JoinGroups of a group preparing a rebalance,
    /// the SyncGroups waiting for the leader's assignment), and the members send them again to the new one.
    pub(crate) fn moved(&mut self, c: &mut Coordinator<'_>, to: Option<BrokerId>) {
        let now = c.k.now;
        let from = self.coordinator;
        if from == to {
            return;
        }
        // Whether the old coordinator's broker runs (`c` was made for it), to answer what it held.
        let from_alive = c.broker_alive;
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
        let state = self.state;
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
            // The requests the old coordinator held unanswered.
            let held = match (state, std::mem::take(&mut membership.sync)) {
                (GroupState::PreparingRebalance, _) if membership.in_group && membership.joined => {
                    Some((membership.connection, Lost::JoinGroup))
                }
                (GroupState::CompletingRebalance, SyncState::Held { connection }) => {
                    Some((connection, Lost::SyncGroup))
                }
                _ => None,
            };
            for id in sessions {
                self.session_timer(c, member, id, now + session);
            }
            match (held, from) {
                (Some((connection, lost)), Some(from)) if from_alive => {
                    self.not_coordinator(c, from, (member, connection), Some(lost))
                }
                // Its broker is down (or the group had no coordinator since it went): the connection
                // the request went on is gone, and the member learns it now.
                (Some((connection, lost)), _) => self.connection_failed(
                    c,
                    (member, connection),
                    Reason::NotCoordinator,
                    Some(lost),
                ),
                (None, _) => {}
            }
        }
        if matches!(
            state,
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
            MemberEvent::JoinGroupResponse { .. } | MemberEvent::MemberIdRequired { .. } => {
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

    /// A request arriving at `to` (the broker it was sent to, up or not), or a timer it set; `epoch`
    /// names the coordinator it was sent to or set by.
    pub(crate) fn on_event(
        &mut self,
        c: &mut Coordinator<'_>,
        (to, to_alive): (BrokerId, bool),
        epoch: u32,
        event: CoordinatorEvent,
    ) {
        let here = self.coordinator.filter(|_| self.coordinator_epoch == epoch);
        match (here, event.sender()) {
            // A request to a broker that is down: its connection is refused (or was closed).
            (_, Some((member, connection, lost))) if !to_alive => {
                return self.connection_failed(
                    c,
                    (member, connection),
                    Reason::CoordinatorNotAvailable,
                    lost,
                )
            }
            // A request to a broker that no longer coordinates the group: NOT_COORDINATOR.
            (None, Some((member, connection, lost))) => {
                return self.not_coordinator(c, to, (member, connection), lost)
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
            CoordinatorEvent::SyncGroup {
                member,
                incarnation,
                member_id,
                generation,
                assignment,
            } => self.handle_sync(c, (member, incarnation), member_id, generation, assignment),
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
            CoordinatorEvent::PendingSyncExpired { generation } => {
                // `expirePendingSync`: the members that joined the generation but sent no SyncGroup
                // within the rebalance timeout are removed, and the group rebalances.
                if generation != self.generation
                    || !matches!(
                        self.state,
                        GroupState::CompletingRebalance | GroupState::Stable
                    )
                {
                    return;
                }
                for index in 0..self.memberships.len() {
                    let m = &self.memberships[index];
                    if m.in_group && m.sync == SyncState::Pending {
                        self.remove_member(c, MemberSlot::at(index), Reason::SyncTimeoutExpired);
                    }
                }
            }
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

    /// `prepareRebalance`: the SyncGroups waiting for the leader's assignment are answered
    /// REBALANCE_IN_PROGRESS (the members join again), no SyncGroup is awaited any more, and every member
    /// must send a JoinGroup.
    pub(crate) fn begin_rebalance(&mut self, c: &mut Coordinator<'_>, reason: Reason) {
        let from_empty = self.state == GroupState::Empty;
        let now = c.k.now;
        self.round += 1;
        self.rebalance_started_us = now;
        for index in 0..self.memberships.len() {
            let membership = &mut self.memberships[index];
            membership.joined = false;
            if let SyncState::Held { connection } = std::mem::take(&mut membership.sync) {
                self.send_to_member(
                    c,
                    (MemberSlot::at(index), connection),
                    FlowKind::GroupProtocol,
                    0,
                    MemberEvent::SyncGroupResponse {
                        partitions: Vec::new(),
                        error: Some(SyncError::RebalanceInProgress),
                    },
                );
            }
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
            let session = c.clients.config.session_timeout_ms * 1000;
            let m = &mut self.memberships[member.index()];
            m.joined = true;
            m.member_id = Some(member_id);
            m.last_heartbeat_us = now;
            self.session_timer(c, member, member_id, now + session);
            let name = c.clients.members[member.index()].id.clone();
            c.k.emit(EventKind::StaticMemberRejoined {
                group: self.id.clone(),
                member: name.clone(),
                group_instance_id: group_instance_id.unwrap_or_default(),
            });
            // `updateStaticMemberThenRebalanceOrCompleteJoin`: in a Stable group the new process is
            // answered with the current generation (a leader told to skip the assignment, KIP-814) and
            // syncs to get its assignment back, with no rebalance; in CompletingRebalance the leader may
            // be assigning to the old process, so the group rebalances.
            match self.state {
                GroupState::Stable => self.send_join_response(c, member, true),
                GroupState::CompletingRebalance => {
                    self.begin_rebalance(c, Reason::MemberRejoined { member: name });
                    self.memberships[member.index()].joined = true;
                }
                _ => {}
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
        if self.state == GroupState::CompletingRebalance && !new_member {
            // `classicGroupJoinExistingMember`: a member joining again with the same metadata while the
            // group waits for the leader's assignment (it did not get its JoinGroupResponse, or gave up
            // on its SyncGroup) gets the current generation's answer again.
            let session = c.clients.config.session_timeout_ms * 1000;
            let m = &mut self.memberships[member.index()];
            m.last_heartbeat_us = now;
            m.sync = SyncState::Pending;
            self.session_timer(c, member, member_id, now + session);
            self.send_join_response(c, member, false);
            return;
        }
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
        // A SyncGroup it had waiting is dropped unanswered (its client's request times out).
        m.sync = SyncState::None;
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

    /// `completeClassicGroupJoin`: drop members that did not rejoin, start the next generation, and answer
    /// every member's JoinGroup; the leader runs the assignor on its side and sends the assignment in its
    /// SyncGroup (`handle_sync`).
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
            self.assignment.remove(&member);
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
        self.set_group_state(c, GroupState::CompletingRebalance);
        // The JoinGroup responses go out, the leader's with the members' subscriptions; the generation
        // waits for every member's SyncGroup, at most the rebalance timeout (`schedulePendingSync`).
        for member in members {
            self.memberships[member.index()].sync = SyncState::Pending;
            self.send_join_response(c, member, false);
        }
        let (generation, timeout) = (self.generation, self.rebalance_timeout_us(c));
        self.coordinator_timer(
            c,
            c.k.now + timeout,
            CoordinatorEvent::PendingSyncExpired { generation },
        );
    }

    /// The members of the generation and their subscriptions, as the leader's JoinGroupResponse carries
    /// them (`ClassicGroup.currentClassicGroupMembers`): each with the partitions it owned in the previous
    /// generation.
    fn joined_members(&self, c: &Coordinator<'_>) -> JoinedMembers {
        let members = self
            .memberships
            .iter()
            .enumerate()
            .filter(|(_, m)| m.in_group)
            .map(|(index, membership)| {
                let slot = MemberSlot::at(index);
                let owned = self.assignment.get(&slot).cloned().unwrap_or_default();
                let id = membership
                    .member_id
                    .expect("a member in the group has an id");
                let subscription = Subscription {
                    member_id: c.member_id_text(slot, id),
                    group_instance_id: membership.group_instance_id.clone(),
                    topics: c.clients.members[index].topics.clone(),
                    owned_partitions: owned
                        .iter()
                        .map(|tp| TopicPartition {
                            topic: c.topics[tp.topic].name.clone(),
                            partition: tp.partition,
                        })
                        .collect(),
                    generation: Some(self.generation - 1),
                };
                (slot, subscription)
            })
            .collect();
        JoinedMembers {
            protocol: self.protocol.expect("a generation has a protocol"),
            members,
        }
    }

    /// The JoinGroupResponse of the current generation to a member's process: its member id, and whether
    /// it leads the group; the leader's carries the members, unless it is told to skip the assignment.
    fn send_join_response(&mut self, c: &mut Coordinator<'_>, member: MemberSlot, skip: bool) {
        let membership = &self.memberships[member.index()];
        let (connection, member_id) = (
            membership.connection,
            membership.member_id.expect("a joined member has an id"),
        );
        let leader = self.leader == Some(member);
        let members = (leader && !skip).then(|| Box::new(self.joined_members(c)));
        let generation = self.generation;
        self.send_to_member(
            c,
            (member, connection),
            FlowKind::GroupProtocol,
            0,
            MemberEvent::JoinGroupResponse {
                member_id,
                generation,
                leader,
                members,
            },
        );
    }

    /// A SyncGroupRequest (`classicGroupSyncToClassicGroup`). In CompletingRebalance it waits for the
    /// leader's, whose assignment makes the group Stable and answers every waiting member; in Stable it
    /// is answered at once with the member's assignment.
    fn handle_sync(
        &mut self,
        c: &mut Coordinator<'_>,
        (member, connection): (MemberSlot, u32),
        member_id: MemberId,
        generation: i32,
        assignment: Option<Box<LeaderAssignment>>,
    ) {
        let m = &self.memberships[member.index()];
        let error = if !m.in_group || m.member_id != Some(member_id) {
            Some(SyncError::UnknownMember)
        } else if generation != self.generation {
            Some(SyncError::IllegalGeneration)
        } else {
            match self.state {
                GroupState::Empty | GroupState::Dead => Some(SyncError::UnknownMember),
                GroupState::PreparingRebalance => Some(SyncError::RebalanceInProgress),
                GroupState::CompletingRebalance | GroupState::Stable => None,
            }
        };
        if error.is_some() || self.state == GroupState::Stable {
            if error.is_none() {
                self.memberships[member.index()].sync = SyncState::None;
            }
            let partitions = match error {
                None => self.assignment.get(&member).cloned().unwrap_or_default(),
                Some(_) => Vec::new(),
            };
            return self.send_to_member(
                c,
                (member, connection),
                FlowKind::GroupProtocol,
                0,
                MemberEvent::SyncGroupResponse { partitions, error },
            );
        }
        self.memberships[member.index()].sync = SyncState::Held { connection };
        if self.leader != Some(member) {
            return;
        }
        // The leader's assignment; a member it does not name gets none.
        let mut given: BTreeMap<MemberSlot, Vec<Tp>> = BTreeMap::new();
        given.extend(assignment.map(|list| *list).unwrap_or_default());
        let mut stored = BTreeMap::new();
        for (index, membership) in self.memberships.iter().enumerate() {
            if membership.in_group {
                let slot = MemberSlot::at(index);
                stored.insert(slot, given.remove(&slot).unwrap_or_default());
            }
        }
        self.assignment = stored;
        self.sync_done(c);
    }

    /// `setAndPropagateAssignment`: the leader's assignment is stored, the group is Stable, and every
    /// SyncGroup waiting for it is answered.
    fn sync_done(&mut self, c: &mut Coordinator<'_>) {
        let generation = self.generation;
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
        c.k.emit(EventKind::RebalanceCompleted {
            group: id,
            generation,
            protocol: protocol.into(),
            assignor,
            leader,
            assignment: shown,
        });
        for index in 0..self.memberships.len() {
            let member = MemberSlot::at(index);
            if let SyncState::Held { connection } = self.memberships[index].sync {
                self.memberships[index].sync = SyncState::None;
                let partitions = self.assignment.get(&member).cloned().unwrap_or_default();
                self.send_to_member(
                    c,
                    (member, connection),
                    FlowKind::GroupProtocol,
                    0,
                    MemberEvent::SyncGroupResponse {
                        partitions,
                        error: None,
                    },
                );
            }
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
