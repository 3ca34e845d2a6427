//! The guided lessons in the page: the menu (`data-testid=lesson-menu`), grouped as the syllabus is, with
//! each lesson's progress, and the player (`data-testid=lesson`): narration in the page's language, step
//! dots, back (the run rewinds to where the step began), next, "show me", the step's check live in words,
//! its highlights on the picture, and on the last step the run's summary and the "try it on real Kafka"
//! block. Lesson files and the menu's index are data, fetched when needed (`public/lessons/`,
//! `public/lesson-index.json`); the progress is kept in the browser's storage.

use super::locale::{self, storage};
use super::Ui;
use crate::lesson::{By, Entry, Lesson};
use crate::markup::action::{Action, Snippet, Target};
use crate::messages::{self, t, Msg};
use crate::sim::config::{field, Code, InputError, Problem};
use crate::sim::Simulation;
use crate::state::{progress_of, progress_text, LessonAt, Progress};
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

const PROGRESS_KEY: &str = "kafka-sim.progress";
const VISITED_KEY: &str = "kafka-sim.visited";

/// The lessons' progress as the browser keeps it.
pub fn stored_progress() -> BTreeMap<String, Progress> {
    storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .map(|text| progress_of(&text))
        .unwrap_or_default()
}

pub fn save_progress(progress: &BTreeMap<String, Progress>) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(PROGRESS_KEY, &progress_text(progress));
    }
}

/// Whether this browser has been here before (the menu opens by itself only the first time).
pub fn visited() -> bool {
    storage()
        .and_then(|s| s.get_item(VISITED_KEY).ok().flatten())
        .is_some()
}

pub fn mark_visited() {
    if let Some(storage) = storage() {
        let _ = storage.set_item(VISITED_KEY, "1");
    }
}

/// The lesson and step (0-based) a link asks for: `?lesson=ID&step=N`, N from 1.
pub fn linked_lesson() -> Option<(String, Result<usize, InputError>)> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let id = params.get("lesson")?;
    let step = match params.get("step") {
        None => Ok(0),
        Some(text) => match text.parse::<usize>() {
            Ok(step) if step >= 1 => Ok(step - 1),
            _ => Err(InputError::of(
                "step",
                Problem::new(
                    Code::BadInteger,
                    vec![
                        field("value", format_args!("{text:?}")),
                        field("min", 1),
                        field("max", crate::lesson::MAX_STEPS),
                    ],
                ),
            )),
        },
    };
    Some((id, step))
}

/// Fetches the menu's index (once).
pub fn load_index(ui: Ui) {
    if ui.lessons.with_untracked(Option::is_some) {
        return;
    }
    leptos::task::spawn_local(async move {
        match locale::fetch_text("lesson-index.json")
            .await
            .and_then(|text| crate::lesson::index_from_json(&text))
        {
            Ok(index) => ui.lessons.set(Some(Arc::new(index))),
            Err(error) => web_sys::console::warn_1(&format!("lesson-index.json: {error}").into()),
        }
    });
}

/// A lesson id as the link or the menu gives it, checked against the index before anything is fetched.
fn check_id(id: &str, index: &[Entry]) -> Result<(), InputError> {
    if index.iter().any(|entry| entry.id == id) {
        return Ok(());
    }
    let known: Vec<&str> = index.iter().map(|entry| entry.id.as_str()).collect();
    Err(InputError::of(
        "lesson",
        Problem::new(
            Code::BadValue,
            vec![
                field("value", format_args!("{id:?}")),
                field("allowed", known.join(", ")),
            ],
        ),
    ))
}

