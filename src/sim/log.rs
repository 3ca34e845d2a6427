//! A replica's log: record batches by offset, segments for retention, and the idempotent producer state
//! rebuilt from the batches. Batch data is immutable and shared (`Rc`) between the replicas that copied
//! it, so a batch is the same object wherever it went: that is how divergence and loss are found exactly.
//! What is learnt about a batch after it was appended (acknowledged, committed, lost) is kept beside it, in
//! the simulation's `BatchFacts`, by the batch's id: so cloning a simulation (a snapshot) shares the
//! batches and copies only the facts.

use std::collections::{BTreeMap, VecDeque};
use std::rc::{Rc, Weak};

use super::ids::{Micros, ProducerIx};
use super::keys::KeyRun;

/// Records written together by one produce request (immutable once appended).
#[derive(Debug)]
pub struct BatchData {
    /// Where its facts are in the run's `BatchFacts` (given by `BatchFacts::register`).
    pub slot: u32,
    pub base_offset: u64,
    pub records: u32,
    pub bytes: u64,
    pub producer: ProducerIx,
    /// Idempotent producer id and epoch; `None` without idempotence.
    pub producer_id: Option<(u64, u32)>,
    pub base_sequence: u32,
    pub leader_epoch: u32,
    /// The first record's position in its producer's key cycle (`keys`); `None` for null keys.
    pub keys: Option<KeyRun>,
    /// When the producer created the first record (for end-to-end latency).
    pub created_us: Micros,
}

/// The producer received a successful acknowledgement for the batch.
pub const ACKNOWLEDGED: u8 = 1;
/// The batch was below the partition's high watermark at some point (consumers could read it).
pub const REACHED_HIGH_WATERMARK: u8 = 2;
/// The cluster lost the batch (truncated away by an election); counted once.
pub const LOST: u8 = 4;

/// What changes about a batch after it is appended (`ACKNOWLEDGED`, `REACHED_HIGH_WATERMARK`, `LOST`), by
/// the batch's slot, for as long as some simulation holds the batch. The tables hold each batch weakly; a
/// slot whose batch no one holds any more is free again, found by a sweep when no slot is free (the batch's
/// memory is freed then). A snapshot copies the table, so the same
/// batch has the same slot in both, and a slot is freed only once its batch is gone from every copy:
/// freeing only forgets batches no one can ask about, so it never changes the run.
#[derive(Clone, Debug, Default)]
pub struct BatchFacts {
    /// By slot, in chunks of `CHUNK` slots: the table grows a chunk at a time and never moves (a table
    /// doubling by reallocation made the allocator hold megabytes more at its peak).
    chunks: Vec<Box<Chunk>>,
    free: Vec<u32>,
    /// The next slot the sweep looks at.
    hand: usize,
}

const CHUNK: usize = 1024;

/// `CHUNK` slots: each batch (weakly) and its facts.
#[derive(Clone, Debug)]
struct Chunk {
    batches: [Weak<BatchData>; CHUNK],
    facts: [u8; CHUNK],
}

/// A free slot's facts (no batch has it).
const FREE: u8 = 0x80;

/// Slots the sweep looks at before the table grows. Most slots are freed by `release_if_last` when a log
/// lets go of the last reference; the sweep finds the rest (batches last held by a producer or a
/// message). It runs only when no slot is free, and looks at one chunk's worth of slots at most (a sweep
/// of the whole table cost a frame 0.3 ms; one per new batch, a few slots at a time, cost the core 8% of
/// its time in cache misses on the batches it looked at).
const SWEEP_SLOTS: usize = CHUNK;

impl BatchFacts {
    /// Gives `data` its slot and its first facts, and shares it.
    pub fn register(&mut self, mut data: BatchData, facts: u8) -> Rc<BatchData> {
        if self.free.is_empty() {
            self.sweep(SWEEP_SLOTS);
        }
        if self.free.is_empty() {
            let first = (self.chunks.len() * CHUNK) as u32;
            self.chunks.push(Box::new(Chunk {
                batches: std::array::from_fn(|_| Weak::new()),
                facts: [FREE; CHUNK],
            }));
            self.free.extend((first..first + CHUNK as u32).rev());
        }
        data.slot = self.free.pop().expect("a free slot");
        let batch = Rc::new(data);
        let (chunk, at) = Self::place(batch.slot);
        let chunk = &mut self.chunks[chunk];
        chunk.batches[at] = Rc::downgrade(&batch);
        chunk.facts[at] = facts;
        batch
    }

