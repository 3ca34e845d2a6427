//! The consumer client of a group with the classic protocol: the poll loop with `max.poll.records` and
//! processing time, `max.poll.interval.ms`, the heartbeat thread, auto-commit or the application's own
//! commits, eager and cooperative rebalancing on the member's side, positions and their validation. The
//! group's state is `group.rs`; its coordinator is `broker::coordinator`.

use super::config::{AutoOffsetReset, ConsumerConfig, InputError};
use super::engine::Simulation;
use super::event::{EventKind, Reason, TopicPartitionPair};
use super::group::{Activity, Member, MemberStatus};
use super::ids::{BrokerId, Micros, Tp};
use super::network::{FlowKind, Node};
use super::protocol::{
    ConsumerFetchPartition, ConsumerFetchRequest, ConsumerFetched, CoordinatorEvent, Ev, FetchFrom,
    FetchOutcome, Lost, MemberEvent,
};
use super::scenario::CommitMode;

use super::protocol::CONSUMER_REQUEST_TIMEOUT_US;
/// The application's `poll(Duration)` timeout: with no records, `poll` returns empty after it and is
/// called again (100 ms, as in Kafka's examples).
const APP_POLL_TIMEOUT_US: Micros = 100_000;
/// `reconnect.backoff.ms` (50 ms) and `reconnect.backoff.max.ms` (1 s): how long the client waits before
/// connecting again to a broker whose connection failed, doubling with each failure.
const RECONNECT_BACKOFF_US: Micros = 50_000;
const RECONNECT_BACKOFF_MAX_US: Micros = 1_000_000;

pub(crate) fn pairs(sim: &Simulation, partitions: &[Tp]) -> Vec<TopicPartitionPair> {
    partitions
        .iter()
        .map(|tp| (sim.topics[tp.topic].name.clone(), tp.partition))
        .collect()
}

impl Simulation {
    pub(crate) fn add_member_quietly(
        &mut self,
        group: usize,
        id: &str,
        topics: Option<Vec<String>>,
    ) {
        let topics = topics.unwrap_or_else(|| self.groups[group].topics.clone());
        self.groups[group].members.push(Member::new(id, topics));
        let member = self.groups[group].members.len() - 1;
        self.start_member(group, member);
    }

    pub(crate) fn add_member(&mut self, group: usize, id: &str, topics: Option<Vec<String>>) {
        if let Some(topics) = &topics {
            for topic in topics {
                let t = self.topic_index(topic).expect("checked");
                for partition in 0..self.topics[t].partitions.len() as u32 {
                    let tp = Tp {
                        topic: t,
                        partition,
                    };
                    let hw = self.partition(tp).high_watermark();
                    self.group_ledgers[group].track(tp, hw);
                }
            }
        }
        let group_id = self.groups[group].id.clone();
        self.emit(EventKind::ConsumerAdded {
            group: group_id,
            member: id.to_string(),
        });
        self.add_member_quietly(group, id, topics);
        let spec = &mut self.scenario.scenario.groups[group];
        spec.members.push(super::scenario::MemberSpec {
            id: id.to_string(),
            topics: None,
            group_instance_id: None,
        });
    }

    pub(crate) fn member_ev(
        &mut self,
        group: usize,
        member: usize,
        at: Micros,
        event: MemberEvent,
    ) {
        let incarnation = self.groups[group].members[member].incarnation;
        self.process_ev((group, member, incarnation), at, event);
    }

    /// An event for one process of a member (`incarnation`): a later process ignores it.
    pub(crate) fn process_ev(
        &mut self,
        (group, member, incarnation): (usize, usize, u32),
        at: Micros,
        event: MemberEvent,
    ) {
        self.schedule(
            at,
            Ev::Member {
                group,
                member,
                incarnation,
                event,
            },
        );
    }

    pub(crate) fn send_to_coordinator(
        &mut self,
        group: usize,
        member: usize,
        kind: FlowKind,
        event: CoordinatorEvent,
    ) {
        let to = self.coordinator_node(group);
        let lost = event.sender().and_then(|(_, _, lost)| lost);
        let now = self.k.now;
        let g = &mut self.groups[group];
        let (known, epoch) = (g.coordinator.is_some(), g.coordinator_epoch);
        let m = &mut g.members[member];
        match lost {
            Some(Lost::Join) => m.join_sent_us = now,
            Some(Lost::Commit) => m.commit_sent_us = now,
            Some(Lost::OffsetFetch) | None => {}
        }
        if m.coordinator_unknown || !known {
            // `ensureCoordinatorReady`: nothing is sent until FindCoordinator finds one.
            return self.on_coordinator_error(group, member, Reason::CoordinatorNotAvailable, lost);
        }
        let sent = self.send(
            Node::Member { group, member },
            to,
            kind,
            0,
            Ev::Coordinator {
                group,
                epoch,
                event,
            },
        );
        if let (false, Some(lost)) = (sent, lost) {
            self.request_lost(group, member, lost);
        }
    }

    /// A JoinGroupRequest from the member's current process.
    pub(crate) fn send_join(&mut self, group: usize, member: usize) {
        let m = &self.groups[group].members[member];
        let (incarnation, member_id, group_instance_id) =
            (m.incarnation, m.member_id, m.group_instance_id.clone());
        self.send_to_coordinator(
            group,
            member,
            FlowKind::GroupProtocol,
            CoordinatorEvent::Join {
                member,
                incarnation,
                member_id,
                group_instance_id,
            },
        );
    }

