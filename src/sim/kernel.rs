//! What every handler works with, whichever node it runs on: the clock, the run's one random generator,
//! the event queue (messages in flight and timers), the network, and the trace. The engine owns one and
//! dispatches each event it pops to the node it is for.

use super::event::{EventKind, Trace, TraceEvent};
use super::ids::Micros;
use super::network::{FlowKind, Network, Node};
use super::protocol::Ev;
use super::rng::SimRng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An entry of the event queue: one integer that orders the events and names the slab slot the event waits
/// in. From the top: the time (`TIME_BITS`), the class (`class_of`: 0 for the scenario's timeline, 1 for
/// the user's commands, 2 for everything else, so at one instant commands run first, the timeline's before
/// the user's, and a command scheduled live, the same command replayed from a timeline and the same
/// command scheduled again after a snapshot is restored all land in the same place), the insertion
/// sequence (`SEQ_BITS`), and the slot (32 bits).
/// The heap moves only these 16-byte entries and compares them in one instruction; the events themselves
/// stay put in the slab.
type Scheduled = Reverse<u128>;

/// Simulated time fits in 44 bits of µs: 203 days (`MAX_TIME_US`).
const TIME_BITS: u32 = 44;
const CLASS_BITS: u32 = 2;
const SEQ_BITS: u32 = 128 - TIME_BITS - CLASS_BITS - 32;
/// The latest instant an event can be scheduled at; later ones run at this instant.
pub const MAX_TIME_US: Micros = (1 << TIME_BITS) - 1;

/// An event's class in the queue (see `Scheduled`).
#[inline(always)]
fn class_of(event: &Ev) -> u8 {
    match event {
        Ev::Timeline(_) => 0,
        Ev::UserCommand(_) => 1,
        _ => OTHER_CLASS,
    }
}

/// The class of every event but commands (timers and messages).
const OTHER_CLASS: u8 = 2;

#[inline(always)]
fn queue_key(at: Micros, class: u8, seq: u64, slot: u32) -> u128 {
    debug_assert!(seq < 1 << SEQ_BITS, "event sequence overflow");
    ((at.min(MAX_TIME_US) as u128) << (128 - TIME_BITS))
        | ((class as u128) << (SEQ_BITS + 32))
        | ((seq as u128 & ((1 << SEQ_BITS) - 1)) << 32)
        | slot as u128
}

#[derive(Clone)]
pub struct Kernel {
    pub now: Micros,
    pub rng: SimRng,
    queue: BinaryHeap<Scheduled>,
    /// Events waiting in the queue, by slot; `free` lists empty slots.
    slab: Vec<Option<Ev>>,
    free: Vec<u32>,
    next_seq: u64,
    /// The scenario's `time_quantum_ms` in µs (0: exact time). Every event runs at a multiple of it.
    pub quantum_us: Micros,
    /// Links, latencies and the messages on the wire.
    pub network: Network,
    pub trace: Trace,
    /// Emit record-level events (see `Simulation::set_record_events`).
    pub record_events: bool,
}

impl Kernel {
    pub fn new(seed: u64, quantum_us: Micros, network: Network, trace: Trace) -> Kernel {
        Kernel {
            now: 0,
            rng: SimRng::new(seed),
            queue: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
            quantum_us,
            network,
            trace,
            record_events: false,
        }
    }

    /// When the next event is due.
    #[inline(always)]
    pub fn next_event_at(&self) -> Option<Micros> {
        self.queue
            .peek()
            .map(|Reverse(key)| (*key >> (128 - TIME_BITS)) as Micros)
    }

    /// Takes the next event off the queue (there is one: see `next_event_at`).
    pub fn pop(&mut self) -> Ev {
        let Reverse(key) = self.queue.pop().expect("an event is due");
        let slot = key as u32;
        let event = self.slab[slot as usize].take().expect("a queued event");
        self.free.push(slot);
        event
    }

