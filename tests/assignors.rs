//! Kafka's own assignor test cases, ported from `apache/kafka` (trunk of 2024-10-25):
//! `clients/src/test/java/org/apache/kafka/clients/consumer/{RangeAssignorTest, RoundRobinAssignorTest,
//! StickyAssignorTest, CooperativeStickyAssignorTest}.java` and
//! `clients/src/test/java/org/apache/kafka/clients/consumer/internals/{AbstractStickyAssignorTest,
//! AbstractPartitionAssignorTest}.java`. Rack-parameterised tests are ported for the configuration without
//! racks. Each test names the Kafka test it ports.

#![cfg(not(target_arch = "wasm32"))]
use kafka_sim::sim::assignor::*;
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------------------------
// Helpers shared by all ported tests.
// ---------------------------------------------------------------------------------------------------------

/// `AbstractStickyAssignorTest.generationId`.
const GENERATION_ID: i32 = 1;
/// `AbstractStickyAssignor.DEFAULT_GENERATION`.
const DEFAULT_GENERATION: i32 = -1;

type Assignment = BTreeMap<String, Vec<TopicPartition>>;

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

fn topics(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

fn partitions_per_topic(entries: &[(&str, u32)]) -> BTreeMap<String, u32> {
    entries
        .iter()
        .map(|(topic, count)| (topic.to_string(), *count))
        .collect()
}

fn set(partitions: &[TopicPartition]) -> BTreeSet<TopicPartition> {
    partitions.iter().cloned().collect()
}

/// `AbstractStickyAssignorTest.subscription(topics, i)`: nothing owned, no generation.
fn subscription(member: &str, topic_names: &[String]) -> Subscription {
    Subscription::new(member, topic_names.iter().cloned())
}

/// `buildSubscriptionV2Above(topics, partitions, generation, i)`.
fn subscription_v2(
    member: &str,
    topic_names: &[String],
    owned: &[TopicPartition],
    generation: i32,
) -> Subscription {
    let generation = if generation < 0 {
        None
    } else {
        Some(generation)
    };
    subscription(member, topic_names).with_owned(owned.to_vec(), generation)
}

/// The Java `HashMap<String, Subscription>` of a test, kept in insertion order (a re-put keeps the position).
#[derive(Clone, Debug, Default)]
struct Subscriptions(Vec<Subscription>);

impl Subscriptions {
    fn put(&mut self, subscription: Subscription) {
        match self
            .0
            .iter_mut()
            .find(|existing| existing.member_id == subscription.member_id)
        {
            Some(existing) => *existing = subscription,
            None => self.0.push(subscription),
        }
    }

    fn remove(&mut self, member: &str) {
        self.0.retain(|existing| existing.member_id != member);
    }

    fn get(&self, member: &str) -> &Subscription {
        self.0
            .iter()
            .find(|existing| existing.member_id == member)
            .expect("member is subscribed")
    }

    fn get_mut(&mut self, member: &str) -> &mut Subscription {
        self.0
            .iter_mut()
            .find(|existing| existing.member_id == member)
            .expect("member is subscribed")
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

/// One Java assignor instance: the sticky assignors keep `maxGeneration` and `partitionMovements` across calls.
struct Instance {
    assignor: Assignor,
    max_generation: Option<i32>,
    last: Option<AssignmentDetails>,
    last_is_sticky: Option<bool>,
}

impl Instance {
    fn new(assignor: Assignor) -> Self {
        Instance {
            assignor,
            max_generation: None,
            last: None,
            last_is_sticky: None,
        }
    }

    fn assign(
        &mut self,
        partitions_per_topic: &BTreeMap<String, u32>,
        subscriptions: &Subscriptions,
    ) -> Assignment {
        let details = assign_detailed(
            self.assignor,
            partitions_per_topic,
            &subscriptions.0,
            self.max_generation,
        );
        assert!(!details.java_order_approximate);
        assert_eq!(
            details.assignment,
            assign(self.assignor, partitions_per_topic, &subscriptions.0),
            "assign and assign_detailed agree for a fresh instance state"
        );
        self.max_generation = details.max_generation;
        if details.is_sticky.is_some() {
            self.last_is_sticky = details.is_sticky;
        }
        let assignment = details.assignment.clone();
        self.last = Some(details);
        assignment
    }

    /// `assignor.partitionsTransferringOwnership` (None stands for Java's null).
    fn partitions_transferring_ownership(&self) -> Option<BTreeMap<TopicPartition, String>> {
        self.last
            .as_ref()
            .and_then(|details| details.partitions_transferring_ownership.clone())
    }

    fn assert_no_partitions_transferring(&self) {
        assert_eq!(
            self.partitions_transferring_ownership(),
            Some(BTreeMap::new())
        );
    }

    /// `assignor.isSticky()`: uses the movements of the last general-builder run.
    fn is_sticky(&self) -> bool {
        self.last_is_sticky
            .expect("the general assignment builder ran")
    }
}

fn transfers(entries: &[(&str, u32, &str)]) -> Option<BTreeMap<TopicPartition, String>> {
    Some(
        entries
            .iter()
            .map(|(topic, partition, member)| (tp(topic, *partition), member.to_string()))
            .collect(),
    )
}

/// `AbstractStickyAssignorTest.isFullyBalanced`.
fn is_fully_balanced(assignment: &Assignment) -> bool {
    let sizes: Vec<usize> = assignment.values().map(Vec::len).collect();
    match (sizes.iter().min(), sizes.iter().max()) {
        (Some(min), Some(max)) => max - min <= 1,
        _ => true,
    }
}

/// `AbstractStickyAssignorTest.verifyValidityAndBalance`.
fn verify_validity_and_balance_base(subscriptions: &Subscriptions, assignment: &Assignment) {
    assert_eq!(subscriptions.len(), assignment.len());
    let consumers: Vec<&String> = assignment.keys().collect();
    for (i, consumer) in consumers.iter().enumerate() {
        let partitions = &assignment[*consumer];
        for partition in partitions {
            assert!(
                subscriptions
                    .get(consumer)
                    .topics
                    .contains(&partition.topic),
                "{partition} is assigned to {consumer}, which is not subscribed to its topic: {assignment:?}"
            );
        }
        for other_consumer in &consumers[i + 1..] {
            let other_partitions = &assignment[*other_consumer];
            let common: Vec<_> = set(partitions)
                .intersection(&set(other_partitions))
                .cloned()
                .collect();
            assert!(
                common.is_empty(),
                "{consumer} and {other_consumer} share partitions {common:?}: {assignment:?}"
            );
            if partitions.len().abs_diff(other_partitions.len()) <= 1 {
                continue;
            }
            let topics_of = |list: &Vec<TopicPartition>| {
                list.iter()
                    .map(|p| p.topic.clone())
                    .collect::<BTreeSet<_>>()
            };
            let (mine, theirs) = (topics_of(partitions), topics_of(other_partitions));
            assert!(
                mine.is_disjoint(&theirs),
                "some partitions can be moved between {consumer} and {other_consumer} for a better balance: \
                 {assignment:?}"
            );
        }
    }
}

/// `CooperativeStickyAssignorTest.verifyCooperativeValidity`: true when partitions are being revoked.
fn verify_cooperative_validity(subscriptions: &Subscriptions, assignment: &Assignment) -> bool {
    let mut added = BTreeSet::new();
    let mut revoked = BTreeSet::new();
    for (consumer, assigned) in assignment {
        let owned = set(&subscriptions.get(consumer).owned_partitions);
        let assigned = set(assigned);
        revoked.extend(owned.difference(&assigned).cloned());
        added.extend(assigned.difference(&owned).cloned());
    }
    let both: Vec<_> = added.intersection(&revoked).collect();
    assert!(
        both.is_empty(),
        "partitions assigned to a new consumer in the round they are revoked: {both:?}"
    );
    !revoked.is_empty()
}

/// `verifyValidityAndBalance` as each test class runs it: the cooperative override first runs the follow-up
/// rebalances (owned partitions = last assignment, generation 1) until nothing is revoked, at most 4 of them,
/// and replaces the test's subscriptions and assignment with the final ones.
fn verify_validity_and_balance(
    instance: &mut Instance,
    subscriptions: &mut Subscriptions,
    assignment: &mut Assignment,
    partitions_per_topic: &BTreeMap<String, u32>,
) {
    if instance.assignor == Assignor::CooperativeSticky {
        let mut rebalances = 0;
        while verify_cooperative_validity(subscriptions, assignment) {
            for (consumer, assigned) in assignment.iter() {
                let topic_names = subscriptions.get(consumer).topics.clone();
                subscriptions.put(subscription_v2(
                    consumer,
                    &topic_names,
                    assigned,
                    GENERATION_ID,
                ));
            }
            *assignment = instance.assign(partitions_per_topic, subscriptions);
            rebalances += 1;
            assert!(rebalances <= 4);
        }
    }
    verify_validity_and_balance_base(subscriptions, assignment);
}

/// `AbstractStickyAssignorTest.getCanonicalName`: prefix plus the number zero-padded to the width of max.
fn canonical_name(prefix: &str, i: usize, max: usize) -> String {
    let width = max.to_string().len();
    format!("{prefix}{i:0width$}")
}

fn topic_name(i: usize, max: usize) -> String {
    canonical_name("t", i, max)
}

fn consumer_name(i: usize, max: usize) -> String {
    canonical_name("c", i, max)
}

/// A small deterministic generator standing in for `java.util.Random` in Kafka's randomised tests.
struct TestRandom(u64);

impl TestRandom {
    fn next_below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// `AbstractStickyAssignorTest.getRandomSublist`.
fn random_sublist(random: &mut TestRandom, list: &[String]) -> Vec<String> {
    let mut selected = list.to_vec();
    let how_many_to_remove = random.next_below(list.len());
    for _ in 0..how_many_to_remove {
        let index = random.next_below(selected.len());
        selected.remove(index);
    }
    selected
}

/// `AbstractPartitionAssignorTest.toSortedString`: `topic-partition` strings sorted as strings.
fn to_sorted_string(partitions: &[TopicPartition]) -> String {
    let mut names: Vec<String> = partitions.iter().map(ToString::to_string).collect();
    names.sort();
    names.join(", ")
}

/// Parses `"t1-0, t1-3"` as `AbstractPartitionAssignorTest.ownedPartitions` does.
fn parse_partitions(list: &str) -> Vec<TopicPartition> {
    list.split(", ")
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let dash = entry.rfind('-').expect("topic-partition");
            tp(
                &entry[..dash],
                entry[dash + 1..].parse().expect("partition number"),
            )
        })
        .collect()
}

/// `AbstractPartitionAssignorTest.verifyRackAssignment` for the configurations where rack-aware logic is not
/// used: consumers `consumer0..`, owned partitions with `DEFAULT_GENERATION`. The eager sticky assignor reads
/// ownership from userData, which these subscriptions do not carry, so it sees nothing owned.
fn verify_non_rack_assignment(
    instance: &mut Instance,
    topic_counts: &[(&str, u32)],
    consumer_topics: &[Vec<String>],
    owned: Option<&[&str]>,
    expected: &[&str],
) {
    let mut subscriptions = Subscriptions::default();
    for (i, topic_names) in consumer_topics.iter().enumerate() {
        let owned_partitions = match (owned, instance.assignor) {
            (_, Assignor::Sticky) | (None, _) => Vec::new(),
            (Some(owned), _) => owned
                .get(i)
                .map(|list| parse_partitions(list))
                .unwrap_or_default(),
        };
        subscriptions.put(
            subscription(&format!("consumer{i}"), topic_names).with_owned(owned_partitions, None),
        );
    }
    let assignment = instance.assign(&partitions_per_topic(topic_counts), &subscriptions);
    let actual: BTreeMap<String, String> = assignment
        .iter()
        .map(|(member, list)| (member.clone(), to_sorted_string(list)))
        .collect();
    let expected: BTreeMap<String, String> = expected
        .iter()
        .enumerate()
        .map(|(i, list)| (format!("consumer{i}"), list.to_string()))
        .collect();
    assert_eq!(actual, expected);
}

macro_rules! sticky_and_cooperative {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sticky() {
                    super::$name(super::Assignor::Sticky);
                }

                #[test]
                fn cooperative_sticky() {
                    super::$name(super::Assignor::CooperativeSticky);
                }
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------------------------
// Assignor names.
// ---------------------------------------------------------------------------------------------------------

#[test]
fn assignor_names_and_protocols() {
    // The `name()` of each Java assignor and ConsumerPartitionAssignor.supportedProtocols().
    let cases = [
        (
            Assignor::Range,
            "range",
            "org.apache.kafka.clients.consumer.RangeAssignor",
            false,
        ),
        (
            Assignor::RoundRobin,
            "roundrobin",
            "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            false,
        ),
        (
            Assignor::Sticky,
            "sticky",
            "org.apache.kafka.clients.consumer.StickyAssignor",
            false,
        ),
        (
            Assignor::CooperativeSticky,
            "cooperative-sticky",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
            true,
        ),
    ];
    for (assignor, name, class_name, cooperative) in cases {
        assert_eq!(assignor.kafka_name(), name);
        assert_eq!(Assignor::from_kafka_name(name), Some(assignor));
        assert_eq!(Assignor::from_kafka_name(class_name), Some(assignor));
        assert_eq!(assignor.supports_cooperative(), cooperative);
    }
    assert_eq!(Assignor::from_kafka_name("uniform"), None);
    assert_eq!(Assignor::from_kafka_name("RangeAssignor"), None);
}

// ---------------------------------------------------------------------------------------------------------
// AbstractPartitionAssignorTest: MemberInfo sorting, observed through round robin over one topic.
// ---------------------------------------------------------------------------------------------------------

/// Returns the members in `MemberInfo` order: round robin deals partition i of one topic to the i-th member.
fn member_info_order(members: &[(&str, Option<&str>)]) -> Vec<String> {
    let subscriptions: Vec<Subscription> = members
        .iter()
        .map(|(id, instance)| {
            let subscription = Subscription::new(*id, ["topic"]);
            match instance {
                Some(instance) => subscription.with_group_instance_id(*instance),
                None => subscription,
            }
        })
        .collect();
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic", members.len() as u32)]),
        &subscriptions,
    );
    let mut order: Vec<(u32, String)> = assignment
        .iter()
        .map(|(member, list)| (list[0].partition, member.clone()))
        .collect();
    order.sort();
    order.into_iter().map(|(_, member)| member).collect()
}

#[test]
fn test_member_info_sorting_without_group_instance_id() {
    // AbstractPartitionAssignorTest.testMemberInfoSortingWithoutGroupInstanceId
    assert_eq!(
        member_info_order(&[("a", None), ("b", None), ("c", None)]),
        ["a", "b", "c"]
    );
}

#[test]
fn test_member_info_sorting_with_all_group_instance_id() {
    // AbstractPartitionAssignorTest.testMemberInfoSortingWithAllGroupInstanceId
    assert_eq!(
        member_info_order(&[("a", Some("y")), ("b", Some("z")), ("c", Some("x"))]),
        ["c", "a", "b"]
    );
}

#[test]
fn test_member_info_sorting_some_group_instance_id() {
    // AbstractPartitionAssignorTest.testMemberInfoSortingSomeGroupInstanceId
    assert_eq!(
        member_info_order(&[("a", None), ("b", Some("y")), ("c", Some("x"))]),
        ["c", "b", "a"]
    );
}

#[test]
fn test_merge_sort_many_member_info() {
    // AbstractPartitionAssignorTest.testMergeSortManyMemberInfo (seeded instead of java.util.Random).
    let mut random = TestRandom(0x5eed_1234_abcd_0001);
    let ids: Vec<String> = (100..200).map(|i| i.to_string()).collect();
    let statics: Vec<bool> = ids.iter().map(|_| random.next_below(2) == 0).collect();
    let mut expected: Vec<String> = ids
        .iter()
        .zip(&statics)
        .filter(|(_, s)| **s)
        .map(|(id, _)| id.clone())
        .collect();
    expected.extend(
        ids.iter()
            .zip(&statics)
            .filter(|(_, s)| !**s)
            .map(|(id, _)| id.clone()),
    );
    let mut shuffled: Vec<(&str, Option<&str>)> = ids
        .iter()
        .zip(&statics)
        .map(|(id, is_static)| (id.as_str(), is_static.then_some(id.as_str())))
        .collect();
    for i in (1..shuffled.len()).rev() {
        let j = random.next_below(i + 1);
        shuffled.swap(i, j);
    }
    assert_eq!(member_info_order(&shuffled), expected);
}

// ---------------------------------------------------------------------------------------------------------
// RangeAssignorTest (no racks).
// ---------------------------------------------------------------------------------------------------------

#[test]
fn range_test_one_consumer_no_topic() {
    // RangeAssignorTest.testOneConsumerNoTopic
    let assignment = assign(
        Assignor::Range,
        &BTreeMap::new(),
        &[Subscription::new("consumer1", Vec::<String>::new())],
    );
    assert_eq!(
        assignment,
        BTreeMap::from([("consumer1".to_string(), vec![])])
    );
}

#[test]
fn range_test_one_consumer_nonexistent_topic() {
    // RangeAssignorTest.testOneConsumerNonexistentTopic
    let assignment = assign(
        Assignor::Range,
        &BTreeMap::new(),
        &[Subscription::new("consumer1", ["topic1"])],
    );
    assert_eq!(
        assignment,
        BTreeMap::from([("consumer1".to_string(), vec![])])
    );
}

#[test]
fn range_test_one_consumer_one_topic() {
    // RangeAssignorTest.testOneConsumerOneTopic
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 3)]),
        &[Subscription::new("consumer1", ["topic1"])],
    );
    assert_eq!(assignment.len(), 1);
    assert_eq!(
        assignment["consumer1"],
        [tp("topic1", 0), tp("topic1", 1), tp("topic1", 2)]
    );
}

