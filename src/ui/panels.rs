//! Controls and panels: configuration controls named by their Kafka properties, the describe tables, the
//! charts, the event log and the scenario panel (examples, import/export; the address bar holds the link).

use super::messages::{t, Msg};
use super::{Ui, EXAMPLES};
use crate::markup::controls::{self, position_to_rate, Chosen, RATE_STEPS};
use crate::markup::panels::{
    event_items, group_chart, group_table, producer_lines, rate_chart, topic_table,
};
use crate::sim::scenario::{GroupSpec, KeySpec, MemberSpec};
use crate::sim::Command;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The controls beside the picture (`markup::controls`), set as inner HTML when they changed. Their
/// `change` and `click` events are handled here, by delegation: the target's `data-testid` (or
/// `data-choose`, for which producer, group or topic the controls show) says which control it was.
#[component]
pub fn Controls() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let chosen = RwSignal::new(Chosen::default());
    let html = Memo::new(move |_| {
        let chosen = chosen.get();
        ui.panel_view.with(|v| controls::render(v, chosen))
    });
    // A control that had the focus is focused again after the markup is replaced (a value changed).
    let focused = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        html.track();
        let Some(testid) = focused.get_value() else {
            return;
        };
        let active_inside = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .is_some_and(|active| active.closest(".ks-controls").ok().flatten().is_some());
        if !active_inside {
            if let Some(element) = super::by_testid(&testid) {
                let _ = element.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        }
    });
    let on_focus = move |ev: leptos::ev::FocusEvent| {
        focused.set_value(target_element(ev.target()).and_then(|e| e.get_attribute("data-testid")));
    };
    let on_change = move |ev: leptos::ev::Event| {
        let Some(element) = target_element(ev.target()) else {
            return;
        };
        let value = js_sys::Reflect::get(&element, &"value".into())
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default();
        if let Some(choose) = element.get_attribute("data-choose") {
            let index = value.parse().unwrap_or(0);
            chosen.update(|c| match choose.as_str() {
                "producer" => c.producer = index,
                "group" => c.group = index,
                _ => c.topic = index,
            });
            return;
        }
        if let Some(testid) = element.get_attribute("data-testid") {
            let number = number_of(Some(element.into()));
            change(ui, chosen.get_untracked(), &testid, value, number);
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = target_element(ev.target())
            .and_then(|e| e.closest("button[data-testid]").ok().flatten())
        else {
            return;
        };
        let testid = button.get_attribute("data-testid").unwrap_or_default();
        click(ui, chosen.get_untracked(), &testid);
    };
    view! {
        <section class="ks-controls" aria-label=t(Msg::ControlsLabel) inner_html=move || html.get()
            on:change=on_change on:click=on_click on:focusin=on_focus></section>
    }
}

/// A number input's or range's value as the browser reads it (`valueAsNumber`; 0 if it is not a number).
pub fn number_of(target: Option<web_sys::EventTarget>) -> f64 {
    target
        .and_then(|target| js_sys::Reflect::get(&target, &"valueAsNumber".into()).ok())
        .and_then(|value| value.as_f64())
        .filter(|value| value.is_finite())
        .unwrap_or(0.0)
}

pub(super) fn target_element(target: Option<web_sys::EventTarget>) -> Option<web_sys::Element> {
    target.and_then(|target| target.dyn_into::<web_sys::Element>().ok())
}

/// The ids of the producer, group and topic the controls show.
fn chosen_ids(ui: Ui, chosen: Chosen) -> (String, String, String) {
    ui.panel_view.with_untracked(|v| {
        (
            v.producers
                .get(chosen.producer)
                .map(|p| p.id.clone())
                .unwrap_or_default(),
            v.groups
                .get(chosen.group)
                .map(|g| g.group.clone())
                .unwrap_or_default(),
            v.topics
                .get(chosen.topic)
                .map(|t| t.name.clone())
                .unwrap_or_default(),
        )
    })
}

