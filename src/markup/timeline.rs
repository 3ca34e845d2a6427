//! The timeline bar's marks and legend (`ui::timeline`): the events a learner looks for, coloured by kind
//! (`travel::MarkKind::class`), each with a tooltip in the reader's language.

use super::Markup;
use crate::messages::{fill, t, Msg};
use crate::sim::num::Fixed;
use crate::travel::{Mark, MarkKind};

/// The width of the marks' SVG in its own units (it is stretched over the bar).
const WIDTH: f64 = 1000.0;

/// A kind of mark in the reader's language.
pub fn mark_name(kind: MarkKind) -> &'static str {
    t(match kind {
        MarkKind::RebalanceStarted => Msg::MarkRebalanceStarted,
        MarkKind::RebalanceCompleted => Msg::MarkRebalanceCompleted,
        MarkKind::LeaderElected => Msg::MarkLeaderElected,
        MarkKind::IsrShrunk => Msg::MarkIsrShrunk,
        MarkKind::IsrExpanded => Msg::MarkIsrExpanded,
        MarkKind::BrokerCrashed => Msg::MarkBrokerCrashed,
        MarkKind::MemberCrashed => Msg::MarkMemberCrashed,
        MarkKind::CommitFailed => Msg::MarkCommitFailed,
        MarkKind::NotEnoughReplicas => Msg::MarkNotEnoughReplicas,
        MarkKind::RecordsLost => Msg::MarkRecordsLost,
        MarkKind::NetworkFault => Msg::MarkNetworkFault,
    })
}

/// The marks over a run of `end_us`, as an SVG stretched over the bar: a tick per mark, at its instant,
/// with its kind, time and first event as its tooltip. Clicking one jumps there (`data-t`, µs).
pub fn marks(marks: &[Mark], end_us: u64) -> String {
    let mut m = Markup::with_capacity(64 + marks.len() * 160);
    m.open("svg")
        .attr("viewBox", "0 0 1000 12")
        .attr("preserveAspectRatio", "none")
        .attr("class", "ks-marks-svg")
        .end();
    let end = end_us.max(1) as f64;
    for mark in marks {
        let x = mark.t_us as f64 / end * WIDTH;
        let row = (mark.kind as usize % 3) as f64 * 4.0;
        m.open("rect")
            .attr("class", mark.kind.class())
            .attr("data-t", mark.t_us)
            .num("x", (x - 1.5).max(0.0))
            .num("y", row)
            .attr("width", 3)
            .attr("height", 4)
            .children(|m| {
                m.open("title").children(|m| {
                    m.text(format_args!(
                        "{} {} s — {}",
                        mark_name(mark.kind),
                        Fixed(mark.t_us as f64 / 1e6, 3),
                        super::events::sentence(&mark.event)
                    ));
                    if mark.count > 1 {
                        m.text(format_args!(
                            " ({})",
                            fill(t(Msg::MarkCount), &[("count", &mark.count)])
                        ));
                    }
                });
            });
    }
    m.close("svg");
    m.into_string()
}

/// The legend: every kind of mark with its colour, in the reader's language.
pub fn legend() -> String {
    let mut m = Markup::with_capacity(1024);
    legend_items(&mut m);
    m.into_string()
}

fn legend_items(m: &mut Markup) {
    for kind in MarkKind::ALL {
        m.open("li").children(|m| {
            m.open("span")
                .attr("class", format_args!("ks-swatch {}", kind.class()))
                .attr("aria-hidden", "true")
                .empty();
            m.text(mark_name(kind));
        });
    }
}

/// The whole bar as first written: the marks (`timeline-marks`) over the slider (`timeline-slider`, a
/// labelled slider whose value, end and spoken time the page sets), the time shown (`timeline-time`), the
/// buttons and step mode (`controls`), and the notices' box (`timeline-notices`). The page fills in the
/// marks, time and notices.
pub fn bar(kafka_only: bool) -> String {
    let mut m = Markup::with_capacity(2048);
    m.open("div")
        .attr("class", "ks-timeline-row")
        .children(|m| {
            m.open("div")
                .attr("class", "ks-timeline-track")
                .children(|m| {
                    m.open("div")
                        .attr("class", "ks-marks")
                        .attr("data-testid", "timeline-marks")
                        .end()
                        .close("div");
                    m.open("input")
                        .attr("type", "range")
                        .attr("min", 0)
                        .attr("max", 0)
                        .attr("step", 1)
                        .attr("data-testid", "timeline-slider")
                        .attr("aria-label", t(Msg::TimelineSlider))
                        .attr("aria-keyshortcuts", "Home End")
                        .empty();
                });
            m.open("span")
                .attr("class", "ks-timeline-time")
                .attr("data-testid", "timeline-time")
                .end()
                .close("span");
            m.open("div")
                .attr("class", "ks-timeline-buttons")
                .children(|m| controls_into(m, kafka_only));
        });
    m.open("div")
        .attr("data-testid", "timeline-notices")
        .end()
        .close("div");
    m.into_string()
}

/// The timeline's buttons (`step-back`, `step-forward`, `timeline-end`) and step mode (`step-mode`), in
/// the reader's language; the page handles their clicks and changes by delegation.
pub fn controls(kafka_only: bool) -> String {
    let mut m = Markup::with_capacity(1024);
    controls_into(&mut m, kafka_only);
    m.into_string()
}