    /// A request to the coordinator failed with NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE (or found its
    /// broker down): the client marks the coordinator unknown ("will attempt rediscovery") and looks it up
    /// (FindCoordinator, every `retry.backoff.ms`). A JoinGroup and a `commitSync` wait and are sent again
    /// once it is found; an async commit fails.
    pub(crate) fn on_coordinator_error(
        &mut self,
        group: usize,
        member: usize,
        error: Reason,
        lost: Option<Lost>,
    ) {
        let g = &mut self.groups[group];
        let (group_id, m) = (&g.id, &mut g.members[member]);
        let mut events = Vec::new();
        if !m.coordinator_unknown {
            m.coordinator_unknown = true;
            events.push(EventKind::CoordinatorUnavailable {
                group: group_id.clone(),
                member: m.id.clone(),
                error: error.clone(),
            });
        }
        match lost {
            Some(Lost::Join) => m.retry_join |= m.joining,
            Some(Lost::Commit) if m.activity == Activity::Committing => m.retry_commit = true,
            Some(Lost::Commit) => events.push(EventKind::CommitFailed {
                group: group_id.clone(),
                member: m.id.clone(),
                error,
            }),
            // Asked again once the coordinator is found.
            Some(Lost::OffsetFetch) => m.offset_fetch_sent = None,
            None => {}
        }
        let lookup = !m.lookup_pending;
        m.lookup_pending = true;
        for event in events {
            self.emit(event);
        }
        if lookup {
            self.look_up_coordinator(group, member);
        }
    }

    /// A FindCoordinator round trip, after `retry.backoff.ms`.
    fn look_up_coordinator(&mut self, group: usize, member: usize) {
        let round_trip = 2 * self.latency(
            Node::Member { group, member },
            Node::Broker {
                broker: BrokerId(1),
            },
        );
        // At least 1 ms: with retry.backoff.ms=0 and no latency a lookup must still take time.
        let backoff = (self.groups[group].config.retry_backoff_ms * 1000).max(1000);
        let at = self.k.now + backoff + round_trip;
        self.member_ev(group, member, at, MemberEvent::CoordinatorFound);
    }

    /// The FindCoordinatorResponse: the leader of the group's offsets partition. Found (and its broker
    /// up), the waiting JoinGroup and `commitSync` are sent again; otherwise the member looks again.
    fn coordinator_found(&mut self, group: usize, member: usize) {
        let coordinator = self.groups[group].coordinator;
        if !coordinator.is_some_and(|broker| self.broker(broker).alive) {
            return self.look_up_coordinator(group, member);
        }
        let m = &mut self.groups[group].members[member];
        m.lookup_pending = false;
        m.coordinator_unknown = false;
        let retry_join = std::mem::take(&mut m.retry_join) && m.joining;
        let retry_commit =
            std::mem::take(&mut m.retry_commit) && m.activity == Activity::Committing;
        if retry_join {
            self.send_join(group, member);
        }
        if retry_commit {
            self.send_commit(group, member, true);
        }
        // An OffsetFetch that failed is asked again by the next poll.
        let m = &self.groups[group].members[member];
        if m.activity == Activity::Polling && m.fetches.is_empty() {
            self.member_ev(group, member, self.k.now, MemberEvent::Poll);
        }
    }

    /// A request to the coordinator, or its answer, was lost to a network fault: the member's wait for it
    /// times out after `request.timeout.ms`.
    pub(crate) fn request_lost(&mut self, group: usize, member: usize, lost: Lost) {
        let m = &self.groups[group].members[member];
        let sent_us = match lost {
            Lost::Join => m.join_sent_us,
            Lost::Commit => m.commit_sent_us,
            Lost::OffsetFetch => m.offset_fetch_sent.unwrap_or(0),
        };
        self.member_ev(
            group,
            member,
            self.k.now + CONSUMER_REQUEST_TIMEOUT_US,
            MemberEvent::RequestTimedOut { lost, sent_us },
        );
    }

    /// `request.timeout.ms` ran out on a request lost to a network fault. A lost JoinGroup (or its
    /// SyncGroup answer) is sent again once the coordinator is found again; a lost commit fails, and a
    /// `commitSync` returns to the application.
    fn request_timed_out(&mut self, group: usize, member: usize, lost: Lost, sent_us: Micros) {
        let m = &self.groups[group].members[member];
        let (group_id, member_id) = (self.groups[group].id.clone(), m.id.clone());
        match lost {
            Lost::Join => {
                if !m.joining || m.pending_assignment.is_some() || m.join_sent_us != sent_us {
                    return;
                }
                self.emit(EventKind::CoordinatorRequestTimedOut {
                    group: group_id,
                    member: member_id,
                    request: "JoinGroup".into(),
                });
                self.send_join(group, member);
            }
            Lost::Commit => {
                let waiting = m.activity == Activity::Committing && m.commit_sent_us == sent_us;
                self.emit(EventKind::CommitFailed {
                    group: group_id,
                    member: member_id,
                    error: Reason::RequestTimeout,
                });
                if waiting {
                    self.after_commit_sync(group, member);
                }
            }
            Lost::OffsetFetch => {
                if m.offset_fetch_sent != Some(sent_us) {
                    return;
                }
                self.emit(EventKind::CoordinatorRequestTimedOut {
                    group: group_id,
                    member: member_id,
                    request: "OffsetFetch".into(),
                });
                let m = &mut self.groups[group].members[member];
                m.offset_fetch_sent = None;
                if m.activity == Activity::Polling {
                    self.poll(group, member);
                }
            }
        }
    }

