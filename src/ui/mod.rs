//! The Leptos app (wasm32 only). It owns one `Simulation`, advances it from a timer by wall time × speed
//! (capped per tick), draws the `ClusterView`, and changes the simulation only through `Command`s, which it
//! schedules (`Simulation::schedule_command`) so the address bar's link replays the run exactly.

pub use crate::messages;
mod controls;
mod lesson;
pub mod locale;
pub mod memory;
mod panels;
mod picture;
mod story;

use crate::budget::{EVENT_LOG_LINES, TRACE_EVENTS};
use crate::markup::action::Action;
use crate::pace::{core_budget_ms, Pacer};
use crate::share::{decode_fragment, encode_fragment_within};
use crate::sim::num::Fixed;
use crate::sim::view::ClusterView;
use crate::sim::{Command, Scenario, Simulation};
use crate::state::UiState;
use leptos::prelude::*;
use messages::{t, Locale, Msg};
use std::collections::VecDeque;

pub use crate::state::{DEFAULT_SCENARIO, EXAMPLES};

/// Loads example `name` (one of `EXAMPLES`): the default at once, the others fetched from `scenarios/`.
pub fn load_example(ui: Ui, name: &'static str) {
    if name == EXAMPLES[0].0 {
        ui.load(DEFAULT_SCENARIO, None, Some(name));
        return;
    }
    leptos::task::spawn_local(async move {
        match locale::fetch_text(&format!("scenarios/{name}.json")).await {
            Ok(text) => ui.load(&text, None, Some(name)),
            Err(error) => ui
                .error
                .set(Some(format!("{}: {error}", t(Msg::ErrorExample)))),
        }
    });
}

/// The most wall time one tick may simulate, so a background tab or a long pause never freezes the page.
const MAX_TICK_WALL_MS: f64 = 100.0;
/// The most events one slice of the pacer runs: an instant holding more (a scenario's first instant can
/// hold hundreds of timeline commands and joins) is run over several slices and frames.
const MAX_EVENTS_PER_SLICE: u64 = 256;
/// The most describe-table rows a frame redraws when the groups' tables refresh (see `refresh_group_tables`).
const TABLE_ROWS_PER_FRAME: usize = 128;
/// How often the panels (and, half a period later, the picture's SVG layer) refresh while running.
const PANEL_PERIOD_MS: f64 = 250.0;
/// Chart history: one sample per simulated second, the newest 300.
const HISTORY: usize = 300;

pub use crate::markup::panels::Sample;

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct Ui {
    pub sim: StoredValue<Simulation, LocalStorage>,
    /// The view the picture draws, every frame.
    pub view: RwSignal<ClusterView>,
    /// The view the tables and controls show, refreshed a few times a second (and at once after an action).
    pub panel_view: RwSignal<ClusterView>,
    /// What the picture's SVG layer shows (refreshed like the panels, half a period later).
    pub picture_view: RwSignal<ClusterView>,
    picture_due: StoredValue<bool, LocalStorage>,
    /// What the groups' describe tables show (refreshed like the panels, half a period later).
    pub table_view: RwSignal<ClusterView>,
    table_due: StoredValue<bool, LocalStorage>,
    /// The next group whose table a refresh in progress copies into `table_view`.
    table_next: StoredValue<usize, LocalStorage>,
    /// What the topics' describe table shows (refreshed with the groups' tables, a quarter period later).
    pub topic_view: RwSignal<ClusterView>,
    topic_due: StoredValue<bool, LocalStorage>,
    panel_round: StoredValue<u64, LocalStorage>,
    last_panel_ms: StoredValue<f64, LocalStorage>,
    pub events: RwSignal<VecDeque<crate::markup::panels::LogLine>>,
    pub history: RwSignal<VecDeque<Sample>>,
    /// The latest rebalances of each group, step by step.
    pub stories: RwSignal<crate::markup::story::Book>,
    pub cursor: RwSignal<u64>,
    /// Everything the page remembers besides the simulation, owned here for the life of the app: a
    /// remount (a language switch) renders the same state. Changed only by `dispatch`.
    pub state: RwSignal<UiState>,
    /// The speed reached, when the device cannot keep up with the chosen one (see `pace`).
    pub behind: RwSignal<Option<f64>>,
    /// The simulation paused at the memory budget (`crate::budget`): the notice's markup
    /// (`markup::panels::memory_notice`).
    pub memory_pause: RwSignal<Option<String>>,
    pub error: RwSignal<Option<String>>,
    /// A scenario loaded and checked, to be built in the next animation frame (see `load`).
    #[allow(clippy::type_complexity)]
    pending: StoredValue<
        Option<(
            crate::sim::scenario::ValidScenario,
            Option<u64>,
            Option<&'static str>,
        )>,
        LocalStorage,
    >,
    /// What of a simulation just built is still to be shown, a frame at a time (see `install`).
    settling: StoredValue<Option<Settling>, LocalStorage>,
    /// The run's link would be this many characters, more than a link may hold: it is not in the address bar.
    pub link_too_long: RwSignal<Option<usize>>,
    /// The language the page is shown in (`messages::locale`, as a signal: switching re-renders the page).
    pub locale: RwSignal<Locale>,
    /// The lesson menu's index (fetched once), and the lesson being played (its file).
    pub lessons: RwSignal<Option<std::sync::Arc<Vec<crate::lesson::Entry>>>>,
    pub lesson: RwSignal<Option<std::sync::Arc<crate::lesson::Lesson>>>,
    /// The run at the start of each lesson step so far, for "back".
    snapshots: StoredValue<Vec<crate::sim::Snapshot>, LocalStorage>,
}

