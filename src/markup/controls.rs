//! The controls beside the picture, grouped by what they belong to (producer, topic, consumer group,
//! broker), as markup: every control labelled with its Kafka property name and a tooltip, its value from
//! the view. The page sets it as the panel's inner HTML only when it changed and handles the controls'
//! `change` and `click` events by delegation (`ui::panels::Controls`): one handler instead of one
//! reactive component per control keeps the wasm module small.

use super::Markup;
use crate::messages::{fill, t, Msg};
use crate::sim::num::Shortest;
use crate::sim::scenario::KeySpec;
use crate::sim::view::ClusterView;

/// Which producer, group and topic the controls show (their index in the view).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Chosen {
    pub producer: usize,
    pub group: usize,
    pub topic: usize,
}

/// The produce-rate slider's positions: 0 to `RATE_STEPS` on a log scale of 1 to 100,000 records/s.
pub const RATE_STEPS: f64 = 500.0;

pub fn rate_to_position(rate: u32) -> f64 {
    if rate == 0 {
        0.0
    } else {
        ((rate as f64).log10() * RATE_STEPS / 5.0).round()
    }
}

pub fn position_to_rate(position: f64) -> u32 {
    if position <= 0.0 {
        0
    } else {
        10f64
            .powf(position * 5.0 / RATE_STEPS)
            .round()
            .min(100_000.0) as u32
    }
}

/// The key modes the keys control offers, with their labels.
pub const KEY_MODES: [(&str, Msg); 4] = [
    ("none", Msg::KeysNone),
    ("list", Msg::KeysList),
    ("distinct", Msg::KeysDistinct),
    ("hot", Msg::KeysHot),
];

pub fn key_mode(keys: &KeySpec) -> &'static str {
    match keys {
        KeySpec::None => "none",
        KeySpec::List(_) => "list",
        KeySpec::Distinct(_) => "distinct",
        KeySpec::Hot { .. } => "hot",
    }
}

/// A range control: the label holds the Kafka property name, the tooltip explains it.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn slider(
    m: &mut Markup,
    label: Msg,
    tip: Msg,
    testid: &'static str,
    (min, max, step): (f64, f64, f64),
    value: f64,
    shown: &str,
) {
    m.open("label")
        .attr("class", "ks-control")
        .attr("title", t(tip))
        .children(|m| {
            m.open("span").text(t(label));
            m.open("input")
                .attr("type", "range")
                .attr("min", Shortest(min))
                .attr("max", Shortest(max))
                .attr("step", Shortest(step))
                .attr("value", Shortest(value))
                .attr("data-testid", testid)
                .empty();
            m.open("output")
                .attr("data-testid", format_args!("{testid}-value"))
                .text(shown);
        });
}

/// A select of values (`(value, text)` pairs), the current one selected.
#[inline(never)]
fn choice<'a>(
    m: &mut Markup,
    label: Msg,
    tip: Msg,
    testid: &'static str,
    options: impl Iterator<Item = (&'a str, &'a str)>,
    value: &str,
) {
    m.open("label")
        .attr("class", "ks-control")
        .attr("title", t(tip))
        .children(|m| {
            m.open("span").text(t(label));
            m.open("select").attr("data-testid", testid).children(|m| {
                options_of(m, options, value);
            });
        });
}

#[inline(never)]
fn options_of<'a>(m: &mut Markup, options: impl Iterator<Item = (&'a str, &'a str)>, value: &str) {
    for (option, text) in options {
        let open = m.open("option").attr("value", option);
        if option == value {
            open.attr("selected", "").text(text);
        } else {
            open.text(text);
        }
    }
}

/// A fieldset's legend: the section's name and the select of which producer, group or topic it shows
/// (`data-choose`).
#[inline(never)]
fn legend<'a>(
    m: &mut Markup,
    section: Msg,
    choose: &'static str,
    names: impl Iterator<Item = &'a str>,
    chosen: usize,
) {
    m.open("legend").children(|m| {
        m.text(t(section)).text(" ");
        m.open("select")
            .attr("aria-label", t(section))
            .attr("data-choose", choose)
            .children(|m| {
                for (index, name) in names.enumerate() {
                    let open = m.open("option").attr("value", index);
                    if index == chosen {
                        open.attr("selected", "").text(name);
                    } else {
                        open.text(name);
                    }
                }
            });
    });
}

