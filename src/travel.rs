//! Time travel, pure and tested natively (the page does not mount a timeline bar yet: see
//! docs/time-travel.md and docs/performance.md). `Travel` keeps, for the run it advances:
//! - checkpoints: the core's snapshots (`Simulation::snapshot`), the first at time 0, then one every so
//!   many events, thinned (every other one dropped, the spacing doubled) when there are `max_checkpoints`
//!   or when they hold more than `CHECKPOINT_BYTES` (`Simulation::approx_bytes` each);
//! - the user's commands on the current branch, with the times they take effect;
//! - the frontier: the furthest the run has gone (its time and the events it had processed);
//! - what the page shows over time, recorded as the run first passes each instant: the charts' samples
//!   (one per simulated second, read from the core's state at that exact instant, so a chart never depends
//!   on when frames happened) and the timeline's marks (the events a learner looks for).
//!
//! Seeking to an instant restores the latest checkpoint at or before it, schedules again the commands the
//! checkpoint had not scheduled yet, and replays: the run is deterministic, so the state is byte for byte
//! the one the run had there. Acting in the past forks: the future from that instant is set aside (the
//! page offers a way back to it) and the run goes on from there with the new command.

use crate::markup::panels::Sample;
use crate::sim::event::{EventKind, Reason};
use crate::sim::ids::Micros;
use crate::sim::{Command, Simulation, Snapshot};

/// The charts' samples are one simulated second apart.
pub const SAMPLE_US: Micros = 1_000_000;
/// The most samples kept (two simulated hours); the oldest quarter goes when there are more.
pub const MAX_SAMPLES: usize = 7_200;
/// The most marks kept; beyond, marks of one kind are merged over twice as long a span.
pub const MAX_MARKS: usize = 2_000;
/// The most checkpoints kept before thinning (see `Travel`).
pub const MAX_CHECKPOINTS: usize = 96;
/// Events between two checkpoints at first (the spacing doubles at each thinning).
pub const CHECKPOINT_EVENTS: u64 = 20_000;
/// The most the checkpoints may hold together, by `Simulation::approx_bytes` (the wasm memory they take
/// is about a third more, with the allocator's own).
pub const CHECKPOINT_BYTES: usize = 24 << 20;
/// A step forward to the next instant with an event that the learner sees runs at most this much
/// simulated time.
const STEP_LIMIT_US: Micros = 60_000_000;

/// What a mark on the timeline shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    RebalanceStarted,
    RebalanceCompleted,
    LeaderElected,
    IsrShrunk,
    IsrExpanded,
    BrokerCrashed,
    MemberCrashed,
    CommitFailed,
    NotEnoughReplicas,
    RecordsLost,
    NetworkFault,
}

impl MarkKind {
    /// The mark an event makes, if any.
    pub fn of(kind: &EventKind) -> Option<MarkKind> {
        Some(match kind {
            EventKind::RebalanceStarted { .. } => MarkKind::RebalanceStarted,
            EventKind::RebalanceCompleted { .. } => MarkKind::RebalanceCompleted,
            EventKind::LeaderElected { .. } => MarkKind::LeaderElected,
            EventKind::IsrChanged { reason, .. } => {
                if *reason == Reason::FollowerCaughtUp {
                    MarkKind::IsrExpanded
                } else {
                    MarkKind::IsrShrunk
                }
            }
            EventKind::BrokerCrashed { .. } => MarkKind::BrokerCrashed,
            EventKind::ConsumerCrashed { .. } => MarkKind::MemberCrashed,
            EventKind::CommitFailed { .. } => MarkKind::CommitFailed,
            EventKind::ProduceError {
                error: Reason::NotEnoughReplicas,
                ..
            } => MarkKind::NotEnoughReplicas,
            EventKind::AcknowledgedRecordsLost { .. } => MarkKind::RecordsLost,
            EventKind::NetworkPartitioned { .. } => MarkKind::NetworkFault,
            _ => return None,
        })
    }
}

/// A mark on the timeline: the first event of its kind in its span (at `t_us`), and how many there were.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub t_us: Micros,
    pub kind: MarkKind,
    pub count: u32,
    pub event: EventKind,
}