/// The parts of a simulation just built that are shown in frames of their own, in this order.
#[derive(Clone, Copy)]
enum Settling {
    View,
    Picture,
    Link,
}

impl Ui {
    /// Reads the simulation into the signals, the panels included.
    pub fn refresh(self) {
        self.refresh_with(true);
    }

    /// Reads the simulation into the signals; the panels only every 250 ms unless `panels` says now.
    pub fn refresh_with(self, panels: bool) {
        self.sim.with_value(|sim| {
            let view = sim.view();
            // Read in place: copying the events cost the module a clone of every event kind.
            let (new_events, next) = sim.trace_since(self.cursor.get_untracked());
            let new_events: Vec<&crate::sim::event::TraceEvent> = new_events.collect();
            if !new_events.is_empty() {
                let verbose = self.state.with_untracked(|s| s.record_level);
                let changed = self.stories.try_update_untracked(|stories| {
                    // Every event is absorbed (no short-circuit); the stories changed if any one did.
                    let mut changed = false;
                    for event in &new_events {
                        changed |=
                            crate::markup::story::absorb(stories, event.t_us, &event.kind, &view);
                    }
                    changed
                });
                if changed == Some(true) {
                    self.stories.notify();
                }
                self.events.update(|log| {
                    for event in new_events
                        .iter()
                        .filter(|event| verbose || !event.kind.is_record_level())
                    {
                        log.push_back(crate::markup::panels::log_line(event));
                    }
                    while log.len() > EVENT_LOG_LINES {
                        log.pop_front();
                    }
                });
            }
            self.cursor.set(next);
            let due = self.history.with_untracked(|h| {
                h.back().is_none_or(|last| {
                    view.now_us >= last.t_us + 1_000_000 || view.now_us < last.t_us
                })
            });
            if due {
                let sample = self
                    .history
                    .with_untracked(|h| Sample::new(h.back(), view.now_us, sim.chart_totals()));
                self.history.update(|h| {
                    if h.back().is_some_and(|last| sample.t_us < last.t_us) {
                        h.clear();
                    }
                    h.push_back(sample);
                    while h.len() > HISTORY {
                        h.pop_front();
                    }
                });
            }
            // The controls and charts, the picture's SVG layer, the groups' describe tables and the topics'
            // refresh in turn, a quarter of a period apart, so no frame pays for two of them; all at once
            // after a user action. Big describe tables (many partitions) refresh once a second, like
            // re-running the tool.
            let now = now_ms();
            let since = now - self.last_panel_ms.get_value();
            let partitions: usize = view.topics.iter().map(|t| t.partitions.len()).sum();
            let table_every = if partitions > 16 { 4 } else { 1 };
            if panels || since >= PANEL_PERIOD_MS {
                self.last_panel_ms.set_value(now);
                let round = self.panel_round.get_value() + 1;
                self.panel_round.set_value(round);
                self.panel_view.set(view.clone());
                let tables = !panels && round % table_every == 0;
                self.picture_due.set_value(!panels);
                self.table_due.set_value(tables);
                self.table_next.set_value(0);
                self.topic_due.set_value(tables);
                if panels {
                    self.picture_view.set(view.clone());
                    self.table_view.set(view.clone());
                    self.topic_view.set(view.clone());
                }
            } else if self.picture_due.get_value() && since >= PANEL_PERIOD_MS / 4.0 {
                self.picture_due.set_value(false);
                self.picture_view.set(view.clone());
            } else if self.table_due.get_value() && since >= PANEL_PERIOD_MS / 2.0 {
                self.refresh_group_tables(&view);
            } else if self.topic_due.get_value() && since >= PANEL_PERIOD_MS * 3.0 / 4.0 {
                self.topic_due.set_value(false);
                self.topic_view.set(view.clone());
            }
            self.view.set(view);
        });
    }

