//! The simulation: the state of every node, the dispatcher that hands each event the kernel pops to its
//! node's handler, and the public API (`new`, `apply`, `advance_to`, `events_since`, `view`, `snapshot`).
//! The handlers live in the node modules (`broker`, `controller`, `producer`, `consumer`).

use super::accounting::ProduceLedger;
use super::config::{field, ClusterConfig, Code, InputError, Problem, ProducerConfig, TopicConfig};
use super::event::{EventKind, Trace, TraceEvent};
use super::group::{Group, GroupClients};
use super::host::Broker;
use super::ids::{BrokerId, GroupIx, MemberSlot, Micros, ProducerIx, QueueConsumerIx, QueueIx, Tp};
use super::kernel::Kernel;
use super::log::{BatchFacts, ReplicaLog};
use super::network::{Flow, Network, Node};
use super::partition::{Partition, Replica, Topic};
use super::producer::{Cluster, Producer};
use super::protocol::Ev;
use super::scenario::{Command, Scenario, ValidScenario};
use super::sort;

mod brokers;
mod consumers;
mod coordinators;
mod metadata;

/// How many trace events the in-memory buffer keeps (the UI reads them every frame).
pub const TRACE_CAPACITY: usize = 50_000;

#[derive(Clone)]
pub struct Simulation {
    /// The clock, the random generator, the event queue, the network and the trace (`kernel::Kernel`).
    pub(crate) k: Kernel,
    pub(crate) scenario: ValidScenario,
    /// The scenario as loaded, before commands changed the running copy.
    original: Scenario,
    pub(crate) seed: u64,
    pub(crate) cluster: ClusterConfig,
    pub(crate) brokers: Vec<Broker>,
    pub(crate) topics: Vec<Topic>,
    /// What is learnt about each batch after it is appended (see `log::BatchFacts`).
    pub(crate) batch_facts: BatchFacts,
    /// What the observer knows of produce requests (the batch each became; see `accounting`).
    pub(crate) produce_ledger: ProduceLedger,
    pub(crate) producers: Vec<Producer>,
    /// The groups as their coordinators hold them.
    pub(crate) groups: Vec<Group>,
    /// Each group's consumer clients (its members), by group.
    pub(crate) consumers: Vec<GroupClients>,
    /// What the observer knows of each group's processing, by group (see `accounting`).
    pub(crate) group_ledgers: Vec<super::accounting::GroupLedger>,
    next_timeline: usize,
    pub(crate) commands: Vec<(Micros, Command)>,
    /// By leader and follower broker, the partitions the one leads and the other follows (see
    /// `engine::brokers`); `None` after leadership or partitions change.
    pub(crate) led_by_broker: Option<Vec<Vec<Vec<Tp>>>>,
    /// The partitions whose logs a broker's handler made due for summarising (`engine::brokers`).
    pub(crate) summarize_due: Vec<Tp>,
    /// The controller's registrations of the brokers, and its balancing (the partitions' registrations
    /// are `topics`).
    pub(crate) controller: super::metadata::Controller,
    pub events_processed: u64,
    /// Invariant violations noticed where they happen (e.g. a committed record lost in a clean election).
    pub(crate) violations: Vec<String>,
    /// What the groups write to, and the producers' synchronous baselines (`world`).
    pub(crate) world: crate::world::World,
    /// Classic queues beside the log (`queue`).
    pub(crate) queues: Vec<crate::queue::Queue>,
}

/// A copy of a `Simulation` at one instant (`Simulation::snapshot`).
#[derive(Clone)]
pub struct Snapshot(Box<Simulation>);

impl Snapshot {
    /// The simulated time it was taken at.
    pub fn now_us(&self) -> Micros {
        self.0.k.now
    }

    /// How many events the run had processed when it was taken (`Simulation::events_processed`).
    pub fn events_processed(&self) -> u64 {
        self.0.events_processed
    }

    /// A new simulation where the snapshot was taken (like `restore` into a copy).
    pub fn resume(&self) -> Simulation {
        (*self.0).clone()
    }
}