#[test]
fn range_test_only_assigns_partitions_from_subscribed_topics() {
    // RangeAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 3), ("other", 3)]),
        &[Subscription::new("consumer1", ["topic1"])],
    );
    assert_eq!(assignment.len(), 1);
    assert_eq!(
        assignment["consumer1"],
        [tp("topic1", 0), tp("topic1", 1), tp("topic1", 2)]
    );
}

#[test]
fn range_test_one_consumer_multiple_topics() {
    // RangeAssignorTest.testOneConsumerMultipleTopics
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 1), ("topic2", 2)]),
        &[Subscription::new("consumer1", ["topic1", "topic2"])],
    );
    assert_eq!(
        assignment["consumer1"],
        [tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
    );
}

#[test]
fn range_test_two_consumers_one_topic_one_partition() {
    // RangeAssignorTest.testTwoConsumersOneTopicOnePartition
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 1)]),
        &[
            Subscription::new("consumer1", ["topic1"]),
            Subscription::new("consumer2", ["topic1"]),
        ],
    );
    assert_eq!(assignment["consumer1"], [tp("topic1", 0)]);
    assert_eq!(assignment["consumer2"], []);
}

#[test]
fn range_test_two_consumers_one_topic_two_partitions() {
    // RangeAssignorTest.testTwoConsumersOneTopicTwoPartitions
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 2)]),
        &[
            Subscription::new("consumer1", ["topic1"]),
            Subscription::new("consumer2", ["topic1"]),
        ],
    );
    assert_eq!(assignment["consumer1"], [tp("topic1", 0)]);
    assert_eq!(assignment["consumer2"], [tp("topic1", 1)]);
}

#[test]
fn range_test_multiple_consumers_mixed_topics() {
    // RangeAssignorTest.testMultipleConsumersMixedTopics
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 3), ("topic2", 2)]),
        &[
            Subscription::new("consumer1", ["topic1"]),
            Subscription::new("consumer2", ["topic1", "topic2"]),
            Subscription::new("consumer3", ["topic1"]),
        ],
    );
    assert_eq!(assignment["consumer1"], [tp("topic1", 0)]);
    assert_eq!(
        assignment["consumer2"],
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 1)]
    );
    assert_eq!(assignment["consumer3"], [tp("topic1", 2)]);
}

#[test]
fn range_test_two_consumers_two_topics_six_partitions() {
    // RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &[
            Subscription::new("consumer1", ["topic1", "topic2"]),
            Subscription::new("consumer2", ["topic1", "topic2"]),
        ],
    );
    assert_eq!(
        assignment["consumer1"],
        [
            tp("topic1", 0),
            tp("topic1", 1),
            tp("topic2", 0),
            tp("topic2", 1)
        ]
    );
    assert_eq!(assignment["consumer2"], [tp("topic1", 2), tp("topic2", 2)]);
}

#[test]
fn range_test_two_static_consumers_two_topics_six_partitions() {
    // RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions: instance ids decide, not member ids.
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &[
            Subscription::new("consumer-b", ["topic1", "topic2"])
                .with_group_instance_id("instance1"),
            Subscription::new("consumer-a", ["topic1", "topic2"])
                .with_group_instance_id("instance2"),
        ],
    );
    assert_eq!(
        assignment["consumer-b"],
        [
            tp("topic1", 0),
            tp("topic1", 1),
            tp("topic2", 0),
            tp("topic2", 1)
        ]
    );
    assert_eq!(assignment["consumer-a"], [tp("topic1", 2), tp("topic2", 2)]);
}

#[test]
fn range_test_one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
    // RangeAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &[
            Subscription::new("consumer-b", ["topic1", "topic2"])
                .with_group_instance_id("instance1"),
            Subscription::new("consumer-a", ["topic1", "topic2"]),
        ],
    );
    assert_eq!(
        assignment["consumer-b"],
        [
            tp("topic1", 0),
            tp("topic1", 1),
            tp("topic2", 0),
            tp("topic2", 1)
        ]
    );
    assert_eq!(assignment["consumer-a"], [tp("topic1", 2), tp("topic2", 2)]);
}

fn static_members(count: usize) -> Subscriptions {
    let mut consumers = Subscriptions::default();
    for i in 1..=count {
        consumers.put(
            Subscription::new(format!("consumer{i}"), ["topic1", "topic2"])
                .with_group_instance_id(format!("instance{i}")),
        );
    }
    consumers
}

/// `checkStaticAssignment`: the assignment keyed by group instance id.
fn assignment_by_instance(
    assignor: Assignor,
    counts: &BTreeMap<String, u32>,
    consumers: &Subscriptions,
) -> Assignment {
    let by_member = assign(assignor, counts, &consumers.0);
    consumers
        .0
        .iter()
        .filter_map(|s| {
            s.group_instance_id
                .clone()
                .map(|instance| (instance, by_member[&s.member_id].clone()))
        })
        .collect()
}

/// Replaces consumer3 by consumer4 and consumer2 by consumer5, keeping their subscriptions.
fn switch_member_ids(consumers: &mut Subscriptions) {
    let mut moved = consumers.get("consumer3").clone();
    moved.member_id = "consumer4".to_string();
    consumers.put(moved);
    consumers.remove("consumer3");
    let mut moved = consumers.get("consumer2").clone();
    moved.member_id = "consumer5".to_string();
    consumers.put(moved);
    consumers.remove("consumer2");
}

#[test]
fn range_test_static_member_range_assignment_persistent() {
    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistent (the map of lists is compared exactly).
    let counts = partitions_per_topic(&[("topic1", 5), ("topic2", 4)]);
    let mut consumers = static_members(3);
    consumers.put(Subscription::new("consumer4", ["topic1", "topic2"]));
    let mut expected: Assignment = BTreeMap::from([
        (
            "consumer1".to_string(),
            vec![tp("topic1", 0), tp("topic1", 1), tp("topic2", 0)],
        ),
        (
            "consumer2".to_string(),
            vec![tp("topic1", 2), tp("topic2", 1)],
        ),
        (
            "consumer3".to_string(),
            vec![tp("topic1", 3), tp("topic2", 2)],
        ),
        (
            "consumer4".to_string(),
            vec![tp("topic1", 4), tp("topic2", 3)],
        ),
    ]);
    assert_eq!(assign(Assignor::Range, &counts, &consumers.0), expected);

    consumers.remove("consumer4");
    consumers.put(Subscription::new("consumer5", ["topic1", "topic2"]));
    expected.remove("consumer4");
    expected.insert(
        "consumer5".to_string(),
        vec![tp("topic1", 4), tp("topic2", 3)],
    );
    assert_eq!(assign(Assignor::Range, &counts, &consumers.0), expected);
}

#[test]
fn range_test_static_member_range_assignment_persistent_after_member_id_changes() {
    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges
    let counts = partitions_per_topic(&[("topic1", 5), ("topic2", 5)]);
    let mut consumers = static_members(3);
    let expected: Assignment = BTreeMap::from([
        (
            "instance1".to_string(),
            vec![
                tp("topic1", 0),
                tp("topic1", 1),
                tp("topic2", 0),
                tp("topic2", 1),
            ],
        ),
        (
            "instance2".to_string(),
            vec![
                tp("topic1", 2),
                tp("topic1", 3),
                tp("topic2", 2),
                tp("topic2", 3),
            ],
        ),
        (
            "instance3".to_string(),
            vec![tp("topic1", 4), tp("topic2", 4)],
        ),
    ]);
    let static_assignment = assignment_by_instance(Assignor::Range, &counts, &consumers);
    assert_eq!(static_assignment, expected);
    switch_member_ids(&mut consumers);
    assert_eq!(
        assignment_by_instance(Assignor::Range, &counts, &consumers),
        static_assignment
    );
}

fn three_topics(t1: u32, t2: u32, t3: u32) -> Vec<(&'static str, u32)> {
    vec![("t1", t1), ("t2", t2), ("t3", t3)]
}

#[test]
fn range_test_rack_aware_assignment_with_uniform_subscription_non_rack_expectation() {
    // RangeAssignorTest.testRackAwareAssignmentWithUniformSubscription (verifyNonRackAwareAssignment part)
    let all = topics(&["t1", "t2", "t3"]);
    verify_non_rack_assignment(
        &mut Instance::new(Assignor::Range),
        &three_topics(6, 7, 2),
        &[all.clone(), all.clone(), all],
        None,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0",
            "t1-2, t1-3, t2-3, t2-4, t3-1",
            "t1-4, t1-5, t2-5, t2-6",
        ],
    );
}

#[test]
fn range_test_rack_aware_assignment_with_non_equal_subscription_non_rack_expectation() {
    // RangeAssignorTest.testRackAwareAssignmentWithNonEqualSubscription (verifyNonRackAwareAssignment part)
    let all = topics(&["t1", "t2", "t3"]);
    verify_non_rack_assignment(
        &mut Instance::new(Assignor::Range),
        &three_topics(6, 7, 2),
        &[all.clone(), all, topics(&["t1", "t3"])],
        None,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0",
            "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1",
            "t1-4, t1-5",
        ],
    );
}

#[test]
fn range_test_rack_aware_assignment_with_uniform_partitions_non_rack_expectation() {
    // RangeAssignorTest.testRackAwareAssignmentWithUniformPartitions (verifyNonRackAwareAssignment part)
    let all = topics(&["t1", "t2", "t3"]);
    verify_non_rack_assignment(
        &mut Instance::new(Assignor::Range),
        &three_topics(5, 5, 5),
        &[all.clone(), all.clone(), all],
        None,
        &[
            "t1-0, t1-1, t2-0, t2-1, t3-0, t3-1",
            "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3",
            "t1-4, t2-4, t3-4",
        ],
    );
}