struct Checkpoint {
    snapshot: Snapshot,
    /// What it holds once the run has moved on (`Simulation::approx_bytes`).
    bytes: usize,
}

impl Checkpoint {
    fn now_us(&self) -> Micros {
        self.snapshot.now_us()
    }
}

/// The furthest the run has gone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    pub us: Micros,
    pub events: u64,
}

/// A future set aside by acting in the past (`Travel::fork`), to go back to.
struct Future {
    at_us: Micros,
    frontier: Frontier,
    commands: Vec<(Micros, Command)>,
    checkpoints: Vec<Checkpoint>,
    samples: Vec<Sample>,
    marks: Vec<Mark>,
}

/// Where a seek restored a checkpoint: the page keeps what it showed of the events up to `from_us`
/// (none when `None`: the first checkpoint is taken before the first instant runs), and reads the trace
/// from `cursor` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Restored {
    pub from_us: Option<Micros>,
    pub cursor: u64,
}

/// See the module's documentation.
pub struct Travel {
    checkpoints: Vec<Checkpoint>,
    max_bytes: usize,
    every_events: u64,
    max_checkpoints: usize,
    commands: Vec<(Micros, Command)>,
    frontier: Frontier,
    samples: Vec<Sample>,
    marks: Vec<Mark>,
    mark_span_us: Micros,
    mark_cursor: u64,
    future: Option<Future>,
}

impl Travel {
    /// Time travel for `sim`, a simulation just built (nothing run, no command given).
    pub fn new(sim: &Simulation) -> Travel {
        Travel::with_spacing(sim, CHECKPOINT_EVENTS, MAX_CHECKPOINTS)
    }

    /// Like `new`, with a checkpoint every `every_events` events and at most `max_checkpoints`.
    pub fn with_spacing(sim: &Simulation, every_events: u64, max_checkpoints: usize) -> Travel {
        Travel {
            checkpoints: vec![Checkpoint {
                snapshot: sim.snapshot(),
                bytes: sim.approx_bytes(),
            }],
            max_bytes: CHECKPOINT_BYTES,
            every_events: every_events.max(1),
            max_checkpoints: max_checkpoints.max(2),
            commands: sim.command_log().to_vec(),
            frontier: Frontier {
                us: sim.now_us(),
                events: sim.events_processed,
            },
            samples: Vec::new(),
            marks: Vec::new(),
            mark_span_us: SAMPLE_US,
            mark_cursor: sim.trace_end(),
            future: None,
        }
    }

    pub fn frontier(&self) -> Frontier {
        self.frontier
    }

    /// Whether `sim` shows an instant before the frontier.
    pub fn in_past(&self, sim: &Simulation) -> bool {
        sim.events_processed < self.frontier.events || sim.now_us() < self.frontier.us
    }

    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The newest `n` samples at or before `t_us`.
    pub fn samples_until(&self, t_us: Micros, n: usize) -> &[Sample] {
        let end = self.samples.partition_point(|s| s.t_us <= t_us);
        &self.samples[end.saturating_sub(n)..end]
    }

    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// What the checkpoints hold, by `Simulation::approx_bytes`.
    pub fn checkpoint_bytes(&self) -> usize {
        self.checkpoints.iter().map(|c| c.bytes).sum()
    }

    /// At most `max_bytes` in checkpoints (`CHECKPOINT_BYTES` unless set).
    pub fn set_checkpoint_bytes(&mut self, max_bytes: usize) {
        self.max_bytes = max_bytes;
    }

    /// The checkpoints' times.
    pub fn checkpoint_times(&self) -> Vec<Micros> {
        self.checkpoints.iter().map(Checkpoint::now_us).collect()
    }

    /// The instant a future was set aside at, if one was (`back_to_future`).
    pub fn discarded_at(&self) -> Option<Micros> {
        self.future.as_ref().map(|future| future.at_us)
    }

    /// Learns the commands the page scheduled (`Simulation::schedule_command`): `sim`'s log of commands
    /// is the branch's whole list, since a seek schedules again every command the checkpoint lacked.
    pub fn commands_changed(&mut self, sim: &Simulation) {
        self.commands.clear();
        self.commands.extend_from_slice(sim.command_log());
    }

