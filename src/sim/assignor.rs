//! Kafka's four classic (client-side) consumer partition assignors, ported from the Java client.
//!
//! The group leader runs one of these assignors over every member's subscription. This module reproduces
//! `RangeAssignor`, `RoundRobinAssignor`, `StickyAssignor` and `CooperativeStickyAssignor` of
//! `apache/kafka` (trunk of 2024-10-25, `clients/src/main/java/org/apache/kafka/clients/consumer/`),
//! without rack awareness, including the order of the partitions inside each member's list.
//!
//! Kafka's assignors break some ties by iterating `java.util.HashMap`s. The module emulates those iteration
//! orders exactly: `String.hashCode` and `TopicPartition.hashCode` in wrapping `int` arithmetic, the spread
//! `h ^ (h >>> 16)`, power-of-two tables of 16 buckets that double past three quarters full, bucket chains
//! that `put` appends to and `computeIfAbsent` prepends to, order-preserving splits on resize, and the resize
//! that replaces a treeification while the table is smaller than 64 buckets. Not emulated is the order inside
//! a bucket that Java does convert to a red-black tree (eight or more colliding keys in a table of 64 or more
//! buckets); [`AssignmentDetails::java_order_approximate`] reports when that happened.
//!
//! The input slice of subscriptions stands for the `HashMap` the leader builds in
//! `ConsumerCoordinator.onLeaderElected`: it is filled in the order of the slice (the JoinGroup response
//! order), and a repeated member id replaces the earlier subscription but keeps its position.
//!
//! Known differences from Kafka, all on inputs Kafka itself does not handle:
//! * An empty group: Kafka's sticky assignors throw `ArithmeticException` and round robin throws
//!   `IllegalArgumentException`; here every assignor returns an empty map.
//! * Owned partitions numbered at or above the topic's partition count: Kafka's two-pointer difference then
//!   miscounts and the equal-subscription builder throws `IllegalStateException`; here the same steps run
//!   and the step that would throw is skipped, so the result may be incomplete.
//! * The general builder throws `NullPointerException` when a partition's previous owner (older generation)
//!   is a member whose assignment cannot change, for example one subscribed to nothing; here that previous
//!   owner is ignored.
//! * `StickyAssignor` reads the generation of a member's userData and compares it with the subscription's
//!   `generationId`; [`Subscription::generation`] stands for both.
//!
//! Kafka keeps `maxGeneration` in the assignor instance across rebalances; [`assign_detailed`] takes the
//! leader's value and returns the new one, and [`assign`] behaves as a fresh instance.

use super::sort;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

/// A partition of a topic; the derived order is by topic name, then by partition number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: u32,
}

impl TopicPartition {
    /// Builds a topic partition from a topic name and a partition number.
    pub fn new(topic: impl Into<String>, partition: u32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    /// Formats the partition as Kafka's `TopicPartition.toString` does, for example `orders-3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// What one member sends to the group leader when it joins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub topics: Vec<String>,
    /// Partitions this member owned in the previous generation (cooperative: ownedPartitions; eager sticky: userData).
    pub owned_partitions: Vec<TopicPartition>,
    /// Generation of owned_partitions; None when unknown.
    pub generation: Option<i32>,
}

impl Subscription {
    /// Builds a dynamic member's subscription that owns nothing and has no generation.
    pub fn new<S: Into<String>>(
        member_id: impl Into<String>,
        topics: impl IntoIterator<Item = S>,
    ) -> Self {
        Subscription {
            member_id: member_id.into(),
            group_instance_id: None,
            topics: topics.into_iter().map(Into::into).collect(),
            owned_partitions: Vec::new(),
            generation: None,
        }
    }

    /// Returns the subscription with the given previously owned partitions and their generation.
    pub fn with_owned(
        mut self,
        owned_partitions: Vec<TopicPartition>,
        generation: Option<i32>,
    ) -> Self {
        self.owned_partitions = owned_partitions;
        self.generation = generation;
        self
    }

    /// Returns the subscription of a static member with the given `group.instance.id`.
    pub fn with_group_instance_id(mut self, group_instance_id: impl Into<String>) -> Self {
        self.group_instance_id = Some(group_instance_id.into());
        self
    }
}

/// The four classic assignors of the Java consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignor {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

impl Assignor {
    /// Returns the name the assignor reports in the JoinGroup protocol list.
    pub fn kafka_name(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::RoundRobin => "roundrobin",
            Assignor::Sticky => "sticky",
            Assignor::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// Returns the fully qualified Java class name used in `partition.assignment.strategy`.
    pub fn kafka_class_name(self) -> &'static str {
        match self {
            Assignor::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            Assignor::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            Assignor::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            Assignor::CooperativeSticky => {
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
            }
        }
    }

    /// Parses a protocol name (`range`) or a fully qualified class name; surrounding whitespace is ignored.
    pub fn from_kafka_name(name: &str) -> Option<Self> {
        let name = name.trim();
        [
            Assignor::Range,
            Assignor::RoundRobin,
            Assignor::Sticky,
            Assignor::CooperativeSticky,
        ]
        .into_iter()
        .find(|assignor| assignor.kafka_name() == name || assignor.kafka_class_name() == name)
    }

    /// Returns true when the assignor supports the COOPERATIVE rebalance protocol (only cooperative-sticky).
    pub fn supports_cooperative(self) -> bool {
        matches!(self, Assignor::CooperativeSticky)
    }
}

/// The assignment and the sticky assignors' by-products that Kafka's tests inspect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentDetails {
    /// Member id to assigned partitions, in the order Kafka returns them; every member appears.
    pub assignment: BTreeMap<String, Vec<TopicPartition>>,
    /// The field `AbstractStickyAssignor.partitionsTransferringOwnership` after the call: partition to its new
    /// owner when all subscriptions are equal, None when the general builder ran or for range and roundrobin.
    pub partitions_transferring_ownership: Option<BTreeMap<TopicPartition, String>>,
    /// `AbstractStickyAssignor.isSticky()` after a general-builder run: false when some partition moved between
    /// two members in both directions for one topic. None when the general builder did not run.
    pub is_sticky: Option<bool>,
    /// The assignor instance's `maxGeneration` after the call (sticky family only); Kafka keeps it across calls.
    pub max_generation: Option<i32>,
    /// True when some emulated Java hash table would have converted a bucket to a tree, so that an iteration
    /// order used for a tie-break may differ from Java's.
    pub java_order_approximate: bool,
}

/// Runs the assignor the way the group leader does and returns member id to assigned partitions.
///
/// `partitions_per_topic` maps a topic to its partition count; topics missing here (or with zero partitions)
/// are unknown to metadata and skipped. Every member appears in the result, possibly with an empty list.
pub fn assign(
    assignor: Assignor,
    partitions_per_topic: &BTreeMap<String, u32>,
    subscriptions: &[Subscription],
) -> BTreeMap<String, Vec<TopicPartition>> {
    assign_detailed(assignor, partitions_per_topic, subscriptions, None).assignment
}

