//! Browser tests: the real app mounted in headless Chromium (wasm-bindgen-test), plus the core run in
//! wasm32 with its trace hashes compared to the native ones.
#![cfg(target_arch = "wasm32")]

use kafka_sim::sim::config::Code;
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

/// Lets the page's reactive updates reach the DOM: a macrotask, after the executor's queued effects. No
/// simulated time passes.
async fn settle() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// Runs `n` frames of the mounted page through its test hook (`ui::run_frames`: each counts 100 ms of wall
/// time, within the pacer's core budget per frame, as a real frame would), refreshes every panel and lets
/// the DOM catch up. The tests advance the page by frames, never by sleeping on the wall clock.
async fn frames(n: u32) {
    assert!(kafka_sim::ui::run_frames(n), "a page is mounted");
    settle().await;
}

/// A couple of frames: enough for an action to take effect and be shown (a freshly loaded scenario is
/// built and shown over a few frames; see `Ui::install`).
async fn tick() {
    frames(4).await;
}

/// A bubbling event, as the browser dispatches `input`, `change` and `click` (the controls handle them
/// by delegation).
fn bubbling(event: &str) -> web_sys::Event {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    web_sys::Event::new_with_event_init_dict(event, &init).unwrap()
}

fn set_input(testid: &str, value: &str, event: &str) {
    let input: HtmlInputElement = by_testid(testid).unchecked_into();
    input.set_value(value);
    input.dispatch_event(&bubbling(event)).unwrap();
}

fn text(testid: &str) -> String {
    by_testid(testid).text_content().unwrap()
}

/// The event log's lines, newest first (one per list item: the log's text content runs them together).
fn event_lines() -> Vec<String> {
    let items = document()
        .query_selector_all("[data-testid=events] li")
        .unwrap();
    (0..items.length())
        .filter_map(|i| items.item(i))
        .filter_map(|item| item.text_content())
        .collect()
}

/// The event log's items of one `type` (`data-type`), newest first.
fn events_of_type(kind: &str) -> Vec<web_sys::Element> {
    let items = document()
        .query_selector_all(&format!("[data-testid=events] li[data-type={kind}]"))
        .unwrap();
    (0..items.length())
        .filter_map(|i| items.item(i))
        .filter_map(|item| item.dyn_into().ok())
        .collect()
}

/// Runs the simulation at 100× while the test waits.
fn full_speed() {
    set_input("speed", "2", "input");
}

thread_local! {
    // The mounted app of the current test; replacing it unmounts the previous one (and stops its timer).
    static MOUNTED: RefCell<Option<leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>>> = const { RefCell::new(None) };
}

/// The catalogues the page fetches from `locales/` (the test runner serves no files): both installed
/// once, as the page would after fetching them.
fn install_catalogues() {
    use kafka_sim::messages::Locale;
    for (locale, json) in [
        (Locale::En, include_str!("../public/locales/en.json")),
        (Locale::ZhCn, include_str!("../public/locales/zh-CN.json")),
    ] {
        if !kafka_sim::messages::is_loaded(locale) {
            kafka_sim::ui::locale::install(locale, json).expect("the catalogue installs");
        }
    }
}

/// Mounts a fresh app in English, with no link in the address bar (earlier tests' actions leave one).
fn mount() {
    mount_in(kafka_sim::messages::Locale::En);
}

/// Mounts a fresh app in `locale`.
fn mount_in(locale: kafka_sim::messages::Locale) {
    install_catalogues();
    kafka_sim::messages::set_locale(locale);
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#"))
        .unwrap();
    mount_app();
}

fn mount_app() {
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
    input.dispatch_event(&bubbling("change")).unwrap();
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
    assert_eq!(button.get_attribute("data-alive").as_deref(), Some("true"));
    button.click();
    tick().await;
    assert_eq!(
        by_testid("broker-1").get_attribute("data-alive").as_deref(),
        Some("false")
    );
    assert_eq!(events_of_type("broker_crashed").len(), 1);
}

