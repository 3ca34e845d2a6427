//! Helpers shared by the native test binaries, each of which declares `mod support;`: building a
//! simulation from a scenario, running it while draining its trace, finding events and groups, running the
//! CLI and checking input errors by field and code. Each binary uses some of them, hence `dead_code`.
#![allow(dead_code)]

use kafka_sim::sim::config::{Code, InputError};
use kafka_sim::sim::event::TraceEvent;
use kafka_sim::sim::view::{ClusterView, GroupView};
use kafka_sim::sim::Simulation;

/// The simulation of a scenario that must load.
pub fn sim(json: &str) -> Simulation {
    Simulation::from_json(json).unwrap_or_else(|error| panic!("scenario: {error}"))
}

/// The simulation of a scenario that must load, holding only the last 512 trace events.
pub fn sim_with_short_trace(json: &str) -> Simulation {
    let mut sim = sim(json);
    sim.set_trace_capacity(512);
    sim
}

/// The error of a scenario that must be refused.
pub fn refused(json: &str) -> InputError {
    Simulation::from_json(json).err().expect("refused")
}

/// The trace events from `cursor` on; moves `cursor` past them. Fails if the trace dropped any of them.
pub fn drain(sim: &Simulation, cursor: &mut u64) -> Vec<TraceEvent> {
    let (events, next) = sim.events_since(*cursor);
    assert_eq!(
        next - events.len() as u64,
        *cursor,
        "trace buffer overflowed"
    );
    *cursor = next;
    events
}

/// Advances to `until_us` in `step_us` steps, draining the trace from `cursor` after each step: the events
/// and the cursor after them.
pub fn events_on(
    sim: &mut Simulation,
    mut cursor: u64,
    until_us: u64,
    step_us: u64,
) -> (Vec<TraceEvent>, u64) {
    let mut all = Vec::new();
    let mut t = sim.now_us();
    while t < until_us {
        t = (t + step_us).min(until_us);
        sim.advance_to(t);
        all.extend(drain(sim, &mut cursor));
    }
    (all, cursor)
}

/// Runs to `until_us` in 100 ms steps and returns every event of the trace from its start (record-level
/// ones off unless turned on).
pub fn run(sim: &mut Simulation, until_us: u64) -> Vec<TraceEvent> {
    events_on(sim, 0, until_us, 100_000).0
}

/// Runs to `until_us` in 100 ms steps and returns the events from now on, including those of commands
/// applied just before (record-level ones off unless turned on).
pub fn run_from_now(sim: &mut Simulation, until_us: u64) -> Vec<TraceEvent> {
    let from = sim.now_us();
    let mut t = from;
    while t < until_us {
        t = (t + 100_000).min(until_us);
        sim.advance_to(t);
    }
    let (events, _) = sim.events_since(0);
    events.into_iter().filter(|e| e.t_us >= from).collect()
}

/// Events as trace lines (JSON, as the CLI writes them).
pub fn json_lines(events: &[TraceEvent]) -> Vec<String> {
    events.iter().map(|event| event.to_json_line()).collect()
}

/// The events of one `type`.
pub fn of_type<'a>(events: &'a [TraceEvent], kind: &str) -> Vec<&'a TraceEvent> {
    events
        .iter()
        .filter(|e| e.kind.type_name() == kind)
        .collect()
}

/// When the first event of a `type` happened.
pub fn first_at(events: &[TraceEvent], kind: &str) -> Option<u64> {
    events
        .iter()
        .find(|e| e.kind.type_name() == kind)
        .map(|e| e.t_us)
}

/// A group of the view, by id.
pub fn group<'a>(view: &'a ClusterView, id: &str) -> &'a GroupView {
    view.groups
        .iter()
        .find(|g| g.group == id)
        .unwrap_or_else(|| panic!("no group {id}"))
}

/// Runs the `kafka-sim` CLI: its exit code (-1 if killed by a signal), standard output and error.
pub fn cli(args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kafka-sim"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into(),
        String::from_utf8_lossy(&output.stderr).into(),
    )
}

/// The code of an input error (`None` for an error with no code: a JSON parser's text).
pub fn code(error: &InputError) -> Option<Code> {
    error.problem.as_ref().map(|problem| problem.code)
}

/// A field of an input error's problem (its `max`, its `value`…), as the problem holds it.
pub fn field<'a>(error: &'a InputError, name: &str) -> Option<&'a str> {
    let problem = error.problem.as_ref()?;
    problem
        .fields
        .iter()
        .find(|(field, _)| *field == name)
        .map(|(_, value)| value.as_str())
}

/// Asserts an input error is at `path` with the problem `code` (not its English text, which the page
/// writes in the reader's language).
#[track_caller]
pub fn assert_problem(error: &InputError, path: &str, expected: Code) {
    assert_eq!(
        (error.path.as_str(), code(error)),
        (path, Some(expected)),
        "{error}"
    );
}
