//! A read-only snapshot of the simulation for the UI and the CLI: what `kafka-topics.sh --describe` and
//! `kafka-consumer-groups.sh --describe` would show, plus what the picture draws.

use super::accounting::DeliveryCounts;
use super::engine::Simulation;
use super::group::{Activity, MemberStatus};
use super::ids::{BrokerId, GroupIx, MemberSlot, ProducerIx, Tp};
use super::network::{Flow, Node};
use super::world::{Effects, RequestsReport};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterView {
    pub now_us: u64,
    pub seed: u64,
    /// The scenario's `time_quantum_ms` (0: exact time).
    pub time_quantum_ms: u64,
    pub brokers: Vec<BrokerView>,
    pub topics: Vec<TopicView>,
    pub producers: Vec<ProducerView>,
    pub groups: Vec<GroupView>,
    pub flows: Vec<Flow>,
    /// The network faults in place: a cut link between two nodes, or a node isolated from all (no `b`).
    pub cuts: Vec<(Node, Option<Node>)>,
    /// Classic queues beside the log.
    pub queues: Vec<QueueView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueView {
    pub id: String,
    pub producer: String,
    /// Messages in the queue: ready, or delivered and not acknowledged.
    pub depth: u64,
    pub ready: u64,
    pub published: u64,
    pub delivered: u64,
    pub redelivered: u64,
    pub acknowledged: u64,
    pub consumers: Vec<QueueConsumerView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueConsumerView {
    pub id: String,
    pub alive: bool,
    pub in_hand: u64,
    pub processed: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BrokerView {
    pub id: u32,
    pub alive: bool,
    pub fenced: bool,
    pub leaderships: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicView {
    pub name: String,
    pub replication_factor: u32,
    pub min_insync_replicas: u64,
    pub unclean_leader_election_enable: bool,
    pub partitions: Vec<PartitionView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicaView {
    pub broker: u32,
    pub alive: bool,
    pub in_sync: bool,
    pub is_leader: bool,
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    pub high_watermark: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitionView {
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    pub replica_logs: Vec<ReplicaView>,
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    pub offline: bool,
    pub under_replicated: bool,
    pub under_min_isr: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerView {
    pub id: String,
    pub topic: String,
    pub rate_per_sec: u32,
    pub acks: &'static str,
    pub enable_idempotence: bool,
    pub records_generated: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub records_retried: u64,
    /// Records a retry wrote a second time (without idempotence).
    pub records_written_twice: u64,
    pub records_pending: u64,
    pub acknowledged_records_lost: u64,
    pub keys: std::sync::Arc<super::scenario::KeySpec>,
    /// The user-facing requests (one per record): through Kafka, and through the synchronous baseline
    /// if the producer has one.
    pub requests: ProducerRequests,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerRequests {
    pub kafka: RequestsReport,
    pub sync: Option<RequestsReport>,
    /// The synchronous baseline's calls, in order: (service, ms, down).
    pub sync_calls: Vec<(String, u64, bool)>,
}

/// What a group's processing did to its sink (`world`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SinkView {
    pub id: String,
    pub capacity_per_sec: u32,
    pub idempotence: super::scenario::Idempotence,
    /// Writes by every group sharing the sink, applied or refused.
    pub writes: u64,
    /// How long a write asked for now would wait for the earlier ones (the sink's backlog).
    pub wait_ms: u64,
    #[serde(flatten)]
    pub effects: Effects,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberView {
    /// The member's name in the scenario: its `client.id`.
    pub member: String,
    /// The `member.id` the coordinator gave its current process (`client.id`-UUID); `None` when it is
    /// not in the group.
    pub member_id: Option<String>,
    pub status: MemberStatus,
    pub in_group: bool,
    pub generation: Option<i32>,
    pub joining: bool,
    pub assignment: Vec<(String, u32)>,
    pub activity: Activity,
    pub stalled: bool,
    pub records_in_hand: u64,
    pub buffered_records: u64,
    pub records_processed: u64,
}

/// One row of `kafka-consumer-groups.sh --describe`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LagRow {
    pub topic: String,
    pub partition: u32,
    /// The committed offset; `None` prints as `-`.
    pub current_offset: Option<u64>,
    /// What the tool calls LOG-END-OFFSET is the high watermark (ListOffsets latest, read_uncommitted).
    pub log_end_offset: u64,
    pub lag: Option<u64>,
    /// The owner's `member.id` (CONSUMER-ID in `kafka-consumer-groups.sh`).
    pub consumer_id: Option<String>,
    /// The owner's `client.id`: its name in the scenario (CLIENT-ID).
    pub client_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupView {
    pub group: String,
    pub state: &'static str,
    pub generation: i32,
    pub protocol: &'static str,
    pub assignor: Option<&'static str>,
    pub leader: Option<String>,
    /// The broker coordinating the group; `None` while its `__consumer_offsets` partition has no leader.
    pub coordinator: Option<u32>,
    pub members: Vec<MemberView>,
    pub partitions: Vec<LagRow>,
    pub total_lag: u64,
    pub delivery: DeliveryCounts,
    pub idempotent: bool,
    pub max_poll_records: u64,
    pub processing_ms_per_record: f64,
    pub session_timeout_ms: u64,
    pub max_poll_interval_ms: u64,
    pub auto_commit_interval_ms: u64,
    pub enable_auto_commit: bool,
    /// `partition.assignment.strategy` as Kafka writes it (comma-separated short names).
    pub partition_assignment_strategy: String,
    /// Producer-to-processed latency summed over processed records, and their count (cumulative).
    pub latency_sum_us: u64,
    /// Records processed that were a producer's second copy of a record (a retry without idempotence).
    pub producer_duplicates: u64,
    pub latency_records: u64,
    pub sink: Option<SinkView>,
}

impl ClusterView {
    /// A node as network-fault commands write it (`controller`, `broker:1`, `producer:ID`,
    /// `member:GROUP/MEMBER`).
    pub fn node_name(&self, node: Node) -> String {
        match node {
            Node::Controller => "controller".into(),
            Node::Broker { broker } => format!("broker:{broker}"),
            Node::Producer { producer } => {
                format!("producer:{}", self.producers[producer.index()].id)
            }
            Node::Member { group, member } => {
                let g = &self.groups[group.index()];
                format!("member:{}/{}", g.group, g.members[member.index()].member)
            }
        }
    }

    /// The network faults that touch `node`: whether it is isolated, and the nodes it is cut off from.
    pub fn cuts_of(&self, node: Node) -> (bool, Vec<Node>) {
        let mut isolated = false;
        let mut from = Vec::new();
        for (a, b) in &self.cuts {
            match (*a == node, *b) {
                (true, None) => isolated = true,
                (true, Some(b)) => from.push(b),
                (false, Some(b)) if b == node => from.push(*a),
                _ => {}
            }
        }
        (isolated, from)
    }

    /// Whether a network fault touches `node`.
    pub fn is_cut(&self, node: Node) -> bool {
        self.cuts
            .iter()
            .any(|(a, b)| *a == node || *b == Some(node))
    }
}

/// What the page's charts sample once a simulated second (`Simulation::chart_totals`), far cheaper than a
/// whole view: per group, its total lag (`GroupView::total_lag`) and its cumulative end-to-end latency
/// (sum in µs, records); all producers' records acknowledged; all members' records processed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartTotals {
    pub lag: Vec<u64>,
    pub latency: Vec<(u64, u64)>,
    pub acknowledged: u64,
    pub processed: u64,
}

impl Simulation {
    /// The charts' numbers now (see `ChartTotals`); the same as the view's.
    pub fn chart_totals(&self) -> ChartTotals {
        let lag = self
            .groups
            .iter()
            .zip(&self.group_ledgers)
            .map(|(group, ledger)| {
                ledger
                    .delivery
                    .keys()
                    .map(|tp| {
                        let high_watermark = self.high_watermark(*tp);
                        group.committed.get(tp).map_or(high_watermark, |offset| {
                            high_watermark.saturating_sub(*offset)
                        })
                    })
                    .sum()
            })
            .collect();
        ChartTotals {
            lag,
            latency: self
                .group_ledgers
                .iter()
                .map(|ledger| (ledger.latency_sum_us, ledger.latency_records))
                .collect(),
            acknowledged: self
                .producers
                .iter()
                .map(|p| p.stats.records_acknowledged)
                .sum(),
            processed: self
                .consumers
                .iter()
                .flat_map(|clients| &clients.members)
                .map(|member| member.records_processed)
                .sum(),
        }
    }

    pub fn view(&self) -> ClusterView {
        let brokers = self
            .brokers
            .iter()
            .map(|broker| BrokerView {
                id: broker.id.get(),
                alive: broker.alive,
                fenced: self.registration(broker.id).fenced,
                leaderships: self
                    .topics
                    .iter()
                    .flat_map(|t| &t.partitions)
                    .filter(|p| p.leader == Some(broker.id))
                    .count() as u32,
            })
            .collect();
        let topics = self
            .topics
            .iter()
            .enumerate()
            .map(|(topic_index, topic)| TopicView {
                name: topic.name.clone(),
                replication_factor: topic.partitions[0].replicas.len() as u32,
                min_insync_replicas: topic.config.min_insync_replicas,
                unclean_leader_election_enable: topic.config.unclean_leader_election_enable,
                partitions: topic
                    .partitions
                    .iter()
                    .enumerate()
                    .map(|(index, partition)| {
                        let tp = Tp {
                            topic: topic_index,
                            partition: index as u32,
                        };
                        let leader_alive = partition
                            .leader
                            .is_some_and(|leader| self.broker(leader).alive);
                        let leader_log =
                            partition.leader.and_then(|leader| self.log_of(tp, leader));
                        PartitionView {
                            partition: index as u32,
                            leader: partition.leader.map(BrokerId::get),
                            leader_epoch: partition.leader_epoch,
                            replicas: crate::ids::plain(&partition.replicas),
                            isr: crate::ids::plain(&partition.isr),
                            replica_logs: partition
                                .replicas
                                .iter()
                                .filter_map(|broker| Some((broker, self.log_of(tp, *broker)?)))
                                .map(|(broker, log)| ReplicaView {
                                    broker: broker.get(),
                                    alive: self.broker(*broker).alive,
                                    in_sync: partition.isr.contains(broker),
                                    is_leader: partition.leader == Some(*broker),
                                    log_start_offset: log.log_start_offset,
                                    log_end_offset: log.log_end_offset,
                                    high_watermark: log.high_watermark,
                                })
                                .collect(),
                            log_start_offset: leader_log.map_or(0, |log| log.log_start_offset),
                            log_end_offset: leader_log.map_or(0, |log| log.log_end_offset),
                            high_watermark: leader_log.map_or(0, |log| log.high_watermark),
                            offline: !leader_alive,
                            under_replicated: partition.isr.len() < partition.replicas.len(),
                            under_min_isr: (partition.isr.len() as u64)
                                < topic
                                    .config
                                    .min_insync_replicas
                                    .min(partition.replicas.len() as u64),
                        }
                    })
                    .collect(),
            })
            .collect();
        let producers = self
            .producers
            .iter()
            .enumerate()
            .map(|(index, producer)| ProducerView {
                id: producer.id.clone(),
                topic: self.topics[producer.topic].name.clone(),
                rate_per_sec: producer.rate_per_sec,
                acks: producer.config.acks.kafka_value(),
                enable_idempotence: producer.config.enable_idempotence,
                records_generated: producer.stats.records_generated,
                records_acknowledged: producer.stats.records_acknowledged,
                records_failed: producer.stats.records_failed,
                records_retried: producer.stats.records_retried,
                records_written_twice: self.produce_ledger.written_twice(ProducerIx::at(index)),
                records_pending: producer.records_pending(),
                acknowledged_records_lost: self
                    .produce_ledger
                    .acknowledged_lost(ProducerIx::at(index)),
                keys: producer.keys.clone(),
                requests: ProducerRequests {
                    kafka: RequestsReport::of(
                        &producer.responses,
                        producer.stats.records_failed,
                        producer.stats.records_generated,
                        self.produce_ledger.acknowledged_lost(ProducerIx::at(index)),
                    ),
                    sync: self
                        .world
                        .baselines
                        .get(index)
                        .and_then(Option::as_ref)
                        .map(|baseline| baseline.requests.report()),
                    sync_calls: self.world.calls(index),
                },
            })
            .collect();
        let groups = (0..self.groups.len())
            .map(|group| self.group_view(group))
            .collect();
        ClusterView {
            now_us: self.k.now,
            seed: self.seed,
            time_quantum_ms: self.k.quantum_us / 1000,
            brokers,
            topics,
            producers,
            groups,
            flows: self.k.network.flows().to_vec(),
            cuts: self.k.network.cuts().to_vec(),
            queues: self
                .queues
                .iter()
                .map(|queue| QueueView {
                    id: queue.id.clone(),
                    producer: self.producers[queue.producer.index()].id.clone(),
                    depth: queue.depth(),
                    ready: queue.ready(),
                    published: queue.published,
                    delivered: queue.delivered,
                    redelivered: queue.redelivered,
                    acknowledged: queue.acknowledged,
                    consumers: queue
                        .consumers
                        .iter()
                        .map(|c| QueueConsumerView {
                            id: c.id.clone(),
                            alive: c.alive,
                            in_hand: c.in_hand(),
                            processed: c.processed,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn group_view(&self, group_index: usize) -> GroupView {
        let group = &self.groups[group_index];
        let clients = &self.consumers[group_index];
        let ledger = &self.group_ledgers[group_index];
        let name = |tp: &Tp| (self.topics[tp.topic].name.clone(), tp.partition);
        let members = clients
            .members
            .iter()
            .enumerate()
            .map(|(member_index, member)| MemberView {
                member: member.id.clone(),
                member_id: group.memberships[member_index].member_id.map(|id| {
                    self.member_id_text(GroupIx::at(group_index), MemberSlot::at(member_index), id)
                }),
                status: member.status,
                in_group: group.memberships[member_index].in_group,
                generation: member.generation,
                joining: member.joining(),
                assignment: member.assigned.iter().map(name).collect(),
                activity: member.activity,
                stalled: member.stalled_until_us > self.k.now,
                records_in_hand: member
                    .in_hand()
                    .iter()
                    .map(|(_, first, end)| end - first)
                    .sum(),
                buffered_records: member.buffered_records(),
                records_processed: member.records_processed,
            })
            .collect();
        let mut partitions = Vec::new();
        for tp in ledger.delivery.keys() {
            let high_watermark = self.high_watermark(*tp);
            let current_offset = group.committed.get(tp).copied();
            let owner = group
                .assignment
                .iter()
                .find(|(_, list)| list.contains(tp))
                .map(|(member, _)| (*member, &clients.members[member.index()]));
            partitions.push(LagRow {
                topic: self.topics[tp.topic].name.clone(),
                partition: tp.partition,
                current_offset,
                log_end_offset: high_watermark,
                lag: current_offset.map(|offset| high_watermark.saturating_sub(offset)),
                consumer_id: owner.and_then(|(index, _)| {
                    group.memberships[index.index()]
                        .member_id
                        .map(|id| self.member_id_text(GroupIx::at(group_index), index, id))
                }),
                client_id: owner.map(|(_, m)| m.id.clone()),
            });
        }
        let total_lag = partitions
            .iter()
            .map(|row| row.lag.unwrap_or(row.log_end_offset))
            .sum();
        GroupView {
            group: group.id.clone(),
            state: group.state.name(),
            generation: group.generation,
            protocol: if clients.cooperative() {
                "COOPERATIVE"
            } else {
                "EAGER"
            },
            assignor: group.protocol.map(|assignor| assignor.kafka_name()),
            leader: group
                .leader
                .map(|leader| clients.members[leader.index()].id.clone()),
            coordinator: group.coordinator.map(BrokerId::get),
            members,
            partitions,
            total_lag,
            delivery: self.delivery_counts(GroupIx::at(group_index)),
            idempotent: clients.idempotent,
            max_poll_records: clients.config.max_poll_records,
            processing_ms_per_record: clients.processing_us_per_record as f64 / 1000.0,
            session_timeout_ms: clients.config.session_timeout_ms,
            max_poll_interval_ms: clients.config.max_poll_interval_ms,
            auto_commit_interval_ms: clients.config.auto_commit_interval_ms,
            enable_auto_commit: clients.config.enable_auto_commit,
            partition_assignment_strategy: clients
                .config
                .partition_assignment_strategy
                .iter()
                .map(|a| a.kafka_name())
                .collect::<Vec<_>>()
                .join(","),
            latency_sum_us: ledger.latency_sum_us,
            producer_duplicates: ledger.producer_duplicates_processed,
            latency_records: ledger.latency_records,
            sink: self
                .world
                .groups
                .get(group_index)
                .and_then(Option::as_ref)
                .map(|group_sink| {
                    let sink = &self.world.sinks[group_sink.sink];
                    SinkView {
                        id: sink.id.clone(),
                        capacity_per_sec: sink.capacity_per_sec,
                        idempotence: group_sink.idempotence,
                        writes: sink.writes,
                        wait_ms: sink.wait_us(self.k.now) / 1000,
                        effects: group_sink.effects,
                    }
                }),
        }
    }
}
