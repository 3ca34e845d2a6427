//! The world around Kafka that the teaching material compares it with: what consumer groups write to
//! (sinks, with a capacity and a way of keeping duplicates from taking effect twice), and the synchronous
//! alternative to a producer (`Baseline`: the same requests as if the service called its downstream
//! services one after another). Both are part of the deterministic run and use no randomness, so a
//! scenario without them runs exactly as before.
//!
//! The baseline is a counterfactual measured beside the Kafka path: its calls queue at a sink of their
//! own with the sink's capacity, so the two paths do not take capacity from each other.

use super::ids::Micros;
use super::scenario::{Idempotence, SinkSpec, SyncBaselineSpec};
use serde::Serialize;

/// Response times, counted in buckets of 1/32 of a power of two of microseconds (about 3%): bounded
/// memory at any rate, and quantiles that do not depend on the order of the samples.
#[derive(Clone, Debug, Default)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Histogram {
    fn bucket(us: u64) -> usize {
        if us < 32 {
            return us as usize;
        }
        let exponent = 63 - us.leading_zeros() as usize;
        32 + (exponent - 5) * 32 + ((us >> (exponent - 5)) & 31) as usize
    }

    fn lower(bucket: usize) -> u64 {
        if bucket < 32 {
            return bucket as u64;
        }
        let exponent = (bucket - 32) / 32 + 5;
        (32 + ((bucket - 32) % 32) as u64) << (exponent - 5)
    }

    /// `n` samples of `us`.
    pub fn add(&mut self, us: u64, n: u64) {
        if n == 0 {
            return;
        }
        let bucket = Self::bucket(us);
        if self.counts.len() <= bucket {
            self.counts.resize(bucket + 1, 0);
        }
        self.counts[bucket] += n;
        self.total += n;
    }

    /// `n` samples spread evenly from `low` to `high` (the records of one batch, created one after
    /// another and answered together), at up to 8 points.
    pub fn add_spread(&mut self, low: u64, high: u64, n: u64) {
        let (low, high) = (low.min(high), low.max(high));
        let points = n.min(8);
        for point in 0..points {
            let share = n / points + u64::from(point < n % points);
            let at = if points == 1 {
                low + (high - low) / 2
            } else {
                low + (high - low) * point / (points - 1)
            };
            self.add(at, share);
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// The `permille`/1000 quantile in microseconds (the middle of its bucket); `None` without samples.
    pub fn quantile_us(&self, permille: u64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = (self.total * permille).div_ceil(1000).max(1);
        let mut seen = 0;
        for (bucket, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                let (low, high) = (Self::lower(bucket), Self::lower(bucket + 1));
                return Some(low + (high - low) / 2);
            }
        }
        None
    }
}

/// The synchronous path's requests: how long they took to answer the user, how many failed.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    pub times: Histogram,
    pub failed: u64,
    pub total: u64,
}

/// `Requests` as the CLI's `--json` and the views report them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RequestsReport {
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub failed: u64,
    pub total: u64,
    /// Work lost: on the synchronous path, a failed request (the order and what it would have caused did
    /// not happen); on the Kafka path, records acknowledged and later lost by the cluster.
    pub lost: u64,
}

impl Requests {
    /// A failed synchronous request is work lost.
    pub fn report(&self) -> RequestsReport {
        RequestsReport::of(&self.times, self.failed, self.total, self.failed)
    }
}

impl RequestsReport {
    pub fn of(times: &Histogram, failed: u64, total: u64, lost: u64) -> Self {
        let ms = |permille| times.quantile_us(permille).map(|us| us as f64 / 1000.0);
        RequestsReport {
            p50_ms: ms(500),
            p99_ms: ms(990),
            failed,
            total,
            lost,
        }
    }
}

/// A sink's queue of writes: the next write starts when the previous one ends, each taking
/// 1 / `capacity_per_sec` of a second.
#[derive(Clone, Debug, Default)]
struct WriteQueue {
    busy_until_ns: u64,
}

impl WriteQueue {
    /// When `writes` writes asked for at `now` are done.
    fn reserve(&mut self, capacity_per_sec: u32, now: Micros, writes: u64) -> Micros {
        let start = self.busy_until_ns.max(now * 1000);
        self.busy_until_ns = start + (writes * 1_000_000_000).div_ceil(capacity_per_sec as u64);
        self.busy_until_ns.div_ceil(1000)
    }

