//! A replica's log: record batches by offset, segments for retention, and the idempotent producer state
//! rebuilt from the batches. Batch data is shared (`Rc`) between the replicas that copied it, so a batch
//! is the same object wherever it went: that is how divergence and loss are found exactly.

use std::cell::Cell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use super::keys::KeyRun;

pub type Micros = u64;

/// Records written together by one produce request (immutable once appended).
#[derive(Debug)]
pub struct BatchData {
    pub base_offset: u64,
    pub records: u32,
    pub bytes: u64,
    pub producer: u32,
    /// Idempotent producer id and epoch; `None` without idempotence.
    pub producer_id: Option<(u64, u32)>,
    pub base_sequence: u32,
    pub leader_epoch: u32,
    /// The first record's position in its producer's key cycle (`keys`); `None` for null keys.
    pub keys: Option<KeyRun>,
    /// When the producer created the first record (for end-to-end latency).
    pub created_us: Micros,
    pub append_us: Micros,
    /// The producer received a successful acknowledgement for this batch.
    pub acknowledged: Cell<bool>,
    /// The batch was below the partition's high watermark at some point (consumers could read it).
    pub reached_high_watermark: Cell<bool>,
    /// The cluster lost this batch (truncated away by an election); counted once.
    pub lost: Cell<bool>,
}

impl BatchData {
    pub fn end_offset(&self) -> u64 {
        self.base_offset + self.records as u64
    }
}

#[derive(Clone, Debug)]
struct Segment {
    base_offset: u64,
    bytes: u64,
    created_us: Micros,
    last_append_us: Micros,
}

/// Idempotence: the last five batches of each producer id (`ProducerStateEntry.NUM_BATCHES_TO_RETAIN`).
pub const BATCHES_TO_RETAIN: usize = 5;

#[derive(Clone, Debug, Default)]
pub struct ReplicaLog {
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    batches: VecDeque<Rc<BatchData>>,
    /// Each batch's end offset, beside `batches`: readers search these inline numbers instead of
    /// following a pointer per probe.
    ends: VecDeque<u64>,
    segments: VecDeque<Segment>,
    pub size_bytes: u64,
    producer_state: BTreeMap<u64, VecDeque<Rc<BatchData>>>,
}

pub enum SequenceCheck {
    /// Append it.
    InOrder,
    /// Already in the log: answer with this batch's offsets.
    Duplicate(Rc<BatchData>),
    /// A gap: `OutOfOrderSequenceException` (the producer retries in order).
    OutOfOrder,
}

impl ReplicaLog {
    pub fn batches(&self) -> impl DoubleEndedIterator<Item = &Rc<BatchData>> {
        self.batches.iter()
    }

    pub fn batch_count(&self) -> usize {
        self.batches.len()
    }

    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Batches at or after `offset`, as many as fit in `max_bytes` (at least one when there is one).
    /// The index of the first batch ending after `offset`. Readers (followers, consumers, latency) nearly
    /// always ask for offsets near the log end, so the last few batches are looked at before a binary search
    /// over the whole log (whose batches are behind pointers: each probe is a cache miss).
    fn first_ending_after(&self, offset: u64) -> usize {
        let len = self.ends.len();
        for back in 1..=8.min(len) {
            let index = len - back;
            if self.ends[index] <= offset {
                return index + 1;
            }
        }
        self.ends.partition_point(|end| *end <= offset)
    }

    pub fn read_from(&self, offset: u64, max_bytes: u64) -> Vec<Rc<BatchData>> {
        if offset >= self.log_end_offset {
            return Vec::new();
        }
        let start = self.first_ending_after(offset);
        let mut out = Vec::new();
        let mut bytes = 0;
        for batch in self.batches.range(start..) {
            if !out.is_empty() && bytes + batch.bytes > max_bytes {
                break;
            }
            bytes += batch.bytes;
            out.push(batch.clone());
        }
        out
    }

    /// The batch holding `offset`, if the log still has it.
    pub fn batch_containing(&self, offset: u64) -> Option<&Rc<BatchData>> {
        let index = self.first_ending_after(offset);
        self.batches
            .get(index)
            .filter(|batch| batch.base_offset <= offset)
    }

