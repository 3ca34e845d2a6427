//! A broker's replica manager: the logs of the replicas it hosts, leader appends, follower fetch sessions,
//! the high watermark, ISR shrink and expand (by AlterPartition to the controller), a follower's
//! truncation when the answer to its fetch says its log diverges, and retention. (Fencing and elections
//! are the controller's: `controller.rs`.) Every handler here is a `Broker` method: it changes that
//! broker only, and reaches the rest through its `Host`.

use crate::event::{EventKind, Reason};
use crate::host::{Broker, Host};
use crate::ids::{BrokerId, GroupIx, MemberSlot, Tp};
use crate::log::ReplicaLog;
use crate::log::{BatchData, BatchList, REACHED_HIGH_WATERMARK};
use crate::network::{FlowKind, Node};
use crate::protocol::{Ev, FetchOffset, FetchedPartition};
use crate::sort;
use std::rc::Rc;

/// `replica.socket.timeout.ms` (30 s): how long a follower's FetchRequest waits for an answer
/// (`ReplicaFetcherBlockingSend` uses it as the request timeout). Only a network fault makes one wait
/// that long.
const REPLICA_SOCKET_TIMEOUT_US: u64 = 30_000_000;
/// `replica.fetch.backoff.ms` (1 s): the fetcher's pause after a failed fetch.
const REPLICA_FETCH_BACKOFF_US: u64 = 1_000_000;

/// The replica manager's handlers.
impl Broker {
    // ---- the leader's side of produce ----

    /// Appends a batch to this leader's log; returns it with its assigned offsets.
    /// `facts`: what is known of the batch from the start (`ACKNOWLEDGED` with `acks=0`).
    pub(crate) fn leader_append(
        &mut self,
        h: &mut Host<'_>,
        tp: Tp,
        mut data: BatchData,
        facts: u8,
    ) -> Rc<BatchData> {
        let now = h.k.now;
        let leader = self.id;
        let (segment_bytes, segment_us) = {
            let config = &h.topic(tp.topic).config;
            (config.segment_bytes, config.segment_ms.saturating_mul(1000))
        };
        let partition = h.partition(tp);
        data.leader_epoch = partition.leader_epoch;
        let summarize_at = partition.summarize_at;
        let log = &mut self
            .replicas
            .get_mut(tp)
            .expect("the leader is a replica")
            .log;
        data.base_offset = log.log_end_offset;
        let batch = h.books.batch_facts.register(data, facts);
        log.append(batch.clone(), now, segment_bytes, segment_us);
        if log.batch_count() >= summarize_at && !h.books.summarize_due.contains(&tp) {
            h.books.summarize_due.push(tp);
        }
        if h.k.record_events {
            let topic_name = h.topic(tp.topic).name.clone();
            let producer_name = h.client_id(batch.producer).to_string();
            h.k.emit(EventKind::BatchAppended {
                topic: topic_name.clone(),
                partition: tp.partition,
                broker: leader.get(),
                base_offset: batch.base_offset,
                records: batch.records,
                producer: producer_name.clone(),
            });
            for index in 0..batch.records {
                let key = batch
                    .keys
                    .as_ref()
                    .and_then(|keys| keys.key_name(index as u64));
                h.k.emit(EventKind::RecordAppended {
                    topic: topic_name.clone(),
                    partition: tp.partition,
                    offset: batch.base_offset + index as u64,
                    key,
                    producer: producer_name.clone(),
                });
            }
        }
        self.maybe_advance_high_watermark(h, tp);
        // The replica fetches waiting for it are woken once the whole request is in
        // (`end_produce_request`).
        self.deferred_wakeups.push(tp);
        batch
    }

