//! A producer's keys as positions in its key cycle, so that no record's key is ever stored.
//!
//! A producer numbers its keyed records `n = 0, 1, 2, …` from the moment its keys were set. Record `n`'s key
//! is a function of `n` alone: `keys.list` and `keys.distinct` cycle (`n mod K`); `keys.hot` gives the hot key
//! to `percent`% of the records, spread evenly (record `n` is hot when `⌊(n+1)·percent/100⌋ > ⌊n·percent/100⌋`)
//! and cycles the others over `distinct` keys. The partition is a function of the key. So the records a
//! producer sends to one partition are a fixed subsequence of `n`, and a record is named by its *ordinal* on
//! that partition (the j-th record the producer sent there in this cycle): a batch, or a summary of a million
//! batches, holds the ordinal of its first record, and any record's key is recomputed on demand
//! (`KeyCycle::key_at`).
//!
//! A cycle ends when the producer's keys change or its topic gains partitions (the mapping changes); a batch
//! never spans two cycles.

use super::partitioner::partition_for_key;
use super::scenario::KeySpec;
use std::cell::OnceCell;
use std::rc::Rc;
use std::sync::Arc;

#[derive(Debug)]
pub struct KeyCycle {
    pub spec: Arc<KeySpec>,
    /// Each key index's partition (key 0 is the hot key under `keys.hot`).
    partitions: Vec<u32>,
    /// The producer's keyed-record number `n` at the start of this cycle.
    start_n: u64,
    /// Per partition, the residues `r` of the key cycle (`0 ≤ r < K`) whose key it gets, ascending; built
    /// the first time a key is recomputed.
    residues: OnceCell<Vec<Vec<u32>>>,
    partition_count: u32,
}

impl KeyCycle {
    /// `None` for null keys.
    pub fn new(spec: Arc<KeySpec>, partition_count: u32, start_n: u64) -> Option<Rc<KeyCycle>> {
        let keys = match spec.as_ref() {
            KeySpec::None => return None,
            KeySpec::List(list) => list.len() as u32,
            KeySpec::Distinct(count) => *count,
            KeySpec::Hot { distinct, .. } => 1 + *distinct,
        };
        let partitions = (0..keys)
            .map(|index| {
                let key = key_string(&spec, index).expect("keyed");
                partition_for_key(key.as_bytes(), partition_count)
            })
            .collect();
        Some(Rc::new(KeyCycle {
            spec,
            partitions,
            start_n,
            residues: OnceCell::new(),
            partition_count,
        }))
    }

    fn hot_percent(&self) -> u64 {
        match self.spec.as_ref() {
            KeySpec::Hot { percent, .. } => (*percent).min(100) as u64,
            _ => 0,
        }
    }

    /// `K`, the length of the cycle the keys that are not hot go round, and the first of its key indices.
    fn cycle(&self) -> (u64, u32) {
        match self.spec.as_ref() {
            KeySpec::Hot { distinct, .. } => (*distinct as u64, 1),
            _ => (self.partitions.len() as u64, 0),
        }
    }

    /// Hot records among `0..n`.
    fn hot_before(&self, n: u64) -> u64 {
        // n stays far below 2^57 (a year at 100,000 records/s is about 2^42), so n·100 fits.
        n * self.hot_percent() / 100
    }

    /// The key index of keyed record `n`.
    pub fn key_of(&self, n: u64) -> u32 {
        let (k, first) = self.cycle();
        if self.hot_percent() == 0 {
            // `keys.list` and `keys.distinct`: the producer's hot path, one modulo.
            return first + (n % k.max(1)) as u32;
        }
        let hot = self.hot_before(n);
        if self.hot_before(n + 1) > hot {
            return 0;
        }
        first + ((n - hot) % k.max(1)) as u32
    }

    /// The partition of key index `key`.
    pub fn partition_of(&self, key: u32) -> u32 {
        self.partitions[key as usize]
    }

    fn residues(&self) -> &Vec<Vec<u32>> {
        self.residues.get_or_init(|| {
            let (k, first) = self.cycle();
            let mut out = vec![Vec::new(); self.partition_count as usize];
            for r in 0..k as u32 {
                out[self.partitions[(first + r) as usize] as usize].push(r);
            }
            out
        })
    }

    /// Records among `0..n` whose key goes to `partition`.
    fn count_on(&self, partition: u32, n: u64) -> u64 {
        let hot = self.hot_before(n);
        let hot_here = if self.hot_percent() > 0 && self.partitions[0] == partition {
            hot
        } else {
            0
        };
        let (k, _) = self.cycle();
        if k == 0 {
            return hot_here;
        }
        let c = n - hot;
        let residues = &self.residues()[partition as usize];
        let below = residues.partition_point(|r| (*r as u64) < c % k) as u64;
        hot_here + (c / k) * residues.len() as u64 + below
    }