    #[inline(always)]
    fn place(slot: u32) -> (usize, usize) {
        (slot as usize / CHUNK, slot as usize % CHUNK)
    }

    /// Looks at the next `slots` slots and frees those whose batch no one holds.
    fn sweep(&mut self, slots: usize) {
        let total = self.chunks.len() * CHUNK;
        for _ in 0..slots.min(total) {
            let slot = self.hand;
            self.hand = (self.hand + 1) % total;
            let chunk = &mut *self.chunks[slot / CHUNK];
            let at = slot % CHUNK;
            if chunk.facts[at] != FREE && chunk.batches[at].strong_count() == 0 {
                // Dropping the weak pointer lets the batch's memory go.
                chunk.batches[at] = Weak::new();
                chunk.facts[at] = FREE;
                self.free.push(slot as u32);
            }
        }
    }

    /// Frees `batch`'s slot if the caller holds its last reference and is about to drop it.
    #[inline(always)]
    pub fn release_if_last(&mut self, batch: &Rc<BatchData>) {
        if Rc::strong_count(batch) == 1 {
            let (chunk, at) = Self::place(batch.slot);
            let chunk = &mut *self.chunks[chunk];
            chunk.batches[at] = Weak::new();
            chunk.facts[at] = FREE;
            self.free.push(batch.slot);
        }
    }

    /// Whether `batch` has every fact in `facts`.
    pub fn has(&self, batch: &BatchData, facts: u8) -> bool {
        self.get(batch) & facts == facts
    }

    #[inline(always)]
    pub fn get(&self, batch: &BatchData) -> u8 {
        let (chunk, at) = Self::place(batch.slot);
        self.chunks.get(chunk).map_or(0, |chunk| chunk.facts[at])
    }

    #[inline(always)]
    pub fn set(&mut self, batch: &BatchData, facts: u8) {
        let (chunk, at) = Self::place(batch.slot);
        if let Some(chunk) = self.chunks.get_mut(chunk) {
            chunk.facts[at] |= facts;
        }
    }

    /// Adds `facts` and returns all the facts known now.
    pub fn add(&mut self, batch: &BatchData, facts: u8) -> u8 {
        self.set(batch, facts);
        self.get(batch)
    }

