//! The page's interaction vocabulary, typed: what a learner can point at ([`Target`]), every control with
//! a value ([`Control`]) and everything a click or change can do ([`Action`]).
//!
//! Markup written as strings carries an action in one attribute, `data-action`, and a value-carrying
//! element its control in `data-control`. Each type has exactly one `encode` (the only writer of its
//! text) and one `decode` (the only reader). `decode` returns `None` for any text it does not know: an
//! unknown string is never turned into a default action. `data-testid` is a test hook only.
//!
//! One spelling for every part of the picture: the network-fault commands' node names (`broker:1`,
//! `member:GROUP/MEMBER`), the lessons' highlights (`partition:TOPIC-N`) and the picture's selections
//! are all [`Target`] texts. Names the scenario format accepts (`[A-Za-z0-9._-]`) are written as they
//! are; any other character is percent-escaped, so a hostile name still round-trips.

use crate::messages::Locale;
use crate::sim::network::Node;
use crate::sim::view::ClusterView;
use std::fmt::Write;

/// A part of the picture or of the world around Kafka.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The KRaft controller (a network node).
    Controller,
    Broker(u32),
    Producer(String),
    Partition {
        topic: String,
        partition: u32,
    },
    Group(String),
    Member {
        group: String,
        member: String,
    },
    /// A service of a synchronous baseline (`markup::world`).
    Service(String),
    /// A classic queue (`markup::world`).
    Queue(String),
    /// The messages from one node to another (both [`Target::is_node`]).
    Flow {
        from: Box<Target>,
        to: Box<Target>,
    },
    /// The world-around-Kafka panel as a whole.
    World,
}

