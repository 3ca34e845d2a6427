//! What only an observer of the run knows, kept apart from the nodes' state: per group and partition,
//! which records that reached the high watermark were processed once, more than once, skipped (missed),
//! or not reached yet (pending), and the records' end-to-end latency (`GroupLedger`); what became of each
//! produce request (`ProduceLedger`). Nodes report to it; no node reads it.

use super::ids::{ProducerIx, ProducerRequestId, Tp};
use super::log::{BatchData, BatchFacts, ACKNOWLEDGED, LOST};
use super::sort;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    pub processed_once: u64,
    pub duplicated: u64,
    pub missed: u64,
    pub pending: u64,
}

impl std::ops::AddAssign for DeliveryCounts {
    fn add_assign(&mut self, other: Self) {
        self.processed_once += other.processed_once;
        self.duplicated += other.duplicated;
        self.missed += other.missed;
        self.pending += other.pending;
    }
}

/// Processed offsets of one partition for one group, as sorted disjoint intervals `[start, end)` with a
/// processing count (1, or 2 meaning "more than once"). Offsets below `tracked_from` are settled.
#[derive(Clone, Debug, Default)]
pub struct Delivery {
    tracked_from: u64,
    intervals: Vec<(u64, u64, u8)>,
    /// The group moved past everything below this (committed or processed).
    frontier: u64,
    settled: DeliveryCounts,
}

impl Delivery {
    pub fn starting_at(offset: u64) -> Self {
        Delivery {
            tracked_from: offset,
            frontier: offset,
            ..Default::default()
        }
    }

    pub fn mark_processed(&mut self, first: u64, end: u64) {
        let first = first.max(self.tracked_from);
        if first >= end {
            return;
        }
        self.frontier = self.frontier.max(end);
        // The common case: the range follows everything processed so far (a consumer reading in order).
        if self.intervals.last().is_none_or(|last| last.1 <= first) {
            match self.intervals.last_mut() {
                Some(last) if last.1 == first && last.2 == 1 => last.1 = end,
                _ => self.intervals.push((first, end, 1)),
            }
            return;
        }
        let mut result = Vec::with_capacity(self.intervals.len() + 2);
        let mut cursor = first;
        for &(start, stop, count) in &self.intervals {
            if stop <= first || start >= end {
                result.push((start, stop, count));
                continue;
            }
            if start < first {
                result.push((start, first, count));
            }
            if cursor < start {
                result.push((cursor, start, 1));
            }
            let overlap_start = start.max(first);
            let overlap_end = stop.min(end);
            result.push((overlap_start, overlap_end, 2));
            cursor = overlap_end;
            if stop > end {
                result.push((end, stop, count));
            }
        }
        if cursor < end {
            result.push((cursor, end, 1));
        }
        sort::sort_by_key(&mut result, |interval| interval.0);
        // Merge neighbours with the same count.
        let mut merged: Vec<(u64, u64, u8)> = Vec::with_capacity(result.len());
        for interval in result {
            match merged.last_mut() {
                Some(last) if last.1 == interval.0 && last.2 == interval.2 => last.1 = interval.1,
                _ => merged.push(interval),
            }
        }
        self.intervals = merged;
    }

    /// How many of the offsets `[first, end)` were processed already (those below `tracked_from`, settled,
    /// are not counted).
    pub fn processed_within(&self, first: u64, end: u64) -> u64 {
        let first = first.max(self.tracked_from);
        self.intervals
            .iter()
            .map(|&(start, stop, _)| stop.min(end).saturating_sub(start.max(first)))
            .sum()
    }

    pub fn interval_count(&self) -> usize {
        self.intervals.len()
    }

    pub fn committed(&mut self, offset: u64) {
        self.frontier = self.frontier.max(offset);
    }

    /// Offsets below `offset` can no longer be processed (retention deleted them): settle them.
    pub fn settle_below(&mut self, offset: u64) {
        if offset <= self.tracked_from {
            return;
        }
        let counts = self.count_range(self.tracked_from, offset, offset);
        self.settled.processed_once += counts.processed_once;
        self.settled.duplicated += counts.duplicated;
        self.settled.missed += counts.missed + counts.pending;
        self.intervals.retain_mut(|interval| {
            interval.0 = interval.0.max(offset);
            interval.0 < interval.1
        });
        self.tracked_from = offset;
        self.frontier = self.frontier.max(offset);
    }