    /// Slots in use (batches held somewhere, or gone since the last sweep).
    pub fn len(&self) -> usize {
        self.chunks.len() * CHUNK - self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl BatchData {
    pub fn end_offset(&self) -> u64 {
        self.base_offset + self.records as u64
    }
}

/// Consecutive records one producer wrote in one leader epoch, kept as a range: what a log holds below its
/// detail floor instead of the batches (see docs/logs.md). One run costs the
/// same whether it holds 10 records or 10 million; any record's producer and key are recomputed from it.
#[derive(Clone, Debug)]
pub struct Run {
    pub base_offset: u64,
    pub records: u64,
    pub bytes: u64,
    pub producer: ProducerIx,
    pub producer_id: Option<(u64, u32)>,
    pub base_sequence: u32,
    pub leader_epoch: u32,
    /// The first record's key position; `None` for null keys.
    pub keys: Option<KeyRun>,
    /// `created_us` of the first batch merged in, and of the last one with its base offset: a record's
    /// creation time is interpolated between them.
    pub first_created_us: Micros,
    pub last_created_us: Micros,
    pub last_batch_offset: u64,
    pub acknowledged: bool,
    /// The cluster lost these records (truncated by an unclean election); counted once.
    pub lost: bool,
}

impl Run {
    pub fn end_offset(&self) -> u64 {
        self.base_offset + self.records
    }

    fn of(batch: &BatchData, facts: u8) -> Run {
        Run {
            base_offset: batch.base_offset,
            records: batch.records as u64,
            bytes: batch.bytes,
            producer: batch.producer,
            producer_id: batch.producer_id,
            base_sequence: batch.base_sequence,
            leader_epoch: batch.leader_epoch,
            keys: batch.keys.clone(),
            first_created_us: batch.created_us,
            last_created_us: batch.created_us,
            last_batch_offset: batch.base_offset,
            acknowledged: facts & ACKNOWLEDGED != 0,
            lost: facts & LOST != 0,
        }
    }

    /// Whether `batch` continues this run: the next offsets, the same producer, epoch and outcome, the next
    /// sequence numbers and key positions.
    fn continued_by(&self, batch: &BatchData, facts: u8) -> bool {
        let keys = match (&self.keys, &batch.keys) {
            (None, None) => true,
            (Some(run), Some(next)) => run.continued_by(self.records, next),
            _ => false,
        };
        keys && self.end_offset() == batch.base_offset
            && self.producer == batch.producer
            && self.producer_id == batch.producer_id
            && self.leader_epoch == batch.leader_epoch
            && self.acknowledged == (facts & ACKNOWLEDGED != 0)
            && self.lost == (facts & LOST != 0)
            && (self.producer_id.is_none()
                || self.base_sequence.wrapping_add(self.records as u32) == batch.base_sequence)
    }

    fn absorb(&mut self, batch: &BatchData) {
        self.records += batch.records as u64;
        self.bytes += batch.bytes;
        self.last_created_us = batch.created_us;
        self.last_batch_offset = batch.base_offset;
    }

    /// The creation time of the batch that held `offset`, interpolated.
    pub fn created_us_at(&self, offset: u64) -> Micros {
        if offset >= self.last_batch_offset || self.last_batch_offset == self.base_offset {
            return self.last_created_us;
        }
        let span = self.last_created_us.saturating_sub(self.first_created_us);
        let along = offset - self.base_offset;
        self.first_created_us + scale(span, along, self.last_batch_offset - self.base_offset)
    }

    /// The records from `offset` on (`offset` inside the run).
    fn tail_from(&self, offset: u64) -> Run {
        let skipped = offset - self.base_offset;
        let mut tail = self.clone();
        tail.base_offset = offset;
        tail.records -= skipped;
        tail.bytes = self.bytes_of(tail.records);
        tail.base_sequence = self.base_sequence.wrapping_add(skipped as u32);
        tail.keys = self.keys.as_ref().map(|keys| keys.skip(skipped));
        tail.first_created_us = self.created_us_at(offset);
        tail
    }

    /// Keeps the records below `offset` (`offset` inside the run).
    fn cut_at(&mut self, offset: u64) {
        self.records = offset - self.base_offset;
        self.bytes = self.bytes_of(self.records);
        if self.last_batch_offset >= offset {
            self.last_created_us = self.created_us_at(offset - 1);
            self.last_batch_offset = offset - 1;
        }
    }

    fn bytes_of(&self, records: u64) -> u64 {
        scale(self.bytes, records, self.records.max(1))
    }

    /// The run's first `records` as a batch, for a reader below the detail floor, with its facts.
    fn as_batch(&self, records: u64) -> (BatchData, u8) {
        let facts = REACHED_HIGH_WATERMARK
            | if self.acknowledged { ACKNOWLEDGED } else { 0 }
            | if self.lost { LOST } else { 0 };
        let batch = BatchData {
            slot: 0,
            base_offset: self.base_offset,
            records: records as u32,
            bytes: self.bytes_of(records),
            producer: self.producer,
            producer_id: self.producer_id,
            base_sequence: self.base_sequence,
            leader_epoch: self.leader_epoch,
            keys: self.keys.clone(),
            created_us: self.first_created_us,
        };
        (batch, facts)
    }
}

/// `value · part / whole` (`part ≤ whole`) without 128-bit arithmetic, exact unless `value · part` overflows.
fn scale(value: u64, part: u64, whole: u64) -> u64 {
    match value.checked_mul(part) {
        Some(product) => product / whole,
        None => value / whole * part,
    }
}

/// What a log holds at an offset range: a batch or part of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Piece {
    pub base_offset: u64,
    pub end_offset: u64,
    pub leader_epoch: u32,
}

/// Records the cluster lost, found when a replica is truncated to the new leader's log.
#[derive(Clone, Debug)]
pub struct LostRange {
    pub base_offset: u64,
    pub end_offset: u64,
    pub leader_epoch: u32,
    pub producer: ProducerIx,
    pub acknowledged: bool,
    pub reached_high_watermark: bool,
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
    /// Below the batches: the records summarised as runs (`summarize_below`).
    runs: VecDeque<Run>,
    batches: VecDeque<Rc<BatchData>>,
    /// Each batch's end offset, beside `batches`: readers search these inline numbers instead of
    /// following a pointer per probe.
    ends: VecDeque<u64>,
    segments: VecDeque<Segment>,
    pub size_bytes: u64,
    producer_state: BTreeMap<u64, VecDeque<Retained>>,
}

/// A batch the log remembers for its producer's duplicate check (Kafka's `ProducerStateEntry` keeps the
/// last five), with what the check compares inline, so that it follows no pointer until one matches.
#[derive(Clone, Debug)]
struct Retained {
    epoch: u32,
    base_sequence: u32,
    records: u32,
    base_offset: u64,
    batch: Rc<BatchData>,
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

    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    pub fn runs(&self) -> impl DoubleEndedIterator<Item = &Run> {
        self.runs.iter()
    }

