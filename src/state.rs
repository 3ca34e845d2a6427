//! What the page remembers besides the simulation ([`UiState`]), and what each [`Action`] does to it and
//! to the run ([`update`]). Pure and native: the page (`ui`, wasm32) owns one `UiState` for the life of
//! the app, renders from it, and carries out the [`Effect`]s `update` returns. A remount (a language
//! switch, an example loaded, a link opened) renders the same state.

use crate::markup::action::{Action, Control, Section, Snippet, Target, Way};
use crate::markup::controls::{position_to_rate, RATE_STEPS};
use crate::messages::{Locale, Msg};
use crate::sim::config::{field, Code, InputError, Problem};
use crate::sim::scenario::{GroupSpec, KeySpec, MemberSpec};
use crate::sim::view::{ClusterView, GroupView, ProducerView, TopicView};
use crate::sim::Command;
use std::collections::BTreeMap;

/// The example scenarios (`public/scenarios/<name>.json`), with their names and descriptions in the
/// catalogue. The first is the page's default and is compiled in; the others are fetched when chosen.
pub const EXAMPLES: &[(&str, Msg, Msg)] = &[
    (
        "order-service",
        Msg::ScenarioOrderService,
        Msg::ScenarioOrderServiceDesc,
    ),
    (
        "acks-and-leader-crash",
        Msg::ScenarioAcks,
        Msg::ScenarioAcksDesc,
    ),
    (
        "slow-consumer-rebalance",
        Msg::ScenarioSlow,
        Msg::ScenarioSlowDesc,
    ),
    (
        "network-faults",
        Msg::ScenarioNetwork,
        Msg::ScenarioNetworkDesc,
    ),
    (
        "heavy-benchmark",
        Msg::ScenarioHeavy,
        Msg::ScenarioHeavyDesc,
    ),
    (
        "sync-vs-kafka",
        Msg::ScenarioSyncVsKafka,
        Msg::ScenarioSyncVsKafkaDesc,
    ),
    (
        "flash-sale",
        Msg::ScenarioFlashSale,
        Msg::ScenarioFlashSaleDesc,
    ),
    (
        "crash-before-commit",
        Msg::ScenarioCrashBeforeCommit,
        Msg::ScenarioCrashBeforeCommitDesc,
    ),
    (
        "queue-vs-log",
        Msg::ScenarioQueueVsLog,
        Msg::ScenarioQueueVsLogDesc,
    ),
];

/// The scenario the page starts with (the first example), compiled in.
pub const DEFAULT_SCENARIO: &str = include_str!("../public/scenarios/order-service.json");

/// The example named `name`, if there is one.
pub fn example(name: &str) -> Option<&'static (&'static str, Msg, Msg)> {
    EXAMPLES.iter().find(|(each, _, _)| *each == name)
}

/// The slowest and fastest speeds (`10^speed_log`).
pub const SPEED_LOG_MIN: f64 = -1.0;
pub const SPEED_LOG_MAX: f64 = 2.0;
/// The longest processing time per record the slider offers, in ms.
pub const PROCESSING_MS_MAX: f64 = 2000.0;

/// Everything the page remembers besides the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct UiState {
    /// The example running, by name; `None` for a scenario from a link, a file or the text area. Set by
    /// the page when a simulation is built, not by `update`.
    pub example: Option<&'static str>,
    /// The producer, topic and group the controls show, by id (the first when `None` or gone).
    pub producer: Option<String>,
    pub topic: Option<String>,
    pub group: Option<String>,
    /// What is selected in the picture (its facts in the selection panel).
    pub selected: Option<Target>,
    /// The event log's filter, as typed.
    pub filter: String,
    /// The event log also lists record-level events.
    pub record_level: bool,
    pub help_open: bool,
    pub playing: bool,
    /// The speed as a power of ten, from `SPEED_LOG_MIN` to `SPEED_LOG_MAX`.
    pub speed_log: f64,
    /// The lesson menu is open (over the running page: it never pauses it).
    pub menu_open: bool,
    /// The lesson being played, if any.
    pub lesson: Option<LessonAt>,
    /// Each lesson's progress, by id (kept in the browser's storage; absent is not started).
    pub progress: BTreeMap<String, Progress>,
    /// The picture's width in percent of its box: 100 fits it, more is zoomed in (it then pans).
    pub zoom_percent: u16,
}