#[test]
fn range_test_rack_aware_assignment_with_uniform_partitions_non_equal_subscription_non_rack_expectation(
) {
    // RangeAssignorTest.testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription (non-rack part)
    let all = topics(&["t1", "t2", "t3"]);
    verify_non_rack_assignment(
        &mut Instance::new(Assignor::Range),
        &three_topics(5, 5, 5),
        &[all.clone(), all, topics(&["t1", "t3"])],
        None,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1",
            "t1-2, t1-3, t2-3, t2-4, t3-2, t3-3",
            "t1-4, t3-4",
        ],
    );
}

#[test]
fn range_test_rack_aware_assignment_with_co_partitioning_non_rack_expectation() {
    // RangeAssignorTest.testRackAwareAssignmentWithCoPartitioning (replication 3 over 2 racks: every
    // partition is on every rack, so the non-rack-aware expectation applies)
    let counts = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2)];
    let (t12, t34) = (topics(&["t1", "t2"]), topics(&["t3", "t4"]));
    verify_non_rack_assignment(
        &mut Instance::new(Assignor::Range),
        &counts,
        &[t12.clone(), t12, t34.clone(), t34],
        None,
        &[
            "t1-0, t1-1, t1-2, t2-0, t2-1, t2-2",
            "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5",
            "t3-0, t4-0",
            "t3-1, t4-1",
        ],
    );
    let all = topics(&["t1", "t2", "t3", "t4"]);
    verify_non_rack_assignment(
        &mut Instance::new(Assignor::Range),
        &counts,
        &[all.clone(), all.clone(), all.clone(), all],
        None,
        &[
            "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0",
            "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1",
            "t1-4, t2-4",
            "t1-5, t2-5",
        ],
    );
}

#[test]
fn range_test_co_partitioned_assignment_with_same_subscription_non_rack_expectation() {
    // RangeAssignorTest.testCoPartitionedAssignmentWithSameSubscription (null broker racks part)
    let counts = [
        ("t1", 6),
        ("t2", 6),
        ("t3", 2),
        ("t4", 2),
        ("t5", 4),
        ("t6", 4),
    ];
    let list = topics(&["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"]);
    verify_non_rack_assignment(
        &mut Instance::new(Assignor::Range),
        &counts,
        &[list.clone(), list.clone(), list],
        None,
        &[
            "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1",
            "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2",
            "t1-4, t1-5, t2-4, t2-5, t5-3, t6-3",
        ],
    );
}

#[test]
fn range_javadoc_example() {
    // RangeAssignor class javadoc: C0, C1; t0, t1 with 3 partitions each.
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("t0", 3), ("t1", 3)]),
        &[
            Subscription::new("C0", ["t0", "t1"]),
            Subscription::new("C1", ["t0", "t1"]),
        ],
    );
    assert_eq!(
        assignment["C0"],
        [tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)]
    );
    assert_eq!(assignment["C1"], [tp("t0", 2), tp("t1", 2)]);
}

#[test]
fn range_member_lists_follow_java_hash_map_topic_order() {
    // Not a Kafka test: RangeAssignor appends topics in the iteration order of the leader's partitionsPerTopic
    // HashMap. "b" (hash 98, bucket 2) comes before "q" (hash 113, bucket 1) in sorted order but after it here.
    let assignment = assign(
        Assignor::Range,
        &partitions_per_topic(&[("b", 1), ("q", 1)]),
        &[Subscription::new("consumer", ["b", "q"])],
    );
    assert_eq!(assignment["consumer"], [tp("q", 0), tp("b", 0)]);
}

// ---------------------------------------------------------------------------------------------------------
// RoundRobinAssignorTest.
// ---------------------------------------------------------------------------------------------------------

#[test]
fn round_robin_test_one_consumer_no_topic() {
    // RoundRobinAssignorTest.testOneConsumerNoTopic
    let assignment = assign(
        Assignor::RoundRobin,
        &BTreeMap::new(),
        &[Subscription::new("consumer", Vec::<String>::new())],
    );
    assert_eq!(
        assignment,
        BTreeMap::from([("consumer".to_string(), vec![])])
    );
}

#[test]
fn round_robin_test_one_consumer_nonexistent_topic() {
    // RoundRobinAssignorTest.testOneConsumerNonexistentTopic
    let assignment = assign(
        Assignor::RoundRobin,
        &BTreeMap::new(),
        &[Subscription::new("consumer", ["topic"])],
    );
    assert_eq!(
        assignment,
        BTreeMap::from([("consumer".to_string(), vec![])])
    );
}

#[test]
fn round_robin_test_one_consumer_one_topic() {
    // RoundRobinAssignorTest.testOneConsumerOneTopic
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic", 3)]),
        &[Subscription::new("consumer", ["topic"])],
    );
    assert_eq!(
        assignment["consumer"],
        [tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
}

#[test]
fn round_robin_test_only_assigns_partitions_from_subscribed_topics() {
    // RoundRobinAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic", 3), ("other", 3)]),
        &[Subscription::new("consumer", ["topic"])],
    );
    assert_eq!(
        assignment["consumer"],
        [tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
}

#[test]
fn round_robin_test_one_consumer_multiple_topics() {
    // RoundRobinAssignorTest.testOneConsumerMultipleTopics
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic1", 1), ("topic2", 2)]),
        &[Subscription::new("consumer", ["topic1", "topic2"])],
    );
    assert_eq!(
        assignment["consumer"],
        [tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
    );
}

#[test]
fn round_robin_test_two_consumers_one_topic_one_partition() {
    // RoundRobinAssignorTest.testTwoConsumersOneTopicOnePartition
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic", 1)]),
        &[
            Subscription::new("consumer1", ["topic"]),
            Subscription::new("consumer2", ["topic"]),
        ],
    );
    assert_eq!(assignment["consumer1"], [tp("topic", 0)]);
    assert_eq!(assignment["consumer2"], []);
}

#[test]
fn round_robin_test_two_consumers_one_topic_two_partitions() {
    // RoundRobinAssignorTest.testTwoConsumersOneTopicTwoPartitions
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic", 2)]),
        &[
            Subscription::new("consumer1", ["topic"]),
            Subscription::new("consumer2", ["topic"]),
        ],
    );
    assert_eq!(assignment["consumer1"], [tp("topic", 0)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 1)]);
}

#[test]
fn round_robin_test_multiple_consumers_mixed_topics() {
    // RoundRobinAssignorTest.testMultipleConsumersMixedTopics
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic1", 3), ("topic2", 2)]),
        &[
            Subscription::new("consumer1", ["topic1"]),
            Subscription::new("consumer2", ["topic1", "topic2"]),
            Subscription::new("consumer3", ["topic1"]),
        ],
    );
    assert_eq!(assignment["consumer1"], [tp("topic1", 0)]);
    assert_eq!(
        assignment["consumer2"],
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 1)]
    );
    assert_eq!(assignment["consumer3"], [tp("topic1", 2)]);
}

#[test]
fn round_robin_test_two_dynamic_consumers_two_topics_six_partitions() {
    // RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &[
            Subscription::new("consumer1", ["topic1", "topic2"]),
            Subscription::new("consumer2", ["topic1", "topic2"]),
        ],
    );
    assert_eq!(
        assignment["consumer1"],
        [tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        assignment["consumer2"],
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

#[test]
fn round_robin_test_two_static_consumers_two_topics_six_partitions() {
    // RoundRobinAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &[
            Subscription::new("consumer-b", ["topic1", "topic2"])
                .with_group_instance_id("instance1"),
            Subscription::new("consumer-a", ["topic1", "topic2"])
                .with_group_instance_id("instance2"),
        ],
    );
    assert_eq!(
        assignment["consumer-b"],
        [tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        assignment["consumer-a"],
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

#[test]
fn round_robin_test_one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
    // RoundRobinAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &[
            Subscription::new("consumer-b", ["topic1", "topic2"])
                .with_group_instance_id("instance1"),
            Subscription::new("consumer-a", ["topic1", "topic2"]),
        ],
    );
    assert_eq!(
        assignment["consumer-b"],
        [tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        assignment["consumer-a"],
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

#[test]
fn round_robin_test_static_member_round_robin_assignment_persistent() {
    // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistent
    let counts = partitions_per_topic(&[("topic1", 3), ("topic2", 3)]);
    let mut consumers = static_members(3);
    consumers.put(Subscription::new("consumer4", ["topic1", "topic2"]));
    let mut expected: Assignment = BTreeMap::from([
        (
            "consumer1".to_string(),
            vec![tp("topic1", 0), tp("topic2", 1)],
        ),
        (
            "consumer2".to_string(),
            vec![tp("topic1", 1), tp("topic2", 2)],
        ),
        ("consumer3".to_string(), vec![tp("topic1", 2)]),
        ("consumer4".to_string(), vec![tp("topic2", 0)]),
    ]);
    assert_eq!(
        assign(Assignor::RoundRobin, &counts, &consumers.0),
        expected
    );

    consumers.remove("consumer4");
    consumers.put(Subscription::new("consumer5", ["topic1", "topic2"]));
    expected.remove("consumer4");
    expected.insert("consumer5".to_string(), vec![tp("topic2", 0)]);
    assert_eq!(
        assign(Assignor::RoundRobin, &counts, &consumers.0),
        expected
    );
}

#[test]
fn round_robin_test_static_member_round_robin_assignment_persistent_after_member_id_changes() {
    // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges
    let counts = partitions_per_topic(&[("topic1", 5), ("topic2", 5)]);
    let mut consumers = static_members(3);
    let expected: Assignment = BTreeMap::from([
        (
            "instance1".to_string(),
            vec![
                tp("topic1", 0),
                tp("topic1", 3),
                tp("topic2", 1),
                tp("topic2", 4),
            ],
        ),
        (
            "instance2".to_string(),
            vec![tp("topic1", 1), tp("topic1", 4), tp("topic2", 2)],
        ),
        (
            "instance3".to_string(),
            vec![tp("topic1", 2), tp("topic2", 0), tp("topic2", 3)],
        ),
    ]);
    let static_assignment = assignment_by_instance(Assignor::RoundRobin, &counts, &consumers);
    assert_eq!(static_assignment, expected);
    switch_member_ids(&mut consumers);
    assert_eq!(
        assignment_by_instance(Assignor::RoundRobin, &counts, &consumers),
        static_assignment
    );
}

#[test]
fn round_robin_javadoc_example() {
    // RoundRobinAssignor class javadoc: C0 {t0}, C1 {t0, t1}, C2 {t0, t1, t2}; t0:1, t1:2, t2:3.
    let assignment = assign(
        Assignor::RoundRobin,
        &partitions_per_topic(&[("t0", 1), ("t1", 2), ("t2", 3)]),
        &[
            Subscription::new("C0", ["t0"]),
            Subscription::new("C1", ["t0", "t1"]),
            Subscription::new("C2", ["t0", "t1", "t2"]),
        ],
    );
    assert_eq!(assignment["C0"], [tp("t0", 0)]);
    assert_eq!(assignment["C1"], [tp("t1", 0)]);
    assert_eq!(
        assignment["C2"],
        [tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)]
    );
}

// ---------------------------------------------------------------------------------------------------------
// AbstractStickyAssignorTest, run for StickyAssignor and CooperativeStickyAssignor.
// ---------------------------------------------------------------------------------------------------------

sticky_and_cooperative!(
    test_one_consumer_no_topic,
    test_one_consumer_nonexistent_topic,
    test_one_consumer_one_topic,
    test_only_assigns_partitions_from_subscribed_topics,
    test_one_consumer_multiple_topics,
    test_two_consumers_one_topic_one_partition,
    test_two_consumers_one_topic_two_partitions,
    test_multiple_consumers_mixed_topic_subscriptions,
    test_two_consumers_two_topics_six_partitions,
    test_consumer_owning_min_quota_expected_max_quota,
    test_max_quota_consumer_more_than_num_expected_max_capacity_members,
    test_all_consumers_are_under_min_quota,
    test_add_remove_consumer_one_topic,
    test_topic_balance_after_reassignment,
    test_add_remove_two_consumers_two_topics,
    test_poor_round_robin_assignment_scenario,
    test_add_remove_topic_two_consumers,
    test_reassignment_after_one_consumer_leaves,
    test_reassignment_after_one_consumer_added,
    test_same_subscriptions,
    test_large_assignment_and_group_with_uniform_subscription,
    test_large_assignment_and_group_with_non_equal_subscription,
    test_assignment_and_group_with_non_equal_subscription_not_timeout,
    test_subscription_not_equal_and_assign_same_partition_with_3_generation,
    test_large_assignment_with_multiple_consumers_leaving_and_random_subscription,
    test_new_subscription,
    test_move_existing_assignments,
    test_stickiness,
    test_assignment_updated_for_deleted_topic,
    test_no_exception_thrown_when_only_subscribed_topic_deleted,
    test_reassignment_with_random_subscriptions_and_changes,
    test_all_consumers_reach_expected_quota_and_are_considered_filled,
    test_owned_partitions_are_invalidated_for_consumer_with_stale_generation,
    test_owned_partitions_are_invalidated_for_consumer_with_no_generation,
    test_partitions_transferring_ownership_include_the_partition_claimed_by_multiple_consumers_in_same_generation,
    test_ensure_partitions_assigned_to_highest_generation,
    test_no_reassignment_on_current_members,
    test_owned_partitions_are_invalidated_for_consumer_with_multiple_generation,
    test_rack_aware_assignment_with_uniform_subscription_non_rack_expectation,
    test_rack_aware_assignment_with_non_equal_subscription_non_rack_expectation,
    test_assignor_with_old_version_subscriptions,
);

fn test_one_consumer_no_topic(assignor: Assignor) {
    // AbstractStickyAssignorTest.testOneConsumerNoTopic
    let mut instance = Instance::new(assignor);
    let counts = BTreeMap::new();
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer", &[]));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment,
        BTreeMap::from([("consumer".to_string(), vec![])])
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_one_consumer_nonexistent_topic(assignor: Assignor) {
    // AbstractStickyAssignorTest.testOneConsumerNonexistentTopic (the topic has zero partitions)
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 0)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer", &topics(&["topic"])));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment,
        BTreeMap::from([("consumer".to_string(), vec![])])
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_one_consumer_one_topic(assignor: Assignor) {
    // AbstractStickyAssignorTest.testOneConsumerOneTopic
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 3)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer", &topics(&["topic"])));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment["consumer"],
        [tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_only_assigns_partitions_from_subscribed_topics(assignor: Assignor) {
    // AbstractStickyAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 2)]);
    let mut subscriptions = Subscriptions::default();
    let owned = [
        tp("topic", 0),
        tp("topic", 1),
        tp("other", 0),
        tp("other", 1),
    ];
    subscriptions.put(subscription_v2(
        "consumer",
        &topics(&["topic"]),
        &owned,
        GENERATION_ID,
    ));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(assignment["consumer"], [tp("topic", 0), tp("topic", 1)]);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_one_consumer_multiple_topics(assignor: Assignor) {
    // AbstractStickyAssignorTest.testOneConsumerMultipleTopics
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 1), ("topic2", 2)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer", &topics(&["topic1", "topic2"])));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment["consumer"],
        [tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_two_consumers_one_topic_one_partition(assignor: Assignor) {
    // AbstractStickyAssignorTest.testTwoConsumersOneTopicOnePartition
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 1)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &topics(&["topic"])));
    subscriptions.put(subscription("consumer2", &topics(&["topic"])));
    let mut assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_two_consumers_one_topic_two_partitions(assignor: Assignor) {
    // AbstractStickyAssignorTest.testTwoConsumersOneTopicTwoPartitions
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 2)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &topics(&["topic"])));
    subscriptions.put(subscription("consumer2", &topics(&["topic"])));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(assignment["consumer1"], [tp("topic", 0)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 1)]);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_multiple_consumers_mixed_topic_subscriptions(assignor: Assignor) {
    // AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 3), ("topic2", 2)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &topics(&["topic1"])));
    subscriptions.put(subscription("consumer2", &topics(&["topic1", "topic2"])));
    subscriptions.put(subscription("consumer3", &topics(&["topic1"])));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(assignment["consumer1"], [tp("topic1", 0), tp("topic1", 2)]);
    assert_eq!(assignment["consumer2"], [tp("topic2", 0), tp("topic2", 1)]);
    assert_eq!(assignment["consumer3"], [tp("topic1", 1)]);
    assert_eq!(instance.partitions_transferring_ownership(), None);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_two_consumers_two_topics_six_partitions(assignor: Assignor) {
    // AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 3), ("topic2", 3)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &topics(&["topic1", "topic2"])));
    subscriptions.put(subscription("consumer2", &topics(&["topic1", "topic2"])));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment["consumer1"],
        [tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        assignment["consumer2"],
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_consumer_owning_min_quota_expected_max_quota(assignor: Assignor) {
    // AbstractStickyAssignorTest.testConsumerOwningMinQuotaExpectedMaxQuota
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 2), ("topic2", 3)]);
    let all = topics(&["topic1", "topic2"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &[tp("topic1", 0), tp("topic2", 1)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &all,
        &[tp("topic1", 1), tp("topic2", 2)],
        GENERATION_ID,
    ));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment["consumer1"],
        [tp("topic1", 0), tp("topic2", 1), tp("topic2", 0)]
    );
    assert_eq!(assignment["consumer2"], [tp("topic1", 1), tp("topic2", 2)]);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_max_quota_consumer_more_than_num_expected_max_capacity_members(assignor: Assignor) {
    // AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers. Which of
    // consumer1 and consumer2 keeps two partitions depends on Java HashMap order (consumer2 first).
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 2), ("topic2", 2)]);
    let all = topics(&["topic1", "topic2"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &[tp("topic1", 0), tp("topic2", 0)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &all,
        &[tp("topic1", 1), tp("topic2", 1)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &all, &[], GENERATION_ID));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        instance.partitions_transferring_ownership(),
        transfers(&[("topic2", 0, "consumer3")])
    );
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert_eq!(assignment["consumer1"], [tp("topic1", 0)]);
    assert_eq!(assignment["consumer2"], [tp("topic1", 1), tp("topic2", 1)]);
    assert_eq!(assignment["consumer3"], [tp("topic2", 0)]);
    assert!(is_fully_balanced(&assignment));
}