    /// `Partition.maybeIncrementLeaderHW` on this broker, if it leads `tp`: the minimum log end offset
    /// over the ISR; never backwards, and not while the ISR is smaller than `min.insync.replicas`
    /// (KAFKA-15583).
    pub(crate) fn maybe_advance_high_watermark(&mut self, h: &mut Host<'_>, tp: Tp) {
        let leader = self.id;
        let min_isr = h.topic(tp.topic).config.min_insync_replicas;
        let partition = h.partition(tp);
        if partition.leader != Some(leader) || !self.alive {
            return;
        }
        if (partition.isr.len() as u64) < min_isr.min(partition.replicas.len() as u64) {
            return;
        }
        // The minimum log end over the leader, the ISR, and every follower that is caught up and eligible
        // for the ISR but not in it yet: the high watermark waits for it so that it can reach the high
        // watermark and join.
        let replica = self.replicas.get_mut(tp).expect("leader is a replica");
        let leader_leo = replica.log.log_end_offset;
        let max_lag_us = h.cluster.replica_lag_time_max_ms * 1000;
        let mut new_hw = leader_leo;
        for (index, broker) in partition.replicas.iter().enumerate() {
            if *broker == leader {
                continue;
            }
            let state = &replica.followers[index];
            let waits_for = partition.isr.contains(broker)
                || (state.is_caught_up(leader_leo, h.k.now, max_lag_us) && !h.fenced(*broker));
            if waits_for {
                new_hw = new_hw.min(state.log_end_offset);
            }
        }
        let old_hw = replica.log.high_watermark;
        if new_hw <= old_hw {
            return;
        }
        let log = &mut replica.log;
        log.high_watermark = new_hw.min(log.log_end_offset);
        for batch in log.batches().rev() {
            if batch.end_offset() <= old_hw {
                break;
            }
            if batch.end_offset() <= new_hw {
                h.books.batch_facts.set(batch, REACHED_HIGH_WATERMARK);
            }
        }
        let new_hw = log.high_watermark;
        // Acks the new high watermark releases, in the order they were registered; the rest keep waiting
        // (in place, so the list keeps its allocation).
        let mut ready = std::mem::take(&mut self.released_acks);
        if replica
            .pending_acks
            .iter()
            .any(|&(required, _, _)| required <= new_hw)
        {
            replica.pending_acks.retain(|&(required, wire, request)| {
                let released = required <= new_hw;
                if released {
                    ready.push((wire, request));
                }
                !released
            });
        }
        let mut parked = std::mem::take(&mut replica.parked_consumers);
        for &request in &ready {
            self.settle_delayed(h, request, Ok(()));
        }
        ready.clear();
        self.released_acks = ready;
        for &(group, member, _) in &parked {
            self.answer_parked_consumer_fetch(h, group, member);
        }
        // Keep the list's allocation for the next fetches that park here (nothing parks while answering).
        parked.clear();
        let slot = &mut self
            .replicas
            .get_mut(tp)
            .expect("leader is a replica")
            .parked_consumers;
        if slot.is_empty() {
            *slot = parked;
        }
    }

    // ---- follower fetch sessions (one per follower broker and leader broker, like a replica fetcher thread) ----

    /// As a follower: a new fetch to `leader` for every partition it leads that this broker hosts, in a
    /// new session (none if there is none, or this broker is down).
    pub(crate) fn send_replica_fetch(&mut self, h: &mut Host<'_>, leader: BrokerId) {
        let follower = self.id;
        let fetched = &h.led_by[leader.index()][follower.index()];
        let mut offsets = Vec::with_capacity(fetched.len());
        if follower != leader {
            for &tp in fetched {
                if let Some(replica) = self.replicas.get(tp) {
                    offsets.push(FetchOffset {
                        tp,
                        fetch_offset: replica.log.log_end_offset,
                        last_fetched_epoch: replica.log.last_epoch(),
                    });
                }
            }
        }
        let fetcher = &mut self.fetchers[leader.index()];
        fetcher.session += 1;
        if offsets.is_empty() || !self.alive {
            fetcher.active = false;
            return;
        }
        fetcher.active = true;
        let session = fetcher.session;
        let sent = h.k.send(
            Node::Broker { broker: follower },
            Node::Broker { broker: leader },
            FlowKind::ReplicaFetch,
            0,
            Ev::ReplicaFetch {
                follower,
                leader,
                session,
                offsets,
            },
        );
        if !sent {
            replica_fetch_lost(h, follower, leader, session);
        }
    }

