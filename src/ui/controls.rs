//! The header's transport and the controls beside the picture, as Leptos components: every control is
//! labelled with its Kafka property name and a tooltip, shows its value from the panels' view and the
//! page's [`UiState`](crate::state::UiState), and dispatches a typed [`Action`]. Each value is a `Memo`,
//! so a control is updated in place only when its own value changes: nothing is replaced under a pointer
//! that drags a slider.

use super::messages::{self, t, Locale, Msg};
use super::Ui;
use crate::markup::action::{Action, Control, Section, Target};
use crate::markup::controls::{key_mode, rate_to_position, speed_text, KEY_MODES, RATE_STEPS};
use crate::sim::num::{Fixed, Shortest};
use crate::state::{PROCESSING_MS_MAX, SPEED_LOG_MAX, SPEED_LOG_MIN, STRATEGIES};
use leptos::prelude::*;

const TRUE_FALSE: [(&str, &str); 2] = [("true", "true"), ("false", "false")];

/// The header's transport: play (`play`), step (`step`), the speed (`speed`, `speed-out`), the clock
/// (`clock`), the status (`transport-status`), the seed (`seed`), the language switch (`lang-switch`,
/// `lang-en`, `lang-zh-CN`) and the help button (`help`).
#[component]
pub fn Transport() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let playing = Memo::new(move |_| ui.state.with(|s| s.playing));
    let speed_log = Memo::new(move |_| ui.state.with(|s| s.speed_log));
    // The clock to a tenth of a second: its text changes ten times a simulated second, not every frame.
    let tenths = Memo::new(move |_| ui.view.with(|v| v.now_us / 100_000));
    let quantum = Memo::new(move |_| ui.panel_view.with(|v| v.time_quantum_ms));
    let seed = Memo::new(move |_| ui.panel_view.with(|v| v.seed));
    let shown = messages::locale();
    let language = move |each: Locale| {
        view! {
            <button type="button" lang=each.tag() data-testid=format!("lang-{}", each.tag())
                aria-pressed=if each == shown { "true" } else { "false" }
                on:click=move |_| ui.dispatch(Action::Language(each))>{each.native_name()}</button>
        }
    };
    view! {
        <button data-testid="play" aria-keyshortcuts="Space" on:click=move |_| ui.dispatch(Action::PlayPause)>
            {move || t(if playing.get() { Msg::Pause } else { Msg::Play })}
        </button>
        <button data-testid="step" title=t(Msg::StepTip) aria-keyshortcuts="ArrowRight"
            on:click=move |_| ui.dispatch(Action::Step)>{t(Msg::Step)}</button>
        <label title=t(Msg::SpeedTip)>
            {format!("{} ", t(Msg::Speed))}
            <input type="range" min=Shortest(SPEED_LOG_MIN).to_string() max=Shortest(SPEED_LOG_MAX).to_string() step="0.1" data-testid="speed"
                prop:value=move || Shortest(speed_log.get()).to_string()
                on:input=move |ev| ui.dispatch(Action::Set(Control::Speed, event_target_value(&ev))) />
            <output data-testid="speed-out">{move || speed_text(speed_log.get())}</output>
        </label>
        <span class="ks-clock" data-testid="clock">
            {move || format!("{}: {} s", t(Msg::Time), Fixed(tenths.get() as f64 / 10.0, 1))}
        </span>
        <span data-testid="transport-status" class="ks-status"
            inner_html=move || crate::markup::controls::transport_status(quantum.get(), ui.behind.get())></span>
        <label title=t(Msg::SeedTip)>
            {format!("{} ", t(Msg::Seed))}
            <input type="number" min="0" class="ks-seed" data-testid="seed"
                prop:value=move || seed.get().to_string()
                on:change=move |ev| ui.dispatch(Action::Set(Control::Seed, event_target_value(&ev))) />
        </label>
        <div class="ks-lang" role="group" data-testid="lang-switch" aria-label=t(Msg::LangSwitch)>
            {Locale::ALL.map(language).collect_view()}
        </div>
        <button aria-keyshortcuts="?" data-testid="help" on:click=move |_| ui.dispatch(Action::ToggleHelp)>
            {format!("{} (?)", t(Msg::Help))}
        </button>
    }
}

