//! The consumer client of a group with the classic protocol: the poll loop with `max.poll.records` and
//! processing time, `max.poll.interval.ms`, the heartbeat thread, auto-commit or the application's own
//! commits, eager and cooperative rebalancing on the member's side, positions and their validation. The
//! handlers are `Member`'s: each changes only its own member, and reaches the rest of the run through
//! `Client` (the kernel for messages, timers and events; read-only, the group's client settings and what
//! its metadata says of the cluster). The coordinator is `coordinator`.

use super::assignor::{self, Subscription};
use super::config::{AutoOffsetReset, ConsumerConfig};
use super::event::{EventKind, Reason, TopicPartitionPair};
use super::group::{Activity, CoordinatorState, JoinState, Member, MemberStatus, Syncing};
use super::ids::{BrokerId, FetchId, GroupIx, MemberSlot, Micros, Tp};
use super::kernel::Kernel;
use super::network::{FlowKind, Node};
use super::partition::{Partition, Topic};
use super::protocol::{
    ConsumerFetchPartition, ConsumerFetchRequest, ConsumerFetched, CoordinatorEvent, Ev, FetchFrom,
    FetchOutcome, JoinedMembers, LeaderAssignment, Lost, MemberEvent, SyncError,
    CONSUMER_REQUEST_TIMEOUT_US,
};
use super::scenario::CommitMode;
use std::collections::BTreeMap;

/// The application's `poll(Duration)` timeout: with no records, `poll` returns empty after it and is
/// called again (100 ms, as in Kafka's examples).
const APP_POLL_TIMEOUT_US: Micros = 100_000;
/// `reconnect.backoff.ms` (50 ms) and `reconnect.backoff.max.ms` (1 s): how long the client waits before
/// connecting again to a broker whose connection failed, doubling with each failure.
const RECONNECT_BACKOFF_US: Micros = 50_000;
const RECONNECT_BACKOFF_MAX_US: Micros = 1_000_000;

/// Topic names and partition numbers, as events name partitions.
pub(crate) fn pairs(topics: &[Topic], partitions: &[Tp]) -> Vec<TopicPartitionPair> {
    partitions
        .iter()
        .map(|tp| (topics[tp.topic].name.clone(), tp.partition))
        .collect()
}

/// What a member's handlers reach besides the member itself: the kernel (clock, messages, timers,
/// events), which member it is, its group's client settings, and, read-only, what its metadata says of
/// the cluster: the partitions' leaders and leader epochs, and the group's coordinator (as Metadata and
/// FindCoordinator would tell it, at once).
pub(crate) struct Client<'a> {
    pub k: &'a mut Kernel,
    pub group: GroupIx,
    pub me: MemberSlot,
    pub group_id: &'a str,
    pub config: &'a ConsumerConfig,
    pub processing_us_per_record: u64,
    pub commit_mode: Option<CommitMode>,
    pub topics: &'a [Topic],
    /// The group's coordinator, if the offsets partition has a leader, and whether its broker is up.
    pub coordinator: Option<BrokerId>,
    pub coordinator_alive: bool,
    /// Counts the group's coordinators: a request names the one it was sent to.
    pub coordinator_epoch: u32,
    /// Where requests to the coordinator are drawn going (its broker, or the preferred one).
    pub coordinator_node: Node,
    /// What the group's processing writes to (`world`).
    pub world: &'a mut crate::world::World,
}

impl Client<'_> {
    /// The member as a node of the network.
    #[inline(always)]
    pub fn node(&self) -> Node {
        Node::Member {
            group: self.group,
            member: self.me,
        }
    }

    #[inline(always)]
    fn partition(&self, tp: Tp) -> &Partition {
        &self.topics[tp.topic].partitions[tp.partition as usize]
    }

    /// The group id and the member's id, for events.
    fn names(&self, member: &Member) -> (String, String) {
        (self.group_id.to_string(), member.id.clone())
    }

    fn pairs(&self, partitions: &[Tp]) -> Vec<TopicPartitionPair> {
        pairs(self.topics, partitions)
    }
}

/// The consumer client's handlers.
impl Member {
    /// An event for the member's current process (the engine drops those of an earlier one).
    fn wake_now(&self, c: &mut Client<'_>, event: MemberEvent) {
        let now = c.k.now;
        self.wake(c, now, event);
    }

    fn wake(&self, c: &mut Client<'_>, at: Micros, event: MemberEvent) {
        c.k.schedule(
            at,
            Ev::Member {
                group: c.group,
                member: c.me,
                incarnation: self.incarnation,
                event,
            },
        );
    }