    /// Where the log keeps batches from (below it, runs).
    fn detail_start(&self) -> u64 {
        self.batches
            .front()
            .map_or(self.log_end_offset, |batch| batch.base_offset)
    }

    /// Batches and runs, newest first, as offset ranges with their leader epochs.
    pub fn pieces_rev(&self) -> impl Iterator<Item = Piece> + '_ {
        let batches = self.batches.iter().rev().map(|batch| Piece {
            base_offset: batch.base_offset,
            end_offset: batch.end_offset(),
            leader_epoch: batch.leader_epoch,
        });
        let runs = self.runs.iter().rev().map(|run| Piece {
            base_offset: run.base_offset,
            end_offset: run.end_offset(),
            leader_epoch: run.leader_epoch,
        });
        batches.chain(runs)
    }

    /// The first piece's range and the last piece's end: what the invariants compare with the log's offsets.
    pub fn span(&self) -> Option<(u64, u64, u64)> {
        let (first_base, first_end) = match self.runs.front() {
            Some(run) => (run.base_offset, run.end_offset()),
            None => {
                let batch = self.batches.front()?;
                (batch.base_offset, batch.end_offset())
            }
        };
        let last_end = match self.batches.back() {
            Some(batch) => batch.end_offset(),
            None => self.runs.back()?.end_offset(),
        };
        Some((first_base, first_end, last_end))
    }

    /// Whether the runs end where the batches begin (each is contiguous by construction: appends are at the
    /// log end, and runs are made from consecutive batches).
    pub fn contiguous(&self) -> bool {
        match (self.runs.back(), self.batches.front()) {
            (Some(run), Some(batch)) => run.end_offset() == batch.base_offset,
            _ => true,
        }
    }

    /// The run holding `offset`, if `offset` is below the batches.
    fn run_containing(&self, offset: u64) -> Option<&Run> {
        let index = self.runs.partition_point(|run| run.end_offset() <= offset);
        self.runs.get(index).filter(|run| run.base_offset <= offset)
    }

    /// When the batch that holds `offset` was created (interpolated within a run).
    pub fn created_us_at(&self, offset: u64) -> Option<Micros> {
        if offset < self.detail_start() {
            return self
                .run_containing(offset)
                .map(|run| run.created_us_at(offset));
        }
        self.batch_containing(offset).map(|batch| batch.created_us)
    }

    /// When the batches holding `first` and `last` were created (`created_us_at` of each), looking the
    /// log up once when one batch holds both (a consumer's processed range nearly always lies in one).
    pub fn created_us_span(&self, first: u64, last: u64) -> Option<(Micros, Micros)> {
        if first >= self.detail_start() {
            let batch = self.batch_containing(first)?;
            if last < batch.end_offset() {
                return Some((batch.created_us, batch.created_us));
            }
        }
        Some((self.created_us_at(first)?, self.created_us_at(last)?))
    }

