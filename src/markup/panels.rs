//! Markup of the panels: the describe tables (`kafka-consumer-groups.sh` and `kafka-topics.sh` style),
//! the charts and the event log.

use super::action::{Action, Target, Way};
use super::picture::{group_colour, group_colour_class};
use super::Markup;
use crate::messages::{fill, t, Msg};
use crate::sim::event::TraceEvent;
use crate::sim::group::MemberStatus;
use crate::sim::num::Fixed;
use crate::sim::report::{broker_list as list, dash};
use crate::sim::view::ClusterView;
use std::collections::VecDeque;

/// One chart sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub t_us: u64,
    pub lag: Vec<u64>,
    /// Per group: cumulative (latency sum in µs, records) and the average end-to-end latency in ms over
    /// the records processed since the previous sample (`None` when none were).
    pub latency_cum: Vec<(u64, u64)>,
    pub latency_ms: Vec<Option<f64>>,
    pub produced: u64,
    pub consumed: u64,
}

impl Sample {
    /// The sample at `t_us` of the charts' numbers `totals`, after `previous` (the average latency is over
    /// the records processed since it).
    pub fn new(
        previous: Option<&Sample>,
        t_us: u64,
        totals: crate::sim::view::ChartTotals,
    ) -> Sample {
        let latency_ms = totals
            .latency
            .iter()
            .enumerate()
            .map(|(g, (sum, records))| {
                let (sum0, records0) = previous
                    .and_then(|last| last.latency_cum.get(g).copied())
                    .filter(|(_, r0)| r0 <= records)
                    .unwrap_or((0, 0));
                (*records > records0)
                    .then(|| (sum - sum0) as f64 / (records - records0) as f64 / 1000.0)
            })
            .collect();
        Sample {
            t_us,
            lag: totals.lag,
            latency_cum: totals.latency,
            latency_ms,
            produced: totals.acknowledged,
            consumed: totals.processed,
        }
    }
}

/// The memory budget's notice (`crate::budget`): the bytes held, what going on means, and a button per way
/// out (`way:retention`, `way:rate`, `way:coarse`, the last only in exact time).
pub fn memory_notice(live: usize, last: bool, exact_time: bool) -> String {
    let mut m = Markup::with_capacity(1024);
    m.raw("<div class=\"ks-memory\" role=\"alert\" data-testid=\"memory-budget\"><p>")
        .text(format_args!(
            "{} {} MiB {} {} MiB. {}",
            t(Msg::MemoryPaused),
            live >> 20,
            t(Msg::MemoryOf),
            crate::budget::BUDGET_BYTES >> 20,
            t(Msg::MemoryWhy)
        ))
        .raw("</p><p>")
        .text(t(if last {
            Msg::MemoryLast
        } else {
            Msg::MemoryGoOn
        }))
        .raw("</p><div class=\"ks-memory-ways\">");
    let ways = [
        (
            Way::Retention,
            Msg::MemoryRetention,
            Msg::MemoryRetentionTip,
        ),
        (Way::Rate, Msg::MemoryRate, Msg::MemoryRateTip),
        (Way::Coarse, Msg::MemoryCoarse, Msg::MemoryCoarseTip),
    ];
    // Coarse time only from exact time.
    for (way, label, tip) in ways.iter().take(if exact_time { 3 } else { 2 }) {
        m.open("button")
            .attr("type", "button")
            .action(&Action::WayOut(*way))
            .attr("data-testid", format_args!("budget-{}", way.encode()))
            .attr("title", t(*tip))
            .text(t(*label))
            .raw("</button>");
    }
    m.raw("</div></div>");
    m.into_string()
}

/// The warning that the run's link would be `chars` characters, more than a link may hold (empty when it
/// fits).
pub fn link_too_long(chars: Option<usize>) -> String {
    let mut m = Markup::with_capacity(256);
    if let Some(chars) = chars {
        m.open("p")
            .attr("class", "ks-small-text ks-warning")
            .attr("role", "status")
            .attr("data-testid", "link-too-long")
            .text(format_args!(
                "{} ({chars} > {})",
                t(Msg::ScenarioLinkTooLong),
                crate::share::MAX_LINK_CHARS
            ));
    }
    m.into_string()
}

