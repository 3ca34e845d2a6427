//! The world around Kafka in the page (`data-testid=world`): for a producer with a synchronous baseline,
//! the lane its requests would take (each service with its time, a service down marked) and the
//! "without Kafka / with Kafka" table of headline numbers; each group's sink with its backlog gauge and
//! effect counters; each classic queue in its own shape (a pipe of messages, its consumers and counts).
//! Empty when the scenario has none of them.

use super::action::{Action, Target};
use super::Markup;
use crate::messages::{fill, t, Msg};
use crate::sim::num::Fixed;
use crate::sim::view::ClusterView;

/// A response time in milliseconds, `-` before the first answer.
fn ms(value: Option<f64>) -> String {
    value.map_or("-".into(), |ms| format!("{} ms", Fixed(ms, 1)))
}

/// One row of the comparison: what, without Kafka, with Kafka (`data-testid=world-KEY-sync`, `-kafka`).
fn row(m: &mut Markup, what: Msg, key: &'static str, sync: &str, kafka: &str) {
    m.open("tr").children(|m| {
        m.open("th").attr("scope", "row").text(t(what));
        m.open("td")
            .attr("data-testid", format_args!("world-{key}-sync"))
            .text(sync);
        m.open("td")
            .attr("data-testid", format_args!("world-{key}-kafka"))
            .text(kafka);
    });
}