    /// The size of one record near `offset` (its batch's or run's bytes per record), 100 when the log does
    /// not hold it.
    pub fn record_bytes_at(&self, offset: u64) -> u64 {
        if offset < self.detail_start() {
            return self
                .run_containing(offset)
                .map_or(100, |run| run.bytes / run.records.max(1));
        }
        self.batch_containing(offset)
            .map_or(100, |batch| batch.bytes / (batch.records.max(1) as u64))
    }

    /// The leader epoch of the record at `offset`.
    pub fn epoch_at(&self, offset: u64) -> Option<u32> {
        if offset < self.detail_start() {
            return self.run_containing(offset).map(|run| run.leader_epoch);
        }
        self.batch_containing(offset)
            .map(|batch| batch.leader_epoch)
    }

    /// The producer (its index) and key of the record at `offset` (`None` for a null key), recomputed from
    /// its batch or run.
    pub fn record_at(&self, offset: u64) -> Option<(ProducerIx, Option<String>)> {
        let (base, producer, keys) = if offset < self.detail_start() {
            let run = self.run_containing(offset)?;
            (run.base_offset, run.producer, &run.keys)
        } else {
            let batch = self.batch_containing(offset)?;
            (batch.base_offset, batch.producer, &batch.keys)
        };
        let key = keys.as_ref().and_then(|keys| keys.key_name(offset - base));
        Some((producer, key))
    }

    /// Moves the batches that end at or below `floor` (and the high watermark) into runs, merging each into
    /// the previous run when it continues it. A run may span segments: retention cuts it where the segment
    /// it deletes ends.
    pub fn summarize_below(&mut self, floor: u64, facts: &mut BatchFacts) {
        let floor = floor.min(self.high_watermark);
        while self.ends.front().is_some_and(|end| *end <= floor) {
            let batch = self.batches.pop_front().expect("ends and batches agree");
            self.ends.pop_front();
            let known = facts.get(&batch);
            match self.runs.back_mut() {
                Some(run) if run.continued_by(&batch, known) => run.absorb(&batch),
                _ => self.runs.push_back(Run::of(&batch, known)),
            }
            facts.release_if_last(&batch);
        }
    }