/// The notices above the stage, as one piece of markup: the error (`data-testid=error`), the memory
/// budget's notice (markup `memory_notice` wrote), and the keyboard help (a dialog, closed by its
/// `help-close` button). One element for the three keeps the wasm module small.
pub fn notices(error: Option<&str>, memory: Option<&str>, help: bool) -> String {
    let mut m = Markup::with_capacity(1024);
    if let Some(error) = error {
        m.open("p")
            .attr("class", "ks-error")
            .attr("role", "alert")
            .attr("data-testid", "error")
            .text(error);
    }
    let mut out = m.into_string();
    // Markup this module wrote, every computed value in it escaped.
    out.push_str(memory.unwrap_or(""));
    if help {
        let mut m = Markup::with_capacity(1024);
        m.open("div")
            .attr("class", "ks-help")
            .attr("role", "dialog")
            .attr("aria-label", t(Msg::HelpTitle))
            .children(|m| {
                m.open("h2").text(t(Msg::HelpTitle));
                m.open("p").text(t(Msg::HelpIntro));
                m.open("ul").children(|m| {
                    for key in [Msg::HelpSpace, Msg::HelpStep, Msg::HelpSpeed, Msg::HelpHelp] {
                        m.open("li").text(t(key));
                    }
                });
                m.open("button")
                    .attr("data-testid", "help-close")
                    .action(&Action::CloseHelp)
                    .text(t(Msg::HelpClose));
            });
        out.push_str(m.as_str());
    }
    out
}

/// One line of the event log: the event, and its sentence in the language it was written in.
pub type LogLine = (u64, crate::sim::event::EventKind, String);

/// The event log's line for an event, in the current language.
pub fn log_line(event: &TraceEvent) -> LogLine {
    (
        event.t_us,
        event.kind.clone(),
        super::events::sentence(&event.kind),
    )
}

/// The event log's items, newest first: at most `limit` lines whose text or `type` contains `needle`
/// (lower case). Each item carries the event's `type` (`data-type`) and group (`data-group`).
pub fn event_items<'a>(
    log: impl DoubleEndedIterator<Item = &'a LogLine>,
    needle: &str,
    limit: usize,
) -> String {
    let mut m = Markup::with_capacity(8 * 1024);
    for (t_us, kind, line) in log
        .rev()
        .filter(|(_, kind, line)| {
            needle.is_empty()
                || kind.type_name().contains(needle)
                || line.to_ascii_lowercase().contains(needle)
        })
        .take(limit)
    {
        let records = match kind {
            crate::sim::event::EventKind::RecordsPolled { records, .. } => Some(*records),
            _ => None,
        };
        let group = super::events::group_of(kind);
        m.open("li")
            .attr("data-type", kind.type_name())
            .attr("data-group", group.unwrap_or(""))
            .attr_opt(
                "data-action",
                group.map(|group| Action::Select(Target::Group(group.to_string())).encode()),
            )
            .attr_opt("data-records", records)
            .children(|m| {
                m.open("time")
                    .text(format_args!("{:>8}s", Fixed(*t_us as f64 / 1e6, 3)));
                m.text(format_args!(" {line}"));
            });
    }
    m.into_string()
}

/// The describe tables of every group, with their delivery accounting and member buttons.
pub fn group_tables(v: &ClusterView, highlight: Option<&str>) -> String {
    let mut all: String = (0..v.groups.len())
        .flat_map(|index| [group_table(v, index, highlight), member_buttons(v, index)])
        .collect();
    all.push_str(&producer_lines(v));
    all
}