/// Whether `c` is written as it is in a name (the scenario format's name characters).
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Writes `name` with every character outside the name alphabet percent-escaped (UTF-8 bytes).
fn escape_name(out: &mut String, name: &str) {
    for c in name.chars() {
        if plain(c) {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

/// The name `text` stands for, or `None` if it is empty, holds a character outside the name alphabet or
/// a malformed escape.
fn unescape_name(text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.bytes();
    while let Some(byte) = rest.next() {
        if byte == b'%' {
            let hex = [rest.next()?, rest.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            if !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            {
                return None;
            }
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
        } else if plain(byte as char) {
            bytes.push(byte);
        } else {
            return None;
        }
    }
    let name = String::from_utf8(bytes).ok()?;
    // One spelling: a character that needs no escape must not be escaped.
    let mut again = String::with_capacity(text.len());
    escape_name(&mut again, &name);
    (again == text).then_some(name)
}

/// An index (a step, a command) as written in an action.
fn index(text: &str) -> Option<usize> {
    number(text).map(|n| n as usize)
}

/// A number as written in a target: decimal digits, no sign, no leading zero.
fn number(text: &str) -> Option<u32> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

impl Target {
    /// The target's text: `controller`, `broker:1`, `producer:ID`, `partition:TOPIC-N`, `group:ID`,
    /// `member:GROUP/MEMBER`, `service:NAME`, `queue:ID`, `flow:FROM>TO`, `world`.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(32);
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        let named = |out: &mut String, kind: &str, name: &str| {
            out.push_str(kind);
            out.push(':');
            escape_name(out, name);
        };
        match self {
            Target::Controller => out.push_str("controller"),
            Target::World => out.push_str("world"),
            Target::Broker(id) => {
                let _ = write!(out, "broker:{id}");
            }
            Target::Producer(id) => named(out, "producer", id),
            Target::Group(id) => named(out, "group", id),
            Target::Service(name) => named(out, "service", name),
            Target::Queue(id) => named(out, "queue", id),
            Target::Partition { topic, partition } => {
                named(out, "partition", topic);
                let _ = write!(out, "-{partition}");
            }
            Target::Member { group, member } => {
                named(out, "member", group);
                out.push('/');
                escape_name(out, member);
            }
            Target::Flow { from, to } => {
                out.push_str("flow:");
                from.write(out);
                out.push('>');
                to.write(out);
            }
        }
    }

    /// The target `text` names, or `None` if it names none.
    pub fn decode(text: &str) -> Option<Target> {
        match text {
            "controller" => return Some(Target::Controller),
            "world" => return Some(Target::World),
            _ => {}
        }
        let (kind, rest) = text.split_once(':')?;
        let target = match kind {
            "broker" => Target::Broker(number(rest)?),
            "producer" => Target::Producer(unescape_name(rest)?),
            "group" => Target::Group(unescape_name(rest)?),
            "service" => Target::Service(unescape_name(rest)?),
            "queue" => Target::Queue(unescape_name(rest)?),
            "partition" => {
                let (topic, partition) = rest.rsplit_once('-')?;
                Target::Partition {
                    topic: unescape_name(topic)?,
                    partition: number(partition)?,
                }
            }
            "member" => {
                let (group, member) = rest.split_once('/')?;
                Target::Member {
                    group: unescape_name(group)?,
                    member: unescape_name(member)?,
                }
            }
            "flow" => {
                let (from, to) = rest.split_once('>')?;
                let (from, to) = (Target::decode(from)?, Target::decode(to)?);
                if !from.is_node() || !to.is_node() {
                    return None;
                }
                Target::Flow {
                    from: Box::new(from),
                    to: Box::new(to),
                }
            }
            _ => return None,
        };
        Some(target)
    }

    /// Whether the target is a network node (what the network-fault commands name).
    pub fn is_node(&self) -> bool {
        matches!(
            self,
            Target::Controller | Target::Broker(_) | Target::Producer(_) | Target::Member { .. }
        )
    }

    /// The target of a network node of `view`.
    pub fn of_node(view: &ClusterView, node: Node) -> Target {
        match node {
            Node::Controller => Target::Controller,
            Node::Broker { broker } => Target::Broker(broker.0),
            Node::Producer { producer } => {
                Target::Producer(view.producers[producer.index()].id.clone())
            }
            Node::Member { group, member } => {
                let g = &view.groups[group.index()];
                Target::Member {
                    group: g.group.clone(),
                    member: g.members[member.index()].member.clone(),
                }
            }
        }
    }
}

/// Every control that carries a value: the sliders and selects beside the picture (of the chosen
/// producer, topic or group), the transport's speed and seed, the event log's filter and switch, and the
/// scenario panel's example chooser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Control {
    Rate,
    Acks,
    Idempotence,
    Keys,
    MinIsr,
    Unclean,
    MaxPollRecords,
    Processing,
    SessionTimeout,
    MaxPollInterval,
    AutoCommitInterval,
    AutoCommit,
    Strategy,
    Speed,
    Seed,
    EventFilter,
    RecordLevel,
    Example,
}

impl Control {
    /// Every control, in the order the page shows them.
    pub const ALL: [Control; 18] = [
        Control::Rate,
        Control::Acks,
        Control::Idempotence,
        Control::Keys,
        Control::MinIsr,
        Control::Unclean,
        Control::MaxPollRecords,
        Control::Processing,
        Control::SessionTimeout,
        Control::MaxPollInterval,
        Control::AutoCommitInterval,
        Control::AutoCommit,
        Control::Strategy,
        Control::Speed,
        Control::Seed,
        Control::EventFilter,
        Control::RecordLevel,
        Control::Example,
    ];

    /// The control's name (`data-control`, and the `set:` action's second part).
    pub fn encode(self) -> &'static str {
        match self {
            Control::Rate => "rate",
            Control::Acks => "acks",
            Control::Idempotence => "idempotence",
            Control::Keys => "keys",
            Control::MinIsr => "min-isr",
            Control::Unclean => "unclean",
            Control::MaxPollRecords => "max-poll-records",
            Control::Processing => "processing",
            Control::SessionTimeout => "session-timeout",
            Control::MaxPollInterval => "max-poll-interval",
            Control::AutoCommitInterval => "auto-commit-interval",
            Control::AutoCommit => "auto-commit",
            Control::Strategy => "strategy",
            Control::Speed => "speed",
            Control::Seed => "seed",
            Control::EventFilter => "event-filter",
            Control::RecordLevel => "record-level",
            Control::Example => "example",
        }
    }

    pub fn decode(text: &str) -> Option<Control> {
        Control::ALL.into_iter().find(|c| c.encode() == text)
    }
}

/// What the controls beside the picture show: one producer, one topic and one group at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Producer,
    Topic,
    Group,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Producer, Section::Topic, Section::Group];

    pub fn encode(self) -> &'static str {
        match self {
            Section::Producer => "producer",
            Section::Topic => "topic",
            Section::Group => "group",
        }
    }

    pub fn decode(text: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.encode() == text)
    }
}