impl Simulation {
    /// A new simulation at time 0. The seed decides every random choice of the run.
    pub fn new(scenario: ValidScenario, seed: u64) -> Simulation {
        let cluster = scenario.cluster.clone();
        let spec = scenario.scenario.clone();
        let mut sim = Simulation {
            original: spec.clone(),
            scenario,
            seed,
            cluster,
            k: Kernel::new(
                seed,
                spec.time_quantum_ms * 1000,
                Network::new(&spec.cluster),
                Trace::new(TRACE_CAPACITY),
            ),
            brokers: (1..=spec.cluster.brokers)
                .map(|id| Broker::new(BrokerId(id), spec.cluster.brokers as usize))
                .collect(),
            topics: Vec::new(),
            batch_facts: BatchFacts::default(),
            produce_ledger: ProduceLedger::default(),
            producers: Vec::new(),
            groups: Vec::new(),
            consumers: Vec::new(),
            group_ledgers: Vec::new(),
            next_timeline: 0,
            commands: Vec::new(),
            led_by_broker: None,
            summarize_due: Vec::new(),
            controller: super::metadata::Controller::new(spec.cluster.brokers),
            events_processed: 0,
            violations: Vec::new(),
            world: Default::default(),
            queues: Vec::new(),
        };
        for (index, topic) in spec.topics.iter().enumerate() {
            let config = sim.scenario.topics[index].clone();
            sim.create_topic(
                &topic.name,
                topic.partitions,
                topic.replication_factor,
                config,
            );
        }
        for (index, producer) in spec.producers.iter().enumerate() {
            let config = sim.scenario.producers[index].clone();
            sim.add_producer(producer, config);
        }
        for (index, group) in spec.groups.iter().enumerate() {
            let config = sim.scenario.groups[index].clone();
            sim.add_group(group, config);
        }
        for queue in &spec.queues {
            sim.add_queue(queue);
        }
        // The baselines' calls name the groups' sinks.
        for (index, producer) in spec.producers.iter().enumerate() {
            let baseline = producer.sync_baseline.as_ref();
            sim.world.add_producer(baseline);
            if baseline.is_some() {
                sim.producers[index].sent_log = Some(Vec::new());
            }
        }
        sim.schedule(sim.cluster.replica_lag_time_max_ms * 500, Ev::IsrExpiration);
        sim.schedule(
            sim.cluster.log_retention_check_interval_ms * 1000,
            Ev::RetentionCheck,
        );
        if !spec.timeline.is_empty() {
            sim.schedule(spec.timeline[0].at_ms * 1000, Ev::Timeline(0));
        }
        sim
    }

    /// Parses, validates and starts a scenario with its own seed.
    pub fn from_json(text: &str) -> Result<Simulation, InputError> {
        let scenario = Scenario::from_json(text)?;
        let seed = scenario.scenario.seed;
        Ok(Simulation::new(scenario, seed))
    }

    pub fn now_us(&self) -> Micros {
        self.k.now
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario.scenario
    }

