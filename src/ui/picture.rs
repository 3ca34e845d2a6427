//! The cluster picture (SVG): producers left; brokers with their replicas (leader, in-sync follower, out of
//! sync, offline) and each partition's log below them (log start, high watermark, log end, committed
//! offsets per group); consumer groups right, with state, generation, members and what they own; every
//! message in flight as a dot interpolated from its simulated send and arrival times.

use super::messages::t;
use super::Ui;
use crate::layout::{lerp, offset_x, progress, strip_window, Layout, Point, Shape};
use crate::sim::engine::{FlowKind, Node};
use crate::sim::groups::{Activity, MemberStatus};
use crate::sim::view::ClusterView;
use crate::sim::Command;
use leptos::prelude::*;

/// Offsets shown per partition strip.
const CELLS: u64 = 40;

fn layout_of(view: &ClusterView) -> Layout {
    let members: Vec<usize> = view.groups.iter().map(|g| g.members.len()).collect();
    Layout::compute(&Shape {
        producers: view.producers.len(),
        brokers: view.brokers.len(),
        partitions: view.topics.iter().map(|t| t.partitions.len()).sum(),
        members_per_group: &members,
    })
}

/// A colour per group, from the colour-blind-safe palette.
pub fn group_colour(index: usize) -> &'static str {
    [
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442",
    ][index % 8]
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

fn anchor(layout: &Layout, node: Node) -> Point {
    match node {
        Node::Producer { producer } => layout.anchor_producer(producer),
        Node::Broker { broker } => layout.anchor_broker(broker),
        Node::Member { group, member } => layout.anchor_member(group, member),
    }
}

#[component]
pub fn Picture() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let height = Memo::new(move |_| ui.view.with(|v| layout_of(v).height));
    view! {
        <section class="ks-picture-wrap" aria-label="cluster picture">
            <svg class="ks-picture" data-testid="picture" role="img" aria-label="producers, brokers and consumer groups"
                viewBox=move || format!("0 0 {} {}", crate::layout::PICTURE_WIDTH, height.get())>
                {move || ui.view.with(|v| draw(v, ui))}
            </svg>
            <ul class="ks-legend" aria-label=t("legend")>
                <li><span class="ks-dot ks-flow-produce"></span>{t("legend.produce")}</li>
                <li><span class="ks-dot ks-flow-replica"></span>{t("legend.replica")}</li>
                <li><span class="ks-dot ks-flow-consume"></span>{t("legend.consume")}</li>
                <li><span class="ks-dot ks-flow-commit"></span>{t("legend.commit")}</li>
                <li><span class="ks-dot ks-flow-group"></span>{t("legend.group")}</li>
                <li><span class="ks-chip ks-role-leader"></span>{t("legend.leader")}</li>
                <li><span class="ks-chip ks-role-follower"></span>{t("legend.follower")}</li>
                <li><span class="ks-chip ks-role-out-of-sync"></span>{t("legend.out_of_sync")}</li>
                <li><span class="ks-chip ks-role-offline"></span>{t("legend.offline")}</li>
                <li><span class="ks-hw-key"></span>{t("legend.hw")}</li>
                <li><span class="ks-committed-key">"▼"</span>{t("legend.committed")}</li>
            </ul>
        </section>
    }
}