    /// Runs `sim` toward `target` (at most `max_events` events; returns whether it reached it), like
    /// `Simulation::advance_toward`. Past the frontier it records what the page shows over time: a sample at
    /// every whole simulated second (it stops there to read it), the marks, and a checkpoint every so many
    /// events (only at a second, and only when no command the user gave is waiting to take effect).
    pub fn advance(&mut self, sim: &mut Simulation, target: Micros, max_events: u64) -> bool {
        let mut budget = max_events;
        loop {
            let before = sim.events_processed;
            if before < self.frontier.events {
                // Replaying the known past: it stops exactly at the frontier, where recording starts.
                let stop = target.min(self.frontier.us);
                let cap = budget.min(self.frontier.events - before);
                let reached = sim.advance_toward(stop, cap);
                budget -= sim.events_processed - before;
                if sim.events_processed < self.frontier.events {
                    return reached && stop == target;
                }
                self.mark_cursor = sim.trace_end();
                if reached && stop == target {
                    return true;
                }
                continue;
            }
            // The next whole second to sample (never one already passed).
            let next_sample = self
                .next_sample_us()
                .max(sim.now_us().div_ceil(SAMPLE_US) * SAMPLE_US);
            let stop = target.min(next_sample);
            let reached = sim.advance_toward(stop, budget);
            budget -= sim.events_processed - before;
            self.frontier = Frontier {
                us: self.frontier.us.max(sim.now_us()),
                events: sim.events_processed,
            };
            self.take_marks(sim);
            if reached && stop == next_sample && sim.now_us() == next_sample {
                self.take_sample(sim);
                self.maybe_checkpoint(sim);
            }
            if !reached {
                return false;
            }
            if stop == target {
                return true;
            }
        }
    }

    fn next_sample_us(&self) -> Micros {
        self.samples.last().map_or(0, |last| last.t_us + SAMPLE_US)
    }

    fn take_sample(&mut self, sim: &Simulation) {
        let sample = Sample::new(self.samples.last(), sim.now_us(), sim.chart_totals());
        self.samples.push(sample);
        if self.samples.len() > MAX_SAMPLES {
            self.samples.drain(..MAX_SAMPLES / 4);
        }
    }

    fn maybe_checkpoint(&mut self, sim: &Simulation) {
        let last = self
            .checkpoints
            .last()
            .map_or(0, |c| c.snapshot.events_processed());
        let waiting = sim
            .command_log()
            .last()
            .is_some_and(|(at, _)| *at > sim.now_us());
        if sim.events_processed < last + self.every_events || waiting {
            return;
        }
        self.checkpoints.push(Checkpoint {
            snapshot: sim.snapshot(),
            bytes: sim.approx_bytes(),
        });
        while self.checkpoints.len() > 2
            && (self.checkpoints.len() > self.max_checkpoints
                || self.checkpoint_bytes() > self.max_bytes)
        {
            // Thinning: the first (time 0), the newest and every other one between stay.
            let last = self.checkpoints.len() - 1;
            let mut index = 0;
            self.checkpoints.retain(|_| {
                index += 1;
                index == 1 || index - 1 == last || index % 2 == 1
            });
            self.every_events *= 2;
        }
    }

    fn take_marks(&mut self, sim: &Simulation) {
        let (events, next) = sim.trace_since(self.mark_cursor);
        for event in events {
            if let Some(kind) = MarkKind::of(&event.kind) {
                add_mark(
                    &mut self.marks,
                    self.mark_span_us,
                    event.t_us,
                    &event.kind,
                    kind,
                );
            }
        }
        self.mark_cursor = next;
        if self.marks.len() > MAX_MARKS {
            self.mark_span_us *= 2;
            let marks = std::mem::take(&mut self.marks);
            for mark in marks {
                let count = mark.count;
                add_mark(
                    &mut self.marks,
                    self.mark_span_us,
                    mark.t_us,
                    &mark.event,
                    mark.kind,
                );
                if let Some(last) = self.marks.iter_mut().rev().find(|m| m.kind == mark.kind) {
                    last.count += count - 1;
                }
            }
        }
    }