    /// Events waiting.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    pub fn schedule(&mut self, at: Micros, event: Ev) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let class = class_of(&event);
        self.enqueue(at.max(self.now), class, seq, event);
    }

    /// The first instant at or after `t` on which events may run: `t` itself in exact time, else the next
    /// multiple of the time quantum. Timers that remember when they fire store this value.
    #[inline(always)]
    pub fn on_quantum(&self, t: Micros) -> Micros {
        if self.quantum_us == 0 {
            t
        } else {
            t.div_ceil(self.quantum_us) * self.quantum_us
        }
    }

    fn enqueue(&mut self, at: Micros, class: u8, seq: u64, event: Ev) {
        let at = self.on_quantum(at);
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        self.queue.push(Reverse(queue_key(at, class, seq, slot)));
    }

    /// Sends a message from one node to another: it is drawn while in flight and `event` runs on arrival.
    /// Across a cut link (a network fault) it is lost: nothing arrives, and `false` says so, for the sender
    /// to time out on.
    pub fn send(&mut self, from: Node, to: Node, kind: FlowKind, records: u32, event: Ev) -> bool {
        if self.network.is_cut(from, to) {
            return false;
        }
        let arrive_us = self.visual_flow(from, to, kind, records);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.enqueue(arrive_us, OTHER_CLASS, seq, event);
        true
    }

    /// Draws a message in flight (its effect, if any, travels in an event `send` schedules). It is dropped
    /// once its arrival time has passed. Returns its arrival time.
    pub fn visual_flow(&mut self, from: Node, to: Node, kind: FlowKind, records: u32) -> Micros {
        let now = self.now;
        let arrive_us = self.on_quantum(now + self.network.latency(from, to));
        self.network.draw(kind, from, to, now, arrive_us, records);
        arrive_us
    }

    #[inline(always)]
    pub fn latency(&self, from: Node, to: Node) -> Micros {
        self.network.latency(from, to)
    }

    pub fn emit(&mut self, kind: EventKind) {
        // Record-level events are built only when asked for (building them is the cost); every emit site
        // checks `record_events` first.
        debug_assert!(
            self.record_events || !kind.is_record_level(),
            "record-level event emitted while record events are off: {}",
            kind.type_name()
        );
        self.trace.push(TraceEvent {
            t_us: self.now,
            kind,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{class_of, Kernel, MAX_TIME_US};
    use crate::event::Trace;
    use crate::ids::{Micros, ProducerIx};
    use crate::network::Network;
    use crate::protocol::Ev;
    use crate::rng::SimRng;
    use crate::scenario::{ClusterSpec, Command};
    use std::collections::BTreeMap;

    fn event_id(event: Ev) -> u64 {
        match event {
            Ev::Timeline(id) => id as u64,
            Ev::UserCommand(command) => match *command {
                Command::CrashBroker { broker } => broker as u64,
                other => panic!("unexpected {other:?}"),
            },
            Ev::ProducerTick { producer } => producer.index() as u64,
            other => panic!("unexpected {other:?}"),
        }
    }

    /// In exact and in quantised time, with events scheduled at random (now, soon, far ahead, past the end
    /// of time; the timeline's commands, the user's and the rest), interleaved with pops as the engine runs
    /// them, the queue gives the events in the order of (instant, class, sequence), and slots freed by pops
    /// are reused safely.
    #[test]
    fn events_run_in_instant_class_sequence_order() {
        let cluster: ClusterSpec = serde_json::from_str(r#"{"brokers": 3}"#).expect("a cluster");
        for quantum_us in [0, 10_000, 100_000] {
            for seed in 0..20 {
                let mut rng = SimRng::new(seed);
                let mut k = Kernel::new(seed, quantum_us, Network::new(&cluster), Trace::new(16));
                // (instant, class, sequence) -> the event's id
                let mut model = BTreeMap::new();
                let mut seq = 0u64;
                for id in 0..4_000u64 {
                    if rng.chance(2, 5) && !model.is_empty() {
                        let at = k.next_event_at().expect("an event is due");
                        let ((instant, _, _), expected) = model.pop_first().expect("one");
                        assert_eq!(at, instant, "seed {seed}, quantum {quantum_us}");
                        k.now = at;
                        let got = event_id(k.pop());
                        assert_eq!(got, expected, "seed {seed}, quantum {quantum_us}");
                        continue;
                    }
                    let ahead: Micros = match rng.below(10) {
                        0 => 0,
                        1..=6 => rng.below(40_000),
                        7 | 8 => rng.below(5_000_000),
                        _ if rng.chance(1, 20) => MAX_TIME_US + rng.below(1_000),
                        _ => rng.below(60_000_000),
                    };
                    let at = k.now + ahead;
                    let event = match rng.below(8) {
                        0 => Ev::Timeline(id as usize),
                        1 => Ev::UserCommand(Box::new(Command::CrashBroker { broker: id as u32 })),
                        _ => Ev::ProducerTick {
                            producer: ProducerIx::at(id as usize),
                        },
                    };
                    let class = class_of(&event);
                    k.schedule(at, event);
                    let instant = k.on_quantum(at.max(k.now)).min(MAX_TIME_US);
                    model.insert((instant, class, seq), id);
                    seq += 1;
                    assert_eq!(k.queued(), model.len());
                }
                while let Some(((instant, _, _), expected)) = model.pop_first() {
                    assert_eq!(k.next_event_at(), Some(instant));
                    k.now = instant;
                    let got = event_id(k.pop());
                    assert_eq!(got, expected);
                }
                assert_eq!(k.next_event_at(), None);
            }
        }
    }
}
