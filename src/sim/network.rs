//! The network: how long a message takes between two nodes (per-link latency), and the messages on the
//! wire, kept for drawing. The engine asks it when a message arrives and schedules the message's event for
//! then; nothing here decides anything in the run.

use super::ids::{BrokerId, GroupIx, MemberSlot, Micros, ProducerIx};
use super::scenario::ClusterSpec;
use serde::Serialize;
use std::collections::BTreeMap;

/// Something on the network diagram that sends or receives messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Node {
    /// The KRaft controller (the active controller of the quorum). It sends and receives no drawn message;
    /// it is a node so that a network fault can cut a broker off from it.
    Controller,
    Producer {
        producer: ProducerIx,
    },
    Broker {
        broker: BrokerId,
    },
    Member {
        group: GroupIx,
        member: MemberSlot,
    },
}

/// The kinds of message the picture animates, each with its own shape or colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    Produce,
    ProduceResponse,
    ReplicaFetch,
    ReplicaData,
    ConsumerFetch,
    ConsumerData,
    Commit,
    Heartbeat,
    GroupProtocol,
}

/// A message on the wire: its position is interpolated from `sent_us`, `arrive_us` and the clock.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flow {
    pub kind: FlowKind,
    pub from: Node,
    pub to: Node,
    pub sent_us: Micros,
    pub arrive_us: Micros,
    pub records: u32,
}

/// The flow list is pruned of arrived messages when it reaches this length (or twice what survived).
const FLOWS_PRUNE_MIN: usize = 1024;
/// The most messages `take_sent_flows` returns at once (the page takes them every frame).
pub const SENT_LOG_MAX: usize = 512;

/// Per-link latency and the messages in flight.
#[derive(Clone, Debug)]
pub struct Network {
    latency_us: u64,
    /// Broker pairs (lower id first) whose link has its own latency.
    links: BTreeMap<(u32, u32), u64>,
    /// Messages drawn on the wire, in send order. Arrived ones are dropped at the end of `advance_to` and
    /// whenever the list doubles, so a long advance does not accumulate them.
    flows: Vec<Flow>,
    flows_prune_at: usize,
    /// Keep the messages in flight for drawing (see `Simulation::set_record_flows`).
    record_flows: bool,
    /// The messages sent since the page last took them, when it asked for them (`set_flow_log`).
    sent_log: Option<Vec<Flow>>,
    /// The network faults in place: a cut link between two nodes (`(a, Some(b))`, the lower node first),
    /// or a node isolated from every other (`(a, None)`). Empty in a healthy network, which is what
    /// `is_cut` checks first.
    cuts: Vec<(Node, Option<Node>)>,
}

impl Network {
    pub fn new(cluster: &ClusterSpec) -> Network {
        // Built by `extend`: `collect` into a `BTreeMap` sorts, with a sort instance of its own.
        let mut links = BTreeMap::new();
        links.extend(cluster.links.iter().map(|link| {
            (
                (
                    link.between[0].min(link.between[1]),
                    link.between[0].max(link.between[1]),
                ),
                link.ms * 1000,
            )
        }));
        Network {
            latency_us: cluster.network_latency_ms * 1000,
            links,
            flows: Vec::new(),
            flows_prune_at: FLOWS_PRUNE_MIN,
            record_flows: true,
            sent_log: None,
            cuts: Vec::new(),
        }
    }

    /// Whether a message from `from` to `to` is lost: their link is cut, or one of them is isolated.
    #[inline(always)]
    pub fn is_cut(&self, from: Node, to: Node) -> bool {
        !self.cuts.is_empty() && from != to && self.is_cut_slow(from, to)
    }

    fn is_cut_slow(&self, from: Node, to: Node) -> bool {
        let pair = (from.min(to), Some(from.max(to)));
        self.cuts
            .iter()
            .any(|cut| *cut == pair || *cut == (from, None) || *cut == (to, None))
    }

