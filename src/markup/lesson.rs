//! The lessons' markup: the menu (the lessons by part, each with its progress), the player's step (title,
//! step dots, narration, correction, its buttons) and its end (the run's summary and the "try it on real
//! Kafka" block), and a step's check in words, live ("email_group lag ≤ 2 — now 37"). Pure, in the
//! current language; every click is a `data-action` (`ui::Ui::act`).

use super::action::{Action, Snippet};
use super::Markup;
use crate::lesson::{Bound, By, Condition, Entry, Lesson, Measure, Part};
use crate::messages::{fill, t, Locale, Msg};
use crate::sim::num::Shortest;
use crate::state::{LessonAt, Progress};
use std::collections::BTreeMap;

fn part_name(part: Part) -> Msg {
    match part {
        Part::WhyKafka => Msg::PartWhyKafka,
        Part::CoreConcepts => Msg::PartCoreConcepts,
        Part::GroupsAndOffsets => Msg::PartGroupsAndOffsets,
        Part::FlowControl => Msg::PartFlowControl,
        Part::Reliability => Msg::PartReliability,
        Part::Operations => Msg::PartOperations,
    }
}

/// The menu's lessons, by part (`None` while the index is being fetched), each a button that opens it
/// (`lesson-open-ID`, its `data-state`), "start here" on lesson 1.
pub fn menu(
    index: Option<&[Entry]>,
    progress: &BTreeMap<String, Progress>,
    locale: Locale,
) -> String {
    let mut m = Markup::with_capacity(8 * 1024);
    let Some(index) = index else {
        m.open("p").text(t(Msg::LessonLoading));
        return m.into_string();
    };
    for part in Part::ALL {
        m.open("section")
            .attr("class", "ks-menu-part")
            .children(|m| {
                m.open("h3").text(t(part_name(part)));
                m.open("ol").children(|m| {
                    for entry in index.iter().filter(|e| e.part == part) {
                        let state = progress.get(&entry.id).copied();
                        m.open("li").children(|m| {
                            m.open("button")
                                .attr("type", "button")
                                .attr("class", "ks-menu-lesson")
                                .attr("data-testid", format_args!("lesson-open-{}", entry.id))
                                .attr("data-state", state.map_or("not-started", Progress::encode))
                                .action(&Action::OpenLesson(entry.id.clone()))
                                .children(|m| {
                                    m.open("span")
                                        .attr("class", "ks-menu-order")
                                        .text(entry.order);
                                    m.open("span")
                                        .attr("class", "ks-menu-name")
                                        .text(entry.title.get(locale));
                                    if entry.order == 1 {
                                        m.open("span")
                                            .attr("class", "ks-menu-start")
                                            .attr("data-testid", "lesson-start-here")
                                            .text(t(Msg::LessonStartHere));
                                    }
                                    m.open("span").attr("class", "ks-menu-state").text(t(
                                        match state {
                                            None => Msg::LessonNotStarted,
                                            Some(Progress::InProgress) => Msg::LessonInProgress,
                                            Some(Progress::Done) => Msg::LessonDone,
                                        },
                                    ));
                                });
                        });
                    }
                });
            });
    }
    m.into_string()
}

fn button(m: &mut Markup, action: Action, testid: &'static str, label: &str, enabled: bool) {
    let open = m
        .open("button")
        .attr("type", "button")
        .attr("data-testid", testid)
        .action(&action);
    let open = if enabled {
        open
    } else {
        open.attr("disabled", "")
    };
    open.text(label);
}

/// The player's step: the lesson's title, "step N of M" with a dot per step (the steps ahead disabled),
/// the narration and the correction box, if the step has one.
pub fn step(lesson: &Lesson, at: &LessonAt, locale: Locale) -> String {
    let mut m = Markup::with_capacity(2048);
    let Some(step) = lesson.steps.get(at.step) else {
        return String::new();
    };
    m.open("h2")
        .attr("data-testid", "lesson-title")
        .text(lesson.title.get(locale));
    m.open("div")
        .attr("class", "ks-lesson-steps")
        .children(|m| {
            m.open("span")
                .attr("class", "ks-small-text")
                .attr("data-testid", "lesson-step")
                .text(fill(
                    t(Msg::LessonStepOf),
                    &[("n", &(at.step + 1)), ("total", &at.steps)],
                ));
            m.open("span").attr("class", "ks-dots").children(|m| {
                for n in 0..at.steps {
                    let state = match n.cmp(&at.step) {
                        std::cmp::Ordering::Less => "done",
                        std::cmp::Ordering::Equal => "current",
                        std::cmp::Ordering::Greater => "ahead",
                    };
                    let open = m
                        .open("button")
                        .attr("type", "button")
                        .attr("class", "ks-step-dot")
                        .attr("data-state", state)
                        .attr("data-testid", format_args!("lesson-dot-{}", n + 1))
                        .attr(
                            "aria-label",
                            fill(t(Msg::LessonStepDot), &[("n", &(n + 1))]),
                        )
                        .action(&Action::GoToStep(n));
                    let open = if n == at.step {
                        open.attr("aria-current", "step")
                    } else if n > at.step {
                        open.attr("disabled", "")
                    } else {
                        open
                    };
                    open.text("");
                }
            });
        });
    m.open("p")
        .attr("class", "ks-lesson-text")
        .attr("data-testid", "lesson-text")
        .text(step.text.get(locale));
    if let Some(correction) = &step.correction {
        m.open("aside")
            .attr("class", "ks-correction")
            .attr("data-testid", "lesson-correction")
            .children(|m| {
                m.open("strong").text(t(Msg::LessonCorrection));
                m.text(" ").text(correction.get(locale));
            });
    }
    m.into_string()
}