/// One group's block of `group_tables`: its `--describe` table and delivery line (its member buttons are
/// `member_buttons`, apart, so the page keeps them in place while the table's numbers change).
pub fn group_table(v: &ClusterView, index: usize, highlight: Option<&str>) -> String {
    let mut m = Markup::with_capacity(4 * 1024);
    let Some(g) = v.groups.get(index) else {
        return String::new();
    };
    let highlighted = highlight == Some(g.group.as_str());
    m.open("div")
        .attr(
            "class",
            if highlighted {
                "ks-group ks-highlight"
            } else {
                "ks-group"
            },
        )
        .attr("data-testid", format_args!("group-{}", g.group))
        .end();
    m.open("h3")
        .attr("class", group_colour_class(index))
        .children(|m| {
            m.text(&g.group).text(" ");
            m.open("span")
                .attr("class", "ks-badge")
                .attr("data-state", g.state)
                .attr("data-testid", format_args!("state-{}", g.group))
                .text(g.state);
            m.text(format_args!(" {} ", t(Msg::Generation)));
            m.open("span")
                .attr("data-testid", format_args!("generation-{}", g.group))
                .text(g.generation);
            m.text(format_args!(
                " · {} · {} · {}",
                g.protocol,
                g.assignor.unwrap_or("-"),
                fill(
                    t(Msg::Coordinator),
                    &[("broker", &dash(g.coordinator.map(u64::from)))]
                )
            ));
        });
    m.raw(r#"<table class="ks-table"><thead><tr><th>TOPIC</th><th>PARTITION</th><th>CURRENT-OFFSET</th><th>LOG-END-OFFSET</th><th>LAG</th><th>CONSUMER-ID</th><th>CLIENT-ID</th></tr></thead><tbody>"#);
    for row in &g.partitions {
        m.open("tr").children(|m| {
            m.open("td").text(&row.topic);
            m.open("td").text(row.partition);
            m.open("td").text(dash(row.current_offset));
            m.open("td").text(row.log_end_offset);
            m.open("td").text(dash(row.lag));
            m.open("td").text(row.consumer_id.as_deref().unwrap_or("-"));
            m.open("td").text(row.client_id.as_deref().unwrap_or("-"));
        });
    }
    m.raw("</tbody></table>");
    let d = g.delivery;
    m.open("p")
        .attr("class", "ks-delivery")
        .attr("data-testid", format_args!("delivery-{}", g.group))
        .children(|m| {
            m.text(format_args!("{}: ", t(Msg::Delivery)));
            let duplicated = if g.idempotent {
                t(Msg::DuplicatedIdempotent)
            } else {
                t(Msg::Duplicated)
            };
            let parts = [
                (d.processed_once, t(Msg::ProcessedOnce)),
                (d.duplicated, duplicated),
                (d.missed, t(Msg::Missed)),
                (d.pending, t(Msg::Pending)),
            ];
            for (i, (count, label)) in parts.into_iter().enumerate() {
                if i > 0 {
                    m.text(" · ");
                }
                m.open("b").text(count);
                m.text(format_args!(" {label}"));
            }
            if g.producer_duplicates > 0 {
                m.text(" · ");
                m.open("b").text(g.producer_duplicates);
                m.text(format_args!(" {}", t(Msg::WrittenTwiceProcessed)));
            }
        });
    m.close("div");
    m.into_string()
}

/// The crash, leave and restart buttons of group `index`'s members.
pub fn member_buttons(v: &ClusterView, index: usize) -> String {
    let mut m = Markup::with_capacity(1024);
    let Some(g) = v.groups.get(index) else {
        return String::new();
    };
    m.open("div").attr("class", "ks-buttons").children(|m| {
        for member in &g.members {
            m.open("span")
                .attr("class", "ks-member-controls")
                .attr("title", t(Msg::MemberTip))
                .children(|m| {
                    m.open("span").text(&member.member);
                    let running = member.status == MemberStatus::Running;
                    type Verb = fn(Target) -> Action;
                    let buttons: &[(Verb, &str, Msg)] = if running {
                        &[
                            (Action::Crash, "crash", Msg::MemberCrash),
                            (Action::Leave, "leave", Msg::MemberLeave),
                        ]
                    } else {
                        &[(Action::Restart, "restart", Msg::MemberRestart)]
                    };
                    for (verb, testid, label) in buttons {
                        let target = Target::Member {
                            group: g.group.clone(),
                            member: member.member.clone(),
                        };
                        m.open("button")
                            .action(&verb(target))
                            .attr("data-testid", format_args!("{testid}-{}", member.member))
                            .text(t(*label));
                    }
                });
        }
    });
    m.into_string()
}

/// The producers' delivery lines under the groups' tables.
pub fn producer_lines(v: &ClusterView) -> String {
    let mut m = Markup::default();
    for p in &v.producers {
        m.open("p").attr("class", "ks-delivery").children(|m| {
            m.text(fill(
                t(Msg::ProducerLine),
                &[
                    ("producer", &p.id),
                    ("acknowledged", &p.records_acknowledged),
                    ("failed", &p.records_failed),
                ],
            ));
            m.text(" · ");
            m.open("b").text(p.acknowledged_records_lost);
            m.text(format_args!(" {}", t(Msg::Lost)));
            if p.records_written_twice > 0 {
                m.text(" · ");
                m.open("b").text(p.records_written_twice);
                m.text(format_args!(" {}", t(Msg::WrittenTwice)));
            }
        });
    }
    m.into_string()
}

/// `kafka-topics.sh --describe`, one row per partition.
pub fn topic_table(v: &ClusterView) -> String {
    let mut m = Markup::with_capacity(8 * 1024);
    m.raw(r#"<table class="ks-table" data-testid="topics"><thead><tr><th>Topic</th><th>Partition</th><th>Leader</th><th>Replicas</th><th>Isr</th><th>HW</th><th>LEO</th><th></th></tr></thead><tbody>"#);
    for topic in &v.topics {
        for p in &topic.partitions {
            let class = if p.offline {
                "ks-offline"
            } else if p.under_replicated {
                "ks-under"
            } else {
                ""
            };
            m.open("tr").attr("class", class).children(|m| {
                m.open("td").text(&topic.name);
                m.open("td").text(p.partition);
                m.open("td")
                    .attr(
                        "data-testid",
                        format_args!("leader-{}-{}", topic.name, p.partition),
                    )
                    .text(p.leader.map_or("none".to_string(), |l| l.to_string()));
                m.open("td").text(list(&p.replicas));
                m.open("td").text(list(&p.isr));
                m.open("td").text(p.high_watermark);
                m.open("td").text(p.log_end_offset);
                m.open("td").text(if p.offline {
                    t(Msg::Offline)
                } else if p.under_replicated {
                    t(Msg::UnderReplicated)
                } else {
                    ""
                });
            });
        }
    }
    m.raw("</tbody></table>");
    m.into_string()
}

fn polyline(
    points: &[(f64, f64)],
    x0: f64,
    x1: f64,
    y_max: f64,
    width: f64,
    height: f64,
) -> String {
    let span = (x1 - x0).max(1e-9);
    points
        .iter()
        .map(|(x, y)| {
            format!(
                "{},{}",
                Fixed((x - x0) / span * width, 1),
                Fixed(height - (y / y_max.max(1.0)) * height, 1)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const CHART_W: f64 = 460.0;
const CHART_H: f64 = 110.0;

fn chart_open<'a>(m: &'a mut Markup, label: &str) -> super::Open<'a> {
    m.open("svg")
        .attr("class", "ks-chart")
        .attr(
            "viewBox",
            format_args!("0 0 {} {}", Fixed(CHART_W, 0), Fixed(CHART_H, 0)),
        )
        .attr("role", "img")
        .attr("aria-label", label)
}

/// One line per group over the history: `value` gives a group's value in a sample, if it has one.
pub fn group_chart(
    history: &VecDeque<Sample>,
    groups: &[String],
    label: &str,
    testid: &str,
    unit: &str,
    value: fn(&Sample, usize) -> Option<f64>,
) -> String {
    let mut m = Markup::with_capacity(2048);
    chart_open(&mut m, label)
        .attr("data-testid", testid)
        .children(|m| {
            let (Some(first), Some(last)) = (history.front(), history.back()) else {
                return;
            };
            let (x0, x1) = (first.t_us as f64, last.t_us as f64);
            let y_max = history
                .iter()
                .flat_map(|s| (0..groups.len()).filter_map(|g| value(s, g)))
                .fold(1.0, f64::max);
            m.open("text")
                .attr("x", 4)
                .attr("y", 10)
                .attr("class", "ks-small")
                .text(format_args!(
                    "{} {}{unit}",
                    t(Msg::ChartMax),
                    Fixed(y_max, 0)
                ));
            for (g, name) in groups.iter().enumerate() {
                let points: Vec<(f64, f64)> = history
                    .iter()
                    .filter_map(|s| value(s, g).map(|y| (s.t_us as f64, y)))
                    .collect();
                if points.is_empty() {
                    continue;
                }
                m.open("polyline")
                    .attr("points", polyline(&points, x0, x1, y_max, CHART_W, CHART_H))
                    .attr("fill", "none")
                    .attr("stroke", group_colour(g))
                    .attr("stroke-width", 2)
                    .children(|m| {
                        m.open("title").text(name);
                    });
            }
        });
    m.into_string()
}

/// Records produced and processed per second over the history.
pub fn rate_chart(history: &VecDeque<Sample>) -> String {
    let mut m = Markup::with_capacity(2048);
    chart_open(&mut m, t(Msg::ChartRates)).children(|m| {
        if history.len() < 2 {
            return;
        }
        let rates: Vec<(f64, f64, f64)> = history
            .iter()
            .zip(history.iter().skip(1))
            .map(|(a, b)| {
                let dt = (b.t_us - a.t_us).max(1) as f64 / 1e6;
                (
                    b.t_us as f64,
                    b.produced.saturating_sub(a.produced) as f64 / dt,
                    b.consumed.saturating_sub(a.consumed) as f64 / dt,
                )
            })
            .collect();
        let (x0, x1) = (rates[0].0, rates[rates.len() - 1].0);
        let y_max = rates.iter().map(|r| r.1.max(r.2)).fold(1.0, f64::max);
        let produced: Vec<(f64, f64)> = rates.iter().map(|r| (r.0, r.1)).collect();
        let consumed: Vec<(f64, f64)> = rates.iter().map(|r| (r.0, r.2)).collect();
        m.open("text")
            .attr("x", 4)
            .attr("y", 10)
            .attr("class", "ks-small")
            .text(format_args!(
                "{} {}/s · {} — {}",
                t(Msg::ChartMax),
                Fixed(y_max, 0),
                t(Msg::ChartProduced),
                t(Msg::ChartConsumed)
            ));
        for (points, class) in [
            (&produced, "ks-line-produced"),
            (&consumed, "ks-line-consumed"),
        ] {
            m.open("polyline")
                .attr("points", polyline(points, x0, x1, y_max, CHART_W, CHART_H))
                .attr("fill", "none")
                .attr("class", class)
                .empty();
        }
    });
    m.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{hostile_view, plain_view};
    use crate::markup::tests_support::{structure, HOSTILE};

    fn history(groups: usize) -> VecDeque<Sample> {
        (0..5u64)
            .map(|i| Sample {
                t_us: i * 1_000_000,
                lag: vec![i * 3; groups],
                latency_cum: vec![(i * 10, i); groups],
                latency_ms: vec![Some(i as f64); groups],
                produced: i * 100,
                consumed: i * 90,
            })
            .collect()
    }

    #[test]
    fn hostile_names_never_reach_the_tables_or_charts_raw() {
        for hostile in HOSTILE {
            let (plain, bad) = (plain_view(), hostile_view(hostile));
            let renders = |v: &ClusterView| {
                let names: Vec<String> = v.groups.iter().map(|g| g.group.clone()).collect();
                [
                    group_tables(v, v.groups.first().map(|g| g.group.as_str())),
                    topic_table(v),
                    group_chart(
                        &history(names.len()),
                        &names,
                        hostile,
                        "lag-chart",
                        "",
                        |s, g| s.lag.get(g).map(|lag| *lag as f64),
                    ),
                    rate_chart(&history(names.len())),
                ]
            };
            for (plain, bad) in renders(&plain).iter().zip(renders(&bad).iter()) {
                assert_eq!(structure(plain), structure(bad), "{hostile}: {bad}");
                if hostile.contains(['<', '"', '\'']) {
                    assert!(!bad.contains(hostile), "{hostile} survived in {bad}");
                }
            }
        }
    }

    #[test]
    fn the_memory_notice_offers_coarse_time_only_from_exact_time() {
        let exact = memory_notice(170 << 20, false, true);
        for way in ["budget-retention", "budget-rate", "budget-coarse"] {
            assert!(exact.contains(&format!("data-testid=\"{way}\"")), "{exact}");
        }
        assert!(exact.contains("170 MiB") && exact.contains("256 MiB"));
        let coarse = memory_notice(200 << 20, true, false);
        assert!(!coarse.contains("budget-coarse"));
        assert!(coarse.contains(crate::messages::t(Msg::MemoryLast)));
    }

    #[test]
    fn hostile_errors_are_escaped_in_the_notices() {
        let plain = notices(Some("bad name plain"), None, true);
        assert!(plain.contains("data-testid=\"error\"") && plain.contains("help-close"));
        for hostile in HOSTILE {
            let bad = notices(Some(&format!("bad name {hostile}")), None, true);
            assert_eq!(structure(&plain), structure(&bad), "{bad}");
            if hostile.contains(['<', '"', '\'']) {
                assert!(!bad.contains(hostile), "{bad}");
            }
        }
        let memory = memory_notice(100 << 20, false, true);
        let shown = notices(None, Some(&memory), false);
        assert!(shown
            .starts_with("<div class=\"ks-memory\" role=\"alert\" data-testid=\"memory-budget\">"));
        assert_eq!(shown.matches("data-action=\"way:").count(), 3);
    }

    #[test]
    fn hostile_event_lines_are_escaped_in_the_log() {
        for hostile in HOSTILE {
            let lines = |name: &str| -> VecDeque<LogLine> {
                use crate::sim::event::{EventKind, Reason, TraceEvent};
                [
                    EventKind::ConfigChanged {
                        scope: "error".into(),
                        id: name.into(),
                        name: "timeline".into(),
                        value: format!("unknown group {name}"),
                        problem: Some(crate::sim::config::Problem::new(
                            crate::sim::config::Code::UnknownGroup,
                            vec![
                                crate::sim::config::field("name", name),
                                crate::sim::config::field("known", name),
                            ],
                        )),
                    },
                    EventKind::ConsumerJoining {
                        group: name.into(),
                        member: name.into(),
                        reason: Reason::Joining,
                    },
                    EventKind::RebalanceStarted {
                        group: name.into(),
                        generation: 1,
                        reason: Reason::MemberLeft {
                            member: name.into(),
                            why: Box::new(Reason::SessionTimeoutExpired),
                        },
                    },
                ]
                .into_iter()
                .enumerate()
                .map(|(i, kind)| {
                    log_line(&TraceEvent {
                        t_us: i as u64 * 1000,
                        kind,
                    })
                })
                .collect()
            };
            let (log, plain) = (lines(hostile), lines("plain"));
            let (bad, plain) = (
                event_items(log.iter(), "", 150),
                event_items(plain.iter(), "", 150),
            );
            assert_eq!(structure(&plain), structure(&bad), "{bad}");
            if hostile.contains(['<', '"', '\'']) {
                assert!(!bad.contains(hostile), "{bad}");
            }
        }
    }
}