/// Runs the assignor and also returns the by-products of the sticky assignors.
///
/// `leader_max_generation` is the `maxGeneration` field that the leader's Java assignor instance kept from its
/// previous calls (it is never reset in Kafka); None stands for a fresh instance.
pub fn assign_detailed(
    assignor: Assignor,
    partitions_per_topic: &BTreeMap<String, u32>,
    subscriptions: &[Subscription],
    leader_max_generation: Option<i32>,
) -> AssignmentDetails {
    let group = Group::new(partitions_per_topic, subscriptions);
    let mut details = AssignmentDetails {
        assignment: BTreeMap::new(),
        partitions_transferring_ownership: None,
        is_sticky: None,
        max_generation: None,
        java_order_approximate: group.java_order_approximate,
    };
    if group.member_ids.is_empty() {
        if matches!(assignor, Assignor::Sticky | Assignor::CooperativeSticky) {
            details.max_generation = Some(leader_max_generation.unwrap_or(DEFAULT_GENERATION));
        }
        return details;
    }
    let lists: Vec<Vec<Tp>> = match assignor {
        Assignor::Range => range_assign(&group),
        Assignor::RoundRobin => round_robin_assign(&group),
        Assignor::Sticky | Assignor::CooperativeSticky => {
            let outcome = sticky_assign(
                &group,
                assignor == Assignor::CooperativeSticky,
                leader_max_generation,
            );
            // Built by `extend`: `collect` into a `BTreeMap` sorts, with a sort instance of its own.
            details.partitions_transferring_ownership = outcome.transferring.map(|map| {
                let mut transferring = BTreeMap::new();
                transferring.extend(map.into_iter().map(|(tp, member)| {
                    (group.topic_partition(tp), group.member_ids[member].clone())
                }));
                transferring
            });
            details.is_sticky = outcome.is_sticky;
            details.max_generation = Some(outcome.max_generation);
            details.java_order_approximate |= outcome.java_order_approximate;
            outcome.lists
        }
    };
    let lists = lists.into_iter().map(|list| {
        list.into_iter()
            .map(|tp| group.topic_partition(tp))
            .collect::<Vec<_>>()
    });
    details.assignment = BTreeMap::new();
    details
        .assignment
        .extend(group.member_ids.iter().cloned().zip(lists));
    details
}

const DEFAULT_GENERATION: i32 = -1;

// ---------------------------------------------------------------------------------------------------------
// Java emulation helpers.
// ---------------------------------------------------------------------------------------------------------

