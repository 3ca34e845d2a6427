//! A classic message queue beside the log, with RabbitMQ's semantics, for the teaching material's "post
//! office against newspaper": a queue is bound to a producer's records from when it is declared; its
//! consumers compete for the messages (each goes to one of them, in turn), each holding at most `prefetch`
//! unacknowledged messages; a message is removed when acknowledged, and a consumer that dies first gives
//! its unacknowledged messages back, to be delivered again (`redelivered`). Nothing is kept once
//! acknowledged, and a queue declared later never sees what was published before it: no replay.
//!
//! The broker is outside the picture's network: deliveries and acknowledgements take no time on the wire.
//! Messages are sequence numbers held as runs, so a backlog of any size costs a few words.

use super::event::EventKind;
use super::ids::{Micros, ProducerIx, QueueConsumerIx, QueueIx};
use super::kernel::Kernel;
use super::protocol::Ev;
use super::scenario::QueueSpec;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct QueueConsumer {
    pub id: String,
    pub alive: bool,
    /// Counts the consumer's processes: an acknowledgement from a dead one is dropped.
    incarnation: u32,
    /// Delivered and not acknowledged: runs of messages (first, end, delivered before).
    unacked: Vec<(u64, u64, bool)>,
    pub processed: u64,
}

impl QueueConsumer {
    pub fn in_hand(&self) -> u64 {
        self.unacked.iter().map(|(first, end, _)| end - first).sum()
    }
}

#[derive(Clone, Debug)]
pub struct Queue {
    pub id: String,
    /// The producer whose records it is bound to.
    pub producer: ProducerIx,
    processing_us: Micros,
    prefetch: u64,
    /// Ready messages, oldest first, as runs (first, end, delivered before).
    ready: VecDeque<(u64, u64, bool)>,
    next_message: u64,
    pub consumers: Vec<QueueConsumer>,
    /// The consumer the next delivery tries first (round robin).
    next_consumer: usize,
    pub published: u64,
    pub delivered: u64,
    pub redelivered: u64,
    pub acknowledged: u64,
}

impl Queue {
    pub(crate) fn new(spec: &QueueSpec, producer: ProducerIx) -> Self {
        Queue {
            id: spec.id.clone(),
            producer,
            processing_us: super::scenario::ms_to_us(spec.processing_ms_per_message),
            prefetch: spec.prefetch.max(1) as u64,
            ready: VecDeque::new(),
            next_message: 0,
            consumers: spec
                .consumers
                .iter()
                .map(|id| QueueConsumer {
                    id: id.clone(),
                    alive: true,
                    incarnation: 0,
                    unacked: Vec::new(),
                    processed: 0,
                })
                .collect(),
            next_consumer: 0,
            published: 0,
            delivered: 0,
            redelivered: 0,
            acknowledged: 0,
        }
    }

    /// Messages ready to deliver.
    pub fn ready(&self) -> u64 {
        self.ready.iter().map(|(first, end, _)| end - first).sum()
    }

    /// Messages in the queue, ready or delivered and not acknowledged (RabbitMQ's "messages").
    pub fn depth(&self) -> u64 {
        self.ready()
            + self
                .consumers
                .iter()
                .map(QueueConsumer::in_hand)
                .sum::<u64>()
    }

    /// `count` messages published.
    pub(crate) fn publish(&mut self, k: &mut Kernel, me: QueueIx, count: u64) {
        if count == 0 {
            return;
        }
        let (first, end) = (self.next_message, self.next_message + count);
        self.next_message = end;
        self.published += count;
        match self.ready.back_mut() {
            Some(last) if last.1 == first && !last.2 => last.1 = end,
            _ => self.ready.push_back((first, end, false)),
        }
        self.deliver(k, me);
    }

    /// Gives ready messages to idle consumers, in turn, up to `prefetch` each; each acknowledges its
    /// messages once it has processed them.
    fn deliver(&mut self, k: &mut Kernel, me: QueueIx) {
        let count = self.consumers.len();
        for step in 0..count {
            if self.ready.is_empty() {
                return;
            }
            let index = (self.next_consumer + step) % count;
            let consumer = &mut self.consumers[index];
            if !consumer.alive || !consumer.unacked.is_empty() {
                continue;
            }
            let mut taken = 0;
            while taken < self.prefetch {
                let Some(run) = self.ready.front_mut() else {
                    break;
                };
                let take = (run.1 - run.0).min(self.prefetch - taken);
                consumer.unacked.push((run.0, run.0 + take, run.2));
                if run.2 {
                    self.redelivered += take;
                }
                run.0 += take;
                if run.0 == run.1 {
                    self.ready.pop_front();
                }
                taken += take;
            }
            self.delivered += taken;
            self.next_consumer = (index + 1) % count;
            k.schedule(
                k.now + self.processing_us * taken,
                Ev::QueueAck {
                    queue: me,
                    consumer: QueueConsumerIx::at(index),
                    incarnation: consumer.incarnation,
                },
            );
        }
    }

    /// A consumer acknowledges what it was given (if it is the process that was given it).
    pub(crate) fn acknowledge(
        &mut self,
        k: &mut Kernel,
        me: QueueIx,
        consumer: QueueConsumerIx,
        incarnation: u32,
    ) {
        let c = &mut self.consumers[consumer.index()];
        if !c.alive || c.incarnation != incarnation {
            return;
        }
        let count = c.in_hand();
        c.unacked.clear();
        c.processed += count;
        self.acknowledged += count;
        self.deliver(k, me);
    }

    /// The consumer dies: its unacknowledged messages go back to the front of the queue, to be
    /// delivered again. Returns how many.
    pub(crate) fn crash(&mut self, k: &mut Kernel, me: QueueIx, consumer: QueueConsumerIx) -> u64 {
        let c = &mut self.consumers[consumer.index()];
        if !c.alive {
            return 0;
        }
        c.alive = false;
        c.incarnation += 1;
        let requeued = c.in_hand();
        for (first, end, _) in c.unacked.drain(..).rev() {
            self.ready.push_front((first, end, true));
        }
        self.deliver(k, me);
        requeued
    }

    pub(crate) fn restart(&mut self, k: &mut Kernel, me: QueueIx, consumer: QueueConsumerIx) {
        self.consumers[consumer.index()].alive = true;
        self.deliver(k, me);
    }
}

/// The trace's words for a queue command.
pub(crate) fn emit_crashed(k: &mut Kernel, queue: &str, consumer: &str, requeued: u64) {
    k.emit(EventKind::QueueConsumerCrashed {
        queue: queue.to_string(),
        consumer: consumer.to_string(),
        requeued,
    });
}