    /// Something arrived at the member's running process, or one of its timers fired.
    pub(crate) fn on_event(&mut self, c: &mut Client<'_>, event: MemberEvent) {
        match event {
            MemberEvent::Poll => self.poll(c),
            MemberEvent::FetchResponse {
                broker,
                fetch,
                data,
            } => self.consumer_fetch_response(c, broker, fetch, data),
            MemberEvent::FetchFailed { broker, fetch } => {
                self.client_fetch_failed(c, broker, fetch)
            }
            MemberEvent::OffsetFetchResponse { offsets } => self.offset_fetch_response(c, offsets),
            MemberEvent::ProcessingDone { batch } => self.processing_done(c, batch),
            MemberEvent::HeartbeatTick => self.heartbeat_tick(c),
            MemberEvent::PollReturned => {
                let now = c.k.now;
                if self.poll_timer_at == Some(now) {
                    self.poll_timer_at = None;
                }
                if self.activity == Activity::Polling {
                    if now >= self.last_poll_us + APP_POLL_TIMEOUT_US {
                        self.poll(c);
                    } else {
                        let at = self.last_poll_us + APP_POLL_TIMEOUT_US;
                        self.arm_poll_timer(c, at);
                    }
                }
            }
            MemberEvent::PollTimeoutCheck => {
                if self.poll_timeout_expired(c) {
                    self.leave_on_poll_timeout(c);
                }
            }
            MemberEvent::HeartbeatResponse {
                rebalance_in_progress,
                unknown_member,
            } => {
                // `HeartbeatResponseHandler`: REBALANCE_IN_PROGRESS is acted on only by a member that is
                // Stable when the answer arrives; one already rejoining ignores it.
                if self.generation.is_some()
                    && ((rebalance_in_progress && !self.joining()) || unknown_member)
                {
                    self.rejoin_needed = true;
                    if unknown_member {
                        // UNKNOWN_MEMBER_ID: it forgets its generation and member id, and joins anew.
                        self.generation = None;
                        self.member_id = None;
                    }
                }
            }
            MemberEvent::MemberIdRequired { member_id } => {
                if self.joining() && self.member_id.is_none() {
                    self.member_id = Some(member_id);
                    self.send_join(c);
                }
            }
            MemberEvent::JoinGroupResponse {
                member_id,
                generation,
                leader,
                members,
            } => {
                // `JoinGroupResponseHandler`: only a member waiting for its JoinGroup's answer goes on
                // to SyncGroup, the leader with the assignment it computes.
                if self.join == JoinState::Joining {
                    self.member_id = Some(member_id);
                    let assignment =
                        members.map(|joined| Box::new(self.on_leader_elected(c, *joined)));
                    self.send_sync(c, generation, leader, assignment);
                }
            }
            MemberEvent::SyncGroupResponse { partitions, error } => {
                // `SyncGroupResponseHandler`: the assignment, or back to JoinGroup.
                let JoinState::Syncing(syncing) = self.join else {
                    return;
                };
                self.join = JoinState::Joining;
                match error {
                    None => {
                        self.join = JoinState::Assigned {
                            generation: syncing.generation,
                            partitions,
                            leader: syncing.leader,
                        };
                        if self.activity == Activity::Polling && self.fetches.is_empty() {
                            self.wake_now(c, MemberEvent::Poll);
                        }
                    }
                    Some(error) => {
                        // `resetStateOnResponseError`: UNKNOWN_MEMBER_ID forgets the member id too.
                        if error != SyncError::RebalanceInProgress {
                            self.generation = None;
                        }
                        if error == SyncError::UnknownMember {
                            self.member_id = None;
                        }
                        self.send_join(c);
                    }
                }
            }
            MemberEvent::CoordinatorError { error, lost } => {
                self.on_coordinator_error(c, error, lost)
            }
            MemberEvent::CoordinatorFound => self.coordinator_found(c),
            MemberEvent::RequestTimedOut { lost, sent_us } => {
                self.request_timed_out(c, lost, sent_us)
            }
            MemberEvent::OffsetCommitResponse { sync, error } => {
                if let Some(error) = error {
                    let (group_id, member_id) = c.names(self);
                    c.k.emit(EventKind::CommitFailed {
                        group: group_id,
                        member: member_id,
                        error,
                    });
                }
                if sync && self.activity == Activity::Committing {
                    self.after_commit_sync(c);
                }
            }
        }
    }

    pub(crate) fn send_to_coordinator(
        &mut self,
        c: &mut Client<'_>,
        kind: FlowKind,
        event: CoordinatorEvent,
    ) {
        let to = c.coordinator_node;
        let lost = event.sender().and_then(|(_, _, lost)| lost);
        let now = c.k.now;
        let epoch = c.coordinator_epoch;
        match lost {
            Some(Lost::JoinGroup) => self.join_sent_us = now,
            Some(Lost::OffsetCommit) => self.commit_sent_us = now,
            Some(Lost::SyncGroup | Lost::OffsetFetch) | None => {}
        }
        let known = self.coordinator == CoordinatorState::Known;
        let Some(broker) = c.coordinator.filter(|_| known) else {
            // `ensureCoordinatorReady`: nothing is sent until FindCoordinator finds one.
            return self.on_coordinator_error(c, Reason::CoordinatorNotAvailable, lost);
        };
        let sent = c.k.send(
            c.node(),
            to,
            kind,
            0,
            Ev::Coordinator {
                group: c.group,
                broker,
                epoch,
                event,
            },
        );
        match (sent, lost) {
            // A SyncGroup has its timer whether it is lost or not (`send_sync`).
            (false, Some(lost)) if lost != Lost::SyncGroup => self.request_lost(c, lost),
            _ => {}
        }
    }

    /// A JoinGroupRequest from the member's current process.
    pub(crate) fn send_join(&mut self, c: &mut Client<'_>) {
        let (incarnation, member_id, group_instance_id) = (
            self.incarnation,
            self.member_id,
            self.group_instance_id.clone(),
        );
        self.send_to_coordinator(
            c,
            FlowKind::GroupProtocol,
            CoordinatorEvent::JoinGroup {
                member: c.me,
                incarnation,
                member_id,
                group_instance_id,
            },
        );
    }

    /// A SyncGroupRequest of the generation its JoinGroupResponse named (`onJoinFollower`, or the leader's
    /// with its assignment). It waits for the answer at most `request.timeout.ms`: the coordinator may hold
    /// it (until the leader's arrives) or a network fault may take it, and the client cannot tell.
    fn send_sync(
        &mut self,
        c: &mut Client<'_>,
        generation: i32,
        leader: bool,
        assignment: Option<Box<LeaderAssignment>>,
    ) {
        let now = c.k.now;
        let (incarnation, member_id) = (
            self.incarnation,
            self.member_id.expect("a joined member has an id"),
        );
        self.join = JoinState::Syncing(Syncing {
            sent_us: now,
            generation,
            leader,
        });
        self.send_to_coordinator(
            c,
            FlowKind::GroupProtocol,
            CoordinatorEvent::SyncGroup {
                member: c.me,
                incarnation,
                member_id,
                generation,
                assignment,
            },
        );
        if matches!(self.join, JoinState::Syncing(_)) {
            let event = self.request_timeout(Lost::SyncGroup);
            self.wake(c, now + CONSUMER_REQUEST_TIMEOUT_US, event);
        }
    }