/// What the producer section shows.
#[derive(Clone, PartialEq)]
struct ProducerValues {
    id: String,
    rate_per_sec: u32,
    acks: &'static str,
    idempotence: bool,
    keys: &'static str,
}

#[derive(Clone, PartialEq)]
struct TopicValues {
    name: String,
    min_insync_replicas: u64,
    unclean: bool,
}

#[derive(Clone, PartialEq)]
struct GroupValues {
    id: String,
    max_poll_records: u64,
    processing_ms: f64,
    session_timeout_ms: u64,
    max_poll_interval_ms: u64,
    auto_commit_interval_ms: u64,
    auto_commit: bool,
    strategy: String,
}

fn ms(value: u64) -> String {
    format!("{value} ms")
}

fn true_false(value: bool) -> String {
    if value { "true" } else { "false" }.to_string()
}

/// The controls beside the picture, grouped by what they belong to: the chosen producer, topic and
/// group (each section's legend chooses which), and the brokers.
#[component]
pub fn Controls() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let producer = Memo::new(move |_| {
        ui.state.with(|s| {
            ui.panel_view.with(|v| {
                s.chosen_producer(v).map(|p| ProducerValues {
                    id: p.id.clone(),
                    rate_per_sec: p.rate_per_sec,
                    acks: p.acks,
                    idempotence: p.enable_idempotence,
                    keys: key_mode(&p.keys),
                })
            })
        })
    });
    let topic = Memo::new(move |_| {
        ui.state.with(|s| {
            ui.panel_view.with(|v| {
                s.chosen_topic(v).map(|t| TopicValues {
                    name: t.name.clone(),
                    min_insync_replicas: t.min_insync_replicas,
                    unclean: t.unclean_leader_election_enable,
                })
            })
        })
    });
    let group = Memo::new(move |_| {
        ui.state.with(|s| {
            ui.panel_view.with(|v| {
                s.chosen_group(v).map(|g| GroupValues {
                    id: g.group.clone(),
                    max_poll_records: g.max_poll_records,
                    processing_ms: g.processing_ms_per_record,
                    session_timeout_ms: g.session_timeout_ms,
                    max_poll_interval_ms: g.max_poll_interval_ms,
                    auto_commit_interval_ms: g.auto_commit_interval_ms,
                    auto_commit: g.enable_auto_commit,
                    strategy: g.partition_assignment_strategy.clone(),
                })
            })
        })
    });
    let producers = Memo::new(move |_| {
        ui.panel_view
            .with(|v| v.producers.iter().map(|p| p.id.clone()).collect::<Vec<_>>())
    });
    let topics = Memo::new(move |_| {
        ui.panel_view
            .with(|v| v.topics.iter().map(|t| t.name.clone()).collect::<Vec<_>>())
    });
    let groups = Memo::new(move |_| {
        ui.panel_view
            .with(|v| v.groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>())
    });
    let brokers = Memo::new(move |_| {
        ui.panel_view.with(|v| {
            v.brokers
                .iter()
                .map(|b| (b.id, b.alive))
                .collect::<Vec<_>>()
        })
    });
    let any_cut = Memo::new(move |_| ui.panel_view.with(|v| !v.cuts.is_empty()));

    let producer_section = move || {
        let p = move |read: fn(&ProducerValues) -> String| {
            Signal::derive(move || producer.with(|p| p.as_ref().map(read).unwrap_or_default()))
        };
        view! {
            <fieldset data-section="producer">
                <Chooser section=Section::Producer label=Msg::SectionProducer names=producers
                    chosen=p(|p| p.id.clone()) />
                <Slider control=Control::Rate label=Msg::Rate tip=Msg::RateTip range=(0.0, RATE_STEPS, 1.0)
                    value=Signal::derive(move || producer.with(|p| p.as_ref().map_or(0.0, |p| rate_to_position(p.rate_per_sec))))
                    shown=p(|p| crate::messages::fill(t(Msg::RecordsPerSec), &[("n", &p.rate_per_sec)])) />
                <Choice control=Control::Acks label=Msg::Acks tip=Msg::AcksTip
                    options=vec![("all", "all"), ("1", "1"), ("0", "0")] value=p(|p| p.acks.to_string()) />
                <Choice control=Control::Idempotence label=Msg::EnableIdempotence tip=Msg::EnableIdempotenceTip
                    options=TRUE_FALSE.to_vec() value=p(|p| true_false(p.idempotence)) />
                <Choice control=Control::Keys label=Msg::Keys tip=Msg::KeysTip
                    options=KEY_MODES.iter().map(|(mode, label)| (*mode, t(*label))).collect()
                    value=p(|p| p.keys.to_string()) />
            </fieldset>
        }
    };
    let topic_section = move || {
        let tv = move |read: fn(&TopicValues) -> String| {
            Signal::derive(move || topic.with(|t| t.as_ref().map(read).unwrap_or_default()))
        };
        const DIGITS: [(&str, &str); 9] = [
            ("1", "1"),
            ("2", "2"),
            ("3", "3"),
            ("4", "4"),
            ("5", "5"),
            ("6", "6"),
            ("7", "7"),
            ("8", "8"),
            ("9", "9"),
        ];
        view! {
            <fieldset data-section="topic">
                <Chooser section=Section::Topic label=Msg::SectionTopic names=topics chosen=tv(|t| t.name.clone()) />
                <Choice control=Control::MinIsr label=Msg::MinInsyncReplicas tip=Msg::MinInsyncReplicasTip
                    options=DIGITS.to_vec() value=tv(|t| t.min_insync_replicas.to_string()) />
                <Choice control=Control::Unclean label=Msg::UncleanLeaderElectionEnable
                    tip=Msg::UncleanLeaderElectionEnableTip
                    options=vec![("false", "false"), ("true", "true")] value=tv(|t| true_false(t.unclean)) />
                <Button action=Action::AddPartition testid="add-partition" label=Msg::PartitionsAdd
                    tip=Some(Msg::PartitionsAddTip) />
            </fieldset>
        }
    };
    let group_section = move || {
        let gv = move |read: fn(&GroupValues) -> String| {
            Signal::derive(move || group.with(|g| g.as_ref().map(read).unwrap_or_default()))
        };
        let gn = move |read: fn(&GroupValues) -> f64| {
            Signal::derive(move || group.with(|g| g.as_ref().map_or(0.0, read)))
        };
        view! {
            <fieldset data-section="group">
                <Chooser section=Section::Group label=Msg::SectionGroup names=groups chosen=gv(|g| g.id.clone()) />
                <Slider control=Control::MaxPollRecords label=Msg::MaxPollRecords tip=Msg::MaxPollRecordsTip
                    range=(1.0, 1000.0, 1.0) value=gn(|g| g.max_poll_records as f64)
                    shown=gv(|g| g.max_poll_records.to_string()) />
                <Slider control=Control::Processing label=Msg::Processing tip=Msg::ProcessingTip
                    range=(0.0, PROCESSING_MS_MAX, 1.0) value=gn(|g| g.processing_ms)
                    shown=gv(|g| format!("{} ms", Shortest(g.processing_ms))) />
                <Slider control=Control::SessionTimeout label=Msg::SessionTimeoutMs tip=Msg::SessionTimeoutMsTip
                    range=(6000.0, 60000.0, 1000.0) value=gn(|g| g.session_timeout_ms as f64)
                    shown=gv(|g| ms(g.session_timeout_ms)) />
                <Slider control=Control::MaxPollInterval label=Msg::MaxPollIntervalMs tip=Msg::MaxPollIntervalMsTip
                    range=(1000.0, 600000.0, 1000.0) value=gn(|g| g.max_poll_interval_ms as f64)
                    shown=gv(|g| ms(g.max_poll_interval_ms)) />
                <Slider control=Control::AutoCommitInterval label=Msg::AutoCommitIntervalMs
                    tip=Msg::AutoCommitIntervalMsTip range=(100.0, 60000.0, 100.0)
                    value=gn(|g| g.auto_commit_interval_ms as f64) shown=gv(|g| ms(g.auto_commit_interval_ms)) />
                <Choice control=Control::AutoCommit label=Msg::EnableAutoCommit tip=Msg::EnableAutoCommitTip
                    options=TRUE_FALSE.to_vec() value=gv(|g| true_false(g.auto_commit)) />
                <Choice control=Control::Strategy label=Msg::PartitionAssignmentStrategy
                    tip=Msg::PartitionAssignmentStrategyTip options=STRATEGIES.iter().map(|s| (*s, *s)).collect()
                    value=gv(|g| g.strategy.clone()) />
                <div class="ks-buttons">
                    <Button action=Action::AddMember testid="add-member" label=Msg::MemberAdd tip=None />
                    <Button action=Action::AddGroup testid="add-group" label=Msg::GroupAdd tip=Some(Msg::GroupAddTip) />
                </div>
            </fieldset>
        }
    };
    let broker_button = move |(id, alive): (u32, bool)| {
        let (action, label) = if alive {
            (Action::Crash(Target::Broker(id)), Msg::BrokerCrash)
        } else {
            (Action::Restart(Target::Broker(id)), Msg::BrokerRestart)
        };
        view! {
            <button type="button" data-testid=format!("broker-{id}") data-alive=alive.to_string()
                on:click=move |_| ui.dispatch(action.clone())>{format!("{} {id}", t(label))}</button>
        }
    };
    view! {
        <section class="ks-controls" aria-label=t(Msg::ControlsLabel)>
            <Show when=move || producer.with(Option::is_some)>{producer_section}</Show>
            <Show when=move || topic.with(Option::is_some)>{topic_section}</Show>
            <Show when=move || group.with(Option::is_some)>{group_section}</Show>
            <fieldset data-section="broker">
                <legend>{t(Msg::SectionBroker)}</legend>
                <div class="ks-buttons">
                    <For each=move || brokers.get() key=|broker| *broker children=broker_button />
                    <Show when=move || any_cut.get()>
                        <Button action=Action::Heal testid="heal-network" label=Msg::NetHealAll
                            tip=Some(Msg::NetHealAllTip) />
                    </Show>
                </div>
            </fieldset>
        </section>
    }
}

