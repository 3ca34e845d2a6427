//! The broker's side of produce: a ProduceRequest appended to the leaders' logs (idempotence checks, `acks`,
//! `min.insync.replicas`), answered at once or parked in the delayed-produce purgatory until the high
//! watermark covers it (`ReplicaManager.appendRecords`, `DelayedProduce`).

use crate::config::Acks;
use crate::engine::Simulation;
use crate::event::{EventKind, Reason};
use crate::ids::Tp;
use crate::log::{BatchData, SequenceCheck, ACKNOWLEDGED, LOST};
use crate::network::{FlowKind, Node};
use crate::producer::RequestState;
use crate::protocol::{DelayedProduce, Ev, ProduceOutcome};

impl Simulation {
    pub(crate) fn produce_arrive(&mut self, producer: usize, id: u64, wire: u64) {
        let acks = self.producers[producer].config.acks;
        let request = match self.producers[producer].requests.get(&id) {
            Some(request) => request.clone(),
            None => return,
        };
        let RequestState::InFlight { broker } = request.state else {
            return;
        };
        if self.produce_reply.as_ref().map(|reply| reply.broker) != Some(broker) {
            // Sent again to another broker since (a stale copy of an earlier attempt).
            return;
        }
        if acks == Acks::Zero {
            // Fire and forget: nothing more is heard of this request after it is handled here.
            self.producers[producer].release_request(id);
        }
        if !self.broker(broker).alive {
            // Connection refused: the client learns at once and retries after its backoff.
            if acks == Acks::Zero {
                self.producers[producer].acknowledged_lost += request.records as u64;
            } else {
                let outcome = ProduceOutcome {
                    attempt: request.attempt,
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
        let tp = request.tp;
        let attempt = request.attempt;
        let partition = self.partition(tp);
        if partition.leader != Some(broker) {
            return self.respond(
                producer,
                id,
                broker,
                attempt,
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
                producer,
                id,
                broker,
                attempt,
                Err(Reason::NotEnoughReplicas),
                acks,
            );
        }
        let p = &self.producers[producer];
        let idempotent = p.config.enable_idempotence;
        let (producer_id, epoch) = (p.producer_id, request.epoch);
        let existing = if idempotent {
            let log = partition.log_of(broker).expect("leader log");
            match log.check_sequence(producer_id, epoch, request.base_sequence, request.records) {
                SequenceCheck::InOrder => None,
                SequenceCheck::Duplicate(batch) => Some(batch),
                SequenceCheck::OutOfOrder => {
                    return self.respond(
                        producer,
                        id,
                        broker,
                        attempt,
                        Err(Reason::OutOfOrderSequence),
                        acks,
                    );
                }
            }
        } else {
            None
        };
        // A retry of a batch the leader already appended: without idempotence it is written again.
        let written_before = if idempotent {
            None
        } else {
            p.requests
                .get(&id)
                .and_then(|request| request.appended.as_ref())
                .filter(|batch| !self.batch_facts.has(batch, LOST))
                .map(|batch| batch.base_offset)
        };
        let batch = match existing {
            Some(batch) => {
                let (producer_name, topic) = (p.id.clone(), self.topics[tp.topic].name.clone());
                self.emit(EventKind::DuplicateBatchIgnored {
                    topic,
                    partition: tp.partition,
                    producer: producer_name,
                    base_offset: batch.base_offset,
                    records: batch.records,
                });
                batch
            }
            None => self.leader_append(
                tp,
                BatchData {
                    base_offset: 0,
                    records: request.records,
                    bytes: request.bytes,
                    producer: producer as u32,
                    producer_id: idempotent.then_some((producer_id, epoch)),
                    base_sequence: request.base_sequence,
                    leader_epoch: 0,
                    keys: request.keys.clone(),
                    created_us: request.created_us,
                    slot: 0,
                },
                if acks == Acks::Zero { ACKNOWLEDGED } else { 0 },
            ),
        };
        if let Some(first_base_offset) = written_before {
            self.producers[producer].stats.records_written_twice += batch.records as u64;
            self.partition_mut(tp)
                .written_twice
                .push((batch.base_offset, batch.end_offset()));
            let (producer_name, topic) = (
                self.producers[producer].id.clone(),
                self.topics[tp.topic].name.clone(),
            );
            self.emit(EventKind::DuplicateBatchWritten {
                producer: producer_name,
                topic,
                partition: tp.partition,
                base_offset: batch.base_offset,
                records: batch.records,
                first_base_offset,
            });
        }
        if acks == Acks::Zero {
            return;
        }
        if let Some(request) = self.producers[producer].requests.get_mut(&id) {
            request.appended = Some(batch.clone());
        }
        let high_watermark = self.partition(tp).high_watermark();
        if acks == Acks::One || high_watermark >= batch.end_offset() {
            self.respond(
                producer,
                id,
                broker,
                attempt,
                Ok(Some(batch.base_offset)),
                acks,
            );
        } else {
            self.partition_mut(tp)
                .pending_acks
                .push((batch.end_offset(), wire, id));
            if let Some(reply) = self.produce_reply.as_mut() {
                reply.waiting.push((id, attempt));
            }
        }
    }

    /// The broker's answer for one batch of the ProduceRequest being handled: it goes into that request's
    /// one response (`produce_request_arrive`).
    pub(crate) fn respond(
        &mut self,
        producer: usize,
        id: u64,
        broker: u32,
        attempt: u32,
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
        debug_assert_eq!((reply.producer, reply.broker), (producer, broker));
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
        broker: u32,
        requests: Vec<u64>,
    ) {
        let wire = self.k.next_request();
        self.produce_reply = Some(DelayedProduce {
            producer,
            broker,
            outcomes: Vec::new(),
            waiting: Vec::new(),
        });
        // The broker appends the whole request, then completes the fetches waiting for the data
        // (ReplicaManager.appendRecords, then the delayed-fetch purgatory).
        self.deferred_wakeups = Some(Vec::new());
        for id in requests {
            self.produce_arrive(producer, id, wire);
        }
        for (leader, tp) in self.deferred_wakeups.take().unwrap_or_default() {
            self.wake_parked_replica_fetches(leader, tp);
        }
        let reply = self.produce_reply.take().expect("set above");
        if !reply.waiting.is_empty() {
            self.delayed_produces.insert(wire, reply);
        } else if !reply.outcomes.is_empty() {
            self.send_produce_response(reply);
        }
    }

    pub(crate) fn send_produce_response(&mut self, reply: DelayedProduce) {
        let producer = reply.producer;
        let records = reply
            .outcomes
            .iter()
            .filter_map(|(id, _)| self.producers[producer].requests.get(id))
            .map(|request| request.records)
            .sum();
        self.send(
            Node::Broker {
                broker: reply.broker,
            },
            Node::Producer { producer },
            FlowKind::ProduceResponse,
            records,
            Ev::ProduceResponse {
                producer,
                outcomes: reply.outcomes,
            },
        );
    }

    /// One batch of a waiting acks=all ProduceRequest is settled; the response leaves once all are.
    pub(crate) fn settle_delayed(
        &mut self,
        wire: u64,
        id: u64,
        result: Result<Option<u64>, Reason>,
    ) {
        let Some(reply) = self.delayed_produces.get_mut(&wire) else {
            return;
        };
        let Some(index) = reply.waiting.iter().position(|(waiting, _)| *waiting == id) else {
            return;
        };
        let (_, attempt) = reply.waiting.swap_remove(index);
        reply
            .outcomes
            .push((id, ProduceOutcome { attempt, result }));
        if reply.waiting.is_empty() {
            let reply = self.delayed_produces.remove(&wire).expect("present");
            self.send_produce_response(reply);
        }
    }

    /// The high watermark reached a waiting acks=all batch's last offset.
    pub(crate) fn acks_all_satisfied(&mut self, wire: u64, id: u64) {
        let Some(reply) = self.delayed_produces.get(&wire) else {
            return;
        };
        let base = self.producers[reply.producer]
            .requests
            .get(&id)
            .and_then(|request| request.appended.as_ref())
            .map(|batch| batch.base_offset);
        self.settle_delayed(wire, id, Ok(base));
    }

    /// The partition's leader changed: its batches in the purgatory get `NotLeaderOrFollower`.
    pub(crate) fn fail_pending_acks(&mut self, tp: Tp) {
        let pending = std::mem::take(&mut self.partition_mut(tp).pending_acks);
        for (_, wire, id) in pending {
            self.settle_delayed(wire, id, Err(Reason::NotLeaderOrFollower));
        }
    }
}