    /// Shows `t_us` (at most the frontier): restores the latest checkpoint at or before it, unless `sim`
    /// is already between that checkpoint and `t_us`, and replays. `prepare` sets again what the page
    /// asks of a restored simulation (what it only draws: record-level events, the trace's size).
    pub fn seek(
        &mut self,
        sim: &mut Simulation,
        t_us: Micros,
        prepare: impl Fn(&mut Simulation),
    ) -> Restored {
        self.seek_from(sim, t_us, false, prepare)
    }

    fn seek_from(
        &mut self,
        sim: &mut Simulation,
        t_us: Micros,
        force: bool,
        prepare: impl Fn(&mut Simulation),
    ) -> Restored {
        let t_us = t_us.min(self.frontier.us);
        let index = self
            .checkpoints
            .partition_point(|c| c.now_us() <= t_us)
            .saturating_sub(1);
        let checkpoint = &self.checkpoints[index];
        let ahead =
            sim.now_us() <= t_us && sim.events_processed >= checkpoint.snapshot.events_processed();
        if force || !ahead {
            sim.restore(&checkpoint.snapshot);
            prepare(sim);
            let scheduled = sim.command_log().len();
            for (at, command) in self.commands.iter().skip(scheduled) {
                sim.reschedule_command(*at, command.clone());
            }
        }
        let restored = Restored {
            from_us: (sim.events_processed > 0).then(|| sim.now_us()),
            cursor: sim.trace_end(),
        };
        self.advance(sim, t_us, u64::MAX);
        restored
    }

    /// Before a command given while `sim` shows the past: sets the future aside (`back_to_future`), and
    /// makes `sim`'s instant the frontier, with only the commands that took effect by then. Returns where
    /// the seek it does restored a checkpoint, or `None` when `sim` shows the frontier.
    pub fn fork(
        &mut self,
        sim: &mut Simulation,
        prepare: impl Fn(&mut Simulation),
    ) -> Option<Restored> {
        if !self.in_past(sim) {
            return None;
        }
        let at_us = sim.now_us();
        let checkpoints = split_after(&mut self.checkpoints, |c| c.now_us() > at_us);
        let samples = split_after(&mut self.samples, |s| s.t_us > at_us);
        let marks = split_after(&mut self.marks, |m| m.t_us > at_us);
        let commands = self.commands.clone();
        self.commands.retain(|(at, _)| *at <= at_us);
        self.future = Some(Future {
            at_us,
            frontier: self.frontier,
            commands,
            checkpoints,
            samples,
            marks,
        });
        let restored = self.seek_from(sim, at_us, true, prepare);
        self.frontier = Frontier {
            us: sim.now_us(),
            events: sim.events_processed,
        };
        self.mark_cursor = sim.trace_end();
        Some(restored)
    }

    /// Goes back to the future set aside by `fork` (this branch is dropped), showing the instant it was
    /// set aside at. Returns where the seek restored a checkpoint, or `None` when there is no such future.
    pub fn back_to_future(
        &mut self,
        sim: &mut Simulation,
        prepare: impl Fn(&mut Simulation),
    ) -> Option<Restored> {
        let future = self.future.take()?;
        let at = future.at_us;
        self.checkpoints.retain(|c| c.now_us() <= at);
        self.checkpoints.extend(future.checkpoints);
        self.samples.retain(|s| s.t_us <= at);
        self.samples.extend(future.samples);
        self.marks.retain(|m| m.t_us <= at);
        self.marks.extend(future.marks);
        self.commands = future.commands;
        self.frontier = future.frontier;
        Some(self.seek_from(sim, at, true, prepare))
    }

