//! A broker's replica manager: partitions and their replicas' logs, leader appends, follower fetch sessions,
//! the high watermark, ISR shrink and expand, a follower's truncation when the answer to its fetch says its
//! log diverges, and retention. (Fencing and elections are the controller's: `controller.rs`.)

use crate::engine::Simulation;
use crate::event::{EventKind, Reason};
use crate::ids::{BrokerId, Tp};
use crate::log::ReplicaLog;
use crate::log::{BatchData, REACHED_HIGH_WATERMARK};
use crate::network::{FlowKind, Node};
use crate::partition::{DETAIL_BATCHES, SUMMARIZE_EVERY};
use crate::protocol::{Ev, FetchOffset, FetchedPartition};
use crate::sort;
use std::rc::Rc;

/// `replica.socket.timeout.ms` (30 s): how long a follower's FetchRequest waits for an answer
/// (`ReplicaFetcherBlockingSend` uses it as the request timeout). Only a network fault makes one wait
/// that long.
const REPLICA_SOCKET_TIMEOUT_US: u64 = 30_000_000;
/// `replica.fetch.backoff.ms` (1 s): the fetcher's pause after a failed fetch.
const REPLICA_FETCH_BACKOFF_US: u64 = 1_000_000;

/// The leader's view of a follower (Kafka's `Replica` state on the leader).
impl Simulation {
    // ---- the leader's side of produce ----