/// Computes `String.hashCode()`: 31-polynomial over UTF-16 code units with wrapping `int` arithmetic.
fn java_string_hash(value: &str) -> i32 {
    value.encode_utf16().fold(0i32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// Compares two strings as `String.compareTo` does (UTF-16 code units, lexicographic).
fn java_string_cmp(left: &str, right: &str) -> Ordering {
    left.encode_utf16().cmp(right.encode_utf16())
}

/// Computes `TopicPartition.hashCode()` from the topic's `String.hashCode()` and the partition number.
fn java_topic_partition_hash(topic_hash: i32, partition: u32) -> i32 {
    let result = 31i32.wrapping_add(partition as i32);
    result.wrapping_mul(31).wrapping_add(topic_hash)
}

/// The iteration order of a `java.util.HashMap` (or `HashSet`) created with the default constructor.
///
/// The table is kept as Java keeps it: a power-of-two array of bucket chains. `put` (`HashMap.put`,
/// `HashSet.add`) appends to the chain and resizes after the insertion when the size exceeds the threshold;
/// `compute_if_absent` (`HashMap.computeIfAbsent`) resizes before the lookup when the size already exceeds the
/// threshold and inserts at the head of the chain. A resize splits every chain preserving relative order. A
/// chain that reaches the treeify length resizes the table while it is smaller than 64 buckets; a real
/// conversion to a tree is not emulated and sets `approximate`.
#[derive(Clone, Debug)]
struct JavaHashOrder<K: Ord + Clone> {
    table: Vec<Vec<(K, u32)>>,
    threshold: usize,
    keys: BTreeSet<K>,
    approximate: bool,
}

impl<K: Ord + Clone> JavaHashOrder<K> {
    const DEFAULT_INITIAL_CAPACITY: usize = 16;
    const TREEIFY_THRESHOLD: usize = 8;
    const MIN_TREEIFY_CAPACITY: usize = 64;

    fn new() -> Self {
        JavaHashOrder {
            table: Vec::new(),
            threshold: 0,
            keys: BTreeSet::new(),
            approximate: false,
        }
    }

    fn spread(hash_code: i32) -> u32 {
        let unsigned = hash_code as u32;
        unsigned ^ (unsigned >> 16)
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    /// `HashMap.resize()` for a map built with the default constructor.
    fn resize(&mut self) {
        let old_capacity = self.table.len();
        if old_capacity == 0 {
            self.table = vec![Vec::new(); Self::DEFAULT_INITIAL_CAPACITY];
            self.threshold = Self::DEFAULT_INITIAL_CAPACITY / 4 * 3;
            return;
        }
        let mut new_table: Vec<Vec<(K, u32)>> = vec![Vec::new(); old_capacity * 2];
        for (index, chain) in std::mem::take(&mut self.table).into_iter().enumerate() {
            for (key, spread_hash) in chain {
                let target = if spread_hash as usize & old_capacity == 0 {
                    index
                } else {
                    index + old_capacity
                };
                new_table[target].push((key, spread_hash));
            }
        }
        self.table = new_table;
        self.threshold *= 2;
    }

    /// `HashMap.treeifyBin`: a resize while the table is small, otherwise a tree (not emulated).
    fn treeify_bin(&mut self) {
        if self.table.len() < Self::MIN_TREEIFY_CAPACITY {
            self.resize();
        } else {
            self.approximate = true;
        }
    }

    /// `HashMap.put` / `HashSet.add` of a key with the given Java `hashCode()`; an existing key keeps its place.
    fn put(&mut self, key: K, hash_code: i32) {
        if self.table.is_empty() {
            self.resize();
        }
        if self.keys.contains(&key) {
            return;
        }
        let spread_hash = Self::spread(hash_code);
        let index = spread_hash as usize & (self.table.len() - 1);
        let chain_length = self.table[index].len();
        self.keys.insert(key.clone());
        self.table[index].push((key, spread_hash));
        // putVal treeifies when the appended node is the ninth (or later) of its chain.
        if chain_length > Self::TREEIFY_THRESHOLD - 1 {
            self.treeify_bin();
        }
        if self.len() > self.threshold {
            self.resize();
        }
    }

    /// `HashMap.computeIfAbsent` for a key with the given Java `hashCode()`.
    fn compute_if_absent(&mut self, key: K, hash_code: i32) {
        if self.len() > self.threshold || self.table.is_empty() {
            self.resize();
        }
        if self.keys.contains(&key) {
            return;
        }
        let spread_hash = Self::spread(hash_code);
        let index = spread_hash as usize & (self.table.len() - 1);
        let chain_length = self.table[index].len();
        self.keys.insert(key.clone());
        self.table[index].insert(0, (key, spread_hash));
        if chain_length >= Self::TREEIFY_THRESHOLD - 1 {
            self.treeify_bin();
        }
    }

    fn remove(&mut self, key: &K) {
        if !self.keys.remove(key) {
            return;
        }
        for chain in &mut self.table {
            if let Some(position) = chain.iter().position(|(existing, _)| existing == key) {
                chain.remove(position);
                return;
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Returns the keys in Java iteration order.
    fn iteration_order(&self) -> Vec<K> {
        self.table
            .iter()
            .flatten()
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// Returns what `iterator().next()` returns.
    fn first(&self) -> Option<K> {
        self.table
            .iter()
            .flatten()
            .next()
            .map(|(key, _)| key.clone())
    }
}

/// Removes the first occurrence of `value`, as `List.remove(Object)` does.
fn remove_first<T: PartialEq>(list: &mut Vec<T>, value: &T) -> bool {
    match list.iter().position(|existing| existing == value) {
        Some(position) => {
            list.remove(position);
            true
        }
        None => false,
    }
}

// ---------------------------------------------------------------------------------------------------------
// The leader's view of the group.
// ---------------------------------------------------------------------------------------------------------

/// A partition as (topic index, partition number); topic indexes follow Java's order of topic names, so the
/// derived order equals `TopicPartitionComparator` (topic name, then partition).
type Tp = (usize, u32);

/// The group as the leader sees it: members, their subscriptions and the topics known to metadata.
struct Group {
    /// Member ids in Java `String.compareTo` order; a member index is a position here.
    member_ids: Vec<String>,
    group_instance_ids: Vec<Option<String>>,
    /// Each member's subscribed topic names as sent (duplicates and unknown topics included).
    topics: Vec<Vec<String>>,
    /// Each member's previously owned partitions as sent, and generation (None for unknown or negative).
    owned: Vec<Vec<TopicPartition>>,
    generation: Vec<Option<i32>>,
    /// Member indexes in the iteration order of the leader's subscriptions `HashMap`.
    subscription_order: Vec<usize>,
    /// The metadata topics the group subscribes to with at least one partition, in Java name order.
    topic_names: Vec<String>,
    topic_counts: Vec<u32>,
    topic_hashes: Vec<i32>,
    topic_index: BTreeMap<String, usize>,
    /// Topic indexes in the iteration order of `AbstractPartitionAssignor.assign`'s `partitionsPerTopic`.
    partitions_per_topic_order: Vec<usize>,
    java_order_approximate: bool,
}

impl Group {
    fn new(partitions_per_topic: &BTreeMap<String, u32>, subscriptions: &[Subscription]) -> Self {
        // ConsumerCoordinator.onLeaderElected: subscriptions.put(memberId, subscription) in response order.
        let mut latest: BTreeMap<&str, &Subscription> = BTreeMap::new();
        let mut subscriptions_map: JavaHashOrder<String> = JavaHashOrder::new();
        for subscription in subscriptions {
            latest.insert(subscription.member_id.as_str(), subscription);
            subscriptions_map.put(
                subscription.member_id.clone(),
                java_string_hash(&subscription.member_id),
            );
        }
        let mut member_ids: Vec<String> = latest.keys().map(|id| id.to_string()).collect();
        sort::sort_by(&mut member_ids, |left, right| java_string_cmp(left, right));
        let mut member_index: BTreeMap<&str, usize> = BTreeMap::new();
        member_index.extend(
            member_ids
                .iter()
                .enumerate()
                .map(|(index, id)| (id.as_str(), index)),
        );
        let subscription_order: Vec<usize> = subscriptions_map
            .iteration_order()
            .iter()
            .map(|id| member_index[id.as_str()])
            .collect();
        let subscription_of = |index: usize| latest[member_ids[index].as_str()];
        let group_instance_ids = (0..member_ids.len())
            .map(|index| subscription_of(index).group_instance_id.clone())
            .collect();
        let topics: Vec<Vec<String>> = (0..member_ids.len())
            .map(|index| subscription_of(index).topics.clone())
            .collect();
        let owned = (0..member_ids.len())
            .map(|index| subscription_of(index).owned_partitions.clone())
            .collect();
        let generation = (0..member_ids.len())
            .map(|index| {
                subscription_of(index)
                    .generation
                    .filter(|generation| *generation >= 0)
            })
            .collect();

        // AbstractPartitionAssignor.assign(Cluster, ...): a HashSet of all subscribed topics, then a HashMap
        // of those with partitions in metadata, filled in the set's iteration order.
        let mut all_subscribed_topics: JavaHashOrder<String> = JavaHashOrder::new();
        for &member in &subscription_order {
            for topic in &topics[member] {
                all_subscribed_topics.put(topic.clone(), java_string_hash(topic));
            }
        }
        let mut partitions_per_topic_map: JavaHashOrder<String> = JavaHashOrder::new();
        for topic in all_subscribed_topics.iteration_order() {
            if partitions_per_topic.get(&topic).copied().unwrap_or(0) > 0 {
                partitions_per_topic_map.put(topic.clone(), java_string_hash(&topic));
            }
        }
        let mut topic_names: Vec<String> = partitions_per_topic_map.iteration_order();
        sort::sort_by(&mut topic_names, |left, right| java_string_cmp(left, right));
        let mut topic_index: BTreeMap<String, usize> = BTreeMap::new();
        topic_index.extend(
            topic_names
                .iter()
                .enumerate()
                .map(|(index, topic)| (topic.clone(), index)),
        );
        let topic_counts = topic_names
            .iter()
            .map(|topic| partitions_per_topic[topic])
            .collect();
        let topic_hashes = topic_names
            .iter()
            .map(|topic| java_string_hash(topic))
            .collect();
        let partitions_per_topic_order = partitions_per_topic_map
            .iteration_order()
            .iter()
            .map(|topic| topic_index[topic])
            .collect();
        let java_order_approximate = subscriptions_map.approximate
            || all_subscribed_topics.approximate
            || partitions_per_topic_map.approximate;

        Group {
            member_ids,
            group_instance_ids,
            topics,
            owned,
            generation,
            subscription_order,
            topic_names,
            topic_counts,
            topic_hashes,
            topic_index,
            partitions_per_topic_order,
            java_order_approximate,
        }
    }

    fn topic_partition(&self, tp: Tp) -> TopicPartition {
        TopicPartition::new(self.topic_names[tp.0].clone(), tp.1)
    }

    fn member_count(&self) -> usize {
        self.member_ids.len()
    }

    /// `AbstractPartitionAssignor.MemberInfo.compareTo`: static members first by instance id, then member id.
    fn member_info_cmp(&self, left: usize, right: usize) -> Ordering {
        match (
            &self.group_instance_ids[left],
            &self.group_instance_ids[right],
        ) {
            (Some(left_instance), Some(right_instance)) => {
                java_string_cmp(left_instance, right_instance)
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => java_string_cmp(&self.member_ids[left], &self.member_ids[right]),
        }
    }

    /// Member indexes sorted as `Utils.sorted(memberInfos)` (stable, starting from the subscriptions order).
    fn sorted_member_infos(&self, members: &[usize]) -> Vec<usize> {
        let mut sorted = members.to_vec();
        sort::sort_by(&mut sorted, |left, right| {
            self.member_info_cmp(*left, *right)
        });
        sorted
    }
}

// ---------------------------------------------------------------------------------------------------------
// RangeAssignor.
// ---------------------------------------------------------------------------------------------------------

/// `RangeAssignor.assignPartitions` without racks: per topic, contiguous blocks over the sorted subscribers.
fn range_assign(group: &Group) -> Vec<Vec<Tp>> {
    let mut lists: Vec<Vec<Tp>> = vec![Vec::new(); group.member_count()];
    for &topic in &group.partitions_per_topic_order {
        // consumersPerTopic adds a member once per occurrence of the topic; the LinkedHashMap dedups.
        let subscribers: Vec<usize> = group
            .subscription_order
            .iter()
            .flat_map(|&member| {
                group.topics[member]
                    .iter()
                    .filter(|name| **name == group.topic_names[topic])
                    .map(move |_| member)
            })
            .collect();
        let mut consumers: Vec<usize> = Vec::new();
        for member in group.sorted_member_infos(&subscribers) {
            if !consumers.contains(&member) {
                consumers.push(member);
            }
        }
        if consumers.is_empty() {
            continue;
        }
        let partition_count = group.topic_counts[topic];
        let per_consumer = partition_count / consumers.len() as u32;
        let mut with_extra = partition_count % consumers.len() as u32;
        let mut next_partition = 0u32;
        for member in consumers {
            if next_partition >= partition_count {
                break;
            }
            let assignable = per_consumer + u32::from(with_extra > 0);
            let take = assignable.min(partition_count - next_partition);
            if take == 0 {
                continue;
            }
            lists[member].extend(
                (next_partition..next_partition + take).map(|partition| (topic, partition)),
            );
            next_partition += take;
            if take > per_consumer {
                with_extra -= 1;
            }
        }
    }
    lists
}

// ---------------------------------------------------------------------------------------------------------
// RoundRobinAssignor.
// ---------------------------------------------------------------------------------------------------------

/// `RoundRobinAssignor.assign`: sorted topics, partitions dealt to a circular iterator skipping non-subscribers.
fn round_robin_assign(group: &Group) -> Vec<Vec<Tp>> {
    let mut lists: Vec<Vec<Tp>> = vec![Vec::new(); group.member_count()];
    let members = group.sorted_member_infos(&group.subscription_order);
    let mut next = 0usize;
    // topic_names is already the TreeSet order of the subscribed topics known to metadata.
    for (topic, name) in group.topic_names.iter().enumerate() {
        for partition in 0..group.topic_counts[topic] {
            let mut skipped = 0usize;
            while !group.topics[members[next]].contains(name) && skipped < members.len() {
                next = (next + 1) % members.len();
                skipped += 1;
            }
            if skipped == members.len() {
                continue;
            }
            lists[members[next]].push((topic, partition));
            next = (next + 1) % members.len();
        }
    }
    lists
}

// ---------------------------------------------------------------------------------------------------------
// AbstractStickyAssignor, StickyAssignor and CooperativeStickyAssignor.
// ---------------------------------------------------------------------------------------------------------

struct StickyOutcome {
    lists: Vec<Vec<Tp>>,
    transferring: Option<BTreeMap<Tp, usize>>,
    is_sticky: Option<bool>,
    max_generation: i32,
    java_order_approximate: bool,
}

/// `StickyAssignor.serializeTopicPartitionAssignment` followed by deserialization: partitions grouped by topic
/// in the iteration order of `CollectionUtils.groupPartitionsByTopic`'s `HashMap`.
fn group_partitions_by_topic(partitions: &[TopicPartition]) -> (Vec<TopicPartition>, bool) {
    let mut topics: JavaHashOrder<String> = JavaHashOrder::new();
    let mut by_topic: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for tp in partitions {
        // groupPartitionsByTopic uses computeIfAbsent, which inserts at the head of a bucket.
        topics.compute_if_absent(tp.topic.clone(), java_string_hash(&tp.topic));
        by_topic
            .entry(tp.topic.as_str())
            .or_default()
            .push(tp.partition);
    }
    let grouped = topics
        .iteration_order()
        .into_iter()
        .flat_map(|topic| {
            by_topic[topic.as_str()]
                .iter()
                .map(|partition| TopicPartition::new(topic.clone(), *partition))
                .collect::<Vec<_>>()
        })
        .collect();
    (grouped, topics.approximate)
}

fn sticky_assign(
    group: &Group,
    cooperative: bool,
    leader_max_generation: Option<i32>,
) -> StickyOutcome {
    let member_count = group.member_count();
    let mut java_order_approximate = false;

    // memberData(subscription): the eager assignor reads its userData, whose partitions come back grouped by
    // topic; the cooperative assignor reads ownedPartitions as sent. Unknown topics are dropped here because
    // every use below either filters them (allSubscriptionsEqual) or only looks up known partitions.
    let member_partitions: Vec<Vec<Tp>> = (0..member_count)
        .map(|member| {
            let owned = if cooperative {
                group.owned[member].clone()
            } else {
                let (grouped, approximate) = group_partitions_by_topic(&group.owned[member]);
                java_order_approximate |= approximate;
                grouped
            };
            owned
                .iter()
                .filter_map(|tp| {
                    group
                        .topic_index
                        .get(&tp.topic)
                        .map(|&topic| (topic, tp.partition))
                })
                .collect()
        })
        .collect();
    let generation_of = |member: usize| group.generation[member].unwrap_or(DEFAULT_GENERATION);

    // allSubscriptionsEqual.
    let mut all_subscriptions_equal = true;
    let mut subscribed_topics: BTreeSet<&str> = BTreeSet::new();
    let mut max_generation = leader_max_generation.unwrap_or(DEFAULT_GENERATION);
    let mut consumer_to_owned: Vec<Vec<Tp>> = vec![Vec::new(); member_count];
    let mut consumer_to_owned_map: JavaHashOrder<usize> = JavaHashOrder::new();
    let mut previous_owner: BTreeMap<Tp, usize> = BTreeMap::new();
    let mut multiple_previous_owners: BTreeSet<Tp> = BTreeSet::new();
    for &member in &group.subscription_order {
        let topics = &group.topics[member];
        if subscribed_topics.is_empty() {
            subscribed_topics.extend(topics.iter().map(String::as_str));
        } else if all_subscriptions_equal
            && !(topics.len() == subscribed_topics.len()
                && topics
                    .iter()
                    .all(|topic| subscribed_topics.contains(topic.as_str())))
        {
            all_subscriptions_equal = false;
        }
        let member_generation = generation_of(member);
        max_generation = max_generation.max(member_generation);
        consumer_to_owned_map.put(member, java_string_hash(&group.member_ids[member]));
        for &tp in &member_partitions[member] {
            match previous_owner.get(&tp).copied() {
                None => {
                    consumer_to_owned[member].push(tp);
                    previous_owner.insert(tp, member);
                }
                Some(other) => {
                    let other_generation = generation_of(other);
                    if member_generation == other_generation {
                        multiple_previous_owners.insert(tp);
                        remove_first(&mut consumer_to_owned[other], &tp);
                        previous_owner.insert(tp, member);
                    } else if member_generation > other_generation {
                        consumer_to_owned[member].push(tp);
                        remove_first(&mut consumer_to_owned[other], &tp);
                        previous_owner.insert(tp, member);
                    }
                }
            }
        }
    }
    java_order_approximate |= consumer_to_owned_map.approximate;
    let current_assignment_order = consumer_to_owned_map.iteration_order();

    let (mut lists, transferring, is_sticky) = if all_subscriptions_equal {
        let (lists, transferring) = ConstrainedAssignmentBuilder::build(
            group,
            consumer_to_owned,
            &current_assignment_order,
            &multiple_previous_owners,
        );
        (lists, Some(transferring), None)
    } else {
        let mut builder =
            GeneralAssignmentBuilder::new(group, consumer_to_owned, &current_assignment_order);
        let previous_assignment =
            prepopulate_current_assignments(group, &member_partitions, max_generation);
        let lists = builder.build(&previous_assignment);
        java_order_approximate |= builder.movements.approximate;
        let is_sticky = builder.movements.is_sticky();
        (lists, None, Some(is_sticky))
    };

    if cooperative {
        // CooperativeStickyAssignor.adjustAssignment: a partition that must first be revoked from its previous
        // owner is removed from its new owner for this round.
        let to_remove: BTreeMap<Tp, usize> = match &transferring {
            Some(map) => map.clone(),
            None => compute_partitions_transferring_ownership(&lists, &member_partitions),
        };
        for (tp, member) in to_remove {
            remove_first(&mut lists[member], &tp);
        }
    }

    StickyOutcome {
        lists,
        transferring,
        is_sticky,
        max_generation,
        java_order_approximate,
    }
}

/// `CooperativeStickyAssignor.computePartitionsTransferringOwnership`: (assigned − owned) ∩ (owned − assigned).
fn compute_partitions_transferring_ownership(
    lists: &[Vec<Tp>],
    owned: &[Vec<Tp>],
) -> BTreeMap<Tp, usize> {
    let mut added: BTreeMap<Tp, usize> = BTreeMap::new();
    let mut revoked: BTreeSet<Tp> = BTreeSet::new();
    for (member, assigned) in lists.iter().enumerate() {
        let mut owned_set: BTreeSet<Tp> = BTreeSet::new();
        owned_set.extend(owned[member].iter().copied());
        let mut assigned_set: BTreeSet<Tp> = BTreeSet::new();
        assigned_set.extend(assigned.iter().copied());
        for tp in assigned {
            if !owned_set.contains(tp) {
                added.insert(*tp, member);
            }
        }
        for tp in &owned[member] {
            if !assigned_set.contains(tp) {
                revoked.insert(*tp);
            }
        }
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

/// The (consumer, generation) kept per partition by `prepopulateCurrentAssignments`.
type PreviousAssignment = BTreeMap<Tp, (usize, i32)>;

/// `GeneralAssignmentBuilder.prepopulateCurrentAssignments`: partitions claimed by members of an older
/// generation, keeping the highest such generation (the first claimant on ties, in subscriptions order).
fn prepopulate_current_assignments(
    group: &Group,
    member_partitions: &[Vec<Tp>],
    max_generation: i32,
) -> PreviousAssignment {
    let mut previous: PreviousAssignment = BTreeMap::new();
    for &member in &group.subscription_order {
        let generation = match group.generation[member] {
            Some(generation) if generation < max_generation => generation,
            None if max_generation > DEFAULT_GENERATION => DEFAULT_GENERATION,
            _ => continue,
        };
        for &tp in &member_partitions[member] {
            match previous.get(&tp) {
                Some(&(_, existing)) if generation <= existing => {}
                _ => {
                    previous.insert(tp, (member, generation));
                }
            }
        }
    }
    previous
}

/// `AbstractStickyAssignor.ConstrainedAssignmentBuilder` (all members subscribe to the same topics).
struct ConstrainedAssignmentBuilder;

impl ConstrainedAssignmentBuilder {
    fn build(
        group: &Group,
        current_assignment: Vec<Vec<Tp>>,
        current_assignment_order: &[usize],
        multiple_previous_owners: &BTreeSet<Tp>,
    ) -> (Vec<Vec<Tp>>, BTreeMap<Tp, usize>) {
        let member_count = group.member_count();
        let total_partitions: usize = group.topic_counts.iter().map(|count| *count as usize).sum();
        let min_quota = total_partitions / member_count;
        let max_quota = total_partitions.div_ceil(member_count);
        let expected_over_min = total_partitions % member_count;
        let mut current_over_min = 0usize;

        let mut assignment: Vec<Vec<Tp>> = vec![Vec::new(); member_count];
        let mut assigned_partitions: Vec<Tp> = Vec::new();
        let mut maybe_revoked: BTreeMap<Tp, usize> = BTreeMap::new();
        let mut under_min: Vec<usize> = Vec::new();
        let mut exactly_min: VecDeque<usize> = VecDeque::new();
        let mut transferring: BTreeMap<Tp, usize> = BTreeMap::new();

        // assignOwnedPartitions, in the iteration order of consumerToOwnedPartitions.
        for &consumer in current_assignment_order {
            let mut owned = current_assignment[consumer].clone();
            // Sorted by partition number, then topic name (a stable sort, as Java's).
            sort::sort_by(&mut owned, |left, right| {
                left.1.cmp(&right.1).then(left.0.cmp(&right.0))
            });
            for doubly_claimed in multiple_previous_owners {
                remove_first(&mut owned, doubly_claimed);
            }
            if owned.len() < min_quota {
                assignment[consumer].extend(owned.iter().copied());
                assigned_partitions.extend(owned.iter().copied());
                under_min.push(consumer);
            } else if owned.len() >= max_quota && current_over_min < expected_over_min {
                current_over_min += 1;
                if current_over_min == expected_over_min {
                    exactly_min.clear();
                }
                assignment[consumer].extend(owned[..max_quota].iter().copied());
                assigned_partitions.extend(owned[..max_quota].iter().copied());
                for tp in &owned[max_quota..] {
                    maybe_revoked.insert(*tp, consumer);
                }
            } else {
                assignment[consumer].extend(owned[..min_quota].iter().copied());
                assigned_partitions.extend(owned[..min_quota].iter().copied());
                for tp in &owned[min_quota..] {
                    maybe_revoked.insert(*tp, consumer);
                }
                if current_over_min < expected_over_min {
                    exactly_min.push_back(consumer);
                }
            }
        }

        let unassigned = Self::unassigned_partitions(group, assigned_partitions);
        // Member indexes follow Java's member id order, so sorting indexes sorts ids.
        sort::sort(&mut under_min);
        sort::sort(exactly_min.make_contiguous());

        // assignRoundRobin. The iterator over under_min is a cursor plus the index it returned last.
        let mut cursor = 0usize;
        let mut last_returned: Option<usize> = None;
        for &tp in &unassigned {
            let consumer = if cursor < under_min.len() {
                last_returned = Some(cursor);
                cursor += 1;
                under_min[cursor - 1]
            } else if under_min.is_empty() && exactly_min.is_empty() {
                // Kafka throws IllegalStateException("No more unfilled consumers to be assigned.").
                break;
            } else if under_min.is_empty() {
                match exactly_min.pop_front() {
                    Some(consumer) => consumer,
                    None => break,
                }
            } else {
                last_returned = Some(0);
                cursor = 1;
                under_min[0]
            };

            // assignNewPartition.
            assignment[consumer].push(tp);
            let newly_owned_elsewhere = maybe_revoked
                .get(&tp)
                .is_some_and(|previous| *previous != consumer);
            if newly_owned_elsewhere || multiple_previous_owners.contains(&tp) {
                transferring.insert(tp, consumer);
            }
            let assigned_count = assignment[consumer].len();

            if assigned_count == min_quota {
                // Iterator.remove() removes the element returned last (Kafka would throw if there is none).
                if let Some(index) = last_returned.take() {
                    under_min.remove(index);
                    cursor = index;
                }
                exactly_min.push_back(consumer);
            }
            // Kafka also counts members reaching maxQuota here, but only to log an error on broken invariants;
            // verifyUnfilledMembers likewise only throws, so neither is emulated.
        }
        (assignment, transferring)
    }

    /// `ConstrainedAssignmentBuilder.getUnassignedPartitions`: the two-pointer difference, as Kafka writes it.
    fn unassigned_partitions(group: &Group, mut assigned: Vec<Tp>) -> Vec<Tp> {
        let mut unassigned = Vec::new();
        if assigned.is_empty() {
            for (topic, count) in group.topic_counts.iter().enumerate() {
                unassigned.extend((0..*count).map(|partition| (topic, partition)));
            }
            return unassigned;
        }
        sort::sort(&mut assigned);
        let mut add_directly = false;
        let mut iterator = assigned.into_iter();
        let mut next_assigned = iterator.next();
        for (topic, count) in group.topic_counts.iter().enumerate() {
            for partition in 0..*count {
                if add_directly || next_assigned != Some((topic, partition)) {
                    unassigned.push((topic, partition));
                } else {
                    match iterator.next() {
                        Some(next) => next_assigned = Some(next),
                        None => add_directly = true,
                    }
                }
            }
        }
        unassigned
    }
}

/// `AbstractStickyAssignor.PartitionMovements`.
struct PartitionMovements {
    by_topic: BTreeMap<usize, BTreeMap<(usize, usize), JavaHashOrder<Tp>>>,
    movements: BTreeMap<Tp, (usize, usize)>,
    approximate: bool,
}

impl PartitionMovements {
    fn new() -> Self {
        PartitionMovements {
            by_topic: BTreeMap::new(),
            movements: BTreeMap::new(),
            approximate: false,
        }
    }

    fn remove_movement_record(&mut self, partition: Tp) -> Option<(usize, usize)> {
        let pair = self.movements.remove(&partition)?;
        if let Some(pairs) = self.by_topic.get_mut(&partition.0) {
            if let Some(set) = pairs.get_mut(&pair) {
                set.remove(&partition);
                if set.is_empty() {
                    pairs.remove(&pair);
                }
            }
            if pairs.is_empty() {
                self.by_topic.remove(&partition.0);
            }
        }
        Some(pair)
    }

    fn add_movement_record(&mut self, partition: Tp, pair: (usize, usize), topic_hash: i32) {
        self.movements.insert(partition, pair);
        let set = self
            .by_topic
            .entry(partition.0)
            .or_default()
            .entry(pair)
            .or_insert_with(JavaHashOrder::new);
        set.put(
            partition,
            java_topic_partition_hash(topic_hash, partition.1),
        );
        self.approximate |= set.approximate;
    }

    fn move_partition(
        &mut self,
        partition: Tp,
        old_consumer: usize,
        new_consumer: usize,
        topic_hash: i32,
    ) {
        if self.movements.contains_key(&partition) {
            if let Some(existing) = self.remove_movement_record(partition) {
                if existing.0 != new_consumer {
                    self.add_movement_record(partition, (existing.0, new_consumer), topic_hash);
                }
            }
        } else {
            self.add_movement_record(partition, (old_consumer, new_consumer), topic_hash);
        }
    }

    fn actual_partition_to_be_moved(
        &self,
        partition: Tp,
        old_consumer: usize,
        new_consumer: usize,
    ) -> Tp {
        let Some(pairs) = self.by_topic.get(&partition.0) else {
            return partition;
        };
        let old_consumer = self
            .movements
            .get(&partition)
            .map_or(old_consumer, |pair| pair.0);
        match pairs.get(&(new_consumer, old_consumer)) {
            Some(set) => set.first().unwrap_or(partition),
            None => partition,
        }
    }

    /// `isSticky()`: no topic has movements in both directions between two consumers (a cycle of length 2).
    fn is_sticky(&self) -> bool {
        !self.by_topic.values().any(|pairs| {
            pairs.keys().any(|&(source, destination)| {
                source != destination && pairs.contains_key(&(destination, source))
            })
        })
    }
}

/// `AbstractStickyAssignor.GeneralAssignmentBuilder` (members subscribe to different topics).
struct GeneralAssignmentBuilder<'a> {
    group: &'a Group,
    /// topic2AllPotentialConsumers, with one entry per occurrence of the topic in a subscription.
    potential_consumers: Vec<Vec<usize>>,
    /// consumer2AllPotentialTopics: the member's subscribed topics known to metadata, duplicates kept.
    potential_topics: Vec<Vec<usize>>,
    current_assignment: Vec<Vec<Tp>>,
    /// False for members removed from currentAssignment as fixed assignments.
    present: Vec<bool>,
    current_assignment_order: Vec<usize>,
    current_partition_consumer: BTreeMap<Tp, usize>,
    sorted_all_partitions: Vec<Tp>,
    /// sortedCurrentSubscriptions as (assignment size, member index): Java orders by size, then member id.
    sorted_current_subscriptions: BTreeSet<(usize, usize)>,
    revocation_required: bool,
    movements: PartitionMovements,
    total_partitions: usize,
}

impl<'a> GeneralAssignmentBuilder<'a> {
    fn new(
        group: &'a Group,
        current_assignment: Vec<Vec<Tp>>,
        current_assignment_order: &[usize],
    ) -> Self {
        let topic_count = group.topic_names.len();
        let mut potential_consumers: Vec<Vec<usize>> = vec![Vec::new(); topic_count];
        let mut potential_topics: Vec<Vec<usize>> = vec![Vec::new(); group.member_count()];
        for &member in &group.subscription_order {
            for name in &group.topics[member] {
                if let Some(&topic) = group.topic_index.get(name) {
                    potential_topics[member].push(topic);
                    potential_consumers[topic].push(member);
                }
            }
        }
        let mut current_partition_consumer = BTreeMap::new();
        for &member in current_assignment_order {
            for &tp in &current_assignment[member] {
                current_partition_consumer.insert(tp, member);
            }
        }
        // TopicComparator: number of potential consumers, then topic name.
        let mut sorted_topics: Vec<usize> = (0..topic_count).collect();
        sort::sort_by_key(&mut sorted_topics, |&topic| {
            (potential_consumers[topic].len(), topic)
        });
        let sorted_all_partitions = sorted_topics
            .iter()
            .flat_map(|&topic| {
                (0..group.topic_counts[topic]).map(move |partition| (topic, partition))
            })
            .collect();
        GeneralAssignmentBuilder {
            group,
            potential_consumers,
            potential_topics,
            current_assignment,
            present: vec![true; group.member_count()],
            current_assignment_order: current_assignment_order.to_vec(),
            current_partition_consumer,
            sorted_all_partitions,
            sorted_current_subscriptions: BTreeSet::new(),
            revocation_required: false,
            movements: PartitionMovements::new(),
            total_partitions: group.topic_counts.iter().map(|count| *count as usize).sum(),
        }
    }

    fn size(&self, member: usize) -> usize {
        self.current_assignment[member].len()
    }

    fn build(&mut self, previous_assignment: &PreviousAssignment) -> Vec<Vec<Tp>> {
        let assigned = self.assign_owned_partitions();
        let unassigned = self.unassigned_partitions(assigned);
        for member in 0..self.group.member_count() {
            self.sorted_current_subscriptions
                .insert((self.size(member), member));
        }
        self.balance(previous_assignment, unassigned);
        std::mem::take(&mut self.current_assignment)
    }

    fn assign_owned_partitions(&mut self) -> Vec<Tp> {
        let mut assigned = Vec::new();
        for &member in &self.current_assignment_order {
            let subscribed = &self.group.topics[member];
            let group = self.group;
            let mut revoked = false;
            self.current_assignment[member].retain(|tp| {
                if subscribed.contains(&group.topic_names[tp.0]) {
                    assigned.push(*tp);
                    true
                } else {
                    // The stale entry in currentPartitionConsumer stays, as in Kafka.
                    revoked = true;
                    false
                }
            });
            self.revocation_required |= revoked;
        }
        assigned
    }

    /// `GeneralAssignmentBuilder.getUnassignedPartitions`, with `PartitionComparator` ordering.
    fn unassigned_partitions(&self, mut assigned: Vec<Tp>) -> Vec<Tp> {
        if assigned.is_empty() {
            return self.sorted_all_partitions.clone();
        }
        sort::sort_by_key(&mut assigned, |&(topic, partition)| {
            (self.potential_consumers[topic].len(), topic, partition)
        });
        let mut unassigned = Vec::new();
        let mut add_directly = false;
        let mut iterator = assigned.into_iter();
        let mut next_assigned = iterator.next();
        for &tp in &self.sorted_all_partitions {
            if add_directly || next_assigned != Some(tp) {
                unassigned.push(tp);
            } else {
                match iterator.next() {
                    Some(next) => next_assigned = Some(next),
                    None => add_directly = true,
                }
            }
        }
        unassigned
    }

    fn max_assignment_size(&self, member: usize) -> usize {
        let topics = &self.potential_topics[member];
        if topics.len() == self.group.topic_names.len() {
            self.total_partitions
        } else {
            topics
                .iter()
                .map(|&topic| self.group.topic_counts[topic] as usize)
                .sum()
        }
    }

    fn can_topic_participate(&self, topic: usize) -> bool {
        self.potential_consumers[topic].len() >= 2
    }

    fn can_consumer_participate(&self, member: usize) -> bool {
        if self.size(member) < self.max_assignment_size(member) {
            return true;
        }
        self.current_assignment[member]
            .iter()
            .any(|&(topic, _)| self.can_topic_participate(topic))
    }

    fn is_balanced(&self) -> bool {
        let (Some(&(min, _)), Some(&(max, _))) = (
            self.sorted_current_subscriptions.first(),
            self.sorted_current_subscriptions.last(),
        ) else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        let mut all_partitions: BTreeMap<Tp, usize> = BTreeMap::new();
        for &member in &self.current_assignment_order {
            if self.present[member] {
                for &tp in &self.current_assignment[member] {
                    all_partitions.insert(tp, member);
                }
            }
        }
        for &(size, member) in &self.sorted_current_subscriptions {
            if size == self.max_assignment_size(member) {
                continue;
            }
            let mut own: BTreeSet<Tp> = BTreeSet::new();
            own.extend(self.current_assignment[member].iter().copied());
            for &topic in &self.potential_topics[member] {
                for partition in 0..self.group.topic_counts[topic] {
                    let tp = (topic, partition);
                    if own.contains(&tp) {
                        continue;
                    }
                    // Kafka would throw a NullPointerException for a partition nobody holds; skip it.
                    if let Some(&other) = all_partitions.get(&tp) {
                        if size + 1 < self.size(other) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    /// Sum over all unordered pairs of present members of the difference of their assignment sizes.
    fn balance_score(assignment: &[(usize, usize)]) -> u64 {
        let mut score = 0u64;
        for (index, (_, size)) in assignment.iter().enumerate() {
            for (_, other) in &assignment[index + 1..] {
                score += size.abs_diff(*other) as u64;
            }
        }
        score
    }

    fn present_sizes(&self) -> Vec<(usize, usize)> {
        (0..self.group.member_count())
            .filter(|&member| self.present[member])
            .map(|member| (member, self.size(member)))
            .collect()
    }

    fn maybe_assign_partition(&mut self, tp: Tp) {
        let chosen = self
            .sorted_current_subscriptions
            .iter()
            .copied()
            .find(|&(_, member)| self.potential_topics[member].contains(&tp.0));
        if let Some((size, member)) = chosen {
            self.sorted_current_subscriptions.remove(&(size, member));
            self.current_assignment[member].push(tp);
            self.current_partition_consumer.insert(tp, member);
            self.sorted_current_subscriptions
                .insert((self.size(member), member));
        }
    }

    fn balance(&mut self, previous_assignment: &PreviousAssignment, mut unassigned: Vec<Tp>) {
        let initializing = match self.sorted_current_subscriptions.last() {
            Some(&(size, _)) => size == 0,
            None => return,
        };
        for &tp in &unassigned {
            if self.potential_consumers[tp.0].is_empty() {
                continue;
            }
            self.maybe_assign_partition(tp);
        }

        // Narrow down the reassignment scope to partitions and consumers that can actually move.
        let mut fixed_topics: BTreeSet<usize> = BTreeSet::new();
        fixed_topics.extend(
            (0..self.group.topic_names.len()).filter(|&topic| !self.can_topic_participate(topic)),
        );
        self.sorted_all_partitions
            .retain(|tp| !fixed_topics.contains(&tp.0));
        unassigned.retain(|tp| !fixed_topics.contains(&tp.0));
        let mut fixed_consumers = Vec::new();
        for member in 0..self.group.member_count() {
            if !self.can_consumer_participate(member) {
                self.sorted_current_subscriptions
                    .remove(&(self.size(member), member));
                self.present[member] = false;
                fixed_consumers.push(member);
            }
        }

        let pre_balance_assignment: Vec<(usize, Vec<Tp>)> = (0..self.group.member_count())
            .filter(|&member| self.present[member])
            .map(|member| (member, self.current_assignment[member].clone()))
            .collect();
        let pre_balance_score = Self::balance_score(
            &pre_balance_assignment
                .iter()
                .map(|(member, list)| (*member, list.len()))
                .collect::<Vec<_>>(),
        );
        let pre_balance_partition_consumers = self.current_partition_consumer.clone();

        if !self.revocation_required {
            self.perform_reassignments(&unassigned, previous_assignment);
        }
        let all_partitions = self.sorted_all_partitions.clone();
        let reassignment_performed =
            self.perform_reassignments(&all_partitions, previous_assignment);

        if !initializing
            && reassignment_performed
            && Self::balance_score(&self.present_sizes()) >= pre_balance_score
        {
            for (member, list) in pre_balance_assignment {
                self.current_assignment[member] = list;
            }
            self.current_partition_consumer = pre_balance_partition_consumers;
            // Kafka leaves sortedCurrentSubscriptions stale here; it is not read again.
        }

        for member in fixed_consumers {
            self.present[member] = true;
            self.sorted_current_subscriptions
                .insert((self.size(member), member));
        }
    }

    fn perform_reassignments(
        &mut self,
        partitions: &[Tp],
        previous_assignment: &PreviousAssignment,
    ) -> bool {
        let mut reassignment_performed = false;
        loop {
            let mut modified = false;
            for &tp in partitions {
                if self.is_balanced() {
                    break;
                }
                // Kafka would throw a NullPointerException for an unassigned partition; skip it.
                let Some(&consumer) = self.current_partition_consumer.get(&tp) else {
                    continue;
                };
                if !self.present[consumer] {
                    continue;
                }
                if let Some(&(previous_consumer, _)) = previous_assignment.get(&tp) {
                    // Kafka would throw a NullPointerException when the previous owner is a fixed consumer;
                    // the condition is treated as false instead.
                    if self.present[previous_consumer]
                        && self.size(consumer) > self.size(previous_consumer) + 1
                    {
                        self.reassign_partition_to(tp, previous_consumer);
                        reassignment_performed = true;
                        modified = true;
                        continue;
                    }
                }
                let should_move = self.potential_consumers[tp.0].iter().any(|&other| {
                    self.present[other] && self.size(consumer) > self.size(other) + 1
                });
                if should_move {
                    self.reassign_partition(tp);
                    reassignment_performed = true;
                    modified = true;
                }
            }
            if !modified {
                break;
            }
        }
        reassignment_performed
    }

    fn reassign_partition(&mut self, tp: Tp) {
        let new_consumer = self
            .sorted_current_subscriptions
            .iter()
            .map(|&(_, member)| member)
            .find(|&member| self.potential_topics[member].contains(&tp.0));
        if let Some(new_consumer) = new_consumer {
            self.reassign_partition_to(tp, new_consumer);
        }
    }

    fn reassign_partition_to(&mut self, tp: Tp, new_consumer: usize) {
        let Some(&consumer) = self.current_partition_consumer.get(&tp) else {
            return;
        };
        let to_move = self
            .movements
            .actual_partition_to_be_moved(tp, consumer, new_consumer);
        self.process_partition_movement(to_move, new_consumer);
    }

    fn process_partition_movement(&mut self, tp: Tp, new_consumer: usize) {
        let Some(&old_consumer) = self.current_partition_consumer.get(&tp) else {
            return;
        };
        if !self.present[old_consumer] || !self.present[new_consumer] {
            return;
        }
        self.sorted_current_subscriptions
            .remove(&(self.size(old_consumer), old_consumer));
        self.sorted_current_subscriptions
            .remove(&(self.size(new_consumer), new_consumer));
        self.movements.move_partition(
            tp,
            old_consumer,
            new_consumer,
            self.group.topic_hashes[tp.0],
        );
        remove_first(&mut self.current_assignment[old_consumer], &tp);
        self.current_assignment[new_consumer].push(tp);
        self.current_partition_consumer.insert(tp, new_consumer);
        self.sorted_current_subscriptions
            .insert((self.size(new_consumer), new_consumer));
        self.sorted_current_subscriptions
            .insert((self.size(old_consumer), old_consumer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_string_hash_matches_known_values() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99162322);
        // Wrapping arithmetic: "polygenelubricants".hashCode() == Integer.MIN_VALUE.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    }

    #[test]
    fn hash_order_of_consumer1_to_4_is_reversed() {
        let mut map = JavaHashOrder::new();
        for id in ["consumer1", "consumer2", "consumer3", "consumer4"] {
            map.put(id.to_string(), java_string_hash(id));
        }
        assert_eq!(
            map.iteration_order(),
            vec!["consumer4", "consumer3", "consumer2", "consumer1"]
        );
    }

    #[test]
    fn hash_order_resizes_after_the_thirteenth_put() {
        let mut map = JavaHashOrder::new();
        for key in 0..12u32 {
            map.put(key, key as i32);
        }
        assert_eq!(map.table.len(), 16);
        map.put(12, 12);
        assert_eq!(map.table.len(), 32);
    }

    #[test]
    fn hash_order_put_appends_and_compute_if_absent_prepends_in_a_bucket() {
        let mut put = JavaHashOrder::new();
        let mut computed = JavaHashOrder::new();
        for key in 0..3u32 {
            put.put(key, (key * 32) as i32);
            computed.compute_if_absent(key, (key * 32) as i32);
        }
        assert_eq!(put.iteration_order(), vec![0, 1, 2]);
        assert_eq!(computed.iteration_order(), vec![2, 1, 0]);
    }

    #[test]
    fn hash_order_resizes_instead_of_treeifying_below_64_buckets() {
        let mut put = JavaHashOrder::new();
        let mut computed = JavaHashOrder::new();
        for key in 0..8u32 {
            put.put(key, (key * 64) as i32);
            computed.compute_if_absent(key, (key * 64) as i32);
        }
        // computeIfAbsent treeifies when the chain already holds 7 nodes, putVal when it holds 8.
        assert_eq!((put.table.len(), computed.table.len()), (16, 32));
        put.put(8, 8 * 64);
        assert_eq!(put.table.len(), 32);
        assert!(!put.approximate && !computed.approximate);
    }

    #[test]
    fn group_partitions_by_topic_matches_java() {
        // Checked against CollectionUtils.groupPartitionsByTopic on a JVM:
        // {BB=[2, 6], topic1=[0, 3], t10=[4], t6=[0, 3], t12=[4]}.
        let owned: Vec<TopicPartition> = [
            ("t6", 0),
            ("t6", 3),
            ("topic1", 0),
            ("topic1", 3),
            ("BB", 2),
            ("BB", 6),
            ("t12", 4),
            ("t10", 4),
        ]
        .iter()
        .map(|(topic, partition)| TopicPartition::new(*topic, *partition))
        .collect();
        let (grouped, approximate) = group_partitions_by_topic(&owned);
        let names: Vec<String> = grouped.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            ["BB-2", "BB-6", "topic1-0", "topic1-3", "t10-4", "t6-0", "t6-3", "t12-4"]
        );
        assert!(!approximate);
    }
}
