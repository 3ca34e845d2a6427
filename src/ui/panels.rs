//! The panels: the describe tables, the charts, the world around Kafka, the event log and the scenario
//! panel (examples, import/export; the address bar holds the link). Clicks in markup written as strings
//! reach `Ui::act` (`data-action`); the rest dispatch typed actions.

use super::messages::{t, Msg};
use super::{Ui, EXAMPLES};
use crate::markup::action::{Action, Control};
use crate::markup::panels::{
    event_items, group_chart, group_table, member_buttons, producer_lines, rate_chart, topic_table,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub(super) fn target_element(target: Option<web_sys::EventTarget>) -> Option<web_sys::Element> {
    target.and_then(|target| target.dyn_into::<web_sys::Element>().ok())
}

#[component]
pub fn GroupTables() -> impl IntoView {
    let ui = expect_context::<Ui>();
    // A block per group (as many as a scenario may have), redrawn only when its own markup changed: the
    // page refreshes the groups' tables a few groups a frame (`Ui::refresh_with`).
    let producers = Memo::new(move |_| ui.table_view.with(producer_lines));
    let highlight =
        Memo::new(move |_| ui.state.with(|s| s.highlighted_group().map(str::to_string)));
    let blocks = (0..crate::sim::scenario::MAX_GROUPS)
        .map(|index| {
            let html = Memo::new(move |_| {
                let highlight = highlight.get();
                ui.table_view
                    .with(|v| group_table(v, index, highlight.as_deref()))
            });
            // Apart from the table, whose numbers change every refresh: a button is replaced only when
            // its member's state changes, never under the pointer for nothing.
            let buttons = Memo::new(move |_| ui.table_view.with(|v| member_buttons(v, index)));
            view! {
                <div inner_html=move || html.get()></div>
                <div inner_html=move || buttons.get()></div>
            }
        })
        .collect_view();
    view! {
        <section class="ks-panel" aria-label=t(Msg::DescribeGroups)>
            <h2>{t(Msg::DescribeGroups)}</h2>
            <div on:click=move |ev| ui.act(ev.target())>
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
    let highlighted = Memo::new(move |_| {
        super::lesson::highlights(ui).contains(&crate::markup::action::Target::World)
    });
    view! {
        <section class="ks-panel ks-world" class:ks-pulse=move || highlighted.get() data-testid="world" inner_html=move || html.get()
            on:click=move |ev| ui.act(ev.target())></section>
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
    let filter = Memo::new(move |_| ui.state.with(|s| s.filter.clone()));
    let record_level = Memo::new(move |_| ui.state.with(|s| s.record_level));
    let html = Memo::new(move |_| {
        let needle = filter.get().to_ascii_lowercase();
        ui.events.with(|log| event_items(log.iter(), &needle, 150))
    });
    view! {
        <section class="ks-panel" aria-label=t(Msg::Events)>
            <h2>{t(Msg::Events)}</h2>
            <div class="ks-buttons">
                <label title=t(Msg::EventsFilterTip)>
                    {format!("{} ", t(Msg::EventsFilter))}
                    <input type="search" data-testid="event-filter" prop:value=move || filter.get()
                        on:input=move |ev| ui.dispatch(Action::Set(Control::EventFilter, event_target_value(&ev))) />
                </label>
                <label title=t(Msg::EventsVerboseTip)>
                    <input type="checkbox" data-testid="verbose" prop:checked=move || record_level.get()
                        on:change=move |ev| ui.dispatch(Action::Set(Control::RecordLevel, event_target_checked(&ev).to_string())) />
                    {format!(" {}", t(Msg::EventsVerbose))}
                </label>
            </div>
            <ol class="ks-events" data-testid="events" inner_html=move || html.get() on:click=move |ev| ui.act(ev.target())></ol>
        </section>
    }
}

#[component]
pub fn ScenarioPanel() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let example = Memo::new(move |_| ui.state.with(|s| s.example));
    let description = move || {
        example
            .get()
            .and_then(crate::state::example)
            .map_or("", |(_, _, description)| t(*description))
    };
    let option = |(name, title, _): &'static (&'static str, Msg, Msg)| {
        view! { <option value=*name prop:selected=move || example.get() == Some(*name)>{t(*title)}</option> }
    };
    view! {
        <section class="ks-panel ks-scenario" aria-label=t(Msg::Scenario)>
            <h2>{t(Msg::Scenario)}</h2>
            <p class="ks-small-text">{t(Msg::ScenarioShare)}</p>
            <div inner_html=move || crate::markup::panels::link_too_long(ui.link_too_long.get())></div>
            <div class="ks-buttons">
                <label>
                    {format!("{} ", t(Msg::ScenarioExample))}
                    <select data-testid="examples"
                        on:change=move |ev| ui.dispatch(Action::Set(Control::Example, event_target_value(&ev)))>
                        // A scenario from a link, a file or the text area is none of the examples.
                        <option value="" disabled=true prop:selected=move || example.get().is_none()>"—"</option>
                        {EXAMPLES.iter().map(option).collect_view()}
                    </select>
                </label>
                <button data-testid="export" on:click=move |_| ui.dispatch(Action::Export)>{t(Msg::ScenarioExport)}</button>
            </div>
            <p class="ks-small-text" data-testid="example-description">{description}</p>
            <div class="ks-buttons">
                <label>
                    {format!("{} ", t(Msg::ScenarioImport))}
                    <input type="file" accept=".json,application/json" data-testid="import"
                        on:change=move |ev| import(ui, event_target(&ev)) />
                </label>
            </div>
            <label>
                <span>{t(Msg::ScenarioText)}</span>
                <textarea data-testid="scenario-text" rows="5"></textarea>
            </label>
            <button data-testid="load" on:click=move |_| ui.dispatch(Action::LoadText)>{t(Msg::ScenarioLoad)}</button>
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
            ui.load(&content, None, None);
        }
    });
    reader.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let _ = reader.read_as_text(&file);
}

pub(super) fn download(name: &str, content: &str) {
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