fn controls_into(m: &mut Markup, kafka_only: bool) {
    m.open("button")
        .attr("data-testid", "step-back")
        .attr("title", t(Msg::StepBackTip))
        .attr("aria-keyshortcuts", "ArrowLeft")
        .text(format_args!("← {}", t(Msg::StepBack)));
    m.open("button")
        .attr("data-testid", "step-forward")
        .attr("title", t(Msg::StepTip))
        .attr("aria-keyshortcuts", "ArrowRight")
        .text(format_args!("{} →", t(Msg::Step)));
    m.open("button")
        .attr("data-testid", "timeline-end")
        .attr("title", t(Msg::TimelineEndTip))
        .attr("aria-keyshortcuts", "End")
        .text(t(Msg::TimelineEnd));
    m.open("label")
        .attr("title", t(Msg::StepModeTip))
        .children(|m| {
            m.text(format_args!("{} ", t(Msg::StepMode)));
            m.open("select")
                .attr("data-testid", "step-mode")
                .children(|m| {
                    for (value, label, chosen) in [
                        ("kafka", Msg::StepModeKafka, kafka_only),
                        ("all", Msg::StepModeAll, !kafka_only),
                    ] {
                        let option = m.open("option").attr("value", value);
                        let option = if chosen {
                            option.attr("selected", "")
                        } else {
                            option
                        };
                        option.text(t(label));
                    }
                });
        });
}

/// The timeline's notices: the way to the instant a link names (`seeking`, while the page runs there),
/// the past changed at `forked_at` (`past-changed`, with `back-to-future` and `keep-future`), and the
/// marks' legend.
pub fn notices(goal_us: Option<u64>, forked_at: Option<u64>) -> String {
    let mut m = Markup::with_capacity(2048);
    let seconds = |t_us: u64| Fixed(t_us as f64 / 1e6, 3).to_string();
    if let Some(goal) = goal_us {
        m.open("p")
            .attr("class", "ks-seeking")
            .attr("role", "status")
            .attr("data-testid", "seeking")
            .text(fill(t(Msg::Seeking), &[("t", &seconds(goal))]));
    }
    if let Some(at) = forked_at {
        m.open("div")
            .attr("class", "ks-forked")
            .attr("role", "status")
            .attr("data-testid", "past-changed")
            .children(|m| {
                m.open("p")
                    .text(fill(t(Msg::PastChanged), &[("t", &seconds(at))]));
                m.open("button")
                    .attr("data-testid", "back-to-future")
                    .text(t(Msg::PastBack));
                m.raw(" ");
                m.open("button")
                    .attr("data-testid", "keep-future")
                    .text(t(Msg::PastKeep));
            });
    }
    m.open("details")
        .attr("class", "ks-legend-box")
        .children(|m| {
            m.open("summary").text(t(Msg::MarksLegend));
            m.open("ul")
                .attr("class", "ks-legend")
                .attr("data-testid", "timeline-legend")
                .children(legend_items);
        });
    m.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{structure, HOSTILE};
    use crate::sim::event::{EventKind, Reason, TraceEvent};

    #[test]
    fn hostile_names_in_marks_are_escaped() {
        let marks_of = |name: &str| {
            let event = |t_us, kind| TraceEvent { t_us, kind };
            let list = [
                event(
                    1_000_000,
                    EventKind::RebalanceStarted {
                        group: name.into(),
                        generation: 1,
                        reason: Reason::MemberLeft {
                            member: name.into(),
                            why: Box::new(Reason::SessionTimeoutExpired),
                        },
                    },
                ),
                event(
                    2_000_000,
                    EventKind::CommitFailed {
                        group: name.into(),
                        member: name.into(),
                        error: Reason::CommitRebalanceInProgress,
                    },
                ),
            ];
            let list: Vec<Mark> = list
                .into_iter()
                .map(|event| Mark {
                    t_us: event.t_us,
                    kind: MarkKind::of(&event.kind).expect("a mark"),
                    count: 2,
                    event: event.kind,
                })
                .collect();
            marks(&list, 4_000_000)
        };
        let plain = marks_of("plain");
        assert!(plain.contains("ks-mark-commit") && plain.contains("data-t=\"2000000\""));
        for hostile in HOSTILE {
            let bad = marks_of(hostile);
            assert_eq!(structure(&plain), structure(&bad), "{bad}");
            if hostile.contains(['<', '"', '\'']) {
                assert!(!bad.contains(hostile), "{bad}");
            }
        }
        assert_eq!(legend().matches("<li>").count(), MarkKind::ALL.len());
        let notices = notices(Some(1_500_000), Some(2_000_000));
        for testid in [
            "seeking",
            "past-changed",
            "back-to-future",
            "keep-future",
            "timeline-legend",
        ] {
            assert!(
                notices.contains(&format!("data-testid=\"{testid}\"")),
                "{testid}"
            );
        }
        let controls = controls(false);
        assert!(
            controls.contains("<option value=\"all\" selected=\"\">"),
            "{controls}"
        );
    }
}
