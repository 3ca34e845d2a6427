//! Kafka's built-in producer partitioner (`BuiltInPartitioner`, KIP-794).
//!
//! Keyed records go to `toPositive(murmur2(key bytes)) % partitions`, byte-exact with Kafka's Java client.
//! Records with a null key use the uniform sticky partitioner: one partition is kept until `batch.size`
//! bytes were produced to it (deferred up to 2 × `batch.size` while its batch is still open), then a new
//! partition is drawn from the partitions that have a leader. Kafka draws with `ThreadLocalRandom`; the
//! simulator draws from its seeded generator so a run stays replayable.

use super::rng::SimRng;

/// MurmurHash2 exactly as `org.apache.kafka.common.utils.Utils.murmur2(byte[])`: 32-bit Java `int`
/// arithmetic with wrap-around, seed `0x9747b28c`, and Java's switch fall-through for the tail.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let length = data.len();
    let mut h: u32 = SEED ^ (length as u32);
    let blocks = length / 4;
    for block in 0..blocks {
        let i = block * 4;
        let mut k = u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let base = blocks * 4;
    let tail = length % 4;
    if tail == 3 {
        h ^= (data[base + 2] as u32) << 16;
    }
    if tail >= 2 {
        h ^= (data[base + 1] as u32) << 8;
    }
    if tail >= 1 {
        h ^= data[base] as u32;
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: masks the sign bit (not `abs`), as Kafka's partition compatibility requires.
pub fn to_positive(n: i32) -> u32 {
    (n as u32) & 0x7fff_ffff
}

/// `BuiltInPartitioner.partitionForKey`: the partition of a keyed record among **all** partitions of the
/// topic, whether or not they currently have a leader.
pub fn partition_for_key(key: &[u8], partition_count: u32) -> u32 {
    assert!(partition_count > 0, "a topic has at least one partition");
    to_positive(murmur2(key)) % partition_count
}

/// The sticky state of null-key records for one producer and one topic (`BuiltInPartitioner`'s
/// `StickyPartitionInfo`).
#[derive(Clone, Debug, Default)]
pub struct StickyPartition {
    current: Option<u32>,
    produced_bytes: u64,
}

impl StickyPartition {
    /// The partition the next null-key record goes to, drawing a new one when none is chosen yet.
    /// `available` lists the partitions with a leader; when it is empty Kafka draws among all partitions.
    pub fn partition(&mut self, available: &[u32], partition_count: u32, rng: &mut SimRng) -> u32 {
        if let Some(partition) = self.current {
            if partition < partition_count {
                return partition;
            }
        }
        let next = if available.is_empty() {
            rng.below(partition_count as u64) as u32
        } else {
            available[rng.below(available.len() as u64) as usize]
        };
        self.current = Some(next);
        self.produced_bytes = 0;
        next
    }

    /// Accounts `bytes` appended to the sticky partition. `batch_is_full_or_closed` is Kafka's
    /// `enableSwitch` (the partition's last batch is full or none is open). Implements
    /// `updatePartitionInfo`: switch when `produced >= batch.size && enableSwitch`, or `produced >= 2 × batch.size`.
    pub fn record_appended(&mut self, bytes: u64, batch_size: u64, batch_is_full_or_closed: bool) {
        self.produced_bytes += bytes;
        let sticky_batch_size = batch_size.max(1);
        if (self.produced_bytes >= sticky_batch_size && batch_is_full_or_closed)
            || self.produced_bytes >= 2 * sticky_batch_size
        {
            self.current = None;
            self.produced_bytes = 0;
        }
    }

    /// Forget the current partition (the topic's partition count changed).
    pub fn reset(&mut self) {
        self.current = None;
        self.produced_bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Kafka's `UtilsTest.testMurmur2`.
    #[test]
    fn murmur2_matches_kafka_utils_test() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973932308),
            (b"foobar", -790332482),
            (b"a-little-bit-long-string", -985981536),
            (b"a-little-bit-longer-string", -1486304829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            (b"abc", 479470107),
        ];
        for (key, expected) in cases {
            assert_eq!(
                murmur2(key),
                expected,
                "murmur2({:?})",
                String::from_utf8_lossy(key)
            );
        }
    }

    #[test]
    fn murmur2_empty_key_is_hashed() {
        assert_eq!(murmur2(b""), 275646681);
    }

    // Independent cross-check vectors (Akka's Murmur2Spec, librdkafka).
    #[test]
    fn murmur2_matches_independent_vectors() {
        let cases: [(&str, i32); 6] = [
            ("1", -1993445489),
            ("12", 126087238),
            ("123", -267702483),
            ("1234", -1614185708),
            ("12345", -1188365604),
            ("kafka", -798503068),
        ];
        for (key, expected) in cases {
            assert_eq!(murmur2(key.as_bytes()), expected, "murmur2({key:?})");
        }
    }

    // `toPositive` masks the sign bit: "21" goes to partition 0 of 3, where abs() would give 2.
    #[test]
    fn to_positive_is_a_mask_not_abs() {
        assert_eq!(partition_for_key(b"21", 3), 0);
        assert_ne!((murmur2(b"21") as i64).abs() % 3, 0);
    }

    // KTableKTableForeignKeyInnerJoinMultiIntegrationTest: keys "0".."9" on 3 partitions.
    #[test]
    fn string_keys_zero_to_nine_on_three_partitions() {
        let expected = [2, 0, 2, 2, 1, 0, 1, 0, 0, 2];
        for (digit, expected) in expected.iter().enumerate() {
            assert_eq!(
                partition_for_key(digit.to_string().as_bytes(), 3),
                *expected,
                "key {digit}"
            );
        }
    }

    // BuiltInPartitionerTest.testStickyPartitioning: batch size 3, 1-byte appends.
    #[test]
    fn sticky_partition_switches_after_batch_size_bytes() {
        let mut rng = SimRng::new(7);
        let mut sticky = StickyPartition::default();
        let available = [0, 1, 2, 3, 4, 5, 6, 7];
        let first = sticky.partition(&available, 8, &mut rng);
        for _ in 0..2 {
            sticky.record_appended(1, 3, true);
            assert_eq!(sticky.partition(&available, 8, &mut rng), first);
        }
        sticky.record_appended(1, 3, true);
        assert!(
            sticky.current.is_none(),
            "the third byte reaches batch.size and switches"
        );
        let mut single = StickyPartition::default();
        for _ in 0..10 {
            assert_eq!(single.partition(&[0], 1, &mut rng), 0);
            single.record_appended(1, 3, true);
        }
    }

    // A switch is deferred while the batch is open and not full, up to 2 × batch.size.
    #[test]
    fn sticky_switch_deferred_until_twice_batch_size() {
        let mut rng = SimRng::new(1);
        let mut sticky = StickyPartition::default();
        let first = sticky.partition(&[0, 1], 2, &mut rng);
        sticky.record_appended(3, 3, false);
        assert_eq!(sticky.current, Some(first));
        sticky.record_appended(3, 3, false);
        assert!(sticky.current.is_none());
    }

    // BuiltInPartitionerTest.unavailablePartitionsTest: never a partition without a leader.
    #[test]
    fn sticky_never_picks_a_partition_without_leader() {
        let mut rng = SimRng::new(3);
        for _ in 0..200 {
            let mut sticky = StickyPartition::default();
            let partition = sticky.partition(&[1, 3], 4, &mut rng);
            assert!(partition == 1 || partition == 3);
        }
    }
}