/// The picture's zoom: from fitting its box to four times that, in steps of a half.
pub const ZOOM_MIN: u16 = 100;
pub const ZOOM_MAX: u16 = 400;
const ZOOM_STEP: u16 = 50;

/// Where the learner is in a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonAt {
    pub id: String,
    pub step: usize,
    /// How many steps the lesson has (0 until it is loaded).
    pub steps: usize,
    /// When each step up to the current one began (simulated µs): "back" rewinds there.
    pub started_us: Vec<u64>,
    /// The current step's check has held.
    pub reached: bool,
    /// Which steps ask the learner to act: the run waits, paused, when such a step begins.
    pub learner_acts: Vec<bool>,
}

/// A lesson's progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    InProgress,
    Done,
}

impl Progress {
    pub fn encode(self) -> &'static str {
        match self {
            Progress::InProgress => "in-progress",
            Progress::Done => "done",
        }
    }

    pub fn decode(text: &str) -> Option<Progress> {
        [Progress::InProgress, Progress::Done]
            .into_iter()
            .find(|p| p.encode() == text)
    }
}

/// The progress as the browser's storage keeps it: `id=state` pairs separated by `,`.
pub fn progress_text(progress: &BTreeMap<String, Progress>) -> String {
    progress
        .iter()
        .map(|(id, p)| format!("{id}={}", p.encode()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads `progress_text`; anything it does not know (a hand-edited or foreign value) is left out.
pub fn progress_of(text: &str) -> BTreeMap<String, Progress> {
    text.split(',')
        .filter_map(|pair| {
            let (id, state) = pair.split_once('=')?;
            let valid = !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
            Some((id.to_string(), Progress::decode(state).filter(|_| valid)?))
        })
        .collect()
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            example: Some(EXAMPLES[0].0),
            producer: None,
            topic: None,
            group: None,
            selected: None,
            filter: String::new(),
            record_level: false,
            help_open: false,
            playing: true,
            speed_log: 0.0,
            menu_open: false,
            lesson: None,
            progress: BTreeMap::new(),
            zoom_percent: ZOOM_MIN,
        }
    }
}

/// What the page does for an action besides changing its state: the simulation and the browser.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Schedule a command in the run (at its next millisecond, so the link replays it).
    Command(Command),
    /// Run one event (the page is paused).
    Step,
    /// Run the scenario again with another seed.
    Reseed(u64),
    LoadExample(&'static str),
    /// Load the scenario in the text area.
    LoadText,
    /// Download the run as a scenario file.
    Export,
    /// Show the page in another language.
    Language(Locale),
    /// The core lists record-level events (or stops).
    RecordLevel(bool),
    /// A way out of the memory budget was taken (`ui::memory`).
    WayOutTaken,
    /// Load the run again in coarse time (100 ms quantum).
    ReloadCoarse,
    /// Bad input from a control: shown, the run goes on.
    Error(InputError),
    /// Fetch lesson `id` and its scenario, and play it to the start of `step`.
    LoadLesson {
        id: String,
        step: usize,
    },
    /// Step N begins: the lesson's own action for it, if any, runs.
    EnterStep(usize),
    /// Run step N's action for the learner.
    ShowMe(usize),
    /// Rewind the run to this instant (simulated µs).
    Seek(u64),
    /// Keep the lessons' progress in the browser's storage.
    SaveProgress,
    /// Remember that the learner has been here (the menu opens by itself only on a first visit).
    MarkVisited,
    Copy(Snippet),
}

impl UiState {
    /// The producer the controls show: the chosen one, or the first.
    pub fn chosen_producer<'a>(&self, view: &'a ClusterView) -> Option<&'a ProducerView> {
        chosen(&view.producers, self.producer.as_deref(), |p| &p.id)
    }

    pub fn chosen_topic<'a>(&self, view: &'a ClusterView) -> Option<&'a TopicView> {
        chosen(&view.topics, self.topic.as_deref(), |t| &t.name)
    }

    pub fn chosen_group<'a>(&self, view: &'a ClusterView) -> Option<&'a GroupView> {
        chosen(&view.groups, self.group.as_deref(), |g| &g.group)
    }

    /// The group the tables highlight: the selected group, or the selected member's.
    pub fn highlighted_group(&self) -> Option<&str> {
        match &self.selected {
            Some(Target::Group(group)) | Some(Target::Member { group, .. }) => Some(group),
            _ => None,
        }
    }
}

