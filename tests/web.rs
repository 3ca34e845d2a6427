//! Browser tests: the real app mounted in headless Chromium (wasm-bindgen-test), plus the core run in
//! wasm32 with its trace hashes compared to the native ones.
#![cfg(target_arch = "wasm32")]

use kafka_sim::sim::Simulation;
use kafka_sim::ui::App;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn by_testid(id: &str) -> web_sys::Element {
    document()
        .query_selector(&format!("[data-testid=\"{id}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

async fn tick() {
    gloo_timers::future::TimeoutFuture::new(50).await;
}

thread_local! {
    // The mounted app of the current test; replacing it unmounts the previous one (and stops its timer).
    static MOUNTED: RefCell<Option<leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>>> = const { RefCell::new(None) };
}

fn mount() {
    MOUNTED.with(|mounted| mounted.borrow_mut().take());
    // A container of its own: the test runner reports results through elements of the body.
    if let Some(old) = document().get_element_by_id("app-under-test") {
        old.remove();
    }
    let container = document().create_element("div").unwrap();
    container.set_id("app-under-test");
    document().body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.unchecked_into(), || {
        leptos::prelude::IntoAny::into_any(App())
    });
    MOUNTED.with(|mounted| *mounted.borrow_mut() = Some(handle));
}

#[wasm_bindgen_test]
async fn max_poll_records_control_is_labelled_and_changes_the_group() {
    mount();
    tick().await;
    let input: HtmlInputElement = by_testid("max-poll-records").unchecked_into();
    let label = input
        .closest("label")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(label.contains("max.poll.records"), "label: {label}");
    assert_eq!(
        by_testid("max-poll-records-value").text_content().unwrap(),
        "500"
    );
    input.set_value("7");
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(
        by_testid("max-poll-records-value").text_content().unwrap(),
        "7"
    );
    assert!(by_testid("events")
        .text_content()
        .unwrap()
        .contains("max.poll.records"));
}

#[wasm_bindgen_test]
async fn crashing_a_broker_is_shown_and_logged() {
    mount();
    tick().await;
    let button: HtmlElement = by_testid("broker-1").unchecked_into();
    assert!(button.text_content().unwrap().contains("Crash"));
    button.click();
    tick().await;
    assert!(by_testid("broker-1")
        .text_content()
        .unwrap()
        .contains("Restart"));
    assert!(by_testid("events")
        .text_content()
        .unwrap()
        .contains("broker_crashed"));
}

#[wasm_bindgen_test]
async fn a_bad_scenario_shows_an_error_and_the_simulation_keeps_running() {
    mount();
    tick().await;
    let text: HtmlTextAreaElement = by_testid("scenario-text").unchecked_into();
    text.set_value(r#"{"version": 1, "cluster": {"brokers": 99}, "topics": []}"#);
    text.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let before = by_testid("clock").text_content().unwrap();
    by_testid("load").unchecked_into::<HtmlElement>().click();
    tick().await;
    let error = by_testid("error").text_content().unwrap();
    assert!(
        error.contains("cluster.brokers") && error.contains("1 to 9"),
        "error: {error}"
    );
    gloo_timers::future::TimeoutFuture::new(400).await;
    assert_ne!(
        by_testid("clock").text_content().unwrap(),
        before,
        "the clock keeps moving"
    );
    assert!(
        document()
            .query_selector("[data-testid=\"group-email_group\"]")
            .unwrap()
            .is_some(),
        "the old scenario is kept"
    );
}

#[wasm_bindgen_test]
fn the_core_runs_in_wasm32_with_the_native_trace_hashes() {
    for (name, expected) in kafka_sim::sim::golden::GOLDEN_TRACE_HASHES {
        let text = kafka_sim::sim::golden::scenario_text(name);
        let mut sim = Simulation::from_json(text).unwrap();
        let hash = kafka_sim::sim::golden::trace_hash(&mut sim);
        assert_eq!(
            hash, *expected,
            "scenario {name}: wasm32 trace hash differs from the native one"
        );
    }
}