    /// The whole simulation at this instant, to `restore` later: the run, its clock, its trace's cursors
    /// (not the events already recorded: see `event::Trace`'s `Clone`) and its commands. Cheap: record
    /// batches are immutable and shared with the snapshot, and what changes about them is in a side table
    /// (`log::BatchFacts`); the rest is copied.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(Box::new(self.clone()))
    }

    /// Puts the simulation back where `snapshot` was taken. Running on from there gives, byte for byte,
    /// the trace the run gave after the snapshot (the snapshot itself is kept, to restore again).
    pub fn restore(&mut self, snapshot: &Snapshot) {
        *self = (*snapshot.0).clone();
    }

    /// The commands applied so far with the time they took effect (for sharing a run).
    pub fn command_log(&self) -> &[(Micros, Command)] {
        &self.commands
    }

    /// Record-level events (`record_appended`, `batch_appended`, `produce_acknowledged`, `records_polled`,
    /// `records_processed`) happen for every record or batch; they are emitted only when asked for (the
    /// CLI's `--trace`, the UI's "record-level events" switch), so a busy run does not pay for them.
    /// They never change the simulation's state, only what the trace contains.
    /// Whether `view().flows` lists the messages in flight (on by default). Only a picture needs them; a
    /// headless run turns them off. They never change the run.
    pub fn set_record_flows(&mut self, enabled: bool) {
        self.k.network.set_record_flows(enabled);
    }

    /// How many trace events the simulation holds (`TRACE_CAPACITY` unless set): a reader that drains the
    /// trace often (the page, every frame) needs far fewer, and holds less memory.
    pub fn set_trace_capacity(&mut self, capacity: usize) {
        self.k.trace.set_capacity(capacity);
    }

    pub fn set_record_events(&mut self, enabled: bool) {
        self.k.record_events = enabled;
    }

    /// Whether record-level events are produced (`set_record_events`).
    pub fn record_events(&self) -> bool {
        self.k.record_events
    }

    /// The trace's events from `cursor` on, still held, without copying them, and the cursor to ask from
    /// next time.
    pub fn trace_since(&self, cursor: u64) -> (impl Iterator<Item = &TraceEvent>, u64) {
        self.k.trace.since(cursor)
    }

    pub fn events_since(&self, cursor: u64) -> (Vec<TraceEvent>, u64) {
        let (events, next) = self.k.trace.since(cursor);
        (events.cloned().collect(), next)
    }

    /// The logs of a partition's replicas, with their brokers (for tests and tools that read records back).
    pub fn replica_logs(&self, topic: &str, partition: u32) -> Vec<(u32, &super::log::ReplicaLog)> {
        let Some(topic) = self.topic_index(topic) else {
            return Vec::new();
        };
        let tp = Tp { topic, partition };
        let Some(p) = self.topics[topic].partitions.get(partition as usize) else {
            return Vec::new();
        };
        p.replicas
            .iter()
            .filter_map(|id| Some((id.get(), self.log_of(tp, *id)?)))
            .collect()
    }

    pub fn trace_end(&self) -> u64 {
        self.k.trace.end_cursor()
    }

    /// Sizes of what the simulation holds, for the benchmark's memory report: batches and runs in all
    /// replica logs (shared batches counted once per replica), trace events held, queued events, producer batches not yet answered,
    /// delivery-accounting intervals.
    pub fn footprint(&self) -> [(&'static str, usize); 7] {
        let logs = || {
            self.brokers
                .iter()
                .flat_map(|broker| broker.replicas.iter())
                .map(|replica| &replica.log)
        };
        let batches = logs().map(|log| log.batch_count()).sum();
        let runs = logs().map(|log| log.run_count()).sum();
        let requests = self.producers.iter().map(|p| p.requests_len()).sum();
        let intervals = self
            .group_ledgers
            .iter()
            .flat_map(|ledger| ledger.delivery.values())
            .map(|delivery| delivery.interval_count())
            .sum();
        [
            ("batches", batches),
            ("runs", runs),
            ("trace events", self.k.trace.len()),
            ("queued", self.k.queued()),
            ("requests", requests),
            ("intervals", intervals),
            ("batch facts", self.batch_facts.len()),
        ]
    }

    /// Roughly how many bytes the run holds: what a snapshot costs once the run has moved on (it then
    /// shares nothing with it). Calibrated natively with a counting allocator: about 120 bytes a batch a
    /// replica log holds, with everything about it (the heavy scenario holds 6.2 MiB at 60 s, 54,054
    /// batches; this says 7.4 MB), plus the rest (`footprint`).
    pub fn approx_bytes(&self) -> usize {
        let [batches, runs, trace, queued, requests, intervals, facts] =
            self.footprint().map(|(_, count)| count);
        64 * 1024
            + batches * 120
            + runs * 64
            + trace * 160
            + queued * 96
            + requests * 256
            + intervals * 32
            + facts * 32
    }

    /// Whether every message sent is also kept until `take_sent_flows` (off by default). At teaching
    /// scale a message often arrives within the animation frame that sent it, so the page would never see
    /// it in flight; with this on it sees every one. Nothing the simulation does depends on it.
    pub fn set_flow_log(&mut self, enabled: bool) {
        self.k.network.set_flow_log(enabled);
    }

    /// The messages sent since the last call (at most `SENT_LOG_MAX`; the first ones are kept).
    pub fn take_sent_flows(&mut self) -> Vec<Flow> {
        self.k.network.take_sent_flows()
    }

    /// Messages currently on the wire.
    pub fn flows(&self) -> impl Iterator<Item = &Flow> {
        self.k.network.flows().iter()
    }

    /// Runs every event up to and including time `t`. Advancing once or in many steps gives the same trace.
    pub fn advance_to(&mut self, t: Micros) {
        self.advance_toward(t, u64::MAX);
    }

    /// Like `advance_to`, but stops after `max_events` events; returns whether it reached `t`. When it
    /// stops early the clock stays at the last event run, possibly in the middle of an instant: the next
    /// call goes on from there, and the trace is the same as if it had not stopped. The page uses it so
    /// that an instant holding thousands of events spreads over frames.
    pub fn advance_toward(&mut self, t: Micros, max_events: u64) -> bool {
        let mut budget = max_events;
        while let Some(at) = self.k.next_event_at() {
            if at > t {
                break;
            }
            if budget == 0 {
                return false;
            }
            budget -= 1;
            let event = self.k.pop();
            self.k.now = at;
            self.events_processed += 1;
            self.dispatch(event);
        }
        self.k.now = self.k.now.max(t);
        let now = self.k.now;
        self.k.network.drop_arrived(now);
        true
    }

    /// Runs the next event only (single step); returns false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        match self.k.next_event_at() {
            Some(at) => {
                // Everything scheduled at the same instant runs together, so a step never splits an instant.
                self.advance_to(at);
                true
            }
            None => false,
        }
    }

    pub fn next_event_at(&self) -> Option<Micros> {
        self.k.next_event_at()
    }

    fn dispatch(&mut self, event: Ev) {
        match event {
            Ev::Timeline(index) => {
                let entries = &self.scenario.scenario.timeline;
                let command = entries[index].command.clone();
                if let Some(next) = entries.get(index + 1) {
                    let at = next.at_ms * 1000;
                    self.schedule(at, Ev::Timeline(index + 1));
                }
                self.next_timeline = index + 1;
                // A timeline command that does not apply (e.g. restarting a running broker) is reported, not fatal.
                if let Err(error) = self.apply_inner(command, false) {
                    self.emit(EventKind::ConfigChanged {
                        scope: "error".into(),
                        id: error.path,
                        name: "timeline".into(),
                        value: error.message,
                        problem: error.problem,
                    });
                }
            }
            Ev::UserCommand(command) => {
                if let Err(error) = self.apply_inner(*command, false) {
                    self.emit(EventKind::ConfigChanged {
                        scope: "error".into(),
                        id: error.path,
                        name: "command".into(),
                        value: error.message,
                        problem: error.problem,
                    });
                }
            }
            Ev::QueueAck {
                queue,
                consumer,
                incarnation,
            } => {
                self.queues[queue.index()].acknowledge(&mut self.k, queue, consumer, incarnation);
            }
            Ev::ProducerTick { producer } => {
                let (node, k, cluster) = self.producer_node(producer);
                node.on_tick(producer, k, &cluster);
                self.producer_answered(producer);
                self.sync_requests(producer);
            }
            Ev::Produce {
                producer,
                broker,
                acks,
                batches,
            } => self.produce_request_arrive(broker, producer, acks, batches),
            Ev::ProduceResponse { producer, outcomes } => {
                let (node, k, cluster) = self.producer_node(producer);
                node.on_produce_response(producer, k, &cluster, outcomes);
                self.producer_answered(producer);
            }
            Ev::ProduceTimeout { producer } => {
                let (node, k, cluster) = self.producer_node(producer);
                node.on_timeout_timer(producer, k, &cluster);
                self.producer_answered(producer);
            }
            Ev::ProduceRetry { producer, request } => {
                let (node, k, cluster) = self.producer_node(producer);
                node.on_retry(producer, k, &cluster, request);
                self.producer_answered(producer);
            }
            Ev::ReplicaFetch {
                follower,
                leader,
                session,
                offsets,
            } => self.replica_fetch_arrive((follower, leader, session), offsets),
            Ev::ReplicaFetchWait { follower, leader } => {
                self.on_broker(leader, |b, h| b.replica_fetch_wait_expired(h, follower))
            }
            Ev::ReplicaFetchResponse {
                follower,
                leader,
                session,
                data,
            } => self.on_broker(follower, |b, h| {
                b.replica_fetch_response(h, leader, session, data)
            }),
            Ev::ReplicaFetchTimeout {
                follower,
                leader,
                session,
            } => self.replica_fetch_timed_out(follower, leader, session),
            Ev::IsrExpiration => {
                self.isr_expiration();
                self.schedule(
                    self.k.now + self.cluster.replica_lag_time_max_ms * 500,
                    Ev::IsrExpiration,
                );
            }
            Ev::BalanceLeaders => self.balance_leaders(),
            Ev::BrokerFence {
                broker,
                incarnation,
            } => self.broker_fence(broker, incarnation),
            Ev::RetentionCheck => {
                self.retention_check();
                self.schedule(
                    self.k.now + self.cluster.log_retention_check_interval_ms * 1000,
                    Ev::RetentionCheck,
                );
            }
            Ev::ConsumerFetch { broker, request } => {
                self.on_broker(broker, |b, h| b.consumer_fetch_arrive(h, request))
            }
            Ev::ConsumerFetchWait {
                broker,
                group,
                member,
            } => self.on_broker(broker, |b, h| {
                b.consumer_fetch_wait_expired(h, group, member)
            }),
            Ev::Member {
                group,
                member,
                incarnation,
                event,
            } => {
                self.member_event(group, member, incarnation, event);
                self.account_processed(group, member);
            }
            Ev::Coordinator {
                group,
                broker,
                epoch,
                event,
            } => self.coordinator_event(group, broker, epoch, event),
        }
    }

    pub(crate) fn schedule(&mut self, at: Micros, event: Ev) {
        self.k.schedule(at, event);
    }

    pub(crate) fn emit(&mut self, kind: EventKind) {
        self.k.emit(kind);
    }

    #[inline(always)]
    pub(crate) fn broker(&self, id: BrokerId) -> &Broker {
        &self.brokers[id.index()]
    }

    #[inline(always)]
    pub(crate) fn broker_mut(&mut self, id: BrokerId) -> &mut Broker {
        &mut self.brokers[id.index()]
    }

    /// The parked consumer fetch of a member at `broker` is answered with what there is now (new data
    /// reached the high watermark, or the leader moved).
    pub(crate) fn answer_parked_consumer_fetch(
        &mut self,
        broker: BrokerId,
        group: GroupIx,
        member: MemberSlot,
    ) {
        let (b, mut h) = self.host(broker);
        b.answer_parked_consumer_fetch(&mut h, group, member);
    }

    /// `broker`'s replica of `tp`, if it hosts one.
    #[inline(always)]
    pub(crate) fn replica(&self, broker: BrokerId, tp: Tp) -> Option<&Replica> {
        self.brokers[broker.index()].replicas.get(tp)
    }

    /// `broker`'s log of `tp`, if it hosts a replica (whether it is up or not).
    #[inline(always)]
    pub(crate) fn log_of(&self, tp: Tp, broker: BrokerId) -> Option<&ReplicaLog> {
        self.replica(broker, tp).map(|replica| &replica.log)
    }

    /// The high watermark consumers see (the leader's), 0 without a leader.
    pub(crate) fn high_watermark(&self, tp: Tp) -> u64 {
        self.partition(tp)
            .leader
            .and_then(|leader| self.log_of(tp, leader))
            .map_or(0, |log| log.high_watermark)
    }

    #[inline(always)]
    pub(crate) fn partition(&self, tp: Tp) -> &Partition {
        &self.topics[tp.topic].partitions[tp.partition as usize]
    }

    #[inline(always)]
    pub(crate) fn partition_mut(&mut self, tp: Tp) -> &mut Partition {
        &mut self.topics[tp.topic].partitions[tp.partition as usize]
    }

    pub(crate) fn topic_index(&self, name: &str) -> Option<usize> {
        self.topics.iter().position(|topic| topic.name == name)
    }

    /// A topic a command names, or the error saying it does not exist.
    fn known_topic(&self, name: &str) -> Result<usize, InputError> {
        self.topic_index(name).ok_or_else(|| {
            InputError::of(
                "topic",
                Problem::new(
                    Code::UnknownTopicName,
                    vec![field("name", format_args!("{name:?}"))],
                ),
            )
        })
    }

    /// The leader's log of a partition, if it has a live leader.
    #[inline(always)]
    pub(crate) fn leader_log(&self, tp: Tp) -> Option<&ReplicaLog> {
        let partition = self.partition(tp);
        let leader = partition.leader?;
        self.broker(leader)
            .alive
            .then(|| self.log_of(tp, leader))
            .flatten()
    }

    /// Applies a user command at the current time. Bad commands are rejected with a clear error and
    /// change nothing.
    pub fn apply(&mut self, command: Command) -> Result<(), InputError> {
        self.apply_inner(command, true)
    }

    /// Schedules a user command for the next whole millisecond (strictly after now), the way the UI does,
    /// so that the run can be replayed exactly from a scenario whose timeline holds the command.
    /// Returns the time it will take effect. A command that is invalid now is rejected now.
    pub fn schedule_command(&mut self, command: Command) -> Result<Micros, InputError> {
        self.check_command(&command)?;
        let at = (self.k.now / 1000 + 1) * 1000;
        // The run's link must load: the replay scenario with this command must pass the load-time checks
        // (a timeline entry later in the scenario could otherwise clash with it, or the timeline overflow).
        let mut replay = self.replay_scenario();
        replay.timeline.push(super::scenario::TimelineEntry {
            at_ms: at / 1000,
            command: command.clone(),
        });
        sort::sort_by_key(&mut replay.timeline, |entry| entry.at_ms);
        replay.validate()?;
        self.commands.push((at, command.clone()));
        self.schedule(at, Ev::UserCommand(Box::new(command)));
        Ok(at)
    }

    /// Schedules again, at `at`, a command this run scheduled before (`schedule_command`), after a
    /// snapshot taken before it was scheduled is restored (the page's time travel). It is not checked
    /// again: it was checked when first scheduled, on the same run. It lands where it did the first time:
    /// the user's commands run after the timeline's and before everything else at an instant, in the order
    /// they were scheduled (`kernel::Scheduled`).
    pub fn reschedule_command(&mut self, at: Micros, command: Command) {
        self.commands.push((at, command.clone()));
        self.schedule(at, Ev::UserCommand(Box::new(command)));
    }

    /// The scenario plus every command scheduled so far, as timeline entries: loading it with the same seed
    /// replays this run exactly (commands applied with `apply` are included at their whole millisecond).
    pub fn replay_scenario(&self) -> Scenario {
        let mut scenario = self.original.clone();
        scenario.seed = self.seed;
        for (at, command) in &self.commands {
            scenario.timeline.push(super::scenario::TimelineEntry {
                at_ms: at / 1000,
                command: command.clone(),
            });
        }
        sort::sort_by_key(&mut scenario.timeline, |entry| entry.at_ms);
        scenario
    }

    fn apply_inner(&mut self, command: Command, log: bool) -> Result<(), InputError> {
        self.check_command(&command)?;
        if log {
            self.commands.push((self.k.now, command.clone()));
        }
        match command {
            Command::CrashBroker { broker } => self.crash_broker(BrokerId(broker)),
            Command::RestartBroker { broker } => self.restart_broker(BrokerId(broker)),
            Command::CrashConsumer { group, member } => {
                let (g, m) = self.member_index(&group, &member)?;
                self.crash_member(g, m);
            }
            Command::LeaveConsumer { group, member } => {
                let (g, m) = self.member_index(&group, &member)?;
                self.leave_member(g, m);
            }
            Command::RestartConsumer { group, member } => {
                let (g, m) = self.member_index(&group, &member)?;
                self.restart_member(g, m);
            }
            Command::StallConsumer { group, member, ms } => {
                let (g, m) = self.member_index(&group, &member)?;
                self.stall_member(g, m, ms);
            }
            Command::AddConsumer {
                group,
                member,
                topics,
            } => {
                let g = self.group_index(&group)?;
                self.add_member(GroupIx::at(g), &member, topics);
            }
            Command::AddGroup { group } => {
                let config = self.scenario.scenario.check_group("group", &group)?;
                self.scenario.scenario.groups.push(group.clone());
                self.scenario.groups.push(config.clone());
                self.add_group(&group, config);
                self.emit(EventKind::GroupAdded { group: group.id });
            }
            Command::SetProducerRate {
                producer,
                rate_per_sec,
            } => {
                let p = self.producer_index(&producer)?;
                self.set_producer_rate(p, rate_per_sec);
            }
            Command::SetProducerKeys { producer, keys } => {
                let p = self.producer_index(&producer)?;
                self.set_producer_keys(p, keys);
            }
            Command::SetProducerConfig {
                producer,
                name,
                value,
            } => {
                let p = self.producer_index(&producer)?;
                let mut properties = self.scenario.scenario.producers[p.index()].config.clone();
                properties.insert(name.clone(), value.clone());
                let config = ProducerConfig::parse(&format!("producer {producer}"), &properties)?;
                self.scenario.scenario.producers[p.index()].config = properties;
                self.producers[p.index()].config = config;
                self.emit(EventKind::ConfigChanged {
                    scope: "producer".into(),
                    id: producer,
                    name,
                    value,
                    problem: None,
                });
            }
            Command::SetGroupConfig { group, name, value } => {
                let g = self.group_index(&group)?;
                self.set_group_config(GroupIx::at(g), name, value)?;
            }
            Command::SetProcessingTime {
                group,
                ms_per_record,
            } => {
                let g = self.group_index(&group)?;
                self.consumers[g].processing_us_per_record =
                    super::scenario::ms_to_us(ms_per_record);
                self.scenario.scenario.groups[g].processing_ms_per_record = ms_per_record;
                self.emit(EventKind::ConfigChanged {
                    scope: "group".into(),
                    id: group,
                    name: "processing_ms_per_record".into(),
                    value: super::num::Shortest(ms_per_record).to_string(),
                    problem: None,
                });
            }
            Command::SetTopicConfig { topic, name, value } => {
                let t = self.known_topic(&topic)?;
                let mut properties = self.scenario.scenario.topics[t].config.clone();
                properties.insert(name.clone(), value.clone());
                let config = TopicConfig::parse(&format!("topic {topic}"), &properties)?;
                self.scenario.scenario.topics[t].config = properties;
                self.topics[t].config = config;
                self.emit(EventKind::ConfigChanged {
                    scope: "topic".into(),
                    id: topic,
                    name,
                    value,
                    problem: None,
                });
                self.topic_config_changed(t);
            }
            Command::PartitionNetwork { a, b } => {
                let from = self.node_named(&a)?;
                let to = b.as_deref().map(|b| self.node_named(b)).transpose()?;
                self.k.network.cut(from, to);
                self.emit(EventKind::NetworkPartitioned { a, b });
                self.network_changed();
            }
            Command::HealNetwork { a, b } => {
                let one = a.as_deref().map(|a| self.node_named(a)).transpose()?;
                let other = b.as_deref().map(|b| self.node_named(b)).transpose()?;
                let nodes = self.nodes();
                self.k.network.heal(one, other, &nodes);
                self.emit(EventKind::NetworkHealed { a, b });
                self.network_changed();
            }
            Command::AddPartitions { topic, partitions } => {
                let t = self.known_topic(&topic)?;
                self.add_partitions(t, partitions);
            }
            Command::AddQueue { queue } => {
                self.emit(EventKind::QueueAdded {
                    queue: queue.id.clone(),
                });
                self.add_queue(&queue);
                self.scenario.scenario.queues.push(queue);
            }
            Command::CrashQueueConsumer { queue, consumer } => {
                if let Some((q, c)) = self.queue_consumer(&queue, &consumer) {
                    let requeued = self.queues[q.index()].crash(&mut self.k, q, c);
                    crate::queue::emit_crashed(&mut self.k, &queue, &consumer, requeued);
                }
            }
            Command::RestartQueueConsumer { queue, consumer } => {
                if let Some((q, c)) = self.queue_consumer(&queue, &consumer) {
                    self.emit(EventKind::QueueConsumerRestarted { queue, consumer });
                    self.queues[q.index()].restart(&mut self.k, q, c);
                }
            }
            Command::CrashService { service } => {
                self.emit(EventKind::ServiceDown {
                    service: service.clone(),
                });
                self.set_service(&service, true);
            }
            Command::RestartService { service } => {
                self.emit(EventKind::ServiceUp {
                    service: service.clone(),
                });
                self.set_service(&service, false);
            }
        }
        Ok(())
    }

    /// Checks a command against the current state without changing anything: the same check a timeline
    /// entry gets at load (`scenario::TimelineCheck`), against the running scenario, which every applied
    /// command keeps current (groups, members, partition counts, configs).
    fn check_command(&self, command: &Command) -> Result<(), InputError> {
        super::scenario::TimelineCheck::command(&self.scenario.scenario, command)
    }

    pub(crate) fn group_index(&self, group: &str) -> Result<usize, InputError> {
        let names = self.groups.iter().map(|g| g.id.as_str());
        named(names, group, "group", Code::UnknownGroup)
    }

    pub(crate) fn member_index(
        &self,
        group: &str,
        member: &str,
    ) -> Result<(GroupIx, MemberSlot), InputError> {
        let g = self.group_index(group)?;
        let m = self.consumers[g]
            .members
            .iter()
            .position(|existing| existing.id == member)
            .ok_or_else(|| {
                let known: Vec<&str> = self.consumers[g]
                    .members
                    .iter()
                    .map(|m| m.id.as_str())
                    .collect();
                InputError::of(
                    "member",
                    Problem::new(
                        Code::UnknownMemberOfGroup,
                        vec![
                            field("name", format_args!("{member:?}")),
                            field("group", group),
                            field("known", known.join(", ")),
                        ],
                    ),
                )
            })?;
        Ok((GroupIx::at(g), MemberSlot::at(m)))
    }

    /// The node a network-fault command names (`NodeName`).
    pub(crate) fn node_named(&self, text: &str) -> Result<Node, InputError> {
        use super::scenario::NodeName;
        Ok(match NodeName::parse(text) {
            Some(NodeName::Controller) => Node::Controller,
            Some(NodeName::Broker(broker)) => Node::Broker {
                broker: BrokerId(broker),
            },
            Some(NodeName::Producer(producer)) => Node::Producer {
                producer: self.producer_index(producer)?,
            },
            Some(NodeName::Member { group, member }) => {
                let (group, member) = self.member_index(group, member)?;
                Node::Member { group, member }
            }
            None => {
                return Err(InputError::of(
                    "node",
                    Problem::new(
                        Code::BadNode,
                        vec![field("value", format_args!("{text:?}"))],
                    ),
                ))
            }
        })
    }

    /// Every node of the run: the controller, the brokers, the producers and the group members.
    pub(crate) fn nodes(&self) -> Vec<Node> {
        let mut nodes = vec![Node::Controller];
        nodes.extend(self.brokers.iter().map(|b| Node::Broker { broker: b.id }));
        nodes.extend((0..self.producers.len()).map(|producer| Node::Producer {
            producer: ProducerIx::at(producer),
        }));
        for (group, g) in self.consumers.iter().enumerate() {
            nodes.extend((0..g.members.len()).map(|member| Node::Member {
                group: GroupIx::at(group),
                member: MemberSlot::at(member),
            }));
        }
        nodes
    }

    pub(crate) fn producer_index(&self, producer: &str) -> Result<ProducerIx, InputError> {
        let names = self.producers.iter().map(|p| p.id.as_str());
        named(names, producer, "producer", Code::UnknownProducer).map(ProducerIx::at)
    }
}