    /// The batch that starts exactly at `base_offset`.
    pub fn batch_at(&self, base_offset: u64) -> Option<&Rc<BatchData>> {
        let index = self.first_ending_after(base_offset);
        self.batches
            .get(index)
            .filter(|batch| batch.base_offset == base_offset)
    }

    pub fn check_sequence(
        &self,
        producer_id: u64,
        epoch: u32,
        base_sequence: u32,
        records: u32,
    ) -> SequenceCheck {
        let Some(retained) = self.producer_state.get(&producer_id) else {
            return if base_sequence == 0 {
                SequenceCheck::InOrder
            } else {
                SequenceCheck::OutOfOrder
            };
        };
        if let Some(duplicate) = retained.iter().find(|batch| {
            batch.producer_id.map(|(_, e)| e) == Some(epoch)
                && batch.base_sequence == base_sequence
                && batch.records == records
        }) {
            return SequenceCheck::Duplicate(duplicate.clone());
        }
        match retained.back() {
            Some(last) if last.base_sequence + last.records == base_sequence => {
                SequenceCheck::InOrder
            }
            Some(_) => SequenceCheck::OutOfOrder,
            None => SequenceCheck::InOrder,
        }
    }

    /// Appends a batch whose `base_offset` is this log's end offset; rolls a segment when the active one
    /// would exceed `segment_bytes` or is older than `segment_ms`.
    pub fn append(
        &mut self,
        batch: Rc<BatchData>,
        now: Micros,
        segment_bytes: u64,
        segment_us: u64,
    ) {
        assert_eq!(
            batch.base_offset, self.log_end_offset,
            "a batch is appended at the log end offset"
        );
        let roll = match self.segments.back() {
            None => true,
            Some(active) => {
                active.bytes + batch.bytes > segment_bytes && active.bytes > 0
                    || now.saturating_sub(active.created_us) >= segment_us
            }
        };
        if roll {
            self.roll(now);
        }
        let active = self.segments.back_mut().expect("a segment exists");
        active.bytes += batch.bytes;
        active.last_append_us = now;
        self.size_bytes += batch.bytes;
        self.log_end_offset = batch.end_offset();
        if let Some((producer_id, _)) = batch.producer_id {
            let retained = self.producer_state.entry(producer_id).or_default();
            retained.push_back(batch.clone());
            if retained.len() > BATCHES_TO_RETAIN {
                retained.pop_front();
            }
        }
        self.ends.push_back(batch.end_offset());
        self.batches.push_back(batch);
    }

    /// Removes everything at or after `offset`; returns the removed batches, oldest first.
    pub fn truncate_to(&mut self, offset: u64) -> Vec<Rc<BatchData>> {
        let offset = offset.max(self.log_start_offset);
        let mut removed = Vec::new();
        while let Some(last) = self.batches.back() {
            if last.base_offset < offset {
                break;
            }
            let batch = self.batches.pop_back().expect("checked");
            self.ends.pop_back();
            self.size_bytes -= batch.bytes;
            removed.push(batch);
        }
        removed.reverse();
        while self.segments.len() > 1
            && self
                .segments
                .back()
                .is_some_and(|segment| segment.base_offset >= offset)
        {
            self.segments.pop_back();
        }
        if let Some(active) = self.segments.back_mut() {
            active.bytes = self
                .batches
                .iter()
                .filter(|b| b.base_offset >= active.base_offset)
                .map(|b| b.bytes)
                .sum();
        }
        self.log_end_offset = self
            .batches
            .back()
            .map_or(self.log_start_offset, |batch| batch.end_offset())
            .min(self.log_end_offset);
        if self.batches.is_empty() {
            self.log_end_offset = offset.min(self.log_end_offset.max(self.log_start_offset));
        }
        self.high_watermark = self.high_watermark.min(self.log_end_offset);
        for retained in self.producer_state.values_mut() {
            retained.retain(|batch| batch.base_offset < offset);
        }
        self.producer_state
            .retain(|_, retained| !retained.is_empty());
        removed
    }

    /// Empties the log and restarts it at `offset` (a follower far behind the leader's log start).
    pub fn reset_to(&mut self, offset: u64) {
        self.batches.clear();
        self.ends.clear();
        self.segments.clear();
        self.producer_state.clear();
        self.size_bytes = 0;
        self.log_start_offset = offset;
        self.log_end_offset = offset;
        self.high_watermark = offset;
    }