#[inline(never)]
fn button(m: &mut Markup, testid: &'static str, tip: Option<Msg>, label: Msg) {
    let open = m
        .open("button")
        .attr("type", "button")
        .attr("data-testid", testid);
    match tip {
        Some(tip) => open.attr("title", t(tip)).text(t(label)),
        None => open.text(t(label)),
    };
}

const TRUE_FALSE: [(&str, &str); 2] = [("true", "true"), ("false", "false")];

/// The controls' markup.
pub fn render(v: &ClusterView, chosen: Chosen) -> String {
    let mut m = Markup::with_capacity(8 * 1024);
    let ms = |value: u64| format!("{value} ms");
    if let Some(p) = v.producers.get(chosen.producer) {
        m.open("fieldset")
            .attr("data-section", "producer")
            .children(|m| {
                legend(
                    m,
                    Msg::SectionProducer,
                    "producer",
                    v.producers.iter().map(|p| p.id.as_str()),
                    chosen.producer,
                );
                slider(
                    m,
                    Msg::Rate,
                    Msg::RateTip,
                    "rate",
                    (0.0, RATE_STEPS, 1.0),
                    rate_to_position(p.rate_per_sec),
                    &fill(t(Msg::RecordsPerSec), &[("n", &p.rate_per_sec)]),
                );
                choice(
                    m,
                    Msg::Acks,
                    Msg::AcksTip,
                    "acks",
                    [("all", "all"), ("1", "1"), ("0", "0")].into_iter(),
                    p.acks,
                );
                choice(
                    m,
                    Msg::EnableIdempotence,
                    Msg::EnableIdempotenceTip,
                    "idempotence",
                    TRUE_FALSE.into_iter(),
                    if p.enable_idempotence {
                        "true"
                    } else {
                        "false"
                    },
                );
                choice(
                    m,
                    Msg::Keys,
                    Msg::KeysTip,
                    "keys",
                    KEY_MODES.iter().map(|(mode, label)| (*mode, t(*label))),
                    key_mode(&p.keys),
                );
            });
    }
    if let Some(topic) = v.topics.get(chosen.topic) {
        m.open("fieldset")
            .attr("data-section", "topic")
            .children(|m| {
                legend(
                    m,
                    Msg::SectionTopic,
                    "topic",
                    v.topics.iter().map(|t| t.name.as_str()),
                    chosen.topic,
                );
                let digits = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
                choice(
                    m,
                    Msg::MinInsyncReplicas,
                    Msg::MinInsyncReplicasTip,
                    "min-isr",
                    digits.iter().map(|d| (*d, *d)),
                    &topic.min_insync_replicas.to_string(),
                );
                choice(
                    m,
                    Msg::UncleanLeaderElectionEnable,
                    Msg::UncleanLeaderElectionEnableTip,
                    "unclean",
                    [("false", "false"), ("true", "true")].into_iter(),
                    if topic.unclean_leader_election_enable {
                        "true"
                    } else {
                        "false"
                    },
                );
                button(
                    m,
                    "add-partition",
                    Some(Msg::PartitionsAddTip),
                    Msg::PartitionsAdd,
                );
            });
    }
    if let Some(g) = v.groups.get(chosen.group) {
        m.open("fieldset")
            .attr("data-section", "group")
            .children(|m| {
                legend(
                    m,
                    Msg::SectionGroup,
                    "group",
                    v.groups.iter().map(|g| g.group.as_str()),
                    chosen.group,
                );
                slider(
                    m,
                    Msg::MaxPollRecords,
                    Msg::MaxPollRecordsTip,
                    "max-poll-records",
                    (1.0, 1000.0, 1.0),
                    g.max_poll_records as f64,
                    &g.max_poll_records.to_string(),
                );
                slider(
                    m,
                    Msg::Processing,
                    Msg::ProcessingTip,
                    "processing",
                    (0.0, 2000.0, 1.0),
                    g.processing_ms_per_record,
                    &format!("{} ms", Shortest(g.processing_ms_per_record)),
                );
                slider(
                    m,
                    Msg::SessionTimeoutMs,
                    Msg::SessionTimeoutMsTip,
                    "session-timeout",
                    (6000.0, 60000.0, 1000.0),
                    g.session_timeout_ms as f64,
                    &ms(g.session_timeout_ms),
                );
                slider(
                    m,
                    Msg::MaxPollIntervalMs,
                    Msg::MaxPollIntervalMsTip,
                    "max-poll-interval",
                    (1000.0, 600000.0, 1000.0),
                    g.max_poll_interval_ms as f64,
                    &ms(g.max_poll_interval_ms),
                );
                slider(
                    m,
                    Msg::AutoCommitIntervalMs,
                    Msg::AutoCommitIntervalMsTip,
                    "auto-commit-interval",
                    (100.0, 60000.0, 100.0),
                    g.auto_commit_interval_ms as f64,
                    &ms(g.auto_commit_interval_ms),
                );
                choice(
                    m,
                    Msg::EnableAutoCommit,
                    Msg::EnableAutoCommitTip,
                    "auto-commit",
                    TRUE_FALSE.into_iter(),
                    if g.enable_auto_commit {
                        "true"
                    } else {
                        "false"
                    },
                );
                let strategies = [
                    "range,cooperative-sticky",
                    "range",
                    "roundrobin",
                    "sticky",
                    "cooperative-sticky",
                ];
                choice(
                    m,
                    Msg::PartitionAssignmentStrategy,
                    Msg::PartitionAssignmentStrategyTip,
                    "strategy",
                    strategies.iter().map(|s| (*s, *s)),
                    &g.partition_assignment_strategy,
                );
                m.open("div").attr("class", "ks-buttons").children(|m| {
                    button(m, "add-member", None, Msg::MemberAdd);
                    button(m, "add-group", Some(Msg::GroupAddTip), Msg::GroupAdd);
                });
            });
    }
    m.open("fieldset")
        .attr("data-section", "broker")
        .children(|m| {
            m.open("legend").text(t(Msg::SectionBroker));
            m.open("div").attr("class", "ks-buttons").children(|m| {
                for b in &v.brokers {
                    m.open("button")
                        .attr("type", "button")
                        .attr("data-testid", format_args!("broker-{}", b.id))
                        .attr("data-alive", b.alive)
                        .text(format_args!(
                            "{} {}",
                            t(if b.alive {
                                Msg::BrokerCrash
                            } else {
                                Msg::BrokerRestart
                            }),
                            b.id
                        ));
                }
                if !v.cuts.is_empty() {
                    button(m, "heal-network", Some(Msg::NetHealAllTip), Msg::NetHealAll);
                }
            });
        });
    m.into_string()
}