/// Where `name` is among `names`, or the error naming `owner` and the names there are.
fn named<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    name: &str,
    owner: &'static str,
    code: Code,
) -> Result<usize, InputError> {
    names
        .clone()
        .position(|known| known == name)
        .ok_or_else(|| {
            let known: Vec<&str> = names.collect();
            InputError::of(
                owner,
                Problem::new(
                    code,
                    vec![
                        field("name", format_args!("{name:?}")),
                        field("known", known.join(", ")),
                    ],
                ),
            )
        })
}

/// Producers: creating them, their commands, and their connections closing when a broker crashes (the
/// producer client's handlers are its own, `impl Producer` in `producer.rs`).
impl Simulation {
    /// Producer `me` and what its handlers take beside it: the kernel, the cluster it reads and the batch
    /// facts.
    fn producer_node(&mut self, me: ProducerIx) -> (&mut Producer, &mut Kernel, Cluster<'_>) {
        let cluster = Cluster {
            topics: &self.topics,
        };
        (&mut self.producers[me.index()], &mut self.k, cluster)
    }

    /// What the producer's application heard goes to the observer's ledger.
    fn producer_answered(&mut self, me: ProducerIx) {
        let p = &mut self.producers[me.index()];
        if p.answered.is_empty() {
            return;
        }
        for (request, success) in p.answered.drain(..) {
            if success {
                self.produce_ledger
                    .acknowledged(me, request, &mut self.batch_facts);
            } else {
                self.produce_ledger.forget(me, request);
            }
        }
    }