    /// As a follower: the fetch of `session` to `leader` got no answer in time. Returns whether the
    /// session ended (it was the current one); the engine then starts a new one if the leader runs.
    pub(crate) fn replica_fetch_timed_out(&mut self, leader: BrokerId, session: u64) -> bool {
        let current = self.fetcher_session_is(leader, session);
        if current {
            self.fetchers[leader.index()].active = false;
        }
        current
    }

    /// As a follower: whether `session` is its current, active fetch session with `leader`.
    #[inline(always)]
    pub(crate) fn fetcher_session_is(&self, leader: BrokerId, session: u64) -> bool {
        let fetcher = &self.fetchers[leader.index()];
        fetcher.session == session && fetcher.active
    }

    /// As the leader: a follower's fetch arrived (from a session still open: the engine checks). It
    /// updates what the leader knows of the follower, may expand the ISR and advance the high watermark,
    /// then answers at once or parks the fetch until data arrives or `replica.fetch.wait.max.ms`.
    pub(crate) fn replica_fetch_arrive(
        &mut self,
        h: &mut Host<'_>,
        follower: BrokerId,
        session: u64,
        offsets: Vec<FetchOffset>,
    ) {
        if !self.alive {
            return;
        }
        let leader = self.id;
        let now = h.k.now;
        let mut answer_now = false;
        for fetch in &offsets {
            let tp = fetch.tp;
            let partition = h.partition(tp);
            if partition.leader != Some(leader) {
                continue;
            }
            let Some(index) = partition.replica_index(follower) else {
                continue;
            };
            let Some(replica) = self.replicas.get_mut(tp) else {
                continue;
            };
            let log = &replica.log;
            if diverging(log, fetch).is_some() {
                // The follower's log diverges: the leader tells it at once, and does not take its
                // fetch offset for its log end.
                answer_now = true;
                continue;
            }
            let leader_leo = log.log_end_offset;
            answer_now |=
                leader_leo > fetch.fetch_offset || fetch.fetch_offset < log.log_start_offset;
            replica.followers[index].update_fetch_state(fetch.fetch_offset, now, leader_leo);
            self.maybe_expand_isr(h, tp, follower);
            self.maybe_advance_high_watermark(h, tp);
        }
        if answer_now {
            self.answer_replica_fetch(h, follower, session, offsets);
        } else {
            let deadline =
                h.k.on_quantum(now + h.cluster.replica_fetch_wait_max_ms * 1000);
            let waiting = &mut self.parked_replica_fetches[follower.index()];
            waiting.parked = Some((session, offsets));
            waiting.wait_deadline = deadline;
            if waiting.timer_at.is_none_or(|at| at > deadline) {
                waiting.timer_at = Some(deadline);
                h.k.schedule(deadline, Ev::ReplicaFetchWait { follower, leader });
            }
        }
    }

    /// As the leader: the wait timer for `follower`'s fetches. It answers a parked fetch whose
    /// `replica.fetch.wait.max.ms` is over, or re-arms for the deadline of the fetch parked now.
    pub(crate) fn replica_fetch_wait_expired(&mut self, h: &mut Host<'_>, follower: BrokerId) {
        let now = h.k.now;
        let leader = self.id;
        let waiting = &mut self.parked_replica_fetches[follower.index()];
        if waiting.timer_at == Some(now) {
            waiting.timer_at = None;
        }
        if waiting.parked.is_none() {
            return;
        }
        if waiting.wait_deadline > now {
            if waiting.timer_at.is_none() {
                let deadline = waiting.wait_deadline;
                waiting.timer_at = Some(deadline);
                h.k.schedule(deadline, Ev::ReplicaFetchWait { follower, leader });
            }
            return;
        }
        let (session, offsets) = waiting.parked.take().expect("checked");
        self.answer_replica_fetch(h, follower, session, offsets);
    }