/// A way out of the memory budget's notice (`markup::panels::memory_notice`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// Keep an hour of records (`retention.ms`).
    Retention,
    /// Produce ten times fewer records.
    Rate,
    /// Reload the run in coarse time (100 ms quantum), only offered in exact time.
    Coarse,
}

impl Way {
    pub const ALL: [Way; 3] = [Way::Retention, Way::Rate, Way::Coarse];

    pub fn encode(self) -> &'static str {
        match self {
            Way::Retention => "retention",
            Way::Rate => "rate",
            Way::Coarse => "coarse",
        }
    }

    pub fn decode(text: &str) -> Option<Way> {
        Way::ALL.into_iter().find(|w| w.encode() == text)
    }
}

/// Everything a click, a key or a change can do on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Show a part's facts and actions in the selection panel (and mark it in the picture and tables).
    Select(Target),
    /// Clear the selection.
    Unselect,
    /// Crash a broker, a member or a service.
    Crash(Target),
    /// Restart a broker, a member or a service.
    Restart(Target),
    /// A member leaves its group (LeaveGroup).
    Leave(Target),
    /// Cut a node off from every other.
    Isolate(Target),
    /// Heal a node's cuts.
    Reconnect(Target),
    /// Cut a node off from the controller.
    CutFromController(Target),
    /// Heal every cut.
    Heal,
    /// A control's new value, as its element gives it.
    Set(Control, String),
    /// Which producer, topic or group (by id) the controls show.
    Choose(Section, String),
    AddPartition,
    AddMember,
    AddGroup,
    /// Play or pause.
    PlayPause,
    /// Pause and run one event.
    Step,
    /// Nudge the speed by `tenths` of a decade.
    Faster(i8),
    ToggleHelp,
    CloseHelp,
    /// Escape: close what is open.
    Dismiss,
    Language(Locale),
    WayOut(Way),
    /// Download the run as a scenario file.
    Export,
    /// Load the scenario in the text area.
    LoadText,
    /// Open the lesson menu, or close it (to the free sandbox).
    OpenMenu,
    CloseMenu,
    /// Start the lesson with this id, at its first step.
    OpenLesson(String),
    /// Go to a step of the lesson: the next once the current step's check held, or back to an earlier one
    /// (the run rewinds to where that step began).
    GoToStep(usize),
    /// Do the current step's action for the learner.
    ShowMe,
    /// The player saw step N's check hold.
    StepReached(usize),
    /// Leave the lesson for the free sandbox (the run goes on).
    ExitLesson,
    /// Copy a command of the "try it on real Kafka" block, or its script.
    Copy(Snippet),
    /// Zoom the picture to this many percent of its box's width (100 fits it), in or out a step, or fit.
    Zoom(u16),
    ZoomIn,
    ZoomOut,
    Fit,
}

/// A piece of the "try it on real Kafka" block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snippet {
    Command(usize),
    Script,
}