    /// Records `[first, end)` vanished from the log (lost in an election): unprocessed ones are missed, and
    /// the offsets may be reused by other records.
    pub fn lose_range(&mut self, first: u64, end: u64) {
        let first = first.max(self.tracked_from);
        if first >= end {
            return;
        }
        let counts = self.count_range(first, end, end);
        self.settled.processed_once += counts.processed_once;
        self.settled.duplicated += counts.duplicated;
        self.settled.missed += counts.missed + counts.pending;
        // Offsets from `first` on will be written again by other records: only what lies below stays.
        self.intervals.retain_mut(|interval| {
            interval.1 = interval.1.min(first);
            interval.0 < interval.1
        });
        self.frontier = self.frontier.min(first).max(self.tracked_from);
    }

    fn count_range(&self, from: u64, to: u64, frontier: u64) -> DeliveryCounts {
        let mut counts = DeliveryCounts::default();
        if from >= to {
            return counts;
        }
        let mut processed_below_frontier = 0;
        let mut processed = 0;
        for &(start, stop, count) in &self.intervals {
            let (a, b) = (start.max(from), stop.min(to));
            if a >= b {
                continue;
            }
            let length = b - a;
            processed += length;
            if count >= 2 {
                counts.duplicated += length;
            } else {
                counts.processed_once += length;
            }
            let below = b.min(frontier).saturating_sub(a);
            processed_below_frontier += below;
        }
        let frontier = frontier.clamp(from, to);
        let below_frontier = frontier - from;
        counts.missed = below_frontier - processed_below_frontier;
        counts.pending = (to - from) - processed - counts.missed;
        counts
    }

    /// Counts for every tracked record below the high watermark.
    pub fn report(&self, high_watermark: u64) -> DeliveryCounts {
        let mut counts = self.count_range(
            self.tracked_from,
            high_watermark.max(self.tracked_from),
            self.frontier,
        );
        counts += self.settled;
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a per-offset model: after any mix of in-order and overlapping ranges, the intervals count
    /// each offset as the model does, and stay sorted, disjoint and merged.
    #[test]
    fn intervals_match_a_per_offset_model() {
        let mut state = 7u64;
        let mut next = |bound: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % bound
        };
        for _ in 0..200 {
            let mut delivery = Delivery::starting_at(0);
            let mut model = [0u8; 120];
            let mut cursor = 0;
            for _ in 0..30 {
                // Mostly in order (the fast path), sometimes back over processed offsets (a rewind).
                let first = if next(4) == 0 { next(100) } else { cursor };
                let end = (first + 1 + next(12)).min(120);
                delivery.mark_processed(first, end);
                for count in &mut model[first as usize..end as usize] {
                    *count = (*count + 1).min(2);
                }
                cursor = cursor.max(end) % 110;
                let intervals = &delivery.intervals;
                for pair in intervals.windows(2) {
                    assert!(pair[0].1 <= pair[1].0, "sorted and disjoint: {intervals:?}");
                    assert!(
                        pair[0].1 < pair[1].0 || pair[0].2 != pair[1].2,
                        "merged: {intervals:?}"
                    );
                }
                for (offset, expected) in model.iter().enumerate() {
                    let offset = offset as u64;
                    let count = intervals
                        .iter()
                        .find(|(start, stop, _)| *start <= offset && offset < *stop)
                        .map_or(0, |interval| interval.2);
                    assert_eq!(count, *expected, "offset {offset} in {intervals:?}");
                }
            }
        }
    }

    #[test]
    fn once_then_duplicates_then_pending() {
        let mut delivery = Delivery::starting_at(0);
        delivery.mark_processed(0, 10);
        delivery.mark_processed(5, 15);
        let counts = delivery.report(20);
        assert_eq!(
            counts,
            DeliveryCounts {
                processed_once: 10,
                duplicated: 5,
                missed: 0,
                pending: 5
            }
        );
    }

