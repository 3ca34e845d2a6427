//! The engine's side of the brokers: it builds a broker's `Host`, hands each broker event to its
//! broker's handler (`broker/`), and runs what spans brokers: starting the followers' fetch sessions after
//! the metadata changes, the periodic ISR-expiration and retention tasks on every broker, and the
//! summarising of logs (a storage choice of the simulator, which reads every reader's position).

use super::Simulation;
use crate::config::Acks;
use crate::host::{Books, Broker, Host};
use crate::ids::{BrokerId, GroupIx, MemberSlot, Micros, ProducerIx, Tp};
use crate::partition::{DETAIL_BATCHES, SUMMARIZE_EVERY};
use crate::protocol::ProduceBatch;
use crate::sort;

impl Simulation {
    /// A broker's handlers and what they reach (`host::Host`).
    pub(crate) fn host(&mut self, broker: BrokerId) -> (&mut Broker, Host<'_>) {
        if self.led_by_broker.is_none() {
            self.led_by_broker = Some(self.leaders_by_broker());
        }
        let Simulation {
            k,
            brokers,
            topics,
            cluster,
            controller,
            led_by_broker,
            producers,
            batch_facts,
            produce_ledger,
            summarize_due,
            ..
        } = self;
        (
            &mut brokers[broker.index()],
            Host::new(
                k,
                topics,
                cluster,
                &controller.registrations,
                led_by_broker.as_deref().expect("filled above"),
                producers,
                Books {
                    batch_facts,
                    produce_ledger,
                    summarize_due,
                },
            ),
        )
    }

