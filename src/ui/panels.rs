//! Controls and panels: configuration controls named by their Kafka properties, the describe tables, the
//! charts, the event log and the scenario panel (examples, import/export; the address bar holds the link).

use super::messages::t;
use super::picture::group_colour;
use super::{Ui, EXAMPLES};
use crate::sim::event::TraceEvent;
use crate::sim::scenario::{GroupSpec, KeySpec, MemberSpec};
use crate::sim::Command;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// One line of the event log: the event's type, then its fields as `name=value`.
pub fn event_line(event: &TraceEvent) -> String {
    let json = serde_json::to_string(&event.kind).unwrap_or_default();
    let fields = json.trim_start_matches('{').trim_end_matches('}');
    let mut out = String::from(event.kind.type_name());
    for field in fields
        .split(",\"")
        .filter(|field| !field.starts_with("type\"") && !field.starts_with("\"type\""))
    {
        out.push(' ');
        out.push_str(
            &field
                .trim_start_matches('"')
                .replacen("\":", "=", 1)
                .replace('"', ""),
        );
    }
    out
}

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
                            config: [("auto.offset.reset".to_string(), "earliest".to_string())].into_iter().collect(),
                            members: vec![MemberSpec { id: format!("{id}-1"), topics: None }],
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

/// Markup of the describe tables (scenario ids are letters, digits and `._-`, safe in markup).
fn group_tables_html(v: &crate::sim::view::ClusterView, highlight: Option<&str>) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(8 * 1024);
    for (index, g) in v.groups.iter().enumerate() {
        let _ = write!(
            out,
            r#"<div class="ks-group{}" data-testid="group-{id}"><h3 style="color: {}">{id} <span class="ks-badge" data-state="{state}" data-testid="state-{id}">{state}</span> generation <span data-testid="generation-{id}">{}</span> · {} · {} · coordinator: broker {}</h3>"#,
            if highlight == Some(g.group.as_str()) {
                " ks-highlight"
            } else {
                ""
            },
            group_colour(index),
            g.generation,
            g.protocol,
            g.assignor.unwrap_or("-"),
            g.coordinator,
            id = g.group,
            state = g.state
        );
        out.push_str(r#"<table class="ks-table"><thead><tr><th>TOPIC</th><th>PARTITION</th><th>CURRENT-OFFSET</th><th>LOG-END-OFFSET</th><th>LAG</th><th>CONSUMER-ID</th></tr></thead><tbody>"#);
        for row in &g.partitions {
            let dash = crate::sim::report::dash;
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                row.topic,
                row.partition,
                dash(row.current_offset),
                row.log_end_offset,
                dash(row.lag),
                row.consumer_id.as_deref().unwrap_or("-")
            );
        }
        let d = g.delivery;
        let _ = write!(
            out,
            r#"</tbody></table><p class="ks-delivery" data-testid="delivery-{}">{}: <b>{}</b> {} · <b>{}</b> {} · <b>{}</b> {} · <b>{}</b> {}</p><div class="ks-buttons">"#,
            g.group,
            t("delivery"),
            d.processed_once,
            t("processed_once"),
            d.duplicated,
            if g.idempotent {
                t("duplicated.idempotent")
            } else {
                t("duplicated")
            },
            d.missed,
            t("missed"),
            d.pending,
            t("pending")
        );
        for m in &g.members {
            let _ = write!(
                out,
                r#"<span class="ks-member-controls" title="{}"><span>{}</span>"#,
                t("member.tip"),
                m.member
            );
            if m.status == crate::sim::groups::MemberStatus::Running {
                let _ = write!(
                    out,
                    r#"<button data-click="crash:{g}:{m}" data-testid="crash-{m}">{}</button><button data-click="leave:{g}:{m}" data-testid="leave-{m}">{}</button>"#,
                    t("member.crash"),
                    t("member.leave"),
                    g = g.group,
                    m = m.member
                );
            } else {
                let _ = write!(
                    out,
                    r#"<button data-click="restart:{g}:{m}" data-testid="restart-{m}">{}</button>"#,
                    t("member.restart"),
                    g = g.group,
                    m = m.member
                );
            }
            out.push_str("</span>");
        }
        out.push_str("</div></div>");
    }
    for p in &v.producers {
        let _ = write!(
            out,
            r#"<p class="ks-delivery">{}: {} acknowledged · {} failed · <b>{}</b> {}</p>"#,
            p.id,
            p.records_acknowledged,
            p.records_failed,
            p.acknowledged_records_lost,
            t("lost")
        );
    }
    out
}

#[component]
pub fn GroupTables() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let html = Memo::new(move |_| {
        let highlight = ui.highlight.get();
        ui.table_view
            .with(|v| group_tables_html(v, highlight.as_deref()))
    });
    view! {
        <section class="ks-panel" aria-label=t("describe.groups")>
            <h2>{t("describe.groups")}</h2>
            <div inner_html=move || html.get() on:click=move |ev| super::picture::activate(ui, ev.target())></div>
        </section>
    }
}

