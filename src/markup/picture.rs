//! The picture's SVG layer: producers; brokers with their replica chips (leader, in-sync follower, out of
//! sync, offline); each partition's log strip with its labels; consumer groups with state, generation and
//! members. What moves every frame is drawn on a canvas over it (`ui::picture`), in the same coordinates,
//! from the same [`Strip`] geometry.

use super::action::{Action, Target};
use super::Markup;
use crate::layout::{offset_x, strip_window, Layout, Point, Shape, PICTURE_WIDTH};
use crate::messages::{fill, t, Msg};
use crate::sim::group::MemberStatus;
use crate::sim::ids::{BrokerId, GroupIx, MemberSlot, ProducerIx};
use crate::sim::network::Node;
use crate::sim::num::Fixed;
use crate::sim::view::{ClusterView, PartitionView};

/// Offsets shown per partition strip.
pub const CELLS: u64 = 40;

/// The picture's legend: the colours and marks it uses, in the reader's language (its list's items).
pub fn legend() -> String {
    let mut m = Markup::with_capacity(1024);
    for (class, mark, msg) in [
        ("ks-dot ks-flow-produce", "", Msg::LegendProduce),
        ("ks-dot ks-flow-replica", "", Msg::LegendReplica),
        ("ks-dot ks-flow-consume", "", Msg::LegendConsume),
        ("ks-dot ks-flow-commit", "", Msg::LegendCommit),
        ("ks-dot ks-flow-group", "", Msg::LegendGroup),
        ("ks-chip ks-role-leader", "", Msg::LegendLeader),
        ("ks-chip ks-role-follower", "", Msg::LegendFollower),
        ("ks-chip ks-role-out-of-sync", "", Msg::LegendOutOfSync),
        ("ks-chip ks-role-offline", "", Msg::LegendOffline),
        ("ks-hw-key", "", Msg::LegendHw),
        ("ks-committed-key", "▼", Msg::LegendCommitted),
        ("ks-dot ks-records-key", "", Msg::LegendRecords),
    ] {
        m.open("li").children(|m| {
            m.open("span").attr("class", class).text(mark);
            m.text(t(msg));
        });
    }
    m.into_string()
}

pub fn layout_of(view: &ClusterView) -> Layout {
    let members: Vec<usize> = view.groups.iter().map(|g| g.members.len()).collect();
    Layout::compute(&Shape {
        producers: view.producers.len(),
        brokers: view.brokers.len(),
        partitions: view.topics.iter().map(|t| t.partitions.len()).sum(),
        members_per_group: &members,
    })
}

/// A colour per group, from the colour-blind-safe palette (the stylesheet's `ks-gc-N` classes match).
pub fn group_colour(index: usize) -> &'static str {
    [
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442",
    ][index % 8]
}

/// The class giving HTML text a group's colour (inline `style` attributes are refused by the page's
/// Content-Security-Policy).
pub fn group_colour_class(index: usize) -> &'static str {
    [
        "ks-gc-0", "ks-gc-1", "ks-gc-2", "ks-gc-3", "ks-gc-4", "ks-gc-5", "ks-gc-6", "ks-gc-7",
    ][index % 8]
}

/// The width a group title may take: its natural width (about 7 px per Latin character and 12 px per CJK
/// one at 12 px bold), at most the member column's 265 px.
fn title_length(title: &str) -> f64 {
    let width: f64 = title
        .chars()
        .map(|c| if c.is_ascii() { 7.0 } else { 12.0 })
        .sum();
    width.min(265.0)
}

/// Where a partition's log strip sits, shared by the SVG layer and the canvas so that they line up: the
/// window of offsets shown (the newest `CELLS`), the strip's top and height, and the x of an offset.
pub struct Strip {
    pub x: f64,
    pub width: f64,
    pub first: u64,
    pub top: f64,
    pub height: f64,
}

impl Strip {
    pub fn new(layout: &Layout, at: Point, p: &PartitionView) -> Strip {
        let (first, _) = strip_window(p.log_start_offset, p.log_end_offset, CELLS);
        let height = (layout.row_height - 6.0).max(3.0);
        Strip {
            x: at.x,
            width: layout.strip_width,
            first,
            top: at.y - height,
            height,
        }
    }

