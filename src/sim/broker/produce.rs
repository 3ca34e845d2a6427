//! The broker's side of produce: a ProduceRequest appended to the leaders' logs (idempotence checks, `acks`,
//! `min.insync.replicas`), answered at once or parked in the delayed-produce purgatory until the high
//! watermark covers it (`ReplicaManager.appendRecords`, `DelayedProduce`). The request carries its
//! batches; what the observer learns (the batch each request became) goes to the `ProduceLedger`.

use crate::config::Acks;
use crate::event::{EventKind, Reason};
use crate::host::{Broker, Host};
use crate::ids::{BrokerProduceId, ProducerIx, ProducerRequestId, Tp};
use crate::log::{BatchData, SequenceCheck, ACKNOWLEDGED};
use crate::network::{FlowKind, Node};
use crate::protocol::{DelayedProduce, Ev, ProduceBatch, ProduceOutcome};
use std::rc::Rc;

/// A batch of the ProduceRequest being handled, once in the leader's log (`Broker::produce_batch_append`).
pub(crate) struct AppendedBatch {
    /// Its request id and attempt.
    request: (ProducerRequestId, u32),
    tp: Tp,
    records: u32,
    batch: Rc<BatchData>,
    /// Where an earlier attempt of a request without idempotence was appended (only the observer knows).
    written_before: Option<u64>,
}

/// The broker's produce handlers.
impl Broker {
    /// A ProduceRequest arrived (`engine::brokers::produce_request_arrive` runs the steps): the broker
    /// appends every batch (`produce_batch_append`, then `produce_batch_answer`), then answers with one
    /// response for all of them (`end_produce_request`): at once, or with acks=all once every batch has
    /// reached the high watermark (the broker's `DelayedProduce` covers the whole request). Returns the
    /// request's id.
    pub(crate) fn begin_produce_request(
        &mut self,
        producer: ProducerIx,
        acks: Acks,
        batches: usize,
    ) -> BrokerProduceId {
        let wire = BrokerProduceId::issue(&mut self.next_produce);
        self.produce_reply = Some(DelayedProduce {
            producer,
            broker: self.id,
            outcomes: Vec::with_capacity(if acks == Acks::Zero { 0 } else { batches }),
            records: 0,
            waiting: Vec::new(),
        });
        wire
    }

    /// The ProduceRequest `wire` is appended: the fetches waiting for its data are answered, and so is
    /// the request, unless some of its batches wait for the high watermark.
    pub(crate) fn end_produce_request(&mut self, h: &mut Host<'_>, wire: BrokerProduceId) {
        // The broker appends the whole request, then completes the fetches waiting for the data
        // (ReplicaManager.appendRecords, then the delayed-fetch purgatory).
        let mut wakeups = std::mem::take(&mut self.deferred_wakeups);
        for &tp in &wakeups {
            self.wake_parked_replica_fetches(h, tp);
        }
        wakeups.clear();
        self.deferred_wakeups = wakeups;
        let reply = self.produce_reply.take().expect("set above");
        if !reply.waiting.is_empty() {
            self.delayed_produces.insert(wire, reply);
        } else if !reply.outcomes.is_empty() {
            send_produce_response(h, reply);
        }
    }

    /// One batch of the ProduceRequest being handled: the checks, then the append (or the batch the
    /// log already holds, for an idempotent retry). Returns what `produce_batch_answer` needs, unless the
    /// batch is answered already (an error) or needs no answer.
    pub(crate) fn produce_batch_append(
        &mut self,
        h: &mut Host<'_>,
        producer: ProducerIx,
        batch: ProduceBatch,
        acks: Acks,
    ) -> Option<AppendedBatch> {
        let broker = self.id;
        let (id, attempt, tp) = (batch.request, batch.attempt, batch.tp);
        if !self.alive {
            // Connection refused: the client learns at once and retries after its backoff.
            if acks == Acks::Zero {
                h.books
                    .produce_ledger
                    .add_acknowledged_lost(producer, batch.records as u64);
            } else {
                let outcome = ProduceOutcome {
                    attempt,
                    result: Err(Reason::LeaderDown),
                };
                let at = h.k.now
                    + h.k
                        .network
                        .latency(Node::Broker { broker }, Node::Producer { producer });
                h.k.schedule(
                    at,
                    Ev::ProduceResponse {
                        producer,
                        outcomes: vec![(id, outcome)],
                    },
                );
            }
            return None;
        }
        let partition = h.partition(tp);
        if partition.leader != Some(broker) {
            self.respond(
                (id, attempt),
                batch.records,
                Err(Reason::NotLeaderOrFollower),
                acks,
            );
            return None;
        }
        let min_isr = h
            .topic(tp.topic)
            .config
            .min_insync_replicas
            .min(partition.replicas.len() as u64);
        if acks == Acks::All && (partition.isr.len() as u64) < min_isr {
            self.respond(
                (id, attempt),
                batch.records,
                Err(Reason::NotEnoughReplicas),
                acks,
            );
            return None;
        }
        let existing = match batch.producer_id {
            Some((producer_id, epoch)) => {
                let log = &self.replicas.get(tp).expect("leader log").log;
                match log.check_sequence(producer_id, epoch, batch.base_sequence, batch.records) {
                    SequenceCheck::InOrder => None,
                    SequenceCheck::Duplicate(batch) => Some(batch),
                    SequenceCheck::OutOfOrder => {
                        self.respond(
                            (id, attempt),
                            batch.records,
                            Err(Reason::OutOfOrderSequence),
                            acks,
                        );
                        return None;
                    }
                }
            }
            None => None,
        };
        // A retry of a batch the leader already appended: without idempotence it is written again. (Only
        // the observer knows; the broker cannot tell.)
        let written_before = match batch.producer_id {
            Some(_) => None,
            None => h
                .books
                .produce_ledger
                .appended_before(producer, id, h.books.batch_facts)
                .map(|batch| batch.base_offset),
        };
        let appended = match existing {
            Some(appended) => {
                let (producer_name, topic) = (
                    h.client_id(producer).to_string(),
                    h.topic(tp.topic).name.clone(),
                );
                h.k.emit(EventKind::DuplicateBatchIgnored {
                    topic,
                    partition: tp.partition,
                    producer: producer_name,
                    base_offset: appended.base_offset,
                    records: appended.records,
                });
                appended
            }
            None => self.leader_append(
                h,
                tp,
                BatchData {
                    base_offset: 0,
                    records: batch.records,
                    bytes: batch.bytes,
                    producer,
                    producer_id: batch.producer_id,
                    base_sequence: batch.base_sequence,
                    leader_epoch: 0,
                    keys: batch.keys,
                    created_us: batch.created_us,
                    slot: 0,
                },
                if acks == Acks::Zero { ACKNOWLEDGED } else { 0 },
            ),
        };
        Some(AppendedBatch {
            request: (id, attempt),
            tp,
            records: batch.records,
            batch: appended,
            written_before,
        })
    }

