//! Guided lessons (`kafka_sim::lesson`, `public/lessons/`): every lesson file loads, and played as "show
//! me" on every step plays it, every step's check is reached, in order, within its time limit. Bad lesson
//! files get field-named errors.
// Native only: these drive the core and the CLI on the host (tests/web.rs is the browser suite).
#![cfg(not(target_arch = "wasm32"))]

use kafka_sim::lesson::{play, summary, Lesson};
use std::path::Path;

fn lessons() -> Vec<(String, Lesson)> {
    let mut files: Vec<_> = std::fs::read_dir("public/lessons")
        .expect("public/lessons")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            let lesson =
                Lesson::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let id = path.file_stem().unwrap().to_string_lossy().to_string();
            (id, lesson)
        })
        .collect()
}

fn scenario(lesson: &Lesson) -> String {
    let path = Path::new("public/scenarios").join(format!("{}.json", lesson.scenario));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_lesson_is_reached_step_by_step() {
    let lessons = lessons();
    assert!(lessons.len() >= 21, "{} lessons", lessons.len());
    let mut orders = Vec::new();
    for (id, lesson) in &lessons {
        assert_eq!(&lesson.id, id, "a lesson's id is its file name");
        orders.push(lesson.order);
        let (reached, sim) =
            play(lesson, &scenario(lesson)).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(reached.len(), lesson.steps.len(), "{id}");
        assert!(
            reached.windows(2).all(|w| w[0] <= w[1]),
            "{id}: {reached:?}"
        );
        // The summary's placeholders are all filled from the run, in both languages.
        for text in [&lesson.summary.en, &lesson.summary.zh_cn] {
            let filled = summary(text, &sim.view());
            assert!(!filled.contains('{'), "{id}: {filled}");
        }
    }
    orders.sort_unstable();
    orders.dedup();
    assert_eq!(
        orders.len(),
        lessons.len(),
        "every lesson has its own place in the menu"
    );
}

#[test]
fn a_check_that_does_not_hold_fails_its_step() {
    let (_, mut lesson) = lessons()
        .into_iter()
        .find(|(id, _)| id == "broadcast")
        .expect("the broadcast lesson");
    lesson.steps[1].check = serde_json::from_str(
        r#"{"kind": "processed_at_least", "group": "email_group", "value": 1000000}"#,
    )
    .unwrap();
    lesson.steps[1].within_ms = 5_000;
    let error = play(&lesson, &scenario(&lesson)).err().expect("fails");
    assert!(error.starts_with("steps[1].check"), "{error}");
}

#[test]
fn bad_lessons_get_field_named_errors() {
    let good = std::fs::read_to_string("public/lessons/buffering.json").unwrap();
    let cases = [
        (good.replace("\"version\": 1", "\"version\": 2"), "version"),
        (
            good.replace("\"id\": \"buffering\"", "\"id\": \"Buffering!\""),
            "id",
        ),
        (
            good.replace("\"kind\": \"lag_at_least\"", "\"kind\": \"lag_above\""),
            "steps[1].check",
        ),
        // A field another kind has is refused too (each kind has exactly its own fields).
        (
            good.replace(
                "\"kind\": \"lag_at_least\"",
                "\"kind\": \"lag_at_least\", \"producer\": \"p\"",
            ),
            "steps[1].check",
        ),
        (
            good.replace("\"action\": \"crash_consumer\"", "\"action\": \"explode\""),
            "steps[1].action.do",
        ),
        (
            good.replace("\"part\": \"core_concepts\"", "\"part\": \"misc\""),
            "part",
        ),
        (
            good.replace("\"within_ms\": 30000", "\"within_ms\": 0"),
            "steps[0].within_ms",
        ),
        (
            good.replacen("\"group:email_group\"", "\"cluster\"", 1),
            "steps[0].highlight[0]",
        ),
    ];
    for (text, path) in cases {
        assert_ne!(text, good, "{path}: not replaced");
        let error = Lesson::from_json(&text).expect_err("refused");
        assert!(error.path.starts_with(path), "{path}: {error}");
    }
    let long = good.replacen(
        "\"en\": \"The email service keeps up",
        &format!("\"en\": \"{}The email service keeps up", "word ".repeat(80)),
        1,
    );
    assert_eq!(
        Lesson::from_json(&long).err().unwrap().path,
        "steps[0].text.en"
    );
    // A correction box has the narration's bounds.
    let corrected = good.replacen(
        "\"check\": {",
        &format!(
            "\"correction\": {{\"en\": \"{}\", \"zh-CN\": \"勘误\"}}, \"check\": {{",
            "word ".repeat(80)
        ),
        1,
    );
    assert_eq!(
        Lesson::from_json(&corrected).err().unwrap().path,
        "steps[0].correction.en"
    );
}

#[test]
fn the_menu_index_lists_every_lesson_as_its_file_says() {
    let lessons: Vec<Lesson> = lessons().into_iter().map(|(_, lesson)| lesson).collect();
    let written =
        std::fs::read_to_string("public/lesson-index.json").expect("public/lesson-index.json");
    assert_eq!(
        written,
        kafka_sim::lesson::index_json(&lessons),
        "public/lesson-index.json is stale: write it again with `cargo run -- lesson index > public/lesson-index.json`"
    );
    let index = kafka_sim::lesson::index_from_json(&written).expect("the page reads it");
    assert_eq!(index.len(), lessons.len());
    assert_eq!(index[0].order, 1, "lesson 1 starts the menu");
}

#[test]
fn a_lesson_played_to_a_step_stops_where_that_step_begins() {
    let (_, lesson) = lessons()
        .into_iter()
        .find(|(id, _)| id == "offsets")
        .expect("the offsets lesson");
    let mut sim = kafka_sim::sim::Simulation::from_json(&scenario(&lesson)).expect("valid");
    let reached = kafka_sim::lesson::play_steps(&lesson, &mut sim, 2).expect("plays");
    assert_eq!(reached.len(), 2);
    // The third step's check is still ahead, and each condition names its subject and value.
    let conditions = lesson.steps[2].check.conditions(&sim.view());
    assert!(!conditions.is_empty());
    assert!(conditions.iter().all(|c| c.now.is_some()), "{conditions:?}");
    assert_eq!(
        lesson.steps[2].check.holds(&sim.view()),
        conditions.iter().all(|c| c.holds())
    );
}