/// Fetches lesson `id` and its scenario, plays it to the start of `step` as "show me" would, and installs
/// the run; a bad id or step, or a file that does not load, shows an error and leaves the sandbox running.
pub fn load_lesson(ui: Ui, id: String, step: usize) {
    leptos::task::spawn_local(async move {
        let loaded = async {
            let index = match ui.lessons.get_untracked() {
                Some(index) => index,
                None => Arc::new(
                    locale::fetch_text("lesson-index.json")
                        .await
                        .and_then(|text| crate::lesson::index_from_json(&text))
                        .map_err(|e| format!("lesson-index.json: {e}"))?,
                ),
            };
            ui.lessons.set(Some(index.clone()));
            check_id(&id, &index).map_err(|e| crate::markup::events::input_error(&e))?;
            let text = locale::fetch_text(&format!("lessons/{id}.json")).await?;
            let lesson =
                Lesson::from_json(&text).map_err(|e| format!("{}: {}", e.path, e.message))?;
            if step >= lesson.steps.len() {
                let error = InputError::of(
                    "step",
                    Problem::new(
                        Code::BadInteger,
                        vec![
                            field("value", step + 1),
                            field("min", 1),
                            field("max", lesson.steps.len()),
                        ],
                    ),
                );
                return Err(crate::markup::events::input_error(&error));
            }
            let scenario =
                locale::fetch_text(&format!("scenarios/{}.json", lesson.scenario)).await?;
            let mut sim = Simulation::from_json(&scenario)
                .map_err(|e| crate::markup::events::input_error(&e))?;
            let reached = crate::lesson::play_steps(&lesson, &mut sim, step)?;
            Ok::<_, String>((lesson, sim, reached))
        }
        .await;
        match loaded {
            Ok((lesson, sim, reached)) => {
                let steps = lesson.steps.len();
                let learner_acts: Vec<bool> = lesson
                    .steps
                    .iter()
                    .map(|s| s.action.as_ref().is_some_and(|a| a.by == By::Learner))
                    .collect();
                ui.snapshots.set_value(Vec::new());
                ui.install_simulation(sim, None);
                ui.lesson.set(Some(Arc::new(lesson)));
                // A first step that asks the learner to act waits for it.
                let playing = !learner_acts.get(step).copied().unwrap_or(false);
                ui.state.update(|s| {
                    s.playing = playing;
                    let mut started_us = vec![0];
                    started_us.extend(reached.iter().map(|ms| ms * 1000));
                    s.lesson = Some(LessonAt {
                        id: id.clone(),
                        step,
                        steps,
                        started_us,
                        reached: false,
                        learner_acts,
                    });
                });
                ui.carry_out(crate::state::Effect::EnterStep(step));
            }
            Err(error) => {
                ui.error
                    .set(Some(format!("{}: {error}", t(Msg::ErrorLesson))));
                ui.state.update(|s| s.lesson = None);
            }
        }
    });
}

/// Step `step` begins: a snapshot is kept for "back", and the lesson's own action for it runs.
pub fn enter_step(ui: Ui, step: usize) {
    let snapshot = ui.sim.with_value(Simulation::snapshot);
    ui.snapshots.update_value(|snapshots| {
        snapshots.retain(|s| s.now_us() < snapshot.now_us());
        snapshots.push(snapshot);
    });
    if let Some(command) = action_of(ui, step, By::Lesson) {
        ui.command(command);
    }
}

/// Step `step`'s action for the learner ("show me").
pub fn show_me(ui: Ui, step: usize) {
    if let Some(command) = action_of(ui, step, By::Learner) {
        ui.command(command);
    }
}

fn action_of(ui: Ui, step: usize, by: By) -> Option<crate::sim::Command> {
    ui.lesson.with_untracked(|lesson| {
        let action = lesson.as_ref()?.steps.get(step)?.action.as_ref()?;
        (action.by == by).then(|| action.command().ok()).flatten()
    })
}

/// Rewinds the run to `t_us`: the latest snapshot kept at or before it, run on to it.
pub fn rewind(ui: Ui, t_us: u64) {
    let snapshot = ui.snapshots.with_value(|snapshots| {
        snapshots
            .iter()
            .rev()
            .find(|s| s.now_us() <= t_us)
            .map(|s| s.resume())
    });
    match snapshot {
        Some(mut sim) => {
            sim.advance_to(t_us);
            ui.install_simulation(sim, None);
        }
        // No snapshot so early (a link opened at a later step): play the lesson again to that step.
        None => {
            let at = ui.state.with_untracked(|s| s.lesson.clone());
            if let Some(at) = at {
                load_lesson(ui, at.id, at.step);
            }
        }
    }
}

/// Copies a piece of the "try it on real Kafka" block to the clipboard.
pub fn copy(ui: Ui, snippet: Snippet) {
    let text = ui.lesson.with_untracked(|lesson| {
        let real = &lesson.as_ref()?.real_kafka;
        match snippet {
            Snippet::Command(index) => real.commands.get(index).cloned(),
            Snippet::Script => Some(real.python.clone()),
        }
    });
    if let (Some(text), Some(window)) = (text, web_sys::window()) {
        let _ = window.navigator().clipboard().write_text(&text);
    }
}

/// How often the page looks at a lesson step's check, in simulated µs (as `lesson::play` does).
pub const CHECK_EVERY_US: u64 = 100_000;

/// The current step and its check, while it has not held yet.
pub fn pending_check(ui: Ui) -> Option<(usize, crate::lesson::Check)> {
    let step = ui
        .state
        .with_untracked(|s| s.lesson.as_ref().filter(|at| !at.reached).map(|at| at.step))?;
    ui.lesson
        .with_untracked(|lesson| Some((step, lesson.as_ref()?.steps.get(step)?.check.clone())))
}

