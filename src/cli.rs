//! The headless command line: run a scenario file and print what Kafka's own tools would show, write a
//! JSON Lines trace, or benchmark the core.

use kafka_sim::sim::scenario::{
    Scenario, MAX_PROCESSING_MS_PER_RECORD, MAX_RATE_PER_SEC, MAX_TIME_QUANTUM_MS,
};
use kafka_sim::sim::{report, Simulation};
use std::io::Write;
use std::time::Instant;

const USAGE: &str = "usage:
  kafka-sim run FILE [--seed N] [--until DURATION] [--trace OUT.jsonl] [--json]
  kafka-sim bench [--scenario FILE] [--rate N] [--processing-ms MS] [--sim-seconds N] [--steps N]
                  [--time-quantum-ms Q] [--frames] [--seek]
  kafka-sim lesson check [--dir DIR] [ID ...]
  kafka-sim lesson index [--dir DIR]   (prints public/lesson-index.json, the page's lesson menu)
DURATION is a number with a unit: 500ms, 30s, 5m, 1h (a bare number is milliseconds).";

pub fn main(args: Vec<String>) -> i32 {
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("lesson") if args.get(1).map(String::as_str) == Some("index") => {
            lesson_index(&args[2..])
        }
        Some("lesson") if args.get(1).map(String::as_str) == Some("check") => {
            lesson_check(&args[2..])
        }
        Some("help") | Some("--help") | Some("-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("expected a command\n{USAGE}")),
    };
    match result {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("kafka-sim: {message}");
            2
        }
    }
}

/// The lessons in `dir`, in file-name order.
fn read_lessons(dir: &str) -> Result<Vec<kafka_sim::lesson::Lesson>, String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{dir}: {e}"))?
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().to_string())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|name| {
            let file = format!("{dir}/{name}");
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
            kafka_sim::lesson::Lesson::from_json(&text).map_err(|e| format!("{file}: {e}"))
        })
        .collect()
}

/// `lesson index [--dir DIR]`: prints the menu's index of the lessons (`public/lesson-index.json`).
fn lesson_index(args: &[String]) -> Result<(), String> {
    let dir = match args {
        [] => "public/lessons",
        [flag, dir] if flag == "--dir" => dir.as_str(),
        _ => return Err("usage: kafka-sim lesson index [--dir DIR]".into()),
    };
    print!("{}", kafka_sim::lesson::index_json(&read_lessons(dir)?));
    Ok(())
}

/// `lesson check`: plays each lesson (every one in `DIR`, `public/lessons` by default, or those named) as
/// "show me" on every step does, and prints when each step's check held and the lesson's summary. Fails on
/// a lesson file that does not load, or a check that does not hold within its step's time limit.
fn lesson_check(args: &[String]) -> Result<(), String> {
    use kafka_sim::lesson::{play, summary, Lesson};
    let mut dir = "public/lessons".to_string();
    let mut ids = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dir" => dir = args.next().ok_or("--dir needs a directory")?.clone(),
            id => ids.push(id.to_string()),
        }
    }
    if ids.is_empty() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(id) = name.strip_suffix(".json") {
                ids.push(id.to_string());
            }
        }
        ids.sort();
    }
    let scenarios = std::path::Path::new(&dir).join("../scenarios");
    let mut failed = 0;
    for id in &ids {
        let file = format!("{dir}/{id}.json");
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
        let lesson = Lesson::from_json(&text).map_err(|e| format!("{file}: {e}"))?;
        let scenario_file = scenarios.join(format!("{}.json", lesson.scenario));
        let scenario = std::fs::read_to_string(&scenario_file)
            .map_err(|e| format!("{file}: scenario {}: {e}", scenario_file.display()))?;
        match play(&lesson, &scenario) {
            Ok((reached, sim)) => {
                let steps: Vec<String> = reached
                    .iter()
                    .map(|ms| format!("{} s", *ms as f64 / 1000.0))
                    .collect();
                println!(
                    "ok   {id}: {} steps, reached at {}",
                    reached.len(),
                    steps.join(", ")
                );
                println!("     {}", summary(&lesson.summary.en, &sim.view()));
            }
            Err(error) => {
                failed += 1;
                println!("FAIL {id}: {error}");
            }
        }
    }
    if failed > 0 {
        return Err(format!("{failed} of {} lessons failed", ids.len()));
    }
    Ok(())
}