    /// `ConsumerCoordinator.onLeaderElected`: the leader runs the assignor the coordinator selected over
    /// every member's subscription, with the partition counts of its own metadata, and sends the result
    /// in its SyncGroup, by member.
    fn on_leader_elected(&self, c: &Client<'_>, joined: JoinedMembers) -> LeaderAssignment {
        let mut partitions_per_topic: BTreeMap<String, u32> = BTreeMap::new();
        partitions_per_topic.extend(
            c.topics
                .iter()
                .map(|t| (t.name.clone(), t.partitions.len() as u32)),
        );
        let (slots, subscriptions): (Vec<MemberSlot>, Vec<Subscription>) =
            joined.members.into_iter().unzip();
        let result = assignor::assign(joined.protocol, &partitions_per_topic, &subscriptions);
        slots
            .into_iter()
            .zip(&subscriptions)
            .map(|(slot, subscription)| {
                let list = result
                    .get(&subscription.member_id)
                    .into_iter()
                    .flatten()
                    .filter_map(|tp| {
                        let topic = c.topics.iter().position(|t| t.name == tp.topic)?;
                        Some(Tp {
                            topic,
                            partition: tp.partition,
                        })
                    })
                    .collect();
                (slot, list)
            })
            .collect()
    }

    /// A request to the coordinator failed with NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE (or found its
    /// broker down): the client marks the coordinator unknown ("will attempt rediscovery") and looks it up
    /// (FindCoordinator, every `retry.backoff.ms`). A JoinGroup and a `commitSync` wait and are sent again
    /// once it is found; an async commit fails.
    pub(crate) fn on_coordinator_error(
        &mut self,
        c: &mut Client<'_>,
        error: Reason,
        lost: Option<Lost>,
    ) {
        let (group_id, m) = (c.group_id, &mut *self);
        let mut events = Vec::new();
        // The first error starts a lookup; later ones wait for it.
        let lookup = m.coordinator == CoordinatorState::Known;
        if lookup {
            m.coordinator = CoordinatorState::Unknown {
                retry_join: false,
                retry_commit: false,
            };
            events.push(EventKind::CoordinatorUnavailable {
                group: group_id.to_string(),
                member: m.id.clone(),
                error: error.clone(),
            });
        }
        let CoordinatorState::Unknown {
            retry_join,
            retry_commit,
        } = &mut m.coordinator
        else {
            unreachable!("the coordinator is unknown");
        };
        match lost {
            Some(Lost::JoinGroup) => *retry_join |= m.join != JoinState::Idle,
            // SyncGroupResponseHandler: the join failed; it joins again once the coordinator is found.
            Some(Lost::SyncGroup) => {
                if let JoinState::Syncing(_) = m.join {
                    m.join = JoinState::Joining;
                }
                *retry_join |= m.join != JoinState::Idle;
            }
            Some(Lost::OffsetCommit) if m.activity == Activity::Committing => *retry_commit = true,
            Some(Lost::OffsetCommit) => events.push(EventKind::CommitFailed {
                group: group_id.to_string(),
                member: m.id.clone(),
                error,
            }),
            // Asked again once the coordinator is found.
            Some(Lost::OffsetFetch) => m.offset_fetch_sent = None,
            None => {}
        }
        for event in events {
            c.k.emit(event);
        }
        if lookup {
            self.look_up_coordinator(c);
        }
    }

    /// A FindCoordinator round trip, after `retry.backoff.ms`.
    fn look_up_coordinator(&mut self, c: &mut Client<'_>) {
        let round_trip = 2 * c.k.latency(
            c.node(),
            Node::Broker {
                broker: BrokerId(1),
            },
        );
        // At least 1 ms: with retry.backoff.ms=0 and no latency a lookup must still take time.
        let backoff = (c.config.retry_backoff_ms * 1000).max(1000);
        let at = c.k.now + backoff + round_trip;
        self.wake(c, at, MemberEvent::CoordinatorFound);
    }

    /// The FindCoordinatorResponse: the leader of the group's offsets partition. Found (and its broker
    /// up), the waiting JoinGroup and `commitSync` are sent again; otherwise the member looks again.
    fn coordinator_found(&mut self, c: &mut Client<'_>) {
        if !c.coordinator_alive {
            return self.look_up_coordinator(c);
        }
        let (retry_join, retry_commit) = match std::mem::take(&mut self.coordinator) {
            CoordinatorState::Unknown {
                retry_join,
                retry_commit,
            } => (retry_join, retry_commit),
            CoordinatorState::Known => (false, false),
        };
        let retry_join = retry_join && self.joining();
        let retry_commit = retry_commit && self.activity == Activity::Committing;
        if retry_join {
            self.send_join(c);
        }
        if retry_commit {
            self.send_commit(c, true);
        }
        // An OffsetFetch that failed is asked again by the next poll.
        if self.activity == Activity::Polling && self.fetches.is_empty() {
            self.wake_now(c, MemberEvent::Poll);
        }
    }

    /// A request to the coordinator, or its answer, was lost to a network fault: the member's wait for it
    /// times out after `request.timeout.ms`.
    pub(crate) fn request_lost(&mut self, c: &mut Client<'_>, lost: Lost) {
        let event = self.request_timeout(lost);
        self.wake(c, c.k.now + CONSUMER_REQUEST_TIMEOUT_US, event);
    }

    /// The timer event for a request of this process lost to a network fault: it names when the
    /// request was sent, so that it acts only if no newer one was sent since.
    pub(crate) fn request_timeout(&self, lost: Lost) -> MemberEvent {
        let sent_us = match lost {
            Lost::JoinGroup => self.join_sent_us,
            Lost::SyncGroup => match self.join {
                JoinState::Syncing(syncing) => syncing.sent_us,
                _ => 0,
            },
            Lost::OffsetCommit => self.commit_sent_us,
            Lost::OffsetFetch => self.offset_fetch_sent.unwrap_or(0),
        };
        MemberEvent::RequestTimedOut { lost, sent_us }
    }