    #[test]
    fn commit_ahead_of_processing_misses_records() {
        let mut delivery = Delivery::starting_at(0);
        delivery.mark_processed(0, 4);
        delivery.committed(10);
        let counts = delivery.report(12);
        assert_eq!(
            counts,
            DeliveryCounts {
                processed_once: 4,
                duplicated: 0,
                missed: 6,
                pending: 2
            }
        );
    }

    #[test]
    fn retention_settles_unprocessed_records_as_missed() {
        let mut delivery = Delivery::starting_at(0);
        delivery.mark_processed(0, 3);
        delivery.settle_below(8);
        assert_eq!(
            delivery.report(10),
            DeliveryCounts {
                processed_once: 3,
                duplicated: 0,
                missed: 5,
                pending: 2
            }
        );
    }

    #[test]
    fn lost_records_count_once_and_offsets_are_reused() {
        let mut delivery = Delivery::starting_at(0);
        delivery.mark_processed(0, 5);
        delivery.lose_range(5, 8);
        assert_eq!(
            delivery.report(5),
            DeliveryCounts {
                processed_once: 5,
                duplicated: 0,
                missed: 3,
                pending: 0
            }
        );
        delivery.mark_processed(5, 7);
        assert_eq!(delivery.report(7).processed_once, 7);
    }
}

/// What the observer knows of produce requests and no node does: the batch each request became in a
/// leader's log, kept until the producer hears its answer. It tells whether a record acknowledged to the
/// application was lost later, whether a retry without idempotence wrote its batch a second time, and
/// which batches a log must keep in detail (`detail_floor`). Brokers and producers report to it; no node
/// reads another through it.
#[derive(Clone, Debug, Default)]
pub struct ProduceLedger {
    /// Per producer: (request id, partition, the batch its last append made), by request id. Few at a
    /// time (the batches waiting for their answer), and a producer's new requests come last.
    appended: Vec<VecDeque<(ProducerRequestId, Tp, Rc<BatchData>)>>,
    /// Per producer: records acknowledged to the application that the cluster later lost.
    acknowledged_lost: Vec<u64>,
    /// Per producer: records a retry appended a second time (its first attempt was appended too).
    written_twice: Vec<u64>,
    /// Offset ranges `[first, end)` of batches a retry wrote a second time (no idempotence), by
    /// partition, oldest first; pruned below the log start and above where an election cut the log.
    twice_ranges: Vec<(Tp, u64, u64)>,
}

impl ProduceLedger {
    pub(crate) fn add_producer(&mut self) {
        self.appended.push(VecDeque::new());
        self.acknowledged_lost.push(0);
        self.written_twice.push(0);
    }

    /// A leader appended (or found, as a duplicate) the batch of a producer's request.
    pub(crate) fn appended(
        &mut self,
        producer: ProducerIx,
        request: ProducerRequestId,
        tp: Tp,
        batch: Rc<BatchData>,
    ) {
        let appended = &mut self.appended[producer.index()];
        match Self::find(appended, request) {
            Ok(index) => appended[index].2 = batch,
            Err(index) => appended.insert(index, (request, tp, batch)),
        }
    }

    #[inline(always)]
    fn find(
        appended: &VecDeque<(ProducerRequestId, Tp, Rc<BatchData>)>,
        request: ProducerRequestId,
    ) -> Result<usize, usize> {
        // Most lookups are for the newest request (an append) or one of the oldest (an answer, taken from
        // the front without moving the rest).
        match appended.back() {
            Some(last) if last.0 < request => Err(appended.len()),
            _ => appended.binary_search_by_key(&request, |entry| entry.0),
        }
    }

    fn take(&mut self, producer: ProducerIx, request: ProducerRequestId) -> Option<Rc<BatchData>> {
        let appended = &mut self.appended[producer.index()];
        let index = Self::find(appended, request).ok()?;
        Some(appended.remove(index).expect("found").2)
    }

