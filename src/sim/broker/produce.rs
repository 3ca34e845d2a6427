//! The broker's side of produce: a ProduceRequest appended to the leaders' logs (idempotence checks, `acks`,
//! `min.insync.replicas`), answered at once or parked in the delayed-produce purgatory until the high
//! watermark covers it (`ReplicaManager.appendRecords`, `DelayedProduce`). The request carries its
//! batches; what the observer learns (the batch each request became) goes to the `ProduceLedger`.

use crate::config::Acks;
use crate::engine::Simulation;
use crate::event::{EventKind, Reason};
use crate::ids::{BrokerId, Tp};
use crate::log::{BatchData, SequenceCheck, ACKNOWLEDGED};
use crate::network::{FlowKind, Node};
use crate::protocol::{DelayedProduce, Ev, ProduceBatch, ProduceOutcome};

impl Simulation {
    /// One batch of the ProduceRequest being handled (`produce_request_arrive`).
    fn produce_batch_arrive(
        &mut self,
        broker: BrokerId,
        producer: usize,
        batch: ProduceBatch,
        acks: Acks,
        wire: u64,
    ) {
        let (id, attempt, tp) = (batch.request, batch.attempt, batch.tp);
        if !self.broker(broker).alive {
            // Connection refused: the client learns at once and retries after its backoff.
            if acks == Acks::Zero {
                self.produce_ledger
                    .add_acknowledged_lost(producer, batch.records as u64);
            } else {
                let outcome = ProduceOutcome {
                    attempt,
                    result: Err(Reason::LeaderDown),
                };
                let at =
                    self.k.now + self.latency(Node::Broker { broker }, Node::Producer { producer });
                self.schedule(
                    at,
                    Ev::ProduceResponse {
                        producer,
                        outcomes: vec![(id, outcome)],
                    },
                );
            }
            return;
        }
        let partition = self.partition(tp);
        if partition.leader != Some(broker) {
            return self.respond(
                broker,
                id,
                attempt,
                batch.records,
                Err(Reason::NotLeaderOrFollower),
                acks,
            );
        }
        let min_isr = self.topics[tp.topic]
            .config
            .min_insync_replicas
            .min(partition.replicas.len() as u64);
        if acks == Acks::All && (partition.isr.len() as u64) < min_isr {
            return self.respond(
                broker,
                id,
                attempt,
                batch.records,
                Err(Reason::NotEnoughReplicas),
                acks,
            );
        }
        let existing = match batch.producer_id {
            Some((producer_id, epoch)) => {
                let log = self.log_of(tp, broker).expect("leader log");
                match log.check_sequence(producer_id, epoch, batch.base_sequence, batch.records) {
                    SequenceCheck::InOrder => None,
                    SequenceCheck::Duplicate(batch) => Some(batch),
                    SequenceCheck::OutOfOrder => {
                        return self.respond(
                            broker,
                            id,
                            attempt,
                            batch.records,
                            Err(Reason::OutOfOrderSequence),
                            acks,
                        );
                    }
                }
            }
            None => None,
        };
        // A retry of a batch the leader already appended: without idempotence it is written again. (Only
        // the observer knows; the broker cannot tell.)
        let written_before = match batch.producer_id {
            Some(_) => None,
            None => self
                .produce_ledger
                .appended_before(producer, id, &self.batch_facts)
                .map(|batch| batch.base_offset),
        };
        let appended = match existing {
            Some(appended) => {
                let (producer_name, topic) = (
                    self.producers[producer].id.clone(),
                    self.topics[tp.topic].name.clone(),
                );
                self.emit(EventKind::DuplicateBatchIgnored {
                    topic,
                    partition: tp.partition,
                    producer: producer_name,
                    base_offset: appended.base_offset,
                    records: appended.records,
                });
                appended
            }
            None => self.leader_append(
                tp,
                BatchData {
                    base_offset: 0,
                    records: batch.records,
                    bytes: batch.bytes,
                    producer: producer as u32,
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
        if let Some(first_base_offset) = written_before {
            self.produce_ledger.add_written_twice(
                producer,
                tp,
                appended.base_offset,
                appended.end_offset(),
            );
            let (producer_name, topic) = (
                self.producers[producer].id.clone(),
                self.topics[tp.topic].name.clone(),
            );
            self.emit(EventKind::DuplicateBatchWritten {
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
        self.produce_ledger
            .appended(producer, id, tp, appended.clone());
        let high_watermark = self.high_watermark(tp);
        if acks == Acks::One || high_watermark >= appended.end_offset() {
            self.respond(
                broker,
                id,
                attempt,
                batch.records,
                Ok(Some(appended.base_offset)),
                acks,
            );
        } else {
            self.replica_mut(broker, tp)
                .expect("the leader's replica")
                .pending_acks
                .push((appended.end_offset(), wire, id));
            if let Some(reply) = self.broker_mut(broker).produce_reply.as_mut() {
                reply
                    .waiting
                    .push((id, attempt, batch.records, appended.base_offset));
            }
        }
    }

    /// The broker's answer for one batch of the ProduceRequest being handled: it goes into that request's
    /// one response (`produce_request_arrive`).
    fn respond(
        &mut self,
        broker: BrokerId,
        id: u64,
        attempt: u32,
        records: u32,
        result: Result<Option<u64>, Reason>,
        acks: Acks,
    ) {
        if acks == Acks::Zero {
            return;
        }
        let reply = self
            .broker_mut(broker)
            .produce_reply
            .as_mut()
            .expect("a batch is answered while its ProduceRequest is handled");
        reply.records += records;
        reply
            .outcomes
            .push((id, ProduceOutcome { attempt, result }));
    }

    /// A ProduceRequest arrived at a broker: it appends every batch, then answers with one response for
    /// all of them: at once, or with acks=all once every batch has reached the high watermark (the
    /// broker's `DelayedProduce` covers the whole request).
    pub(crate) fn produce_request_arrive(
        &mut self,
        producer: usize,
        broker: BrokerId,
        acks: Acks,
        batches: Vec<ProduceBatch>,
    ) {
        let wire = self.k.next_request();
        self.broker_mut(broker).produce_reply = Some(DelayedProduce {
            producer,
            broker,
            outcomes: Vec::new(),
            records: 0,
            waiting: Vec::new(),
        });
        // The broker appends the whole request, then completes the fetches waiting for the data
        // (ReplicaManager.appendRecords, then the delayed-fetch purgatory).
        self.broker_mut(broker).deferred_wakeups = Some(Vec::new());
        for batch in batches {
            self.produce_batch_arrive(broker, producer, batch, acks, wire);
        }
        let wakeups = self.broker_mut(broker).deferred_wakeups.take();
        for tp in wakeups.unwrap_or_default() {
            self.wake_parked_replica_fetches(broker, tp);
        }
        let reply = self
            .broker_mut(broker)
            .produce_reply
            .take()
            .expect("set above");
        if !reply.waiting.is_empty() {
            self.broker_mut(broker).delayed_produces.insert(wire, reply);
        } else if !reply.outcomes.is_empty() {
            self.send_produce_response(reply);
        }
    }

    pub(crate) fn send_produce_response(&mut self, reply: DelayedProduce) {
        let producer = reply.producer;
        self.send(
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

    /// One batch of a waiting acks=all ProduceRequest is settled: on success, with the base offset it
    /// was appended at. The response leaves once all are.
    pub(crate) fn settle_delayed(
        &mut self,
        broker: BrokerId,
        (wire, id): (u64, u64),
        result: Result<(), Reason>,
    ) {
        let Some(reply) = self.broker_mut(broker).delayed_produces.get_mut(&wire) else {
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
            let reply = self
                .broker_mut(broker)
                .delayed_produces
                .remove(&wire)
                .expect("present");
            self.send_produce_response(reply);
        }
    }

    /// The high watermark reached a waiting acks=all batch's last offset.
    pub(crate) fn acks_all_satisfied(&mut self, broker: BrokerId, wire: u64, id: u64) {
        self.settle_delayed(broker, (wire, id), Ok(()));
    }

    /// The partition's leader changed: the batches in the old leader's purgatory get
    /// `NotLeaderOrFollower`.
    pub(crate) fn fail_pending_acks(&mut self, tp: Tp, old_leader: BrokerId) {
        let Some(replica) = self.replica_mut(old_leader, tp) else {
            return;
        };
        let pending = std::mem::take(&mut replica.pending_acks);
        for (_, wire, id) in pending {
            self.settle_delayed(old_leader, (wire, id), Err(Reason::NotLeaderOrFollower));
        }
    }
}
