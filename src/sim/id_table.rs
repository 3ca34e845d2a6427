//! An ordered map from ids that are mostly inserted in increasing order and removed in about the same
//! order: a producer's requests by request id. The ids sit in one sorted list, searched by bisection over
//! contiguous memory, beside their values; a removed entry leaves a hole until the holes before it are gone
//! (or holes outnumber entries, when the lists are compacted). It replaces a `BTreeMap<K, V>` on the
//! producer's hottest path and iterates in the same order.

use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct IdTable<K, V> {
    /// Sorted, no duplicates; `values[i]` belongs to `ids[i]` (`None`: removed).
    ids: VecDeque<K>,
    values: VecDeque<Option<V>>,
    live: usize,
}

impl<K: Copy + Ord, V> Default for IdTable<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Copy + Ord, V> IdTable<K, V> {
    pub fn new() -> Self {
        IdTable {
            ids: VecDeque::new(),
            values: VecDeque::new(),
            live: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Where `id` sits in `ids`, or where it would go.
    #[inline]
    fn search(&self, id: K) -> Result<usize, usize> {
        // The newest ids are asked for most: look at the last one first.
        match self.ids.back() {
            Some(&last) if last == id => Ok(self.ids.len() - 1),
            Some(&last) if last < id => Err(self.ids.len()),
            _ => self.ids.binary_search(&id),
        }
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, id: K, value: V) -> Option<V> {
        match self.search(id) {
            Ok(index) => {
                let old = self.values[index].replace(value);
                if old.is_none() {
                    self.live += 1;
                }
                old
            }
            Err(index) => {
                self.ids.insert(index, id);
                self.values.insert(index, Some(value));
                self.live += 1;
                None
            }
        }
    }

    pub fn get(&self, id: &K) -> Option<&V> {
        self.search(*id)
            .ok()
            .and_then(|index| self.values[index].as_ref())
    }

    pub fn get_mut(&mut self, id: &K) -> Option<&mut V> {
        match self.search(*id) {
            Ok(index) => self.values[index].as_mut(),
            Err(_) => None,
        }
    }

    pub fn contains_key(&self, id: &K) -> bool {
        self.get(id).is_some()
    }

    pub fn remove(&mut self, id: &K) -> Option<V> {
        let index = self.search(*id).ok()?;
        let value = self.values[index].take()?;
        self.live -= 1;
        while let Some(None) = self.values.front() {
            self.values.pop_front();
            self.ids.pop_front();
        }
        while let Some(None) = self.values.back() {
            self.values.pop_back();
            self.ids.pop_back();
        }
        if self.values.len() > 2 * self.live + 64 {
            self.compact();
        }
        Some(value)
    }

    /// Drops the holes (amortised: it runs when they outnumber the entries).
    fn compact(&mut self) {
        let mut ids = VecDeque::with_capacity(self.live);
        let mut values = VecDeque::with_capacity(self.live);
        for (id, value) in self.ids.drain(..).zip(self.values.drain(..)) {
            if value.is_some() {
                ids.push_back(id);
                values.push_back(value);
            }
        }
        self.ids = ids;
        self.values = values;
    }

    /// The entries in increasing id order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.ids
            .iter()
            .zip(self.values.iter())
            .filter_map(|(id, value)| Some((id, value.as_ref()?)))
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.values.iter().flatten()
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.values.iter_mut().flatten()
    }
}

impl<K: Copy + Ord, V> std::ops::Index<&K> for IdTable<K, V> {
    type Output = V;

    fn index(&self, id: &K) -> &V {
        self.get(id).expect("an id in the table")
    }
}

#[cfg(test)]
mod tests {
    use super::IdTable;
    use crate::rng::SimRng;
    use std::collections::BTreeMap;

    /// Random inserts (mostly increasing ids, some out of order and some repeated), removals (mostly of
    /// old ids) and lookups give what a `BTreeMap` gives, in the same order.
    #[test]
    fn behaves_like_a_btree_map() {
        for seed in 0..40 {
            let mut rng = SimRng::new(seed);
            let mut table = IdTable::new();
            let mut model = BTreeMap::new();
            let mut next = 0u64;
            for step in 0..3_000u64 {
                match rng.below(10) {
                    0..=3 => {
                        next += 1 + rng.below(3);
                        let id = if rng.chance(1, 10) {
                            rng.below(next + 1)
                        } else {
                            next
                        };
                        assert_eq!(table.insert(id, step), model.insert(id, step));
                    }
                    4..=6 => {
                        let id = match model.keys().next() {
                            Some(&oldest) if rng.chance(3, 4) => oldest + rng.below(4),
                            _ => rng.below(next + 2),
                        };
                        assert_eq!(table.remove(&id), model.remove(&id));
                    }
                    7 => {
                        let id = rng.below(next + 2);
                        if let Some(value) = table.get_mut(&id) {
                            *value += 1;
                        }
                        if let Some(value) = model.get_mut(&id) {
                            *value += 1;
                        }
                    }
                    _ => {
                        let id = rng.below(next + 2);
                        assert_eq!(table.get(&id), model.get(&id));
                        assert_eq!(table.contains_key(&id), model.contains_key(&id));
                    }
                }
                assert_eq!(table.len(), model.len());
                assert!(table.ids.len() <= 2 * table.live + 64, "holes are bounded");
            }
            assert!(table.iter().eq(model.iter()), "seed {seed}");
            assert!(table.values().eq(model.values()));
            for value in table.values_mut() {
                *value += 1;
            }
            for value in model.values_mut() {
                *value += 1;
            }
            assert!(table.iter().eq(model.iter()));
        }
    }
}
