//! The Leptos app (wasm32 only). It owns one `Simulation`, advances it from animation ticks, draws the
//! `ClusterView`, and changes the simulation only through `Command`s.

pub mod messages;

use crate::layout::{lerp, progress, slots, Point};
use crate::sim::engine::{FlowKind, Node};
use crate::sim::view::ClusterView;
use crate::sim::{Command, Simulation};
use gloo_timers::callback::Interval;
use leptos::prelude::*;
use messages::t;

/// The scenario the page starts with (also served as `scenarios/order-service.json`).
pub const DEFAULT_SCENARIO: &str = include_str!("../../public/scenarios/order-service.json");

/// The most simulated time one animation tick may run, so a background tab never freezes the page.
const MAX_TICK_WALL_MS: f64 = 100.0;

pub fn mount() {
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    let sim = StoredValue::new_local(
        Simulation::from_json(DEFAULT_SCENARIO).expect("the built-in scenario is valid"),
    );
    let (view, set_view) = signal(sim.with_value(|s| s.view()));
    let (events, set_events) = signal(Vec::<String>::new());
    let (cursor, set_cursor) = signal(0u64);
    let (playing, set_playing) = signal(true);
    let (speed_log, set_speed_log) = signal(0.0f64);
    let (error, set_error) = signal(None::<String>);
    let (scenario_text, set_scenario_text) = signal(DEFAULT_SCENARIO.to_string());

    let refresh = move || {
        sim.with_value(|s| {
            set_view.set(s.view());
            let (new_events, next) = s.events_since(cursor.get_untracked());
            if !new_events.is_empty() {
                set_events.update(|log| {
                    for event in new_events {
                        log.push(format!(
                            "{:>9.3}s  {}",
                            event.t_us as f64 / 1e6,
                            event_line(&event)
                        ));
                    }
                    let excess = log.len().saturating_sub(200);
                    log.drain(..excess);
                });
            }
            set_cursor.set(next);
        });
    };

    let apply = move |command: Command| {
        let result = sim.try_update_value(|s| s.apply(command)).unwrap_or(Ok(()));
        match result {
            Ok(()) => set_error.set(None),
            Err(e) => set_error.set(Some(e.to_string())),
        }
        refresh();
    };

    // The animation clock: advance simulated time by wall time × speed, capped per tick.
    let last_tick = StoredValue::new_local(now_ms());
    let interval = Interval::new(33, move || {
        let now = now_ms();
        let wall = (now - last_tick.get_value()).clamp(0.0, MAX_TICK_WALL_MS);
        last_tick.set_value(now);
        if !playing.get_untracked() {
            return;
        }
        let speed = 10f64.powf(speed_log.get_untracked());
        let delta_us = (wall * 1000.0 * speed) as u64;
        sim.update_value(|s| {
            let target = s.now_us() + delta_us;
            s.advance_to(target);
        });
        refresh();
    });
    let interval = StoredValue::new_local(Some(interval));
    on_cleanup(move || interval.update_value(|timer| drop(timer.take())));

    let step = move |_| {
        set_playing.set(false);
        sim.update_value(|s| {
            s.step();
        });
        refresh();
    };

    let load = move |_| {
        let text = scenario_text.get_untracked();
        match Simulation::from_json(&text) {
            Ok(new_sim) => {
                sim.set_value(new_sim);
                set_cursor.set(0);
                set_events.set(Vec::new());
                set_error.set(None);
                refresh();
            }
            Err(e) => set_error.set(Some(format!("{}: {e}", t("error")))),
        }
    };

    let first_producer =
        move || view.with(|v| v.producers.first().map(|p| (p.id.clone(), p.rate_per_sec)));
    let first_group = move || {
        view.with(|v| {
            v.groups.last().map(|g| {
                (
                    g.group.clone(),
                    g.max_poll_records,
                    g.processing_ms_per_record,
                )
            })
        })
    };

    view! {
        <main class="ks-app">
            <header class="ks-header">
                <h1>{t("title")}</h1>
                <p class="ks-subtitle">{t("subtitle")}</p>
                <div class="ks-transport">
                    <button data-testid="play" on:click=move |_| set_playing.update(|p| *p = !*p)>
                        {move || if playing.get() { t("pause") } else { t("play") }}
                    </button>
                    <button data-testid="step" on:click=step>{t("step")}</button>
                    <label title=t("speed.tip")>
                        {t("speed")} " "
                        <input type="range" min="-1" max="2" step="0.1" prop:value=move || speed_log.get().to_string()
                            on:input=move |ev| set_speed_log.set(event_target_value(&ev).parse().unwrap_or(0.0)) />
                        <span>{move || format!("{:.1}×", 10f64.powf(speed_log.get()))}</span>
                    </label>
                    <span class="ks-clock" data-testid="clock">
                        {t("time")} ": " {move || format!("{:.1} s", view.with(|v| v.now_us) as f64 / 1e6)}
                        " · " {t("seed")} " " {move || view.with(|v| v.seed)}
                    </span>
                </div>
            </header>
            <section class="ks-controls">
                {move || first_producer().map(|(producer, rate)| {
                    let producer_for_input = producer.clone();
                    view! {
                        <label title=t("rate.tip") class="ks-control">
                            <span>{t("rate")}</span>
                            <input type="range" min="0" max="1000" step="1" prop:value=rate.to_string() data-testid="rate"
                                on:change=move |ev| {
                                    let rate_per_sec = event_target_value(&ev).parse().unwrap_or(0);
                                    apply(Command::SetProducerRate { producer: producer_for_input.clone(), rate_per_sec });
                                } />
                            <output>{rate}</output>
                        </label>
                    }
                })}
                {move || first_group().map(|(group, max_poll_records, processing)| {
                    let group_a = group.clone();
                    let group_b = group.clone();
                    view! {
                        <label title=t("max_poll_records.tip") class="ks-control">
                            <span>{t("max_poll_records")} " (" {group.clone()} ")"</span>
                            <input type="range" min="1" max="1000" step="1" prop:value=max_poll_records.to_string() data-testid="max-poll-records"
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    apply(Command::SetGroupConfig { group: group_a.clone(), name: "max.poll.records".into(), value });
                                } />
                            <output data-testid="max-poll-records-value">{max_poll_records}</output>
                        </label>
                        <label title=t("processing.tip") class="ks-control">
                            <span>{t("processing")}</span>
                            <input type="range" min="0" max="2000" step="1" prop:value=processing.to_string()
                                on:change=move |ev| {
                                    let ms_per_record = event_target_value(&ev).parse().unwrap_or(0.0);
                                    apply(Command::SetProcessingTime { group: group_b.clone(), ms_per_record });
                                } />
                            <output>{processing}</output>
                        </label>
                    }
                })}
            </section>
            <Picture view=view />
            <section class="ks-brokers">
                <h2>{t("brokers")}</h2>
                <For each=move || view.with(|v| v.brokers.iter().map(|b| (b.id, b.alive)).collect::<Vec<_>>()) key=|b| *b let:broker>
                    <button class="ks-broker-button" data-testid=format!("broker-{}", broker.0)
                        on:click=move |_| apply(if broker.1 { Command::CrashBroker { broker: broker.0 } } else { Command::RestartBroker { broker: broker.0 } })>
                        {if broker.1 { t("broker.crash") } else { t("broker.restart") }} " " {broker.0}
                    </button>
                </For>
            </section>
            <section class="ks-groups">
                <h2>{t("describe.groups")}</h2>
                {move || view.with(|v| v.groups.iter().map(|g| {
                    let group = g.group.clone();
                    let add_group = group.clone();
                    let next_member = format!("{}-{}", group.split('_').next().unwrap_or("member"), g.members.len() + 1);
                    view! {
                        <div class="ks-group" data-testid=format!("group-{}", group)>
                            <h3>{group.clone()} " "
                                <span class="ks-badge" data-state=g.state>{g.state}</span>
                                " generation " <span data-testid=format!("generation-{}", group)>{g.generation}</span>
                                " · " {g.protocol} " " {g.assignor.unwrap_or("-")}
                            </h3>
                            <table class="ks-table">
                                <thead><tr><th>"TOPIC"</th><th>"PARTITION"</th><th>"CURRENT-OFFSET"</th><th>"LOG-END-OFFSET"</th><th>"LAG"</th><th>"CONSUMER-ID"</th></tr></thead>
                                <tbody>
                                    {g.partitions.iter().map(|row| view! {
                                        <tr>
                                            <td>{row.topic.clone()}</td><td>{row.partition}</td>
                                            <td>{row.current_offset.map_or("-".to_string(), |o| o.to_string())}</td>
                                            <td>{row.log_end_offset}</td>
                                            <td>{row.lag.map_or("-".to_string(), |o| o.to_string())}</td>
                                            <td>{row.consumer_id.clone().unwrap_or_else(|| "-".into())}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="ks-delivery">{t("delivery")} ": "
                                {g.delivery.processed_once} " " {t("processed_once")} ", "
                                {g.delivery.duplicated} " " {t("duplicated")} ", "
                                {g.delivery.missed} " " {t("missed")} ", "
                                {g.delivery.pending} " " {t("pending")}
                            </p>
                            <div class="ks-members">
                                {g.members.iter().map(|m| {
                                    let (group_c, member_c) = (group.clone(), m.member.clone());
                                    let running = m.status == crate::sim::groups::MemberStatus::Running;
                                    view! {
                                        <button class="ks-member" data-testid=format!("member-{}", m.member)
                                            on:click=move |_| apply(if running {
                                                Command::CrashConsumer { group: group_c.clone(), member: member_c.clone() }
                                            } else {
                                                Command::RestartConsumer { group: group_c.clone(), member: member_c.clone() }
                                            })>
                                            {if running { t("member.crash") } else { t("member.restart") }} " " {m.member.clone()}
                                        </button>
                                    }
                                }).collect_view()}
                                <button data-testid=format!("add-member-{}", group) on:click=move |_| apply(Command::AddConsumer { group: add_group.clone(), member: next_member.clone(), topics: None })>
                                    {t("member.add")}
                                </button>
                            </div>
                        </div>
                    }
                }).collect_view())}
            </section>
            <section class="ks-scenario">
                <h2>{t("scenario")}</h2>
                <label>
                    <span>{t("scenario.text")}</span>
                    <textarea data-testid="scenario-text" rows="6" prop:value=move || scenario_text.get()
                        on:input=move |ev| set_scenario_text.set(event_target_value(&ev))></textarea>
                </label>
                <button data-testid="load" on:click=load>{t("scenario.load")}</button>
                {move || error.get().map(|e| view! { <p class="ks-error" role="alert" data-testid="error">{e}</p> })}
            </section>
            <section class="ks-events">
                <h2>{t("events")}</h2>
                <pre data-testid="events">{move || events.with(|log| log.iter().rev().take(60).cloned().collect::<Vec<_>>().join("\n"))}</pre>
            </section>
        </main>
    }
}

/// The cluster picture: producers left, brokers with their partition replicas in the middle, consumer
/// groups right, and every message in flight as a dot interpolated from its send and arrival times.
#[component]
fn Picture(view: ReadSignal<ClusterView>) -> impl IntoView {
    const WIDTH: f64 = 1000.0;
    const HEIGHT: f64 = 420.0;
    let geometry = move || {
        view.with(|v| {
            let producer_y = slots(v.producers.len(), 20.0, HEIGHT - 40.0);
            let broker_y = slots(v.brokers.len(), 20.0, HEIGHT - 40.0);
            let members: Vec<(usize, usize)> = v
                .groups
                .iter()
                .enumerate()
                .flat_map(|(g, group)| (0..group.members.len()).map(move |m| (g, m)))
                .collect();
            let member_y = slots(members.len(), 20.0, HEIGHT - 40.0);
            let position = |node: Node| -> Point {
                match node {
                    Node::Producer { producer } => Point {
                        x: 80.0,
                        y: producer_y.get(producer).copied().unwrap_or(0.0),
                    },
                    Node::Broker { broker } => Point {
                        x: 480.0,
                        y: broker_y.get((broker - 1) as usize).copied().unwrap_or(0.0),
                    },
                    Node::Member { group, member } => {
                        let index = members
                            .iter()
                            .position(|entry| *entry == (group, member))
                            .unwrap_or(0);
                        Point {
                            x: 900.0,
                            y: member_y.get(index).copied().unwrap_or(0.0),
                        }
                    }
                }
            };
            let dots: Vec<(f64, f64, &'static str)> = v
                .flows
                .iter()
                .filter(|flow| flow.kind != FlowKind::Heartbeat)
                .map(|flow| {
                    let point = lerp(
                        position(flow.from),
                        position(flow.to),
                        progress(flow.sent_us, flow.arrive_us, v.now_us),
                    );
                    (point.x, point.y, flow_class(flow.kind))
                })
                .collect();
            let producers: Vec<(f64, String, u32)> = v
                .producers
                .iter()
                .enumerate()
                .map(|(i, p)| (producer_y[i], p.id.clone(), p.rate_per_sec))
                .collect();
            let brokers: Vec<(f64, u32, bool, String)> = v
                .brokers
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let replicas: Vec<String> = v
                        .topics
                        .iter()
                        .flat_map(|topic| {
                            topic.partitions.iter().filter_map(move |p| {
                                p.replica_logs.iter().find(|r| r.broker == b.id).map(|r| {
                                    let role = if r.is_leader {
                                        "L"
                                    } else if r.in_sync {
                                        "F"
                                    } else {
                                        "×"
                                    };
                                    format!(
                                        "{}-{} {} [{}..{} hw {}]",
                                        topic.name,
                                        p.partition,
                                        role,
                                        r.log_start_offset,
                                        r.log_end_offset,
                                        r.high_watermark
                                    )
                                })
                            })
                        })
                        .collect();
                    (broker_y[i], b.id, b.alive, replicas.join("  ·  "))
                })
                .collect();
            let member_labels: Vec<(f64, String, String)> = members
                .iter()
                .enumerate()
                .map(|(i, (g, m))| {
                    let group = &v.groups[*g];
                    let member = &group.members[*m];
                    let owned: Vec<String> = member
                        .assignment
                        .iter()
                        .map(|(topic, p)| format!("{topic}-{p}"))
                        .collect();
                    (
                        member_y[i],
                        format!("{} / {}", group.group, member.member),
                        owned.join(","),
                    )
                })
                .collect();
            (dots, producers, brokers, member_labels)
        })
    };
    view! {
        <svg class="ks-picture" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label="cluster picture" data-testid="picture">
            {move || {
                let (dots, producers, brokers, members) = geometry();
                view! {
                    <g>
                        {producers.into_iter().map(|(y, id, rate)| view! {
                            <g class="ks-producer"><rect x="10" y=y - 18.0 width="140" height="36" rx="6" />
                            <text x="20" y=y - 2.0>{id}</text><text x="20" y=y + 12.0 class="ks-small">{format!("{rate} records/s")}</text></g>
                        }).collect_view()}
                        {brokers.into_iter().map(|(y, id, alive, replicas)| view! {
                            <g class="ks-broker" data-alive=alive.to_string()><rect x="300" y=y - 22.0 width="360" height="44" rx="6" />
                            <text x="310" y=y - 6.0>{format!("broker {id}")}{if alive { "" } else { " (down)" }}</text>
                            <text x="310" y=y + 10.0 class="ks-small">{replicas}</text></g>
                        }).collect_view()}
                        {members.into_iter().map(|(y, label, owned)| view! {
                            <g class="ks-member-node"><rect x="800" y=y - 16.0 width="190" height="32" rx="6" />
                            <text x="808" y=y - 2.0 class="ks-small">{label}</text><text x="808" y=y + 11.0 class="ks-small">{owned}</text></g>
                        }).collect_view()}
                        {dots.into_iter().map(|(x, y, class)| view! { <circle cx=x cy=y r="5" class=class /> }).collect_view()}
                    </g>
                }
            }}
        </svg>
        <ul class="ks-legend">
            <li><span class="ks-flow-produce"></span>{t("legend.produce")}</li>
            <li><span class="ks-flow-replica"></span>{t("legend.replica")}</li>
            <li><span class="ks-flow-consume"></span>{t("legend.consume")}</li>
            <li><span class="ks-flow-commit"></span>{t("legend.commit")}</li>
        </ul>
    }
}

fn flow_class(kind: FlowKind) -> &'static str {
    match kind {
        FlowKind::Produce | FlowKind::ProduceResponse => "ks-flow-produce",
        FlowKind::ReplicaFetch | FlowKind::ReplicaData => "ks-flow-replica",
        FlowKind::ConsumerFetch | FlowKind::ConsumerData => "ks-flow-consume",
        FlowKind::Commit => "ks-flow-commit",
        FlowKind::Heartbeat | FlowKind::GroupProtocol => "ks-flow-group",
    }
}

fn event_line(event: &crate::sim::event::TraceEvent) -> String {
    let json = serde_json::to_value(&event.kind).unwrap_or_default();
    let mut fields: Vec<String> = Vec::new();
    if let serde_json::Value::Object(map) = json {
        for (key, value) in map {
            if key != "type" {
                fields.push(format!("{key}={value}"));
            }
        }
    }
    format!("{} {}", event.kind.type_name(), fields.join(" "))
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