fn chosen<'a, T>(items: &'a [T], id: Option<&str>, id_of: impl Fn(&T) -> &String) -> Option<&'a T> {
    id.and_then(|id| items.iter().find(|item| id_of(item) == id))
        .or_else(|| items.first())
}

/// What `action` does: changes `state` and returns what the page must do, given what the page shows
/// (`view`). An action that does not apply (crashing a partition, a control's value that does not
/// parse, an id that is gone) changes nothing and returns nothing.
pub fn update(state: &mut UiState, view: &ClusterView, action: Action) -> Vec<Effect> {
    let command = |command: Option<Command>| command.map(Effect::Command).into_iter().collect();
    match action {
        Action::Select(target) => {
            state.selected = Some(target);
            Vec::new()
        }
        Action::Unselect => {
            state.selected = None;
            Vec::new()
        }
        Action::Crash(target) => command(crash_or_restart(target, false)),
        Action::Restart(target) => command(crash_or_restart(target, true)),
        Action::Leave(target) => command(match target {
            Target::Member { group, member } => Some(Command::LeaveConsumer { group, member }),
            Target::Controller
            | Target::Broker(_)
            | Target::Producer(_)
            | Target::Partition { .. }
            | Target::Group(_)
            | Target::Service(_)
            | Target::Queue(_)
            | Target::Flow { .. }
            | Target::World => None,
        }),
        Action::Isolate(node) => command(node.is_node().then(|| Command::PartitionNetwork {
            a: node.encode(),
            b: None,
        })),
        Action::Reconnect(node) => command(node.is_node().then(|| Command::HealNetwork {
            a: Some(node.encode()),
            b: None,
        })),
        Action::CutFromController(node) => {
            command((node.is_node() && node != Target::Controller).then(|| {
                Command::PartitionNetwork {
                    a: node.encode(),
                    b: Some(Target::Controller.encode()),
                }
            }))
        }
        Action::Heal => command(Some(Command::HealNetwork { a: None, b: None })),
        Action::Set(control, value) => set(state, view, control, &value),
        Action::Choose(section, id) => {
            let known = match section {
                Section::Producer => view.producers.iter().any(|p| p.id == id),
                Section::Topic => view.topics.iter().any(|t| t.name == id),
                Section::Group => view.groups.iter().any(|g| g.group == id),
            };
            if known {
                *match section {
                    Section::Producer => &mut state.producer,
                    Section::Topic => &mut state.topic,
                    Section::Group => &mut state.group,
                } = Some(id);
            }
            Vec::new()
        }
        Action::AddPartition => {
            command(
                state
                    .chosen_topic(view)
                    .map(|topic| Command::AddPartitions {
                        topic: topic.name.clone(),
                        partitions: topic.partitions.len() as u32 + 1,
                    }),
            )
        }
        Action::AddMember => command(state.chosen_group(view).map(|group| {
            let prefix = group.group.split('_').next().unwrap_or("member");
            Command::AddConsumer {
                group: group.group.clone(),
                member: format!("{prefix}-{}", group.members.len() + 1),
                topics: None,
            }
        })),
        Action::AddGroup => command(Some(add_group(view))),
        Action::PlayPause => {
            state.playing = !state.playing;
            Vec::new()
        }
        Action::Step => {
            state.playing = false;
            vec![Effect::Step]
        }
        Action::Faster(tenths) => {
            state.speed_log = ((state.speed_log * 10.0).round() + f64::from(tenths)) / 10.0;
            state.speed_log = state.speed_log.clamp(SPEED_LOG_MIN, SPEED_LOG_MAX);
            Vec::new()
        }
        Action::ToggleHelp => {
            state.help_open = !state.help_open;
            Vec::new()
        }
        Action::CloseHelp => {
            state.help_open = false;
            Vec::new()
        }
        Action::Dismiss => {
            let menu = state.menu_open;
            state.help_open = false;
            state.menu_open = false;
            if menu {
                vec![Effect::MarkVisited]
            } else {
                Vec::new()
            }
        }
        Action::OpenMenu => {
            state.menu_open = true;
            Vec::new()
        }
        Action::CloseMenu => {
            state.menu_open = false;
            vec![Effect::MarkVisited]
        }
        Action::OpenLesson(id) => {
            state.menu_open = false;
            state.lesson = Some(LessonAt {
                id: id.clone(),
                step: 0,
                steps: 0,
                started_us: vec![0],
                reached: false,
                learner_acts: Vec::new(),
            });
            state
                .progress
                .entry(id.clone())
                .or_insert(Progress::InProgress);
            vec![
                Effect::LoadLesson { id, step: 0 },
                Effect::SaveProgress,
                Effect::MarkVisited,
            ]
        }
        Action::GoToStep(step) => go_to_step(state, view, step),
        Action::ShowMe => match &state.lesson {
            Some(at) if at.steps > 0 => {
                state.playing = true;
                vec![Effect::ShowMe(at.step)]
            }
            _ => Vec::new(),
        },
        Action::StepReached(step) => {
            let Some(at) = state
                .lesson
                .as_mut()
                .filter(|at| at.step == step && !at.reached)
            else {
                return Vec::new();
            };
            at.reached = true;
            // The run pauses on the moment the step shows ("pause when"); next or show me goes on.
            state.playing = false;
            if step + 1 == at.steps {
                state.progress.insert(at.id.clone(), Progress::Done);
                return vec![Effect::SaveProgress];
            }
            Vec::new()
        }
        Action::ExitLesson => {
            state.lesson = None;
            Vec::new()
        }
        Action::Copy(snippet) => vec![Effect::Copy(snippet)],
        Action::Zoom(percent) => {
            state.zoom_percent = percent.clamp(ZOOM_MIN, ZOOM_MAX);
            Vec::new()
        }
        Action::ZoomIn => {
            state.zoom_percent = (state.zoom_percent + ZOOM_STEP).min(ZOOM_MAX);
            Vec::new()
        }
        Action::ZoomOut => {
            state.zoom_percent = state.zoom_percent.saturating_sub(ZOOM_STEP).max(ZOOM_MIN);
            Vec::new()
        }
        Action::Fit => {
            state.zoom_percent = ZOOM_MIN;
            Vec::new()
        }
        Action::Language(locale) => vec![Effect::Language(locale)],
        Action::WayOut(way) => way_out(state, view, way),
        Action::Export => vec![Effect::Export],
        Action::LoadText => vec![Effect::LoadText],
    }
}