fn test_all_consumers_are_under_min_quota(assignor: Assignor) {
    // AbstractStickyAssignorTest.testAllConsumersAreUnderMinQuota
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 2), ("topic2", 3)]);
    let all = topics(&["topic1", "topic2"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &[tp("topic1", 0)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &all,
        &[tp("topic1", 1)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &all, &[], GENERATION_ID));
    let mut assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert_eq!(assignment["consumer1"], [tp("topic1", 0), tp("topic2", 1)]);
    assert_eq!(assignment["consumer2"], [tp("topic1", 1), tp("topic2", 2)]);
    assert_eq!(assignment["consumer3"], [tp("topic2", 0)]);
    assert!(is_fully_balanced(&assignment));
}

fn test_add_remove_consumer_one_topic(assignor: Assignor) {
    // AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 3)]);
    let topic = topics(&["topic"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &topic));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment["consumer1"],
        [tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));

    subscriptions.put(subscription_v2(
        "consumer1",
        &topic,
        &assignment["consumer1"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer2", &topic, &[], GENERATION_ID));
    assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        instance.partitions_transferring_ownership(),
        transfers(&[("topic", 2, "consumer2")])
    );
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert_eq!(assignment["consumer1"], [tp("topic", 0), tp("topic", 1)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 2)]);
    assert!(is_fully_balanced(&assignment));

    subscriptions.remove("consumer1");
    subscriptions.put(subscription_v2(
        "consumer2",
        &topic,
        &assignment["consumer2"],
        GENERATION_ID,
    ));
    assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        set(&assignment["consumer2"]),
        set(&[tp("topic", 2), tp("topic", 1), tp("topic", 0)])
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn count_of_topic(partitions: &[TopicPartition], topic: &str) -> usize {
    partitions.iter().filter(|p| p.topic == topic).count()
}

fn test_topic_balance_after_reassignment(assignor: Assignor) {
    // AbstractStickyAssignorTest.testTopicBalanceAfterReassignment
    let mut instance = Instance::new(assignor);
    let all = topics(&["topic1", "topic2"]);
    let counts = partitions_per_topic(&[("topic1", 12), ("topic2", 12)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &all));
    let mut assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    let check = |assignment: &Assignment, per_topic: usize| {
        for partitions in assignment.values() {
            assert_eq!(count_of_topic(partitions, "topic1"), per_topic);
            assert_eq!(count_of_topic(partitions, "topic2"), per_topic);
        }
        assert!(is_fully_balanced(assignment));
    };
    check(&assignment, 12);
    instance.assert_no_partitions_transferring();

    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &assignment["consumer1"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer2", &all, &[], GENERATION_ID));
    assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    check(&assignment, 6);

    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &assignment["consumer1"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &all,
        &assignment["consumer2"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &all, &[], GENERATION_ID));
    subscriptions.put(subscription_v2("consumer4", &all, &[], GENERATION_ID));
    assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    check(&assignment, 3);

    subscriptions.remove("consumer1");
    subscriptions.remove("consumer2");
    subscriptions.put(subscription_v2(
        "consumer3",
        &all,
        &assignment["consumer3"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer4",
        &all,
        &assignment["consumer4"],
        GENERATION_ID,
    ));
    assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    check(&assignment, 6);
    instance.assert_no_partitions_transferring();
}

fn test_add_remove_two_consumers_two_topics(assignor: Assignor) {
    // AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (reference section 3.7)
    let mut instance = Instance::new(assignor);
    let all = topics(&["topic1", "topic2"]);
    let counts = partitions_per_topic(&[("topic1", 3), ("topic2", 4)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &all));
    subscriptions.put(subscription("consumer2", &all));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment["consumer1"],
        [
            tp("topic1", 0),
            tp("topic1", 2),
            tp("topic2", 1),
            tp("topic2", 3)
        ]
    );
    assert_eq!(
        assignment["consumer2"],
        [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));

    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &assignment["consumer1"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &all,
        &assignment["consumer2"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &all, &[], GENERATION_ID));
    subscriptions.put(subscription_v2("consumer4", &all, &[], GENERATION_ID));
    assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        instance.partitions_transferring_ownership(),
        transfers(&[
            ("topic1", 2, "consumer3"),
            ("topic2", 3, "consumer3"),
            ("topic2", 2, "consumer4")
        ])
    );
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert_eq!(assignment["consumer1"], [tp("topic1", 0), tp("topic2", 1)]);
    assert_eq!(assignment["consumer2"], [tp("topic2", 0), tp("topic1", 1)]);
    assert_eq!(assignment["consumer3"], [tp("topic1", 2), tp("topic2", 3)]);
    assert_eq!(assignment["consumer4"], [tp("topic2", 2)]);
    assert!(is_fully_balanced(&assignment));

    subscriptions.remove("consumer1");
    subscriptions.remove("consumer2");
    subscriptions.put(subscription_v2(
        "consumer3",
        &all,
        &assignment["consumer3"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer4",
        &all,
        &assignment["consumer4"],
        GENERATION_ID,
    ));
    assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        assignment["consumer3"],
        [
            tp("topic1", 2),
            tp("topic2", 3),
            tp("topic1", 0),
            tp("topic2", 1)
        ]
    );
    assert_eq!(
        assignment["consumer4"],
        [tp("topic2", 2), tp("topic1", 1), tp("topic2", 0)]
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_poor_round_robin_assignment_scenario(assignor: Assignor) {
    // AbstractStickyAssignorTest.testPoorRoundRobinAssignmentScenario
    let mut instance = Instance::new(assignor);
    let counts: BTreeMap<String, u32> = (1..=5)
        .map(|i| (format!("topic{i}"), (i % 2) + 1))
        .collect();
    let mut subscriptions = Subscriptions::default();
    let (all, odd) = (
        topics(&["topic1", "topic2", "topic3", "topic4", "topic5"]),
        topics(&["topic1", "topic3", "topic5"]),
    );
    subscriptions.put(subscription("consumer1", &all));
    subscriptions.put(subscription("consumer2", &odd));
    subscriptions.put(subscription("consumer3", &odd));
    subscriptions.put(subscription("consumer4", &all));
    let mut assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
}

fn test_add_remove_topic_two_consumers(assignor: Assignor) {
    // AbstractStickyAssignorTest.testAddRemoveTopicTwoConsumers
    let mut instance = Instance::new(assignor);
    let mut counts = partitions_per_topic(&[("topic", 3)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &topics(&["topic"])));
    subscriptions.put(subscription("consumer2", &topics(&["topic"])));
    let mut assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    assert!(is_fully_balanced(&assignment));
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    let consumer1_assignment1 = assignment["consumer1"].clone();
    let consumer2_assignment1 = assignment["consumer2"].clone();
    assert!(matches!(
        (consumer1_assignment1.len(), consumer2_assignment1.len()),
        (1, 2) | (2, 1)
    ));

    counts.insert("topic2".to_string(), 3);
    let both = topics(&["topic", "topic2"]);
    subscriptions.put(subscription_v2(
        "consumer1",
        &both,
        &assignment["consumer1"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &both,
        &assignment["consumer2"],
        GENERATION_ID,
    ));
    assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
    let consumer1_assignment = assignment["consumer1"].clone();
    let consumer2_assignment = assignment["consumer2"].clone();
    assert!(consumer1_assignment.len() == 3 && consumer2_assignment.len() == 3);
    assert!(set(&consumer1_assignment).is_superset(&set(&consumer1_assignment1)));
    assert!(set(&consumer2_assignment).is_superset(&set(&consumer2_assignment1)));

    counts.remove("topic");
    let only_topic2 = topics(&["topic2"]);
    subscriptions.put(subscription_v2(
        "consumer1",
        &only_topic2,
        &assignment["consumer1"],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &only_topic2,
        &assignment["consumer2"],
        GENERATION_ID,
    ));
    assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
    let consumer1_assignment3 = assignment["consumer1"].clone();
    let consumer2_assignment3 = assignment["consumer2"].clone();
    assert!(matches!(
        (consumer1_assignment3.len(), consumer2_assignment3.len()),
        (1, 2) | (2, 1)
    ));
    assert!(set(&consumer1_assignment).is_superset(&set(&consumer1_assignment3)));
    assert!(set(&consumer2_assignment).is_superset(&set(&consumer2_assignment3)));
}

/// Rebuilds every subscription as `buildSubscriptionV2Above(topics, assignment, generationId, i)`.
fn resubscribe_with_assignment(
    subscriptions: &mut Subscriptions,
    assignment: &Assignment,
    members: &[String],
) {
    for member in members {
        let topic_names = subscriptions.get(member).topics.clone();
        subscriptions.put(subscription_v2(
            member,
            &topic_names,
            &assignment[member],
            GENERATION_ID,
        ));
    }
}

fn reassignment_after_one_consumer_leaves(assignor: Assignor, leaving: &str) {
    let mut instance = Instance::new(assignor);
    let counts: BTreeMap<String, u32> = (1..20).map(|i| (topic_name(i, 20), i as u32)).collect();
    let mut subscriptions = Subscriptions::default();
    let members: Vec<String> = (1..20).map(|i| consumer_name(i, 20)).collect();
    for (i, member) in (1..20).zip(&members) {
        let topic_names: Vec<String> = (1..=i).map(|j| topic_name(j, 20)).collect();
        subscriptions.put(subscription(member, &topic_names));
    }
    let mut assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);

    resubscribe_with_assignment(&mut subscriptions, &assignment, &members);
    subscriptions.remove(leaving);
    assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(instance.is_sticky());
}

fn test_reassignment_after_one_consumer_leaves(assignor: Assignor) {
    // AbstractStickyAssignorTest.testReassignmentAfterOneConsumerLeaves. Kafka's test removes "consumer10",
    // which is not a member (members are c01..c19), so nobody leaves; ported as written, then with c10.
    reassignment_after_one_consumer_leaves(assignor, "consumer10");
    reassignment_after_one_consumer_leaves(assignor, "c10");
}

fn test_reassignment_after_one_consumer_added(assignor: Assignor) {
    // AbstractStickyAssignorTest.testReassignmentAfterOneConsumerAdded
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 20)]);
    let mut subscriptions = Subscriptions::default();
    for i in 1..10 {
        subscriptions.put(subscription(&consumer_name(i, 10), &topics(&["topic"])));
    }
    let mut assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);

    subscriptions.put(subscription(&consumer_name(10, 10), &topics(&["topic"])));
    assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
}