    pub(crate) fn add_producer(
        &mut self,
        spec: &super::scenario::ProducerSpec,
        config: ProducerConfig,
    ) {
        let topic = self.topic_index(&spec.topic).expect("validated");
        let index = self.producers.len();
        let producer = Producer::new(spec, config, topic, ProducerIx::at(index), self.k.now);
        self.producers.push(producer);
        self.produce_ledger.add_producer();
        let partitions = self.topics[topic].partitions.len() as u32;
        self.producers[index].start_key_cycle(partitions);
        self.producers[index].schedule_tick(ProducerIx::at(index), &mut self.k);
    }

    /// The records a producer generated since the last look, served by its synchronous baseline too.
    fn sync_requests(&mut self, producer: ProducerIx) {
        let Some(sent) = self.producers[producer.index()].sent_log.as_mut() else {
            return;
        };
        let mut sent = std::mem::take(sent);
        for created in &sent {
            self.world.sync_request(producer.index(), *created);
        }
        let count = sent.len() as u64;
        sent.clear();
        self.producers[producer.index()].sent_log = Some(sent);
        for (index, queue) in self.queues.iter_mut().enumerate() {
            if queue.producer == producer {
                queue.publish(&mut self.k, QueueIx::at(index), count);
            }
        }
    }

    /// A queue declared now (validated): its producer logs its records from now on.
    fn add_queue(&mut self, spec: &crate::scenario::QueueSpec) {
        let producer = self.producer_index(&spec.producer).expect("validated");
        self.producers[producer.index()]
            .sent_log
            .get_or_insert_with(Vec::new);
        self.queues.push(crate::queue::Queue::new(spec, producer));
    }