    /// As the leader: new data in `tp`: the followers' fetches parked here for it are answered.
    pub(crate) fn wake_parked_replica_fetches(&mut self, h: &mut Host<'_>, tp: Tp) {
        let leader = self.id;
        for index in 0..h.partition(tp).replicas.len() {
            let follower = h.partition(tp).replicas[index];
            if follower == leader {
                continue;
            }
            let waiting = &mut self.parked_replica_fetches[follower.index()];
            if waiting
                .parked
                .as_ref()
                .is_some_and(|(_, offsets)| offsets.iter().any(|fetch| fetch.tp == tp))
            {
                let (session, offsets) = waiting.parked.take().expect("checked");
                self.answer_replica_fetch(h, follower, session, offsets);
            }
        }
    }

    /// As the leader: the answer to `follower`'s fetch, with what its log holds from each fetch offset.
    fn answer_replica_fetch(
        &mut self,
        h: &mut Host<'_>,
        follower: BrokerId,
        session: u64,
        offsets: Vec<FetchOffset>,
    ) {
        let leader = self.id;
        let max_bytes = h.cluster.replica_fetch_max_bytes;
        let mut data = Vec::with_capacity(offsets.len());
        let mut records = 0;
        for fetch in offsets {
            let tp = fetch.tp;
            let partition = h.partition(tp);
            if partition.leader != Some(leader) {
                continue;
            }
            let leader_epoch = partition.leader_epoch;
            let Some(replica) = self.replicas.get(tp) else {
                continue;
            };
            let log = &replica.log;
            let diverging = diverging(log, &fetch);
            let batches = match diverging {
                Some(_) => BatchList::Empty,
                None => log.read_from(fetch.fetch_offset, max_bytes, h.books.batch_facts),
            };
            records += batches.iter().map(|batch| batch.records).sum::<u32>();
            data.push(FetchedPartition {
                tp,
                leader_epoch,
                fetch_offset: fetch.fetch_offset,
                batches,
                high_watermark: log.high_watermark,
                log_start_offset: log.log_start_offset,
                diverging,
            });
        }
        let sent = h.k.send(
            Node::Broker { broker: leader },
            Node::Broker { broker: follower },
            FlowKind::ReplicaData,
            records,
            Ev::ReplicaFetchResponse {
                follower,
                leader,
                session,
                data,
            },
        );
        if !sent {
            replica_fetch_lost(h, follower, leader, session);
        }
    }

    /// As a follower: the leader's answer to its fetch. It appends what arrived, takes the leader's high
    /// watermark and log start, truncates where its log diverges, then fetches again.
    pub(crate) fn replica_fetch_response(
        &mut self,
        h: &mut Host<'_>,
        leader: BrokerId,
        session: u64,
        data: Vec<FetchedPartition>,
    ) {
        if !self.fetcher_session_is(leader, session) || !self.alive {
            return;
        }
        let follower = self.id;
        let now = h.k.now;
        let mut truncated = Vec::new();
        for fetched in data {
            let (segment_bytes, segment_us) = {
                let config = &h.topic(fetched.tp.topic).config;
                (config.segment_bytes, config.segment_ms.saturating_mul(1000))
            };
            let partition = h.partition(fetched.tp);
            if partition.leader != Some(leader) || partition.leader_epoch != fetched.leader_epoch {
                continue;
            }
            let Some(replica) = self.replicas.get_mut(fetched.tp) else {
                continue;
            };
            let log = &mut replica.log;
            if log.log_end_offset != fetched.fetch_offset {
                continue;
            }
            if let Some(diverging) = fetched.diverging {
                let from = log.log_end_offset;
                let to = truncate_on_divergence(log, diverging, fetched.log_start_offset);
                truncated.push((fetched.tp, from, to));
                continue;
            }
            if log.log_end_offset < fetched.log_start_offset {
                // OffsetOutOfRange on a follower: it restarts its log at the leader's log start.
                log.reset_to(fetched.log_start_offset);
            }
            for batch in fetched.batches.iter() {
                if batch.base_offset == log.log_end_offset {
                    log.append(batch.clone(), now, segment_bytes, segment_us);
                }
            }
            log.high_watermark = log
                .high_watermark
                .max(fetched.high_watermark.min(log.log_end_offset));
            if fetched.log_start_offset > log.log_start_offset {
                log.advance_start_to(fetched.log_start_offset, now);
            }
        }
        for (tp, from_offset, to_offset) in truncated {
            if to_offset < from_offset {
                let topic = h.topic(tp.topic).name.clone();
                h.k.emit(EventKind::LogTruncated {
                    topic,
                    partition: tp.partition,
                    broker: follower.get(),
                    from_offset,
                    to_offset,
                });
            }
        }
        self.send_replica_fetch(h, leader);
    }

