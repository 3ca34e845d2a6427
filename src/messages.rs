//! Every user-visible string, in every language the page speaks, by typed key.
//!
//! The strings live in one catalogue file per language, `public/locales/en.json` and
//! `public/locales/zh-CN.json`: JSON objects of key id → text, with exactly the keys below in the same
//! order, and in each entry the same `{placeholders}` as in English. The page fetches the catalogue of the
//! language it shows (`ui::locale`), so the wasm module carries the keys but no language's strings, and a
//! second language costs it nothing. The native build (tests, markup rendered natively) has the English
//! catalogue compiled in. `tests/i18n.rs` fails on a missing, stray or reordered key, an empty text or a
//! lost placeholder, so a missing translation cannot land.
//!
//! Components call `t(Msg::Key)`; templates with named fields go through `fill`. Kafka's own names
//! (properties, `ISR`, `HW`, states such as `PreparingRebalance`, the describe tools' column headers) stay
//! as they are in every language.

use std::cell::{Cell, RefCell};

macro_rules! catalogue {
    ($($key:ident $id:literal,)*) => {
        /// A key of the catalogue: one user-visible string in every language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($key,)* }

        impl Msg {
            /// Every key, in catalogue order.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            /// The key's name in the catalogue files.
            pub fn id(self) -> &'static str {
                match self { $(Msg::$key => $id,)* }
            }
        }
    };
}

/// A language the page speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    ZhCn,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag: `<html lang>`, the link's `lang=` and the remembered choice.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// A tag as written in a link or remembered: `en` or `zh-CN` (any case).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL
            .into_iter()
            .find(|locale| locale.tag().eq_ignore_ascii_case(tag))
    }

    /// The language a browser asks for (`navigator.language`): `zh*` is Simplified Chinese, anything
    /// else English.
    pub fn from_browser(language: &str) -> Locale {
        if language
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("zh"))
        {
            Locale::ZhCn
        } else {
            Locale::En
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhCn => "中文",
        }
    }

    /// Where the page fetches the language's catalogue (relative to the page).
    pub fn catalogue_path(self) -> &'static str {
        match self {
            Locale::En => "locales/en.json",
            Locale::ZhCn => "locales/zh-CN.json",
        }
    }
}

type Strings = &'static [&'static str];

thread_local! {
    static CURRENT: Cell<Locale> = const { Cell::new(Locale::En) };
    /// The loaded catalogues, by locale, in key order.
    static LOADED: RefCell<Vec<(Locale, Strings)>> = const { RefCell::new(Vec::new()) };
}

fn strings(locale: Locale) -> Option<Strings> {
    let found = LOADED.with(|loaded| {
        loaded
            .borrow()
            .iter()
            .find(|(l, _)| *l == locale)
            .map(|(_, strings)| *strings)
    });
    #[cfg(not(target_arch = "wasm32"))]
    if found.is_none() && locale == Locale::En {
        // Natively English is always there (tests, markup rendered outside a browser).
        install(Locale::En, include_str!("../public/locales/en.json")).expect("en.json is valid");
        return strings(Locale::En);
    }
    found
}

/// The string of `key` in the current language (English if that language is not loaded; empty if no
/// catalogue is, which the page never shows: it mounts once one is).
pub fn t(key: Msg) -> &'static str {
    strings(CURRENT.with(Cell::get))
        .or_else(|| strings(Locale::En))
        .and_then(|strings| strings.get(key as usize).copied())
        .unwrap_or("")
}

/// The current language.
pub fn locale() -> Locale {
    CURRENT.with(Cell::get)
}

/// Whether the catalogue of `locale` is loaded.
pub fn is_loaded(locale: Locale) -> bool {
    LOADED.with(|loaded| loaded.borrow().iter().any(|(l, _)| *l == locale))
}

/// Makes `locale` the current language; a language whose catalogue is not loaded shows English.
pub fn set_locale(locale: Locale) {
    CURRENT.with(|current| current.set(locale));
}

/// Keeps the texts of a catalogue file (a JSON object of key id → text) for `locale`. The file must have
/// one text per key; which keys, in which order, the native tests check (`check_catalogue`).
#[cfg(not(target_arch = "wasm32"))]
pub fn install(locale: Locale, json: &str) -> Result<(), String> {
    let texts = parse_catalogue(json)?
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    install_texts(locale, texts)
}