fn test_same_subscriptions(assignor: Assignor) {
    // AbstractStickyAssignorTest.testSameSubscriptions
    let mut instance = Instance::new(assignor);
    let counts: BTreeMap<String, u32> = (1..15).map(|i| (topic_name(i, 15), i as u32)).collect();
    let all: Vec<String> = (1..=counts.len()).map(|j| topic_name(j, 15)).collect();
    let members: Vec<String> = (1..9).map(|i| consumer_name(i, 9)).collect();
    let mut subscriptions = Subscriptions::default();
    for member in &members {
        subscriptions.put(subscription(member, &all));
    }
    let mut assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);

    resubscribe_with_assignment(&mut subscriptions, &assignment, &members);
    subscriptions.remove(&consumer_name(5, 9));
    assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
}

/// Asserts that no partition is assigned twice and that every partition of `counts` is assigned.
fn assert_complete_and_unique(assignment: &Assignment, counts: &BTreeMap<String, u32>) {
    let all: Vec<&TopicPartition> = assignment.values().flatten().collect();
    let unique: BTreeSet<&TopicPartition> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "a partition is assigned twice");
    assert_eq!(unique.len() as u32, counts.values().sum::<u32>());
}

fn large_group(
    assignor: Assignor,
    topic_count: usize,
    partition_count: u32,
    consumer_count: usize,
    topics_of: impl Fn(usize, &[String]) -> Vec<String>,
) -> (Instance, Subscriptions, BTreeMap<String, u32>, Assignment) {
    let mut instance = Instance::new(assignor);
    let all: Vec<String> = (0..topic_count)
        .map(|i| topic_name(i, topic_count))
        .collect();
    let counts: BTreeMap<String, u32> = all
        .iter()
        .map(|topic| (topic.clone(), partition_count))
        .collect();
    let mut subscriptions = Subscriptions::default();
    for i in 0..consumer_count {
        subscriptions.put(subscription(
            &consumer_name(i, consumer_count),
            &topics_of(i, &all),
        ));
    }
    let assignment = instance.assign(&counts, &subscriptions);
    // Every member but the first re-subscribes with what it got.
    let members: Vec<String> = (1..consumer_count)
        .map(|i| consumer_name(i, consumer_count))
        .collect();
    resubscribe_with_assignment(&mut subscriptions, &assignment, &members);
    let assignment = instance.assign(&counts, &subscriptions);
    (instance, subscriptions, counts, assignment)
}

fn test_large_assignment_and_group_with_uniform_subscription(assignor: Assignor) {
    // AbstractStickyAssignorTest.testLargeAssignmentAndGroupWithUniformSubscription, scaled down from
    // 500 topics x 2000 partitions and 2000 consumers to 20 x 100 and 300 consumers.
    let (_, _, counts, assignment) = large_group(assignor, 20, 100, 300, |_, all| all.to_vec());
    assert_complete_and_unique(&assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_large_assignment_and_group_with_non_equal_subscription(assignor: Assignor) {
    // AbstractStickyAssignorTest.testLargeAssignmentAndGroupWithNonEqualSubscription, scaled down to
    // 10 topics x 40 partitions and 60 consumers (the last one subscribes to the first topic only).
    let consumers = 60;
    let (mut instance, mut subscriptions, counts, mut assignment) =
        large_group(assignor, 10, 40, consumers, |i, all| {
            if i == consumers - 1 {
                all[..1].to_vec()
            } else {
                all.to_vec()
            }
        });
    assert_complete_and_unique(&assignment, &counts);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
}

fn test_assignment_and_group_with_non_equal_subscription_not_timeout(assignor: Assignor) {
    // AbstractStickyAssignorTest.testAssignmentAndGroupWithNonEqualSubscriptionNotTimeout, scaled down from
    // 100 topics x 200 partitions and 500 consumers to 10 x 20 and 50 consumers.
    let (mut instance, mut subscriptions, counts, mut assignment) =
        large_group(assignor, 10, 20, 50, |i, all| {
            let half = all.len() / 2;
            if i % 4 == 0 {
                all[..half].to_vec()
            } else {
                all[half..].to_vec()
            }
        });
    assert_complete_and_unique(&assignment, &counts);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
}

fn test_subscription_not_equal_and_assign_same_partition_with_3_generation(assignor: Assignor) {
    // AbstractStickyAssignorTest.testSubscriptionNotEqualAndAssignSamePartitionWith3Generation
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 6), ("topic1", 1)]);
    let (topic, topic1) = (topics(&["topic"]), topics(&["topic1"]));
    let mut subscriptions = Subscriptions::default();
    for generations in [
        [1, 2, 3],
        [1, 3, 2],
        [2, 1, 3],
        [2, 3, 1],
        [3, 1, 2],
        [3, 2, 1],
    ] {
        subscriptions.put(subscription_v2(
            "consumer1",
            &topic,
            &[tp("topic", 0), tp("topic", 2)],
            generations[0],
        ));
        subscriptions.put(subscription_v2(
            "consumer2",
            &topic,
            &[tp("topic", 1), tp("topic", 2), tp("topic", 3)],
            generations[1],
        ));
        subscriptions.put(subscription_v2(
            "consumer3",
            &topic,
            &[tp("topic", 2), tp("topic", 4), tp("topic", 5)],
            generations[2],
        ));
        subscriptions.put(subscription_v2("consumer4", &topic1, &[tp("topic1", 0)], 2));
        let assignment = instance.assign(&counts, &subscriptions);
        let all: Vec<&TopicPartition> = assignment.values().flatten().collect();
        assert_eq!(all.len(), all.iter().collect::<BTreeSet<_>>().len());
        for list in assignment.values() {
            assert!((1..=2).contains(&list.len()), "{assignment:?}");
        }
    }
}

fn test_large_assignment_with_multiple_consumers_leaving_and_random_subscription(
    assignor: Assignor,
) {
    // AbstractStickyAssignorTest.testLargeAssignmentWithMultipleConsumersLeavingAndRandomSubscription
    // (seeded instead of java.util.Random; subscriptions may repeat a topic, as in Kafka's test).
    let mut random = TestRandom(0x0123_4567_89ab_cdef);
    let mut instance = Instance::new(assignor);
    let (topic_count, consumer_count) = (40, 200);
    let counts: BTreeMap<String, u32> = (0..topic_count)
        .map(|i| (topic_name(i, topic_count), random.next_below(10) as u32 + 1))
        .collect();
    let mut subscriptions = Subscriptions::default();
    for i in 0..consumer_count {
        let mut topic_names = Vec::new();
        let mut j = 0;
        while j < random.next_below(20) {
            topic_names.push(topic_name(random.next_below(topic_count), topic_count));
            j += 1;
        }
        subscriptions.put(subscription(
            &consumer_name(i, consumer_count),
            &topic_names,
        ));
    }
    let mut assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);

    let members: Vec<String> = (1..consumer_count)
        .map(|i| consumer_name(i, consumer_count))
        .collect();
    resubscribe_with_assignment(&mut subscriptions, &assignment, &members);
    for _ in 0..50 {
        subscriptions.remove(&consumer_name(
            random.next_below(consumer_count),
            consumer_count,
        ));
    }
    assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(instance.is_sticky());
}

fn test_new_subscription(assignor: Assignor) {
    // AbstractStickyAssignorTest.testNewSubscription
    let mut instance = Instance::new(assignor);
    let counts: BTreeMap<String, u32> = (1..5).map(|i| (topic_name(i, 5), 1)).collect();
    let mut subscriptions = Subscriptions::default();
    for i in 0..3i64 {
        let topic_names: Vec<String> = (i..=3 * i - 2).map(|j| topic_name(j as usize, 5)).collect();
        subscriptions.put(subscription(&consumer_name(i as usize, 3), &topic_names));
    }
    let mut assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);

    subscriptions
        .get_mut(&consumer_name(0, 3))
        .topics
        .push(topic_name(1, 5));
    assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(instance.is_sticky());
}

fn test_move_existing_assignments(assignor: Assignor) {
    // AbstractStickyAssignorTest.testMoveExistingAssignments
    let mut instance = Instance::new(assignor);
    let counts: BTreeMap<String, u32> = (1..=6).map(|i| (format!("topic{i}"), 1)).collect();
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &topics(&["topic1", "topic2"]),
        &[tp("topic1", 0)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &topics(&["topic1", "topic2", "topic3", "topic4"]),
        &[tp("topic2", 0), tp("topic3", 0)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer3",
        &topics(&["topic2", "topic3", "topic4", "topic5", "topic6"]),
        &[tp("topic4", 0), tp("topic5", 0), tp("topic6", 0)],
        GENERATION_ID,
    ));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(instance.partitions_transferring_ownership(), None);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
}

fn test_stickiness(assignor: Assignor) {
    // AbstractStickyAssignorTest.testStickiness
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 3)]);
    let topic1 = topics(&["topic1"]);
    let mut subscriptions = Subscriptions::default();
    for member in ["consumer1", "consumer2", "consumer3", "consumer4"] {
        subscriptions.put(subscription(member, &topic1));
    }
    let mut assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    let mut partitions_assigned = BTreeMap::new();
    for (consumer, partitions) in &assignment {
        assert!(
            partitions.len() <= 1,
            "{consumer} is assigned more topic partitions than expected"
        );
        if let Some(partition) = partitions.first() {
            partitions_assigned.insert(consumer.clone(), partition.clone());
        }
    }

    subscriptions.remove("consumer1");
    for member in ["consumer2", "consumer3", "consumer4"] {
        subscriptions.put(subscription_v2(
            member,
            &topic1,
            &assignment[member],
            GENERATION_ID,
        ));
    }
    assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    for (consumer, partitions) in &assignment {
        assert_eq!(
            partitions.len(),
            1,
            "{consumer} is assigned more topic partitions than expected"
        );
        if let Some(previous) = partitions_assigned.get(consumer) {
            assert!(
                partitions.contains(previous),
                "stickiness was not honored for {consumer}"
            );
        }
    }
}

fn test_assignment_updated_for_deleted_topic(assignor: Assignor) {
    // AbstractStickyAssignorTest.testAssignmentUpdatedForDeletedTopic
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 1), ("topic3", 100)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription(
        "consumer",
        &topics(&["topic1", "topic2", "topic3"]),
    ));
    let assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    assert_eq!(assignment.values().map(Vec::len).sum::<usize>(), 1 + 100);
    assert_eq!(assignment.keys().collect::<Vec<_>>(), ["consumer"]);
    assert!(is_fully_balanced(&assignment));
}

fn test_no_exception_thrown_when_only_subscribed_topic_deleted(assignor: Assignor) {
    // AbstractStickyAssignorTest.testNoExceptionThrownWhenOnlySubscribedTopicDeleted
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 3)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer", &topics(&["topic"])));
    let assignment = instance.assign(&counts, &subscriptions);
    instance.assert_no_partitions_transferring();
    subscriptions.put(subscription_v2(
        "consumer",
        &topics(&["topic"]),
        &assignment["consumer"],
        GENERATION_ID,
    ));

    let assignment = instance.assign(&BTreeMap::new(), &subscriptions);
    instance.assert_no_partitions_transferring();
    assert_eq!(
        assignment,
        BTreeMap::from([("consumer".to_string(), vec![])])
    );
}

fn test_reassignment_with_random_subscriptions_and_changes(assignor: Assignor) {
    // AbstractStickyAssignorTest.testReassignmentWithRandomSubscriptionsAndChanges (seeded; 25 rounds
    // instead of 100)
    let mut random = TestRandom(0xfeed_face_cafe_beef);
    let (min_consumers, max_consumers, min_topics, max_topics) = (20, 40, 10, 20);
    let mut subscriptions = Subscriptions::default();
    for _ in 0..25 {
        let topic_count = min_topics + random.next_below(max_topics - min_topics);
        let all: Vec<String> = (0..topic_count)
            .map(|i| topic_name(i, max_topics))
            .collect();
        let counts: BTreeMap<String, u32> = all
            .iter()
            .enumerate()
            .map(|(i, topic)| (topic.clone(), i as u32 + 1))
            .collect();
        let consumer_count = min_consumers + random.next_below(max_consumers - min_consumers);
        for i in 0..consumer_count {
            let mut sub = random_sublist(&mut random, &all);
            sub.sort();
            subscriptions.put(subscription(&consumer_name(i, max_consumers), &sub));
        }
        let mut instance = Instance::new(assignor);
        let mut assignment = instance.assign(&counts, &subscriptions);
        verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);

        subscriptions.clear();
        for i in 0..consumer_count {
            let mut sub = random_sublist(&mut random, &all);
            sub.sort();
            let consumer = consumer_name(i, max_consumers);
            subscriptions.put(subscription_v2(
                &consumer,
                &sub,
                &assignment[&consumer],
                GENERATION_ID,
            ));
        }
        assignment = instance.assign(&counts, &subscriptions);
        verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
        assert!(instance.is_sticky());
        subscriptions.clear();
    }
}