/// A section's legend: its name and the select of which producer, topic or group it shows.
#[component]
fn Chooser(
    section: Section,
    label: Msg,
    names: Memo<Vec<String>>,
    chosen: Signal<String>,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        <legend>
            {t(label)} " "
            <select aria-label=t(label) on:change=move |ev| ui.dispatch(Action::Choose(section, event_target_value(&ev)))>
                <For each=move || names.get() key=|name| name.clone() let:name>
                    <option value=name.clone() prop:selected=move || chosen.with(|c| *c == name)>{name.clone()}</option>
                </For>
            </select>
        </legend>
    }
}

/// A range control: the label holds the Kafka property name, the tooltip explains it; its value is
/// dispatched when the learner lets go (`change`).
#[component]
fn Slider(
    control: Control,
    label: Msg,
    tip: Msg,
    range: (f64, f64, f64),
    value: Signal<f64>,
    shown: Signal<String>,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let testid = control.encode();
    view! {
        <label class="ks-control" title=t(tip)>
            <span>{t(label)}</span>
            <input type="range" min=Shortest(range.0).to_string() max=Shortest(range.1).to_string()
                step=Shortest(range.2).to_string() data-testid=testid
                prop:value=move || Shortest(value.get()).to_string()
                on:change=move |ev| ui.dispatch(Action::Set(control, event_target_value(&ev))) />
            <output data-testid=format!("{testid}-value")>{shown}</output>
        </label>
    }
}

/// A select of values (`(value, text)` pairs), the current one selected.
#[component]
fn Choice(
    control: Control,
    label: Msg,
    tip: Msg,
    options: Vec<(&'static str, &'static str)>,
    value: Signal<String>,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        <label class="ks-control" title=t(tip)>
            <span>{t(label)}</span>
            <select data-testid=control.encode()
                on:change=move |ev| ui.dispatch(Action::Set(control, event_target_value(&ev)))>
                {options.into_iter().map(|(option, text)| view! {
                    <option value=option prop:selected=move || value.with(|v| v == option)>{text}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn Button(action: Action, testid: &'static str, label: Msg, tip: Option<Msg>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        <button type="button" data-testid=testid title=tip.map(t)
            on:click=move |_| ui.dispatch(action.clone())>{t(label)}</button>
    }
}