    /// `request.timeout.ms` ran out on a request lost to a network fault. A lost JoinGroup (or its
    /// SyncGroup answer) is sent again once the coordinator is found again; a lost commit fails, and a
    /// `commitSync` returns to the application.
    fn request_timed_out(&mut self, c: &mut Client<'_>, lost: Lost, sent_us: Micros) {
        let (group_id, member_id) = (c.group_id.to_string(), self.id.clone());
        match lost {
            Lost::JoinGroup => {
                if self.join != JoinState::Joining || self.join_sent_us != sent_us {
                    return;
                }
                c.k.emit(EventKind::CoordinatorRequestTimedOut {
                    group: group_id,
                    member: member_id,
                    request: "JoinGroup".into(),
                });
                self.send_join(c);
            }
            Lost::SyncGroup => {
                if !matches!(self.join, JoinState::Syncing(syncing) if syncing.sent_us == sent_us) {
                    return;
                }
                c.k.emit(EventKind::CoordinatorRequestTimedOut {
                    group: group_id,
                    member: member_id,
                    request: "SyncGroup".into(),
                });
                self.join = JoinState::Joining;
                self.send_join(c);
            }
            Lost::OffsetCommit => {
                let waiting =
                    self.activity == Activity::Committing && self.commit_sent_us == sent_us;
                c.k.emit(EventKind::CommitFailed {
                    group: group_id,
                    member: member_id,
                    error: Reason::RequestTimeout,
                });
                if waiting {
                    self.after_commit_sync(c);
                }
            }
            Lost::OffsetFetch => {
                if self.offset_fetch_sent != Some(sent_us) {
                    return;
                }
                c.k.emit(EventKind::CoordinatorRequestTimedOut {
                    group: group_id,
                    member: member_id,
                    request: "OffsetFetch".into(),
                });
                self.offset_fetch_sent = None;
                if self.activity == Activity::Polling {
                    self.poll(c);
                }
            }
        }
    }

    /// A member process starts (or restarts): a fresh client that joins the group.
    pub(crate) fn start(&mut self, c: &mut Client<'_>) {
        let now = c.k.now;
        let topics = self.topics.clone();
        let instance = self.group_instance_id.take();
        *self = Member::new(&self.id, topics);
        self.group_instance_id = instance;
        self.incarnation = self.incarnation.max(1);
        self.activity = Activity::Polling;
        self.last_poll_us = now;
        self.begin_loops(c);
    }

    /// The process's poll loop and heartbeat thread begin (again, for a restarted process given its new
    /// incarnation after `start`).
    pub(crate) fn begin_loops(&mut self, c: &mut Client<'_>) {
        let now = c.k.now;
        self.wake(c, now, MemberEvent::Poll);
        let interval = c.config.heartbeat_interval_ms * 1000;
        self.wake(c, now + interval, MemberEvent::HeartbeatTick);
    }

    /// Its metadata shows a subscribed topic's partitions changed: the group's leader rejoins, so that
    /// the new partitions are assigned (`ConsumerCoordinator.rejoinNeededOrPending`).
    pub(crate) fn metadata_changed(&mut self) {
        if self.status == MemberStatus::Running && self.leader && self.generation.is_some() {
            self.rejoin_needed = true;
        }
    }

    pub(crate) fn crash(&mut self, c: &mut Client<'_>) {
        if self.status != MemberStatus::Running {
            return;
        }
        self.status = MemberStatus::Crashed;
        self.incarnation += 1;
        self.activity = Activity::Stopped;
        self.in_hand.clear();
        let member_id = self.id.clone();
        let group_id = c.group_id.to_string();
        c.k.emit(EventKind::ConsumerCrashed {
            group: group_id,
            member: member_id,
        });
    }

    pub(crate) fn close(&mut self, c: &mut Client<'_>) {
        if self.status != MemberStatus::Running {
            return;
        }
        let incarnation = self.incarnation;
        let in_group = self.generation.is_some() || self.joining();
        // close(): with auto-commit, commit consumed offsets synchronously, then LeaveGroup.
        if c.config.enable_auto_commit {
            self.send_commit(c, false);
        }
        // `AbstractCoordinator.maybeLeaveGroup`: only dynamic members send LeaveGroup; the coordinator
        // removes a static member when its session expires.
        let dynamic = self.group_instance_id.is_none();
        let member_id = self.member_id;
        if let (true, true, Some(member_id)) = (in_group, dynamic, member_id) {
            self.send_to_coordinator(
                c,
                FlowKind::GroupProtocol,
                CoordinatorEvent::LeaveGroup {
                    member: c.me,
                    incarnation,
                    member_id,
                    reason: Box::new(Reason::MemberClosed),
                },
            );
        }
        self.status = MemberStatus::Left;
        self.incarnation += 1;
        self.activity = Activity::Stopped;
        self.in_hand.clear();
    }

    pub(crate) fn stall(&mut self, c: &mut Client<'_>, ms: u64) {
        let now = c.k.now;
        if self.status != MemberStatus::Running {
            return;
        }
        self.stalled_until_us = self.stalled_until_us.max(now) + ms * 1000;
        if let Activity::Processing { until_us } = self.activity {
            self.activity = Activity::Processing {
                until_us: until_us + ms * 1000,
            };
        }
        let member_id = self.id.clone();
        let group_id = c.group_id.to_string();
        c.k.emit(EventKind::ConsumerStalled {
            group: group_id,
            member: member_id,
            ms,
        });
    }