    pub fn x_of(&self, offset: u64) -> f64 {
        self.x + offset_x(offset, self.first, CELLS, self.width)
    }
}

/// What the picture marks: the selection, and a lesson step's highlights (a pulsing outline).
#[derive(Clone, Copy, Default)]
pub struct Marks<'a> {
    pub selected: Option<&'a Target>,
    pub highlights: &'a [Target],
}

/// The class of an element of the picture: `base`, with `ks-selected` if `target` is selected and
/// `ks-pulse` if it is highlighted.
fn class_of(base: &'static str, target: &Target, marks: Marks) -> String {
    let mut class = base.to_string();
    if marks.selected == Some(target) {
        class.push_str(" ks-selected");
    }
    if marks.highlights.contains(target) {
        class.push_str(" ks-pulse");
    }
    class
}

/// The node a target names in `v`, if it is a node drawn in the picture.
fn node_of(v: &ClusterView, target: &Target) -> Option<Node> {
    match target {
        Target::Broker(id) => v
            .brokers
            .iter()
            .any(|b| b.id == *id)
            .then_some(Node::Broker {
                broker: BrokerId(*id),
            }),
        Target::Producer(id) => {
            v.producers
                .iter()
                .position(|p| p.id == *id)
                .map(|i| Node::Producer {
                    producer: ProducerIx::at(i),
                })
        }
        Target::Member { group, member } => {
            let g = v.groups.iter().position(|g| g.group == *group)?;
            let m = v.groups[g]
                .members
                .iter()
                .position(|m| m.member == *member)?;
            Some(Node::Member {
                group: GroupIx::at(g),
                member: MemberSlot::at(m),
            })
        }
        Target::Controller
        | Target::Partition { .. }
        | Target::Group(_)
        | Target::Service(_)
        | Target::Queue(_)
        | Target::Flow { .. }
        | Target::World => None,
    }
}

/// The whole picture as SVG markup. Every producer, broker, partition, group and member can be selected
/// (`data-action`, event delegation); the selection and a lesson's highlights are marked.
pub fn render(v: &ClusterView, marks: Marks) -> String {
    let layout = layout_of(v);
    let mut m = Markup::with_capacity(16 * 1024);
    m.open("svg")
        .attr("class", "ks-picture")
        .attr("role", "img")
        .attr("aria-label", t(Msg::PictureLabel))
        .attr(
            "viewBox",
            format_args!(
                "0 0 {} {}",
                Fixed(PICTURE_WIDTH, 0),
                Fixed(layout.height, 0)
            ),
        )
        .end();
    producers(&mut m, v, &layout, marks);
    brokers(&mut m, v, &layout, marks);
    partitions(&mut m, v, &layout, marks);
    groups(&mut m, v, &layout, marks);
    cut_lines(&mut m, v, &layout);
    flows(&mut m, v, &layout, marks.highlights);
    m.close("svg");
    m.into_string()
}

/// Each producer: its id, rate, acks and topic.
fn producers(m: &mut Markup, v: &ClusterView, layout: &Layout, marks: Marks) {
    for (i, p) in v.producers.iter().enumerate() {
        let at = layout.producers[i];
        let target = Target::Producer(p.id.clone());
        m.open("g")
            .attr("class", class_of("ks-producer", &target, marks))
            .action(&Action::Select(target))
            .attr(
                "data-net",
                net(
                    v,
                    Node::Producer {
                        producer: ProducerIx::at(i),
                    },
                ),
            )
            .attr("tabindex", 0)
            .attr("role", "button")
            .children(|m| {
                m.open("rect")
                    .num("x", at.x)
                    .num("y", at.y - 22.0)
                    .attr("width", 150)
                    .attr("height", 44)
                    .attr("rx", 6)
                    .empty();
                m.open("text")
                    .num("x", at.x + 8.0)
                    .num("y", at.y - 6.0)
                    .text(format_args!(
                        "{}{}",
                        p.id,
                        cut_mark(
                            v,
                            Node::Producer {
                                producer: ProducerIx::at(i)
                            }
                        )
                    ));
                m.open("text")
                    .num("x", at.x + 8.0)
                    .num("y", at.y + 8.0)
                    .attr("class", "ks-small")
                    .text(fill(
                        t(Msg::PicProducerLine),
                        &[("rate", &p.rate_per_sec), ("acks", &p.acks)],
                    ));
                m.open("text")
                    .num("x", at.x + 8.0)
                    .num("y", at.y + 19.0)
                    .attr("class", "ks-small")
                    .text(format_args!("→ {}", p.topic));
            });
    }
}

