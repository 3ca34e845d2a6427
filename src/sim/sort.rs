//! One small stable sort for the whole program.
//!
//! The standard library's sorts are fast, but each call site instantiates them for its element type and
//! comparator, at 2 to 4 KB of wasm per instance (over 80 KB in all, a quarter of it gzipped). Nothing here
//! sorts in a hot loop, so a compact sort serves better. The merge sort below sorts positions (`usize`), so
//! it is compiled once, behind `dyn`; each call site adds only a comparator and a permutation.
//!
//! It is stable: elements that compare equal keep their order. A stable sort gives the same result as any
//! other stable sort, and as an unstable one wherever equal elements are indistinguishable.

use std::cmp::Ordering;

/// Sorts `items` stably by `compare`, like `slice::sort_by`.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = sorted_positions(items.len(), &mut |a, b| {
        compare(&items[a], &items[b]) == Ordering::Greater
    });
    permute(items, order);
}

/// Sorts `items` stably by a key, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` stably in their natural order, like `slice::sort`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The positions `0..n` in sorted order: a bottom-up merge sort, where `greater(a, b)` says whether the
/// element at position `a` sorts after the one at `b`. Ties take the left run first, which keeps it stable.
fn sorted_positions(n: usize, greater: &mut dyn FnMut(usize, usize) -> bool) -> Vec<usize> {
    let mut from: Vec<usize> = (0..n).collect();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let middle = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right) = (start, middle);
            for slot in &mut to[start..end] {
                let take_left =
                    left < middle && (right >= end || !greater(from[left], from[right]));
                if take_left {
                    *slot = from[left];
                    left += 1;
                } else {
                    *slot = from[right];
                    right += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from
}

/// Rearranges `items` so that position `k` holds the element that was at `order[k]`, by following the
/// permutation's cycles with swaps.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut current = start;
        while order[current] != DONE {
            let next = order[current];
            order[current] = DONE;
            if next == start {
                break;
            }
            items.swap(current, next);
            current = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic scramble: the same shuffled inputs on every run.
    fn scrambled(n: usize, seed: u64) -> Vec<(u32, usize)> {
        let mut state = seed;
        (0..n)
            .map(|index| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Few distinct keys, so that stability matters.
                (((state >> 33) % 7) as u32, index)
            })
            .collect()
    }

    #[test]
    fn sorts_like_the_standard_stable_sort_at_every_length() {
        for n in 0..200 {
            for seed in 0..3 {
                let mut ours = scrambled(n, seed);
                let mut theirs = ours.clone();
                sort_by_key(&mut ours, |item| item.0);
                theirs.sort_by_key(|item| item.0);
                assert_eq!(ours, theirs, "n = {n}, seed = {seed}");
            }
        }
    }

    #[test]
    fn sorts_large_inputs_and_non_copy_elements() {
        let mut numbers: Vec<(u32, usize)> = scrambled(5000, 9);
        let mut expected = numbers.clone();
        sort(&mut numbers);
        expected.sort();
        assert_eq!(numbers, expected);

        let mut names: Vec<String> = ["member-10", "member-2", "member-1", "member-2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_by(&mut names, |a, b| b.cmp(a));
        assert_eq!(names, ["member-2", "member-2", "member-10", "member-1"]);
    }
}