/// The current step's highlights, as targets (the lesson file's are checked when it loads).
pub fn highlights(ui: Ui) -> Vec<Target> {
    let step = ui.state.with(|s| s.lesson.as_ref().map(|at| at.step));
    ui.lesson.with(|lesson| {
        step.and_then(|step| lesson.as_ref()?.steps.get(step))
            .map(|step| {
                step.highlight
                    .iter()
                    .filter_map(|h| Target::decode(h))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The lesson menu, over the running page (it never pauses it): the lessons by part, each with its
/// progress, "start here" on the first, and the way to the free sandbox (`markup::lesson::menu`).
#[component]
pub fn LessonMenu() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let open = Memo::new(move |_| ui.state.with(|s| s.menu_open));
    let html = Memo::new(move |_| {
        ui.lessons.with(|index| {
            ui.state.with(|s| {
                crate::markup::lesson::menu(
                    index.as_deref().map(Vec::as_slice),
                    &s.progress,
                    messages::locale(),
                )
            })
        })
    });
    view! {
        <Show when=move || open.get()>
            <div class="ks-menu" role="dialog" aria-labelledby="ks-menu-title" data-testid="lesson-menu">
                <div class="ks-menu-head">
                    <h2 id="ks-menu-title">{t(Msg::LessonMenuTitle)}</h2>
                    <button type="button" data-testid="lesson-menu-close" aria-keyshortcuts="Escape"
                        on:click=move |_| ui.dispatch(Action::CloseMenu)>{format!("{} →", t(Msg::LessonMenuClose))}</button>
                </div>
                <p class="ks-small-text">{t(Msg::LessonMenuIntro)}</p>
                <div class="ks-menu-parts" inner_html=move || html.get() on:click=move |ev| ui.act(ev.target())></div>
            </div>
        </Show>
    }
}

/// The lesson player, beside the picture (a bottom sheet on a phone): the step and its buttons are markup
/// (`markup::lesson`) written when the step changes, the check's words a text updated live, so nothing is
/// replaced under the pointer while the run goes on.
#[component]
pub fn LessonPlayer() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let at = Memo::new(move |_| ui.state.with(|s| s.lesson.clone()));
    // The lesson's file, once loaded for the lesson being played.
    let lesson = move || {
        let id = at.with(|at| at.as_ref().map(|at| at.id.clone()))?;
        ui.lesson.get().filter(|lesson| lesson.id == id)
    };
    let step = Memo::new(move |_| match (at.get(), lesson()) {
        (Some(at), Some(lesson)) => crate::markup::lesson::step(&lesson, &at, messages::locale()),
        _ => format!("<p>{}</p>", crate::markup::escape(t(Msg::LessonLoading))),
    });
    let buttons = Memo::new(move |_| match (at.get(), lesson()) {
        (Some(at), Some(lesson)) => crate::markup::lesson::buttons(&lesson, &at),
        _ => String::new(),
    });
    // The end, once the last step's check held, with the run's numbers at that moment.
    let finish = Memo::new(move |_| match (at.get(), lesson()) {
        (Some(at), Some(lesson)) if at.reached && at.step + 1 == at.steps => {
            let summary = ui.panel_view.with_untracked(|v| {
                crate::lesson::summary(lesson.summary.get(messages::locale()), v)
            });
            crate::markup::lesson::finish(&lesson, &summary)
        }
        _ => String::new(),
    });
    // The step's check, live: its conditions in words, and whether they hold (the frames decide when the
    // step is reached: they look at every 100 ms of simulated time, not only at what the panels show).
    let check = Memo::new(move |_| {
        let (id, step) = at.with(|at| at.as_ref().map(|at| (at.id.clone(), at.step)))?;
        ui.lesson.with(|lesson| {
            let lesson = lesson.as_ref().filter(|lesson| lesson.id == id)?;
            let check = &lesson.steps.get(step)?.check;
            ui.panel_view.with(|v| {
                let conditions = check.conditions(v);
                let holds = conditions.iter().all(|c| c.holds());
                let words: Vec<String> = conditions
                    .iter()
                    .map(crate::markup::lesson::condition_words)
                    .collect();
                Some((holds, words.join(" · ")))
            })
        })
    });
    // On a narrow screen the player is a bottom sheet: the step's first highlight is scrolled above it.
    Effect::new(move |_| {
        at.with(|at| at.as_ref().map(|at| at.step));
        let narrow = web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .is_some_and(|width| width < 700.0);
        if narrow {
            if let Some(element) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(".ks-pulse").ok().flatten())
            {
                element.scroll_into_view_with_bool(true);
            }
        }
    });
    let held = move || at.with(|at| at.as_ref().is_some_and(|at| at.reached));
    let words = move || {
        let reached = held();
        check.with(|c| {
            c.as_ref().map(|(_, words)| {
                format!(
                    "{}: {words}",
                    t(if reached {
                        Msg::LessonHeld
                    } else {
                        Msg::LessonWaiting
                    })
                )
            })
        })
    };
    view! {
        <Show when=move || at.with(Option::is_some)>
            <section class="ks-panel ks-lesson" data-testid="lesson" aria-label=t(Msg::LessonsOpen)
                on:click=move |ev| ui.act(ev.target())>
                <div inner_html=move || step.get()></div>
                <p class="ks-lesson-check" data-testid="lesson-check" aria-live="polite"
                    data-held=move || held().to_string()>{words}</p>
                <div inner_html=move || buttons.get()></div>
                <div inner_html=move || finish.get()></div>
            </section>
        </Show>
    }
}