/// Each broker with its replica chips, one path per role.
fn brokers(m: &mut Markup, v: &ClusterView, layout: &Layout, marks: Marks) {
    for (i, b) in v.brokers.iter().enumerate() {
        let at = layout.brokers[i];
        let target = Target::Broker(b.id);
        m.open("g")
            .attr("class", class_of("ks-broker", &target, marks))
            .attr("data-alive", b.alive)
            .attr(
                "data-net",
                net(
                    v,
                    Node::Broker {
                        broker: BrokerId(b.id),
                    },
                ),
            )
            .attr("tabindex", 0)
            .attr("role", "button")
            .action(&Action::Select(target))
            .attr("data-testid", format_args!("picture-broker-{}", b.id))
            .children(|m| {
                // The replica chips, one path per role: a broker hosting many replicas stays a handful of
                // elements. The broker's tooltip names the partitions in each role.
                const ROLES: [(&str, Msg); 4] = [
                    ("leader", Msg::LegendLeader),
                    ("follower", Msg::LegendFollower),
                    ("out-of-sync", Msg::LegendOutOfSync),
                    ("offline", Msg::LegendOffline),
                ];
                let per_row = ((layout.broker_width - 12.0) / 10.0).floor().max(1.0) as usize;
                let mut chips: [(String, Vec<String>); 4] = Default::default();
                let mut n = 0;
                for topic in &v.topics {
                    for p in &topic.partitions {
                        let Some(replica) = p.replica_logs.iter().find(|r| r.broker == b.id) else {
                            continue;
                        };
                        let role = if !replica.alive || (p.offline && replica.is_leader) {
                            3
                        } else if replica.is_leader {
                            0
                        } else if replica.in_sync {
                            1
                        } else {
                            2
                        };
                        let (path, names) = &mut chips[role];
                        let x = at.x + 6.0 + (n % per_row) as f64 * 10.0;
                        let y = at.y + 30.0 + (n / per_row) as f64 * 10.0;
                        path.push_str(&format!("M{} {}h8v8h-8z", Fixed(x, 1), Fixed(y, 1)));
                        names.push(format!("{}-{}", topic.name, p.partition));
                        n += 1;
                    }
                }
                let mut tip = t(Msg::BrokerTip).to_string();
                for ((_, label), (_, names)) in ROLES.iter().zip(&chips) {
                    if !names.is_empty() {
                        tip.push_str(&format!("\n{}: {}", t(*label), names.join(", ")));
                    }
                }
                m.open("title").text(tip);
                m.open("rect")
                    .num("x", at.x)
                    .num("y", at.y)
                    .num("width", layout.broker_width)
                    .num("height", layout.broker_height)
                    .attr("rx", 6)
                    .empty();
                let down = if !b.alive {
                    format!(" ({})", t(Msg::BrokerDown))
                } else if b.fenced {
                    format!(" ({})", t(Msg::PicFenced))
                } else {
                    String::new()
                };
                let down = format!(
                    "{down}{}",
                    cut_mark(
                        v,
                        Node::Broker {
                            broker: BrokerId(b.id)
                        }
                    )
                );
                m.open("text")
                    .num("x", at.x + 6.0)
                    .num("y", at.y + 16.0)
                    .text(format_args!("{} {}{down}", t(Msg::Broker), b.id));
                for ((role, _), (path, _)) in ROLES.iter().zip(&chips) {
                    if !path.is_empty() {
                        m.open("path")
                            .attr("class", format_args!("ks-role-{role}"))
                            .attr("d", path)
                            .empty();
                    }
                }
            });
    }
}