    /// The number `n` of the `ordinal`-th record (from 0) this cycle sent to `partition`.
    fn n_of(&self, partition: u32, ordinal: u64) -> u64 {
        let target = self.count_on(partition, self.start_n) + ordinal;
        let (k, _) = self.cycle();
        if self.hot_percent() == 0 {
            let residues = &self.residues()[partition as usize];
            let len = residues.len() as u64;
            return (target / len) * k + residues[(target % len) as usize] as u64;
        }
        // The smallest n with count_on(n + 1) > target.
        let mut high = self.start_n.max(1);
        while self.count_on(partition, high) <= target {
            high = high.saturating_mul(2);
        }
        let mut low = self.start_n;
        while low < high {
            let middle = low + (high - low) / 2;
            if self.count_on(partition, middle + 1) > target {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        low
    }

    /// The key index of the `ordinal`-th record this cycle sent to `partition`.
    pub fn key_at(&self, partition: u32, ordinal: u64) -> u32 {
        self.key_of(self.n_of(partition, ordinal))
    }
}

/// The keys of consecutive records on one partition: the cycle and the first record's ordinal.
#[derive(Clone, Debug)]
pub struct KeyRun {
    pub cycle: Rc<KeyCycle>,
    pub partition: u32,
    pub first: u64,
}

impl KeyRun {
    /// The key index of the run's `index`-th record.
    pub fn key_at(&self, index: u64) -> u32 {
        self.cycle.key_at(self.partition, self.first + index)
    }

    /// The key string of the run's `index`-th record.
    pub fn key_name(&self, index: u64) -> Option<String> {
        key_string(&self.cycle.spec, self.key_at(index))
    }

    /// Whether `next` holds the records right after this run's first `records`.
    pub fn continued_by(&self, records: u64, next: &KeyRun) -> bool {
        Rc::ptr_eq(&self.cycle, &next.cycle)
            && self.partition == next.partition
            && self.first + records == next.first
    }

    /// The same run without its first `records`.
    pub fn skip(&self, records: u64) -> KeyRun {
        KeyRun {
            first: self.first + records,
            ..self.clone()
        }
    }
}

/// The key string of key index `index` under a key mode.
pub fn key_string(keys: &KeySpec, index: u32) -> Option<String> {
    match keys {
        KeySpec::None => None,
        KeySpec::List(list) => list.get(index as usize).cloned(),
        KeySpec::Distinct(_) => Some(format!("key-{index}")),
        KeySpec::Hot { key, .. } if index == 0 => Some(key.clone()),
        KeySpec::Hot { .. } => Some(format!("key-{}", index - 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record's key, recomputed from its ordinal on its partition, is the key it was given, for every
    /// key mode, from a cycle that starts at 0 and from one that starts later.
    #[test]
    fn keys_recomputed_from_ordinals_are_the_keys_given() {
        let specs = [
            KeySpec::List(vec!["a".into(), "b".into(), "c".into(), "user_4".into()]),
            KeySpec::Distinct(37),
            KeySpec::Hot {
                key: "hot".into(),
                percent: 80,
                distinct: 13,
            },
            KeySpec::Hot {
                key: "hot".into(),
                percent: 33,
                distinct: 5,
            },
            KeySpec::Hot {
                key: "hot".into(),
                percent: 100,
                distinct: 3,
            },
        ];
        for spec in specs {
            for start in [0u64, 1_234] {
                let cycle = KeyCycle::new(Arc::new(spec.clone()), 6, start).expect("keyed");
                let mut ordinals = [0u64; 6];
                for n in start..start + 5_000 {
                    let key = cycle.key_of(n);
                    let partition = cycle.partition_of(key);
                    let ordinal = ordinals[partition as usize];
                    ordinals[partition as usize] += 1;
                    assert_eq!(
                        cycle.key_at(partition, ordinal),
                        key,
                        "{spec:?} from {start}: record {n} on partition {partition}"
                    );
                }
            }
        }
    }

    #[test]
    fn hot_keys_take_their_share_evenly() {
        let spec = KeySpec::Hot {
            key: "hot".into(),
            percent: 80,
            distinct: 4,
        };
        let cycle = KeyCycle::new(Arc::new(spec), 3, 0).expect("keyed");
        let hot = (0..1000).filter(|n| cycle.key_of(*n) == 0).count();
        assert_eq!(hot, 800);
        let others: Vec<u32> = (0..10).map(|n| cycle.key_of(n)).collect();
        assert_eq!(others, [1, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
    }
}