    /// Deletes whole segments that are past `retention.ms` or exceed `retention.bytes`, oldest first, never
    /// at or above the high watermark (`UnifiedLog.deleteOldSegments` and `deletableSegments`). The active
    /// segment is deletable too unless it is empty: a new empty one is rolled first, since a log always
    /// has a segment (`deleteSegments`). So a topic that stops receiving data is emptied (log start = log
    /// end) once `retention.ms` has passed. Returns the new log start if it moved.
    pub fn apply_retention(
        &mut self,
        now: Micros,
        retention_us: Option<u64>,
        retention_bytes: Option<u64>,
    ) -> Option<u64> {
        let before = self.log_start_offset;
        while let Some((oldest, upper, last)) = self.oldest_segment() {
            if (last && oldest.bytes == 0) || upper > self.high_watermark {
                break;
            }
            let expired =
                retention_us.is_some_and(|limit| now.saturating_sub(oldest.last_append_us) > limit);
            let too_big =
                retention_bytes.is_some_and(|limit| self.size_bytes - oldest.bytes >= limit);
            if !(expired || too_big) {
                break;
            }
            if last {
                self.roll(now);
            }
            self.delete_oldest_segment(upper);
        }
        (self.log_start_offset != before).then_some(self.log_start_offset)
    }

    /// The oldest segment, where it ends (the next segment's base, or the log end for the active one), and
    /// whether it is the active one.
    fn oldest_segment(&self) -> Option<(&Segment, u64, bool)> {
        let oldest = self.segments.front()?;
        let next = self.segments.get(1).map(|next| next.base_offset);
        Some((oldest, next.unwrap_or(self.log_end_offset), next.is_none()))
    }

    /// A new empty active segment at the log end.
    fn roll(&mut self, now: Micros) {
        self.segments.push_back(Segment {
            base_offset: self.log_end_offset,
            bytes: 0,
            created_us: now,
            last_append_us: now,
        });
    }

    /// Deletes the oldest segment, which ends at `upper`, with its batches; the log starts at `upper`.
    fn delete_oldest_segment(&mut self, upper: u64) {
        let oldest = self.segments.pop_front().expect("a segment");
        self.size_bytes -= oldest.bytes;
        while self
            .batches
            .front()
            .is_some_and(|batch| batch.base_offset < upper)
        {
            self.batches.pop_front();
            self.ends.pop_front();
        }
        self.log_start_offset = upper;
    }

    /// A follower follows the leader's log start (`UnifiedLog.maybeIncrementLogStartOffset`): the log
    /// starts at `offset` (at most its high watermark) and the segments wholly below it are deleted, the
    /// active one after rolling a new one. Returns the new log start if it moved.
    pub fn advance_start_to(&mut self, offset: u64, now: Micros) -> Option<u64> {
        let offset = offset.min(self.high_watermark);
        if offset <= self.log_start_offset {
            return None;
        }
        while let Some((oldest, upper, last)) = self.oldest_segment() {
            if upper > offset || (last && oldest.bytes == 0) {
                break;
            }
            if last {
                self.roll(now);
            }
            self.delete_oldest_segment(upper);
        }
        // Whole batches below the new start go too; the first segment keeps what remains of it.
        while self
            .batches
            .front()
            .is_some_and(|batch| batch.end_offset() <= offset)
        {
            let batch = self.batches.pop_front().expect("checked");
            self.ends.pop_front();
            self.size_bytes -= batch.bytes;
            if let Some(first) = self.segments.front_mut() {
                first.bytes = first.bytes.saturating_sub(batch.bytes);
            }
        }
        self.log_start_offset = offset;
        Some(offset)
    }

    /// Where a follower's log stops agreeing with the leader's: the end of the newest batch both hold.
    pub fn divergence_point(&self, leader: &ReplicaLog) -> u64 {
        for batch in self.batches.iter().rev() {
            if batch.base_offset >= leader.log_end_offset {
                continue;
            }
            if let Some(same) = leader.batch_at(batch.base_offset) {
                if Rc::ptr_eq(same, batch) {
                    return batch.end_offset().min(leader.log_end_offset);
                }
            }
        }
        self.log_start_offset
            .max(leader.log_start_offset)
            .min(leader.log_end_offset)
    }
}
