//! The timeline bar under the picture (`data-testid=timeline`): a slider over the run so far (drag, touch
//! or keys to scrub; a screen reader hears the simulated time), the marks of the events a learner looks
//! for with their legend, steps back and forward, the way to the latest instant, and the notice after the
//! past was changed. Seeking is `Ui::seek` (`crate::travel`).
//!
//! Only the slider is an element of its own, so that it is never replaced while it is dragged; its value,
//! end and spoken time are set directly. The rest is markup (`markup::timeline`) with one click and one
//! change handler (the target's `data-testid` says which), which keeps the wasm module small.

use super::{panels::number_of, Ui};
use crate::markup::timeline;
use crate::messages::{t, Msg};
use crate::sim::num::Fixed;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn Timeline() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let slider = NodeRef::<leptos::html::Input>::new();
    let time = NodeRef::<leptos::html::Span>::new();
    let shown = StoredValue::new_local((u64::MAX, u64::MAX));
    Effect::new(move |_| {
        let now = ui.view.with(|v| v.now_us);
        let end = ui.frontier_us.get().max(now);
        if shown.get_value() == (now, end) {
            return;
        }
        shown.set_value((now, end));
        if let (Some(slider), Some(time)) = (slider.get(), time.get()) {
            let seconds = format!("{} s", Fixed(now as f64 / 1e6, 3));
            slider.set_max(&(end / 1000).to_string());
            slider.set_value(&(now / 1000).to_string());
            let _ = slider.set_attribute("aria-valuetext", &seconds);
            time.set_text_content(Some(&format!(
                "{seconds} / {} s",
                Fixed(end as f64 / 1e6, 1)
            )));
        }
    });
    let marks = Memo::new(move |_| {
        ui.marks_rev.track();
        let end = ui.frontier_us.get();
        ui.travel
            .with_value(|travel| timeline::marks(travel.marks(), end))
    });
    let controls = move || timeline::controls(ui.step_kafka.get());
    let notices = move || timeline::notices(ui.goal.get(), ui.forked_at.get());
    let on_input = move |ev: leptos::ev::Event| {
        ui.seek(number_of(ev.target()).max(0.0) as u64 * 1000);
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(target) = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        // A mark: its instant.
        if let Some(at) = target
            .closest("[data-t]")
            .ok()
            .flatten()
            .and_then(|element| element.get_attribute("data-t"))
            .and_then(|t| t.parse::<u64>().ok())
        {
            ui.seek(at);
            return;
        }
        let testid = target
            .closest("button[data-testid]")
            .ok()
            .flatten()
            .and_then(|button| button.get_attribute("data-testid"));
        match testid.as_deref() {
            Some("step-back") => ui.step_back(),
            Some("step-forward") => ui.step_forward(),
            Some("timeline-end") => ui.seek(ui.travel.with_value(|travel| travel.frontier().us)),
            Some("back-to-future") => ui.back_to_future(),
            Some("keep-future") => ui.keep_future(),
            _ => {}
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let mode = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .filter(|select| select.get_attribute("data-testid").as_deref() == Some("step-mode"))
            .map(|select| select.value());
        if let Some(mode) = mode {
            ui.step_kafka.set(mode == "kafka");
        }
    };
    view! {
        <section class="ks-timeline" data-testid="timeline" aria-label=t(Msg::TimelineLabel) title=t(Msg::TimelineTip)
            on:click=on_click on:change=on_change>
            <div class="ks-timeline-row">
                <div class="ks-timeline-track">
                    <div class="ks-marks" data-testid="timeline-marks" inner_html=move || marks.get()></div>
                    <input type="range" min="0" step="1" data-testid="timeline-slider" node_ref=slider
                        aria-label=t(Msg::TimelineSlider) aria-keyshortcuts="Home End" on:input=on_input />
                </div>
                <span class="ks-timeline-time" data-testid="timeline-time" node_ref=time></span>
                <div class="ks-timeline-buttons" inner_html=controls></div>
            </div>
            <div inner_html=notices></div>
        </section>
    }
}