/// A control's new value: the command it stands for.
fn change(ui: Ui, chosen: Chosen, testid: &str, value: String, number: f64) {
    let (producer, group, topic) = chosen_ids(ui, chosen);
    let number = || number;
    let whole = || (number().max(0.0) as u64).to_string();
    let group_config = |name: &str, value: String| Command::SetGroupConfig {
        group: group.clone(),
        name: name.into(),
        value,
    };
    let producer_config = |name: &str, value: String| Command::SetProducerConfig {
        producer: producer.clone(),
        name: name.into(),
        value,
    };
    let topic_config = |name: &str, value: String| Command::SetTopicConfig {
        topic: topic.clone(),
        name: name.into(),
        value,
    };
    let command = match testid {
        "rate" => Command::SetProducerRate {
            producer: producer.clone(),
            rate_per_sec: position_to_rate(number().clamp(0.0, RATE_STEPS)),
        },
        "acks" => {
            // acks other than all silently turns default idempotence off; an explicit true would be a
            // ConfigException.
            let idempotence = if value == "all" { "true" } else { "false" };
            ui.command(producer_config("enable.idempotence", idempotence.into()));
            producer_config("acks", value)
        }
        "idempotence" => producer_config("enable.idempotence", value),
        "keys" => Command::SetProducerKeys {
            producer: producer.clone(),
            keys: match value.as_str() {
                "list" => KeySpec::List((1..=5).map(|i| format!("user_{i}")).collect()),
                "distinct" => KeySpec::Distinct(64),
                "hot" => KeySpec::Hot {
                    key: "user_1".into(),
                    percent: 80,
                    distinct: 64,
                },
                _ => KeySpec::None,
            },
        },
        "max-poll-records" => group_config("max.poll.records", whole()),
        "processing" => Command::SetProcessingTime {
            group: group.clone(),
            ms_per_record: number().clamp(0.0, 2000.0),
        },
        "session-timeout" => group_config("session.timeout.ms", whole()),
        "max-poll-interval" => group_config("max.poll.interval.ms", whole()),
        "auto-commit-interval" => group_config("auto.commit.interval.ms", whole()),
        "auto-commit" => group_config("enable.auto.commit", value),
        "strategy" => group_config("partition.assignment.strategy", value),
        "min-isr" => topic_config("min.insync.replicas", value),
        "unclean" => topic_config("unclean.leader.election.enable", value),
        _ => return,
    };
    ui.command(command);
}

