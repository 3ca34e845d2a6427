//! Controls and panels: configuration controls named by their Kafka properties, the describe tables, the
//! charts, the event log and the scenario panel (examples, import/export; the address bar holds the link).

use super::messages::t;
use super::{Ui, EXAMPLES};
use crate::markup::panels::{
    event_items, group_chart, group_table, producer_lines, rate_chart, topic_table,
};
use crate::sim::scenario::{GroupSpec, KeySpec, MemberSpec};
use crate::sim::Command;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A labelled range control: the label contains the Kafka property name, the tooltip explains it.
#[component]
fn Slider(
    label: &'static str,
    tip: &'static str,
    testid: &'static str,
    min: f64,
    max: f64,
    step: f64,
    #[prop(into)] value: Signal<f64>,
    #[prop(into)] shown: Signal<String>,
    on_change: impl Fn(f64) + 'static,
) -> impl IntoView {
    view! {
        <label class="ks-control" title=tip>
            <span>{label}</span>
            <input type="range" min=min max=max step=step data-testid=testid prop:value=move || value.get().to_string()
                on:change=move |ev| {
                    let raw: f64 = event_target_value(&ev).parse().unwrap_or(min);
                    on_change(raw.clamp(min, max));
                } />
            <output data-testid=format!("{testid}-value")>{move || shown.get()}</output>
        </label>
    }
}

/// A labelled select of Kafka values.
#[component]
fn Choice(
    label: &'static str,
    tip: &'static str,
    testid: &'static str,
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    on_change: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <label class="ks-control" title=tip>
            <span>{label}</span>
            <select data-testid=testid prop:value=move || value.get() on:change=move |ev| on_change(event_target_value(&ev))>
                {options.into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view()}
            </select>
        </label>
    }
}

fn pairs(values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| (v.to_string(), v.to_string()))
        .collect()
}

const RATE_STEPS: f64 = 500.0;

fn rate_to_position(rate: u32) -> f64 {
    if rate == 0 {
        0.0
    } else {
        (rate as f64).log10() * RATE_STEPS / 5.0
    }
}

fn position_to_rate(position: f64) -> u32 {
    if position <= 0.0 {
        0
    } else {
        10f64
            .powf(position * 5.0 / RATE_STEPS)
            .round()
            .min(100_000.0) as u32
    }
}

fn key_mode(keys: &KeySpec) -> &'static str {
    match keys {
        KeySpec::None => "none",
        KeySpec::List(_) => "list",
        KeySpec::Distinct(_) => "distinct",
        KeySpec::Hot { .. } => "hot",
    }
}