    // ---- the controller's metadata, as it reaches this broker ----

    /// `Partition.makeLeader`, as the controller's new registration (`replicas`, `isr`) makes this broker
    /// `tp`'s leader: the epoch starts at its log end, and its view of each follower is reset (kept when
    /// it was leader already).
    pub(crate) fn make_leader(
        &mut self,
        now: crate::ids::Micros,
        tp: Tp,
        new_leader: bool,
        (replicas, isr): (&[BrokerId], &[BrokerId]),
    ) {
        let replica = self.replicas.get_mut(tp).expect("replica");
        let leader_leo = replica.log.log_end_offset;
        replica.leader_epoch_start_offset = leader_leo;
        for (index, state) in replica.followers.iter_mut().enumerate() {
            let in_sync = isr.contains(&replicas[index]);
            state.reset(now, leader_leo, new_leader, in_sync);
        }
    }

    /// This broker learns it no longer leads `tp`: the consumer fetches parked on it for the partition
    /// are handed back to be answered.
    pub(crate) fn resign_leadership(&mut self, tp: Tp) -> Vec<(GroupIx, MemberSlot, u32)> {
        self.replicas
            .get_mut(tp)
            .map(|replica| std::mem::take(&mut replica.parked_consumers))
            .unwrap_or_default()
    }

    // ---- the ISR ----

    /// As the leader: `follower` caught up (its fetch reached the high watermark, in this leader's
    /// epoch): AlterPartition adds it to the ISR. A follower the controller fenced cannot join, and a
    /// leader cut off from the controller cannot ask.
    fn maybe_expand_isr(&mut self, h: &mut Host<'_>, tp: Tp, follower: BrokerId) {
        let leader = self.id;
        // The follower runs: its fetch came in a session still open.
        let eligible = !h.fenced(follower) && h.reaches_controller(leader);
        let partition = h.partition(tp);
        if partition.leader != Some(leader) || partition.isr.contains(&follower) || !eligible {
            return;
        }
        let index = partition.replica_index(follower).expect("a replica");
        let leader_replica = self.replicas.get(tp).expect("leader log");
        let offset = leader_replica.followers[index].log_end_offset;
        if offset >= leader_replica.log.high_watermark
            && offset >= leader_replica.leader_epoch_start_offset
        {
            let mut isr = partition.isr.clone();
            isr.push(follower);
            sort::sort_by_key(&mut isr, |broker| {
                partition
                    .replicas
                    .iter()
                    .position(|replica| replica == broker)
            });
            h.alter_partition(tp, leader, isr, Reason::FollowerCaughtUp);
        }
    }

    /// As `tp`'s leader, its `isr-expiration` task (every `replica.lag.time.max.ms / 2`): followers not
    /// caught up within `replica.lag.time.max.ms` leave the ISR by AlterPartition. A leader cut off from
    /// the controller cannot send it: the ISR stays.
    pub(crate) fn isr_expiration(&mut self, h: &mut Host<'_>, tp: Tp) {
        let leader = self.id;
        let lag_us = h.cluster.replica_lag_time_max_ms * 1000;
        let now = h.k.now;
        let p = h.partition(tp);
        if p.leader != Some(leader) || !self.alive || !h.reaches_controller(leader) {
            return;
        }
        let Some(replica) = self.replicas.get(tp) else {
            return;
        };
        let leader_leo = replica.log.log_end_offset;
        let out_of_sync: Vec<BrokerId> = p
            .isr
            .iter()
            .copied()
            .filter(|broker| *broker != leader)
            .filter(|broker| {
                let state = &replica.followers[p.replica_index(*broker).expect("replica")];
                !state.is_caught_up(leader_leo, now, lag_us)
            })
            .collect();
        if out_of_sync.is_empty() {
            return;
        }
        let mut isr = p.isr.clone();
        isr.retain(|broker| !out_of_sync.contains(broker));
        h.alter_partition(tp, leader, isr, Reason::FollowerOutOfSync);
        self.maybe_advance_high_watermark(h, tp);
    }