    /// Appends a batch to the leader's log; returns it with its assigned offsets.
    /// `facts`: what is known of the batch from the start (`ACKNOWLEDGED` with `acks=0`).
    pub(crate) fn leader_append(
        &mut self,
        tp: Tp,
        mut data: BatchData,
        facts: u8,
    ) -> Rc<BatchData> {
        let now = self.k.now;
        let leader = self.partition(tp).leader.expect("appends go to a leader");
        let (segment_bytes, segment_us) = {
            let config = &self.topics[tp.topic].config;
            (config.segment_bytes, config.segment_ms.saturating_mul(1000))
        };
        let partition = &self.topics[tp.topic].partitions[tp.partition as usize];
        data.leader_epoch = partition.leader_epoch;
        let summarize_at = partition.summarize_at;
        let log = &mut self.brokers[leader.index()]
            .replicas
            .get_mut(tp)
            .expect("the leader is a replica")
            .log;
        data.base_offset = log.log_end_offset;
        let batch = self.batch_facts.register(data, facts);
        log.append(batch.clone(), now, segment_bytes, segment_us);
        let summarize = log.batch_count() >= summarize_at;
        if self.k.record_events {
            let topic_name = self.topics[tp.topic].name.clone();
            let producer_name = self.producers[batch.producer as usize].id.clone();
            self.emit(EventKind::BatchAppended {
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
                self.emit(EventKind::RecordAppended {
                    topic: topic_name.clone(),
                    partition: tp.partition,
                    offset: batch.base_offset + index as u64,
                    key,
                    producer: producer_name.clone(),
                });
            }
        }
        self.maybe_advance_high_watermark(tp);
        if summarize {
            self.summarize(tp);
        }
        match &mut self.broker_mut(leader).deferred_wakeups {
            Some(pending) => pending.push(tp),
            None => self.wake_parked_replica_fetches(leader, tp),
        }
        batch
    }

    /// Moves what no reader needs batch by batch into runs, on every live replica (see ARCHITECTURE.md,
    /// "Logs: batches and runs"). Runs every `SUMMARIZE_EVERY` appends to the leader.
    pub(crate) fn summarize(&mut self, tp: Tp) {
        let Some(floor) = self.detail_floor(tp) else {
            return;
        };
        let partition = &self.topics[tp.topic].partitions[tp.partition as usize];
        for broker in &partition.replicas {
            let broker = &mut self.brokers[broker.index()];
            if broker.alive {
                let replica = broker.replicas.get_mut(tp).expect("a hosted replica");
                replica.log.summarize_below(floor, &mut self.batch_facts);
            }
        }
        let leader = partition.leader.expect("the floor needs a leader");
        let batches = self.log_of(tp, leader).expect("replica").batch_count();
        self.partition_mut(tp).summarize_at = batches + SUMMARIZE_EVERY;
    }

    /// The offset below which no reader needs batches: the smallest of the high watermark, the live
    /// followers' fetch positions, every group's committed offsets, positions and records in hand, and the
    /// batches producers still wait to hear about; but at most `DETAIL_BATCHES` batches below the high
    /// watermark (a laggard beyond them reads runs, cut into batches of what fits its fetch).
    pub(crate) fn detail_floor(&self, tp: Tp) -> Option<u64> {
        let partition = self.partition(tp);
        let leader = partition.leader?;
        let replica = self.replica(leader, tp)?;
        let log = &replica.log;
        let high_watermark = log.high_watermark;
        let mut floor = high_watermark;
        for (index, broker) in partition.replicas.iter().enumerate() {
            if *broker != leader && self.broker(*broker).alive {
                floor = floor.min(replica.followers[index].log_end_offset);
            }
        }
        for group in 0..self.groups.len() {
            floor = floor.min(self.lowest_group_position(group, tp).unwrap_or(u64::MAX));
        }
        floor = floor.min(
            self.produce_ledger
                .lowest_unanswered(tp)
                .unwrap_or(u64::MAX),
        );
        Some(
            floor
                .max(log.window_floor(high_watermark, DETAIL_BATCHES))
                .min(high_watermark),
        )
    }

    /// `Partition.maybeIncrementLeaderHW`: the minimum log end offset over the ISR; never backwards, and
    /// not while the ISR is smaller than `min.insync.replicas` (KAFKA-15583).
    pub(crate) fn maybe_advance_high_watermark(&mut self, tp: Tp) {
        let min_isr = self.topics[tp.topic].config.min_insync_replicas;
        let partition = self.partition(tp);
        let Some(leader) = partition.leader else {
            return;
        };
        if !self.broker(leader).alive {
            return;
        }
        if (partition.isr.len() as u64) < min_isr.min(partition.replicas.len() as u64) {
            return;
        }
        // The minimum log end over the leader, the ISR, and every follower that is caught up and eligible
        // for the ISR but not in it yet: the high watermark waits for it so that it can reach the high
        // watermark and join.
        let replica = self.replica(leader, tp).expect("leader is a replica");
        let leader_leo = replica.log.log_end_offset;
        let max_lag_us = self.cluster.replica_lag_time_max_ms * 1000;
        let mut new_hw = leader_leo;
        for (index, broker) in partition.replicas.iter().enumerate() {
            if *broker == leader {
                continue;
            }
            let state = &replica.followers[index];
            let waits_for = partition.isr.contains(broker)
                || (state.is_caught_up(leader_leo, self.k.now, max_lag_us)
                    && !self.controller.registrations[broker.index()].fenced);
            if waits_for {
                new_hw = new_hw.min(state.log_end_offset);
            }
        }
        let old_hw = replica.log.high_watermark;
        if new_hw <= old_hw {
            return;
        }
        let replica = self.brokers[leader.index()]
            .replicas
            .get_mut(tp)
            .expect("leader is a replica");
        let log = &mut replica.log;
        log.high_watermark = new_hw.min(log.log_end_offset);
        for batch in log.batches().rev() {
            if batch.end_offset() <= old_hw {
                break;
            }
            if batch.end_offset() <= new_hw {
                self.batch_facts.set(batch, REACHED_HIGH_WATERMARK);
            }
        }
        let new_hw = log.high_watermark;
        // Acks the new high watermark releases, in the order they were registered; the rest keep waiting
        // (in place, so the list keeps its allocation).
        let mut ready = Vec::new();
        replica.pending_acks.retain(|&(required, wire, request)| {
            let released = required <= new_hw;
            if released {
                ready.push((required, wire, request));
            }
            !released
        });
        let mut parked = std::mem::take(&mut replica.parked_consumers);
        for (_, wire, request) in ready {
            self.acks_all_satisfied(leader, wire, request);
        }
        for &(group, member, _) in &parked {
            self.answer_parked_consumer_fetch(leader, group, member);
        }
        // Keep the list's allocation for the next fetches that park here (nothing parks while answering).
        parked.clear();
        let slot = &mut self
            .replica_mut(leader, tp)
            .expect("leader is a replica")
            .parked_consumers;
        if slot.is_empty() {
            *slot = parked;
        }
    }

    /// Whether a broker's AlterPartition requests reach the controller (no network fault between them).
    #[inline(always)]
    pub(crate) fn reaches_controller(&self, broker: BrokerId) -> bool {
        !self
            .k
            .network
            .is_cut(Node::Broker { broker }, Node::Controller)
    }

    // ---- follower fetch sessions (one per follower broker and leader broker, like a replica fetcher thread) ----

    pub(crate) fn ensure_all_fetchers(&mut self) {
        let mut pairs = Vec::new();
        for topic in &self.topics {
            for partition in &topic.partitions {
                if let Some(leader) = partition.leader {
                    for follower in &partition.replicas {
                        if *follower != leader {
                            pairs.push((*follower, leader));
                        }
                    }
                }
            }
        }
        sort::sort(&mut pairs);
        pairs.dedup();
        for (follower, leader) in pairs {
            self.ensure_fetcher(follower, leader);
        }
    }

    pub(crate) fn ensure_fetcher(&mut self, follower: BrokerId, leader: BrokerId) {
        if !self.broker(follower).alive || !self.broker(leader).alive {
            return;
        }
        if !self.broker(follower).fetchers[leader.index()].active {
            self.send_replica_fetch(follower, leader);
        }
    }

    /// The partitions each broker leads, by broker index (cached; elections and new partitions clear it).
    pub(crate) fn led_by(&mut self, leader: BrokerId) -> &[Tp] {
        if self.led_by_broker.is_none() {
            let mut led = vec![Vec::new(); self.brokers.len()];
            for (topic_index, topic) in self.topics.iter().enumerate() {
                for (partition_index, partition) in topic.partitions.iter().enumerate() {
                    if let Some(leader) = partition.leader {
                        led[leader.index()].push(Tp {
                            topic: topic_index,
                            partition: partition_index as u32,
                        });
                    }
                }
            }
            self.led_by_broker = Some(led);
        }
        &self.led_by_broker.as_ref().expect("filled")[leader.index()]
    }

    pub(crate) fn send_replica_fetch(&mut self, follower: BrokerId, leader: BrokerId) {
        let mut offsets = Vec::new();
        if follower != leader {
            let led = self.led_by(leader).to_vec();
            for tp in led {
                if let Some(log) = self.log_of(tp, follower) {
                    offsets.push(FetchOffset {
                        tp,
                        fetch_offset: log.log_end_offset,
                        last_fetched_epoch: log.last_epoch(),
                    });
                }
            }
        }
        self.broker_mut(leader).parked_replica_fetches[follower.index()].parked = None;
        let follower_alive = self.broker(follower).alive;
        let fetcher = &mut self.broker_mut(follower).fetchers[leader.index()];
        fetcher.session += 1;
        if offsets.is_empty() || !follower_alive {
            fetcher.active = false;
            return;
        }
        fetcher.active = true;
        let session = fetcher.session;
        let sent = self.send(
            Node::Broker { broker: follower },
            Node::Broker { broker: leader },
            FlowKind::ReplicaFetch,
            0,
            Ev::ReplicaFetchArrive {
                follower,
                leader,
                session,
                offsets,
            },
        );
        if !sent {
            self.replica_fetch_lost(follower, leader, session);
        }
    }

    /// A follower's fetch, or the leader's answer, was lost to a network fault: the follower's request
    /// times out and its fetcher backs off, then fetches again.
    fn replica_fetch_lost(&mut self, follower: BrokerId, leader: BrokerId, session: u64) {
        self.schedule(
            self.k.now + REPLICA_SOCKET_TIMEOUT_US + REPLICA_FETCH_BACKOFF_US,
            Ev::ReplicaFetchTimeout {
                follower,
                leader,
                session,
            },
        );
    }

    pub(crate) fn replica_fetch_timed_out(
        &mut self,
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
    ) {
        if self.fetcher_session_is(follower, leader, session) {
            self.broker_mut(follower).fetchers[leader.index()].active = false;
            self.ensure_fetcher(follower, leader);
        }
    }

    pub(crate) fn fetcher_session_is(
        &self,
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
    ) -> bool {
        let fetcher = &self.broker(follower).fetchers[leader.index()];
        fetcher.session == session && fetcher.active
    }

    pub(crate) fn replica_fetch_arrive(
        &mut self,
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
        offsets: Vec<FetchOffset>,
    ) {
        if !self.fetcher_session_is(follower, leader, session) || !self.broker(leader).alive {
            return;
        }
        let now = self.k.now;
        let mut answer_now = false;
        for fetch in &offsets {
            let tp = fetch.tp;
            let partition = self.partition(tp);
            if partition.leader != Some(leader) {
                continue;
            }
            let Some(index) = partition.replica_index(follower) else {
                continue;
            };
            let Some(log) = self.log_of(tp, leader) else {
                continue;
            };
            if diverging(log, fetch).is_some() {
                // The follower's log diverges: the leader tells it at once, and does not take its
                // fetch offset for its log end.
                answer_now = true;
                continue;
            }
            let leader_leo = log.log_end_offset;
            answer_now |=
                leader_leo > fetch.fetch_offset || fetch.fetch_offset < log.log_start_offset;
            self.replica_mut(leader, tp)
                .expect("leader is a replica")
                .followers[index]
                .update_fetch_state(fetch.fetch_offset, now, leader_leo);
            self.maybe_expand_isr(tp, follower);
            self.maybe_advance_high_watermark(tp);
        }
        if answer_now {
            self.answer_replica_fetch(follower, leader, session, offsets);
        } else {
            let deadline = self.on_quantum(now + self.cluster.replica_fetch_wait_max_ms * 1000);
            let fetcher = &mut self.broker_mut(leader).parked_replica_fetches[follower.index()];
            fetcher.parked = Some((session, offsets));
            fetcher.wait_deadline = deadline;
            if fetcher.timer_at.is_none_or(|at| at > deadline) {
                fetcher.timer_at = Some(deadline);
                self.schedule(deadline, Ev::ReplicaFetchWait { follower, leader });
            }
        }
    }

    /// The session's wait timer: answers a parked fetch whose `replica.fetch.wait.max.ms` is over, or
    /// re-arms for the deadline of the fetch parked now.
    pub(crate) fn replica_fetch_wait_expired(&mut self, follower: BrokerId, leader: BrokerId) {
        let now = self.k.now;
        let fetcher = &mut self.broker_mut(leader).parked_replica_fetches[follower.index()];
        if fetcher.timer_at == Some(now) {
            fetcher.timer_at = None;
        }
        if fetcher.parked.is_none() {
            return;
        }
        if fetcher.wait_deadline > now {
            if fetcher.timer_at.is_none() {
                let deadline = fetcher.wait_deadline;
                fetcher.timer_at = Some(deadline);
                self.schedule(deadline, Ev::ReplicaFetchWait { follower, leader });
            }
            return;
        }
        let (session, offsets) = fetcher.parked.take().expect("checked");
        self.answer_replica_fetch(follower, leader, session, offsets);
    }

    pub(crate) fn wake_parked_replica_fetches(&mut self, leader: BrokerId, tp: Tp) {
        let followers: Vec<BrokerId> = self
            .partition(tp)
            .replicas
            .iter()
            .copied()
            .filter(|broker| *broker != leader)
            .collect();
        for follower in followers {
            let fetcher = &mut self.broker_mut(leader).parked_replica_fetches[follower.index()];
            if fetcher
                .parked
                .as_ref()
                .is_some_and(|(_, offsets)| offsets.iter().any(|fetch| fetch.tp == tp))
            {
                let (session, offsets) = fetcher.parked.take().expect("checked");
                self.answer_replica_fetch(follower, leader, session, offsets);
            }
        }
    }

    pub(crate) fn answer_replica_fetch(
        &mut self,
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
        offsets: Vec<FetchOffset>,
    ) {
        let max_bytes = self.cluster.replica_fetch_max_bytes;
        let mut data = Vec::with_capacity(offsets.len());
        let mut records = 0;
        for fetch in offsets {
            let tp = fetch.tp;
            let partition = &self.topics[tp.topic].partitions[tp.partition as usize];
            if partition.leader != Some(leader) {
                continue;
            }
            let Some(replica) = self.brokers[leader.index()].replicas.get(tp) else {
                continue;
            };
            let log = &replica.log;
            let diverging = diverging(log, &fetch);
            let batches = match diverging {
                Some(_) => Vec::new(),
                None => log.read_from(fetch.fetch_offset, max_bytes, &mut self.batch_facts),
            };
            records += batches.iter().map(|batch| batch.records).sum::<u32>();
            data.push(FetchedPartition {
                tp,
                leader_epoch: partition.leader_epoch,
                fetch_offset: fetch.fetch_offset,
                batches,
                high_watermark: log.high_watermark,
                log_start_offset: log.log_start_offset,
                diverging,
            });
        }
        let sent = self.send(
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
            self.replica_fetch_lost(follower, leader, session);
        }
    }

    pub(crate) fn replica_fetch_response(
        &mut self,
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
        data: Vec<FetchedPartition>,
    ) {
        if !self.fetcher_session_is(follower, leader, session) || !self.broker(follower).alive {
            return;
        }
        let now = self.k.now;
        let mut truncated = Vec::new();
        for fetched in data {
            let (segment_bytes, segment_us) = {
                let config = &self.topics[fetched.tp.topic].config;
                (config.segment_bytes, config.segment_ms.saturating_mul(1000))
            };
            let partition = self.partition(fetched.tp);
            if partition.leader != Some(leader) || partition.leader_epoch != fetched.leader_epoch {
                continue;
            }
            let Some(log) = self.log_of_mut(fetched.tp, follower) else {
                continue;
            };
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
            for batch in fetched.batches {
                if batch.base_offset == log.log_end_offset {
                    log.append(batch, now, segment_bytes, segment_us);
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
                let topic = self.topics[tp.topic].name.clone();
                self.emit(EventKind::LogTruncated {
                    topic,
                    partition: tp.partition,
                    broker: follower.get(),
                    from_offset,
                    to_offset,
                });
            }
        }
        self.send_replica_fetch(follower, leader);
    }

    /// `Partition.makeLeader` on `leader`'s broker, as the controller's new registration (`replicas`,
    /// `isr`) reaches it: the epoch starts at its log end, and its view of each follower is reset (kept
    /// when it was leader already).
    pub(crate) fn make_leader(
        &mut self,
        tp: Tp,
        leader: BrokerId,
        new_leader: bool,
        (replicas, isr): (&[BrokerId], &[BrokerId]),
    ) {
        let now = self.k.now;
        let replica = self.replica_mut(leader, tp).expect("replica");
        let leader_leo = replica.log.log_end_offset;
        replica.leader_epoch_start_offset = leader_leo;
        for (index, state) in replica.followers.iter_mut().enumerate() {
            let in_sync = isr.contains(&replicas[index]);
            state.reset(now, leader_leo, new_leader, in_sync);
        }
    }

    /// The old leader's broker learns it no longer leads `tp`: the consumer fetches parked on it for the
    /// partition are handed back to be answered.
    pub(crate) fn resign_leadership(
        &mut self,
        tp: Tp,
        old_leader: BrokerId,
    ) -> Vec<(usize, usize, u32)> {
        self.replica_mut(old_leader, tp)
            .map(|replica| std::mem::take(&mut replica.parked_consumers))
            .unwrap_or_default()
    }

    pub(crate) fn maybe_expand_isr(&mut self, tp: Tp, follower: BrokerId) {
        let alive = self.can_lead(follower);
        let Some(leader) = self.partition(tp).leader else {
            return;
        };
        let alive = alive && self.reaches_controller(leader);
        let partition = self.partition(tp);
        if partition.isr.contains(&follower) || !alive {
            return;
        }
        let index = partition.replica_index(follower).expect("a replica");
        let leader_replica = self.replica(leader, tp).expect("leader log");
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
            self.alter_partition(tp, leader, isr, Reason::FollowerCaughtUp);
        }
    }

    pub(crate) fn emit_isr_changed(&mut self, tp: Tp, reason: Reason) {
        let isr = self.partition(tp).isr.clone();
        let topic = self.topics[tp.topic].name.clone();
        self.emit(EventKind::IsrChanged {
            topic,
            partition: tp.partition,
            isr: crate::ids::plain(&isr),
            reason,
        });
    }

    /// The leader's `isr-expiration` task, every `replica.lag.time.max.ms / 2`.
    pub(crate) fn isr_expiration(&mut self) {
        let lag_us = self.cluster.replica_lag_time_max_ms * 1000;
        let now = self.k.now;
        for topic in 0..self.topics.len() {
            for partition in 0..self.topics[topic].partitions.len() as u32 {
                let tp = Tp { topic, partition };
                let p = self.partition(tp);
                let Some(leader) = p.leader else { continue };
                if !self.broker(leader).alive || !self.reaches_controller(leader) {
                    // A leader cut off from the controller cannot send AlterPartition: the ISR stays.
                    continue;
                }
                let Some(replica) = self.replica(leader, tp) else {
                    continue;
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
                    continue;
                }
                let mut isr = p.isr.clone();
                isr.retain(|broker| !out_of_sync.contains(broker));
                self.alter_partition(tp, leader, isr, Reason::FollowerOutOfSync);
                self.maybe_advance_high_watermark(tp);
            }
        }
    }

    // ---- brokers and the controller ----

    /// Retention: each live replica deletes closed segments past `retention.ms` / `retention.bytes`.
    pub(crate) fn retention_check(&mut self) {
        let now = self.k.now;
        for tp in self.all_partitions() {
            let config = self.topics[tp.topic].config.clone();
            let retention_us = config.retention_ms.map(|ms| ms.saturating_mul(1000));
            let leader = self.partition(tp).leader;
            let replicas = self.partition(tp).replicas.clone();
            for broker in replicas {
                if !self.broker(broker).alive {
                    continue;
                }
                let log = self.log_of_mut(tp, broker).expect("replica");
                if let Some(log_start_offset) =
                    log.apply_retention(now, retention_us, config.retention_bytes)
                {
                    if Some(broker) == leader {
                        let topic = self.topics[tp.topic].name.clone();
                        self.emit(EventKind::LogStartAdvanced {
                            topic,
                            partition: tp.partition,
                            broker: broker.get(),
                            log_start_offset,
                        });
                        self.log_start_advanced_for_groups(tp, log_start_offset);
                    }
                }
            }
        }
    }
}

/// Kafka's `ReplicaTest` (core/src/test/scala/unit/kafka/cluster/ReplicaTest.scala), ported: the same
/// fetch sequences and the state or answer it asserts. Times are in milliseconds there, µs here.
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
        let mut replica = FollowerState::default();
        // Kafka's initial state has an unknown log end (-1), never equal to a leader's.
        replica.log_end_offset = u64::MAX;
        replica.last_caught_up_us = 0;
        assert!(!replica.is_caught_up(10, LAG_US + 1, LAG_US));
        replica.update_fetch_state(10, LAG_US + 1, 10);
        assert!(replica.is_caught_up(10, LAG_US + 1, LAG_US));
        // Still at the log end after the lag time: caught up.
        assert!(replica.is_caught_up(10, 2 * LAG_US + 2, LAG_US));
    }

    #[test]
    fn is_caught_up_when_not_at_the_log_end() {
        let mut replica = FollowerState::default();
        replica.log_end_offset = u64::MAX;
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
    use crate::ids::Tp;
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
                    producer: 0,
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