    /// Copies the next groups of `view` into the groups' tables, at most `TABLE_ROWS_PER_FRAME` rows (and
    /// at least one group) a frame; each group's block is redrawn only if its markup changed. The
    /// producers' lines come with the last group. A change in the groups themselves is copied at once.
    fn refresh_group_tables(self, view: &ClusterView) {
        let next = self.table_next.get_value();
        let same_groups = self.table_view.with_untracked(|shown| {
            shown.groups.len() == view.groups.len()
                && shown
                    .groups
                    .iter()
                    .zip(&view.groups)
                    .all(|(a, b)| a.group == b.group)
        });
        if !same_groups {
            self.table_view.set(view.clone());
            self.table_due.set_value(false);
            return;
        }
        let mut end = next;
        let mut rows = 0;
        while let Some(group) = view.groups.get(end) {
            if end > next && rows + group.partitions.len() > TABLE_ROWS_PER_FRAME {
                break;
            }
            rows += group.partitions.len();
            end += 1;
        }
        let done = end >= view.groups.len();
        self.table_view.update(|shown| {
            shown.groups[next..end].clone_from_slice(&view.groups[next..end]);
            if done {
                shown.producers.clone_from(&view.producers);
            }
        });
        self.table_next.set_value(if done { 0 } else { end });
        self.table_due.set_value(!done);
    }

    /// Does what `action` says: `state::update` decides, against the latest view, and the page carries
    /// out the effects it returns.
    pub fn dispatch(self, action: Action) {
        let mut effects = Vec::new();
        self.view.with_untracked(|view| {
            self.state
                .update(|state| effects = crate::state::update(state, view, action));
        });
        for effect in effects {
            self.carry_out(effect);
        }
    }

    pub(crate) fn carry_out(self, effect: crate::state::Effect) {
        use crate::state::Effect;
        match effect {
            Effect::Command(command) => self.command(command),
            Effect::Step => {
                self.sim.update_value(|sim| {
                    sim.step();
                });
                self.refresh();
            }
            Effect::Reseed(seed) => self.set_seed(seed),
            Effect::LoadExample(name) => load_example(self, name),
            Effect::LoadText => {
                use wasm_bindgen::JsCast;
                let text = by_testid("scenario-text")
                    .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
                if let Some(text) = text {
                    self.load(&text.value(), None, None);
                }
            }
            Effect::Export => {
                let json = self
                    .sim
                    .with_value(|sim| sim.replay_scenario().to_json_pretty());
                panels::download("kafka-sim-scenario.json", &json);
            }
            Effect::Language(locale) => locale::switch(self, locale),
            Effect::RecordLevel(on) => self.sim.update_value(|sim| sim.set_record_events(on)),
            Effect::WayOutTaken => memory::way_out_taken(),
            Effect::ReloadCoarse => {
                let mut replay = self.sim.with_value(|sim| sim.replay_scenario());
                replay.time_quantum_ms = 100;
                if let Ok(json) = serde_json::to_string(&replay) {
                    let seed = self.sim.with_value(|sim| sim.seed());
                    self.load(&json, Some(seed), self.state.with_untracked(|s| s.example));
                }
            }
            Effect::Error(error) => self.error.set(Some(format!(
                "{}: {}",
                t(Msg::Error),
                crate::markup::events::input_error(&error)
            ))),
            Effect::LoadLesson { id, step } => lesson::load_lesson(self, id, step),
            Effect::EnterStep(step) => {
                lesson::enter_step(self, step);
                rewrite_link(self);
            }
            Effect::ShowMe(step) => lesson::show_me(self, step),
            Effect::Seek(t_us) => lesson::rewind(self, t_us),
            Effect::SaveProgress => self
                .state
                .with_untracked(|s| lesson::save_progress(&s.progress)),
            Effect::MarkVisited => lesson::mark_visited(),
            Effect::Copy(snippet) => lesson::copy(self, snippet),
        }
    }