/// The next step once the current one's check held, or an earlier step (the run rewinds to where it
/// began); anything else does nothing.
fn go_to_step(state: &mut UiState, view: &ClusterView, step: usize) -> Vec<Effect> {
    let Some(at) = state.lesson.as_mut() else {
        return Vec::new();
    };
    if step == at.step + 1 && at.reached && step < at.steps {
        at.step = step;
        at.started_us.push(view.now_us);
        at.reached = false;
        // A step that asks the learner to act waits for it ("show me" or play goes on).
        state.playing = !at.learner_acts.get(step).copied().unwrap_or(false);
        return vec![Effect::EnterStep(step)];
    }
    if step < at.step {
        at.step = step;
        at.started_us.truncate(step + 1);
        at.reached = false;
        return vec![Effect::Seek(at.started_us[step]), Effect::EnterStep(step)];
    }
    Vec::new()
}

/// The command that crashes a broker, a member or a service, or (`restart`) brings it back.
fn crash_or_restart(target: Target, restart: bool) -> Option<Command> {
    match target {
        Target::Broker(broker) => Some(if restart {
            Command::RestartBroker { broker }
        } else {
            Command::CrashBroker { broker }
        }),
        Target::Member { group, member } => Some(if restart {
            Command::RestartConsumer { group, member }
        } else {
            Command::CrashConsumer { group, member }
        }),
        Target::Service(service) => Some(if restart {
            Command::RestartService { service }
        } else {
            Command::CrashService { service }
        }),
        Target::Controller
        | Target::Producer(_)
        | Target::Partition { .. }
        | Target::Group(_)
        | Target::Queue(_)
        | Target::Flow { .. }
        | Target::World => None,
    }
}

/// A new group reading the first topic from its start, with one member.
fn add_group(view: &ClusterView) -> Command {
    let id = format!("group_{}", view.groups.len() + 1);
    let mut config = crate::sim::config::Properties::new();
    config.insert("auto.offset.reset".to_string(), "earliest".to_string());
    Command::AddGroup {
        group: GroupSpec {
            id: id.clone(),
            topics: view.topics.iter().map(|t| t.name.clone()).take(1).collect(),
            processing_ms_per_record: 10.0,
            commit: None,
            idempotent: false,
            config,
            members: vec![MemberSpec {
                id: format!("{id}-1"),
                topics: None,
                group_instance_id: None,
            }],
            sink: None,
        },
    }
}