#[component]
pub fn Controls() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let producer = RwSignal::new(0usize);
    let group = RwSignal::new(0usize);
    let topic = RwSignal::new(0usize);
    let producer_id = move || {
        ui.panel_view.with(|v| {
            v.producers
                .get(producer.get())
                .map(|p| p.id.clone())
                .unwrap_or_default()
        })
    };
    let group_id = move || {
        ui.panel_view.with(|v| {
            v.groups
                .get(group.get())
                .map(|g| g.group.clone())
                .unwrap_or_default()
        })
    };
    let topic_name = move || {
        ui.panel_view.with(|v| {
            v.topics
                .get(topic.get())
                .map(|t| t.name.clone())
                .unwrap_or_default()
        })
    };
    let p = move |f: fn(&crate::sim::view::ProducerView) -> f64| {
        Signal::derive(move || {
            ui.panel_view
                .with(|v| v.producers.get(producer.get()).map_or(0.0, f))
        })
    };
    let g = move |f: fn(&crate::sim::view::GroupView) -> f64| {
        Signal::derive(move || {
            ui.panel_view
                .with(|v| v.groups.get(group.get()).map_or(0.0, f))
        })
    };
    let set_group = move |name: &'static str, value: String| {
        ui.command(Command::SetGroupConfig {
            group: group_id(),
            name: name.into(),
            value,
        })
    };
    let rate = p(|p| p.rate_per_sec as f64);
    let max_poll = g(|g| g.max_poll_records as f64);
    let processing = g(|g| g.processing_ms_per_record);
    let session = g(|g| g.session_timeout_ms as f64);
    let poll_interval = g(|g| g.max_poll_interval_ms as f64);
    let auto_commit_interval = g(|g| g.auto_commit_interval_ms as f64);
    view! {
        <section class="ks-controls" aria-label="controls">
            <fieldset>
                <legend>{t("section.producer")} " "
                    <select aria-label=t("section.producer") on:change=move |ev| producer.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {move || ui.panel_view.with(|v| v.producers.iter().enumerate().map(|(i, p)| view! { <option value=i.to_string()>{p.id.clone()}</option> }).collect_view())}
                    </select>
                </legend>
                <Slider label=t("rate") tip=t("rate.tip") testid="rate" min=0.0 max=RATE_STEPS step=1.0
                    value=Signal::derive(move || rate_to_position(rate.get() as u32))
                    shown=Signal::derive(move || format!("{} records/s", rate.get()))
                    on_change=move |position| ui.command(Command::SetProducerRate { producer: producer_id(), rate_per_sec: position_to_rate(position) }) />
                <Choice label=t("acks") tip=t("acks.tip") testid="acks" options=pairs(&["all", "1", "0"])
                    value=Signal::derive(move || ui.panel_view.with(|v| v.producers.get(producer.get()).map_or("all", |p| p.acks).to_string()))
                    on_change=move |value| {
                        // acks other than all silently turns default idempotence off; an explicit true would be a ConfigException.
                        let idempotence = if value == "all" { "true" } else { "false" };
                        ui.command(Command::SetProducerConfig { producer: producer_id(), name: "enable.idempotence".into(), value: idempotence.into() });
                        ui.command(Command::SetProducerConfig { producer: producer_id(), name: "acks".into(), value });
                    } />
                <Choice label=t("enable.idempotence") tip=t("enable.idempotence.tip") testid="idempotence" options=pairs(&["true", "false"])
                    value=Signal::derive(move || ui.panel_view.with(|v| v.producers.get(producer.get()).is_some_and(|p| p.enable_idempotence).to_string()))
                    on_change=move |value| ui.command(Command::SetProducerConfig { producer: producer_id(), name: "enable.idempotence".into(), value }) />
                <Choice label=t("keys") tip=t("keys.tip") testid="keys"
                    options=vec![("none".into(), t("keys.none").into()), ("list".into(), t("keys.list").into()), ("distinct".into(), t("keys.distinct").into()), ("hot".into(), t("keys.hot").into())]
                    value=Signal::derive(move || ui.panel_view.with(|v| v.producers.get(producer.get()).map_or("none", |p| key_mode(&p.keys)).to_string()))
                    on_change=move |value| {
                        let keys = match value.as_str() {
                            "list" => KeySpec::List((1..=5).map(|i| format!("user_{i}")).collect()),
                            "distinct" => KeySpec::Distinct(64),
                            "hot" => KeySpec::Hot { key: "user_1".into(), percent: 80, distinct: 64 },
                            _ => KeySpec::None,
                        };
                        ui.command(Command::SetProducerKeys { producer: producer_id(), keys });
                    } />
            </fieldset>
            <fieldset>
                <legend>{t("section.group")} " "
                    <select aria-label=t("section.group") on:change=move |ev| group.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {move || ui.panel_view.with(|v| v.groups.iter().enumerate().map(|(i, g)| view! { <option value=i.to_string()>{g.group.clone()}</option> }).collect_view())}
                    </select>
                </legend>
                <Slider label=t("max.poll.records") tip=t("max.poll.records.tip") testid="max-poll-records" min=1.0 max=1000.0 step=1.0
                    value=max_poll shown=Signal::derive(move || max_poll.get().to_string())
                    on_change=move |value| set_group("max.poll.records", (value as u64).to_string()) />
                <Slider label=t("processing") tip=t("processing.tip") testid="processing" min=0.0 max=2000.0 step=1.0
                    value=processing shown=Signal::derive(move || format!("{} ms", processing.get()))
                    on_change=move |value| ui.command(Command::SetProcessingTime { group: group_id(), ms_per_record: value }) />
                <Slider label=t("session.timeout.ms") tip=t("session.timeout.ms.tip") testid="session-timeout" min=6000.0 max=60000.0 step=1000.0
                    value=session shown=Signal::derive(move || format!("{} ms", session.get()))
                    on_change=move |value| set_group("session.timeout.ms", (value as u64).to_string()) />
                <Slider label=t("max.poll.interval.ms") tip=t("max.poll.interval.ms.tip") testid="max-poll-interval" min=1000.0 max=600000.0 step=1000.0
                    value=poll_interval shown=Signal::derive(move || format!("{} ms", poll_interval.get()))
                    on_change=move |value| set_group("max.poll.interval.ms", (value as u64).to_string()) />
                <Slider label=t("auto.commit.interval.ms") tip=t("auto.commit.interval.ms.tip") testid="auto-commit-interval" min=100.0 max=60000.0 step=100.0
                    value=auto_commit_interval shown=Signal::derive(move || format!("{} ms", auto_commit_interval.get()))
                    on_change=move |value| set_group("auto.commit.interval.ms", (value as u64).to_string()) />
                <Choice label=t("enable.auto.commit") tip=t("enable.auto.commit.tip") testid="auto-commit" options=pairs(&["true", "false"])
                    value=Signal::derive(move || ui.panel_view.with(|v| v.groups.get(group.get()).is_some_and(|g| g.enable_auto_commit).to_string()))
                    on_change=move |value| set_group("enable.auto.commit", value) />
                <Choice label=t("partition.assignment.strategy") tip=t("partition.assignment.strategy.tip") testid="strategy"
                    options=pairs(&["range,cooperative-sticky", "range", "roundrobin", "sticky", "cooperative-sticky"])
                    value=Signal::derive(move || ui.panel_view.with(|v| v.groups.get(group.get()).map(|g| g.partition_assignment_strategy.clone()).unwrap_or_default()))
                    on_change=move |value| set_group("partition.assignment.strategy", value) />
                <div class="ks-buttons">
                    <button data-testid="add-member" on:click=move |_| {
                        let next = ui.panel_view.with_untracked(|v| v.groups.get(group.get_untracked()).map_or(1, |g| g.members.len() + 1));
                        ui.command(Command::AddConsumer { group: group_id(), member: format!("{}-{next}", group_id().split('_').next().unwrap_or("member")), topics: None });
                    }>{t("member.add")}</button>
                    <button title=t("group.add.tip") data-testid="add-group" on:click=move |_| {
                        let (n, topics) = ui.panel_view.with_untracked(|v| (v.groups.len() + 1, v.topics.iter().map(|t| t.name.clone()).take(1).collect::<Vec<_>>()));
                        let id = format!("group_{n}");
                        ui.command(Command::AddGroup { group: GroupSpec {
                            id: id.clone(), topics, processing_ms_per_record: 10.0, commit: None, idempotent: false,
                            config: {
                                let mut config = crate::sim::config::Properties::new();
                                config.insert("auto.offset.reset".to_string(), "earliest".to_string());
                                config
                            },
                            members: vec![MemberSpec { id: format!("{id}-1"), topics: None, group_instance_id: None }],
                        }});
                    }>{t("group.add")}</button>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t("section.topic")} " "
                    <select aria-label=t("section.topic") on:change=move |ev| topic.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {move || ui.panel_view.with(|v| v.topics.iter().enumerate().map(|(i, t)| view! { <option value=i.to_string()>{t.name.clone()}</option> }).collect_view())}
                    </select>
                </legend>
                <Choice label=t("min.insync.replicas") tip=t("min.insync.replicas.tip") testid="min-isr"
                    options=(1..=9).map(|n| (n.to_string(), n.to_string())).collect()
                    value=Signal::derive(move || ui.panel_view.with(|v| v.topics.get(topic.get()).map_or(1, |t| t.min_insync_replicas).to_string()))
                    on_change=move |value| ui.command(Command::SetTopicConfig { topic: topic_name(), name: "min.insync.replicas".into(), value }) />
                <Choice label=t("unclean.leader.election.enable") tip=t("unclean.leader.election.enable.tip") testid="unclean" options=pairs(&["false", "true"])
                    value=Signal::derive(move || ui.panel_view.with(|v| v.topics.get(topic.get()).is_some_and(|t| t.unclean_leader_election_enable).to_string()))
                    on_change=move |value| ui.command(Command::SetTopicConfig { topic: topic_name(), name: "unclean.leader.election.enable".into(), value }) />
                <button title=t("partitions.add.tip") data-testid="add-partition" on:click=move |_| {
                    let partitions = ui.panel_view.with_untracked(|v| v.topics.get(topic.get_untracked()).map_or(1, |t| t.partitions.len() as u32 + 1));
                    ui.command(Command::AddPartitions { topic: topic_name(), partitions });
                }>{t("partitions.add")}</button>
                <div class="ks-buttons">
                    {move || ui.panel_view.with(|v| v.brokers.iter().map(|b| {
                        let (id, alive) = (b.id, b.alive);
                        view! {
                            <button data-testid=format!("broker-{id}") on:click=move |_| ui.command(if alive { Command::CrashBroker { broker: id } } else { Command::RestartBroker { broker: id } })>
                                {if alive { t("broker.crash") } else { t("broker.restart") }} " " {id}
                            </button>
                        }
                    }).collect_view())}
                </div>
            </fieldset>
        </section>
    }
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
        <section class="ks-panel" aria-label=t("describe.groups")>
            <h2>{t("describe.groups")}</h2>
            <div on:click=move |ev| super::picture::activate(ui, ev.target())>
                {blocks}
                <div inner_html=move || producers.get()></div>
            </div>
        </section>
    }
}