/// A control's button pressed: the command it stands for.
fn click(ui: Ui, chosen: Chosen, testid: &str) {
    let (_, group, topic) = chosen_ids(ui, chosen);
    let command = match testid {
        "heal-network" => Command::HealNetwork { a: None, b: None },
        "add-partition" => {
            let partitions = ui.panel_view.with_untracked(|v| {
                v.topics
                    .get(chosen.topic)
                    .map_or(1, |t| t.partitions.len() as u32 + 1)
            });
            Command::AddPartitions { topic, partitions }
        }
        "add-member" => {
            let next = ui.panel_view.with_untracked(|v| {
                v.groups
                    .get(chosen.group)
                    .map_or(1, |g| g.members.len() + 1)
            });
            let prefix = group.split('_').next().unwrap_or("member").to_string();
            Command::AddConsumer {
                group,
                member: format!("{prefix}-{next}"),
                topics: None,
            }
        }
        "add-group" => {
            let (n, topics) = ui.panel_view.with_untracked(|v| {
                (
                    v.groups.len() + 1,
                    v.topics
                        .iter()
                        .map(|t| t.name.clone())
                        .take(1)
                        .collect::<Vec<_>>(),
                )
            });
            let id = format!("group_{n}");
            let mut config = crate::sim::config::Properties::new();
            config.insert("auto.offset.reset".to_string(), "earliest".to_string());
            Command::AddGroup {
                group: GroupSpec {
                    id: id.clone(),
                    topics,
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
        broker => {
            let Some(id) = broker
                .strip_prefix("broker-")
                .and_then(|id| id.parse::<u32>().ok())
            else {
                return;
            };
            let alive = ui
                .panel_view
                .with_untracked(|v| v.brokers.iter().find(|b| b.id == id).map(|b| b.alive));
            match alive {
                Some(true) => Command::CrashBroker { broker: id },
                Some(false) => Command::RestartBroker { broker: id },
                None => return,
            }
        }
    };
    ui.command(command);
}

#[component]
pub fn GroupTables() -> impl IntoView {
    let ui = expect_context::<Ui>();
    // A block per group (as many as a scenario may have), redrawn only when its own markup changed: the
    // page refreshes the groups' tables a few groups a frame (`Ui::refresh_with`).
    let producers = Memo::new(move |_| ui.table_view.with(producer_lines));
    let blocks = (0..crate::sim::scenario::MAX_GROUPS)
        .map(|index| {
            let html = Memo::new(move |_| {
                let highlight = ui.highlight.get();
                ui.table_view
                    .with(|v| group_table(v, index, highlight.as_deref()))
            });
            view! { <div inner_html=move || html.get()></div> }
        })
        .collect_view();
    view! {
        <section class="ks-panel" aria-label=t(Msg::DescribeGroups)>
            <h2>{t(Msg::DescribeGroups)}</h2>
            <div on:click=move |ev| super::picture::activate(ui, ev.target())>
                {blocks}
                <div inner_html=move || producers.get()></div>
            </div>
        </section>
    }
}

/// The world around Kafka (`markup::world`): empty unless the scenario has a synchronous baseline, a sink
/// or a queue.
#[component]
pub fn World() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let html = Memo::new(move |_| ui.panel_view.with(crate::markup::world::panel));
    view! {
        <section class="ks-panel ks-world" data-testid="world" inner_html=move || html.get()
            on:click=move |ev| super::picture::activate(ui, ev.target())></section>
    }
}

#[component]
pub fn TopicTable() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let html = Memo::new(move |_| ui.topic_view.with(topic_table));
    view! {
        <section class="ks-panel" aria-label=t(Msg::DescribeTopics)>
            <h2>{t(Msg::DescribeTopics)}</h2>
            <div inner_html=move || html.get()></div>
        </section>
    }
}

#[component]
pub fn Charts() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let groups = move || {
        ui.panel_view
            .with(|v| v.groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>())
    };
    let lag = Memo::new(move |_| {
        let groups = groups();
        ui.history.with(|h| {
            group_chart(h, &groups, t(Msg::ChartLag), "lag-chart", "", |s, g| {
                s.lag.get(g).map(|lag| *lag as f64)
            })
        })
    });
    let latency = Memo::new(move |_| {
        let groups = groups();
        ui.history.with(|h| {
            group_chart(
                h,
                &groups,
                t(Msg::ChartLatency),
                "latency-chart",
                " ms",
                |s, g| s.latency_ms.get(g).copied().flatten(),
            )
        })
    });
    let rates = Memo::new(move |_| ui.history.with(rate_chart));
    view! {
        <section class="ks-panel" aria-label=t(Msg::ChartsLabel)>
            <h2>{t(Msg::ChartLag)}</h2>
            <div inner_html=move || lag.get()></div>
            <h2>{t(Msg::ChartRates)}</h2>
            <div inner_html=move || rates.get()></div>
            <h2 title=t(Msg::ChartLatencyTip)>{t(Msg::ChartLatency)}</h2>
            <div inner_html=move || latency.get()></div>
        </section>
    }
}