    pub fn cuts(&self) -> &[(Node, Option<Node>)] {
        &self.cuts
    }

    /// Cuts the link between `a` and `b`, or isolates `a` from every node. Returns whether anything changed.
    pub fn cut(&mut self, a: Node, b: Option<Node>) -> bool {
        let cut = match b {
            Some(b) => (a.min(b), Some(a.max(b))),
            None => (a, None),
        };
        if self.cuts.contains(&cut) || b.is_some_and(|b| self.is_cut(a, b)) {
            return false;
        }
        self.cuts.push(cut);
        true
    }

    /// Heals every cut (`a` is None), every cut that involves `a` (its isolation too), or the link between
    /// `a` and `b`. Healing one link of an isolated node turns its isolation into cuts to each of `nodes`
    /// but that one. Returns whether anything changed.
    pub fn heal(&mut self, a: Option<Node>, b: Option<Node>, nodes: &[Node]) -> bool {
        let before = self.cuts.len();
        match (a, b) {
            (None, _) => self.cuts.clear(),
            (Some(a), None) => self.cuts.retain(|(x, y)| *x != a && *y != Some(a)),
            (Some(a), Some(b)) => {
                let pair = (a.min(b), Some(a.max(b)));
                let mut changed = false;
                for isolated in [a, b] {
                    if let Some(index) = self.cuts.iter().position(|cut| *cut == (isolated, None)) {
                        self.cuts.remove(index);
                        let other = if isolated == a { b } else { a };
                        for node in nodes {
                            if *node != isolated && *node != other {
                                self.cut(isolated, Some(*node));
                            }
                        }
                        changed = true;
                    }
                }
                self.cuts.retain(|cut| *cut != pair);
                return changed || self.cuts.len() != before;
            }
        }
        self.cuts.len() != before
    }

    /// How long a message from `from` takes to reach `to`.
    #[inline(always)]
    pub fn latency(&self, from: Node, to: Node) -> Micros {
        match (from, to) {
            (Node::Broker { broker: a }, Node::Broker { broker: b }) => *self
                .links
                .get(&(a.get().min(b.get()), a.get().max(b.get())))
                .unwrap_or(&self.latency_us),
            _ => self.latency_us,
        }
    }

    /// Keeps a message sent at `now` and arriving at `arrive_us` for drawing (when flows are recorded).
    pub fn draw(
        &mut self,
        kind: FlowKind,
        from: Node,
        to: Node,
        now: Micros,
        arrive_us: Micros,
        records: u32,
    ) {
        if !self.record_flows {
            return;
        }
        if self.flows.len() >= self.flows_prune_at {
            self.flows.retain(|flow| flow.arrive_us > now);
            self.flows_prune_at = (self.flows.len() * 2).max(FLOWS_PRUNE_MIN);
        }
        let flow = Flow {
            kind,
            from,
            to,
            sent_us: now,
            arrive_us,
            records,
        };
        if let Some(log) = &mut self.sent_log {
            if log.len() < SENT_LOG_MAX {
                log.push(flow.clone());
            }
        }
        self.flows.push(flow);
    }

    /// Drops the messages that have arrived by `now`.
    pub fn drop_arrived(&mut self, now: Micros) {
        self.flows.retain(|flow| flow.arrive_us > now);
    }

    pub fn set_record_flows(&mut self, enabled: bool) {
        self.record_flows = enabled;
        if !enabled {
            self.flows.clear();
        }
    }

    pub fn records_flows(&self) -> bool {
        self.record_flows
    }

    pub fn set_flow_log(&mut self, enabled: bool) {
        if enabled != self.sent_log.is_some() {
            self.sent_log = enabled.then(Vec::new);
        }
    }

    pub fn take_sent_flows(&mut self) -> Vec<Flow> {
        self.sent_log
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    pub fn flows(&self) -> &[Flow] {
        &self.flows
    }
}