#[component]
pub fn TopicTable() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let html = Memo::new(move |_| ui.topic_view.with(topic_table));
    view! {
        <section class="ks-panel" aria-label=t("describe.topics")>
            <h2>{t("describe.topics")}</h2>
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
            group_chart(h, &groups, t("chart.lag"), "lag-chart", "", |s, g| {
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
                t("chart.latency"),
                "latency-chart",
                " ms",
                |s, g| s.latency_ms.get(g).copied().flatten(),
            )
        })
    });
    let rates = Memo::new(move |_| ui.history.with(rate_chart));
    view! {
        <section class="ks-panel" aria-label="charts">
            <h2>{t("chart.lag")}</h2>
            <div inner_html=move || lag.get()></div>
            <h2>{t("chart.rates")}</h2>
            <div inner_html=move || rates.get()></div>
            <h2 title=t("chart.latency.tip")>{t("chart.latency")}</h2>
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
    view! {
        <section class="ks-panel" aria-label=t("events")>
            <h2>{t("events")}</h2>
            <div class="ks-buttons">
                <label title=t("events.filter.tip")>{t("events.filter")} " "
                    <input type="search" data-testid="event-filter" prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
                </label>
                <label title=t("events.verbose.tip")>
                    <input type="checkbox" data-testid="verbose" prop:checked=move || ui.verbose.get() on:change=move |ev| ui.set_verbose(event_target_checked(&ev)) />
                    " " {t("events.verbose")}
                </label>
            </div>
            <ol class="ks-events" data-testid="events" inner_html=move || html.get() on:click=select></ol>
        </section>
    }
}

