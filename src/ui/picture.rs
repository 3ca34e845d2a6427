//! The cluster picture (SVG): producers left; brokers with their replicas (leader, in-sync follower, out of
//! sync, offline) and each partition's log below them (log start, high watermark, log end, committed
//! offsets per group); consumer groups right, with state, generation, members and what they own; every
//! message in flight as a dot interpolated from its simulated send and arrival times.
//!
//! Two layers. The SVG (boxes, labels, replica chips, members: what a reader reads and clicks) is written
//! as one string from the panels' view (a few times a second, and at once after an action) and set as the
//! container's inner HTML only when it changed. What moves every frame (the logs' fill, high watermark and
//! committed-offset markers, processing bars and the messages in flight) is drawn on a canvas laid over
//! it: no DOM nodes per frame, so the frame budget holds at 64 partitions. Clicks reach the simulation
//! through `data-click` attributes (event delegation).

use super::messages::t;
use super::Ui;
use crate::layout::{lerp, offset_x, progress, strip_window, Layout, Point, Shape, PICTURE_WIDTH};
use crate::sim::engine::{FlowKind, Node};
use crate::sim::groups::{Activity, MemberStatus};
use crate::sim::view::{ClusterView, PartitionView};
use crate::sim::Command;
use leptos::prelude::*;
use std::fmt::Write;
use wasm_bindgen::JsCast;

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

/// The width a group title may take: its natural width (about 7 px per character at 12 px bold), at most
/// the member column's 265 px.
fn title_length(group: &str, state: &str) -> f64 {
    let characters = group.chars().count() + state.chars().count() + 14;
    (characters as f64 * 7.0).min(265.0)
}

/// Where a partition's log strip sits, shared by the SVG layer and the canvas so that they line up: the
/// window of offsets shown (the newest `CELLS`), the strip's top and height, and the x of an offset.
struct Strip {
    x: f64,
    width: f64,
    first: u64,
    top: f64,
    height: f64,
}

impl Strip {
    fn new(layout: &Layout, at: Point, p: &PartitionView) -> Strip {
        let (first, _) = strip_window(p.log_start_offset, p.log_end_offset, CELLS);
        let height = (layout.row_height - 6.0).max(3.0);
        Strip {
            x: at.x,
            width: layout.strip_width,
            first,
            top: at.y - height,
            height,
        }
    }

    fn x_of(&self, offset: u64) -> f64 {
        self.x + offset_x(offset, self.first, CELLS, self.width)
    }
}

/// A colour per group, from the colour-blind-safe palette.
pub fn group_colour(index: usize) -> &'static str {
    [
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442",
    ][index % 8]
}

fn anchor(layout: &Layout, node: Node) -> Point {
    match node {
        Node::Producer { producer } => layout.anchor_producer(producer),
        Node::Broker { broker } => layout.anchor_broker(broker),
        Node::Member { group, member } => layout.anchor_member(group, member),
    }
}

/// The command a `data-click` value stands for.
fn click_command(action: &str, view: &ClusterView) -> Option<Command> {
    let mut parts = action.splitn(3, ':');
    match (parts.next()?, parts.next()?, parts.next()) {
        ("broker", id, None) => {
            let broker: u32 = id.parse().ok()?;
            let alive = view.brokers.iter().find(|b| b.id == broker)?.alive;
            Some(if alive {
                Command::CrashBroker { broker }
            } else {
                Command::RestartBroker { broker }
            })
        }
        ("crash", group, Some(member)) => Some(Command::CrashConsumer {
            group: group.into(),
            member: member.into(),
        }),
        ("leave", group, Some(member)) => Some(Command::LeaveConsumer {
            group: group.into(),
            member: member.into(),
        }),
        ("restart", group, Some(member)) => Some(Command::RestartConsumer {
            group: group.into(),
            member: member.into(),
        }),
        ("member", group, Some(member)) => {
            let running = view
                .groups
                .iter()
                .find(|g| g.group == group)?
                .members
                .iter()
                .find(|m| m.member == member)?
                .status
                == MemberStatus::Running;
            let (group, member) = (group.to_string(), member.to_string());
            Some(if running {
                Command::CrashConsumer { group, member }
            } else {
                Command::RestartConsumer { group, member }
            })
        }
        _ => None,
    }
}