/// A number as a range or number input gives it (`None` unless finite).
fn number(value: &str) -> Option<f64> {
    value.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// One of `allowed`, as the select gives it.
fn one_of(value: &str, allowed: &[&str]) -> Option<String> {
    allowed.contains(&value).then(|| value.to_string())
}

/// The key modes the keys control offers.
pub fn keys_of(mode: &str) -> Option<KeySpec> {
    Some(match mode {
        "none" => KeySpec::None,
        "list" => KeySpec::List((1..=5).map(|i| format!("user_{i}")).collect()),
        "distinct" => KeySpec::Distinct(64),
        "hot" => KeySpec::Hot {
            key: "user_1".into(),
            percent: 80,
            distinct: 64,
        },
        _ => return None,
    })
}

/// The assignment strategies the strategy control offers (Kafka 4's default first).
pub const STRATEGIES: [&str; 5] = [
    "range,cooperative-sticky",
    "range",
    "roundrobin",
    "sticky",
    "cooperative-sticky",
];

const TRUE_FALSE: [&str; 2] = ["true", "false"];

fn set(state: &mut UiState, view: &ClusterView, control: Control, value: &str) -> Vec<Effect> {
    let producer = state.chosen_producer(view).map(|p| p.id.clone());
    let topic = state.chosen_topic(view).map(|t| t.name.clone());
    let group = state.chosen_group(view).map(|g| g.group.clone());
    let producer_config = |name: &str, value: Option<String>| {
        Some(Command::SetProducerConfig {
            producer: producer.clone()?,
            name: name.into(),
            value: value?,
        })
    };
    let topic_config = |name: &str, value: Option<String>| {
        Some(Command::SetTopicConfig {
            topic: topic.clone()?,
            name: name.into(),
            value: value?,
        })
    };
    let group_config = |name: &str, value: Option<String>| {
        Some(Command::SetGroupConfig {
            group: group.clone()?,
            name: name.into(),
            value: value?,
        })
    };
    // A slider's whole number of ms or records.
    let whole = || number(value).map(|n| (n.max(0.0) as u64).to_string());
    let commands: Vec<Option<Command>> = match control {
        Control::Rate => vec![number(value).and_then(|position| {
            Some(Command::SetProducerRate {
                producer: producer.clone()?,
                rate_per_sec: position_to_rate(position.clamp(0.0, RATE_STEPS)),
            })
        })],
        Control::Acks => {
            let Some(acks) = one_of(value, &["all", "1", "0"]) else {
                return Vec::new();
            };
            // acks other than all silently turns default idempotence off; an explicit true would be a
            // ConfigException.
            let idempotence = if acks == "all" { "true" } else { "false" };
            vec![
                producer_config("enable.idempotence", Some(idempotence.into())),
                producer_config("acks", Some(acks)),
            ]
        }
        Control::Idempotence => vec![producer_config(
            "enable.idempotence",
            one_of(value, &TRUE_FALSE),
        )],
        Control::Keys => vec![keys_of(value).and_then(|keys| {
            Some(Command::SetProducerKeys {
                producer: producer.clone()?,
                keys,
            })
        })],
        Control::MinIsr => vec![topic_config(
            "min.insync.replicas",
            value
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=9).contains(n))
                .map(|n| n.to_string()),
        )],
        Control::Unclean => vec![topic_config(
            "unclean.leader.election.enable",
            one_of(value, &TRUE_FALSE),
        )],
        Control::MaxPollRecords => vec![group_config("max.poll.records", whole())],
        Control::Processing => vec![number(value).and_then(|ms| {
            Some(Command::SetProcessingTime {
                group: group.clone()?,
                ms_per_record: ms.clamp(0.0, PROCESSING_MS_MAX),
            })
        })],
        Control::SessionTimeout => vec![group_config("session.timeout.ms", whole())],
        Control::MaxPollInterval => vec![group_config("max.poll.interval.ms", whole())],
        Control::AutoCommitInterval => vec![group_config("auto.commit.interval.ms", whole())],
        Control::AutoCommit => vec![group_config(
            "enable.auto.commit",
            one_of(value, &TRUE_FALSE),
        )],
        Control::Strategy => vec![group_config(
            "partition.assignment.strategy",
            one_of(value, &STRATEGIES),
        )],
        Control::Speed => {
            if let Some(speed_log) = number(value) {
                state.speed_log = speed_log.clamp(SPEED_LOG_MIN, SPEED_LOG_MAX);
            }
            return Vec::new();
        }
        Control::Seed => {
            return vec![match value.trim().parse::<u64>() {
                Ok(seed) => Effect::Reseed(seed),
                Err(_) => Effect::Error(InputError::of(
                    "seed",
                    Problem::new(
                        Code::BadInteger,
                        vec![
                            field("value", format_args!("{value:?}")),
                            field("min", 0),
                            field("max", u64::MAX),
                        ],
                    ),
                )),
            }]
        }
        Control::EventFilter => {
            state.filter = value.to_string();
            return Vec::new();
        }
        Control::RecordLevel => {
            let Some(on) = one_of(value, &TRUE_FALSE) else {
                return Vec::new();
            };
            state.record_level = on == "true";
            return vec![Effect::RecordLevel(state.record_level)];
        }
        // The chooser shows the example once it runs (the page sets `example` with the simulation).
        Control::Example => {
            return example(value)
                .map(|(name, _, _)| Effect::LoadExample(name))
                .into_iter()
                .collect()
        }
    };
    commands
        .into_iter()
        .flatten()
        .map(Effect::Command)
        .collect()
}

