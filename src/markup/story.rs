//! Rebalances, step by step: each group's latest rebalances retold from the trace as numbered steps
//! (who joins, who revokes what, what the leader assigns, who gets what), so that the eager protocol
//! (every member revokes everything, then waits) and the cooperative one (only moving partitions are
//! revoked, and a second rebalance hands them over) can be told apart.

use super::picture::group_colour_class;
use super::Markup;
use crate::messages::t;
use crate::sim::event::{EventKind, TopicPartitionPair};
use crate::sim::view::ClusterView;
use std::fmt::Write;

/// How many rebalances are kept per group (a cooperative rebalance usually takes two).
const PER_GROUP: usize = 2;
/// How many steps one story keeps.
const MAX_STEPS: usize = 40;

#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub group: String,
    /// The class giving the title its group's colour.
    pub colour: &'static str,
    pub protocol: &'static str,
    pub started_us: u64,
    pub steps: Vec<(u64, String)>,
    /// The group reached Stable: later joins and departures belong to the next rebalance.
    pub stable: bool,
}

/// The stories, and the steps seen since a group's last rebalance ended (a member sending JoinGroup or
/// leaving comes before the coordinator starts the rebalance it causes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Book {
    pub stories: Vec<Story>,
    pending: Vec<(String, u64, String)>,
}

fn list(partitions: &[TopicPartitionPair]) -> String {
    if partitions.is_empty() {
        return "-".into();
    }
    partitions
        .iter()
        .map(|(topic, partition)| format!("{topic}-{partition}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The group an event belongs to and the step it adds, for the events a rebalance is made of.
fn step(kind: &EventKind) -> Option<(&str, String)> {
    use EventKind::*;
    Some(match kind {
        ConsumerJoining {
            group,
            member,
            reason,
        } => (group, format!("{member} {} ({reason})", t("story.join"))),
        PartitionsRevoked {
            group,
            member,
            partitions,
        } => (
            group,
            format!("{member} {} {}", t("story.revoke"), list(partitions)),
        ),
        PartitionsLost {
            group,
            member,
            partitions,
        } => (
            group,
            format!("{member} {} {}", t("story.lost"), list(partitions)),
        ),
        ConsumerLeft {
            group,
            member,
            reason,
        } => (group, format!("{member} {} ({reason})", t("story.left"))),
        GroupStateChanged {
            group,
            state,
            generation,
        } => (
            group,
            format!(
                "{} {state}, {} {generation}: {}",
                t("story.state"),
                t("story.generation"),
                match state.as_str() {
                    "PreparingRebalance" => t("story.preparing"),
                    "CompletingRebalance" => t("story.completing"),
                    "Stable" => t("story.stable"),
                    _ => "",
                }
            ),
        ),
        RebalanceCompleted {
            group,
            leader,
            assignor,
            assignment,
            ..
        } => {
            let mut text = format!("{leader} ({}) {assignor}:", t("story.leader"));
            for (member, partitions) in assignment {
                let _ = write!(text, " {member} → {};", list(partitions));
            }
            (group, text)
        }
        PartitionsAssigned {
            group,
            member,
            partitions,
        } => (
            group,
            format!("{member} {} {}", t("story.assigned"), list(partitions)),
        ),
        _ => return None,
    })
}

/// Adds an event to the stories; returns whether anything changed.
pub fn absorb(book: &mut Book, t_us: u64, kind: &EventKind, view: &ClusterView) -> bool {
    let stories = &mut book.stories;
    if let EventKind::RebalanceStarted { group, reason, .. } = kind {
        let mut steps: Vec<(u64, String)> = book
            .pending
            .iter()
            .filter(|(g, _, _)| g == group)
            .map(|(_, t_us, text)| (*t_us, text.clone()))
            .collect();
        book.pending.retain(|(g, _, _)| g != group);
        let started_us = steps.first().map_or(t_us, |(first, _)| *first);
        steps.push((t_us, format!("{}: {reason}", t("story.start"))));
        let (index, protocol) = view
            .groups
            .iter()
            .enumerate()
            .find(|(_, g)| g.group == *group)
            .map_or((0, ""), |(i, g)| (i, g.protocol));
        stories.push(Story {
            group: group.clone(),
            colour: group_colour_class(index),
            protocol,
            started_us,
            steps,
            stable: false,
        });
        let count = stories.iter().filter(|s| s.group == *group).count();
        if count > PER_GROUP {
            if let Some(oldest) = stories.iter().position(|s| s.group == *group) {
                stories.remove(oldest);
            }
        }
        return true;
    }
    let Some((group, text)) = step(kind) else {
        return false;
    };
    let cause = match kind {
        EventKind::ConsumerJoining { .. } | EventKind::ConsumerLeft { .. } => true,
        EventKind::GroupStateChanged { state, .. } => state == "PreparingRebalance",
        _ => false,
    };
    match stories.iter_mut().rev().find(|s| s.group == group) {
        Some(story) if !(cause && story.stable) => {
            if matches!(kind, EventKind::GroupStateChanged { state, .. } if state == "Stable") {
                story.stable = true;
            }
            if story.steps.len() < MAX_STEPS {
                story.steps.push((t_us, text));
            }
            true
        }
        _ if cause => {
            if book.pending.len() < MAX_STEPS {
                book.pending.push((group.to_string(), t_us, text));
            }
            false
        }
        _ => false,
    }
}

/// The stories, newest first, as markup.
pub fn render(stories: &[Story]) -> String {
    let mut m = Markup::with_capacity(4096);
    if stories.is_empty() {
        m.open("p").text(t("story.none"));
    }
    for story in stories.iter().rev() {
        m.open("div")
            .attr("class", "ks-story")
            .attr("data-protocol", story.protocol)
            .children(|m| {
                m.open("h3").attr("class", story.colour).text(format_args!(
                    "{} · {} {:.3} s · {}",
                    story.group,
                    t("story.at"),
                    story.started_us as f64 / 1e6,
                    story.protocol
                ));
                m.open("p").attr("class", "ks-small-text").text(
                    if story.protocol == "COOPERATIVE" {
                        t("story.cooperative")
                    } else {
                        t("story.eager")
                    },
                );
                m.open("ol").children(|m| {
                    for (t_us, text) in &story.steps {
                        m.open("li").children(|m| {
                            m.open("time")
                                .text(format_args!("+{} ms", (t_us - story.started_us) / 1000));
                            m.text(format_args!(" {text}"));
                        });
                    }
                });
            });
    }
    m.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::hostile_view;
    use crate::markup::tests_support::{structure, HOSTILE};

    fn story_of(name: &str, reason: &str) -> String {
        let view = hostile_view(name);
        let mut book = Book::default();
        let events = [
            EventKind::ConsumerJoining {
                group: name.into(),
                member: name.into(),
                reason: reason.into(),
            },
            EventKind::RebalanceStarted {
                group: name.into(),
                reason: reason.into(),
                generation: 1,
            },
            EventKind::PartitionsAssigned {
                group: name.into(),
                member: name.into(),
                partitions: vec![(name.into(), 0)],
            },
        ];
        for (i, event) in events.iter().enumerate() {
            absorb(&mut book, i as u64 * 1000, event, &view);
        }
        render(&book.stories)
    }

    #[test]
    fn hostile_names_never_reach_the_story_raw() {
        for hostile in HOSTILE {
            let (plain, bad) = (story_of("plain", "because"), story_of(hostile, hostile));
            assert_eq!(structure(&plain), structure(&bad), "{bad}");
            if hostile.contains(['<', '"', '\'']) {
                assert!(!bad.contains(hostile), "{bad}");
            }
        }
    }
}