/// Each partition's log strip with its labels (the canvas draws the fill and markers over it).
fn partitions(m: &mut Markup, v: &ClusterView, layout: &Layout, marks: Marks) {
    let mut row = 0;
    for topic in &v.topics {
        for p in &topic.partitions {
            let at = layout.partition_rows[row];
            row += 1;
            let strip = Strip::new(layout, at, p);
            let end = strip.x_of(p.log_end_offset);
            let state = if p.offline {
                "ks-strip-offline"
            } else if p.under_replicated {
                "ks-strip-under"
            } else {
                "ks-strip"
            };
            let target = Target::Partition {
                topic: topic.name.clone(),
                partition: p.partition,
            };
            m.open("g")
                .attr("class", class_of(state, &target, marks))
                .attr(
                    "data-testid",
                    format_args!("strip-{}-{}", topic.name, p.partition),
                )
                .action(&Action::Select(target))
                .attr("tabindex", 0)
                .attr("role", "button")
                .children(|m| {
                    m.open("title").text(fill(
                        t(Msg::PicStripTitle),
                        &[
                            ("topic", &topic.name),
                            ("partition", &p.partition),
                            ("start", &p.log_start_offset),
                            ("hw", &p.high_watermark),
                            ("end", &p.log_end_offset),
                        ],
                    ));
                    m.open("rect")
                        .num("x", at.x)
                        .num("y", strip.top)
                        .num("width", layout.strip_width)
                        .num("height", strip.height)
                        .attr("class", "ks-strip-bg")
                        .empty();
                    if !layout.compact {
                        m.open("text")
                            .num("x", at.x - 66.0)
                            .num("y", at.y - 2.0)
                            .attr("class", "ks-small")
                            .text(format_args!("{}-{}", topic.name, p.partition));
                        m.open("text")
                            .num("x", end + 4.0)
                            .num("y", at.y - 2.0)
                            .attr("class", "ks-small")
                            .text(fill(
                                t(Msg::PicStripLabel),
                                &[
                                    ("start", &p.log_start_offset),
                                    ("end", &p.log_end_offset),
                                    ("hw", &p.high_watermark),
                                    (
                                        "leader",
                                        &p.leader.map_or("-".to_string(), |l| l.to_string()),
                                    ),
                                    ("isr", &crate::sim::report::broker_list(&p.isr)),
                                ],
                            ));
                    }
                });
        }
    }
}

