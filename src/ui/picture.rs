//! The cluster picture (SVG): producers left; brokers with their replicas (leader, in-sync follower, out of
//! sync, offline) and each partition's log below them (log start, high watermark, log end, committed
//! offsets per group); consumer groups right, with state, generation, members and what they own; every
//! message in flight as a dot interpolated from its simulated send and arrival times.
//!
//! Two layers. The SVG (boxes, labels, replica chips, members: what a reader reads and clicks) is written
//! as one string from the panels' view (a few times a second, and at once after an action) and set as the
//! container's inner HTML only when it changed. What moves every frame (the logs' fill, high watermark and
//! committed-offset markers, processing bars and the messages in flight) is drawn on a canvas laid over
//! it: no DOM nodes per frame, so the frame budget holds at 64 partitions. Clicks and Enter reach
//! `Ui::act` through the elements' `data-action` (event delegation).

use super::messages::{t, Msg};
use super::Ui;
use crate::layout::markers::{dot_offsets, Markers, TEACHING_RATE};
use crate::layout::{lerp, progress, PICTURE_WIDTH};
use crate::markup::picture::{anchor, group_colour, layout_of, render, Marks, Strip};
use crate::sim::group::{Activity, MemberStatus};
use crate::sim::network::{FlowKind, Node};
use crate::sim::view::ClusterView;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn Picture() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let selected = Memo::new(move |_| ui.state.with(|s| s.selected.clone()));
    let highlights = Memo::new(move |_| super::lesson::highlights(ui));
    let svg = Memo::new(move |_| {
        let selected = selected.get();
        highlights.with(|highlights| {
            ui.picture_view.with(|v| {
                render(
                    v,
                    Marks {
                        selected: selected.as_ref(),
                        highlights,
                    },
                )
            })
        })
    });
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
    let markers = StoredValue::new_local(Markers::default());
    let resize = window_event_listener(leptos::ev::resize, move |_| css_width.set_value(0.0));
    let zoom = Memo::new(move |_| ui.state.with(|s| s.zoom_percent));
    let tiny_labels = RwSignal::new(false);
    // A new zoom changes the picture's width: measured again on the next frame.
    Effect::new(move |_| {
        zoom.track();
        css_width.set_value(0.0);
    });
    // Two fingers pinch the picture (`touch-action` leaves one-finger panning to the browser).
    let pinch = StoredValue::new_local(Pinch::default());
    let on_pointer = move |ev: web_sys::PointerEvent| {
        let percent = pinch
            .try_update_value(|pinch| pinch.event(&ev, zoom.get_untracked()))
            .flatten();
        if let Some(percent) = percent {
            ui.dispatch(crate::markup::action::Action::Zoom(percent));
        }
    };
    // A trackpad's pinch (and Ctrl with the wheel) zooms too.
    let on_wheel = move |ev: web_sys::WheelEvent| {
        if ev.ctrl_key() {
            ev.prevent_default();
            let factor = (-ev.delta_y() / 200.0).exp();
            let percent = (f64::from(zoom.get_untracked()) * factor)
                .round()
                .clamp(1.0, 1000.0);
            ui.dispatch(crate::markup::action::Action::Zoom(percent as u16));
        }
    };
    on_cleanup(move || resize.remove());
    Effect::new(move |_| {
        ui.view.with(|v| {
            if let Some(canvas) = canvas.get() {
                if css_width.get_value() <= 0.0 {
                    if let Some(host) = canvas.parent_element() {
                        css_width.set_value(host.client_width() as f64);
                        // Labels are 12 px in the picture's coordinates: under 9 CSS px they give way.
                        let tiny = 12.0 * css_width.get_value() / PICTURE_WIDTH < 9.0;
                        if tiny != tiny_labels.get_untracked() {
                            tiny_labels.set(tiny);
                        }
                    }
                }
                // At teaching scale every message that carries records is a marker that travels slowly
                // enough to follow (`layout::markers`).
                let rate: u32 = v.producers.iter().map(|p| p.rate_per_sec).sum();
                let teaching = rate <= TEACHING_RATE;
                let sent = ui.sim.try_update_value(|sim| {
                    sim.set_flow_log(teaching);
                    sim.take_sent_flows()
                });
                markers.update_value(|markers| {
                    if teaching {
                        markers.update(&sent.unwrap_or_default(), super::now_ms());
                    } else {
                        markers.clear();
                    }
                });
                markers.with_value(|markers| {
                    draw(
                        &canvas,
                        v,
                        css_width.get_value(),
                        reduced_motion,
                        teaching.then_some(markers),
                    )
                });
            }
        })
    });
    use crate::markup::action::Action;
    view! {
        <section class="ks-picture-wrap" aria-label=t(Msg::PictureRegion) data-testid="picture-wrap"
            data-tiny=move || tiny_labels.get().to_string()>
            <div class="ks-picture-scroll" data-testid="picture-scroll" on:pointerdown=on_pointer
                on:pointermove=on_pointer on:pointerup=on_pointer on:pointercancel=on_pointer on:wheel=on_wheel>
            <div class="ks-picture-stack" style:width=move || format!("{}%", zoom.get())>
                <div class="ks-picture-host" data-testid="picture" inner_html=move || svg.get()
                    on:click=move |ev| ui.act(ev.target())
                    on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { ui.act(ev.target()) }></div>
                <canvas class="ks-picture-canvas" aria-hidden="true" data-testid="picture-canvas" node_ref=canvas></canvas>
            </div></div>
            <div class="ks-picture-tools">
                <button type="button" data-testid="picture-zoom-out" aria-label=t(Msg::PictureZoomOut)
                    disabled=move || { zoom.get() <= crate::state::ZOOM_MIN } on:click=move |_| ui.dispatch(Action::ZoomOut)>"−"</button>
                <button type="button" data-testid="picture-zoom-in" aria-label=t(Msg::PictureZoomIn)
                    disabled=move || { zoom.get() >= crate::state::ZOOM_MAX } on:click=move |_| ui.dispatch(Action::ZoomIn)>"+"</button>
                <button type="button" data-testid="picture-fit" on:click=move |_| ui.dispatch(Action::Fit)>{t(Msg::PictureFit)}</button>
                <Show when=move || tiny_labels.get()>
                    <span class="ks-small-text" data-testid="picture-tap-hint">{t(Msg::PictureTapHint)}</span>
                </Show>
            </div>
            <ul class="ks-legend" aria-label=t(Msg::Legend) inner_html=crate::markup::picture::legend()></ul>
        </section>
    }
}