    /// A member process starts (or restarts): a fresh client that joins the group.
    pub(crate) fn start_member(&mut self, group: usize, member: usize) {
        let now = self.k.now;
        let m = &mut self.groups[group].members[member];
        let topics = m.topics.clone();
        let instance = m.group_instance_id.take();
        *m = Member::new(&m.id, topics);
        let m = &mut self.groups[group].members[member];
        m.group_instance_id = instance;
        m.incarnation = m.incarnation.max(1);
        m.activity = Activity::Polling;
        m.last_poll_us = now;
        self.member_ev(group, member, now, MemberEvent::Poll);
        let interval = self.groups[group].config.heartbeat_interval_ms * 1000;
        self.member_ev(group, member, now + interval, MemberEvent::HeartbeatTick);
    }

    pub(crate) fn crash_member(&mut self, group: usize, member: usize) {
        let m = &mut self.groups[group].members[member];
        if m.status != MemberStatus::Running {
            return;
        }
        m.status = MemberStatus::Crashed;
        m.incarnation += 1;
        m.activity = Activity::Stopped;
        m.in_hand.clear();
        let member_id = m.id.clone();
        let group_id = self.groups[group].id.clone();
        self.emit(EventKind::ConsumerCrashed {
            group: group_id,
            member: member_id,
        });
    }

    pub(crate) fn leave_member(&mut self, group: usize, member: usize) {
        let m = &self.groups[group].members[member];
        if m.status != MemberStatus::Running {
            return;
        }
        let incarnation = m.incarnation;
        let in_group = m.generation.is_some() || m.joining;
        // close(): with auto-commit, commit consumed offsets synchronously, then LeaveGroup.
        if self.groups[group].config.enable_auto_commit {
            self.send_commit(group, member, false);
        }
        // `AbstractCoordinator.maybeLeaveGroup`: only dynamic members send LeaveGroup; the coordinator
        // removes a static member when its session expires.
        let dynamic = self.groups[group].members[member]
            .group_instance_id
            .is_none();
        let member_id = self.groups[group].members[member].member_id;
        if let (true, true, Some(member_id)) = (in_group, dynamic, member_id) {
            self.send_to_coordinator(
                group,
                member,
                FlowKind::GroupProtocol,
                CoordinatorEvent::Leave {
                    member,
                    incarnation,
                    member_id,
                    reason: Box::new(Reason::MemberClosed),
                },
            );
        }
        let m = &mut self.groups[group].members[member];
        m.status = MemberStatus::Left;
        m.incarnation += 1;
        m.activity = Activity::Stopped;
        m.in_hand.clear();
    }

    pub(crate) fn restart_member(&mut self, group: usize, member: usize) {
        if self.groups[group].members[member].status == MemberStatus::Running {
            return;
        }
        let incarnation = self.groups[group].members[member].incarnation + 1;
        // The coordinator's record of the previous process survives the client's restart.
        let held = std::mem::take(&mut self.groups[group].members[member].membership);
        self.start_member(group, member);
        let m = &mut self.groups[group].members[member];
        m.membership = held;
        m.incarnation = incarnation;
        // Re-issue the start events under the new incarnation.
        let now = self.k.now;
        self.member_ev(group, member, now, MemberEvent::Poll);
        let interval = self.groups[group].config.heartbeat_interval_ms * 1000;
        self.member_ev(group, member, now + interval, MemberEvent::HeartbeatTick);
        let (group_id, member_id) = self.member_names(group, member);
        self.emit(EventKind::ConsumerRestarted {
            group: group_id,
            member: member_id,
        });
    }

    pub(crate) fn stall_member(&mut self, group: usize, member: usize, ms: u64) {
        let now = self.k.now;
        let m = &mut self.groups[group].members[member];
        if m.status != MemberStatus::Running {
            return;
        }
        m.stalled_until_us = m.stalled_until_us.max(now) + ms * 1000;
        if let Activity::Processing { until_us } = m.activity {
            m.activity = Activity::Processing {
                until_us: until_us + ms * 1000,
            };
        }
        let member_id = m.id.clone();
        let group_id = self.groups[group].id.clone();
        self.emit(EventKind::ConsumerStalled {
            group: group_id,
            member: member_id,
            ms,
        });
    }