    /// `KafkaConsumer.poll()`: rebalance work first (it runs on the polling thread), then auto-commit,
    /// then records from the fetch buffer, fetching when it is empty.
    pub(crate) fn poll(&mut self, c: &mut Client<'_>) {
        let now = c.k.now;
        if self.stalled_until_us > now {
            let at = self.stalled_until_us;
            return self.wake(c, at, MemberEvent::Poll);
        }
        if matches!(
            self.activity,
            Activity::Processing { .. } | Activity::Committing
        ) {
            return;
        }
        self.last_poll_us = now;
        self.activity = Activity::Polling;
        if let JoinState::Assigned { .. } = self.join {
            let JoinState::Assigned {
                generation,
                partitions,
                leader,
            } = std::mem::replace(&mut self.join, JoinState::Joining)
            else {
                unreachable!("an assignment");
            };
            self.leader = leader;
            self.on_join_complete(c, generation, partitions);
        }
        if !self.joining() && (self.generation.is_none() || self.rejoin_needed) {
            self.on_join_prepare(c);
        }
        if c.config.enable_auto_commit
            && self.generation.is_some()
            && now >= self.next_auto_commit_us
            && !self.positions.is_empty()
        {
            let interval = c.config.auto_commit_interval_ms * 1000;
            self.send_commit(c, false);
            self.next_auto_commit_us = now + interval;
        }
        let max_records = c.config.max_poll_records;
        // The records taken become the records in hand; the list reuses the last batch's allocation.
        let mut taken = if self.in_hand.is_empty() {
            std::mem::take(&mut self.in_hand)
        } else {
            Vec::new()
        };
        let mut count = 0;
        while count < max_records {
            let Some((tp, first, end)) = self.buffer.pop_front() else {
                break;
            };
            let take = (end - first).min(max_records - count);
            taken.push((tp, first, first + take));
            if first + take < end {
                self.buffer.push_front((tp, first + take, end));
            }
            count += take;
            self.positions.insert(tp, first + take);
        }
        if taken.is_empty() {
            if self.in_hand.is_empty() {
                self.in_hand = taken;
            }
            if self.assigned.is_empty() {
                if self.fetches.is_empty() {
                    // Nothing assigned: the application's poll(Duration) returns empty and is called again.
                    return self.wake(c, now + 100_000, MemberEvent::Poll);
                }
                return;
            }
            self.send_fetches(c);
            // No records yet: `poll(Duration)` returns empty after its timeout and is called again.
            return self.arm_poll_timer(c, now + APP_POLL_TIMEOUT_US);
        }
        if c.k.record_events {
            let (group_id, member_id) = c.names(self);
            c.k.emit(EventKind::RecordsPolled {
                group: group_id,
                member: member_id,
                records: count as u32,
            });
        }
        if self.buffer.is_empty() {
            // The fetcher pipelines: the next fetches go out while the application processes.
            self.send_fetches(c);
        }
        let commit_first = c.commit_mode == Some(CommitMode::SyncBeforeProcessing);
        if commit_first {
            self.send_commit(c, false);
        }
        let duration = c.processing_us_per_record * count;
        self.batch += 1;
        self.in_hand = taken;
        // Each record is a write to the group's sink: waiting for a busy sink is slower processing.
        let until_us = c
            .world
            .processing_done(c.group.index(), now, count, now + duration);
        self.activity = Activity::Processing { until_us };
        let batch = self.batch;
        self.wake(c, until_us, MemberEvent::ProcessingDone { batch });
    }

    pub(crate) fn processing_done(&mut self, c: &mut Client<'_>, batch: u64) {
        let now = c.k.now;
        if self.batch != batch {
            return;
        }
        if let Activity::Processing { until_us } = self.activity {
            if until_us > now {
                // A stall extended the processing.
                return self.wake(c, until_us, MemberEvent::ProcessingDone { batch });
            }
        }
        let mut in_hand = std::mem::take(&mut self.in_hand);
        for (tp, first, end) in &in_hand {
            if c.k.record_events {
                let (group_id, member_id) = c.names(self);
                let topic = c.topics[tp.topic].name.clone();
                c.k.emit(EventKind::RecordsProcessed {
                    group: group_id,
                    member: member_id,
                    topic,
                    partition: tp.partition,
                    first_offset: *first,
                    last_offset: end - 1,
                });
            }
        }
        self.records_processed += in_hand
            .iter()
            .map(|(_, first, end)| end - first)
            .sum::<u64>();
        self.processed.extend_from_slice(&in_hand);
        in_hand.clear();
        if self.in_hand.is_empty() {
            self.in_hand = in_hand;
        }
        self.activity = Activity::Polling;
        match c.commit_mode {
            Some(CommitMode::SyncAfterProcessing) => {
                self.send_commit(c, true);
            }
            Some(CommitMode::AsyncAfterProcessing) => {
                self.send_commit(c, false);
                self.poll(c);
            }
            _ => self.poll(c),
        }
    }

    pub(crate) fn after_commit_sync(&mut self, c: &mut Client<'_>) {
        self.activity = Activity::Polling;
        self.wake_now(c, MemberEvent::Poll);
    }

    /// Commits the consumed positions. `sync` blocks the application until the response.
    pub(crate) fn send_commit(&mut self, c: &mut Client<'_>, sync: bool) {
        let offsets: Vec<(Tp, u64)> = self
            .positions
            .iter()
            .filter(|(tp, _)| self.assigned.contains(tp))
            .map(|(tp, offset)| (*tp, *offset))
            .collect();
        let Some(generation) = self.generation else {
            let (group_id, member_id) = (c.group_id.to_string(), self.id.clone());
            c.k.emit(EventKind::CommitFailed {
                group: group_id,
                member: member_id,
                error: Reason::CommitNotMember,
            });
            if sync {
                self.wake_now(c, MemberEvent::Poll);
            }
            return;
        };
        if offsets.is_empty() {
            if sync {
                self.wake_now(c, MemberEvent::Poll);
            }
            return;
        }
        let (incarnation, member_id) = (self.incarnation, self.member_id);
        if sync {
            self.activity = Activity::Committing;
        }
        self.send_to_coordinator(
            c,
            FlowKind::Commit,
            CoordinatorEvent::OffsetCommit {
                member: c.me,
                incarnation,
                member_id,
                generation,
                offsets,
                sync,
            },
        );
    }