/// The player's buttons: back (rewinds), show me (when the step has the learner's action), next (once the
/// check held; not on the last step), and the menu and the way out of the lesson.
pub fn buttons(lesson: &Lesson, at: &LessonAt) -> String {
    let mut m = Markup::with_capacity(1024);
    let learner_action = lesson
        .steps
        .get(at.step)
        .and_then(|step| step.action.as_ref())
        .is_some_and(|action| action.by == By::Learner);
    m.open("div").attr("class", "ks-buttons").children(|m| {
        button(
            m,
            Action::GoToStep(at.step.saturating_sub(1)),
            "lesson-back",
            &format!("← {}", t(Msg::LessonBack)),
            at.step > 0,
        );
        if learner_action {
            button(
                m,
                Action::ShowMe,
                "lesson-show-me",
                t(Msg::LessonShowMe),
                true,
            );
        }
        if at.step + 1 < at.steps {
            button(
                m,
                Action::GoToStep(at.step + 1),
                "lesson-next",
                &format!("{} →", t(Msg::LessonNext)),
                at.reached,
            );
        }
    });
    m.open("div")
        .attr("class", "ks-buttons ks-lesson-foot")
        .children(|m| {
            button(
                m,
                Action::OpenMenu,
                "lesson-menu-open",
                t(Msg::LessonMenu),
                true,
            );
            button(
                m,
                Action::ExitLesson,
                "lesson-exit",
                t(Msg::LessonExit),
                true,
            );
        });
    m.into_string()
}

/// The lesson's end: the summary (`summary`, filled from the run) and the "try it on real Kafka" block,
/// each command and the script with a copy button.
pub fn finish(lesson: &Lesson, summary: &str) -> String {
    let mut m = Markup::with_capacity(4096);
    m.open("div")
        .attr("class", "ks-lesson-summary")
        .attr("data-testid", "lesson-summary")
        .children(|m| {
            m.open("h3").text(t(Msg::LessonSummary));
            m.open("p").text(summary);
        });
    m.open("div")
        .attr("class", "ks-real-kafka")
        .attr("data-testid", "lesson-real-kafka")
        .children(|m| {
            m.open("h3").text(t(Msg::LessonRealKafka));
            m.open("ol").attr("class", "ks-commands").children(|m| {
                for (index, command) in lesson.real_kafka.commands.iter().enumerate() {
                    m.open("li").children(|m| {
                        m.open("pre").children(|m| {
                            m.open("code").text(command);
                        });
                        m.open("button")
                            .attr("type", "button")
                            .attr("data-testid", format_args!("lesson-copy-{index}"))
                            .action(&Action::Copy(Snippet::Command(index)))
                            .text(t(Msg::LessonCopy));
                    });
                }
            });
            m.open("h4").text(t(Msg::LessonScript));
            m.open("pre").children(|m| {
                m.open("code").text(&lesson.real_kafka.python);
            });
            m.open("button")
                .attr("type", "button")
                .attr("data-testid", "lesson-copy-script")
                .action(&Action::Copy(Snippet::Script))
                .text(t(Msg::LessonCopy));
        });
    m.into_string()
}

fn measure_name(measure: Measure) -> &'static str {
    t(match measure {
        Measure::Time => Msg::MeasureTime,
        Measure::Lag => Msg::MeasureLag,
        Measure::Processed => Msg::MeasureProcessed,
        Measure::Duplicated => Msg::MeasureDuplicated,
        Measure::Missed => Msg::MeasureMissed,
        Measure::Generation => Msg::MeasureGeneration,
        Measure::IdleMembers => Msg::MeasureIdleMembers,
        Measure::Lost => Msg::MeasureLost,
        Measure::Failed => Msg::MeasureFailed,
        Measure::WrittenTwice => Msg::MeasureWrittenTwice,
        Measure::LogEnd => Msg::MeasureLogEnd,
        Measure::Leader => Msg::MeasureLeader,
        Measure::Isr => Msg::MeasureIsr,
        Measure::Offline => Msg::MeasureOffline,
        Measure::Online => Msg::MeasureOnline,
        Measure::UnderReplicated => Msg::MeasureUnderReplicated,
        Measure::Fenced => Msg::MeasureFenced,
        Measure::Unfenced => Msg::MeasureUnfenced,
        Measure::SyncFailed => Msg::MeasureSyncFailed,
        Measure::SyncP50 => Msg::MeasureSyncP50,
        Measure::KafkaP50 => Msg::MeasureKafkaP50,
        Measure::DuplicateEffects => Msg::MeasureDuplicateEffects,
        Measure::RejectedDuplicates => Msg::MeasureRejectedDuplicates,
        Measure::QueuePublished => Msg::MeasureQueuePublished,
        Measure::QueueRedelivered => Msg::MeasureQueueRedelivered,
    })
}