    pub(crate) fn set_group_config(
        &mut self,
        group: usize,
        name: String,
        value: String,
    ) -> Result<(), InputError> {
        let mut properties = self.scenario.scenario.groups[group].config.clone();
        properties.insert(name.clone(), value.clone());
        let id = self.groups[group].id.clone();
        let config = ConsumerConfig::parse(&format!("group {id}"), &properties)?;
        self.scenario.scenario.groups[group].config = properties;
        self.scenario.groups[group] = config.clone();
        let g = &mut self.groups[group];
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
        self.partition_mut(tp)
            .written_twice
            .retain(|(_, end)| *end > log_start_offset);
        for (group, ledger) in self.groups.iter().zip(&mut self.group_ledgers) {
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

    pub(crate) fn member_event(
        &mut self,
        group: usize,
        member: usize,
        incarnation: u32,
        event: MemberEvent,
    ) {
        let m = &self.groups[group].members[member];
        if m.incarnation != incarnation || m.status != MemberStatus::Running {
            return;
        }
        match event {
            MemberEvent::Poll => self.poll(group, member),
            MemberEvent::FetchResponse {
                broker,
                fetch,
                data,
            } => self.consumer_fetch_response(group, member, broker, fetch, data),
            MemberEvent::FetchFailed { broker, fetch } => {
                self.client_fetch_failed(group, member, broker, fetch)
            }
            MemberEvent::OffsetFetchResponse { offsets } => {
                self.offset_fetch_response(group, member, offsets)
            }
            MemberEvent::ProcessingDone { batch } => self.processing_done(group, member, batch),
            MemberEvent::HeartbeatTick => self.heartbeat_tick(group, member),
            MemberEvent::PollReturned => {
                let now = self.k.now;
                let m = &mut self.groups[group].members[member];
                if m.poll_timer_at == Some(now) {
                    m.poll_timer_at = None;
                }
                if m.activity == Activity::Polling {
                    if now >= m.last_poll_us + APP_POLL_TIMEOUT_US {
                        self.poll(group, member);
                    } else {
                        let at = m.last_poll_us + APP_POLL_TIMEOUT_US;
                        self.arm_poll_timer(group, member, at);
                    }
                }
            }
            MemberEvent::PollTimeoutCheck => {
                if self.poll_timeout_expired(group, member) {
                    self.leave_on_poll_timeout(group, member);
                }
            }
            MemberEvent::HeartbeatResponse {
                rebalance_in_progress,
                unknown_member,
            } => {
                // `HeartbeatResponseHandler`: REBALANCE_IN_PROGRESS is acted on only by a member that is
                // Stable when the answer arrives; one already rejoining ignores it.
                let m = &mut self.groups[group].members[member];
                if m.generation.is_some()
                    && ((rebalance_in_progress && !m.joining) || unknown_member)
                {
                    m.rejoin_needed = true;
                    if unknown_member {
                        // UNKNOWN_MEMBER_ID: it forgets its generation and member id, and joins anew.
                        m.generation = None;
                        m.member_id = None;
                    }
                }
            }
            MemberEvent::MemberIdRequired { member_id } => {
                let m = &mut self.groups[group].members[member];
                if m.joining && m.member_id.is_none() {
                    m.member_id = Some(member_id);
                    self.send_join(group, member);
                }
            }
            MemberEvent::Assignment {
                member_id,
                generation,
                partitions,
                leader,
            } => {
                let m = &mut self.groups[group].members[member];
                if m.joining {
                    m.member_id = Some(member_id);
                    m.pending_assignment = Some((generation, partitions, leader));
                    if m.activity == Activity::Polling && m.fetches.is_empty() {
                        self.member_ev(group, member, self.k.now, MemberEvent::Poll);
                    }
                }
            }
            MemberEvent::CoordinatorError { error, lost } => {
                self.on_coordinator_error(group, member, error, lost)
            }
            MemberEvent::CoordinatorFound => self.coordinator_found(group, member),
            MemberEvent::RequestTimedOut { lost, sent_us } => {
                self.request_timed_out(group, member, lost, sent_us)
            }
            MemberEvent::CommitResponse { sync, error } => {
                if let Some(error) = error {
                    let (group_id, member_id) = self.member_names(group, member);
                    self.emit(EventKind::CommitFailed {
                        group: group_id,
                        member: member_id,
                        error,
                    });
                }
                if sync && self.groups[group].members[member].activity == Activity::Committing {
                    self.after_commit_sync(group, member);
                }
            }
        }
    }

    /// `KafkaConsumer.poll()`: rebalance work first (it runs on the polling thread), then auto-commit,
    /// then records from the fetch buffer, fetching when it is empty.
    pub(crate) fn poll(&mut self, group: usize, member: usize) {
        let now = self.k.now;
        let m = &self.groups[group].members[member];
        if m.stalled_until_us > now {
            let at = m.stalled_until_us;
            return self.member_ev(group, member, at, MemberEvent::Poll);
        }
        if matches!(
            m.activity,
            Activity::Processing { .. } | Activity::Committing
        ) {
            return;
        }
        self.groups[group].members[member].last_poll_us = now;
        self.groups[group].members[member].activity = Activity::Polling;
        if let Some((generation, partitions, leader)) =
            self.groups[group].members[member].pending_assignment.take()
        {
            self.groups[group].members[member].leader = leader;
            self.on_join_complete(group, member, generation, partitions);
        }
        let m = &self.groups[group].members[member];
        if !m.joining && (m.generation.is_none() || m.rejoin_needed) {
            self.on_join_prepare(group, member);
        }
        let g = &self.groups[group];
        let m = &g.members[member];
        if g.config.enable_auto_commit
            && m.generation.is_some()
            && now >= m.next_auto_commit_us
            && !m.positions.is_empty()
        {
            let interval = g.config.auto_commit_interval_ms * 1000;
            self.send_commit(group, member, false);
            self.groups[group].members[member].next_auto_commit_us = now + interval;
        }
        let max_records = self.groups[group].config.max_poll_records;
        let m = &mut self.groups[group].members[member];
        // The records taken become the records in hand; the list reuses the last batch's allocation.
        let mut taken = if m.in_hand.is_empty() {
            std::mem::take(&mut m.in_hand)
        } else {
            Vec::new()
        };
        let mut count = 0;
        while count < max_records {
            let Some((tp, first, end)) = m.buffer.pop_front() else {
                break;
            };
            let take = (end - first).min(max_records - count);
            taken.push((tp, first, first + take));
            if first + take < end {
                m.buffer.push_front((tp, first + take, end));
            }
            count += take;
            m.positions.insert(tp, first + take);
        }
        if taken.is_empty() {
            if m.in_hand.is_empty() {
                m.in_hand = taken;
            }
            if m.assigned.is_empty() {
                if m.fetches.is_empty() {
                    // Nothing assigned: the application's poll(Duration) returns empty and is called again.
                    return self.member_ev(group, member, now + 100_000, MemberEvent::Poll);
                }
                return;
            }
            self.send_fetches(group, member);
            // No records yet: `poll(Duration)` returns empty after its timeout and is called again.
            return self.arm_poll_timer(group, member, now + APP_POLL_TIMEOUT_US);
        }
        if self.k.record_events {
            let (group_id, member_id) = self.member_names(group, member);
            self.emit(EventKind::RecordsPolled {
                group: group_id,
                member: member_id,
                records: count as u32,
            });
        }
        if self.groups[group].members[member].buffer.is_empty() {
            // The fetcher pipelines: the next fetches go out while the application processes.
            self.send_fetches(group, member);
        }
        let commit_first = self.groups[group].commit_mode == Some(CommitMode::SyncBeforeProcessing);
        if commit_first {
            self.send_commit(group, member, false);
        }
        let g = &mut self.groups[group];
        let duration = g.processing_us_per_record * count;
        let m = &mut g.members[member];
        m.batch += 1;
        m.in_hand = taken;
        let until_us = now + duration;
        m.activity = Activity::Processing { until_us };
        let batch = m.batch;
        self.member_ev(
            group,
            member,
            until_us,
            MemberEvent::ProcessingDone { batch },
        );
    }

    pub(crate) fn processing_done(&mut self, group: usize, member: usize, batch: u64) {
        let now = self.k.now;
        let m = &self.groups[group].members[member];
        if m.batch != batch {
            return;
        }
        if let Activity::Processing { until_us } = m.activity {
            if until_us > now {
                // A stall extended the processing.
                return self.member_ev(
                    group,
                    member,
                    until_us,
                    MemberEvent::ProcessingDone { batch },
                );
            }
        }
        let mut in_hand = std::mem::take(&mut self.groups[group].members[member].in_hand);
        for (tp, first, end) in &in_hand {
            if self.k.record_events {
                let (group_id, member_id) = self.member_names(group, member);
                let topic = self.topics[tp.topic].name.clone();
                self.emit(EventKind::RecordsProcessed {
                    group: group_id,
                    member: member_id,
                    topic,
                    partition: tp.partition,
                    first_offset: *first,
                    last_offset: end - 1,
                });
            }
        }
        let m = &mut self.groups[group].members[member];
        m.records_processed += in_hand
            .iter()
            .map(|(_, first, end)| end - first)
            .sum::<u64>();
        m.processed.extend_from_slice(&in_hand);
        in_hand.clear();
        if m.in_hand.is_empty() {
            m.in_hand = in_hand;
        }
        m.activity = Activity::Polling;
        match self.groups[group].commit_mode {
            Some(CommitMode::SyncAfterProcessing) => {
                self.send_commit(group, member, true);
            }
            Some(CommitMode::AsyncAfterProcessing) => {
                self.send_commit(group, member, false);
                self.poll(group, member);
            }
            _ => self.poll(group, member),
        }
    }

    pub(crate) fn after_commit_sync(&mut self, group: usize, member: usize) {
        self.groups[group].members[member].activity = Activity::Polling;
        self.member_ev(group, member, self.k.now, MemberEvent::Poll);
    }

    /// Commits the consumed positions. `sync` blocks the application until the response.
    pub(crate) fn send_commit(&mut self, group: usize, member: usize, sync: bool) {
        let m = &self.groups[group].members[member];
        let offsets: Vec<(Tp, u64)> = m
            .positions
            .iter()
            .filter(|(tp, _)| m.assigned.contains(tp))
            .map(|(tp, offset)| (*tp, *offset))
            .collect();
        let Some(generation) = m.generation else {
            let (group_id, member_id) = (self.groups[group].id.clone(), m.id.clone());
            self.emit(EventKind::CommitFailed {
                group: group_id,
                member: member_id,
                error: Reason::CommitNotMember,
            });
            if sync {
                self.member_ev(group, member, self.k.now, MemberEvent::Poll);
            }
            return;
        };
        if offsets.is_empty() {
            if sync {
                self.member_ev(group, member, self.k.now, MemberEvent::Poll);
            }
            return;
        }
        let (incarnation, member_id) = (m.incarnation, m.member_id);
        if sync {
            self.groups[group].members[member].activity = Activity::Committing;
        }
        self.send_to_coordinator(
            group,
            member,
            FlowKind::Commit,
            CoordinatorEvent::Commit {
                member,
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
    pub(crate) fn on_join_prepare(&mut self, group: usize, member: usize) {
        let cooperative = self.groups[group].cooperative();
        let lost = self.groups[group].members[member].generation.is_none();
        let (group_id, member_id) = self.member_names(group, member);
        if lost {
            let assigned = std::mem::take(&mut self.groups[group].members[member].assigned);
            if !assigned.is_empty() {
                let partitions = pairs(self, &assigned);
                self.emit(EventKind::PartitionsLost {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    partitions,
                });
            }
            self.clear_positions(group, member, None);
        } else {
            if self.groups[group].config.enable_auto_commit {
                self.send_commit(group, member, false);
            }
            if !cooperative {
                let assigned = std::mem::take(&mut self.groups[group].members[member].assigned);
                if !assigned.is_empty() {
                    let partitions = pairs(self, &assigned);
                    self.emit(EventKind::PartitionsRevoked {
                        group: group_id.clone(),
                        member: member_id.clone(),
                        partitions,
                    });
                }
                self.clear_positions(group, member, None);
            }
        }
        let reason = if lost {
            Reason::Joining
        } else {
            Reason::Rejoining
        };
        self.emit(EventKind::ConsumerJoining {
            group: group_id,
            member: member_id,
            reason,
        });
        let m = &mut self.groups[group].members[member];
        m.joining = true;
        m.rejoin_needed = false;
        self.send_join(group, member);
    }

    pub(crate) fn clear_positions(&mut self, group: usize, member: usize, only: Option<&[Tp]>) {
        let m = &mut self.groups[group].members[member];
        match only {
            None => {
                m.positions.clear();
                m.fetch_positions.clear();
                m.buffer.clear();
                m.resets.clear();
            }
            Some(partitions) => {
                m.positions.retain(|tp, _| !partitions.contains(tp));
                m.fetch_positions.retain(|tp, _| !partitions.contains(tp));
                m.buffer.retain(|(tp, _, _)| !partitions.contains(tp));
                m.resets.retain(|tp| !partitions.contains(tp));
            }
        }
    }

    /// `ConsumerCoordinator.onJoinComplete`: take the new assignment; cooperative members revoke what
    /// moved away and rejoin.
    pub(crate) fn on_join_complete(
        &mut self,
        group: usize,
        member: usize,
        generation: i32,
        partitions: Vec<Tp>,
    ) {
        let cooperative = self.groups[group].cooperative();
        let (group_id, member_id) = self.member_names(group, member);
        let owned = self.groups[group].members[member].assigned.clone();
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
            if self.groups[group].config.enable_auto_commit {
                self.send_commit(group, member, false);
            }
            let list = pairs(self, &revoked);
            self.emit(EventKind::PartitionsRevoked {
                group: group_id.clone(),
                member: member_id.clone(),
                partitions: list,
            });
            self.clear_positions(group, member, Some(&revoked));
        }
        let shown = if cooperative {
            added.clone()
        } else {
            partitions.clone()
        };
        let list = pairs(self, &shown);
        self.emit(EventKind::PartitionsAssigned {
            group: group_id,
            member: member_id,
            partitions: list,
        });
        let interval = self.groups[group].config.auto_commit_interval_ms * 1000;
        let now = self.k.now;
        let m = &mut self.groups[group].members[member];
        m.generation = Some(generation);
        m.joining = false;
        m.assigned = partitions;
        m.next_auto_commit_us = now + interval;
        if cooperative && !revoked.is_empty() {
            m.rejoin_needed = true;
        }
    }

    /// `Heartbeat.pollTimeoutExpired`: in a generation, not rejoining, and no poll for longer than
    /// `max.poll.interval.ms`.
    pub(crate) fn poll_timeout_expired(&self, group: usize, member: usize) -> bool {
        let m = &self.groups[group].members[member];
        let limit = self.groups[group].config.max_poll_interval_ms * 1000;
        m.generation.is_some() && !m.joining && self.k.now.saturating_sub(m.last_poll_us) > limit
    }

    /// The heartbeat thread notices: "consumer poll timeout has expired" → LeaveGroup.
    pub(crate) fn leave_on_poll_timeout(&mut self, group: usize, member: usize) {
        let m = &self.groups[group].members[member];
        let incarnation = m.incarnation;
        let since = (self.k.now - m.last_poll_us) / 1000;
        let (group_id, member_id) = (self.groups[group].id.clone(), m.id.clone());
        self.emit(EventKind::PollTimeoutExpired {
            group: group_id,
            member: member_id,
            since_last_poll_ms: since,
        });
        // A static member sends no LeaveGroup (`maybeLeaveGroup`): it is removed after session.timeout.ms.
        // A dynamic one leaves, and forgets its member id.
        let m = &self.groups[group].members[member];
        if let (None, Some(member_id)) = (&m.group_instance_id, m.member_id) {
            self.send_to_coordinator(
                group,
                member,
                FlowKind::GroupProtocol,
                CoordinatorEvent::Leave {
                    member,
                    incarnation,
                    member_id,
                    reason: Box::new(Reason::PollTimeoutExpired),
                },
            );
            self.groups[group].members[member].member_id = None;
        }
        self.groups[group].members[member].generation = None;
    }

    /// `AbstractCoordinator.HeartbeatThread.run`: a heartbeat every `heartbeat.interval.ms`; between
    /// heartbeats the thread wakes every `retry.backoff.ms` and checks the poll timeout, so it leaves the
    /// group at most that long after `max.poll.interval.ms` has passed.
    pub(crate) fn heartbeat_tick(&mut self, group: usize, member: usize) {
        let now = self.k.now;
        let config = self.groups[group].config.clone();
        let m = &self.groups[group].members[member];
        let incarnation = m.incarnation;
        if self.poll_timeout_expired(group, member) {
            self.leave_on_poll_timeout(group, member);
        } else if let (true, Some(member_id)) = (m.generation.is_some() || m.joining, m.member_id) {
            self.send_to_coordinator(
                group,
                member,
                FlowKind::Heartbeat,
                CoordinatorEvent::Heartbeat {
                    member,
                    incarnation,
                    member_id,
                },
            );
        }
        let next_heartbeat = now + config.heartbeat_interval_ms * 1000;
        self.member_ev(group, member, next_heartbeat, MemberEvent::HeartbeatTick);
        let m = &self.groups[group].members[member];
        if m.generation.is_some() && !m.joining {
            // The first wake-up after the poll deadline, if it comes before the next heartbeat.
            let deadline = m.last_poll_us + config.max_poll_interval_ms * 1000;
            let backoff = config.retry_backoff_ms * 1000;
            let wake = now + (deadline.saturating_sub(now) / backoff + 1) * backoff;
            if wake < next_heartbeat {
                self.member_ev(group, member, wake, MemberEvent::PollTimeoutCheck);
            }
        }
    }

    /// A topic got new partitions: each group's leader notices in its metadata and rejoins, so that the
    /// new partitions are assigned (`ConsumerCoordinator.rejoinNeededOrPending`).
    pub(crate) fn partitions_changed_for_clients(&mut self, topic: usize) {
        let name = &self.topics[topic].name;
        for g in &mut self.groups {
            if !g.subscribes(name) {
                continue;
            }
            for m in &mut g.members {
                if m.status == MemberStatus::Running && m.leader && m.generation.is_some() {
                    m.rejoin_needed = true;
                }
            }
        }
    }

    // ---- consumer fetches ----

    /// `Fetcher.sendFetches`, after `updateFetchPositions`: partitions with no position ask the
    /// coordinator for their committed offsets (OffsetFetch); then one FetchRequest goes to each leader
    /// (as the client's metadata names it) that has no fetch of this member on its way and is not in its
    /// reconnect backoff, for the partitions with nothing buffered.
    pub(crate) fn send_fetches(&mut self, group: usize, member: usize) {
        let now = self.k.now;
        let g = &mut self.groups[group];
        let (config, m) = (&g.config, &mut g.members[member]);
        let unpositioned = |tp: &&Tp| !m.fetch_positions.contains_key(tp) && !m.resets.contains(tp);
        let unpositioned: Vec<Tp> =
            if m.offset_fetch_sent.is_none() && m.assigned.iter().any(|tp| unpositioned(&tp)) {
                m.assigned.iter().filter(unpositioned).copied().collect()
            } else {
                Vec::new()
            };
        let mut requests: Vec<(BrokerId, Vec<ConsumerFetchPartition>)> = Vec::new();
        for &tp in &m.assigned {
            let partition = &self.topics[tp.topic].partitions[tp.partition as usize];
            let Some(leader) = partition.leader else {
                continue;
            };
            if m.fetches.iter().any(|(broker, _)| *broker == leader)
                || m.fetch_backoff
                    .iter()
                    .any(|(broker, until, _)| *broker == leader && *until > now)
                || m.buffer.iter().any(|(buffered, _, _)| *buffered == tp)
            {
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
            let entry = ConsumerFetchPartition { tp, from, validate };
            match requests.iter_mut().find(|(broker, _)| *broker == leader) {
                Some((_, partitions)) => partitions.push(entry),
                None => requests.push((leader, vec![entry])),
            }
        }
        let (max_wait_us, max_bytes, partition_max_bytes) = (
            config.fetch_max_wait_ms * 1000,
            config.fetch_max_bytes,
            config.max_partition_fetch_bytes,
        );
        let incarnation = m.incarnation;
        if !unpositioned.is_empty() {
            self.send_offset_fetch(group, member, unpositioned);
        }
        for (broker, partitions) in requests {
            let fetch = self.k.next_request();
            self.groups[group].members[member]
                .fetches
                .push((broker, fetch));
            let request = Box::new(ConsumerFetchRequest {
                group,
                member,
                incarnation,
                fetch,
                sent_us: now,
                max_wait_us,
                max_bytes,
                partition_max_bytes,
                partitions,
            });
            let sent = self.send(
                Node::Member { group, member },
                Node::Broker { broker },
                FlowKind::ConsumerFetch,
                0,
                Ev::ConsumerFetch { broker, request },
            );
            if !sent {
                // Lost to a network fault: the client's request.timeout.ms runs out.
                let at = now + CONSUMER_REQUEST_TIMEOUT_US;
                self.fetch_failed(broker, (group, member, incarnation, fetch), at);
            }
        }
    }

    /// An OffsetFetchRequest for the partitions with no position.
    fn send_offset_fetch(&mut self, group: usize, member: usize, partitions: Vec<Tp>) {
        let m = &mut self.groups[group].members[member];
        m.offset_fetch_sent = Some(self.k.now);
        let incarnation = m.incarnation;
        self.send_to_coordinator(
            group,
            member,
            FlowKind::GroupProtocol,
            CoordinatorEvent::OffsetFetch {
                member,
                incarnation,
                partitions,
            },
        );
    }

    /// The OffsetFetchResponse: a partition with a committed offset starts there; one without is reset
    /// (`auto.offset.reset`) by its next fetch.
    fn offset_fetch_response(
        &mut self,
        group: usize,
        member: usize,
        offsets: Vec<(Tp, Option<u64>)>,
    ) {
        let m = &mut self.groups[group].members[member];
        if m.offset_fetch_sent.take().is_none() {
            return;
        }
        for (tp, committed) in offsets {
            if !m.assigned.contains(&tp)
                || m.fetch_positions.contains_key(&tp)
                || m.resets.contains(&tp)
            {
                continue;
            }
            match committed {
                Some(offset) => {
                    m.fetch_positions.insert(tp, offset);
                    m.positions.insert(tp, offset);
                    m.buffer.retain(|(buffered, _, _)| *buffered != tp);
                }
                None => m.resets.push(tp),
            }
        }
        if m.activity == Activity::Polling {
            self.poll(group, member);
        }
    }

    /// Keeps the poll loop's one wake-up set no later than `at`.
    fn arm_poll_timer(&mut self, group: usize, member: usize, at: Micros) {
        let m = &mut self.groups[group].members[member];
        if m.poll_timer_at.is_none_or(|armed| armed > at) {
            m.poll_timer_at = Some(at);
            self.member_ev(group, member, at, MemberEvent::PollReturned);
        }
    }

    /// A fetch got no answer (connection refused or closed, or lost to a network fault): the client backs
    /// off that broker (`reconnect.backoff.ms`, doubling up to `reconnect.backoff.max.ms`) and polls again.
    fn client_fetch_failed(&mut self, group: usize, member: usize, broker: BrokerId, fetch: u64) {
        let now = self.k.now;
        let m = &mut self.groups[group].members[member];
        let Some(index) = m.fetches.iter().position(|sent| *sent == (broker, fetch)) else {
            return;
        };
        m.fetches.remove(index);
        let failures = m
            .fetch_backoff
            .iter()
            .find(|(at, _, _)| *at == broker)
            .map_or(0, |(_, _, failures)| *failures)
            + 1;
        m.fetch_backoff.retain(|(at, _, _)| *at != broker);
        let backoff =
            (RECONNECT_BACKOFF_US << (failures - 1).min(10)).min(RECONNECT_BACKOFF_MAX_US);
        m.fetch_backoff.push((broker, now + backoff, failures));
        if m.activity == Activity::Polling {
            self.member_ev(group, member, now + backoff, MemberEvent::Poll);
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

    /// A member's group id and member id, for events.
    pub(crate) fn member_names(&self, group: usize, member: usize) -> (String, String) {
        let g = &self.groups[group];
        (g.id.clone(), g.members[member].id.clone())
    }

    /// A broker's FetchResponse: records go to the fetch buffer, resets and truncations move positions
    /// (KIP-320: a position past where the epoch of its last records ends on the new leader moves back
    /// there, "Truncation detected"; with `auto.offset.reset=none` the application gets a
    /// LogTruncationException, which the simulator reports, moving back the same way).
    pub(crate) fn consumer_fetch_response(
        &mut self,
        group: usize,
        member: usize,
        broker: BrokerId,
        fetch: u64,
        data: Vec<ConsumerFetched>,
    ) {
        let truncation = match self.groups[group].config.auto_offset_reset {
            AutoOffsetReset::None => Reason::TruncationNone,
            _ => Reason::TruncationReset,
        };
        let m = &mut self.groups[group].members[member];
        let Some(index) = m.fetches.iter().position(|sent| *sent == (broker, fetch)) else {
            return;
        };
        m.fetches.remove(index);
        m.fetch_backoff.retain(|(at, _, _)| *at != broker);
        let mut told: Vec<(Tp, u64, Option<u64>, Reason)> = Vec::new();
        for fetched in data {
            let tp = fetched.tp;
            if !m.assigned.contains(&tp) {
                continue;
            }
            let current = match fetched.from {
                FetchFrom::Offset(position) if m.fetch_positions.get(&tp) == Some(&position) => {
                    position
                }
                FetchFrom::Reset(strategy) if m.resets.contains(&tp) => {
                    let FetchOutcome::Records { first, .. } = fetched.outcome else {
                        continue;
                    };
                    m.resets.retain(|reset| *reset != tp);
                    m.fetch_positions.insert(tp, first);
                    m.positions.insert(tp, first);
                    m.buffer.retain(|(buffered, _, _)| *buffered != tp);
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
                        m.fetch_positions.insert(tp, end);
                        m.buffer.push_back((tp, first, end));
                        m.fetched_epochs
                            .insert(tp, (last_epoch, fetched.leader_epoch));
                    } else if let Some(epochs) = m.fetched_epochs.get_mut(&tp) {
                        epochs.1 = fetched.leader_epoch;
                    }
                }
                FetchOutcome::OutOfRange => {
                    m.fetch_positions.remove(&tp);
                    m.resets.push(tp);
                }
                FetchOutcome::NotLeader => {}
                FetchOutcome::Diverging { end_offset } => {
                    if let Some(epochs) = m.fetched_epochs.get_mut(&tp) {
                        epochs.1 = fetched.leader_epoch;
                    }
                    m.fetch_positions.insert(tp, end_offset);
                    if m.positions
                        .get(&tp)
                        .is_some_and(|consumed| *consumed > end_offset)
                    {
                        m.positions.insert(tp, end_offset);
                    }
                    // Fetched records at or past the diverging offset came from the truncated log.
                    m.buffer.retain_mut(|(buffered, first, end)| {
                        if *buffered == tp {
                            *end = (*end).min(end_offset);
                        }
                        *first < *end
                    });
                    told.push((tp, current, Some(end_offset), truncation.clone()));
                }
            }
        }
        let polling = m.activity == Activity::Polling;
        for (tp, offset, diverging, reason) in told {
            let (group_id, member_id) = self.member_names(group, member);
            let topic = self.topics[tp.topic].name.clone();
            self.emit(match diverging {
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
            self.poll(group, member);
        }
    }

    // ---- the group coordinator ----
}