/// Two pointers pinching: the zoom when they went down and how far apart they were.
#[derive(Default)]
struct Pinch {
    pointers: Vec<(i32, f64, f64)>,
    start: Option<(f64, u16)>,
}

impl Pinch {
    /// Follows a pointer event; returns the zoom (percent) a pinch asks for.
    fn event(&mut self, ev: &web_sys::PointerEvent, zoom: u16) -> Option<u16> {
        let (id, x, y) = (
            ev.pointer_id(),
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
        );
        match ev.type_().as_str() {
            "pointerdown" if ev.pointer_type() == "touch" => {
                self.pointers.retain(|(p, _, _)| *p != id);
                self.pointers.push((id, x, y));
                self.start = None;
            }
            "pointermove" => {
                if let Some(pointer) = self.pointers.iter_mut().find(|(p, _, _)| *p == id) {
                    *pointer = (id, x, y);
                }
            }
            _ => {
                self.pointers.retain(|(p, _, _)| *p != id);
                self.start = None;
                return None;
            }
        }
        let [(_, x1, y1), (_, x2, y2)] = self.pointers[..] else {
            return None;
        };
        let distance = (x1 - x2).hypot(y1 - y2).max(1.0);
        let (from, zoom_then) = *self.start.get_or_insert((distance, zoom));
        Some(
            (f64::from(zoom_then) * distance / from)
                .round()
                .clamp(1.0, 1000.0) as u16,
        )
    }
}

/// The selection panel: the facts and actions of what is selected in the picture.
#[component]
pub fn Selection() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let selected = Memo::new(move |_| ui.state.with(|s| s.selected.clone()));
    let parts = Memo::new(move |_| {
        let selected = selected.get();
        ui.panel_view
            .with(|v| crate::markup::selection::render_parts(v, selected.as_ref()))
    });
    // The facts change every refresh; the buttons only when what they offer does, so they are their own
    // element and never replaced under the pointer for nothing.
    let facts = Memo::new(move |_| parts.with(|(facts, _)| facts.clone()));
    let actions = Memo::new(move |_| parts.with(|(_, actions)| actions.clone()));
    view! {
        <section class="ks-panel ks-selection" data-testid="selection" aria-live="polite" aria-label=t(Msg::SelectTitle)
            on:click=move |ev| ui.act(ev.target())>
            <div inner_html=move || facts.get()></div>
            <div inner_html=move || actions.get()></div>
        </section>
    }
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
    markers: Option<&Markers>,
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
    if let Some(markers) = markers {
        let now = super::now_ms();
        for marker in &markers.items {
            let at = lerp(
                anchor(&layout, marker.from),
                anchor(&layout, marker.to),
                marker.progress(now, reduced_motion),
            );
            // A produce request's records in their producer's colour; the others in their message's.
            ctx.set_fill_style_str(match marker.from {
                Node::Producer { producer } if marker.kind == FlowKind::Produce => {
                    group_colour(producer.index())
                }
                _ => flow_colour(marker.kind),
            });
            ctx.set_stroke_style_str(CELL_STROKE);
            ctx.set_line_width(1.0);
            for (dx, dy) in dot_offsets(marker.records) {
                ctx.begin_path();
                let _ = ctx.arc(at.x + dx, at.y + dy, 4.5, 0.0, std::f64::consts::TAU);
                ctx.fill();
                ctx.stroke();
            }
        }
        return;
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