    /// When a write asked for at `now` would start.
    fn start(&self, now: Micros) -> Micros {
        self.busy_until_ns.div_ceil(1000).max(now)
    }
}

#[derive(Clone, Debug)]
pub struct Sink {
    pub id: String,
    pub capacity_per_sec: u32,
    /// The consumer groups' writes (the Kafka path).
    queue: WriteQueue,
    /// The synchronous baselines' writes.
    baseline_queue: WriteQueue,
    /// Writes so far on the Kafka path, applied or refused as duplicates.
    pub writes: u64,
}

impl Sink {
    /// How long a write of the Kafka path asked for at `now` would wait.
    pub fn wait_us(&self, now: Micros) -> Micros {
        self.queue.start(now) - now
    }
}

/// What a group's processing did to its sink, per record processed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Effects {
    /// Records applied (a duplicate without idempotence is applied again, and counted again).
    pub effects: u64,
    /// Records applied again: processed a second time (after a crash before the commit, a rebalance), or
    /// a producer's second copy of a record.
    pub duplicate_effects: u64,
    /// Duplicates the group's idempotence kept from taking effect.
    pub rejected_duplicates: u64,
}

#[derive(Clone, Debug)]
pub struct GroupSink {
    pub sink: usize,
    pub idempotence: Idempotence,
    pub effects: Effects,
}

#[derive(Clone, Debug)]
struct Call {
    service: String,
    us: Micros,
    sink: Option<usize>,
}

/// A producer's synchronous alternative (`ProducerSpec::sync_baseline`).
#[derive(Clone, Debug)]
pub struct Baseline {
    calls: Vec<Call>,
    timeout_us: Micros,
    pub requests: Requests,
}

#[derive(Clone, Debug, Default)]
pub struct World {
    pub sinks: Vec<Sink>,
    /// By group index.
    pub groups: Vec<Option<GroupSink>>,
    /// By producer index.
    pub baselines: Vec<Option<Baseline>>,
    /// The baselines' services that are down (`crash_service`).
    pub services_down: Vec<String>,
    /// The members a service's outage crashed, (group, member), which `restart_service` restarts.
    pub crashed_by_service: Vec<(usize, usize)>,
}

impl World {
    /// A group's sink (a new group at the next index): the sink of that id, added if new.
    pub(crate) fn add_group(&mut self, sink: Option<&SinkSpec>) {
        let group_sink = sink.map(|spec| GroupSink {
            sink: self.sink_index(spec.id.as_str(), spec.capacity_per_sec),
            idempotence: spec.idempotence,
            effects: Effects::default(),
        });
        self.groups.push(group_sink);
    }

    fn sink_index(&mut self, id: &str, capacity_per_sec: u32) -> usize {
        if let Some(index) = self.sinks.iter().position(|sink| sink.id == id) {
            return index;
        }
        self.sinks.push(Sink {
            id: id.to_string(),
            capacity_per_sec,
            queue: WriteQueue::default(),
            baseline_queue: WriteQueue::default(),
            writes: 0,
        });
        self.sinks.len() - 1
    }

    /// A producer's baseline (a new producer at the next index). Its calls' sinks are the groups'.
    pub(crate) fn add_producer(&mut self, baseline: Option<&SyncBaselineSpec>) {
        let baseline = baseline.map(|spec| Baseline {
            calls: spec
                .calls
                .iter()
                .map(|call| Call {
                    service: call.service.clone(),
                    us: call.ms * 1000,
                    sink: call
                        .sink
                        .as_deref()
                        .and_then(|id| self.sinks.iter().position(|sink| sink.id == id)),
                })
                .collect(),
            timeout_us: spec.timeout_ms * 1000,
            requests: Requests::default(),
        });
        self.baselines.push(baseline);
    }

    /// A member of group `group` starts processing `records` at `now`, done by `done` on its own: when
    /// the group's sink has written them (each record is one write), if later.
    pub(crate) fn processing_done(
        &mut self,
        group: usize,
        now: Micros,
        records: u64,
        done: Micros,
    ) -> Micros {
        let Some(Some(group_sink)) = self.groups.get(group) else {
            return done;
        };
        let sink = &mut self.sinks[group_sink.sink];
        sink.writes += records;
        sink.queue
            .reserve(sink.capacity_per_sec, now, records)
            .max(done)
    }