    /// Dispatches the action of the nearest element around an event's target that has one
    /// (`data-action`, decoded by `Action::decode`: an unknown text does nothing).
    pub fn act(self, target: Option<web_sys::EventTarget>) {
        let action = panels::target_element(target)
            .and_then(|element| element.closest("[data-action]").ok().flatten())
            .and_then(|element| element.get_attribute("data-action"))
            .and_then(|text| Action::decode(&text));
        if let Some(action) = action {
            self.dispatch(action);
        }
    }

    /// Sends a command to the simulation (at its next millisecond, so it is replayable) and records the
    /// run in the address bar. A rejected command shows its error; the simulation goes on unchanged.
    pub fn command(self, command: Command) {
        let playing = self.state.with_untracked(|s| s.playing);
        let result = self.sim.try_update_value(|sim| {
            let at = sim.schedule_command(command)?;
            if !playing {
                sim.advance_to(at);
            }
            Ok::<_, crate::sim::config::InputError>(sim.replay_scenario())
        });
        match result {
            Some(Ok(scenario)) => {
                self.error.set(None);
                write_link(self, &scenario);
            }
            Some(Err(error)) => self.error.set(Some(format!(
                "{}: {}",
                t(Msg::ErrorCommand),
                crate::markup::events::input_error(&error)
            ))),
            None => {}
        }
        self.refresh();
        // The command takes effect on the next millisecond: the next frame refreshes the panels too.
        self.last_panel_ms.set_value(f64::NEG_INFINITY);
    }

    /// Replaces the running simulation (a loaded file, an example, a new seed). On error the current one
    /// keeps running and the error is shown. The scenario is read and checked now; the simulation is built
    /// in the next animation frame (`install`), and its picture, link and tables in the frames after it,
    /// so that loading the largest scenario the format accepts spreads over a few frames. `example` is
    /// the example it is (`None` for a link, a file or the text area), shown once it runs.
    pub fn load(self, text: &str, seed: Option<u64>, example: Option<&'static str>) {
        match Scenario::from_json(text) {
            Ok(scenario) => {
                self.error.set(None);
                self.pending.set_value(Some((scenario, seed, example)));
            }
            Err(error) => self.error.set(Some(format!(
                "{}: {}",
                t(Msg::Error),
                crate::markup::events::input_error(&error)
            ))),
        }
    }

    /// Shows the next part of a simulation just built (see `install`); returns whether one was due.
    fn settle(self) -> bool {
        match self.settling.get_value() {
            None => return false,
            Some(Settling::View) => {
                // The controls and the canvas; the describe tables in their refresh slots.
                self.last_panel_ms.set_value(f64::NEG_INFINITY);
                self.refresh_with(false);
                self.picture_due.set_value(false);
                self.table_due.set_value(true);
                self.table_next.set_value(0);
                self.topic_due.set_value(true);
                self.settling.set_value(Some(Settling::Picture));
            }
            Some(Settling::Picture) => {
                self.picture_view.set(self.view.get_untracked());
                self.settling.set_value(Some(Settling::Link));
            }
            Some(Settling::Link) => {
                let scenario = self.sim.with_value(Simulation::replay_scenario);
                write_link(self, &scenario);
                self.settling.set_value(None);
            }
        }
        true
    }

    /// Builds the simulation of a loaded scenario (see `load`); returns whether there was one.
    fn install(self) -> bool {
        let Some((scenario, seed, example)) = self.pending.try_update_value(Option::take).flatten()
        else {
            return false;
        };
        let seed = seed.unwrap_or(scenario.scenario.seed);
        self.install_simulation(Simulation::new(scenario, seed), example);
        true
    }