#[component]
pub fn EventLog() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let filter = RwSignal::new(String::new());
    let html = Memo::new(move |_| {
        let needle = filter.get().to_ascii_lowercase();
        ui.events.with(|log| event_items(log.iter(), &needle, 150))
    });
    let select = move |ev: leptos::ev::MouseEvent| {
        let group = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("[data-group]").ok().flatten())
            .and_then(|element| element.get_attribute("data-group"))
            .filter(|group| !group.is_empty());
        ui.highlight.set(group);
    };
    // The filter and the switch are markup (`event_controls`) whose events arrive here by delegation.
    let on_input = move |ev: leptos::ev::Event| {
        let Some(element) = target_element(ev.target()) else {
            return;
        };
        let value = js_sys::Reflect::get(&element, &"value".into())
            .ok()
            .and_then(|value| value.as_string());
        match element.get_attribute("data-testid").as_deref() {
            Some("event-filter") => filter.set(value.unwrap_or_default()),
            Some("verbose") => ui.set_verbose(
                js_sys::Reflect::get(&element, &"checked".into())
                    .ok()
                    .and_then(|checked| checked.as_bool())
                    .unwrap_or(false),
            ),
            _ => {}
        }
    };
    view! {
        <section class="ks-panel" aria-label=t(Msg::Events) on:input=on_input on:change=on_input>
            <h2>{t(Msg::Events)}</h2>
            <div inner_html=crate::markup::panels::event_controls(&filter.get_untracked(), ui.verbose.get_untracked())></div>
            <ol class="ks-events" data-testid="events" inner_html=move || html.get() on:click=select></ol>
        </section>
    }
}

#[component]
pub fn ScenarioPanel() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let example = StoredValue::new(0usize);
    // One handler per kind of event for the whole panel (delegation), by the target's data-testid.
    let on_click = move |ev: leptos::ev::MouseEvent| match target_element(ev.target())
        .and_then(|e| e.get_attribute("data-testid"))
        .as_deref()
    {
        Some("export") => {
            let json = ui
                .sim
                .with_value(|sim| sim.replay_scenario().to_json_pretty());
            download("kafka-sim-scenario.json", &json);
        }
        Some("load") => {
            let text = super::by_testid("scenario-text")
                .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
            if let Some(text) = text {
                ui.load(&text.value(), None);
            }
        }
        _ => {}
    };
    let on_change = move |ev: leptos::ev::Event| {
        let Some(element) = target_element(ev.target()) else {
            return;
        };
        match element.get_attribute("data-testid").as_deref() {
            Some("examples") => {
                let name = js_sys::Reflect::get(&element, &"value".into())
                    .ok()
                    .and_then(|value| value.as_string())
                    .unwrap_or_default();
                if let Some(index) = EXAMPLES.iter().position(|(n, _, _)| *n == name) {
                    example.set_value(index);
                    if let Some(description) = super::by_testid("example-description") {
                        description.set_text_content(Some(t(EXAMPLES[index].2)));
                    }
                    super::load_example(ui, EXAMPLES[index].0);
                }
            }
            Some("import") => import(ui, element.unchecked_into()),
            _ => {}
        }
    };
    view! {
        <section class="ks-panel ks-scenario" aria-label=t(Msg::Scenario) on:click=on_click on:change=on_change>
            <h2>{t(Msg::Scenario)}</h2>
            <p class="ks-small-text">{t(Msg::ScenarioShare)}</p>
            <div inner_html=move || crate::markup::panels::link_too_long(ui.link_too_long.get())></div>
            <div inner_html=crate::markup::panels::scenario_controls(EXAMPLES.iter().map(|(name, title, _)| (*name, t(*title))))></div>
            <p class="ks-small-text" data-testid="example-description">{t(EXAMPLES[example.get_value()].2)}</p>
            <div inner_html=crate::markup::panels::scenario_input()></div>
        </section>
    }
}

/// Reads the file chosen in `input` and loads it as a scenario.
fn import(ui: Ui, input: web_sys::HtmlInputElement) {
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let reader_for_load = reader.clone();
    let on_load = wasm_bindgen::closure::Closure::once(move || {
        if let Some(content) = reader_for_load
            .result()
            .ok()
            .and_then(|value| value.as_string())
        {
            ui.load(&content, None);
        }
    });
    reader.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let _ = reader.read_as_text(&file);
}

fn download(name: &str, content: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(anchor) = document.create_element("a") {
        let anchor: web_sys::HtmlAnchorElement = anchor.unchecked_into();
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
