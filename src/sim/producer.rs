//! The producer client: records generated at a configured rate, keys, Kafka's built-in partitioner, the
//! record accumulator (`linger.ms`, `batch.size`), `max.in.flight.requests.per.connection`, `acks`,
//! retries with backoff, `delivery.timeout.ms`, and the idempotent producer's sequence numbers. (The
//! broker's side of a ProduceRequest is `broker::produce`.)

use super::config::{Acks, ProducerConfig};
use super::event::{EventKind, Reason};
use super::id_table::IdTable;
use super::ids::{BrokerId, Micros, ProducerIx, ProducerRequestId, Tp};
use super::kernel::Kernel;
use super::keys::{KeyCycle, KeyRun};
use super::network::{FlowKind, Node};
use super::partition::{Partition, Topic};
use super::partitioner::StickyPartition;
use super::protocol::{Ev, ProduceBatch, ProduceOutcome};
use super::scenario::{KeySpec, ProducerSpec};
use super::world::Histogram;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

#[derive(Clone, Debug)]
pub(crate) struct OpenBatch {
    pub(crate) created_us: Micros,
    /// When the application called `send()` for its first and last records.
    pub(crate) sent_us: (Micros, Micros),
    pub(crate) records: u32,
    pub(crate) bytes: u64,
    /// The first record's key position; `None` for null keys.
    pub(crate) keys: Option<KeyRun>,
}

/// The accumulator's open batches, one slot per partition (a map lookup per record was the producer's
/// hottest path). Iteration is in partition order, like the `BTreeMap` it replaces.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpenBatches {
    pub(crate) slots: Vec<Option<OpenBatch>>,
    pub(crate) count: usize,
}

impl OpenBatches {
    pub(crate) fn get(&self, partition: u32) -> Option<&OpenBatch> {
        self.slots.get(partition as usize)?.as_ref()
    }

    pub(crate) fn remove(&mut self, partition: u32) -> Option<OpenBatch> {
        let batch = self.slots.get_mut(partition as usize)?.take();
        self.count -= usize::from(batch.is_some());
        batch
    }

