//! The consumer client of a group with the classic protocol: the poll loop with `max.poll.records` and
//! processing time, `max.poll.interval.ms`, the heartbeat thread, auto-commit or the application's own
//! commits, eager and cooperative rebalancing on the member's side, positions and their validation. The
//! group's state is `group.rs`; its coordinator is `broker::coordinator`.

use super::accounting::{Delivery, DeliveryCounts};
use super::config::{AutoOffsetReset, ConsumerConfig, InputError};
use super::engine::Simulation;
use super::event::{EventKind, Reason, TopicPartitionPair};
use super::group::{Activity, Group, Member, MemberStatus};
use super::ids::{BrokerId, Micros, Tp};
use super::network::{FlowKind, Node};
use super::protocol::{CoordinatorEvent, Ev, Lost, MemberEvent};
use super::scenario::{CommitMode, MAX_BROKERS};

/// The consumer's `request.timeout.ms` (30 s, `ConsumerConfig`): how long it waits for an answer from the
/// coordinator. Only a network fault makes it wait that long.
const CONSUMER_REQUEST_TIMEOUT_US: Micros = 30_000_000;

/// The group's delivery accounting, against each partition's high watermark.
impl Group {
    pub fn delivery_counts(&self, sim: &Simulation) -> DeliveryCounts {
        let mut counts = DeliveryCounts::default();
        for (tp, delivery) in &self.delivery {
            counts += delivery.report(sim.partition(*tp).high_watermark());
        }
        counts
    }
}

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
                    self.groups[group]
                        .delivery
                        .entry(tp)
                        .or_insert_with(|| Delivery::starting_at(hw));
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
        let lost = event.sender().and_then(|(_, lost)| lost);
        let now = self.k.now;
        let g = &mut self.groups[group];
        let (known, epoch) = (g.coordinator.is_some(), g.coordinator_epoch);
        let m = &mut g.members[member];
        match lost {
            Some(Lost::Join) => m.join_sent_us = now,
            Some(Lost::Commit) => m.commit_sent_us = now,
            None => {}
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
        let incarnation = self.groups[group].members[member].incarnation;
        self.send_to_coordinator(
            group,
            member,
            FlowKind::GroupProtocol,
            CoordinatorEvent::Join {
                member,
                incarnation,
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
    }

    /// A request to the coordinator, or its answer, was lost to a network fault: the member's wait for it
    /// times out after `request.timeout.ms`.
    pub(crate) fn request_lost(&mut self, group: usize, member: usize, lost: Lost) {
        let m = &self.groups[group].members[member];
        let sent_us = match lost {
            Lost::Join => m.join_sent_us,
            Lost::Commit => m.commit_sent_us,
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
        if in_group && dynamic {
            self.send_to_coordinator(
                group,
                member,
                FlowKind::GroupProtocol,
                CoordinatorEvent::Leave {
                    member,
                    incarnation,
                    reason: Reason::MemberClosed,
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
        for group in &mut self.groups {
            let held = group
                .members
                .iter()
                .filter(|m| m.status == MemberStatus::Running)
                .flat_map(|m| m.buffer.iter().chain(&m.in_hand))
                .filter(|(held, _, _)| *held == tp)
                .map(|(_, first, _)| *first)
                .min();
            if let Some(delivery) = group.delivery.get_mut(&tp) {
                delivery
                    .settle_below(held.map_or(log_start_offset, |held| held.min(log_start_offset)));
            }
        }
    }

    pub(crate) fn records_lost_for_groups(&mut self, tp: Tp, base_offset: u64, end_offset: u64) {
        for group in &mut self.groups {
            if let Some(delivery) = group.delivery.get_mut(&tp) {
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
            MemberEvent::FetchArrive { fetch } => self.consumer_fetch_arrive(group, member, fetch),
            MemberEvent::FetchWaitExpired => {
                let now = self.k.now;
                let m = &mut self.groups[group].members[member];
                if m.wait_timer_at == Some(now) {
                    m.wait_timer_at = None;
                }
                if m.fetch.is_some() && m.fetch_parked {
                    if m.fetch_deadline <= now {
                        self.answer_parked_consumer_fetch(group, member, incarnation);
                    } else if m.wait_timer_at.is_none() {
                        let deadline = m.fetch_deadline;
                        m.wait_timer_at = Some(deadline);
                        self.member_ev(group, member, deadline, MemberEvent::FetchWaitExpired);
                    }
                }
            }
            MemberEvent::FetchResponse { fetch, data } => {
                self.consumer_fetch_response(group, member, fetch, data)
            }
            MemberEvent::ProcessingDone { batch } => self.processing_done(group, member, batch),
            MemberEvent::HeartbeatTick => self.heartbeat_tick(group, member),
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
                        m.generation = None;
                    }
                }
            }
            MemberEvent::Assignment {
                generation,
                partitions,
            } => {
                let m = &mut self.groups[group].members[member];
                if m.joining {
                    m.pending_assignment = Some((generation, partitions));
                    if m.activity == Activity::Polling && m.fetch.is_none() {
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
        if let Some((generation, partitions)) =
            self.groups[group].members[member].pending_assignment.take()
        {
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
            if m.fetch.is_none() {
                if m.assigned.is_empty() {
                    // Nothing assigned: the application's poll(Duration) returns empty and is called again.
                    return self.member_ev(group, member, now + 100_000, MemberEvent::Poll);
                }
                self.send_consumer_fetch(group, member);
            }
            return;
        }
        if self.k.record_events {
            let (group_id, member_id) = self.member_names(group, member);
            self.emit(EventKind::RecordsPolled {
                group: group_id,
                member: member_id,
                records: count as u32,
            });
        }
        if self.groups[group].members[member].buffer.is_empty()
            && self.groups[group].members[member].fetch.is_none()
        {
            // The fetcher pipelines: the next fetch goes out while the application processes.
            self.send_consumer_fetch(group, member);
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
            // End-to-end latency: the first and last records' creation times, averaged over the range.
            let created = self
                .leader_log(*tp)
                .and_then(|log| Some((log.created_us_at(*first)?, log.created_us_at(end - 1)?)));
            let g = &mut self.groups[group];
            if let Some((oldest, newest)) = created {
                let average = now.saturating_sub(oldest) / 2 + now.saturating_sub(newest) / 2;
                g.latency_sum_us += average * (end - first);
                g.latency_records += end - first;
            }
            if let Some(delivery) = g.delivery.get_mut(tp) {
                delivery.mark_processed(*first, *end);
            }
            // Records the producer wrote twice: each copy is processed as a record of its own.
            let twice: u64 = self
                .partition(*tp)
                .written_twice
                .iter()
                .map(|(a, b)| (*b).min(*end).saturating_sub((*a).max(*first)))
                .sum();
            let g = &mut self.groups[group];
            g.producer_duplicates_processed += twice;
            g.members[member].records_processed += end - first;
        }
        in_hand.clear();
        let m = &mut self.groups[group].members[member];
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
        let incarnation = m.incarnation;
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
            }
            Some(partitions) => {
                m.positions.retain(|tp, _| !partitions.contains(tp));
                m.fetch_positions.retain(|tp, _| !partitions.contains(tp));
                m.buffer.retain(|(tp, _, _)| !partitions.contains(tp));
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
        if self.groups[group].members[member]
            .group_instance_id
            .is_none()
        {
            self.send_to_coordinator(
                group,
                member,
                FlowKind::GroupProtocol,
                CoordinatorEvent::Leave {
                    member,
                    incarnation,
                    reason: Reason::PollTimeoutExpired,
                },
            );
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
        } else if m.generation.is_some() || m.joining {
            self.send_to_coordinator(
                group,
                member,
                FlowKind::Heartbeat,
                CoordinatorEvent::Heartbeat {
                    member,
                    incarnation,
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

    // ---- consumer fetches ----

    pub(crate) fn send_consumer_fetch(&mut self, group: usize, member: usize) {
        let fetch = self.k.next_request();
        let m = &mut self.groups[group].members[member];
        m.fetch = Some(fetch);
        m.fetch_parked = false;
        let latency = self.latency(
            Node::Member { group, member },
            Node::Broker {
                broker: BrokerId(1),
            },
        );
        if self.records_flows() {
            // One request drawn to each broker that leads an assigned partition.
            let mut per_leader = [None; MAX_BROKERS as usize + 1];
            for tp in &self.groups[group].members[member].assigned {
                if let Some(leader) = self.partition(*tp).leader {
                    per_leader[leader.get() as usize] = Some(0);
                }
            }
            self.draw_fetch_flows(group, member, FlowKind::ConsumerFetch, per_leader);
        }
        self.member_ev(
            group,
            member,
            self.k.now + latency,
            MemberEvent::FetchArrive { fetch },
        );
    }

    /// Draws a consumer fetch (`ConsumerFetch`, member → brokers) or its response (`ConsumerData`, brokers →
    /// member): one message per broker with an entry in `per_leader` (indexed by broker id, carrying the
    /// records), in broker order. No allocation: this runs for every fetch.
    pub(crate) fn draw_fetch_flows(
        &mut self,
        group: usize,
        member: usize,
        kind: FlowKind,
        per_leader: [Option<u32>; MAX_BROKERS as usize + 1],
    ) {
        let consumer = Node::Member { group, member };
        for (broker, records) in per_leader.into_iter().enumerate() {
            let Some(records) = records else { continue };
            let broker = Node::Broker {
                broker: BrokerId(broker as u32),
            };
            let (from, to) = if kind == FlowKind::ConsumerFetch {
                (consumer, broker)
            } else {
                (broker, consumer)
            };
            self.visual_flow(from, to, kind, records);
        }
    }

    /// What a fetch would return now: `(partition, first, end)` ranges below each leader's high watermark.
    pub(crate) fn fetchable(&mut self, group: usize, member: usize) -> Vec<(Tp, u64, u64)> {
        let config = &self.groups[group].config;
        let (fetch_max_bytes, max_partition_fetch_bytes) =
            (config.fetch_max_bytes, config.max_partition_fetch_bytes);
        let mut data = Vec::new();
        let mut total_bytes = 0;
        for index in 0..self.groups[group].members[member].assigned.len() {
            let tp = self.groups[group].members[member].assigned[index];
            if !self.leader_reachable(group, member, tp) {
                // A network fault: this part of the fetch, to that leader, is lost.
                continue;
            }
            let Some(log) = self.leader_log(tp) else {
                continue;
            };
            let (log_start, high_watermark, log_end) =
                (log.log_start_offset, log.high_watermark, log.log_end_offset);
            self.validate_position(group, member, tp);
            let current = self.groups[group].members[member]
                .fetch_positions
                .get(&tp)
                .copied();
            if current == Some(high_watermark) {
                // Caught up: nothing to read (the common case for a consumer waiting for data).
                continue;
            }
            let record_bytes = self
                .producers
                .iter()
                .find(|p| p.topic == tp.topic)
                .map_or(100, |p| p.record_bytes);
            let position = match current {
                // Between the HW and the log end is a valid position (nothing to read yet); only beyond the
                // log end or before the log start is it OffsetOutOfRange.
                Some(position) if position >= log_start && position <= log_end => position,
                Some(_) | None => {
                    let position =
                        self.initial_position(group, member, tp, log_start, high_watermark);
                    let m = &mut self.groups[group].members[member];
                    m.fetch_positions.insert(tp, position);
                    m.positions.insert(tp, position);
                    m.buffer.retain(|(buffered, _, _)| *buffered != tp);
                    position
                }
            };
            if position >= high_watermark || total_bytes >= fetch_max_bytes {
                continue;
            }
            let max_records = (max_partition_fetch_bytes / record_bytes).max(1);
            let end = high_watermark.min(position + max_records);
            total_bytes += (end - position) * record_bytes;
            data.push((tp, position, end));
            let partition = self.partition(tp);
            let fetched_epoch = self
                .leader_log(tp)
                .and_then(|log| log.epoch_at(end - 1))
                .unwrap_or(partition.leader_epoch);
            let leader_epoch = partition.leader_epoch;
            self.groups[group].members[member]
                .fetched_epochs
                .insert(tp, (fetched_epoch, leader_epoch));
        }
        data
    }

    /// Whether the member and the partition's leader can reach each other (no network fault between them).
    #[inline(always)]
    pub(crate) fn leader_reachable(&self, group: usize, member: usize, tp: Tp) -> bool {
        self.k.network.cuts().is_empty()
            || self.partition(tp).leader.is_none_or(|broker| {
                !self
                    .k
                    .network
                    .is_cut(Node::Member { group, member }, Node::Broker { broker })
            })
    }

    /// KIP-320 (`SubscriptionState.maybeCompleteValidation`): after the partition's leader changed, the
    /// consumer asks the leader where the epoch of its last fetched records ends (OffsetsForLeaderEpoch).
    /// If that is below its position, the log it read from was truncated (an unclean election): it logs
    /// "Truncation detected" and moves back to the first diverging offset, so that it reads the records
    /// the new leader wrote at those offsets instead of skipping them. With `auto.offset.reset=none` the
    /// application gets a LogTruncationException; the simulator reports it and moves back the same way.
    pub(crate) fn validate_position(&mut self, group: usize, member: usize, tp: Tp) {
        let m = &self.groups[group].members[member];
        let (Some(&(fetched_epoch, validated)), Some(&position)) =
            (m.fetched_epochs.get(&tp), m.fetch_positions.get(&tp))
        else {
            return;
        };
        let leader_epoch = self.partition(tp).leader_epoch;
        if validated == leader_epoch {
            return;
        }
        let Some(log) = self.leader_log(tp) else {
            return;
        };
        // `LeaderEpochFileCache.endOffsetFor`: where the next epoch after `fetched_epoch` starts.
        let mut epoch_end = log.log_end_offset;
        for piece in log.pieces_rev() {
            if piece.leader_epoch <= fetched_epoch {
                break;
            }
            epoch_end = piece.base_offset;
        }
        self.groups[group].members[member]
            .fetched_epochs
            .insert(tp, (fetched_epoch, leader_epoch));
        if epoch_end >= position {
            return;
        }
        let strategy = match self.groups[group].config.auto_offset_reset {
            AutoOffsetReset::None => Reason::TruncationNone,
            _ => Reason::TruncationReset,
        };
        let m = &mut self.groups[group].members[member];
        m.fetch_positions.insert(tp, epoch_end);
        if m.positions
            .get(&tp)
            .is_some_and(|consumed| *consumed > epoch_end)
        {
            m.positions.insert(tp, epoch_end);
        }
        // Fetched records at or past the diverging offset came from the truncated log.
        m.buffer.retain_mut(|(buffered, first, end)| {
            if *buffered == tp {
                *end = (*end).min(epoch_end);
            }
            *first < *end
        });
        let (group_id, member_id) = self.member_names(group, member);
        let topic = self.topics[tp.topic].name.clone();
        self.emit(EventKind::LogTruncationDetected {
            group: group_id,
            member: member_id,
            topic,
            partition: tp.partition,
            position,
            diverging_offset: epoch_end,
            strategy,
        });
    }

    /// A member's group id and member id, for events.
    pub(crate) fn member_names(&self, group: usize, member: usize) -> (String, String) {
        let g = &self.groups[group];
        (g.id.clone(), g.members[member].id.clone())
    }

    /// The committed offset, or `auto.offset.reset` when there is none or it is out of range.
    pub(crate) fn initial_position(
        &mut self,
        group: usize,
        member: usize,
        tp: Tp,
        log_start: u64,
        high_watermark: u64,
    ) -> u64 {
        let committed = self.groups[group].committed.get(&tp).copied();
        if let Some(offset) = committed {
            if offset >= log_start && offset <= high_watermark {
                return offset;
            }
        }
        let strategy = self.groups[group].config.auto_offset_reset;
        let (offset, name) = match strategy {
            AutoOffsetReset::Earliest => (log_start, Reason::ResetEarliest),
            AutoOffsetReset::Latest => (high_watermark, Reason::ResetLatest),
            // The application would get NoOffsetForPartitionException; the simulator reports it and starts at the log start.
            AutoOffsetReset::None => (log_start, Reason::ResetNone),
        };
        let (group_id, member_id) = self.member_names(group, member);
        let topic = self.topics[tp.topic].name.clone();
        self.emit(EventKind::OffsetReset {
            group: group_id,
            member: member_id,
            topic,
            partition: tp.partition,
            offset,
            strategy: name,
        });
        offset
    }

    pub(crate) fn consumer_fetch_response(
        &mut self,
        group: usize,
        member: usize,
        fetch: u64,
        data: Vec<(Tp, u64, u64)>,
    ) {
        let m = &mut self.groups[group].members[member];
        if m.fetch != Some(fetch) {
            return;
        }
        m.fetch = None;
        for (tp, first, end) in data {
            // Only partitions still assigned, at the position the fetch was made from.
            if m.assigned.contains(&tp) && m.fetch_positions.get(&tp) == Some(&first) {
                m.fetch_positions.insert(tp, end);
                m.buffer.push_back((tp, first, end));
            }
        }
        if m.activity == Activity::Polling {
            self.poll(group, member);
        }
    }

    // ---- the group coordinator ----
}