/// Runs the command of the nearest `data-click` element around an event's target (event delegation).
pub fn activate(ui: Ui, target: Option<web_sys::EventTarget>) {
    let Some(element) = target.and_then(|target| target.dyn_into::<web_sys::Element>().ok()) else {
        return;
    };
    let Some(action) = element
        .closest("[data-click]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("data-click"))
    else {
        return;
    };
    if let Some(command) = ui.view.with_untracked(|view| click_command(&action, view)) {
        ui.command(command);
    }
}

#[component]
pub fn Picture() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let svg = Memo::new(move |_| ui.picture_view.with(render));
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let reduced_motion = web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches());
    // The picture's width in CSS pixels, read once and again after a resize: reading it every frame would
    // force a layout of the whole page after the frame's DOM updates.
    let css_width = StoredValue::new(0.0f64);
    let resize = window_event_listener(leptos::ev::resize, move |_| css_width.set_value(0.0));
    on_cleanup(move || resize.remove());
    Effect::new(move |_| {
        ui.view.with(|v| {
            if let Some(canvas) = canvas.get() {
                if css_width.get_value() <= 0.0 {
                    if let Some(host) = canvas.parent_element() {
                        css_width.set_value(host.client_width() as f64);
                    }
                }
                draw(&canvas, v, css_width.get_value(), reduced_motion);
            }
        })
    });
    view! {
        <section class="ks-picture-wrap" aria-label="cluster picture">
            <div class="ks-picture-stack">
                <div class="ks-picture-host" data-testid="picture" inner_html=move || svg.get()
                    on:click=move |ev| activate(ui, ev.target())
                    on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { activate(ui, ev.target()) }></div>
                <canvas class="ks-picture-canvas" aria-hidden="true" data-testid="picture-canvas" node_ref=canvas></canvas>
            </div>
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

/// The whole picture as SVG markup. Names are scenario ids (letters, digits, `._-`), safe in markup.
pub fn render(v: &ClusterView) -> String {
    let layout = layout_of(v);
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<svg class="ks-picture" role="img" aria-label="producers, brokers and consumer groups" viewBox="0 0 {PICTURE_WIDTH} {:.0}">"#,
        layout.height
    );
    for (i, p) in v.producers.iter().enumerate() {
        let at = layout.producers[i];
        let _ = write!(
            out,
            r#"<g class="ks-producer"><rect x="{:.1}" y="{:.1}" width="150" height="44" rx="6"/><text x="{:.1}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" class="ks-small">{} rec/s · acks={}</text><text x="{:.1}" y="{:.1}" class="ks-small">→ {}</text></g>"#,
            at.x,
            at.y - 22.0,
            at.x + 8.0,
            at.y - 6.0,
            p.id,
            at.x + 8.0,
            at.y + 8.0,
            p.rate_per_sec,
            p.acks,
            at.x + 8.0,
            at.y + 19.0,
            p.topic
        );
    }
    for (i, b) in v.brokers.iter().enumerate() {
        let at = layout.brokers[i];
        let _ = write!(
            out,
            r#"<g class="ks-broker" data-alive="{}" tabindex="0" role="button" data-click="broker:{}" data-testid="picture-broker-{}"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6"/><text x="{:.1}" y="{:.1}">{} {}{}</text>"#,
            b.alive,
            b.id,
            b.id,
            t("broker.tip"),
            at.x,
            at.y,
            layout.broker_width,
            layout.broker_height,
            at.x + 6.0,
            at.y + 16.0,
            t("broker"),
            b.id,
            if b.alive {
                String::new()
            } else {
                format!(" ({})", t("broker.down"))
            }
        );
        let per_row = ((layout.broker_width - 12.0) / 10.0).floor().max(1.0) as usize;
        let mut n = 0;
        for topic in &v.topics {
            for p in &topic.partitions {
                let Some(replica) = p.replica_logs.iter().find(|r| r.broker == b.id) else {
                    continue;
                };
                let role = if !replica.alive || (p.offline && replica.is_leader) {
                    "offline"
                } else if replica.is_leader {
                    "leader"
                } else if replica.in_sync {
                    "follower"
                } else {
                    "out-of-sync"
                };
                let x = at.x + 6.0 + (n % per_row) as f64 * 10.0;
                let y = at.y + 30.0 + (n / per_row) as f64 * 10.0;
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="8" height="8" class="ks-role-{role}"><title>{}-{} {role}</title></rect>"#,
                    topic.name, p.partition
                );
                n += 1;
            }
        }
        out.push_str("</g>");
    }
    let mut row = 0;
    for topic in &v.topics {
        for p in &topic.partitions {
            let at = layout.partition_rows[row];
            row += 1;
            let strip = Strip::new(&layout, at, p);
            let (top, h, width) = (strip.top, strip.height, layout.strip_width);
            let end = strip.x_of(p.log_end_offset);
            let state = if p.offline {
                "ks-strip-offline"
            } else if p.under_replicated {
                "ks-strip-under"
            } else {
                "ks-strip"
            };
            let _ = write!(
                out,
                r#"<g class="{state}" data-testid="strip-{}-{}"><title>{}-{}: log start {}, high watermark {}, log end {}</title><rect x="{:.1}" y="{top:.1}" width="{width:.1}" height="{h:.1}" class="ks-strip-bg"/>"#,
                topic.name,
                p.partition,
                topic.name,
                p.partition,
                p.log_start_offset,
                p.high_watermark,
                p.log_end_offset,
                at.x,
            );
            if !layout.compact {
                let isr: Vec<String> = p.isr.iter().map(u32::to_string).collect();
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" class="ks-small">{}-{}</text><text x="{:.1}" y="{:.1}" class="ks-small">{}..{} hw {} · L {} · isr {}</text>"#,
                    at.x - 66.0,
                    at.y - 2.0,
                    topic.name,
                    p.partition,
                    end + 4.0,
                    at.y - 2.0,
                    p.log_start_offset,
                    p.log_end_offset,
                    p.high_watermark,
                    p.leader.map_or("-".to_string(), |l| l.to_string()),
                    isr.join(",")
                );
            }
            out.push_str("</g>");
        }
    }
    for (g, group) in v.groups.iter().enumerate() {
        let top = layout.group_tops[g];
        let _ = write!(
            out,
            r#"<text x="930" y="{:.1}" class="ks-group-title" fill="{}" textLength="{}" lengthAdjust="spacingAndGlyphs">{} · gen {} · {}</text>"#,
            top + 14.0,
            group_colour(g),
            // Long group names and states are squeezed into the column rather than cut off.
            title_length(&group.group, group.state),
            group.group,
            group.generation,
            group.state
        );
        for (m, member) in group.members.iter().enumerate() {
            let y = layout.anchor_member(g, m).y - layout.member_height / 2.0;
            let status = match (member.status, member.activity) {
                (MemberStatus::Crashed, _) => t("state.crashed"),
                (MemberStatus::Left, _) => t("state.left"),
                _ if member.joining => t("state.joining"),
                (_, Activity::Processing { .. }) => t("state.processing"),
                (_, Activity::Committing) => t("state.committing"),
                (_, Activity::Polling) => t("state.polling"),
                (_, Activity::Stopped) => t("state.stopped"),
            };
            let _ = write!(
                out,
                r#"<g class="ks-member-node" data-status="{}" tabindex="0" role="button" data-click="member:{}:{}"><title>{}</title><rect x="930" y="{y:.1}" width="260" height="{:.1}" rx="5" stroke="{}"/><text x="940" y="{:.1}" class="ks-small">{} · {} · {} processed</text>"#,
                if member.status == MemberStatus::Running {
                    "running"
                } else {
                    "stopped"
                },
                group.group,
                member.member,
                t("member.tip"),
                layout.member_height,
                group_colour(g),
                y + 13.0,
                member.member,
                status,
                member.records_processed
            );
            if layout.member_height >= 30.0 {
                let owned: Vec<String> = member
                    .assignment
                    .iter()
                    .map(|(topic, p)| format!("{topic}-{p}"))
                    .collect();
                let _ = write!(
                    out,
                    r#"<text x="940" y="{:.1}" class="ks-small">owns {}</text>"#,
                    y + 28.0,
                    if owned.is_empty() {
                        "-".to_string()
                    } else {
                        owned.join(",")
                    }
                );
            }
            out.push_str("</g>");
        }
    }
    out.push_str("</svg>");
    out
}