pub fn panel(v: &ClusterView) -> String {
    let mut m = Markup::with_capacity(2048);
    let sinks = v.groups.iter().filter(|g| g.sink.is_some());
    if v.producers.iter().all(|p| p.requests.sync.is_none())
        && sinks.clone().count() == 0
        && v.queues.is_empty()
    {
        return String::new();
    }
    m.open("h2").text(t(Msg::WorldTitle));
    let duplicates: u64 = sinks
        .clone()
        .filter_map(|g| g.sink.as_ref())
        .map(|s| s.effects.duplicate_effects)
        .sum();
    for p in &v.producers {
        let Some(sync) = &p.requests.sync else {
            continue;
        };
        let kafka = &p.requests.kafka;
        m.open("p")
            .attr("class", "ks-lane")
            .attr("data-testid", "world-lane")
            .children(|m| {
                m.open("span").attr("class", "ks-lane-node").text(&p.id);
                // A service is a button: it crashes (or restarts) the service and the group doing its work.
                for (service, call_ms, down) in &p.requests.sync_calls {
                    m.raw("<span aria-hidden=\"true\"> → </span>");
                    m.open("button")
                        .attr(
                            "class",
                            if *down {
                                "ks-lane-node ks-lane-down"
                            } else {
                                "ks-lane-node"
                            },
                        )
                        .action(&if *down {
                            Action::Restart(Target::Service(service.clone()))
                        } else {
                            Action::Crash(Target::Service(service.clone()))
                        })
                        .attr("data-testid", format_args!("service-{service}"))
                        .attr("title", t(Msg::WorldServiceTip))
                        .text(format_args!(
                            "{service} {call_ms} ms{}",
                            if *down { " ✕" } else { "" }
                        ));
                }
                m.text(format_args!(" = {}", ms(sync.p50_ms)));
            });
        m.open("table")
            .attr("class", "ks-compare")
            .attr("data-testid", "world-compare")
            .children(|m| {
                m.open("tr").children(|m| {
                    m.open("th").text(&p.id);
                    m.open("th").text(t(Msg::WorldWithout));
                    m.open("th").text(t(Msg::WorldWith));
                });
                let n = |count: u64| count.to_string();
                row(
                    m,
                    Msg::WorldResponse,
                    "p50",
                    &ms(sync.p50_ms),
                    &ms(kafka.p50_ms),
                );
                row(
                    m,
                    Msg::WorldFailed,
                    "failed",
                    &n(sync.failed),
                    &n(kafka.failed),
                );
                row(m, Msg::WorldLost, "lost", &n(sync.lost), &n(kafka.lost));
                row(m, Msg::WorldDuplicates, "duplicates", "-", &n(duplicates));
            });
    }
    for g in sinks {
        let Some(sink) = &g.sink else { continue };
        m.open("p")
            .attr("class", "ks-sink")
            .attr("data-testid", format_args!("sink-{}", g.group))
            .attr("data-effects", sink.effects.effects)
            .attr("data-duplicates", sink.effects.duplicate_effects)
            .attr("data-rejected", sink.effects.rejected_duplicates)
            .children(|m| {
                m.text(fill(
                    t(Msg::WorldSink),
                    &[
                        ("sink", &sink.id),
                        ("capacity", &sink.capacity_per_sec),
                        ("group", &g.group),
                    ],
                ));
                m.text(" ");
                m.open("meter")
                    .attr("min", 0)
                    .attr("max", 1000)
                    .attr("value", sink.wait_ms.min(1000))
                    .attr(
                        "title",
                        fill(t(Msg::WorldSinkWait), &[("ms", &sink.wait_ms)]),
                    )
                    .end()
                    .close("meter");
                m.text(" ");
                m.text(fill(
                    t(Msg::WorldEffects),
                    &[
                        ("effects", &sink.effects.effects),
                        ("duplicates", &sink.effects.duplicate_effects),
                        ("rejected", &sink.effects.rejected_duplicates),
                    ],
                ));
                m.text(format_args!(" ({})", sink.idempotence.name()));
            });
    }
    for q in &v.queues {
        m.open("div")
            .attr("class", "ks-queue")
            .attr("data-testid", format_args!("queue-{}", q.id))
            .attr("data-published", q.published)
            .attr("data-redelivered", q.redelivered)
            .children(|m| {
                m.open("span")
                    .attr("class", "ks-queue-pipe")
                    .attr("aria-hidden", "true")
                    .text("●".repeat(q.depth.min(20) as usize));
                m.text(fill(
                    t(Msg::WorldQueue),
                    &[
                        ("queue", &q.id),
                        ("producer", &q.producer),
                        ("depth", &q.depth),
                        ("published", &q.published),
                        ("delivered", &q.delivered),
                        ("redelivered", &q.redelivered),
                    ],
                ));
                for c in &q.consumers {
                    m.open("span")
                        .attr(
                            "class",
                            if c.alive {
                                "ks-queue-consumer"
                            } else {
                                "ks-queue-consumer ks-lane-down"
                            },
                        )
                        .text(format_args!(" {} {}/{}", c.id, c.in_hand, c.processed));
                }
            });
    }
    m.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{structure, HOSTILE};
    use crate::sim::Simulation;

    fn view_of(json: &str, until_us: u64) -> ClusterView {
        let mut sim = Simulation::from_json(json).expect("valid");
        sim.advance_to(until_us);
        sim.view()
    }

    #[test]
    fn the_panel_shows_both_paths_sinks_and_queues() {
        let sync = panel(&view_of(
            include_str!("../../public/scenarios/sync-vs-kafka.json"),
            25_000_000,
        ));
        assert!(
            sync.contains("data-testid=\"world-p50-sync\">299.0 ms"),
            "{sync}"
        );
        assert!(
            sync.contains("email 200 ms ✕"),
            "email is down at 25 s: {sync}"
        );
        let sinks = panel(&view_of(
            include_str!("../../public/scenarios/crash-before-commit.json"),
            60_000_000,
        ));
        assert!(
            sinks.contains("data-testid=\"sink-billing_plain\""),
            "{sinks}"
        );
        let queues = panel(&view_of(
            include_str!("../../public/scenarios/queue-vs-log.json"),
            61_000_000,
        ));
        assert!(
            queues.contains("data-testid=\"queue-sms-queue\""),
            "{queues}"
        );
        assert_eq!(
            panel(&view_of(
                include_str!("../../public/scenarios/order-service.json"),
                1_000_000
            )),
            ""
        );
    }

    /// Names from a scenario never survive unescaped: a render with hostile names has the structure of a
    /// render with plain ones.
    #[test]
    fn hostile_names_are_escaped() {
        let views = [
            view_of(
                include_str!("../../public/scenarios/queue-vs-log.json"),
                61_000_000,
            ),
            view_of(
                include_str!("../../public/scenarios/sync-vs-kafka.json"),
                25_000_000,
            ),
            view_of(
                include_str!("../../public/scenarios/crash-before-commit.json"),
                20_000_000,
            ),
        ];
        let named = |v: &ClusterView, name: &str| {
            let mut v = v.clone();
            for q in &mut v.queues {
                q.id = name.into();
                q.producer = name.into();
                for c in &mut q.consumers {
                    c.id = name.into();
                }
            }
            for p in &mut v.producers {
                p.id = name.into();
                for call in &mut p.requests.sync_calls {
                    call.0 = name.into();
                }
            }
            for g in &mut v.groups {
                g.group = name.into();
                if let Some(sink) = &mut g.sink {
                    sink.id = name.into();
                }
            }
            panel(&v)
        };
        for v in &views {
            let plain = structure(&named(v, "plain"));
            for hostile in HOSTILE {
                assert_eq!(structure(&named(v, hostile)), plain, "{hostile}");
            }
        }
    }
}