    /// The rest of one batch of the ProduceRequest `wire` once it is in the log (or found there): what
    /// the observer learns of it, then its answer, at once or when the high watermark covers it.
    pub(crate) fn produce_batch_answer(
        &mut self,
        h: &mut Host<'_>,
        (producer, acks, wire): (ProducerIx, Acks, BrokerProduceId),
        appended: AppendedBatch,
    ) {
        let AppendedBatch {
            request: (id, attempt),
            tp,
            records,
            batch: appended,
            written_before,
        } = appended;
        if let Some(first_base_offset) = written_before {
            h.books.produce_ledger.add_written_twice(
                producer,
                tp,
                appended.base_offset,
                appended.end_offset(),
            );
            let (producer_name, topic) = (
                h.client_id(producer).to_string(),
                h.topic(tp.topic).name.clone(),
            );
            h.k.emit(EventKind::DuplicateBatchWritten {
                producer: producer_name,
                topic,
                partition: tp.partition,
                base_offset: appended.base_offset,
                records: appended.records,
                first_base_offset,
            });
        }
        if acks == Acks::Zero {
            return;
        }
        h.books
            .produce_ledger
            .appended(producer, id, tp, appended.clone());
        let replica = self.replicas.get_mut(tp).expect("the leader's replica");
        if acks == Acks::One || replica.log.high_watermark >= appended.end_offset() {
            self.respond((id, attempt), records, Ok(Some(appended.base_offset)), acks);
        } else {
            replica.pending_acks.push((appended.end_offset(), wire, id));
            if let Some(reply) = self.produce_reply.as_mut() {
                reply
                    .waiting
                    .push((id, attempt, records, appended.base_offset));
            }
        }
    }

    /// The broker's answer for one batch of the ProduceRequest being handled: it goes into that request's
    /// one response (`end_produce_request`).
    fn respond(
        &mut self,
        (id, attempt): (ProducerRequestId, u32),
        records: u32,
        result: Result<Option<u64>, Reason>,
        acks: Acks,
    ) {
        if acks == Acks::Zero {
            return;
        }
        let reply = self
            .produce_reply
            .as_mut()
            .expect("a batch is answered while its ProduceRequest is handled");
        reply.records += records;
        reply
            .outcomes
            .push((id, ProduceOutcome { attempt, result }));
    }

    /// One batch of a waiting acks=all ProduceRequest is settled: on success, with the base offset it
    /// was appended at. The response leaves once all are.
    pub(crate) fn settle_delayed(
        &mut self,
        h: &mut Host<'_>,
        (wire, id): (BrokerProduceId, ProducerRequestId),
        result: Result<(), Reason>,
    ) {
        let Some(reply) = self.delayed_produces.get_mut(&wire) else {
            return;
        };
        let Some(index) = reply.waiting.iter().position(|waiting| waiting.0 == id) else {
            return;
        };
        let (_, attempt, records, base_offset) = reply.waiting.swap_remove(index);
        let result = result.map(|()| Some(base_offset));
        reply.records += records;
        reply
            .outcomes
            .push((id, ProduceOutcome { attempt, result }));
        if reply.waiting.is_empty() {
            let reply = self.delayed_produces.remove(&wire).expect("present");
            send_produce_response(h, reply);
        }
    }

    /// The partition's leader changed: the batches in this (old) leader's purgatory get
    /// `NotLeaderOrFollower`.
    pub(crate) fn fail_pending_acks(&mut self, h: &mut Host<'_>, tp: Tp) {
        let Some(replica) = self.replicas.get_mut(tp) else {
            return;
        };
        let pending = std::mem::take(&mut replica.pending_acks);
        for (_, wire, id) in pending {
            self.settle_delayed(h, (wire, id), Err(Reason::NotLeaderOrFollower));
        }
    }
}

fn send_produce_response(h: &mut Host<'_>, reply: DelayedProduce) {
    let producer = reply.producer;
    h.k.send(
        Node::Broker {
            broker: reply.broker,
        },
        Node::Producer { producer },
        FlowKind::ProduceResponse,
        reply.records,
        Ev::ProduceResponse {
            producer,
            outcomes: reply.outcomes,
        },
    );
}