/// A value as the player shows it: whole numbers as they are, others to a tenth; seconds for the clock.
fn value(measure: Measure, value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    match measure {
        Measure::Time => format!("{} s", Shortest(rounded)),
        _ => Shortest(rounded).to_string(),
    }
}

/// One condition in words: its subject, its measure, what it must be, and its value now.
pub fn condition_words(c: &Condition) -> String {
    let subject = if c.subject.is_empty() {
        String::new()
    } else {
        format!("{} ", c.subject)
    };
    let name = measure_name(c.measure);
    let yes_no = |v: f64| {
        t(if v == 1.0 {
            Msg::MeasureYes
        } else {
            Msg::MeasureNo
        })
    };
    let (wanted, now) = match c.bound {
        Bound::AtLeast(bound) => (
            format!("{name} ≥ {}", value(c.measure, bound)),
            c.now.map(|now| value(c.measure, now)),
        ),
        Bound::AtMost(bound) => (
            format!("{name} ≤ {}", value(c.measure, bound)),
            c.now.map(|now| value(c.measure, now)),
        ),
        Bound::Not(bound) => (
            format!("{name} ≠ {}", value(c.measure, bound)),
            c.now.map(|now| value(c.measure, now)),
        ),
        Bound::Yes => (name.to_string(), c.now.map(|now| yes_no(now).to_string())),
    };
    format!(
        "{subject}{wanted} — {} {}",
        t(Msg::LessonNow),
        now.as_deref().unwrap_or("-")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{structure, HOSTILE};

    fn lesson_with(text: &str) -> Lesson {
        let mut lesson =
            Lesson::from_json(include_str!("../../public/lessons/offsets.json")).expect("valid");
        lesson.title.en = text.into();
        lesson.steps[0].text.en = text.into();
        lesson.real_kafka.commands[0] = text.into();
        lesson.real_kafka.python = text.into();
        lesson
    }

    #[test]
    fn the_lesson_markup_escapes_what_the_lesson_says_and_every_click_is_an_action() {
        let at = LessonAt {
            id: "offsets".into(),
            step: 0,
            steps: 4,
            started_us: vec![0],
            reached: true,
            learner_acts: vec![false; 4],
        };
        let render = |lesson: &Lesson| {
            let entries = [Entry::of(lesson)];
            [
                step(lesson, &at, Locale::En),
                buttons(lesson, &at),
                finish(lesson, &lesson.title.en),
                menu(Some(&entries), &BTreeMap::new(), Locale::En),
            ]
            .concat()
        };
        let plain = render(&lesson_with("plain"));
        for testid in [
            "lesson-title",
            "lesson-dot-4",
            "lesson-next",
            "lesson-copy-0",
            "lesson-copy-script",
            "lesson-open-offsets",
        ] {
            assert!(
                plain.contains(&format!("data-testid=\"{testid}\"")),
                "{testid}"
            );
        }
        assert!(plain.contains("data-action=\"step:1\""), "{plain}");
        for hostile in HOSTILE {
            let bad = render(&lesson_with(hostile));
            assert_eq!(structure(&plain), structure(&bad), "{bad}");
            assert!(
                !bad.contains(hostile) || !hostile.contains(['<', '"', '\'']),
                "{bad}"
            );
        }
        // Next waits for the check; the steps ahead are disabled.
        let waiting = buttons(
            &lesson_with("plain"),
            &LessonAt {
                reached: false,
                ..at.clone()
            },
        );
        assert!(
            waiting.contains("data-testid=\"lesson-next\" data-action=\"step:1\" disabled"),
            "{waiting}"
        );
        assert_eq!(
            menu(None, &BTreeMap::new(), Locale::En)
                .matches("<p>")
                .count(),
            1
        );
    }

    #[test]
    fn conditions_read_as_words_with_their_value_now() {
        let lag = Condition {
            subject: "email_group".into(),
            measure: Measure::Lag,
            bound: Bound::AtMost(2.0),
            now: Some(37.0),
        };
        assert_eq!(condition_words(&lag), "email_group lag ≤ 2 — now 37");
        let clock = Condition {
            subject: String::new(),
            measure: Measure::Time,
            bound: Bound::AtLeast(15.0),
            now: Some(12.34),
        };
        assert_eq!(condition_words(&clock), "the clock ≥ 15 s — now 12.3 s");
        let offline = Condition {
            subject: "unclean-0".into(),
            measure: Measure::Offline,
            bound: Bound::Yes,
            now: None,
        };
        assert_eq!(condition_words(&offline), "unclean-0 offline — now -");
    }
}