impl Action {
    /// The action's text (`data-action`).
    pub fn encode(&self) -> String {
        let with = |verb: &str, target: &Target| {
            let mut out = String::with_capacity(40);
            out.push_str(verb);
            out.push(':');
            target.write(&mut out);
            out
        };
        match self {
            Action::Select(target) => with("select", target),
            Action::Unselect => "unselect".into(),
            Action::Crash(target) => with("crash", target),
            Action::Restart(target) => with("restart", target),
            Action::Leave(target) => with("leave", target),
            Action::Isolate(target) => with("isolate", target),
            Action::Reconnect(target) => with("reconnect", target),
            Action::CutFromController(target) => with("cut-controller", target),
            Action::Heal => "heal".into(),
            Action::Set(control, value) => {
                let mut out = format!("set:{}:", control.encode());
                escape_value(&mut out, value);
                out
            }
            Action::Choose(section, id) => {
                let mut out = format!("choose:{}:", section.encode());
                escape_name(&mut out, id);
                out
            }
            Action::AddPartition => "add-partition".into(),
            Action::AddMember => "add-member".into(),
            Action::AddGroup => "add-group".into(),
            Action::PlayPause => "play".into(),
            Action::Step => "step".into(),
            Action::Faster(tenths) => format!("faster:{tenths}"),
            Action::ToggleHelp => "help".into(),
            Action::CloseHelp => "close-help".into(),
            Action::Dismiss => "dismiss".into(),
            Action::Language(locale) => format!("lang:{}", locale.tag()),
            Action::WayOut(way) => format!("way:{}", way.encode()),
            Action::Export => "export".into(),
            Action::LoadText => "load-text".into(),
            Action::OpenMenu => "menu".into(),
            Action::CloseMenu => "close-menu".into(),
            Action::OpenLesson(id) => {
                let mut out = "lesson:".to_string();
                escape_name(&mut out, id);
                out
            }
            Action::GoToStep(step) => format!("step:{step}"),
            Action::ShowMe => "show-me".into(),
            Action::StepReached(step) => format!("reached:{step}"),
            Action::ExitLesson => "exit-lesson".into(),
            Action::Copy(Snippet::Command(index)) => format!("copy:{index}"),
            Action::Copy(Snippet::Script) => "copy:script".into(),
            Action::Zoom(percent) => format!("zoom:{percent}"),
            Action::ZoomIn => "zoom-in".into(),
            Action::ZoomOut => "zoom-out".into(),
            Action::Fit => "fit".into(),
        }
    }

    /// The action `text` stands for, or `None` for any text [`Action::encode`] does not write.
    pub fn decode(text: &str) -> Option<Action> {
        let simple = match text {
            "unselect" => Some(Action::Unselect),
            "heal" => Some(Action::Heal),
            "add-partition" => Some(Action::AddPartition),
            "add-member" => Some(Action::AddMember),
            "add-group" => Some(Action::AddGroup),
            "play" => Some(Action::PlayPause),
            "step" => Some(Action::Step),
            "help" => Some(Action::ToggleHelp),
            "close-help" => Some(Action::CloseHelp),
            "dismiss" => Some(Action::Dismiss),
            "export" => Some(Action::Export),
            "load-text" => Some(Action::LoadText),
            "menu" => Some(Action::OpenMenu),
            "close-menu" => Some(Action::CloseMenu),
            "show-me" => Some(Action::ShowMe),
            "exit-lesson" => Some(Action::ExitLesson),
            "copy:script" => Some(Action::Copy(Snippet::Script)),
            "zoom-in" => Some(Action::ZoomIn),
            "zoom-out" => Some(Action::ZoomOut),
            "fit" => Some(Action::Fit),
            _ => None,
        };
        if simple.is_some() {
            return simple;
        }
        let (verb, rest) = text.split_once(':')?;
        let target = || Target::decode(rest);
        let node = || Target::decode(rest).filter(Target::is_node);
        let action = match verb {
            "select" => Action::Select(target()?),
            "crash" => Action::Crash(target()?),
            "restart" => Action::Restart(target()?),
            "leave" => Action::Leave(target()?),
            "isolate" => Action::Isolate(node()?),
            "reconnect" => Action::Reconnect(node()?),
            "cut-controller" => Action::CutFromController(node()?),
            "set" => {
                let (control, value) = rest.split_once(':')?;
                Action::Set(Control::decode(control)?, unescape_value(value)?)
            }
            "choose" => {
                let (section, id) = rest.split_once(':')?;
                Action::Choose(Section::decode(section)?, unescape_name(id)?)
            }
            "faster" => {
                let tenths: i8 = rest.parse().ok()?;
                // One spelling: `faster:1`, never `faster:+1` or `faster:01`.
                if tenths.to_string() != rest {
                    return None;
                }
                Action::Faster(tenths)
            }
            "lang" => Action::Language(Locale::ALL.into_iter().find(|l| l.tag() == rest)?),
            "lesson" => Action::OpenLesson(unescape_name(rest)?),
            "step" => Action::GoToStep(index(rest)?),
            "reached" => Action::StepReached(index(rest)?),
            "copy" => Action::Copy(Snippet::Command(index(rest)?)),
            "zoom" => Action::Zoom(u16::try_from(number(rest)?).ok()?),
            "way" => Action::WayOut(Way::decode(rest)?),
            _ => return None,
        };
        Some(action)
    }
}