    /// Replaces the running simulation with `sim` (built here, or played to a lesson's step), and shows it
    /// over the next frames.
    pub fn install_simulation(self, mut sim: Simulation, example: Option<&'static str>) {
        sim.set_record_events(self.state.with_untracked(|s| s.record_level));
        sim.set_trace_capacity(TRACE_EVENTS);
        self.sim.set_value(sim);
        // The example chooser says what runs: set with the simulation, so a load that fails keeps both.
        if self.state.with_untracked(|s| s.example) != example {
            self.state.update(|s| s.example = example);
        }
        self.cursor.set(0);
        self.events.set(VecDeque::new());
        self.history.set(VecDeque::new());
        self.stories.set(crate::markup::story::Book::default());
        // The controls and canvas, the picture's SVG layer and the link follow in frames of their own (see
        // `settle`), the describe tables in their refresh slots. The simulation waits meanwhile.
        self.settling.set_value(Some(Settling::View));
    }

    pub fn set_seed(self, seed: u64) {
        let text = self
            .sim
            .with_value(|sim| sim.replay_scenario().to_json_pretty());
        self.load(&text, Some(seed), self.state.with_untracked(|s| s.example));
    }
}

/// Writes the run's link, with the page's language, into the address bar. A run longer than links may be
/// (`MAX_LINK_CHARS`) could not be loaded back: the link then holds only the language, and
/// `link_too_long` says how long it would be.
fn write_link(ui: Ui, scenario: &Scenario) {
    let fragment = encode_fragment_within(scenario, crate::share::MAX_LINK_CHARS);
    let too_long = fragment.as_ref().err().copied();
    if ui.link_too_long.get_untracked() != too_long {
        ui.link_too_long.set(too_long);
    }
    if let Some(window) = web_sys::window() {
        let path = window.location().pathname().unwrap_or_default();
        // In a lesson the link opens the lesson at its step (the lesson's scenario is its own); otherwise
        // it replays the run.
        let lesson = ui
            .state
            .with_untracked(|s| s.lesson.as_ref().map(|at| (at.id.clone(), at.step + 1)));
        let url = match lesson {
            Some((id, step)) => format!(
                "{path}?lesson={id}&step={step}{}",
                crate::share::link_fragment(messages::locale(), None)
            ),
            None => format!(
                "{path}{}",
                crate::share::link_fragment(messages::locale(), fragment.as_deref().ok())
            ),
        };
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

/// Writes the link again (after the language changed).
fn rewrite_link(ui: Ui) {
    let scenario = ui.sim.with_value(Simulation::replay_scenario);
    write_link(ui, &scenario);
}

/// Runs frames of the mounted page (`run_frames`).
type Frames = std::rc::Rc<dyn Fn(u32)>;

thread_local! {
    static TRAP_REQUESTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The mounted page's frames, for `run_frames`.
    static TEST_FRAMES: std::cell::RefCell<Option<Frames>> = const { std::cell::RefCell::new(None) };
}

/// For the browser tests (`tests/web.rs`), instead of waiting on the wall clock: runs `frames` frames of
/// the mounted page at once, each as if 100 ms of wall time had passed (what one frame may count at most),
/// then refreshes every panel. Returns whether a page is mounted. Nothing in the page calls it.
#[doc(hidden)]
pub fn run_frames(frames: u32) -> bool {
    let hook = TEST_FRAMES.with(|hook| hook.borrow().clone());
    if let Some(hook) = &hook {
        hook(frames);
    }
    hook.is_some()
}

/// For the browser test of the page's fatal-error notice (`public/fatal.js`): the next animation frame
/// aborts the module, as running out of memory does. Nothing in the page calls it.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn trap_on_next_frame() {
    TRAP_REQUESTED.with(|requested| requested.set(true));
}

/// The element with `data-testid=testid`.
pub(crate) fn by_testid(testid: &str) -> Option<web_sys::Element> {
    web_sys::window()?
        .document()?
        .query_selector(&format!("[data-testid=\"{testid}\"]"))
        .ok()
        .flatten()
}

/// Calls `tick` on every animation frame until the returned flag is set.
fn start_animation(mut tick: impl FnMut() + 'static) -> std::rc::Rc<std::cell::Cell<bool>> {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let stopped = Rc::new(Cell::new(false));
    type Callback = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;
    let frame: Callback = Rc::new(RefCell::new(None));
    let next = frame.clone();
    let flag = stopped.clone();
    *frame.borrow_mut() = Some(Closure::new(move || {
        if flag.get() {
            drop(next.borrow_mut().take());
            return;
        }
        if TRAP_REQUESTED.with(|requested| requested.replace(false)) {
            std::process::abort();
        }
        tick();
        if let (Some(window), Some(callback)) = (web_sys::window(), next.borrow().as_ref()) {
            let _ = window.request_animation_frame(callback.as_ref().unchecked_ref());
        }
    }));
    if let (Some(window), Some(callback)) = (web_sys::window(), frame.borrow().as_ref()) {
        let _ = window.request_animation_frame(callback.as_ref().unchecked_ref());
    }
    stopped
}

/// Keeps the core's time per frame (the last 600 frames) and publishes its 50th, 95th and 99th percentiles
/// on the root element (`data-core-p95-ms` and so on), where the frame benchmark reads them.
fn record_core_time(samples: StoredValue<VecDeque<f64>, LocalStorage>, ms: f64) {
    samples.update_value(|samples| {
        samples.push_back(ms);
        if samples.len() > 600 {
            samples.pop_front();
        }
        if samples.len() % 60 == 0 {
            let mut sorted: Vec<f64> = samples.iter().copied().collect();
            crate::sim::sort::sort_by(&mut sorted, f64::total_cmp);
            let at = |percent: usize| sorted[(sorted.len() * percent / 100).min(sorted.len() - 1)];
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                for (name, percent) in [
                    ("data-core-p50-ms", 50),
                    ("data-core-p95-ms", 95),
                    ("data-core-p99-ms", 99),
                ] {
                    let _ = root.set_attribute(name, &Fixed(at(percent), 3).to_string());
                }
            }
        }
    });
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Mounts the app in the language the link, the reader's remembered choice or the browser asks for,
/// once that language's catalogue is fetched (English if that fails).
pub fn mount() {
    let (locale, _) = locale::initial();
    // Leptos's executor starts with the mount: this first task runs on wasm-bindgen's.
    wasm_bindgen_futures::spawn_local(async move {
        let mut shown = locale;
        if let Err(error) = locale::load(locale).await {
            web_sys::console::warn_1(&error.into());
            shown = Locale::En;
            if let Err(error) = locale::load(Locale::En).await {
                web_sys::console::error_1(&error.into());
            }
        }
        messages::set_locale(shown);
        locale::apply_to_document();
        leptos::mount::mount_to_body(App);
    });
}

/// The starting simulation: the scenario in the address bar's link, or the default one (with the link's
/// error shown).
fn initial_simulation() -> (Simulation, bool, Option<String>) {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let default = || {
        Simulation::from_json(DEFAULT_SCENARIO)
            .unwrap_or_else(|_| panic!("the built-in scenario is valid"))
    };
    match decode_fragment(&hash) {
        Ok(Some(scenario)) => {
            let seed = scenario.scenario.seed;
            (Simulation::new(scenario, seed), true, None)
        }
        Ok(None) => (default(), false, None),
        Err(error) => (
            default(),
            false,
            Some(format!(
                "{}: {}",
                t(Msg::ErrorLink),
                crate::markup::events::input_error(&error)
            )),
        ),
    }
}

#[component]
pub fn App() -> impl IntoView {
    let (mut sim, from_link, link_error) = initial_simulation();
    let linked_lesson = lesson::linked_lesson();
    let link_error = link_error.or_else(|| {
        locale::initial()
            .1
            .map(|error| format!("{}: {error}", t(Msg::ErrorLink)))
    });
    sim.set_trace_capacity(TRACE_EVENTS);
    let view = RwSignal::new(sim.view());
    let ui = Ui {
        panel_view: RwSignal::new(sim.view()),
        picture_view: RwSignal::new(sim.view()),
        picture_due: StoredValue::new_local(false),
        table_view: RwSignal::new(sim.view()),
        table_due: StoredValue::new_local(false),
        table_next: StoredValue::new_local(0),
        topic_view: RwSignal::new(sim.view()),
        topic_due: StoredValue::new_local(false),
        panel_round: StoredValue::new_local(0),
        last_panel_ms: StoredValue::new_local(0.0),
        sim: StoredValue::new_local(sim),
        view,
        events: RwSignal::new(VecDeque::new()),
        history: RwSignal::new(VecDeque::new()),
        stories: RwSignal::new(crate::markup::story::Book::default()),
        cursor: RwSignal::new(0),
        state: RwSignal::new(UiState {
            example: (!from_link).then_some(EXAMPLES[0].0),
            // A first visit lands on the lesson menu; a link to a scenario or a lesson opens that directly.
            menu_open: !from_link && linked_lesson.is_none() && !lesson::visited(),
            progress: lesson::stored_progress(),
            ..UiState::default()
        }),
        behind: RwSignal::new(None),
        memory_pause: RwSignal::new(None),
        error: RwSignal::new(link_error),
        pending: StoredValue::new_local(None),
        settling: StoredValue::new_local(None),
        link_too_long: RwSignal::new(None),
        locale: RwSignal::new(messages::locale()),
        lessons: RwSignal::new(None),
        lesson: RwSignal::new(None),
        snapshots: StoredValue::new_local(Vec::new()),
    };
    provide_context(ui);
    lesson::load_index(ui);
    match linked_lesson {
        Some((id, Ok(step))) => {
            ui.state.update(|s| {
                s.lesson = Some(crate::state::LessonAt {
                    id: id.clone(),
                    step,
                    steps: 0,
                    started_us: vec![0],
                    reached: false,
                    learner_acts: Vec::new(),
                })
            });
            lesson::load_lesson(ui, id, step);
        }
        Some((_, Err(error))) => ui.error.set(Some(format!(
            "{}: {}",
            t(Msg::ErrorLesson),
            crate::markup::events::input_error(&error)
        ))),
        None => {}
    }
    let last_tick = StoredValue::new_local(now_ms());
    let core_ms = StoredValue::new_local(VecDeque::<f64>::new());
    let pacer = StoredValue::new_local(Pacer::default());
    // One frame of the page, `wall` ms of wall time after the last.
    let frame = move |wall: f64| {
        if ui.install() {
            // A new simulation starts from the pacer's first slice size, not the size the last run grew to.
            pacer.set_value(Pacer::default());
            return;
        }
        if ui.settle() {
            return;
        }
        if ui.state.with_untracked(|s| s.playing) {
            if ui.memory_pause.get_untracked().is_some() {
                // The learner went on (or took a way out): the notice goes until the next pause.
                ui.memory_pause.set(None);
            }
            if let crate::budget::Verdict::Pause { live, last } = memory::check() {
                ui.state.update(|s| s.playing = false);
                let exact_time = ui.sim.with_value(|sim| sim.scenario().time_quantum_ms == 0);
                ui.memory_pause
                    .set(Some(crate::markup::panels::memory_notice(
                        live, last, exact_time,
                    )));
            }
        }
        if !ui.state.with_untracked(|s| s.playing) {
            pacer.update_value(Pacer::forgive);
            if ui.behind.get_untracked().is_some() {
                ui.behind.set(None);
            }
            return;
        }
        let speed = 10f64.powf(ui.state.with_untracked(|s| s.speed_log));
        let started = now_ms();
        let mut ran = 0;
        // In a lesson, the step's check is looked at every 100 ms of simulated time, as `lesson::play`
        // does, so that a state that holds only for a moment is seen at any speed; the run pauses there.
        let check = lesson::pending_check(ui);
        let mut held = false;
        ui.sim.update_value(|sim| {
            pacer.update_value(|pacer| {
                pacer.owe(wall, speed);
                ran = pacer.run(core_budget_ms(speed), now_ms, |slice| {
                    if held {
                        // The rest of the frame's time is dropped: the run pauses at the check.
                        return slice;
                    }
                    let before = sim.now_us();
                    let Some((_, check)) = &check else {
                        sim.advance_toward(before + slice, MAX_EVENTS_PER_SLICE);
                        return sim.now_us() - before;
                    };
                    while sim.now_us() < before + slice && !held {
                        let to = (sim.now_us() + lesson::CHECK_EVERY_US).min(before + slice);
                        sim.advance_toward(to, MAX_EVENTS_PER_SLICE);
                        held = check.holds(&sim.view());
                    }
                    sim.now_us() - before
                });
            });
        });
        if let (true, Some((step, _))) = (held, check) {
            ui.dispatch(Action::StepReached(step));
            // Paused on the moment: every panel shows it now.
            ui.refresh();
            return;
        }
        record_core_time(core_ms, now_ms() - started);
        // Shown once the speed reached has stayed under 90% of the chosen one for a second.
        let reached = pacer
            .try_update_value(|pacer| pacer.effective_speed(wall, ran))
            .flatten();
        let behind = reached
            .filter(|reached| *reached < 0.9 * speed)
            .map(|reached| (reached * 10.0).round() / 10.0);
        if behind != ui.behind.get_untracked() {
            ui.behind.set(behind);
        }
        ui.refresh_with(false);
    };
    let stop = start_animation(move || {
        let now = now_ms();
        let wall = (now - last_tick.get_value()).clamp(0.0, MAX_TICK_WALL_MS);
        last_tick.set_value(now);
        frame(wall);
    });
    let stop = StoredValue::new_local(stop);
    TEST_FRAMES.with(|hook| {
        *hook.borrow_mut() = Some(std::rc::Rc::new(move |frames| {
            for _ in 0..frames {
                frame(MAX_TICK_WALL_MS);
            }
            ui.refresh();
        }))
    });
    on_cleanup(move || {
        stop.with_value(|flag| flag.set(true));
        TEST_FRAMES.with(|hook| hook.borrow_mut().take());
    });

    let on_key = move |ev: web_sys::KeyboardEvent| {
        let typing = ev
            .target()
            .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
            .is_some_and(|element| {
                matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            });
        if typing {
            return;
        }
        let action = match ev.key().as_str() {
            " " => Action::PlayPause,
            "ArrowRight" => Action::Step,
            "+" | "=" => Action::Faster(1),
            "-" | "_" => Action::Faster(-1),
            "?" => Action::ToggleHelp,
            "Escape" => Action::Dismiss,
            _ => return,
        };
        if action == Action::PlayPause {
            ev.prevent_default();
        }
        ui.dispatch(action);
    };
    let handle = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || handle.remove());

    // The page is mounted into the app's element, and mounted again when the language changes: the
    // simulation, its clock and the signals above (owned by the app) are kept. Mounting anew, rather than
    // a reactive view that rebuilds, keeps the wasm module small (no rebuild code for the whole page).
    let page = move || {
        provide_context(ui);
        let help_open = Memo::new(move |_| ui.state.with(|s| s.help_open));
        view! {
            <header class="ks-header">
                <h1>{t(Msg::Title)}</h1>
                <p class="ks-subtitle">{t(Msg::Subtitle)}</p>
                <div class="ks-transport"><controls::Transport /></div>
                <button type="button" class="ks-lessons-button" data-testid="lessons" title=t(Msg::LessonsOpenTip)
                    on:click=move |_| ui.dispatch(Action::OpenMenu)>{t(Msg::LessonsOpen)}</button>
            </header>
            <lesson::LessonMenu />
            <div class="ks-notices" on:click=move |ev| ui.act(ev.target())
                inner_html=move || crate::markup::panels::notices(ui.error.get().as_deref(), ui.memory_pause.get().as_deref(), help_open.get())></div>
            <div class="ks-stage">
                <div class="ks-main">
                    <picture::Picture />
                    // Reserved for the timeline bar (time travel), under the picture.
                    <div class="ks-timeline-slot" data-testid="timeline-slot"></div>
                    <picture::Selection />
                    <panels::World />
                </div>
                <aside class="ks-side" data-testid="side-panel" aria-label=t(Msg::ControlsTitle)>
                    // Reserved for the lesson panel (guided lessons), beside the picture.
                    <div class="ks-lesson-slot" data-testid="lesson-slot"><lesson::LessonPlayer /></div>
                    <controls::Controls />
                </aside>
            </div>
            <story::Rebalances />
            <div class="ks-columns">
                <panels::GroupTables />
                <panels::Charts />
            </div>
            <div class="ks-columns">
                <panels::TopicTable />
                <panels::EventLog />
            </div>
            <panels::ScenarioPanel />
        }
    };
    let root = NodeRef::<leptos::html::Main>::new();
    // The mounted page's handle (dropping it unmounts the page), held as `Any`: naming its type would take
    // `.into_any()`, whose server-rendering code cost 7.3 KB gzipped.
    let mounted = StoredValue::new_local(None::<Box<dyn std::any::Any>>);
    Effect::new(move |_| {
        ui.locale.track();
        if let Some(root) = root.get() {
            // Unmounts the page in the old language first.
            mounted.set_value(None);
            mounted.set_value(Some(Box::new(leptos::mount::mount_to(root, page))));
        }
    });
    view! { <main class="ks-app" node_ref=root></main> }
}