    /// Group `group` processed `records` records, `duplicates` of them already processed before (or a
    /// producer's second copy).
    pub(crate) fn processed(&mut self, group: usize, records: u64, duplicates: u64) {
        let Some(Some(group_sink)) = self.groups.get_mut(group) else {
            return;
        };
        let effects = &mut group_sink.effects;
        if group_sink.idempotence == Idempotence::None {
            effects.effects += records;
            effects.duplicate_effects += duplicates;
        } else {
            effects.effects += records - duplicates;
            effects.rejected_duplicates += duplicates;
        }
    }

    /// Producer `producer`'s request created at `created` (one record), as the synchronous path would
    /// have served it: each call in turn, waiting at a busy sink; failed if a service is down or the
    /// calls would take longer than the timeout (the caller gives up; a call it gave up on is not
    /// served).
    pub(crate) fn sync_request(&mut self, producer: usize, created: Micros) {
        let World {
            sinks,
            baselines,
            services_down,
            ..
        } = self;
        let Some(Some(baseline)) = baselines.get_mut(producer) else {
            return;
        };
        let requests = &mut baseline.requests;
        requests.total += 1;
        let mut at = created;
        for call in &baseline.calls {
            let start = call
                .sink
                .map_or(at, |sink| sinks[sink].baseline_queue.start(at));
            let fails = services_down.contains(&call.service)
                || start + call.us - created > baseline.timeout_us;
            if fails {
                requests.failed += 1;
                return;
            }
            if let Some(sink) = call.sink {
                let sink = &mut sinks[sink];
                sink.baseline_queue.reserve(sink.capacity_per_sec, at, 1);
            }
            at = start + call.us;
        }
        requests.times.add(at - created, 1);
    }

    /// Producer `producer`'s baseline calls: (service, ms, down).
    pub fn calls(&self, producer: usize) -> Vec<(String, u64, bool)> {
        let Some(Some(baseline)) = self.baselines.get(producer) else {
            return Vec::new();
        };
        baseline
            .calls
            .iter()
            .map(|call| {
                let down = self.services_down.contains(&call.service);
                (call.service.clone(), call.us / 1000, down)
            })
            .collect()
    }

    /// Takes `service` down in every baseline, or brings it back.
    pub(crate) fn set_service(&mut self, service: &str, down: bool) {
        let listed = self.services_down.iter().position(|s| s == service);
        match (down, listed) {
            (true, None) => self.services_down.push(service.to_string()),
            (false, Some(index)) => {
                self.services_down.remove(index);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order() {
        let mut previous = 0;
        for us in [
            0,
            1,
            31,
            32,
            33,
            63,
            64,
            65,
            100,
            1_000,
            300_000,
            1 << 40,
            u64::MAX / 2,
        ] {
            let bucket = Histogram::bucket(us);
            assert!(bucket >= previous, "{us}");
            assert!(Histogram::lower(bucket) <= us, "{us}");
            assert!(us < Histogram::lower(bucket + 1), "{us}");
            // Within about 3% of the value.
            assert!(
                (us - Histogram::lower(bucket)) as f64 <= us as f64 / 32.0 + 1.0,
                "{us}"
            );
            previous = bucket;
        }
    }

    #[test]
    fn quantiles() {
        let mut h = Histogram::default();
        assert_eq!(h.quantile_us(500), None);
        for us in 1..=1000u64 {
            h.add(us * 1000, 1);
        }
        let p50 = h.quantile_us(500).unwrap() as f64;
        let p99 = h.quantile_us(990).unwrap() as f64;
        assert!((p50 / 500_000.0 - 1.0).abs() < 0.04, "{p50}");
        assert!((p99 / 990_000.0 - 1.0).abs() < 0.04, "{p99}");
        let mut spread = Histogram::default();
        spread.add_spread(1_000, 9_000, 100);
        assert_eq!(spread.total(), 100);
        let p50 = spread.quantile_us(500).unwrap() as f64;
        assert!((4_000.0..6_000.0).contains(&p50), "{p50}");
    }

    #[test]
    fn a_sink_serves_its_capacity_a_second() {
        let mut queue = WriteQueue::default();
        // 10,000 writes at 5,000 a second, asked for at once: done after 2 s.
        assert_eq!(queue.reserve(5_000, 0, 10_000), 2_000_000);
        // The next write waits for them.
        assert_eq!(queue.start(1_000_000), 2_000_000);
        assert_eq!(queue.reserve(5_000, 3_000_000, 1), 3_000_200);
    }
}