#[component]
pub fn TopicTable() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let html = Memo::new(move |_| {
        use std::fmt::Write;
        ui.table_view.with(|v| {
            let mut out = String::from(r#"<table class="ks-table" data-testid="topics"><thead><tr><th>Topic</th><th>Partition</th><th>Leader</th><th>Replicas</th><th>Isr</th><th>HW</th><th>LEO</th><th></th></tr></thead><tbody>"#);
            for topic in &v.topics {
                for p in &topic.partitions {
                    let list = |brokers: &[u32]| brokers.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
                    let _ = write!(
                        out,
                        r#"<tr class="{}"><td>{t}</td><td>{p}</td><td data-testid="leader-{t}-{p}">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                        if p.offline { "ks-offline" } else if p.under_replicated { "ks-under" } else { "" },
                        p.leader.map_or("none".to_string(), |l| l.to_string()), list(&p.replicas), list(&p.isr), p.high_watermark, p.log_end_offset,
                        if p.offline { t("offline") } else if p.under_replicated { t("under_replicated") } else { "" },
                        t = topic.name, p = p.partition
                    );
                }
            }
            out.push_str("</tbody></table>");
            out
        })
    });
    view! {
        <section class="ks-panel" aria-label=t("describe.topics")>
            <h2>{t("describe.topics")}</h2>
            <div inner_html=move || html.get()></div>
        </section>
    }
}

fn polyline(
    points: &[(f64, f64)],
    x0: f64,
    x1: f64,
    y_max: f64,
    width: f64,
    height: f64,
) -> String {
    let span = (x1 - x0).max(1e-9);
    points
        .iter()
        .map(|(x, y)| {
            format!(
                "{:.1},{:.1}",
                (x - x0) / span * width,
                height - (y / y_max.max(1.0)) * height
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line per group over the history: `value` gives a group's value in a sample, if it has one.
fn group_chart(
    history: &std::collections::VecDeque<super::Sample>,
    groups: &[String],
    label: &str,
    testid: &str,
    unit: &str,
    value: fn(&super::Sample, usize) -> Option<f64>,
) -> String {
    use std::fmt::Write;
    const W: f64 = 460.0;
    const H: f64 = 110.0;
    let mut out = format!(
        r#"<svg class="ks-chart" viewBox="0 0 {W} {H}" data-testid="{testid}" role="img" aria-label="{label}">"#
    );
    if let (Some(first), Some(last)) = (history.front(), history.back()) {
        let (x0, x1) = (first.t_us as f64, last.t_us as f64);
        let y_max = history
            .iter()
            .flat_map(|s| (0..groups.len()).filter_map(|g| value(s, g)))
            .fold(1.0, f64::max);
        let _ = write!(
            out,
            r#"<text x="4" y="10" class="ks-small">max {y_max:.0}{unit}</text>"#
        );
        for (g, name) in groups.iter().enumerate() {
            let points: Vec<(f64, f64)> = history
                .iter()
                .filter_map(|s| value(s, g).map(|y| (s.t_us as f64, y)))
                .collect();
            if points.is_empty() {
                continue;
            }
            let _ = write!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"><title>{name}</title></polyline>"#,
                polyline(&points, x0, x1, y_max, W, H),
                group_colour(g)
            );
        }
    }
    out.push_str("</svg>");
    out
}

fn rate_chart(history: &std::collections::VecDeque<super::Sample>) -> String {
    use std::fmt::Write;
    const W: f64 = 460.0;
    const H: f64 = 110.0;
    let mut out = format!(
        r#"<svg class="ks-chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}">"#,
        t("chart.rates")
    );
    if history.len() >= 2 {
        let rates: Vec<(f64, f64, f64)> = history
            .iter()
            .zip(history.iter().skip(1))
            .map(|(a, b)| {
                let dt = (b.t_us - a.t_us).max(1) as f64 / 1e6;
                (
                    b.t_us as f64,
                    b.produced.saturating_sub(a.produced) as f64 / dt,
                    b.consumed.saturating_sub(a.consumed) as f64 / dt,
                )
            })
            .collect();
        let (x0, x1) = (rates[0].0, rates[rates.len() - 1].0);
        let y_max = rates.iter().map(|r| r.1.max(r.2)).fold(1.0, f64::max);
        let produced: Vec<(f64, f64)> = rates.iter().map(|r| (r.0, r.1)).collect();
        let consumed: Vec<(f64, f64)> = rates.iter().map(|r| (r.0, r.2)).collect();
        let _ = write!(
            out,
            r#"<text x="4" y="10" class="ks-small">max {y_max:.0}/s · {} — {}</text><polyline points="{}" fill="none" class="ks-line-produced"/><polyline points="{}" fill="none" class="ks-line-consumed"/>"#,
            t("chart.produced"),
            t("chart.consumed"),
            polyline(&produced, x0, x1, y_max, W, H),
            polyline(&consumed, x0, x1, y_max, W, H)
        );
    }
    out.push_str("</svg>");
    out
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
        use std::fmt::Write;
        let needle = filter.get().to_lowercase();
        let mut out = String::new();
        ui.events.with(|log| {
            for (t_us, line) in log
                .iter()
                .rev()
                .filter(|(_, line)| needle.is_empty() || line.to_lowercase().contains(&needle))
                .take(150)
            {
                let group = line
                    .split_whitespace()
                    .find_map(|field| field.strip_prefix("group="))
                    .unwrap_or("");
                let _ = write!(
                    out,
                    r#"<li data-group="{group}"><time>{:>8.3}s</time> {line}</li>"#,
                    *t_us as f64 / 1e6
                );
            }
        });
        out
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