    // ---- retention ----

    /// Retention on this broker's replica of `tp`: it deletes closed segments past `retention.ms` /
    /// `retention.bytes`. Returns the new log start if it moved and this broker leads `tp`.
    pub(crate) fn apply_retention(&mut self, h: &mut Host<'_>, tp: Tp) -> Option<u64> {
        if !self.alive {
            return None;
        }
        let now = h.k.now;
        let config = &h.topic(tp.topic).config;
        let retention_us = config.retention_ms.map(|ms| ms.saturating_mul(1000));
        let log = &mut self.replicas.get_mut(tp).expect("replica").log;
        let log_start_offset = log.apply_retention(now, retention_us, config.retention_bytes)?;
        if h.partition(tp).leader != Some(self.id) {
            return None;
        }
        let topic = h.topic(tp.topic).name.clone();
        h.k.emit(EventKind::LogStartAdvanced {
            topic,
            partition: tp.partition,
            broker: self.id.get(),
            log_start_offset,
        });
        Some(log_start_offset)
    }
}

/// A follower's fetch, or the leader's answer, was lost to a network fault: the follower's request
/// times out and its fetcher backs off, then fetches again.
fn replica_fetch_lost(h: &mut Host<'_>, follower: BrokerId, leader: BrokerId, session: u64) {
    h.k.schedule(
        h.k.now + REPLICA_SOCKET_TIMEOUT_US + REPLICA_FETCH_BACKOFF_US,
        Ev::ReplicaFetchTimeout {
            follower,
            leader,
            session,
        },
    );
}

/// Whether a follower's fetch finds its log diverging from the leader's (`Partition.readRecords` with
/// `lastFetchedEpoch`): the leader's end of the largest epoch at most the follower's last one is below the
/// fetch offset, or the leader holds no such epoch at all.
fn diverging(leader_log: &ReplicaLog, fetch: &FetchOffset) -> Option<(Option<u32>, u64)> {
    let epoch = fetch.last_fetched_epoch?;
    match leader_log.end_offset_for_epoch(epoch) {
        Some((held, end)) if held == epoch && end >= fetch.fetch_offset => None,
        Some((held, end)) => Some((Some(held), end)),
        None => Some((None, leader_log.log_start_offset)),
    }
}

/// `AbstractFetcherThread.truncateOnFetchResponse`: the follower truncates where its log stops agreeing
/// with the leader's `divergingEpoch`, and fetches again from there (with its new last epoch, so that a
/// log diverging over several epochs takes several rounds). Returns the log end it truncated to.
fn truncate_on_divergence(
    log: &mut ReplicaLog,
    (epoch, end): (Option<u32>, u64),
    leader_log_start: u64,
) -> u64 {
    let point = match epoch {
        // The leader holds no record of an epoch this old: nothing here agrees with it.
        None => log.log_start_offset,
        Some(epoch) => match log.end_offset_for_epoch(epoch) {
            Some((own, own_end)) if own == epoch => own_end.min(end),
            // It does not know the leader's epoch: it truncates to the end of its own older one.
            Some((_, own_end)) => own_end,
            None => end,
        },
    };
    // No progress while diverging (nothing it holds is in an epoch the leader holds): it keeps nothing.
    let point = if point >= log.log_end_offset {
        log.log_start_offset
    } else {
        point
    };
    if point < leader_log_start {
        log.reset_to(leader_log_start);
    } else {
        log.truncate_to(point);
    }
    log.log_end_offset
}

/// Kafka's `ReplicaTest` (core/src/test/scala/unit/kafka/cluster/ReplicaTest.scala), ported: the same
/// fetch sequences and the state or answer it asserts. Times are in milliseconds there, µs here.
#[cfg(test)]
mod replica_test {
    use crate::partition::FollowerState;

    const LAG_US: u64 = 30_000_000;