    /// The instant before `sim`'s with an event the learner sees: any trace event, record-level ones
    /// included, or with `kafka_only` the others only. With none since the checkpoint before, that
    /// checkpoint's instant. `None` at time 0.
    pub fn previous_instant(&self, sim: &Simulation, kafka_only: bool) -> Option<Micros> {
        let now = sim.now_us();
        if kafka_only {
            let (events, _) = sim.trace_since(0);
            let last = events
                .filter(|e| e.t_us < now && !e.kind.is_record_level())
                .map(|e| e.t_us)
                .last();
            if last.is_some() {
                return last;
            }
        }
        let mut index = self.checkpoints.partition_point(|c| c.now_us() < now);
        // Looks back over a few checkpoints at most, then settles for the checkpoint's instant.
        let mut looked = 0;
        while index > 0 && looked < 4 {
            index -= 1;
            looked += 1;
            let checkpoint = &self.checkpoints[index];
            let mut probe = checkpoint.snapshot.resume();
            probe.set_record_events(!kafka_only);
            probe.set_trace_capacity(1 << 16);
            for (at, command) in self.commands.iter().skip(probe.command_log().len()) {
                probe.reschedule_command(*at, command.clone());
            }
            let mut last = None;
            while let Some(at) = probe.next_event_at().filter(|at| *at < now) {
                let cursor = probe.trace_end();
                probe.advance_to(at);
                let (mut events, _) = probe.trace_since(cursor);
                if events.any(|e| !kafka_only || !e.kind.is_record_level()) {
                    last = Some(at);
                }
            }
            if last.is_some() {
                return last;
            }
        }
        self.checkpoints
            .get(index)
            .map(Checkpoint::now_us)
            .filter(|at| *at < now)
    }

    /// Runs `sim` to the next instant with an event the learner sees (see `previous_instant`), at most a
    /// minute of simulated time ahead. Returns whether there was one.
    pub fn step_forward(&mut self, sim: &mut Simulation, kafka_only: bool) -> bool {
        let record = sim.record_events();
        if !kafka_only {
            sim.set_record_events(true);
        }
        let limit = sim.now_us() + STEP_LIMIT_US;
        let mut found = false;
        while let Some(at) = sim.next_event_at().filter(|at| *at <= limit) {
            let cursor = sim.trace_end();
            self.advance(sim, at, u64::MAX);
            let (mut events, _) = sim.trace_since(cursor);
            if events.any(|e| !kafka_only || !e.kind.is_record_level()) {
                found = true;
                break;
            }
        }
        sim.set_record_events(record);
        found
    }
}

/// Takes off the end of `list` (ordered by time) the items `later` says are after the fork.
fn split_after<T>(list: &mut Vec<T>, later: impl Fn(&T) -> bool) -> Vec<T> {
    let keep = list.iter().take_while(|item| !later(item)).count();
    list.split_off(keep)
}

/// Adds `event` to the marks, or counts it in the last mark of its kind if that one is in the same span.
fn add_mark(
    marks: &mut Vec<Mark>,
    span_us: Micros,
    t_us: Micros,
    event: &EventKind,
    kind: MarkKind,
) {
    let bucket = t_us / span_us;
    if let Some(mark) = marks
        .iter_mut()
        .rev()
        .take_while(|mark| mark.t_us / span_us == bucket)
        .find(|mark| mark.kind == kind)
    {
        mark.count += 1;
        return;
    }
    marks.push(Mark {
        t_us,
        kind,
        count: 1,
        event: event.clone(),
    });
}

/// `sim::golden::trace_hash` through time travel: runs through `Travel` (checkpoints every 5,000 events) to
/// the scenario's end, hashing the trace; then seeks back to `back_us` and runs to the end again, hashing
/// from there. Returns both hashes of the full trace: each equals `trace_hash` (natively and in wasm32).
pub fn trace_hash_through_seek(sim: &mut Simulation, back_us: Micros) -> (u64, u64) {
    use crate::sim::golden::hash_advancing;
    sim.set_record_events(true);
    let end = sim.scenario().duration_ms * 1000;
    let mut travel = Travel::with_spacing(sim, 5_000, 8);
    let hash_on = |travel: &mut Travel, sim: &mut Simulation, hash, cursor, until| {
        hash_advancing(sim, hash, cursor, until, |sim, t| {
            travel.advance(sim, t, u64::MAX);
        })
    };
    let (prefix, cursor) = hash_on(&mut travel, sim, 0xcbf2_9ce4_8422_2325, 0, back_us);
    let (first, _) = hash_on(&mut travel, sim, prefix, cursor, end);
    travel.seek(sim, back_us, |_| {});
    assert_eq!(
        sim.trace_end(),
        cursor,
        "the seek restored the trace up to {back_us}"
    );
    let (second, _) = hash_on(&mut travel, sim, prefix, cursor, end);
    (first, second)
}