fn way_out(state: &mut UiState, view: &ClusterView, way: Way) -> Vec<Effect> {
    let mut effects = vec![Effect::WayOutTaken];
    match way {
        Way::Retention => {
            effects.extend(view.topics.iter().map(|topic| {
                Effect::Command(Command::SetTopicConfig {
                    topic: topic.name.clone(),
                    name: "retention.ms".into(),
                    value: "3600000".into(),
                })
            }));
            state.playing = true;
        }
        Way::Rate => {
            effects.extend(view.producers.iter().map(|p| {
                Effect::Command(Command::SetProducerRate {
                    producer: p.id.clone(),
                    rate_per_sec: (p.rate_per_sec / 10).max(1),
                })
            }));
            state.playing = true;
        }
        Way::Coarse => effects.push(Effect::ReloadCoarse),
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{hostile_view, plain_view};

    fn run(state: &mut UiState, action: Action) -> Vec<Effect> {
        update(state, &plain_view(), action)
    }

    fn commands(effects: Vec<Effect>) -> Vec<Command> {
        effects
            .into_iter()
            .map(|effect| match effect {
                Effect::Command(command) => command,
                other => panic!("not a command: {other:?}"),
            })
            .collect()
    }

    /// A value each control accepts.
    fn good_value(control: Control) -> &'static str {
        match control {
            Control::Rate => "400",
            Control::Acks => "1",
            Control::Idempotence
            | Control::Unclean
            | Control::AutoCommit
            | Control::RecordLevel => "true",
            Control::Keys => "hot",
            Control::MinIsr => "2",
            Control::MaxPollRecords => "50",
            Control::Processing => "25",
            Control::SessionTimeout => "10000",
            Control::MaxPollInterval => "60000",
            Control::AutoCommitInterval => "1000",
            Control::Strategy => "roundrobin",
            Control::Speed => "1.5",
            Control::Seed => "7",
            Control::EventFilter => "rebalance",
            Control::Example => "flash-sale",
        }
    }

    #[test]
    fn every_control_does_what_it_says_and_ignores_values_it_does_not_offer() {
        let fresh = || {
            let mut sim = crate::sim::Simulation::from_json(DEFAULT_SCENARIO).expect("valid");
            sim.advance_to(1_000_000);
            sim
        };
        let view = fresh().view();
        for control in Control::ALL {
            let mut state = UiState::default();
            let effects = update(
                &mut state,
                &view,
                Action::Set(control, good_value(control).into()),
            );
            let changed = state != UiState::default();
            match control {
                Control::Speed => assert_eq!(state.speed_log, 1.5),
                Control::EventFilter => assert_eq!(state.filter, "rebalance"),
                Control::RecordLevel => {
                    assert!(state.record_level);
                    assert_eq!(effects, vec![Effect::RecordLevel(true)]);
                }
                Control::Example => assert_eq!(effects, vec![Effect::LoadExample("flash-sale")]),
                Control::Seed => assert_eq!(effects, vec![Effect::Reseed(7)]),
                Control::Rate
                | Control::Acks
                | Control::Idempotence
                | Control::Keys
                | Control::MinIsr
                | Control::Unclean
                | Control::MaxPollRecords
                | Control::Processing
                | Control::SessionTimeout
                | Control::MaxPollInterval
                | Control::AutoCommitInterval
                | Control::AutoCommit
                | Control::Strategy => {
                    assert!(!changed, "{control:?}");
                    let commands = commands(effects);
                    assert!(!commands.is_empty(), "{control:?}");
                    // Every command the controls make is one the core takes.
                    let mut sim = fresh();
                    for command in commands {
                        sim.schedule_command(command.clone())
                            .unwrap_or_else(|e| panic!("{control:?}: {command:?}: {e:?}"));
                    }
                }
            }
            // A value the control does not offer does nothing, except where any text is a value.
            let mut state = UiState::default();
            let effects = update(&mut state, &view, Action::Set(control, "<nonsense>".into()));
            match control {
                Control::EventFilter => assert_eq!(state.filter, "<nonsense>"),
                Control::Seed => assert!(matches!(effects[..], [Effect::Error(_)])),
                _ => {
                    assert_eq!(effects, Vec::new(), "{control:?}");
                    assert_eq!(state, UiState::default(), "{control:?}");
                }
            }
        }
    }

    #[test]
    fn every_target_is_handled_by_every_verb() {
        let view = plain_view();
        let group = view.groups[0].group.clone();
        let member = view.groups[0].members[0].member.clone();
        let member = Target::Member {
            group: group.clone(),
            member,
        };
        let targets = [
            Target::Controller,
            Target::Broker(1),
            Target::Producer(view.producers[0].id.clone()),
            Target::Partition {
                topic: view.topics[0].name.clone(),
                partition: 0,
            },
            Target::Group(group),
            member.clone(),
            Target::Service("email".into()),
            Target::Queue("q".into()),
            Target::Flow {
                from: Box::new(Target::Broker(1)),
                to: Box::new(member.clone()),
            },
            Target::World,
        ];
        for target in targets {
            let mut state = UiState::default();
            assert!(run(&mut state, Action::Select(target.clone())).is_empty());
            assert_eq!(state.selected.as_ref(), Some(&target));
            run(&mut state, Action::Unselect);
            assert_eq!(state.selected, None);
            let crash = commands(run(&mut state, Action::Crash(target.clone())));
            let restart = commands(run(&mut state, Action::Restart(target.clone())));
            let leave = commands(run(&mut state, Action::Leave(target.clone())));
            let isolate = commands(run(&mut state, Action::Isolate(target.clone())));
            let cut = commands(run(&mut state, Action::CutFromController(target.clone())));
            match &target {
                Target::Broker(_) | Target::Service(_) => {
                    assert_eq!((crash.len(), restart.len(), leave.len()), (1, 1, 0))
                }
                Target::Member { .. } => {
                    assert_eq!((crash.len(), restart.len(), leave.len()), (1, 1, 1))
                }
                Target::Controller
                | Target::Producer(_)
                | Target::Partition { .. }
                | Target::Group(_)
                | Target::Queue(_)
                | Target::Flow { .. }
                | Target::World => {
                    assert!(crash.is_empty() && restart.is_empty() && leave.is_empty())
                }
            }
            assert_eq!(isolate.len(), usize::from(target.is_node()), "{target:?}");
            assert_eq!(
                cut.len(),
                usize::from(target.is_node() && target != Target::Controller)
            );
        }
    }

    #[test]
    fn choosing_a_section_keeps_known_ids_only_and_survives_a_new_view() {
        let view = hostile_view("orders");
        let mut state = UiState::default();
        update(
            &mut state,
            &view,
            Action::Choose(Section::Group, "nope".into()),
        );
        assert_eq!(state.group, None);
        update(
            &mut state,
            &view,
            Action::Choose(Section::Group, "orders".into()),
        );
        assert_eq!(state.group.as_deref(), Some("orders"));
        // A view where the chosen group is gone shows the first group; the choice is kept.
        let other = hostile_view("billing");
        assert_eq!(
            state.chosen_group(&other).map(|g| g.group.as_str()),
            Some("billing")
        );
        assert_eq!(state.group.as_deref(), Some("orders"));
    }

    #[test]
    fn a_lesson_goes_forward_once_each_check_held_and_back_to_where_a_step_began() {
        let mut view = plain_view();
        let mut state = UiState {
            menu_open: true,
            ..UiState::default()
        };
        assert_eq!(run(&mut state, Action::ShowMe), vec![]);
        let effects = run(&mut state, Action::OpenLesson("offsets".into()));
        assert!(!state.menu_open);
        assert_eq!(
            effects[0],
            Effect::LoadLesson {
                id: "offsets".into(),
                step: 0
            }
        );
        assert_eq!(state.progress.get("offsets"), Some(&Progress::InProgress));
        // Loaded by the page: three steps.
        state.lesson.as_mut().unwrap().steps = 3;
        // Not before the check held.
        assert!(update(&mut state, &view, Action::GoToStep(1)).is_empty());
        assert!(run(&mut state, Action::StepReached(1)).is_empty());
        assert!(run(&mut state, Action::StepReached(0)).is_empty());
        view.now_us = 20_000_000;
        assert_eq!(
            update(&mut state, &view, Action::GoToStep(1)),
            vec![Effect::EnterStep(1)]
        );
        assert!(update(&mut state, &view, Action::GoToStep(3)).is_empty());
        run(&mut state, Action::StepReached(1));
        view.now_us = 45_000_000;
        update(&mut state, &view, Action::GoToStep(2));
        assert_eq!(
            state.lesson.as_ref().unwrap().started_us,
            vec![0, 20_000_000, 45_000_000]
        );
        assert_eq!(run(&mut state, Action::ShowMe), vec![Effect::ShowMe(2)]);
        assert_eq!(
            run(&mut state, Action::StepReached(2)),
            vec![Effect::SaveProgress]
        );
        assert_eq!(state.progress.get("offsets"), Some(&Progress::Done));
        // Back to step 1: the run rewinds to where it began.
        assert_eq!(
            run(&mut state, Action::GoToStep(1)),
            vec![Effect::Seek(20_000_000), Effect::EnterStep(1)]
        );
        assert_eq!(
            state.lesson.as_ref().unwrap().started_us,
            vec![0, 20_000_000]
        );
        run(&mut state, Action::ExitLesson);
        assert_eq!(state.lesson, None);
        // Escape closes the menu.
        run(&mut state, Action::OpenMenu);
        assert_eq!(run(&mut state, Action::Dismiss), vec![Effect::MarkVisited]);
        assert!(!state.menu_open);
    }

    #[test]
    fn progress_survives_the_storage_and_ignores_what_it_does_not_know() {
        let mut progress = BTreeMap::new();
        progress.insert("offsets".to_string(), Progress::Done);
        progress.insert("why-kafka".to_string(), Progress::InProgress);
        assert_eq!(progress_of(&progress_text(&progress)), progress);
        let read = progress_of("a=done,,b=maybe,<x>=done,c,d=in-progress");
        assert_eq!(read.len(), 2);
        assert_eq!(read.get("d"), Some(&Progress::InProgress));
    }

    #[test]
    fn the_picture_zooms_within_its_bounds_and_fits_again() {
        let mut state = UiState::default();
        run(&mut state, Action::ZoomIn);
        assert_eq!(state.zoom_percent, 150);
        run(&mut state, Action::Zoom(9000));
        assert_eq!(state.zoom_percent, ZOOM_MAX);
        run(&mut state, Action::ZoomIn);
        assert_eq!(state.zoom_percent, ZOOM_MAX);
        run(&mut state, Action::Fit);
        assert_eq!(state.zoom_percent, ZOOM_MIN);
        run(&mut state, Action::ZoomOut);
        run(&mut state, Action::Zoom(10));
        assert_eq!(state.zoom_percent, ZOOM_MIN);
    }

    #[test]
    fn transport_and_help() {
        let mut state = UiState::default();
        run(&mut state, Action::PlayPause);
        assert!(!state.playing);
        assert_eq!(run(&mut state, Action::Step), vec![Effect::Step]);
        for _ in 0..40 {
            run(&mut state, Action::Faster(1));
        }
        assert_eq!(state.speed_log, SPEED_LOG_MAX);
        run(&mut state, Action::Faster(-1));
        assert_eq!(state.speed_log, 1.9);
        run(&mut state, Action::ToggleHelp);
        assert!(state.help_open);
        run(&mut state, Action::Dismiss);
        assert!(!state.help_open);
        assert_eq!(
            run(&mut state, Action::Language(Locale::ZhCn)),
            vec![Effect::Language(Locale::ZhCn)]
        );
        let retention = run(&mut state, Action::WayOut(Way::Retention));
        assert_eq!(retention[0], Effect::WayOutTaken);
        assert_eq!(retention.len(), 1 + plain_view().topics.len());
        assert_eq!(
            run(&mut state, Action::WayOut(Way::Coarse))[1],
            Effect::ReloadCoarse
        );
    }
}