    #[test]
    fn update_fetch_state() {
        let mut replica = FollowerState::default();
        replica.update_fetch_state(5, 1_000, 10);
        assert_eq!((replica.log_end_offset, replica.last_caught_up_us), (5, 0));
        assert_eq!(
            (replica.last_fetch_leader_leo, replica.last_fetch_us),
            (10, 1_000)
        );
        // Reaches the log end the leader had at the previous fetch: caught up as of then.
        replica.update_fetch_state(10, 2_000, 15);
        assert_eq!(
            (replica.log_end_offset, replica.last_caught_up_us),
            (10, 1_000)
        );
        assert_eq!(
            (replica.last_fetch_leader_leo, replica.last_fetch_us),
            (15, 2_000)
        );
        // Reaches the current log end: caught up now.
        replica.update_fetch_state(15, 3_000, 15);
        assert_eq!(
            (replica.log_end_offset, replica.last_caught_up_us),
            (15, 3_000)
        );
        assert_eq!(
            (replica.last_fetch_leader_leo, replica.last_fetch_us),
            (15, 3_000)
        );
    }

    #[test]
    fn reset_when_the_leader_is_reelected() {
        let mut in_sync = FollowerState::default();
        in_sync.update_fetch_state(10, 1_000, 10);
        in_sync.reset(5_000, 11, false, true);
        assert_eq!(in_sync.log_end_offset, 10);
        assert_eq!(
            (
                in_sync.last_caught_up_us,
                in_sync.last_fetch_leader_leo,
                in_sync.last_fetch_us
            ),
            (5_000, 11, 5_000)
        );
        let mut out_of_sync = FollowerState::default();
        out_of_sync.update_fetch_state(10, 1_000, 10);
        out_of_sync.reset(5_000, 11, false, false);
        assert_eq!(out_of_sync.log_end_offset, 10);
        assert_eq!(
            (
                out_of_sync.last_caught_up_us,
                out_of_sync.last_fetch_leader_leo,
                out_of_sync.last_fetch_us
            ),
            (0, 11, 0)
        );
    }

    #[test]
    fn reset_when_a_new_leader_is_elected() {
        for (in_sync, caught_up) in [(true, 5_000), (false, 0)] {
            let mut replica = FollowerState::default();
            replica.update_fetch_state(10, 1_000, 10);
            replica.reset(5_000, 11, true, in_sync);
            // Kafka's "unknown" offsets are -1; the simulator's fetch offsets start at 0.
            assert_eq!(
                (
                    replica.log_end_offset,
                    replica.last_fetch_leader_leo,
                    replica.last_fetch_us
                ),
                (0, 0, 0)
            );
            assert_eq!(replica.last_caught_up_us, caught_up);
        }
    }

    #[test]
    fn is_caught_up_when_at_the_log_end() {
        // Kafka's initial state has an unknown log end (-1), never equal to a leader's.
        let mut replica = FollowerState {
            log_end_offset: u64::MAX,
            last_caught_up_us: 0,
            ..FollowerState::default()
        };
        assert!(!replica.is_caught_up(10, LAG_US + 1, LAG_US));
        replica.update_fetch_state(10, LAG_US + 1, 10);
        assert!(replica.is_caught_up(10, LAG_US + 1, LAG_US));
        // Still at the log end after the lag time: caught up.
        assert!(replica.is_caught_up(10, 2 * LAG_US + 2, LAG_US));
    }

    #[test]
    fn is_caught_up_when_not_at_the_log_end() {
        let mut replica = FollowerState {
            log_end_offset: u64::MAX,
            ..FollowerState::default()
        };
        let start = LAG_US + 1;
        assert!(!replica.is_caught_up(10, start, LAG_US));
        replica.update_fetch_state(5, start, 10);
        assert!(!replica.is_caught_up(10, start, LAG_US));
        replica.update_fetch_state(10, start, 15);
        assert!(replica.is_caught_up(16, start, LAG_US));
        assert!(!replica.is_caught_up(16, start + LAG_US + 1, LAG_US));
    }
}