    fn queue_consumer(&self, queue: &str, consumer: &str) -> Option<(QueueIx, QueueConsumerIx)> {
        let q = self.queues.iter().position(|q| q.id == queue)?;
        let c = self.queues[q]
            .consumers
            .iter()
            .position(|c| c.id == consumer)?;
        Some((QueueIx::at(q), QueueConsumerIx::at(c)))
    }

    /// `crash_service` and `restart_service`: the baselines' service, and the members of the groups that
    /// do its work on the Kafka path.
    fn set_service(&mut self, service: &str, down: bool) {
        self.world.set_service(service, down);
        let mut groups: Vec<String> = Vec::new();
        let calls = self
            .scenario
            .scenario
            .producers
            .iter()
            .filter_map(|producer| producer.sync_baseline.as_ref())
            .flat_map(|baseline| &baseline.calls)
            .filter(|call| call.service == service);
        for group in calls.filter_map(|call| call.group.as_ref()) {
            if !groups.contains(group) {
                groups.push(group.clone());
            }
        }
        for group in groups {
            let Ok(g) = self.group_index(&group) else {
                continue;
            };
            for m in 0..self.consumers[g].members.len() {
                let status = self.consumers[g].members[m].status;
                // Only the members an outage crashed come back (not those crashed otherwise).
                let by_outage = self
                    .world
                    .crashed_by_service
                    .iter()
                    .position(|c| *c == (g, m));
                match (down, status, by_outage) {
                    (true, crate::group::MemberStatus::Running, _) => {
                        self.crash_member(GroupIx::at(g), MemberSlot::at(m));
                        self.world.crashed_by_service.push((g, m));
                    }
                    (false, _, Some(index)) => {
                        self.world.crashed_by_service.swap_remove(index);
                        if status == crate::group::MemberStatus::Crashed {
                            self.restart_member(GroupIx::at(g), MemberSlot::at(m));
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    pub(crate) fn partitions_changed_for_producers(&mut self, topic: usize) {
        for producer in 0..self.producers.len() {
            if self.producers[producer].topic == topic {
                let partitions = self.topics[topic].partitions.len() as u32;
                self.producers[producer].start_key_cycle(partitions);
            }
        }
    }

    pub(crate) fn set_producer_rate(&mut self, producer: ProducerIx, rate_per_sec: u32) {
        let now = self.k.now;
        let p = &mut self.producers[producer.index()];
        p.rate_epoch_us = now;
        p.rate_epoch_records = p.stats.records_generated;
        p.rate_per_sec = rate_per_sec;
        self.scenario.scenario.producers[producer.index()].rate_per_sec = rate_per_sec;
        let id = p.id.clone();
        self.emit(EventKind::ProducerRateChanged {
            producer: id,
            rate_per_sec,
        });
        self.producers[producer.index()].schedule_tick(producer, &mut self.k);
    }

    pub(crate) fn set_producer_keys(
        &mut self,
        producer: ProducerIx,
        keys: super::scenario::KeySpec,
    ) {
        self.producers[producer.index()].keys = std::sync::Arc::new(keys.clone());
        self.producers[producer.index()].keyed = 0;
        self.scenario.scenario.producers[producer.index()].keys = keys.clone();
        let partitions = self.topics[self.producers[producer.index()].topic]
            .partitions
            .len() as u32;
        self.producers[producer.index()].start_key_cycle(partitions);
        let id = self.producers[producer.index()].id.clone();
        let value = serde_json::to_string(&keys).unwrap_or_else(|_| panic!("serializes"));
        self.emit(EventKind::ConfigChanged {
            scope: "producer".into(),
            id,
            name: "keys".into(),
            value,
            problem: None,
        });
    }

    /// A broker crashed: the producer's connections to it close, failing its in-flight requests.
    pub(crate) fn fail_requests_to_broker(&mut self, broker: BrokerId) {
        // Its purgatory is gone with it.
        self.broker_mut(broker).delayed_produces.clear();
        for index in 0..self.producers.len() {
            let producer = ProducerIx::at(index);
            let failed = self.producers[index].in_flight_to(broker);
            for (id, attempt) in failed {
                let outcome = super::protocol::ProduceOutcome {
                    attempt,
                    result: Err(super::event::Reason::ConnectionClosed),
                };
                self.schedule(
                    self.k.now,
                    Ev::ProduceResponse {
                        producer,
                        outcomes: vec![(id, outcome)],
                    },
                );
            }
        }
    }
}