/// `bench --frames`: the page's work at 1×, natively. The core advances one 60 Hz frame at a time, keeps the
/// messages in flight for drawing, and its trace is read after each frame, as the page does. Prints the core's
/// time per frame, the figure the page publishes as `data-core-p95-ms`, so core changes can be weighed without
/// a browser.
fn bench_frames(mut sim: Simulation, sim_seconds: u64, time: &str) -> Result<(), String> {
    const FRAME_US: u64 = 16_667;
    println!("benchmark (frames): 6 brokers, 64 partitions RF 3, 10,000 records/s, 4 groups × 8 members; {time}; {sim_seconds} simulated s at 1×, 60 frames/s");
    // The first simulated seconds fill the pipelines; frames are counted after them, as in the browser benchmark.
    sim.advance_to(2_000_000);
    let mut cursor = sim.trace_end();
    let frames = sim_seconds * 1_000_000 / FRAME_US;
    let mut samples = Vec::with_capacity(frames as usize);
    let started = Instant::now();
    for _ in 0..frames {
        let frame_started = Instant::now();
        sim.advance_to(sim.now_us() + FRAME_US);
        samples.push(frame_started.elapsed().as_secs_f64() * 1000.0);
        let (events, next) = sim.events_since(cursor);
        cursor = next;
        std::hint::black_box(events);
    }
    let elapsed = started.elapsed().as_secs_f64();
    samples.sort_unstable_by(f64::total_cmp);
    let at = |q: usize| samples[(samples.len() * q / 100).min(samples.len() - 1)];
    println!("frames: {}", samples.len());
    println!(
        "core (advance_to) per frame: p50 {:.3} ms  p95 {:.3} ms  max {:.3} ms",
        at(50),
        at(95),
        samples.last().copied().unwrap_or(0.0)
    );
    println!(
        "events per simulated second: {:.0}",
        sim.events_processed as f64 / (sim.now_us() as f64 / 1e6)
    );
    println!("wall: {elapsed:.2} s");
    Ok(())
}

fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let bad = || {
        format!("--until: bad value {text:?}; allowed: a number with unit ms, s, m or h (e.g. 30s)")
    };
    let (number, factor) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 3_600_000)
    } else {
        (text, 1)
    };
    let value: u64 = number.trim().parse().map_err(|_| bad())?;
    value
        .checked_mul(factor)
        .filter(|ms| *ms <= 7 * 24 * 3_600_000)
        .ok_or_else(bad)
}

fn run(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut seed = None;
    let mut until_ms = None;
    let mut trace_path = None;
    let mut as_json = false;
    let mut index = 0;
    while index < args.len() {
        let value = |index: usize| {
            args.get(index + 1)
                .cloned()
                .ok_or_else(|| format!("{} needs a value", args[index]))
        };
        match args[index].as_str() {
            "--seed" => {
                let text = value(index)?;
                seed = Some(text.parse::<u64>().map_err(|_| {
                    format!(
                        "--seed: bad value {text:?}; allowed: an integer from 0 to {}",
                        u64::MAX
                    )
                })?);
                index += 1;
            }
            "--until" => {
                until_ms = Some(parse_duration_ms(&value(index)?)?);
                index += 1;
            }
            "--trace" => {
                trace_path = Some(value(index)?);
                index += 1;
            }
            "--json" => as_json = true,
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}"))
            }
            path if file.is_none() => file = Some(path.to_string()),
            extra => return Err(format!("unexpected argument {extra:?}\n{USAGE}")),
        }
        index += 1;
    }
    let file = file.ok_or_else(|| format!("run needs a scenario FILE\n{USAGE}"))?;
    let text =
        std::fs::read_to_string(&file).map_err(|error| format!("cannot read {file}: {error}"))?;
    let scenario = Scenario::from_json(&text).map_err(|error| format!("{file}: {error}"))?;
    let seed = seed.unwrap_or(scenario.scenario.seed);
    let until_us = until_ms.unwrap_or(scenario.scenario.duration_ms) * 1000;
    let mut sim = Simulation::new(scenario, seed);
    sim.set_record_flows(false);
    let mut trace = match &trace_path {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|error| format!("cannot write {path}: {error}"))?,
        )),
        None => None,
    };
    sim.set_record_events(trace.is_some());
    let mut cursor = 0;
    let mut t = 0;
    while t < until_us {
        t = (t + 100_000).min(until_us);
        sim.advance_to(t);
        if let Some(out) = trace.as_mut() {
            let (events, next) = sim.events_since(cursor);
            if !events.is_empty() && next - events.len() as u64 != cursor {
                return Err("the trace buffer overflowed; this is a bug".into());
            }
            for event in events {
                writeln!(out, "{}", event.to_json_line()).map_err(|error| error.to_string())?;
            }
            cursor = next;
        }
    }
    if let Some(mut out) = trace {
        out.flush().map_err(|error| error.to_string())?;
    }
    let view = sim.view();
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report::json(&view)).expect("serializes")
        );
    } else {
        print!("{}", report::text(&view));
    }
    Ok(())
}