    /// The end of the batch just below the newest `keep` batches that end at or below `offset`: the floor
    /// under which laggards read runs instead of batches.
    pub fn window_floor(&self, offset: u64, keep: usize) -> u64 {
        let below = self.ends.partition_point(|end| *end <= offset);
        if below > keep {
            self.ends[below - keep - 1]
        } else {
            0
        }
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

    pub fn read_from(&self, offset: u64, max_bytes: u64, facts: &mut BatchFacts) -> BatchList {
        let mut out = BatchList::Empty;
        if offset >= self.log_end_offset {
            return out;
        }
        let mut bytes = 0;
        if offset < self.detail_start() {
            // Below the batches: the runs, cut into batches of what fits.
            let mut at = offset;
            let index = self.runs.partition_point(|run| run.end_offset() <= offset);
            for run in self.runs.range(index..) {
                let run = run.tail_from(at.max(run.base_offset));
                let per_record = (run.bytes / run.records.max(1)).max(1);
                let fits = max_bytes.saturating_sub(bytes) / per_record;
                let records = if out.is_empty() { fits.max(1) } else { fits }.min(run.records);
                if records == 0 {
                    return out;
                }
                let (batch, known) = run.as_batch(records);
                bytes += batch.bytes;
                at = batch.end_offset();
                out.push(facts.register(batch, known));
                if records < run.records {
                    return out;
                }
            }
        }
        let start = self.first_ending_after(offset);
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
            batch.epoch == epoch && batch.base_sequence == base_sequence && batch.records == records
        }) {
            return SequenceCheck::Duplicate(duplicate.batch.clone());
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
        if let Some((producer_id, epoch)) = batch.producer_id {
            let retained = self.producer_state.entry(producer_id).or_default();
            retained.push_back(Retained {
                epoch,
                base_sequence: batch.base_sequence,
                records: batch.records,
                base_offset: batch.base_offset,
                batch: batch.clone(),
            });
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
        if self.batches.is_empty() {
            while self
                .runs
                .back()
                .is_some_and(|run| run.base_offset >= offset)
            {
                let run = self.runs.pop_back().expect("checked");
                self.size_bytes -= run.bytes;
            }
            if let Some(run) = self.runs.back_mut() {
                if run.end_offset() > offset {
                    let before = run.bytes;
                    run.cut_at(offset);
                    self.size_bytes -= before - run.bytes;
                }
            }
        }
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
                .sum::<u64>()
                + self
                    .runs
                    .iter()
                    .filter(|run| run.end_offset() > active.base_offset)
                    .map(|run| {
                        let from = run.base_offset.max(active.base_offset);
                        run.bytes_of(run.end_offset() - from)
                    })
                    .sum::<u64>();
        }
        let last_end = match self.batches.back() {
            Some(batch) => Some(batch.end_offset()),
            None => self.runs.back().map(Run::end_offset),
        };
        self.log_end_offset = last_end
            .unwrap_or(self.log_start_offset)
            .min(self.log_end_offset);
        if last_end.is_none() {
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
        self.runs.clear();
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
            .runs
            .front()
            .is_some_and(|run| run.end_offset() <= upper)
        {
            self.runs.pop_front();
        }
        if let Some(first) = self.runs.front_mut() {
            if first.base_offset < upper {
                *first = first.tail_from(upper);
            }
        }
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
        // Whole runs and batches below the new start go too; the first segment keeps what remains of it.
        while self
            .runs
            .front()
            .is_some_and(|run| run.end_offset() <= offset)
        {
            let run = self.runs.pop_front().expect("checked");
            self.size_bytes -= run.bytes;
            if let Some(first) = self.segments.front_mut() {
                first.bytes = first.bytes.saturating_sub(run.bytes);
            }
        }
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

    /// Where a follower's log stops agreeing with the leader's: one leader writes each epoch, so records at
    /// the same offset in the same leader epoch are the same records (`LeaderEpochFileCache`). From the
    /// newest, the first piece of this log whose epoch the leader has at its base agrees up to the end of
    /// that piece or of the leader's run of that epoch, whichever comes first.
    pub fn divergence_point(&self, leader: &ReplicaLog) -> u64 {
        for piece in self.pieces_rev() {
            if piece.base_offset >= leader.log_end_offset {
                continue;
            }
            if leader.epoch_at(piece.base_offset) == Some(piece.leader_epoch) {
                let leader_epoch_end = leader
                    .pieces_rev()
                    .take_while(|newer| newer.end_offset > piece.base_offset)
                    .filter(|newer| newer.leader_epoch != piece.leader_epoch)
                    .map(|newer| newer.base_offset)
                    .min()
                    .unwrap_or(leader.log_end_offset);
                return piece
                    .end_offset
                    .min(leader_epoch_end)
                    .min(leader.log_end_offset);
            }
        }
        self.log_start_offset
            .max(leader.log_start_offset)
            .min(leader.log_end_offset)
    }

    /// The leader epoch of the last record (a follower's `lastFetchedEpoch`), if the log holds any.
    pub fn last_epoch(&self) -> Option<u32> {
        match self.batches.back() {
            Some(batch) => Some(batch.leader_epoch),
            None => self.runs.back().map(|run| run.leader_epoch),
        }
    }

    /// `LeaderEpochFileCache.endOffsetFor`: the largest epoch at most `epoch` that this log holds records
    /// of, and where it ends (the first offset of a later epoch, or the log end); `None` when the log holds
    /// no record of an epoch that old. An epoch in which a leader wrote nothing ends where the next one
    /// begins, so the records' epochs give the same answer as Kafka's epoch cache.
    pub fn end_offset_for_epoch(&self, epoch: u32) -> Option<(u32, u64)> {
        // Nearly always the newest records' epoch (a reader that keeps up): answered without a walk.
        if let Some(last) = self.last_epoch().filter(|last| *last <= epoch) {
            return Some((last, self.log_end_offset));
        }
        let mut end = self.log_end_offset;
        for piece in self.pieces_rev() {
            if piece.leader_epoch <= epoch {
                return Some((piece.leader_epoch, end));
            }
            end = piece.base_offset;
        }
        None
    }

    /// Marks as lost everything this log holds from `offset` on that was not lost before, and returns it.
    pub fn lose_from(&mut self, offset: u64, facts: &mut BatchFacts) -> Vec<LostRange> {
        let mut lost = Vec::new();
        for batch in self.batches.iter().rev() {
            if batch.base_offset < offset {
                break;
            }
            let known = facts.get(batch);
            if known & LOST == 0 {
                facts.set(batch, LOST);
                lost.push(LostRange {
                    base_offset: batch.base_offset,
                    end_offset: batch.end_offset(),
                    leader_epoch: batch.leader_epoch,
                    producer: batch.producer,
                    acknowledged: known & ACKNOWLEDGED != 0,
                    reached_high_watermark: known & REACHED_HIGH_WATERMARK != 0,
                });
            }
        }
        for run in self.runs.iter_mut().rev() {
            if run.end_offset() <= offset {
                break;
            }
            if !run.lost {
                run.lost = true;
                lost.push(LostRange {
                    base_offset: run.base_offset.max(offset),
                    end_offset: run.end_offset(),
                    leader_epoch: run.leader_epoch,
                    producer: run.producer,
                    acknowledged: run.acknowledged,
                    reached_high_watermark: true,
                });
            }
        }
        lost
    }
}

/// The batches a fetch answer carries for one partition. A follower that keeps up gets one batch per
/// fetch, held inline; more go to a list.
#[derive(Clone, Debug, Default)]
pub enum BatchList {
    #[default]
    Empty,
    One(Rc<BatchData>),
    Many(Vec<Rc<BatchData>>),
}

impl BatchList {
    pub fn push(&mut self, batch: Rc<BatchData>) {
        *self = match std::mem::take(self) {
            BatchList::Empty => BatchList::One(batch),
            BatchList::One(first) => BatchList::Many(vec![first, batch]),
            BatchList::Many(mut list) => {
                list.push(batch);
                BatchList::Many(list)
            }
        };
    }

    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    pub fn as_slice(&self) -> &[Rc<BatchData>] {
        match self {
            BatchList::Empty => &[],
            BatchList::One(batch) => std::slice::from_ref(batch),
            BatchList::Many(list) => list,
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Rc<BatchData>> {
        self.as_slice().iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(base_offset: u64) -> BatchData {
        BatchData {
            slot: 0,
            base_offset,
            records: 1,
            bytes: 100,
            producer: ProducerIx(0),
            producer_id: None,
            base_sequence: 0,
            leader_epoch: 0,
            keys: None,
            created_us: 0,
        }
    }

    /// Facts stay with their batch while anyone holds it, the slots of gone batches are reused, and a
    /// copy of the table (a snapshot's) keeps its own facts for the batches it shares.
    #[test]
    fn facts_stay_with_their_batch_and_slots_of_gone_batches_are_reused() {
        let mut facts = BatchFacts::default();
        let mut kept = Vec::new();
        for n in 0..5000u64 {
            let shared = facts.register(batch(n), (n % 3) as u8);
            if n % 7 != 0 {
                kept.push(shared);
            }
        }
        // 4,285 held, and at most the 147 dropped since the last sweep not yet freed.
        assert!(
            facts.len() <= 4285 + 147,
            "gone batches' slots freed: {} in use",
            facts.len()
        );
        let chunks = facts.chunks.len();
        for shared in &kept {
            assert_eq!(
                facts.get(shared),
                (shared.base_offset % 3) as u8,
                "batch {}",
                shared.base_offset
            );
        }
        let copy = facts.clone();
        for shared in &kept {
            facts.set(shared, LOST);
        }
        kept.truncate(100);
        for n in 5000..9000u64 {
            let fresh = facts.register(batch(n), 0);
            assert_eq!(
                facts.get(&fresh),
                0,
                "a reused slot starts with the new batch's facts"
            );
        }
        assert_eq!(
            facts.chunks.len(),
            chunks,
            "the slots of the batches dropped were reused"
        );
        for shared in &kept {
            assert!(facts.has(shared, LOST));
            assert_eq!(
                copy.get(shared),
                (shared.base_offset % 3) as u8,
                "the copy's facts"
            );
        }
    }
}