    /// `ConsumerCoordinator.onJoinPrepare`: auto-commit, revoke (eager: everything) or lose partitions,
    /// then send JoinGroup.
    pub(crate) fn on_join_prepare(&mut self, c: &mut Client<'_>) {
        let cooperative = c.config.cooperative();
        let lost = self.generation.is_none();
        let (group_id, member_id) = c.names(self);
        if lost {
            let assigned = std::mem::take(&mut self.assigned);
            if !assigned.is_empty() {
                let partitions = c.pairs(&assigned);
                c.k.emit(EventKind::PartitionsLost {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    partitions,
                });
            }
            self.clear_positions(None);
        } else {
            if c.config.enable_auto_commit {
                self.send_commit(c, false);
            }
            if !cooperative {
                let assigned = std::mem::take(&mut self.assigned);
                if !assigned.is_empty() {
                    let partitions = c.pairs(&assigned);
                    c.k.emit(EventKind::PartitionsRevoked {
                        group: group_id.clone(),
                        member: member_id.clone(),
                        partitions,
                    });
                }
                self.clear_positions(None);
            }
        }
        let reason = if lost {
            Reason::Joining
        } else {
            Reason::Rejoining
        };
        c.k.emit(EventKind::ConsumerJoining {
            group: group_id,
            member: member_id,
            reason,
        });
        self.join = JoinState::Joining;
        self.rejoin_needed = false;
        self.send_join(c);
    }

    pub(crate) fn clear_positions(&mut self, only: Option<&[Tp]>) {
        match only {
            None => {
                self.positions.clear();
                self.fetch_positions.clear();
                self.buffer.clear();
                self.resets.clear();
            }
            Some(partitions) => {
                self.positions.retain(|tp, _| !partitions.contains(tp));
                self.fetch_positions
                    .retain(|tp, _| !partitions.contains(tp));
                self.buffer.retain(|(tp, _, _)| !partitions.contains(tp));
                self.resets.retain(|tp| !partitions.contains(tp));
            }
        }
    }

    /// `ConsumerCoordinator.onJoinComplete`: take the new assignment; cooperative members revoke what
    /// moved away and rejoin.
    pub(crate) fn on_join_complete(
        &mut self,
        c: &mut Client<'_>,
        generation: i32,
        partitions: Vec<Tp>,
    ) {
        let cooperative = c.config.cooperative();
        let (group_id, member_id) = c.names(self);
        let owned = self.assigned.clone();
        let revoked: Vec<Tp> = owned
            .iter()
            .copied()
            .filter(|tp| !partitions.contains(tp))
            .collect();
        let added: Vec<Tp> = partitions
            .iter()
            .copied()
            .filter(|tp| !owned.contains(tp))
            .collect();
        if cooperative && !revoked.is_empty() {
            if c.config.enable_auto_commit {
                self.send_commit(c, false);
            }
            let list = c.pairs(&revoked);
            c.k.emit(EventKind::PartitionsRevoked {
                group: group_id.clone(),
                member: member_id.clone(),
                partitions: list,
            });
            self.clear_positions(Some(&revoked));
        }
        let shown = if cooperative {
            added.clone()
        } else {
            partitions.clone()
        };
        let list = c.pairs(&shown);
        c.k.emit(EventKind::PartitionsAssigned {
            group: group_id,
            member: member_id,
            partitions: list,
        });
        let interval = c.config.auto_commit_interval_ms * 1000;
        let now = c.k.now;
        self.generation = Some(generation);
        self.join = JoinState::Idle;
        self.assigned = partitions;
        self.next_auto_commit_us = now + interval;
        if cooperative && !revoked.is_empty() {
            self.rejoin_needed = true;
        }
    }

    /// `Heartbeat.pollTimeoutExpired`: in a generation, not rejoining, and no poll for longer than
    /// `max.poll.interval.ms`.
    pub(crate) fn poll_timeout_expired(&self, c: &Client<'_>) -> bool {
        let limit = c.config.max_poll_interval_ms * 1000;
        self.generation.is_some()
            && !self.joining()
            && c.k.now.saturating_sub(self.last_poll_us) > limit
    }

    /// The heartbeat thread notices: "consumer poll timeout has expired" → LeaveGroup.
    pub(crate) fn leave_on_poll_timeout(&mut self, c: &mut Client<'_>) {
        let incarnation = self.incarnation;
        let since = (c.k.now - self.last_poll_us) / 1000;
        let (group_id, member_id) = (c.group_id.to_string(), self.id.clone());
        c.k.emit(EventKind::PollTimeoutExpired {
            group: group_id,
            member: member_id,
            since_last_poll_ms: since,
        });
        // A static member sends no LeaveGroup (`maybeLeaveGroup`): it is removed after session.timeout.ms.
        // A dynamic one leaves, and forgets its member id.
        if let (None, Some(member_id)) = (&self.group_instance_id, self.member_id) {
            self.send_to_coordinator(
                c,
                FlowKind::GroupProtocol,
                CoordinatorEvent::LeaveGroup {
                    member: c.me,
                    incarnation,
                    member_id,
                    reason: Box::new(Reason::PollTimeoutExpired),
                },
            );
            self.member_id = None;
        }
        self.generation = None;
    }

    /// `AbstractCoordinator.HeartbeatThread.run`: a heartbeat every `heartbeat.interval.ms`; between
    /// heartbeats the thread wakes every `retry.backoff.ms` and checks the poll timeout, so it leaves the
    /// group at most that long after `max.poll.interval.ms` has passed.
    pub(crate) fn heartbeat_tick(&mut self, c: &mut Client<'_>) {
        let now = c.k.now;
        let config = c.config.clone();
        let incarnation = self.incarnation;
        if self.poll_timeout_expired(c) {
            self.leave_on_poll_timeout(c);
        } else if let (true, Some(member_id)) =
            (self.generation.is_some() || self.joining(), self.member_id)
        {
            self.send_to_coordinator(
                c,
                FlowKind::Heartbeat,
                CoordinatorEvent::Heartbeat {
                    member: c.me,
                    incarnation,
                    member_id,
                },
            );
        }
        let next_heartbeat = now + config.heartbeat_interval_ms * 1000;
        self.wake(c, next_heartbeat, MemberEvent::HeartbeatTick);
        if self.generation.is_some() && !self.joining() {
            // The first wake-up after the poll deadline, if it comes before the next heartbeat.
            let deadline = self.last_poll_us + config.max_poll_interval_ms * 1000;
            let backoff = config.retry_backoff_ms * 1000;
            let wake = now + (deadline.saturating_sub(now) / backoff + 1) * backoff;
            if wake < next_heartbeat {
                self.wake(c, wake, MemberEvent::PollTimeoutCheck);
            }
        }
    }