/// Keeps a catalogue's texts, in key order, for `locale`.
pub fn install_texts(locale: Locale, texts: Vec<String>) -> Result<(), String> {
    if texts.len() != Msg::ALL.len() {
        return Err(format!(
            "{} texts; expected {}",
            texts.len(),
            Msg::ALL.len()
        ));
    }
    // Loaded once per page and language, and kept for the page's life.
    let texts: Vec<&'static str> = texts
        .into_iter()
        .map(|text| &*Box::leak(text.into_boxed_str()))
        .collect();
    let texts: Strings = Box::leak(texts.into_boxed_slice());
    LOADED.with(|loaded| {
        let mut loaded = loaded.borrow_mut();
        loaded.retain(|(l, _)| *l != locale);
        loaded.push((locale, texts));
    });
    Ok(())
}

/// A catalogue file's entries in file order. In the browser the page parses the file with the browser's
/// own `JSON` (`ui::locale`), which keeps a JSON parser for maps out of the wasm module.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse_catalogue(json: &str) -> Result<Vec<(String, String)>, String> {
    use serde::de::{Deserializer, MapAccess, Visitor};
    struct Ordered;
    impl<'de> Visitor<'de> for Ordered {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of key → text")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::with_capacity(Msg::ALL.len());
            while let Some(entry) = map.next_entry::<String, String>()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(json);
    deserializer
        .deserialize_map(Ordered)
        .map_err(|error| error.to_string())
}

/// Checks a catalogue's entries against the keys and the English catalogue: the same ids in the same
/// order, no empty text, and the same `{placeholders}` as the English text.
pub fn check_catalogue(
    entries: &[(String, String)],
    english: &[(String, String)],
) -> Result<(), String> {
    for (index, key) in Msg::ALL.iter().enumerate() {
        let Some((id, text)) = entries.get(index) else {
            return Err(format!("missing {} (entry {index})", key.id()));
        };
        if id != key.id() {
            return Err(format!("entry {index} is {id:?}, expected {:?}", key.id()));
        }
        if text.trim().is_empty() {
            return Err(format!("{id}: empty text"));
        }
        let english = english.get(index).map_or("", |(_, text)| text.as_str());
        if placeholders(text) != placeholders(english) {
            return Err(format!(
                "{id}: placeholders {:?}, the English text has {:?}",
                placeholders(text),
                placeholders(english)
            ));
        }
    }
    if entries.len() > Msg::ALL.len() {
        return Err(format!("unknown key {:?}", entries[Msg::ALL.len()].0));
    }
    Ok(())
}

/// The sorted `{name}` placeholders of a template.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    crate::sim::sort::sort_by(&mut names, |a, b| a.cmp(b));
    names
}

/// A template with its `{name}` placeholders replaced by the values given: the core's filler, which its
/// English error texts use too.
pub use crate::sim::config::fill;