    /// Runs one of `broker`'s handlers, then summarises the logs it made due.
    #[inline(always)]
    pub(crate) fn on_broker<R>(
        &mut self,
        broker: BrokerId,
        handler: impl FnOnce(&mut Broker, &mut Host<'_>) -> R,
    ) -> R {
        let (b, mut h) = self.host(broker);
        let result = handler(b, &mut h);
        while let Some(tp) = self.summarize_due.pop() {
            self.summarize(tp);
        }
        result
    }

    /// A ProduceRequest arrived at `broker`: its handler's steps, batch by batch (`broker::produce`).
    /// Each step is a handler run of its own, so a log an append made due for summarising is summarised
    /// right after that append, before the batch is answered.
    pub(crate) fn produce_request_arrive(
        &mut self,
        broker: BrokerId,
        producer: ProducerIx,
        acks: Acks,
        batches: Vec<ProduceBatch>,
    ) {
        let count = batches.len();
        let wire = self.on_broker(broker, |b, _| {
            b.begin_produce_request(producer, acks, count)
        });
        for batch in batches {
            let appended = self.on_broker(broker, |b, h| {
                b.produce_batch_append(h, producer, batch, acks)
            });
            if let Some(appended) = appended {
                self.on_broker(broker, |b, h| {
                    b.produce_batch_answer(h, (producer, acks, wire), appended)
                });
            }
        }
        self.on_broker(broker, |b, h| b.end_produce_request(h, wire));
    }

    /// By leader and follower broker index, the partitions the one leads and the other hosts a replica
    /// of: what the follower's fetch session with that leader asks for.
    fn leaders_by_broker(&self) -> Vec<Vec<Vec<Tp>>> {
        let brokers = self.brokers.len();
        let mut led = vec![vec![Vec::new(); brokers]; brokers];
        for (topic_index, topic) in self.topics.iter().enumerate() {
            for (partition_index, partition) in topic.partitions.iter().enumerate() {
                let Some(leader) = partition.leader else {
                    continue;
                };
                for follower in &partition.replicas {
                    if *follower != leader {
                        led[leader.index()][follower.index()].push(Tp {
                            topic: topic_index,
                            partition: partition_index as u32,
                        });
                    }
                }
            }
        }
        led
    }

    // ---- what the controller's metadata changes reach on the brokers ----

    /// `tp`'s leader, if it runs, advances the high watermark if it can.
    pub(crate) fn maybe_advance_high_watermark(&mut self, tp: Tp) {
        if let Some(leader) = self.partition(tp).leader {
            self.on_broker(leader, |b, h| b.maybe_advance_high_watermark(h, tp));
        }
    }

    /// The new registration makes `leader` `tp`'s leader (`new_leader`: it did not lead before).
    pub(crate) fn make_leader(
        &mut self,
        tp: Tp,
        leader: BrokerId,
        new_leader: bool,
        registration: (&[BrokerId], &[BrokerId]),
    ) {
        let now: Micros = self.k.now;
        self.broker_mut(leader)
            .make_leader(now, tp, new_leader, registration);
    }

    /// `old_leader` no longer leads `tp`: its parked consumer fetches for it, to be answered.
    pub(crate) fn resign_leadership(
        &mut self,
        tp: Tp,
        old_leader: BrokerId,
    ) -> Vec<(GroupIx, MemberSlot, u32)> {
        self.broker_mut(old_leader).resign_leadership(tp)
    }

    /// The batches in `old_leader`'s produce purgatory for `tp` get `NotLeaderOrFollower`.
    pub(crate) fn fail_pending_acks(&mut self, tp: Tp, old_leader: BrokerId) {
        self.on_broker(old_leader, |b, h| b.fail_pending_acks(h, tp));
    }

    // ---- follower fetch sessions ----

    /// After the metadata changed: every follower that runs starts a fetch session with each running
    /// leader of a partition it hosts, unless one is going.
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

    /// `follower` starts a fetch session with `leader` if both run (a connection to a stopped broker is
    /// refused) and none is going.
    pub(crate) fn ensure_fetcher(&mut self, follower: BrokerId, leader: BrokerId) {
        if !self.broker(follower).alive || !self.broker(leader).alive {
            return;
        }
        if !self.broker(follower).fetchers[leader.index()].active {
            self.on_broker(follower, |b, h| b.send_replica_fetch(h, leader));
        }
    }

    /// A follower's fetch arrived at its leader. A fetch from a session that has ended (the follower's
    /// fetcher timed out and started over, or either process crashed since) is not served: its
    /// connection is gone.
    pub(crate) fn replica_fetch_arrive(
        &mut self,
        (follower, leader, session): (BrokerId, BrokerId, u64),
        offsets: Vec<crate::protocol::FetchOffset>,
    ) {
        if !self.broker(follower).fetcher_session_is(leader, session) {
            return;
        }
        self.on_broker(leader, |b, h| {
            b.replica_fetch_arrive(h, follower, session, offsets)
        });
    }

    /// A follower's fetch got no answer in time: its fetcher starts over if the leader runs.
    pub(crate) fn replica_fetch_timed_out(
        &mut self,
        follower: BrokerId,
        leader: BrokerId,
        session: u64,
    ) {
        if self
            .broker_mut(follower)
            .replica_fetch_timed_out(leader, session)
        {
            self.ensure_fetcher(follower, leader);
        }
    }

    // ---- the brokers' periodic tasks ----

    /// Each leader's `isr-expiration` task, partition by partition.
    pub(crate) fn isr_expiration(&mut self) {
        for tp in self.all_partitions() {
            if let Some(leader) = self.partition(tp).leader {
                self.on_broker(leader, |b, h| b.isr_expiration(h, tp));
            }
        }
    }

    /// Retention on every replica; the groups learn of a leader's new log start.
    pub(crate) fn retention_check(&mut self) {
        for tp in self.all_partitions() {
            for index in 0..self.partition(tp).replicas.len() {
                let broker = self.partition(tp).replicas[index];
                if let Some(log_start_offset) =
                    self.on_broker(broker, |b, h| b.apply_retention(h, tp))
                {
                    self.log_start_advanced_for_groups(tp, log_start_offset);
                }
            }
        }
    }

    // ---- logs: batches and runs ----

    /// Moves what no reader needs batch by batch into runs, on every live replica (see docs/logs.md).
    /// Runs each time the leader's log holds `SUMMARIZE_EVERY` more batches.
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
    fn detail_floor(&self, tp: Tp) -> Option<u64> {
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
            floor = floor.min(
                self.lowest_group_position(GroupIx::at(group), tp)
                    .unwrap_or(u64::MAX),
            );
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
}