fn test_all_consumers_reach_expected_quota_and_are_considered_filled(assignor: Assignor) {
    // AbstractStickyAssignorTest.testAllConsumersReachExpectedQuotaAndAreConsideredFilled
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 4)]);
    let topic = topics(&["topic"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &topic,
        &[tp("topic", 0), tp("topic", 1)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &topic,
        &[tp("topic", 2)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &topic, &[], GENERATION_ID));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(assignment["consumer1"], [tp("topic", 0), tp("topic", 1)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 2)]);
    assert_eq!(assignment["consumer3"], [tp("topic", 3)]);
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn owned_partitions_invalidated(assignor: Assignor, consumer2_generation: i32) {
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 3), ("topic2", 3)]);
    let both = topics(&["topic", "topic2"]);
    let current_generation = 10;
    let claimed = [tp("topic", 0), tp("topic", 2), tp("topic2", 1)];
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &both,
        &claimed,
        current_generation,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &both,
        &claimed,
        consumer2_generation,
    ));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(set(&assignment["consumer1"]), set(&claimed));
    assert_eq!(
        set(&assignment["consumer2"]),
        set(&[tp("topic", 1), tp("topic2", 0), tp("topic2", 2)])
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_owned_partitions_are_invalidated_for_consumer_with_stale_generation(assignor: Assignor) {
    // AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration
    owned_partitions_invalidated(assignor, 10 - 1);
}

fn test_owned_partitions_are_invalidated_for_consumer_with_no_generation(assignor: Assignor) {
    // AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration
    owned_partitions_invalidated(assignor, DEFAULT_GENERATION);
}

fn test_partitions_transferring_ownership_include_the_partition_claimed_by_multiple_consumers_in_same_generation(
    assignor: Assignor,
) {
    // AbstractStickyAssignorTest
    //     .testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 3)]);
    let topic = topics(&["topic"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &topic,
        &[tp("topic", 0), tp("topic", 1)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &topic,
        &[tp("topic", 0), tp("topic", 2)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &topic, &[], GENERATION_ID));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        instance.partitions_transferring_ownership(),
        transfers(&[("topic", 0, "consumer3")])
    );
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert_eq!(assignment["consumer1"], [tp("topic", 1)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 2)]);
    assert_eq!(assignment["consumer3"], [tp("topic", 0)]);
    assert!(is_fully_balanced(&assignment));
}

fn test_ensure_partitions_assigned_to_highest_generation(assignor: Assignor) {
    // AbstractStickyAssignorTest.testEnsurePartitionsAssignedToHighestGeneration
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 3), ("topic2", 3), ("topic3", 3)]);
    let all = topics(&["topic", "topic2", "topic3"]);
    let current_generation = 10;
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &[tp("topic", 0), tp("topic2", 0), tp("topic3", 0)],
        current_generation,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &all,
        &[tp("topic", 1), tp("topic2", 1), tp("topic3", 1)],
        current_generation - 1,
    ));
    subscriptions.put(subscription_v2(
        "consumer3",
        &all,
        &[tp("topic2", 1), tp("topic3", 0), tp("topic3", 2)],
        current_generation - 2,
    ));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        set(&assignment["consumer1"]),
        set(&[tp("topic", 0), tp("topic2", 0), tp("topic3", 0)])
    );
    assert_eq!(
        set(&assignment["consumer2"]),
        set(&[tp("topic", 1), tp("topic2", 1), tp("topic3", 1)])
    );
    assert_eq!(
        set(&assignment["consumer3"]),
        set(&[tp("topic", 2), tp("topic2", 2), tp("topic3", 2)])
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_no_reassignment_on_current_members(assignor: Assignor) {
    // AbstractStickyAssignorTest.testNoReassignmentOnCurrentMembers
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)]);
    let all = topics(&["topic", "topic2", "topic3", "topic1"]);
    let current_generation = 10;
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2("consumer1", &all, &[], DEFAULT_GENERATION));
    subscriptions.put(subscription_v2(
        "consumer2",
        &all,
        &[tp("topic", 0), tp("topic2", 0), tp("topic1", 0)],
        current_generation - 1,
    ));
    subscriptions.put(subscription_v2(
        "consumer3",
        &all,
        &[tp("topic3", 2), tp("topic2", 2), tp("topic1", 1)],
        current_generation - 2,
    ));
    subscriptions.put(subscription_v2(
        "consumer4",
        &all,
        &[tp("topic3", 1), tp("topic", 1), tp("topic", 2)],
        current_generation - 3,
    ));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        set(&assignment["consumer1"]),
        set(&[tp("topic1", 2), tp("topic2", 1), tp("topic3", 0)])
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_owned_partitions_are_invalidated_for_consumer_with_multiple_generation(assignor: Assignor) {
    // AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 3), ("topic2", 3)]);
    let both = topics(&["topic", "topic2"]);
    let current_generation = 10;
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &both,
        &[tp("topic", 0), tp("topic2", 1), tp("topic", 1)],
        current_generation,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &both,
        &[tp("topic", 0), tp("topic2", 1), tp("topic2", 2)],
        current_generation - 2,
    ));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(
        set(&assignment["consumer1"]),
        set(&[tp("topic", 0), tp("topic2", 1), tp("topic", 1)])
    );
    assert_eq!(
        set(&assignment["consumer2"]),
        set(&[tp("topic", 2), tp("topic2", 2), tp("topic2", 0)])
    );
    instance.assert_no_partitions_transferring();
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn test_rack_aware_assignment_with_uniform_subscription_non_rack_expectation(assignor: Assignor) {
    // AbstractStickyAssignorTest.testRackAwareAssignmentWithUniformSubscription: the verifyUniformSubscription
    // calls where rack-aware logic is not used (first without owned partitions, then owning the result).
    let mut instance = Instance::new(assignor);
    let all = topics(&["t1", "t2", "t3"]);
    let consumer_topics = [all.clone(), all.clone(), all];
    let expected = [
        "t1-0, t1-3, t2-0, t2-3, t2-6",
        "t1-1, t1-4, t2-1, t2-4, t3-0",
        "t1-2, t1-5, t2-2, t2-5, t3-1",
    ];
    for _ in 0..2 {
        verify_non_rack_assignment(
            &mut instance,
            &three_topics(6, 7, 2),
            &consumer_topics,
            None,
            &expected,
        );
        verify_non_rack_assignment(
            &mut instance,
            &three_topics(6, 7, 2),
            &consumer_topics,
            Some(&expected),
            &expected,
        );
    }
}

fn test_rack_aware_assignment_with_non_equal_subscription_non_rack_expectation(assignor: Assignor) {
    // AbstractStickyAssignorTest.testRackAwareAssignmentWithNonEqualSubscription: verifyNonEqualSubscription
    // where rack-aware logic is not used, and "result is same as non-rack-aware assignment if all racks match"
    // (preferRackAwareLogic false, every partition on every rack).
    let mut instance = Instance::new(assignor);
    let all = topics(&["t1", "t2", "t3"]);
    let consumer_topics = [all.clone(), all, topics(&["t1", "t3"])];
    let counts = three_topics(6, 7, 2);
    let non_rack_aware = [
        "t1-5, t2-0, t2-2, t2-4, t2-6",
        "t1-3, t2-1, t2-3, t2-5, t3-0",
        "t1-0, t1-1, t1-2, t1-4, t3-1",
    ];
    verify_non_rack_assignment(
        &mut instance,
        &counts,
        &consumer_topics,
        None,
        &non_rack_aware,
    );
    verify_non_rack_assignment(
        &mut instance,
        &counts,
        &consumer_topics,
        Some(&non_rack_aware),
        &non_rack_aware,
    );

    let owned = [
        "t1-0, t1-1, t1-2, t1-3, t1-4",
        "t1-5, t2-0, t2-1, t2-2, t2-3",
        "t2-4, t2-5, t2-6, t3-0, t3-1",
    ];
    if assignor == Assignor::Sticky {
        verify_non_rack_assignment(
            &mut instance,
            &counts,
            &consumer_topics,
            Some(&owned),
            &non_rack_aware,
        );
    } else {
        let intermediate = ["t1-2, t1-3, t1-4", "t2-0, t2-1, t2-2, t2-3", "t3-0, t3-1"];
        let assignment = [
            "t1-2, t1-3, t1-4, t2-4, t2-5",
            "t2-0, t2-1, t2-2, t2-3, t2-6",
            "t1-0, t1-1, t1-5, t3-0, t3-1",
        ];
        verify_non_rack_assignment(
            &mut instance,
            &counts,
            &consumer_topics,
            Some(&owned),
            &intermediate,
        );
        verify_non_rack_assignment(
            &mut instance,
            &counts,
            &consumer_topics,
            Some(&intermediate),
            &assignment,
        );
    }
}

fn test_assignor_with_old_version_subscriptions(assignor: Assignor) {
    // StickyAssignorTest.testAssignorWithOldVersionSubscriptions and
    // CooperativeStickyAssignorTest.testAssignorWithOldVersionSubscriptions: V0/V1 encodings carry the same
    // owned partitions and generation (in userData), modelled as owned partitions plus generation 1.
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic1", 3)]);
    let topic1 = topics(&["topic1"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &topic1,
        &[tp("topic1", 0)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &topic1,
        &[tp("topic1", 1)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &topic1, &[], GENERATION_ID));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(assignment["consumer1"], [tp("topic1", 0)]);
    assert_eq!(assignment["consumer2"], [tp("topic1", 1)]);
    assert_eq!(assignment["consumer3"], [tp("topic1", 2)]);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

fn assignment_with_multiple_generations_1(assignor: Assignor, all_subscriptions_equal: bool) {
    let mut instance = Instance::new(assignor);
    let all = topics(&["topic", "topic2"]);
    let consumer2_topics = if all_subscriptions_equal {
        all.clone()
    } else {
        topics(&["topic"])
    };
    let counts = partitions_per_topic(&[("topic", 6), ("topic2", 6)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &all));
    subscriptions.put(subscription("consumer2", &consumer2_topics));
    subscriptions.put(subscription("consumer3", &all));
    let mut assignment = instance.assign(&counts, &subscriptions);
    let r1_partitions1 = assignment["consumer1"].clone();
    let r1_partitions2 = assignment["consumer2"].clone();
    let r1_partitions3 = assignment["consumer3"].clone();
    assert!(r1_partitions1.len() == 4 && r1_partitions2.len() == 4 && r1_partitions3.len() == 4);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));

    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &r1_partitions1,
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &consumer2_topics,
        &r1_partitions2,
        GENERATION_ID,
    ));
    subscriptions.remove("consumer3");
    assignment = instance.assign(&counts, &subscriptions);
    let r2_partitions1 = assignment["consumer1"].clone();
    let r2_partitions2 = assignment["consumer2"].clone();
    assert!(r2_partitions1.len() == 6 && r2_partitions2.len() == 6);
    if all_subscriptions_equal {
        assert!(set(&r2_partitions1).is_superset(&set(&r1_partitions1)));
    }
    assert!(set(&r2_partitions2).is_superset(&set(&r1_partitions2)));
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
    assert!(!set(&r2_partitions2).is_disjoint(&set(&r1_partitions3)));

    subscriptions.remove("consumer1");
    subscriptions.put(subscription_v2(
        "consumer2",
        &consumer2_topics,
        &r2_partitions2,
        2,
    ));
    subscriptions.put(subscription_v2("consumer3", &all, &r1_partitions3, 1));
    assignment = instance.assign(&counts, &subscriptions);
    let r3_partitions2 = assignment["consumer2"].clone();
    let r3_partitions3 = assignment["consumer3"].clone();
    assert!(r3_partitions2.len() == 6 && r3_partitions3.len() == 6);
    assert!(set(&r3_partitions2).is_disjoint(&set(&r3_partitions3)));
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

#[test]
fn sticky_test_assignment_with_multiple_generations_1() {
    // StickyAssignorTest.testAssignmentWithMultipleGenerations1 (both isAllSubscriptionsEqual values)
    assignment_with_multiple_generations_1(Assignor::Sticky, true);
    assignment_with_multiple_generations_1(Assignor::Sticky, false);
}

