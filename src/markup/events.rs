//! The trace's events and reasons as sentences in the reader's language. The core's events carry codes
//! and fields (`EventKind`, `Reason`); this is the only place that turns them into words for the page.
//! Kafka's names (properties, exception names, states, assignors) stay as they are in every language.

use crate::messages::{fill, t, Msg};
use crate::sim::config::{Code, InputError, Problem};
use crate::sim::event::{EventKind, Reason, TopicPartitionPair};
use std::fmt::Display;

/// Partitions as `topic-partition, …` (`-` when there are none).
pub fn partition_list(partitions: &[TopicPartitionPair]) -> String {
    if partitions.is_empty() {
        return "-".into();
    }
    partitions
        .iter()
        .map(|(topic, partition)| format!("{topic}-{partition}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn brokers(list: &[u32]) -> String {
    let names: Vec<String> = list.iter().map(u32::to_string).collect();
    format!("[{}]", names.join(", "))
}

/// The catalogue's template for an input problem's code.
pub fn problem_key(code: Code) -> Msg {
    match code {
        Code::Text => Msg::ProblemText,
        Code::BadValue => Msg::ProblemBadValue,
        Code::BadInteger => Msg::ProblemBadInteger,
        Code::UnknownConfig => Msg::ProblemUnknownConfig,
        Code::IdempotenceNeedsRetries => Msg::ProblemIdempotenceNeedsRetries,
        Code::IdempotenceNeedsAcksAll => Msg::ProblemIdempotenceNeedsAcksAll,
        Code::MaxInFlightExplicit => Msg::ProblemMaxInFlightExplicit,
        Code::MaxInFlightDefault => Msg::ProblemMaxInFlightDefault,
        Code::HeartbeatInterval => Msg::ProblemHeartbeatInterval,
        Code::ScenarioTooBig => Msg::ProblemScenarioTooBig,
        Code::NotAScenario => Msg::ProblemNotAScenario,
        Code::TopicsCount => Msg::ProblemTopicsCount,
        Code::DuplicateTopic => Msg::ProblemDuplicateTopic,
        Code::BrokersBound => Msg::ProblemBrokersBound,
        Code::PartitionsInAll => Msg::ProblemPartitionsInAll,
        Code::HasAtMost => Msg::ProblemHasAtMost,
        Code::DuplicateProducer => Msg::ProblemDuplicateProducer,
        Code::DuplicateGroup => Msg::ProblemDuplicateGroup,
        Code::DuplicateMember => Msg::ProblemDuplicateMember,
        Code::DuplicateInstance => Msg::ProblemDuplicateInstance,
        Code::TimelineCount => Msg::ProblemTimelineCount,
        Code::MembersInAll => Msg::ProblemMembersInAll,
        Code::MembersInAllAlready => Msg::ProblemMembersInAllAlready,
        Code::TimelineOrder => Msg::ProblemTimelineOrder,
        Code::UnknownTopicKnownTopics => Msg::ProblemUnknownTopicKnownTopics,
        Code::NoTopic => Msg::ProblemNoTopic,
        Code::Range => Msg::ProblemRange,
        Code::ProcessingRange => Msg::ProblemProcessingRange,
        Code::KeyTooLong => Msg::ProblemKeyTooLong,
        Code::KeysCount => Msg::ProblemKeysCount,
        Code::TooLong => Msg::ProblemTooLong,
        Code::UnknownTopic => Msg::ProblemUnknownTopic,
        Code::UnknownGroup => Msg::ProblemUnknownGroup,
        Code::UnknownProducer => Msg::ProblemUnknownProducer,
        Code::UnknownTopicName => Msg::ProblemUnknownTopicName,
        Code::UnknownMemberOfGroup => Msg::ProblemUnknownMemberOfGroup,
        Code::UnknownMemberInGroup => Msg::ProblemUnknownMemberInGroup,
        Code::ConfigOf => Msg::ProblemConfigOf,
        Code::MemberExists => Msg::ProblemMemberExists,
        Code::MaxMembersPerGroup => Msg::ProblemMaxMembersPerGroup,
        Code::MaxGroups => Msg::ProblemMaxGroups,
        Code::OnlyAdd => Msg::ProblemOnlyAdd,
        Code::BadName => Msg::ProblemBadName,
        Code::LinkTooLong => Msg::ProblemLinkTooLong,
        Code::LinkBadCharacter => Msg::ProblemLinkBadCharacter,
        Code::LinkNotUtf8 => Msg::ProblemLinkNotUtf8,
        Code::UnknownLanguage => Msg::ProblemUnknownLanguage,
        Code::BadNode => Msg::ProblemBadNode,
        Code::SameNode => Msg::ProblemSameNode,
        Code::BWithoutA => Msg::ProblemBWithoutA,
        Code::UnknownSink => Msg::ProblemUnknownSink,
        Code::SinkCapacity => Msg::ProblemSinkCapacity,
        Code::UnknownService => Msg::ProblemUnknownService,
        Code::DuplicateQueue => Msg::ProblemDuplicateQueue,
        Code::UnknownQueue => Msg::ProblemUnknownQueue,
        Code::UnknownQueueConsumer => Msg::ProblemUnknownQueueConsumer,
    }
}

/// An input problem in the current language.
pub fn problem(problem: &Problem) -> String {
    problem.render(&|code| t(problem_key(code)).to_string())
}

/// A bad input's error in the current language: where, then what (its English text if it has no code).
pub fn input_error(error: &InputError) -> String {
    let what = error
        .problem
        .as_ref()
        .map_or_else(|| error.message.clone(), problem);
    if error.path.is_empty() {
        what
    } else {
        format!("{}: {what}", error.path)
    }
}

/// The member that left, in the current language: a restarted member's previous process is named so.
pub fn member_who_left(member: &str, previous_process: bool) -> String {
    match member.strip_suffix(" (previous process)") {
        Some(id) if previous_process => fill(t(Msg::PreviousProcess), &[("member", &id)]),
        _ => member.to_string(),
    }
}

/// A reason (or an error, or an offset-reset strategy) in the current language.
pub fn reason(reason: &Reason) -> String {
    use Reason::*;
    let key = match reason {
        JoinedEmptyGroup { member } => {
            return fill(t(Msg::ReasonJoinedEmptyGroup), &[("member", member)])
        }
        NewMemberJoined { member } => {
            return fill(t(Msg::ReasonNewMemberJoined), &[("member", member)])
        }
        LeaderRejoined { member } => {
            return fill(t(Msg::ReasonLeaderRejoined), &[("member", member)])
        }
        MemberRejoined { member } => {
            return fill(t(Msg::ReasonMemberRejoined), &[("member", member)])
        }
        MemberLeft { member, why } => {
            return fill(
                t(Msg::ReasonMemberLeft),
                &[("member", member), ("why", &self::reason(why))],
            )
        }
        FollowerCaughtUp => Msg::ReasonFollowerCaughtUp,
        FollowerOutOfSync => Msg::ReasonFollowerOutOfSync,
        BrokerFencedByController => Msg::ReasonBrokerFenced,
        NotCoordinator => Msg::ReasonNotCoordinator,
        CoordinatorNotAvailable => Msg::ReasonCoordinatorNotAvailable,
        CoordinatorMoved => Msg::ReasonCoordinatorMoved,
        Joining => Msg::ReasonJoining,
        Rejoining => Msg::ReasonRejoining,
        MemberClosed => Msg::ReasonMemberClosed,
        PollTimeoutExpired => Msg::ReasonPollTimeout,
        SessionTimeoutExpired => Msg::ReasonSessionTimeout,
        RebalanceTimeoutExpired => Msg::ReasonRebalanceTimeout,
        SyncTimeoutExpired => Msg::ReasonSyncTimeout,
        DeliveryTimeout => Msg::ReasonDeliveryTimeout,
        LeaderDown => Msg::ReasonLeaderDown,
        NotLeaderOrFollower => Msg::ReasonNotLeaderOrFollower,
        NotEnoughReplicas => Msg::ReasonNotEnoughReplicas,
        OutOfOrderSequence => Msg::ReasonOutOfOrderSequence,
        ConnectionClosed => Msg::ReasonConnectionClosed,
        RequestTimeout => Msg::ReasonRequestTimeout,
        BufferExhausted => Msg::ReasonBufferExhausted,
        CommitNotMember => Msg::ReasonCommitNotMember,
        CommitUnknownMember => Msg::ReasonCommitUnknownMember,
        CommitRebalanceInProgress => Msg::ReasonCommitRebalanceInProgress,
        CommitIllegalGeneration => Msg::ReasonCommitIllegalGeneration,
        ResetEarliest => Msg::ReasonResetEarliest,
        ResetLatest => Msg::ReasonResetLatest,
        ResetNone => Msg::ReasonResetNone,
        TruncationReset => Msg::ReasonTruncationReset,
        TruncationNone => Msg::ReasonTruncationNone,
    };
    t(key).to_string()
}

/// An event as one sentence in the current language.
pub fn sentence(kind: &EventKind) -> String {
    use EventKind::*;
    let f = |key: Msg, values: &[(&str, &dyn Display)]| fill(t(key), values);
    match kind {
        RecordAppended {
            topic,
            partition,
            offset,
            key,
            producer,
        } => f(
            Msg::EvRecordAppended,
            &[
                ("topic", topic),
                ("partition", partition),
                ("offset", offset),
                ("key", &key.as_deref().unwrap_or("null")),
                ("producer", producer),
            ],
        ),
        BatchAppended {
            topic,
            partition,
            broker,
            base_offset,
            records,
            producer,
        } => f(
            Msg::EvBatchAppended,
            &[
                ("topic", topic),
                ("partition", partition),
                ("broker", broker),
                ("base_offset", base_offset),
                ("records", records),
                ("producer", producer),
            ],
        ),
        DuplicateBatchWritten {
            topic,
            partition,
            producer,
            base_offset,
            records,
            first_base_offset,
        } => f(
            Msg::EvDuplicateBatchWritten,
            &[
                ("topic", topic),
                ("partition", partition),
                ("producer", producer),
                ("base_offset", base_offset),
                ("records", records),
                ("first_base_offset", first_base_offset),
            ],
        ),
        DuplicateBatchIgnored {
            topic,
            partition,
            producer,
            base_offset,
            records,
        } => f(
            Msg::EvDuplicateBatchIgnored,
            &[
                ("topic", topic),
                ("partition", partition),
                ("producer", producer),
                ("base_offset", base_offset),
                ("records", records),
            ],
        ),
        ProduceAcknowledged {
            producer,
            topic,
            partition,
            base_offset,
            records,
        } => match base_offset {
            Some(base_offset) => f(
                Msg::EvProduceAcknowledged,
                &[
                    ("producer", producer),
                    ("topic", topic),
                    ("partition", partition),
                    ("base_offset", base_offset),
                    ("records", records),
                ],
            ),
            None => f(
                Msg::EvProduceSent,
                &[
                    ("producer", producer),
                    ("topic", topic),
                    ("partition", partition),
                    ("records", records),
                ],
            ),
        },
        ProduceError {
            producer,
            topic,
            partition,
            records,
            error,
            retrying,
        } => f(
            if *retrying {
                Msg::EvProduceErrorRetrying
            } else {
                Msg::EvProduceErrorFinal
            },
            &[
                ("producer", producer),
                ("topic", topic),
                ("partition", partition),
                ("records", records),
                ("error", &reason(error)),
            ],
        ),
        AcknowledgedRecordsLost {
            producer,
            topic,
            partition,
            base_offset,
            records,
        } => f(
            Msg::EvAcknowledgedRecordsLost,
            &[
                ("producer", producer),
                ("topic", topic),
                ("partition", partition),
                ("base_offset", base_offset),
                ("records", records),
            ],
        ),
        LeaderElected {
            topic,
            partition,
            leader,
            leader_epoch,
            isr,
            unclean,
        } => {
            let isr = brokers(isr);
            let values: [(&str, &dyn Display); 4] = [
                ("topic", topic),
                ("partition", partition),
                ("leader_epoch", leader_epoch),
                ("isr", &isr),
            ];
            match leader {
                None => f(Msg::EvLeaderNone, &values),
                Some(leader) => {
                    let mut all = values.to_vec();
                    all.push(("leader", leader));
                    f(
                        if *unclean {
                            Msg::EvLeaderElectedUnclean
                        } else {
                            Msg::EvLeaderElected
                        },
                        &all,
                    )
                }
            }
        }
        IsrChanged {
            topic,
            partition,
            isr,
            reason: why,
        } => f(
            Msg::EvIsrChanged,
            &[
                ("topic", topic),
                ("partition", partition),
                ("isr", &brokers(isr)),
                ("reason", &reason(why)),
            ],
        ),
        LogTruncated {
            topic,
            partition,
            broker,
            from_offset,
            to_offset,
        } => f(
            Msg::EvLogTruncated,
            &[
                ("topic", topic),
                ("partition", partition),
                ("broker", broker),
                ("from_offset", from_offset),
                ("to_offset", to_offset),
            ],
        ),
        LogStartAdvanced {
            topic,
            partition,
            broker,
            log_start_offset,
        } => f(
            Msg::EvLogStartAdvanced,
            &[
                ("topic", topic),
                ("partition", partition),
                ("broker", broker),
                ("log_start_offset", log_start_offset),
            ],
        ),
        BrokerCrashed { broker } => f(Msg::EvBrokerCrashed, &[("broker", broker)]),
        BrokerFenced { broker } => f(Msg::EvBrokerFenced, &[("broker", broker)]),
        BrokerRegistrationRefused { broker } => {
            f(Msg::EvBrokerRegistrationRefused, &[("broker", broker)])
        }
        BrokerRestarted { broker } => f(Msg::EvBrokerRestarted, &[("broker", broker)]),
        BrokerUnfenced { broker } => f(Msg::EvBrokerUnfenced, &[("broker", broker)]),
        CoordinatorMoved {
            group,
            to: Some(to),
            ..
        } => f(Msg::EvCoordinatorMoved, &[("group", group), ("broker", to)]),
        CoordinatorMoved {
            group, to: None, ..
        } => f(Msg::EvCoordinatorNone, &[("group", group)]),
        CoordinatorUnavailable {
            group,
            member,
            error,
        } => f(
            Msg::EvCoordinatorUnavailable,
            &[
                ("group", group),
                ("member", member),
                ("error", &reason(error)),
            ],
        ),
        NetworkPartitioned { a, b: None } => f(Msg::EvNetworkIsolated, &[("a", a)]),
        NetworkPartitioned { a, b: Some(b) } => f(Msg::EvNetworkCut, &[("a", a), ("b", b)]),
        ServiceDown { service } => f(Msg::EvServiceDown, &[("service", service)]),
        QueueAdded { queue } => f(Msg::EvQueueAdded, &[("queue", queue)]),
        QueueConsumerCrashed {
            queue,
            consumer,
            requeued,
        } => f(
            Msg::EvQueueConsumerCrashed,
            &[
                ("queue", queue),
                ("consumer", consumer),
                ("requeued", requeued),
            ],
        ),
        QueueConsumerRestarted { queue, consumer } => f(
            Msg::EvQueueConsumerRestarted,
            &[("queue", queue), ("consumer", consumer)],
        ),
        ServiceUp { service } => f(Msg::EvServiceUp, &[("service", service)]),
        NetworkHealed { a: None, .. } => f(Msg::EvNetworkHealedAll, &[]),
        NetworkHealed {
            a: Some(a),
            b: None,
        } => f(Msg::EvNetworkHealedNode, &[("a", a)]),
        NetworkHealed {
            a: Some(a),
            b: Some(b),
        } => f(Msg::EvNetworkHealedLink, &[("a", a), ("b", b)]),
        CoordinatorRequestTimedOut {
            group,
            member,
            request,
        } => f(
            Msg::EvCoordinatorRequestTimedOut,
            &[("group", group), ("member", member), ("request", request)],
        ),
        GroupStateChanged {
            group,
            state,
            generation,
        } => f(
            Msg::EvGroupStateChanged,
            &[
                ("group", group),
                ("state", state),
                ("generation", generation),
            ],
        ),
        RebalanceStarted {
            group,
            generation,
            reason: why,
        } => f(
            Msg::EvRebalanceStarted,
            &[
                ("group", group),
                ("generation", generation),
                ("reason", &reason(why)),
            ],
        ),
        RebalanceCompleted {
            group,
            generation,
            protocol,
            assignor,
            leader,
            assignment,
        } => {
            let assignment: Vec<String> = assignment
                .iter()
                .map(|(member, partitions)| format!("{member} → {}", partition_list(partitions)))
                .collect();
            f(
                Msg::EvRebalanceCompleted,
                &[
                    ("group", group),
                    ("generation", generation),
                    ("protocol", protocol),
                    ("assignor", assignor),
                    ("leader", leader),
                    ("assignment", &assignment.join("; ")),
                ],
            )
        }
        ConsumerJoining {
            group,
            member,
            reason: why,
        } => f(
            Msg::EvConsumerJoining,
            &[
                ("group", group),
                ("member", member),
                ("reason", &reason(why)),
            ],
        ),
        ConsumerLeft {
            group,
            member,
            reason: why,
            previous_process,
        } => f(
            Msg::EvConsumerLeft,
            &[
                ("group", group),
                ("member", &member_who_left(member, *previous_process)),
                ("reason", &reason(why)),
            ],
        ),
        ConsumerCrashed { group, member } => f(
            Msg::EvConsumerCrashed,
            &[("group", group), ("member", member)],
        ),
        ConsumerRestarted { group, member } => f(
            Msg::EvConsumerRestarted,
            &[("group", group), ("member", member)],
        ),
        ConsumerStalled { group, member, ms } => f(
            Msg::EvConsumerStalled,
            &[("group", group), ("member", member), ("ms", ms)],
        ),
        PartitionsRevoked {
            group,
            member,
            partitions,
        } => f(
            Msg::EvPartitionsRevoked,
            &[
                ("group", group),
                ("member", member),
                ("partitions", &partition_list(partitions)),
            ],
        ),
        PartitionsAssigned {
            group,
            member,
            partitions,
        } => f(
            Msg::EvPartitionsAssigned,
            &[
                ("group", group),
                ("member", member),
                ("partitions", &partition_list(partitions)),
            ],
        ),
        PartitionsLost {
            group,
            member,
            partitions,
        } => f(
            Msg::EvPartitionsLost,
            &[
                ("group", group),
                ("member", member),
                ("partitions", &partition_list(partitions)),
            ],
        ),
        PollTimeoutExpired {
            group,
            member,
            since_last_poll_ms,
        } => f(
            Msg::EvPollTimeoutExpired,
            &[
                ("group", group),
                ("member", member),
                ("since_last_poll_ms", since_last_poll_ms),
            ],
        ),
        RecordsPolled {
            group,
            member,
            records,
        } => f(
            Msg::EvRecordsPolled,
            &[("group", group), ("member", member), ("records", records)],
        ),
        RecordsProcessed {
            group,
            member,
            topic,
            partition,
            first_offset,
            last_offset,
        } => f(
            Msg::EvRecordsProcessed,
            &[
                ("group", group),
                ("member", member),
                ("topic", topic),
                ("partition", partition),
                ("first_offset", first_offset),
                ("last_offset", last_offset),
            ],
        ),
        OffsetCommitted {
            group,
            member,
            topic,
            partition,
            offset,
        } => f(
            Msg::EvOffsetCommitted,
            &[
                ("group", group),
                ("member", member),
                ("topic", topic),
                ("partition", partition),
                ("offset", offset),
            ],
        ),
        CommitFailed {
            group,
            member,
            error,
        } => f(
            Msg::EvCommitFailed,
            &[
                ("group", group),
                ("member", member),
                ("error", &reason(error)),
            ],
        ),
        LogTruncationDetected {
            group,
            member,
            topic,
            partition,
            position,
            diverging_offset,
            strategy,
        } => f(
            Msg::EvLogTruncationDetected,
            &[
                ("group", group),
                ("member", member),
                ("topic", topic),
                ("partition", partition),
                ("position", position),
                ("diverging_offset", diverging_offset),
                ("strategy", &reason(strategy)),
            ],
        ),
        StaticMemberRejoined {
            group,
            member,
            group_instance_id,
        } => f(
            Msg::EvStaticMemberRejoined,
            &[
                ("group", group),
                ("member", member),
                ("group_instance_id", group_instance_id),
            ],
        ),
        OffsetReset {
            group,
            member,
            topic,
            partition,
            offset,
            strategy,
        } => f(
            Msg::EvOffsetReset,
            &[
                ("group", group),
                ("member", member),
                ("topic", topic),
                ("partition", partition),
                ("offset", offset),
                ("strategy", &reason(strategy)),
            ],
        ),
        ConfigChanged {
            scope,
            id,
            name,
            value,
            problem: why,
        } => {
            if scope == "error" {
                let error = why.as_ref().map_or_else(|| value.clone(), problem);
                f(Msg::EvCommandRefused, &[("path", id), ("error", &error)])
            } else {
                f(
                    Msg::EvConfigChanged,
                    &[
                        ("scope", scope),
                        ("id", id),
                        ("name", name),
                        ("value", value),
                    ],
                )
            }
        }
        ProducerRateChanged {
            producer,
            rate_per_sec,
        } => f(
            Msg::EvProducerRateChanged,
            &[("producer", producer), ("rate_per_sec", rate_per_sec)],
        ),
        ProducerBlocked {
            producer,
            buffer_memory,
        } => f(
            Msg::EvProducerBlocked,
            &[("producer", producer), ("buffer_memory", buffer_memory)],
        ),
        ProducerUnblocked {
            producer,
            blocked_ms,
        } => f(
            Msg::EvProducerUnblocked,
            &[("producer", producer), ("blocked_ms", blocked_ms)],
        ),
        PartitionsAdded { topic, partitions } => f(
            Msg::EvPartitionsAdded,
            &[("topic", topic), ("partitions", partitions)],
        ),
        GroupAdded { group } => f(Msg::EvGroupAdded, &[("group", group)]),
        ConsumerAdded { group, member } => f(
            Msg::EvConsumerAdded,
            &[("group", group), ("member", member)],
        ),
    }
}

/// The group an event concerns, if any (the event log highlights a group's lines).
pub fn group_of(kind: &EventKind) -> Option<&str> {
    use EventKind::*;
    match kind {
        GroupStateChanged { group, .. }
        | RebalanceStarted { group, .. }
        | RebalanceCompleted { group, .. }
        | ConsumerJoining { group, .. }
        | ConsumerLeft { group, .. }
        | ConsumerCrashed { group, .. }
        | ConsumerRestarted { group, .. }
        | ConsumerStalled { group, .. }
        | PartitionsRevoked { group, .. }
        | PartitionsAssigned { group, .. }
        | PartitionsLost { group, .. }
        | PollTimeoutExpired { group, .. }
        | RecordsPolled { group, .. }
        | RecordsProcessed { group, .. }
        | OffsetCommitted { group, .. }
        | CommitFailed { group, .. }
        | LogTruncationDetected { group, .. }
        | StaticMemberRejoined { group, .. }
        | OffsetReset { group, .. }
        | GroupAdded { group }
        | ConsumerAdded { group, .. } => Some(group),
        _ => None,
    }
}