/// A control's value in an action's text: like a name, and an empty value is `%`.
fn escape_value(out: &mut String, value: &str) {
    if value.is_empty() {
        out.push('%');
    } else {
        escape_name(out, value);
    }
}

fn unescape_value(text: &str) -> Option<String> {
    if text == "%" {
        Some(String::new())
    } else {
        unescape_name(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{hostile_view, HOSTILE};

    fn every_target(name: &str) -> Vec<Target> {
        let node = Target::Member {
            group: name.into(),
            member: name.into(),
        };
        vec![
            Target::Controller,
            Target::Broker(0),
            Target::Broker(4_000_000_000),
            Target::Producer(name.into()),
            Target::Partition {
                topic: name.into(),
                partition: 12,
            },
            Target::Group(name.into()),
            node.clone(),
            Target::Service(name.into()),
            Target::Queue(name.into()),
            Target::Flow {
                from: Box::new(Target::Producer(name.into())),
                to: Box::new(node),
            },
            Target::World,
        ]
    }

    fn every_action(name: &str) -> Vec<Action> {
        let mut actions = vec![
            Action::Unselect,
            Action::Heal,
            Action::AddPartition,
            Action::AddMember,
            Action::AddGroup,
            Action::PlayPause,
            Action::Step,
            Action::Faster(1),
            Action::Faster(-1),
            Action::ToggleHelp,
            Action::CloseHelp,
            Action::Dismiss,
            Action::Export,
            Action::LoadText,
            Action::OpenMenu,
            Action::CloseMenu,
            Action::OpenLesson(name.into()),
            Action::GoToStep(0),
            Action::GoToStep(9),
            Action::ShowMe,
            Action::StepReached(3),
            Action::ExitLesson,
            Action::Copy(Snippet::Command(0)),
            Action::Copy(Snippet::Command(12)),
            Action::Copy(Snippet::Script),
            Action::Zoom(100),
            Action::Zoom(250),
            Action::ZoomIn,
            Action::ZoomOut,
            Action::Fit,
        ];
        actions.extend(Locale::ALL.map(Action::Language));
        actions.extend(Way::ALL.map(Action::WayOut));
        actions.extend(Section::ALL.map(|s| Action::Choose(s, name.into())));
        for control in Control::ALL {
            actions.push(Action::Set(control, name.into()));
            actions.push(Action::Set(control, String::new()));
        }
        for target in every_target(name) {
            actions.push(Action::Select(target.clone()));
            actions.push(Action::Crash(target.clone()));
            actions.push(Action::Restart(target.clone()));
            actions.push(Action::Leave(target.clone()));
            if target.is_node() {
                actions.push(Action::Isolate(target.clone()));
                actions.push(Action::Reconnect(target.clone()));
                actions.push(Action::CutFromController(target));
            }
        }
        actions
    }

    #[test]
    fn every_action_and_target_round_trips_even_with_hostile_names() {
        for name in HOSTILE
            .iter()
            .copied()
            .chain(["orders", "user-events", "a.b_c-1", "订单"])
        {
            for target in every_target(name) {
                let text = target.encode();
                assert_eq!(Target::decode(&text), Some(target.clone()), "{text}");
                assert!(
                    !text.contains(['<', '>', '"', '\'', '&', ' ']) || text.starts_with("flow:"),
                    "{text}"
                );
            }
            for action in every_action(name) {
                let text = action.encode();
                assert_eq!(Action::decode(&text), Some(action.clone()), "{text}");
                assert_eq!(Action::decode(&text).map(|a| a.encode()), Some(text));
            }
        }
        for control in Control::ALL {
            assert_eq!(Control::decode(control.encode()), Some(control));
        }
    }

    #[test]
    fn unknown_or_malformed_text_decodes_to_nothing() {
        for text in [
            "",
            "crash",
            "crash:",
            "crash:broker",
            "crash:broker:",
            "crash:broker:01",
            "crash:broker:-1",
            "crash:broker:x",
            "crash:broker:99999999999",
            "crash:topic:orders",
            "select:partition:orders",
            "select:partition:orders-",
            "select:partition:-1",
            "select:member:g",
            "select:member:g/",
            "select:member:/m",
            "select:group:a b",
            "select:group:%4",
            "select:group:%zz",
            "select:group:%61",
            "select:group:%c3",
            "select:flow:world>broker:1",
            "isolate:group:g",
            "reconnect:partition:t-0",
            "set:nope:1",
            "set:rate",
            "set:rate:",
            "choose:example:x",
            "choose:producer:",
            "way:nowhere",
            "lang:fr",
            "lang:EN",
            "faster:+1",
            "faster:01",
            "faster:300",
            "play:now",
            "Play",
            "retention",
            "broker:1",
            "member:g:m",
            "lesson:",
            "step:-1",
            "step:01",
            "copy:",
            "copy:scripts",
            "reached:x",
            "zoom:",
            "zoom:70000",
            "zoom:-5",
        ] {
            assert_eq!(Action::decode(text), None, "{text:?}");
        }
        for text in [
            "",
            "broker",
            "member:g:m",
            "partition:t:0",
            "queue:",
            "World",
        ] {
            assert_eq!(Target::decode(text), None, "{text:?}");
        }
    }

    #[test]
    fn network_node_names_and_lesson_highlights_are_target_texts() {
        for name in ["plain", "user-events"] {
            let view = hostile_view(name);
            for node in crate::markup::tests_support::nodes_of(&view) {
                let target = Target::of_node(&view, node);
                assert_eq!(view.node_name(node), target.encode());
                assert_eq!(Target::decode(&view.node_name(node)), Some(target));
            }
        }
        assert_eq!(
            Target::decode("partition:user-events-1"),
            Some(Target::Partition {
                topic: "user-events".into(),
                partition: 1
            })
        );
        assert_eq!(
            Target::decode("member:email_group/email-1"),
            Some(Target::Member {
                group: "email_group".into(),
                member: "email-1".into()
            })
        );
    }

    /// Every `data-action` value in `markup`, as the browser reads it (entities decoded).
    fn actions_in(markup: &str) -> Vec<String> {
        markup
            .split("data-action=\"")
            .skip(1)
            .map(|rest| {
                rest[..rest.find('"').expect("closed")]
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            })
            .collect()
    }

    /// Everything the page's string renderers write for `view`: the picture, the selection panel for every
    /// part, the describe tables, the world panel and the notices.
    fn every_rendering(view: &ClusterView) -> String {
        use crate::markup::{panels, picture, selection, world};
        let mut out = picture::render(view, picture::Marks::default());
        let mut targets: Vec<Target> = crate::markup::tests_support::nodes_of(view)
            .into_iter()
            .map(|node| Target::of_node(view, node))
            .collect();
        for topic in &view.topics {
            targets.extend(topic.partitions.iter().map(|p| Target::Partition {
                topic: topic.name.clone(),
                partition: p.partition,
            }));
        }
        targets.extend(view.groups.iter().map(|g| Target::Group(g.group.clone())));
        for target in &targets {
            out.push_str(&selection::render(view, Some(target)));
        }
        out.push_str(&panels::group_tables(view, None));
        out.push_str(&world::panel(view));
        let memory = panels::memory_notice(200 << 20, false, true);
        out.push_str(&panels::notices(Some("error"), Some(&memory), true));
        out
    }

    fn check_round_trips(markup: &str) -> Vec<Action> {
        actions_in(markup)
            .into_iter()
            .map(|text| {
                let action = Action::decode(&text).unwrap_or_else(|| panic!("{text:?} decodes"));
                assert_eq!(action.encode(), text);
                action
            })
            .collect()
    }

    #[test]
    fn every_action_a_renderer_writes_decodes_to_an_action_that_encodes_back() {
        use crate::sim::Simulation;
        // The order-service run at 15 s, with a member and a broker cut off (their reconnect buttons).
        let mut sim = Simulation::from_json(crate::state::DEFAULT_SCENARIO).expect("valid");
        sim.advance_to(15_000_000);
        let mut view = sim.view();
        let nodes = crate::markup::tests_support::nodes_of(&view);
        view.cuts = vec![
            (nodes[1], None),
            (nodes[nodes.len() - 1], Some(Node::Controller)),
        ];
        let mut markup = every_rendering(&view);
        // The event log's lines, from the run's trace.
        let lines: Vec<_> = sim
            .trace_since(0)
            .0
            .map(crate::markup::panels::log_line)
            .collect();
        markup.push_str(&crate::markup::panels::event_items(lines.iter(), "", 500));
        // A synchronous baseline's services, one of them down.
        let mut sync =
            Simulation::from_json(include_str!("../../public/scenarios/sync-vs-kafka.json"))
                .expect("valid");
        sync.advance_to(25_000_000);
        markup.push_str(&every_rendering(&sync.view()));
        let actions = check_round_trips(&markup);
        for wanted in [
            "select:producer:order-service",
            "select:broker:1",
            "select:partition:orders-0",
            "crash:broker:1",
            "cut-controller:broker:2",
            "isolate:producer:order-service",
            "reconnect:broker:",
            "reconnect:member:",
            "leave:member:",
            "crash:service:",
            "restart:service:email",
            "way:coarse",
            "close-help",
            "select:group:",
        ] {
            assert!(
                actions
                    .iter()
                    .any(|action| action.encode().starts_with(wanted)),
                "no {wanted} among {} actions",
                actions.len()
            );
        }

        // Hostile names everywhere: still one action per element, each round-tripping.
        for hostile in HOSTILE {
            let mut bad = hostile_view(hostile);
            bad.cuts = view.cuts.clone();
            let mut sync_view = sync.view();
            for p in &mut sync_view.producers {
                for (service, _, _) in &mut p.requests.sync_calls {
                    *service = format!("{service}{hostile}");
                }
            }
            let mut plain = hostile_view("plain");
            plain.cuts = view.cuts.clone();
            let plain = check_round_trips(&every_rendering(&plain));
            let actions = check_round_trips(&every_rendering(&bad));
            assert_eq!(plain.len(), actions.len(), "{hostile}");
            assert!(actions.iter().any(
                |a| matches!(a, Action::Select(Target::Member { member, .. }) if member == hostile)
            ));
            let services = check_round_trips(&crate::markup::world::panel(&sync_view));
            assert!(services.iter().any(|a| matches!(a, Action::Crash(Target::Service(s)) | Action::Restart(Target::Service(s)) if s.ends_with(hostile))));
        }
    }
}