catalogue! {
    Title "title",
    Subtitle "subtitle",
    Play "play",
    Pause "pause",
    Step "step",
    StepTip "step.tip",
    Speed "speed",
    SpeedTip "speed.tip",
    Seed "seed",
    SeedTip "seed.tip",
    Time "time",
    Behind "behind",
    BehindTip "behind.tip",
    Quantum "quantum",
    QuantumTip "quantum.tip",
    MemoryPaused "memory.paused",
    MemoryOf "memory.of",
    MemoryWhy "memory.why",
    MemoryGoOn "memory.go_on",
    MemoryLast "memory.last",
    MemoryRetention "memory.retention",
    MemoryRetentionTip "memory.retention.tip",
    MemoryRate "memory.rate",
    MemoryRateTip "memory.rate.tip",
    MemoryCoarse "memory.coarse",
    MemoryCoarseTip "memory.coarse.tip",
    Help "help",
    HelpTitle "help.title",
    HelpSpace "help.space",
    HelpStep "help.step",
    HelpSpeed "help.speed",
    HelpHelp "help.help",
    HelpClose "help.close",
    HelpIntro "help.intro",
    SectionProducer "section.producer",
    SectionGroup "section.group",
    SectionTopic "section.topic",
    Rate "rate",
    RateTip "rate.tip",
    Acks "acks",
    AcksTip "acks.tip",
    EnableIdempotence "enable.idempotence",
    EnableIdempotenceTip "enable.idempotence.tip",
    Keys "keys",
    KeysTip "keys.tip",
    KeysNone "keys.none",
    KeysList "keys.list",
    KeysDistinct "keys.distinct",
    KeysHot "keys.hot",
    MaxPollRecords "max.poll.records",
    MaxPollRecordsTip "max.poll.records.tip",
    Processing "processing",
    ProcessingTip "processing.tip",
    SessionTimeoutMs "session.timeout.ms",
    SessionTimeoutMsTip "session.timeout.ms.tip",
    MaxPollIntervalMs "max.poll.interval.ms",
    MaxPollIntervalMsTip "max.poll.interval.ms.tip",
    AutoCommitIntervalMs "auto.commit.interval.ms",
    AutoCommitIntervalMsTip "auto.commit.interval.ms.tip",
    EnableAutoCommit "enable.auto.commit",
    EnableAutoCommitTip "enable.auto.commit.tip",
    PartitionAssignmentStrategy "partition.assignment.strategy",
    PartitionAssignmentStrategyTip "partition.assignment.strategy.tip",
    MinInsyncReplicas "min.insync.replicas",
    MinInsyncReplicasTip "min.insync.replicas.tip",
    UncleanLeaderElectionEnable "unclean.leader.election.enable",
    UncleanLeaderElectionEnableTip "unclean.leader.election.enable.tip",
    PartitionsAdd "partitions.add",
    PartitionsAddTip "partitions.add.tip",
    Brokers "brokers",
    Broker "broker",
    BrokerCrash "broker.crash",
    BrokerRestart "broker.restart",
    BrokerDown "broker.down",
    BrokerTip "broker.tip",
    MemberCrash "member.crash",
    MemberLeave "member.leave",
    MemberRestart "member.restart",
    MemberAdd "member.add",
    MemberTip "member.tip",
    GroupAdd "group.add",
    GroupAddTip "group.add.tip",
    Events "events",
    EventsFilter "events.filter",
    EventsFilterTip "events.filter.tip",
    EventsVerbose "events.verbose",
    EventsVerboseTip "events.verbose.tip",
    DescribeGroups "describe.groups",
    DescribeTopics "describe.topics",
    Scenario "scenario",
    ScenarioExample "scenario.example",
    ScenarioExport "scenario.export",
    ScenarioImport "scenario.import",
    ScenarioText "scenario.text",
    ScenarioLoad "scenario.load",
    ScenarioLinkTooLong "scenario.link_too_long",
    ScenarioShare "scenario.share",
    Error "error",
    ErrorLink "error.link",
    ErrorCommand "error.command",
    Delivery "delivery",
    ProcessedOnce "processed_once",
    Duplicated "duplicated",
    DuplicatedIdempotent "duplicated.idempotent",
    Missed "missed",
    Pending "pending",
    Lost "lost",
    WrittenTwice "written_twice",
    WrittenTwiceProcessed "written_twice.processed",
    ChartLag "chart.lag",
    ChartRates "chart.rates",
    StoryTitle "story.title",
    StoryTip "story.tip",
    StoryNone "story.none",
    StoryAt "story.at",
    StoryGeneration "story.generation",
    StoryEager "story.eager",
    StoryCooperative "story.cooperative",
    StoryStart "story.start",
    StoryJoin "story.join",
    StoryRevoke "story.revoke",
    StoryLost "story.lost",
    StoryLeft "story.left",
    StoryState "story.state",
    StoryPreparing "story.preparing",
    StoryCompleting "story.completing",
    StoryStable "story.stable",
    StoryLeader "story.leader",
    StoryAssigned "story.assigned",
    ChartLatency "chart.latency",
    ChartLatencyTip "chart.latency.tip",
    ChartProduced "chart.produced",
    ChartConsumed "chart.consumed",
    Legend "legend",
    LegendProduce "legend.produce",
    LegendReplica "legend.replica",
    LegendConsume "legend.consume",
    LegendCommit "legend.commit",
    LegendGroup "legend.group",
    LegendHw "legend.hw",
    LegendCommitted "legend.committed",
    LegendLeader "legend.leader",
    LegendFollower "legend.follower",
    LegendOutOfSync "legend.out_of_sync",
    LegendOffline "legend.offline",
    StateProcessing "state.processing",
    StatePolling "state.polling",
    StateCommitting "state.committing",
    StateStopped "state.stopped",
    StateCrashed "state.crashed",
    StateLeft "state.left",
    StateJoining "state.joining",
    PictureLabel "picture.label",
    Offline "offline",
    UnderReplicated "under_replicated",
    ReasonFollowerCaughtUp "reason.follower_caught_up",
    ReasonFollowerOutOfSync "reason.follower_out_of_sync",
    ReasonBrokerFenced "reason.broker_fenced",
    ReasonNotCoordinator "reason.not_coordinator",
    ReasonCoordinatorNotAvailable "reason.coordinator_not_available",
    ReasonCoordinatorMoved "reason.coordinator_moved",
    ReasonJoining "reason.joining",
    ReasonRejoining "reason.rejoining",
    ReasonMemberClosed "reason.member_closed",
    ReasonPollTimeout "reason.poll_timeout",
    ReasonSessionTimeout "reason.session_timeout",
    ReasonRebalanceTimeout "reason.rebalance_timeout",
    ReasonSyncTimeout "reason.sync_timeout",
    ReasonJoinedEmptyGroup "reason.joined_empty_group",
    ReasonNewMemberJoined "reason.new_member_joined",
    ReasonLeaderRejoined "reason.leader_rejoined",
    ReasonMemberRejoined "reason.member_rejoined",
    ReasonMemberLeft "reason.member_left",
    ReasonDeliveryTimeout "reason.delivery_timeout",
    ReasonLeaderDown "reason.leader_down",
    ReasonNotLeaderOrFollower "reason.not_leader",
    ReasonNotEnoughReplicas "reason.not_enough_replicas",
    ReasonOutOfOrderSequence "reason.out_of_order_sequence",
    ReasonConnectionClosed "reason.connection_closed",
    ReasonRequestTimeout "reason.request_timeout",
    ReasonBufferExhausted "reason.buffer_exhausted",
    ReasonCommitNotMember "reason.commit_not_member",
    ReasonCommitUnknownMember "reason.commit_unknown_member",
    ReasonCommitRebalanceInProgress "reason.commit_rebalance_in_progress",
    ReasonCommitIllegalGeneration "reason.commit_illegal_generation",
    ReasonResetEarliest "reason.reset_earliest",
    ReasonResetLatest "reason.reset_latest",
    ReasonResetNone "reason.reset_none",
    ReasonTruncationReset "reason.truncation_reset",
    ReasonTruncationNone "reason.truncation_none",
    EvRecordAppended "ev.record_appended",
    EvBatchAppended "ev.batch_appended",
    EvDuplicateBatchWritten "ev.duplicate_batch_written",
    EvDuplicateBatchIgnored "ev.duplicate_batch_ignored",
    EvProduceAcknowledged "ev.produce_acknowledged",
    EvProduceSent "ev.produce_sent",
    EvProduceErrorRetrying "ev.produce_error_retrying",
    EvProduceErrorFinal "ev.produce_error_final",
    EvAcknowledgedRecordsLost "ev.acknowledged_records_lost",
    EvLeaderElected "ev.leader_elected",
    EvLeaderElectedUnclean "ev.leader_elected_unclean",
    EvLeaderNone "ev.leader_none",
    EvIsrChanged "ev.isr_changed",
    EvLogTruncated "ev.log_truncated",
    EvLogStartAdvanced "ev.log_start_advanced",
    EvBrokerCrashed "ev.broker_crashed",
    EvBrokerFenced "ev.broker_fenced",
    EvBrokerRegistrationRefused "ev.broker_registration_refused",
    EvBrokerRestarted "ev.broker_restarted",
    EvBrokerUnfenced "ev.broker_unfenced",
    EvCoordinatorMoved "ev.coordinator_moved",
    EvCoordinatorNone "ev.coordinator_none",
    EvCoordinatorUnavailable "ev.coordinator_unavailable",
    EvNetworkIsolated "ev.network_isolated",
    EvNetworkCut "ev.network_cut",
    EvNetworkHealedAll "ev.network_healed_all",
    EvNetworkHealedNode "ev.network_healed_node",
    EvNetworkHealedLink "ev.network_healed_link",
    EvServiceDown "ev.service_down",
    EvServiceUp "ev.service_up",
    EvQueueAdded "ev.queue_added",
    EvQueueConsumerCrashed "ev.queue_consumer_crashed",
    EvQueueConsumerRestarted "ev.queue_consumer_restarted",
    EvCoordinatorRequestTimedOut "ev.coordinator_request_timed_out",
    EvGroupStateChanged "ev.group_state_changed",
    EvRebalanceStarted "ev.rebalance_started",
    EvRebalanceCompleted "ev.rebalance_completed",
    EvConsumerJoining "ev.consumer_joining",
    EvConsumerLeft "ev.consumer_left",
    EvConsumerCrashed "ev.consumer_crashed",
    EvConsumerRestarted "ev.consumer_restarted",
    EvConsumerStalled "ev.consumer_stalled",
    EvPartitionsRevoked "ev.partitions_revoked",
    EvPartitionsAssigned "ev.partitions_assigned",
    EvPartitionsLost "ev.partitions_lost",
    EvPollTimeoutExpired "ev.poll_timeout_expired",
    EvRecordsPolled "ev.records_polled",
    EvRecordsProcessed "ev.records_processed",
    EvOffsetCommitted "ev.offset_committed",
    EvCommitFailed "ev.commit_failed",
    EvLogTruncationDetected "ev.log_truncation_detected",
    EvStaticMemberRejoined "ev.static_member_rejoined",
    EvOffsetReset "ev.offset_reset",
    EvConfigChanged "ev.config_changed",
    EvCommandRefused "ev.command_refused",
    EvProducerRateChanged "ev.producer_rate_changed",
    EvProducerBlocked "ev.producer_blocked",
    EvProducerUnblocked "ev.producer_unblocked",
    EvPartitionsAdded "ev.partitions_added",
    EvGroupAdded "ev.group_added",
    EvConsumerAdded "ev.consumer_added",
    DocumentTitle "document.title",
    LangSwitch "lang.switch",
    ErrorLanguage "error.language",
    Yes "yes",
    No "no",
    PicProducerLine "picture.producer",
    PicStripTitle "picture.strip",
    PicStripLabel "picture.strip_label",
    PicGroupTitle "picture.group",
    PicMemberLine "picture.member",
    PicMemberOwns "picture.owns",
    SelectTitle "selection.title",
    SelectHint "selection.hint",
    SelBroker "selection.broker",
    SelPartition "selection.partition",
    SelGroup "selection.group",
    SelMember "selection.member",
    SelProducer "selection.producer",
    SelStatus "selection.status",
    SelRunning "selection.running",
    SelFenced "selection.fenced",
    SelNetwork "selection.network",
    SelConnected "selection.connected",
    SelIsolated "selection.isolated",
    SelCutFrom "selection.cut_from",
    NetIsolate "network.isolate",
    NetReconnect "network.reconnect",
    NetCutController "network.cut_controller",
    NetHealAll "network.heal_all",
    NetHealAllTip "network.heal_all_tip",
    PicCut "picture.cut",
    PicFenced "picture.fenced",
    SelLeads "selection.leads",
    SelReplicas "selection.replicas",
    SelLeader "selection.leader",
    SelLagOf "selection.lag_of",
    SelLag "selection.lag",
    SelState "selection.state",
    SelGroupLeader "selection.group_leader",
    SelAssignment "selection.assignment",
    SelInHand "selection.in_hand",
    SelProcessed "selection.processed",
    SelInGroup "selection.in_group",
    SelAcknowledged "selection.acknowledged",
    SelFailed "selection.failed",
    SelPending "selection.pending",
    SectionBroker "section.broker",
    ControlsTitle "controls.title",
    Generation "generation",
    Coordinator "coordinator",
    ProducerLine "producer.line",
    ChartMax "chart.max",
    RecordsPerSec "unit.records_per_sec",
    ControlsLabel "controls",
    ChartsLabel "charts",
    PictureRegion "picture.region",
    ScenarioOrderService "scenario.order-service",
    ScenarioOrderServiceDesc "scenario.order-service.description",
    ScenarioAcks "scenario.acks-and-leader-crash",
    ScenarioAcksDesc "scenario.acks-and-leader-crash.description",
    ScenarioSlow "scenario.slow-consumer-rebalance",
    ScenarioSlowDesc "scenario.slow-consumer-rebalance.description",
    ScenarioNetwork "scenario.network-faults",
    ScenarioNetworkDesc "scenario.network-faults.description",
    ScenarioHeavy "scenario.heavy-benchmark",
    ScenarioHeavyDesc "scenario.heavy-benchmark.description",
    ScenarioSyncVsKafka "scenario.sync-vs-kafka",
    ScenarioSyncVsKafkaDesc "scenario.sync-vs-kafka.description",
    ScenarioFlashSale "scenario.flash-sale",
    ScenarioFlashSaleDesc "scenario.flash-sale.description",
    ScenarioCrashBeforeCommit "scenario.crash-before-commit",
    ScenarioCrashBeforeCommitDesc "scenario.crash-before-commit.description",
    ScenarioQueueVsLog "scenario.queue-vs-log",
    ScenarioQueueVsLogDesc "scenario.queue-vs-log.description",
    WorldTitle "world.title",
    WorldWithout "world.without",
    WorldWith "world.with",
    WorldResponse "world.response",
    WorldFailed "world.failed",
    WorldLost "world.lost",
    WorldDuplicates "world.duplicates",
    WorldSink "world.sink",
    WorldSinkWait "world.sink_wait",
    WorldEffects "world.effects",
    WorldQueue "world.queue",
    WorldServiceTip "world.service_tip",
    ErrorExample "error.example",
    LegendRecords "legend.records",
    ProblemText "problem.text",
    ProblemBadValue "problem.bad_value",
    ProblemBadInteger "problem.bad_integer",
    ProblemUnknownConfig "problem.unknown_config",
    ProblemIdempotenceNeedsRetries "problem.idempotence_needs_retries",
    ProblemIdempotenceNeedsAcksAll "problem.idempotence_needs_acks_all",
    ProblemMaxInFlightExplicit "problem.max_in_flight_explicit",
    ProblemMaxInFlightDefault "problem.max_in_flight_default",
    ProblemHeartbeatInterval "problem.heartbeat_interval",
    ProblemScenarioTooBig "problem.scenario_too_big",
    ProblemNotAScenario "problem.not_a_scenario",
    ProblemTopicsCount "problem.topics_count",
    ProblemDuplicateTopic "problem.duplicate_topic",
    ProblemBrokersBound "problem.brokers_bound",
    ProblemPartitionsInAll "problem.partitions_in_all",
    ProblemHasAtMost "problem.has_at_most",
    ProblemDuplicateProducer "problem.duplicate_producer",
    ProblemDuplicateGroup "problem.duplicate_group",
    ProblemDuplicateMember "problem.duplicate_member",
    ProblemDuplicateInstance "problem.duplicate_instance",
    ProblemTimelineCount "problem.timeline_count",
    ProblemMembersInAll "problem.members_in_all",
    ProblemMembersInAllAlready "problem.members_in_all_already",
    ProblemTimelineOrder "problem.timeline_order",
    ProblemUnknownTopicKnownTopics "problem.unknown_topic_known_topics",
    ProblemNoTopic "problem.no_topic",
    ProblemRange "problem.range",
    ProblemProcessingRange "problem.processing_range",
    ProblemKeyTooLong "problem.key_too_long",
    ProblemKeysCount "problem.keys_count",
    ProblemTooLong "problem.too_long",
    ProblemUnknownTopic "problem.unknown_topic",
    ProblemUnknownGroup "problem.unknown_group",
    ProblemUnknownProducer "problem.unknown_producer",
    ProblemUnknownTopicName "problem.unknown_topic_name",
    ProblemUnknownMemberOfGroup "problem.unknown_member_of_group",
    ProblemUnknownMemberInGroup "problem.unknown_member_in_group",
    ProblemConfigOf "problem.config_of",
    ProblemMemberExists "problem.member_exists",
    ProblemMaxMembersPerGroup "problem.max_members_per_group",
    ProblemMaxGroups "problem.max_groups",
    ProblemOnlyAdd "problem.only_add",
    ProblemBadName "problem.bad_name",
    ProblemLinkTooLong "problem.link_too_long",
    ProblemLinkBadCharacter "problem.link_bad_character",
    ProblemLinkNotUtf8 "problem.link_not_utf8",
    ProblemUnknownLanguage "problem.unknown_language",
    ProblemBadNode "problem.bad_node",
    ProblemSameNode "problem.same_node",
    ProblemBWithoutA "problem.b_without_a",
    ProblemUnknownSink "problem.unknown_sink",
    ProblemSinkCapacity "problem.sink_capacity",
    ProblemUnknownService "problem.unknown_service",
    ProblemDuplicateQueue "problem.duplicate_queue",
    ProblemUnknownQueue "problem.unknown_queue",
    ProblemUnknownQueueConsumer "problem.unknown_queue_consumer",
    PreviousProcess "member.previous_process",
    LessonsOpen "lesson.open",
    LessonsOpenTip "lesson.open.tip",
    LessonMenuTitle "lesson.menu.title",
    LessonMenuIntro "lesson.menu.intro",
    LessonMenuClose "lesson.menu.close",
    LessonStartHere "lesson.start_here",
    LessonNotStarted "lesson.state.not_started",
    LessonInProgress "lesson.state.in_progress",
    LessonDone "lesson.state.done",
    PartWhyKafka "lesson.part.why_kafka",
    PartCoreConcepts "lesson.part.core_concepts",
    PartGroupsAndOffsets "lesson.part.groups_and_offsets",
    PartFlowControl "lesson.part.flow_control",
    PartReliability "lesson.part.reliability",
    PartOperations "lesson.part.operations",
    LessonStepOf "lesson.step_of",
    LessonStepDot "lesson.step_dot",
    LessonBack "lesson.back",
    LessonBackTip "lesson.back.tip",
    LessonNext "lesson.next",
    LessonShowMe "lesson.show_me",
    LessonShowMeTip "lesson.show_me.tip",
    LessonExit "lesson.exit",
    LessonMenu "lesson.menu",
    LessonWaiting "lesson.waiting",
    LessonNow "lesson.now",
    LessonHeld "lesson.held",
    LessonSummary "lesson.summary",
    LessonRealKafka "lesson.real_kafka",
    LessonScript "lesson.script",
    LessonCopy "lesson.copy",
    LessonLoading "lesson.loading",
    ErrorLesson "error.lesson",
    MeasureTime "measure.time",
    MeasureLag "measure.lag",
    MeasureProcessed "measure.processed",
    MeasureDuplicated "measure.duplicated",
    MeasureMissed "measure.missed",
    MeasureGeneration "measure.generation",
    MeasureIdleMembers "measure.idle_members",
    MeasureLost "measure.lost",
    MeasureFailed "measure.failed",
    MeasureWrittenTwice "measure.written_twice",
    MeasureLogEnd "measure.log_end",
    MeasureLeader "measure.leader",
    MeasureIsr "measure.isr",
    MeasureOffline "measure.offline",
    MeasureOnline "measure.online",
    MeasureUnderReplicated "measure.under_replicated",
    MeasureFenced "measure.fenced",
    MeasureUnfenced "measure.unfenced",
    MeasureSyncFailed "measure.sync_failed",
    MeasureSyncP50 "measure.sync_p50",
    MeasureKafkaP50 "measure.kafka_p50",
    MeasureDuplicateEffects "measure.duplicate_effects",
    MeasureRejectedDuplicates "measure.rejected_duplicates",
    MeasureQueuePublished "measure.queue_published",
    MeasureQueueRedelivered "measure.queue_redelivered",
    MeasureYes "measure.yes",
    MeasureNo "measure.no",
    LessonCorrection "lesson.correction",
    PictureZoomIn "picture.zoom_in",
    PictureZoomOut "picture.zoom_out",
    PictureFit "picture.fit",
    PictureTapHint "picture.tap_hint",
}