/// Truncation on a fetch's answer (KIP-595's `divergingEpoch`), after the cases of Kafka's
/// `AbstractFetcherThreadTest` (`testTruncateOnFetchDoesNotUpdateHighWatermark`,
/// `testTruncationThroughEpochs...`): logs are built from (epoch, records) runs of one-record batches.
#[cfg(test)]
mod divergence_test {
    use super::{diverging, truncate_on_divergence};
    use crate::ids::{ProducerIx, Tp};
    use crate::log::{BatchData, ReplicaLog};
    use crate::protocol::FetchOffset;
    use std::rc::Rc;

    fn log(epochs: &[(u32, u64)]) -> ReplicaLog {
        let mut log = ReplicaLog::default();
        for &(epoch, records) in epochs {
            for _ in 0..records {
                let batch = BatchData {
                    slot: 0,
                    base_offset: log.log_end_offset,
                    records: 1,
                    bytes: 100,
                    producer: ProducerIx(0),
                    producer_id: None,
                    base_sequence: 0,
                    leader_epoch: epoch,
                    keys: None,
                    created_us: 0,
                };
                log.append(Rc::new(batch), 0, u64::MAX, u64::MAX);
            }
        }
        log
    }

    /// Fetches and truncates until the leader finds no divergence; returns the rounds it took and the
    /// follower's log end.
    fn converge(follower: &mut ReplicaLog, leader: &ReplicaLog) -> (u32, u64) {
        let tp = Tp {
            topic: 0,
            partition: 0,
        };
        let mut rounds = 0;
        loop {
            let fetch = FetchOffset {
                tp,
                fetch_offset: follower.log_end_offset,
                last_fetched_epoch: follower.last_epoch(),
            };
            let Some(found) = diverging(leader, &fetch) else {
                return (rounds, follower.log_end_offset);
            };
            rounds += 1;
            assert!(rounds < 10, "no progress");
            truncate_on_divergence(follower, found, leader.log_start_offset);
        }
    }

    #[test]
    fn a_follower_in_step_with_the_leader_does_not_diverge() {
        let leader = log(&[(1, 5), (2, 3)]);
        let mut follower = log(&[(1, 5), (2, 1)]);
        assert_eq!(converge(&mut follower, &leader), (0, 6));
    }

    #[test]
    fn a_follower_with_records_the_leader_never_had_truncates_to_the_end_of_the_shared_epoch() {
        // The old leader wrote 3 records in epoch 1 that the new leader (epoch 2) never got.
        let leader = log(&[(1, 5), (2, 4)]);
        let mut follower = log(&[(1, 8)]);
        assert_eq!(converge(&mut follower, &leader), (1, 5));
    }

    #[test]
    fn a_follower_that_missed_an_epoch_truncates_over_several_rounds() {
        // The follower led in epoch 3, which the leader never saw; the leader holds epochs 2 and 4.
        let leader = log(&[(1, 5), (2, 2), (4, 5)]);
        let mut follower = log(&[(1, 5), (3, 4)]);
        // Round 1: epoch 3 → the leader's largest epoch ≤ 3 is 2, ending at 7; the follower has no
        // epoch 2 and truncates to the end of its epoch 1 (5). Then it is in step.
        assert_eq!(converge(&mut follower, &leader), (1, 5));
        let mut behind = log(&[(1, 3), (3, 4)]);
        assert_eq!(converge(&mut behind, &leader), (1, 3));
    }

    #[test]
    fn a_follower_whose_every_epoch_is_older_than_the_leaders_keeps_nothing() {
        // The leader holds no record of epoch 1 or older: none of the follower's records agree with it.
        let leader = log(&[(2, 10)]);
        let mut follower = log(&[(1, 4)]);
        assert_eq!(converge(&mut follower, &leader), (1, 0));
        assert_eq!(follower.last_epoch(), None);
    }

    #[test]
    fn the_high_watermark_never_stays_above_the_truncated_log_end() {
        let leader = log(&[(1, 5), (2, 4)]);
        let mut follower = log(&[(1, 8)]);
        follower.high_watermark = 7;
        converge(&mut follower, &leader);
        assert_eq!((follower.log_end_offset, follower.high_watermark), (5, 5));
    }
}