fn assignment_with_multiple_generations_2(assignor: Assignor, all_subscriptions_equal: bool) {
    let mut instance = Instance::new(assignor);
    let all = topics(&["topic", "topic2", "topic3"]);
    let consumer1_topics = if all_subscriptions_equal {
        all.clone()
    } else {
        topics(&["topic"])
    };
    let consumer3_topics = if all_subscriptions_equal {
        all.clone()
    } else {
        topics(&["topic", "topic2"])
    };
    let counts = partitions_per_topic(&[("topic", 4), ("topic2", 4), ("topic3", 4)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &consumer1_topics));
    subscriptions.put(subscription("consumer2", &all));
    subscriptions.put(subscription("consumer3", &consumer3_topics));
    let mut assignment = instance.assign(&counts, &subscriptions);
    let r1_partitions1 = assignment["consumer1"].clone();
    let r1_partitions2 = assignment["consumer2"].clone();
    let r1_partitions3 = assignment["consumer3"].clone();
    assert!(r1_partitions1.len() == 4 && r1_partitions2.len() == 4 && r1_partitions3.len() == 4);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));

    subscriptions.remove("consumer1");
    subscriptions.put(subscription_v2("consumer2", &all, &r1_partitions2, 1));
    subscriptions.remove("consumer3");
    assignment = instance.assign(&counts, &subscriptions);
    let r2_partitions2 = assignment["consumer2"].clone();
    assert_eq!(r2_partitions2.len(), 12);
    assert!(set(&r2_partitions2).is_superset(&set(&r1_partitions2)));
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));

    subscriptions.put(subscription_v2(
        "consumer1",
        &consumer1_topics,
        &r1_partitions1,
        1,
    ));
    subscriptions.put(subscription_v2("consumer2", &all, &r2_partitions2, 2));
    subscriptions.put(subscription_v2(
        "consumer3",
        &consumer3_topics,
        &r1_partitions3,
        1,
    ));
    assignment = instance.assign(&counts, &subscriptions);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    let sizes: Vec<usize> = assignment.values().map(Vec::len).collect();
    assert_eq!(sizes, [4, 4, 4]);
    assert!(is_fully_balanced(&assignment));
}

#[test]
fn sticky_test_assignment_with_multiple_generations_2() {
    // StickyAssignorTest.testAssignmentWithMultipleGenerations2 (both isAllSubscriptionsEqual values)
    assignment_with_multiple_generations_2(Assignor::Sticky, true);
    assignment_with_multiple_generations_2(Assignor::Sticky, false);
}

fn assignment_with_conflicting_previous_generations(
    assignor: Assignor,
    all_subscriptions_equal: bool,
) {
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", 4), ("topic2", 4), ("topic3", 4)]);
    let all = topics(&["topic", "topic2", "topic3"]);
    let consumer1_topics = if all_subscriptions_equal {
        all.clone()
    } else {
        topics(&["topic"])
    };
    let consumer2_topics = if all_subscriptions_equal {
        all.clone()
    } else {
        topics(&["topic", "topic2"])
    };
    let c1_partitions0 = if all_subscriptions_equal {
        vec![
            tp("topic", 0),
            tp("topic", 1),
            tp("topic", 2),
            tp("topic2", 2),
            tp("topic2", 3),
            tp("topic3", 0),
        ]
    } else {
        vec![
            tp("topic", 0),
            tp("topic", 1),
            tp("topic", 2),
            tp("topic", 3),
        ]
    };
    let c2_partitions0 = [
        tp("topic", 0),
        tp("topic", 1),
        tp("topic2", 0),
        tp("topic2", 1),
        tp("topic2", 2),
        tp("topic2", 3),
    ];
    let c3_partitions0 = [
        tp("topic", 2),
        tp("topic", 3),
        tp("topic3", 0),
        tp("topic3", 1),
        tp("topic3", 2),
        tp("topic3", 3),
    ];
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &consumer1_topics,
        &c1_partitions0,
        1,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &consumer2_topics,
        &c2_partitions0,
        2,
    ));
    subscriptions.put(subscription_v2("consumer3", &all, &c3_partitions0, 2));
    let mut assignment = instance.assign(&counts, &subscriptions);
    let (c1, c2, c3) = (
        assignment["consumer1"].clone(),
        assignment["consumer2"].clone(),
        assignment["consumer3"].clone(),
    );
    assert!(c1.len() == 4 && c2.len() == 4 && c3.len() == 4);
    assert!(set(&c2_partitions0).is_superset(&set(&c2)));
    assert!(set(&c3_partitions0).is_superset(&set(&c3)));
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

#[test]
fn sticky_test_assignment_with_conflicting_previous_generations() {
    // StickyAssignorTest.testAssignmentWithConflictingPreviousGenerations (both isAllSubscriptionsEqual values)
    assignment_with_conflicting_previous_generations(Assignor::Sticky, true);
    assignment_with_conflicting_previous_generations(Assignor::Sticky, false);
}

// ---------------------------------------------------------------------------------------------------------
// StickyAssignorTest / CooperativeStickyAssignorTest specific cases.
// ---------------------------------------------------------------------------------------------------------