#[component]
pub fn ScenarioPanel() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let text = RwSignal::new(String::new());
    let export = move |_| {
        let json = ui
            .sim
            .with_value(|sim| sim.replay_scenario().to_json_pretty());
        download("kafka-sim-scenario.json", &json);
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
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
    };
    view! {
        <section class="ks-panel ks-scenario" aria-label=t("scenario")>
            <h2>{t("scenario")}</h2>
            <p class="ks-small-text">{t("scenario.share")}</p>
            {move || ui.link_too_long.get().map(|chars| view! {
                <p class="ks-small-text ks-warning" role="status" data-testid="link-too-long">
                    {format!("{} ({chars} > {})", t("scenario.link_too_long"), crate::share::MAX_LINK_CHARS)}
                </p>
            })}
            <div class="ks-buttons">
                <label>{t("scenario.example")} " "
                    <select data-testid="examples" on:change=move |ev| {
                        let name = event_target_value(&ev);
                        if let Some((_, json)) = EXAMPLES.iter().find(|(n, _)| *n == name) { ui.load(json, None); }
                    }>
                        {EXAMPLES.iter().map(|(name, _)| view! { <option value=*name>{*name}</option> }).collect_view()}
                    </select>
                </label>
                <button data-testid="export" on:click=export>{t("scenario.export")}</button>
                <label>{t("scenario.import")} " " <input type="file" accept=".json,application/json" data-testid="import" on:change=import /></label>
            </div>
            <label>
                <span>{t("scenario.text")}</span>
                <textarea data-testid="scenario-text" rows="5" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            <button data-testid="load" on:click=move |_| ui.load(&text.get_untracked(), None)>{t("scenario.load")}</button>
        </section>
    }
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
