//! The timeline bar under the picture (`data-testid=timeline`): a slider over the run so far (drag, touch
//! or keys to scrub; a screen reader hears the simulated time), the marks of the events a learner looks
//! for with their legend, steps back and forward, the way to the latest instant, and the notice after the
//! past was changed. Seeking is `Ui::seek` (`crate::travel`).
//!
//! The bar is markup (`markup::timeline::bar`), written once per mount, with one click, one change and
//! one input handler (the target's `data-testid` says which). Each refresh sets what changed directly:
//! the slider's value, end and spoken time, the time shown, the marks and the notices. So the slider is
//! never replaced while it is dragged, and the bar adds no reactive views to the wasm module.

use super::{panels::number_of, Ui};
use crate::markup::timeline;
use crate::messages::{t, Msg};
use crate::sim::num::Fixed;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What the bar shows: the instant and the end, the marks (how many, over what end), the notices.
#[derive(Clone, Copy, Default, PartialEq)]
pub struct Shown {
    time: (u64, u64),
    marks: Option<(usize, u64)>,
    notices: Option<(Option<u64>, Option<u64>)>,
}

fn element(testid: &str) -> Option<web_sys::Element> {
    web_sys::window()?
        .document()?
        .query_selector(&format!("[data-testid=\"{testid}\"]"))
        .ok()
        .flatten()
}

/// Sets the slider and the time shown when the instant or the end changed, and the notices.
pub fn update(ui: Ui, now_us: u64) {
    let end = ui
        .travel
        .with_value(|travel| travel.frontier().us)
        .max(now_us);
    let mut shown = ui.timeline_shown.get_value();
    if shown.time != (now_us, end) {
        let Some(slider) =
            element("timeline-slider").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let seconds = format!("{} s", Fixed(now_us as f64 / 1e6, 3));
        slider.set_max(&(end / 1000).to_string());
        slider.set_value(&(now_us / 1000).to_string());
        let _ = slider.set_attribute("aria-valuetext", &seconds);
        if let Some(time) = element("timeline-time") {
            time.set_text_content(Some(&format!(
                "{seconds} / {} s",
                Fixed(end as f64 / 1e6, 1)
            )));
        }
        shown.time = (now_us, end);
    }
    let notices = (ui.goal.get_value(), ui.forked_at.get_value());
    if shown.notices != Some(notices) {
        if let Some(box_) = element("timeline-notices") {
            box_.set_inner_html(&timeline::notices(notices.0, notices.1));
        }
        shown.notices = Some(notices);
    }
    ui.timeline_shown.set_value(shown);
}

/// Redraws the marks when there are new ones or the end moved (with the panels, a few times a second).
pub fn update_marks(ui: Ui) {
    let mut shown = ui.timeline_shown.get_value();
    let (count, end) = ui
        .travel
        .with_value(|travel| (travel.marks().len(), travel.frontier().us));
    if shown.marks == Some((count, end)) {
        return;
    }
    if let Some(marks) = element("timeline-marks") {
        marks.set_inner_html(
            &ui.travel
                .with_value(|travel| timeline::marks(travel.marks(), end)),
        );
        shown.marks = Some((count, end));
        ui.timeline_shown.set_value(shown);
    }
}

#[component]
pub fn Timeline() -> impl IntoView {
    let ui = expect_context::<Ui>();
    // A new mount (a language switch) shows everything again.
    ui.timeline_shown.set_value(Shown::default());
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
            ui.step_kafka.set_value(mode == "kafka");
        }
    };
    view! {
        <section class="ks-timeline" data-testid="timeline" aria-label=t(Msg::TimelineLabel) title=t(Msg::TimelineTip)
            inner_html=timeline::bar(ui.step_kafka.get_value()) on:click=on_click on:change=on_change on:input=on_input></section>
    }
}
