//! Record markers at teaching scale. A message between two nodes takes well under a millisecond of
//! simulated time, so at a few records a second a dot interpolated in simulated time is never seen. At
//! `TEACHING_RATE` records/s or less the picture instead shows each message that carries records (a
//! produce request, a follower's fetch response, a poll's batch) and each offset commit as a marker that
//! travels for `MARKER_MS` of wall time from the moment the page first sees it: one dot per record, a
//! batch's dots in one group. Pure, so it is tested natively; `ui::picture` draws it.

use crate::sim::network::{Flow, FlowKind, Node};

/// The most records per second (all producers together) at which markers replace the dots in flight.
pub const TEACHING_RATE: u32 = 50;
/// How long a marker travels, in wall-clock milliseconds.
pub const MARKER_MS: f64 = 900.0;
/// The most markers kept; older ones are dropped first.
const MAX_MARKERS: usize = 256;
/// The most dots one marker draws (a bigger batch shows this many and its count).
pub const MAX_DOTS: u32 = 12;

/// A message being shown travelling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    pub kind: FlowKind,
    pub from: Node,
    pub to: Node,
    pub records: u32,
    /// When the page first saw it (wall-clock ms).
    pub born_ms: f64,
}

impl Marker {
    /// How far it has travelled, 0 to 1. With reduced motion it is at its start for the first half of its
    /// time and at its end for the second: a change of position, not a motion.
    pub fn progress(&self, now_ms: f64, reduced_motion: bool) -> f64 {
        let fraction = ((now_ms - self.born_ms) / MARKER_MS).clamp(0.0, 1.0);
        if reduced_motion {
            if fraction < 0.5 {
                0.0
            } else {
                1.0
            }
        } else {
            fraction
        }
    }
}

/// Whether a message is shown as a marker: it carries records, or it commits offsets.
pub fn shown(flow: &Flow) -> bool {
    match flow.kind {
        FlowKind::Produce | FlowKind::ReplicaData | FlowKind::ConsumerData => flow.records > 0,
        FlowKind::Commit => true,
        _ => false,
    }
}

/// The markers in flight.
#[derive(Clone, Debug, Default)]
pub struct Markers {
    pub items: Vec<Marker>,
}

impl Markers {
    /// Adds the messages sent since the last call (`Simulation::take_sent_flows`: each is given once)
    /// and drops the markers that arrived.
    pub fn update(&mut self, sent: &[Flow], now_ms: f64) {
        self.items
            .retain(|marker| now_ms - marker.born_ms < MARKER_MS);
        self.items
            .extend(sent.iter().filter(|flow| shown(flow)).map(|flow| Marker {
                kind: flow.kind,
                from: flow.from,
                to: flow.to,
                records: flow.records,
                born_ms: now_ms,
            }));
        if self.items.len() > MAX_MARKERS {
            let extra = self.items.len() - MAX_MARKERS;
            self.items.drain(..extra);
        }
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }
}

/// Where the dots of a batch of `records` sit around its centre: a compact group, in rows of four.
pub fn dot_offsets(records: u32) -> impl Iterator<Item = (f64, f64)> {
    let dots = records.clamp(1, MAX_DOTS);
    (0..dots).map(move |i| {
        let (row, column) = ((i / 4) as f64, (i % 4) as f64);
        let columns = dots.min(4) as f64;
        ((column - (columns - 1.0) / 2.0) * 11.0, row * 11.0 - 5.5)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ids::BrokerId;

    fn flow(kind: FlowKind, sent_us: u64, records: u32) -> Flow {
        Flow {
            kind,
            from: Node::Producer {
                producer: crate::sim::ids::ProducerIx(0),
            },
            to: Node::Broker {
                broker: BrokerId(1),
            },
            sent_us,
            arrive_us: sent_us + 500,
            records,
        }
    }

    #[test]
    fn a_message_seen_once_travels_for_its_time_then_goes() {
        let mut markers = Markers::default();
        let produce = flow(FlowKind::Produce, 1_000, 3);
        markers.update(&[produce, flow(FlowKind::Heartbeat, 1_000, 0)], 0.0);
        assert_eq!(markers.items.len(), 1, "heartbeats are not markers");
        let marker = markers.items[0];
        assert_eq!(marker.progress(MARKER_MS / 2.0, false), 0.5);
        assert_eq!(marker.progress(MARKER_MS / 4.0, true), 0.0);
        assert_eq!(marker.progress(MARKER_MS * 0.75, true), 1.0);
        // Gone from the view, it travels on until its time is up.
        markers.update(&[], MARKER_MS - 1.0);
        assert_eq!(markers.items.len(), 1);
        markers.update(&[], MARKER_MS);
        assert!(markers.items.is_empty());
    }

    #[test]
    fn markers_are_bounded_and_a_batch_is_one_group_of_dots() {
        let mut markers = Markers::default();
        let flows: Vec<Flow> = (0..1000)
            .map(|i| flow(FlowKind::ConsumerData, i, 5))
            .collect();
        markers.update(&flows, 0.0);
        assert_eq!(markers.items.len(), MAX_MARKERS);
        assert_eq!(dot_offsets(5).count(), 5);
        assert_eq!(dot_offsets(500).count(), MAX_DOTS as usize);
        assert!(dot_offsets(12).all(|(x, y)| x.abs() <= 17.0 && y.abs() <= 17.0));
    }
}