    /// `Fetcher.sendFetches`, after `updateFetchPositions`: partitions with no position ask the
    /// coordinator for their committed offsets (OffsetFetch); then one FetchRequest goes to each leader
    /// (as the client's metadata names it) that has no fetch of this member on its way and is not in its
    /// reconnect backoff, for the partitions with nothing buffered.
    pub(crate) fn send_fetches(&mut self, c: &mut Client<'_>) {
        let now = c.k.now;
        // What to fetch from which leader, in the order of the assignment (the list keeps its allocation).
        let mut wanted = std::mem::take(&mut self.fetch_wanted);
        wanted.clear();
        let (config, m) = (c.config, &mut *self);
        debug_assert!(
            m.fetch_positions
                .keys()
                .chain(&m.resets)
                .all(|tp| m.assigned.contains(tp))
                && m.resets
                    .iter()
                    .all(|tp| !m.fetch_positions.contains_key(tp)),
            "positions and resets are of distinct assigned partitions"
        );
        // Every assigned partition has a position or a reset when they are as many (see the assertion).
        let all_positioned = m.fetch_positions.len() + m.resets.len() == m.assigned.len();
        let unpositioned: Vec<Tp> = if m.offset_fetch_sent.is_none() && !all_positioned {
            m.assigned
                .iter()
                .filter(|tp| !m.fetch_positions.contains_key(tp) && !m.resets.contains(tp))
                .copied()
                .collect()
        } else {
            Vec::new()
        };
        // The brokers a fetch cannot go to now (one is on its way or waiting there, or the client backs off
        // the broker), one bit per broker id: most of the assigned partitions are skipped on one test.
        let bit = |broker: BrokerId| 1u64 << broker.0;
        let mut busy = 0u64;
        for (broker, _) in &m.fetches {
            busy |= bit(*broker);
        }
        for (broker, until, _) in &m.fetch_backoff {
            if *until > now {
                busy |= bit(*broker);
            }
        }
        for &tp in &m.assigned {
            let partition = c.partition(tp);
            let Some(leader) = partition.leader else {
                continue;
            };
            if busy & bit(leader) != 0 || m.buffer.iter().any(|(buffered, _, _)| *buffered == tp) {
                continue;
            }
            let from = if m.resets.contains(&tp) {
                FetchFrom::Reset(config.auto_offset_reset)
            } else if let Some(&position) = m.fetch_positions.get(&tp) {
                FetchFrom::Offset(position)
            } else {
                continue;
            };
            // KIP-320: after the leader epoch changed, where the epoch of the last records fetched ends.
            let validate = match (from, m.fetched_epochs.get(&tp)) {
                (FetchFrom::Offset(_), Some(&(epoch, validated)))
                    if validated != partition.leader_epoch =>
                {
                    Some(epoch)
                }
                _ => None,
            };
            wanted.push((leader, ConsumerFetchPartition { tp, from, validate }));
        }
        let (max_wait_us, max_bytes, partition_max_bytes) = (
            config.fetch_max_wait_ms * 1000,
            config.fetch_max_bytes,
            config.max_partition_fetch_bytes,
        );
        let incarnation = m.incarnation;
        if !unpositioned.is_empty() {
            self.send_offset_fetch(c, unpositioned);
        }
        // One FetchRequest per leader, in the order the leaders first appear.
        while let Some(&(broker, _)) = wanted.first() {
            let count = wanted
                .iter()
                .filter(|(leader, _)| *leader == broker)
                .count();
            let mut partitions = Vec::with_capacity(count);
            partitions.extend(
                wanted
                    .iter()
                    .filter(|(leader, _)| *leader == broker)
                    .map(|(_, entry)| *entry),
            );
            wanted.retain(|(leader, _)| *leader != broker);
            let fetch = FetchId::issue(&mut self.next_fetch);
            self.fetches.push((broker, fetch));
            let request = Box::new(ConsumerFetchRequest {
                group: c.group,
                member: c.me,
                incarnation,
                fetch,
                sent_us: now,
                max_wait_us,
                max_bytes,
                partition_max_bytes,
                partitions,
            });
            let sent = c.k.send(
                c.node(),
                Node::Broker { broker },
                FlowKind::ConsumerFetch,
                0,
                Ev::ConsumerFetch { broker, request },
            );
            if !sent {
                // Lost to a network fault: the client's request.timeout.ms runs out.
                let at = now + CONSUMER_REQUEST_TIMEOUT_US;
                self.wake(c, at, MemberEvent::FetchFailed { broker, fetch });
            }
        }
        self.fetch_wanted = wanted;
    }

    /// An OffsetFetchRequest for the partitions with no position.
    fn send_offset_fetch(&mut self, c: &mut Client<'_>, partitions: Vec<Tp>) {
        self.offset_fetch_sent = Some(c.k.now);
        let incarnation = self.incarnation;
        self.send_to_coordinator(
            c,
            FlowKind::GroupProtocol,
            CoordinatorEvent::OffsetFetch {
                member: c.me,
                incarnation,
                partitions,
            },
        );
    }

    /// The OffsetFetchResponse: a partition with a committed offset starts there; one without is reset
    /// (`auto.offset.reset`) by its next fetch.
    fn offset_fetch_response(&mut self, c: &mut Client<'_>, offsets: Vec<(Tp, Option<u64>)>) {
        if self.offset_fetch_sent.take().is_none() {
            return;
        }
        for (tp, committed) in offsets {
            if !self.assigned.contains(&tp)
                || self.fetch_positions.contains_key(&tp)
                || self.resets.contains(&tp)
            {
                continue;
            }
            match committed {
                Some(offset) => {
                    self.fetch_positions.insert(tp, offset);
                    self.positions.insert(tp, offset);
                    self.buffer.retain(|(buffered, _, _)| *buffered != tp);
                }
                None => self.resets.push(tp),
            }
        }
        if self.activity == Activity::Polling {
            self.poll(c);
        }
    }