/// Colours the canvas uses, the same Okabe–Ito values as the stylesheet.
const COMMITTED_FILL: &str = "#9ccbe8";
const UNCOMMITTED_FILL: &str = "#fde2b8";
const HW_STROKE: &str = "#1d1d1f";
const CELL_STROKE: &str = "#ffffff";
const BUSY_FILL: &str = "rgba(230,159,0,0.6)";

fn flow_colour(kind: FlowKind) -> &'static str {
    match kind {
        FlowKind::Produce | FlowKind::ProduceResponse => "#0072b2",
        FlowKind::ReplicaFetch | FlowKind::ReplicaData => "#009e73",
        FlowKind::ConsumerFetch | FlowKind::ConsumerData => "#e69f00",
        FlowKind::Commit => "#cc79a7",
        FlowKind::Heartbeat | FlowKind::GroupProtocol => "#56b4e9",
    }
}

/// Draws what moves every frame onto the canvas over the SVG, in the SVG's coordinates.
fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    v: &ClusterView,
    css_width: f64,
    reduced_motion: bool,
) {
    if css_width <= 0.0 {
        return;
    }
    let layout = layout_of(v);
    // The SVG keeps its aspect ratio; the canvas is stretched over it by CSS, so only sharpness (not
    // position) depends on this size being current.
    let css_height = css_width * layout.height / PICTURE_WIDTH;
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (pixel_width, pixel_height) = (
        (css_width * ratio).round() as u32,
        (css_height * ratio).round() as u32,
    );
    if canvas.width() != pixel_width || canvas.height() != pixel_height {
        canvas.set_width(pixel_width);
        canvas.set_height(pixel_height);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|ctx| ctx.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let scale = css_width / PICTURE_WIDTH * ratio;
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, pixel_width as f64, pixel_height as f64);
    let _ = ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
    let mut row = 0;
    for topic in &v.topics {
        for p in &topic.partitions {
            let Some(at) = layout.partition_rows.get(row).copied() else {
                return;
            };
            row += 1;
            let strip = Strip::new(&layout, at, p);
            let (first, top, h) = (strip.first, strip.top, strip.height);
            let x_of = |offset: u64| strip.x_of(offset);
            let hw = x_of(p.high_watermark);
            let end = x_of(p.log_end_offset);
            ctx.set_fill_style_str(COMMITTED_FILL);
            ctx.fill_rect(at.x, top, (hw - at.x).max(0.0), h);
            ctx.set_fill_style_str(UNCOMMITTED_FILL);
            ctx.fill_rect(hw, top, (end - hw).max(0.0), h);
            if !layout.compact && p.log_end_offset > first + 1 {
                ctx.begin_path();
                for offset in first + 1..p.log_end_offset {
                    let x = x_of(offset);
                    ctx.move_to(x, top);
                    ctx.line_to(x, top + h);
                }
                ctx.set_stroke_style_str(CELL_STROKE);
                ctx.set_line_width(1.0);
                ctx.stroke();
            }
            ctx.begin_path();
            ctx.move_to(hw, top - 2.0);
            ctx.line_to(hw, top + h + 2.0);
            ctx.set_stroke_style_str(HW_STROKE);
            ctx.set_line_width(2.0);
            ctx.stroke();
            for (g, group) in v.groups.iter().enumerate() {
                let committed = group
                    .partitions
                    .iter()
                    .find(|r| r.partition == p.partition && r.topic == topic.name)
                    .and_then(|r| r.current_offset);
                if let Some(offset) = committed.filter(|offset| *offset >= first) {
                    let x = x_of(offset);
                    ctx.begin_path();
                    ctx.move_to(x, top - 1.0);
                    ctx.line_to(x - 4.0, top - 7.0);
                    ctx.line_to(x + 4.0, top - 7.0);
                    ctx.close_path();
                    ctx.set_fill_style_str(group_colour(g));
                    ctx.fill();
                }
            }
        }
    }
    ctx.set_fill_style_str(BUSY_FILL);
    for (g, group) in v.groups.iter().enumerate() {
        for (m, member) in group.members.iter().enumerate() {
            let busy =
                matches!(member.activity, Activity::Processing { until_us } if until_us > v.now_us);
            if busy && member.status == MemberStatus::Running {
                let y = layout.anchor_member(g, m).y - layout.member_height / 2.0;
                ctx.fill_rect(930.0, y, 6.0, layout.member_height);
            }
        }
    }
    if reduced_motion {
        return;
    }
    for flow in v
        .flows
        .iter()
        .filter(|flow| flow.kind != FlowKind::Heartbeat)
    {
        let point = lerp(
            anchor(&layout, flow.from),
            anchor(&layout, flow.to),
            progress(flow.sent_us, flow.arrive_us, v.now_us),
        );
        let radius = 3.0 + (flow.records as f64 + 1.0).log10().min(4.0);
        ctx.begin_path();
        let _ = ctx.arc(point.x, point.y, radius, 0.0, std::f64::consts::TAU);
        ctx.set_fill_style_str(flow_colour(flow.kind));
        ctx.fill();
    }
}