/// The heavy benchmark scenario of the core issue (also an example the page can load).
const BENCH_SCENARIO: &str = include_str!("../public/scenarios/heavy-benchmark.json");

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn current_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `bench --seek`: time travel (`kafka_sim::travel`) as the page would run it. The scenario runs to the end
/// through `Travel` in 60 Hz slices (recording checkpoints, samples and marks), then 24 seeks to instants
/// spread over the run, back and forth, each timed: restore the nearest checkpoint, schedule the commands
/// it lacked, replay. Prints the checkpoints (how many, what they hold by `Simulation::approx_bytes`), the
/// resident memory, and the seek times.
fn bench_seek(
    mut sim: Simulation,
    sim_seconds: u64,
    time: &str,
    described: &str,
) -> Result<(), String> {
    use kafka_sim::travel::Travel;
    println!("benchmark (seek): {described}; {time}; {sim_seconds} simulated s, then 24 seeks");
    sim.set_trace_capacity(kafka_sim::budget::TRACE_EVENTS);
    let rss_before = current_rss_kib().unwrap_or(0);
    let mut travel = Travel::new(&sim);
    let end = sim_seconds * 1_000_000;
    let started = Instant::now();
    loop {
        let target = (sim.now_us() + 16_667).min(end);
        if travel.advance(&mut sim, target, u64::MAX) && target == end {
            break;
        }
    }
    println!(
        "run: {:.2} s of wall time; {} checkpoints at {:?} s; they hold about {:.1} MiB; resident memory {} KiB -> {} KiB",
        started.elapsed().as_secs_f64(),
        travel.checkpoint_count(),
        travel
            .checkpoint_times()
            .iter()
            .map(|t| t / 1_000_000)
            .collect::<Vec<_>>(),
        travel.checkpoint_bytes() as f64 / (1 << 20) as f64,
        rss_before,
        current_rss_kib().unwrap_or(0)
    );
    let mut times = Vec::new();
    for i in 0..24u64 {
        let at = ((i * 7919) % 24 * 2 + 1) * end / 48;
        let seek_started = Instant::now();
        travel.seek(&mut sim, at, |_| {});
        times.push(seek_started.elapsed().as_secs_f64() * 1000.0);
        if sim.now_us() != at {
            return Err(format!("a seek to {at} µs showed {} µs", sim.now_us()));
        }
    }
    times.sort_unstable_by(f64::total_cmp);
    println!(
        "seeks: p50 {:.1} ms  p95 {:.1} ms  max {:.1} ms",
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1]
    );
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    // `--frames` and `--seek` take no value; the other flags come in pairs.
    let frames = args.iter().any(|arg| arg == "--frames");
    let seek = args.iter().any(|arg| arg == "--seek");
    let args: Vec<String> = args
        .iter()
        .filter(|arg| *arg != "--frames" && *arg != "--seek")
        .cloned()
        .collect();
    let mut sim_seconds = 600u64;
    let mut quantum_ms = 0u64;
    let mut steps = 10u64;
    let mut file: Option<String> = None;
    let mut rate: Option<u32> = None;
    let mut processing_ms: Option<f64> = None;
    let mut rest = &args[..];
    while let [flag, value, tail @ ..] = rest {
        let number = |min: u64, max: u64| {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    format!("{flag}: bad value {value:?}; allowed: an integer from {min} to {max}")
                })
        };
        match flag.as_str() {
            "--sim-seconds" => sim_seconds = number(1, 7 * 24 * 3600)?,
            "--time-quantum-ms" => quantum_ms = number(0, MAX_TIME_QUANTUM_MS)?,
            "--steps" => steps = number(1, 1000)?,
            "--scenario" => file = Some(value.clone()),
            "--rate" => rate = Some(number(0, MAX_RATE_PER_SEC as u64)? as u32),
            "--processing-ms" => {
                processing_ms = Some(number(0, MAX_PROCESSING_MS_PER_RECORD as u64)? as f64)
            }
            _ => return Err(format!("unexpected argument {flag:?}\n{USAGE}")),
        }
        rest = tail;
    }
    if !rest.is_empty() {
        return Err(format!("unexpected arguments {rest:?}\n{USAGE}"));
    }
    let text = match &file {
        Some(path) => std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?,
        None => BENCH_SCENARIO.to_string(),
    };
    let mut spec: Scenario = serde_json::from_str(&text).map_err(|error| error.to_string())?;
    spec.time_quantum_ms = quantum_ms;
    // The sliders a learner pushes: every producer's rate, every group's processing time.
    for producer in &mut spec.producers {
        producer.rate_per_sec = rate.unwrap_or(producer.rate_per_sec);
    }
    for group in &mut spec.groups {
        group.processing_ms_per_record = processing_ms.unwrap_or(group.processing_ms_per_record);
    }
    let described = spec.name.clone().unwrap_or_else(|| "the scenario".into());
    let scenario = spec.validate().map_err(|error| error.to_string())?;
    let seed = if file.is_some() {
        scenario.scenario.seed
    } else {
        7
    };
    let mut sim = Simulation::new(scenario, seed);
    let time = if quantum_ms == 0 {
        "exact time".to_string()
    } else {
        format!("time quantum {quantum_ms} ms")
    };
    if frames {
        return bench_frames(sim, sim_seconds, &time);
    }
    if seek {
        return bench_seek(sim, sim_seconds, &time, &described);
    }
    sim.set_record_flows(false);
    // The trace the page holds (it reads it every frame); the bench reads none of it.
    sim.set_trace_capacity(kafka_sim::budget::TRACE_EVENTS);
    match (&file, rate, processing_ms) {
        (None, None, None) => println!("benchmark: 6 brokers, 64 partitions RF 3, 10,000 records/s, 4 groups × 8 members; {time}; {sim_seconds} simulated s"),
        _ => println!("benchmark: {described}; rate {}; processing {}; {time}; {sim_seconds} simulated s",
            rate.map_or("as in the file".to_string(), |rate| format!("{rate} records/s per producer")),
            processing_ms.map_or("as in the file".to_string(), |ms| format!("{ms} ms per record"))),
    }
    let started = Instant::now();
    let step_s = (sim_seconds / steps).max(1);
    let mut t = 0;
    while t < sim_seconds {
        let next = (t + step_s).min(sim_seconds);
        sim.advance_to(next * 1_000_000);
        t = next;
        let elapsed = started.elapsed().as_secs_f64();
        let held: Vec<String> = sim
            .footprint()
            .iter()
            .map(|(name, count)| format!("{name} {count}"))
            .collect();
        println!(
            "  t = {:>6} s  wall {:>7.2} s  {:>8.0}× real time  events {:>10}  RSS {:>7} KiB  ({})",
            t,
            elapsed,
            t as f64 / elapsed.max(1e-9),
            sim.events_processed,
            current_rss_kib().unwrap_or(0),
            held.join(", ")
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    let view = sim.view();
    let acknowledged: u64 = view.producers.iter().map(|p| p.records_acknowledged).sum();
    let processed: u64 = view
        .groups
        .iter()
        .map(|g| g.delivery.processed_once + g.delivery.duplicated)
        .sum();
    println!(
        "simulated seconds per wall second: {:.0}",
        sim_seconds as f64 / elapsed
    );
    println!(
        "events per wall second: {:.0}",
        sim.events_processed as f64 / elapsed
    );
    println!("records acknowledged: {acknowledged}; records processed (all groups): {processed}");
    println!("peak memory (VmHWM): {} KiB", peak_rss_kib().unwrap_or(0));
    // A snapshot (issue 12): how long taking one and restoring it take at the end of the run.
    let taken = std::time::Instant::now();
    let snapshot = sim.snapshot();
    let snapshot_ms = taken.elapsed().as_secs_f64() * 1e3;
    let restored = std::time::Instant::now();
    sim.restore(&snapshot);
    let restore_ms = restored.elapsed().as_secs_f64() * 1e3;
    println!("snapshot: taken in {snapshot_ms:.2} ms, restored in {restore_ms:.2} ms");
    Ok(())
}