fn draw(v: &ClusterView, ui: Ui) -> impl IntoView {
    let layout = layout_of(v);
    let producers = v
        .producers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let at = layout.producers[i];
            view! {
                <g class="ks-producer">
                    <rect x=at.x y=at.y - 22.0 width="150" height="44" rx="6" />
                    <text x=at.x + 8.0 y=at.y - 6.0>{p.id.clone()}</text>
                    <text x=at.x + 8.0 y=at.y + 8.0 class="ks-small">{format!("{} rec/s · acks={}", p.rate_per_sec, p.acks)}</text>
                    <text x=at.x + 8.0 y=at.y + 19.0 class="ks-small">{format!("→ {}", p.topic)}</text>
                </g>
            }
        })
        .collect_view();
    let brokers = v
        .brokers
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let at = layout.brokers[i];
            let (id, alive) = (b.id, b.alive);
            let mut chips = Vec::new();
            for topic in &v.topics {
                for p in &topic.partitions {
                    if let Some(replica) = p.replica_logs.iter().find(|r| r.broker == id) {
                        let role = if !replica.alive || p.offline && replica.is_leader {
                            "ks-role-offline"
                        } else if replica.is_leader {
                            "ks-role-leader"
                        } else if replica.in_sync {
                            "ks-role-follower"
                        } else {
                            "ks-role-out-of-sync"
                        };
                        chips.push((format!("{}-{} {}", topic.name, p.partition, role.trim_start_matches("ks-role-")), role));
                    }
                }
            }
            let per_row = ((layout.broker_width - 12.0) / 10.0).floor().max(1.0) as usize;
            let chips = chips
                .into_iter()
                .enumerate()
                .map(|(n, (label, role))| {
                    let x = at.x + 6.0 + (n % per_row) as f64 * 10.0;
                    let y = at.y + 30.0 + (n / per_row) as f64 * 10.0;
                    view! { <rect x=x y=y width="8" height="8" class=role><title>{label}</title></rect> }
                })
                .collect_view();
            view! {
                <g class="ks-broker" data-alive=alive.to_string() tabindex="0" role="button" data-testid=format!("picture-broker-{id}")
                    on:click=move |_| ui.command(if alive { Command::CrashBroker { broker: id } } else { Command::RestartBroker { broker: id } })>
                    <title>{t("broker.tip")}</title>
                    <rect x=at.x y=at.y width=layout.broker_width height=layout.broker_height rx="6" />
                    <text x=at.x + 6.0 y=at.y + 16.0>{format!("{} {id}", t("broker"))}{if alive { String::new() } else { format!(" ({})", t("broker.down")) }}</text>
                    {chips}
                </g>
            }
        })
        .collect_view();
    let mut rows = Vec::new();
    let mut row = 0;
    for topic in &v.topics {
        for p in &topic.partitions {
            let at = layout.partition_rows[row];
            row += 1;
            let (first, _) = strip_window(p.log_start_offset, p.log_end_offset, CELLS);
            let width = layout.strip_width;
            let x_of = |offset: u64| at.x + offset_x(offset, first, CELLS, width);
            let h = (layout.row_height - 6.0).max(3.0);
            let top = at.y - h;
            let committed_to = x_of(p.high_watermark);
            let end = x_of(p.log_end_offset);
            let mut markers = Vec::new();
            for (g, group) in v.groups.iter().enumerate() {
                if let Some(lag_row) = group
                    .partitions
                    .iter()
                    .find(|r| r.topic == topic.name && r.partition == p.partition)
                {
                    if let Some(offset) = lag_row.current_offset {
                        if offset >= first {
                            let x = x_of(offset);
                            markers.push(view! {
                                <path d=format!("M{} {} l-4 -6 h8 z", x, top - 1.0) fill=group_colour(g)><title>{format!("{} committed {}", group.group, offset)}</title></path>
                            });
                        }
                    }
                }
            }
            let cells = if layout.compact || p.log_end_offset == first {
                None
            } else {
                let cell_width = width / CELLS as f64;
                let ticks: String = (first + 1..p.log_end_offset)
                    .map(|o| format!("M{} {} v{} ", x_of(o), top, h))
                    .collect();
                let _ = cell_width;
                Some(view! { <path d=ticks class="ks-cell-lines" /> })
            };
            let label = (!layout.compact).then(|| {
                view! {
                    <text x=at.x - 66.0 y=at.y - 2.0 class="ks-small">{format!("{}-{}", topic.name, p.partition)}</text>
                    <text x=end + 4.0 y=at.y - 2.0 class="ks-small">
                        {format!("{}..{} hw {} · L {} · isr {}", p.log_start_offset, p.log_end_offset, p.high_watermark,
                            p.leader.map_or("-".to_string(), |l| l.to_string()),
                            p.isr.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(","))}
                    </text>
                }
            });
            let state = if p.offline {
                "ks-strip-offline"
            } else if p.under_replicated {
                "ks-strip-under"
            } else {
                "ks-strip"
            };
            rows.push(view! {
                <g class=state>
                    <rect x=at.x y=top width=width height=h class="ks-strip-bg" />
                    <rect x=at.x y=top width=(committed_to - at.x).max(0.0) height=h class="ks-strip-committed" />
                    <rect x=committed_to y=top width=(end - committed_to).max(0.0) height=h class="ks-strip-uncommitted" />
                    {cells}
                    <line x1=committed_to x2=committed_to y1=top - 2.0 y2=top + h + 2.0 class="ks-hw" />
                    {markers}
                    {label}
                </g>
            });
        }
    }
    let groups = v
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let top = layout.group_tops[g];
            let header = view! {
                <text x="930" y=top + 14.0 class="ks-group-title" fill=group_colour(g)>
                    {format!("{} · {} · gen {}", group.group, group.state, group.generation)}
                </text>
            };
            let members = group
                .members
                .iter()
                .enumerate()
                .map(|(m, member)| {
                    let at = layout.anchor_member(g, m);
                    let y = at.y - layout.member_height / 2.0;
                    let status = match (member.status, member.activity) {
                        (MemberStatus::Crashed, _) => t("state.crashed"),
                        (MemberStatus::Left, _) => t("state.left"),
                        _ if member.joining => t("state.joining"),
                        (_, Activity::Processing { .. }) => t("state.processing"),
                        (_, Activity::Committing) => t("state.committing"),
                        (_, Activity::Polling) => t("state.polling"),
                        (_, Activity::Stopped) => t("state.stopped"),
                    };
                    let owned: Vec<String> = member.assignment.iter().map(|(topic, p)| format!("{topic}-{p}")).collect();
                    let running = member.status == MemberStatus::Running;
                    let (group_id, member_id) = (group.group.clone(), member.member.clone());
                    let busy = match member.activity {
                        Activity::Processing { until_us } if until_us > v.now_us => member.records_in_hand.min(1),
                        _ => 0,
                    };
                    let compact = layout.member_height < 30.0;
                    view! {
                        <g class="ks-member-node" data-status=format!("{:?}", member.status) tabindex="0" role="button"
                            on:click=move |_| ui.command(if running {
                                Command::CrashConsumer { group: group_id.clone(), member: member_id.clone() }
                            } else {
                                Command::RestartConsumer { group: group_id.clone(), member: member_id.clone() }
                            })>
                            <title>{t("member.tip")}</title>
                            <rect x="930" y=y width="260" height=layout.member_height rx="5" stroke=group_colour(g) />
                            <rect x="930" y=y width=(busy * 6) as f64 height=layout.member_height rx="2" class="ks-busy" />
                            <text x="940" y=y + 13.0 class="ks-small">{format!("{} · {} · {} processed", member.member, status, member.records_processed)}</text>
                            {(!compact).then(|| view! { <text x="940" y=y + 28.0 class="ks-small">{format!("owns {}", if owned.is_empty() { "-".to_string() } else { owned.join(",") })}</text> })}
                        </g>
                    }
                })
                .collect_view();
            view! { <g>{header}{members}</g> }
        })
        .collect_view();
    let dots = v
        .flows
        .iter()
        .filter(|flow| flow.kind != FlowKind::Heartbeat)
        .map(|flow| {
            let point = lerp(
                anchor(&layout, flow.from),
                anchor(&layout, flow.to),
                progress(flow.sent_us, flow.arrive_us, v.now_us),
            );
            let radius = 3.0 + (flow.records as f64 + 1.0).log10().min(4.0);
            view! { <circle cx=point.x cy=point.y r=radius class=flow_class(flow.kind) /> }
        })
        .collect_view();
    view! { <g>{producers}{brokers}{rows}{groups}{dots}</g> }
}