    /// The batch a request's earlier attempt made, unless it was lost since.
    pub(crate) fn appended_before(
        &self,
        producer: ProducerIx,
        request: ProducerRequestId,
        facts: &BatchFacts,
    ) -> Option<&Rc<BatchData>> {
        let appended = &self.appended[producer.index()];
        Self::find(appended, request)
            .ok()
            .map(|index| &appended[index].2)
            .filter(|batch| !facts.has(batch, LOST))
    }

    /// The application heard that the request succeeded: its batch is acknowledged (and if the cluster
    /// has lost it already, those records count as acknowledged and lost).
    pub(crate) fn acknowledged(
        &mut self,
        producer: ProducerIx,
        request: ProducerRequestId,
        facts: &mut BatchFacts,
    ) {
        if let Some(batch) = self.take(producer, request) {
            if facts.add(&batch, ACKNOWLEDGED) & LOST != 0 {
                self.acknowledged_lost[producer.index()] += batch.records as u64;
            }
        }
    }

    /// The producer gave up on a request (its callback got an error).
    pub(crate) fn forget(&mut self, producer: ProducerIx, request: ProducerRequestId) {
        self.take(producer, request);
    }

    pub(crate) fn add_acknowledged_lost(&mut self, producer: ProducerIx, records: u64) {
        self.acknowledged_lost[producer.index()] += records;
    }

    /// A retry of `producer` appended `[first, end)` of `tp` a second time.
    pub(crate) fn add_written_twice(&mut self, producer: ProducerIx, tp: Tp, first: u64, end: u64) {
        self.written_twice[producer.index()] += end - first;
        self.twice_ranges.push((tp, first, end));
    }

    /// How many of the records `[first, end)` of `tp` are a second copy.
    pub(crate) fn twice_within(&self, tp: Tp, first: u64, end: u64) -> u64 {
        self.twice_ranges
            .iter()
            .filter(|(at, _, _)| *at == tp)
            .map(|(_, a, b)| (*b).min(end).saturating_sub((*a).max(first)))
            .sum()
    }

    /// `tp`'s log starts at `log_start` now: copies below it are gone.
    pub(crate) fn twice_below_gone(&mut self, tp: Tp, log_start: u64) {
        self.twice_ranges
            .retain(|(at, _, end)| *at != tp || *end > log_start);
    }

    /// An election cut `tp`'s log at `lost_from`: those offsets will hold other records.
    pub(crate) fn twice_above_gone(&mut self, tp: Tp, lost_from: u64) {
        self.twice_ranges
            .retain(|(at, _, end)| *at != tp || *end <= lost_from);
    }

    pub fn acknowledged_lost(&self, producer: ProducerIx) -> u64 {
        self.acknowledged_lost[producer.index()]
    }

    pub fn written_twice(&self, producer: ProducerIx) -> u64 {
        self.written_twice[producer.index()]
    }

    /// The lowest base offset of a batch appended to `tp` whose producer still waits for its answer.
    pub(crate) fn lowest_unanswered(&self, tp: Tp) -> Option<u64> {
        self.appended
            .iter()
            .flatten()
            .filter(|entry| entry.1 == tp)
            .map(|entry| entry.2.base_offset)
            .min()
    }
}

/// What the observer knows of one group's processing and no node does: per partition, which records were
/// processed how often (`Delivery`); the end-to-end latency of the records processed; and how many of them
/// were a producer's second copy. The group's members report the records they processed
/// (`Member::processed`); the engine accounts them here.
#[derive(Clone, Debug, Default)]
pub struct GroupLedger {
    pub(crate) delivery: BTreeMap<Tp, Delivery>,
    /// End-to-end latency (record created by the producer → processed), summed over processed records.
    pub latency_sum_us: u64,
    pub latency_records: u64,
    /// Records processed that were a producer's second copy (a retry without idempotence).
    pub producer_duplicates_processed: u64,
}

impl GroupLedger {
    /// Starts counting `tp` from `high_watermark` (records below were there before the group read it).
    pub(crate) fn track(&mut self, tp: Tp, high_watermark: u64) {
        self.delivery
            .entry(tp)
            .or_insert_with(|| Delivery::starting_at(high_watermark));
    }
}