    /// Keeps the poll loop's one wake-up set no later than `at`.
    fn arm_poll_timer(&mut self, c: &mut Client<'_>, at: Micros) {
        if self.poll_timer_at.is_none_or(|armed| armed > at) {
            self.poll_timer_at = Some(at);
            self.wake(c, at, MemberEvent::PollReturned);
        }
    }

    /// The fetch to `broker` is answered or failed: it is no longer on its way. False for a fetch the
    /// member no longer waits for.
    fn take_fetch(&mut self, broker: BrokerId, fetch: FetchId) -> bool {
        let index = self
            .fetches
            .iter()
            .position(|sent| *sent == (broker, fetch));
        index.map(|index| self.fetches.remove(index)).is_some()
    }

    /// A fetch got no answer (connection refused or closed, or lost to a network fault): the client backs
    /// off that broker (`reconnect.backoff.ms`, doubling up to `reconnect.backoff.max.ms`) and polls again.
    fn client_fetch_failed(&mut self, c: &mut Client<'_>, broker: BrokerId, fetch: FetchId) {
        let now = c.k.now;
        if !self.take_fetch(broker, fetch) {
            return;
        }
        let failures = self
            .fetch_backoff
            .iter()
            .find(|(at, _, _)| *at == broker)
            .map_or(0, |(_, _, failures)| *failures)
            + 1;
        self.fetch_backoff.retain(|(at, _, _)| *at != broker);
        let backoff =
            (RECONNECT_BACKOFF_US << (failures - 1).min(10)).min(RECONNECT_BACKOFF_MAX_US);
        self.fetch_backoff.push((broker, now + backoff, failures));
        if self.activity == Activity::Polling {
            self.wake(c, now + backoff, MemberEvent::Poll);
        }
    }

    /// The reset `auto.offset.reset` gave, as the trace names it.
    fn reset_reason(strategy: AutoOffsetReset) -> Reason {
        match strategy {
            AutoOffsetReset::Earliest => Reason::ResetEarliest,
            AutoOffsetReset::Latest => Reason::ResetLatest,
            // The application would get NoOffsetForPartitionException; the simulator reports it and
            // starts at the log start.
            AutoOffsetReset::None => Reason::ResetNone,
        }
    }

    /// A broker's FetchResponse: records go to the fetch buffer, resets and truncations move positions
    /// (KIP-320: a position past where the epoch of its last records ends on the new leader moves back
    /// there, "Truncation detected"; with `auto.offset.reset=none` the application gets a
    /// LogTruncationException, which the simulator reports, moving back the same way).
    pub(crate) fn consumer_fetch_response(
        &mut self,
        c: &mut Client<'_>,
        broker: BrokerId,
        fetch: FetchId,
        data: Vec<ConsumerFetched>,
    ) {
        let truncation = match c.config.auto_offset_reset {
            AutoOffsetReset::None => Reason::TruncationNone,
            _ => Reason::TruncationReset,
        };
        if !self.take_fetch(broker, fetch) {
            return;
        }
        self.fetch_backoff.retain(|(at, _, _)| *at != broker);
        let mut told: Vec<(Tp, u64, Option<u64>, Reason)> = Vec::new();
        for fetched in data {
            let tp = fetched.tp;
            if !self.assigned.contains(&tp) {
                continue;
            }
            let current = match fetched.from {
                FetchFrom::Offset(position) if self.fetch_positions.get(&tp) == Some(&position) => {
                    position
                }
                FetchFrom::Reset(strategy) if self.resets.contains(&tp) => {
                    let FetchOutcome::Records { first, .. } = fetched.outcome else {
                        continue;
                    };
                    self.resets.retain(|reset| *reset != tp);
                    self.fetch_positions.insert(tp, first);
                    self.positions.insert(tp, first);
                    self.buffer.retain(|(buffered, _, _)| *buffered != tp);
                    told.push((tp, first, None, Self::reset_reason(strategy)));
                    first
                }
                // An answer for a position the member has left since.
                _ => continue,
            };
            match fetched.outcome {
                FetchOutcome::Records {
                    first,
                    end,
                    last_epoch,
                } => {
                    if end > first && first == current {
                        self.fetch_positions.insert(tp, end);
                        self.buffer.push_back((tp, first, end));
                        self.fetched_epochs
                            .insert(tp, (last_epoch, fetched.leader_epoch));
                    } else if let Some(epochs) = self.fetched_epochs.get_mut(&tp) {
                        epochs.1 = fetched.leader_epoch;
                    }
                }
                FetchOutcome::OutOfRange => {
                    self.fetch_positions.remove(&tp);
                    self.resets.push(tp);
                }
                FetchOutcome::NotLeader => {}
                FetchOutcome::Diverging { end_offset } => {
                    if let Some(epochs) = self.fetched_epochs.get_mut(&tp) {
                        epochs.1 = fetched.leader_epoch;
                    }
                    self.fetch_positions.insert(tp, end_offset);
                    if self
                        .positions
                        .get(&tp)
                        .is_some_and(|consumed| *consumed > end_offset)
                    {
                        self.positions.insert(tp, end_offset);
                    }
                    // Fetched records at or past the diverging offset came from the truncated log.
                    self.buffer.retain_mut(|(buffered, first, end)| {
                        if *buffered == tp {
                            *end = (*end).min(end_offset);
                        }
                        *first < *end
                    });
                    told.push((tp, current, Some(end_offset), truncation.clone()));
                }
            }
        }
        let polling = self.activity == Activity::Polling;
        for (tp, offset, diverging, reason) in told {
            let (group_id, member_id) = c.names(self);
            let topic = c.topics[tp.topic].name.clone();
            c.k.emit(match diverging {
                None => EventKind::OffsetReset {
                    group: group_id,
                    member: member_id,
                    topic,
                    partition: tp.partition,
                    offset,
                    strategy: reason,
                },
                Some(diverging_offset) => EventKind::LogTruncationDetected {
                    group: group_id,
                    member: member_id,
                    topic,
                    partition: tp.partition,
                    position: offset,
                    diverging_offset,
                    strategy: reason,
                },
            });
        }
        if polling {
            self.poll(c);
        }
    }
}