#[wasm_bindgen_test]
async fn a_bad_scenario_shows_an_error_and_the_simulation_keeps_running() {
    mount();
    tick().await;
    let text: HtmlTextAreaElement = by_testid("scenario-text").unchecked_into();
    let bad = r#"{"version": 1, "cluster": {"brokers": 99}, "topics": []}"#;
    // The core's error: the field and its code, whatever the language the page writes it in.
    let refused = Simulation::from_json(bad).err().expect("refused");
    assert_eq!(refused.path, "cluster.brokers");
    let problem = refused.problem.expect("a code");
    assert_eq!(problem.code, Code::Range);
    assert!(
        problem.fields.contains(&("max", "9".to_string())),
        "{problem:?}"
    );
    text.set_value(bad);
    text.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let before = by_testid("clock").text_content().unwrap();
    by_testid("load").unchecked_into::<HtmlElement>().click();
    tick().await;
    let error = by_testid("error").text_content().unwrap();
    assert!(
        error.contains("cluster.brokers") && error.contains("99"),
        "error: {error}"
    );
    frames(25).await;
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

/// Snapshots in wasm32 (issue 12): a run snapshotted a millisecond before the leader crashes, run on to
/// the end, restored and run on again, gives the native golden trace both times.
#[wasm_bindgen_test]
fn a_restored_snapshot_runs_on_to_the_native_trace_hash_in_wasm32() {
    use kafka_sim::sim::golden::{scenario_text, trace_hash_through_snapshot, GOLDEN_TRACE_HASHES};
    for (name, expected) in GOLDEN_TRACE_HASHES {
        let mut sim = Simulation::from_json(scenario_text(name)).unwrap();
        let (first, second) = trace_hash_through_snapshot(&mut sim, 9_999_000);
        assert_eq!((first, second), (*expected, *expected), "scenario {name}");
    }
}

/// Time travel in wasm32 (issue 13): a golden scenario run through `Travel` to its end, sought back to
/// 10 s and run to the end again, gives the native golden trace both times.
#[wasm_bindgen_test]
fn seeking_back_and_running_on_gives_the_native_trace_hash_in_wasm32() {
    use kafka_sim::sim::golden::{scenario_text, GOLDEN_TRACE_HASHES};
    for (name, expected) in GOLDEN_TRACE_HASHES {
        let mut sim = Simulation::from_json(scenario_text(name)).unwrap();
        let hashes = kafka_sim::travel::trace_hash_through_seek(&mut sim, 9_999_000);
        assert_eq!(hashes, (*expected, *expected), "scenario {name}");
    }
}

#[wasm_bindgen_test]
async fn dragging_the_produce_rate_slider_changes_the_rate_and_the_flow() {
    mount();
    tick().await;
    let rate = || {
        text("rate-value")
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(rate(), "5");
    // Position 400 of 500 on the log scale is 10^4 records/s.
    set_input("rate", "400", "change");
    tick().await;
    assert_eq!(rate(), "10000");
    assert_eq!(events_of_type("producer_rate_changed").len(), 1);
    full_speed();
    frames(38).await;
    assert!(
        text("picture").contains("10000"),
        "the producer in the picture shows the new rate"
    );
    let acknowledged: u64 = text("delivery-inventory_group")
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(acknowledged > 0, "records flow through to the consumers");
}

#[wasm_bindgen_test]
async fn max_poll_records_bounds_the_size_of_poll_batches() {
    mount();
    tick().await;
    let verbose: HtmlInputElement = by_testid("verbose").unchecked_into();
    verbose.set_checked(true);
    verbose.dispatch_event(&bubbling("change")).unwrap();
    set_input("rate", "300", "change");
    set_input("max-poll-records", "3", "change");
    set_input("processing", "0", "change");
    full_speed();
    frames(94).await;
    let log = event_lines();
    let items = document()
        .query_selector_all("[data-testid=events] li")
        .unwrap();
    // A command takes effect at the simulation's next millisecond: polls logged before the change (the
    // log is newest first, so below its line) ran with the old value.
    let sizes: Vec<u64> = (0..items.length())
        .filter_map(|i| items.item(i))
        .filter_map(|item| item.dyn_into::<web_sys::Element>().ok())
        .take_while(|item| {
            item.get_attribute("data-type").as_deref() != Some("config_changed")
                || !item
                    .text_content()
                    .unwrap_or_default()
                    .contains("max.poll.records")
        })
        .filter(|item| {
            item.get_attribute("data-type").as_deref() == Some("records_polled")
                && item.get_attribute("data-group").as_deref() == Some("inventory_group")
        })
        .filter_map(|item| item.get_attribute("data-records")?.parse().ok())
        .collect();
    assert!(!sizes.is_empty(), "polls happened: {log:?}");
    assert!(
        sizes.iter().all(|size| *size <= 3),
        "every poll returns at most max.poll.records: {sizes:?}"
    );
}

#[wasm_bindgen_test]
async fn crashing_a_broker_elects_a_new_leader() {
    mount();
    tick().await;
    let leaders_before: Vec<String> = (0..3)
        .map(|p| text(&format!("leader-orders-{p}")))
        .collect();
    let led_by_1 = leaders_before
        .iter()
        .position(|leader| leader == "1")
        .expect("broker 1 leads a partition");
    by_testid("broker-1")
        .unchecked_into::<HtmlElement>()
        .click();
    full_speed();
    // broker.session.timeout.ms is 9 s: at 100× a frame runs up to 10 s, so three frames see broker 1 fenced
    // and its partitions' leaders elected (and few enough events after it that the log still holds them).
    frames(3).await;
    let leader_after = text(&format!("leader-orders-{led_by_1}"));
    assert!(
        leader_after != "1" && leader_after != "none",
        "new leader: {leader_after}"
    );
    set_input("event-filter", "leader_elected", "input");
    tick().await;
    assert!(
        !events_of_type("leader_elected").is_empty(),
        "the election is in the event log: {}",
        text("events").chars().take(600).collect::<String>()
    );
}

#[wasm_bindgen_test]
async fn adding_a_member_rebalances_with_a_new_generation() {
    mount();
    tick().await;
    full_speed();
    // Up to 10 simulated seconds a frame at 100×: the group forms, then rebalances for its new member.
    frames(3).await;
    let before: i32 = text("generation-inventory_group").parse().unwrap();
    assert!(before >= 1, "the group formed");
    by_testid("add-member")
        .unchecked_into::<HtmlElement>()
        .click();
    frames(3).await;
    let after: i32 = text("generation-inventory_group").parse().unwrap();
    assert!(after > before, "generation {before} → {after}");
    set_input("event-filter", "rebalance_started", "input");
    tick().await;
    assert!(
        !events_of_type("rebalance_started").is_empty(),
        "the rebalance is in the event log"
    );
    assert!(text("group-inventory_group").contains("inventory-2"));
    // The rebalance, step by step: the join, revocation (eager: everything), the leader's assignment.
    let story = text("rebalances");
    for step in [
        "inventory_group",
        "inventory-2",
        "JoinGroup",
        "PreparingRebalance",
        "Stable",
    ] {
        assert!(story.contains(step), "{step:?} in the story: {story}");
    }
    let steps = document()
        .query_selector_all("[data-testid=rebalances] li")
        .unwrap()
        .length();
    assert!(steps >= 5, "{steps} steps in the story: {story}");
    // The end-to-end latency chart has a line per group once records were processed.
    let chart = by_testid("latency-chart");
    let lines = chart.query_selector_all("polyline").unwrap();
    let drawn = (0..lines.length()).any(|i| {
        lines
            .item(i)
            .and_then(|line| line.dyn_into::<web_sys::Element>().ok())
            .and_then(|line| line.get_attribute("points"))
            .is_some_and(|points| points.contains(','))
    });
    assert!(drawn, "latency chart: {}", chart.outer_html());
}

#[wasm_bindgen_test]
async fn a_bad_link_shows_an_error_and_the_default_simulation_runs() {
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#s=not-a-scenario"))
        .unwrap();
    mount_app();
    tick().await;
    let refused = kafka_sim::share::decode_fragment("#s=not-a-scenario").unwrap_err();
    assert_eq!(refused.path, "link");
    assert_eq!(
        refused.problem.map(|problem| problem.code),
        Some(Code::LinkNotUtf8)
    );
    assert!(text("error").contains("link"), "error: {}", text("error"));
    assert!(document()
        .query_selector("[data-testid=\"group-email_group\"]")
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
async fn loading_a_scenario_replaces_the_run_within_a_few_frames() {
    mount();
    tick().await;
    assert!(!text("topics").contains("safe"));
    let scenario: HtmlTextAreaElement = by_testid("scenario-text").unchecked_into();
    scenario.set_value(include_str!(
        "../public/scenarios/acks-and-leader-crash.json"
    ));
    scenario
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    by_testid("load").unchecked_into::<HtmlElement>().click();
    // Checked at once, built in the next frame, the tables drawn in their refresh slot after it.
    frames(38).await;
    assert!(document()
        .query_selector("[data-testid=error]")
        .unwrap()
        .is_none());
    let topics = text("topics");
    assert!(
        topics.contains("fast") && topics.contains("safe"),
        "topics: {topics}"
    );
    let link = web_sys::window().unwrap().location().hash().unwrap();
    let loaded = kafka_sim::share::decode_fragment(&link).unwrap().unwrap();
    assert_eq!(loaded.scenario.topics[1].name, "safe");
}

/// Every control's name: its `aria-label`, its label's text or its own text.
fn control_names() -> Vec<(String, String)> {
    let controls = document()
        .query_selector_all("#app-under-test input, #app-under-test select, #app-under-test textarea, #app-under-test button")
        .unwrap();
    (0..controls.length())
        .filter_map(|i| controls.item(i))
        .filter_map(|c| c.dyn_into::<web_sys::Element>().ok())
        .map(|c| {
            let id = c
                .closest("[data-testid]")
                .ok()
                .flatten()
                .and_then(|e| e.get_attribute("data-testid"))
                .unwrap_or_else(|| c.tag_name());
            let name = c
                .get_attribute("aria-label")
                .or_else(|| {
                    c.closest("label")
                        .ok()
                        .flatten()
                        .and_then(|label| label.text_content())
                })
                .or_else(|| c.text_content())
                .unwrap_or_default();
            (id, name.trim().to_string())
        })
        .collect()
}

#[wasm_bindgen_test]
async fn every_control_is_labelled_in_both_languages_and_switching_keeps_the_clock_running() {
    use kafka_sim::messages::Locale;
    mount_in(Locale::ZhCn);
    tick().await;
    let chinese = control_names();
    assert!(chinese.len() > 20, "{chinese:?}");
    for (id, name) in &chinese {
        assert!(!name.is_empty(), "{id} has no label in Chinese");
    }
    assert!(
        text("lang-switch").contains("中文") && text("lang-switch").contains("English"),
        "the switch names both languages in their own"
    );
    let play = by_testid("play").text_content().unwrap();
    assert!(!play.is_ascii(), "the page is in Chinese: {play}");
    full_speed();
    frames(19).await;
    let before = text("clock");
    by_testid("lang-en").unchecked_into::<HtmlElement>().click();
    frames(25).await;
    assert_eq!(kafka_sim::messages::locale(), Locale::En);
    assert!(
        by_testid("play").text_content().unwrap().is_ascii(),
        "now in English"
    );
    let after = text("clock");
    assert_ne!(before, after, "the clock runs on through the switch");
    let english = control_names();
    assert_eq!(
        english.len(),
        chinese.len(),
        "the same controls in both languages"
    );
    let translated = english
        .iter()
        .zip(&chinese)
        .filter(|((_, en), (_, zh))| !en.is_empty() && en != zh)
        .count();
    assert!(
        translated * 10 >= english.len() * 7,
        "{translated} of {} labels translated: {english:?} / {chinese:?}",
        english.len()
    );
    // Back to Chinese: the event log's lines are written again.
    by_testid("lang-zh-CN")
        .unchecked_into::<HtmlElement>()
        .click();
    frames(19).await;
    assert!(
        event_lines().iter().any(|line| !line.is_ascii()),
        "{:?}",
        event_lines()
    );
    kafka_sim::messages::set_locale(Locale::En);
}

#[wasm_bindgen_test]
async fn clicking_a_member_in_the_picture_selects_it_and_offers_its_actions() {
    mount();
    tick().await;
    full_speed();
    frames(50).await;
    let member = document()
        .query_selector("[data-testid=picture] [data-action^=\"select:member:inventory_group/\"]")
        .unwrap()
        .expect("a member in the picture");
    member.dispatch_event(&bubbling("click")).unwrap();
    tick().await;
    let facts = document()
        .query_selector_all("[data-testid=selection] dd")
        .unwrap()
        .length();
    assert!(facts >= 4, "{}", text("selection"));
    let crashed = || {
        events_of_type("consumer_crashed")
            .iter()
            .filter(|item| item.get_attribute("data-group").as_deref() == Some("inventory_group"))
            .count()
    };
    assert_eq!(crashed(), 0);
    by_testid("selection-crash")
        .unchecked_into::<HtmlElement>()
        .click();
    frames(13).await;
    assert_eq!(crashed(), 1);
    assert!(document()
        .query_selector("[data-testid=selection-restart]")
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
async fn cutting_a_broker_off_from_the_controller_fences_it_until_the_network_heals() {
    mount();
    tick().await;
    let broker = || by_testid("picture-broker-2");
    assert_eq!(broker().get_attribute("data-net").as_deref(), Some("ok"));
    broker().dispatch_event(&bubbling("click")).unwrap();
    tick().await;
    by_testid("selection-cut-controller")
        .unchecked_into::<HtmlElement>()
        .click();
    tick().await;
    // The broker is marked, the selection names the cut and offers to reconnect, and the controls offer
    // to heal the network.
    assert_eq!(broker().get_attribute("data-net").as_deref(), Some("cut"));
    assert!(
        text("selection").contains("controller"),
        "{}",
        text("selection")
    );
    assert!(document()
        .query_selector("[data-testid=selection-reconnect]")
        .unwrap()
        .is_some());
    assert_eq!(events_of_type("network_partitioned").len(), 1);
    // broker.session.timeout.ms is 9 s: at 100× the controller fences it within a few tenths of a second.
    full_speed();
    let logged = |kind: &str| set_input("event-filter", kind, "input");
    logged("broker_fenced");
    for _ in 0..30 {
        if !events_of_type("broker_fenced").is_empty() {
            break;
        }
        frames(7).await;
    }
    assert_eq!(events_of_type("broker_fenced").len(), 1);
    by_testid("heal-network")
        .unchecked_into::<HtmlElement>()
        .click();
    frames(25).await;
    assert_eq!(broker().get_attribute("data-net").as_deref(), Some("ok"));
    for kind in ["network_healed", "broker_unfenced"] {
        logged(kind);
        tick().await;
        assert_eq!(events_of_type(kind).len(), 1, "{kind}");
    }
    assert!(document()
        .query_selector("[data-testid=heal-network]")
        .unwrap()
        .is_none());
}