fn claimed_by_multiple_consumers(
    assignor: Assignor,
    partition_count: u32,
) -> (Instance, Subscriptions, Assignment) {
    let mut instance = Instance::new(assignor);
    let counts = partitions_per_topic(&[("topic", partition_count)]);
    let topic = topics(&["topic"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &topic,
        &[tp("topic", 0), tp("topic", 1)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &topic,
        &[tp("topic", 0), tp("topic", 2)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &topic, &[], GENERATION_ID));
    let assignment = instance.assign(&counts, &subscriptions);
    (instance, subscriptions, assignment)
}

#[test]
fn sticky_test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_equal_partitions_per_consumer(
) {
    // StickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer
    let (mut instance, mut subscriptions, mut assignment) =
        claimed_by_multiple_consumers(Assignor::Sticky, 3);
    assert_eq!(assignment["consumer1"], [tp("topic", 1)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 2)]);
    assert_eq!(assignment["consumer3"], [tp("topic", 0)]);
    let counts = partitions_per_topic(&[("topic", 3)]);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

#[test]
fn sticky_test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_unequal_partitions_per_consumer(
) {
    // StickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer
    let (mut instance, mut subscriptions, mut assignment) =
        claimed_by_multiple_consumers(Assignor::Sticky, 4);
    assert_eq!(assignment["consumer1"], [tp("topic", 1), tp("topic", 3)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 2)]);
    assert_eq!(assignment["consumer3"], [tp("topic", 0)]);
    let counts = partitions_per_topic(&[("topic", 4)]);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

#[test]
fn cooperative_test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_equal_partitions_per_consumer(
) {
    // CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer
    let (mut instance, mut subscriptions, mut assignment) =
        claimed_by_multiple_consumers(Assignor::CooperativeSticky, 3);
    assert_eq!(assignment["consumer1"], [tp("topic", 1)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 2)]);
    // topic-0 is still "owned" and cannot be assigned until both claimants have revoked it.
    assert!(assignment["consumer3"].is_empty());
    let counts = partitions_per_topic(&[("topic", 3)]);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

#[test]
fn cooperative_test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_unequal_partitions_per_consumer(
) {
    // CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer
    let (mut instance, mut subscriptions, mut assignment) =
        claimed_by_multiple_consumers(Assignor::CooperativeSticky, 4);
    assert_eq!(assignment["consumer1"], [tp("topic", 1), tp("topic", 3)]);
    assert_eq!(assignment["consumer2"], [tp("topic", 2)]);
    assert!(assignment["consumer3"].is_empty());
    let counts = partitions_per_topic(&[("topic", 4)]);
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

#[test]
fn sticky_test_schema_backward_compatibility() {
    // StickyAssignorTest.testSchemaBackwardCompatibility: consumer2's userData uses the V0 schema without a
    // generation, modelled as owned partitions with no generation.
    let mut instance = Instance::new(Assignor::Sticky);
    let counts = partitions_per_topic(&[("topic", 3)]);
    let topic = topics(&["topic"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("consumer1", &topic));
    subscriptions.put(subscription("consumer2", &topic));
    subscriptions.put(subscription("consumer3", &topic));
    let c1_partitions0 = [tp("topic", 0), tp("topic", 2)];
    let c2_partitions0 = [tp("topic", 1)];
    subscriptions.put(subscription_v2("consumer1", &topic, &c1_partitions0, 1));
    subscriptions.put(subscription_v2(
        "consumer2",
        &topic,
        &c2_partitions0,
        DEFAULT_GENERATION,
    ));
    let mut assignment = instance.assign(&counts, &subscriptions);
    assert!(assignment.values().all(|list| list.len() == 1));
    assert!(set(&c1_partitions0).is_superset(&set(&assignment["consumer1"])));
    assert!(set(&c2_partitions0).is_superset(&set(&assignment["consumer2"])));
    verify_validity_and_balance(&mut instance, &mut subscriptions, &mut assignment, &counts);
    assert!(is_fully_balanced(&assignment));
}

// ---------------------------------------------------------------------------------------------------------
// StickyAssignor javadoc examples and the cooperative two-round behaviour (reference sections 3.3, 3.7).
// ---------------------------------------------------------------------------------------------------------

#[test]
fn sticky_javadoc_example_1() {
    // StickyAssignor class javadoc, example 1, with the current code's answer (reference section 3.3).
    let counts = partitions_per_topic(&[("t0", 2), ("t1", 2), ("t2", 2), ("t3", 2)]);
    let all = topics(&["t0", "t1", "t2", "t3"]);
    let mut subscriptions = Subscriptions::default();
    for member in ["C0", "C1", "C2"] {
        subscriptions.put(subscription(member, &all));
    }
    let mut instance = Instance::new(Assignor::Sticky);
    let assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(assignment["C0"], [tp("t0", 0), tp("t1", 1), tp("t3", 0)]);
    assert_eq!(assignment["C1"], [tp("t0", 1), tp("t2", 0), tp("t3", 1)]);
    assert_eq!(assignment["C2"], [tp("t1", 0), tp("t2", 1)]);
    // Round robin gives the same first assignment.
    assert_eq!(
        assign(Assignor::RoundRobin, &counts, &subscriptions.0),
        assignment
    );

    subscriptions.remove("C1");
    resubscribe_with_assignment(&mut subscriptions, &assignment, &["C0".into(), "C2".into()]);
    let assignment = instance.assign(&counts, &subscriptions);
    // Owned partitions sorted by (partition, topic) first, then the orphans round robin.
    assert_eq!(
        assignment["C0"],
        [tp("t0", 0), tp("t3", 0), tp("t1", 1), tp("t0", 1)]
    );
    assert_eq!(
        assignment["C2"],
        [tp("t1", 0), tp("t2", 1), tp("t2", 0), tp("t3", 1)]
    );
    assert_eq!(
        set(&assignment["C0"]),
        set(&[tp("t0", 0), tp("t0", 1), tp("t1", 1), tp("t3", 0)])
    );
    assert_eq!(
        set(&assignment["C2"]),
        set(&[tp("t1", 0), tp("t2", 0), tp("t2", 1), tp("t3", 1)])
    );
    // Round robin, for comparison.
    let round_robin = assign(Assignor::RoundRobin, &counts, &subscriptions.0);
    assert_eq!(
        round_robin["C0"],
        [tp("t0", 0), tp("t1", 0), tp("t2", 0), tp("t3", 0)]
    );
    assert_eq!(
        round_robin["C2"],
        [tp("t0", 1), tp("t1", 1), tp("t2", 1), tp("t3", 1)]
    );
}

#[test]
fn sticky_javadoc_example_2() {
    // StickyAssignor class javadoc, example 2 (matches the current code).
    let counts = partitions_per_topic(&[("t0", 1), ("t1", 2), ("t2", 3)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription("C0", &topics(&["t0"])));
    subscriptions.put(subscription("C1", &topics(&["t0", "t1"])));
    subscriptions.put(subscription("C2", &topics(&["t0", "t1", "t2"])));
    let mut instance = Instance::new(Assignor::Sticky);
    let assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(assignment["C0"], [tp("t0", 0)]);
    assert_eq!(assignment["C1"], [tp("t1", 0), tp("t1", 1)]);
    assert_eq!(assignment["C2"], [tp("t2", 0), tp("t2", 1), tp("t2", 2)]);

    subscriptions.remove("C0");
    resubscribe_with_assignment(&mut subscriptions, &assignment, &["C1".into(), "C2".into()]);
    let assignment = instance.assign(&counts, &subscriptions);
    assert_eq!(assignment["C1"], [tp("t1", 0), tp("t1", 1), tp("t0", 0)]);
    assert_eq!(assignment["C2"], [tp("t2", 0), tp("t2", 1), tp("t2", 2)]);
    assert_eq!(instance.partitions_transferring_ownership(), None);
}

#[test]
fn cooperative_two_round_rebalance_when_two_consumers_join() {
    // Reference section 3.7 (AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics, step 2, run
    // with CooperativeStickyAssignor): round 1 gives the joiners nothing others still own; the follow-up
    // round, with the revoked partitions gone from their previous owners, completes the move.
    let counts = partitions_per_topic(&[("topic1", 3), ("topic2", 4)]);
    let all = topics(&["topic1", "topic2"]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &all,
        &[
            tp("topic1", 0),
            tp("topic1", 2),
            tp("topic2", 1),
            tp("topic2", 3),
        ],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &all,
        &[tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2("consumer3", &all, &[], GENERATION_ID));
    subscriptions.put(subscription_v2("consumer4", &all, &[], GENERATION_ID));

    let round1 = assign_detailed(Assignor::CooperativeSticky, &counts, &subscriptions.0, None);
    assert_eq!(
        round1.assignment["consumer1"],
        [tp("topic1", 0), tp("topic2", 1)]
    );
    assert_eq!(
        round1.assignment["consumer2"],
        [tp("topic2", 0), tp("topic1", 1)]
    );
    assert_eq!(round1.assignment["consumer3"], []);
    assert_eq!(round1.assignment["consumer4"], []);
    assert_eq!(
        round1.partitions_transferring_ownership,
        transfers(&[
            ("topic1", 2, "consumer3"),
            ("topic2", 3, "consumer3"),
            ("topic2", 2, "consumer4")
        ])
    );
    // The eager sticky assignor hands the partitions over at once.
    let eager = assign(Assignor::Sticky, &counts, &subscriptions.0);
    assert_eq!(eager["consumer3"], [tp("topic1", 2), tp("topic2", 3)]);
    assert_eq!(eager["consumer4"], [tp("topic2", 2)]);

    let members: Vec<String> = ["consumer1", "consumer2", "consumer3", "consumer4"]
        .map(String::from)
        .to_vec();
    resubscribe_with_assignment(&mut subscriptions, &round1.assignment, &members);
    let round2 = assign_detailed(
        Assignor::CooperativeSticky,
        &counts,
        &subscriptions.0,
        round1.max_generation,
    );
    assert_eq!(round2.assignment, eager);
    assert_eq!(
        round2.partitions_transferring_ownership,
        Some(BTreeMap::new())
    );
}

#[test]
fn cooperative_general_builder_defers_moves_to_follow_up_round() {
    // Not a Kafka test: with unequal subscriptions CooperativeStickyAssignor computes the transfers itself
    // ((assigned - owned) intersected with (owned - assigned)); the moved partitions appear one round later.
    let counts = partitions_per_topic(&[("topic1", 4), ("topic2", 2)]);
    let mut subscriptions = Subscriptions::default();
    subscriptions.put(subscription_v2(
        "consumer1",
        &topics(&["topic1", "topic2"]),
        &[
            tp("topic1", 0),
            tp("topic1", 1),
            tp("topic1", 2),
            tp("topic1", 3),
            tp("topic2", 0),
            tp("topic2", 1),
        ],
        GENERATION_ID,
    ));
    subscriptions.put(subscription_v2(
        "consumer2",
        &topics(&["topic1"]),
        &[],
        GENERATION_ID,
    ));
    let eager = assign_detailed(Assignor::Sticky, &counts, &subscriptions.0, None);
    assert_eq!(eager.partitions_transferring_ownership, None);
    let moved: Vec<TopicPartition> = eager.assignment["consumer2"].clone();
    assert!(!moved.is_empty());
    let cooperative = assign(Assignor::CooperativeSticky, &counts, &subscriptions.0);
    assert_eq!(cooperative["consumer2"], []);
    let kept: Vec<TopicPartition> = eager.assignment["consumer1"].clone();
    assert_eq!(cooperative["consumer1"], kept);
}

// ---------------------------------------------------------------------------------------------------------
// Inputs Kafka rejects or never sees: the port must not panic.
// ---------------------------------------------------------------------------------------------------------

#[test]
fn never_panics_on_degenerate_inputs() {
    let counts = partitions_per_topic(&[("topic", 3), ("empty", 0)]);
    let cases: Vec<Vec<Subscription>> = vec![
        vec![],
        vec![Subscription::new("a", Vec::<String>::new())],
        vec![
            Subscription::new("a", ["unknown"]),
            Subscription::new("b", ["unknown", "topic"]),
        ],
        vec![
            Subscription::new("a", ["empty"]),
            Subscription::new("b", ["empty"]),
        ],
        // A member listed twice, a topic listed twice, and owned partitions that do not exist.
        vec![
            Subscription::new("a", ["topic", "topic"])
                .with_owned(vec![tp("topic", 7), tp("gone", 0)], Some(3)),
            Subscription::new("a", ["topic"])
                .with_owned(vec![tp("topic", 0), tp("topic", 0)], Some(3)),
            Subscription::new("b", ["topic"])
                .with_owned(vec![tp("topic", 0), tp("topic", 9)], Some(3)),
        ],
        // The first member has no topics, which makes Kafka treat the group as having equal subscriptions.
        vec![
            Subscription::new("a", Vec::<String>::new()),
            Subscription::new("b", ["topic"]).with_owned(vec![tp("topic", 2)], Some(-4)),
        ],
    ];
    for subscriptions in cases {
        for assignor in [
            Assignor::Range,
            Assignor::RoundRobin,
            Assignor::Sticky,
            Assignor::CooperativeSticky,
        ] {
            let assignment = assign(assignor, &counts, &subscriptions);
            let members: BTreeSet<&str> =
                subscriptions.iter().map(|s| s.member_id.as_str()).collect();
            assert_eq!(
                assignment
                    .keys()
                    .map(String::as_str)
                    .collect::<BTreeSet<_>>(),
                members
            );
        }
    }
}

#[test]
fn repeated_member_id_keeps_the_last_subscription() {
    // The leader's HashMap keeps the last subscription put for a member id.
    let counts = partitions_per_topic(&[("a", 1), ("b", 1)]);
    let subscriptions = [Subscription::new("m", ["a"]), Subscription::new("m", ["b"])];
    for assignor in [
        Assignor::Range,
        Assignor::RoundRobin,
        Assignor::Sticky,
        Assignor::CooperativeSticky,
    ] {
        assert_eq!(assign(assignor, &counts, &subscriptions)["m"], [tp("b", 0)]);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Vectors computed by Kafka's own assignor classes (trunk of 2024-10-25) on a JVM, through the leader's path
// `AbstractPartitionAssignor.assign(Cluster, GroupSubscription)`. Not Kafka tests: they pin tie-breaks that
// Kafka's tests do not reach (see each comment). Members are listed in JoinGroup order.
// ---------------------------------------------------------------------------------------------------------

/// (member id, generation, subscribed topics, owned partitions), lists comma-separated.
type VectorMember<'a> = (&'a str, Option<i32>, &'a str, &'a str);

fn jvm_vector(
    assignor: Assignor,
    counts: &[(&str, u32)],
    members: &[VectorMember],
    expected: &[(&str, &str)],
) {
    let split = |list: &str| -> Vec<String> {
        list.split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let subscriptions: Vec<Subscription> = members
        .iter()
        .map(|(id, generation, topic_list, owned)| {
            let owned = split(owned)
                .iter()
                .flat_map(|p| parse_partitions(p))
                .collect();
            Subscription::new(*id, split(topic_list)).with_owned(owned, *generation)
        })
        .collect();
    let details = assign_detailed(
        assignor,
        &partitions_per_topic(counts),
        &subscriptions,
        None,
    );
    let actual: Vec<(String, String)> = details
        .assignment
        .iter()
        .map(|(member, list)| {
            (
                member.clone(),
                list.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(m, l)| (m.to_string(), l.to_string()))
        .collect();
    assert_eq!(actual, expected);
    assert!(!details.java_order_approximate);
}

#[test]
fn jvm_vector_general_builder_moves_the_first_partition_of_a_movement_hash_set() {
    // PartitionMovements.getTheActualPartitionToBeMoved returns the first element of a HashSet<TopicPartition>.
    jvm_vector(
        Assignor::Sticky,
        &[
            ("payments", 7),
            ("t10", 16),
            ("t11", 13),
            ("t12", 5),
            ("t6", 3),
        ],
        &[
            (
                "C39",
                Some(5),
                "t10,t11,t12",
                "t11-0,t11-1,t11-2,t11-3,t11-4,t11-5,t11-6,t11-7,t11-8,t11-9,t11-10,t11-11,t11-12,t12-0,t12-1,t12-2,\
                 t12-3,t12-4,t10-9,t10-11,t10-13,t10-15",
            ),
            (
                "C10",
                Some(5),
                "t11,t12,t6",
                "payments-0,payments-1,payments-2,payments-3,payments-4,payments-5,payments-6,t6-0,t6-1,t6-2,t10-0,\
                 t10-1,t10-2,t10-3,t10-4,t10-5,t10-6,t10-7,t10-8,t10-10,t10-12,t10-14",
            ),
            ("C7", None, "t10,t11,t12,t6", ""),
        ],
        &[
            (
                "C10",
                "t6-0,t6-1,t6-2,t11-0,t11-1,t11-2,t11-3,t11-4,t11-5,t11-6,t11-7,t11-8",
            ),
            (
                "C39",
                "t12-0,t12-1,t12-2,t12-3,t12-4,t11-9,t11-10,t11-11,t11-12,t10-15,t10-13,t10-11",
            ),
            (
                "C7",
                "t10-0,t10-1,t10-2,t10-3,t10-4,t10-5,t10-6,t10-7,t10-8,t10-10,t10-12,t10-14,t10-9",
            ),
        ],
    );
}

#[test]
fn jvm_vector_cooperative_general_builder_with_partition_movements() {
    // The same tie-break for CooperativeStickyAssignor, followed by its adjustAssignment.
    jvm_vector(
        Assignor::CooperativeSticky,
        &[
            ("b", 2),
            ("orders", 8),
            ("t11", 8),
            ("t14", 3),
            ("t15", 1),
            ("t5", 7),
            ("topic", 4),
            ("topic1", 5),
            ("topic2", 1),
            ("topic3", 7),
        ],
        &[
            (
                "BFj",
                Some(2),
                "topic2,b,orders,t5,topic1,topic3,t15",
                "t15-0,topic3-0,topic3-1,topic3-2,topic3-3,topic3-4,topic3-5,topic3-6,orders-3,orders-5,orders-7,t5-1,\
                 t5-3,t5-5,b-0,b-1,orders-0,orders-1,orders-2,orders-4,orders-6,t5-0,t5-2,t5-4,t5-6,t11-0",
            ),
            (
                "OnBONRrs",
                None,
                "topic2,topic1,t11,t14",
                "t11-0,t11-1,t11-2,t11-3,t11-4,t11-5,t11-6,t11-7,t14-0,t14-1,t14-2,topic1-0,topic1-1,topic1-2,topic2-0",
            ),
            ("WzFS", None, "t11,topic3,topic,t15", ""),
        ],
        &[
            (
                "BFj",
                "orders-3,orders-5,orders-7,t5-1,t5-3,t5-5,b-0,b-1,orders-0,orders-1,orders-2,orders-4,orders-6,t5-0,\
                 t5-2,t5-4,t5-6",
            ),
            (
                "OnBONRrs",
                "t11-6,t11-7,t14-0,t14-1,t14-2,topic1-0,topic1-1,topic1-2,topic2-0,topic1-3,topic1-4,t11-4,t11-1,t11-2",
            ),
            ("WzFS", "topic-0,topic-1,topic-2,topic-3"),
        ],
    );
}

#[test]
fn jvm_vector_eager_sticky_reads_owned_partitions_grouped_by_topic() {
    // StickyAssignor's userData round trip groups owned partitions by topic in the iteration order of
    // CollectionUtils.groupPartitionsByTopic's HashMap (computeIfAbsent: head of the bucket).
    jvm_vector(
        Assignor::Sticky,
        &[("b", 5), ("t6", 8)],
        &[
            ("c03", Some(1), "b,t6", "b-0,b-2,b-4,t6-1,t6-3,t6-5,t6-7"),
            ("c07", Some(1), "b,t6", "b-1,b-3,t6-0,t6-2,t6-4,t6-6"),
            ("c32", None, "t6", ""),
            ("c21", None, "b", ""),
        ],
        &[
            ("c03", "t6-5,t6-7,b-4"),
            ("c07", "t6-2,t6-4,t6-6"),
            ("c21", "b-0,b-1,b-2,b-3"),
            ("c32", "t6-0,t6-1,t6-3"),
        ],
    );
}

#[test]
fn jvm_vector_previous_assignment_keeps_the_first_claimant_of_a_generation() {
    // prepopulateCurrentAssignments keeps the first claimant (subscriptions HashMap order) on equal generations.
    jvm_vector(
        Assignor::Sticky,
        &[
            ("payments", 8),
            ("t1", 5),
            ("t14", 6),
            ("t15", 2),
            ("t7", 6),
            ("t9", 4),
            ("topic", 6),
            ("topic5", 4),
            ("x-y", 7),
        ],
        &[
            (
                "c34",
                Some(2),
                "t9,topic5,t14,t15,topic,t7,unknown",
                "t7-0,t7-2,t7-4,t9-3,t15-1,topic-4,t14-3",
            ),
            (
                "c38",
                Some(2),
                "t1,payments,t9,topic5,t15",
                "t9-0,t9-1,t9-2,payments-5,topic5-0,topic5-2",
            ),
            (
                "c05",
                Some(2),
                "t1,topic5,t14,t15,topic",
                "t1-0,t1-1,t1-2,t1-3,t1-4,topic-2,t14-0",
            ),
            (
                "c37",
                Some(2),
                "payments,t9,t14,topic,t7",
                "t7-1,t7-3,t7-5,payments-4,topic-0,topic-5,t14-4",
            ),
            (
                "c32",
                None,
                "payments,topic5,t14,x-y,t7,unknown",
                "x-y-1,x-y-3,x-y-5,payments-3,payments-7,topic5-1,t14-2",
            ),
            (
                "c39",
                None,
                "t1,payments,t9,topic5,t15,x-y,t7",
                "payments-0,payments-1,payments-2,payments-6,topic-1,topic5-3,t14-5",
            ),
            (
                "c14",
                Some(2),
                "t1,payments,t9,t14,x-y,topic",
                "x-y-0,x-y-2,x-y-4,x-y-6,t15-0,topic-3,t14-1",
            ),
            ("c28", None, "t1,topic5,t15,x-y", "payments-0"),
            ("c31", None, "t1,t9,t14,x-y,topic,t7", ""),
        ],
        &[
            ("c05", "t14-0,t1-1,t1-2,t1-3,t1-4"),
            ("c14", "x-y-2,x-y-4,x-y-6,t14-1,topic-3"),
            ("c28", "t15-0,t15-1,x-y-0,x-y-1,t1-0"),
            ("c31", "topic-1,t14-5,t7-0,t7-1,t7-3,topic-2"),
            ("c32", "topic5-1,x-y-3,x-y-5,t14-2,payments-7"),
            ("c34", "t7-2,t7-4,t9-3,t14-3,topic-4"),
            ("c37", "t7-5,t14-4,payments-4,topic-0,topic-5"),
            ("c38", "topic5-0,topic5-2,t9-0,t9-1,t9-2,payments-5"),
            (
                "c39",
                "topic5-3,payments-1,payments-2,payments-6,payments-0,payments-3",
            ),
        ],
    );
}