/// The header's transport, written once per mount: play (`play`), step (`step`), the speed slider (`speed`)
/// and what it gives (`speed-out`), the clock (`clock`), the status (`transport-status`: the time quantum,
/// the speed reached when behind), the seed (`seed`), the language switch (`lang-switch`, `lang-en`,
/// `lang-zh-CN`) and the help button (`help`). The page sets what changes (`transport_status`, texts and
/// values) directly, and handles clicks, input and changes by delegation.
pub fn transport(
    playing: bool,
    speed_log: f64,
    seed: u64,
    locale: crate::messages::Locale,
) -> String {
    use crate::messages::Locale;
    let mut m = Markup::with_capacity(2048);
    m.open("button")
        .attr("data-testid", "play")
        .attr("aria-keyshortcuts", "Space")
        .text(t(if playing { Msg::Pause } else { Msg::Play }));
    m.open("button")
        .attr("data-testid", "step")
        .attr("title", t(Msg::StepTip))
        .attr("aria-keyshortcuts", "ArrowRight")
        .text(t(Msg::Step));
    m.open("label")
        .attr("title", t(Msg::SpeedTip))
        .children(|m| {
            m.text(format_args!("{} ", t(Msg::Speed)));
            m.open("input")
                .attr("type", "range")
                .attr("min", "-1")
                .attr("max", "2")
                .attr("step", "0.1")
                .attr("data-testid", "speed")
                .attr("value", Shortest(speed_log))
                .empty();
            m.open("output")
                .attr("data-testid", "speed-out")
                .text(speed_text(speed_log));
        });
    m.open("span")
        .attr("class", "ks-clock")
        .attr("data-testid", "clock")
        .end()
        .close("span");
    m.open("span")
        .attr("data-testid", "transport-status")
        .attr("class", "ks-status")
        .end()
        .close("span");
    m.open("label")
        .attr("title", t(Msg::SeedTip))
        .children(|m| {
            m.text(format_args!("{} ", t(Msg::Seed)));
            m.open("input")
                .attr("type", "number")
                .attr("min", 0)
                .attr("class", "ks-seed")
                .attr("data-testid", "seed")
                .attr("value", seed)
                .empty();
        });
    m.open("div")
        .attr("class", "ks-lang")
        .attr("role", "group")
        .attr("data-testid", "lang-switch")
        .attr("aria-label", t(Msg::LangSwitch))
        .children(|m| {
            for each in Locale::ALL {
                m.open("button")
                    .attr("type", "button")
                    .attr("lang", each.tag())
                    .attr("data-testid", format_args!("lang-{}", each.tag()))
                    .attr(
                        "aria-pressed",
                        if each == locale { "true" } else { "false" },
                    )
                    .text(each.native_name());
            }
        });
    m.open("button")
        .attr("aria-keyshortcuts", "?")
        .attr("data-testid", "help")
        .text(format_args!("{} (?)", t(Msg::Help)));
    m.into_string()
}