/// Each group's title and its members.
fn groups(m: &mut Markup, v: &ClusterView, layout: &Layout, marks: Marks) {
    for (g, group) in v.groups.iter().enumerate() {
        let top = layout.group_tops[g];
        let title = fill(
            t(Msg::PicGroupTitle),
            &[
                ("group", &group.group),
                ("generation", &group.generation),
                ("state", &group.state),
            ],
        );
        let target = Target::Group(group.group.clone());
        m.open("text")
            .attr("x", 930)
            .num("y", top + 14.0)
            .attr("class", class_of("ks-group-title", &target, marks))
            .action(&Action::Select(target))
            .attr("tabindex", 0)
            .attr("role", "button")
            .attr("fill", group_colour(g))
            // Long group names and states are squeezed into the column rather than cut off.
            .attr("textLength", Fixed(title_length(&title), 1))
            .attr("lengthAdjust", "spacingAndGlyphs")
            .text(&title);
        for (mi, member) in group.members.iter().enumerate() {
            let y = layout.anchor_member(g, mi).y - layout.member_height / 2.0;
            let status =
                super::selection::member_state(member.status, member.activity, member.joining);
            let target = Target::Member {
                group: group.group.clone(),
                member: member.member.clone(),
            };
            m.open("g")
                .attr("class", class_of("ks-member-node", &target, marks))
                .attr(
                    "data-status",
                    if member.status == MemberStatus::Running {
                        "running"
                    } else {
                        "stopped"
                    },
                )
                .attr("tabindex", 0)
                .attr("role", "button")
                .action(&Action::Select(target))
                .attr(
                    "data-net",
                    net(
                        v,
                        Node::Member {
                            group: GroupIx::at(g),
                            member: MemberSlot::at(mi),
                        },
                    ),
                )
                .children(|m| {
                    m.open("title").text(t(Msg::BrokerTip));
                    m.open("rect")
                        .attr("x", 930)
                        .num("y", y)
                        .attr("width", 260)
                        .num("height", layout.member_height)
                        .attr("rx", 5)
                        .attr("stroke", group_colour(g))
                        .empty();
                    m.open("text")
                        .attr("x", 940)
                        .num("y", y + 13.0)
                        .attr("class", "ks-small")
                        .text(fill(
                            t(Msg::PicMemberLine),
                            &[
                                (
                                    "member",
                                    &format_args!(
                                        "{}{}",
                                        member.member,
                                        cut_mark(
                                            v,
                                            Node::Member {
                                                group: GroupIx::at(g),
                                                member: MemberSlot::at(mi)
                                            }
                                        )
                                    ),
                                ),
                                ("status", &status),
                                ("processed", &member.records_processed),
                            ],
                        ));
                    if layout.member_height >= 30.0 {
                        let owned: Vec<String> = member
                            .assignment
                            .iter()
                            .map(|(topic, p)| format!("{topic}-{p}"))
                            .collect();
                        m.open("text")
                            .attr("x", 940)
                            .num("y", y + 28.0)
                            .attr("class", "ks-small")
                            .text(fill(
                                t(Msg::PicMemberOwns),
                                &[(
                                    "partitions",
                                    &if owned.is_empty() {
                                        "-".to_string()
                                    } else {
                                        owned.join(",")
                                    },
                                )],
                            ));
                    }
                });
        }
    }
}

/// A lesson's highlighted flows: a pulsing arrow from one drawn node to another.
fn flows(m: &mut Markup, v: &ClusterView, layout: &Layout, highlights: &[Target]) {
    for target in highlights {
        let Target::Flow { from, to } = target else {
            continue;
        };
        let (Some(a), Some(b)) = (node_of(v, from), node_of(v, to)) else {
            continue;
        };
        let (from, to) = (anchor(layout, a), anchor(layout, b));
        m.open("line")
            .attr("class", "ks-pulse-flow")
            .attr("data-testid", "highlight-flow")
            .num("x1", from.x)
            .num("y1", from.y)
            .num("x2", to.x)
            .num("y2", to.y)
            .empty();
    }
}

/// A cut link between two drawn nodes: a dashed line with scissors halfway (the controller is not
/// drawn; a broker cut off from it is marked on the broker).
fn cut_lines(m: &mut Markup, v: &ClusterView, layout: &Layout) {
    for (a, b) in &v.cuts {
        let Some(b) = b else { continue };
        if *a == Node::Controller {
            continue;
        }
        let (from, to) = (anchor(layout, *a), anchor(layout, *b));
        m.open("g")
            .attr("class", "ks-cut-line")
            .attr("data-testid", "cut-line")
            .children(|m| {
                m.open("title").text(fill(
                    t(Msg::EvNetworkCut),
                    &[("a", &v.node_name(*a)), ("b", &v.node_name(*b))],
                ));
                m.open("line")
                    .num("x1", from.x)
                    .num("y1", from.y)
                    .num("x2", to.x)
                    .num("y2", to.y)
                    .empty();
                m.open("text")
                    .num("x", (from.x + to.x) / 2.0)
                    .num("y", (from.y + to.y) / 2.0)
                    .text("✂");
            });
    }
}

/// `data-net` of a node: `cut` when a network fault touches it.
fn net(v: &ClusterView, node: Node) -> &'static str {
    if v.is_cut(node) {
        "cut"
    } else {
        "ok"
    }
}

/// The mark after a node's name when a network fault touches it.
fn cut_mark(v: &ClusterView, node: Node) -> String {
    if v.is_cut(node) {
        format!(" ✂ {}", t(Msg::PicCut))
    } else {
        String::new()
    }
}