    /// The partition's open batch, opened if there is none, its first record at key position `keys`.
    pub(crate) fn get_or_open(
        &mut self,
        partition: u32,
        created_us: Micros,
        sent_us: Micros,
        keys: impl FnOnce() -> Option<KeyRun>,
    ) -> &mut OpenBatch {
        let index = partition as usize;
        if self.slots.len() <= index {
            self.slots.resize(index + 1, None);
        }
        let slot = &mut self.slots[index];
        if slot.is_none() {
            self.count += 1;
        }
        slot.get_or_insert_with(|| OpenBatch {
            created_us,
            sent_us: (sent_us, sent_us),
            records: 0,
            bytes: 0,
            keys: keys(),
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &OpenBatch)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(partition, slot)| Some((partition as u32, slot.as_ref()?)))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RequestState {
    /// Waiting to be sent (again, after `not_before_us` when it is a retry).
    Queued,
    InFlight {
        broker: BrokerId,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub(crate) tp: Tp,
    pub(crate) records: u32,
    pub(crate) bytes: u64,
    pub(crate) keys: Option<KeyRun>,
    pub(crate) created_us: Micros,
    /// When the application called `send()` for its first and last records.
    pub(crate) sent_us: (Micros, Micros),
    pub(crate) base_sequence: u32,
    pub(crate) epoch: u32,
    pub(crate) attempt: u32,
    pub(crate) state: RequestState,
    /// A retry waits for its backoff.
    pub(crate) not_before_us: Micros,
    /// When the attempt on the wire times out (`request.timeout.ms`).
    pub(crate) timeout_at: Micros,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ProducerStats {
    pub records_generated: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub records_retried: u64,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub id: String,
    pub topic: usize,
    pub rate_per_sec: u32,
    /// Shared with the views the page takes every frame (a list can hold 1,000 keys).
    pub keys: std::sync::Arc<KeySpec>,
    pub record_bytes: u64,
    pub config: ProducerConfig,
    pub producer_id: u64,
    pub epoch: u32,
    pub stats: ProducerStats,
    pub(crate) rate_epoch_us: Micros,
    pub(crate) rate_epoch_records: u64,
    /// Keyed records generated since the keys were set (`keys::KeyCycle`'s `n`).
    pub(crate) keyed: u64,
    /// The current key cycle (`None` for null keys), and the records sent to each partition in it.
    pub(crate) cycle: Option<Rc<KeyCycle>>,
    pub(crate) ordinals: Vec<u64>,
    pub(crate) sticky: StickyPartition,
    pub(crate) open: OpenBatches,
    pub(crate) requests: IdTable<ProducerRequestId, Request>,
    /// The id its next request gets.
    pub(crate) next_request: ProducerRequestId,
    /// The requests waiting to be sent (`RequestState::Queued`) by `(partition, request)`: the drain
    /// order, oldest first per partition, without walking the requests on the wire.
    pub(crate) queued: BTreeSet<(u32, ProducerRequestId, Micros)>,
    /// How many of the queued requests are retries (sent before), by partition.
    pub(crate) queued_retries: Vec<u32>,
    /// `send_ready`'s copy of `queued` (kept for its allocation).
    pub(crate) drain_order: Vec<(u32, ProducerRequestId, Micros)>,
    /// Requests on the wire, by partition.
    pub(crate) in_flight: Vec<u64>,
    pub(crate) next_sequence: BTreeMap<u32, u32>,
    pub(crate) tick_scheduled: bool,
    /// Bytes held in `buffer.memory`: records in open batches and in requests not yet answered.
    pub(crate) buffered_bytes: u64,
    /// Since when `send()` has been blocked on a full `buffer.memory`.
    pub(crate) blocked_since: Option<Micros>,
    /// Requests on the wire by `request.timeout.ms` deadline: `(deadline, request, attempt)`. One timer
    /// event (`timeout_timer_at`) stands for all of them instead of one per request, since nearly every
    /// request is answered long before its deadline.
    pub(crate) timeouts: BTreeSet<(Micros, ProducerRequestId, u32)>,
    pub(crate) timeout_timer_at: Option<Micros>,
    /// The requests whose outcome the application has heard since the dispatcher last looked (`true`:
    /// success): what the producer tells the observer (`accounting::ProduceLedger`).
    pub(crate) answered: Vec<(ProducerRequestId, bool)>,
    /// How long `send()` took to return or be acknowledged, as `acks` says, per record: the Kafka path's
    /// response time (`world`).
    pub(crate) responses: Histogram,
    /// When `send()` was called for each record generated since the engine last looked, kept only for a producer with
    /// a synchronous baseline (`world::World::sync_request`).
    pub(crate) sent_log: Option<Vec<Micros>>,
}

impl Producer {
    pub(crate) fn new(
        spec: &ProducerSpec,
        config: ProducerConfig,
        topic: usize,
        index: ProducerIx,
        now: Micros,
    ) -> Producer {
        Producer {
            id: spec.id.clone(),
            topic,
            rate_per_sec: spec.rate_per_sec,
            keys: std::sync::Arc::new(spec.keys.clone()),
            record_bytes: spec.record_bytes as u64,
            config,
            producer_id: 1000 + index.0 as u64,
            epoch: 0,
            stats: ProducerStats::default(),
            answered: Vec::new(),
            next_request: ProducerRequestId::default(),
            responses: Histogram::default(),
            sent_log: None,
            rate_epoch_us: now,
            rate_epoch_records: 0,
            keyed: 0,
            cycle: None,
            ordinals: Vec::new(),
            sticky: StickyPartition::default(),
            open: OpenBatches::default(),
            requests: IdTable::new(),
            queued: BTreeSet::new(),
            drain_order: Vec::new(),
            queued_retries: Vec::new(),
            in_flight: Vec::new(),
            next_sequence: BTreeMap::new(),
            tick_scheduled: false,
            buffered_bytes: 0,
            blocked_since: None,
            timeouts: BTreeSet::new(),
            timeout_timer_at: None,
        }
    }

    /// The requests on the wire to `broker`, with their attempts (its connection closed).
    pub(crate) fn in_flight_to(&self, broker: BrokerId) -> Vec<(ProducerRequestId, u32)> {
        self.requests
            .iter()
            .filter(|(_, request)| request.state == RequestState::InFlight { broker })
            .map(|(id, request)| (*id, request.attempt))
            .collect()
    }

    /// Forgets a request (an `acks=0` batch once it is on the wire).
    pub(crate) fn release_request(&mut self, id: ProducerRequestId) {
        let p = self;
        if let Some(request) = p.requests.remove(&id) {
            p.buffered_bytes -= request.bytes;
        }
    }

    pub(crate) fn requests_len(&self) -> usize {
        self.requests.len()
    }

    /// Records waiting in the accumulator or on the wire, not yet acknowledged or failed.
    pub fn records_pending(&self) -> u64 {
        self.open
            .iter()
            .map(|(_, batch)| batch.records as u64)
            .sum::<u64>()
            + self
                .requests
                .values()
                .map(|request| request.records as u64)
                .sum::<u64>()
    }
}

/// What a producer client reads of the cluster: the topics' partitions and their leaders, as its metadata
/// cache would hold them (refreshed at once), and the topics' names for its events.
pub(crate) struct Cluster<'a> {
    pub topics: &'a [Topic],
}

impl Cluster<'_> {
    #[inline(always)]
    pub fn partition(&self, tp: Tp) -> &Partition {
        &self.topics[tp.topic].partitions[tp.partition as usize]
    }
}

/// The producer client's handlers: each changes only this producer, and reaches the rest of the run through
/// the kernel (its clock, messages, timers and events). `me` is the producer's index.
impl Producer {
    /// A new key cycle: the keys changed, or the topic's partition count did.
    pub(crate) fn start_key_cycle(&mut self, partitions: u32) {
        self.cycle = KeyCycle::new(self.keys.clone(), partitions, self.keyed);
        self.ordinals = vec![0; partitions as usize];
        self.sticky.reset();
    }

    pub(crate) fn tick_us(&self) -> Micros {
        self.config.linger_ms.max(1) * 1000
    }

    pub(crate) fn schedule_tick(&mut self, me: ProducerIx, k: &mut Kernel) {
        let waiting = !self.queued.is_empty();
        if self.tick_scheduled || (self.rate_per_sec == 0 && self.open.is_empty() && !waiting) {
            return;
        }
        let at = k.now + self.tick_us();
        self.tick_scheduled = true;
        k.schedule(at, Ev::ProducerTick { producer: me });
    }

    pub(crate) fn on_tick(&mut self, me: ProducerIx, k: &mut Kernel, c: &Cluster) {
        self.tick_scheduled = false;
        let now = k.now;
        let topic = self.topic;
        let partition_count = c.topics[topic].partitions.len() as u32;
        let available: Vec<u32> = (0..partition_count)
            .filter(|p| {
                c.partition(Tp {
                    topic,
                    partition: *p,
                })
                .leader
                .is_some()
            })
            .collect();
        let due_total = self.rate_epoch_records
            + (now - self.rate_epoch_us) * self.rate_per_sec as u64 / 1_000_000;
        let due = due_total.saturating_sub(self.stats.records_generated);
        let batch_size = self.config.batch_size;
        let record_bytes = self.record_bytes;
        let buffer_memory = self.config.buffer_memory;
        let max_block_us = self.config.max_block_ms * 1000;
        for _ in 0..due {
            if self.buffered_bytes + record_bytes > buffer_memory {
                self.block_send(k, c, max_block_us);
                break;
            }
            let resumed = self.blocked_since.take();
            if let Some(since) = resumed {
                // `send()` returns: the application goes on at its rate from now, without a burst.
                self.rate_epoch_us = now;
                self.rate_epoch_records = self.stats.records_generated;
                let id = self.id.clone();
                k.emit(EventKind::ProducerUnblocked {
                    producer: id,
                    blocked_ms: (now - since) / 1000,
                });
            }
            self.buffered_bytes += record_bytes;
            let n = self.stats.records_generated - self.rate_epoch_records;
            let created_us =
                self.rate_epoch_us + (n * 1_000_000).div_ceil(self.rate_per_sec.max(1) as u64);
            self.stats.records_generated += 1;
            let key = self.cycle.as_ref().map(|cycle| {
                let key = cycle.key_of(self.keyed);
                self.keyed += 1;
                key
            });
            let partition = match (key, &self.cycle) {
                (Some(key), Some(cycle)) => cycle.partition_of(key),
                _ => self
                    .sticky
                    .partition(&available, partition_count, &mut k.rng),
            };
            // A batch never spans two key cycles.
            let full = self.open.get(partition).is_some_and(|open| {
                let same_cycle = match (&open.keys, &self.cycle) {
                    (None, None) => true,
                    (Some(run), Some(cycle)) => Rc::ptr_eq(&run.cycle, cycle),
                    _ => false,
                };
                open.bytes + record_bytes > batch_size || !same_cycle
            });
            if full {
                let open = self.open.remove(partition).expect("checked");
                self.enqueue_batch(partition, open);
            }
            let ordinal = key.map(|_| {
                let ordinal = self.ordinals[partition as usize];
                self.ordinals[partition as usize] += 1;
                ordinal
            });
            let cycle = &self.cycle;
            let open = self.open.get_or_open(partition, created_us, now, || {
                Some(KeyRun {
                    cycle: cycle.clone()?,
                    partition,
                    first: ordinal?,
                })
            });
            open.records += 1;
            open.sent_us.1 = now;
            open.bytes += record_bytes;
            if let Some(sent) = &mut self.sent_log {
                sent.push(now);
            }
            let batch_full_or_closed = open.bytes + record_bytes > batch_size;
            if key.is_none() {
                self.sticky
                    .record_appended(record_bytes, batch_size, batch_full_or_closed);
            }
            if resumed.is_some() {
                break;
            }
        }
        self.close_drainable_batches(k, c);
        self.send_ready(me, k, c);
        self.schedule_tick(me, k);
    }

    /// At the producer's tick (every `linger.ms`), closes the open batches the accumulator drains now: those whose `linger.ms` is over (or that are
    /// full) on a partition with a leader, nothing older queued and a free in-flight slot. Like the Java
    /// `RecordAccumulator`, a batch that cannot be sent yet stays open and keeps taking records up to
    /// `batch.size`, so batches grow while a partition is backed up. A batch past `delivery.timeout.ms`
    /// is closed so that it expires.
    pub(crate) fn close_drainable_batches(&mut self, k: &mut Kernel, c: &Cluster) {
        let now = k.now;
        let linger_us = self.config.linger_ms * 1000;
        let delivery_timeout_us = self.config.delivery_timeout_ms * 1000;
        let batch_size = self.config.batch_size;
        let max_in_flight = self.config.max_in_flight_requests_per_connection;
        let topic = self.topic;
        let closing: Vec<u32> = self
            .open
            .iter()
            .filter(|&(partition, open)| {
                let lingered = now >= open.created_us + linger_us || open.bytes >= batch_size;
                let drainable = || {
                    c.partition(Tp { topic, partition }).leader.is_some()
                        && self.in_flight_on(partition) < max_in_flight
                        && self
                            .queued
                            .range(
                                (partition, ProducerRequestId(0), 0)
                                    ..=(partition, ProducerRequestId(u64::MAX), Micros::MAX),
                            )
                            .next()
                            .is_none()
                };
                now >= open.created_us + delivery_timeout_us || (lingered && drainable())
            })
            .map(|(partition, _)| partition)
            .collect();
        for partition in closing {
            let open = self.open.remove(partition).expect("listed");
            self.enqueue_batch(partition, open);
        }
    }

    pub(crate) fn enqueue_batch(&mut self, partition: u32, open: OpenBatch) {
        let id = ProducerRequestId::issue(&mut self.next_request);
        let tp = Tp {
            topic: self.topic,
            partition,
        };
        let base_sequence = if self.config.enable_idempotence {
            let next = self.next_sequence.entry(partition).or_insert(0);
            let base = *next;
            *next = next.wrapping_add(open.records);
            base
        } else {
            0
        };
        let epoch = self.epoch;
        self.queued.insert((partition, id, open.created_us));
        self.requests.insert(
            id,
            Request {
                tp,
                records: open.records,
                bytes: open.bytes,
                keys: open.keys,
                created_us: open.created_us,
                sent_us: open.sent_us,
                base_sequence,
                epoch,
                attempt: 0,
                state: RequestState::Queued,
                not_before_us: 0,
                timeout_at: 0,
            },
        );
    }

    /// Sends queued batches in order while the partition has fewer than
    /// `max.in.flight.requests.per.connection` in flight. An idempotent producer that is retrying a
    /// partition sends only its oldest batch, alone, until it succeeds (`RecordAccumulator.drain` stops
    /// at a batch that is not the next sequence), so retries go back in order; without idempotence retries
    /// are sent as their backoff ends and can overtake later batches.
    pub(crate) fn send_ready(&mut self, me: ProducerIx, k: &mut Kernel, c: &Cluster) {
        let now = k.now;
        let idempotent = self.config.enable_idempotence;
        if self.queued.is_empty() {
            return;
        }
        let mut drained: Vec<(BrokerId, Vec<ProduceBatch>, u32)> = Vec::new();
        // Queued requests by partition, oldest first. (Requests on the wire are counted in `in_flight`;
        // when a partition has none, its queued requests are all it has, so a position among them is a
        // position among all of its requests.)
        let mut order = std::mem::take(&mut self.drain_order);
        order.clear();
        order.extend(self.queued.iter().copied());
        let topic = self.topic;
        let mut start = 0;
        while start < order.len() {
            let (partition, _, oldest_created_us) = order[start];
            let end = start
                + order[start..]
                    .iter()
                    .take_while(|(other, _, _)| *other == partition)
                    .count();
            let ids = &order[start..end];
            start = end;
            if c.partition(Tp { topic, partition }).leader.is_none() {
                // The accumulator does not drain a partition without a leader; batches wait (and expire
                // after delivery.timeout.ms). The producer's tick looks again.
                let expired: Vec<ProducerRequestId> = ids
                    .iter()
                    .map(|(_, id, _)| *id)
                    .filter(|id| {
                        let request = &self.requests[id];
                        request.state == RequestState::Queued
                            && now >= request.created_us + self.config.delivery_timeout_ms * 1000
                    })
                    .collect();
                for id in expired {
                    self.fail_request(k, c, id, Reason::DeliveryTimeout);
                }
                continue;
            }
            let retrying = idempotent
                && self
                    .queued_retries
                    .get(partition as usize)
                    .is_some_and(|count| *count > 0);
            debug_assert_eq!(
                self.queued_retries
                    .get(partition as usize)
                    .copied()
                    .unwrap_or(0) as usize,
                ids.iter()
                    .filter(|(_, id, _)| self.requests[id].attempt > 0)
                    .count(),
                "queued retries counted"
            );
            let delivery_timeout_us = self.config.delivery_timeout_ms * 1000;
            if self.in_flight_on(partition) >= self.config.max_in_flight_requests_per_connection
                && now < oldest_created_us + delivery_timeout_us
            {
                // The connection is full and the oldest request has not expired: nothing to do here
                // (the loop below would stop at it).
                continue;
            }
            for (position, &(_, id, _)) in ids.iter().enumerate() {
                let request = &self.requests[&id];
                if request.state != RequestState::Queued {
                    continue;
                }
                if now >= request.created_us + delivery_timeout_us {
                    self.fail_request(k, c, id, Reason::DeliveryTimeout);
                    continue;
                }
                let in_flight = self.in_flight_on(partition);
                let full = in_flight >= self.config.max_in_flight_requests_per_connection;
                let blocked = full || (retrying && (position > 0 || in_flight > 0));
                if now < request.not_before_us || blocked {
                    if idempotent || full {
                        // Nothing after it goes out now. (With the connection full, nothing after it
                        // expires either: a partition's requests are queued oldest first, and this one
                        // has not.)
                        debug_assert!(ids[position..].iter().all(|(_, later, _)| {
                            now < self.requests[later].created_us + delivery_timeout_us
                        }));
                        break;
                    }
                    continue;
                }
                if let Some((leader, batch)) = self.transmit(me, k, c, id) {
                    let records = batch.records;
                    match drained.iter_mut().find(|(broker, _, _)| *broker == leader) {
                        Some((_, batches, count)) => {
                            batches.push(batch);
                            *count += records;
                        }
                        None => {
                            let mut batches = Vec::with_capacity(ids.len());
                            batches.push(batch);
                            drained.push((leader, batches, records));
                        }
                    }
                }
            }
        }
        self.drain_order = order;
        // Like the Java client's Sender: one ProduceRequest per broker with the batches drained for it.
        let acks = self.config.acks;
        for (leader, batches, records) in drained {
            k.send(
                Node::Producer { producer: me },
                Node::Broker { broker: leader },
                FlowKind::Produce,
                records,
                Ev::Produce {
                    producer: me,
                    broker: leader,
                    acks,
                    batches,
                },
            );
        }
    }

    /// Marks a batch as sent to its partition's current leader; returns the leader and the batch as the
    /// request carries it, or `None` when there is no leader (the batch waits for the retry backoff).
    /// `send_ready` puts the batches for one broker on the wire as one request.
    pub(crate) fn transmit(
        &mut self,
        me: ProducerIx,
        k: &mut Kernel,
        c: &Cluster,
        id: ProducerRequestId,
    ) -> Option<(BrokerId, ProduceBatch)> {
        let tp = self.requests[&id].tp;
        let Some(leader) = c.partition(tp).leader else {
            // No leader in the metadata: wait and look again after the retry backoff.
            let at = k.now + self.config.retry_backoff_ms * 1000;
            let request = self.requests.get_mut(&id).expect("exists");
            request.state = RequestState::Queued;
            request.not_before_us = at;
            k.schedule(
                at,
                Ev::ProduceRetry {
                    producer: me,
                    request: id,
                },
            );
            return None;
        };
        *self.in_flight_mut(tp.partition) += 1;
        let (retry, created_us) = {
            let request = &self.requests[&id];
            (request.attempt > 0, request.created_us)
        };
        let queued = self.unqueue(tp.partition, (id, created_us), retry);
        debug_assert!(queued, "a request is sent from the queue");
        let request = self.requests.get_mut(&id).expect("exists");
        request.attempt += 1;
        request.state = RequestState::InFlight { broker: leader };
        let (attempt, records) = (request.attempt, request.records);
        let batch = ProduceBatch {
            request: id,
            attempt,
            tp,
            records,
            bytes: request.bytes,
            producer_id: self
                .config
                .enable_idempotence
                .then_some((self.producer_id, request.epoch)),
            base_sequence: request.base_sequence,
            keys: request.keys.clone(),
            created_us: request.created_us,
        };
        let acks = self.config.acks;
        let timeout = self.config.request_timeout_ms * 1000;
        if acks == Acks::Zero {
            // acks=0: "considered sent" once on the wire; no response is awaited, and the batch's
            // memory is free.
            *self.in_flight_mut(tp.partition) -= 1;
            self.stats.records_acknowledged += records as u64;
            let (first, last) = self.requests.get(&id).expect("exists").sent_us;
            self.responses
                .add_spread(k.now - last, k.now - first, records as u64);
            self.emit_acknowledged(k, c, tp, None, records);
            self.release_request(id);
        } else {
            let deadline = k.now + timeout;
            self.requests.get_mut(&id).expect("exists").timeout_at = deadline;
            self.timeouts.insert((deadline, id, attempt));
            self.arm_timeout(me, k);
        }
        Some((leader, batch))
    }

    /// The application's callback heard success (a record-level event).
    pub(crate) fn emit_acknowledged(
        &mut self,
        k: &mut Kernel,
        c: &Cluster,
        tp: Tp,
        base_offset: Option<u64>,
        records: u32,
    ) {
        if k.record_events {
            k.emit(EventKind::ProduceAcknowledged {
                producer: self.id.clone(),
                topic: c.topics[tp.topic].name.clone(),
                partition: tp.partition,
                base_offset,
                records,
            });
        }
    }

    /// Keeps the producer's timeout timer set for its earliest deadline.
    pub(crate) fn arm_timeout(&mut self, me: ProducerIx, k: &mut Kernel) {
        let Some(&(deadline, _, _)) = self.timeouts.first() else {
            return;
        };
        let deadline = k.on_quantum(deadline);
        if self.timeout_timer_at.is_none_or(|at| at > deadline) {
            self.timeout_timer_at = Some(deadline);
            k.schedule(deadline, Ev::ProduceTimeout { producer: me });
        }
    }

    /// The timeout timer fired: every request whose deadline has come times out.
    pub(crate) fn on_timeout_timer(&mut self, me: ProducerIx, k: &mut Kernel, c: &Cluster) {
        let now = k.now;
        if self.timeout_timer_at == Some(now) {
            self.timeout_timer_at = None;
        }
        while let Some(&(deadline, id, attempt)) = self.timeouts.first() {
            if deadline > now {
                break;
            }
            self.timeouts.pop_first();
            self.request_timed_out(me, k, c, id, attempt);
        }
        self.arm_timeout(me, k);
    }

    pub(crate) fn request_timed_out(
        &mut self,
        me: ProducerIx,
        k: &mut Kernel,
        c: &Cluster,
        id: ProducerRequestId,
        attempt: u32,
    ) {
        let outcome = ProduceOutcome {
            attempt,
            result: Err(Reason::RequestTimeout),
        };
        self.on_produce_response(me, k, c, vec![(id, outcome)]);
    }

    /// A ProduceResponse reached the producer: each batch's outcome, then the sender drains again.
    pub(crate) fn on_produce_response(
        &mut self,
        me: ProducerIx,
        k: &mut Kernel,
        c: &Cluster,
        outcomes: Vec<(ProducerRequestId, ProduceOutcome)>,
    ) {
        for (id, outcome) in outcomes {
            self.settle_batch(me, k, c, id, outcome);
        }
        self.send_ready(me, k, c);
    }

    pub(crate) fn settle_batch(
        &mut self,
        me: ProducerIx,
        k: &mut Kernel,
        c: &Cluster,
        id: ProducerRequestId,
        outcome: ProduceOutcome,
    ) {
        let Some(request) = self.requests.get(&id) else {
            return;
        };
        let fire_and_forget = self.config.acks == Acks::Zero;
        if fire_and_forget
            || !matches!(request.state, RequestState::InFlight { .. })
            || request.attempt != outcome.attempt
        {
            return;
        }
        let tp = request.tp;
        let records = request.records;
        let attempt = request.attempt;
        let created_us = request.created_us;
        let timeout_entry = (request.timeout_at, id, attempt);
        self.timeouts.remove(&timeout_entry);
        *self.in_flight_mut(tp.partition) -= 1;
        match outcome.result {
            Ok(base_offset) => {
                let request = self.requests.remove(&id).expect("exists");
                self.buffered_bytes -= request.bytes;
                self.answered.push((id, true));
                self.responses.add_spread(
                    k.now - request.sent_us.1,
                    k.now - request.sent_us.0,
                    records as u64,
                );
                self.stats.records_acknowledged += records as u64;
                self.emit_acknowledged(k, c, tp, base_offset, records);
            }
            Err(error) => {
                let producer_name = self.id.clone();
                let topic = c.topics[tp.topic].name.clone();
                let backoff_us =
                    (self.config.retry_backoff_ms << (attempt.saturating_sub(1)).min(20)).min(
                        self.config
                            .retry_backoff_max_ms
                            .max(self.config.retry_backoff_ms),
                    ) * 1000;
                let within_timeout =
                    k.now + backoff_us < created_us + self.config.delivery_timeout_ms * 1000;
                let retrying = within_timeout && (attempt as u64) <= self.config.retries;
                if retrying {
                    k.emit(EventKind::ProduceError {
                        producer: producer_name,
                        topic,
                        partition: tp.partition,
                        records,
                        error,
                        retrying,
                    });
                    self.stats.records_retried += records as u64;
                    let request = self.requests.get_mut(&id).expect("exists");
                    request.state = RequestState::Queued;
                    request.not_before_us = k.now + backoff_us;
                    self.queued.insert((tp.partition, id, created_us));
                    self.count_queued_retries(tp.partition, 1);
                    k.schedule(
                        k.now + backoff_us,
                        Ev::ProduceRetry {
                            producer: me,
                            request: id,
                        },
                    );
                } else {
                    self.fail_request(k, c, id, error);
                }
            }
        }
        self.send_ready(me, k, c);
    }

    /// A retry's backoff ended: send what is due.
    pub(crate) fn on_retry(
        &mut self,
        me: ProducerIx,
        k: &mut Kernel,
        c: &Cluster,
        id: ProducerRequestId,
    ) {
        if self.requests.contains_key(&id) {
            self.send_ready(me, k, c);
        }
    }

    /// `buffer.memory` is full: `send()` blocks (`BufferPool.allocate`). After `max.block.ms` it throws
    /// a `TimeoutException` for that record, and the application tries the next one.
    pub(crate) fn block_send(&mut self, k: &mut Kernel, c: &Cluster, max_block_us: u64) {
        let now = k.now;
        match self.blocked_since {
            None => {
                self.blocked_since = Some(now);
                let (id, buffer_memory) = (self.id.clone(), self.config.buffer_memory);
                k.emit(EventKind::ProducerBlocked {
                    producer: id,
                    buffer_memory,
                });
            }
            Some(since) if now - since >= max_block_us => {
                self.blocked_since = Some(now);
                self.stats.records_generated += 1;
                self.stats.records_failed += 1;
                let (id, topic) = (self.id.clone(), c.topics[self.topic].name.clone());
                k.emit(EventKind::ProduceError {
                    producer: id,
                    topic,
                    partition: 0,
                    records: 1,
                    error: Reason::BufferExhausted,
                    retrying: false,
                });
            }
            Some(_) => {}
        }
    }

    /// Requests on the wire to `partition`.
    #[inline(always)]
    fn in_flight_on(&self, partition: u32) -> u64 {
        self.in_flight.get(partition as usize).copied().unwrap_or(0)
    }

    fn in_flight_mut(&mut self, partition: u32) -> &mut u64 {
        let index = partition as usize;
        if self.in_flight.len() <= index {
            self.in_flight.resize(index + 1, 0);
        }
        &mut self.in_flight[index]
    }

    /// Takes a request off the queue (`retry`: it was sent before).
    /// Returns whether it was queued.
    fn unqueue(
        &mut self,
        partition: u32,
        (id, created_us): (ProducerRequestId, Micros),
        retry: bool,
    ) -> bool {
        let queued = self.queued.remove(&(partition, id, created_us));
        if queued && retry {
            self.count_queued_retries(partition, -1);
        }
        queued
    }

    fn count_queued_retries(&mut self, partition: u32, change: i32) {
        let index = partition as usize;
        if self.queued_retries.len() <= index {
            self.queued_retries.resize(index + 1, 0);
        }
        self.queued_retries[index] = self.queued_retries[index].wrapping_add_signed(change);
    }

    /// Gives up on a batch: the application's callback gets the error. An idempotent producer bumps its
    /// epoch so later batches start a fresh sequence (Kafka's safe epoch bump).
    pub(crate) fn fail_request(
        &mut self,
        k: &mut Kernel,
        c: &Cluster,
        id: ProducerRequestId,
        error: Reason,
    ) {
        let Some(request) = self.requests.remove(&id) else {
            return;
        };
        self.answered.push((id, false));
        self.buffered_bytes -= request.bytes;
        self.unqueue(
            request.tp.partition,
            (id, request.created_us),
            request.attempt > 0,
        );
        self.stats.records_failed += request.records as u64;
        if self.config.enable_idempotence {
            self.epoch += 1;
            let epoch = self.epoch;
            let partition = request.tp.partition;
            let mut next = 0u32;
            for pending in self
                .requests
                .values_mut()
                .filter(|pending| pending.tp.partition == partition)
            {
                pending.epoch = epoch;
                pending.base_sequence = next;
                next = next.wrapping_add(pending.records);
            }
            self.next_sequence.insert(partition, next);
        }
        // The application's callback gets the error; every way of giving up reports it here, once.
        let (producer_name, topic) = (self.id.clone(), c.topics[request.tp.topic].name.clone());
        k.emit(EventKind::ProduceError {
            producer: producer_name,
            topic,
            partition: request.tp.partition,
            records: request.records,
            error,
            retrying: false,
        });
    }
}