/// The speed a slider position gives (`10^position`), as the transport shows it.
pub fn speed_text(speed_log: f64) -> String {
    format!("{}×", crate::sim::num::Fixed(10f64.powf(speed_log), 1))
}

/// The transport's status: the time quantum in coarse time (`quantum`), the speed reached when the
/// device cannot keep up (`behind`).
pub fn transport_status(quantum_ms: u64, behind: Option<f64>) -> String {
    let mut m = Markup::with_capacity(256);
    if quantum_ms > 0 {
        m.open("span")
            .attr("class", "ks-quantum")
            .attr("data-testid", "quantum")
            .attr("title", t(Msg::QuantumTip))
            .text(format_args!("{} {quantum_ms} ms", t(Msg::Quantum)));
    }
    if let Some(reached) = behind {
        m.open("span")
            .attr("class", "ks-behind")
            .attr("data-testid", "behind")
            .attr("role", "status")
            .attr("title", t(Msg::BehindTip))
            .text(format_args!(
                "{} {}×",
                t(Msg::Behind),
                crate::sim::num::Fixed(reached, 1)
            ));
    }
    m.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{hostile_view, structure, HOSTILE};

    #[test]
    fn hostile_names_stay_text_in_the_controls() {
        let plain = render(&hostile_view("plain"), Chosen::default());
        for testid in [
            "rate",
            "acks",
            "keys",
            "max-poll-records",
            "strategy",
            "min-isr",
            "broker-1",
        ] {
            assert!(
                plain.contains(&format!("data-testid=\"{testid}\"")),
                "{testid}"
            );
        }
        for hostile in HOSTILE {
            let bad = render(&hostile_view(hostile), Chosen::default());
            assert_eq!(structure(&plain), structure(&bad), "{bad}");
            if hostile.contains(['<', '"', '\'']) {
                assert!(!bad.contains(hostile), "{bad}");
            }
        }
    }

    #[test]
    fn the_rate_slider_is_a_log_scale() {
        assert_eq!(position_to_rate(0.0), 0);
        assert_eq!(position_to_rate(400.0), 10_000);
        assert_eq!(position_to_rate(RATE_STEPS), 100_000);
        assert_eq!(rate_to_position(0), 0.0);
        for rate in [5, 100, 10_000, 100_000] {
            assert_eq!(position_to_rate(rate_to_position(rate)), rate);
        }
    }
}