/// Where a message to or from `node` attaches (the controller is not drawn: at the first broker).
pub fn anchor(layout: &Layout, node: Node) -> Point {
    match node {
        Node::Producer { producer } => layout.anchor_producer(producer.index()),
        Node::Controller => layout.anchor_broker(1),
        Node::Broker { broker } => layout.anchor_broker(broker.get()),
        Node::Member { group, member } => layout.anchor_member(group.index(), member.index()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{hostile_view, plain_view};
    use crate::markup::tests_support::{structure, HOSTILE};

    #[test]
    fn hostile_names_never_reach_the_svg_raw() {
        for hostile in HOSTILE {
            let (plain, bad) = (
                render(&plain_view(), Marks::default()),
                render(
                    &hostile_view(hostile),
                    Marks {
                        selected: Some(&Target::Broker(1)),
                        highlights: &[],
                    },
                ),
            );
            assert_eq!(structure(&plain), structure(&bad), "{hostile}");
            if hostile.contains(['<', '"', '\'']) {
                assert!(!bad.contains(hostile), "{hostile} survived in {bad}");
            }
        }
    }

    #[test]
    fn each_broker_draws_one_chip_per_replica_in_one_path_per_role() {
        let mut view = plain_view();
        // Broker 2's replica of the first partition falls out of sync.
        let first = &mut view.topics[0].partitions[0];
        let replica = first
            .replica_logs
            .iter_mut()
            .find(|r| r.broker == 2)
            .unwrap();
        assert!(!replica.is_leader);
        replica.in_sync = false;
        let svg = render(&view, Marks::default());
        for broker in &view.brokers {
            let start = svg
                .find(&format!("data-testid=\"picture-broker-{}\"", broker.id))
                .unwrap();
            let markup = &svg[start..start + svg[start..].find("</g>").unwrap()];
            let hosted: usize = view
                .topics
                .iter()
                .flat_map(|t| &t.partitions)
                .filter(|p| p.replica_logs.iter().any(|r| r.broker == broker.id))
                .count();
            assert!(hosted > 0);
            assert_eq!(markup.matches("h8v8h-8z").count(), hosted, "{markup}");
            assert_eq!(
                markup.matches("<path").count(),
                markup.matches("ks-role-").count()
            );
            let out_of_sync = markup.contains("ks-role-out-of-sync");
            assert_eq!(out_of_sync, broker.id == 2, "{markup}");
            if broker.id == 2 {
                assert!(markup.contains(&format!(
                    "out of sync: plain-{}",
                    view.topics[0].partitions[0].partition
                )));
            }
        }
    }

    #[test]
    fn network_faults_mark_their_nodes_and_draw_cut_links() {
        let mut view = plain_view();
        assert!(!render(&view, Marks::default()).contains("data-net=\"cut\""));
        view.cuts = vec![
            (
                Node::Producer {
                    producer: ProducerIx(0),
                },
                Some(Node::Broker {
                    broker: BrokerId(2),
                }),
            ),
            (
                Node::Controller,
                Some(Node::Broker {
                    broker: BrokerId(1),
                }),
            ),
        ];
        let svg = render(&view, Marks::default());
        // The producer and brokers 1 and 2 are marked; one line is drawn (the controller is not drawn).
        assert_eq!(svg.matches("data-net=\"cut\"").count(), 3, "{svg}");
        assert_eq!(svg.matches("data-testid=\"cut-line\"").count(), 1, "{svg}");
    }

    #[test]
    fn a_lesson_step_highlights_pulse_on_their_parts_and_flows() {
        let view = plain_view();
        let highlights = [
            Target::Partition {
                topic: "plain".into(),
                partition: 0,
            },
            Target::Broker(2),
            Target::Flow {
                from: Box::new(Target::Producer("plain".into())),
                to: Box::new(Target::Broker(1)),
            },
            // Nothing drawn for these here: no error either.
            Target::Queue("none".into()),
            Target::Broker(42),
        ];
        let svg = render(
            &view,
            Marks {
                selected: None,
                highlights: &highlights,
            },
        );
        assert_eq!(svg.matches("ks-pulse\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("data-testid=\"highlight-flow\"").count(), 1);
        assert!(!render(&view, Marks::default()).contains("ks-pulse"));
    }
}
